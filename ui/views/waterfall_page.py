"""现金流 Waterfall: the base case through the waterfall — balances, payments, 证券兑付表,
coverage against 1.0× and a comfort line, events, and WAL/yield/duration/IRR per tranche.

Everything comes from :func:`ui.engine.base_case` (``abs.projection.project`` +
``waterfall.run`` + ``abs.analytics``); the page only draws.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from abs.enums import EventType
from ui import engine, localize, state
from ui import format as fmt
from ui.engine import COV_SENIOR, COV_SENIOR_PRINCIPAL, BaseCase
from ui.i18n import t
from ui.views._shared import guarded, header, plot, table
from ui.views.revolving_section import render_revolving

#: Default comfort line for senior coverage (AAA practice 1.2–1.3×, DOMAIN.md).
DEFAULT_COMFORT = 1.2
#: Coverage above this is drawn at the cap (periods with almost nothing due).
COVERAGE_CAP = 10.0
#: Line colours per tranche position.
PALETTE = ("#1f4e79", "#c55a11", "#2e75b6", "#548235", "#7f7f7f", "#9dc3e6")


def _money_frame(frame: pd.DataFrame, money: list[str]) -> pd.DataFrame:
    return fmt.frame_to_wan(frame, money)


def balance_chart(base: BaseCase, lang: str) -> go.Figure:
    """Tranche balances (万元) at closing and after each payment date."""
    fig = go.Figure()
    for i, name in enumerate(base.balances.columns):
        fig.add_trace(
            go.Scatter(
                x=list(base.balances.index),
                y=(base.balances[name] / fmt.WAN).round(2),
                name=str(name),
                mode="lines+markers",
                line={"color": PALETTE[i % len(PALETTE)], "shape": "hv"},
            )
        )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"title": fmt.unit_label("wan", lang), "tickformat": ",.0f"},
        legend={"orientation": "h"},
        title=t("waterfall.chart.balances", lang),
    )
    return fig


def payments_chart(base: BaseCase, lang: str) -> go.Figure:
    """Stacked bars of interest and principal paid per payment date and tranche (万元)."""
    fig = go.Figure()
    for i, name in enumerate(base.principal.columns):
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(
            go.Bar(
                x=list(base.principal.index),
                y=(base.principal[name] / fmt.WAN).round(2),
                name=f"{name} {t('waterfall.principal', lang)}",
                marker_color=color,
            )
        )
        fig.add_trace(
            go.Bar(
                x=list(base.interest.index),
                y=(base.interest[name] / fmt.WAN).round(2),
                name=f"{name} {t('waterfall.interest', lang)}",
                marker_color=color,
                marker_pattern_shape="/",
                opacity=0.6,
            )
        )
    fig.update_layout(
        barmode="stack",
        height=340,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"title": fmt.unit_label("wan", lang), "tickformat": ",.0f"},
        legend={"orientation": "h"},
        title=t("waterfall.chart.payments", lang),
    )
    return fig


def coverage_chart(base: BaseCase, comfort: float, lang: str) -> go.Figure:
    """Senior 现金流覆盖倍数 per period with the 1.0× line and the comfort line."""
    fig = go.Figure()
    labels = {
        COV_SENIOR: t("waterfall.cov.senior", lang),
        COV_SENIOR_PRINCIPAL: t("waterfall.cov.senior_principal", lang),
    }
    for i, col in enumerate((COV_SENIOR, COV_SENIOR_PRINCIPAL)):
        values = [
            (min(float(v), COVERAGE_CAP) if math.isfinite(float(v)) else None)
            for v in base.coverage[col]
        ]
        fig.add_trace(
            go.Scatter(
                x=list(base.coverage.index),
                y=values,
                name=labels[col],
                mode="lines+markers",
                line={"color": PALETTE[i]},
            )
        )
    fig.add_hline(
        y=1.0,
        line_dash="dash",
        line_color="#c00000",
        annotation_text="1.0×",
        annotation_position="bottom left",
    )
    fig.add_hline(
        y=comfort,
        line_dash="dot",
        line_color="#548235",
        annotation_text=t("waterfall.comfort_line", lang, value=f"{comfort:.2f}×"),
    )
    fig.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis_title="×",
        legend={"orientation": "h"},
        title=t("waterfall.chart.coverage", lang, cap=f"{COVERAGE_CAP:.0f}"),
    )
    return fig


def events_chart(base: BaseCase, lang: str) -> go.Figure:
    """Timeline: one row per event type, a filled cell where the event is on."""
    events = base.events
    z = [[1 if bool(v) else 0 for v in events[col]] for col in events.columns]
    names = [EventType(col).zh if lang == "zh" else str(col) for col in events.columns]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(d) for d in events.index],
            y=names,
            colorscale=[[0, "#e8f1e4"], [1, "#c00000"]],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        height=80 + 40 * len(names),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        title=t("waterfall.chart.events", lang),
    )
    return fig


def summary_display(base: BaseCase, lang: str) -> pd.DataFrame:
    """The tranche table: money in 万元, yield and IRR in percent, coverage as a multiple."""
    from waterfall import tables as r

    money = [
        r.SUM_ORIGINAL,
        r.SUM_INTEREST,
        r.SUM_PRINCIPAL,
        r.SUM_SUB_YIELD,
        r.SUM_RESIDUAL,
        r.SUM_SHORTFALL,
        r.SUM_LOSS,
        r.SUM_SUPPORT,
    ]
    out = _money_frame(base.summary, money)
    out[r.SUM_YIELD] = [fmt.pct(float(v)) for v in base.summary[r.SUM_YIELD]]
    out[r.SUM_IRR] = [fmt.pct(float(v)) for v in base.summary[r.SUM_IRR]]
    out[r.SUM_MIN_COV] = [fmt.ratio(float(v)) for v in base.summary[r.SUM_MIN_COV]]
    out[r.SUM_WAL] = [fmt.years(float(v)) for v in base.summary[r.SUM_WAL]]
    renamed = {c: f"{c}(万元)" for c in money}
    if lang == "en":
        renamed = {c: f"{c} (CNY 10k)" for c in money}
    return out.rename(columns=renamed)


def render_cards(base: BaseCase, lang: str) -> None:
    """One row of WAL / yield / duration / IRR cards per tranche."""
    from waterfall import tables as r

    for _, row in base.summary.iterrows():
        name = str(row[r.SUM_NAME])
        macaulay, modified = base.durations.get(name, (math.nan, math.nan))
        st.markdown(f"**{name}** · {localize.value_label(row[r.SUM_CLASS], lang)}")
        c1, c2, c3, c4, c5 = st.columns(5)
        c1.metric(t("waterfall.card.wal"), fmt.years(float(row[r.SUM_WAL])))
        c2.metric(t("waterfall.card.yield"), fmt.pct(float(row[r.SUM_YIELD])))
        c3.metric(t("waterfall.card.duration"), fmt.years(macaulay))
        c4.metric(t("waterfall.card.modified"), fmt.years(modified))
        c5.metric(t("waterfall.card.irr"), fmt.pct(float(row[r.SUM_IRR])))


def render() -> None:
    """Draw the page."""
    header("page.waterfall")
    lang = state.language()
    deal_json = state.current_json()
    base = engine.base_case(deal_json)
    from waterfall import tables as r

    if base.conserved:
        st.caption(t("waterfall.conserved"))
    else:
        st.error(t("waterfall.not_conserved"))

    st.subheader(t("waterfall.tranches"))
    table(summary_display(base, lang), hide_index=True, key="tranche_summary")
    render_cards(base, lang)

    left, right = st.columns(2)
    with left:
        plot(balance_chart(base, lang), key="balances")
    with right:
        plot(payments_chart(base, lang), key="payments")

    render_revolving(deal_json)  # 循环购买 (revolving deals only)

    st.subheader(t("waterfall.coverage"))
    comfort = st.number_input(
        t("waterfall.comfort"),
        min_value=1.0,
        max_value=3.0,
        value=float(st.session_state.get(state.KEY_COMFORT, DEFAULT_COMFORT)),
        step=0.05,
        key=state.KEY_COMFORT,
    )
    plot(coverage_chart(base, float(comfort), lang), key="coverage")
    any_below = False
    for col, measure in (
        (COV_SENIOR, "waterfall.cov.measure_interest"),
        (COV_SENIOR_PRINCIPAL, "waterfall.cov.measure_principal"),
    ):
        below = [
            str(d)
            for d, v in zip(base.coverage.index, base.coverage[col], strict=True)
            if float(v) < float(comfort)  # NaN (seniors repaid) is never below
        ]
        if below:
            any_below = True
            st.warning(
                t(
                    "waterfall.below_comfort",
                    n=len(below),
                    measure=t(measure),
                    dates="、".join(below[:8]),
                )
            )
    if base.support_needed:
        st.warning(
            t(
                "waterfall.support_needed",
                draws=fmt.money(sum(base.support_draws.values()), lang=lang),
            )
        )
    elif not any_below:
        st.success(t("waterfall.above_comfort", value=f"{comfort:.2f}×"))

    st.subheader(t("waterfall.events"))
    if base.events_fired:
        plot(events_chart(base, lang), key="events")
        fired = pd.DataFrame(base.events_fired)
        columns = {
            "trigger": t("waterfall.ev.trigger"),
            "event_zh" if lang == "zh" else "event": t("waterfall.ev.event"),
            "first_date": t("waterfall.ev.first_date"),
            "first_period": t("waterfall.ev.first_period"),
            "periods_on": t("waterfall.ev.periods_on"),
        }
        shown = fired[[c for c in columns if c in fired.columns]].rename(columns=columns)
        table(shown, key="events_fired")
    else:
        st.success(t("waterfall.no_events"))

    st.subheader(t("waterfall.support"))
    if base.support.empty:
        st.success(t("waterfall.no_support"))
    else:
        st.caption(t("waterfall.support_note"))
        support = base.support.reset_index()
        labels = {"兑付日": t("waterfall.sup.date")} | {
            c: t(f"waterfall.sup.{c}") for c in engine.SUPPORT_COLUMNS
        }
        money = [labels[c] for c in engine.SUPPORT_COLUMNS]
        table(
            _money_frame(support.rename(columns=labels), money),
            hide_index=True,
            key="support_table",
        )

    st.subheader(t("waterfall.securities"))
    names = list(base.balances.columns)
    chosen = st.multiselect(
        t("waterfall.pick_tranches"),
        names,
        default=names,
        key="sec_pick",
        placeholder=t("common.choose"),
    )
    sec = base.securities[base.securities[r.COL_TRANCHE].isin(chosen)]
    money = [
        r.COL_OPENING,
        r.COL_PRINCIPAL,
        r.COL_INTEREST,
        r.COL_EXCESS,
        r.COL_CASHFLOW,
        r.COL_CLOSING,
        r.COL_SUPPORT,
    ]
    st.caption(t("waterfall.unit_note"))
    table(_money_frame(sec, money), hide_index=True, key="securities_table")

    with st.expander(t("waterfall.pool_table")):
        pool_money = [
            c for c in base.pool.columns if c not in (r.COL_COLLECTION_DATE, r.COL_PAYMENT_DATE)
        ]
        table(_money_frame(base.pool, pool_money), hide_index=True)


if __name__ == "__main__":
    guarded(render)
