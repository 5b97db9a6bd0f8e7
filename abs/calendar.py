"""The deal's payment schedule (兑付日, 计算日/归集日, accrual periods) built with QuantLib.

Rules (``docs/calendar.md``):

* Unadjusted payment dates run from ``first_payment_date`` every ``frequency`` months through
  ``legal_maturity_date`` (so collections after the expected maturity still have periods); each
  is ``first_payment_date + k·months`` (end-of-month rule when the first date is a month end);
  a legal maturity off that grid ends the schedule with a short final period.
* 兑付日 = the unadjusted date rolled by the business-day convention on the deal calendar
  (QuantLib ``China(SSE)`` or ``China(IB)`` plus ``dates.extra_holidays``); with
  ``dates.pay_date_adjustment = unadjusted`` the scheduled (名义) date itself, so interest
  accrues between scheduled dates.
* 计算日/归集日 = 兑付日 minus ``payment_lag_days`` business days. Collection period t covers
  (计算日[t−1], 计算日[t]]; period 1 starts at the cut-off date (封包日).
* Interest accrual period t runs from ``accrual_start[t]`` (设立日 for period 1, the previous
  兑付日 after) to 兑付日[t]; ``year_fractions`` use the deal day count, ``days`` count actual days.

QuantLib 1.44 knows Chinese holidays only through 2026: deals paying after 2026 should list the
announced holidays in ``dates.extra_holidays`` (see :attr:`PaymentSchedule.years_without_holidays`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from abs.deal import DealDates
from abs.enums import (
    BusinessDayConvention,
    CalendarName,
    DayCount,
    Frequency,
    PayDateAdjustment,
)
from abs.errors import ScheduleError
from abs.qladapter.core import ql_errors
from abs.qladapter.schedule import (
    adjust,
    deal_calendar,
    shift_business_days,
    unadjusted_dates,
    year_fractions,
    years_without_holiday_data,
)

FloatArray = npt.NDArray[np.float64]

#: Column names of :meth:`PaymentSchedule.to_frame`.
COL_PERIOD = "期数"
COL_UNADJUSTED = "名义兑付日"
COL_PAYMENT_DATE = "兑付日"
COL_COLLECTION_DATE = "计算日/归集日"
COL_COLLECTION_START = "归集期起始日(不含)"
COL_ACCRUAL_START = "计息起始日"
COL_DAYS = "计息天数"
COL_YEAR_FRACTION = "计息年化因子"

#: Day-count basis of the credit/collection time grid (years from cut-off), independent of the
#: securities' day count: hazard rates and usage volatility are quoted per ACT/365F year.
DAYS_PER_YEAR = 365.0


@dataclass(frozen=True, eq=False)
class PaymentSchedule:
    """A deal's periods: payment, collection and accrual dates with year fractions.

    Attributes
    ----------
    payment_dates : tuple of date
        兑付日 per period, adjusted by the convention on the deal calendar.
    collection_dates : tuple of date
        计算日/归集日 per period: 兑付日 minus ``payment_lag_days`` business days.
    accrual_start : tuple of date
        Start of each accrual period: 设立日 for period 1, the previous 兑付日 after.
    year_fractions : ndarray (T,)
        Accrual year fraction (deal day count) from ``accrual_start`` to 兑付日.
    days : ndarray (T,)
        Actual days of each accrual period.
    unadjusted_dates : tuple of date
        Payment dates before business-day adjustment.
    cutoff_date : date
        初始起算日/封包日: collection period 1 starts after it.
    closing_date : date
        设立日.
    expected_maturity_date : date
        预期到期日 (unadjusted, as in the deal file).
    calendar : CalendarName
    convention : BusinessDayConvention
    day_count : DayCount
    frequency : Frequency
    payment_lag_days : int
    years_without_holidays : tuple of int
        Payment years for which neither QuantLib nor ``extra_holidays`` list any holiday: the
        dates in those years are adjusted for weekends only.
    """

    payment_dates: tuple[dt.date, ...]
    collection_dates: tuple[dt.date, ...]
    accrual_start: tuple[dt.date, ...]
    year_fractions: FloatArray
    days: FloatArray
    unadjusted_dates: tuple[dt.date, ...]
    cutoff_date: dt.date
    closing_date: dt.date
    expected_maturity_date: dt.date
    calendar: CalendarName = CalendarName.SSE
    convention: BusinessDayConvention = BusinessDayConvention.FOLLOWING
    day_count: DayCount = DayCount.ACT_365F
    frequency: Frequency = Frequency.QUARTERLY
    payment_lag_days: int = 10
    years_without_holidays: tuple[int, ...] = field(default=())

    @property
    def period_count(self) -> int:
        """T, the number of periods."""
        return len(self.payment_dates)

    @property
    def collection_start(self) -> tuple[dt.date, ...]:
        """Exclusive start of each collection period: the cut-off, then the previous 计算日."""
        return (self.cutoff_date, *self.collection_dates[:-1])

    @property
    def collection_times(self) -> FloatArray:
        """Years (ACT/365F) from the cut-off to each 计算日: the credit and valuation clock."""
        return np.array(
            [(d - self.cutoff_date).days / DAYS_PER_YEAR for d in self.collection_dates],
            dtype=np.float64,
        )

    @property
    def collection_period_years(self) -> FloatArray:
        """Length of each collection period in years (ACT/365F)."""
        return np.diff(self.collection_times, prepend=0.0)

    @property
    def expected_maturity_index(self) -> int:
        """0-based index of the first period whose 兑付日 is on/after the expected maturity."""
        for i, d in enumerate(self.payment_dates):
            if d >= self.expected_maturity_date:
                return i
        return self.period_count - 1

    def period_of(self, d: dt.date) -> int | None:
        """0-based collection period containing ``d`` (None before the cut-off or after the end)."""
        if d <= self.cutoff_date or d > self.collection_dates[-1]:
            return None
        for i, c in enumerate(self.collection_dates):
            if d <= c:
                return i
        return None  # pragma: no cover - unreachable: d <= last collection date

    def to_frame(self) -> pd.DataFrame:
        """The schedule as a table (one row per period, Chinese headers)."""
        return pd.DataFrame(
            {
                COL_PERIOD: np.arange(1, self.period_count + 1),
                COL_UNADJUSTED: list(self.unadjusted_dates),
                COL_PAYMENT_DATE: list(self.payment_dates),
                COL_COLLECTION_START: list(self.collection_start),
                COL_COLLECTION_DATE: list(self.collection_dates),
                COL_ACCRUAL_START: list(self.accrual_start),
                COL_DAYS: self.days.astype(np.int64),
                COL_YEAR_FRACTION: self.year_fractions,
            }
        )


def build_schedule(dates: DealDates, *, deal_name: str | None = None) -> PaymentSchedule:
    """Build the payment schedule of a deal from its dates section.

    Parameters
    ----------
    dates : DealDates
        The deal's dates and conventions.
    deal_name : str, optional
        Named in error messages.

    Returns
    -------
    PaymentSchedule

    Raises
    ------
    ScheduleError
        If the first 计算日 is not after the cut-off date, payment dates collapse after
        adjustment, or QuantLib rejects the dates (message names the deal and field).

    Examples
    --------
    >>> import datetime as dt
    >>> from abs.deal import DealDates
    >>> s = build_schedule(DealDates(cutoff_date=dt.date(2025, 12, 31),
    ...     closing_date=dt.date(2026, 1, 10), first_payment_date=dt.date(2026, 2, 16),
    ...     expected_maturity_date=dt.date(2026, 8, 16),
    ...     legal_maturity_date=dt.date(2026, 8, 16)))
    >>> s.payment_dates[0]  # 16 Feb 2026 is in the Spring Festival holiday: rolled forward
    datetime.date(2026, 2, 24)
    """
    who = f"deal {deal_name}" if deal_name else "deal"
    context = f"{who}: dates"
    months = dates.frequency.months
    with ql_errors(context):
        cal = deal_calendar(dates.calendar, dates.extra_holidays)
        raw = unadjusted_dates(dates.first_payment_date, dates.legal_maturity_date, months)
        if dates.pay_date_adjustment is PayDateAdjustment.UNADJUSTED:
            pay = list(raw)  # paid and accrued on the scheduled (名义) dates
        else:
            pay = adjust(cal, raw, dates.convention)
        coll = shift_business_days(cal, pay, -dates.payment_lag_days)
    for i in range(1, len(pay)):
        if pay[i] <= pay[i - 1]:
            raise ScheduleError(
                f"{context}: payment dates {raw[i - 1]} and {raw[i]} both adjust to {pay[i]} "
                f"under convention {dates.convention.value}; rule: adjusted 兑付日 must increase"
            )
    if coll[0] <= dates.cutoff_date:
        raise ScheduleError(
            f"{context}.first_payment_date: the first 计算日 {coll[0]} (兑付日 {pay[0]} minus "
            f"{dates.payment_lag_days} business days) is not after cutoff_date "
            f"{dates.cutoff_date}; rule: collection period 1 must start after the cut-off"
        )
    starts = [dates.closing_date, *pay[:-1]]
    with ql_errors(context):
        yf = year_fractions(dates.day_count, starts, pay)
        missing = years_without_holiday_data(
            dates.calendar, {d.year for d in pay} | {d.year for d in coll}, dates.extra_holidays
        )
    days = np.array([(e - s).days for s, e in zip(starts, pay, strict=True)], dtype=np.float64)
    return PaymentSchedule(
        payment_dates=tuple(pay),
        collection_dates=tuple(coll),
        accrual_start=tuple(starts),
        year_fractions=yf,
        days=days,
        unadjusted_dates=tuple(raw),
        cutoff_date=dates.cutoff_date,
        closing_date=dates.closing_date,
        expected_maturity_date=dates.expected_maturity_date,
        calendar=dates.calendar,
        convention=dates.convention,
        day_count=dates.day_count,
        frequency=dates.frequency,
        payment_lag_days=dates.payment_lag_days,
        years_without_holidays=tuple(missing),
    )
