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
