"""The complete example of docs/deal-format.md is a valid deal and runs through the engine."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import waterfall
from abs.calendar import build_schedule
from abs.cashflows import Collections
from abs.io import parse_deal

DOC = Path(__file__).resolve().parents[2] / "docs" / "deal-format.md"


def test_deal_format_example_validates_and_runs() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)\n```", text, re.S)
    assert block is not None
    deal = parse_deal(block.group(1), source="docs/deal-format.md")
    assert deal.waterfall is not None and len(deal.triggers) == 7
    sched = build_schedule(deal.dates)
    n = len(sched.payment_dates)
    total = np.full((2, n), 40e6)
    total[1, :4] = 1e6  # a weak start: the second scenario needs the reserve and 差额支付
    coll = Collections.from_arrays(
        payment_dates=sched.payment_dates,
        accrual_start=sched.accrual_start,
        year_fractions=sched.year_fractions,
        days=sched.days,
        total=total,
        income=total * 0.15,
        forecast=np.full(n, 40e6),
        initial_pool_balance=600e6,
    )
    r = waterfall.run(deal, coll)
    assert r.conserved
    assert r.principal["优先A1"].paid[0].sum() == pytest.approx(200_000_000)
    assert r.draws["shortfall_commitment"][1].sum() > 0
