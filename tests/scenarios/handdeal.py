"""A hand-computable bullet deal and projectors for it (new objects on every call).

Deal: 优先A 100,000,000 元 senior bullet at 4% (interest 1,000,000 a quarter with year fraction
0.25), 次级 10,000,000 pass-through, no fees, no triggers. Payment order: 优先A interest →
优先A principal → 次级 principal → residual to 次级, kept in the account (转入下一期) while
优先A is outstanding. Base collections per quarter: 2, 2, 2, 150 million.

Under a revenue haircut h every collection is × (1 − h). Interest is met each quarter while
(1 − h)·2m ≥ 1m (h ≤ 0.5). Cash left over is carried, so at the last payment date the account
holds (1 − h)·156m − 3m and must pay 1m interest + 100m principal:
(1 − h)·156 ≥ 104  ⇔  h ≤ 1 − 104/156 = 1/3.  Break-even 临界收入降幅 = 1/3.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from abs.assumptions import Assumptions, Stress
from abs.cashflows import Collections
from abs.deal import Deal

M = 1_000_000.0
DATES = (dt.date(2026, 4, 1), dt.date(2026, 7, 1), dt.date(2026, 10, 1), dt.date(2027, 1, 1))
BASE = np.array([2.0, 2.0, 2.0, 150.0]) * M
#: Exact break-even revenue haircut of 优先A.
HAIRCUT_BREAKEVEN = 1.0 - 104.0 / 156.0


def bullet_deal(**kw: Any) -> Deal:
    """The hand deal (see module docstring)."""
    steps = [
        {"step": "pay_interest", "tranches": ["优先A"]},
        {"step": "pay_principal", "tranches": ["优先A"]},
        {"step": "pay_principal", "tranches": ["次级"]},
        {"step": "pay_residual", "tranche": "次级", "wait_for_seniors": True},
    ]
    data: dict[str, Any] = {
        "name": "hand bullet deal",
        "dates": {
            "cutoff_date": "2025-12-31",
            "closing_date": "2026-01-01",
            "first_payment_date": "2026-04-01",
            "frequency": "quarterly",
            "expected_maturity_date": "2027-01-01",
            "legal_maturity_date": "2027-01-01",
        },
        "tranches": [
            {
                "name": "优先A",
                "tranche_class": "senior",
                "balance": 100 * M,
                "coupon": {"rate": 0.04},
                "principal_type": "bullet",
            },
            {"name": "次级", "tranche_class": "subordinated", "balance": 10 * M},
        ],
        "waterfall": {"normal": steps, "accelerated": steps},
    }
    data.update(kw)
    return Deal.model_validate(data)


def collections(total: Any, defaults: Any = None) -> Collections:
    """Collections on the four quarterly dates (year fraction 0.25 each)."""
    return Collections.from_arrays(
        payment_dates=DATES,
        year_fractions=[0.25] * 4,
        total=total,
        defaults=defaults,
        initial_pool_balance=100 * M,
    )


def haircut_projector(deal: Deal, assumptions: Assumptions | None, stress: Stress) -> Collections:
    """Base collections × (1 − revenue_haircut)."""
    return collections(BASE * (1.0 - stress.revenue_haircut))


def pd_projector(deal: Deal, assumptions: Assumptions | None, stress: Stress) -> Collections:
    """Last-quarter defaults of 12m × PD multiplier, lost from that quarter's collections.

    Cumulative default rate = 12m·m / 100m = 0.12·m. Pass ⇔ 156 − 12m ≥ 104 ⇔ m ≤ 13/3.
    """
    m = stress.pd_multiplier
    lost = np.array([0.0, 0.0, 0.0, 12.0]) * M * m
    return collections(np.maximum(BASE - lost, 0.0), defaults=lost)
