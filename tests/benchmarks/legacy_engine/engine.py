"""The period loop: ``run(deal, collections)`` → :class:`~waterfall.result.WaterfallResult`.

Python loops over periods and steps only; every statement inside is a numpy operation on
arrays of one value per scenario (shape ``(S,)``). Scenario-dependent choices (accelerated or
not, support available or not, a tranche repaid or not) are masks, never branches; the only
Python-level branches are on facts that hold for *every* scenario (nothing was short, no
scenario is accelerated), which skip work whose result is known to be zero.

Paid amounts are written straight into preallocated ``(T, S)`` buffers, one per line: the first
payment to a line in a period writes its row, later ones add to it. Amounts due are worked out
in scratch rows reused every period; only what is left unpaid (due − paid) is kept, as rows of
the periods where something is, like support draws and repayments (``Line.due`` = paid +
shortfall).

**Narrowing.** A scenario is *dormant* once every tranche balance, the reserve, all arrears
and all support owed are exactly zero: from then on only its collections come in and the first
residual step takes them whole. When at least half of a run's scenarios (and at least
:data:`NARROW_MIN`) are dormant, the run books their remaining periods in bulk and hands the
live ones to a narrower run of the same kind, which writes its periods back into the top run's
buffers (:meth:`_Run.narrow`). Every number is the same as without narrowing (tested bit for
bit); long tails after the seniors and 次级 are repaid then cost little. Semantics are in
``docs/waterfall.md``.

**Shortcuts.** Besides narrowing, a few fast paths apply when a fact holds in every scenario
of a run (consecutive fee steps all paid in full, tranches repaid everywhere, a reserve shut
everywhere); each computes exactly what the general path would, to the bit, and
``tests/waterfall/test_fast_paths.py`` checks that by switching each off. ``docs/waterfall.md``
("Speed") lists them with measurements.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from abs.cashflows import Collections
from abs.deal import Deal
from abs.enums import (
    EventType,
    PrincipalType,
    ReserveTargetRule,
    SupportCover,
    SupportProvider,
)
from abs.errors import ConservationError, WaterfallError
from tests.benchmarks.legacy_engine.events import EVENT_ORDER, TriggerSet
from tests.benchmarks.legacy_engine.plan import (
    BASE_ORDER,
    EPS,
    NO_CAP,
    PROVIDER_ORDER,
    BoolArray,
    Cash,
    CompiledStep,
    FloatArray,
    IntArray,
    Plan,
    all_positive,
    compile_plan,
    copy_transposed,
    some_positive,
)
from tests.benchmarks.legacy_engine.result import (
    SOURCE_COMMITMENT,
    SOURCE_GUARANTEE,
    SOURCE_RESERVE,
    Outputs,
    WaterfallResult,
)

#: The provider each support source stands for.
PROVIDER_OF = {
    SOURCE_COMMITMENT: SupportProvider.SHORTFALL_COMMITMENT,
    SOURCE_GUARANTEE: SupportProvider.GUARANTEE,
}

_EV_ACCEL = EVENT_ORDER.index(EventType.ACCELERATION)
_EV_DEFAULT = EVENT_ORDER.index(EventType.DEFAULT_EVENT)
_EV_SUPPORT = EVENT_ORDER.index(EventType.SHORTFALL_SUPPORT_START)
_EV_GUARANTEE = EVENT_ORDER.index(EventType.GUARANTEE_START)

#: Conservation tolerance per scenario and period (yuan).
CONSERVATION_TOL = 0.01
_TINY = 1e-300
#: 1.0 where something holds, and whether it holds anywhere.
_Mask = tuple[FloatArray, bool]
#: A step method and its compiled step.
_Call = tuple[Callable[[Any, Any, FloatArray, Any], None], Any]
#: Hand the live scenarios to a narrower run once at least this share of the run's scenarios
#: is dormant (see :meth:`_Run.dormant`) ...
NARROW_SHARE = 0.5
#: ... and at least this many scenarios would be dropped.
NARROW_MIN = 64


# Reductions straight through the ufuncs (ndarray.max/min/any add a Python-level frame each).
_max = np.maximum.reduce
_min = np.minimum.reduce
_any = np.logical_or.reduce


def _left(due: FloatArray, paid: FloatArray) -> FloatArray:
    """What is still to pay, never below zero (shares can overshoot by rounding)."""
    return np.maximum(due - paid, 0.0)


def _non_negative(deal: Deal, collections: Collections) -> Collections:
    """``collections`` with rounding residues below zero (> −½ fen) set to 0.

    Raises
    ------
    WaterfallError
        Collections below −0.005 yuan somewhere: cash collected cannot be negative.
    """
    total = collections.total
    if total.size == 0 or not _min(total, axis=None) < 0.0:
        return collections
    bad = np.argwhere(total < -EPS)
    if bad.size:
        s_i, t_i = (int(v) for v in bad[0])
        raise WaterfallError(
            f"deal {deal.name}: collections are negative in scenario {s_i}, period {t_i + 1} "
            f"(兑付日 {collections.payment_dates[t_i]}): {total[s_i, t_i]:.2f} yuan "
            f"({len(bad)} cell(s) below zero); cash collected in a period cannot be negative"
        )
    return dataclasses.replace(collections, total=np.maximum(total, 0.0))


def _dormant_residual_row(plan: Plan) -> int | None:
    """Residual row that takes a dormant scenario's cash: the first residual step's tranche,
    the same in both lists (None: no such row, so runs are never narrowed)."""
    firsts = []
    for steps in (plan.normal, plan.accelerated):
        n = next((st.idx[0] for st in steps if st.kind == "residual"), None)
        if n is None:
            return None
        firsts.append(n)
    if firsts[0] != firsts[1]:
        return None
    return plan.residual_row[firsts[0]]


def _put(dst: FloatArray, cols: IntArray, src: FloatArray) -> None:
    """``dst[:, cols] = src``, skipped when ``src`` is all zero (``dst`` is zero there).

    The top run's buffers start as zeros and a narrower run's columns are written only by it,
    so zero blocks need no copy (and their memory is never touched).
    """
    if _any(src, axis=None):
        dst[:, cols] = src


class _Gaps:
    """The conservation check's findings, shared by a run and the narrower runs it starts."""

    def __init__(self) -> None:
        self.max_gap = 0.0
        self.gap_at: tuple[int, int, float] | None = None  # (top-run scenario, period, gap)


class _Rows:
    """Output rows ``(T, k, S)``: within a period the first write copies, later writes add."""

    def __init__(self, buf: list[FloatArray]) -> None:
        self.buf = buf
        self.t = 0
        self.touched: set[int] = set()

    def begin(self, t: int) -> None:
        self.t = t
        self.touched = set()

    def add(self, i: int, x: FloatArray) -> None:
        row = self.buf[i][self.t]
        if i in self.touched:
            row += x
        else:
            row[...] = x
            self.touched.add(i)

    def get(self, i: int) -> FloatArray | None:
        """The row so far, or None when nothing was written to it this period."""
        return self.buf[i][self.t] if i in self.touched else None


class _Source:
    """A support provider (差额支付 or guarantee) with its caps and per-scenario usage."""

    def __init__(
        self,
        key: str,
        *,
        covers: tuple[SupportCover, ...],
        cap_per_period: float | None,
        cap_total: float | None,
        s: int,
    ) -> None:
        self.key = key
        self.covers = frozenset(covers)
        self.cap_pp = NO_CAP if cap_per_period is None else cap_per_period
        self.cap_total = NO_CAP if cap_total is None else cap_total
        self.used_total = np.zeros(s)
        self.enabled = np.ones(s)
        self.drawn: FloatArray | None = None
        self.limit: FloatArray | None = None
        self.owed = np.zeros(s)  # drawn and not yet repaid by a reimburse step
        self.owed_any = False
        #: Some reimburse_support step names this provider (else draws are never repaid).
        self.repaid_by_a_step = True

    def begin(self, enabled: FloatArray) -> None:
        """Start a period in which the source may pay where ``enabled`` is 1."""
        self.enabled = enabled
        self.drawn = None
        self.limit = None

    def _limit(self) -> FloatArray:
        if self.limit is None:
            self.limit = np.minimum(self.cap_total - self.used_total, self.cap_pp)
            self.limit *= self.enabled
        return self.limit

    def draw(self, short: FloatArray) -> FloatArray:
        """Draw up to the remaining caps for ``short`` (S,); returns the amounts drawn."""
        limit = self._limit()
        d = np.minimum(short, limit)
        limit -= d
        self.drawn = d if self.drawn is None else self.drawn + d  # d is never written to
        if self.repaid_by_a_step:
            self.owed += d
            self.owed_any = True
        return d

    def end(self) -> None:
        """Book the period's draws against the life-of-deal cap."""
        if self.drawn is not None:
            self.used_total += self.drawn


@dataclasses.dataclass(frozen=True)
class _Layout:
    """What a run works out from the deal's structure alone: shared by the narrower runs."""

    soft_type: tuple[bool, ...]  # pass-through tranches
    more_senior: tuple[tuple[int, ...], ...]  # per tranche, the tranches of senior classes
    live_at: list[list[bool]]  # (T, N): a principal amount is due by schedule
    any_live: list[bool]  # (T,)
    targets_col: FloatArray  # (T, N, 1)
    #: Row of ``fee_bases`` each fee is a multiple of (fixed fees: the "alive" row) ...
    fee_src: IntArray
    #: ... and the multiple per period (T, F).
    fee_coef: FloatArray
    capped_fees: list[int]
    base_used: list[int]  # fee bases some fee reads
    dormant_row: int | None  # see _dormant_residual_row
    #: (event row, trigger rows) of the events some trigger points at.
    event_rows: list[tuple[int, list[int]]]
    #: Step lists as (method, step) pairs: normal, accelerated, the head both start with, and
    #: the rest of each after it.
    normal: tuple[_Call, ...]
    accelerated: tuple[_Call, ...]
    head: tuple[_Call, ...]
    normal_rest: tuple[_Call, ...]
    accelerated_rest: tuple[_Call, ...]
    repaid_providers: frozenset[int]  # providers some reimburse_support step repays

    @classmethod
    def of(cls, run: type[_Run], plan: Plan, triggers: TriggerSet) -> _Layout:
        deal = plan.deal
        n, f = plan.n_tranches, plan.n_fees
        shared = 0  # length of the common prefix of the two step lists
        while (
            shared < min(len(plan.normal), len(plan.accelerated))
            and plan.normal[shared] == plan.accelerated[shared]
        ):
            shared += 1
        step_of = {  # plain functions, not bound methods: no reference cycle
            "fees": run.step_fees,
            "interest": run.step_interest,
            "principal": run.step_principal,
            "reserve": run.step_reserve,
            "sub_yield": run.step_sub_yield,
            "reimburse": run.step_reimburse,
            "residual": run.step_residual,
        }

        def calls(steps: tuple[CompiledStep, ...]) -> tuple[_Call, ...]:
            out: list[_Call] = []
            i = 0
            while i < len(steps):
                j = i
                while j < len(steps) and steps[j].kind == "fees":
                    j += 1
                if j - i >= 2:  # consecutive fee steps: one call (see step_fee_run)
                    out.append((run.step_fee_run, steps[i:j]))
                    i = j
                else:
                    out.append((step_of[steps[i].kind], steps[i]))
                    i += 1
            return tuple(out)

        finite = np.isfinite(plan.targets)
        fixed = plan.fee_fixed > 0.0
        return cls(
            soft_type=tuple(
                tr.principal_type is PrincipalType.PASS_THROUGH for tr in deal.tranches
            ),
            more_senior=tuple(plan.more_senior(i) for i in range(n)),
            live_at=cast(list[list[bool]], finite.tolist()),
            any_live=cast(list[bool], finite.any(axis=1).tolist()),
            targets_col=plan.targets[:, :, None],
            fee_src=np.where(fixed, len(BASE_ORDER), plan.fee_base).astype(np.intp),
            fee_coef=np.where(fixed[None, :], plan.fee_fixed[None, :], plan.fee_mult),
            capped_fees=[i for i in range(f) if plan.fee_cap[i] < NO_CAP],
            base_used=sorted(
                {int(b) for b, amt in zip(plan.fee_base, plan.fee_fixed, strict=True) if amt <= 0}
            ),
            dormant_row=_dormant_residual_row(plan),
            event_rows=[(e_i, ks) for e_i, ks in enumerate(triggers.by_event_rows) if ks],
            normal=calls(plan.normal),
            accelerated=calls(plan.accelerated),
            head=calls(plan.normal[:shared]),
            normal_rest=calls(plan.normal[shared:]),
            accelerated_rest=calls(plan.accelerated[shared:]),
            repaid_providers=frozenset(
                i
                for st in (*plan.normal, *plan.accelerated)
                if st.kind == "reimburse"
                for i in st.idx
            ),
        )


class _Run:
    """State of one engine run; step methods mutate the period's rows in place."""

    def __init__(
        self,
        plan: Plan,
        cash: Cash,
        triggers: TriggerSet,
        *,
        check: bool,
        zeroed: bool = True,
        layout: _Layout | None = None,
    ) -> None:
        deal = plan.deal
        self.check = check
        self.t = 0
        s, t_count = plan.n_scenarios, plan.n_periods
        n, f = plan.n_tranches, plan.n_fees
        self.plan = plan
        self.deal = deal
        self.triggers = triggers
        self.t_count = t_count
        self.s = s
        self.out = Outputs.allocate(plan, n_triggers=len(triggers.triggers), zeroed=zeroed)
        # Amounts due, worked out afresh each period into these scratch rows.
        ni = len(plan.int_rows)
        #: Fee dues then interest dues, as one block: closing the period compares it with the
        #: matching rows of the output block in one operation.
        self.due_block = np.zeros((f + ni, s))
        self.fee_due = self.due_block[:f]
        self.int_due = self.due_block[f:]
        self.hard_due = np.zeros((n, s))
        self.yield_due = np.zeros((len(plan.yield_rows), s))
        self.cash = cash
        self.yf = cash.year_fractions

        self.fee_paid = _Rows(self.out.fee_paid)
        self.int_paid = _Rows(self.out.int_paid)
        self.prin_paid = _Rows(self.out.prin_paid)
        self.yield_paid = _Rows(self.out.yield_paid)
        self.residual = _Rows(self.out.residual)
        self.deposit = _Rows(self.out.reserve_deposit)
        self.all_rows = (
            self.fee_paid,
            self.int_paid,
            self.prin_paid,
            self.yield_paid,
            self.residual,
            self.deposit,
        )

        rs = deal.reserve
        self.reserve_spec = rs
        self.reserve = np.full(s, rs.initial_balance if rs is not None else 0.0)
        self.reserve_covers = frozenset(rs.covers) if rs is not None else frozenset()
        self.ones = np.ones(s)  # shared constant rows: never written
        self.zeros = np.zeros(s)
        self.reserve_open = self.ones
        sup = deal.support
        sc = sup.shortfall_commitment
        g = sup.guarantee
        self.sources: list[_Source] = []
        if sc is not None:
            self.sources.append(
                _Source(
                    SOURCE_COMMITMENT,
                    covers=sc.covers,
                    cap_per_period=sc.cap_per_period,
                    cap_total=sc.cap_total,
                    s=s,
                )
            )
        if g is not None:
            self.sources.append(
                _Source(
                    SOURCE_GUARANTEE,
                    covers=g.covers,
                    cap_per_period=g.cap_per_period,
                    cap_total=g.cap_total,
                    s=s,
                )
            )
        #: The support sources that cover each kind of shortfall, in drawing order.
        self.sources_for = {
            kind: [src for src in self.sources if kind in src.covers] for kind in SupportCover
        }
        self.by_provider: dict[int, _Source] = {
            PROVIDER_ORDER.index(PROVIDER_OF[src.key]): src for src in self.sources
        }
        self.total_t: FloatArray = np.zeros(s)
        self.avail: FloatArray = np.zeros(s)
        self.bal: FloatArray = np.zeros((n, s))
        self.source_on = {
            SOURCE_COMMITMENT: ~plan.originator_default,
            SOURCE_GUARANTEE: ~plan.guarantor_default,
        }
        self.source_on_f = {k: v.astype(np.float64) for k, v in self.source_on.items()}

        self.carry = np.zeros(s)
        #: Left unpaid at the close, fees then interest (the fee rows carry to next period).
        self.owed_block = np.zeros((f + ni, s))
        self.fee_arrears = self.owed_block[:f]
        self.fee_arrears_on = [False] * f
        self.int_arrears = np.zeros((n, s))
        self.int_arrears_on = [False] * n
        self.int_rows = plan.int_rows
        #: Where some senior interest was left unpaid last period (None: nowhere).
        self.senior_interest_unpaid: BoolArray | None = None
        lay = layout if layout is not None else _Layout.of(type(self), plan, triggers)
        self.layout = lay
        self.soft_type = lay.soft_type
        self.more_senior = lay.more_senior
        self.hard_live = [False] * n
        #: ``_leading_repaid`` masks by k, valid until principal is paid to one of the first k.
        self.repaid: dict[int, _Mask] = {}
        self.live_at = lay.live_at
        self.any_live = lay.any_live
        self.targets_col = lay.targets_col
        self.open_n = [True] * n  # tranche n has a balance in some scenario at period start
        self.hard_block = np.zeros((n, 1, s))  # scheduled principal paid this period
        self.hard_paid = _Rows([self.hard_block[i] for i in range(n)])
        self.payable: list[FloatArray] = [self.fee_due[i] for i in range(f)]
        self.fee_src = lay.fee_src
        self.fee_coef = lay.fee_coef
        self.fee_bases = np.zeros((len(BASE_ORDER) + 1, s))
        self.alive_b = np.zeros(s, dtype=bool)
        self.capped_fees = lay.capped_fees
        self.yield_full: list[bool] = [False] * len(plan.yield_rows)  # step ran unmasked
        self.yield_ran: list[bool] = [False] * len(plan.yield_rows)  # step ran at all
        self.yield_has = np.zeros((len(plan.yield_rows), s))  # where it ran (masked runs)
        #: Interest rows left at zero for a tranche repaid everywhere with nothing in arrears.
        self.int_zero = [False] * len(plan.int_rows)
        self.dormant_row = lay.dormant_row
        self.event_rows = lay.event_rows
        self.reserve_shut = False  # the reserve is closed in every scenario this period
        self.normal = lay.normal
        self.accelerated = lay.accelerated
        self.head = lay.head
        self.normal_rest = lay.normal_rest
        self.accelerated_rest = lay.accelerated_rest
        self.base_used = lay.base_used
        for i, src in self.by_provider.items():
            src.repaid_by_a_step = i in lay.repaid_providers
        self.issue = np.full(s, deal.issue_amount)
        #: The top run's buffers, and where this run's scenarios sit in them (None: this run
        #: is the top run; see :meth:`narrow`).
        self.root = self.out
        self.root_idx: IntArray | None = None
        self.gaps = _Gaps()
        self.bal = np.repeat(plan.balance0[:, None], s, axis=1)
        for i in range(n):
            self.out.bal[i][0] = plan.balance0[i]
        self.out.reserve_balance[0] = self.reserve

    def _book(self, kind: str, key: object, x: FloatArray) -> None:
        """Add ``x`` to this period of the sparse row ``(kind, key)``."""
        self.out.add_sparse(kind, key, self.t, x)

    # -- support ----------------------------------------------------------------------------

    def cover(self, short: FloatArray, kind: SupportCover) -> FloatArray | None:
        """Draw reserve, then 差额支付, then guarantee for ``short``; None when nothing can."""
        if not some_positive(short):
            return None
        drawn: FloatArray | None = None
        srcs = self.sources_for[kind]
        if kind in self.reserve_covers and not self.reserve_shut:  # (shut: empty everywhere)
            d = np.minimum(short, self.reserve)
            self.reserve -= d
            self._book("draw", SOURCE_RESERVE, d)
            if srcs:
                short = short - d
            drawn = d
        for i, src in enumerate(srcs):
            d = src.draw(short)
            if i + 1 < len(srcs):
                short = short - d
            drawn = d if drawn is None else drawn + d
        return drawn

    @staticmethod
    def _short(need: FloatArray, x: FloatArray, m: FloatArray | None) -> FloatArray:
        short = need - x
        if m is not None:
            short *= m
        return short

    # -- steps ------------------------------------------------------------------------------

    def _fee_need(self, f: int) -> FloatArray:
        paid = self.fee_paid.get(f)
        return self.payable[f] if paid is None else _left(self.payable[f], paid)

    def step_fees(self, st: CompiledStep, av: FloatArray, m: FloatArray | None) -> None:
        plan = self.plan
        if not st.pro_rata or len(st.idx) == 1:
            rows = self.fee_paid
            for f in st.idx:
                paid = rows.get(f)
                need = self.payable[f] if paid is None else _left(self.payable[f], paid)
                x = np.minimum(need, av)
                rows.add(f, x)
                av -= x
                if m is None and all_positive(av):
                    continue
                d = self.cover(self._short(need, x, m), plan.fee_cover[f])
                if d is not None:
                    rows.add(f, d)
                    self._book("fee", f, d)
            return
        idx = st.idx
        needs = [self._fee_need(f) for f in idx]
        tot = needs[0] + needs[1]
        for nd in needs[2:]:
            tot = tot + nd
        if m is None and _min(av - tot) >= 0.0:
            for f, nd in zip(idx, needs, strict=True):
                self.fee_paid.add(f, nd)
            av -= tot
            return
        xt = np.minimum(tot, av)
        ratio = xt / np.maximum(tot, _TINY)
        av -= xt
        lack = 1.0 - ratio
        if m is not None:
            lack *= m
        for f, nd in zip(idx, needs, strict=True):
            self.fee_paid.add(f, nd * ratio)
        for kind in dict.fromkeys(plan.fee_cover[f] for f in idx):
            sel = [(f, nd) for f, nd in zip(idx, needs, strict=True) if plan.fee_cover[f] is kind]
            kt = sel[0][1] * lack
            for _, nd in sel[1:]:
                kt = kt + nd * lack
            d = self.cover(kt, kind)
            if d is not None:
                scale = d / np.maximum(kt, _TINY) * lack
                for f, nd in sel:
                    share = nd * scale
                    self.fee_paid.add(f, share)
                    self._book("fee", f, share)

    def step_fee_run(
        self, steps: tuple[CompiledStep, ...], av: FloatArray, m: FloatArray | None
    ) -> None:
        """Consecutive fee steps; when they pay in full everywhere, in one pass.

        The fast pass subtracts the same amounts from ``av`` in the same order as the steps
        would (a sequential fee's need, a pro-rata group's total summed in listed order), so
        its numbers are the steps' to the bit; it applies when no fee of the run was paid
        earlier in the period and ``av`` covers everything in every scenario. Otherwise the
        steps run one by one.
        """
        rows = self.fee_paid
        if m is None and not any(f in rows.touched for st in steps for f in st.idx):
            payable = self.payable
            left = av
            for st in steps:
                if st.pro_rata and len(st.idx) > 1:
                    tot = payable[st.idx[0]] + payable[st.idx[1]]
                    for f in st.idx[2:]:
                        tot = tot + payable[f]
                    left = left - tot
                else:
                    for f in st.idx:
                        left = left - payable[f]
            if left is not av and _min(left) >= 0.0:
                for st in steps:
                    for f in st.idx:
                        rows.add(f, payable[f])
                av[...] = left
                return
        for st in steps:
            self.step_fees(st, av, m)

    def _int_need(self, n: int) -> FloatArray:
        j = self.plan.int_row[n]
        due: FloatArray = self.int_due[j]
        paid = self.int_paid.get(j)
        return due if paid is None else _left(due, paid)

    def step_interest(self, st: CompiledStep, av: FloatArray, m: FloatArray | None) -> None:
        plan = self.plan
        # A tranche repaid everywhere before this period with nothing in arrears owes nothing.
        idx = [
            n for n in st.idx if plan.int_row[n] >= 0 and (self.open_n[n] or self.int_arrears_on[n])
        ]
        if not idx:
            return
        needs = [self._int_need(n) for n in idx]
        if len(idx) == 1:
            n, need = idx[0], needs[0]
            j = plan.int_row[n]
            x = np.minimum(need, av)
            self.int_paid.add(j, x)
            av -= x
            if m is None and all_positive(av):
                return
            if plan.senior[n]:
                d = self.cover(self._short(need, x, m), SupportCover.SENIOR_INTEREST)
                if d is not None:
                    self.int_paid.add(j, d)
                    self._book("interest", n, d)
            return
        tot = needs[0] + needs[1]
        for nd in needs[2:]:
            tot = tot + nd
        if m is None and _min(av - tot) >= 0.0:
            for n, nd in zip(idx, needs, strict=True):
                self.int_paid.add(plan.int_row[n], nd)
            av -= tot
            return
        xt = np.minimum(tot, av)
        ratio = xt / np.maximum(tot, _TINY)
        av -= xt
        for n, nd in zip(idx, needs, strict=True):
            self.int_paid.add(plan.int_row[n], nd * ratio)
        sen = [(n, nd) for n, nd in zip(idx, needs, strict=True) if plan.senior[n]]
        if not sen:
            return
        lack = 1.0 - ratio
        if m is not None:
            lack *= m
        kt = sen[0][1] * lack
        for _, nd in sen[1:]:
            kt = kt + nd * lack
        d = self.cover(kt, SupportCover.SENIOR_INTEREST)
        if d is not None:
            scale = d / np.maximum(kt, _TINY) * lack
            for n, nd in sen:
                share = nd * scale
                self.int_paid.add(plan.int_row[n], share)
                self._book("interest", n, share)

    def _pay_principal(self, n: int, x: FloatArray, *, hard: bool) -> None:
        self.prin_paid.add(n, x)
        self.bal[n] -= x
        if hard:
            self.hard_paid.add(n, x)
        if self.repaid:  # masks over the first k > n tranches are stale now
            self.repaid = {k: v for k, v in self.repaid.items() if k <= n}

    def _hard_need(self, n: int) -> FloatArray | None:
        if not self.hard_live[n]:
            return None
        paid = self.hard_paid.get(n)
        return self.hard_due[n] if paid is None else _left(self.hard_due[n], paid)

    def _eligible(self, n: int, wait: bool) -> _Mask | None:
        """1.0 where tranche ``n`` may take soft principal now (None: everywhere)."""
        more = self.more_senior[n]
        if not wait or not more:
            return None
        return self._leading_repaid(len(more))

    def _leading_repaid(self, k: int) -> _Mask:
        """1.0 where the first ``k`` tranches are repaid (tranches are listed senior first, so
        the tranches of the more senior classes, and the seniors, are such a leading slice),
        and whether that is anywhere. Kept until principal is paid to one of them."""
        hit = self.repaid.get(k)
        if hit is None and not any(self.open_n[:k]):
            # No balance anywhere at the start of the period (balances only fall).
            hit = self.repaid[k] = (self.ones, True)
        if hit is None:
            top = self.bal[0] if k == 1 else self.bal[:k].max(axis=0)
            ok = (top <= EPS).astype(np.float64)
            hit = self.repaid[k] = (ok, some_positive(ok))
        return hit

    def _cover_principal(
        self, n: int, need: FloatArray, x: FloatArray, m: FloatArray | None
    ) -> None:
        d = self.cover(self._short(need, x, m), SupportCover.SENIOR_PRINCIPAL)
        if d is not None:
            self._pay_principal(n, d, hard=True)
            self._book("principal", n, d)

    def step_principal(self, st: CompiledStep, av: FloatArray, m: FloatArray | None) -> None:
        plan = self.plan
        # A tranche repaid everywhere before this period can take no principal.
        idx = tuple(n for n in st.idx if self.open_n[n])
        if not idx:
            return
        soft = [n for n in idx if st.turbo or self.soft_type[n]]
        hard = [(n, nd) for n in idx if (nd := self._hard_need(n)) is not None]
        if not st.pro_rata or len(idx) == 1:
            for n, need in hard:
                x = np.minimum(need, av)
                self._pay_principal(n, x, hard=True)
                av -= x
                if plan.senior[n] and not (m is None and all_positive(av)):
                    self._cover_principal(n, need, x, m)
            for n in soft:
                e = self._eligible(n, st.wait)
                if e is not None and not e[1]:
                    continue
                cap = np.maximum(self.bal[n], 0.0)  # a rounding residue of −1e-14 is 0
                if e is not None:
                    cap *= e[0]
                x = np.minimum(cap, av)
                self._pay_principal(n, x, hard=False)
                av -= x
            return
        if hard:
            tot = hard[0][1]
            for _, nd in hard[1:]:
                tot = tot + nd
            xt = np.minimum(tot, av)
            ratio = xt / np.maximum(tot, _TINY)
            av -= xt
            for n, nd in hard:
                self._pay_principal(n, nd * ratio, hard=True)
            sen = [(n, nd) for n, nd in hard if plan.senior[n]]
            if sen:
                lack = 1.0 - ratio
                if m is not None:
                    lack *= m
                kt = sen[0][1] * lack
                for _, nd in sen[1:]:
                    kt = kt + nd * lack
                d = self.cover(kt, SupportCover.SENIOR_PRINCIPAL)
                if d is not None:
                    scale = d / np.maximum(kt, _TINY) * lack
                    for n, nd in sen:
                        share = nd * scale
                        self._pay_principal(n, share, hard=True)
                        self._book("principal", n, share)
        if not soft:
            return
        caps = []
        for n in soft:
            cap = np.maximum(self.bal[n], 0.0)
            e = self._eligible(n, st.wait)
            if e is not None:
                cap *= e[0]
            caps.append(cap)
        tot = caps[0].copy()
        for c in caps[1:]:
            tot += c
        xt = np.minimum(tot, av)
        ratio = xt / np.maximum(tot, _TINY)
        av -= xt
        for n, c in zip(soft, caps, strict=True):
            self._pay_principal(n, c * ratio, hard=False)

    def senior_balance_now(self) -> FloatArray:
        """Senior balance outstanding at this point of the period (S,)."""
        k = len(self.plan.senior_idx)  # the seniors are listed first (deal validation)
        if not any(self.open_n[:k]):  # (balances only fall during a period)
            return self.zeros
        if k == 1:
            return cast(FloatArray, self.bal[0].copy())
        return cast(FloatArray, self.bal[:k].sum(axis=0))

    def step_reserve(self, st: CompiledStep, av: FloatArray, m: FloatArray | None) -> None:
        rs = self.reserve_spec
        if rs is None or self.reserve_shut:  # shut everywhere: the target is 0, and so is
            return  # the (released) balance; compile_plan rejects a step without a reserve
        rule = rs.target_rule
        if rule is ReserveTargetRule.FIXED:
            target = self.reserve_open * rs.target_amount
        else:
            pct = rs.target_percent * self.senior_balance_now()
            if rule is ReserveTargetRule.MAX:
                np.maximum(pct, rs.target_amount, out=pct)
            elif rule is ReserveTargetRule.MIN:
                np.minimum(pct, rs.target_amount, out=pct)
            pct *= self.reserve_open
            target = pct
        target -= self.reserve
        np.maximum(target, 0.0, out=target)
        x = np.minimum(target, av)
        self.reserve += x
        self.deposit.add(0, x)
        av -= x

    def step_sub_yield(self, st: CompiledStep, av: FloatArray, m: FloatArray | None) -> None:
        n = st.idx[0]
        j = self.plan.yield_row[n]
        if j < 0 or not self.open_n[n]:  # 期间收益 accrues on the balance only
            return
        due = self.yield_due[j]
        paid = self.yield_paid.get(j)
        need = due if paid is None else _left(due, paid)
        x = np.minimum(need, av)
        self.yield_paid.add(j, x)
        av -= x
        if m is None:
            self.yield_full[j] = True
        elif self.yield_ran[j]:
            np.maximum(self.yield_has[j], m, out=self.yield_has[j])
        else:
            self.yield_has[j] = m
        self.yield_ran[j] = True

    def seniors_repaid(self) -> _Mask | None:
        """1.0 where every senior tranche is repaid (None: no seniors, so everywhere)."""
        si = self.plan.senior_idx
        return self._leading_repaid(len(si)) if si else None

    def step_reimburse(self, st: CompiledStep, av: FloatArray, m: FloatArray | None) -> None:
        """Repay support draws not yet repaid, provider by provider, from what is left."""
        srcs = [src for i in st.idx if (src := self.by_provider.get(i)) is not None]
        if not any(src.owed_any for src in srcs):
            return
        e = self.seniors_repaid() if st.wait else None
        if e is not None and not e[1]:
            return
        for src in srcs:
            if not src.owed_any:
                continue
            x = np.minimum(src.owed, av)
            if e is not None:
                x *= e[0]
            src.owed -= x
            av -= x
            self._book("reimburse", src.key, x)
            src.owed_any = some_positive(src.owed)

    def step_residual(self, st: CompiledStep, av: FloatArray, m: FloatArray | None) -> None:
        n = st.idx[0]
        j = self.plan.residual_row[n]
        e = self._eligible(n, st.wait)
        if e is not None and not e[1]:
            return
        x = av.copy() if e is None else av * e[0]
        self.residual.add(j, x)
        av -= x

    def run_list(self, calls: tuple[_Call, ...], m: FloatArray | None) -> None:
        """Run one step list on the scenarios where ``m`` is 1 (all when ``m`` is None)."""
        if m is None:
            av = self.avail
        else:
            av = self.avail * m
            rest = self.avail - av
        for step, st in calls:
            step(self, st, av, m)
        if m is not None:
            self.avail = rest + av

    # -- one period -------------------------------------------------------------------------

    def events(self, t: int, sec_bal: FloatArray) -> BoolArray | None:
        """Update trigger latches and events; return the accelerated mask (None: nowhere)."""
        plan, out, trig = self.plan, self.out, self.triggers
        if not trig.triggers:
            for src in self.sources:
                src.begin(self.source_on_f[src.key])
            return None
        overdue: BoolArray | None = None  # None: nowhere
        if trig.needs_overdue:
            # Seniors past expected maturity, among those with a balance somewhere.
            late = [
                n for n in plan.senior_idx if t >= 1 and t - 1 >= plan.em_idx[n] and self.open_n[n]
            ]
            if not late:
                pass
            elif len(late) == 1:
                overdue = self.bal[late[0]] > EPS
            else:
                overdue = _max(self.bal[late], axis=0) > EPS
        trig.latch(
            plan,
            t,
            out.triggers,
            securities_balance=sec_bal,
            senior_interest_unpaid=self.senior_interest_unpaid,
            senior_principal_overdue=overdue,
            total=self.total_t,
        )
        latch = out.triggers[t]
        ev = out.events[t]
        for e_i, ks in self.event_rows:
            row = ev[e_i]
            if len(ks) == 1:
                row[...] = latch[ks[0]]
            else:
                np.logical_or(latch[ks[0]], latch[ks[1]], out=row)
                for k in ks[2:]:
                    np.logical_or(row, latch[k], out=row)
        accel = out.accelerated[t]
        np.logical_or(ev[_EV_ACCEL], ev[_EV_DEFAULT], out=accel)
        for src in self.sources:
            start = _EV_SUPPORT if src.key == SOURCE_COMMITMENT else _EV_GUARANTEE
            if trig.by_event_rows[start]:
                src.begin(ev[start] & self.source_on[src.key])
            else:
                src.begin(self.source_on_f[src.key])
        return accel if np.count_nonzero(accel) else None

    def period(self, t: int) -> None:
        plan, out = self.plan, self.out
        s = self.s
        self.t = t
        self.repaid = {}
        out.begin_period(t)
        for rows in self.all_rows:
            rows.begin(t)
        self.hard_paid.begin(0)
        self.hard_block.fill(0.0)
        last = t == self.t_count - 1
        bal = self.bal
        cash = self.cash
        self.total_t = cash.col("total", t)
        # Tranche n has a balance in some scenario at the start of the period.
        self.open_n = cast(list[bool], (_max(bal, axis=1) > 0.0).tolist())
        sec_bal = bal.sum(axis=0)
        sen_bal = self.senior_balance_now()
        accel = self.events(t, sec_bal)

        # Reserve release when the seniors are repaid and in the last period.
        self.avail = self.total_t + self.carry
        release: FloatArray | None = None
        # Once every senior is repaid the reserve is released and stays empty and shut (senior
        # balances never grow), so there is nothing more to do for it.
        if self.reserve_spec is not None and not self.reserve_shut:
            if last:
                release = self.reserve.copy()
                self.reserve_open = np.zeros(s)
                self.reserve_shut = True
            else:
                closed = sen_bal <= EPS
                if _any(closed):
                    release = self.reserve * closed
                    self.reserve_open = (~closed).astype(np.float64)
                    self.reserve_shut = bool(_min(closed))
                else:
                    self.reserve_open = self.ones
                    self.reserve_shut = False
            if release is not None:
                self.reserve -= release
                out.add_sparse("release", 0, t, release)
                self.avail += release

        # Amounts due this period.
        if plan.n_fees:
            # Each fee is coefficient × one base row (× 1 while securities are outstanding).
            bases = self.fee_bases
            np.greater(sec_bal, EPS, out=self.alive_b)
            alive = bases[len(BASE_ORDER)]
            alive[...] = self.alive_b
            raw = (sec_bal, sen_bal, self.issue, self.total_t, cash.col("income", t))
            for b in self.base_used:
                np.multiply(raw[b], alive, out=bases[b])
            np.multiply(bases[self.fee_src], self.fee_coef[t][:, None], out=self.fee_due)
            for f in range(plan.n_fees):
                if self.fee_arrears_on[f]:
                    self.fee_due[f] += self.fee_arrears[f]
            for f in self.capped_fees:
                row = self.fee_due[f]
                cap = plan.fee_cap[f]
                if _max(row) > cap:
                    extra = cap if accel is None else cap + accel * NO_CAP
                    self.payable[f] = np.minimum(row, extra)
                else:
                    self.payable[f] = row
        for n, j in enumerate(plan.int_row):
            if j >= 0:
                row = self.int_due[j]
                if not (self.open_n[n] or self.int_arrears_on[n]):
                    if not self.int_zero[j]:  # repaid everywhere: nothing accrues any more
                        row.fill(0.0)
                        self.int_zero[j] = True
                    continue
                self.int_zero[j] = False
                np.multiply(bal[n], plan.coupon[n] * self.yf[t], out=row)
                if self.int_arrears_on[n]:
                    row += self.int_arrears[n]
        self.hard_live = self.live_at[t]
        if self.any_live[t]:
            np.subtract(bal, self.targets_col[t], out=self.hard_due)
            np.maximum(self.hard_due, 0.0, out=self.hard_due)
        for n, j in enumerate(plan.yield_row):
            if j >= 0:
                np.multiply(bal[n], plan.period_yield[n] * self.yf[t], out=self.yield_due[j])
        self.yield_full = [False] * len(plan.yield_rows)
        self.yield_ran = [False] * len(plan.yield_rows)

        # Distribution.
        if accel is None:
            self.run_list(self.normal, None)
        else:
            n_acc = int(np.count_nonzero(accel))
            if n_acc == s:
                self.run_list(self.accelerated, None)
            else:
                # Steps both lists start with run once for every scenario (same effect as
                # running them in each list), the rest under each list's mask.
                acc_f = accel.astype(np.float64)
                self.run_list(self.head, None)
                self.run_list(self.normal_rest, 1.0 - acc_f)
                self.run_list(self.accelerated_rest, acc_f)

        # Close the period.
        carry = out.carried_out[t]
        carry[...] = self.avail
        self.carry = carry
        np.maximum(bal, 0.0, out=bal)  # rounding of pro-rata shares must not go below 0
        n_tr = plan.n_tranches
        out.balances[:n_tr, t + 1] = bal
        out.balances[n_tr, t + 1] = self.reserve
        if self.any_live[t]:
            short_all = self.hard_due - self.hard_block[:, 0]
            for i, on in enumerate((_max(short_all, axis=1) > 0.0).tolist()):
                if on and self.hard_live[i]:
                    out.add_sparse("prin_short", i, t, short_all[i])
        for src in self.sources:
            src.end()
            if src.drawn is not None:
                out.add_sparse("draw", src.key, t, src.drawn)
        for j in range(len(plan.yield_rows)):
            if not self.yield_ran[j]:
                continue  # no 期间收益 step ran: nothing was due
            due = self.yield_due[j]
            if not self.yield_full[j]:
                due *= self.yield_has[j]
            paid = self.yield_paid.get(j)
            short = due if paid is None else due - paid
            if _max(short) > 0.0:
                out.add_sparse("yield_short", j, t, short)
        nf = plan.n_fees
        if len(self.owed_block):
            owed = self.owed_block  # fee rows, then interest rows (see __init__)
            np.subtract(self.due_block, out.lines[: len(owed), t], out=owed)
            on = (_max(owed, axis=1) > 0.0).tolist()
            self.fee_arrears_on = on[:nf]
            for f in range(nf):
                if on[f]:
                    out.add_sparse("fee_short", f, t, owed[f])
            for j, n in enumerate(self.int_rows):
                self.int_arrears_on[n] = on[nf + j]
                if on[nf + j]:
                    self.int_arrears[n] = owed[nf + j]
                    out.add_sparse("int_short", j, t, owed[nf + j])
        unpaid = [n for n in plan.senior_idx if self.int_arrears_on[n]]
        if unpaid:
            self.senior_interest_unpaid = cast(
                BoolArray, (self.int_arrears[unpaid] > EPS).any(axis=0)
            )
        else:
            self.senior_interest_unpaid = None

    # -- narrowing to the live scenarios ------------------------------------------------------

    def run_periods(self, t0: int) -> None:
        """Run periods ``t0`` … T−1, handing live scenarios to a narrower run when worth it."""
        carry0 = self.carry.copy()
        for t in range(t0, self.t_count):
            if t > t0 and self.dormant_row is not None:
                dormant = self.dormant()
                if dormant is not None:
                    self.finish(t0, t, carry0)
                    self.narrow(t, dormant)
                    return
            self.period(t)
        self.finish(t0, self.t_count, carry0)

    def finish(self, t0: int, t1: int, carry0: FloatArray) -> None:
        """Check periods ``t0`` … ``t1`` − 1 and copy them into the top run's buffers."""
        if self.check:
            self.conserve(t0, t1, carry0)
        self.flush(t0, t1)

    def dormant(self) -> BoolArray | None:
        """Scenarios where nothing can be due again, when enough of them to narrow (else None).

        Dormant: every tranche balance, the reserve, all fee/interest arrears and all support
        owed are exactly zero after the last period. From then on fees (``alive`` = 0),
        interest, principal, 期间收益, reserve top-ups, support draws and repayments are all
        zero, so each period's collections (and cash brought in) go whole to the first residual
        step of either list. The state is absorbing: nothing can become due again.
        """
        s = self.s
        if s < 2 * NARROW_MIN:
            return None
        # Bound first: the most junior tranche is repaid last, so few repaid there means few
        # dormant (two cheap passes instead of the full test in most periods).
        k = int(np.count_nonzero(self.bal[-1] == 0.0))
        if k < NARROW_MIN or k < NARROW_SHARE * s:
            return None
        d: BoolArray = ~(self.bal != 0.0).any(axis=0)
        d &= self.reserve == 0.0
        for f in range(self.plan.n_fees):
            if self.fee_arrears_on[f]:
                d &= self.fee_arrears[f] == 0.0
        for n in range(self.plan.n_tranches):
            if self.int_arrears_on[n]:
                d &= self.int_arrears[n] == 0.0
        for src in self.sources:
            if src.owed_any:
                d &= src.owed == 0.0
        k = int(np.count_nonzero(d))
        if k < NARROW_MIN or k < NARROW_SHARE * s:
            return None
        return d

    def _cols(self, sel: IntArray | None = None) -> Any:
        """Columns of the top run's buffers holding this run's scenarios (``sel`` of them)."""
        if self.root_idx is None:
            return slice(None) if sel is None else sel
        return self.root_idx if sel is None else self.root_idx[sel]

    def narrow(self, t0: int, dormant: BoolArray) -> None:
        """Periods ``t0`` …: dormant scenarios here in bulk, the others in a narrower run.

        Dormant scenarios' collections and cash brought in go to the residual line; all their
        other lines stay zero, as allocated in the top run's buffers. The top run lays out the
        trigger latches of every scenario for all remaining periods as if dormant
        (:meth:`TriggerSet.latch_rest`); the narrower runs overwrite their own scenarios'
        latches, and when one of them narrows again only the latches of conditions on the
        waterfall's state need bringing forward (collection-based ones do not depend on it).
        """
        live = np.flatnonzero(~dormant)
        root, plan, trig = self.root, self.plan, self.triggers
        assert self.dormant_row is not None
        res = root.residual[self.dormant_row]
        if self.root_idx is None:
            copy_transposed(res[t0:], self.cash.total[:, t0:])  # the top run: all rows
            res[t0] += self.carry
            trig.latch_rest(plan, t0, root.triggers)
            self.derive_events(t0, slice(None))
        else:
            sel = np.flatnonzero(dormant)
            cols = self.root_idx[sel]
            cash_in = self.cash.span(self.cash.total, t0, self.t_count, sel).T.copy()
            cash_in[0] += self.carry[sel]
            res[t0:, cols] = cash_in
            if trig.state_sticky:
                # Only scenarios that latched one of these while live differ from the top
                # run's layout (which has them off unless on before it narrowed).
                on = self.out.triggers[t0 - 1][trig.state_sticky][:, sel]
                hit = np.flatnonzero(on.any(axis=0))
                if hit.size:
                    for k in trig.state_sticky:
                        root.triggers[t0:, k, cols[hit]] = self.out.triggers[t0 - 1, k, sel[hit]]
                    self.derive_events(t0, cols[hit])
        if live.size:
            self.take(live, t0).run_periods(t0)

    def derive_events(self, t0: int, cols: Any) -> None:
        """Events and the accelerated flag of periods ``t0`` … from the top run's latches."""
        root = self.root
        latches = root.triggers[t0:][:, :, cols]
        for e_i, ks in enumerate(self.triggers.by_event_rows):
            if ks:
                root.events[t0:, e_i, cols] = latches[:, ks].any(axis=1)
        root.accelerated[t0:, cols] = (
            root.events[t0:, _EV_ACCEL, cols] | root.events[t0:, _EV_DEFAULT, cols]
        )

    def take(self, idx: IntArray, t0: int) -> _Run:
        """A run of scenarios ``idx`` from period ``t0`` on, in this run's state."""
        plan = self.plan.take(idx)
        cash = self.cash.take(idx)
        sub = _Run(
            plan,
            cash,
            self.triggers.take(plan, cash, idx),
            check=self.check,
            zeroed=False,
            layout=self.layout,
        )
        sub.root = self.root
        sub.root_idx = self._cols(idx) if self.root_idx is not None else idx
        sub.gaps = self.gaps
        sub.bal = self.bal[:, idx]
        sub.reserve = self.reserve[idx]
        sub.carry = self.carry[idx]
        sub.fee_arrears[...] = self.fee_arrears[:, idx]
        sub.fee_arrears_on = list(self.fee_arrears_on)
        sub.int_arrears = self.int_arrears[:, idx]
        sub.int_arrears_on = list(self.int_arrears_on)
        siu = self.senior_interest_unpaid
        sub.senior_interest_unpaid = None if siu is None else siu[idx]
        for mine, theirs in zip(self.sources, sub.sources, strict=True):
            theirs.used_total = mine.used_total[idx]
            theirs.owed = mine.owed[idx]
            theirs.owed_any = mine.owed_any
        if t0 > 0:
            sub.out.triggers[t0 - 1] = self.out.triggers[t0 - 1][:, idx]
        return sub

    def flush(self, t0: int, t1: int) -> None:
        """Copy periods ``t0`` … ``t1`` − 1 of this run into the top run's buffers."""
        if self.root_idx is None or t1 <= t0:
            return
        root, out, cols = self.root, self.out, self.root_idx
        for mine_rows, their_rows in (
            (root.fee_paid, out.fee_paid),
            (root.int_paid, out.int_paid),
            (root.prin_paid, out.prin_paid),
            (root.yield_paid, out.yield_paid),
            (root.reserve_deposit, out.reserve_deposit),
        ):
            for a, b in zip(mine_rows, their_rows, strict=True):
                _put(a[t0:t1], cols, b[t0:t1])
        for a, b in zip(root.residual, out.residual, strict=True):
            # The top run wrote every scenario's residual as if dormant (narrow): overwrite.
            a[t0:t1, cols] = b[t0:t1]
        for a, b in zip(root.bal, out.bal, strict=True):
            _put(a[t0 + 1 : t1 + 1], cols, b[t0 + 1 : t1 + 1])
        _put(root.reserve_balance[t0 + 1 : t1 + 1], cols, out.reserve_balance[t0 + 1 : t1 + 1])
        _put(root.carried_out[t0:t1], cols, out.carried_out[t0:t1])
        root.accelerated[t0:t1, cols] = out.accelerated[t0:t1]
        root.events[t0:t1, :, cols] = out.events[t0:t1]
        root.triggers[t0:t1, :, cols] = out.triggers[t0:t1]
        for key, rows in out.sparse.items():
            for t, row in rows.items():
                if t0 <= t < t1:
                    root.add_sparse_cols(key, t, cols, row)

    def conserve(self, t0: int, t1: int, carry0: FloatArray) -> None:
        """Cash in − cash out of periods ``t0`` … ``t1`` − 1 from the recorded rows.

        Checked per scenario and period from the output rows, not from the engine's running
        total, for the block of periods this run computed (``carry0``: cash brought into
        ``t0``). A dormant scenario's periods need no check: the residual line is set to
        exactly its collections plus cash brought in (:meth:`narrow`).
        """
        if t1 <= t0:
            return
        out = self.out
        cash_in = self.cash.span(self.cash.total, t0, t1).T.copy()  # (n, S)
        cash_in[0] += carry0
        cash_in[1:] += out.carried_out[t0 : t1 - 1]
        # Every dense line is cash out (paid lines, reserve deposits, cash carried out).
        cash_out = out.lines[:, t0:t1].sum(axis=0)
        for (kind, _key), by_t in out.sparse.items():
            side = cash_in if kind in ("release", "draw") else cash_out
            if kind in ("release", "draw", "reimburse"):
                for t, row in by_t.items():
                    if t0 <= t < t1:
                        side[t - t0] += row
        gap = cash_in - cash_out
        np.abs(gap, out=cash_out)
        worst = float(cash_out.max())
        if worst != worst:  # NaN: never "within tolerance"
            worst = float("inf")
        g = self.gaps
        g.max_gap = max(g.max_gap, worst)
        if worst > CONSERVATION_TOL and g.gap_at is None:
            bad = ~(cash_out <= CONSERVATION_TOL)  # NaN counts as a gap
            t_rel = int(np.argmax(bad.any(axis=1)))
            s_i = int(np.argmax(bad[t_rel]))
            root_s = s_i if self.root_idx is None else int(self.root_idx[s_i])
            g.gap_at = (root_s, t0 + t_rel, float(gap[t_rel, s_i]))


def run(
    deal: Deal,
    collections: Collections,
    *,
    reference_rate: float | None = None,
    rate_shift_bp: Any = None,
    originator_default: Any = None,
    guarantor_default: Any = None,
    check: bool = True,
) -> WaterfallResult:
    """Distribute ``collections`` through ``deal``'s waterfall for every scenario at once.

    Parameters
    ----------
    deal : Deal
        The structure (its ``waterfall``, else the default template of :mod:`abs.templates`).
    collections : Collections
        Pool cash shaped (S, T) on the deal's payment dates.
    reference_rate : float, optional
        Floating-coupon reference (default ``deal.assumptions.reference_rate``).
    rate_shift_bp : float or array (S,), optional
        Shift of the reference rate in bp (default: the deal's ``assumptions.stress``).
    originator_default, guarantor_default : bool or array (S,), optional
        Switch 差额支付 / the guarantee off in those scenarios (default: the deal's stress).
    check : bool
        Verify cash conservation per scenario and period (default True).

    Returns
    -------
    WaterfallResult
        Due, paid and shortfall per line, balances, accounts, draws and events, each (S, T).

    Raises
    ------
    WaterfallError
        An argument has the wrong shape, or the step lists need an account the deal lacks.
    ConservationError
        Cash in and out differ by more than 0.01 yuan somewhere (a bug, never bad input).

    Examples
    --------
    >>> import datetime as dt
    >>> from abs.cashflows import Collections
    >>> from abs.deal import Deal
    >>> deal = Deal.model_validate({
    ...     "name": "demo",
    ...     "dates": {"cutoff_date": "2025-01-01", "closing_date": "2025-01-01",
    ...               "first_payment_date": "2025-07-01", "expected_maturity_date": "2026-01-01",
    ...               "legal_maturity_date": "2026-01-01"},
    ...     "tranches": [{"name": "A", "tranche_class": "senior", "balance": 90,
    ...                   "coupon": {"rate": 0.02}},
    ...                  {"name": "B", "tranche_class": "subordinated", "balance": 10}]})
    >>> c = Collections.from_arrays(payment_dates=(dt.date(2025, 7, 1), dt.date(2026, 1, 1)),
    ...                             year_fractions=[0.5, 0.5], total=[60.0, 50.0])
    >>> r = run(deal, c)
    >>> round(float(r.principal["A"].paid[0, 0]), 2), round(float(r.interest["A"].paid[0, 0]), 2)
    (59.1, 0.9)
    """
    collections = _non_negative(deal, collections)
    stress = deal.assumptions.stress
    plan = compile_plan(
        deal,
        collections,
        reference_rate=reference_rate,
        rate_shift_bp=stress.rate_shift_bp if rate_shift_bp is None else rate_shift_bp,
        originator_default=(
            stress.originator_default if originator_default is None else originator_default
        ),
        guarantor_default=(
            stress.guarantor_default if guarantor_default is None else guarantor_default
        ),
    )
    cash = Cash.of(collections)
    r = _Run(plan, cash, TriggerSet(plan, cash), check=check)
    with np.errstate(over="ignore"):  # a forecast of 1e-310 gives an infinite shortfall ratio
        r.run_periods(0)
    if r.gaps.gap_at is not None:
        s_i, t_i, gap = r.gaps.gap_at
        raise ConservationError(
            f"deal {deal.name}: cash not conserved in scenario {s_i}, period {t_i + 1} "
            f"(兑付日 {collections.payment_dates[t_i]}): cash in − cash out = {gap:.6f} yuan "
            f"(tolerance {CONSERVATION_TOL}); this is a bug"
        )
    return WaterfallResult.from_outputs(
        plan, collections, r.out, max_gap=r.gaps.max_gap if check else float("nan")
    )
