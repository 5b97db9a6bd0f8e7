"""The deal library in the sidebar: the current deal's newest versions, one click to open one.

The sidebar follows the library key the current deal was last saved under or opened from
(:func:`ui.state.library_key`), else the key the 交易库 page offers for it (the example's name or
the deal name). Saving and comparing stay on the 交易库 page, linked from here.

Reading the history costs one short query per rerun (≈ 6 ms on SQLite); a library that does not
exist yet is not created by looking at the sidebar, and an unreachable one is named in a caption
instead of breaking the sidebar.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st
from sqlalchemy.engine import make_url

from abs.deal import Deal
from abs.errors import DabsError
from abs.io import deal_to_json
from abs.library import Library, NotFoundError, VersionInfo
from abs.library.config import resolve_url
from ui import state
from ui.i18n import t

log = logging.getLogger("dabs.ui")

#: How many versions the sidebar lists (newest first).
SIDEBAR_VERSIONS = 6
#: Longest message excerpt shown per version (characters).
MESSAGE_CHARS = 28


def default_key(deal: Deal) -> str:
    """Library key offered for the current deal: its example's name, else the deal name.

    The deal's source decides (an example switched to later is the current one); the example
    the session started with counts only while the source names no other.
    """
    from abs.examples import EXAMPLES

    source = state.source()
    for name in EXAMPLES:
        if name == source or name in source:
            return name
    if not source or source == state.initial_choice():
        choice = state.initial_choice()
        if choice in EXAMPLES:
            return choice
    return deal.name.strip()[:60] or "deal"


def current_key(deal: Deal) -> str:
    """The key the current deal was saved under or opened from, else :func:`default_key`."""
    return state.library_key() or default_key(deal)


def library_absent() -> bool:
    """True when the library is an SQLite file that does not exist yet (nothing saved)."""
    try:
        url = make_url(resolve_url())
    except Exception:  # a malformed URL is reported when the library is opened
        return False
    database = url.database
    return (
        url.get_backend_name() == "sqlite" and bool(database) and not Path(str(database)).exists()
    )


def recent_versions(key: str) -> list[VersionInfo]:
    """Newest versions of ``key`` (empty when the key or the library does not exist yet)."""
    if library_absent():
        return []
    try:
        with Library.open(migrate=False) as lib:
            return list(lib.log(key, limit=SIDEBAR_VERSIONS))
    except NotFoundError:
        return []


def version_line(version: VersionInfo) -> str:
    """``**key@n** · 12-05 08:30 · first words of the message``."""
    first = version.message.splitlines()[0] if version.message else ""
    if len(first) > MESSAGE_CHARS:
        first = first[: MESSAGE_CHARS - 1] + "…"
    when = version.created_at.strftime("%m-%d %H:%M")
    parts = [f"**{version.ref}**", when]
    if first:
        parts.append(first)
    return " · ".join(parts)


def open_version(ref: str, key: str) -> None:
    """Make library version ``ref`` the current deal (undo brings the previous one back)."""
    try:
        with Library.open(migrate=False) as lib:
            opened = lib.load(ref)
    except DabsError as exc:
        state.record_error(t("where.library"), exc, where_key="where.library")
        return
    state.set_current(deal_to_json(opened), source_label=t("library.source", ref=ref))
    state.set_library_key(key)
    state.flash(t("library.opened", ref=ref))


def _on_open() -> None:
    ref = st.session_state.get("sb_lib_ref")
    key = st.session_state.get("sb_lib_key")
    if isinstance(ref, str) and isinstance(key, str):
        open_version(ref, key)


def render_library_sidebar(deal: Deal, library_page: st.Page | None = None) -> None:
    """The sidebar's library block (inside ``with st.sidebar``), linking ``library_page``."""
    key = current_key(deal)
    try:
        versions = recent_versions(key)
    except DabsError as exc:
        st.caption(t("sidebar.library_unavailable", message=str(exc)))
        return
    except Exception as exc:  # a broken database must not take the sidebar down
        log.exception("sidebar library history failed")
        st.caption(t("sidebar.library_unavailable", message=type(exc).__name__))
        return
    st.session_state["sb_lib_key"] = key
    label = "sidebar.library" if versions else "sidebar.library_unsaved"
    with st.expander(t(label, key=key, n=len(versions))):
        if not versions:
            st.caption(t("sidebar.library_none"))
        else:
            st.markdown("\n".join(f"- {version_line(v)}" for v in versions))
            st.selectbox(
                t("library.open_pick"),
                [v.ref for v in versions],
                key="sb_lib_ref",
            )
            st.button(t("library.open"), key="sb_lib_open", on_click=_on_open)
        if library_page is not None:
            st.page_link(library_page, label=t("sidebar.library_page"), icon=":material/history:")
