"""Stress grid: one engine call equals separate single runs; tidy table; input forms."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from abs.assumptions import Stress
from abs.cashflows import Collections
from abs.errors import ScenarioError
from scenarios import grid as gr
from scenarios.factors import apply
from scenarios.runner import Outcome, run_stresses
from scenarios.sets import Scenario, load_scenario_set
from tests.scenarios import handdeal as hd
from tests.scenarios.helpers import licence_deal

FIELDS = (
    "paid_in_full",
    "shortfall",
    "loss",
    "first_shortfall",
    "wal",
    "yld",
    "min_coverage",
    "life_coverage",
    "min_coverage_principal",
    "coverage",
    "trigger_first",
    "cdr",
    "support_defaulted",
)


def _same(a: Outcome, b: Outcome) -> None:
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)


def test_grid_equals_separate_single_runs() -> None:
    deal = licence_deal(
        triggers=[
            {
                "name": "回收款低于预测10%",
                "condition": "collections_below_forecast",
                "threshold": 0.1,
                "event": "acceleration",
            }
        ],
        support={"shortfall_commitment": {"provider": "原始权益人", "cap_total": 5e7}},
    )
    scenarios = [
        *load_scenario_set("data").scenarios,
        Scenario("差额支付违约", factors={"revenue_haircut": 0.3, "originator_default": True}),
    ]
    g = gr.run_grid(deal, scenarios)
    assert g.outcome.n_scenarios == 5 and g.collections.n_scenarios == 5
    for s, stress in enumerate(g.stresses):
        _c, _r, single = run_stresses(deal, [stress])
        _same(g.outcome.select(s), single)
    # the stresses did bite: the base case and 重度 differ, the switch changes the outcome
    assert g.outcome.loss[0, 1] < g.outcome.loss[3, 1]
    assert g.outcome.support_defaulted.tolist() == [False, False, False, False, True]


def test_grid_uses_one_engine_call_and_shares_projections(monkeypatch: pytest.MonkeyPatch) -> None:
    import waterfall as eng

    calls: list[int] = []
    real = eng.run

    def counting(deal: Any, coll: Collections, **kw: Any) -> Any:
        calls.append(coll.n_scenarios)
        return real(deal, coll, **kw)

    monkeypatch.setattr(eng, "run", counting)
    projected: list[Stress] = []

    def projector(deal: Any, a: Any, s: Stress) -> Collections:
        projected.append(s)
        return hd.haircut_projector(deal, a, s)

    scen = [
        {"revenue_haircut": 0.1},
        {"revenue_haircut": 0.1, "rate_shift_bp": 50},
        {"revenue_haircut": 0.1, "guarantor_default": True},
        {},
    ]
    gr.run_grid(hd.bullet_deal(), scen, projector=projector)
    assert calls == [4]
    assert len(projected) == 2  # the three 0.1 haircuts share one projection


def test_cartesian_product() -> None:
    g = gr.run_grid(
        hd.bullet_deal(),
        {"revenue_haircut": [0.0, 0.2, 0.4], "pd_multiplier": [1, 2]},
        product=True,
        projector=hd.haircut_projector,
    )
    assert len(g.scenarios) == 6
    assert g.names[0] == "revenue_haircut=0, pd_multiplier=1"
    assert [s.revenue_haircut for s in g.stresses] == [0.0, 0.0, 0.2, 0.2, 0.4, 0.4]
    # hand deal break-even 1/3: 0 and 0.2 pass, 0.4 fails
    assert g.outcome.paid_in_full[:, 0].tolist() == [True, True, True, True, False, False]


def test_table_and_coverage_shapes() -> None:
    g = gr.run_grid(
        hd.bullet_deal(),
        [{"revenue_haircut": 0.0}, {"revenue_haircut": 0.5}],
        projector=hd.haircut_projector,
    )
    t = g.table
    assert list(t.columns[: len(gr.GRID_COLUMNS)]) == list(gr.GRID_COLUMNS)
    assert list(t.columns[len(gr.GRID_COLUMNS) :]) == ["收入下降 (revenue_haircut)"]
    assert len(t) == 4
    row = t.iloc[0]  # base, 优先A: paid 1m a quarter + 100m at the end → yield 4% a quarter
    assert bool(row[gr.COL_PAID]) and row[gr.COL_SHORTFALL] == 0 and row[gr.COL_LOSS] == 0
    # WAL: bullet paid 2027-01-01, 365 days after closing → 1.0 year
    assert row[gr.COL_WAL] == pytest.approx(1.0)
    # 1m on days 90, 181, 273 and 101m on day 365 (ACT/365F), priced at 100m: 1% a quarter is
    # 4.00% compounded quarterly (the deal's frequency; the one convention, docs/analytics.md),
    # not the 4.06% the same flows give compounded annually
    assert row[gr.COL_YIELD] == pytest.approx(0.0400, abs=5e-5)
    # first quarter coverage: 2m available / 1m senior interest = 2.0×
    assert g.coverage.iloc[0, 0] == pytest.approx(2.0)
    stressed = t.iloc[2]  # h = 0.5: 1m a quarter pays interest, the end has 75 − 0 + … short
    assert not bool(stressed[gr.COL_PAID])
    assert stressed[gr.COL_FIRST_SHORT] == hd.DATES[-1]
    # (1 − 0.5)·156m − 3m interest = 75m for 101m due: 26m short (26m principal lost)
    assert stressed[gr.COL_SHORTFALL] == pytest.approx(26e6)
    assert stressed[gr.COL_LOSS] == pytest.approx(0.26)
    assert g.coverage.shape == (4, 2)
    assert list(g.coverage.columns) == g.names


def test_events_are_listed() -> None:
    deal = hd.bullet_deal(
        triggers=[
            {
                "name": "回收款低于预测20%",
                "condition": "collections_below_forecast",
                "threshold": 0.2,
                "event": "acceleration",
            }
        ]
    )

    def proj(d: Any, a: Any, s: Stress) -> Collections:
        c = hd.BASE * (1 - s.revenue_haircut)
        return Collections.from_arrays(
            payment_dates=hd.DATES,
            year_fractions=[0.25] * 4,
            total=c,
            forecast=hd.BASE,
            initial_pool_balance=1e8,
        )

    g = gr.run_grid(deal, [{"revenue_haircut": 0.1}, {"revenue_haircut": 0.3}], projector=proj)
    assert g.table[gr.COL_EVENTS].iloc[0] == ""
    assert g.table[gr.COL_EVENTS].iloc[2] == "加速清偿事件: 回收款低于预测20% (2026-04-01)"


def test_to_dict_is_json_serialisable() -> None:
    g = gr.run_grid(
        hd.bullet_deal(), [{}, {"revenue_haircut": 0.5}], projector=hd.haircut_projector
    )
    d = json.loads(json.dumps(g.to_dict(), ensure_ascii=False))
    assert d["deal"] == "hand bullet deal"
    assert [s["name"] for s in d["scenarios"]] == ["基准", "revenue_haircut=0.5"]
    tr = d["scenarios"][1]["tranches"][0]
    assert tr["name"] == "优先A" and tr["paid_in_full"] is False
    assert tr["first_shortfall_date"] == "2027-01-01"
    assert d["scenarios"][1]["factors"]["revenue_haircut"] == 0.5
    assert len(d["scenarios"][0]["coverage"]) == 4


def test_default_set_follows_the_pool() -> None:
    g = gr.run_grid(licence_deal())
    assert g.names == ["基准", "轻度", "中度", "重度"]
    assert g.stresses[3].revenue_haircut == 0.5  # data set (licences are direct data assets)


def test_base_fills_factors_the_scenario_does_not_set() -> None:
    scen = gr.resolve_scenarios(hd.bullet_deal(), [{"revenue_haircut": 0.2}])
    g = gr.run_grid(
        hd.bullet_deal(), scen, base=apply(guarantor_default=True), projector=hd.haircut_projector
    )
    assert g.stresses[0].guarantor_default and g.stresses[0].revenue_haircut == 0.2


@pytest.mark.parametrize(
    ("spec", "product", "message"),
    [
        ([], False, r"grid: no scenarios to run"),
        (
            [{"revenue_haircut": [0.1, 0.2]}],
            False,
            r"grid: scenario \[0\] gives lists of values .*pass product=True",
        ),
        ([{"revenue_haircut": []}], True, r"grid: factor 'revenue_haircut' has an empty list"),
        (
            [{"pd": 2}, {"pd_multiplier": 2}],
            False,
            r"grid: scenario names must be unique; repeated: \['pd_multiplier=2'\]",
        ),
        ([3], False, r"grid: scenario \[0\] must be a Scenario or a factor dict; got int"),
        ([{"bad": 1}], False, r"unknown stress factor 'bad'"),
    ],
)
def test_errors(spec: Any, product: bool, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        gr.run_grid(hd.bullet_deal(), spec, product=product, projector=hd.haircut_projector)


# --- the dashboard's set run and summary -------------------------------------------------------


def test_run_deal_set_appends_custom_scenarios_on_the_deal_s_base() -> None:
    from abs.deal import CustomScenario
    from abs.examples import example_deal_path
    from abs.io import load_deal

    deal = load_deal(example_deal_path("qingdao-pure"))
    base = Stress(revenue_haircut=0.05)
    mine = CustomScenario(name="违约三倍", stress=Stress(pd_multiplier=3.0))
    deal = deal.model_copy(
        update={
            "stress_scenarios": (mine,),
            "assumptions": deal.assumptions.model_copy(update={"stress": base}),
        }
    )
    grid = gr.run_deal_set(deal, "data")
    assert grid.names == ["基准", "轻度", "中度", "重度", "违约三倍"]
    # the custom scenario keeps the deal's base haircut where it is silent
    assert grid.stresses[-1].pd_multiplier == 3.0
    assert grid.stresses[-1].revenue_haircut == 0.05
    alone = gr.run_grid(deal, [{"pd_multiplier": 3.0}], base=base)
    assert grid.outcome.loss[-1].tolist() == alone.outcome.loss[0].tolist()

    summary = gr.summarise_grid(grid, "data")
    assert summary.scenarios == grid.names and summary.set_name == "data"
    assert summary.loss.loc["违约三倍"].tolist() == grid.outcome.loss[-1].tolist()
    assert summary.paid.shape == (5, len(deal.tranches))
    assert summary.factors.loc["违约三倍", "违约率倍数 (pd_multiplier) [× 倍 (1 = base)]"] == "3"
    assert summary.factors.loc[
        "基准", "收入下降 (revenue_haircut) [fraction 比例 (0.2 = −20%)]"
    ] == ("0.05")


def test_run_deal_set_names_an_unknown_set() -> None:
    with pytest.raises(ScenarioError, match=r"unknown scenario set 'nope'; the built-in sets are"):
        gr.run_deal_set(licence_deal(), "nope")
