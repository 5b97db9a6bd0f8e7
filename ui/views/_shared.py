"""Pieces every dashboard page uses: the error guard, the header, the current deal.

Pages render inside :func:`guarded`, so bad input shows as ``st.error`` with the engine's own
message (the same text the CLI prints; a pool tape's findings in the session language) and
nothing ever shows a traceback to a structurer.
Unexpected errors are logged with their traceback on the server for the developers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from abs.deal import Deal
from abs.errors import DabsError, TapeError
from ui import engine, localize, state
from ui.i18n import LANGUAGES, current_language, t
from ui.messages import LocalisedError, error_message, tape_error_text

log = logging.getLogger("dabs.ui")


def guarded(body: Callable[[], None]) -> None:
    """Run a page body; show engine errors with ``st.error`` and never a traceback."""
    try:
        body()
    except DabsError as exc:
        st.error(error_message(exc, current_language()), title=t("error.page"))
    except Exception as exc:  # the page must never show a traceback
        log.exception("dashboard page failed")
        st.error(t("error.internal", kind=type(exc).__name__, message=str(exc)))


def show_input_error() -> None:
    """Show the last rejected input (if any) above the page content, with a dismiss button."""
    err = state.last_error()
    if err is None:
        return
    where, message = err.in_language(current_language())
    st.error(message, title=t("error.input", where=where))
    st.button(t("error.dismiss"), key="dismiss_error", on_click=state.clear_error)


def header(page_key: str) -> Deal:
    """Page title, the current deal's name and any rejected input; returns the current deal."""
    deal = current_deal()
    st.title(t(page_key))
    st.caption(f"{deal.name} · {t('sidebar.source', source=state.source())}")
    message = state.pop_flash()
    if message:
        st.success(message)
    show_input_error()
    return deal


def current_deal() -> Deal:
    """The current (validated) deal of this session."""
    return engine.deal_from_json(state.current_json())


def process_upload(name: str, data: bytes) -> str:
    """Apply an uploaded tape (CSV/XLSX) or deal file (JSON) to the session.

    Returns the confirmation text to show.

    Raises
    ------
    DabsError
        The engine's message for an unreadable or invalid file (the deal is left unchanged).
    """
    state.check_upload_size(name, data)
    current = engine.deal_from_json(state.current_json())
    if name.lower().endswith(".json"):
        try:
            deal = engine.parse_deal_upload(data, filename=name)
        except DabsError as exc:
            raise _localised_deal_error(name, data) or exc from None
        message = t("sidebar.loaded_deal", name=name)
        if deal.pool is None:
            deal = engine.with_pool(deal, engine.require_pool(current))
            message = t("sidebar.deal_kept_pool", name=name)
        state.set_current(engine.deal_to_json(deal), source_label=name)
        state.set_tape_warnings([])
        return message
    try:
        pool, warnings = engine.read_tape_upload(
            data, filename=name, cutoff_date=current.dates.cutoff_date
        )
    except TapeError as exc:  # every finding in the session language (the CLI keeps English)
        texts = {lang: tape_error_text(exc, name, lang) for lang in LANGUAGES}
        raise LocalisedError(texts, state.language()) from None
    state.set_current(engine.deal_to_json(engine.with_pool(current, pool)), source_label=name)
    state.set_tape_warnings(warnings)
    return t("sidebar.loaded_tape", name=name, count=len(pool.assets))


def _localised_deal_error(name: str, data: bytes) -> DabsError | None:
    """A deal file's problem in the session language: a JSON syntax error by line and column,
    text that is not UTF-8, or its field errors (rows and columns as the structure editors name
    them, amounts in 万元); ``None`` when the reader's own message is the only one (a key given
    twice, absurd nesting or numbers)."""
    import json

    from ui.views.structure_page import deal_issue_lines

    try:
        parsed = json.loads(data)
    except json.JSONDecodeError as exc:  # where the syntax breaks, in the session language
        return DabsError(t("upload.deal_not_json", name=name, line=exc.lineno, col=exc.colno))
    except UnicodeDecodeError:
        return DabsError(t("upload.deal_not_text", name=name))
    except (ValueError, RecursionError):  # an absurd number or nesting: the reader's message
        return None
    if not isinstance(parsed, dict):
        return None
    _deal, issues = engine.validate_deal_data(parsed, source=name)
    if not issues:
        return None
    texts = {}
    for lang in LANGUAGES:  # worded in each language: a language switch rewords it
        lines = deal_issue_lines(issues, parsed, lang)
        head = t("upload.deal_invalid", lang, name=name)
        texts[lang] = head + "\n" + "\n".join(f"- {x}" for x in lines)
    return LocalisedError(texts, state.language())


def upload_box(*, slot: str, label_key: str, types: list[str], rerun: bool = False) -> None:
    """A file uploader that applies each new file once (tape or deal), with the size limit.

    With ``rerun`` (an uploader below the page header) the app reruns at once so the whole
    page shows the new deal; the confirmation is shown after the rerun.

    A rejected file leaves the current deal as it was and is shown by :func:`show_input_error`
    (and by the sidebar) with the engine's message.
    """
    upload = st.file_uploader(
        t(label_key),
        type=types,
        key=f"upload_{slot}",
        max_upload_size=state.MAX_UPLOAD_MB,
    )
    if upload is None:
        state.mark_upload(None, slot=slot)
        return
    if state.upload_seen(upload.file_id, slot=slot):
        return
    state.mark_upload(upload.file_id, slot=slot)
    try:
        message = process_upload(upload.name, upload.getvalue())
    except DabsError as exc:
        state.record_error(t("where.upload") + f" {upload.name}", exc, where_key="where.upload")
        if rerun:
            st.rerun()
        return
    if rerun:
        state.flash(message)
        st.rerun()
    st.success(message)


def table(frame: pd.DataFrame, *, digits: int = 2, **kwargs: Any) -> None:
    """``st.dataframe`` with every float column shown with ``digits`` decimals.

    Amounts reach the pages already in 万元 and shares in percent (:mod:`ui.format`), so two
    decimals is the house style; pass ``column_config`` entries to override single columns.
    """
    # two decimals: Streamlit's "accounting" format (thousands separators, 2 decimals, negatives
    # in parentheses), so 万元 read 12,300.00 as in the workbook
    number_format = "accounting" if digits == 2 else f"%.{digits}f"
    # headers, index and label cells in the session language (ui.localize)
    frame, renames = localize.frame(frame, current_language())
    given = kwargs.pop("column_config", None) or {}
    config: dict[str, Any] = {
        str(col): st.column_config.NumberColumn(format=number_format)
        for col in frame.columns
        if frame[col].dtype.kind == "f"
    }
    config.update({renames.get(str(k), str(k)): v for k, v in given.items()})
    kwargs.setdefault("hide_index", True)
    st.dataframe(frame, column_config=config, **kwargs)


def plot(fig: Any, **kwargs: Any) -> None:
    """``st.plotly_chart`` in the session language: trace names and category labels through
    :mod:`ui.localize`, and date axes ticked as ``2027-01`` (Plotly's month names are English).
    """
    lang = current_language()
    has_dates = False
    for trace in fig.data:
        name = getattr(trace, "name", None)
        if isinstance(name, str):
            trace.name = localize.column_label(name, lang)
        for axis in ("x", "y"):
            values = getattr(trace, axis, None)
            if values is None or len(values) == 0:
                continue
            first = values[0]
            if isinstance(first, str):
                setattr(trace, axis, [localize.scenario_label(v, lang) for v in values])
                if len(first) == 10 and first[4:5] == "-" and first[7:8] == "-":
                    has_dates = True
            elif hasattr(first, "year") and hasattr(first, "month"):
                has_dates = True
    if has_dates:
        fig.update_xaxes(tickformat="%Y-%m", hoverformat="%Y-%m-%d")
    st.plotly_chart(fig, **kwargs)
