"""What a period books: its inputs read and checked, every line written (full mode), the
conservation check, event flags and event measures."""

from __future__ import annotations

import math

from waterfall import layout as ly
from waterfall.jit import (
    kernel_jit,
)
from waterfall.layout import (
    AVAIL,
    BAL,
    CONSERVATION_TOL,
    DEPOSIT,
    DRAW_COM,
    DRAW_GUA,
    DRAW_RES,
    ERR_CODE,
    ERR_CONSERVATION,
    ERR_FIELD,
    ERR_MAX_GAP,
    ERR_NOT_FINITE,
    ERR_PERIOD,
    ERR_VALUE,
    FEE_ARR,
    FEE_PAID,
    HARD_DUE,
    HARD_PAID,
    HAS_TARGET,
    INT_ARR,
    INT_PAID,
    IOI_ARR,
    IOI_PAID,
    RELEASE,
    REPAID_COM,
    REPAID_GUA,
    RESERVE,
    RESIDUAL,
    SOFT_PAID,
    YIELD_DUE,
    YIELD_PAID,
    YIELD_RAN,
)
from waterfall.measures import (
    measure_events,
)
from waterfall.params import (
    I_N_FEES,
    I_N_TRANCHES,
    I_N_TRIGGERS,
    IV_HAS_INTEREST,
    iv,
)


@kernel_jit
def put(lines, row, t, s, v):
    """Write a non-zero value (zeros are already there: untouched memory stays unmapped)."""
    if v != 0.0:
        lines[row, t, s] = v


@kernel_jit
def write_lines(d, s, t, rows, acc, lines, off, balances):
    """Full mode: every line of period ``t`` of scenario ``s``."""
    for f in range(d.ip[I_N_FEES]):
        paid = rows[FEE_PAID, f]
        put(lines, off[ly.LN_FEE_PAID] + f, t, s, paid)
        put(lines, off[ly.LN_FEE_SHORT] + f, t, s, rows[FEE_ARR, f])
        put(lines, off[ly.LN_FEE_SUP] + f, t, s, rows[ly.FEE_SUP, f])
    for k in range(d.ip[I_N_TRANCHES]):
        put(lines, off[ly.LN_INT_PAID] + k, t, s, rows[INT_PAID, k])
        if iv(d, IV_HAS_INTEREST, k):
            put(lines, off[ly.LN_INT_SHORT] + k, t, s, rows[INT_ARR, k] + rows[IOI_ARR, k])
        put(lines, off[ly.LN_INT_SUP] + k, t, s, rows[ly.INT_SUP, k])
        put(lines, off[ly.LN_IOI_PAID] + k, t, s, rows[IOI_PAID, k])
        put(lines, off[ly.LN_IOI_SHORT] + k, t, s, rows[IOI_ARR, k])
        put(lines, off[ly.LN_PRIN_PAID] + k, t, s, rows[HARD_PAID, k] + rows[SOFT_PAID, k])
        if rows[HAS_TARGET, k] != 0.0:
            short = max(rows[HARD_DUE, k] - rows[HARD_PAID, k], 0.0)
            put(lines, off[ly.LN_PRIN_SHORT] + k, t, s, short)
        put(lines, off[ly.LN_PRIN_SUP] + k, t, s, rows[ly.PRIN_SUP, k])
        put(lines, off[ly.LN_YIELD_PAID] + k, t, s, rows[YIELD_PAID, k])
        if rows[YIELD_RAN, k] != 0.0:
            short = max(rows[YIELD_DUE, k] - rows[YIELD_PAID, k], 0.0)
            put(lines, off[ly.LN_YIELD_SHORT] + k, t, s, short)
        put(lines, off[ly.LN_RESIDUAL] + k, t, s, rows[RESIDUAL, k])
        if rows[BAL, k] != 0.0:
            balances[k, t + 1, s] = rows[BAL, k]
    put(lines, off[ly.LN_DEPOSIT], t, s, acc[DEPOSIT])
    put(lines, off[ly.LN_RELEASE], t, s, acc[RELEASE])
    put(lines, off[ly.LN_CARRY], t, s, acc[AVAIL])
    put(lines, off[ly.LN_DRAW], t, s, acc[DRAW_RES])
    put(lines, off[ly.LN_DRAW] + 1, t, s, acc[DRAW_COM])
    put(lines, off[ly.LN_DRAW] + 2, t, s, acc[DRAW_GUA])
    put(lines, off[ly.LN_REPAID], t, s, acc[REPAID_COM])
    put(lines, off[ly.LN_REPAID] + 1, t, s, acc[REPAID_GUA])
    if acc[RESERVE] != 0.0:
        balances[d.ip[I_N_TRANCHES], t + 1, s] = acc[RESERVE]


@kernel_jit
def read_inputs(x, s, t, err):
    """Period ``t``'s collections of scenario ``s``; ``ok`` False after recording a NaN/inf."""
    total, income = x.total[s, t], x.income[s, t]
    defaults, pool_balance = x.defaults[s, t], x.pool_balance[s, t]
    ok = True
    if not math.isfinite(total + income + defaults + pool_balance):  # one test, then which
        for j, v in enumerate((total, income, defaults, pool_balance)):
            if ok and not math.isfinite(v):
                err[ERR_PERIOD] = t
                err[ERR_VALUE] = v
                err[ERR_CODE] = ERR_NOT_FINITE
                err[ERR_FIELD] = j
                ok = False
    return ok, total, income, defaults, pool_balance


@kernel_jit
def record_period(d, o, s, t, err, gap, accelerated, latches, ev):
    """The period's conservation check, event flags (full mode) and event measures."""
    if not abs(gap) <= CONSERVATION_TOL and err[ERR_PERIOD] < 0.0:
        err[ERR_PERIOD] = t
        err[ERR_VALUE] = gap
        err[ERR_CODE] = ERR_CONSERVATION
    err[ERR_MAX_GAP] = max(err[ERR_MAX_GAP], abs(gap))
    if o.full:
        if accelerated:
            o.accelerated[t, s] = True
        for e in range(ly.N_EV):
            if ev[e]:
                o.events[e, t, s] = True
        for k in range(d.ip[I_N_TRIGGERS]):
            if latches[k]:
                o.triggers[k, t, s] = True
    if o.measures:
        measure_events(d, o, s, t, latches, accelerated, gap)
