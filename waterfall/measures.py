"""Per-scenario measures accumulated inside the kernel (measures mode).

The definitions are those of the full result (``WaterfallResult`` and
``scenarios.runner.outcome_from_result``; ``docs/analytics.md``), period by period:

* coverage through tranche k (现金流覆盖倍数): available funds / (taxes + fees + interest due of
  the tranches down to k, in deal order), its minimum over the periods those tranches are
  outstanding, and the life-of-deal ratio Σ fresh cash / Σ obligations over the same periods;
  ``_p``: scheduled principal due added to the obligations;
* a missed payment (the "paid in full" test): interest left unpaid or scheduled principal left
  unpaid by more than half a fen (senior and mezzanine), principal lost at the end (all);
* WAL, loss, shortfall, support received, amounts paid; each tranche's cash per period for
  yields and the 次级 IRR.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from waterfall import layout as ly
from waterfall.jit import driver_jit, kernel_jit
from waterfall.layout import (
    BAL,
    DRAW_COM,
    DRAW_GUA,
    DRAW_RES,
    EPS,
    FEE_DUE,
    FEE_PAID,
    HARD_PAID,
    INT_ARR,
    INT_PAID,
    INT_SUP,
    IOI_ARR,
    OPEN_BAL,
    PRIN_SUP,
    RELEASE,
    REPAID_COM,
    REPAID_GUA,
    RESIDUAL,
    SOFT_PAID,
    YIELD_DUE,
    YIELD_PAID,
    YIELD_RAN,
)
from waterfall.params import (
    FV_BALANCE0,
    FV_TIMES,
    I_N_FEES,
    I_N_PERIODS,
    I_N_TRANCHES,
    I_N_TRIGGERS,
    IV_HAS_INTEREST,
    IV_RANK,
    IV_SENIOR_THROUGH,
    fv,
    iv,
    target,
)

FloatArray = npt.NDArray[np.float64]

#: Obligations at or below this count as nothing due (``abs.analytics.COVERAGE_EPS``).
COVERAGE_EPS = 0.005
#: Newton iterations of the yield (``scenarios.runner.YIELD_MAX_ITER``).
YIELD_MAX_ITER = 100
_SUBORDINATED = 2


@kernel_jit
def measure_start(d, o, s, cf):
    """Reset scenario ``s``'s measures."""
    for k in range(d.ip[I_N_TRANCHES]):
        for j in range(ly.N_M):
            o.m[s, k, j] = 0.0
        o.m[s, k, ly.M_MIN_COV] = math.inf
        o.m[s, k, ly.M_MIN_COV_P] = math.inf
        o.first_missed[s, k] = -1
        for t in range(d.ip[I_N_PERIODS]):
            cf[k, t] = 0.0
    for j in range(ly.N_TOT):
        o.totals[s, j] = 0.0
    o.totals[s, ly.T_ACCELERATED] = -1.0
    o.totals[s, ly.T_OUT_OF_BAND] = -1.0
    o.totals[s, ly.T_MIN_SHARE_BP] = 10_000.0
    for k in range(d.ip[I_N_TRIGGERS]):
        o.trig_first[s, k] = -1


@kernel_jit
def _ratio(avail: float, obligations: float) -> float:
    return avail / obligations if obligations > COVERAGE_EPS else math.inf


@kernel_jit
def measure_period(d, o, s, t, rows, acc, total, carry_in, cf):
    """Fold period ``t`` of scenario ``s`` into its measures."""
    avail = total + carry_in + acc[RELEASE]
    fresh = total + acc[RELEASE]
    obl = 0.0
    for f in range(d.ip[I_N_FEES]):
        paid = rows[FEE_PAID, f]
        obl += paid + max(rows[FEE_DUE, f] - paid, 0.0)  # the line's due as full mode keeps it
    obl_p = obl
    sen_obl = obl
    opening = 0.0
    sen_opening = 0.0
    for k in range(d.ip[I_N_TRANCHES]):
        int_short = rows[INT_ARR, k] + rows[IOI_ARR, k] if iv(d, IV_HAS_INTEREST, k) else 0.0
        int_due = rows[INT_PAID, k] + int_short
        tgt = target(d, t, k)
        sched = max(rows[OPEN_BAL, k] - tgt, 0.0) if tgt >= 0.0 else 0.0
        obl += int_due
        obl_p += int_due
        obl_p += sched
        opening += rows[OPEN_BAL, k]
        if iv(d, IV_SENIOR_THROUGH, k):
            sen_obl += int_due
            sen_opening += rows[OPEN_BAL, k]
        m = o.m[s, k]
        if opening > EPS:
            m[ly.M_MIN_COV] = min(m[ly.M_MIN_COV], _ratio(avail, obl))
            m[ly.M_MIN_COV_P] = min(m[ly.M_MIN_COV_P], _ratio(avail, obl_p))
            m[ly.M_LIFE_CASH] += fresh
            m[ly.M_LIFE_OBL] += obl
        prin = rows[HARD_PAID, k] + rows[SOFT_PAID, k]
        missed = int_short > EPS or sched - prin > EPS
        if missed and o.first_missed[s, k] < 0 and iv(d, IV_RANK, k) != _SUBORDINATED:
            o.first_missed[s, k] = t
        m[ly.M_WAL] += prin * fv(d, FV_TIMES, t)
        m[ly.M_WAL_DEN] += prin
        m[ly.M_INT_PAID] += rows[INT_PAID, k]
        m[ly.M_PRIN_PAID] += prin
        m[ly.M_SUPPORT] += rows[INT_SUP, k] + rows[PRIN_SUP, k]
        m[ly.M_SUB_YIELD_PAID] += rows[YIELD_PAID, k]
        m[ly.M_RESIDUAL_PAID] += rows[RESIDUAL, k]
        if rows[YIELD_RAN, k] != 0.0:
            m[ly.M_YIELD_SHORT] += max(rows[YIELD_DUE, k] - rows[YIELD_PAID, k], 0.0)
        cf[k, t] = rows[INT_PAID, k] + prin + rows[YIELD_PAID, k] + rows[RESIDUAL, k]
    if o.coverage.shape[1]:
        o.coverage[s, t] = _ratio(avail, sen_obl) if sen_opening > EPS else math.nan
    tot = o.totals[s]
    tot[ly.T_DRAW_RES] += acc[DRAW_RES]
    tot[ly.T_DRAW_COM] += acc[DRAW_COM]
    tot[ly.T_DRAW_GUA] += acc[DRAW_GUA]
    tot[ly.T_REPAID_COM] += acc[REPAID_COM]
    tot[ly.T_REPAID_GUA] += acc[REPAID_GUA]


@kernel_jit
def measure_settled(d, o, s, t, k, paid, cf):
    """A period of a settled scenario: only tranche ``k`` (−1: none) is paid, as residual."""
    if o.coverage.shape[1]:
        o.coverage[s, t] = math.nan
    if k >= 0:
        o.m[s, k, ly.M_RESIDUAL_PAID] += paid
        cf[k, t] = paid


@kernel_jit
def measure_events(d, o, s, t, latches, accelerated, gap):
    """Triggers, acceleration and the conservation gap of every period."""
    for k in range(d.ip[I_N_TRIGGERS]):
        if latches[k] and o.trig_first[s, k] < 0:
            o.trig_first[s, k] = t
    tot = o.totals[s]
    tot[ly.T_MAX_GAP] = max(tot[ly.T_MAX_GAP], abs(gap))
    if accelerated and tot[ly.T_ACCELERATED] < 0.0:
        tot[ly.T_ACCELERATED] = t


@kernel_jit
def _price_at(cf, k, times, log_base):
    """(Σ CF·(1 + y)^(−τ), its derivative × (1 + y)) for ln(1 + y) = ``log_base``."""
    f = 0.0
    fp = 0.0
    for t in range(cf.shape[1]):
        c = cf[k, t]
        if c != 0.0:
            disc = math.exp(-times[t] * log_base)
            f += c * disc
            fp -= c * times[t] * disc
    return f, fp


@kernel_jit
def yield_at_par(cf, k, times, price):
    """Yield (annual compounding, ACT/365F times) at which row ``k`` of ``cf`` is worth
    ``price``: −1 when there is no cash (everything lost), NaN when no yield in
    (−99.9999%, 10¹²) exists.

    The price is strictly decreasing in the yield: Newton's method from the yield of all the
    cash paid at its cash-weighted time, keeping the bracket the evaluations establish and
    widening up or bisecting whenever a step leaves it; it stops when a step is below 1e-14 of
    the yield (or 1e-14 near zero).
    """
    total = 0.0
    weighted = 0.0
    for t in range(cf.shape[1]):
        total += cf[k, t]
        weighted += cf[k, t] * times[t]
    if price <= 0.0:
        return math.nan
    if not total > EPS:
        return -1.0
    lo, hi = -0.999999, 1e12
    y = 0.03
    if weighted > 0.0:  # the yield of all the cash paid at its cash-weighted time
        y = min(max((total / price) ** (total / weighted) - 1.0, -0.5), 1e6)
    for _ in range(YIELD_MAX_ITER):
        f, fp = _price_at(cf, k, times, math.log1p(y))
        g = f - price
        if g > 0.0:  # worth more than the price: the yield is higher
            lo = y
        else:
            hi = y
        step = g / (fp / (1.0 + y)) if fp != 0.0 else math.nan
        new = y - step
        if not (lo < new < hi):  # outside the bracket (or NaN): widen up, else bisect
            new = min(2.0 * y + 1.0, 1e12) if hi >= 1e12 else 0.5 * (lo + hi)
            step = y - new
        if abs(step) < 1e-14 * max(1.0, abs(new)):  # relative for huge yields
            # at the bracket's lower end: worth less than the price even at −99.9999%
            return math.nan if new <= -0.999999 + 1e-9 else new
        if lo >= 1e12:
            return math.nan  # worth more than the price even at 10¹²
        y = new
    return math.nan


@kernel_jit
def measure_end(d, o, s, rows, acc, cf):
    """Final measures of scenario ``s`` after its last period."""
    last = d.ip[I_N_PERIODS] - 1
    for k in range(d.ip[I_N_TRANCHES]):
        m = o.m[s, k]
        loss = rows[BAL, k]
        m[ly.M_LOSS] = loss
        int_short = rows[INT_ARR, k] + rows[IOI_ARR, k] if iv(d, IV_HAS_INTEREST, k) else 0.0
        m[ly.M_SHORTFALL] = loss + int_short + m[ly.M_YIELD_SHORT]
        if loss > EPS and o.first_missed[s, k] < 0:
            o.first_missed[s, k] = last
        den = m[ly.M_WAL_DEN]
        m[ly.M_WAL] = m[ly.M_WAL] / den if den > 0.0 else math.nan
        obl = m[ly.M_LIFE_OBL]
        m[ly.M_LIFE_COV] = m[ly.M_LIFE_CASH] / obl if obl > COVERAGE_EPS else math.inf
        if o.yields:
            t0 = d.ip[FV_TIMES]
            times = d.fp[t0 : t0 + d.ip[I_N_PERIODS]]
            m[ly.M_YIELD] = yield_at_par(cf, k, times, fv(d, FV_BALANCE0, k))
        row = o.cash_row[k]
        if row >= 0:
            for t in range(d.ip[I_N_PERIODS]):
                o.cash[s, row, t] = cf[k, t]
    o.totals[s, ly.T_CASH_LEFT] = acc[ly.AVAIL]


@driver_jit
def yields_at_par(cash: FloatArray, times: FloatArray, price: float) -> FloatArray:
    """:func:`yield_at_par` of every row of ``cash`` (S, T): the one implementation of the
    yield at par, used by measures mode and by ``scenarios.runner.yields_at_par``."""
    out = np.empty(cash.shape[0])
    for s in range(cash.shape[0]):
        out[s] = yield_at_par(cash, s, times, price)
    return out
