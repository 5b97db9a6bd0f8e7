"""The revolving section of the waterfall page (AppTest): shown for a revolving deal only."""

from __future__ import annotations

import pytest

from tests.ui.test_app import assert_clean, goto, start
from ui import state


def _subheaders(at: object) -> list[str]:
    return [str(s.value) for s in at.subheader]  # type: ignore[attr-defined]


def test_revolving_example_shows_purchases_share_chart_and_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = goto(start(monkeypatch, "scf-revolving-labelled"), "waterfall")
    assert_clean(at)
    assert "循环购买" in _subheaders(at)
    labels = {m.label: m.value for m in at.metric}
    assert labels["须维持的产品类型"] == "贴标型"
    assert float(labels["循环购买合计（万元）"].replace(",", "")) > 90_000  # 9.8亿元
    assert any("始终维持在发行类型区间内" in str(s.value) for s in at.success)
    frames = [d.value for d in at.dataframe if "循环购买金额" in d.value.columns]
    assert len(frames) == 1
    assert frames[0]["是否循环期"].tolist()[:13] == [True] * 12 + [False]
    at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    assert_clean(at)
    assert "Revolving purchases" in _subheaders(at)


def test_static_deal_has_no_revolving_section(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "waterfall")
    assert_clean(at)
    assert "循环购买" not in _subheaders(at)


def test_the_section_shows_the_base_case_report_s_run() -> None:
    """The section reads the run every page shows (the report's), with the deal's own base
    adjustment, rather than running the deal a second time."""
    from abs.assumptions import Stress
    from abs.examples import example_deal_path
    from abs.io import deal_to_json, load_deal
    from scenarios.report import base_report
    from ui.views.revolving_section import revolving_case

    deal = load_deal(example_deal_path("scf-revolving-labelled"))
    adjusted = Stress(payment_rate_change=-0.3, pd_multiplier=2.0, rate_shift_bp=100.0)
    slower = deal.model_copy(
        update={"assumptions": deal.assumptions.model_copy(update={"stress": adjusted})}
    )
    shown = revolving_case(deal_to_json(slower))
    plain = revolving_case(deal_to_json(deal))
    assert shown is not None and plain is not None
    rv = base_report(slower).revolving
    assert rv is not None
    assert shown.purchased == float(rv.purchases[0].sum())
    assert shown.idle_interest == float(rv.idle_interest[0].sum())
    assert shown.negative_carry == float(rv.negative_carry[0].sum())
    assert shown.frame.equals(rv.to_frame(0).set_index(shown.frame.index))
    assert shown.purchased < plain.purchased  # slower collections buy less (7.9 vs 9.8亿)
