"""Break-even search: exact hand cases, monotonicity check, statuses and errors."""

from __future__ import annotations

import dataclasses
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
from abs.projection import PoolModel, project
from scenarios import breakeven as be
from scenarios import runner
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
        # cash collected cannot go below zero (the engine rejects negative collections)
        return hd.collections(np.maximum(hd.BASE * (1 - s.revenue_haircut) - lost, 0.0))

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


# --- k-section (default) against the bisection, and the projection shortcuts -------------------

EXAMPLES = ("qingdao-pure", "rugao-labelled", "tianfeng-enabled")


@pytest.fixture(scope="module")
def examples() -> dict[str, Deal]:
    from abs.io import load_deal

    return {name: load_deal(name) for name in EXAMPLES}


@pytest.mark.parametrize("name", EXAMPLES)
def test_ksection_table_equals_the_bisection_on_the_examples(
    examples: dict[str, Deal], name: str
) -> None:
    deal = examples[name]
    old = be.breakeven_table(deal, method="bisect")
    new = be.breakeven_table(deal)
    assert list(new[be.COL_TRANCHE]) == list(old[be.COL_TRANCHE])
    assert list(new[be.COL_STATUS]) == list(old[be.COL_STATUS])
    assert list(new[be.COL_MONOTONE]) == list(old[be.COL_MONOTONE])
    # both brackets are at most tol = 1e-6 wide and hold the same pass→fail crossing, so the
    # largest passing values differ by less than tol (and so do the first failing values)
    np.testing.assert_allclose(new[be.COL_VALUE], old[be.COL_VALUE], rtol=0, atol=1e-6)
    np.testing.assert_allclose(new[be.COL_FAIL], old[be.COL_FAIL], rtol=0, atol=1e-6)
    fail, value = new[be.COL_FAIL].to_numpy(), new[be.COL_VALUE].to_numpy()
    found = ~np.isnan(fail)
    assert np.all(fail[found] - value[found] <= 1e-6) and np.all(fail[found] > value[found])
    # the implied CDR moves by at most (dCDR/dm)·1e-6: well under 1e-6 on these pools
    np.testing.assert_allclose(new[be.COL_CDR], old[be.COL_CDR], rtol=0, atol=1e-6)
    # 0.05 / 37³ < 1e-6 (3 steps of 36 values) and 2.5 / 40⁴ < 1e-6 (4 steps of 39 values)
    steps = {s for s, f in zip(new[be.COL_STEPS], found, strict=True) if f}
    assert steps <= {3, 4}
    assert (new.loc[~found, be.COL_STEPS] == 0).all()


def _floating(deal: Deal) -> Deal:
    """``deal`` with every rated tranche floating at reference + 50bp."""
    data = deal.model_dump(mode="json", exclude={"pool"})
    for t in data["tranches"]:
        if t["tranche_class"] != "subordinated":
            t["coupon"] = {"coupon_type": "floating", "spread": 0.005}
    return Deal.model_validate(data).model_copy(update={"pool": deal.pool})


@pytest.mark.parametrize(
    ("factor", "hi", "base", "steps"),
    [
        # engine factor: 0..5000bp, bracket 250bp = 2.5e8·tol: 64⁴ < 2.5e8, so 5 steps of 47 values
        # (48⁵ ≥ 2.5e8)
        ("rate_shift_bp", 5000.0, Stress(revenue_haircut=0.2), 5),
        # 0..300 periods: the scan takes 84 of them, one step takes the periods left between
        ("collection_delay", 300.0, Stress(revenue_haircut=0.1), 1),
    ],
)
def test_ksection_equals_bisection_for_a_rate_shift_and_a_delay(
    examples: dict[str, Deal], factor: str, hi: float, base: Stress, steps: int
) -> None:
    deal = _floating(examples["qingdao-pure"])
    old = be.breakeven_all(deal, factor=factor, base=base, hi=hi, method="bisect")
    new = be.breakeven_all(deal, factor=factor, base=base, hi=hi)
    assert sum(r.status == "found" for r in new) >= 2
    for o, n in zip(old, new, strict=True):
        assert (n.tranche, n.status, n.scan_passes) == (o.tranche, o.status, o.scan_passes)
        assert abs(n.value - o.value) <= 1e-6
        assert (n.fail_value is None) == (o.fail_value is None)
        if n.fail_value is not None and o.fail_value is not None:
            assert abs(n.fail_value - o.fail_value) <= 1e-6
        if n.status == "found":
            assert n.steps == steps


def _same_collections(a: Collections, b: Collections) -> None:
    atol = 1e-9 * b.initial_pool_balance
    assert a.initial_pool_balance == b.initial_pool_balance
    for name in ("total", "income", "principal", "defaults", "recoveries", "pool_balance"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-9, atol=atol)
    np.testing.assert_allclose(a.writedowns_or_zeros, b.writedowns_or_zeros, rtol=1e-9, atol=atol)
    np.testing.assert_allclose(a.forecast, b.forecast, rtol=1e-9, atol=atol)
    assert set(a.by_kind) == set(b.by_kind)
    for k in b.by_kind:
        np.testing.assert_allclose(a.by_kind[k], b.by_kind[k], rtol=1e-9, atol=atol)


FAMILY_CASES = (
    ("revenue_haircut", runner.FAMILY_MODEL, (0.0, 0.013, 0.37, 0.5, 0.999, 1.0)),
    ("pd_multiplier", runner.FAMILY_MODEL, (0.0, 0.5, 1.0, 3.7, 18.6, 50.0)),
    ("recovery_haircut", runner.FAMILY_MODEL, (0.0, 0.25, 0.9, 1.0)),
    ("collection_delay", runner.FAMILY_MODEL, (0.0, 1.0, 3.0, 40.0)),
    ("volume_shock", runner.FAMILY_MODEL, (-0.5, -0.1, 0.0, 0.4)),
    ("price_decline_change", runner.FAMILY_MODEL, (-0.05, 0.0, 0.2)),
    ("renewal_change_pp", runner.FAMILY_MODEL, (-100.0, -20.0, 0.0, 15.0)),
    ("rate_shift_bp", runner.FAMILY_ENGINE, (0.0, 250.0)),
)


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize(
    "base",
    [Stress(), Stress(pd_multiplier=2.0, volume_shock=-0.2, collection_delay=1, rate_shift_bp=50)],
    ids=["neutral", "stressed"],
)
def test_stress_family_equals_one_projection_per_value(
    examples: dict[str, Deal], name: str, base: Stress
) -> None:
    # Every value of a family is the projection of that stress, built the way a single run
    # builds it (a fresh pool model, no cache): the family never rests on a shortcut.
    deal = examples[name]
    cache = runner.ProjectionCache(deal)
    for factor, mode, values in FAMILY_CASES:
        fam = runner.StressFamily(cache, base, factor)
        assert fam.mode == mode, factor
        fresh = PoolModel(deal)
        expected = Collections.stack([fresh.expected(fam.stress(v)) for v in values])
        expected = dataclasses.replace(expected, forecast=fresh.expected().forecast)
        _same_collections(fam.collections(values), expected)


def test_haircut_family_holds_with_a_mild_volume_shock(examples: dict[str, Deal]) -> None:
    # A volume shock above 0 lifts contract cash above the base case, where the principal part
    # min(stressed, base) is no longer linear in (1 − h): every value is still the projection.
    deal = examples["tianfeng-enabled"]
    cache = runner.ProjectionCache(deal)
    fam = runner.StressFamily(cache, Stress(volume_shock=0.6), "revenue_haircut")
    values = [0.0, 0.1, 0.45, 0.8]
    fresh = PoolModel(deal)
    expected = Collections.stack([fresh.expected(fam.stress(v)) for v in values])
    expected = dataclasses.replace(expected, forecast=fresh.expected().forecast)
    _same_collections(fam.collections(values), expected)


def test_custom_projector_is_projected_per_value() -> None:
    cache = runner.ProjectionCache(hd.bullet_deal(), projector=hd.haircut_projector)
    fam = runner.StressFamily(cache, Stress(), "revenue_haircut")
    assert fam.mode == runner.FAMILY_PER_VALUE
    c = fam.collections([0.25, 0.5, 0.25])
    np.testing.assert_allclose(c.total, [hd.BASE * 0.75, hd.BASE * 0.5, hd.BASE * 0.75])
    assert cache.projections == 3  # 0.25, 0.5 and the unstressed forecast


def test_family_with_no_values_is_an_error() -> None:
    cache = runner.ProjectionCache(hd.bullet_deal(), projector=hd.haircut_projector)
    with pytest.raises(ScenarioError, match=r"no factor values to project"):
        runner.StressFamily(cache, Stress(), "revenue_haircut").collections([])


def test_run_paid_in_full_equals_the_outcome(examples: dict[str, Deal]) -> None:
    deal = examples["qingdao-pure"]
    stresses = [Stress(revenue_haircut=h) for h in (0.0, 0.25, 0.3, 0.5)] + [
        Stress(pd_multiplier=20.0, rate_shift_bp=100.0)
    ]
    coll, _res, outcome = runner.run_stresses(deal, stresses)
    paid, cdr = runner.run_paid_in_full(deal, coll, stresses)
    np.testing.assert_array_equal(paid, outcome.paid_in_full)
    np.testing.assert_array_equal(cdr, outcome.cdr)
    assert paid[0].all() and not paid[3].all()  # base passes; a 50% haircut fails a tranche
    with pytest.raises(ScenarioError, match=r"4 stresses for 5 collection rows"):
        runner.run_paid_in_full(deal, coll, stresses[:4])


# --- k-section on hand cases: each status, steps and evaluations -------------------------------


def test_ksection_finds_one_third_in_few_steps() -> None:
    # bracket (0.30, 0.35) after the scan; 9 values a step shrink it 10-fold: 0.05 → 5e-7 in
    # 5 steps (0.05·10⁻⁵ = 5e-7 ≤ 1e-6 < 5e-6)
    r = be.breakeven(
        hd.bullet_deal(),
        tranche="优先A",
        factor="revenue_haircut",
        projector=hd.haircut_projector,
        candidates=9,
    )
    assert r.status == "found" and r.steps == 5 and r.evaluations == 21 + 5 * 9
    assert r.value <= hd.HAIRCUT_BREAKEVEN < r.fail_value if r.fail_value else False
    assert r.fail_value is not None and r.fail_value - r.value <= 1e-6


def test_ksection_statuses_by_hand() -> None:
    deal = hd.bullet_deal()
    kw: dict[str, object] = {"tranche": "优先A", "projector": hd.haircut_projector}
    never = be.breakeven(deal, factor="revenue_haircut", hi=0.3, candidates=7, **kw)  # type: ignore[arg-type]
    assert (never.status, never.value, never.fail_value, never.steps) == (
        "never_fails",
        0.3,
        None,
        0,
    )
    at_lo = be.breakeven(deal, factor="revenue_haircut", lo=0.5, hi=0.9, candidates=7, **kw)  # type: ignore[arg-type]
    assert (at_lo.status, at_lo.value, at_lo.fail_value, at_lo.steps) == (
        "fails_at_lo",
        0.5,
        0.5,
        0,
    )
    # one step of 3 values 0.3125, 0.325, 0.3375 in (0.30, 0.35); 1/3 lies between the last two,
    # so the bracket becomes (0.325, 0.3375): 0.0125 wide, far wider than 1e-6
    short = be.breakeven(deal, factor="revenue_haircut", max_steps=1, candidates=3, **kw)  # type: ignore[arg-type]
    assert (short.status, short.steps, short.evaluations) == ("not_converged", 1, 24)
    assert short.value == pytest.approx(0.325) and short.fail_value == pytest.approx(0.3375)


def test_ksection_integer_factor_takes_whole_periods() -> None:
    # 0..200 periods: the scan samples 84 of them (about every 2.4), then one step holds every
    # whole period left in the bracket: passes while the delay is ≤ 3.
    r = be.breakeven(
        hd.bullet_deal(),
        tranche="优先A",
        factor="collection_delay",
        hi=200,
        projector=_delay_projector,
        candidates=5,
    )
    assert len(r.scan_values) == 84 and all(v == int(v) for v in r.scan_values)
    assert (r.status, r.value, r.fail_value, r.steps) == ("found", 3.0, 4.0, 1)


def test_breakeven_all_equals_single_searches() -> None:
    deal = hd.bullet_deal()
    both = be.breakeven_all(deal, factor="pd_multiplier", projector=hd.pd_projector, candidates=15)
    for r in both:
        alone = be.breakeven(
            deal, tranche=r.tranche, factor="pd", projector=hd.pd_projector, candidates=15
        )
        assert (alone.value, alone.fail_value, alone.steps, alone.evaluations) == (
            r.value,
            r.fail_value,
            r.steps,
            r.evaluations,
        )


def test_method_and_candidates_errors() -> None:
    deal = hd.bullet_deal()
    with pytest.raises(ScenarioError, match=r"method must be one of ksection, bisect; got 'x'"):
        be.breakeven(deal, tranche="优先A", factor="pd", method="x")  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match=r"candidates must be between 1 and 1024; got 0"):
        be.breakeven_all(deal, factor="pd", candidates=0)
    with pytest.raises(ScenarioError, match=r"max_steps must be between 1 and 100; got 0"):
        be.breakeven_table(deal, max_steps=0)


@settings(max_examples=20, deadline=None)
@given(
    senior=st.floats(50.0, 140.0),
    coupon=st.floats(0.0, 0.08),
    last=st.floats(120.0, 300.0),
    k=st.integers(1, 40),
)
def test_found_value_passes_and_fail_value_fails(
    senior: float, coupon: float, last: float, k: int
) -> None:
    deal = hd.bullet_deal(
        tranches=[
            {
                "name": "优先A",
                "tranche_class": "senior",
                "balance": senior * hd.M,
                "coupon": {"rate": coupon},
                "principal_type": "bullet",
            },
            {"name": "次级", "tranche_class": "subordinated", "balance": 10 * hd.M},
        ]
    )
    total = np.array([2.0, 2.0, 2.0, last]) * hd.M

    def proj(d: Deal, a: Assumptions | None, s: Stress) -> Collections:
        return hd.collections(total * (1 - s.revenue_haircut))

    for r in be.breakeven_all(deal, factor="revenue_haircut", projector=proj, candidates=k):
        if r.status != "found":
            continue
        assert r.fail_value is not None and 0 < r.fail_value - r.value <= 1e-6
        stresses = [Stress(revenue_haircut=r.value), Stress(revenue_haircut=r.fail_value)]
        _c, _res, out = runner.run_stresses(deal, stresses, projector=proj)
        col = out.tranche_names.index(r.tranche)
        assert out.paid_in_full[0, col] and not out.paid_in_full[1, col]


@pytest.mark.parametrize(
    ("factor", "value", "status", "lang", "shown"),
    [
        ("revenue_haircut", 0.458510, "found", "zh", "45.85%"),
        ("revenue_haircut", 1.0, "never_fails", "zh", "不触发（≥ 100.00%）"),
        ("pd_multiplier", 18.64819, "found", "en", "18.65×"),
        ("pd_multiplier", 50.0, "never_fails", "en", "never fails (≥ 50.00×)"),
        ("pd_multiplier", 1.0, "fails_at_lo", "zh", "起点即违约"),
        ("collection_delay", 2.0, "found", "zh", "2 期"),
        ("rate_shift_bp", 150.0, "not_converged", "en", "150 bp (not converged)"),
    ],
)
def test_format_breakeven(factor: str, value: float, status: str, lang: str, shown: str) -> None:
    from scenarios.breakeven import format_breakeven

    assert format_breakeven(factor, value, status, lang=lang) == shown
