"""Builders of small deals for the scenario tests (each call returns new immutable objects)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from abs.asset import Asset, Pool
from abs.deal import Deal


def asset(asset_id: str, *, amount: float, data_link: str = "direct", **kw: Any) -> Asset:
    """One asset; a data licence by default, running 2026-01-01 → 2028-12-31."""
    fields: dict[str, Any] = {
        "asset_id": asset_id,
        "obligor": f"obligor-{asset_id}",
        "asset_type": "data_license" if data_link == "direct" else "receivable",
        "data_link": data_link,
        "amount": amount,
        "start_date": dt.date(2026, 1, 1),
        "maturity_date": dt.date(2028, 12, 31),
    }
    fields.update(kw)
    return Asset.model_validate(fields)


def deal_with(pool: Pool | None, **kw: Any) -> Deal:
    """A one-senior, one-sub quarterly deal around ``pool``."""
    data: dict[str, Any] = {
        "name": "test deal",
        "dates": {
            "cutoff_date": "2026-03-31",
            "closing_date": "2026-04-15",
            "first_payment_date": "2026-07-15",
            "frequency": "quarterly",
            "expected_maturity_date": "2027-04-15",
            "legal_maturity_date": "2027-04-15",
        },
        "tranches": [
            {"name": "优先A", "tranche_class": "senior", "balance": 90.0, "coupon": {"rate": 0.02}},
            {"name": "次级", "tranche_class": "subordinated", "balance": 10.0},
        ],
    }
    data.update(kw)
    d = Deal.model_validate(data)
    return d if pool is None else d.model_copy(update={"pool": pool})


def licence_deal(
    *,
    n_assets: int = 10,
    pd: float = 0.03,
    senior: float = 700e6,
    sub: float = 300e6,
    correlation: float = 0.2,
    **kw: Any,
) -> Deal:
    """A data-licence pool paying quarterly (1.0bn a year in total) under a senior/sub deal."""
    pool = Pool(
        assets=tuple(
            asset(
                f"D{i:04d}",
                amount=1.2e9 / n_assets,
                annual_fee=1.0e9 / n_assets,
                pd=pd,
                payment_frequency="quarterly",
                start_date=dt.date(2025, 11, 15),
            )
            for i in range(n_assets)
        )
    )
    tranches = [
        {"name": "优先A", "tranche_class": "senior", "balance": senior, "coupon": {"rate": 0.03}},
        {"name": "次级", "tranche_class": "subordinated", "balance": sub},
    ]
    fields: dict[str, Any] = {
        "tranches": tranches,
        "assumptions": {"asset_correlation": correlation},
    }
    fields.update(kw)
    return deal_with(pool, **fields)


def worker_environment(first_path: int, n_paths: int) -> dict[str, str | None]:
    """A chunk function (for ``run_chunks``) returning the allocator/numba environment."""
    import os

    keys = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "NUMBA_NUM_THREADS")
    return {k: os.environ.get(k) for k in keys}


class Unpickled:
    """Counts, per process, how many times objects of this class were unpickled."""

    count = 0

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __setstate__(self, state: dict[str, Any]) -> None:
        type(self).count += 1
        self.__dict__.update(state)


def unpickled_count(shared: Unpickled, first_path: int, n_paths: int) -> tuple[int, int]:
    """A chunk function: (this process's id, how often ``Unpickled`` objects were unpickled)."""
    import os

    return os.getpid(), Unpickled.count
