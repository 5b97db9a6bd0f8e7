"""Trustee conventions (deal field ``conventions``, ``dates.pay_date_adjustment``), worked by hand.

Quarterly periods of 91.25 days (year fraction exactly 0.25) unless the test builds its own
schedule.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import waterfall
from abs.calendar import build_schedule
from abs.cashflows import Collections
from abs.deal import Conventions, Deal, DealDates
from tests.waterfall.builders import make_collections, make_deal

QUARTER = 91.25


def _two_seniors(*, rounding: str, leftover: str = "first") -> Deal:
    # B is named first in the steps, so "first" and "largest" (A) differ.
    steps = [
        {"step": "pay_interest", "tranches": ["优先B", "优先A"]},
        {
            "step": "pay_principal",
            "tranches": ["优先B", "优先A"],
            "mode": "pro_rata",
            "turbo": True,
        },
        {"step": "pay_principal", "tranches": ["次级"]},
        {"step": "pay_residual", "tranche": "次级"},
    ]
    return make_deal(
        tranches=[
            {
                "name": "优先A",
                "tranche_class": "senior",
                "balance": 1000.0,
                "coupon": {"rate": 0.037},
            },
            {
                "name": "优先B",
                "tranche_class": "senior",
                "balance": 333.33,
                "coupon": {"rate": 0.037},
            },
            {"name": "次级", "tranche_class": "subordinated", "balance": 100.0},
        ],
        n_periods=3,
        waterfall={"normal": steps, "accelerated": steps},
        conventions={"rounding": rounding, "leftover": leftover},
    )


def test_truncate_to_the_fen_with_odd_fen_of_a_pro_rata_split() -> None:
    deal = _two_seniors(rounding="truncate_fen")
    r = waterfall.run(deal, make_collections([[10.0, 30.0, 2000.0]], days=[QUARTER] * 3))
    # Period 1: interest due A 1000 × 0.037 × 0.25 = 9.25; B 333.33 × 0.00925 = 3.0833025 →
    # 3.08 (truncated). 10.00 shared pro rata: A 9.25 × 10 / 12.33 = 7.5020 → 7.50,
    # B 3.08 × 10 / 12.33 = 2.4979 → 2.49; the fen left over goes to the first line, B: 2.50.
    # Period 2: due A 1.75 + 9.25 = 11.00, B 0.58 + 3.08 = 3.66, paid in full; 15.34 left
    # is turbo principal by balance: A 1000 × 15.34 / 1333.33 = 11.5050 → 11.50,
    # B 3.8349 → 3.83, the fen left over to B: 3.84. Balances A 988.50, B 329.49.
    # Period 3 (last): interest A 988.50 × 0.00925 = 9.143625 → 9.14, B 3.0477825 → 3.04;
    # principal A 988.50 and B 329.49 and 次级 100 in full; residual
    # 2000 − 12.18 − 1317.99 − 100 = 569.83.
    assert r.interest["优先A"].paid[0].tolist() == pytest.approx([7.50, 11.00, 9.14], abs=1e-9)
    assert r.interest["优先B"].paid[0].tolist() == pytest.approx([2.50, 3.66, 3.04], abs=1e-9)
    assert r.interest["优先A"].shortfall[0].tolist() == pytest.approx([1.75, 0, 0], abs=1e-9)
    assert r.interest["优先B"].shortfall[0].tolist() == pytest.approx([0.58, 0, 0], abs=1e-9)
    assert r.principal["优先A"].paid[0].tolist() == pytest.approx([0, 11.50, 988.50], abs=1e-9)
    assert r.principal["优先B"].paid[0].tolist() == pytest.approx([0, 3.84, 329.49], abs=1e-9)
    assert r.residual["次级"][0].tolist() == pytest.approx([0, 0, 569.83], abs=1e-9)
    assert r.conserved


def test_leftover_fen_to_the_largest_line() -> None:
    deal = _two_seniors(rounding="truncate_fen", leftover="largest")
    r = waterfall.run(deal, make_collections([[10.0, 30.0, 2000.0]], days=[QUARTER] * 3))
    # As above, but the fen left over goes to the larger need (A) each time.
    assert r.interest["优先A"].paid[0, 0] == pytest.approx(7.51, abs=1e-9)
    assert r.interest["优先B"].paid[0, 0] == pytest.approx(2.49, abs=1e-9)
    assert r.principal["优先A"].paid[0, 1] == pytest.approx(11.51, abs=1e-9)
    assert r.principal["优先B"].paid[0, 1] == pytest.approx(3.83, abs=1e-9)


def test_half_up_rounds_decimal_halves_up() -> None:
    deal = make_deal(
        tranches=[
            # 1000 × 0.0402 × 0.25 = 10.05 exactly; 201.00 × 0.0201 × 0.25 = 1.010025 → 1.01
            {
                "name": "优先A",
                "tranche_class": "senior",
                "balance": 1000.0,
                "coupon": {"rate": 0.0402},
            },
            {
                "name": "优先B",
                "tranche_class": "senior",
                "balance": 201.0,
                "coupon": {"rate": 0.0201},
            },
        ],
        n_periods=1,
        fees=[
            {"name": "托管费", "fee_type": "percentage", "rate": 0.00402, "base": "total_balance"}
        ],
        conventions={"rounding": "half_up_fen"},
    )
    r = waterfall.run(deal, make_collections([[5000.0]], days=[QUARTER]))
    # 托管费 1201 × 0.00402 × 0.25 = 1.207005 → 1.21 (half up); without rounding 1.207005.
    assert r.fees["托管费"].paid[0, 0] == pytest.approx(1.21, abs=1e-9)
    assert r.interest["优先A"].paid[0, 0] == pytest.approx(10.05, abs=1e-9)
    assert r.interest["优先B"].paid[0, 0] == pytest.approx(1.01, abs=1e-9)
    plain = waterfall.run(
        deal.model_copy(update={"conventions": Conventions()}),
        make_collections([[5000.0]], days=[QUARTER]),
    )
    assert plain.fees["托管费"].paid[0, 0] == pytest.approx(1.207005, abs=1e-12)


def test_interest_on_unpaid_interest_across_three_short_periods() -> None:
    deal = make_deal(
        tranches=[
            {
                "name": "优先A",
                "tranche_class": "senior",
                "balance": 1000.0,
                "coupon": {"rate": 0.04},
            }
        ],
        n_periods=3,
        conventions={"interest_on_unpaid_interest": True},
    )
    r = waterfall.run(deal, make_collections([[4.0, 0.03, 1100.0]], days=[QUARTER] * 3))
    # Interest due each period 1000 × 0.04 × 0.25 = 10.
    # P1: 4 paid, 6 unpaid. P2: IoI 6 × 0.01 = 0.06 due first; 0.03 paid to it → IoI unpaid
    #     0.03; interest 6 + 10 = 16 unpaid. P3: IoI 0.03 + 16 × 0.01 = 0.19 (the unpaid IoI
    #     earns nothing); interest 16 + 10 = 26; both paid; principal 1000; 1100 − 26.19 − 1000
    #     = 73.81 left in the plan.
    ioi = r.interest_on_interest["优先A"]
    assert r.interest["优先A"].due[0].tolist() == pytest.approx([10.0, 16.06, 26.19], abs=1e-12)
    assert r.interest["优先A"].paid[0].tolist() == pytest.approx([4.0, 0.03, 26.19], abs=1e-12)
    assert ioi.paid[0].tolist() == pytest.approx([0.0, 0.03, 0.19], abs=1e-12)
    assert ioi.shortfall[0].tolist() == pytest.approx([0.0, 0.03, 0.0], abs=1e-12)
    assert r.interest["优先A"].shortfall[0].tolist() == pytest.approx([6.0, 16.03, 0.0], abs=1e-12)
    assert r.carried_out[0, -1] == pytest.approx(73.81, abs=1e-9)
    off = waterfall.run(
        deal.model_copy(update={"conventions": Conventions()}),
        make_collections([[4.0, 0.03, 1100.0]], days=[QUARTER] * 3),
    )
    assert off.interest["优先A"].paid[0].tolist() == pytest.approx([4.0, 0.03, 25.97], abs=1e-12)


def _spring_festival(adjustment: str) -> tuple[Deal, Collections]:
    dates = DealDates(
        cutoff_date=dt.date(2025, 12, 31),
        closing_date=dt.date(2026, 1, 10),
        first_payment_date=dt.date(2026, 2, 16),  # 春节 2026: 15–23 Feb
        frequency="monthly",
        expected_maturity_date=dt.date(2026, 4, 16),
        legal_maturity_date=dt.date(2026, 4, 16),
        pay_date_adjustment=adjustment,
    )
    deal = Deal.model_validate(
        {
            "name": "春节测试",
            "dates": dates.model_dump(mode="json"),
            "tranches": [
                {
                    "name": "优先A",
                    "tranche_class": "senior",
                    "balance": 1000.0,
                    "coupon": {"rate": 0.0365},
                    "principal_type": "bullet",  # no principal before maturity
                },
                {"name": "次级", "tranche_class": "subordinated", "balance": 100.0},
            ],
        }
    )
    sch = build_schedule(deal.dates)
    coll = Collections.from_arrays(
        payment_dates=sch.payment_dates,
        accrual_start=sch.accrual_start,
        year_fractions=sch.year_fractions,
        days=sch.days,
        total=[[20.0, 20.0, 1200.0]],
    )
    return deal, coll


def test_unadjusted_pay_dates_over_spring_festival() -> None:
    deal, coll = _spring_festival("unadjusted")
    # Paid on the scheduled 16 Feb although the exchange is shut; accrual 10 Jan → 16 Feb
    # = 37 days: 1000 × 0.0365 × 37 / 365 = 3.70; then 16 Feb → 16 Mar = 28 days: 2.80.
    assert coll.payment_dates == (dt.date(2026, 2, 16), dt.date(2026, 3, 16), dt.date(2026, 4, 16))
    r = waterfall.run(deal, coll)
    assert r.interest["优先A"].paid[0, :2].tolist() == pytest.approx([3.70, 2.80], abs=1e-9)
    deal_adj, coll_adj = _spring_festival("adjusted")
    # Rolled to 24 Feb (first business day after the holiday): 45 days, 4.50; then 20 days.
    assert coll_adj.payment_dates[0] == dt.date(2026, 2, 24)
    r_adj = waterfall.run(deal_adj, coll_adj)
    assert r_adj.interest["优先A"].paid[0, :2].tolist() == pytest.approx([4.50, 2.00], abs=1e-9)
    assert np.isclose(r.interest["优先A"].paid[0].sum(), r_adj.interest["优先A"].paid[0].sum())
