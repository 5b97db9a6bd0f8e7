"""QuantLib bond maths on a cash-flow stream (dates and amounts).

These are the QuantLib twins of the closed-form functions in :mod:`abs.analytics`; tests check
that both agree. Conventions: yields compound ``frequency`` times a year on the deal's day
count (ACT/365F by default) from the settlement date; prices are in the unit of the amounts
(pass the face amount as price for "at par"); curves are zero curves (linear in zero rates,
flat beyond the first and last node) or a flat forward rate. Every QuantLib failure is
re-raised as :class:`~abs.errors.DabsError` naming the function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import QuantLib as ql

from abs.enums import DayCount
from abs.errors import DabsError
from abs.qladapter.core import day_counter, evaluation_date, ql_errors, to_ql_date

#: QuantLib compounding per the names used in :mod:`abs.analytics`.
_COMPOUNDING = {"continuous": ql.Continuous, "annual": ql.Compounded}
#: The last curve node is repeated this many years out so that nothing is extrapolated.
_FAR_YEARS = 100


def _leg(dates: Sequence[dt.date], amounts: Sequence[float], settlement: dt.date) -> ql.Leg:
    if len(dates) != len(amounts):
        raise DabsError(f"qladapter.bonds: {len(dates)} dates for {len(amounts)} amounts")
    if not dates:
        raise DabsError("qladapter.bonds: no cash flows")
    early = [d for d in dates if d <= settlement]
    if early:
        raise DabsError(
            f"qladapter.bonds: cash flow on {early[0]} is not after settlement {settlement}"
        )
    return ql.Leg(
        [ql.SimpleCashFlow(float(a), to_ql_date(d)) for d, a in zip(dates, amounts, strict=True)]
    )


def _frequency(frequency: int) -> int:
    table = {1: ql.Annual, 2: ql.Semiannual, 4: ql.Quarterly, 6: ql.Bimonthly, 12: ql.Monthly}
    if frequency not in table:
        raise DabsError(
            f"qladapter.bonds: frequency must be one of {sorted(table)} per year; got {frequency!r}"
        )
    return int(table[frequency])


def _rate(yield_rate: float, frequency: int, day_count: DayCount) -> ql.InterestRate:
    return ql.InterestRate(yield_rate, day_counter(day_count), ql.Compounded, _frequency(frequency))


def price_from_yield(
    *,
    dates: Sequence[dt.date],
    amounts: Sequence[float],
    settlement: dt.date,
    yield_rate: float,
    frequency: int = 1,
    day_count: DayCount = DayCount.ACT_365F,
) -> float:
    """Present value of the flows at ``yield_rate`` (QuantLib ``CashFlows.npv``).

    Examples
    --------
    >>> d = [dt.date(2026, 7, 1), dt.date(2027, 7, 1)]
    >>> round(price_from_yield(dates=d, amounts=[3.0, 103.0], settlement=dt.date(2025, 7, 1),
    ...                        yield_rate=0.03), 8)
    100.0
    """
    leg = _leg(dates, amounts, settlement)
    s = to_ql_date(settlement)
    with evaluation_date(settlement), ql_errors("price_from_yield", DabsError):
        return float(ql.CashFlows.npv(leg, _rate(yield_rate, frequency, day_count), False, s, s))


def yield_from_price(
    *,
    dates: Sequence[dt.date],
    amounts: Sequence[float],
    settlement: dt.date,
    price: float,
    frequency: int = 1,
    day_count: DayCount = DayCount.ACT_365F,
    accuracy: float = 1e-12,
) -> float:
    """The yield at which the flows are worth ``price`` (QuantLib ``CashFlows.yieldRate``)."""
    leg = _leg(dates, amounts, settlement)
    s = to_ql_date(settlement)
    with evaluation_date(settlement), ql_errors("yield_from_price", DabsError):
        return float(
            ql.CashFlows.yieldRate(
                leg,
                float(price),
                day_counter(day_count),
                ql.Compounded,
                _frequency(frequency),
                False,
                s,
                s,
                accuracy,
                200,
                0.03,
            )
        )


def duration(
    *,
    dates: Sequence[dt.date],
    amounts: Sequence[float],
    settlement: dt.date,
    yield_rate: float,
    frequency: int = 1,
    kind: str = "macaulay",
    day_count: DayCount = DayCount.ACT_365F,
) -> float:
    """Macaulay (``kind="macaulay"``) or modified (``"modified"``) duration in years."""
    kinds = {"macaulay": ql.Duration.Macaulay, "modified": ql.Duration.Modified}
    if kind not in kinds:
        raise DabsError(
            f"qladapter.bonds.duration: kind must be macaulay or modified; got {kind!r}"
        )
    leg = _leg(dates, amounts, settlement)
    with evaluation_date(settlement), ql_errors("duration", DabsError):
        return float(
            ql.CashFlows.duration(
                leg,
                _rate(yield_rate, frequency, day_count),
                kinds[kind],
                False,
                to_ql_date(settlement),
            )
        )


def curve_node_dates(settlement: dt.date, tenors: Sequence[float]) -> list[dt.date]:
    """Curve node dates: ``settlement`` plus each tenor (years, rounded to whole months)."""
    out: list[dt.date] = []
    for tenor in tenors:
        months = round(float(tenor) * 12)
        if months <= 0:
            raise DabsError(f"qladapter.bonds: curve tenor must be ≥ 1 month; got {tenor!r} years")
        y, m = divmod(settlement.month - 1 + months, 12)
        year, month = settlement.year + y, m + 1
        day = settlement.day
        while True:
            try:
                out.append(dt.date(year, month, day))
                break
            except ValueError:
                day -= 1  # 31 January + 1 month → 28/29 February
    return out


def price_from_curve(
    *,
    dates: Sequence[dt.date],
    amounts: Sequence[float],
    settlement: dt.date,
    flat_rate: float | None = None,
    tenors: Sequence[float] | None = None,
    rates: Sequence[float] | None = None,
    compounding: str = "continuous",
    day_count: DayCount = DayCount.ACT_365F,
) -> float:
    """Present value on a flat rate or a zero curve (tenors in years, zero rates as fractions).

    The zero curve is linear in zero rates between nodes and flat before the first and after the
    last node (QuantLib ``ZeroCurve`` with ``Linear``; the first rate is placed at settlement and
    the last one repeated far out so that QuantLib never extrapolates).
    """
    if compounding not in _COMPOUNDING:
        raise DabsError(
            f"qladapter.bonds.price_from_curve: compounding must be continuous or annual; "
            f"got {compounding!r}"
        )
    comp = _COMPOUNDING[compounding]
    dc = day_counter(day_count)
    s = to_ql_date(settlement)
    leg = _leg(dates, amounts, settlement)
    with evaluation_date(settlement), ql_errors("price_from_curve", DabsError):
        if flat_rate is not None:
            curve = ql.FlatForward(s, float(flat_rate), dc, comp, ql.Annual)
        else:
            if tenors is None or rates is None or len(tenors) != len(rates) or not tenors:
                raise DabsError(
                    "qladapter.bonds.price_from_curve: give flat_rate, or tenors and rates of "
                    f"equal non-zero length; got {tenors!r} and {rates!r}"
                )
            nodes = curve_node_dates(settlement, tenors)
            far = dt.date(max(nodes[-1], max(dates)).year + _FAR_YEARS, 1, 1)
            q_dates = [s] + [to_ql_date(d) for d in nodes] + [to_ql_date(far)]
            q_rates = [float(rates[0])] + [float(r) for r in rates] + [float(rates[-1])]
            curve = ql.ZeroCurve(
                q_dates, q_rates, dc, ql.NullCalendar(), ql.Linear(), comp, ql.Annual
            )
        return float(ql.CashFlows.npv(leg, ql.YieldTermStructureHandle(curve), False, s, s))
