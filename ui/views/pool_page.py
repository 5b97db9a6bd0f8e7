"""资产池 Pool: the deal kind as a badge, the data-linked share against 50%/70%, findings, strata.

Uploading a tape (sidebar) replaces the pool of the current deal; the classification and the
stratification come from :mod:`abs.classify` and :mod:`abs.stratify` through :mod:`ui.engine`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from abs.enums import DealKind
from ui import engine, state
from ui import format as fmt
from ui.i18n import t
from ui.messages import tape_issue_text
from ui.views._shared import guarded, header, plot, table

#: Badge colour of each kind.
KIND_COLORS: dict[str, str] = {
    DealKind.PURE.value: "green",
    DealKind.LABELLED.value: "blue",
    DealKind.ENABLED.value: "orange",
    DealKind.NOT_DABS.value: "gray",
}
#: Gauge band colours: 赋能型 (< 50%), 贴标型 (50–70%), 纯数据型 (≥ 70%).
BAND_COLORS = ("#fde2c4", "#cfe2ff", "#d1f0d8")
#: Stratification tabs shown first (the issue's kind, region, industry, term, top obligors).
MAIN_DIMENSIONS = ("资产类型", "债务人地区", "债务人行业", "剩余期限")


def share_gauge(share: float, *, lang: str) -> go.Figure:
    """Gauge of the data-linked share (percent) with the 50% and 70% kind thresholds."""
    fig = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=round(share * 100, 2),
            number={"suffix": "%", "valueformat": ".2f"},
            title={"text": t("pool.gauge_title", lang)},
            gauge={
                "axis": {"range": [0, 100], "tickvals": [0, 50, 70, 100], "ticksuffix": "%"},
                "bar": {"color": "#1f4e79", "thickness": 0.3},
                "steps": [
                    {"range": [0, 50], "color": BAND_COLORS[0]},
                    {"range": [50, 70], "color": BAND_COLORS[1]},
                    {"range": [70, 100], "color": BAND_COLORS[2]},
                ],
                "threshold": {"line": {"color": "#c00000", "width": 3}, "value": share * 100},
            },
        )
    )
    fig.update_layout(height=260, margin={"l": 30, "r": 30, "t": 60, "b": 10})
    for x, key in ((0.18, "kind.enabled"), (0.5, "kind.labelled"), (0.82, "kind.pure")):
        fig.add_annotation(
            x=x, y=-0.05, xref="paper", yref="paper", text=t(key, lang), showarrow=False
        )
    return fig


def distribution_chart(frame: pd.DataFrame, *, category: str, amount: str, lang: str) -> go.Figure:
    """Horizontal bars of amount (万元) by category, largest on top."""
    data = frame.head(20)
    fig = go.Figure(
        go.Bar(
            x=(data[amount] / fmt.WAN).round(2),
            y=data[category].astype(str),
            orientation="h",
            marker_color="#1f4e79",
            hovertemplate="%{y}: %{x:,.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(220, 28 * len(data) + 80),
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        xaxis={"title": fmt.unit_label("wan", lang), "tickformat": ",.0f"},
        yaxis={"autorange": "reversed"},
    )
    return fig


def display_distribution(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A distribution table for display: amounts in 万元, shares in percent."""
    from abs import stratify as s

    out = fmt.frame_to_wan(frame, [s.COL_AMOUNT])
    out = fmt.frame_to_pct(out, [s.COL_AMOUNT_SHARE, s.COL_COUNT_SHARE])
    return out.rename(
        columns={
            s.COL_CATEGORY: t("pool.col.category", lang),
            s.COL_COUNT: t("pool.col.count", lang),
            s.COL_COUNT_SHARE: t("pool.col.count_share", lang),
            s.COL_AMOUNT: t("pool.col.amount", lang),
            s.COL_AMOUNT_SHARE: t("pool.col.amount_share", lang),
        }
    )


def display_top20(frame: pd.DataFrame) -> pd.DataFrame:
    """The top-20 table for display: balance in 万元, shares and rates in percent."""
    from abs import stratify as s

    out = fmt.frame_to_wan(frame, [s.TOP_BALANCE])
    out = fmt.frame_to_pct(out, [s.TOP_SHARE, s.TOP_RATE])
    return out.rename(
        columns={
            s.TOP_BALANCE: "入池本金余额(万元)",
            s.TOP_SHARE: "占比(%)",
            s.TOP_RATE: "利率(%)",
        }
    )


#: Units of the stratification summary in English (the engine writes them in Chinese).
SUMMARY_UNITS_EN = {
    "年": "years",
    "户": "obligors",
    "笔": "assets",
    "deal cutoff": "(deal cut-off)",
}


def display_summary(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The summary table with money in 万元, fractions in percent, everything as text."""
    from abs import stratify as s

    rows: list[dict[str, Any]] = []
    for _, row in frame.iterrows():
        value, unit = row[s.COL_VALUE], str(row[s.COL_UNIT])
        if unit == "元":
            text, unit = fmt.wan(value), fmt.unit_label("wan", lang)
        elif unit == "fraction":
            text, unit = fmt.pct(value), ""
        elif isinstance(value, float):
            text = f"{value:,.2f}"
        else:
            text = "" if value is None else str(value)
        if lang == "en":
            unit = SUMMARY_UNITS_EN.get(unit, unit)
        elif unit == "deal cutoff":
            unit = "（交易基准日）"
        item = row[s.COL_ITEM] if lang == "zh" else row[s.COL_ITEM_EN]
        rows.append({t("pool.col.item", lang): item, t("pool.col.value", lang): f"{text} {unit}"})
    return pd.DataFrame(rows)


def render() -> None:
    """Draw the page."""
    header("page.pool")
    lang = state.language()
    deal_json = state.current_json()
    cls = engine.classification(deal_json)
    strat = engine.stratification(deal_json)
    st.caption(t("pool.upload_hint", mb=state.MAX_UPLOAD_MB))

    kind = cls.kind.value
    kind_text = t(f"kind.{kind}", lang)
    share_text = engine.share_text(cls)
    left, right = st.columns([1, 1])
    with left:
        st.markdown(f"#### {t('pool.kind')}")
        flag = f" :green-badge[{t('pool.pure_100')}]" if cls.pure_100 else ""
        st.markdown(f"## :{KIND_COLORS[kind]}-badge[{kind_text}]{flag}")
        st.markdown(
            t(
                "pool.kind_line",
                kind=kind_text,
                share=share_text,
                linked=fmt.money(cls.linked_amount, lang=lang),
                total=fmt.money(cls.total_amount, lang=lang),
            )
        )
        st.caption(cls.explanation_zh if lang == "zh" else cls.explanation_en)
    with right:
        plot(share_gauge(cls.data_share, lang=lang), key="share_gauge")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("pool.share"), share_text)
    m2.metric(t("pool.total"), fmt.money(cls.total_amount, lang=lang))
    m3.metric(t("pool.assets_count"), f"{cls.asset_count}")
    m4.metric(t("pool.obligors"), f"{cls.obligor_count}")

    findings = [fmt.one_language(w, lang) for w in cls.warnings]
    tape_notes = [tape_issue_text(w, lang) for w in state.tape_warnings()]
    st.subheader(t("pool.findings", n=len(findings) + len(tape_notes)))
    if findings:
        st.warning("\n".join(f"- {line}" for line in findings))
    if tape_notes:
        st.warning("\n".join(f"- {line}" for line in tape_notes), title=t("pool.tape_notes"))
    if not findings and not tape_notes:
        st.success(t("pool.no_findings"))

    st.subheader(t("pool.strata"))
    from abs import stratify as s

    dims = [d for d in MAIN_DIMENSIONS if d in strat.distributions]
    extra = [d for d in strat.distributions if d not in dims]
    tab_names = [t("pool.tab.summary"), *[_dim_label(d, lang) for d in dims]]
    tab_names += [t("pool.tab.top20"), t("pool.tab.more")]
    tabs = st.tabs(tab_names)
    with tabs[0]:
        table(display_summary(strat.summary.to_frame(), lang), hide_index=True)
    for tab, dim in zip(tabs[1 : 1 + len(dims)], dims, strict=True):
        with tab:
            frame = strat.distributions[dim]
            chart_col, table_col = st.columns([1, 1])
            with chart_col:
                plot(
                    distribution_chart(
                        frame, category=s.COL_CATEGORY, amount=s.COL_AMOUNT, lang=lang
                    ),
                    key=f"dist_{dim}",
                )
            with table_col:
                table(display_distribution(frame, lang), hide_index=True)
    with tabs[1 + len(dims)]:
        if strat.top20_may_be_omitted:
            st.info(t("pool.top20_omit"))
        top = strat.top20
        chart = pd.DataFrame({"name": top[s.TOP_OBLIGOR], "amount": top[s.TOP_BALANCE]})
        plot(
            distribution_chart(chart, category="name", amount="amount", lang=lang),
            key="top_obligors",
        )
        table(display_top20(top), hide_index=True)
    with tabs[-1]:
        choice = st.selectbox(
            t("pool.more_dimension"),
            extra,
            format_func=lambda d: _dim_label(d, lang),
            key="pool_more_dim",
        )
        if choice is not None:
            table(display_distribution(strat.distributions[choice], lang), hide_index=True)
    with st.expander(t("pool.assets", n=cls.asset_count)):
        table(engine.asset_frame(deal_json), hide_index=True)


def _dim_label(dim: str, lang: str) -> str:
    if lang == "zh":
        return dim
    from abs.stratify import DIMENSIONS

    return DIMENSIONS.get(dim, dim)


if __name__ == "__main__":
    guarded(render)
