"""收入预测 Projection: expected collections by asset kind, per-contract drill-down, data-asset
values, and the key assumptions (growth, price decline, PD, recovery, renewal) as an editable
copy saved with the deal.

Engine calls: :func:`ui.engine.projection` (``abs.projection``). Assumption edits build a new
:class:`~abs.assumptions.Assumptions` (and its :class:`~abs.assumptions.Stress`) by copy and
validate the whole deal before it becomes current.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from abs.assumptions import DEFAULT_PD, DEFAULT_RECOVERY
from abs.deal import Deal
from abs.enums import AssetType, ProjectionMode
from abs.errors import Issue
from ui import engine, localize, state
from ui import format as fmt
from ui.engine import ProjectionView
from ui.i18n import t
from ui.views._shared import guarded, header, plot, table

#: Colours per asset kind in the stacked chart.
KIND_COLORS: dict[str, str] = {
    AssetType.DATA_LICENSE.value: "#1f4e79",
    AssetType.ALGORITHM_SERVICE.value: "#2e75b6",
    AssetType.DATA_PRODUCT.value: "#9dc3e6",
    AssetType.REVENUE_SHARE.value: "#548235",
    AssetType.RECEIVABLE.value: "#c55a11",
    AssetType.LEASE.value: "#bf9000",
    AssetType.TOLL_RIGHT.value: "#7f7f7f",
    AssetType.IP_LICENSE.value: "#7030a0",
}


def kind_label(value: str, lang: str) -> str:
    """Chinese or English name of an asset kind value."""
    try:
        member = AssetType(value)
    except ValueError:
        return value
    return localize.enum_label(member, lang)


def collections_chart(view: ProjectionView, lang: str) -> go.Figure:
    """Expected collections per payment date, stacked by asset kind (万元)."""
    fig = go.Figure()
    x = [str(d) for d in view.by_kind.index]
    for kind in view.by_kind.columns:
        fig.add_trace(
            go.Bar(
                x=x,
                y=(view.by_kind[kind] / fmt.WAN).round(2),
                name=kind_label(str(kind), lang),
                marker_color=KIND_COLORS.get(str(kind), "#a5a5a5"),
            )
        )
    fig.update_layout(
        barmode="stack",
        height=380,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        yaxis={"title": fmt.unit_label("wan", lang), "tickformat": ",.0f"},
        legend={"orientation": "h"},
        title=t("projection.chart", lang),
    )
    return fig


def asset_chart(
    rows: pd.DataFrame, *, date_col: str, value_cols: list[str], lang: str
) -> go.Figure:
    """One contract's expected cash per period (万元), one bar group per measure."""
    fig = go.Figure()
    for col in value_cols:
        fig.add_trace(
            go.Bar(
                x=[str(d) for d in rows[date_col]],
                y=(pd.to_numeric(rows[col], errors="coerce") / fmt.WAN).round(4),
                name=str(col),
            )
        )
    fig.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        yaxis={"title": fmt.unit_label("wan", lang), "tickformat": ",.2f"},
        legend={"orientation": "h"},
    )
    return fig


def render_assumptions(deal: Deal, lang: str) -> None:
    """The key assumptions as a form; applying validates the deal copy and makes it current."""
    a = deal.assumptions
    s = a.stress
    kinds = sorted({x.asset_type for x in engine.require_pool(deal).assets}, key=lambda k: k.value)
    with st.form("assumptions_form"):
        st.markdown(f"**{t('projection.assumptions')}**")
        st.caption(t("projection.assumptions_note"))
        c1, c2, c3 = st.columns(3)
        modes = [m.value for m in ProjectionMode]
        mode = c1.radio(
            t("projection.mode"),
            modes,
            index=modes.index(a.mode.value),
            format_func=lambda m: localize.enum_label(ProjectionMode(m), lang),
            horizontal=True,
        )
        renewal = c2.number_input(
            t("projection.renewal"),
            min_value=0.0,
            max_value=100.0,
            value=round(a.renewal_probability * 100, 4),
            key="as_renewal",
        )
        renewal_fee = c3.number_input(
            t("projection.renewal_fee"),
            value=round(a.renewal_fee_change * 100, 4),
            key="as_renewal_fee",
        )
        d1, d2, d3, d4 = st.columns(4)
        volume = d1.number_input(
            t("projection.volume_shock"), value=round(s.volume_shock * 100, 4), key="as_volume"
        )
        price = d2.number_input(
            t("projection.price_decline"),
            value=round(s.price_decline_change * 100, 4),
            key="as_price",
        )
        pd_mult = d3.number_input(
            t("projection.pd_multiplier"),
            min_value=0.0,
            value=float(s.pd_multiplier),
            step=0.1,
            key="as_pd",
        )
        rec_cut = d4.number_input(
            t("projection.recovery_haircut"),
            min_value=0.0,
            max_value=100.0,
            value=round(s.recovery_haircut * 100, 4),
            key="as_recovery",
        )
        e1, e2, e3, e4 = st.columns(4)
        delay = e1.number_input(
            t("projection.delay"),
            min_value=0,
            max_value=24,
            value=int(a.collection_delay),
            key="as_delay",
        )
        lag = e2.number_input(
            t("projection.recovery_lag"),
            min_value=0,
            max_value=40,
            value=int(a.recovery_lag),
            key="as_lag",
        )
        discount = e3.number_input(
            t("projection.discount_rate"),
            min_value=0.0,
            max_value=100.0,
            value=round(a.discount_rate * 100, 4),
            key="as_discount",
        )
        attribution = e4.number_input(
            t("projection.attribution"),
            min_value=0.0,
            max_value=100.0,
            value=round(a.data_attribution * 100, 4),
            key="as_attribution",
        )
        st.markdown(t("projection.by_kind"))
        table = pd.DataFrame(
            {
                "kind": [k.value for k in kinds],
                # shown as text: a read-only choice cell keeps the code for assistive tools
                "kind_label": [kind_label(k.value, lang) for k in kinds],
                "pd_pct": [round(a.pd_by_type.get(k, DEFAULT_PD[k]) * 100, 4) for k in kinds],
                "recovery_pct": [
                    round(a.recovery_by_type.get(k, DEFAULT_RECOVERY[k]) * 100, 4) for k in kinds
                ],
            }
        )
        edited = st.data_editor(
            table,
            hide_index=True,
            disabled=["kind", "kind_label"],
            column_config={
                "kind": None,
                "kind_label": st.column_config.TextColumn(t("projection.col.kind")),
                "pd_pct": st.column_config.NumberColumn(
                    t("projection.col.pd"), min_value=0.0, max_value=100.0, format="%.3f"
                ),
                "recovery_pct": st.column_config.NumberColumn(
                    t("projection.col.recovery"), min_value=0.0, max_value=100.0, format="%.2f"
                ),
            },
            key="assumption_kinds",
        )
        submitted = st.form_submit_button(t("projection.apply"), type="primary")
    if not submitted:
        return
    data: dict[str, Any] = json.loads(state.current_json())
    assumptions = dict(data.get("assumptions") or {})
    stress = dict(assumptions.get("stress") or {})
    stress.update(
        volume_shock=round(float(volume) / 100, 10),
        price_decline_change=round(float(price) / 100, 10),
        pd_multiplier=float(pd_mult),
        recovery_haircut=round(float(rec_cut) / 100, 10),
    )
    pd_by: dict[str, float] = {}
    rec_by: dict[str, float] = {}
    for _, row in edited.iterrows():
        kind = AssetType(str(row["kind"]))
        pd_value = round(float(row["pd_pct"]) / 100, 10)
        rec_value = round(float(row["recovery_pct"]) / 100, 10)
        if kind in a.pd_by_type or abs(pd_value - DEFAULT_PD[kind]) > 1e-12:
            pd_by[kind.value] = pd_value
        if kind in a.recovery_by_type or abs(rec_value - DEFAULT_RECOVERY[kind]) > 1e-12:
            rec_by[kind.value] = rec_value
    assumptions.update(
        mode=str(mode),
        renewal_probability=round(float(renewal) / 100, 10),
        renewal_fee_change=round(float(renewal_fee) / 100, 10),
        collection_delay=int(delay),
        recovery_lag=int(lag),
        discount_rate=round(float(discount) / 100, 10),
        data_attribution=round(float(attribution) / 100, 10),
        pd_by_type=pd_by,
        recovery_by_type=rec_by,
        stress=stress,
    )
    data["assumptions"] = assumptions
    new_deal, issues = engine.validate_deal_data(data, source=t("where.assumptions"))
    if new_deal is None:
        st.error(
            "\n".join(f"- {assumption_issue_text(i, lang)}" for i in issues),
            title=t("projection.invalid"),
        )
        return
    new_json = engine.deal_to_json(new_deal)
    if new_json != state.current_json():
        state.set_current(new_json, source_label=state.source(), edit=t("projection.log", lang))
        state.flash(t("projection.applied", lang))
        st.rerun()


#: Assumption fields → (the form's label key, unit kind for :func:`ui.messages.rule_text`).
ASSUMPTION_FIELDS: dict[str, tuple[str, str | None]] = {
    "mode": ("projection.mode", None),
    "renewal_probability": ("projection.renewal", "pct"),
    "renewal_fee_change": ("projection.renewal_fee", "pct"),
    "collection_delay": ("projection.delay", None),
    "recovery_lag": ("projection.recovery_lag", None),
    "discount_rate": ("projection.discount_rate", "pct"),
    "data_attribution": ("projection.attribution", "pct"),
    "stress.volume_shock": ("projection.volume_shock", "pct"),
    "stress.price_decline_change": ("projection.price_decline", "pct"),
    "stress.pd_multiplier": ("projection.pd_multiplier", None),
    "stress.recovery_haircut": ("projection.recovery_haircut", "pct"),
    "pd_by_type": ("projection.col.pd", "pct"),
    "recovery_by_type": ("projection.col.recovery", "pct"),
}


def assumption_issue_text(issue: Issue, lang: str) -> str:
    """``违约率倍数：须不小于 0`` for an issue at ``assumptions.stress.pd_multiplier``: the
    field as the form labels it (the asset kind for a per-kind cell), the rule in ``lang``."""
    from ui.messages import rule_text, value_text

    path = str(issue.column or "").removeprefix("assumptions.")
    parts = path.split(".")
    key = path if path in ASSUMPTION_FIELDS else ".".join(parts[:2])
    if key not in ASSUMPTION_FIELDS:
        key = parts[0]
    label_key, kind = ASSUMPTION_FIELDS.get(key, ("where.assumptions", None))
    where = t(label_key, lang)
    if key in ("pd_by_type", "recovery_by_type") and len(parts) > 1:
        where = f"{kind_label(parts[1], lang)} · {where}"
    rule = rule_text(issue, kind=kind, lang=lang)
    finite = not isinstance(issue.value, float) or math.isfinite(issue.value)
    shown = value_text(issue.value, kind=kind) if finite else ""
    sep = "：" if lang == "zh" else ": "
    value = "" if not shown else (f"（{shown}）" if lang == "zh" else f" ({shown})")
    return f"{where}{sep}{rule}{value}"


def render() -> None:
    """Draw the page."""
    deal = header("page.projection")
    lang = state.language()
    deal_json = state.current_json()
    view = engine.projection(deal_json)

    totals = view.by_kind.sum(axis=0)
    cols = st.columns(min(len(totals) + 1, 5))
    cols[0].metric(t("projection.total"), fmt.money(float(totals.sum()), lang=lang))
    for col, (kind, value) in zip(cols[1:], totals.items(), strict=False):
        col.metric(kind_label(str(kind), lang), fmt.money(float(value), lang=lang))
    plot(collections_chart(view, lang), key="collections_by_kind")

    from abs import cashflows as c
    from abs import projection as p

    with st.expander(t("projection.pool_table")):
        pool_money = [
            c.COL_OPENING_BALANCE,
            c.COL_PRINCIPAL,
            c.COL_INTEREST,
            c.COL_DEFAULTS,
            c.COL_RECOVERIES,
            c.COL_PREPAYMENTS,
            c.COL_WRITEDOWNS,
            c.COL_CLOSING_BALANCE,
            c.COL_TOTAL,
        ]
        table(fmt.frame_to_wan(view.pool_table, pool_money), hide_index=True, key="pool_table")

    st.subheader(t("projection.drilldown"))
    render_drilldown(deal, view, lang)

    st.subheader(t("projection.values"))
    values = view.values
    if values.empty:
        st.info(t("projection.no_values"))
    else:
        st.caption(t("projection.values_note"))
        value_money = [
            p.COL_AMOUNT,
            p.COL_APPRAISED,
            p.COL_CONTRACTED,
            p.COL_CONTRACTED_PV,
            p.COL_EXPECTED,
            p.COL_INCOME_VALUE,
            p.COL_VALUE_GAP,
            p.COL_TAIL,
        ]
        shown = fmt.frame_to_pct(fmt.frame_to_wan(values, value_money), [p.COL_VALUE_GAP_PCT])
        table(shown, hide_index=True, key="data_values")

    st.subheader(t("projection.assumptions"))
    render_assumptions(deal, lang)


def render_drilldown(deal: Deal, view: ProjectionView, lang: str) -> None:
    """Pick one contract and show its expected cash per period."""
    from abs import projection as p

    assets = view.asset_table
    pool = engine.require_pool(deal)
    names = {
        a.asset_id: f"{a.asset_id} · {a.obligor} · {kind_label(a.asset_type.value, lang)}"
        for a in pool.assets
    }
    ids = [a.asset_id for a in pool.assets]
    chosen = st.selectbox(
        t("projection.pick_asset"), ids, format_func=lambda i: names.get(i, i), key="drill_asset"
    )
    rows = assets[assets[p.COL_ASSET_ID].astype(str) == str(chosen)]
    flows = [p.COL_PRINCIPAL_DUE, p.COL_INCOME_DUE, p.COL_DEFAULTS, p.COL_RECOVERIES, p.COL_TOTAL]
    plot(
        asset_chart(rows, date_col=p.COL_COLLECTION_DATE, value_cols=flows, lang=lang),
        key="asset_chart",
    )
    money = [
        p.COL_OPENING,
        p.COL_PRINCIPAL_DUE,
        p.COL_INCOME_DUE,
        p.COL_DEFAULTS,
        p.COL_RECOVERIES,
        p.COL_WRITEDOWNS,
        p.COL_CLOSING,
        p.COL_TOTAL,
    ]
    st.caption(t("waterfall.unit_note"))
    table(fmt.frame_to_wan(rows, money), hide_index=True, key="asset_rows")


if __name__ == "__main__":
    guarded(render)
