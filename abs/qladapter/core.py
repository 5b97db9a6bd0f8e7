"""QuantLib primitives: dates, calendars, conventions, day counters, contexts."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import QuantLib as ql

from abs.enums import BusinessDayConvention, CalendarName, DayCount, Frequency
from abs.errors import DabsError, ScheduleError


def to_ql_date(d: dt.date) -> ql.Date:
    """``datetime.date`` → ``ql.Date``."""
    return ql.Date(d.day, d.month, d.year)


def from_ql_date(d: ql.Date) -> dt.date:
    """``ql.Date`` → ``datetime.date``."""
    return dt.date(d.year(), d.month(), d.dayOfMonth())


def calendar(name: CalendarName) -> ql.Calendar:
    """QuantLib ``China`` calendar: SSE (exchange) or IB (interbank)."""
    market = ql.China.SSE if name is CalendarName.SSE else ql.China.IB
    return ql.China(market)


def convention(conv: BusinessDayConvention) -> int:
    """QuantLib business-day convention constant."""
    table: dict[BusinessDayConvention, int] = {
        BusinessDayConvention.FOLLOWING: ql.Following,
        BusinessDayConvention.MODIFIED_FOLLOWING: ql.ModifiedFollowing,
        BusinessDayConvention.PRECEDING: ql.Preceding,
    }
    return int(table[conv])


def day_counter(dc: DayCount) -> ql.DayCounter:
    """QuantLib day counter for our day-count enum.

    ``a_365`` is Actual/365 with 29 February not counted (the Chinese "A/365" basis);
    ``act_365f`` counts every day; ``act_act`` is ISDA; ``30_360`` is the bond basis.
    """
    if dc is DayCount.ACT_365F:
        return ql.Actual365Fixed()
    if dc is DayCount.A_365:
        return ql.Actual365Fixed(ql.Actual365Fixed.NoLeap)
    if dc is DayCount.ACT_ACT:
        return ql.ActualActual(ql.ActualActual.ISDA)
    if dc is DayCount.A_360:
        return ql.Actual360()
    return ql.Thirty360(ql.Thirty360.BondBasis)


def ql_frequency(freq: Frequency) -> int:
    """QuantLib frequency constant."""
    table: dict[Frequency, int] = {
        Frequency.MONTHLY: ql.Monthly,
        Frequency.BIMONTHLY: ql.Bimonthly,
        Frequency.QUARTERLY: ql.Quarterly,
        Frequency.SEMIANNUAL: ql.Semiannual,
        Frequency.ANNUAL: ql.Annual,
        Frequency.ONCE: ql.Once,
    }
    return int(table[freq])


def year_fraction(dc: DayCount, start: dt.date, end: dt.date) -> float:
    """Year fraction between two dates under ``dc``."""
    return float(day_counter(dc).yearFraction(to_ql_date(start), to_ql_date(end)))


@contextlib.contextmanager
def evaluation_date(d: dt.date) -> Iterator[None]:
    """Set QuantLib's global evaluation date for the block and restore it afterwards."""
    settings = ql.Settings.instance()
    previous = settings.evaluationDate
    settings.evaluationDate = to_ql_date(d)
    try:
        yield
    finally:
        settings.evaluationDate = previous


@contextlib.contextmanager
def ql_errors(context: str, error: type[DabsError] = ScheduleError) -> Iterator[None]:
    """Re-raise QuantLib's bare ``RuntimeError`` as ``error`` naming ``context``."""
    try:
        yield
    except RuntimeError as exc:
        raise error(f"{context}: QuantLib: {exc}") from None
