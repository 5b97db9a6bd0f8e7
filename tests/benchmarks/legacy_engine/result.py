"""What a run returns: per-line arrays (S, T), balances, accounts, events, tables.

Every array a user sees is shaped (scenarios, periods) — a transposed view of the engine's
``(T, lines, S)`` buffers, so reading ``result.interest["优先A1"].paid[:, t]`` costs nothing.
Table column names are module constants (Chinese, as structurers and filings read them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from abs import analytics
from abs import cashflows as cf
from abs.cashflows import Collections
from abs.deal import Deal
from abs.enums import EventType, FeeType, TrancheClass
from tests.benchmarks.legacy_engine.events import EVENT_ORDER
from tests.benchmarks.legacy_engine.plan import BoolArray, FloatArray, IntArray, Plan, any_nonzero

# 证券兑付表 columns.
COL_TRANCHE = "档位"
COL_PAYMENT_DATE = cf.COL_PAYMENT_DATE
COL_OPENING = "期初本金"
COL_PRINCIPAL = "本金"
COL_INTEREST = "利息"
COL_EXCESS = "超额收益"
COL_CASHFLOW = "现金流"
COL_CLOSING = "期末本金"
COL_SUPPORT = "补充支付"
SECURITIES_COLUMNS: tuple[str, ...] = (
    COL_TRANCHE,
    COL_PAYMENT_DATE,
    COL_OPENING,
    COL_PRINCIPAL,
    COL_INTEREST,
    COL_EXCESS,
    COL_CASHFLOW,
    COL_CLOSING,
    COL_SUPPORT,
)

# 现金流归集表 columns: the pool columns are those of ``abs.cashflows`` (one spelling).
COL_COLLECTION_DATE = cf.COL_COLLECTION_DATE
COL_POOL_OPENING = cf.COL_OPENING_BALANCE
COL_POOL_PRINCIPAL = cf.COL_PRINCIPAL
COL_POOL_INCOME = cf.COL_INTEREST
COL_POOL_CLOSING = cf.COL_CLOSING_BALANCE
COL_DEFAULTS = cf.COL_DEFAULTS
COL_RECOVERIES = cf.COL_RECOVERIES
COL_TOTAL = cf.COL_TOTAL
COL_TAX_DUE = "应缴税费"
COL_TAX_PAID = "实缴税费"
POOL_COLUMNS: tuple[str, ...] = (
    COL_COLLECTION_DATE,
    COL_PAYMENT_DATE,
    COL_POOL_OPENING,
    COL_POOL_PRINCIPAL,
    COL_POOL_INCOME,
    COL_POOL_CLOSING,
    COL_DEFAULTS,
    COL_RECOVERIES,
    COL_TOTAL,
    COL_TAX_DUE,
    COL_TAX_PAID,
)

# summary() columns.
SUM_NAME = "档位"
SUM_CLASS = "级别"
SUM_ORIGINAL = "发行规模"
SUM_INTEREST = "利息合计"
SUM_PRINCIPAL = "本金合计"
SUM_SUB_YIELD = "期间收益合计"
SUM_RESIDUAL = "超额收益合计"
SUM_SHORTFALL = "未付合计"
SUM_LOSS = "本金损失"
SUM_SUPPORT = "补充支付合计"
SUM_WAL = "加权平均期限(年)"
SUM_FIRST = "首次还本日"
SUM_LAST = "末次还本日"
SUM_EXPECTED = "预期到期日"
SUM_ACTUAL = "实际到期日"
SUM_YIELD = "收益率"
SUM_IRR = "内部收益率"
SUM_MIN_COV = "最低覆盖倍数"
SUMMARY_COLUMNS: tuple[str, ...] = (
    SUM_NAME,
    SUM_CLASS,
    SUM_ORIGINAL,
    SUM_INTEREST,
    SUM_PRINCIPAL,
    SUM_SUB_YIELD,
    SUM_RESIDUAL,
    SUM_SHORTFALL,
    SUM_LOSS,
    SUM_SUPPORT,
    SUM_WAL,
    SUM_FIRST,
    SUM_LAST,
    SUM_EXPECTED,
    SUM_ACTUAL,
    SUM_YIELD,
    SUM_IRR,
    SUM_MIN_COV,
)

#: Names of the support sources in :attr:`WaterfallResult.draws`.
SOURCE_RESERVE = "reserve"
SOURCE_COMMITMENT = "shortfall_commitment"
SOURCE_GUARANTEE = "guarantee"


@dataclass
class Outputs:
    """Engine output buffers, filled in place by the engine.

    Dense buffers are ``(T, S)`` views, one per line, into one block (large blocks come
    straight from the operating system as zero pages, so rows never written cost nothing),
    with rows only for lines that can be non-zero (interest rows for tranches with a coupon,
    期间收益 rows for tranches with a yield step, residual rows for tranches named by a
    residual step). Amounts left unpaid (``fee_short``, ``int_short``, ``prin_short``,
    ``yield_short``), support draws, repayments, per-line support and reserve releases are rare:
    ``sparse`` keeps them as ``{(kind, key): {period: (S,) row}}`` and :meth:`sparse_arrays`
    lays them out as ``(T, S)`` arrays at the end.
    """

    fee_paid: list[FloatArray]
    int_paid: list[FloatArray]
    prin_paid: list[FloatArray]
    yield_paid: list[FloatArray]
    residual: list[FloatArray]
    bal: list[FloatArray]  # (T + 1, S) per tranche
    reserve_balance: FloatArray  # (T + 1, S)
    reserve_deposit: list[FloatArray]  # one (T, S)
    carried_out: FloatArray  # (T, S)
    accelerated: BoolArray
    events: BoolArray  # (T, E, S)
    triggers: BoolArray  # (T, K, S)
    sparse: dict[tuple[str, object], dict[int, FloatArray]]
    #: Rows of narrower runs: {(kind, key): [(period, columns, values)]} (distinct cells).
    sparse_cols: dict[tuple[str, object], list[tuple[int, IntArray, FloatArray]]]
    balances: FloatArray  # (N + 1, T + 1, S): tranche balances, then the reserve
    #: Every dense line buffer above as one ``(lines, T, S)`` array, in the order fees,
    #: interest, principal, 期间收益, residual, reserve deposit, cash carried out: all of it
    #: cash leaving the period.
    lines: FloatArray
    #: The same buffers as ``(T, lines, S)`` when uninitialised (else None).
    slabs: FloatArray | None = None

    @classmethod
    def allocate(cls, plan: Plan, *, n_triggers: int, zeroed: bool = True) -> Outputs:
        """Buffers for ``plan``.

        ``zeroed``: dense buffers start as zeros, one ``(T, S)`` block per line. Otherwise
        (the narrower runs' scratch buffers) they are uninitialised and laid out period by
        period, ``(T, lines, S)`` in :attr:`slabs`: the engine zeroes a period's slab before
        writing it, and a run of a few periods touches only their slabs, not a stretch of
        every line's buffer (fresh memory is zeroed by the kernel in 2 MB pages).
        """
        t, s, n, f = plan.n_periods, plan.n_scenarios, plan.n_tranches, plan.n_fees
        ni, ny, nr = len(plan.int_rows), len(plan.yield_rows), len(plan.residual_rows)
        counts = (f, ni, n, ny, nr, 1, 1)
        slabs: FloatArray | None = None
        if zeroed:
            block = np.zeros((sum(counts), t, s))
            balances = np.zeros((n + 1, t + 1, s))
        else:
            slabs = np.empty((t, sum(counts), s))
            block = slabs.transpose(1, 0, 2)
            balances = np.empty((t + 1, n + 1, s)).transpose(1, 0, 2)
        views: list[list[FloatArray]] = []
        i = 0
        for k in counts:
            views.append([block[j] for j in range(i, i + k)])
            i += k
        return cls(
            balances=balances,
            fee_paid=views[0],
            int_paid=views[1],
            prin_paid=views[2],
            yield_paid=views[3],
            residual=views[4],
            reserve_deposit=views[5],
            carried_out=views[6][0],
            bal=[balances[j] for j in range(n)],
            reserve_balance=balances[n],
            accelerated=np.zeros((t, s), dtype=bool),
            events=np.zeros((t, len(EVENT_ORDER), s), dtype=bool),
            triggers=np.zeros((t, n_triggers, s), dtype=bool),
            sparse={},
            sparse_cols={},
            lines=block,
            slabs=slabs,
        )

    def begin_period(self, t: int) -> None:
        """Zero period ``t``'s rows of uninitialised buffers (see :meth:`allocate`)."""
        if self.slabs is not None:
            self.slabs[t].fill(0.0)

    def add_sparse(self, kind: str, key: object, t: int, x: FloatArray) -> None:
        """Add ``x`` to period ``t`` of the sparse row ``(kind, key)`` (zeros are not kept)."""
        if not any_nonzero(x):
            return
        rows = self.sparse.setdefault((kind, key), {})
        row = rows.get(t)
        if row is None:
            rows[t] = x.copy()
        else:
            row += x

    def add_sparse_cols(
        self, key: tuple[str, object], t: int, cols: IntArray, x: FloatArray
    ) -> None:
        """Record ``x`` for columns ``cols`` of period ``t`` of row ``key`` (a narrower run's
        cells: no other run writes them)."""
        self.sparse_cols.setdefault(key, []).append((t, cols, x))

    def sparse_arrays(self) -> dict[tuple[str, object], FloatArray]:
        """Every sparse row laid out as a ``(T, S)`` array (one zero block for all)."""
        t, s = self.carried_out.shape
        keys = list(dict.fromkeys([*self.sparse, *self.sparse_cols]))
        block = np.zeros((len(keys), t, s))
        out: dict[tuple[str, object], FloatArray] = {}
        for i, key in enumerate(keys):
            for period, row in self.sparse.get(key, {}).items():
                block[i, period] = row
            for period, cols, values in self.sparse_cols.get(key, ()):
                block[i, period, cols] = values
            out[key] = block[i]
        return out


@dataclass(frozen=True)
class Line:
    """One waterfall line (a tax, fee, interest, principal or 期间收益), arrays (S, T).

    Attributes
    ----------
    paid : ndarray (S, T)
        Amount paid, from available funds and support draws together.
    shortfall : ndarray (S, T)
        ``due − paid``: left unpaid in the period (carried forward for taxes, fees and
        interest).
    support : ndarray (S, T)
        Part of ``paid`` drawn from the reserve, 差额支付 or the guarantee.
    """

    name: str
    kind: str
    paid: FloatArray
    shortfall: FloatArray
    support: FloatArray

    @cached_property
    def due(self) -> FloatArray:
        """Amount due in the period (S, T), including unpaid amounts brought forward."""
        return self.paid + self.shortfall


@dataclass(frozen=True)
class WaterfallResult:
    """Everything one engine run produced (see ``docs/waterfall.md``).

    Attributes
    ----------
    fees, interest, principal, sub_yield : dict of str to Line
        Per fee/tax name and per tranche name.
    residual : dict of str to ndarray (S, T)
        Excess cash paid to each tranche by ``pay_residual`` steps.
    balances : dict of str to ndarray (S, T + 1)
        Tranche balance at closing (column 0) and after each payment date.
    reserve_balance : ndarray (S, T + 1)
        Reserve account at closing and after each payment date.
    reserve_deposits, reserve_release, carried_out : ndarray (S, T)
        Top-ups, releases to available funds, cash left in the account after the period.
    draws : dict of str to ndarray (S, T)
        Support draws by source: ``reserve``, ``shortfall_commitment``, ``guarantee``.
    reimbursements : dict of str to ndarray (S, T)
        Draws repaid to ``shortfall_commitment`` and ``guarantee`` by ``reimburse_support``
        steps (返还垫付款项); reserve draws are replenished by ``fund_reserve`` instead.
    events : dict of EventType to bool ndarray (S, T)
        Event state in force during each period.
    triggers : dict of str to bool ndarray (S, T)
        Each trigger's latch.
    accelerated : bool ndarray (S, T)
        The accelerated step list ran.
    max_conservation_gap : float
        Largest |cash in − cash out| over scenarios and periods seen by the run's check.
    """

    deal: Deal
    collections: Collections
    fees: dict[str, Line]
    interest: dict[str, Line]
    principal: dict[str, Line]
    sub_yield: dict[str, Line]
    residual: dict[str, FloatArray]
    balances: dict[str, FloatArray]
    reserve_balance: FloatArray
    reserve_deposits: FloatArray
    reserve_release: FloatArray
    draws: dict[str, FloatArray]
    reimbursements: dict[str, FloatArray]
    carried_out: FloatArray
    events: dict[EventType, BoolArray]
    triggers: dict[str, BoolArray]
    accelerated: BoolArray
    max_conservation_gap: float
    _targets: FloatArray = field(repr=False)

    @classmethod
    def from_outputs(
        cls, plan: Plan, collections: Collections, out: Outputs, *, max_gap: float = 0.0
    ) -> WaterfallResult:
        """Wrap the engine outputs as (S, T) views (absent lines share one read-only zero)."""
        deal = plan.deal
        zero = np.zeros((plan.n_scenarios, plan.n_periods))
        zero.flags.writeable = False

        def view(buf: list[FloatArray], row: int) -> FloatArray:
            return zero if row < 0 else buf[row].T

        laid_out = out.sparse_arrays()

        def sparse(kind: str, key: object) -> FloatArray:
            arr = laid_out.get((kind, key))
            return zero if arr is None else arr.T

        kinds = {f.name: f.fee_type.value for f in deal.fees}
        fees = {
            nm: Line(nm, kinds[nm], out.fee_paid[i].T, sparse("fee_short", i), sparse("fee", i))
            for i, nm in enumerate(plan.fee_names)
        }
        interest, principal, sub_yield, residual, balances = {}, {}, {}, {}, {}
        for n, nm in enumerate(plan.names):
            j = plan.int_row[n]
            interest[nm] = Line(
                nm,
                "interest",
                view(out.int_paid, j),
                zero if j < 0 else sparse("int_short", j),
                sparse("interest", n),
            )
            principal[nm] = Line(
                nm,
                "principal",
                out.prin_paid[n].T,
                sparse("prin_short", n),
                sparse("principal", n),
            )
            y = plan.yield_row[n]
            sub_yield[nm] = Line(
                nm,
                "sub_yield",
                view(out.yield_paid, y),
                zero if y < 0 else sparse("yield_short", y),
                zero,
            )
            residual[nm] = view(out.residual, plan.residual_row[n])
            balances[nm] = out.bal[n].T
        return cls(
            deal=deal,
            collections=collections,
            fees=fees,
            interest=interest,
            principal=principal,
            sub_yield=sub_yield,
            residual=residual,
            balances=balances,
            reserve_balance=out.reserve_balance.T,
            reserve_deposits=out.reserve_deposit[0].T,
            reserve_release=sparse("release", 0),
            draws={
                SOURCE_RESERVE: sparse("draw", SOURCE_RESERVE),
                SOURCE_COMMITMENT: sparse("draw", SOURCE_COMMITMENT),
                SOURCE_GUARANTEE: sparse("draw", SOURCE_GUARANTEE),
            },
            reimbursements={
                SOURCE_COMMITMENT: sparse("reimburse", SOURCE_COMMITMENT),
                SOURCE_GUARANTEE: sparse("reimburse", SOURCE_GUARANTEE),
            },
            carried_out=out.carried_out.T,
            events={ev: out.events[:, i, :].T for i, ev in enumerate(EVENT_ORDER)},
            triggers={tr.name: out.triggers[:, k, :].T for k, tr in enumerate(deal.triggers)},
            accelerated=out.accelerated.T,
            max_conservation_gap=max_gap,
            _targets=plan.targets,
        )

    # -- shape and iteration ----------------------------------------------------------------

    @property
    def n_scenarios(self) -> int:
        """S."""
        return int(self.carried_out.shape[0])

    @property
    def n_periods(self) -> int:
        """T."""
        return int(self.carried_out.shape[1])

    @property
    def payment_dates(self) -> tuple[dt.date, ...]:
        """兑付日 per period."""
        return self.collections.payment_dates

    def lines(self) -> Iterator[Line]:
        """Every line: taxes and fees, then interest, principal and 期间收益 per tranche."""
        yield from self.fees.values()
        yield from self.interest.values()
        yield from self.principal.values()
        yield from self.sub_yield.values()

    # -- derived flows ----------------------------------------------------------------------

    @cached_property
    def carried_in(self) -> FloatArray:
        """Cash brought forward from the previous period (S, T)."""
        out = np.zeros_like(self.collections.total)
        out[:, 1:] = self.carried_out[:, :-1]
        return out

    @cached_property
    def available(self) -> FloatArray:
        """Available funds before distribution: collections + carried in + reserve release."""
        return self.collections.total + self.carried_in + self.reserve_release

    @cached_property
    def support_draws(self) -> FloatArray:
        """All draws (reserve, 差额支付, guarantee) per period (S, T)."""
        return sum(self.draws.values(), np.zeros_like(self.carried_out))

    @cached_property
    def support_reimbursed(self) -> FloatArray:
        """All reimbursements to 差额支付 and the guarantor per period (S, T)."""
        return sum(self.reimbursements.values(), np.zeros_like(self.carried_out))

    def support_owed(self, source: str) -> FloatArray:
        """Draws of ``source`` not yet repaid after each period (S, T): Σ draws − Σ repaid.

        For a provider no ``reimburse_support`` step names, this is its cumulative draws.

        Raises
        ------
        WaterfallError
            ``source`` is not ``shortfall_commitment`` or ``guarantee``.
        """
        if source not in self.reimbursements:
            from abs.errors import WaterfallError

            raise WaterfallError(
                f"support_owed: source must be one of {sorted(self.reimbursements)}; got {source!r}"
            )
        owed: FloatArray = np.cumsum(self.draws[source] - self.reimbursements[source], axis=1)
        return owed

    def tranche_cash(self, name: str) -> FloatArray:
        """Everything paid to tranche ``name`` per period (S, T)."""
        return (
            self.interest[name].paid
            + self.principal[name].paid
            + self.sub_yield[name].paid
            + self.residual[name]
        )

    def scheduled_principal_due(self, name: str) -> FloatArray:
        """Principal due by schedule, bullet, expected maturity or the last period (S, T).

        Unlike ``principal[name].due`` this leaves out pass-through/turbo amounts, which are
        paid only from what is available; it is the principal term of the coverage multiple.
        """
        i = [t.name for t in self.deal.tranches].index(name)
        opening = self.balances[name][:, :-1]
        return np.maximum(opening - self._targets[:, i][None, :], 0.0)

    def conservation_gap(self) -> FloatArray:
        """Cash in − cash out per scenario and period (S, T); 0 up to rounding.

        In: collections, cash carried in, reserve release, reserve draws, 差额支付 and
        guarantee draws. Out: taxes, fees, interest, principal, 期间收益, residual, reserve
        deposits, reimbursements of 差额支付/guarantee draws and cash carried out.
        """
        cash_in = self.available + self.support_draws
        out = self.reserve_deposits + self.carried_out + self.support_reimbursed
        for line in self.lines():
            out = out + line.paid
        for arr in self.residual.values():
            out = out + arr
        return cash_in - out

    @property
    def conserved(self) -> bool:
        """True when every scenario and period conserves cash to 0.01 yuan."""
        if np.isfinite(self.max_conservation_gap):
            return self.max_conservation_gap <= 0.01
        return bool(np.all(np.abs(self.conservation_gap()) <= 0.01))

    # -- obligations and coverage -----------------------------------------------------------

    def obligations(
        self, *, through: str | None = None, include_principal: bool = False
    ) -> FloatArray:
        """Taxes + fees + interest due (S, T) of tranches down to ``through`` (default: seniors).

        With ``include_principal`` the scheduled principal due of the same tranches is added.
        """
        names = self._through(through)
        total = np.zeros_like(self.carried_out)
        for line in self.fees.values():
            total = total + line.due
        for nm in names:
            total = total + self.interest[nm].due
            if include_principal:
                total = total + self.scheduled_principal_due(nm)
        return total

    def _through(self, through: str | None) -> list[str]:
        if through is None:
            return list(self.deal.seniors) or [self.deal.tranches[0].name]
        order = [t.name for t in self.deal.tranches]
        self.deal.tranche(through)  # raises DealSpecError naming the tranches
        return order[: order.index(through) + 1]

    def outstanding(self, *, through: str | None = None) -> BoolArray:
        """True (S, T) where some tranche down to ``through`` has a balance at period start."""
        names = self._through(through)
        opening = sum((self.balances[nm][:, :-1] for nm in names), np.zeros_like(self.carried_out))
        return opening > 0.005

    def coverage(
        self, *, through: str | None = None, include_principal: bool = False
    ) -> FloatArray:
        """现金流覆盖倍数 per period (S, T): available funds / obligations (inf when none due)."""
        return analytics.coverage_ratio(
            self.available, self.obligations(through=through, include_principal=include_principal)
        )

    def min_coverage(
        self, *, through: str | None = None, include_principal: bool = False
    ) -> FloatArray:
        """Lowest coverage (S,) over periods where the tranches are outstanding."""
        return analytics.min_coverage(
            self.available,
            self.obligations(through=through, include_principal=include_principal),
            mask=self.outstanding(through=through),
        )

    def life_coverage(
        self, *, through: str | None = None, include_principal: bool = False
    ) -> FloatArray:
        """Life-of-deal coverage (S,): fresh cash / obligations over the outstanding periods."""
        fresh = self.collections.total + self.reserve_release
        return analytics.life_coverage(
            fresh,
            self.obligations(through=through, include_principal=include_principal),
            mask=self.outstanding(through=through),
        )

    # -- per-tranche measures ---------------------------------------------------------------

    def year_times(self) -> FloatArray:
        """Years from closing to each payment date (ACT/365F)."""
        return analytics.year_times(self.deal.dates.closing_date, self.payment_dates)

    def wal(self, name: str) -> FloatArray:
        """Weighted average life in years (S,) of tranche ``name`` (NaN if no principal)."""
        return analytics.wal(self.principal[name].paid, self.year_times())

    def loss(self, name: str) -> FloatArray:
        """Principal not repaid by the last period (S,), in yuan."""
        return self.balances[name][:, -1].copy()

    def shortfall(self, name: str) -> FloatArray:
        """Principal lost plus interest and 期间收益 left unpaid at the end (S,)."""
        total: FloatArray = (
            self.loss(name)
            + self.interest[name].shortfall[:, -1]
            + self.sub_yield[name].shortfall.sum(axis=1)
        )
        return total

    def events_fired(self, scenario: int = 0) -> list[dict[str, object]]:
        """Triggers that switched on in ``scenario``: name, event, first and last period."""
        out: list[dict[str, object]] = []
        for tr in self.deal.triggers:
            on = self.triggers[tr.name][scenario]
            if on.any():
                first = int(np.argmax(on))
                last = int(len(on) - 1 - np.argmax(on[::-1]))
                out.append(
                    {
                        "trigger": tr.name,
                        "event": tr.event.value,
                        "event_zh": tr.event.zh,
                        "first_period": first + 1,
                        "first_date": self.payment_dates[first].isoformat(),
                        "last_period": last + 1,
                        "periods_on": int(on.sum()),
                    }
                )
        return out

    # -- tables -----------------------------------------------------------------------------

    def to_frame(self, scenario: int = 0, table: str = "securities") -> pd.DataFrame:
        """证券兑付表 (``table="securities"``) or 现金流归集表 (``table="pool"``) of one scenario.

        Parameters
        ----------
        scenario : int
            Scenario row.
        table : {"securities", "pool"}
            Which table.

        Returns
        -------
        pandas.DataFrame
            Amounts in yuan; columns :data:`SECURITIES_COLUMNS` or :data:`POOL_COLUMNS`.
        """
        from abs.errors import WaterfallError

        if not 0 <= scenario < self.n_scenarios:
            raise WaterfallError(
                f"to_frame: scenario {scenario} out of range 0..{self.n_scenarios - 1}"
            )
        if table == "securities":
            return self._securities_frame(scenario)
        if table == "pool":
            return self._pool_frame(scenario)
        raise WaterfallError(f"to_frame: table must be 'securities' or 'pool'; got {table!r}")

    def _securities_frame(self, s: int) -> pd.DataFrame:
        rows: list[dict[str, object]] = []
        for tr in self.deal.tranches:
            nm = tr.name
            bal = self.balances[nm][s]
            prin = self.principal[nm].paid[s]
            intr = self.interest[nm].paid[s] + self.sub_yield[nm].paid[s]
            exc = self.residual[nm][s]
            sup = self.interest[nm].support[s] + self.principal[nm].support[s]
            for t, d in enumerate(self.payment_dates):
                rows.append(
                    {
                        COL_TRANCHE: nm,
                        COL_PAYMENT_DATE: d,
                        COL_OPENING: float(bal[t]),
                        COL_PRINCIPAL: float(prin[t]),
                        COL_INTEREST: float(intr[t]),
                        COL_EXCESS: float(exc[t]),
                        COL_CASHFLOW: float(prin[t] + intr[t] + exc[t]),
                        COL_CLOSING: float(bal[t + 1]),
                        COL_SUPPORT: float(sup[t]),
                    }
                )
        return pd.DataFrame(rows, columns=list(SECURITIES_COLUMNS))

    def _pool_frame(self, s: int) -> pd.DataFrame:
        c = self.collections
        closing = c.pool_balance[s]
        opening = np.concatenate(([c.initial_pool_balance], closing[:-1]))
        taxes = [f.name for f in self.deal.fees if f.fee_type is FeeType.TAX]
        tax_due = sum((self.fees[n].due[s] for n in taxes), np.zeros(self.n_periods))
        tax_paid = sum((self.fees[n].paid[s] for n in taxes), np.zeros(self.n_periods))
        return pd.DataFrame(
            {
                COL_COLLECTION_DATE: list(c.collection_dates),
                COL_PAYMENT_DATE: list(c.payment_dates),
                COL_POOL_OPENING: opening,
                COL_POOL_PRINCIPAL: c.principal[s],
                COL_POOL_INCOME: c.income[s],
                COL_POOL_CLOSING: closing,
                COL_DEFAULTS: c.defaults[s],
                COL_RECOVERIES: c.recoveries[s],
                COL_TOTAL: c.total[s],
                COL_TAX_DUE: tax_due,
                COL_TAX_PAID: tax_paid,
            },
            columns=list(POOL_COLUMNS),
        )

    def summary(self, scenario: int = 0) -> pd.DataFrame:
        """Per-tranche totals and measures of one scenario (the ``dabs run`` table).

        Columns :data:`SUMMARY_COLUMNS`: totals paid (yuan), shortfall and principal loss,
        support received, WAL (years from closing), principal window, expected and actual final
        dates, yield at par (annual, compounded at the payment frequency, ACT/365F), 次级 IRR
        (pyxirr on actual dates, bought at par at closing) and the lowest 现金流覆盖倍数 of
        everything senior to and including the tranche (scheduled principal included).
        """
        s = scenario
        if not 0 <= s < self.n_scenarios:
            from abs.errors import WaterfallError

            raise WaterfallError(f"summary: scenario {s} out of range 0..{self.n_scenarios - 1}")
        dates = self.payment_dates
        closing = self.deal.dates.closing_date
        freq = self.deal.dates.frequency.per_year
        times = self.year_times()
        rows: list[dict[str, object]] = []
        for tr in self.deal.tranches:
            nm = tr.name
            prin = self.principal[nm].paid[s]
            cash = self.tranche_cash(nm)[s]
            window = analytics.payment_window(prin, dates)
            paid_any = np.flatnonzero(cash > 0.005)
            actual = dates[int(paid_any[-1])] if paid_any.size else None
            wal = float(analytics.wal(prin, times))
            y = analytics.yield_from_price(cash, times, price=tr.balance, frequency=freq or 1)
            irr = (
                analytics.irr((closing, *dates), np.concatenate(([-tr.balance], cash)))
                if tr.tranche_class is TrancheClass.SUBORDINATED
                else float("nan")
            )
            rows.append(
                {
                    SUM_NAME: nm,
                    SUM_CLASS: tr.tranche_class.zh,
                    SUM_ORIGINAL: tr.balance,
                    SUM_INTEREST: float(self.interest[nm].paid[s].sum()),
                    SUM_PRINCIPAL: float(prin.sum()),
                    SUM_SUB_YIELD: float(self.sub_yield[nm].paid[s].sum()),
                    SUM_RESIDUAL: float(self.residual[nm][s].sum()),
                    SUM_SHORTFALL: float(self.shortfall(nm)[s]),
                    SUM_LOSS: float(self.loss(nm)[s]),
                    SUM_SUPPORT: float(
                        self.interest[nm].support[s].sum() + self.principal[nm].support[s].sum()
                    ),
                    SUM_WAL: wal,
                    SUM_FIRST: window[0],
                    SUM_LAST: window[1],
                    SUM_EXPECTED: tr.expected_maturity_date
                    or self.deal.dates.expected_maturity_date,
                    SUM_ACTUAL: actual,
                    SUM_YIELD: y,
                    SUM_IRR: irr,
                    SUM_MIN_COV: float(self.min_coverage(through=nm, include_principal=True)[s]),
                }
            )
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
