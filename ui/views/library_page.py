"""交易库 Library: save the current deal with a message (and its edit log), see the history,
open any version, and compare two structures side by side.

The library is the one ``dabs library`` uses (``$DABS_DB_URL``, else the user's SQLite file).
The comparison is :func:`scenarios.compare.compare` on the base-case reports the other pages
show (cached per deal JSON), so its numbers are theirs.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from abs.deal import Deal
from abs.io import deal_to_json
from scenarios.compare import (
    MEASURE_LABELS,
    STRESS_MEASURES,
    Comparison,
    compare,
    compare_breakevens,
    compare_stress,
)
from ui import engine, localize, state
from ui import format as fmt
from ui.i18n import t
from ui.views._shared import guarded, header, plot, table
from ui.views.library_sidebar import current_key

#: Selection meaning "the deal being edited now" in the compare pickers.
CURRENT = "__current__"


def _library() -> Any:
    from abs.library import Library

    return Library.open()


def save_message(message: str, edits: list[str], lang: str) -> str:
    """The version message: what the structurer wrote, then the session's edit log."""
    text = message.strip() or t("library.default_message", lang)
    if edits:
        text += "\n" + t("library.edit_log", lang) + "\n" + "\n".join(f"- {e}" for e in edits)
    return text


def _measure_value(measure: str, value: float) -> str:
    if not math.isfinite(value):
        return "—"
    if measure == "yield":
        return fmt.pct(value)
    if measure.startswith("min_coverage"):
        return fmt.ratio(value)
    if measure == "balance":
        return f"{value:,.2f}"
    return fmt.years(value)


def change_text(measure: str, a: float, b: float, changed: bool, lang: str) -> str:
    """The 变化 cell: B − A in the measure's own unit (basis points for yields, percentage
    points for loss rates, × for coverage, 万元, years), so a change the two 2-decimal cells
    hide still reads; ``●`` where a side has no value or the measure is yes/no.

    Examples
    --------
    >>> change_text("yield", 0.021998, 0.022058, True, "zh")
    '+0.60 基点'
    >>> change_text("yield", 0.021998, 0.022058, True, "en")
    '+0.60 bp'
    >>> change_text("loss", 0.0, 0.125, True, "en")
    '+12.50 pp'
    >>> change_text("min_coverage", 1.75, 2.40, True, "zh")
    '+0.65×'
    >>> change_text("balance", 20_000.0, 16_530.88, True, "zh")
    '-3,469.12'
    >>> change_text("wal", 1.0, 1.0, False, "zh")
    ''
    """
    if not changed:
        return ""
    if not (math.isfinite(a) and math.isfinite(b)) or measure == "paid":
        return "●"
    d = b - a
    if measure == "yield":
        return f"{d * 10_000:+,.2f} {'基点' if lang == 'zh' else 'bp'}"
    if measure == "loss":
        return f"{d * 100:+,.2f} {'个百分点' if lang == 'zh' else 'pp'}"
    if measure.startswith("min_coverage") or measure == "coverage":
        return f"{d:+,.2f}×"
    return f"{d:+,.2f}"


def comparison_table(comp: Comparison, lang: str) -> pd.DataFrame:
    """Tranche measures of A and B with a 变化 column; changed rows first."""
    rows = []
    for _, r in comp.tranches.iterrows():
        zh, en = MEASURE_LABELS[str(r["measure"])]
        rows.append(
            {
                t("library.col.tranche", lang): r["tranche"],
                t("library.col.measure", lang): zh if lang == "zh" else en,
                comp.a: _measure_value(str(r["measure"]), float(r["a"])),
                comp.b: _measure_value(str(r["measure"]), float(r["b"])),
                t("library.col.changed", lang): change_text(
                    str(r["measure"]), float(r["a"]), float(r["b"]), bool(r["changed"]), lang
                ),
            }
        )
    frame = pd.DataFrame(rows)
    return frame


def _stress_value(measure: str, value: float, lang: str) -> str:
    if not math.isfinite(value):
        return "—"
    if measure == "paid":
        return ("✓" if value else "✗") if lang == "zh" else ("yes" if value else "no")
    if measure == "loss":
        return fmt.pct(value)
    if measure == "support":
        return f"{value:,.2f}"
    return fmt.ratio(value)


def stress_table(frame: pd.DataFrame, a: str, b: str, lang: str) -> pd.DataFrame:
    """:func:`scenarios.compare.compare_stress` in ``lang``: changed rows first, then run order."""
    rows = []
    for _, r in frame.sort_values("changed", ascending=False, kind="stable").iterrows():
        measure = str(r["measure"])
        zh, en = STRESS_MEASURES[measure]
        rows.append(
            {
                t("library.col.scenario", lang): localize.scenario_label(r["scenario"], lang),
                t("library.col.tranche", lang): r["tranche"] or "—",
                t("library.col.measure", lang): zh if lang == "zh" else en,
                a: _stress_value(measure, float(r["a"]), lang),
                b: _stress_value(measure, float(r["b"]), lang),
                t("library.col.changed", lang): change_text(
                    measure, float(r["a"]), float(r["b"]), bool(r["changed"]), lang
                ),
            }
        )
    return pd.DataFrame(rows)


def breakeven_table(frame: pd.DataFrame, a: str, b: str, lang: str) -> pd.DataFrame:
    """:func:`scenarios.compare.compare_breakevens` in ``lang`` (as % or ×, 不触发 worded)."""
    from scenarios.breakeven import format_breakeven
    from scenarios.factors import FACTOR_BY_ID

    by_label = {f.label: f.id for f in FACTOR_BY_ID.values()}

    def shown(factor: str, value: float, status: str) -> str:
        if not status or not math.isfinite(value):
            return "—"
        fid = by_label.get(factor, "")
        return format_breakeven(fid, value, status, lang=lang)

    rows = []
    for _, r in frame.iterrows():
        factor = str(r["factor"])
        fid = by_label.get(factor)
        rows.append(
            {
                t("library.col.tranche", lang): r["tranche"],
                t("library.col.factor", lang): (
                    factor
                    if fid is None
                    else (FACTOR_BY_ID[fid].zh if lang == "zh" else FACTOR_BY_ID[fid].en)
                ),
                a: shown(factor, float(r["a"]), str(r["a_status"])),
                b: shown(factor, float(r["b"]), str(r["b_status"])),
                t("library.col.changed", lang): "●" if bool(r["changed"]) else "",
            }
        )
    return pd.DataFrame(rows)


def changes_table(comp: Comparison, lang: str) -> pd.DataFrame:
    """The field changes in ``lang``: the domain's column codes named here, A and B by the
    versions compared."""
    frame = comp.structure.table(lang)
    names = {
        "field": t("library.col.field", lang),
        "change": t("library.col.change", lang),
        "old": comp.a,
        "new": comp.b,
        "delta": t("library.col.delta", lang),
    }
    return frame.rename(columns=names)


def _highlight(frame: pd.DataFrame, lang: str) -> Any:
    col = t("library.col.changed", lang)

    def row_style(row: pd.Series) -> list[str]:
        on = bool(row[col])
        return ["background-color: #fff2cc" if on else "" for _ in row]

    return frame.style.apply(row_style, axis=1)


def coverage_overlay(comp: Comparison, lang: str) -> go.Figure:
    """Senior coverage per period of both sides on one chart (capped at 10×)."""
    fig = go.Figure()
    styles = {"a": "solid", "b": "dash"}
    # the dates either side still has a senior outstanding (the union of both schedules)
    coverage = comp.coverage.dropna(how="all")
    for side, label in (("a", comp.a), ("b", comp.b)):
        for col, key in (
            (f"{side}_senior", "library.cov_interest"),
            (f"{side}_senior_with_principal", "library.cov_principal"),
        ):
            values = [
                min(float(v), 10.0) if math.isfinite(float(v)) else None for v in coverage[col]
            ]
            fig.add_trace(
                go.Scatter(
                    x=[str(d) for d in coverage.index],
                    y=values,
                    name=f"{label} · {t(key, lang)}",
                    line={"dash": styles[side]},
                    mode="lines+markers",
                    # two schedules interleave their dates: join each side's own points
                    connectgaps=True,
                )
            )
    fig.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title=t("library.cov_chart", lang),
        xaxis={"type": "category"},
        yaxis={"title": "×"},
    )
    return fig


def render() -> None:
    """Draw the page."""
    deal = header("page.library")
    lang = state.language()
    deal_json = state.current_json()

    st.subheader(t("library.save"))
    c1, c2 = st.columns([1, 2])
    offered = current_key(deal)
    # keyed by the offer: switching to another deal offers its key, not the last one typed
    key = c1.text_input(t("library.key"), value=offered, key=f"lib_key:{offered}").strip()
    message = c2.text_input(t("library.message"), key="lib_message")
    if st.button(t("library.save_button"), key="lib_save", type="primary", disabled=not key):
        with _library() as lib:
            saved = lib.save_deal(
                key, deal, message=save_message(message, state.edits(), lang), author=None
            )
        moved_key = state.library_key() != key
        state.set_library_key(key)  # the sidebar follows the key saved under
        if saved.created or moved_key:
            # the sidebar was drawn before this save: run again so its history shows it
            state.flash(
                t("library.saved" if saved.created else "library.unchanged", ref=saved.version.ref)
            )
            st.rerun()
        st.info(t("library.unchanged", ref=saved.version.ref))

    with _library() as lib:
        keys = [d.key for d in lib.deals()]
    if not keys:
        st.info(t("library.empty"))
        return
    st.subheader(t("library.history"))
    chosen = st.selectbox(
        t("library.deal"),
        keys,
        index=keys.index(key) if key in keys else 0,
        key="lib_history_key",
    )
    with _library() as lib:
        versions = list(lib.log(str(chosen)))
    history = pd.DataFrame(
        [
            {
                t("library.col.version", lang): v.ref,
                t("library.col.time", lang): v.created_at.strftime("%Y-%m-%d %H:%M"),
                t("library.col.author", lang): v.author,
                t("library.col.message", lang): v.message.splitlines()[0] if v.message else "",
                t("library.col.issue", lang): fmt.wan(v.issue_amount_fen / 100),
            }
            for v in versions
        ]
    )
    table(history, key="lib_history")
    refs = [v.ref for v in versions]
    c1, c2 = st.columns([2, 1])
    to_open = c1.selectbox(t("library.open_pick"), refs, key="lib_open_ref")
    if c2.button(t("library.open"), key="lib_open"):
        with _library() as lib:
            opened = lib.load(str(to_open))
        state.set_current(deal_to_json(opened), source_label=t("library.source", ref=to_open))
        state.set_library_key(str(chosen))
        state.flash(t("library.opened", ref=to_open))
        st.rerun()

    st.subheader(t("library.compare"))
    options = [CURRENT, *refs]

    def label(ref: str) -> str:
        return t("library.current", lang) if ref == CURRENT else ref

    c1, c2 = st.columns(2)
    left = str(
        c1.selectbox(
            t("library.side_a"),
            options,
            index=1 if len(options) > 1 else 0,
            format_func=label,
            key="lib_cmp_a",
        )
    )
    right = str(
        c2.selectbox(t("library.side_b"), options, index=0, format_func=label, key="lib_cmp_b")
    )
    sides: list[tuple[Deal, str]] = []
    for ref in (left, right):
        if ref == CURRENT:
            sides.append((engine.deal_from_json(deal_json), deal_json))
        else:
            with _library() as lib:
                loaded = lib.load(ref)
            sides.append((loaded, deal_to_json(loaded)))
    (deal_a, json_a), (deal_b, json_b) = sides
    comp = compare(
        deal_a,
        engine.base_case(json_a),
        deal_b,
        engine.base_case(json_b),
        a=label(left),
        b=label(right),
    )
    if comp.structure.unchanged:
        st.success(t("library.same_structure"))
    else:
        changes = changes_table(comp, lang)
        st.markdown(f"**{t('library.changes', n=len(changes))}**")
        table(changes, key="lib_changes")
    st.markdown(f"**{t('library.measures', n=comp.changed_measures)}**")
    st.dataframe(
        _highlight(comparison_table(comp, lang), lang), hide_index=True, key="lib_measures"
    )
    plot(coverage_overlay(comp, lang), key="lib_coverage")

    # stress results: both sides under the same scenario set (A's pool decides), each with
    # its own custom scenarios; the grids are the stress page's, cached per deal
    from ui.i18n import set_label
    from ui.views.stress_page import BREAKEVEN_FACTORS

    set_name = engine.default_set_name(json_a)
    stress = compare_stress(
        engine.stress_grid(json_a, set_name), engine.stress_grid(json_b, set_name)
    )
    st.markdown(
        f"**{t('library.stress', set=set_label(set_name, lang), n=int(stress['changed'].sum()))}**"
    )
    st.dataframe(
        _highlight(stress_table(stress, comp.a, comp.b, lang), lang),
        hide_index=True,
        key="lib_stress",
    )
    if st.toggle(t("library.breakeven_run"), key="lib_breakeven_on"):
        with st.spinner(t("stress.breakeven_running")):
            breakevens = compare_breakevens(
                engine.breakevens(json_a, BREAKEVEN_FACTORS),
                engine.breakevens(json_b, BREAKEVEN_FACTORS),
            )
        st.markdown(f"**{t('library.breakevens', n=int(breakevens['changed'].sum()))}**")
        st.dataframe(
            _highlight(breakeven_table(breakevens, comp.a, comp.b, lang), lang),
            hide_index=True,
            key="lib_breakevens",
        )


if __name__ == "__main__":
    guarded(render)
