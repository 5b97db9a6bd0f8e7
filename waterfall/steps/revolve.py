"""``revolve``: 循环购买 — spend principal collections and idle cash on new eligible assets.

While the revolving period runs (before its end, no 提前摊还事件 and no acceleration, with
securities outstanding), the step sets aside the period's principal collections plus the idle
cash released from the period before (with ``excess_spread``: all cash left at this point),
within the cash in hand. It buys the eligible supply of the period (both classes, not
data-linked and data-linked, in proportion to what is offered) up to that amount; with
``revolving.keep_kind_band`` it buys the data-linked supply first, then the largest amount of
the non-data-linked supply that keeps the data-linked share of the pool at or above the issued
kind's floor, compared in integer fen. What is set aside
and not spent is 闲置资金: it stays in the account, earns the account rate and is released
into the next period's available funds. The kernel then books what the purchased assets bring
in later periods (:func:`waterfall.revolving.book_purchases`).
"""

from __future__ import annotations

import math
from typing import Any

from abs.deal import Revolve
from waterfall.jit import kernel_jit
from waterfall.layout import (
    AVAIL,
    BUDGET,
    BUY0,
    BUY1,
    DATA,
    FACE0,
    FACE1,
    IDLE,
    IDLE_REL,
    POOL,
    PRIN_COLL,
    REV_ON,
    STEP_TURBO,
    SUP0,
    SUP1,
)
from waterfall.params import I_BAND_LO, I_KEEP_BAND, I_ROUNDING, step
from waterfall.steps._core import cash_amount

SPEC = Revolve
CODE = 7


def compile_step(step: Revolve, ctx: Any) -> tuple[dict[str, int], list[int]]:
    """No operands; flag (in the turbo column): also spend excess spread."""
    return {"turbo": int(step.excess_spread)}, []


@kernel_jit
def _fen(x: float) -> int:
    return math.floor(x * 100.0 + 0.5)


@kernel_jit
def _in_band(data: float, pool: float, lo: int) -> bool:
    """100 × data ≥ lo × pool, in integer fen."""
    return 100 * _fen(data) >= lo * _fen(pool)


@kernel_jit
def _largest_in_band(p0, data, pool, face0, lo):
    """``p0`` if buying it keeps the band, else the largest whole-fen amount below it that
    does: from the estimate (data / lo − pool) / face, up then down a fen at a time."""
    if _in_band(data, pool + p0 * face0, lo):
        return p0
    top = math.floor(p0 * 100.0)
    room = (data * 100.0 / lo - pool) / face0 if face0 > 0.0 else 0.0
    c = min(max(math.floor(room * 100.0), -1), top)
    while c + 1 <= top and _in_band(data, pool + (c + 1) / 100.0 * face0, lo):
        c += 1
    while c >= 0 and not _in_band(data, pool + c / 100.0 * face0, lo):
        c -= 1
    return max(c, 0) / 100.0


@kernel_jit
def kernel(d, i, rows, acc, t):
    if acc[REV_ON] == 0.0:  # not revolving, or no securities at the start of the period
        return
    mode = d.ip[I_ROUNDING]
    if step(d, i, STEP_TURBO) != 0:
        budget = acc[AVAIL]
    else:
        # principal collections and idle cash, less what an earlier revolve step set aside
        budget = min(acc[AVAIL], acc[PRIN_COLL] + acc[IDLE_REL] - acc[BUDGET])
    budget = cash_amount(mode, max(budget, 0.0))
    offered = acc[SUP0] + acc[SUP1]
    p0 = 0.0
    p1 = 0.0
    lo = d.ip[I_BAND_LO]
    if offered > 0.0 and budget > 0.0 and d.ip[I_KEEP_BAND] != 0 and lo > 0:
        # keeping the band: data-linked supply first, then the plain assets that fit
        p1 = cash_amount(mode, min(acc[SUP1], budget))
        p0 = cash_amount(mode, max(min(acc[SUP0], budget - p1), 0.0))
        if p0 > 0.0:
            p0 = _largest_in_band(
                p0, acc[DATA] + p1 * acc[FACE1], acc[POOL] + p1 * acc[FACE1], acc[FACE0], lo
            )
    elif offered > 0.0 and budget > 0.0:
        f = min(1.0, budget / offered)
        p1 = cash_amount(mode, min(acc[SUP1] * f, budget))
        p0 = cash_amount(mode, max(min(acc[SUP0] * f, budget - p1), 0.0))
    acc[SUP0] -= p0
    acc[SUP1] -= p1
    acc[BUY0] += p0
    acc[BUY1] += p1
    acc[BUDGET] += budget
    acc[POOL] += p0 * acc[FACE0] + p1 * acc[FACE1]
    acc[DATA] += p1 * acc[FACE1]
    acc[IDLE] += budget - p0 - p1
    acc[AVAIL] -= budget
