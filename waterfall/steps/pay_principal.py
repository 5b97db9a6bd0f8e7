"""``pay_principal``: scheduled principal due, then pass-through/turbo principal.

First the scheduled dues of the tranches that have a target this period (schedule, bullet,
expected maturity, last period): in order (``sequential``) or by due (``pro_rata``); what a
senior tranche is still owed is drawn from the support covering senior principal. Then, for
pass-through tranches or when ``turbo``, what cash is left up to each balance (in order, or by
balance), reaching a tranche only once every more senior class is repaid when
``wait_for_seniors``.
"""

from __future__ import annotations

from typing import Any

from abs.deal import PayPrincipal
from abs.enums import AllocationMode
from waterfall.jit import kernel_jit
from waterfall.layout import (
    AVAIL,
    BAL,
    COVER_SENIOR_PRINCIPAL,
    HARD_DUE,
    HARD_PAID,
    HAS_TARGET,
    NEED,
    PRIN_SUP,
    SHARE,
    SOFT_PAID,
    STEP_OP_LEN,
    STEP_OP_START,
    STEP_PRO_RATA,
    STEP_TURBO,
    STEP_WAIT,
)
from waterfall.params import I_ROUNDING, IV_OPS, IV_PASS_THROUGH, IV_SENIOR, iv, step
from waterfall.steps._core import cash_amount, cover, cover_group, pay_group, seniors_repaid

SPEC = PayPrincipal
CODE = 2


def compile_step(step: PayPrincipal, ctx: Any) -> tuple[dict[str, int], list[int]]:
    """Operands: tranche indices; flags: pro rata, turbo, wait for seniors."""
    flags = {
        "pro_rata": int(step.mode is AllocationMode.PRO_RATA),
        "turbo": int(step.turbo),
        "wait": int(step.wait_for_seniors),
    }
    return flags, [ctx.tranche(n) for n in step.tranches]


@kernel_jit
def _pay(rows, k: int, x: float, hard: bool) -> None:
    rows[HARD_PAID if hard else SOFT_PAID, k] += x
    rows[BAL, k] -= x


@kernel_jit
def _soft(d, i, k: int) -> bool:
    return bool(step(d, i, STEP_TURBO) != 0 or iv(d, IV_PASS_THROUGH, k))


@kernel_jit
def kernel(d, i, rows, acc, t):
    o0 = d.ip[IV_OPS] + step(d, i, STEP_OP_START)
    n = step(d, i, STEP_OP_LEN)
    ops = d.ip  # operands: o0 is their absolute index in ip
    wait = step(d, i, STEP_WAIT) != 0
    if step(d, i, STEP_PRO_RATA) == 0 or n == 1:
        for j in range(o0, o0 + n):
            k = ops[j]
            if rows[HAS_TARGET, k] == 0.0:
                continue
            need = max(rows[HARD_DUE, k] - rows[HARD_PAID, k], 0.0)
            x = cash_amount(d.ip[I_ROUNDING], min(need, acc[AVAIL]))
            acc[AVAIL] -= x
            _pay(rows, k, x, True)
            if iv(d, IV_SENIOR, k):
                got = cover(d, acc, need - x, COVER_SENIOR_PRINCIPAL)
                _pay(rows, k, got, True)
                rows[PRIN_SUP, k] += got
        for j in range(o0, o0 + n):
            k = ops[j]
            if not _soft(d, i, k) or (wait and not seniors_repaid(d, rows, k)):
                continue
            x = cash_amount(d.ip[I_ROUNDING], min(rows[BAL, k], acc[AVAIL]))
            acc[AVAIL] -= x
            _pay(rows, k, x, False)
        return
    live = False
    for j in range(o0, o0 + n):
        k = ops[j]
        if rows[HAS_TARGET, k] != 0.0:
            live = True
            rows[NEED, k] = max(rows[HARD_DUE, k] - rows[HARD_PAID, k], 0.0)
        else:
            rows[NEED, k] = 0.0
    if live:
        pay_group(d, rows, acc, o0, n)
        for j in range(o0, o0 + n):
            k = ops[j]
            _pay(rows, k, rows[SHARE, k], True)
            rows[NEED, k] = rows[NEED, k] - rows[SHARE, k] if iv(d, IV_SENIOR, k) else 0.0
        cover_group(d, rows, acc, o0, n, COVER_SENIOR_PRINCIPAL)
        for j in range(o0, o0 + n):
            k = ops[j]
            _pay(rows, k, rows[SHARE, k], True)
            rows[PRIN_SUP, k] += rows[SHARE, k]
    soft = False
    for j in range(o0, o0 + n):
        k = ops[j]
        rows[NEED, k] = 0.0
        if _soft(d, i, k):
            soft = True
            if not wait or seniors_repaid(d, rows, k):
                rows[NEED, k] = rows[BAL, k]
    if soft:
        pay_group(d, rows, acc, o0, n)
        for j in range(o0, o0 + n):
            k = ops[j]
            _pay(rows, k, rows[SHARE, k], False)
