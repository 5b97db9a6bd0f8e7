"""Scalar helpers every step kernel uses: rounding to the fen, support draws, pro-rata splits.

All functions work on ONE scenario's state (``rows`` and ``acc`` scalars, see
:mod:`waterfall.layout`) and the compiled deal ``d`` (:class:`waterfall.compile.DealArrays`).
"""

from __future__ import annotations

import math

from waterfall.jit import kernel_jit, rare_jit
from waterfall.layout import (
    AVAIL,
    BAL,
    COM_ON,
    COM_USED,
    COVER_SENIOR_INTEREST,
    DRAW_COM,
    DRAW_GUA,
    DRAW_RES,
    EPS,
    GUA_ON,
    GUA_USED,
    LEFTOVER_LARGEST,
    NEED,
    OWED_COM,
    OWED_GUA,
    RESERVE,
    ROUND_HALF_UP,
    ROUND_NONE,
    SHARE,
)
from waterfall.params import (
    F_COMMIT_CAP_PERIOD,
    F_COMMIT_CAP_TOTAL,
    F_GUARANTEE_CAP_PERIOD,
    F_GUARANTEE_CAP_TOTAL,
    I_COMMIT_COVERS,
    I_GUARANTEE_COVERS,
    I_HAS_COMMIT,
    I_HAS_GUARANTEE,
    I_HAS_RESERVE,
    I_LEFTOVER,
    I_N_TRANCHES,
    I_RESERVE_COVERS,
    I_ROUNDING,
    IV_RANK,
    IV_SENIOR,
    iv,
)

#: Tolerance (in fen) for representation error when rounding: 1.005 元 is 100.49999999999999
#: fen in binary and rounds half-up to 1.01 元, as a trustee rounding decimal amounts would.
_FEN_TOL = 1e-6


@kernel_jit
def round_amount(mode: int, x: float) -> float:
    """``x`` under the deal's rounding convention (a computed amount: interest, fee, share)."""
    if mode == ROUND_NONE:
        return x
    r = x * 100.0
    if mode == ROUND_HALF_UP:
        n = float(math.floor(r))
        if r - n >= 0.5 - _FEN_TOL:
            n += 1.0
    else:
        n = float(math.floor(r + _FEN_TOL))
    return n / 100.0


@kernel_jit
def cash_amount(mode: int, x: float) -> float:
    """``x`` as cash that can be paid: whole fen (rounded down) when the deal rounds."""
    if mode == ROUND_NONE:
        return x
    return math.floor(x * 100.0 + _FEN_TOL) / 100.0


@kernel_jit
def _cents(x: float) -> int:
    """An amount on the fen grid as an integer number of fen."""
    return math.floor(x * 100.0 + 0.5)


@kernel_jit
def _provider(d, acc, short, on, cap_total, cap_period, used, drawn, owed):
    """Draw ``short`` from one provider (差额支付 or guarantee) within its caps."""
    room = short if acc[on] > 0.0 else 0.0
    room = min(room, d.fp[cap_total] - acc[used])
    room = min(room, d.fp[cap_period] - acc[drawn])
    x = cash_amount(d.ip[I_ROUNDING], max(min(short, room), 0.0))
    acc[used] += x
    acc[drawn] += x
    acc[owed] += x
    return x


@kernel_jit
def cover(d, acc, short: float, kind: int) -> float:
    """Draw reserve, then 差额支付, then guarantee for ``short``; returns what was drawn."""
    if not short > 0.0:
        return 0.0
    return _draw(d, acc, short, kind)


@rare_jit
def _draw(d, acc, short: float, kind: int) -> float:
    """:func:`cover` of a positive shortfall (a call of its own: shortfalls are rare)."""
    got = 0.0
    bit = 1 << kind
    if d.ip[I_HAS_RESERVE] and (d.ip[I_RESERVE_COVERS] & bit) != 0:
        x = min(short, acc[RESERVE])
        acc[RESERVE] -= x
        acc[DRAW_RES] += x
        short -= x
        got += x
    if d.ip[I_HAS_COMMIT] and (d.ip[I_COMMIT_COVERS] & bit) != 0:
        caps = (F_COMMIT_CAP_TOTAL, F_COMMIT_CAP_PERIOD)
        x = _provider(d, acc, short, COM_ON, caps[0], caps[1], COM_USED, DRAW_COM, OWED_COM)
        short -= x
        got += x
    if d.ip[I_HAS_GUARANTEE] and (d.ip[I_GUARANTEE_COVERS] & bit) != 0:
        caps = (F_GUARANTEE_CAP_TOTAL, F_GUARANTEE_CAP_PERIOD)
        x = _provider(d, acc, short, GUA_ON, caps[0], caps[1], GUA_USED, DRAW_GUA, OWED_GUA)
        short -= x
        got += x
    return got


@rare_jit
def _settle_cents(d, rows, o0: int, n: int, total: float) -> None:
    """Round the shares in ``rows[SHARE]`` by the convention and give the leftover fen of the split
    to the first line (or the largest) within each line's cap ``rows[NEED]``."""
    ops = d.ip  # operands: o0 is their absolute index in ip
    assigned = 0
    for j in range(o0, o0 + n):
        k = ops[j]
        c = _cents(round_amount(d.ip[I_ROUNDING], rows[SHARE, k]))
        cap = _cents(rows[NEED, k])
        c = min(max(c, 0), cap)
        rows[SHARE, k] = c / 100.0
        assigned += c
    diff = _cents(total) - assigned
    while diff != 0:
        best = -1
        for j in range(o0, o0 + n):
            k = ops[j]
            room = (
                _cents(rows[NEED, k]) - _cents(rows[SHARE, k])
                if diff > 0
                else _cents(rows[SHARE, k])
            )
            if room <= 0:
                continue
            if best < 0:
                best = k
                if d.ip[I_LEFTOVER] != LEFTOVER_LARGEST:
                    break
            elif rows[NEED, k] > rows[NEED, best]:
                best = k
        if best < 0:
            break
        c = _cents(rows[SHARE, best])
        step = min(diff, _cents(rows[NEED, best]) - c) if diff > 0 else -min(-diff, c)
        rows[SHARE, best] = (c + step) / 100.0
        diff -= step


@kernel_jit
def split(d, rows, o0: int, n: int, total: float, weight_total: float) -> None:
    """Share ``total`` over the step's operands in proportion to ``rows[NEED]`` (whose sum is
    ``weight_total``) into ``rows[SHARE]``; each share at most its need."""
    ops = d.ip  # operands: o0 is their absolute index in ip
    for j in range(o0, o0 + n):
        k = ops[j]
        rows[SHARE, k] = rows[NEED, k] / weight_total * total if weight_total > 0.0 else 0.0
    if d.ip[I_ROUNDING] != ROUND_NONE:
        _settle_cents(d, rows, o0, n, total)


@kernel_jit
def pay_group(d, rows, acc, o0: int, n: int) -> float:
    """Pay the needs ``rows[NEED]`` of the step's operands pro rata from cash in hand.

    Shares go to ``rows[SHARE]``; returns what the group is left short (0: paid in full, and
    then every share is exactly its need).
    """
    ops = d.ip  # operands: o0 is their absolute index in ip
    tot = 0.0
    for j in range(o0, o0 + n):
        tot += rows[NEED, ops[j]]
    mode = d.ip[I_ROUNDING]
    if tot <= acc[AVAIL] and mode == ROUND_NONE:
        # the general case below with got = tot and ratio = tot / tot = 1.0 exactly
        for j in range(o0, o0 + n):
            k = ops[j]
            rows[SHARE, k] = rows[NEED, k]
        acc[AVAIL] -= tot
        return 0.0
    got = cash_amount(mode, min(tot, acc[AVAIL]))
    ratio = got / tot if tot > 0.0 else 0.0
    for j in range(o0, o0 + n):
        k = ops[j]
        rows[SHARE, k] = rows[NEED, k] * ratio
    if mode != ROUND_NONE:
        _settle_cents(d, rows, o0, n, got)
    acc[AVAIL] -= got
    return tot - got


@kernel_jit
def cover_group(d, rows, acc, o0: int, n: int, kind: int) -> float:
    """Draw support for the shortfalls ``rows[NEED]`` of a group at once and share the draw in
    proportion to each line's shortfall into ``rows[SHARE]``; returns the draw."""
    ops = d.ip  # operands: o0 is their absolute index in ip
    tot = 0.0
    for j in range(o0, o0 + n):
        tot += rows[NEED, ops[j]]
    if not tot > 0.0:
        for j in range(o0, o0 + n):
            rows[SHARE, ops[j]] = 0.0
        return 0.0
    got = cover(d, acc, tot, kind)
    split(d, rows, o0, n, got, tot)
    return got


@kernel_jit
def seniors_repaid(d, rows, n: int) -> bool:
    """Every tranche of a class more senior than tranche ``n`` has a zero balance."""
    for m in range(d.ip[I_N_TRANCHES]):
        if iv(d, IV_RANK, m) < iv(d, IV_RANK, n) and rows[BAL, m] > EPS:
            return False
    return True


@kernel_jit
def any_senior_outstanding(d, rows) -> bool:
    """Some senior (优先级) tranche still has a balance."""
    for m in range(d.ip[I_N_TRANCHES]):
        if iv(d, IV_SENIOR, m) and rows[BAL, m] > EPS:
            return True
    return False


#: Re-exported for the step modules (the kind of a senior interest shortfall).
SENIOR_INTEREST = COVER_SENIOR_INTEREST
