"""Revolving purchases in the kernel: what bought assets bring later, idle cash, outputs.

A purchase of ``p`` yuan of class c in period t adds ``p × purchases.total[c, t, a]`` to the
collections of period t + a (income, defaults and pool balance alike): one scenario keeps these
in its ``pend`` rows (:data:`waterfall.layout.PD_TOTAL` …), so the amount bought can depend on
the scenario's own cash. Every function here is a no-op for a static deal except
:func:`pool_inputs`, which also keeps the pool balance the ``turbo_oc`` step and the pool
yield test read.
"""

from __future__ import annotations

import math

from waterfall import layout as ly
from waterfall.jit import kernel_jit
from waterfall.layout import (
    BUDGET,
    BUY0,
    BUY1,
    COUPON,
    DATA,
    EPS,
    FACE0,
    FACE1,
    IDLE,
    IDLE_INT,
    IDLE_REL,
    NEG_CARRY,
    OPEN_BAL,
    PD_BAL,
    PD_DATA,
    PD_DEFAULTS,
    PD_HI,
    PD_INCOME,
    PD_RATE,
    PD_TOTAL,
    POOL,
    POOL_OPEN,
    PRIN_COLL,
    REV_ENDED,
    REV_ON,
    SUP0,
    SUP1,
)
from waterfall.params import (
    F_ACCOUNT_RATE,
    FV_YEAR_FRACTIONS,
    I_BAND_HI,
    I_BAND_LO,
    I_HAS_REVOLVING,
    I_N_PERIODS,
    I_N_TRANCHES,
    I_REV_END,
    I_ROUNDING,
    IV_HAS_INTEREST,
    fv,
    iv,
)
from waterfall.steps._core import round_amount


@kernel_jit
def revolving_ended(d, t, acc, ev):
    """The revolving period is over in period t: t is at or past its end, or 提前摊还事件 is
    on now or was on in an earlier period (a latch that never resets within a scenario, even
    if the trigger behind the event cured)."""
    if ev[ly.EV_EARLY_AMORTISATION]:
        acc[REV_ENDED] = 1.0
    return t >= d.ip[I_REV_END] or acc[REV_ENDED] != 0.0


@kernel_jit
def reset_pending(d, pend):
    """Nothing bought yet; no 循环购买率 recorded (zeroes only the columns the scenario
    before wrote; a fresh array is all zeros)."""
    if d.ip[I_HAS_REVOLVING] == 0:
        return
    hi = int(pend[PD_HI, 0])
    for r in range(PD_HI):
        for t in range(hi):
            pend[r, t] = 0.0
    pend[PD_HI, 0] = 0.0


@kernel_jit
def data_static(x, s, t):
    """Data-linked balance of the initial pool at the end of period t (0 when unknown)."""
    return x.data_balance[s, t] if x.data_balance.shape[1] > 0 else 0.0


@kernel_jit
def pool_inputs(d, x, s, t, pend, acc, total, income, defaults, pool_balance):
    """Period t's collections and pool balance with the purchased assets; sets acc[POOL],
    acc[DATA] (before this period's purchases)."""
    if d.ip[I_HAS_REVOLVING] != 0:
        total += pend[PD_TOTAL, t]
        income += pend[PD_INCOME, t]
        defaults += pend[PD_DEFAULTS, t]
        pool_balance += pend[PD_BAL, t]
        acc[DATA] = data_static(x, s, t) + pend[PD_DATA, t]
    acc[POOL] = pool_balance
    return total, income, defaults, pool_balance


@kernel_jit
def start_revolving(d, x, s, t, rows, acc, sec, total, income, on):
    """Release last period's idle cash with its interest (and work out its negative carry);
    load the period's supply; returns the cash it adds to available funds."""
    if d.ip[I_HAS_REVOLVING] == 0:
        return 0.0
    yf = fv(d, FV_YEAR_FRACTIONS, t)
    idle = acc[IDLE]
    acc[IDLE] = 0.0
    acc[IDLE_REL] = idle
    acc[IDLE_INT] = round_amount(d.ip[I_ROUNDING], idle * d.fp[F_ACCOUNT_RATE] * yf)
    wac = 0.0
    if sec > EPS:
        for k in range(d.ip[I_N_TRANCHES]):
            if iv(d, IV_HAS_INTEREST, k):
                wac += rows[COUPON, k] * rows[OPEN_BAL, k]
        wac /= sec
    acc[NEG_CARRY] = idle * wac * yf - acc[IDLE_INT]
    acc[BUY0] = 0.0
    acc[BUY1] = 0.0
    acc[BUDGET] = 0.0
    acc[PRIN_COLL] = max(total - income, 0.0)
    acc[REV_ON] = 1.0 if on else 0.0
    g = x.p_group[s]
    acc[SUP0] = x.p_supply[g, 0, t]
    acc[SUP1] = x.p_supply[g, 1, t]
    acc[FACE0] = x.p_balance[g, 0, t, 0]
    acc[FACE1] = x.p_balance[g, 1, t, 0]
    return idle + acc[IDLE_INT]


@kernel_jit
def book_purchases(d, x, s, t, acc, pend):
    """After the steps: what this period's purchases bring in later periods, its 循环购买率,
    and the pool balance the next period opens with."""
    acc[POOL_OPEN] = acc[POOL]
    if d.ip[I_HAS_REVOLVING] == 0:
        return
    p0, p1 = acc[BUY0], acc[BUY1]
    t_count = d.ip[I_N_PERIODS]
    if acc[REV_ON] != 0.0 and acc[BUDGET] > EPS:
        pend[PD_RATE, t] = 1.0 + (p0 + p1) / acc[BUDGET]
        pend[PD_HI, 0] = max(pend[PD_HI, 0], t + 1.0)
    if not p0 + p1 > 0.0:
        return
    g = x.p_group[s]
    tot, inc, dfl, bal = x.p_total[g], x.p_income[g], x.p_defaults[g], x.p_balance[g]
    pend[PD_HI, 0] = max(pend[PD_HI, 0], min(t + tot.shape[2], t_count) * 1.0)
    for a in range(1, tot.shape[2]):
        u = t + a
        if u >= t_count:
            break
        pend[PD_TOTAL, u] += p0 * tot[0, t, a] + p1 * tot[1, t, a]
        pend[PD_INCOME, u] += p0 * inc[0, t, a] + p1 * inc[1, t, a]
        pend[PD_DEFAULTS, u] += p0 * dfl[0, t, a] + p1 * dfl[1, t, a]
        data = p1 * bal[1, t, a]
        pend[PD_BAL, u] += p0 * bal[0, t, a] + data
        pend[PD_DATA, u] += data


@kernel_jit
def cash_out(acc):
    """Cash the revolve steps took out of available funds: purchases and idle cash kept."""
    return acc[BUY0] + acc[BUY1] + acc[IDLE]


@kernel_jit
def out_of_band(d, acc):
    """The data-linked share after the purchases is outside the issued kind's band (fen)."""
    pool = math.floor(acc[POOL] * 100.0 + 0.5)
    data = math.floor(acc[DATA] * 100.0 + 0.5)
    if pool <= 0:
        return False
    data = min(max(data, 0), pool)
    return 100 * data < d.ip[I_BAND_LO] * pool or 100 * data >= d.ip[I_BAND_HI] * pool


@kernel_jit
def share_bp(acc):
    """Data-linked share after the purchases, in basis points (floor; 10,000 when empty)."""
    pool = math.floor(acc[POOL] * 100.0 + 0.5)
    data = math.floor(acc[DATA] * 100.0 + 0.5)
    if pool <= 0:
        return 10_000
    return (10_000 * min(max(data, 0), pool)) // pool


@kernel_jit
def put(lines, row, t, s, v):
    if v != 0.0:
        lines[row, t, s] = v


@kernel_jit
def write_revolving(d, s, t, acc, pend, lines, off):
    """Full mode: the revolving lines of period t."""
    if d.ip[I_HAS_REVOLVING] == 0:
        return
    put(lines, off[ly.LN_PURCHASE], t, s, acc[BUY0])
    put(lines, off[ly.LN_PURCHASE] + 1, t, s, acc[BUY1])
    put(lines, off[ly.LN_IDLE], t, s, acc[IDLE])
    put(lines, off[ly.LN_IDLE_INT], t, s, acc[IDLE_INT])
    put(lines, off[ly.LN_NEG_CARRY], t, s, acc[NEG_CARRY])
    put(lines, off[ly.LN_BUDGET], t, s, acc[BUDGET])
    put(lines, off[ly.LN_POOL], t, s, acc[POOL])
    put(lines, off[ly.LN_DATA], t, s, acc[DATA])
    put(lines, off[ly.LN_PCOLL], t, s, pend[PD_TOTAL, t])
    put(lines, off[ly.LN_PINC], t, s, pend[PD_INCOME, t])
    put(lines, off[ly.LN_PDEF], t, s, pend[PD_DEFAULTS, t])
    put(lines, off[ly.LN_REV_ON], t, s, acc[REV_ON])


@kernel_jit
def settled_revolving(d, x, o, s, t, pend):
    """Full mode, a settled period: what purchased assets still bring, and the pool."""
    if d.ip[I_HAS_REVOLVING] == 0 or not o.full:
        return
    lines, off = o.lines, o.off
    put(lines, off[ly.LN_POOL], t, s, x.pool_balance[s, t] + pend[PD_BAL, t])
    put(lines, off[ly.LN_DATA], t, s, data_static(x, s, t) + pend[PD_DATA, t])
    put(lines, off[ly.LN_PCOLL], t, s, pend[PD_TOTAL, t])
    put(lines, off[ly.LN_PINC], t, s, pend[PD_INCOME, t])
    put(lines, off[ly.LN_PDEF], t, s, pend[PD_DEFAULTS, t])


@kernel_jit
def measure_revolving(d, o, s, acc, t, alive):
    """Measures mode: purchases, idle cost and the kind band of period t."""
    if d.ip[I_HAS_REVOLVING] == 0:
        return
    tot = o.totals[s]
    tot[ly.T_PURCHASED] += acc[BUY0] + acc[BUY1]
    tot[ly.T_IDLE_INT] += acc[IDLE_INT]
    tot[ly.T_NEG_CARRY] += acc[NEG_CARRY]
    if alive:
        tot[ly.T_MIN_SHARE_BP] = min(tot[ly.T_MIN_SHARE_BP], share_bp(acc))
        if tot[ly.T_OUT_OF_BAND] < 0.0 and out_of_band(d, acc):
            tot[ly.T_OUT_OF_BAND] = t
