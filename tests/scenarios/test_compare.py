"""Two structures side by side (scenarios.compare): base measures, stress results, break-evens."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from abs.assumptions import Stress
from abs.deal import CustomScenario, Deal
from abs.io import load_deal
from scenarios import breakeven as be
from scenarios.compare import compare, compare_breakevens, compare_stress
from scenarios.grid import run_deal_set, summarise_grid
from scenarios.report import base_report


@pytest.fixture(scope="module")
def rugao() -> Deal:
    return load_deal("rugao-labelled")


def _smaller(deal: Deal, balance: float) -> Deal:
    return deal.model_copy(
        update={
            "tranches": (
                deal.tranches[0].model_copy(update={"balance": balance}),
                *deal.tranches[1:],
            )
        }
    )


def test_the_same_deal_compares_unchanged(rugao: Deal) -> None:
    report = base_report(rugao)
    comp = compare(rugao, report, rugao, report, a="v1", b="v2")
    assert comp.structure.unchanged and comp.changed_measures == 0
    grid = summarise_grid(run_deal_set(rugao, "receivable"), "receivable")
    frame = compare_stress(grid, grid)
    assert not frame["changed"].any()
    # 4 scenarios × (2 tranches × 3 measures + 1 support line)
    assert len(frame) == 4 * (2 * 3 + 1)
    assert frame["scenario"].unique().tolist() == ["基准", "轻度", "中度", "重度"]


def test_stress_results_of_a_resized_senior_and_a_new_scenario(rugao: Deal) -> None:
    grid_a = summarise_grid(run_deal_set(rugao, "receivable"), "receivable")
    bigger = _smaller(rugao, 125_000_000.0).model_copy(
        update={
            "stress_scenarios": (CustomScenario(name="违约三倍", stress=Stress(pd_multiplier=3)),)
        }
    )
    grid_b = summarise_grid(run_deal_set(bigger, "receivable"), "receivable")
    frame = compare_stress(grid_a, grid_b).set_index(["scenario", "tranche", "measure"])
    # every value is the grid's own
    for scenario in grid_a.scenarios:
        for tranche in ("优先A", "次级"):
            row = frame.loc[(scenario, tranche, "loss")]
            assert row["a"] == grid_a.loss.loc[scenario, tranche]
            assert row["b"] == grid_b.loss.loc[scenario, tranche]
            assert row["changed"] == (not math.isclose(row["a"], row["b"], abs_tol=1e-9))
        support = frame.loc[(scenario, "", "support")]
        assert support["b"] == grid_b.support_drawn.loc[scenario] / 10_000
    # a bigger senior covers its costs less well in the base scenario
    cov = frame.loc[("基准", "优先A", "min_coverage_principal")]
    assert cov["b"] < cov["a"] and cov["changed"]
    # the scenario only B has: NaN on A, changed
    only_b = frame.loc[("违约三倍", "优先A", "paid")]
    assert math.isnan(only_b["a"]) and only_b["b"] in (0.0, 1.0) and only_b["changed"]


def _be_frame(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                be.COL_TRANCHE: tranche,
                be.COL_FACTOR: factor,
                be.COL_VALUE: value,
                be.COL_STATUS: f"x ({status})",
            }
            for tranche, factor, value, status in rows
        ]
    )


def test_breakevens_compare_value_and_status() -> None:
    a = _be_frame(
        [
            ("优先A", "收入下降 (revenue_haircut)", 0.4585, "found"),
            ("优先A", "违约率倍数 (pd_multiplier)", 50.0, "never_fails"),
            ("次级", "收入下降 (revenue_haircut)", 0.22, "found"),
        ]
    )
    b = _be_frame(
        [
            ("优先A", "收入下降 (revenue_haircut)", 0.4585, "found"),
            ("优先A", "违约率倍数 (pd_multiplier)", 50.0, "found"),
            ("次级", "收入下降 (revenue_haircut)", 0.25, "found"),
            ("优先B", "收入下降 (revenue_haircut)", 0.30, "found"),
        ]
    )
    frame = compare_breakevens(a, b)
    assert frame.columns.tolist() == [
        "tranche",
        "factor",
        "a",
        "a_status",
        "b",
        "b_status",
        "changed",
    ]
    assert frame["changed"].tolist() == [False, True, True, True]  # same; status; value; new
    assert frame["a_status"].tolist() == ["found", "never_fails", "found", ""]
    assert math.isnan(frame["a"].iloc[3]) and frame["b"].iloc[3] == 0.30
