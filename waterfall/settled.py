"""Settled scenarios: every balance, arrear, the reserve and support owed are zero.

From then on each period's cash goes to the first residual step of the list in force, and a
trigger that stays on once on is a step function of time; :func:`settled_tail` books the rest
of the periods directly (``ip[I_SKIP_SETTLED] = 0`` runs the general path instead; the tests
compare both bit for bit).
"""

from __future__ import annotations

from waterfall import layout as ly
from waterfall.book import (
    read_inputs,
    record_period,
)
from waterfall.jit import (
    kernel_jit,
    tail_jit,
)
from waterfall.layout import (
    AVAIL,
    BAL,
    CARRY,
    CONSERVATION_TOL,
    CUM_DEF,
    ERR_CODE,
    ERR_CONSERVATION,
    ERR_MAX_GAP,
    ERR_PERIOD,
    ERR_VALUE,
    FEE_ARR,
    IDLE,
    INT_ARR,
    IOI_ARR,
    OPEN_BAL,
    OWED_COM,
    OWED_GUA,
    PD_BAL,
    PD_DEFAULTS,
    PD_INCOME,
    PD_TOTAL,
    RESERVE,
)
from waterfall.measures import (
    measure_settled,
)
from waterfall.params import (
    I_HAS_AMORT,
    I_HAS_REVOLVING,
    I_N_FEES,
    I_N_PERIODS,
    I_N_TRANCHES,
    I_N_TRIGGERS,
    I_REV_END,
    I_ROUNDING,
    IV_RESIDUAL_OF_LIST,
    IV_TRIG_CURE,
    IV_TRIG_EVENT,
    iv,
)
from waterfall.revolving import revolving_ended, settled_revolving
from waterfall.steps._core import (
    cash_amount,
)
from waterfall.triggers import (
    NEVER,
    first_on,
    holds,
)


@kernel_jit
def is_settled(d, rows, acc):
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
    if acc[IDLE] != 0.0:
        return False
    for k in range(d.ip[I_N_TRANCHES]):
        if rows[BAL, k] != 0.0 or rows[INT_ARR, k] != 0.0 or rows[IOI_ARR, k] != 0.0:
            return False
    for f in range(d.ip[I_N_FEES]):
        if rows[FEE_ARR, f] != 0.0:
            return False
    return True


@tail_jit
def settled_tail(d, x, o, s, t0, rows, acc, latches, ev, cf, on_from, pend):
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
    # first period of the amortisation list (now, if 提前摊还事件 was ever on)
    amort_from = t0 if acc[ly.REV_ENDED] != 0.0 else d.ip[I_REV_END]
    for k in range(n_trig):
        if iv(d, IV_TRIG_CURE, k):
            on_from[k] = -1
            any_cure = True
        else:
            on_from[k] = t0 if latches[k] else first_on(d, x, s, t0, k, acc, orig, pend)
            e = iv(d, IV_TRIG_EVENT, k)
            if e == ly.EV_ACCELERATION or e == ly.EV_DEFAULT:
                acc_from = min(acc_from, on_from[k])
            elif e == ly.EV_EARLY_AMORTISATION:
                amort_from = min(amort_from, on_from[k])
    if d.ip[I_HAS_AMORT] == 0:
        amort_from = NEVER
    if any_cure:
        return settled_periods(d, x, o, s, t0, rows, acc, latches, ev, cf, on_from, pend)
    # Every latch is a step function of t: book the flags once, then only cash per period.
    t_count = d.ip[I_N_PERIODS]
    step_flags(d, o, s, t0, on_from, acc_from)
    for t in range(t0, t_count):
        ok, total, _, _, _ = read_inputs(x, s, t, err)
        if not ok:
            return False
        if d.ip[I_HAS_REVOLVING] != 0:
            total += pend[PD_TOTAL, t]
            settled_revolving(d, x, o, s, t, pend)
        lst = 1 if t >= acc_from else (2 if t >= amort_from else 0)
        gap = settled_period(d, o, s, t, acc, lst, total, acc[CARRY], cf)
        if not abs(gap) <= CONSERVATION_TOL and err[ERR_PERIOD] < 0.0:
            err[ERR_PERIOD] = t
            err[ERR_VALUE] = gap
            err[ERR_CODE] = ERR_CONSERVATION
        err[ERR_MAX_GAP] = max(err[ERR_MAX_GAP], abs(gap))
        if o.measures:
            o.totals[s, ly.T_MAX_GAP] = max(o.totals[s, ly.T_MAX_GAP], abs(gap))
    return True


@kernel_jit
def step_flags(d, o, s, t0, on_from, acc_from):
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
def settled_periods(d, x, o, s, t0, rows, acc, latches, ev, cf, on_from, pend):
    """The settled tail period by period (some trigger cures: its latch can switch off)."""
    err = o.errors[s]
    orig = x.originator_default[s]
    for t in range(t0, d.ip[I_N_PERIODS]):
        ok, total, income, defaults, pool_balance = read_inputs(x, s, t, err)
        if not ok:
            return False
        if d.ip[I_HAS_REVOLVING] != 0:
            total += pend[PD_TOTAL, t]
            income += pend[PD_INCOME, t]
            defaults += pend[PD_DEFAULTS, t]
            pool_balance += pend[PD_BAL, t]
            settled_revolving(d, x, o, s, t, pend)
        acc[CUM_DEF] += defaults
        for e in range(ly.N_EV):
            ev[e] = False
        for k in range(d.ip[I_N_TRIGGERS]):
            if on_from[k] >= 0:
                latches[k] = t >= on_from[k]
            else:
                latches[k] = holds(d, t, k, rows, acc, 0.0, total, income, pool_balance, orig, pend)
            if latches[k]:
                ev[iv(d, IV_TRIG_EVENT, k)] = True
        accelerated = ev[ly.EV_ACCELERATION] or ev[ly.EV_DEFAULT]
        ended = revolving_ended(d, t, acc, ev)
        lst = 1 if accelerated else (2 if ended and d.ip[I_HAS_AMORT] != 0 else 0)
        carry_in = acc[CARRY]
        gap = settled_period(d, o, s, t, acc, lst, total, carry_in, cf)
        record_period(d, o, s, t, err, gap, accelerated, latches, ev)
    return True


@kernel_jit
def settled_period(d, o, s, t, acc, lst, total, carry_in, cf):
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
