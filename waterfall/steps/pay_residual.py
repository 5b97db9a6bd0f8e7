"""``pay_residual``: everything left goes to the named (次级) tranche as excess return (超额收益).

With ``wait_for_seniors``, nothing is paid while a more senior class is outstanding: the cash
stays in the account for the next period (转入下一期).
"""

from __future__ import annotations

from typing import Any

from abs.deal import PayResidual
from waterfall.jit import kernel_jit
from waterfall.layout import AVAIL, RESIDUAL, STEP_OP_START, STEP_WAIT
from waterfall.params import I_ROUNDING, IV_OPS, iv, step
from waterfall.steps._core import cash_amount, seniors_repaid

SPEC = PayResidual
CODE = 6


def compile_step(step: PayResidual, ctx: Any) -> tuple[dict[str, int], list[int]]:
    """Operand: the tranche; flag: wait for seniors."""
    return {"wait": int(step.wait_for_seniors)}, [ctx.tranche(step.tranche)]


@kernel_jit
def kernel(d, i, rows, acc, t):
    k = iv(d, IV_OPS, step(d, i, STEP_OP_START))
    if step(d, i, STEP_WAIT) != 0 and not seniors_repaid(d, rows, k):
        return
    x = cash_amount(d.ip[I_ROUNDING], acc[AVAIL])
    rows[RESIDUAL, k] += x
    acc[AVAIL] -= x
