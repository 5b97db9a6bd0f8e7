"""The compiled deal as two flat arrays, and how the kernel reads them.

A deal compiles (:mod:`waterfall.compile`) into ``DealArrays(ip, fp)``: every integer parameter
in ``ip`` (int64), every float parameter in ``fp`` (float64). ``ip`` starts with a header: the
integer scalars at the fixed slots ``I_*``, then for every vector the offset where it starts
(in ``ip`` for the integer vectors ``IV_*``, in ``fp`` for the float vectors ``FV_*``); ``fp``
starts with the float scalars ``F_*``. Matrices are stored row by row: the step table
(steps × STEP_WIDTH), the principal targets (T × N) and the fee coefficients (T × F).

Why two arrays and not one field per parameter: numba passes every array to a called kernel
function as a handful of words and counts a reference to it, so a deal of sixty arrays made
every call between kernel functions cost hundreds of nanoseconds; two arrays cost almost
nothing (measured: docs/waterfall.md, "Speed").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from waterfall.jit import kernel_jit
from waterfall.layout import STEP_WIDTH


class DealArrays(NamedTuple):
    """A deal on a grid of periods (see the module docstring)."""

    ip: npt.NDArray[np.int64]
    fp: npt.NDArray[np.float64]


# --- integer scalars: slots of ip ---
I_N_TRANCHES = 0
I_N_FEES = 1
I_N_TRIGGERS = 2
I_N_PERIODS = 3
I_HAS_RESERVE = 4
I_RESERVE_RULE = 5
I_RESERVE_COVERS = 6
I_HAS_COMMIT = 7
I_COMMIT_COVERS = 8
I_HAS_GUARANTEE = 9
I_GUARANTEE_COVERS = 10
I_ROUNDING = 11
I_LEFTOVER = 12
I_IOI = 13
I_SKIP_SETTLED = 14
I_HAS_REVOLVING = 15
I_REV_END = 16
I_HAS_AMORT = 17
I_KEEP_BAND = 18
I_BAND_LO = 19
I_BAND_HI = 20
# --- integer vectors: the slot of ip holding the vector's offset in ip ---
IV_RANK = 21
IV_SENIOR = 22
IV_PASS_THROUGH = 23
IV_HAS_INTEREST = 24
IV_COUPON_FLOAT = 25
IV_OVERDUE_FROM = 26
IV_SENIOR_THROUGH = 27
IV_FEE_IS_TAX = 28
IV_FEE_IS_FIXED = 29
IV_FEE_BASE = 30
IV_TRIG_COND = 31
IV_TRIG_CURE = 32
IV_TRIG_EVENT = 33
IV_TRIG_FROM = 34
IV_OPS = 35
IV_LIST_START = 36
IV_LIST_END = 37
IV_EVENT_HAS = 38
IV_STEPS = 39
IV_RESIDUAL_OF_LIST = 40
IV_TRIG_PERIODS = 41
# --- float vectors: the slot of ip holding the vector's offset in fp ---
FV_BALANCE0 = 42
FV_COUPON_FIXED = 43
FV_COUPON_SPREAD = 44
FV_COUPON_FLOOR = 45
FV_COUPON_CAP = 46
FV_PERIOD_YIELD = 47
FV_FEE_AMOUNT = 48
FV_FEE_CAP = 49
FV_TRIG_THRESHOLD = 50
FV_YEAR_FRACTIONS = 51
FV_FORECAST = 52
FV_TIMES = 53
FV_TARGETS = 54
FV_FEE_MULT = 55
FV_STEP_FLOAT = 56
IP_HEADER = 57
# --- float scalars: slots of fp ---
F_ISSUE_AMOUNT = 0
F_RESERVE_INITIAL = 1
F_RESERVE_TARGET_AMOUNT = 2
F_RESERVE_TARGET_PERCENT = 3
F_COMMIT_CAP_TOTAL = 4
F_COMMIT_CAP_PERIOD = 5
F_GUARANTEE_CAP_TOTAL = 6
F_GUARANTEE_CAP_PERIOD = 7
F_INITIAL_POOL_BALANCE = 8
F_REFERENCE_RATE = 9
F_ACCOUNT_RATE = 10
FP_HEADER = 11

_INT_SCALARS = (
    "n_tranches",
    "n_fees",
    "n_triggers",
    "n_periods",
    "has_reserve",
    "reserve_rule",
    "reserve_covers",
    "has_commit",
    "commit_covers",
    "has_guarantee",
    "guarantee_covers",
    "rounding",
    "leftover",
    "ioi",
    "skip_settled",
    "has_revolving",
    "rev_end",
    "has_amort",
    "keep_band",
    "band_lo",
    "band_hi",
)
_INT_VECTORS = (
    "rank",
    "senior",
    "pass_through",
    "has_interest",
    "coupon_float",
    "overdue_from",
    "senior_through",
    "fee_is_tax",
    "fee_is_fixed",
    "fee_base",
    "trig_cond",
    "trig_cure",
    "trig_event",
    "trig_from",
    "ops",
    "list_start",
    "list_end",
    "event_has",
    "steps",
    "residual_of_list",
    "trig_periods",
)
_FLOAT_SCALARS = (
    "issue_amount",
    "reserve_initial",
    "reserve_target_amount",
    "reserve_target_percent",
    "commit_cap_total",
    "commit_cap_period",
    "guarantee_cap_total",
    "guarantee_cap_period",
    "initial_pool_balance",
    "reference_rate",
    "account_rate",
)
_FLOAT_VECTORS = (
    "balance0",
    "coupon_fixed",
    "coupon_spread",
    "coupon_floor",
    "coupon_cap",
    "period_yield",
    "fee_amount",
    "fee_cap",
    "trig_threshold",
    "year_fractions",
    "forecast",
    "times",
    "targets",
    "fee_mult",
    "step_float",
)


def pack(ints: Mapping[str, Any], floats: Mapping[str, Any]) -> DealArrays:
    """Lay out named parameters: scalars by name, vectors and matrices (flattened row by row).

    Every name of the lists above must be given (a missing one is a programming error).
    """
    head = np.zeros(IP_HEADER, dtype=np.int64)
    for i, name in enumerate(_INT_SCALARS):
        head[I_N_TRANCHES + i] = int(ints[name])
    int_parts: list[npt.NDArray[np.int64]] = [head]
    at = IP_HEADER
    for i, name in enumerate(_INT_VECTORS):
        vec = np.asarray(ints[name], dtype=np.int64).reshape(-1)
        head[IV_RANK + i] = at
        int_parts.append(vec)
        at += vec.size
    fhead = np.array([float(floats[name]) for name in _FLOAT_SCALARS], dtype=np.float64)
    float_parts: list[npt.NDArray[np.float64]] = [fhead]
    fat = FP_HEADER
    for i, name in enumerate(_FLOAT_VECTORS):
        fvec = np.asarray(floats[name], dtype=np.float64).reshape(-1)
        head[FV_BALANCE0 + i] = fat
        float_parts.append(fvec)
        fat += fvec.size
    return DealArrays(np.concatenate(int_parts), np.concatenate(float_parts))


def float_vector(d: DealArrays, slot: int, size: int) -> npt.NDArray[np.float64]:
    """The float vector whose offset is in ip slot ``slot`` (``size`` values; a view)."""
    at = int(d.ip[slot])
    view: npt.NDArray[np.float64] = d.fp[at : at + size]
    return view


@kernel_jit
def iv(d, slot, i):
    """Element ``i`` of the integer vector of ``slot`` (an ``IV_*``)."""
    return d.ip[d.ip[slot] + i]


@kernel_jit
def fv(d, slot, i):
    """Element ``i`` of the float vector of ``slot`` (an ``FV_*``)."""
    return d.fp[d.ip[slot] + i]


@kernel_jit
def step(d, i, col):
    """Column ``col`` (``layout.STEP_*``) of row ``i`` of the step table."""
    return d.ip[d.ip[IV_STEPS] + i * STEP_WIDTH + col]


@kernel_jit
def target(d, t, k):
    """Balance tranche ``k`` may keep after period ``t`` (−1: no target)."""
    return d.fp[d.ip[FV_TARGETS] + t * d.ip[I_N_TRANCHES] + k]


@kernel_jit
def fee_mult(d, t, f):
    """Coefficient of fee ``f`` on its base in period ``t``."""
    return d.fp[d.ip[FV_FEE_MULT] + t * d.ip[I_N_FEES] + f]
