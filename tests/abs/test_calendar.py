"""Payment schedule: Chinese holidays, conventions, lags, day counts, stubs, errors."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abs.calendar import COL_COLLECTION_DATE, COL_PAYMENT_DATE, build_schedule
from abs.deal import DealDates
from abs.enums import BusinessDayConvention, CalendarName, DayCount
from abs.errors import ScheduleError
from abs.qladapter.schedule import (
    deal_calendar,
    is_business_day,
    unadjusted_dates,
    years_without_holiday_data,
)

D = dt.date


def _dates(**kw: object) -> DealDates:
    base: dict[str, object] = dict(
        cutoff_date=D(2025, 12, 31),
        closing_date=D(2025, 12, 31),
        first_payment_date=D(2026, 2, 16),
        frequency="quarterly",
        payment_lag_days=0,
        expected_maturity_date=D(2026, 8, 16),
        legal_maturity_date=D(2026, 8, 16),
    )
    base.update(kw)
    return DealDates.model_validate(base)


# --- holidays and conventions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "calendar", "convention", "expected"),
    [
        # Spring Festival 2026: 15-23 Feb closed; 16 Feb (Mon) rolls to 24 Feb (Tue).
        (D(2026, 2, 16), "sse", "following", D(2026, 2, 24)),
        (D(2026, 2, 16), "sse", "modified_following", D(2026, 2, 24)),
        # Preceding: back to Fri 13 Feb on the exchange calendar ...
        (D(2026, 2, 16), "sse", "preceding", D(2026, 2, 13)),
        # ... but Sat 14 Feb 2026 is a 调休 working day on the interbank calendar.
        (D(2026, 2, 16), "ib", "preceding", D(2026, 2, 14)),
        # National Day 2025 (1-8 Oct, with Mid-Autumn): 1 Oct rolls to Thu 9 Oct.
        (D(2025, 10, 1), "sse", "following", D(2025, 10, 9)),
        # National Day 2026 (1-7 Oct): 1 Oct rolls to Thu 8 Oct.
        (D(2026, 10, 1), "sse", "following", D(2026, 10, 8)),
        # Sat 31 Jan 2026: following crosses into February, modified following stays in January.
        (D(2026, 1, 31), "sse", "following", D(2026, 2, 2)),
        (D(2026, 1, 31), "sse", "modified_following", D(2026, 1, 30)),
        # Sat 28 Feb 2026 is a working day on IB only.
        (D(2026, 2, 28), "ib", "following", D(2026, 2, 28)),
        (D(2026, 2, 28), "sse", "following", D(2026, 3, 2)),
    ],
)
def test_first_payment_date_adjusted_across_chinese_holidays(
    first: dt.date, calendar: str, convention: str, expected: dt.date
) -> None:
    dates = _dates(
        cutoff_date=D(2025, 9, 1),
        closing_date=D(2025, 9, 1),
        first_payment_date=first,
        calendar=calendar,
        convention=convention,
        expected_maturity_date=first,
        legal_maturity_date=first,
    )
    s = build_schedule(dates)
    assert s.payment_dates == (expected,)
    assert s.unadjusted_dates == (first,)


def test_quarterly_schedule_through_legal_maturity_with_holidays() -> None:
    # first 2025-07-15, quarterly to 2026-10-15 (legal): unadjusted 15 Jul, 15 Oct, 15 Jan,
    # 15 Apr, 15 Jul, 15 Oct. 2025-10-15 is Wed (business). 2026-10-15 is Thu (business).
    dates = _dates(
        cutoff_date=D(2025, 6, 10),
        closing_date=D(2025, 6, 10),
        first_payment_date=D(2025, 7, 15),
        expected_maturity_date=D(2026, 7, 15),
        legal_maturity_date=D(2026, 10, 15),
        payment_lag_days=10,
    )
    s = build_schedule(dates)
    assert s.period_count == 6
    assert s.payment_dates[-1] == D(2026, 10, 15)
    # Expected maturity 2026-07-15 is period 5 (index 4); collections continue to legal.
    assert s.expected_maturity_index == 4
    # 10 SSE business days before 15 Oct 2025, skipping National Day 1-8 Oct:
    # 14, 13, 10, 9 Oct, then 30, 29, 26, 25, 24, 23 Sep -> 23 Sep.
    assert s.collection_dates[1] == D(2025, 9, 23)
    assert s.collection_start[0] == D(2025, 6, 10)
    assert s.collection_start[2] == s.collection_dates[1]


def test_interbank_lag_counts_adjusted_working_weekends() -> None:
    # IB works Sun 28 Sep and Sat 11 Oct 2025: 14, 13, 11, 10, 9 Oct, 30, 29, 28, 26, 25 Sep.
    dates = _dates(
        cutoff_date=D(2025, 6, 10),
        closing_date=D(2025, 6, 10),
        first_payment_date=D(2025, 10, 15),
        expected_maturity_date=D(2025, 10, 15),
        legal_maturity_date=D(2025, 10, 15),
        payment_lag_days=10,
        calendar="ib",
    )
    assert build_schedule(dates).collection_dates == (D(2025, 9, 25),)


# --- day counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day_count", "expected"),
    [
        # closing 2027-12-15 -> 2028-03-15 (Wed): 91 actual days (17 in 2027, 74 in 2028, leap).
        (DayCount.ACT_365F, 91 / 365),
        (DayCount.A_365, 90 / 365),  # 29 Feb 2028 not counted
        (DayCount.ACT_ACT, 17 / 365 + 74 / 366),  # ISDA: each year's days over its length
        (DayCount.A_360, 91 / 360),
        (DayCount.THIRTY_360, 90 / 360),  # 360·1 + 30·(3 − 12) + (15 − 15) = 90
    ],
)
def test_year_fraction_under_each_day_count(day_count: DayCount, expected: float) -> None:
    dates = _dates(
        cutoff_date=D(2027, 12, 1),
        closing_date=D(2027, 12, 15),
        first_payment_date=D(2028, 3, 15),
        expected_maturity_date=D(2028, 3, 15),
        legal_maturity_date=D(2028, 3, 15),
        day_count=day_count,
    )
    s = build_schedule(dates)
    assert s.days[0] == 91
    assert s.year_fractions[0] == pytest.approx(expected, abs=1e-12)


def test_accrual_runs_from_closing_then_previous_payment_date() -> None:
    # Spring Festival: period 1 ends 2026-02-24 (adjusted), period 2 starts there.
    s = build_schedule(_dates(closing_date=D(2026, 1, 5)))
    assert s.accrual_start[0] == D(2026, 1, 5)
    assert s.accrual_start[1] == D(2026, 2, 24)
    # 16 May 2026 is Sat -> 18 May; days 24 Feb -> 18 May = 4 + 31 + 30 + 18 = 83.
    assert s.payment_dates[1] == D(2026, 5, 18)
    assert s.days[1] == 83
    assert s.year_fractions[1] == pytest.approx(83 / 365)
    assert s.days[0] == (D(2026, 2, 24) - D(2026, 1, 5)).days


# --- date generation ---------------------------------------------------------------------------


def test_unadjusted_dates_end_of_month_rule_and_stub() -> None:
    # 30 Apr is a month end: every date is a month end.
    assert unadjusted_dates(D(2026, 4, 30), D(2026, 7, 31), 1) == [
        D(2026, 4, 30),
        D(2026, 5, 31),
        D(2026, 6, 30),
        D(2026, 7, 31),
    ]
    # 30 Jan is not: days are kept (clamped in February), each from the first date.
    assert unadjusted_dates(D(2026, 1, 30), D(2026, 3, 30), 1) == [
        D(2026, 1, 30),
        D(2026, 2, 28),
        D(2026, 3, 30),
    ]
    # A legal maturity off the grid ends the schedule with a short last period.
    assert unadjusted_dates(D(2026, 1, 15), D(2026, 8, 1), 3) == [
        D(2026, 1, 15),
        D(2026, 4, 15),
        D(2026, 7, 15),
        D(2026, 8, 1),
    ]
    assert unadjusted_dates(D(2026, 1, 15), D(2026, 1, 15), 3) == [D(2026, 1, 15)]


def test_extra_holidays_roll_dates_and_leave_quantlib_calendar_untouched() -> None:
    # QuantLib 1.44 knows no 2027 Spring Festival: Mon 8 Feb 2027 is a business day to it.
    plain = _dates(
        cutoff_date=D(2026, 12, 1),
        closing_date=D(2026, 12, 1),
        first_payment_date=D(2027, 2, 8),
        expected_maturity_date=D(2027, 2, 8),
        legal_maturity_date=D(2027, 2, 8),
    )
    assert build_schedule(plain).payment_dates == (D(2027, 2, 8),)
    assert build_schedule(plain).years_without_holidays == (2027,)
    extra = plain.model_copy(update={"extra_holidays": (D(2027, 2, 8), D(2027, 2, 9))})
    s = build_schedule(extra)
    assert s.payment_dates == (D(2027, 2, 10),)
    assert s.years_without_holidays == ()
    # The shared China calendar was not modified by the deal's extra holidays.
    assert build_schedule(plain).payment_dates == (D(2027, 2, 8),)
    assert is_business_day(deal_calendar(CalendarName.SSE), D(2027, 2, 8))
    assert not is_business_day(deal_calendar(CalendarName.SSE, [D(2027, 2, 8)]), D(2027, 2, 8))


def test_years_without_holiday_data() -> None:
    assert years_without_holiday_data(CalendarName.SSE, [2025, 2026, 2027, 2028]) == [2027, 2028]
    assert years_without_holiday_data(CalendarName.IB, [2027], [D(2027, 10, 1)]) == []


def test_period_of_and_frame() -> None:
    s = build_schedule(
        _dates(first_payment_date=D(2026, 3, 16), legal_maturity_date=D(2026, 9, 16))
    )
    assert s.period_of(D(2025, 12, 31)) is None
    assert s.period_of(D(2026, 1, 1)) == 0
    assert s.period_of(s.collection_dates[0]) == 0
    assert s.period_of(s.collection_dates[0] + dt.timedelta(days=1)) == 1
    assert s.period_of(D(2030, 1, 1)) is None
    frame = s.to_frame()
    assert list(frame[COL_PAYMENT_DATE]) == list(s.payment_dates)
    assert list(frame[COL_COLLECTION_DATE]) == list(s.collection_dates)
    assert s.collection_period_years.sum() == pytest.approx(s.collection_times[-1])


# --- errors ------------------------------------------------------------------------------------


def test_first_collection_date_must_be_after_cutoff() -> None:
    # 10 SSE business days before Mon 2 Mar 2026: 27, 26, 25, 24 Feb, (Spring Festival 15-23
    # Feb), 13, 12, 11, 10, 9, 6 Feb -> 6 Feb, before the 20 Feb cut-off.
    dates = _dates(
        cutoff_date=D(2026, 2, 20),
        closing_date=D(2026, 2, 21),
        first_payment_date=D(2026, 3, 2),
        payment_lag_days=10,
        expected_maturity_date=D(2026, 3, 2),
        legal_maturity_date=D(2026, 3, 2),
    )
    with pytest.raises(
        ScheduleError,
        match=r"deal 示例: dates\.first_payment_date: the first 计算日 2026-02-06 .* not after "
        r"cutoff_date 2026-02-20",
    ):
        build_schedule(dates, deal_name="示例")


def test_payment_dates_collapsing_after_adjustment_is_an_error() -> None:
    # A whole closed stretch (extra holidays) makes 15 Feb and 15 Mar 2027 both roll to 1 Apr.
    closed = tuple(D(2027, 2, 1) + dt.timedelta(days=i) for i in range(59))
    dates = _dates(
        cutoff_date=D(2026, 12, 1),
        closing_date=D(2026, 12, 1),
        first_payment_date=D(2027, 2, 15),
        frequency="monthly",
        expected_maturity_date=D(2027, 3, 15),
        legal_maturity_date=D(2027, 3, 15),
        extra_holidays=closed,
    )
    with pytest.raises(
        ScheduleError, match=r"payment dates 2027-02-15 and 2027-03-15 both adjust to 2027-04-01"
    ):
        build_schedule(dates)


def test_quantlib_error_is_reraised_with_deal_context() -> None:
    dates = _dates(expected_maturity_date=D(2200, 1, 1), legal_maturity_date=D(2200, 1, 1))
    with pytest.raises(ScheduleError, match=r"deal 测试: dates: QuantLib: .*2200"):
        build_schedule(dates, deal_name="测试")


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    first=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)),
    periods=st.integers(min_value=0, max_value=30),
    freq=st.sampled_from(["monthly", "bimonthly", "quarterly", "semiannual", "annual"]),
    conv=st.sampled_from(list(BusinessDayConvention)),
    cal=st.sampled_from(list(CalendarName)),
    lag=st.integers(min_value=0, max_value=10),
    dc=st.sampled_from(list(DayCount)),
)
def test_schedule_invariants(
    first: dt.date,
    periods: int,
    freq: str,
    conv: BusinessDayConvention,
    cal: CalendarName,
    lag: int,
    dc: DayCount,
) -> None:
    months = {"monthly": 1, "bimonthly": 2, "quarterly": 3, "semiannual": 6, "annual": 12}[freq]
    legal = unadjusted_dates(first, D(2070, 1, 1), months)[periods]
    dates = DealDates(
        cutoff_date=first - dt.timedelta(days=60),
        closing_date=first - dt.timedelta(days=40),
        first_payment_date=first,
        frequency=freq,  # type: ignore[arg-type]
        payment_lag_days=lag,
        expected_maturity_date=legal,
        legal_maturity_date=legal,
        calendar=cal,
        convention=conv,
        day_count=dc,
    )
    s = build_schedule(dates)
    assert s.period_count == periods + 1
    pay = np.array(s.payment_dates, dtype="datetime64[D]")
    coll = np.array(s.collection_dates, dtype="datetime64[D]")
    assert np.all(np.diff(pay).astype(int) > 0)
    assert np.all(coll <= pay)
    assert np.all(np.diff(coll).astype(int) > 0)
    cal_ = deal_calendar(cal)
    assert all(is_business_day(cal_, d) for d in s.payment_dates)
    assert all(is_business_day(cal_, d) for d in s.collection_dates)
    assert np.all(s.year_fractions > 0)
    assert s.days.sum() == (s.payment_dates[-1] - dates.closing_date).days
    assert all(
        abs((p - u).days) <= 12 for p, u in zip(s.payment_dates, s.unadjusted_dates, strict=True)
    )
