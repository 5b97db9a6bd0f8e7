"""Stochastic paths: reproducibility, chunking, convergence to the expected case, errors."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import ndtr, ndtri

from abs.asset import Asset, Pool
from abs.assumptions import Assumptions, Stress
from abs.cashflows import Collections
from abs.deal import Deal, DealDates, Tranche
from abs.errors import ProjectionError
from abs.projection import PATH_BLOCK_SIZE, kernels, path_block_size, pool_model, project, simulate

D = dt.date


def _pool(n: int = 24, *, pd: float = 0.08) -> tuple[Asset, ...]:
    assets = []
    for i in range(n):
        kind = i % 4
        kw: dict[str, Any] = dict(
            asset_id=f"A{i:03d}",
            obligor=f"债务人{i % 9}",
            data_link="direct",
            amount=1_000_000.0 + 10_000.0 * i,
            start_date=D(2025, 10, 1) + dt.timedelta(days=7 * i),
            maturity_date=D(2027, 6, 30) + dt.timedelta(days=11 * i),
            pd=min(pd * (1 + (i % 3)) / 2, 1.0),
            recovery_rate=0.3,
            recovery_lag=2,
        )
        if kind == 0:
            kw.update(asset_type="data_license", annual_fee=700_000.0, escalator=0.03)
        elif kind == 1:
            kw.update(
                asset_type="data_product",
                volume=30_000_000.0,
                unit_price=0.002,
                volume_growth=0.1,
                price_decline=0.05,
                minimum_fee=200_000.0,
            )
        elif kind == 2:
            kw.update(
                asset_type="algorithm_service",
                subscription_fee=30_000.0,
                volume=2_000_000.0,
                unit_price=0.01,
            )
        else:
            kw.update(asset_type="receivable", data_link="none", rate=0.05, amortization="level")
        assets.append(Asset.model_validate(kw))
    return tuple(assets)


def _deal(assets: tuple[Asset, ...] | None = None, **assume: Any) -> Deal:
    return Deal(
        name="随机测试",
        pool=Pool(assets=assets or _pool()),
        dates=DealDates(
            cutoff_date=D(2025, 12, 31),
            closing_date=D(2026, 1, 10),
            first_payment_date=D(2026, 3, 31),
            frequency="quarterly",
            payment_lag_days=5,
            expected_maturity_date=D(2027, 12, 31),
            legal_maturity_date=D(2028, 6, 30),
        ),
        tranches=(Tranche(name="A", tranche_class="senior", balance=1.0),),
        assumptions=Assumptions(**assume),
    )


def test_block_size_is_exposed() -> None:
    assert path_block_size() == PATH_BLOCK_SIZE


def test_same_seed_gives_identical_paths_and_different_seeds_differ() -> None:
    deal = _deal()
    a = simulate(deal, n_paths=300, seed=11)
    b = simulate(deal, n_paths=300, seed=11)
    c = simulate(deal, n_paths=300, seed=12)
    for name in ("total", "income", "principal", "defaults", "recoveries", "pool_balance"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.total, c.total)
    assert a.seed == 11 and a.total.shape == (300, 8 + 2)
    np.testing.assert_allclose(a.forecast, project(deal).total[0])


@pytest.mark.parametrize(
    "cuts",
    [
        [0, 1300],
        [0, 100, 1300],
        [0, 511, 512, 513, 1300],
        [0, 700, 1024, 1300],
    ],
)
def test_chunking_never_changes_a_path(cuts: list[int]) -> None:
    deal = _deal()
    whole = simulate(deal, n_paths=1300, seed=2024)
    parts = [
        simulate(deal, n_paths=hi - lo, seed=2024, first_path=lo)
        for lo, hi in itertools.pairwise(cuts)
    ]
    joined = Collections.stack(parts)
    for name in ("total", "principal", "defaults", "recoveries", "writedowns", "pool_balance"):
        np.testing.assert_array_equal(getattr(joined, name), getattr(whole, name))
    for k in whole.by_kind:
        np.testing.assert_array_equal(joined.by_kind[k], whole.by_kind[k])


@settings(max_examples=15, deadline=None)
@given(first=st.integers(0, 1500), n=st.integers(1, 400))
def test_any_window_of_paths_matches_the_full_run(first: int, n: int) -> None:
    window = simulate(_DEAL, n_paths=n, seed=5, first_path=first)
    np.testing.assert_array_equal(window.total, _FULL.total[first : first + n])


_DEAL = _deal(_pool(8))
_FULL = simulate(_DEAL, n_paths=1900, seed=5)


def test_project_with_scenarios_is_simulate_from_path_zero() -> None:
    deal = _deal()
    p = project(deal, scenarios=50, seed=3)
    s = simulate(deal, n_paths=50, seed=3)
    np.testing.assert_array_equal(p.total, s.total)
    fresh = project(deal, scenarios=20)
    assert fresh.seed is not None
    again = simulate(deal, n_paths=20, seed=fresh.seed)
    np.testing.assert_array_equal(fresh.total, again.total)


def test_mean_of_paths_approaches_expected_case() -> None:
    # Without usage/default correlation every path quantity is an unbiased draw of the expected
    # case; tolerance 5 standard errors per period (the path sample's own standard deviation).
    deal = _deal(usage_volatility=0.3, asset_correlation=0.3)
    n = 4000
    paths = simulate(deal, n_paths=n, seed=99)
    expected = project(deal)
    for name in ("total", "principal", "defaults", "recoveries"):
        x = getattr(paths, name)
        se = x.std(axis=0, ddof=1) / np.sqrt(n)
        gap = np.abs(x.mean(axis=0) - getattr(expected, name)[0])
        assert np.all(gap <= 5 * se + 1e-6), name
    total_se = paths.total.sum(axis=1).std(ddof=1) / np.sqrt(n)
    assert abs(paths.total.sum(axis=1).mean() - expected.total.sum()) <= 5 * total_se


def test_renewal_paths_average_to_expected_renewals() -> None:
    assets = tuple(
        a.model_copy(update={"maturity_date": D(2026, 12, 31), "renewal_term_years": 1.0})
        for a in _pool(12)
        if a.asset_type.value == "data_license"
    )
    deal = _deal(assets, mode="renewal", renewal_probability=0.6, usage_volatility=0.0)
    n = 3000
    paths = simulate(deal, n_paths=n, seed=1)
    expected = project(deal)
    se = paths.total.std(axis=0, ddof=1) / np.sqrt(n)
    assert np.all(np.abs(paths.total.mean(axis=0) - expected.total[0]) <= 5 * se + 1e-6)
    # Renewed cash is all or nothing per asset and path: some paths lose it.
    assert paths.total[:, -2].min() < expected.total[0, -2] < paths.total[:, -2].max()


def test_paths_are_consistent_and_nonnegative() -> None:
    deal = _deal(usage_volatility=0.8, usage_default_correlation=0.5)
    c = simulate(deal, n_paths=600, seed=8, stress=Stress(pd_multiplier=3, collection_delay=1))
    for name in ("total", "income", "principal", "defaults", "recoveries", "pool_balance"):
        assert np.all(getattr(c, name) >= 0), name
    np.testing.assert_allclose(c.income + c.principal, c.total)
    np.testing.assert_allclose(sum(c.by_kind.values()), c.total, rtol=1e-12, atol=1e-6)
    wd = c.writedowns_or_zeros
    flows = c.principal - c.recoveries + c.defaults + wd
    opening = np.concatenate(
        [np.full((c.n_scenarios, 1), c.initial_pool_balance), c.pool_balance[:, :-1]], axis=1
    )
    np.testing.assert_allclose(opening - flows, c.pool_balance, atol=1e-4)


def test_defaults_are_correlated_through_the_systematic_factor() -> None:
    # With ρ high, the number of defaulted assets varies much more across paths than with ρ = 0.
    assets = _pool(40, pd=0.2)
    low = simulate(_deal(assets, asset_correlation=0.0), n_paths=1500, seed=4)
    high = simulate(_deal(assets, asset_correlation=0.8), n_paths=1500, seed=4)
    assert high.defaults.sum(axis=1).std() > 1.5 * low.defaults.sum(axis=1).std()
    assert high.defaults.sum(axis=1).mean() == pytest.approx(
        low.defaults.sum(axis=1).mean(), rel=0.1
    )


def test_zero_and_full_pd_paths() -> None:
    safe = simulate(_deal(_pool(8, pd=0.0), usage_volatility=0.0), n_paths=40, seed=1)
    assert safe.defaults.sum() == 0
    np.testing.assert_allclose(safe.total, np.broadcast_to(safe.forecast, safe.total.shape))
    certain = tuple(a.model_copy(update={"pd": 1.0}) for a in _pool(8))
    doomed = simulate(_deal(certain), n_paths=10, seed=1)
    np.testing.assert_allclose(doomed.defaults[:, 0], doomed.initial_pool_balance)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_paths": 0, "seed": 1}, r"simulate: n_paths must be >= 1; got 0"),
        ({"n_paths": 5, "seed": 1, "first_path": -1}, r"first_path must be >= 0; got -1"),
        ({"n_paths": 5, "seed": -3}, r"seed must be a non-negative integer; got -3"),
        ({"n_paths": 5, "seed": True}, r"seed must be a non-negative integer; got True"),
    ],
)
def test_simulate_argument_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ProjectionError, match=message):
        simulate(_DEAL, **kwargs)


# --- the default sampler ----------------------------------------------------------------------


def test_normal_quantile_and_distribution_match_scipy() -> None:
    p = np.concatenate(
        [
            np.logspace(-300, -1, 3000),
            np.linspace(0.001, 0.999, 3001),
            1.0 - np.logspace(-16, -1, 300),
        ]
    )
    want = ndtri(p)
    got = np.array([kernels.norm_ppf(float(x)) for x in p])
    np.testing.assert_allclose(got, want, rtol=2e-15, atol=1e-15)
    # Φ(x) = erfc(−x/√2)/2: the rounding of x/√2 costs about x²·1e-16 relative in the far tail
    x = np.linspace(-37.0, 8.0, 4001)
    np.testing.assert_allclose([kernels.norm_cdf(float(v)) for v in x], ndtr(x), rtol=5e-13)
    assert kernels.norm_ppf(0.0) == -np.inf and kernels.norm_ppf(1.0) == np.inf


def _bullet_pool(n: int, pd: float) -> tuple[Asset, ...]:
    """n equal bullet receivables maturing after the last period (every period counts)."""
    return tuple(
        Asset.model_validate(
            dict(
                asset_id=f"B{i:04d}",
                obligor=f"债务人{i}",
                asset_type="receivable",
                data_link="none",
                amount=1_000_000.0,
                start_date=D(2025, 6, 30),
                maturity_date=D(2028, 12, 31),
                pd=pd,
                recovery_rate=0.0,
            )
        )
        for i in range(n)
    )


@pytest.mark.parametrize("rho", [0.0, 0.4])
def test_default_rate_and_timing_match_the_pd(rho: float) -> None:
    # 200 receivables, PD 6% a year, a balance outstanding in every period: the share of the
    # pool defaulted by 计算日 t must average 1 − (1 − pd)^τₜ, with or without correlation
    # (the copula keeps each asset's marginal); tolerance 5 standard errors of the path mean.
    deal = _deal(_bullet_pool(200, 0.06), asset_correlation=rho, usage_volatility=0.0)
    paths = simulate(deal, n_paths=6000, seed=21)
    share = np.cumsum(paths.defaults, axis=1) / paths.initial_pool_balance
    tau = project(deal).schedule.collection_times  # type: ignore[union-attr]
    want = 1.0 - (1.0 - 0.06) ** tau
    se = share.std(axis=0, ddof=1) / np.sqrt(share.shape[0])
    assert np.all(np.abs(share.mean(axis=0) - want) <= 5 * se + 1e-12)
    # and the expected case carries the same default curve
    np.testing.assert_allclose(
        np.cumsum(project(deal).defaults[0]) / paths.initial_pool_balance, want, rtol=1e-12
    )


def test_certain_and_impossible_defaults_mixed_with_random_ones() -> None:
    assets = (
        *_bullet_pool(3, 1.0),
        *(a.model_copy(update={"asset_id": f"Z{i}"}) for i, a in enumerate(_bullet_pool(3, 0.0))),
        *(a.model_copy(update={"asset_id": f"R{i}"}) for i, a in enumerate(_bullet_pool(30, 0.2))),
    )
    deal = _deal(assets, usage_volatility=0.0)
    paths = simulate(deal, n_paths=700, seed=2)
    # the three certain defaults go in the first period on every path, the others later or never
    assert np.all(paths.defaults[:, 0] >= 3_000_000.0 - 1e-6)
    lost = paths.defaults.sum(axis=1)
    assert lost.min() >= 3_000_000.0 - 1e-6 and lost.max() <= 33_000_000.0 + 1e-6
    whole = simulate(deal, n_paths=700, seed=2)
    parts = [simulate(deal, n_paths=n, seed=2, first_path=f) for f, n in ((0, 511), (511, 189))]
    np.testing.assert_array_equal(Collections.stack(parts).total, whole.total)


@pytest.mark.parametrize("threads", [2, 3])
def test_threads_never_change_a_path(threads: int) -> None:
    model = pool_model(_DEAL)
    one = model.simulate(n_paths=1900, seed=5, first_path=100)
    many = model.simulate(n_paths=1900, seed=5, first_path=100, threads=threads)
    for name in ("total", "principal", "defaults", "recoveries", "writedowns", "pool_balance"):
        assert getattr(one, name).tobytes() == getattr(many, name).tobytes(), name
    with pytest.raises(ProjectionError, match=r"simulate: threads must be >= 1; got 0"):
        model.simulate(n_paths=10, seed=5, threads=0)
