"""``fund_reserve``: top the reserve account up to its target from the cash in hand.

Target: ``fixed`` = ``target_amount``; ``percent`` = ``target_percent`` × the senior balance at
this point of the waterfall; ``max``/``min`` of the two; 0 once the reserve is released (every
senior repaid, or the last period).
"""

from __future__ import annotations

from typing import Any

from abs.deal import FundReserve
from abs.errors import WaterfallError
from waterfall.jit import kernel_jit
from waterfall.layout import AVAIL, BAL, DEPOSIT, RESERVE, RESERVE_OPEN
from waterfall.params import (
    F_RESERVE_TARGET_AMOUNT,
    F_RESERVE_TARGET_PERCENT,
    I_N_TRANCHES,
    I_RESERVE_RULE,
    I_ROUNDING,
    IV_SENIOR,
    iv,
)
from waterfall.steps._core import cash_amount, round_amount

SPEC = FundReserve
CODE = 3

#: ``target_rule`` codes (the order of :class:`abs.enums.ReserveTargetRule`).
RULE_FIXED = 0
RULE_PERCENT = 1
RULE_MAX = 2
RULE_MIN = 3


def compile_step(step: FundReserve, ctx: Any) -> tuple[dict[str, int], list[int]]:
    """No operands; the deal must have a reserve account."""
    if ctx.deal.reserve is None:
        raise WaterfallError(
            f"deal {ctx.deal.name}: waterfall has a fund_reserve step but the deal has no "
            "reserve account (field 'reserve')"
        )
    return {}, []


@kernel_jit
def kernel(d, i, rows, acc, t):
    senior = 0.0
    for k in range(d.ip[I_N_TRANCHES]):
        if iv(d, IV_SENIOR, k):
            senior += rows[BAL, k]
    pct = round_amount(d.ip[I_ROUNDING], d.fp[F_RESERVE_TARGET_PERCENT] * senior)
    rule = d.ip[I_RESERVE_RULE]
    if rule == RULE_FIXED:
        target = d.fp[F_RESERVE_TARGET_AMOUNT]
    elif rule == RULE_PERCENT:
        target = pct
    elif rule == RULE_MAX:
        target = max(pct, d.fp[F_RESERVE_TARGET_AMOUNT])
    else:
        target = min(pct, d.fp[F_RESERVE_TARGET_AMOUNT])
    if acc[RESERVE_OPEN] == 0.0:
        target = 0.0
    x = cash_amount(d.ip[I_ROUNDING], min(max(target - acc[RESERVE], 0.0), acc[AVAIL]))
    acc[RESERVE] += x
    acc[DEPOSIT] += x
    acc[AVAIL] -= x
