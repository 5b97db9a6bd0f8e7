"""What a full-mode run returns: per-line arrays (S, T), balances, accounts, events, tables.

Every array a user sees is shaped (scenarios, periods) — a transposed view of the kernel's
``(lines, T, S)`` blocks, so reading ``result.interest["优先A1"].paid[:, t]`` costs nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from abs.cashflows import Collections
from abs.deal import Deal
from abs.enums import EventType
from abs.errors import WaterfallError
from waterfall import layout as ly
from waterfall import tables
from waterfall.compile import EVENT_ORDER, BoolArray, FloatArray
from waterfall.coverage import CoverageMeasures
from waterfall.kernel import Outputs
from waterfall.revolving_result import RevolvingLines

#: Names of the support sources in :attr:`WaterfallResult.draws`.
SOURCE_RESERVE = "reserve"
SOURCE_COMMITMENT = "shortfall_commitment"
SOURCE_GUARANTEE = "guarantee"


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
class WaterfallResult(CoverageMeasures):
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
    interest_on_interest : dict of str to Line
        The part of ``interest`` that is interest on unpaid interest (deal option
        ``conventions.interest_on_unpaid_interest``; zero otherwise).
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
    interest_on_interest: dict[str, Line]
    _targets: FloatArray = field(repr=False)
    revolving: RevolvingLines | None = None

    @classmethod
    def from_blocks(
        cls,
        deal: Deal,
        collections: Collections,
        o: Outputs,
        targets: FloatArray,
        *,
        max_gap: float,
        revolving: RevolvingLines | None = None,
    ) -> WaterfallResult:
        """Wrap the kernel's full-mode blocks as (S, T) views (no copy)."""
        lines, off = o.lines, o.off

        def row(kind: int, i: int = 0) -> FloatArray:
            view: FloatArray = lines[off[kind] + i].T
            return view

        def line(name: str, kind: str, paid: int, short: int, sup: int, i: int) -> Line:
            return Line(name, kind, row(paid, i), row(short, i), row(sup, i))

        fees = {
            f.name: line(
                f.name, f.fee_type.value, ly.LN_FEE_PAID, ly.LN_FEE_SHORT, ly.LN_FEE_SUP, i
            )
            for i, f in enumerate(deal.fees)
        }
        names = [t.name for t in deal.tranches]
        zero = np.zeros_like(row(ly.LN_CARRY))
        zero.flags.writeable = False
        interest = {
            nm: line(nm, "interest", ly.LN_INT_PAID, ly.LN_INT_SHORT, ly.LN_INT_SUP, k)
            for k, nm in enumerate(names)
        }
        ioi = {
            nm: Line(
                nm, "interest_on_interest", row(ly.LN_IOI_PAID, k), row(ly.LN_IOI_SHORT, k), zero
            )
            for k, nm in enumerate(names)
        }
        principal = {
            nm: line(nm, "principal", ly.LN_PRIN_PAID, ly.LN_PRIN_SHORT, ly.LN_PRIN_SUP, k)
            for k, nm in enumerate(names)
        }
        sub_yield = {
            nm: Line(nm, "sub_yield", row(ly.LN_YIELD_PAID, k), row(ly.LN_YIELD_SHORT, k), zero)
            for k, nm in enumerate(names)
        }
        n = len(names)
        return cls(
            deal=deal,
            collections=collections,
            fees=fees,
            interest=interest,
            principal=principal,
            sub_yield=sub_yield,
            residual={nm: row(ly.LN_RESIDUAL, k) for k, nm in enumerate(names)},
            balances={nm: o.balances[k].T for k, nm in enumerate(names)},
            reserve_balance=o.balances[n].T,
            reserve_deposits=row(ly.LN_DEPOSIT),
            reserve_release=row(ly.LN_RELEASE),
            draws={
                SOURCE_RESERVE: row(ly.LN_DRAW, 0),
                SOURCE_COMMITMENT: row(ly.LN_DRAW, 1),
                SOURCE_GUARANTEE: row(ly.LN_DRAW, 2),
            },
            reimbursements={
                SOURCE_COMMITMENT: row(ly.LN_REPAID, 0),
                SOURCE_GUARANTEE: row(ly.LN_REPAID, 1),
            },
            carried_out=row(ly.LN_CARRY),
            events={ev: o.events[i].T for i, ev in enumerate(EVENT_ORDER)},
            triggers={tr.name: o.triggers[k].T for k, tr in enumerate(deal.triggers)},
            accelerated=o.accelerated.T,
            max_conservation_gap=max_gap,
            interest_on_interest=ioi,
            _targets=targets,
            revolving=revolving,
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

    def conservation_gap(self) -> FloatArray:
        """Cash in − cash out per scenario and period (S, T); 0 up to rounding.

        In: collections, cash carried in, reserve release, idle cash released with its
        interest, reserve draws, 差额支付 and guarantee draws. Out: taxes, fees, interest,
        principal, 期间收益, residual, reserve deposits, reimbursements of 差额支付/guarantee
        draws, revolving purchases, idle cash kept and cash carried out.
        """
        cash_in = self.available + self.support_draws
        out = self.reserve_deposits + self.carried_out + self.support_reimbursed
        if self.revolving is not None:
            out = out + self.revolving.purchases + self.revolving.idle
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

    # -- tables ---------------------------------------------------------------------------

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
        self._check_scenario("to_frame", scenario)
        if table == "securities":
            return tables.securities_frame(self, scenario)
        if table == "pool":
            return tables.pool_frame(self, scenario)
        raise WaterfallError(f"to_frame: table must be 'securities' or 'pool'; got {table!r}")

    def summary(self, scenario: int = 0) -> pd.DataFrame:
        """Per-tranche totals and measures of one scenario (the ``dabs run`` table).

        Columns :data:`SUMMARY_COLUMNS`: totals paid (yuan), shortfall and principal loss,
        support received, WAL (years from closing), principal window, expected and actual final
        dates, yield at par (annual, compounded at the payment frequency, ACT/365F), 次级 IRR
        (pyxirr on actual dates, bought at par at closing) and the lowest 现金流覆盖倍数 of
        everything senior to and including the tranche (scheduled principal included).
        """
        self._check_scenario("summary", scenario)
        return tables.summary_frame(self, scenario)

    def _check_scenario(self, what: str, scenario: int) -> None:
        if not 0 <= scenario < self.n_scenarios:
            raise WaterfallError(
                f"{what}: scenario {scenario} out of range 0..{self.n_scenarios - 1}"
            )
