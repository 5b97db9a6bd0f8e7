"""``reimburse_support``: repay 差额支付 / guarantee draws not yet repaid (返还垫付款项).

Each listed provider in turn gets min(owed, cash in hand). With ``wait_for_seniors`` nothing is
repaid while a senior tranche is outstanding (the cash stays in the account for the seniors).
"""

from __future__ import annotations

from typing import Any

from abs.deal import ReimburseSupport
from abs.enums import SupportProvider
from waterfall.jit import kernel_jit
from waterfall.layout import (
    AVAIL,
    OWED_COM,
    OWED_GUA,
    REPAID_COM,
    REPAID_GUA,
    STEP_OP_LEN,
    STEP_OP_START,
    STEP_WAIT,
)
from waterfall.params import I_ROUNDING, IV_OPS, iv, step
from waterfall.steps._core import any_senior_outstanding, cash_amount

SPEC = ReimburseSupport
CODE = 5

#: Operand codes of the providers.
PROVIDERS = (SupportProvider.SHORTFALL_COMMITMENT, SupportProvider.GUARANTEE)


def compile_step(step: ReimburseSupport, ctx: Any) -> tuple[dict[str, int], list[int]]:
    """Operands: provider codes (0 差额支付, 1 guarantee) in repayment order."""
    return {"wait": int(step.wait_for_seniors)}, [PROVIDERS.index(p) for p in step.providers]


@kernel_jit
def kernel(d, i, rows, acc, t):
    if step(d, i, STEP_WAIT) != 0 and any_senior_outstanding(d, rows):
        return
    o0 = step(d, i, STEP_OP_START)
    for j in range(o0, o0 + step(d, i, STEP_OP_LEN)):
        owed, repaid = (OWED_COM, REPAID_COM) if iv(d, IV_OPS, j) == 0 else (OWED_GUA, REPAID_GUA)
        x = cash_amount(d.ip[I_ROUNDING], min(acc[owed], acc[AVAIL]))
        acc[owed] -= x
        acc[repaid] += x
        acc[AVAIL] -= x
