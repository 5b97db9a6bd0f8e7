"""The base-case report (scenarios.report): support dependence and the one yield convention."""

from __future__ import annotations

import pytest

from abs.assumptions import Stress
from abs.io import load_deal
from scenarios.grid import run_grid
from scenarios.report import LABELS, base_report, label


def test_base_case_standing_on_its_own_cash_is_not_flagged() -> None:
    rep = base_report(load_deal("rugao-labelled"))
    assert rep.seniors_paid and not rep.support_needed
    assert rep.support_draws == {"reserve": 0.0, "shortfall_commitment": 0.0, "guarantee": 0.0}


def test_seniors_paid_by_the_guarantee_are_flagged() -> None:
    # half the revenue gone: 如皋's AAA guarantee pays the senior in full, so the case "passes",
    # but only on support, which the report must say (the "✓ on a 6,080万 draw")
    rep = base_report(load_deal("rugao-labelled"), stress=Stress(revenue_haircut=0.5))
    assert rep.seniors_paid
    assert rep.support_needed
    assert rep.support_draws["guarantee"] > 1e6
    assert rep.senior_min_coverage < 1.0
    assert not rep.support.empty and (rep.support["guarantee_draw"] > 0).any()


def test_a_case_that_fails_is_not_called_support_dependent() -> None:
    # 青岛's 差额支付 is capped at 6,000万: with 70% of the revenue gone the seniors still fail
    rep = base_report(load_deal("qingdao-pure"), stress=Stress(revenue_haircut=0.7))
    assert not rep.seniors_paid and not rep.support_needed
    assert rep.support_draws["shortfall_commitment"] == pytest.approx(60_000_000.0)


@pytest.mark.parametrize("example", ["qingdao-pure", "rugao-labelled", "tianfeng-enabled"])
def test_grid_base_row_has_the_summary_yield(example: str) -> None:
    deal = load_deal(example)
    rep = base_report(deal)
    grid = run_grid(deal, [{}], base=deal.assumptions.stress)
    assert grid.outcome.yld[0] == pytest.approx(rep.summary["收益率"].to_numpy(), rel=1e-9)
    assert grid.outcome.min_coverage_principal[0] == pytest.approx(
        rep.summary["最低覆盖倍数（含本金）"].to_numpy(), rel=1e-12
    )


def test_labels_name_the_version() -> None:
    assert label("min_coverage") == "最低覆盖倍数（含本金）"
    assert label("min_coverage_interest", "en") == "Min coverage, interest only"
    for zh, en in LABELS.values():
        assert zh and en and not any("\u4e00" <= ch <= "\u9fff" for ch in en)
