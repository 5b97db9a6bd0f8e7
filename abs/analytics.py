"""Analytics on cash-flow arrays: WAL, price/yield, duration, IRR/NPV, 现金流覆盖倍数.

Pure functions on numpy arrays and dates; they know nothing of the engine (``abs`` never
imports ``waterfall``). Units: money in yuan, times in years from a start date (ACT/365F),
yields and rates as annual fractions, prices in the same unit as the cash flows (pass the face
amount as the price for "at par"). Arrays of cash flows are (T,) for one stream or (S, T) for
one stream per scenario; functions marked *vectorised* return one value per scenario.

The yield convention is annual compounding ``frequency`` times a year on ACT/365F times::

    price = Σ_i CF_i · (1 + y/f)^(−f·t_i)

which is what QuantLib's ``CashFlows.npv`` computes with ``InterestRate(y, Actual365Fixed,
Compounded, f)``; :mod:`abs.qladapter.bonds` is the QuantLib twin used for cross-checks.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from abs.errors import DabsError, NoYieldError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Obligations below half a fen count as "nothing due" in coverage multiples.
COVERAGE_EPS = 0.005


def _check_frequency(frequency: int) -> None:
    if frequency < 1:
        raise DabsError(
            f"analytics: frequency must be a whole number of periods per year ≥ 1; "
            f"got {frequency!r}"
        )


def year_times(start: dt.date, dates: Sequence[dt.date]) -> FloatArray:
    """Years from ``start`` to each date, ACT/365F.

    Examples
    --------
    >>> year_times(dt.date(2025, 1, 1), [dt.date(2025, 7, 2), dt.date(2026, 1, 1)]).tolist()
    [0.4986301369863014, 1.0]
    """
    return np.array([(d - start).days / 365.0 for d in dates], dtype=np.float64)


def wal(principal: Any, times: Any) -> FloatArray:
    """Weighted average life Σ t·P / Σ P (*vectorised*; NaN where no principal was paid).

    Parameters
    ----------
    principal : array (T,) or (S, T)
        Principal paid per period.
    times : array (T,)
        Years from closing to each payment date.

    Returns
    -------
    ndarray
        Shape () for one stream, (S,) for many.

    Examples
    --------
    >>> float(wal([50.0, 50.0], [1.0, 2.0]))
    1.5
    """
    p = np.asarray(principal, dtype=np.float64)
    t = np.asarray(times, dtype=np.float64)
    tot = p.sum(axis=-1)
    num = (p * t).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, num / np.where(tot > 0, tot, 1.0), np.nan)


def payment_window(
    principal: Any, dates: Sequence[dt.date], *, tol: float = 0.005
) -> tuple[dt.date | None, dt.date | None]:
    """First and last payment date with principal above ``tol`` (None when none)."""
    p = np.asarray(principal, dtype=np.float64)
    idx = np.flatnonzero(p > tol)
    if idx.size == 0:
        return None, None
    return dates[int(idx[0])], dates[int(idx[-1])]


def first_period_above(values: Any, *, tol: float = 0.005) -> npt.NDArray[np.int64]:
    """Index of the first period where ``values`` > ``tol`` (*vectorised*; −1 when never)."""
    v = np.asarray(values, dtype=np.float64)
    hit = v > tol
    first = np.argmax(hit, axis=-1)
    return np.where(hit.any(axis=-1), first, -1).astype(np.int64)


def loss_rate(loss: Any, original_balance: float) -> FloatArray:
    """Principal loss as a fraction of the original balance (*vectorised*)."""
    if original_balance <= 0:
        raise DabsError(
            f"analytics.loss_rate: original_balance must be > 0; got {original_balance}"
        )
    return np.asarray(loss, dtype=np.float64) / original_balance


# -- price, yield, duration (closed form) ------------------------------------------------------


def discount_factors(times: Any, yield_rate: Any, *, frequency: int = 1) -> FloatArray:
    """(1 + y/f)^(−f·t); ``yield_rate`` scalar or (S,) (then the result is (S, T))."""
    _check_frequency(frequency)
    t = np.asarray(times, dtype=np.float64)
    y = np.asarray(yield_rate, dtype=np.float64)
    base = 1.0 + y / frequency
    if y.ndim:
        return np.power(base[:, None], -frequency * t[None, :])
    return np.power(base, -frequency * t)


def price_from_yield(cashflows: Any, times: Any, yield_rate: float, *, frequency: int = 1) -> Any:
    """Present value of ``cashflows`` at ``yield_rate`` (*vectorised* over (S, T) flows).

    Examples
    --------
    >>> round(float(price_from_yield([3.0, 103.0], [1.0, 2.0], 0.03)), 10)
    100.0
    """
    cf = np.asarray(cashflows, dtype=np.float64)
    return (cf * discount_factors(times, yield_rate, frequency=frequency)).sum(axis=-1)


def yield_at_frequency(annual_yield: Any, frequency: int) -> Any:
    """An annually compounded yield restated at ``frequency`` compounding (*vectorised*).

    ``f·((1 + y)^(1/f) − 1)``: the same discount factors, ``(1 + y)^(−t) = (1 + y_f/f)^(−f·t)``,
    so a yield solved with annual compounding and restated here is the yield that
    :func:`yield_from_price` returns at ``frequency``. This is how the engine's measures mode
    (which solves annually) reports yields in the one convention of ``docs/analytics.md``.
    −1 (the engine's "nothing received") stays −1 and NaN stays NaN.

    Examples
    --------
    >>> round(float(yield_at_frequency(0.0221, 4)), 6)
    0.021919
    """
    _check_frequency(frequency)
    y = np.asarray(annual_yield, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        out = np.where(y <= -1.0, y, frequency * (np.power(1.0 + y, 1.0 / frequency) - 1.0))
    return out if out.ndim else float(out)


def yield_from_price(
    cashflows: Any, times: Any, *, price: float, frequency: int = 1, tol: float = 1e-12
) -> float:
    """The yield at which ``cashflows`` are worth ``price``.

    Solved by Brent's method on the bracket (−f·0.999, 10) (−99.9% to 1,000% a year); the price
    is strictly decreasing in the yield for non-negative flows, so the root is unique when it
    exists. A stream with no positive cash flow (a total loss) has no yield: NaN, which tables
    show as "—". Every other failure raises: a yield is never returned unless it reprices.

    Raises
    ------
    NoYieldError
        The flows are positive but no yield in the bracket makes them worth ``price`` (the
        message gives the present value at both ends of the bracket), or the flows are too
        small for float64 to price (a subnormal amount such as 5e-324).
    DabsError
        A non-finite flow, time or price, or ``price <= 0``.

    Examples
    --------
    >>> round(yield_from_price([3.0, 103.0], [1.0, 2.0], price=100.0), 10)
    0.03
    """
    _check_frequency(frequency)
    cf = np.asarray(cashflows, dtype=np.float64)
    t = np.asarray(times, dtype=np.float64)
    if not (math.isfinite(price) and np.all(np.isfinite(cf)) and np.all(np.isfinite(t))):
        raise DabsError(
            f"yield_from_price: price, cash flows and times must be finite numbers; got price "
            f"{price!r}, flows {cf.tolist()[:8]!r}, times {t.tolist()[:8]!r}"
        )
    if price <= 0:
        raise DabsError(f"yield_from_price: price must be > 0; got {price!r}")
    if not np.any(cf > 0):
        return float("nan")
    tiny = np.finfo(np.float64).tiny
    if price < tiny or np.any((cf > 0) & (cf < tiny)):
        raise NoYieldError(
            f"yield_from_price: amounts below {tiny:.3g} (subnormal floats) cannot be priced "
            f"to any precision; got price {price!r}, smallest positive flow "
            f"{float(cf[cf > 0].min())!r}"
        )

    def f(y: float) -> float:
        return float((cf * np.power(1.0 + y / frequency, -frequency * t)).sum()) - price

    lo, hi = -0.999 * frequency, 10.0
    f_lo, f_hi = f(lo), f(hi)
    if not (math.isfinite(f_lo) and math.isfinite(f_hi)) or f_lo * f_hi > 0:
        raise NoYieldError(
            f"yield_from_price: no yield between {lo:g} and {hi:g} makes the flows worth "
            f"{price!r}: they are worth {f_lo + price!r} at {lo:g} and {f_hi + price!r} at {hi:g}"
        )
    from scipy.optimize import brentq  # 0.4 s to import; only this solver needs it

    y = float(brentq(f, lo, hi, xtol=tol, rtol=4 * np.finfo(float).eps, maxiter=200))
    if abs(f(y)) > 1e-9 * price or y in (lo, hi):
        raise NoYieldError(
            f"yield_from_price: the solver stopped at {y!r} where the flows are worth "
            f"{f(y) + price!r}, not {price!r}: no yield reprices them"
        )
    return y


def macaulay_duration(
    cashflows: Any, times: Any, yield_rate: float, *, frequency: int = 1
) -> float:
    """Σ t·CF·DF / Σ CF·DF in years.

    Examples
    --------
    >>> round(macaulay_duration([0.0, 100.0], [1.0, 2.0], 0.05), 12)
    2.0
    """
    cf = np.asarray(cashflows, dtype=np.float64)
    t = np.asarray(times, dtype=np.float64)
    pv = cf * discount_factors(t, yield_rate, frequency=frequency)
    total = float(pv.sum())
    return float((pv * t).sum()) / total if total else float("nan")


def modified_duration(
    cashflows: Any, times: Any, yield_rate: float, *, frequency: int = 1
) -> float:
    """−(dP/dy)/P = Macaulay / (1 + y/f) in years."""
    mac = macaulay_duration(cashflows, times, yield_rate, frequency=frequency)
    return mac / (1.0 + yield_rate / frequency)


def zero_rates_at(times: Any, curve_times: Any, curve_rates: Any) -> FloatArray:
    """Zero rates at ``times``: linear in time between nodes, flat beyond the ends."""
    ct = np.asarray(curve_times, dtype=np.float64)
    cr = np.asarray(curve_rates, dtype=np.float64)
    if ct.ndim != 1 or ct.shape != cr.shape or ct.size == 0:
        raise DabsError(
            f"analytics: curve tenors and rates must be two equal non-empty lists; got "
            f"{ct.shape} tenors and {cr.shape} rates"
        )
    if np.any(np.diff(ct) <= 0):
        raise DabsError(f"analytics: curve tenors must increase strictly; got {ct.tolist()}")
    return np.interp(np.asarray(times, dtype=np.float64), ct, cr)


def curve_discount_factors(
    times: Any, curve_times: Any, curve_rates: Any, *, compounding: str = "continuous"
) -> FloatArray:
    """Discount factors from a zero curve quoted ``continuous`` or ``annual``-compounded.

    Annual quotes z are turned into continuous rates ln(1 + z) at the nodes and interpolated
    linearly in time there (what QuantLib's ``ZeroCurve`` does), so between nodes the factor is
    e^(−r(t)·t); at a node it equals (1 + z)^(−t).
    """
    t = np.asarray(times, dtype=np.float64)
    if compounding == "continuous":
        return np.exp(-zero_rates_at(t, curve_times, curve_rates) * t)
    if compounding == "annual":
        cont = np.log1p(np.asarray(curve_rates, dtype=np.float64))
        return np.exp(-zero_rates_at(t, curve_times, cont) * t)
    raise DabsError(f"analytics: compounding must be 'continuous' or 'annual'; got {compounding!r}")


def price_from_curve(
    cashflows: Any,
    times: Any,
    *,
    curve_times: Any,
    curve_rates: Any,
    compounding: str = "continuous",
) -> Any:
    """Present value of ``cashflows`` on a zero curve (*vectorised* over (S, T) flows)."""
    cf = np.asarray(cashflows, dtype=np.float64)
    df = curve_discount_factors(times, curve_times, curve_rates, compounding=compounding)
    return (cf * df).sum(axis=-1)


# -- IRR and NPV on actual dates -----------------------------------------------------------


def irr(dates: Sequence[dt.date], amounts: Any) -> float:
    """Annual IRR on actual dates (pyxirr ``xirr``, ACT/365); NaN when it does not exist.

    Examples
    --------
    >>> round(irr([dt.date(2025, 1, 1), dt.date(2026, 1, 1)], [-100.0, 110.0]), 10)
    0.1
    """
    import pyxirr

    a = np.asarray(amounts, dtype=np.float64)
    if len(dates) != a.size:
        raise DabsError(f"analytics.irr: {len(dates)} dates for {a.size} amounts")
    if not (np.any(a > 0) and np.any(a < 0)):
        return float("nan")
    value = pyxirr.xirr(list(dates), a.tolist(), silent=True)
    return float("nan") if value is None else float(value)


def npv(rate: float, dates: Sequence[dt.date], amounts: Any) -> float:
    """Net present value at ``rate`` on actual dates, discounted to the first date (ACT/365).

    Examples
    --------
    >>> round(npv(0.1, [dt.date(2025, 1, 1), dt.date(2026, 1, 1)], [-100.0, 110.0]), 10)
    0.0
    """
    a = np.asarray(amounts, dtype=np.float64)
    if len(dates) != a.size:
        raise DabsError(f"analytics.npv: {len(dates)} dates for {a.size} amounts")
    t = year_times(dates[0], dates)
    return float((a * np.power(1.0 + rate, -t)).sum())


# -- 现金流覆盖倍数 ----------------------------------------------------------------------------


def coverage_ratio(available: Any, obligations: Any) -> FloatArray:
    """Available funds / obligations per period (inf where nothing is due)."""
    a = np.asarray(available, dtype=np.float64)
    o = np.asarray(obligations, dtype=np.float64)
    due = o > COVERAGE_EPS
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(due, a / np.where(due, o, 1.0), np.inf)


def min_coverage(available: Any, obligations: Any, *, mask: Any = None) -> FloatArray:
    """Lowest coverage over periods (where ``mask`` is true) (*vectorised*; inf if none due)."""
    ratio = coverage_ratio(available, obligations)
    if mask is not None:
        ratio = np.where(np.asarray(mask, dtype=bool), ratio, np.inf)
    return np.asarray(ratio.min(axis=-1), dtype=np.float64)


def life_coverage(cash: Any, obligations: Any, *, mask: Any = None) -> FloatArray:
    """Life-of-deal coverage Σ cash / Σ obligations (*vectorised*; inf if nothing is due).

    ``cash`` should be fresh cash per period (collections and reserve releases), not available
    funds, so cash carried from one period to the next is not counted twice.
    """
    c = np.asarray(cash, dtype=np.float64)
    o = np.asarray(obligations, dtype=np.float64)
    if mask is not None:
        m = np.asarray(mask, dtype=bool)
        c = np.where(m, c, 0.0)
        o = np.where(m, o, 0.0)
    tot_o = o.sum(axis=-1)
    tot_c = c.sum(axis=-1)
    due = tot_o > COVERAGE_EPS
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(due, tot_c / np.where(due, tot_o, 1.0), np.inf))
