"""Deals of the projection, Monte Carlo and dashboard benchmarks (synthetic, reproducible).

Written against the public API only, so the same file also runs on the tree before the pool
model (issue 13) to measure the "before" column of ``docs/projection.md`` in the same session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from abs.asset import Asset, Pool
from abs.deal import Deal, DealDates, Tranche

D = dt.date
KINDS = (
    "data_license",
    "algorithm_service",
    "data_product",
    "revenue_share",
    "receivable",
    "lease",
)


def bench_pool(n: int, *, years: int, seed: int = 0) -> Pool:
    """``n`` assets of six kinds, each with its own PD, maturities spread over ``years``."""
    rng = np.random.default_rng(seed)
    assets = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
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


def _dates(periods: int) -> DealDates:
    first = D(2026, 4, 28)
    last = D(2026 + (periods - 1 + 3) // 12, (3 + periods - 1) % 12 + 1, 28)
    return DealDates(
        cutoff_date=D(2026, 3, 31),
        closing_date=D(2026, 4, 10),
        first_payment_date=first,
        frequency="monthly",
        payment_lag_days=5,
        expected_maturity_date=last,
        legal_maturity_date=last,
    )


def bench_deal(pool: Pool, *, periods: int) -> Deal:
    """A monthly deal of ``periods`` periods around ``pool`` with a token tranche (projection)."""
    return Deal(
        name="基准测试",
        pool=pool,
        dates=_dates(periods),
        tranches=(Tranche(name="A", tranche_class="senior", balance=1.0),),
    )


def mc_deal(n_assets: int, *, periods: int = 60, seed: int = 1) -> Deal:
    """The Monte Carlo deal: ``n_assets`` of :func:`bench_pool` over 5 years, monthly, with the
    qingdao-pure fees, reserve, 差额支付 and triggers and a 70/15/10 senior/mezzanine/次级 split
    of the pool's 入池金额 (usage volatility 25%, asset correlation 20%)."""
    from abs.io import load_deal

    pool = bench_pool(n_assets, years=5, seed=seed)
    total = pool.total_amount
    q = load_deal("qingdao-pure", with_pool=False)
    data = q.model_dump(mode="json", exclude={"pool", "tape"})
    data["name"] = f"蒙特卡洛基准 {n_assets} assets"
    data["dates"] = _dates(periods).model_dump(mode="json")
    data["tranches"] = [
        {
            "name": "优先A",
            "tranche_class": "senior",
            "balance": round(total * 0.70, 2),
            "coupon": {"coupon_type": "fixed", "rate": 0.025},
            "principal_type": "pass_through",
        },
        {
            "name": "优先B",
            "tranche_class": "mezzanine",
            "balance": round(total * 0.15, 2),
            "coupon": {"coupon_type": "fixed", "rate": 0.035},
            "principal_type": "pass_through",
        },
        {
            "name": "次级",
            "tranche_class": "subordinated",
            "balance": round(total * 0.10, 2),
            "period_yield": 0.03,
            "principal_type": "pass_through",
        },
    ]
    data["assumptions"] = {"asset_correlation": 0.2, "usage_volatility": 0.25}
    return Deal.model_validate(data).model_copy(update={"pool": pool})


def big_qingdao(n: int = 10_000) -> Deal:
    """qingdao-pure with its 60 assets repeated to ``n`` (amounts and fees scaled by 60/n, so
    the pool, its cash and the tranches keep their size)."""
    from abs.io import load_deal

    q = load_deal("qingdao-pure")
    assert q.pool is not None
    src = q.pool.assets
    k = n / len(src)
    scaled = ("annual_fee", "subscription_fee", "volume", "minimum_fee", "counterparty_revenue")
    assets = []
    for i in range(n):
        a = src[i % len(src)]
        upd: dict[str, Any] = {
            "asset_id": f"{a.asset_id}-{i:05d}",
            "amount": round(a.amount / k, 2),
        }
        for f in (*scaled, "appraised_value"):
            v = getattr(a, f)
            if v is not None:
                upd[f] = v / k
        assets.append(a.model_copy(update=upd))
    return q.model_copy(update={"pool": Pool(assets=tuple(assets)), "tape": None})
