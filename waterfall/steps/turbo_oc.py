"""``turbo_oc``: principal to reach a target over-collateralisation (超额抵押目标).

Pays principal to the listed tranches, in order, until the securities it covers — every tranche
of a class as senior as the most junior one listed (listing the seniors: the 优先级) — are at
most (1 − ``target_oc``) × the pool balance at this point of the waterfall (initial pool plus
the assets bought so far, after this period's purchases), i.e. until
(pool − securities) / pool ≥ ``target_oc``. Placed before the residual it traps excess spread
until the target is met; it pays nothing once it is. What it pays a tranche meets that
tranche's scheduled due of the period first (a later ``pay_principal`` owes only the rest).
"""

from __future__ import annotations

from typing import Any

from abs.deal import TurboOC
from waterfall.jit import kernel_jit
from waterfall.layout import (
    AVAIL,
    BAL,
    HARD_DUE,
    HARD_PAID,
    HAS_TARGET,
    POOL,
    SOFT_PAID,
    STEP_OP_LEN,
    STEP_OP_START,
)
from waterfall.params import FV_STEP_FLOAT, I_N_TRANCHES, I_ROUNDING, IV_OPS, IV_RANK, fv, iv, step
from waterfall.steps._core import cash_amount, round_amount

SPEC = TurboOC
CODE = 8


def compile_step(step: TurboOC, ctx: Any) -> tuple[dict[str, int], list[int]]:
    """Operands: tranche indices in order; the target rides in the step's float operand."""
    return {}, [ctx.tranche(n) for n in step.tranches]


@kernel_jit
def kernel(d, i, rows, acc, t):
    mode = d.ip[I_ROUNDING]
    o0 = d.ip[IV_OPS] + step(d, i, STEP_OP_START)
    n = step(d, i, STEP_OP_LEN)
    rank = 0
    for j in range(o0, o0 + n):
        rank = max(rank, iv(d, IV_RANK, d.ip[j]))
    sec = 0.0
    for k in range(d.ip[I_N_TRANCHES]):
        if iv(d, IV_RANK, k) <= rank:
            sec += rows[BAL, k]
    keep = round_amount(mode, (1.0 - fv(d, FV_STEP_FLOAT, i)) * max(acc[POOL], 0.0))
    need = sec - keep
    if not need > 0.0:
        return
    for j in range(o0, o0 + n):
        k = d.ip[j]
        x = cash_amount(mode, min(need, rows[BAL, k], acc[AVAIL]))
        acc[AVAIL] -= x
        # what is paid meets the scheduled due of the period first (a later pay_principal
        # step then owes only the rest), the remainder is turbo principal
        hard = min(x, max(rows[HARD_DUE, k] - rows[HARD_PAID, k], 0.0))
        if rows[HAS_TARGET, k] == 0.0:
            hard = 0.0
        rows[HARD_PAID, k] += hard
        rows[SOFT_PAID, k] += x - hard
        rows[BAL, k] -= x
        need -= x
