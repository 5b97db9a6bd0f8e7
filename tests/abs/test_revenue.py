"""Contract-cash models of each asset kind, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abs import revenue as rv
from abs.enums import Amortization


def _d(*dates: str) -> np.ndarray:
    return np.array(dates, dtype="datetime64[D]")


def _grid(
    start: str,
    maturity: str,
    months: int,
    cutoff: str,
    collection: tuple[str, ...] = ("2030-12-31",),
) -> rv.ContractGrid:
    return rv.contract_grid(
        start=_d(start),
        maturity=_d(maturity),
        period_months=[months],
        cutoff=np.datetime64(cutoff),
        collection_dates=_d(*collection),
    )


# --- month arithmetic --------------------------------------------------------------------------


def test_add_months_and_months_between() -> None:
    start = _d("2026-01-31", "2026-01-30", "2026-04-30")
    got = rv.add_months(start, np.array([[1, 2], [1, 2], [1, 3]]))
    assert got.tolist() == [
        [np.datetime64("2026-02-28"), np.datetime64("2026-03-31")],  # month end stays month end
        [np.datetime64("2026-02-28"), np.datetime64("2026-03-30")],  # day kept, clamped
        [np.datetime64("2026-05-31"), np.datetime64("2026-07-31")],
    ]
    # 15 Jan -> 30 Apr: 3 whole months to 15 Apr, then 15 of 30 days of Apr 15 -> May 15.
    assert rv.months_between(_d("2026-01-15"), _d("2026-04-30"))[0] == pytest.approx(3.5)
    assert rv.months_between(_d("2026-01-31"), _d("2026-02-28"))[0] == 1.0
    assert rv.months_between(_d("2026-03-15"), _d("2026-01-15"))[0] == -2.0


def test_stepped_integral_by_hand() -> None:
    assert rv.stepped_integral(0.0, 3.0, 2.0) == 7.0  # 1 + 2 + 4
    assert rv.stepped_integral(0.5, 2.5, 2.0) == pytest.approx(0.5 + 2 + 0.5 * 4)
    assert rv.stepped_integral(-2.0, 1.0, 3.0) == 3.0  # level 1 before 0, then 1
    assert rv.stepped_integral(1.2, 1.7, 3.0) == pytest.approx(0.5 * 3)
    assert rv.stepped_integral(0.0, 4.0, 1.0) == 4.0
    assert rv.stepped_integral(0.0, 2.0, 0.0) == 1.0  # ratio 0: only the first unit pays


@settings(max_examples=200, deadline=None)
@given(
    x=st.floats(-3, 20),
    d1=st.floats(0, 10),
    d2=st.floats(0, 10),
    r=st.floats(0.0, 2.0),
)
def test_stepped_integral_is_additive_and_nonnegative(
    x: float, d1: float, d2: float, r: float
) -> None:
    y, z = x + d1, x + d1 + d2
    whole = float(rv.stepped_integral(x, z, r))
    parts = float(rv.stepped_integral(x, y, r)) + float(rv.stepped_integral(y, z, r))
    assert whole >= 0
    assert whole == pytest.approx(parts, rel=1e-9, abs=1e-9)


# --- contract grid -----------------------------------------------------------------------------


def test_contract_grid_keeps_payments_after_cutoff_and_maps_periods() -> None:
    # Quarterly from 2025-07-31 (month end) to 2027-01-31; cut-off 2026-01-15.
    # Payments 31 Oct 2025 (before cut-off: originator's), 31 Jan, 30 Apr, 31 Jul, 31 Oct 2026,
    # 31 Jan 2027. Collection dates 30 Jun and 31 Dec 2026: two periods, the last payment is tail.
    g = _grid("2025-07-31", "2027-01-31", 3, "2026-01-15", ("2026-06-30", "2026-12-31"))
    pays = g.pay_days[g.valid].astype("datetime64[D]").tolist()
    assert [str(p) for p in pays] == [
        "2026-01-31",
        "2026-04-30",
        "2026-07-31",
        "2026-10-31",
        "2027-01-31",
    ]
    assert g.a[0, :5].tolist() == [3, 6, 9, 12, 15]
    assert g.b[0, :5].tolist() == [6, 9, 12, 15, 18]
    assert g.period[0, :5].tolist() == [0, 0, 1, 1, 2]
    assert g.cutoff_month[0] == 5  # 15 Jan 2026 is in contract month 5 (31 Dec -> 31 Jan)
    cash = np.where(g.valid, 1.0, 0.0)
    assert rv.to_periods(g, cash).tolist() == [[2.0, 2.0]]
    assert rv.tail_amount(g, cash).tolist() == [1.0]


def test_contract_grid_once_and_stub() -> None:
    once = _grid("2025-06-01", "2026-06-01", 0, "2026-01-01")
    assert once.payment_count.tolist() == [1]
    assert once.b[0, 0] == 12.0
    stub = _grid("2026-01-01", "2027-03-01", 3, "2025-12-31")
    assert stub.payment_count.tolist() == [5]
    assert stub.window_months[0].tolist() == [3, 3, 3, 3, 2]


# --- licence -----------------------------------------------------------------------------------


def test_three_period_licence_with_escalator() -> None:
    # Licence 1,200,000 元/年, +5% on each anniversary, semi-annual, 18 months from 2026-01-01.
    # Windows (0,6], (6,12], (12,18]: 600,000, 600,000, 1,200,000 × 1.05 / 2 = 630,000.
    g = _grid("2026-01-01", "2027-07-01", 6, "2025-12-31")
    cash = rv.licence_cash(g, annual_fee=[1_200_000.0], escalator=[0.05])
    assert cash[0].tolist() == pytest.approx([600_000.0, 600_000.0, 630_000.0])


def test_licence_window_straddling_an_anniversary() -> None:
    # One payment at maturity after 18 months: 12 months at 100 + 6 months at 100 × 1.1 / 2.
    g = _grid("2026-01-01", "2027-07-01", 0, "2025-12-31")
    cash = rv.licence_cash(g, annual_fee=[100.0], escalator=[0.10])
    assert cash[0, 0] == pytest.approx(100.0 + 55.0)


# --- usage -------------------------------------------------------------------------------------


def _usage_grid() -> rv.ContractGrid:
    # Quarterly from the cut-off 2026-01-15 for 9 months: windows (0,3], (3,6], (6,9].
    return _grid("2026-01-15", "2026-10-15", 3, "2026-01-15")


def test_usage_contract_with_growth_and_price_decline() -> None:
    # 1,000,000 calls/month × 0.01 元 = 10,000 元/month at the cut-off; volume +12%/yr and price
    # −5%/yr compounding monthly: q = (1.12 × 0.95)^(1/12) = 1.064^(1/12) ≈ 1.0051823.
    # Quarter 1 = 10,000 (1 + q + q²); quarter 2 = q³ × quarter 1; quarter 3 = q⁶ × quarter 1.
    q = 1.064 ** (1 / 12)
    q1 = 10_000 * (1 + q + q * q)
    u = rv.usage_cash(
        _usage_grid(),
        volume=[1_000_000.0],
        unit_price=[0.01],
        volume_growth=[0.12],
        price_decline=[0.05],
        churn=[0.0],
        minimum_fee=[0.0],
        fee_cap=[np.inf],
    )
    assert u.cash[0].tolist() == pytest.approx([q1, q1 * q**3, q1 * q**6], rel=1e-12)
    assert q1 == pytest.approx(30_155.8, abs=0.1)
    np.testing.assert_allclose(u.variable, u.cash)  # no minimum: all of it moves with usage


def test_usage_minimum_fee_and_cap() -> None:
    # 10,000/month flat (no growth); churn 100%/yr → q = 0: only the first month pays.
    # Minimum 60,000/yr → 15,000 per quarter floors every quarter; first quarter 10,000 → 15,000.
    u = rv.usage_cash(
        _usage_grid(),
        volume=[1_000_000.0],
        unit_price=[0.01],
        volume_growth=[0.0],
        price_decline=[0.0],
        churn=[1.0],
        minimum_fee=[60_000.0],
        fee_cap=[np.inf],
    )
    assert u.cash[0].tolist() == pytest.approx([15_000.0] * 3)
    assert u.variable[0].tolist() == pytest.approx([0.0] * 3)
    # Cap 100,000/yr → 25,000 a quarter caps a flat 30,000; nothing is variable when capped.
    c = rv.usage_cash(
        _usage_grid(),
        volume=[1_000_000.0],
        unit_price=[0.01],
        volume_growth=[0.0],
        price_decline=[0.0],
        churn=[0.0],
        minimum_fee=[0.0],
        fee_cap=[100_000.0],
    )
    assert c.cash[0].tolist() == pytest.approx([25_000.0] * 3)
    assert c.variable[0].tolist() == [0.0] * 3


def test_algorithm_service_subscription_usage_and_minimum() -> None:
    # 10,000 元/month subscription + 2,000 元/month usage = 36,000 a quarter.
    args = dict(
        subscription_fee=[10_000.0],
        escalator=[0.0],
        volume=[200_000.0],
        unit_price=[0.01],
        volume_growth=[0.0],
        price_decline=[0.0],
        churn=[0.0],
        fee_cap=[np.inf],
    )
    a = rv.algorithm_service_cash(_usage_grid(), minimum_fee=[0.0], **args)  # type: ignore[arg-type]
    assert a.cash[0].tolist() == pytest.approx([36_000.0] * 3)
    assert a.variable[0].tolist() == pytest.approx([6_000.0] * 3)  # only the usage part moves
    # Minimum 150,000/yr = 37,500 a quarter binds.
    b = rv.algorithm_service_cash(_usage_grid(), minimum_fee=[150_000.0], **args)  # type: ignore[arg-type]
    assert b.cash[0].tolist() == pytest.approx([37_500.0] * 3)
    assert b.variable[0].tolist() == pytest.approx([0.0] * 3)


def test_revenue_share() -> None:
    # 12,000,000 元/yr × 10% = 100,000 a month; growth 0 → 300,000 a quarter.
    r = rv.revenue_share_cash(
        _usage_grid(),
        counterparty_revenue=[12_000_000.0],
        share=[0.10],
        revenue_growth=[0.0],
        minimum_fee=[0.0],
        fee_cap=[np.inf],
    )
    assert r.cash[0].tolist() == pytest.approx([300_000.0] * 3)


def test_even_cash_spreads_amount_over_remaining_payments() -> None:
    g = _grid("2025-07-31", "2027-01-31", 3, "2026-01-15")
    cash = rv.even_cash(g, amount=[500.0])
    assert cash[g.valid].tolist() == [100.0] * 5


# --- balance-type assets -----------------------------------------------------------------------


def _four_quarters() -> rv.ContractGrid:
    return _grid("2026-01-01", "2027-01-01", 3, "2025-12-31")


@pytest.mark.parametrize(
    ("method", "interest", "principal"),
    [
        # 1,000,000 at 12%/yr, quarterly: i = 3% a quarter.
        (Amortization.BULLET, [30_000.0] * 4, [0.0, 0.0, 0.0, 1_000_000.0]),
        (
            Amortization.STRAIGHT_LINE,
            [30_000.0, 22_500.0, 15_000.0, 7_500.0],
            [250_000.0] * 4,
        ),
        # Level payment A = 1e6 × 0.03 / (1 − 1.03⁻⁴) = 269,027.0452; principal 1 = A − 30,000;
        # B1 = 760,972.9548; I2 = 3% × B1 = 22,829.1886, P2 = A − I2 = 246,197.8566;
        # B2 = 514,775.0982; I3 = 15,443.2529, P3 = 253,583.7923; B3 = 261,191.3059;
        # I4 = 7,835.7392, P4 = B3.
        (
            Amortization.LEVEL,
            [30_000.0, 22_829.1886, 15_443.2529, 7_835.7392],
            [239_027.0452, 246_197.8566, 253_583.7923, 261_191.3059],
        ),
    ],
)
def test_amortizing_schedules(
    method: Amortization, interest: list[float], principal: list[float]
) -> None:
    am = rv.amortizing_cash(
        _four_quarters(),
        balance=[1_000_000.0],
        rate=[0.12],
        method=np.array([method], dtype=object),
    )
    assert am.interest[0].tolist() == pytest.approx(interest, abs=1e-3)
    assert am.principal[0].tolist() == pytest.approx(principal, abs=1e-3)
    assert am.principal.sum() == pytest.approx(1_000_000.0, abs=1e-6)


def test_receivable_and_lease_defaults() -> None:
    g = _four_quarters()
    rec = rv.receivable_cash(g, balance=[100.0], rate=[0.0])
    assert rec.principal[0].tolist() == [0.0, 0.0, 0.0, 100.0]
    lease = rv.lease_cash(g, balance=[100.0], rate=[0.0])
    assert lease.principal[0].tolist() == pytest.approx([25.0] * 4)
    assert lease.cash.sum() == pytest.approx(100.0)


def test_once_receivable_accrues_over_whole_term() -> None:
    # Bullet, once: 6-month receivable from 2025-10-01 at 6%: interest 1,000,000 × 6% × 6/12.
    g = _grid("2025-10-01", "2026-04-01", 0, "2026-01-01")
    am = rv.receivable_cash(g, balance=[1_000_000.0], rate=[0.06])
    assert am.interest[0, 0] == pytest.approx(30_000.0)
    assert am.principal[0, 0] == 1_000_000.0


@settings(max_examples=80, deadline=None)
@given(
    months=st.sampled_from([0, 1, 2, 3, 6, 12]),
    term_days=st.integers(min_value=40, max_value=2000),
    offset=st.integers(min_value=-400, max_value=300),
    volume=st.floats(0, 1e7),
    growth=st.floats(-0.9, 1.0),
    decline=st.floats(-0.5, 1.0),
    churn=st.floats(0, 1),
    # money in whole fen (分), as tapes carry it: no subnormal floats such as 5e-324
    minimum=st.integers(0, 100_000_000).map(lambda fen: fen / 100),
    cap=st.one_of(st.just(np.inf), st.integers(0, 200_000_000).map(lambda fen: fen / 100)),
    rate=st.floats(0, 0.3),
    method=st.sampled_from(list(Amortization)),
)
def test_models_never_negative_and_respect_floor_cap(
    months: int,
    term_days: int,
    offset: int,
    volume: float,
    growth: float,
    decline: float,
    churn: float,
    minimum: float,
    cap: float,
    rate: float,
    method: Amortization,
) -> None:
    cutoff = np.datetime64("2026-01-15")
    start = cutoff + np.timedelta64(offset, "D")
    maturity = start + np.timedelta64(term_days, "D")
    if maturity <= cutoff:
        maturity = cutoff + np.timedelta64(30, "D")
    g = rv.contract_grid(
        start=np.array([start]),
        maturity=np.array([maturity]),
        period_months=[months],
        cutoff=cutoff,
        collection_dates=_d("2026-06-30", "2027-06-30", "2040-01-01"),
    )
    assert g.payment_count[0] >= 1
    u = rv.usage_cash(
        g,
        volume=[volume],
        unit_price=[0.01],
        volume_growth=[growth],
        price_decline=[decline],
        churn=[churn],
        minimum_fee=[minimum],
        fee_cap=[cap],
    )
    m = g.window_months
    assert np.all(u.cash >= 0)
    assert np.all(u.variable >= 0) and np.all(u.variable <= u.cash + 1e-9)
    if np.isfinite(cap):
        assert np.all(u.cash <= cap * m / 12 + 1e-6)
    am = rv.amortizing_cash(
        g, balance=[1000.0], rate=[rate], method=np.array([method], dtype=object)
    )
    assert np.all(am.interest >= -1e-9) and np.all(am.principal >= -1e-9)
    assert am.principal.sum() == pytest.approx(1000.0)
    assert rv.to_periods(g, am.principal).sum() + rv.tail_amount(g, am.principal).sum() == (
        pytest.approx(1000.0)
    )


def test_revenue_earned_before_the_cutoff_stays_with_the_originator() -> None:
    # Quarterly from 2025-07-31; cut-off 2026-01-15 is 5 + 15/31 contract months in (15 of the 31
    # days of 31 Dec -> 31 Jan). The payment of 31 Jan 2026 bills months (3, 6] but carries only
    # the last 16/31 month: licence 1,200 a year -> 100 × 16/31 = 51.6129; later quarters 300
    # (330 after the first anniversary at month 12).
    g = _grid("2025-07-31", "2027-01-31", 3, "2026-01-15")
    assert g.earned_months[0, :5].tolist() == pytest.approx([16 / 31, 3, 3, 3, 3])
    fee = rv.licence_cash(g, annual_fee=[1_200.0], escalator=[0.1])
    assert fee[0, :5].tolist() == pytest.approx([1600 / 31, 300.0, 300.0, 330.0, 330.0])
    # The minimum fee is prorated to the earned months: 1,200 a year -> 100 × 16/31.
    u = rv.usage_cash(
        g,
        volume=[0.0],
        unit_price=[0.0],
        volume_growth=[0.0],
        price_decline=[0.0],
        churn=[0.0],
        minimum_fee=[1_200.0],
        fee_cap=[np.inf],
    )
    assert u.cash[0, :2].tolist() == pytest.approx([1600 / 31, 300.0])
    # A balance-type asset still collects its whole coupon on that payment.
    am = rv.amortizing_cash(
        g, balance=[1_000.0], rate=[0.12], method=np.array([Amortization.BULLET], dtype=object)
    )
    assert am.interest[0, 0] == pytest.approx(30.0)
