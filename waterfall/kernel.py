"""The compiled kernel: every scenario runs its periods and steps as plain scalar code.

:func:`run_batch` splits the scenarios into chunks run in parallel (numba ``prange``); each
scenario starts from a freshly reset state and reads only its own row of the inputs, so its
numbers are the same bit for bit whatever else runs in the batch, in any chunking and on any
number of threads. Per period (``docs/waterfall.md``, "One period, in order"): triggers and
events → which step list → reserve release → amounts due → the steps → close (arrears, balances,
conservation) → outputs. Full mode writes every line into ``(lines, T, S)`` blocks (only
non-zero values: untouched memory stays the operating system's zero pages); measures mode
accumulates per-scenario measures (:mod:`waterfall.measures`) instead.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from numba import prange

from waterfall import layout as ly
from waterfall.compile import ScenarioInputs
from waterfall.jit import kernel_jit, parallel_jit, tail_jit
from waterfall.layout import (
    AVAIL,
    BAL,
    CARRY,
    COM_ON,
    CUM_DEF,
    DEPOSIT,
    DRAW_COM,
    DRAW_GUA,
    DRAW_RES,
    EPS,
    FEE_ARR,
    FEE_PAID,
    GUA_ON,
    HARD_DUE,
    HARD_PAID,
    HAS_TARGET,
    INT_ARR,
    INT_PAID,
    IOI_ARR,
    IOI_PAID,
    OPEN_BAL,
    OWED_COM,
    OWED_GUA,
    RELEASE,
    REPAID_COM,
    REPAID_GUA,
    RESERVE,
    RESERVE_OPEN,
    RESIDUAL,
    SOFT_PAID,
    YIELD_DUE,
    YIELD_PAID,
    YIELD_RAN,
)
from waterfall.measures import (
    measure_end,
    measure_events,
    measure_period,
    measure_settled,
    measure_start,
)
from waterfall.params import (
    FV_BALANCE0,
    I_HAS_RESERVE,
    I_N_FEES,
    I_N_PERIODS,
    I_N_TRANCHES,
    I_N_TRIGGERS,
    I_ROUNDING,
    I_SKIP_SETTLED,
    IV_EVENT_HAS,
    IV_HAS_INTEREST,
    IV_LIST_END,
    IV_LIST_START,
    IV_RESIDUAL_OF_LIST,
    IV_SENIOR,
    IV_TRIG_CURE,
    IV_TRIG_EVENT,
    DealArrays,
    fv,
    iv,
)
from waterfall.period import dues, reset, settle, start_period
from waterfall.steps import run_step
from waterfall.steps._core import cash_amount
from waterfall.triggers import NEVER, first_on, holds, latch

#: Conservation tolerance per scenario and period (yuan).
CONSERVATION_TOL = 0.01
#: Columns of ``Outputs.errors``: first failing period (−1: none), the value, what failed
#: (ERR_CONSERVATION: the gap; ERR_NOT_FINITE: a collections value, field in ERR_FIELD), and
#: the scenario's largest |cash in − cash out|.
ERR_PERIOD = 0
ERR_VALUE = 1
ERR_CODE = 2
ERR_FIELD = 3
ERR_MAX_GAP = 4
N_ERR = 5
ERR_CONSERVATION = 1.0
ERR_NOT_FINITE = 2.0


class Outputs(NamedTuple):
    """What the kernel writes. Unused parts are zero-size arrays of the right rank."""

    full: bool
    lines: npt.NDArray[np.float64]  # (lines, T, S)
    off: npt.NDArray[np.int64]  # first row of each LN_* block
    balances: npt.NDArray[np.float64]  # (N + 1, T + 1, S): tranches, then the reserve
    events: npt.NDArray[np.bool_]  # (E, T, S)
    triggers: npt.NDArray[np.bool_]  # (K, T, S)
    accelerated: npt.NDArray[np.bool_]  # (T, S)
    measures: bool
    yields: bool  # solve each tranche's yield at par (measures mode)
    m: npt.NDArray[np.float64]  # (S, N, N_M)
    first_missed: npt.NDArray[np.int64]  # (S, N)
    coverage: npt.NDArray[np.float64]  # (S, T) senior coverage, NaN once repaid
    trig_first: npt.NDArray[np.int64]  # (S, K)
    totals: npt.NDArray[np.float64]  # (S, N_TOT)
    cash: npt.NDArray[np.float64]  # (S, C, T) cash of the tranches with cash_row ≥ 0
    cash_row: npt.NDArray[np.int64]  # (N,)
    errors: npt.NDArray[np.float64]  # (S, 5): see ERR_* columns


@kernel_jit
def _put(lines, row, t, s, v):
    """Write a non-zero value (zeros are already there: untouched memory stays unmapped)."""
    if v != 0.0:
        lines[row, t, s] = v


@kernel_jit
def _write_lines(d, s, t, rows, acc, lines, off, balances):
    """Full mode: every line of period ``t`` of scenario ``s``."""
    for f in range(d.ip[I_N_FEES]):
        paid = rows[FEE_PAID, f]
        _put(lines, off[ly.LN_FEE_PAID] + f, t, s, paid)
        _put(lines, off[ly.LN_FEE_SHORT] + f, t, s, rows[FEE_ARR, f])
        _put(lines, off[ly.LN_FEE_SUP] + f, t, s, rows[ly.FEE_SUP, f])
    for k in range(d.ip[I_N_TRANCHES]):
        _put(lines, off[ly.LN_INT_PAID] + k, t, s, rows[INT_PAID, k])
        if iv(d, IV_HAS_INTEREST, k):
            _put(lines, off[ly.LN_INT_SHORT] + k, t, s, rows[INT_ARR, k] + rows[IOI_ARR, k])
        _put(lines, off[ly.LN_INT_SUP] + k, t, s, rows[ly.INT_SUP, k])
        _put(lines, off[ly.LN_IOI_PAID] + k, t, s, rows[IOI_PAID, k])
        _put(lines, off[ly.LN_IOI_SHORT] + k, t, s, rows[IOI_ARR, k])
        _put(lines, off[ly.LN_PRIN_PAID] + k, t, s, rows[HARD_PAID, k] + rows[SOFT_PAID, k])
        if rows[HAS_TARGET, k] != 0.0:
            short = max(rows[HARD_DUE, k] - rows[HARD_PAID, k], 0.0)
            _put(lines, off[ly.LN_PRIN_SHORT] + k, t, s, short)
        _put(lines, off[ly.LN_PRIN_SUP] + k, t, s, rows[ly.PRIN_SUP, k])
        _put(lines, off[ly.LN_YIELD_PAID] + k, t, s, rows[YIELD_PAID, k])
        if rows[YIELD_RAN, k] != 0.0:
            short = max(rows[YIELD_DUE, k] - rows[YIELD_PAID, k], 0.0)
            _put(lines, off[ly.LN_YIELD_SHORT] + k, t, s, short)
        _put(lines, off[ly.LN_RESIDUAL] + k, t, s, rows[RESIDUAL, k])
        if rows[BAL, k] != 0.0:
            balances[k, t + 1, s] = rows[BAL, k]
    _put(lines, off[ly.LN_DEPOSIT], t, s, acc[DEPOSIT])
    _put(lines, off[ly.LN_RELEASE], t, s, acc[RELEASE])
    _put(lines, off[ly.LN_CARRY], t, s, acc[AVAIL])
    _put(lines, off[ly.LN_DRAW], t, s, acc[DRAW_RES])
    _put(lines, off[ly.LN_DRAW] + 1, t, s, acc[DRAW_COM])
    _put(lines, off[ly.LN_DRAW] + 2, t, s, acc[DRAW_GUA])
    _put(lines, off[ly.LN_REPAID], t, s, acc[REPAID_COM])
    _put(lines, off[ly.LN_REPAID] + 1, t, s, acc[REPAID_GUA])
    if acc[RESERVE] != 0.0:
        balances[d.ip[I_N_TRANCHES], t + 1, s] = acc[RESERVE]


@kernel_jit
def _is_settled(d, rows, acc):
    """Nothing is owed any more: every balance, arrear, the reserve and support owed are 0.

    A settled scenario stays settled (nothing raises a balance or an arrear), and in each of
    its periods every step pays exactly 0 except the first ``pay_residual`` step of the list,
    which takes the cash in hand: each step's amount is a min() with a zero need, alive = 0
    zeroes every fee, the reserve is released and shut. :func:`_settled_period` books that
    directly; ``ip[I_SKIP_SETTLED] = 0`` runs the steps instead (the tests compare both, bit
    for bit).
    """
    if acc[RESERVE] != 0.0 or acc[OWED_COM] != 0.0 or acc[OWED_GUA] != 0.0:
        return False
    for k in range(d.ip[I_N_TRANCHES]):
        if rows[BAL, k] != 0.0 or rows[INT_ARR, k] != 0.0 or rows[IOI_ARR, k] != 0.0:
            return False
    for f in range(d.ip[I_N_FEES]):
        if rows[FEE_ARR, f] != 0.0:
            return False
    return True


@kernel_jit
def _inputs(x, s, t, err):
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
def _record(d, o, s, t, err, gap, accelerated, latches, ev):
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


@kernel_jit
def run_scenario(d, x, o, s, rows, acc, latches, ev, cf, on_from):
    """Run every period of scenario ``s``: the general path until the scenario is settled,
    then :func:`_settled_tail`."""
    reset(d, x.rate_shift[s], rows, acc, latches)
    n, t_count = d.ip[I_N_TRANCHES], d.ip[I_N_PERIODS]
    err = o.errors[s]
    full = o.full
    if full:
        for k in range(n):
            o.balances[k, 0, s] = fv(d, FV_BALANCE0, k)
        o.balances[n, 0, s] = acc[RESERVE]
    if o.measures:
        measure_start(d, o, s, cf)
    orig, guar = x.originator_default[s], x.guarantor_default[s]
    for t in range(t_count):
        ok, total, income, defaults, pool_balance = _inputs(x, s, t, err)
        if not ok:
            return
        acc[CUM_DEF] += defaults
        sec = 0.0
        sen = 0.0
        for k in range(n):
            b = rows[BAL, k]
            rows[OPEN_BAL, k] = b
            sec += b
            if iv(d, IV_SENIOR, k):
                sen += b
        latch(d, t, rows, acc, latches, ev, sec, total, pool_balance, orig)
        accelerated = ev[ly.EV_ACCELERATION] or ev[ly.EV_DEFAULT]
        lst = 1 if accelerated else 0
        carry_in = acc[CARRY]
        on = not iv(d, IV_EVENT_HAS, ly.EV_SUPPORT_START) or ev[ly.EV_SUPPORT_START]
        acc[COM_ON] = 1.0 if on and not orig else 0.0
        on = not iv(d, IV_EVENT_HAS, ly.EV_GUARANTEE_START) or ev[ly.EV_GUARANTEE_START]
        acc[GUA_ON] = 1.0 if on and not guar else 0.0
        start_period(d, rows, acc)
        # reserve release: in the last period and once every senior is repaid
        if d.ip[I_HAS_RESERVE] and (t == t_count - 1 or sen <= EPS):
            acc[RELEASE] = acc[RESERVE]
            acc[RESERVE] = 0.0
            acc[RESERVE_OPEN] = 0.0
        acc[AVAIL] = total + carry_in + acc[RELEASE]
        dues(d, t, rows, accelerated, sec, sen, total, income)
        for i in range(iv(d, IV_LIST_START, lst), iv(d, IV_LIST_END, lst)):
            run_step(d, i, rows, acc, t)
        drawn = acc[DRAW_RES] + acc[DRAW_COM] + acc[DRAW_GUA]
        gap = (total + carry_in + acc[RELEASE] + drawn) - settle(d, rows, acc)
        acc[CARRY] = acc[AVAIL]
        if full:
            _write_lines(d, s, t, rows, acc, o.lines, o.off, o.balances)
        if o.measures:
            measure_period(d, o, s, t, rows, acc, total, carry_in, cf)
        _record(d, o, s, t, err, gap, accelerated, latches, ev)
        if t + 1 < t_count and d.ip[I_SKIP_SETTLED] != 0 and _is_settled(d, rows, acc):
            if not _settled_tail(d, x, o, s, t + 1, rows, acc, latches, ev, cf, on_from):
                return
            break
    if o.measures:
        measure_end(d, o, s, rows, acc, cf)


@tail_jit
def _settled_tail(d, x, o, s, t0, rows, acc, latches, ev, cf, on_from):
    """Periods ``t0`` … T − 1 of a settled scenario (see :func:`_is_settled`).

    Triggers: a trigger that stays on once on (no ``cure``) is on from the first period its
    condition holds, found by one scan (:func:`waterfall.triggers.first_on`); ``cure``
    triggers are tested period by period. Cash: only the first residual step of the list
    moves any. A small function of its own (not inlined into :func:`run_scenario`). Returns
    False after recording a NaN/inf input.
    """
    err = o.errors[s]
    orig = x.originator_default[s]
    n_trig = d.ip[I_N_TRIGGERS]
    for k in range(d.ip[I_N_TRANCHES]):
        rows[OPEN_BAL, k] = 0.0
    any_cure = False
    acc_from = NEVER  # first accelerated period when no trigger cures
    for k in range(n_trig):
        if iv(d, IV_TRIG_CURE, k):
            on_from[k] = -1
            any_cure = True
        else:
            on_from[k] = t0 if latches[k] else first_on(d, x, s, t0, k, acc, orig)
            e = iv(d, IV_TRIG_EVENT, k)
            if e == ly.EV_ACCELERATION or e == ly.EV_DEFAULT:
                acc_from = min(acc_from, on_from[k])
    if any_cure:
        return _settled_periods(d, x, o, s, t0, rows, acc, latches, ev, cf, on_from)
    # Every latch is a step function of t: book the flags once, then only cash per period.
    t_count = d.ip[I_N_PERIODS]
    _step_flags(d, o, s, t0, on_from, acc_from)
    for t in range(t0, t_count):
        ok, total, _, _, _ = _inputs(x, s, t, err)
        if not ok:
            return False
        lst = 1 if t >= acc_from else 0
        gap = _settled_period(d, o, s, t, acc, lst, total, acc[CARRY], cf)
        if not abs(gap) <= CONSERVATION_TOL and err[ERR_PERIOD] < 0.0:
            err[ERR_PERIOD] = t
            err[ERR_VALUE] = gap
            err[ERR_CODE] = ERR_CONSERVATION
        err[ERR_MAX_GAP] = max(err[ERR_MAX_GAP], abs(gap))
        if o.measures:
            o.totals[s, ly.T_MAX_GAP] = max(o.totals[s, ly.T_MAX_GAP], abs(gap))
    return True


@kernel_jit
def _step_flags(d, o, s, t0, on_from, acc_from):
    """Latches, events and acceleration of periods t0 … T − 1 when each latch switches on
    once (at ``on_from``) and stays on."""
    t_count = d.ip[I_N_PERIODS]
    for k in range(d.ip[I_N_TRIGGERS]):
        first = on_from[k]
        if first >= t_count:
            continue
        if o.full:
            e = iv(d, IV_TRIG_EVENT, k)
            for t in range(first, t_count):
                o.triggers[k, t, s] = True
                o.events[e, t, s] = True
        if o.measures and o.trig_first[s, k] < 0:
            o.trig_first[s, k] = first
    if acc_from < t_count:
        if o.full:
            for t in range(acc_from, t_count):
                o.accelerated[t, s] = True
        if o.measures and o.totals[s, ly.T_ACCELERATED] < 0.0:
            o.totals[s, ly.T_ACCELERATED] = acc_from


@kernel_jit
def _settled_periods(d, x, o, s, t0, rows, acc, latches, ev, cf, on_from):
    """The settled tail period by period (some trigger cures: its latch can switch off)."""
    err = o.errors[s]
    orig = x.originator_default[s]
    for t in range(t0, d.ip[I_N_PERIODS]):
        ok, total, _, defaults, pool_balance = _inputs(x, s, t, err)
        if not ok:
            return False
        acc[CUM_DEF] += defaults
        for e in range(ly.N_EV):
            ev[e] = False
        for k in range(d.ip[I_N_TRIGGERS]):
            if on_from[k] >= 0:
                latches[k] = t >= on_from[k]
            else:
                latches[k] = holds(d, t, k, rows, acc, 0.0, total, pool_balance, orig)
            if latches[k]:
                ev[iv(d, IV_TRIG_EVENT, k)] = True
        accelerated = ev[ly.EV_ACCELERATION] or ev[ly.EV_DEFAULT]
        carry_in = acc[CARRY]
        gap = _settled_period(d, o, s, t, acc, 1 if accelerated else 0, total, carry_in, cf)
        _record(d, o, s, t, err, gap, accelerated, latches, ev)
    return True


@kernel_jit
def _settled_period(d, o, s, t, acc, lst, total, carry_in, cf):
    """A period of a settled scenario (see :func:`_is_settled`); returns the conservation gap,
    computed as the general path computes it."""
    avail = total + carry_in + 0.0  # + the (zero) reserve release, as the general path adds
    k = iv(d, IV_RESIDUAL_OF_LIST, lst)
    paid = cash_amount(d.ip[I_ROUNDING], avail) if k >= 0 else 0.0
    carry = avail - paid
    acc[CARRY] = carry
    acc[AVAIL] = carry
    if o.full:
        if k >= 0 and paid != 0.0:
            o.lines[o.off[ly.LN_RESIDUAL] + k, t, s] = paid
        if carry != 0.0:
            o.lines[o.off[ly.LN_CARRY], t, s] = carry
    if o.measures:
        measure_settled(d, o, s, t, k, paid, cf)
    return (total + carry_in + 0.0 + 0.0) - (carry + paid)


@parallel_jit
def run_batch(d: DealArrays, x: ScenarioInputs, o: Outputs, chunk: int) -> None:
    """Run every scenario of ``x``, ``chunk`` scenarios per parallel task."""
    s_count = x.total.shape[0]
    n_chunks = (s_count + chunk - 1) // chunk
    n, t_count = d.ip[I_N_TRANCHES], d.ip[I_N_PERIODS]
    width = max(n, d.ip[I_N_FEES], 1)
    for c in prange(n_chunks):
        rows = np.zeros((ly.N_ROWS, width))
        acc = np.zeros(ly.N_ACC)
        latches = np.zeros(max(d.ip[I_N_TRIGGERS], 1), dtype=np.bool_)
        ev = np.zeros(ly.N_EV, dtype=np.bool_)
        cf = np.zeros((n, t_count))
        on_from = np.zeros(max(d.ip[I_N_TRIGGERS], 1), dtype=np.int64)
        for s in range(c * chunk, min(s_count, (c + 1) * chunk)):
            run_scenario(d, x, o, s, rows, acc, latches, ev, cf, on_from)
