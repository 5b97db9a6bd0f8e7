"""The split between senior classes (A1/A2) by scan and bisection on the first senior's size.

Hand deal: 优先A1 + 优先A2 bullets at 4% (140m together: interest 1.4m a quarter), 次级 60m;
collections 2, 2, 2, 150m a quarter; order A1 interest → A2 interest → A1 principal → A2
principal → 次级. 0.6m is carried each quarter, whatever the split, so the last quarter holds
1.8m + 150m = 151.8m.

* Coverage through A1, interest only: the first quarter binds, 2m / (1% × A1) ≥ z ⇔ A1 ≤ 200m / z.
  Incl. principal the last quarter also counts: 151.8m / (1.01 × A1), so the floor is
  min(200m / A1, 151.8m / 1.01 / A1) and A1 ≤ 150.297m / z.
* Coverage through A2 (both seniors' interest) is 2m / 1.4m = 1.4286× whatever the split.
* PD projector (last-quarter loss 12m × m): A1 is paid ⇔ 151.8m − 1.4m − 12m·m ≥ A1, so its
  break-even PD multiple is (150.4m − A1) / 12m and a target X sizes A1 to 150.4m − 12m·X;
  A2 is paid ⇔ 150.4m − 12m·m ≥ 140m: break-even 10.4 / 12 = 0.8667× whatever the split.
"""

from __future__ import annotations

from typing import Any

import pytest

from abs.deal import Deal
from abs.errors import ScenarioError
from scenarios.sizing import (
    TrancheTarget,
    _scan_bisect,
    largest_first_senior_size,
    resize_senior_split,
)
from tests.scenarios import handdeal as hd

M = hd.M


def _deal(a1: float = 70 * M, a2: float = 70 * M, **kw: Any) -> Deal:
    steps = [
        {"step": "pay_interest", "tranches": ["优先A1"]},
        {"step": "pay_interest", "tranches": ["优先A2"]},
        {"step": "pay_principal", "tranches": ["优先A1"]},
        {"step": "pay_principal", "tranches": ["优先A2"]},
        {"step": "pay_principal", "tranches": ["次级"]},
        {"step": "pay_residual", "tranche": "次级", "wait_for_seniors": True},
    ]
    bullet = {"coupon": {"rate": 0.04}, "principal_type": "bullet", "tranche_class": "senior"}
    return hd.bullet_deal(
        tranches=[
            {"name": "优先A1", "balance": a1, **bullet},
            {"name": "优先A2", "balance": a2, **bullet},
            {"name": "次级", "tranche_class": "subordinated", "balance": 60 * M},
        ],
        waterfall={"normal": steps, "accelerated": steps},
        **kw,
    )


def _cov(z: float, *, principal: bool = False) -> TrancheTarget:
    return TrancheTarget("coverage", z, include_principal=principal)


@pytest.mark.parametrize(
    ("floor", "principal", "expected"),
    [(2.0, False, 100 * M), (1.6, False, 125 * M), (1.2, True, 151.8 * M / 1.01 / 1.2)],
)
def test_coverage_through_a1_hand_checked(floor: float, principal: bool, expected: float) -> None:
    r = largest_first_senior_size(
        _deal(), target=_cov(floor, principal=principal), projector=hd.haircut_projector, tol=1.0
    )
    assert r.status == "found" and r.non_monotone == ()
    assert r.first == "优先A1" and r.others == ("优先A2",)
    assert r.first_size == pytest.approx(expected, abs=1.0) and r.first_size <= expected
    assert r.others_size == pytest.approx(140 * M - r.first_size)
    assert r.first_share == pytest.approx(r.first_size / (140 * M))
    # the senior total, 次级 and issue amount are unchanged
    assert [t.balance for t in r.deal.tranches] == pytest.approx(
        [r.first_size, r.others_size, 60 * M]
    )
    a1, a2 = r.measures
    got = a1.coverage_principal if principal else a1.coverage
    assert got >= floor and got == pytest.approx(floor, abs=1e-6)
    assert a2.coverage == pytest.approx(2 / 1.4)  # through A2: independent of the split
    assert a1.breakeven is None and a1.grade is None  # coverage targets search no break-even


@pytest.mark.parametrize(("floor", "meets"), [(1.4, True), (1.5, False)])
def test_second_target_on_a2(floor: float, meets: bool) -> None:
    r = largest_first_senior_size(
        _deal(), target=_cov(2.0), second=_cov(floor), projector=hd.haircut_projector, tol=1.0
    )
    assert r.second_meets is meets  # A2's coverage is 1.4286× whatever the split
    assert r.first_size == pytest.approx(100 * M, abs=1.0)


@pytest.mark.parametrize("multiple", [3.0, 5.0])
def test_breakeven_multiple_on_a1_hand_checked(multiple: float) -> None:
    from scenarios.breakeven import breakeven

    expected = 150.4 * M - 12 * M * multiple
    tol = 100.0
    r = largest_first_senior_size(
        _deal(),
        target=TrancheTarget("multiple", multiple),
        second=TrancheTarget("multiple", 0.5),
        projector=hd.pd_projector,
        tol=tol,
    )
    assert r.status == "found" and r.threshold == multiple
    # the search's tolerance (1e-6 in the multiple) is kept as a margin: ≈ 12 yuan smaller
    assert r.first_size <= expected and r.first_size == pytest.approx(expected, abs=tol + 20)
    a1, a2 = r.measures
    assert a1.breakeven is not None and a1.breakeven.value >= multiple
    assert a2.breakeven is not None and a2.breakeven.value == pytest.approx(10.4 / 12, abs=1e-5)
    assert r.second_meets is True  # 0.8667× ≥ 0.5×
    # 2 × tol more A1 breaks the target
    over = resize_senior_split(_deal(), r.first_size + 2 * tol)
    be = breakeven(over, tranche="优先A1", factor="pd_multiplier", projector=hd.pd_projector)
    assert be.value < multiple


def test_cdr_and_grade_targets_are_the_multiple_target() -> None:
    # CDR = 12% × m: a 36% break-even CDR and grade A (base 12% × 3.0) are a 3.0× multiple
    by_cdr = largest_first_senior_size(
        _deal(), target=TrancheTarget("cdr", 0.36), projector=hd.pd_projector, tol=100.0
    )
    by_grade = largest_first_senior_size(
        _deal(),
        target=TrancheTarget("grade", grade="A"),
        second=TrancheTarget("grade", grade="BBB-"),
        projector=hd.pd_projector,
        tol=100.0,
    )
    expected = 150.4 * M - 36 * M
    for r in (by_cdr, by_grade):
        assert r.first_size == pytest.approx(expected, abs=150.0) and r.first_size <= expected
        assert r.target_cdr == pytest.approx(0.36)
    assert by_grade.base_cdr == pytest.approx(0.12)
    # A2's break-even 0.8667× (CDR 10.4%) is short of BBB- (2.0 × 12% = 24%)
    assert by_grade.second_meets is False
    assert [m.grade for m in by_grade.measures] == ["A", "低于BBB- / below table"]


def test_statuses() -> None:
    # interest-only coverage 1.0 through A1 holds up to A1 = 200m: even 140m − 1 passes
    top = largest_first_senior_size(_deal(), target=_cov(1.0), projector=hd.haircut_projector)
    assert top.status == "max_passes" and top.first_size == 140 * M - 1.0 and top.steps == 0
    low = largest_first_senior_size(
        _deal(), target=_cov(2.0), lo=110 * M, projector=hd.haircut_projector
    )
    assert low.status == "min_fails" and low.first_size == 110 * M
    stuck = largest_first_senior_size(
        _deal(), target=_cov(2.0), projector=hd.haircut_projector, tol=1.0, max_steps=3
    )
    assert stuck.status == "not_converged" and stuck.steps == 3
    assert stuck.evaluations == 9 + 3  # the scan, then the bisection
    # beyond the searched range (50×) no break-even can reach the target: no engine run
    out = largest_first_senior_size(
        _deal(), target=TrancheTarget("multiple", 60.0), projector=hd.pd_projector
    )
    assert out.status == "min_fails" and out.evaluations == 0


def test_scan_reports_a_non_monotone_pass_test() -> None:
    # passes below 3 and again in (5, 6]: the scan of 0..8 sees fail at 5, pass at 6
    status, size, steps, evaluations, odd = _scan_bisect(
        lambda x: x < 3 or 5 < x <= 6, 0.0, 8.0, 0.01, 100, 9
    )
    assert status == "found" and size == pytest.approx(3.0, abs=0.01) and size < 3
    assert odd == ((5.0, 6.0),)
    assert evaluations == 9 + steps


def test_resize_split_scales_each_schedule_with_its_tranche() -> None:
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
            {
                "name": "A2",
                "tranche_class": "senior",
                "balance": 30.0,
                "coupon": {"rate": 0.02},
                "principal_type": "scheduled",
                "target_balances": [30.0, 15.0, 0.0, 0.0],
            },
            {"name": "A3", "tranche_class": "senior", "balance": 10.0, "coupon": {"rate": 0.02}},
            {"name": "次级", "tranche_class": "subordinated", "balance": 20.0},
        ],
        waterfall=None,
    )
    r = resize_senior_split(d, 80.0)  # A1 × 4/3; A2 and A3 share 20 of 40: × 1/2
    assert [t.balance for t in r.tranches] == pytest.approx([80.0, 15.0, 5.0, 20.0])
    assert r.tranche("A1").target_balances == pytest.approx((40.0, 0.0, 0.0, 0.0))
    assert r.tranche("A2").target_balances == pytest.approx((15.0, 7.5, 0.0, 0.0))
    assert r.issue_amount == d.issue_amount
    with pytest.raises(ScenarioError, match=r"sizing: A1 size 100\.00 leaves A2/A3 at 0\.00; "):
        resize_senior_split(d, 100.0)


def test_single_senior_is_refused_naming_the_deal_and_classes() -> None:
    with pytest.raises(
        ScenarioError,
        match=r"sizing: deal hand bullet deal has 1 senior tranche\(s\); the split between "
        r"senior classes needs at least two; tranches are 优先A \(senior\), 次级 \(subordinated\)",
    ):
        largest_first_senior_size(hd.bullet_deal(), target=_cov(1.0))


def test_errors() -> None:
    d = _deal()
    with pytest.raises(ScenarioError, match=r"split target kind must be one of coverage, "):
        largest_first_senior_size(d, target=TrancheTarget("wal", 1.0))
    with pytest.raises(ScenarioError, match=r"sizing: min_coverage must be ≥ 0; got -1"):
        largest_first_senior_size(d, target=_cov(-1.0))
    with pytest.raises(ScenarioError, match=r"sizing: min_breakeven must be a finite number > 0"):
        largest_first_senior_size(d, target=_cov(1.0), second=TrancheTarget("multiple", 0.0))
    with pytest.raises(ScenarioError, match=r"target CDR must be a fraction in \(0, 1\]"):
        largest_first_senior_size(d, target=TrancheTarget("cdr", 2.0))
    with pytest.raises(ScenarioError, match=r"sizing: grade 'Z' is not in the multiples table"):
        largest_first_senior_size(d, target=TrancheTarget("grade", grade="Z"))
    with pytest.raises(ScenarioError, match=r"sizing: tol must be > 0; got 0"):
        largest_first_senior_size(d, target=_cov(1.0), tol=0)
    with pytest.raises(ScenarioError, match=r"sizing: scan must be an integer ≥ 2; got 1"):
        largest_first_senior_size(d, target=_cov(1.0), scan=1)
    with pytest.raises(ScenarioError, match=r"need 0 < lo < hi ≤ 139,999,999\.00 .*优先A2"):
        largest_first_senior_size(d, target=_cov(1.0), hi=140 * M)


# --- qingdao-pure: 优先A1 20,000万 / 优先A2 25,000万 / 次级 5,000万 ----------------------------


@pytest.fixture(scope="module")
def qingdao() -> Deal:
    from abs.io import load_deal

    d: Deal = load_deal("qingdao-pure")
    return d


def test_qingdao_looser_target_sizes_a_larger_a1(qingdao: Deal) -> None:
    sizes = [
        largest_first_senior_size(
            qingdao, target=TrancheTarget("multiple", x), assumptions=qingdao.assumptions
        ).first_size
        for x in (15.0, 20.0, 25.0)
    ]
    assert sizes[0] > sizes[1] > sizes[2]


def test_qingdao_sized_a1_meets_and_a1_plus_tol_does_not(qingdao: Deal) -> None:
    from scenarios.breakeven import breakeven

    tol = 10_000.0
    r = largest_first_senior_size(
        qingdao,
        target=TrancheTarget("multiple", 20.0),
        second=TrancheTarget("multiple", 15.0),
        assumptions=qingdao.assumptions,
        tol=tol,
    )
    assert r.status == "found" and r.non_monotone == ()
    # the seniors' total (45,000万) and 次级 (5,000万) stay; A1 grows beyond today's 20,000万
    assert r.senior_total == 450_000_000.0 and r.deal.tranche("次级").balance == 50_000_000.0
    assert 200_000_000.0 < r.first_size < 450_000_000.0
    a1 = r.deal.tranche("优先A1")
    k = a1.balance / qingdao.tranche("优先A1").balance
    old = qingdao.tranche("优先A1").target_balances
    assert old is not None and a1.target_balances == pytest.approx(tuple(b * k for b in old))
    got = r.measures[0].breakeven
    assert got is not None and got.value >= 20.0
    kw: dict[str, Any] = {"factor": "pd_multiplier", "assumptions": qingdao.assumptions}
    over = resize_senior_split(qingdao, r.first_size + 2 * tol)
    assert breakeven(over, tranche="优先A1", **kw).value < 20.0
    a2 = r.measures[1].breakeven
    assert a2 is not None and r.second_meets is (a2.value >= 15.0)
