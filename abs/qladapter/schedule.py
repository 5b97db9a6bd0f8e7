"""Payment-schedule primitives on QuantLib: calendars with extra holidays, date generation,
business-day adjustment and shifts, accrual year fractions.

Everything here takes and returns ``datetime.date`` (and numpy arrays for fractions); the
``ql.Date`` objects never leave this module. Callers wrap calls in
:func:`abs.qladapter.core.ql_errors` to turn QuantLib's ``RuntimeError`` into a
:class:`~abs.errors.ScheduleError` with deal context.

QuantLib 1.44's ``China`` calendars list the official holidays (and, for ``IB``, the working
weekends 调休) only through 2026. :func:`years_without_holiday_data` tells which years of a
schedule the calendar knows nothing about, so a deal running past 2026 can list the announced
holidays in ``dates.extra_holidays``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
import QuantLib as ql

from abs.enums import BusinessDayConvention, CalendarName, DayCount
from abs.qladapter.core import (
    calendar,
    convention,
    day_counter,
    from_ql_date,
    to_ql_date,
)

#: A year whose calendar lists fewer weekday holidays than this is treated as unknown to
#: QuantLib (a real Chinese year has about 18; an unknown year only has 1 January).
MIN_WEEKDAY_HOLIDAYS_KNOWN_YEAR = 5


def deal_calendar(name: CalendarName, extra_holidays: Iterable[dt.date] = ()) -> ql.Calendar:
    """QuantLib ``China`` calendar joined with the deal's extra holidays.

    The extra holidays live in a private ``BespokeCalendar`` joined to ``China`` (a day is a
    business day only when it is one in both), so the shared QuantLib ``China`` calendar is never
    modified: two deals with different extra holidays never see each other's dates.

    Parameters
    ----------
    name : CalendarName
        ``sse`` (exchange trading days) or ``ib`` (interbank working days, with 调休 weekends).
    extra_holidays : iterable of date
        Additional non-business days (announced holidays for years QuantLib does not know).

    Returns
    -------
    ql.Calendar
    """
    base = calendar(name)
    extras = sorted(set(extra_holidays))
    if not extras:
        return base
    bespoke = ql.BespokeCalendar("dabs extra holidays")
    for d in extras:
        bespoke.addHoliday(to_ql_date(d))
    return ql.JointCalendar(base, bespoke, ql.JoinHolidays)


def add_months(start: dt.date, months: int, *, end_of_month: bool) -> dt.date:
    """``start`` plus whole ``months`` (QuantLib date arithmetic: the day is clamped to the
    month's length; with ``end_of_month`` the result is the last day of its month)."""
    d = to_ql_date(start) + ql.Period(months, ql.Months)
    if end_of_month:
        d = ql.Date.endOfMonth(d)
    return from_ql_date(d)


def is_month_end(d: dt.date) -> bool:
    """True when ``d`` is the last calendar day of its month."""
    return (d + dt.timedelta(days=1)).day == 1


def unadjusted_dates(first: dt.date, last: dt.date, months: int) -> list[dt.date]:
    """Unadjusted dates from ``first`` every ``months`` months through ``last``.

    Dates are generated forward from ``first`` by whole months (``first + k·months``, each from
    ``first``, never chained, so 31 January → 28 February → 31 March). When ``first`` is a month
    end every date is a month end (end-of-month rule). When ``last`` is not on that grid it is
    appended as a final short period (stub), so the schedule always ends on ``last``.

    Parameters
    ----------
    first : date
        First (unadjusted) date; ``first <= last``.
    last : date
        Final date (legal maturity).
    months : int
        Months between dates (> 0).

    Returns
    -------
    list of date
        Strictly increasing, starting at ``first`` and ending at ``last``.
    """
    if first == last:
        return [first]
    sched = ql.Schedule(
        to_ql_date(first),
        to_ql_date(last),
        ql.Period(months, ql.Months),
        ql.NullCalendar(),
        ql.Unadjusted,
        ql.Unadjusted,
        ql.DateGeneration.Forward,
        is_month_end(first),
    )
    return [from_ql_date(d) for d in sched]


def adjust(
    cal: ql.Calendar, dates: Sequence[dt.date], conv: BusinessDayConvention
) -> list[dt.date]:
    """Roll each date to a business day of ``cal`` by the convention."""
    c = convention(conv)
    return [from_ql_date(cal.adjust(to_ql_date(d), c)) for d in dates]


def shift_business_days(cal: ql.Calendar, dates: Sequence[dt.date], n: int) -> list[dt.date]:
    """Move each date by ``n`` business days of ``cal`` (negative = earlier).

    A date that is itself a holiday is first moved to the business day in the direction of the
    shift, as QuantLib's ``advance`` does.
    """
    return [from_ql_date(cal.advance(to_ql_date(d), ql.Period(n, ql.Days))) for d in dates]


def is_business_day(cal: ql.Calendar, d: dt.date) -> bool:
    """True when ``d`` is a business day of ``cal``."""
    return bool(cal.isBusinessDay(to_ql_date(d)))


def year_fractions(
    dc: DayCount, starts: Sequence[dt.date], ends: Sequence[dt.date]
) -> npt.NDArray[np.float64]:
    """Year fraction of each period ``(starts[i], ends[i]]`` under the day count ``dc``."""
    counter = day_counter(dc)
    return np.array(
        [
            counter.yearFraction(to_ql_date(s), to_ql_date(e))
            for s, e in zip(starts, ends, strict=True)
        ],
        dtype=np.float64,
    )


def years_without_holiday_data(
    name: CalendarName, years: Iterable[int], extra_holidays: Iterable[dt.date] = ()
) -> list[int]:
    """Years among ``years`` for which neither QuantLib nor ``extra_holidays`` list holidays.

    A year counts as known to QuantLib when its ``China`` calendar has at least
    :data:`MIN_WEEKDAY_HOLIDAYS_KNOWN_YEAR` weekday holidays; a year with any extra holiday
    counts as supplied by the deal.
    """
    cal = calendar(name)
    supplied = {d.year for d in extra_holidays}
    missing = []
    for year in sorted(set(years)):
        if year in supplied:
            continue
        hols = cal.holidayList(ql.Date(1, 1, year), ql.Date(31, 12, year), False)
        if len(hols) < MIN_WEEKDAY_HOLIDAYS_KNOWN_YEAR:
            missing.append(year)
    return missing
