"""Contracted cash of each asset kind, vectorised over assets (合同现金流模型).

Arrays of parameters in (one entry per asset), arrays shaped (assets × contract payments) out
(numpy; the stepped-growth integral is a numba loop), mapped onto the deal's collection periods
with :func:`to_periods` (assets × periods). No credit, no stress, no pydantic here:
:mod:`abs.projection` prepares the parameter arrays (tape value, else the kind's default),
applies the stress factors and the credit model.

Time inside a contract is measured in months since the contract's start date (``s``); a
contract pays at ``start + k·f`` months (``f`` = months per payment period, end-of-month rule
for a month-end start) and on its maturity date; payment ``k`` bills the window
``((k−1)·f, min(k·f, m_mat)]`` of contract months. Only payments dated after the cut-off belong
to the pool. Revenue models carry only the revenue earned after the cut-off (a window that
straddles the cut-off is prorated: revenue earned before it is the originator's); a balance-type
asset's first payment after the cut-off carries its whole coupon (the debt is transferred whole).

Models (formulas in ``docs/projection.md``):

* licence (data_license, ip_license; toll_right with ``annual_fee``): annual fee, stepped up by
  the escalator on each contract anniversary: fee per window = F·∫ (1+e)^⌊s/12⌋ ds / 12.
* usage (data_product; toll_right with volume and unit price): monthly volume × unit price; the
  monthly run-rate is the tape's value in the contract month containing the cut-off and
  multiplies each month by q = ((1+g)(1−δ)(1−c))^(1/12) (volume growth g, price decline δ,
  churn c, all annual); per window the minimum fee floors and the fee cap caps the amount pro
  rata (annual amount × window months / 12).
* algorithm service: monthly subscription (escalator on anniversaries) plus a usage component,
  the minimum fee and cap applying to the sum.
* revenue share: counterparty annual revenue × share / 12 a month, growing by the annual revenue
  growth (monthly compounding) from the cut-off month.
* even: no revenue parameters: ``amount`` spread evenly over the payments after the cut-off.
* amortising (receivable, lease, toll_right without revenue parameters): balance at cut-off,
  annual rate accruing over each window (window months / 12) on the opening balance, principal
  bullet, level (等额本息) or straight line (等额本金).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

from abs.enums import Amortization

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DateArray = npt.NDArray[np.datetime64]

#: Ratios this close to 1 are treated as exactly 1 in geometric sums.
_UNIT_RATIO_TOL = 1e-12
#: Months per year.
MONTHS_PER_YEAR = 12.0
#: Days per year of the valuation and credit clock (ACT/365F).
DAYS_PER_YEAR = 365.0


# --- month arithmetic on numpy dates -----------------------------------------------------------


def _month_parts(d: DateArray) -> tuple[npt.NDArray[np.datetime64], IntArray, BoolArray]:
    """Month (datetime64[M]), day of month (1-based) and month-end flag of each date."""
    d = np.asarray(d, dtype="datetime64[D]")
    month = d.astype("datetime64[M]")
    first = month.astype("datetime64[D]")
    day = (d - first).astype(np.int64) + 1
    month_len = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
    return month, day, day == month_len


def add_months(start: DateArray, months: npt.ArrayLike) -> DateArray:
    """``start + months`` whole months, broadcasting ``start`` (N,) against ``months`` (N, ...).

    The day of month is kept and clamped to the month's length; a month-end start gives month
    ends (end-of-month rule), e.g. 31 Jan + 1 = 28/29 Feb, 30 Apr + 3 = 31 Jul.
    """
    month, day, eom = _month_parts(start)
    m = np.asarray(months, dtype=np.int64)
    extra = (slice(None),) + (np.newaxis,) * max(m.ndim - 1, 0)
    ym = month[extra] + m
    first = ym.astype("datetime64[D]")
    month_len = ((ym + 1).astype("datetime64[D]") - first).astype(np.int64)
    dd = np.where(eom[extra], month_len, np.minimum(day[extra], month_len))
    return np.asarray(first + (dd - 1), dtype="datetime64[D]")


def months_between(start: DateArray, end: DateArray) -> FloatArray:
    """Months from ``start`` to ``end`` (elementwise, may be negative).

    Whole months are counted with :func:`add_months` (so ``months_between(s, add_months(s, w))``
    is exactly ``w``); the remainder is the fraction of the following contract month elapsed,
    in days.
    """
    s = np.asarray(start, dtype="datetime64[D]")
    e = np.asarray(end, dtype="datetime64[D]")
    whole = (e.astype("datetime64[M]") - s.astype("datetime64[M]")).astype(np.int64)
    anchor = add_months(s, whole)
    whole = whole - (anchor > e)
    anchor = add_months(s, whole)
    nxt = add_months(s, whole + 1)
    frac = (e - anchor).astype(np.float64) / (nxt - anchor).astype(np.float64)
    return np.asarray(whole.astype(np.float64) + frac, dtype=np.float64)


def to_day_numbers(dates: DateArray) -> IntArray:
    """Dates as integer days since 1970-01-01."""
    return np.asarray(dates, dtype="datetime64[D]").astype(np.int64)


# --- contract payment windows ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ContractGrid:
    """Each asset's contract payments after the cut-off, mapped onto collection periods.

    Arrays are (N, J): asset × payment number after the cut-off (J = the largest count in the
    group; ``valid`` marks real payments, left-aligned). Window bounds ``a``, ``b`` are in
    months since the contract start.

    Attributes
    ----------
    a, b : ndarray (N, J)
        Billing window (a, b] in contract months (0 where not valid).
    pay_days : ndarray (N, J)
        Payment date as days since 1970-01-01.
    valid : ndarray (N, J)
        True for a contract payment after the cut-off, on or before maturity.
    period : ndarray (N, J)
        0-based collection period of each payment; ``T`` = after the last 计算日 (tail, not
        collected by the deal); ``T + 1`` where not valid.
    years : ndarray (N, J)
        Years (ACT/365F) from the cut-off to each payment date (valuation clock).
    cutoff_position : ndarray (N,)
        Months from the contract start to the cut-off (negative for a contract starting later).
    cutoff_month : ndarray (N,)
        Contract month containing the cut-off (⌊months from start to cut-off⌋, at least 0): the
        month whose run-rate the tape's volume, price and revenue describe.
    term_months : ndarray (N,)
        Months from start to maturity.
    n_periods : int
        T, the number of collection periods.
    """

    a: FloatArray
    b: FloatArray
    pay_days: IntArray
    valid: BoolArray
    period: IntArray
    years: FloatArray
    cutoff_position: FloatArray
    cutoff_month: FloatArray
    term_months: FloatArray
    n_periods: int

    @property
    def n_assets(self) -> int:
        """N."""
        return int(self.a.shape[0])

    @property
    def earned_from(self) -> FloatArray:
        """Start of the revenue each payment carries for the pool: the window start, or the
        cut-off when the window straddles it (revenue earned before the cut-off is the
        originator's)."""
        return np.where(self.valid, np.maximum(self.a, self.cutoff_position[:, None]), 0.0)

    @property
    def earned_months(self) -> FloatArray:
        """Months of revenue each payment carries after the cut-off (0 where not valid)."""
        return np.where(self.valid, np.maximum(self.b - self.earned_from, 0.0), 0.0)

    @property
    def window_months(self) -> FloatArray:
        """Length of each billing window in months (0 where not valid)."""
        return np.where(self.valid, self.b - self.a, 0.0)

    @property
    def payment_count(self) -> IntArray:
        """Number of contract payments after the cut-off, per asset."""
        return np.asarray(self.valid.sum(axis=1), dtype=np.int64)

    @property
    def last_index(self) -> IntArray:
        """Column of each asset's last payment (−1 when it has none)."""
        return self.payment_count - 1


def contract_grid(
    *,
    start: DateArray,
    maturity: DateArray,
    period_months: npt.ArrayLike,
    cutoff: np.datetime64 | dt.date,
    collection_dates: DateArray,
) -> ContractGrid:
    """Contract payment windows after the cut-off, and their collection periods.

    Parameters
    ----------
    start, maturity : ndarray of datetime64[D] (N,)
        Contract start (起始日) and maturity (到期日) of each asset.
    period_months : array of int (N,)
        Months between contract payments; 0 for a single payment at maturity (``once``).
    cutoff : datetime64[D]
        封包日: payments on or before it belong to the originator.
    collection_dates : ndarray of datetime64[D] (T,)
        计算日 of each collection period; period t collects payments in (计算日[t−1], 计算日[t]].

    Returns
    -------
    ContractGrid
    """
    start = np.asarray(start, dtype="datetime64[D]")
    maturity = np.asarray(maturity, dtype="datetime64[D]")
    f = np.asarray(period_months, dtype=np.int64)
    n = start.shape[0]
    cut = np.asarray(cutoff, dtype="datetime64[D]")
    term = months_between(start, maturity)
    pos_c = months_between(start, np.full(n, cut))
    once = f <= 0
    f_safe = np.where(once, 1, f)
    total = np.where(once, 1, np.maximum(np.ceil(term / f_safe - 1e-9), 1)).astype(np.int64)
    first = np.where(pos_c < 0, 1, np.floor(pos_c / f_safe).astype(np.int64) + 1)
    first = np.where(once, np.where(maturity > cut, 1, 2), first)
    count = np.maximum(total - first + 1, 0)
    width = max(int(count.max(initial=0)), 1)
    k = first[:, None] + np.arange(width)[None, :]
    valid = k <= total[:, None]
    k_months = np.where(once[:, None], 0, k * f_safe[:, None])
    a = np.where(once[:, None], 0.0, (k - 1) * f_safe[:, None]).astype(np.float64)
    b = np.where(once[:, None], term[:, None], np.minimum(k_months, term[:, None]))
    is_last = k >= total[:, None]
    regular = add_months(start, np.where(is_last | ~valid, 0, k_months))
    pay = np.where(is_last, maturity[:, None], regular)
    pay_days = to_day_numbers(pay)
    a = np.where(valid, a, 0.0)
    b = np.where(valid, b, 0.0).astype(np.float64)
    coll = to_day_numbers(np.asarray(collection_dates, dtype="datetime64[D]"))
    t = coll.shape[0]
    period = np.searchsorted(coll, pay_days, side="left").astype(np.int64)
    period = np.where(valid, period, t + 1)
    years = np.where(valid, (pay_days - to_day_numbers(cut)) / DAYS_PER_YEAR, 0.0)
    return ContractGrid(
        a=a,
        b=b,
        pay_days=np.where(valid, pay_days, 0),
        valid=valid,
        period=period,
        years=years,
        cutoff_position=pos_c,
        cutoff_month=np.maximum(np.floor(pos_c), 0.0),
        term_months=term,
        n_periods=t,
    )


def to_periods(grid: ContractGrid, values: FloatArray) -> FloatArray:
    """Sum contract-payment values (N, J) into collection periods (N, T); tail cash is dropped.

    Use :func:`tail_amount` for the part paid after the last 计算日.
    """
    n, t = grid.n_assets, grid.n_periods
    rows = np.broadcast_to(np.arange(n)[:, None], grid.period.shape)
    keep = grid.period < t
    flat = rows[keep] * t + grid.period[keep]
    out = np.bincount(flat, weights=np.asarray(values, dtype=np.float64)[keep], minlength=n * t)
    return np.asarray(out, dtype=np.float64).reshape(n, t)


def tail_amount(grid: ContractGrid, values: FloatArray) -> FloatArray:
    """Per asset, the part of ``values`` paid after the last 计算日 (not collected by the deal)."""
    tail = grid.valid & (grid.period == grid.n_periods)
    return np.asarray(np.where(tail, values, 0.0).sum(axis=1), dtype=np.float64)


# --- the stepped-growth integral ---------------------------------------------------------------


@njit(cache=True, nogil=True)
def _stepped(x: FloatArray, y: FloatArray, r: FloatArray, out: FloatArray) -> None:
    """Elementwise body of :func:`stepped_integral` over flat arrays."""
    for i in range(x.shape[0]):
        xa, ya, rr = x[i], y[i], r[i]
        below = max(min(ya, 0.0) - xa, 0.0)
        x1 = max(xa, 0.0)
        y1 = max(ya, 0.0)
        within = 0.0
        if y1 > x1:
            lo = math.ceil(x1)
            hi = math.floor(y1)
            if hi < lo:
                within = (y1 - x1) * rr ** math.floor(x1)
            else:
                head = (lo - x1) * rr ** max(lo - 1.0, 0.0) if lo > x1 else 0.0
                if abs(rr - 1.0) < _UNIT_RATIO_TOL:
                    geo = hi - lo
                else:
                    geo = (rr**hi - rr**lo) / (rr - 1.0)
                within = head + geo + (y1 - hi) * rr**hi
        out[i] = below + within


def stepped_integral(x: npt.ArrayLike, y: npt.ArrayLike, ratio: npt.ArrayLike) -> FloatArray:
    """∫ₓʸ ratio^max(⌊u⌋, 0) du, elementwise (x ≤ y).

    A level that is 1 up to u = 1, then multiplies by ``ratio`` at each whole unit. With u in
    months it is a monthly compounding run-rate; with u in years an annual step-up (escalator).
    Units before 0 stay at level 1.

    Examples
    --------
    >>> float(stepped_integral(0.0, 3.0, 2.0))  # 1 + 2 + 4
    7.0
    >>> float(stepped_integral(-1.0, 0.5, 2.0))  # 1 (before 0) + 0.5
    1.5
    """
    xa, ya, r = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        np.asarray(ratio, dtype=np.float64),
    )
    out = np.empty(xa.shape, dtype=np.float64)
    _stepped(
        np.ascontiguousarray(xa).reshape(-1),
        np.ascontiguousarray(ya).reshape(-1),
        np.ascontiguousarray(r).reshape(-1),
        out.reshape(-1),
    )
    return out


# --- models ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class UsageCash:
    """Contracted cash per payment and the part that moves with usage (shocked by the paths).

    ``variable`` is the cash above the guaranteed minimum that a usage/volume shock scales; it
    is 0 where the fee cap binds.
    """

    cash: FloatArray
    variable: FloatArray


@dataclass(frozen=True, eq=False)
class AmortizingCash:
    """Scheduled interest and principal per payment of a balance-type asset."""

    interest: FloatArray
    principal: FloatArray

    @property
    def cash(self) -> FloatArray:
        """Interest plus principal."""
        return self.interest + self.principal


def _col(v: npt.ArrayLike) -> FloatArray:
    return np.asarray(v, dtype=np.float64).reshape(-1, 1)


def _floor_and_cap(
    grid: ContractGrid,
    gross: FloatArray,
    fixed: FloatArray,
    minimum_fee: FloatArray,
    fee_cap: FloatArray,
) -> UsageCash:
    """Apply the annual minimum and cap pro rata to each window; split off the variable part."""
    months = grid.earned_months
    floor_amt = _col(minimum_fee) * months / MONTHS_PER_YEAR
    cap = _col(fee_cap)
    finite = np.isfinite(cap)
    cap_amt = np.where(finite, np.where(finite, cap, 0.0) * months / MONTHS_PER_YEAR, np.inf)
    cash = np.minimum(np.maximum(gross, floor_amt), cap_amt)
    capped = cash < gross
    guaranteed = np.maximum(floor_amt, fixed)
    variable = np.where(capped, 0.0, np.maximum(cash - guaranteed, 0.0))
    cash = np.where(grid.valid, cash, 0.0)
    return UsageCash(cash=cash, variable=np.where(grid.valid, np.minimum(variable, cash), 0.0))


def _monthly_ratio(*annual_factors: npt.ArrayLike) -> FloatArray:
    prod = np.ones(1, dtype=np.float64)
    for fac in annual_factors:
        prod = prod * np.clip(np.asarray(fac, dtype=np.float64), 0.0, None)
    return np.asarray(prod ** (1.0 / MONTHS_PER_YEAR), dtype=np.float64)


def licence_cash(
    grid: ContractGrid, *, annual_fee: npt.ArrayLike, escalator: npt.ArrayLike
) -> FloatArray:
    """Licence fee per contract payment (数据授权 / 知识产权许可).

    fee = annual_fee · ∫ (1 + escalator)^⌊s/12⌋ ds / 12 over the billing window, s in contract
    months: the fee steps up on each contract anniversary.

    Parameters
    ----------
    grid : ContractGrid
    annual_fee : array (N,)
        Fee of the first contract year (元/年).
    escalator : array (N,)
        Annual step-up on each anniversary (0.03 = +3% a year).

    Returns
    -------
    ndarray (N, J)
    """
    ratio = _col(1.0 + np.asarray(escalator, dtype=np.float64))
    years = stepped_integral(grid.earned_from / MONTHS_PER_YEAR, grid.b / MONTHS_PER_YEAR, ratio)
    return np.where(grid.valid, _col(annual_fee) * years, 0.0)


def usage_cash(
    grid: ContractGrid,
    *,
    volume: npt.ArrayLike,
    unit_price: npt.ArrayLike,
    volume_growth: npt.ArrayLike,
    price_decline: npt.ArrayLike,
    churn: npt.ArrayLike,
    minimum_fee: npt.ArrayLike,
    fee_cap: npt.ArrayLike,
) -> UsageCash:
    """Usage fees per contract payment (数据产品/API 按次计费).

    Monthly run-rate volume × unit_price in the contract month containing the cut-off, times
    q^(months after it) with q = ((1+g)(1−δ)(1−c))^(1/12); per window
    min(max(usage, minimum_fee·m/12), fee_cap·m/12) for a window of m months.

    Parameters
    ----------
    grid : ContractGrid
    volume : array (N,)
        Calls/uses per month at the cut-off (次/月).
    unit_price : array (N,)
        元 per call at the cut-off.
    volume_growth, price_decline, churn : array (N,)
        Annual volume growth, annual unit-price decline, annual churn (share of usage lost).
    minimum_fee : array (N,)
        Guaranteed minimum per year (元/年; 0 = none).
    fee_cap : array (N,)
        Cap per year (元/年; ``inf`` = none).

    Returns
    -------
    UsageCash
    """
    q = _monthly_ratio(
        1.0 + np.asarray(volume_growth, dtype=np.float64),
        1.0 - np.asarray(price_decline, dtype=np.float64),
        1.0 - np.asarray(churn, dtype=np.float64),
    )
    c0 = grid.cutoff_month[:, None]
    run = _col(np.asarray(volume, dtype=np.float64) * np.asarray(unit_price, dtype=np.float64))
    gross = run * stepped_integral(grid.earned_from - c0, grid.b - c0, _col(q))
    zero = np.zeros_like(gross)
    return _floor_and_cap(grid, gross, zero, np.asarray(minimum_fee), np.asarray(fee_cap))


def algorithm_service_cash(
    grid: ContractGrid,
    *,
    subscription_fee: npt.ArrayLike,
    escalator: npt.ArrayLike,
    volume: npt.ArrayLike,
    unit_price: npt.ArrayLike,
    volume_growth: npt.ArrayLike,
    price_decline: npt.ArrayLike,
    churn: npt.ArrayLike,
    minimum_fee: npt.ArrayLike,
    fee_cap: npt.ArrayLike,
) -> UsageCash:
    """Algorithm-service fees per contract payment (算法服务).

    subscription_fee (元/月, stepped up by the escalator on anniversaries) × window months, plus
    a usage component as in :func:`usage_cash`; the annual minimum and cap apply to the sum.
    Only the usage part above the guaranteed level is ``variable``.
    """
    ratio = _col(1.0 + np.asarray(escalator, dtype=np.float64))
    sub = (
        _col(subscription_fee)
        * MONTHS_PER_YEAR
        * stepped_integral(grid.earned_from / MONTHS_PER_YEAR, grid.b / MONTHS_PER_YEAR, ratio)
    )
    use = usage_cash(
        grid,
        volume=volume,
        unit_price=unit_price,
        volume_growth=volume_growth,
        price_decline=price_decline,
        churn=churn,
        minimum_fee=np.zeros(grid.n_assets),
        fee_cap=np.full(grid.n_assets, np.inf),
    )
    return _floor_and_cap(grid, sub + use.cash, sub, np.asarray(minimum_fee), np.asarray(fee_cap))


def revenue_share_cash(
    grid: ContractGrid,
    *,
    counterparty_revenue: npt.ArrayLike,
    share: npt.ArrayLike,
    revenue_growth: npt.ArrayLike,
    minimum_fee: npt.ArrayLike,
    fee_cap: npt.ArrayLike,
) -> UsageCash:
    """Revenue-share receipts per contract payment (收益分成).

    counterparty_revenue (元/年 at the cut-off) × share / 12 a month, growing by
    revenue_growth a year (monthly compounding from the cut-off month); minimum and cap as in
    :func:`usage_cash`. All of it above the minimum is ``variable``.
    """
    q = _monthly_ratio(1.0 + np.asarray(revenue_growth, dtype=np.float64))
    c0 = grid.cutoff_month[:, None]
    run = _col(
        np.asarray(counterparty_revenue, dtype=np.float64)
        * np.asarray(share, dtype=np.float64)
        / MONTHS_PER_YEAR
    )
    gross = run * stepped_integral(grid.earned_from - c0, grid.b - c0, _col(q))
    return _floor_and_cap(
        grid, gross, np.zeros_like(gross), np.asarray(minimum_fee), np.asarray(fee_cap)
    )


def even_cash(grid: ContractGrid, *, amount: npt.ArrayLike) -> FloatArray:
    """``amount`` spread evenly over each asset's payments after the cut-off.

    The fallback for a future-revenue asset whose tape gives no revenue parameters.
    """
    count = np.maximum(grid.payment_count, 1).astype(np.float64)
    return np.where(grid.valid, _col(np.asarray(amount, dtype=np.float64) / count), 0.0)


def amortizing_cash(
    grid: ContractGrid,
    *,
    balance: npt.ArrayLike,
    rate: npt.ArrayLike,
    method: npt.ArrayLike,
) -> AmortizingCash:
    """Interest and principal per contract payment of a balance-type asset.

    Interest of a window = opening balance × rate × window months / 12 (the first window after
    the cut-off accrues from the previous contract date: the pool collects the whole coupon).
    Principal: ``bullet`` all at the last payment; ``straight_line`` (等额本金) balance / n each
    payment; ``level`` (等额本息) the constant payment A = B₀ / Σⱼ 1/Gⱼ with Gⱼ = Πₗ≤ⱼ (1 + iₗ).

    Parameters
    ----------
    grid : ContractGrid
    balance : array (N,)
        Outstanding principal at the cut-off (元).
    rate : array (N,)
        Annual interest rate (fraction).
    method : array of Amortization values (N,)
        ``bullet``, ``level`` or ``straight_line`` per asset.

    Returns
    -------
    AmortizingCash
    """
    b0 = np.asarray(balance, dtype=np.float64)
    meth = np.asarray(method, dtype=object)
    valid = grid.valid
    i = np.where(valid, _col(rate) * grid.window_months / MONTHS_PER_YEAR, 0.0)
    count = grid.payment_count
    n = np.maximum(count, 1).astype(np.float64)
    cols = np.arange(valid.shape[1])[None, :]
    last = cols == grid.last_index[:, None]

    bullet_prin = np.where(last, b0[:, None], 0.0)
    straight_prin = np.where(valid, (b0 / n)[:, None], 0.0)
    growth = np.cumprod(1.0 + i, axis=1)
    inv = np.where(valid, 1.0 / growth, 0.0)
    inv_sum = inv.sum(axis=1)
    payment = np.where(inv_sum > 0, b0 / np.where(inv_sum > 0, inv_sum, 1.0), 0.0)
    level_bal = growth * (b0[:, None] - payment[:, None] * np.cumsum(inv, axis=1))
    level_bal = np.where(valid & ~last, np.maximum(level_bal, 0.0), 0.0)
    opening_level = np.concatenate([b0[:, None], level_bal[:, :-1]], axis=1)
    level_prin = np.where(valid, opening_level - level_bal, 0.0)

    is_level = (meth == Amortization.LEVEL)[:, None]
    is_straight = (meth == Amortization.STRAIGHT_LINE)[:, None]
    principal = np.where(is_level, level_prin, np.where(is_straight, straight_prin, bullet_prin))
    closing = b0[:, None] - np.cumsum(principal, axis=1)
    opening = np.concatenate([b0[:, None], closing[:, :-1]], axis=1)
    interest = np.where(valid, opening * i, 0.0)
    return AmortizingCash(interest=interest, principal=principal)


def receivable_cash(
    grid: ContractGrid,
    *,
    balance: npt.ArrayLike,
    rate: npt.ArrayLike,
    method: npt.ArrayLike | None = None,
) -> AmortizingCash:
    """Receivable (应收账款): :func:`amortizing_cash`, bullet unless ``method`` says otherwise."""
    meth = np.full(grid.n_assets, Amortization.BULLET, dtype=object) if method is None else method
    return amortizing_cash(grid, balance=balance, rate=rate, method=meth)


def lease_cash(
    grid: ContractGrid,
    *,
    balance: npt.ArrayLike,
    rate: npt.ArrayLike,
    method: npt.ArrayLike | None = None,
) -> AmortizingCash:
    """Lease rentals (租赁租金): :func:`amortizing_cash`, level (等额本息) by default."""
    meth = np.full(grid.n_assets, Amortization.LEVEL, dtype=object) if method is None else method
    return amortizing_cash(grid, balance=balance, rate=rate, method=meth)
