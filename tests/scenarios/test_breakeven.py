"""Break-even search: exact hand cases, monotonicity check, statuses and errors."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abs.asset import Pool
from abs.assumptions import Assumptions, Stress
from abs.cashflows import Collections
from abs.deal import Deal
from abs.errors import DealSpecError, ScenarioError
from abs.projection import project
from scenarios import breakeven as be
from tests.scenarios import handdeal as hd
from tests.scenarios.helpers import asset


def test_revenue_haircut_breakeven_is_one_third_to_1e6() -> None:
    r = be.breakeven(
        hd.bullet_deal(), tranche="优先A", factor="收入下降", projector=hd.haircut_projector
    )
    assert r.status == "found"
    assert r.factor == "revenue_haircut"
    # value is the largest haircut found to pass; the true break-even is 1/3.
    assert abs(r.value - hd.HAIRCUT_BREAKEVEN) <= 1e-6
    assert r.fail_value is not None and r.fail_value > hd.HAIRCUT_BREAKEVEN > r.value - 1e-12
    assert r.fail_value - r.value <= 1e-6
    assert r.steps <= 100 and r.evaluations == 21 + r.steps
    assert r.monotone and r.non_monotone == ()
    # scan: 0.00 … 0.30 pass, 0.35 … 1.00 fail (1/3 lies between 0.30 and 0.35)
    assert r.scan_passes == tuple(v <= 0.3 + 1e-12 for v in r.scan_values)


def test_subordinated_fails_at_base_when_it_cannot_be_repaid() -> None:
    # 次级 needs 10m more: (1 − h)·156 ≥ 114 ⇔ h ≤ 1 − 114/156 = 0.2692307…
    r = be.breakeven(
        hd.bullet_deal(), tranche="次级", factor="revenue_haircut", projector=hd.haircut_projector
    )
    assert r.status == "found"
    assert abs(r.value - (1 - 114 / 156)) <= 1e-6


def test_pd_multiplier_breakeven_and_implied_cdr() -> None:
    # pass ⇔ m ≤ 13/3; CDR = 0.12·m → 0.52 at the break-even.
    r = be.breakeven(
        hd.bullet_deal(), tranche="优先A", factor="pd_multiplier", projector=hd.pd_projector
    )
    assert r.status == "found"
    assert abs(r.value - 13 / 3) <= 1e-6
    assert r.cumulative_default_rate is not None
    assert abs(r.cumulative_default_rate - 0.52) <= 1e-6
    assert (r.lo, r.hi) == (0.0, 50.0)


def _dip_projector(deal: Deal, assumptions: Assumptions | None, stress: Stress) -> Collections:
    """Collections × (1 − h), except × 0.5 for 0.1 ≤ h < 0.175: a non-monotone dip."""
    h = stress.revenue_haircut
    scale = 0.5 if 0.1 <= h < 0.175 else 1.0 - h
    return hd.collections(hd.BASE * scale)


def test_non_monotone_region_is_reported() -> None:
    r = be.breakeven(
        hd.bullet_deal(), tranche="优先A", factor="revenue_haircut", projector=_dip_projector
    )
    # scan: 0.10 and 0.15 fail, 0.20 passes again → region (0.10, 0.20)
    assert not r.monotone
    assert r.non_monotone == ((0.1, 0.2),)
    # the bisection brackets the FIRST failure: just below 0.1
    assert r.status == "found" and abs(r.value - 0.1) <= 1e-6 and r.value < 0.1
    assert "0.1" in json.dumps(r.to_dict()["non_monotone_regions"])


def test_never_fails_and_fails_at_lo() -> None:
    deal = hd.bullet_deal()
    never = be.breakeven(
        deal, tranche="优先A", factor="revenue_haircut", hi=0.3, projector=hd.haircut_projector
    )
    assert never.status == "never_fails" and never.value == 0.3 and never.fail_value is None
    assert never.steps == 0
    at_lo = be.breakeven(
        deal,
        tranche="优先A",
        factor="revenue_haircut",
        lo=0.5,
        hi=0.9,
        projector=hd.haircut_projector,
    )
    assert at_lo.status == "fails_at_lo" and at_lo.value == 0.5


def test_max_steps_limits_the_bisection() -> None:
    r = be.breakeven(
        hd.bullet_deal(),
        tranche="优先A",
        factor="revenue_haircut",
        max_steps=3,
        projector=hd.haircut_projector,
    )
    assert r.status == "not_converged" and r.steps == 3
    assert r.value <= hd.HAIRCUT_BREAKEVEN <= (r.fail_value or 0)


def test_other_factors_fixed_at_the_base_scenario() -> None:
    # With a base PD multiplier of 2 (24m lost), (1 − h)·156 − ... : the projector below applies
    # both; pass ⇔ (1 − h)·156 − 24 ≥ 104 ⇔ h ≤ 1 − 128/156.
    def both(deal: Deal, a: Assumptions | None, s: Stress) -> Collections:
        lost = np.array([0, 0, 0, 12.0]) * hd.M * s.pd_multiplier
        return hd.collections(hd.BASE * (1 - s.revenue_haircut) - lost)

    r = be.breakeven(
        hd.bullet_deal(),
        tranche="优先A",
        factor="revenue_haircut",
        base=Stress(pd_multiplier=2.0, revenue_haircut=0.9),
        projector=both,
    )
    assert abs(r.value - (1 - 128 / 156)) <= 1e-6
    assert r.base.pd_multiplier == 2.0


def _delay_projector(deal: Deal, assumptions: Assumptions | None, s: Stress) -> Collections:
    """Passes while collection_delay ≤ 3 periods; beyond that collections halve."""
    return hd.collections(hd.BASE * (1.0 if s.collection_delay <= 3 else 0.5))


def test_integer_factor_searches_whole_periods() -> None:
    r = be.breakeven(
        hd.bullet_deal(),
        tranche="优先A",
        factor="collection_delay",
        hi=10,
        projector=_delay_projector,
    )
    assert r.scan_values == tuple(float(v) for v in range(11))
    assert (r.status, r.value, r.fail_value, r.steps) == ("found", 3.0, 4.0, 0)


def test_breakeven_table_has_every_tranche_and_factor() -> None:
    def proj(deal: Deal, a: Assumptions | None, s: Stress) -> Collections:
        lost = np.array([0, 0, 0, 12.0]) * hd.M * s.pd_multiplier
        return hd.collections(
            np.maximum(hd.BASE * (1 - s.revenue_haircut) - lost, 0.0), defaults=lost
        )

    table = be.breakeven_table(hd.bullet_deal(), projector=proj)
    assert list(table.columns) == list(be.BREAKEVEN_COLUMNS)
    assert len(table) == 4
    assert list(table[be.COL_TRANCHE]) == ["优先A", "次级", "优先A", "次级"]
    # 优先A, haircut with base PD ×1 (12m lost): (1 − h)·156 − 12 ≥ 104 ⇔ h ≤ 1 − 116/156
    assert abs(table[be.COL_VALUE].iloc[0] - (1 - 116 / 156)) <= 1e-6
    # 优先A, PD multiple: 156 − 12m ≥ 104 ⇔ m ≤ 13/3
    assert abs(table[be.COL_VALUE].iloc[2] - 13 / 3) <= 1e-6
    assert table[be.COL_MONOTONE].all()


def test_real_projection_breakeven_matches_the_hand_formula() -> None:
    # One monthly-paying data licence with PD 0 through the real projection: the haircut scales
    # every collection by (1 − h) (checked below). With the carry-forward order nothing leaves
    # the account before the bullet, so the senior passes iff at every date t the cumulative
    # cash covers the cumulative interest due, and at the last date interest + 100m principal:
    #   (1 − h)·ΣC≤t ≥ ΣI≤t (+ B at T)  ⇒  h* = min over t of 1 − required_t / ΣC≤t,
    # with I_t = 4% × B × year fraction_t.
    pool = Pool(
        assets=(
            asset(
                "L1",
                amount=120 * hd.M,
                annual_fee=150 * hd.M,
                pd=0.0,
                payment_frequency="monthly",
                start_date=hd.DATES[0].replace(year=2025),
                maturity_date=hd.DATES[-1].replace(year=2027),
            ),
        )
    )
    deal = hd.bullet_deal().model_copy(update={"pool": pool})
    base = project(deal)
    half = project(deal, stress=Stress(revenue_haircut=0.5))
    np.testing.assert_allclose(half.total, base.total * 0.5, rtol=1e-12)
    cum_cash = np.cumsum(base.total[0])
    required = np.cumsum(100 * hd.M * 0.04 * base.year_fractions)
    required[-1] += 100 * hd.M
    expected = float(np.min(1 - required / cum_cash))
    assert 0.05 < expected < 0.95
    r = be.breakeven(deal, tranche="优先A", factor="revenue_haircut")
    assert r.status == "found"
    assert abs(r.value - expected) <= 1e-6


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"factor": "originator_default"},
            ScenarioError,
            r"factor 'originator_default' \(差额支付承诺人违约\) is on/off",
        ),
        ({"factor": "revenue_haircut", "tol": 0.0}, ScenarioError, r"tol must be > 0; got 0\.0"),
        (
            {"factor": "revenue_haircut", "max_steps": 101},
            ScenarioError,
            r"max_steps must be between 1 and 100; got 101",
        ),
        (
            {"factor": "revenue_haircut", "lo": 0.5, "hi": 0.5},
            ScenarioError,
            r"range lo=0\.5 → hi=0\.5 must run from mild to harsh \(increasing values\)",
        ),
        (
            {"factor": "volume_shock", "lo": 0.0, "hi": 0.5},
            ScenarioError,
            r"must run from mild to harsh \(decreasing values\)",
        ),
        (
            {"factor": "revenue_haircut", "hi": 2.0},
            ScenarioError,
            r"breakeven hi: factor 'revenue_haircut'.*got 2\.0",
        ),
        ({"factor": "nope"}, ScenarioError, r"unknown stress factor 'nope'"),
        ({"factor": "revenue_haircut", "tranche": "X"}, DealSpecError, r"no tranche named 'X'"),
    ],
)
def test_errors(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    args: dict[str, object] = {"tranche": "优先A", "projector": hd.haircut_projector}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        be.breakeven(hd.bullet_deal(), **args)  # type: ignore[arg-type]


def test_breakeven_all_errors_name_the_factor() -> None:
    with pytest.raises(ScenarioError, match=r"factor 'guarantor_default' \(担保人违约\) is on/off"):
        be.breakeven_all(hd.bullet_deal(), factor="guarantor_default")
    with pytest.raises(ScenarioError, match=r"breakeven: tol must be > 0; got -1"):
        be.breakeven_all(hd.bullet_deal(), factor="pd", tol=-1)


def test_to_dict_is_json_ready() -> None:
    r = be.breakeven(
        hd.bullet_deal(), tranche="优先A", factor="revenue_haircut", projector=hd.haircut_projector
    )
    d = json.loads(json.dumps(r.to_dict(), ensure_ascii=False))
    assert d["status"] == "found" and d["factor_zh"] == "收入下降"
    assert len(d["scan"]) == 21 and d["scan"][0] == {"value": 0.0, "paid_in_full": True}
    assert math.isclose(d["value"], hd.HAIRCUT_BREAKEVEN, abs_tol=1e-6)


@settings(max_examples=15, deadline=None)
@given(
    senior=st.floats(50.0, 140.0),
    coupon=st.floats(0.0, 0.08),
    last=st.floats(120.0, 300.0),
)
def test_breakeven_matches_the_formula_for_random_bullets(
    senior: float, coupon: float, last: float
) -> None:
    # Collections 2, 2, 2, last (millions); interest i = B·c/4 a quarter. Cash is carried, so
    # pass ⇔ (1 − h)·2k ≥ k·i for k = 1..3 and (1 − h)·(6 + last) ≥ 4·i + B.
    b, i = senior * hd.M, senior * hd.M * coupon * 0.25
    total = np.array([2.0, 2.0, 2.0, last]) * hd.M
    cum = np.cumsum(total)
    need = np.cumsum([i, i, i, i])
    need[-1] += b
    expected = float(np.min(1 - need / cum))
    deal = hd.bullet_deal(
        tranches=[
            {
                "name": "优先A",
                "tranche_class": "senior",
                "balance": b,
                "coupon": {"rate": coupon},
                "principal_type": "bullet",
            },
            {"name": "次级", "tranche_class": "subordinated", "balance": 10 * hd.M},
        ]
    )

    def proj(d: Deal, a: Assumptions | None, s: Stress) -> Collections:
        return hd.collections(total * (1 - s.revenue_haircut))

    r = be.breakeven(deal, tranche="优先A", factor="revenue_haircut", projector=proj)
    if expected <= 0:
        assert r.status == "fails_at_lo"
    else:
        assert r.status == "found"
        assert abs(r.value - expected) <= 1e-6
        assert r.monotone
