"""Projection benchmarks (``make bench``).

* expected case: 10,000 assets (all kinds) over 120 monthly periods (target well under 1 s);
* stochastic: 10,000 paths of a 1,000-asset pool over 60 monthly periods (target < 5 s), with
  the peak traced memory of one run printed (target well under 2 GB).
"""

from __future__ import annotations

import datetime as dt
import tracemalloc
from typing import Any

import numpy as np
import pytest

from abs.asset import Asset, Pool
from abs.deal import Deal, DealDates, Tranche
from abs.projection import project, simulate

D = dt.date
_KINDS = (
    "data_license",
    "algorithm_service",
    "data_product",
    "revenue_share",
    "receivable",
    "lease",
)


def _pool(n: int, *, years: int, seed: int = 0) -> Pool:
    rng = np.random.default_rng(seed)
    assets = []
    for i in range(n):
        kind = _KINDS[i % len(_KINDS)]
        start = D(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 450)))
        maturity = D(2026, 6, 1) + dt.timedelta(days=int(rng.integers(0, 365 * (years - 1))))
        amount = float(rng.uniform(5e5, 5e6))
        kw: dict[str, Any] = dict(
            asset_id=f"A{i:05d}",
            obligor=f"债务人{i % 400}",
            asset_type=kind,
            data_link="none" if kind in ("receivable", "lease") else "direct",
            amount=amount,
            start_date=start,
            maturity_date=maturity,
            payment_frequency=("monthly", "quarterly", "semiannual")[i % 3],
            pd=float(rng.uniform(0.005, 0.03)),
            recovery_rate=0.2,
        )
        if kind == "data_license":
            kw.update(annual_fee=amount / 2.5, escalator=0.03)
        elif kind == "algorithm_service":
            kw.update(subscription_fee=amount / 40, volume=1e6, unit_price=0.01, minimum_fee=1e5)
        elif kind == "data_product":
            kw.update(
                volume=2e7, unit_price=0.0028, volume_growth=0.1, price_decline=0.05, churn=0.05
            )
        elif kind == "revenue_share":
            kw.update(counterparty_revenue=amount * 4, revenue_share=0.1, revenue_growth=0.05)
        else:
            kw.update(rate=0.05, amortization="level" if kind == "lease" else "bullet")
        assets.append(Asset.model_validate(kw))
    return Pool(assets=tuple(assets))


def _deal(pool: Pool, *, periods: int) -> Deal:
    first = D(2026, 4, 28)
    last = D(2026 + (periods - 1 + 3) // 12, (3 + periods - 1) % 12 + 1, 28)
    return Deal(
        name="基准测试",
        pool=pool,
        dates=DealDates(
            cutoff_date=D(2026, 3, 31),
            closing_date=D(2026, 4, 10),
            first_payment_date=first,
            frequency="monthly",
            payment_lag_days=5,
            expected_maturity_date=last,
            legal_maturity_date=last,
        ),
        tranches=(Tranche(name="A", tranche_class="senior", balance=1.0),),
    )


@pytest.mark.benchmark(group="projection")
def test_bench_expected_10k_assets_120_periods(benchmark: Any) -> None:
    deal = _deal(_pool(10_000, years=10), periods=120)
    result = benchmark(project, deal)
    assert result.total.shape == (1, 120)
    assert result.asset_table is not None and len(result.asset_table) == 10_000 * 120


@pytest.mark.benchmark(group="projection")
def test_bench_stochastic_10k_paths_1k_assets_60_periods(benchmark: Any) -> None:
    deal = _deal(_pool(1_000, years=5, seed=1), periods=60)
    tracemalloc.start()
    simulate(deal, n_paths=10_000, seed=2026)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        "\nstochastic 10,000 paths × 1,000 assets × 60 periods: "
        f"peak traced memory {peak / 1e6:.0f} MB"
    )
    benchmark.extra_info["peak_traced_memory_mb"] = round(peak / 1e6, 1)
    result = benchmark.pedantic(
        simulate, args=(deal,), kwargs={"n_paths": 10_000, "seed": 2026}, rounds=3, iterations=1
    )
    assert result.total.shape == (10_000, 60)
    assert peak < 2e9
