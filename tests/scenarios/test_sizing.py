"""Senior sizing by bisection on the hand deal."""

from __future__ import annotations

import pytest

from abs.assumptions import Stress
from abs.errors import ScenarioError
from scenarios.sizing import largest_senior_size, resize_seniors
from tests.scenarios import handdeal as hd


def _deal():  # type: ignore[no-untyped-def]
    # 优先A 100m bullet at 4% + 次级 100m: issue 200m on collections 2, 2, 2, 150m.
    return hd.bullet_deal(
        tranches=[
            {
                "name": "优先A",
                "tranche_class": "senior",
                "balance": 100 * hd.M,
                "coupon": {"rate": 0.04},
                "principal_type": "bullet",
            },
            {"name": "次级", "tranche_class": "subordinated", "balance": 100 * hd.M},
        ]
    )


def test_largest_senior_paid_in_full() -> None:
    # Cash is carried: 156m ≥ B + 4 quarters × 1% × B = 1.04·B ⇔ B ≤ 150m (quarterly interest
    # 0.01·B ≤ 2m holds up to 200m). Coverage floor 1.0 binds nowhere earlier.
    r = largest_senior_size(_deal(), projector=hd.haircut_projector, tol=1.0)
    assert r.status == "found"
    assert r.senior_total == pytest.approx(150 * hd.M, abs=1.0)
    assert r.sub_total == pytest.approx(50 * hd.M, abs=1.0)
    assert r.senior_share == pytest.approx(0.75, abs=1e-8)
    assert r.deal.tranche("优先A").balance == r.senior_total


def test_coverage_floor_binds() -> None:
    # min coverage 1.5: first quarter 2m / (0.01·B) ≥ 1.5 ⇔ B ≤ 133.33m
    r = largest_senior_size(_deal(), min_coverage=1.5, projector=hd.haircut_projector, tol=1.0)
    assert r.senior_total == pytest.approx(2 * hd.M / 0.015, abs=1.0)


def test_under_a_stress() -> None:
    # haircut 20%: 0.8·156 = 124.8m ≥ 1.04·B ⇔ B ≤ 120m
    r = largest_senior_size(
        _deal(), stress=Stress(revenue_haircut=0.2), projector=hd.haircut_projector, tol=1.0
    )
    assert r.senior_total == pytest.approx(120 * hd.M, abs=1.0)


def test_statuses() -> None:
    d = _deal()
    top = largest_senior_size(d, hi=140 * hd.M, projector=hd.haircut_projector)
    assert top.status == "max_passes" and top.senior_total == 140 * hd.M
    low = largest_senior_size(d, lo=160 * hd.M, hi=190 * hd.M, projector=hd.haircut_projector)
    assert low.status == "min_fails"


def test_resize_scales_targets_and_keeps_issue_amount() -> None:
    d = hd.bullet_deal(
        tranches=[
            {
                "name": "A1",
                "tranche_class": "senior",
                "balance": 60.0,
                "coupon": {"rate": 0.02},
                "principal_type": "scheduled",
                "target_balances": [30.0, 0.0, 0.0, 0.0],
            },
            {"name": "A2", "tranche_class": "senior", "balance": 40.0, "coupon": {"rate": 0.02}},
            {"name": "次级", "tranche_class": "subordinated", "balance": 20.0},
        ],
        waterfall=None,
    )
    r = resize_seniors(d, 50.0)
    assert [t.balance for t in r.tranches] == [30.0, 20.0, 70.0]
    assert r.tranche("A1").target_balances == (15.0, 0.0, 0.0, 0.0)
    assert r.issue_amount == d.issue_amount
    with pytest.raises(ScenarioError, match=r"sizing: senior size 120\.00 leaves 次级 次级 at "):
        resize_seniors(d, 120.0)


def test_errors() -> None:
    with pytest.raises(ScenarioError, match=r"sizing: tol must be > 0; got 0"):
        largest_senior_size(_deal(), tol=0)
    with pytest.raises(ScenarioError, match=r"sizing: min_coverage must be ≥ 0; got -1"):
        largest_senior_size(_deal(), min_coverage=-1)
    with pytest.raises(ScenarioError, match=r"sizing: need 0 < lo < hi ≤ "):
        largest_senior_size(_deal(), lo=5.0, hi=4.0)
    only_senior = hd.bullet_deal(
        tranches=[{"name": "优先A", "tranche_class": "senior", "balance": 1.0}], waterfall=None
    )
    with pytest.raises(ScenarioError, match=r"needs a senior and a subordinated tranche"):
        largest_senior_size(only_senior)


def test_principal_inclusive_floor_sizes_smaller_than_interest_only() -> None:
    from abs.io import load_deal
    from scenarios.report import base_report

    # 如皋: 优先A 12,300万 has 1.23× incl. principal (1.84× interest only) in the base case
    deal = load_deal("rugao-labelled")
    interest = largest_senior_size(deal, min_coverage=1.5)
    principal = largest_senior_size(deal, min_coverage=1.5, include_principal=True)
    # interest only, 1.5× holds even with the largest senior; incl. principal it does not
    assert interest.status == "max_passes"
    assert principal.status == "found"
    assert principal.senior_total < deal.tranches[0].balance < interest.senior_total
    # the sized deal meets the floor on the headline measure (the bisection keeps the passing
    # side), and 1万元 more senior would not
    assert base_report(principal.deal).senior_min_coverage >= 1.5


# --- break-even, CDR and grade targets (hand deal with the PD projector) ----------------------
# pd_projector: last-quarter defaults 12m × m are lost; CDR = 0.12·m. 优先A (bullet, 4%) is paid
# in full ⇔ 156m − 12m·m ≥ 1.04·B, so its break-even PD multiple is (156m − 1.04·B) / 12m and a
# break-even of at least X sizes the senior to B = (156m − 12m·X) / 1.04. The search's own
# tolerance (1e-6 in the multiple) is kept as a margin: ≤ 12m × 1e-6 / 1.04 ≈ 12 yuan smaller.


def _size_at(multiple: float) -> float:
    return (156 * hd.M - 12 * hd.M * multiple) / 1.04


@pytest.mark.parametrize(("target", "expected"), [(3.0, _size_at(3.0)), (4.0, _size_at(4.0))])
def test_breakeven_target_hand_checked(target: float, expected: float) -> None:
    from scenarios.sizing import largest_senior_size_for_breakeven

    r = largest_senior_size_for_breakeven(
        _deal(), min_breakeven=target, projector=hd.pd_projector, tol=100.0
    )
    assert r.status == "found"
    assert r.senior_total == pytest.approx(expected, abs=150.0)  # 100 yuan tol + 12 yuan margin
    assert r.senior_total <= expected
    assert r.sub_total == pytest.approx(200 * hd.M - r.senior_total, abs=1e-6)
    [be] = r.breakevens  # the sized deal's break-even, searched as the break-even table does
    assert be.tranche == "优先A" and be.factor == "pd_multiplier" and be.status == "found"
    assert be.value >= target
    assert be.value == pytest.approx(target, abs=1e-4)


def test_breakeven_target_size_plus_tol_fails() -> None:
    from scenarios.breakeven import breakeven
    from scenarios.sizing import largest_senior_size_for_breakeven

    tol = 100.0
    r = largest_senior_size_for_breakeven(
        _deal(), min_breakeven=3.0, projector=hd.pd_projector, tol=tol
    )
    over = resize_seniors(_deal(), r.senior_total + 2 * tol)
    be = breakeven(over, tranche="优先A", factor="pd_multiplier", projector=hd.pd_projector)
    assert be.value < 3.0  # (156m − 1.04·(B + 200)) / 12m = 3 − 1.7e-5 + margin


def test_breakeven_target_monotone_in_the_margin() -> None:
    from scenarios.sizing import largest_senior_size_for_breakeven

    sizes = [
        largest_senior_size_for_breakeven(
            _deal(), min_breakeven=x, projector=hd.pd_projector, tol=1_000.0
        ).senior_total
        for x in (1.0, 2.0, 3.0, 5.0, 8.0)
    ]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == pytest.approx(_size_at(1.0), abs=1_100.0)


def test_haircut_breakeven_target_matches_the_stress_sizing() -> None:
    from scenarios.sizing import largest_senior_size_for_breakeven

    # break-even haircut ≥ 20% ⇔ paid in full under a 20% haircut: 0.8 × 156m ≥ 1.04·B ⇔ 120m
    r = largest_senior_size_for_breakeven(
        _deal(), min_breakeven=0.2, factor="revenue_haircut", projector=hd.haircut_projector
    )
    s = largest_senior_size(
        _deal(), stress=Stress(revenue_haircut=0.2), projector=hd.haircut_projector
    )
    assert r.senior_total == pytest.approx(120 * hd.M, abs=10_010.0)
    assert r.senior_total <= 120 * hd.M
    assert abs(r.senior_total - s.senior_total) <= 10_010.0


def test_cdr_target_is_the_multiple_target() -> None:
    from scenarios.sizing import largest_senior_size_for_cdr, pd_multiple_for_cdr

    # CDR = 0.12·m: a break-even CDR of 36% is a break-even multiple of 3.0×
    assert pd_multiple_for_cdr(_deal(), 0.36, projector=hd.pd_projector) == pytest.approx(
        3.0, abs=2e-6
    )
    r = largest_senior_size_for_cdr(_deal(), min_cdr=0.36, projector=hd.pd_projector, tol=100.0)
    assert r.status == "found" and r.target_cdr == 0.36
    assert r.senior_total == pytest.approx(_size_at(3.0), abs=150.0)
    [be] = r.breakevens
    assert be.cumulative_default_rate is not None and be.cumulative_default_rate >= 0.36


@pytest.mark.parametrize(("grade", "multiple"), [("AAA", 5.0), ("A", 3.0), ("BBB-", 2.0)])
def test_grade_target_hand_checked(grade: str, multiple: float) -> None:
    from scenarios.sizing import largest_senior_size_for_grade

    # base CDR (m = 1) = 12%; grade needs 12% × multiple, i.e. a break-even multiple ≥ multiple
    r = largest_senior_size_for_grade(_deal(), grade=grade, projector=hd.pd_projector, tol=100.0)
    assert r.status == "found"
    assert r.base_cdr == pytest.approx(0.12)
    assert r.target_cdr == pytest.approx(0.12 * multiple)
    assert r.senior_total == pytest.approx(_size_at(multiple), abs=150.0)
    assert r.grades == (grade,)  # the rating view's rule on the sized deal gives the target


def test_grade_matches_the_rating_view_of_the_sized_deal() -> None:
    from scenarios.rating import COL_GRADE, rating_view
    from scenarios.sizing import largest_senior_size_for_grade

    r = largest_senior_size_for_grade(_deal(), grade="AA", projector=hd.pd_projector)
    view = rating_view(r.deal, tranches=["优先A"], projector=hd.pd_projector)
    assert view[COL_GRADE].tolist() == ["AA"]


def test_breakeven_target_statuses() -> None:
    from scenarios.sizing import largest_senior_size_for_breakeven

    d = _deal()
    top = largest_senior_size_for_breakeven(
        d, min_breakeven=3.0, hi=50 * hd.M, projector=hd.pd_projector
    )
    assert top.status == "max_passes" and top.senior_total == 50 * hd.M
    # sizes from 100m: a 5× break-even needs B ≤ (156 − 60) / 1.04 = 92.31m
    low = largest_senior_size_for_breakeven(
        d, min_breakeven=5.0, lo=100 * hd.M, projector=hd.pd_projector
    )
    assert low.status == "min_fails" and low.senior_total == 100 * hd.M
    # beyond the searched range (50×) no break-even can reach the target: no engine run needed
    out = largest_senior_size_for_breakeven(d, min_breakeven=60.0, projector=hd.pd_projector)
    assert out.status == "min_fails" and out.steps == 0
    stuck = largest_senior_size_for_breakeven(
        d, min_breakeven=3.0, projector=hd.pd_projector, tol=1.0, max_steps=3
    )
    assert stuck.status == "not_converged" and stuck.steps == 3


def test_grade_beyond_reach_is_min_fails() -> None:
    from scenarios.rating import Grade, MultiplesTable
    from scenarios.sizing import largest_senior_size_for_grade

    # a grade needing 12% × 500 (PD multiple 500, beyond the searched 50×) cannot be reached
    table = MultiplesTable((Grade("X", 500.0),), source="hand table")
    r = largest_senior_size_for_grade(_deal(), grade="X", table=table, projector=hd.pd_projector)
    assert r.status == "min_fails" and r.threshold != r.threshold  # nan: no multiple reaches it
    assert r.steps == 0 and r.senior_total == 2 * hd.M  # no engine run: nothing can pass
    # the smallest size never fails up to 50× (CDR 6.0), short of the 60.0 the grade needs
    assert r.grades == ("低于BBB- / below table",)


def test_target_errors() -> None:
    from scenarios.sizing import (
        largest_senior_size_for_breakeven,
        largest_senior_size_for_cdr,
        largest_senior_size_for_grade,
        pd_multiple_for_cdr,
    )

    d = _deal()
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(
            ScenarioError, match=r"sizing: min_breakeven must be a finite number > 0"
        ):
            largest_senior_size_for_breakeven(d, min_breakeven=bad)
    with pytest.raises(ScenarioError, match=r"sizing: min_breakeven must be a number; got '3'"):
        largest_senior_size_for_breakeven(d, min_breakeven="3")  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match=r"factor 'originator_default' .* is on/off"):
        largest_senior_size_for_breakeven(d, min_breakeven=1.0, factor="originator_default")
    with pytest.raises(ScenarioError, match=r"unknown"):
        largest_senior_size_for_breakeven(d, min_breakeven=1.0, factor="no_such_factor")
    with pytest.raises(ScenarioError, match=r"sizing: target CDR must be a fraction in \(0, 1\]"):
        largest_senior_size_for_cdr(d, min_cdr=1.5)
    with pytest.raises(ScenarioError, match=r"sizing: min_cdr must be a finite number > 0"):
        largest_senior_size_for_cdr(d, min_cdr=0.0)
    with pytest.raises(ScenarioError, match=r"sizing: target CDR must be a finite fraction > 0"):
        pd_multiple_for_cdr(d, -0.1)
    with pytest.raises(
        ScenarioError, match=r"sizing: grade 'AAAA' is not in the multiples .*AAA, AA\+"
    ):
        largest_senior_size_for_grade(d, grade="AAAA")
    with pytest.raises(ScenarioError, match=r"sizing: tol must be > 0; got 0"):
        largest_senior_size_for_breakeven(d, min_breakeven=1.0, tol=0)
    with pytest.raises(ScenarioError, match=r"base-case cumulative default rate is 0"):
        largest_senior_size_for_grade(d, grade="AAA", projector=hd.haircut_projector)
