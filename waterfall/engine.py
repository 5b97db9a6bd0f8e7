"""The period loop: ``run(deal, collections)`` → :class:`~waterfall.result.WaterfallResult`.

Python loops over periods and steps only; every statement inside is a numpy operation on
arrays of one value per scenario (shape ``(S,)``). Scenario-dependent choices (accelerated or
not, support available or not, a tranche repaid or not) are masks, never branches; the only
Python-level branches are on facts that hold for *every* scenario (nothing was short, no
scenario is accelerated), which skip work whose result is known to be zero.

Outputs are written straight into preallocated ``(T, lines, S)`` buffers: the first payment to a
line in a period writes its row, later ones add to it, and rows nobody touched are zero-filled
when the period closes, so every output byte is written once. Support draws are rare and kept
in rows allocated on first use. Semantics are documented in ``docs/waterfall.md``.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from abs.cashflows import Collections
from abs.deal import Deal
from abs.enums import EventType, PrincipalType, ReserveTargetRule, SupportCover, SupportProvider
from abs.errors import ConservationError
from waterfall.events import EVENT_ORDER, TriggerSet
from waterfall.plan import (
    EPS,
    NO_CAP,
    PROVIDER_ORDER,
    BoolArray,
    CompiledStep,
    FloatArray,
    Plan,
    compile_plan,
)
from waterfall.result import (
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

#: Conservation tolerance per scenario and period (yuan).
CONSERVATION_TOL = 0.01
_TINY = 1e-300


def _left(due: FloatArray, paid: FloatArray) -> FloatArray:
    """What is still to pay, never below zero (shares can overshoot by rounding)."""
    return np.maximum(due - paid, 0.0)


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

    def end(self) -> None:
        for i, arr in enumerate(self.buf):
            if i not in self.touched:
                arr[self.t].fill(0.0)

    def rows(self) -> list[FloatArray]:
        return [self.buf[i][self.t] for i in sorted(self.touched)]


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

    def begin(self, enabled: FloatArray) -> None:
        """Start a period in which the source may pay where ``enabled`` is 1."""
        self.enabled = enabled
        self.drawn = None
        self.limit = None

    def draw(self, short: FloatArray) -> FloatArray:
        """Draw up to the remaining caps for ``short`` (S,); returns the amounts drawn."""
        if self.limit is None:
            self.limit = np.minimum(self.cap_total - self.used_total, self.cap_pp)
            self.limit *= self.enabled
        d = np.minimum(short, self.limit)
        self.limit -= d
        self.drawn = d.copy() if self.drawn is None else self.drawn + d
        self.owed += d
        self.owed_any = True
        return d

    def end(self) -> None:
        """Book the period's draws against the life-of-deal cap."""
        if self.drawn is not None:
            self.used_total += self.drawn


class _Run:
    """State of one engine run; step methods mutate the period's rows in place."""

    def __init__(
        self, plan: Plan, collections: Collections, triggers: TriggerSet, *, check: bool
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
        self.out = Outputs.allocate(plan, n_triggers=len(triggers.triggers))
        self.total = collections.total  # (S, T): read one column per period
        self.income = collections.income
        self.yf = np.asarray(collections.year_fractions, dtype=np.float64)

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
        self.ones = np.ones(s)
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
        self.by_provider: dict[int, _Source] = {
            PROVIDER_ORDER.index(PROVIDER_OF[src.key]): src for src in self.sources
        }
        self.drew = False  # any draw this period
        self.repaid = False  # any reimbursement this period
        self.total_t: FloatArray = np.zeros(s)
        self.avail: FloatArray = np.zeros(s)
        self.bal: FloatArray = np.zeros((n, s))
        self.source_on = {
            SOURCE_COMMITMENT: ~plan.originator_default,
            SOURCE_GUARANTEE: ~plan.guarantor_default,
        }
        self.source_on_f = {k: v.astype(np.float64) for k, v in self.source_on.items()}

        self.carry = np.zeros(s)
        self.fee_arrears = np.zeros((f, s))
        self.fee_arrears_on = [False] * f
        self.fee_full = [False] * f
        self.fee_capped = [False] * f
        self.int_arrears = np.zeros((n, s))
        self.int_arrears_on = [False] * n
        self.int_full = [False] * n
        self.latch = np.zeros((len(triggers.triggers), s), dtype=bool)
        self.senior_interest_unpaid = np.zeros(s, dtype=bool)
        self.soft_type = tuple(
            tr.principal_type is PrincipalType.PASS_THROUGH for tr in deal.tranches
        )
        self.more_senior = tuple(plan.more_senior(i) for i in range(n))
        self.hard: list[FloatArray] = [np.zeros(0)] * n
        self.hard_live = [False] * n
        self.hard_paid = _Rows([np.zeros((1, s)) for _ in range(n)])
        self.soft_paid = _Rows([np.zeros((1, s)) for _ in range(n)])
        self.payable: list[FloatArray] = [np.zeros(0)] * f
        self.fee_due_rows: list[FloatArray] = [np.zeros(0)] * f
        self.yield_full: list[bool] = [False] * len(plan.yield_rows)
        self.yield_has = np.zeros((len(plan.yield_rows), s))
        self.shared = 0  # length of the common prefix of the two step lists
        while (
            self.shared < min(len(plan.normal), len(plan.accelerated))
            and plan.normal[self.shared] == plan.accelerated[self.shared]
        ):
            self.shared += 1
        self.base_used = sorted(
            {int(b) for b, amt in zip(plan.fee_base, plan.fee_fixed, strict=True) if amt <= 0}
        )
        self.issue = np.full(s, deal.issue_amount)
        self.max_gap = 0.0
        self.gap_at: tuple[int, int, float] | None = None
        self.bal = np.repeat(plan.balance0[:, None], s, axis=1)
        for i in range(n):
            self.out.bal[i][0] = plan.balance0[i]
        self.out.reserve_balance[0] = self.reserve

    # -- support ----------------------------------------------------------------------------

    def cover(self, short: FloatArray, kind: SupportCover) -> FloatArray | None:
        """Draw reserve, then 差额支付, then guarantee for ``short``; None when nothing can."""
        if not short.max() > 0.0:
            return None
        drawn: FloatArray | None = None
        t = self.t
        if kind in self.reserve_covers:
            d = np.minimum(short, self.reserve)
            self.reserve -= d
            self.out.add_sparse("draw", SOURCE_RESERVE, t, d)
            short = short - d
            drawn = d
        for src in self.sources:
            if kind in src.covers:
                d = src.draw(short)
                short = short - d
                drawn = d if drawn is None else drawn + d
        self.drew = self.drew or drawn is not None
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

    def _pay_fee(self, f: int, need: FloatArray, av: FloatArray, m: FloatArray | None) -> None:
        x = np.minimum(need, av)
        self.fee_paid.add(f, x)
        av -= x
        if m is None and av.min() > 0.0:
            self.fee_full[f] = True
            return
        d = self.cover(self._short(need, x, m), self.plan.fee_cover[f])
        if d is not None:
            self.fee_paid.add(f, d)
            self.out.add_sparse("fee", f, self.t, d)

    def step_fees(self, st: CompiledStep, av: FloatArray, m: FloatArray | None) -> None:
        plan = self.plan
        if not st.pro_rata or len(st.idx) == 1:
            for f in st.idx:
                self._pay_fee(f, self._fee_need(f), av, m)
            return
        idx = st.idx
        needs = [self._fee_need(f) for f in idx]
        tot = needs[0] + needs[1]
        for nd in needs[2:]:
            tot = tot + nd
        if m is None and (av - tot).min() >= 0.0:
            for f, nd in zip(idx, needs, strict=True):
                self.fee_paid.add(f, nd)
                self.fee_full[f] = True
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
                    self.out.add_sparse("fee", f, self.t, share)

    def _int_need(self, n: int) -> FloatArray:
        j = self.plan.int_row[n]
        due: FloatArray = self.out.int_due[j][self.t]
        paid = self.int_paid.get(j)
        return due if paid is None else _left(due, paid)

    def step_interest(self, st: CompiledStep, av: FloatArray, m: FloatArray | None) -> None:
        plan = self.plan
        idx = [n for n in st.idx if plan.int_row[n] >= 0]
        if not idx:
            return
        needs = [self._int_need(n) for n in idx]
        if len(idx) == 1:
            n, need = idx[0], needs[0]
            j = plan.int_row[n]
            x = np.minimum(need, av)
            self.int_paid.add(j, x)
            av -= x
            if m is None and av.min() > 0.0:
                self.int_full[n] = True
                return
            if plan.senior[n]:
                d = self.cover(self._short(need, x, m), SupportCover.SENIOR_INTEREST)
                if d is not None:
                    self.int_paid.add(j, d)
                    self.out.add_sparse("interest", n, self.t, d)
            return
        tot = needs[0] + needs[1]
        for nd in needs[2:]:
            tot = tot + nd
        if m is None and (av - tot).min() >= 0.0:
            for n, nd in zip(idx, needs, strict=True):
                self.int_paid.add(plan.int_row[n], nd)
                self.int_full[n] = True
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
                self.out.add_sparse("interest", n, self.t, share)

    def _pay_principal(self, n: int, x: FloatArray, *, hard: bool) -> None:
        self.prin_paid.add(n, x)
        self.bal[n] -= x
        (self.hard_paid if hard else self.soft_paid).add(n, x)

    def _hard_need(self, n: int) -> FloatArray | None:
        if not self.hard_live[n]:
            return None
        paid = self.hard_paid.get(n)
        return self.hard[n] if paid is None else _left(self.hard[n], paid)

    def _eligible(self, n: int, wait: bool) -> FloatArray | None:
        """1.0 where tranche ``n`` may take soft principal now (None: everywhere)."""
        more = self.more_senior[n]
        if not wait or not more:
            return None
        # Tranches are listed senior first, so the more senior ones are a leading slice.
        top = self.bal[more[0]] if len(more) == 1 else self.bal[: len(more)].max(axis=0)
        ok: BoolArray = top <= EPS
        return ok.astype(np.float64)

    def _cover_principal(
        self, n: int, need: FloatArray, x: FloatArray, m: FloatArray | None
    ) -> None:
        d = self.cover(self._short(need, x, m), SupportCover.SENIOR_PRINCIPAL)
        if d is not None:
            self._pay_principal(n, d, hard=True)
            self.out.add_sparse("principal", n, self.t, d)

    def step_principal(self, st: CompiledStep, av: FloatArray, m: FloatArray | None) -> None:
        plan = self.plan
        idx = st.idx
        soft = [n for n in idx if st.turbo or self.soft_type[n]]
        hard = [(n, nd) for n in idx if (nd := self._hard_need(n)) is not None]
        if not st.pro_rata or len(idx) == 1:
            for n, need in hard:
                x = np.minimum(need, av)
                self._pay_principal(n, x, hard=True)
                av -= x
                if plan.senior[n] and not (m is None and av.min() > 0.0):
                    self._cover_principal(n, need, x, m)
            for n in soft:
                e = self._eligible(n, st.wait)
                if e is not None and not e.any():
                    continue
                cap = np.maximum(self.bal[n], 0.0)  # a rounding residue of −1e-14 is 0
                if e is not None:
                    cap *= e
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
                        self.out.add_sparse("principal", n, self.t, share)
        if not soft:
            return
        caps = []
        for n in soft:
            cap = np.maximum(self.bal[n], 0.0)
            e = self._eligible(n, st.wait)
            if e is not None:
                cap *= e
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
        si = self.plan.senior_idx
        if not si:
            return np.zeros(self.s)
        if len(si) == 1:
            return cast(FloatArray, self.bal[si[0]].copy())
        return cast(FloatArray, self.bal[list(si)].sum(axis=0))

    def step_reserve(self, av: FloatArray) -> None:
        rs = self.reserve_spec
        if rs is None:  # compile_plan rejects fund_reserve without a reserve account
            return
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
        if j < 0:
            return
        due = self.out.yield_due[j][self.t]
        paid = self.yield_paid.get(j)
        need = due if paid is None else _left(due, paid)
        x = np.minimum(need, av)
        self.yield_paid.add(j, x)
        av -= x
        if m is None:
            self.yield_full[j] = True
        else:
            np.maximum(self.yield_has[j], m, out=self.yield_has[j])

    def seniors_repaid(self) -> FloatArray | None:
        """1.0 where every senior tranche is repaid (None: no seniors, so everywhere)."""
        si = self.plan.senior_idx
        if not si:
            return None
        top = self.bal[si[0]] if len(si) == 1 else self.bal[list(si)].max(axis=0)
        ok: BoolArray = top <= EPS
        return ok.astype(np.float64)

    def step_reimburse(self, st: CompiledStep, av: FloatArray) -> None:
        """Repay support draws not yet repaid, provider by provider, from what is left."""
        srcs = [src for i in st.idx if (src := self.by_provider.get(i)) is not None]
        if not any(src.owed_any for src in srcs):
            return
        e = self.seniors_repaid() if st.wait else None
        if e is not None and not e.any():
            return
        for src in srcs:
            if not src.owed_any:
                continue
            x = np.minimum(src.owed, av)
            if e is not None:
                x *= e
            src.owed -= x
            av -= x
            self.out.add_sparse("reimburse", src.key, self.t, x)
            self.repaid = True

    def step_residual(self, st: CompiledStep, av: FloatArray) -> None:
        n = st.idx[0]
        j = self.plan.residual_row[n]
        e = self._eligible(n, st.wait)
        if e is not None and not e.any():
            return
        x = av.copy() if e is None else av * e
        self.residual.add(j, x)
        av -= x

    def run_list(self, steps: tuple[CompiledStep, ...], m: FloatArray | None) -> None:
        """Run one step list on the scenarios where ``m`` is 1 (all when ``m`` is None)."""
        if m is None:
            av = self.avail
        else:
            av = self.avail * m
            rest = self.avail - av
        for st in steps:
            k = st.kind
            if k == "fees":
                self.step_fees(st, av, m)
            elif k == "interest":
                self.step_interest(st, av, m)
            elif k == "principal":
                self.step_principal(st, av, m)
            elif k == "reserve":
                self.step_reserve(av)
            elif k == "sub_yield":
                self.step_sub_yield(st, av, m)
            elif k == "reimburse":
                self.step_reimburse(st, av)
            else:
                self.step_residual(st, av)
        if m is not None:
            self.avail = rest + av

    # -- one period -------------------------------------------------------------------------

    def events(self, t: int, sec_bal: FloatArray) -> FloatArray | None:
        """Update trigger latches and events; return the accelerated mask (None: nowhere)."""
        plan, out, trig = self.plan, self.out, self.triggers
        if not trig.triggers:
            for src in self.sources:
                src.begin(self.source_on_f[src.key])
            return None
        overdue = np.zeros(self.s, dtype=bool)
        if t >= 1 and trig.needs_overdue:
            for n in plan.senior_idx:
                if t - 1 >= plan.em_idx[n]:
                    overdue |= self.bal[n] > EPS
        conds = trig.conditions(
            plan,
            t,
            securities_balance=sec_bal,
            senior_interest_unpaid=self.senior_interest_unpaid,
            senior_principal_overdue=overdue,
            total=self.total_t,
        )
        for k, (tr, c) in enumerate(zip(trig.triggers, conds, strict=True)):
            if tr.cure:
                self.latch[k] = c
            else:
                self.latch[k] |= c
        out.triggers[t] = self.latch
        ev = out.events[t]
        for e_i, e in enumerate(EVENT_ORDER):
            ks = trig.by_event[e]
            if ks:
                ev[e_i] = self.latch[ks].any(axis=0) if len(ks) > 1 else self.latch[ks[0]]
        ix = {e: i for i, e in enumerate(EVENT_ORDER)}
        accel = ev[ix[EventType.ACCELERATION]] | ev[ix[EventType.DEFAULT_EVENT]]
        out.accelerated[t] = accel
        for src in self.sources:
            start = (
                EventType.SHORTFALL_SUPPORT_START
                if src.key == SOURCE_COMMITMENT
                else EventType.GUARANTEE_START
            )
            if trig.by_event[start]:
                src.begin(ev[ix[start]] & self.source_on[src.key])
            else:
                src.begin(self.source_on_f[src.key])
        return accel.astype(np.float64) if accel.any() else None

    def period(self, t: int) -> None:
        plan, out = self.plan, self.out
        s = self.s
        self.t = t
        for rows in self.all_rows:
            rows.begin(t)
        self.hard_paid.begin(0)
        self.soft_paid.begin(0)
        self.drew = False
        self.repaid = False
        self.fee_full = [False] * plan.n_fees
        self.int_full = [False] * plan.n_tranches
        last = t == self.t_count - 1
        bal = self.bal
        self.total_t = np.ascontiguousarray(self.total[:, t])
        sec_bal = bal.sum(axis=0)
        sen_bal = self.senior_balance_now()
        accel = self.events(t, sec_bal)

        # Reserve release when the seniors are repaid and in the last period.
        self.avail = self.total_t + self.carry
        carry_in = self.carry
        release: FloatArray | None = None
        if self.reserve_spec is not None:
            if last:
                release = self.reserve.copy()
                self.reserve_open = np.zeros(s)
            else:
                closed = sen_bal <= EPS
                if closed.any():
                    release = self.reserve * closed
                    self.reserve_open = (~closed).astype(np.float64)
                else:
                    self.reserve_open = self.ones
            if release is not None:
                self.reserve -= release
                out.add_sparse("release", 0, t, release)
                self.avail += release

        # Amounts due this period.
        if plan.n_fees:
            alive = (sec_bal > EPS).astype(np.float64)
            raw = (sec_bal, sen_bal, self.issue, self.total_t, self.income[:, t])
            base_rows = {b: raw[b] * alive for b in self.base_used}
            cap_extra = None if accel is None else accel * NO_CAP
            for f in range(plan.n_fees):
                row = out.fee_due[f][t]
                if plan.fee_fixed[f] > 0.0:
                    np.multiply(alive, plan.fee_fixed[f], out=row)
                else:
                    np.multiply(base_rows[int(plan.fee_base[f])], plan.fee_mult[t, f], out=row)
                if self.fee_arrears_on[f]:
                    row += self.fee_arrears[f]
                cap = plan.fee_cap[f]
                self.fee_capped[f] = bool(cap < NO_CAP and row.max() > cap)
                if self.fee_capped[f]:
                    self.payable[f] = np.minimum(row, cap if cap_extra is None else cap + cap_extra)
                else:
                    self.payable[f] = row
        for n, j in enumerate(plan.int_row):
            if j >= 0:
                row = out.int_due[j][t]
                np.multiply(bal[n], plan.coupon[n] * self.yf[t], out=row)
                if self.int_arrears_on[n]:
                    row += self.int_arrears[n]
        for n in range(plan.n_tranches):
            target = plan.targets[t, n]
            live = bool(np.isfinite(target))
            self.hard_live[n] = live
            if live:
                h = out.prin_due[n][t]
                np.subtract(bal[n], target, out=h)
                np.maximum(h, 0.0, out=h)
                self.hard[n] = h
        for n, j in enumerate(plan.yield_row):
            if j >= 0:
                np.multiply(bal[n], plan.period_yield[n] * self.yf[t], out=out.yield_due[j][t])
        self.yield_full = [False] * len(plan.yield_rows)
        self.yield_has.fill(0.0)

        # Distribution.
        if accel is None:
            self.run_list(plan.normal, None)
        else:
            n_acc = int(np.count_nonzero(accel))
            if n_acc == s:
                self.run_list(plan.accelerated, None)
            else:
                # Steps both lists start with run once for every scenario (same effect as
                # running them in each list), the rest under each list's mask.
                k = self.shared
                self.run_list(plan.normal[:k], None)
                self.run_list(plan.normal[k:], 1.0 - accel)
                self.run_list(plan.accelerated[k:], accel)

        # Close the period.
        carry = out.carried_out[t]
        carry[...] = self.avail
        self.carry = carry
        out.reserve_balance[t + 1] = self.reserve
        np.maximum(bal, 0.0, out=bal)  # rounding of pro-rata shares must not go below 0
        for n in range(plan.n_tranches):
            out.bal[n][t + 1] = bal[n]
        for n in range(plan.n_tranches):
            row = out.prin_due[n][t]
            soft = self.soft_paid.get(n)
            if self.hard_live[n]:
                if soft is not None:
                    row += soft
            elif soft is None:
                row.fill(0.0)
            else:
                row[...] = soft
        for src in self.sources:
            src.end()
            if src.drawn is not None:
                out.add_sparse("draw", src.key, t, src.drawn)
        for j, full in enumerate(self.yield_full):
            if not full:
                out.yield_due[j][t] *= self.yield_has[j]
        for rows in self.all_rows:
            rows.end()
        for f in range(plan.n_fees):
            if self.fee_full[f] and not self.fee_capped[f]:
                self.fee_arrears_on[f] = False
            else:
                np.subtract(out.fee_due[f][t], out.fee_paid[f][t], out=self.fee_arrears[f])
                self.fee_arrears_on[f] = bool(self.fee_arrears[f].max() > 0.0)
        for n, j in enumerate(plan.int_row):
            if j < 0 or self.int_full[n]:
                self.int_arrears_on[n] = False
            else:
                np.subtract(out.int_due[j][t], out.int_paid[j][t], out=self.int_arrears[n])
                self.int_arrears_on[n] = bool(self.int_arrears[n].max() > 0.0)
        unpaid = [n for n in plan.senior_idx if self.int_arrears_on[n]]
        if unpaid:
            self.senior_interest_unpaid = cast(
                BoolArray, (self.int_arrears[unpaid] > EPS).any(axis=0)
            )
        else:
            self.senior_interest_unpaid = np.zeros(s, dtype=bool)
        if self.check:
            self.conserve(t, carry_in, release)

    def conserve(self, t: int, carry_in: FloatArray, release: FloatArray | None) -> None:
        """Cash in − cash out of period ``t`` from the recorded rows (not the running total)."""
        out = self.out
        cash_in = self.total_t + carry_in
        if release is not None:
            cash_in += release
        if self.drew:
            for key in (SOURCE_RESERVE, SOURCE_COMMITMENT, SOURCE_GUARANTEE):
                arr = out.sparse.get(("draw", key))
                if arr is not None:
                    cash_in += arr[t]
        cash_out = out.carried_out[t].copy()
        if self.repaid:
            for key in (SOURCE_COMMITMENT, SOURCE_GUARANTEE):
                arr = out.sparse.get(("reimburse", key))
                if arr is not None:
                    cash_out += arr[t]
        for rows in self.all_rows:
            for i in sorted(rows.touched):
                cash_out += rows.buf[i][t]
        gap = cash_in - cash_out
        worst = float(np.abs(gap).max())
        if worst > self.max_gap:
            self.max_gap = worst
            if worst > CONSERVATION_TOL and self.gap_at is None:
                s_i = int(np.argmax(np.abs(gap)))
                self.gap_at = (s_i, t, float(gap[s_i]))


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
    triggers = TriggerSet.build(plan, collections)
    r = _Run(plan, collections, triggers, check=check)
    for t in range(plan.n_periods):
        r.period(t)
    if r.gap_at is not None:
        s_i, t_i, gap = r.gap_at
        raise ConservationError(
            f"deal {deal.name}: cash not conserved in scenario {s_i}, period {t_i + 1} "
            f"(兑付日 {collections.payment_dates[t_i]}): cash in − cash out = {gap:.6f} yuan "
            f"(tolerance {CONSERVATION_TOL}); this is a bug"
        )
    return WaterfallResult.from_outputs(
        plan, collections, r.out, max_gap=r.max_gap if check else float("nan")
    )
