"""Compile a deal and its collections into flat arrays the engine loops over.

Everything that does not depend on the scenario path is computed once here: coupon rates per
scenario, the principal target of every tranche for every period (``targets``), fee
coefficients per period, and the two step lists with names resolved to indices.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from abs.cashflows import Collections
from abs.deal import (
    Deal,
    FundReserve,
    PayFees,
    PayInterest,
    PayPrincipal,
    PayResidual,
    PaySubYield,
    ReimburseSupport,
    Step,
)
from abs.enums import (
    AllocationMode,
    CouponType,
    FeeBase,
    FeeType,
    PrincipalType,
    SupportCover,
    SupportProvider,
    TrancheClass,
)
from abs.errors import WaterfallError
from abs.templates import effective_waterfall

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

#: Money below half a fen counts as zero (balances repaid, nothing unpaid).
EPS = 0.005
#: Stands for "no cap" (a finite number so that ``cap * 0`` is 0, never NaN).
NO_CAP = 1e18

#: Order of the fee bases in the (5, S) base matrix built each period.
BASE_ORDER: tuple[FeeBase, ...] = (
    FeeBase.TOTAL_BALANCE,
    FeeBase.SENIOR_BALANCE,
    FeeBase.ISSUE_AMOUNT,
    FeeBase.PERIOD_COLLECTIONS,
    FeeBase.PERIOD_INCOME,
)

#: Row of each provider in the engine's support sources (``reimburse`` step indices).
PROVIDER_ORDER: tuple[SupportProvider, ...] = (
    SupportProvider.SHORTFALL_COMMITMENT,
    SupportProvider.GUARANTEE,
)

CLASS_RANK = {TrancheClass.SENIOR: 0, TrancheClass.MEZZANINE: 1, TrancheClass.SUBORDINATED: 2}

#: Scenarios per block when laying out (S, n) arrays as (n, S).
TRANSPOSE_BLOCK = 512
#: Rows up to this length are tested with ``count_nonzero`` (≈ 0.5 µs at 64 values) rather
#: than a max/min reduction (≈ 1.7 µs); on longer rows the reduction is the faster (3 µs against
#: 8.6 µs at 10,000 values, measured).
SHORT_ROW = 2048


def some_positive(x: FloatArray) -> bool:
    """Some element of ``x`` (never negative) is above zero."""
    if x.shape[-1] <= SHORT_ROW:
        return bool(np.count_nonzero(x))
    return bool(np.maximum.reduce(x) > 0.0)


def all_positive(x: FloatArray) -> bool:
    """Every element of ``x`` (never negative) is above zero."""
    if x.shape[-1] <= SHORT_ROW:
        return bool(np.count_nonzero(x) == x.size)
    return bool(np.minimum.reduce(x) > 0.0)


def any_nonzero(x: FloatArray) -> bool:
    """Some element of ``x`` (of either sign) is not zero."""
    if x.shape[-1] <= SHORT_ROW:
        return bool(np.count_nonzero(x))
    return bool(np.maximum.reduce(x) > 0.0 or np.minimum.reduce(x) < 0.0)


#: Periods per chunk read by :meth:`Cash.col`.
COLUMN_CHUNK = 8


def copy_transposed(dst: npt.NDArray[Any], src: npt.NDArray[Any]) -> None:
    """``dst[...] = src.T`` for a 2-d ``src`` (S, n), a block of scenarios at a time.

    Measured 1.7× faster than one strided copy at 10,000 × 107: each block's source rows
    stay in cache while its columns are written.
    """
    s = src.shape[0]
    for r0 in range(0, s, TRANSPOSE_BLOCK):
        r1 = min(r0 + TRANSPOSE_BLOCK, s)
        dst[:, r0:r1] = src[r0:r1].T


@dataclass(frozen=True)
class Cash:
    """The parts of :class:`~abs.cashflows.Collections` the engine reads, (S, T) each."""

    total: FloatArray
    income: FloatArray
    defaults: FloatArray
    pool_balance: FloatArray
    forecast: FloatArray  # (T,)
    year_fractions: FloatArray  # (T,)
    initial_pool_balance: float
    #: Rows of the arrays that are this object's scenarios (None: all of them).
    rows: IntArray | None = None
    #: Periods laid out as rows, :data:`COLUMN_CHUNK` at a time: {(array, chunk): (n, S)}.
    chunks: dict[tuple[str, int], FloatArray] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, collections: Collections) -> Cash:
        """The engine's view of ``collections``."""
        return cls(
            total=collections.total,
            income=collections.income,
            defaults=collections.defaults,
            pool_balance=collections.pool_balance,
            forecast=np.asarray(collections.forecast, dtype=np.float64),
            year_fractions=np.asarray(collections.year_fractions, dtype=np.float64),
            initial_pool_balance=float(collections.initial_pool_balance),
        )

    def take(self, idx: IntArray) -> Cash:
        """The same arrays standing for scenarios ``idx`` of this object's scenarios.

        Nothing is copied: a narrower run may last a single period, and reads one column per
        period (:meth:`col`) from the original arrays.
        """
        return dataclasses.replace(
            self, rows=idx if self.rows is None else self.rows[idx], chunks={}
        )

    def col(self, name: str, t: int) -> FloatArray:
        """Period ``t`` of array ``name`` (S, T) for this object's scenarios, contiguous.

        Periods are laid out as rows a chunk at a time: one cache-friendly gather and
        transpose instead of a strided read of every scenario per period.
        """
        c = t // COLUMN_CHUNK
        chunk = self.chunks.get((name, c))
        if chunk is None:
            a: FloatArray = getattr(self, name)
            t0 = c * COLUMN_CHUNK
            t1 = min(t0 + COLUMN_CHUNK, a.shape[1])
            part = a[:, t0:t1] if self.rows is None else a[self.rows, t0:t1]
            chunk = self.chunks[(name, c)] = np.empty((t1 - t0, part.shape[0]))
            copy_transposed(chunk, part)
        return cast(FloatArray, chunk[t - c * COLUMN_CHUNK])

    def span(self, a: FloatArray, t0: int, t1: int, sel: IntArray | None = None) -> FloatArray:
        """Periods ``t0`` … ``t1`` − 1 of ``a`` for this object's scenarios (``sel`` of them)."""
        if self.rows is None:
            return a[:, t0:t1] if sel is None else a[sel, t0:t1]
        return a[self.rows if sel is None else self.rows[sel], t0:t1]


@dataclass(frozen=True)
class CompiledStep:
    """One waterfall step with names resolved to row indices."""

    kind: str
    idx: tuple[int, ...]
    pro_rata: bool = False
    turbo: bool = False
    wait: bool = False


def _index_date(dates: tuple[dt.date, ...], when: dt.date) -> int:
    """First period whose payment date is on/after ``when`` (``len(dates)`` if none)."""
    for i, d in enumerate(dates):
        if d >= when:
            return i
    return len(dates)


def _per_scenario(name: str, value: Any, s: int, dtype: type) -> npt.NDArray[Any]:
    arr: npt.NDArray[Any] = np.asarray(value, dtype=dtype)
    if arr.ndim == 0:
        return np.full(s, arr.item(), dtype=dtype)
    if arr.shape != (s,):
        raise WaterfallError(
            f"waterfall.run: {name} must be a scalar or an array of shape ({s},) "
            f"(one value per scenario); got shape {arr.shape}"
        )
    return arr.copy()


@dataclass(frozen=True)
class Plan:
    """Arrays describing one deal on one collections grid (see module docstring)."""

    deal: Deal
    n_scenarios: int
    n_periods: int
    payment_dates: tuple[dt.date, ...]
    names: tuple[str, ...]
    rank: npt.NDArray[np.int64]
    senior: BoolArray
    senior_idx: tuple[int, ...]
    balance0: FloatArray
    targets: FloatArray  # (T, N): balance allowed to remain after period t; inf = no target
    em_idx: tuple[int, ...]
    coupon: FloatArray  # (N, S) annual rates
    has_interest: BoolArray  # (N,)
    period_yield: FloatArray  # (N,)
    fee_names: tuple[str, ...]
    fee_mult: FloatArray  # (T, F) coefficient on the fee base
    fee_fixed: FloatArray  # (F,) fixed amount per period
    fee_base: npt.NDArray[np.int64]  # (F,) row of BASE_ORDER
    fee_cap: FloatArray  # (F,)
    fee_cover: tuple[SupportCover, ...]
    normal: tuple[CompiledStep, ...]
    accelerated: tuple[CompiledStep, ...]
    originator_default: BoolArray  # (S,)
    guarantor_default: BoolArray  # (S,)
    int_row: tuple[int, ...]  # tranche → row of the interest buffers (−1: never any interest)
    yield_row: tuple[int, ...]  # tranche → row of the 期间收益 buffers (−1: none)
    residual_row: tuple[int, ...]  # tranche → row of the residual buffers (−1: none)

    @functools.cached_property
    def yield_rows(self) -> tuple[int, ...]:
        """Tranches that have 期间收益 rows, in row order."""
        return tuple(n for n, j in enumerate(self.yield_row) if j >= 0)

    @functools.cached_property
    def residual_rows(self) -> tuple[int, ...]:
        """Tranches that receive residual cash, in row order."""
        return tuple(n for n, j in enumerate(self.residual_row) if j >= 0)

    @functools.cached_property
    def int_rows(self) -> tuple[int, ...]:
        """Tranches that may accrue interest, in row order."""
        return tuple(n for n, j in enumerate(self.int_row) if j >= 0)

    @property
    def n_tranches(self) -> int:
        """N."""
        return len(self.names)

    @property
    def n_fees(self) -> int:
        """F."""
        return len(self.fee_names)

    def take(self, idx: IntArray) -> Plan:
        """The same plan on scenarios ``idx`` only."""
        return dataclasses.replace(
            self,
            n_scenarios=int(idx.size),
            coupon=self.coupon[:, idx],
            originator_default=self.originator_default[idx],
            guarantor_default=self.guarantor_default[idx],
        )

    def more_senior(self, n: int) -> tuple[int, ...]:
        """Indices of tranches of a strictly more senior class than tranche ``n``."""
        return tuple(int(i) for i in np.flatnonzero(self.rank < self.rank[n]))


def _compile_steps(
    deal: Deal, steps: tuple[Step, ...], tranche_ix: dict[str, int], fee_ix: dict[str, int]
) -> tuple[CompiledStep, ...]:
    out: list[CompiledStep] = []
    for step in steps:
        if isinstance(step, PayFees):
            out.append(
                CompiledStep(
                    "fees",
                    tuple(fee_ix[f] for f in step.fees),
                    pro_rata=step.mode is AllocationMode.PRO_RATA,
                )
            )
        elif isinstance(step, PayInterest):
            out.append(
                CompiledStep("interest", tuple(tranche_ix[t] for t in step.tranches), pro_rata=True)
            )
        elif isinstance(step, PayPrincipal):
            out.append(
                CompiledStep(
                    "principal",
                    tuple(tranche_ix[t] for t in step.tranches),
                    pro_rata=step.mode is AllocationMode.PRO_RATA,
                    turbo=step.turbo,
                    wait=step.wait_for_seniors,
                )
            )
        elif isinstance(step, FundReserve):
            if deal.reserve is None:
                raise WaterfallError(
                    f"deal {deal.name}: waterfall has a fund_reserve step but the deal has no "
                    "reserve account (field 'reserve')"
                )
            out.append(CompiledStep("reserve", ()))
        elif isinstance(step, PaySubYield):
            out.append(CompiledStep("sub_yield", (tranche_ix[step.tranche],)))
        elif isinstance(step, PayResidual):
            out.append(
                CompiledStep("residual", (tranche_ix[step.tranche],), wait=step.wait_for_seniors)
            )
        elif isinstance(step, ReimburseSupport):
            out.append(
                CompiledStep(
                    "reimburse",
                    tuple(PROVIDER_ORDER.index(p) for p in step.providers),
                    wait=step.wait_for_seniors,
                )
            )
    return tuple(out)


def compile_plan(
    deal: Deal,
    collections: Collections,
    *,
    reference_rate: float | None,
    rate_shift_bp: Any,
    originator_default: Any,
    guarantor_default: Any,
) -> Plan:
    """Resolve ``deal`` on the grid of ``collections`` (see :func:`waterfall.run`)."""
    s, t_count = collections.n_scenarios, collections.n_periods
    if t_count < 1:
        raise WaterfallError(f"deal {deal.name}: collections have no periods")
    dates = collections.payment_dates
    n = len(deal.tranches)
    names = tuple(tr.name for tr in deal.tranches)
    tranche_ix = {nm: i for i, nm in enumerate(names)}
    fee_names = tuple(f.name for f in deal.fees)
    fee_ix = {nm: i for i, nm in enumerate(fee_names)}

    ref = deal.assumptions.reference_rate if reference_rate is None else float(reference_rate)
    shift = _per_scenario("rate_shift_bp", rate_shift_bp, s, np.float64) / 1e4
    coupon = np.zeros((n, s))
    for i, tr in enumerate(deal.tranches):
        c = tr.coupon
        if c.coupon_type is CouponType.FIXED:
            coupon[i] = c.rate
        else:
            r = ref + shift + c.spread
            if c.floor is not None:
                r = np.maximum(r, c.floor)
            if c.cap is not None:
                r = np.minimum(r, c.cap)
            coupon[i] = np.maximum(r, 0.0)  # investors never pay interest
    has_interest = np.array(
        [tr.coupon.coupon_type is CouponType.FLOATING or tr.coupon.rate > 0 for tr in deal.tranches]
    )

    targets = np.full((t_count, n), np.inf)
    em_idx: list[int] = []
    own_em = [
        tr.expected_maturity_date or deal.dates.expected_maturity_date for tr in deal.tranches
    ]
    ranks = [CLASS_RANK[tr.tranche_class] for tr in deal.tranches]
    for i, tr in enumerate(deal.tranches):
        # A junior is never expected to mature before the classes senior to it.
        em = max([own_em[i]] + [own_em[j] for j in range(n) if ranks[j] < ranks[i]])
        k = _index_date(dates, em)
        em_idx.append(k)
        if tr.principal_type is PrincipalType.SCHEDULED and tr.target_balances:
            tb = np.asarray(tr.target_balances, dtype=np.float64)
            col = np.full(t_count, tb[-1])
            m = min(len(tb), t_count)
            col[:m] = tb[:m]
            targets[:, i] = col
        targets[k:, i] = 0.0
    targets[-1, :] = 0.0

    days = np.asarray(collections.days, dtype=np.float64)
    fee_mult = np.zeros((t_count, len(deal.fees)))
    fee_fixed = np.zeros(len(deal.fees))
    fee_cap = np.full(len(deal.fees), NO_CAP)
    fee_base = np.zeros(len(deal.fees), dtype=np.int64)
    covers: list[SupportCover] = []
    for j, fee in enumerate(deal.fees):
        fee_base[j] = BASE_ORDER.index(fee.base)
        if fee.cap is not None:
            fee_cap[j] = fee.cap
        if fee.fee_type is FeeType.TAX:
            fee_mult[:, j] = fee.rate * (1.0 + fee.surcharge) / (1.0 + fee.rate)
            covers.append(SupportCover.TAXES)
        elif fee.fee_type is FeeType.PERCENTAGE:
            fee_mult[:, j] = fee.rate * days / 365.0 * fee.pay_share
            covers.append(SupportCover.FEES)
        else:
            fee_fixed[j] = fee.amount
            covers.append(SupportCover.FEES)

    wf = effective_waterfall(deal)
    normal = _compile_steps(deal, wf.normal, tranche_ix, fee_ix)
    accelerated = _compile_steps(deal, wf.accelerated, tranche_ix, fee_ix)
    yield_step = {st.idx[0] for st in normal + accelerated if st.kind == "sub_yield"}
    residual_step = {st.idx[0] for st in normal + accelerated if st.kind == "residual"}
    rank = np.array([CLASS_RANK[tr.tranche_class] for tr in deal.tranches], dtype=np.int64)
    senior = rank == 0
    return Plan(
        deal=deal,
        n_scenarios=s,
        n_periods=t_count,
        payment_dates=tuple(dates),
        names=names,
        rank=rank,
        senior=senior,
        senior_idx=tuple(int(i) for i in np.flatnonzero(senior)),
        balance0=np.array([tr.balance for tr in deal.tranches], dtype=np.float64),
        targets=targets,
        em_idx=tuple(em_idx),
        coupon=coupon,
        has_interest=has_interest,
        period_yield=np.array([tr.period_yield for tr in deal.tranches], dtype=np.float64),
        fee_names=fee_names,
        fee_mult=fee_mult,
        fee_fixed=fee_fixed,
        fee_base=fee_base,
        fee_cap=fee_cap,
        fee_cover=tuple(covers),
        normal=normal,
        accelerated=accelerated,
        originator_default=_per_scenario("originator_default", originator_default, s, np.bool_),
        guarantor_default=_per_scenario("guarantor_default", guarantor_default, s, np.bool_),
        int_row=_rows(bool(h) for h in has_interest),
        yield_row=_rows(
            i in yield_step and tr.period_yield > 0 for i, tr in enumerate(deal.tranches)
        ),
        residual_row=_rows(i in residual_step for i in range(n)),
    )


def _rows(flags: Any) -> tuple[int, ...]:
    """Row numbers for the flagged items (−1 for the others)."""
    out: list[int] = []
    k = 0
    for flag in flags:
        out.append(k if flag else -1)
        k += int(bool(flag))
    return tuple(out)
