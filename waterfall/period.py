"""One period of one scenario, before and after the steps: reset, amounts due, close.

``dues`` works out what is due at the start of a period on opening balances (fees on their
bases, interest on the coupon, IoI on interest brought forward, scheduled principal, 期间收益);
``settle`` closes it: what is left unpaid is carried forward, balances never below zero, and the
cash paid out is returned for the conservation check.
"""

from __future__ import annotations

from waterfall import layout as ly
from waterfall.jit import kernel_jit
from waterfall.layout import (
    AVAIL,
    BAL,
    COUPON,
    DEPOSIT,
    DRAW_COM,
    DRAW_GUA,
    DRAW_RES,
    EPS,
    FEE_ARR,
    FEE_DUE,
    FEE_PAID,
    HARD_DUE,
    HARD_PAID,
    HAS_TARGET,
    INT_ARR,
    INT_DUE,
    INT_PAID,
    IOI_ARR,
    IOI_DUE,
    IOI_PAID,
    PAYABLE,
    RELEASE,
    REPAID_COM,
    REPAID_GUA,
    RESERVE,
    RESERVE_OPEN,
    RESIDUAL,
    SEN_INT_UNPAID,
    SOFT_PAID,
    YIELD_DUE,
    YIELD_PAID,
)
from waterfall.params import (
    F_INITIAL_POOL_BALANCE,
    F_ISSUE_AMOUNT,
    F_REFERENCE_RATE,
    F_RESERVE_INITIAL,
    FV_BALANCE0,
    FV_COUPON_CAP,
    FV_COUPON_FIXED,
    FV_COUPON_FLOOR,
    FV_COUPON_SPREAD,
    FV_FEE_AMOUNT,
    FV_FEE_CAP,
    FV_PERIOD_YIELD,
    FV_YEAR_FRACTIONS,
    I_HAS_RESERVE,
    I_IOI,
    I_N_FEES,
    I_N_TRANCHES,
    I_ROUNDING,
    IV_COUPON_FLOAT,
    IV_FEE_BASE,
    IV_FEE_IS_FIXED,
    IV_HAS_INTEREST,
    IV_SENIOR,
    fee_mult,
    fv,
    iv,
    target,
)
from waterfall.steps._core import round_amount


@kernel_jit
def coupon(d, shift, k):
    if not iv(d, IV_COUPON_FLOAT, k):
        return fv(d, FV_COUPON_FIXED, k)
    r = d.fp[F_REFERENCE_RATE] + shift + fv(d, FV_COUPON_SPREAD, k)
    r = max(r, fv(d, FV_COUPON_FLOOR, k))
    r = min(r, fv(d, FV_COUPON_CAP, k))
    return r if r > 0.0 else 0.0  # investors never pay interest


@kernel_jit
def reset(d, shift, rows, acc, latches):
    rows[:, :] = 0.0
    acc[:] = 0.0
    latches[:] = False
    for k in range(d.ip[I_N_TRANCHES]):
        rows[BAL, k] = fv(d, FV_BALANCE0, k)
        rows[COUPON, k] = coupon(d, shift, k)
    acc[RESERVE] = d.fp[F_RESERVE_INITIAL] if d.ip[I_HAS_RESERVE] else 0.0
    acc[ly.POOL_OPEN] = d.fp[F_INITIAL_POOL_BALANCE]


@kernel_jit
def dues(d, t, rows, accelerated, sec, sen, total, income):
    """Amounts due at the start of period ``t`` (on opening balances)."""
    r = d.ip[I_ROUNDING]
    alive = 1.0 if sec > EPS else 0.0
    for f in range(d.ip[I_N_FEES]):
        if iv(d, IV_FEE_IS_FIXED, f):
            cur = fv(d, FV_FEE_AMOUNT, f) * alive
        else:
            b = iv(d, IV_FEE_BASE, f)
            if b == 0:
                base = sec
            elif b == 1:
                base = sen
            elif b == 2:
                base = d.fp[F_ISSUE_AMOUNT]
            elif b == 3:
                base = total
            else:
                base = income
            cur = (base * alive) * fee_mult(d, t, f)
        due = rows[FEE_ARR, f] + round_amount(r, cur)
        rows[FEE_DUE, f] = due
        cap = fv(d, FV_FEE_CAP, f)
        rows[PAYABLE, f] = cap if not accelerated and due > cap else due
    yf = fv(d, FV_YEAR_FRACTIONS, t)
    for k in range(d.ip[I_N_TRANCHES]):
        bal = rows[BAL, k]
        if iv(d, IV_HAS_INTEREST, k):
            rate = rows[COUPON, k] * yf
            rows[INT_DUE, k] = rows[INT_ARR, k] + round_amount(r, bal * rate)
            if d.ip[I_IOI]:
                rows[IOI_DUE, k] = rows[IOI_ARR, k] + round_amount(r, rows[INT_ARR, k] * rate)
        tgt = target(d, t, k)
        if tgt >= 0.0:
            rows[HAS_TARGET, k] = 1.0
            rows[HARD_DUE, k] = round_amount(r, max(bal - tgt, 0.0))
        else:
            rows[HAS_TARGET, k] = 0.0
            rows[HARD_DUE, k] = 0.0
        rows[YIELD_DUE, k] = round_amount(r, bal * (fv(d, FV_PERIOD_YIELD, k) * yf))


@kernel_jit
def settle(d, rows, acc):
    """Close the period: arrears carried forward, balances; returns the cash paid out."""
    out = acc[DEPOSIT] + acc[REPAID_COM] + acc[REPAID_GUA] + acc[AVAIL]
    for f in range(d.ip[I_N_FEES]):
        paid = rows[FEE_PAID, f]
        rows[FEE_ARR, f] = max(rows[FEE_DUE, f] - paid, 0.0)
        out += paid
    unpaid = False
    for k in range(d.ip[I_N_TRANCHES]):
        if iv(d, IV_HAS_INTEREST, k):
            paid = rows[INT_PAID, k]
            ioi_paid = min(paid, rows[IOI_DUE, k])  # IoI is paid first
            rows[IOI_PAID, k] = ioi_paid
            rows[IOI_ARR, k] = max(rows[IOI_DUE, k] - ioi_paid, 0.0)
            rows[INT_ARR, k] = max(rows[INT_DUE, k] - (paid - ioi_paid), 0.0)
            if iv(d, IV_SENIOR, k) and rows[INT_ARR, k] + rows[IOI_ARR, k] > EPS:
                unpaid = True
        rows[BAL, k] = max(rows[BAL, k], 0.0)  # rounding of pro-rata shares must not go below 0
        prin = rows[HARD_PAID, k] + rows[SOFT_PAID, k]
        out += rows[INT_PAID, k] + prin + rows[YIELD_PAID, k] + rows[RESIDUAL, k]
    acc[SEN_INT_UNPAID] = 1.0 if unpaid else 0.0
    return out


@kernel_jit
def start_period(d, rows, acc):
    """Zero what the steps of a period pay into; open the reserve."""
    for f in range(d.ip[I_N_FEES]):
        rows[FEE_PAID, f] = 0.0
        rows[ly.FEE_SUP, f] = 0.0
    for k in range(d.ip[I_N_TRANCHES]):
        for r in range(ly.INT_PAID, ly.LAST_ZEROED + 1):
            rows[r, k] = 0.0
    acc[DRAW_RES] = 0.0
    acc[DRAW_COM] = 0.0
    acc[DRAW_GUA] = 0.0
    acc[REPAID_COM] = 0.0
    acc[REPAID_GUA] = 0.0
    acc[DEPOSIT] = 0.0
    acc[RELEASE] = 0.0
    acc[RESERVE_OPEN] = 1.0
