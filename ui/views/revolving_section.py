"""循环购买 section of the waterfall page: purchases, idle cash, and the deal kind over the life.

Shown only for a deal with revolving terms. The numbers are the base case's, from the same
report every page reads (:func:`scenarios.report.base_report`, cached per deal JSON by
:func:`ui.engine.base_case`): its :class:`waterfall.revolving_result.RevolvingLines` and their
kind-over-life report, so the purchases shown here are those of the run the 现金流 page and
``dabs run`` show, under the deal's own assumptions. This module only arranges and draws them.
The chart is the data-linked share after each period's purchases with the 50% (贴标型) and 70%
(纯数据型) lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import format as fmt
from ui import state
from ui.engine import _MAX_RESULTS, base_case
from ui.i18n import t
from ui.views._shared import plot, table

#: The kind boundaries drawn on the share chart (fractions).
BOUNDARIES = ((0.5, "revolving.line.labelled"), (0.7, "revolving.line.pure"))


@dataclass(frozen=True)
class RevolvingView:
    """What the section shows (amounts in yuan).

    Attributes
    ----------
    frame : DataFrame
        ``RevolvingLines.to_frame(0)`` indexed by payment date (循环购买明细).
    issued_zh, issued_en : str
        The kind the deal must hold.
    first_out : str or None
        Payment date of the first period out of the issued band (None: held throughout).
    purchased, idle_interest, negative_carry : float
        Totals of the base case.
    has_data : bool
        The initial pool's data-linked balance is known (else no share is shown).
    """

    frame: pd.DataFrame
    issued_zh: str
    issued_en: str
    first_out: str | None
    purchased: float
    idle_interest: float
    negative_carry: float
    has_data: bool


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def revolving_case(deal_json: str) -> RevolvingView | None:
    """The base case's revolving lines (None for a static deal)."""
    report = base_case(deal_json)
    rv = report.revolving
    if rv is None:
        return None
    kol = rv.kind_over_life()
    dates = list(report.coverage.index)
    first = int(kol.first_out[0])
    frame = rv.to_frame(0).set_index(pd.Index(dates, name="兑付日"))
    return RevolvingView(
        frame=frame,
        issued_zh=kol.issued.zh,
        issued_en=kol.issued.value,
        first_out=str(dates[first]) if first >= 0 else None,
        purchased=float(rv.purchases[0].sum()),
        idle_interest=float(rv.idle_interest[0].sum()),
        negative_carry=float(rv.negative_carry[0].sum()),
        has_data=rv.has_data,
    )


def share_chart(view: RevolvingView, lang: str) -> go.Figure:
    """Data-linked share after each period's purchases, with the 50% and 70% lines."""
    from waterfall.revolving_result import COL_SHARE

    share = view.frame[COL_SHARE]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[str(d) for d in share.index],
            y=(share * 100).round(2),
            name=t("revolving.chart.share", lang),
            mode="lines+markers",
            line={"color": "#1f4e79"},
        )
    )
    for level, key in BOUNDARIES:
        fig.add_hline(
            y=level * 100,
            line={"dash": "dash", "color": "#c55a11" if level == 0.7 else "#7f7f7f"},
            annotation_text=t(key, lang),
        )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"title": "%", "range": [0, 100]},
        title=t("revolving.chart.title", lang),
    )
    return fig


def render_revolving(deal_json: str) -> None:
    """Draw the section (nothing for a static deal)."""
    view = revolving_case(deal_json)
    if view is None:
        return
    from waterfall import revolving_result as rr

    lang = state.language()
    st.subheader(t("revolving.title"))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("revolving.card.purchased"), fmt.wan(view.purchased))
    c2.metric(t("revolving.card.negative_carry"), fmt.wan(view.negative_carry))
    c3.metric(t("revolving.card.kind"), view.issued_zh if lang == "zh" else view.issued_en)
    if not view.has_data:
        st.info(t("revolving.no_data"))
    elif view.first_out is None:
        st.success(t("revolving.kept"))
    else:
        st.warning(t("revolving.out", date=view.first_out))
    if view.has_data:
        plot(share_chart(view, lang), key="revolving_share")
    money = [
        rr.COL_SET_ASIDE,
        rr.COL_PURCHASE,
        rr.COL_PURCHASE_DATA,
        rr.COL_IDLE,
        rr.COL_IDLE_INTEREST,
        rr.COL_NEGATIVE_CARRY,
        rr.COL_POOL,
        rr.COL_DATA,
    ]
    shown = fmt.frame_to_wan(view.frame.reset_index(), money)
    shown[rr.COL_RATE] = (shown[rr.COL_RATE] * 100).round(2)
    shown[rr.COL_SHARE] = (shown[rr.COL_SHARE] * 100).round(2)
    st.caption(t("revolving.unit_note"))
    table(shown, hide_index=True, key="revolving_table")
