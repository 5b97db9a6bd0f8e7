"""Trigger tests and event latches for one scenario, at the start of each period.

==========================================  ==================================================
condition                                   holds in period t when
==========================================  ==================================================
``cumulative_default_rate_above``           Σ defaults[0..t] / initial pool balance > x
``overcollateralisation_below``             pool_balance[t] < x × securities balance (期初),
                                            with securities outstanding
``collections_below_forecast``              forecast[t] > 0 and
                                            (forecast[t] − total[t]) / forecast[t] > x
``senior_interest_unpaid``                  some senior interest was left unpaid in t − 1
                                            (after reserve and support draws)
``principal_unpaid_at_expected_maturity``   a senior tranche still has a balance after the
                                            payment date on/after its expected maturity
``originator_event``                        the scenario's ``originator_default`` flag
``date_reached``                            payment_dates[t] ≥ date
``revolving_rate_below``                    循环购买率 below x in each of the last ``periods``
                                            periods in which cash was set aside for purchases
``pool_yield_below``                        income[t] / pool balance at the start of t /
                                            year fraction < x, with securities outstanding
==========================================  ==================================================

A trigger's latch stays on once on, unless the trigger has ``cure`` (then it follows the
condition). An event is on when any trigger pointing at it is latched.
"""

from __future__ import annotations

from waterfall.jit import kernel_jit
from waterfall.layout import (
    BAL,
    CUM_DEF,
    EPS,
    N_EV,
    PD_DEFAULTS,
    PD_RATE,
    PD_TOTAL,
    POOL_OPEN,
    SEN_INT_UNPAID,
)
from waterfall.params import (
    F_INITIAL_POOL_BALANCE,
    FV_FORECAST,
    FV_TRIG_THRESHOLD,
    FV_YEAR_FRACTIONS,
    I_HAS_REVOLVING,
    I_N_PERIODS,
    I_N_TRANCHES,
    I_N_TRIGGERS,
    IV_OVERDUE_FROM,
    IV_TRIG_COND,
    IV_TRIG_CURE,
    IV_TRIG_EVENT,
    IV_TRIG_FROM,
    IV_TRIG_PERIODS,
    fv,
    iv,
)

# Condition codes: the order of abs.enums.TriggerCondition (waterfall.compile.CONDITION_ORDER).
_CUM_DEFAULT = 0
_OC_BELOW = 1
_BELOW_FORECAST = 2
_SENIOR_INTEREST_UNPAID = 3
_PRINCIPAL_OVERDUE = 4
_ORIGINATOR = 5
_DATE = 6
_REVOLVING_RATE_BELOW = 7
_POOL_YIELD_BELOW = 8


@kernel_jit
def holds(d, t, k, rows, acc, sec, total, income, pool_balance, orig, pend):
    """Whether the condition of trigger ``k`` holds in period ``t``."""
    c = iv(d, IV_TRIG_COND, k)
    thr = fv(d, FV_TRIG_THRESHOLD, k)
    if c == _CUM_DEFAULT:
        init = d.fp[F_INITIAL_POOL_BALANCE]
        return init > 0.0 and acc[CUM_DEF] / init > thr
    if c == _OC_BELOW:
        return sec > EPS and pool_balance < thr * sec
    if c == _BELOW_FORECAST:
        fc = fv(d, FV_FORECAST, t)
        return fc > 0.0 and (fc - total) / fc > thr
    if c == _SENIOR_INTEREST_UNPAID:
        return acc[SEN_INT_UNPAID] > 0.0
    if c == _PRINCIPAL_OVERDUE:
        for n in range(d.ip[I_N_TRANCHES]):
            if t >= iv(d, IV_OVERDUE_FROM, n) and rows[BAL, n] > EPS:
                return True
        return False
    if c == _ORIGINATOR:
        return orig
    if c == _DATE:
        return t >= iv(d, IV_TRIG_FROM, k)
    if c == _REVOLVING_RATE_BELOW:
        return sec > EPS and _rate_below(d, t, k, thr, pend)
    # pool yield below
    yf = fv(d, FV_YEAR_FRACTIONS, t)
    opening = acc[POOL_OPEN]
    return sec > EPS and opening > EPS and yf > 0.0 and income / opening / yf < thr


@kernel_jit
def _rate_below(d, t, k, thr, pend):
    """循环购买率 below ``thr`` in each of the last n periods that set cash aside."""
    if d.ip[I_HAS_REVOLVING] == 0:
        return False
    need = iv(d, IV_TRIG_PERIODS, k)
    u = t - 1
    while need > 0 and u >= 0:
        r = pend[PD_RATE, u] - 1.0  # stored as 1 + rate; 0: nothing set aside
        if r >= 0.0:
            if not r < thr:
                return False
            need -= 1
        u -= 1
    return need == 0


@kernel_jit
def latch(d, t, rows, acc, latches, ev, sec, total, income, pool_balance, orig, pend):
    """Update ``latches`` (K,) for period ``t`` and set the event flags ``ev`` (E,)."""
    for e in range(N_EV):
        ev[e] = False
    for k in range(d.ip[I_N_TRIGGERS]):
        on = holds(d, t, k, rows, acc, sec, total, income, pool_balance, orig, pend)
        latches[k] = on if iv(d, IV_TRIG_CURE, k) else (latches[k] or on)
        if latches[k]:
            ev[iv(d, IV_TRIG_EVENT, k)] = True


#: A period no scenario reaches.
NEVER = 1 << 40


@kernel_jit
def first_on(d, x, s, t0, k, acc, orig, pend):
    """First period ≥ ``t0`` in which trigger ``k`` holds in a settled scenario (NEVER: none).

    Settled: no securities, arrears or overdue principal, so the conditions on the waterfall's
    state never hold; the others depend on the collections alone and are scanned here (the
    cumulative defaults added up in the same order as period by period).
    """
    c = iv(d, IV_TRIG_COND, k)
    thr = fv(d, FV_TRIG_THRESHOLD, k)
    t_count = d.ip[I_N_PERIODS]
    if c == _CUM_DEFAULT:
        init = d.fp[F_INITIAL_POOL_BALANCE]
        if not init > 0.0:
            return NEVER
        cum = acc[CUM_DEF]
        rev = d.ip[I_HAS_REVOLVING] != 0
        for t in range(t0, t_count):
            cum += x.defaults[s, t]
            if rev:
                cum += pend[PD_DEFAULTS, t]
            if cum / init > thr:
                return t
        return NEVER
    if c == _BELOW_FORECAST:
        rev = d.ip[I_HAS_REVOLVING] != 0
        for t in range(t0, t_count):
            fc = fv(d, FV_FORECAST, t)
            total = x.total[s, t] + pend[PD_TOTAL, t] if rev else x.total[s, t]
            if fc > 0.0 and (fc - total) / fc > thr:
                return t
        return NEVER
    if c == _ORIGINATOR:
        return t0 if orig else NEVER
    if c in (
        _OC_BELOW,
        _SENIOR_INTEREST_UNPAID,
        _PRINCIPAL_OVERDUE,
        _REVOLVING_RATE_BELOW,
        _POOL_YIELD_BELOW,
    ):
        return NEVER
    return max(t0, iv(d, IV_TRIG_FROM, k))  # date_reached
