"""``pay_fees``: pay the named taxes and fees, in order or pro rata (docs/waterfall.md).

Sequential: each fee takes min(payable, cash), and what is short is drawn from the support
that covers taxes (tax lines) or fees (the others). Pro rata: the step's fees share the cash in
proportion to what each may pay; shortfalls are drawn per kind (taxes, then fees) and shared in
proportion to each line's shortfall. ``payable`` is the amount due within the fee's per-period
``cap`` before acceleration (above-cap amounts are carried forward).
"""

from __future__ import annotations

from typing import Any

from abs.deal import PayFees
from abs.enums import AllocationMode
from waterfall.jit import kernel_jit
from waterfall.layout import (
    AVAIL,
    COVER_FEES,
    COVER_TAXES,
    FEE_PAID,
    FEE_SUP,
    NEED,
    PAYABLE,
    SHARE,
    SHORT,
    STEP_OP_LEN,
    STEP_OP_START,
    STEP_PRO_RATA,
)
from waterfall.params import I_ROUNDING, IV_FEE_IS_TAX, IV_OPS, iv, step
from waterfall.steps._core import cash_amount, cover, cover_group, pay_group

SPEC = PayFees
CODE = 0


def compile_step(step: PayFees, ctx: Any) -> tuple[dict[str, int], list[int]]:
    """Operands: fee indices; flag: pro rata."""
    return {"pro_rata": int(step.mode is AllocationMode.PRO_RATA)}, [ctx.fee(f) for f in step.fees]


@kernel_jit
def kernel(d, i, rows, acc, t):
    o0 = d.ip[IV_OPS] + step(d, i, STEP_OP_START)
    n = step(d, i, STEP_OP_LEN)
    ops = d.ip  # operands: o0 is their absolute index in ip
    if step(d, i, STEP_PRO_RATA) == 0 or n == 1:
        for j in range(o0, o0 + n):
            f = ops[j]
            need = max(rows[PAYABLE, f] - rows[FEE_PAID, f], 0.0)
            x = cash_amount(d.ip[I_ROUNDING], min(need, acc[AVAIL]))
            rows[FEE_PAID, f] += x
            acc[AVAIL] -= x
            kind = COVER_TAXES if iv(d, IV_FEE_IS_TAX, f) else COVER_FEES
            got = cover(d, acc, need - x, kind)
            rows[FEE_PAID, f] += got
            rows[FEE_SUP, f] += got
        return
    for j in range(o0, o0 + n):
        f = ops[j]
        rows[NEED, f] = max(rows[PAYABLE, f] - rows[FEE_PAID, f], 0.0)
    short = pay_group(d, rows, acc, o0, n)
    for j in range(o0, o0 + n):
        f = ops[j]
        rows[FEE_PAID, f] += rows[SHARE, f]
        rows[SHORT, f] = rows[NEED, f] - rows[SHARE, f]
    if short == 0.0:
        return  # paid in full: nothing to draw
    for kind in (COVER_TAXES, COVER_FEES):
        # the shortfalls of this kind only: the others weigh nothing in the split
        for j in range(o0, o0 + n):
            f = ops[j]
            rows[NEED, f] = (
                rows[SHORT, f] if iv(d, IV_FEE_IS_TAX, f) == (kind == COVER_TAXES) else 0.0
            )
        cover_group(d, rows, acc, o0, n, kind)
        for j in range(o0, o0 + n):
            f = ops[j]
            rows[FEE_PAID, f] += rows[SHARE, f]
            rows[FEE_SUP, f] += rows[SHARE, f]
