"""Waterfall engine speed: 10,000 scenarios × 120 periods on the qingdao-pure structure.

Collections are synthetic but shaped like the example's projection: 45m a quarter for 14
quarters (the senior amortisation window), then a 2m tail for 106 more, scaled per scenario by a
lognormal level (σ 12%) and per period by lognormal noise (σ 8%); about 12% of the scenarios
trip the collections-below-forecast trigger (加速清偿) at some point and about 17% draw 差额支付.
The scalar oracle (``tests/waterfall/oracle.py``) runs the same deal on the first
``ORACLE_SUBSET`` scenarios and its time is scaled linearly to 10,000 (each scenario is an
independent loop); the ratio engine : oracle is reported in ``extra_info`` and printed.

Run: ``.venv/bin/pytest tests/benchmarks/test_bench_waterfall.py -o addopts="" --benchmark-only -q``
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

import waterfall
from abs.cashflows import Collections
from abs.io import load_deal
from tests.waterfall.oracle import run_oracle

N_SCENARIOS = 10_000
N_PERIODS = 120
ORACLE_SUBSET = 50
SEED = 20260618

_MEDIANS: dict[str, float] = {}


def _dates(n: int) -> tuple[dt.date, ...]:
    out = []
    y, m = 2026, 9
    for _ in range(n):
        out.append(dt.date(y, m, 26))
        m += 3
        if m > 12:
            m -= 12
            y += 1
    return tuple(out)


def _collections() -> Collections:
    rng = np.random.default_rng(SEED)
    base = np.full(N_PERIODS, 2e6)
    base[:14] = 45e6
    level = rng.lognormal(0.0, 0.12, size=(N_SCENARIOS, 1))
    noise = rng.lognormal(0.0, 0.08, size=(N_SCENARIOS, N_PERIODS))
    total = base * level * noise
    dates = _dates(N_PERIODS)
    starts = (dt.date(2026, 6, 18), *dates[:-1])
    days = np.array([(b - a).days for a, b in zip(starts, dates, strict=True)], dtype=float)
    return Collections.from_arrays(
        payment_dates=dates,
        accrual_start=starts,
        year_fractions=days / 365.0,
        days=days,
        total=total,
        income=total * 0.14,
        defaults=total * 0.002,
        forecast=base,
        initial_pool_balance=600e6,
    )


@pytest.fixture(scope="module")
def case() -> tuple[Any, Collections]:
    return load_deal("qingdao-pure", with_pool=False), _collections()


def test_bench_engine_10k_x_120(benchmark: Any, case: tuple[Any, Collections]) -> None:
    deal, coll = case
    result = benchmark.pedantic(waterfall.run, args=(deal, coll), rounds=7, warmup_rounds=1)
    assert result.conserved
    median = float(benchmark.stats.stats.median)
    _MEDIANS["engine"] = median
    benchmark.extra_info["scenario_periods_per_second"] = N_SCENARIOS * N_PERIODS / median
    benchmark.extra_info["accelerated_share"] = float(result.accelerated.any(axis=1).mean())


def test_bench_oracle_subset(benchmark: Any, case: tuple[Any, Collections]) -> None:
    deal, coll = case

    def oracle() -> None:
        for s in range(ORACLE_SUBSET):
            run_oracle(deal, coll, s)

    benchmark.pedantic(oracle, rounds=3, warmup_rounds=0)
    median = float(benchmark.stats.stats.median)
    scaled = median * N_SCENARIOS / ORACLE_SUBSET
    _MEDIANS["oracle_scaled"] = scaled
    benchmark.extra_info["scaled_to_10k_seconds"] = scaled
    if "engine" in _MEDIANS:
        ratio = scaled / _MEDIANS["engine"]
        benchmark.extra_info["engine_speedup"] = ratio
        print(
            f"\nengine median {_MEDIANS['engine'] * 1e3:.1f} ms; oracle {median:.3f} s for "
            f"{ORACLE_SUBSET} scenarios → {scaled:.1f} s for {N_SCENARIOS}; ratio {ratio:.0f}×"
        )
