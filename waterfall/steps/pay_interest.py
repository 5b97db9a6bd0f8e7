"""``pay_interest``: pay interest due on one tranche, or pro rata across a group.

The tranches of the step that bear interest share the cash in proportion to what each is owed
(interest on unpaid interest first, then the interest due with arrears). What senior tranches
are still owed is drawn at once from the support covering senior interest and shared in
proportion to each one's shortfall.
"""

from __future__ import annotations

from typing import Any

from abs.deal import PayInterest
from waterfall.jit import kernel_jit
from waterfall.layout import (
    COVER_SENIOR_INTEREST,
    INT_DUE,
    INT_PAID,
    INT_SUP,
    IOI_DUE,
    NEED,
    SHARE,
    STEP_OP_LEN,
    STEP_OP_START,
)
from waterfall.params import IV_HAS_INTEREST, IV_OPS, IV_SENIOR, iv, step
from waterfall.steps._core import cover_group, pay_group

SPEC = PayInterest
CODE = 1


def compile_step(step: PayInterest, ctx: Any) -> tuple[dict[str, int], list[int]]:
    """Operands: tranche indices (a pro-rata group)."""
    return {"pro_rata": 1}, [ctx.tranche(n) for n in step.tranches]


@kernel_jit
def kernel(d, i, rows, acc, t):
    o0 = d.ip[IV_OPS] + step(d, i, STEP_OP_START)
    n = step(d, i, STEP_OP_LEN)
    ops = d.ip  # operands: o0 is their absolute index in ip
    bearing = False
    for j in range(o0, o0 + n):
        k = ops[j]
        if iv(d, IV_HAS_INTEREST, k):
            bearing = True
            rows[NEED, k] = max(rows[INT_DUE, k] + rows[IOI_DUE, k] - rows[INT_PAID, k], 0.0)
        else:
            rows[NEED, k] = 0.0
    if not bearing:
        return
    short = pay_group(d, rows, acc, o0, n)
    for j in range(o0, o0 + n):
        k = ops[j]
        rows[INT_PAID, k] += rows[SHARE, k]
    if short == 0.0:
        return  # paid in full: nothing to draw
    for j in range(o0, o0 + n):
        k = ops[j]
        # the seniors' shortfall is covered by support; the others' is carried forward
        rows[NEED, k] = rows[NEED, k] - rows[SHARE, k] if iv(d, IV_SENIOR, k) else 0.0
    cover_group(d, rows, acc, o0, n, COVER_SENIOR_INTEREST)
    for j in range(o0, o0 + n):
        k = ops[j]
        rows[INT_PAID, k] += rows[SHARE, k]
        rows[INT_SUP, k] += rows[SHARE, k]
