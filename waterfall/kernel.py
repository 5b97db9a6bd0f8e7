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

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from numba import prange

from waterfall import layout as ly
from waterfall.book import (
    read_inputs,
    record_period,
    write_lines,
)
from waterfall.compile import ScenarioInputs
from waterfall.jit import kernel_jit, parallel_jit
from waterfall.layout import (
    AVAIL,
    BAL,
    CARRY,
    COM_ON,
    CUM_DEF,
    DRAW_COM,
    DRAW_GUA,
    DRAW_RES,
    EPS,
    GUA_ON,
    IDLE_INT,
    IDLE_REL,
    OPEN_BAL,
    RELEASE,
    RESERVE,
    RESERVE_OPEN,
)
from waterfall.measures import (
    measure_end,
    measure_period,
    measure_start,
)
from waterfall.params import (
    FV_BALANCE0,
    I_HAS_AMORT,
    I_HAS_RESERVE,
    I_HAS_REVOLVING,
    I_N_FEES,
    I_N_PERIODS,
    I_N_TRANCHES,
    I_N_TRIGGERS,
    I_SKIP_SETTLED,
    IV_EVENT_HAS,
    IV_LIST_END,
    IV_LIST_START,
    IV_SENIOR,
    DealArrays,
    fv,
    iv,
)
from waterfall.period import dues, reset, settle, start_period
from waterfall.revolving import (
    book_purchases,
    cash_out,
    measure_revolving,
    pool_inputs,
    reset_pending,
    revolving_ended,
    start_revolving,
    write_revolving,
)
from waterfall.settled import (
    is_settled,
    settled_tail,
)
from waterfall.steps import run_step
from waterfall.triggers import latch


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
def run_scenario(d, x, o, s, rows, acc, latches, ev, cf, on_from, pend):
    """Run every period of scenario ``s``: the general path until the scenario is settled,
    then :func:`_settled_tail`."""
    reset(d, x.rate_shift[s], rows, acc, latches)
    reset_pending(d, pend)
    has_data = x.data_balance.shape[1] > 0
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
        ok, total, income, defaults, pool_balance = read_inputs(x, s, t, err)
        if not ok:
            return
        total, income, defaults, pool_balance = pool_inputs(
            d, x, s, t, pend, acc, total, income, defaults, pool_balance
        )
        acc[CUM_DEF] += defaults
        sec = 0.0
        sen = 0.0
        for k in range(n):
            b = rows[BAL, k]
            rows[OPEN_BAL, k] = b
            sec += b
            if iv(d, IV_SENIOR, k):
                sen += b
        latch(d, t, rows, acc, latches, ev, sec, total, income, pool_balance, orig, pend)
        accelerated = ev[ly.EV_ACCELERATION] or ev[ly.EV_DEFAULT]
        ended = revolving_ended(d, t, acc, ev)
        lst = 1 if accelerated else (2 if ended and d.ip[I_HAS_AMORT] != 0 else 0)
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
        on = not accelerated and not ended and sec > EPS
        idle_in = start_revolving(d, x, s, t, rows, acc, sec, total, income, on)
        acc[AVAIL] = total + carry_in + acc[RELEASE] + idle_in
        dues(d, t, rows, accelerated, sec, sen, total, income)
        for i in range(iv(d, IV_LIST_START, lst), iv(d, IV_LIST_END, lst)):
            run_step(d, i, rows, acc, t)
        drawn = acc[DRAW_RES] + acc[DRAW_COM] + acc[DRAW_GUA]
        out = settle(d, rows, acc) + cash_out(acc)
        gap = (total + carry_in + acc[RELEASE] + idle_in + drawn) - out
        acc[CARRY] = acc[AVAIL]
        book_purchases(d, x, s, t, acc, pend)
        if full:
            write_lines(d, s, t, rows, acc, o.lines, o.off, o.balances)
            write_revolving(d, s, t, acc, pend, o.lines, o.off)
        if o.measures:
            measure_period(
                d, o, s, t, rows, acc, total + acc[IDLE_INT], carry_in + acc[IDLE_REL], cf
            )
            measure_revolving(d, o, s, acc, t, has_data and sec > EPS)
        record_period(d, o, s, t, err, gap, accelerated, latches, ev)
        if t + 1 < t_count and d.ip[I_SKIP_SETTLED] != 0 and is_settled(d, rows, acc):
            if not settled_tail(d, x, o, s, t + 1, rows, acc, latches, ev, cf, on_from, pend):
                return
            break
    if o.measures:
        measure_end(d, o, s, rows, acc, cf)


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
        pend = np.zeros((ly.N_PEND, t_count if d.ip[I_HAS_REVOLVING] != 0 else 1))
        for s in range(c * chunk, min(s_count, (c + 1) * chunk)):
            run_scenario(d, x, o, s, rows, acc, latches, ev, cf, on_from, pend)
