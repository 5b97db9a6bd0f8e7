"""``pay_sub_yield``: pay 次级期间收益 — the tranche's ``period_yield`` on its 期初 balance.

What is left unpaid is reported as a shortfall of the period and not carried forward.
"""

from __future__ import annotations

from typing import Any

from abs.deal import PaySubYield
from waterfall.jit import kernel_jit
from waterfall.layout import AVAIL, STEP_OP_START, YIELD_DUE, YIELD_PAID, YIELD_RAN
from waterfall.params import FV_PERIOD_YIELD, I_ROUNDING, IV_OPS, fv, iv, step
from waterfall.steps._core import cash_amount

SPEC = PaySubYield
CODE = 4


def compile_step(step: PaySubYield, ctx: Any) -> tuple[dict[str, int], list[int]]:
    """Operand: the tranche."""
    return {}, [ctx.tranche(step.tranche)]


@kernel_jit
def kernel(d, i, rows, acc, t):
    k = iv(d, IV_OPS, step(d, i, STEP_OP_START))
    if fv(d, FV_PERIOD_YIELD, k) <= 0.0:
        return
    rows[YIELD_RAN, k] = 1.0
    x = cash_amount(
        d.ip[I_ROUNDING], min(max(rows[YIELD_DUE, k] - rows[YIELD_PAID, k], 0.0), acc[AVAIL])
    )
    rows[YIELD_PAID, k] += x
    acc[AVAIL] -= x
