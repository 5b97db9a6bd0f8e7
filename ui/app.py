"""The structurer dashboard (Streamlit): pool → kind → structure → waterfall → stress → export.

Run it with ``streamlit run ui/app.py`` or ``dabs ui [DEAL]`` (``DEAL`` = example name or deal
file; ``dabs ui`` passes it as ``$DABS_UI_DEAL``). The sidebar switches example, takes an
uploaded tape or deal file and toggles the language; each page lives in ``ui/views/``.

The page modules are deliberately not in a folder called ``pages``: a ``pages/`` folder next to
the entry script makes Streamlit run a session's first script run in its legacy multipage mode
(``PagesManager.uses_pages_directory``), after which the sidebar widgets of that first session
lose their values in the browser (the example switcher snapped back to its first option).
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from abs.errors import DabsError
from abs.examples import EXAMPLES, example_names
from ui import engine, state
from ui.i18n import LANGUAGE_NAMES, LANGUAGES, t
from ui.views._shared import upload_box
from ui.views.library_sidebar import render_library_sidebar

log = logging.getLogger("dabs.ui")

VIEWS_DIR = Path(__file__).resolve().parent / "views"

#: (url path, page file, title key, icon) in navigation order.
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("pool", "pool_page.py", "page.pool", ":material/database:"),
    ("projection", "projection_page.py", "page.projection", ":material/trending_up:"),
    ("structure", "structure_page.py", "page.structure", ":material/account_tree:"),
    ("waterfall", "waterfall_page.py", "page.waterfall", ":material/waterfall_chart:"),
    ("stress", "stress_page.py", "page.stress", ":material/thunderstorm:"),
    ("export", "export_page.py", "page.export", ":material/download:"),
    ("library", "library_page.py", "page.library", ":material/history:"),
)


def ensure_initialised() -> None:
    """Load the first deal of a session (``$DABS_UI_DEAL`` or the default example)."""
    if state.is_initialised():
        return
    choice = state.initial_choice()
    try:
        text = engine.deal_file_json(choice)
    except DabsError as exc:
        state.set_current(
            engine.example_deal_json(state.DEFAULT_EXAMPLE), source_label=state.DEFAULT_EXAMPLE
        )
        state.record_error(t("where.deal_file"), exc, where_key="where.deal_file")
        choice = state.DEFAULT_EXAMPLE
    else:
        state.set_current(text, source_label=choice)
    st.session_state[state.KEY_EXAMPLE] = choice if choice in EXAMPLES else state.DEFAULT_EXAMPLE


def _on_example_change() -> None:
    name = st.session_state.get(state.KEY_EXAMPLE)
    if not isinstance(name, str):
        return
    try:
        state.set_current(engine.example_deal_json(name), source_label=name)
        state.set_tape_warnings([])
    except DabsError as exc:
        state.record_error(t("where.example"), exc, where_key="where.example")


def _on_undo() -> None:
    state.undo()


def render_sidebar(library_page: st.Page | None = None) -> None:
    """Language toggle, example switcher, upload, current deal, undo, edit log, library."""
    with st.sidebar:
        st.radio(
            t("sidebar.language"),
            LANGUAGES,
            format_func=lambda code: LANGUAGE_NAMES[code],
            key=state.KEY_LANG,
            horizontal=True,
        )
        st.selectbox(
            t("sidebar.example"),
            example_names(),
            key=state.KEY_EXAMPLE,
            on_change=_on_example_change,
            help=t("sidebar.example_help"),
        )
        # picking the example already selected fires no change: reloading it is explicit
        st.button(
            t("sidebar.reload_example"),
            key="reload_example",
            on_click=_on_example_change,
            help=t("sidebar.reload_help"),
        )
        upload_box(slot="sidebar", label_key="sidebar.upload", types=["csv", "xlsx", "json"])
        st.caption(t("sidebar.upload_help", mb=state.MAX_UPLOAD_MB))
        deal = engine.deal_from_json(state.current_json())
        st.markdown(f"**{t('sidebar.current')}**  \n{deal.name}")
        st.caption(t("sidebar.source", source=state.source()))
        st.button(
            t("sidebar.undo"),
            key="undo",
            on_click=_on_undo,
            disabled=not state.can_undo(),
        )
        log_lines = state.edits()
        if log_lines:
            with st.expander(t("sidebar.edits") + f" ({len(log_lines)})"):
                for line in log_lines:
                    st.markdown(f"- {line}")
        render_library_sidebar(deal, library_page)


def build_pages() -> list[st.Page]:
    """The six pages, titled in the session language."""
    return [
        st.Page(
            VIEWS_DIR / filename,
            title=t(title_key),
            icon=icon,
            url_path=url,
            default=(index == 0),
        )
        for index, (url, filename, title_key, icon) in enumerate(PAGES)
    ]


def run() -> None:
    """Build the app: page config, first deal, sidebar, navigation; then run the chosen page."""
    st.set_page_config(page_title=t("app.title"), page_icon="📊", layout="wide")
    pages = build_pages()
    # navigation first: the sidebar links to the library page, which must be registered
    navigation = st.navigation(pages)
    try:
        ensure_initialised()
        render_sidebar(pages[[p[0] for p in PAGES].index("library")])
    except DabsError as exc:
        st.error(str(exc), title=t("error.page"))
    except Exception as exc:  # never show a traceback
        log.exception("dashboard shell failed")
        st.error(t("error.internal", kind=type(exc).__name__, message=str(exc)))
    navigation.run()


if __name__ == "__main__":
    run()
