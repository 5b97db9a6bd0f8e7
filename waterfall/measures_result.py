"""What a measures-mode run returns: per-scenario measures, no per-line arrays.

Every measure is defined as for the full result (:class:`waterfall.result.WaterfallResult` and
``docs/analytics.md``); ``tests/waterfall/test_measures.py`` checks they are the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from abs import analytics
from abs.cashflows import Collections
from abs.deal import Deal
from abs.errors import WaterfallError
from waterfall import layout as ly
from waterfall.compile import BoolArray, FloatArray, IntArray
from waterfall.kernel import Outputs
from waterfall.layout import ERR_MAX_GAP


@dataclass(frozen=True, eq=False)
class Measures:
    """Per-scenario measures of one run, arrays (S, N) per tranche unless noted.

    Attributes
    ----------
    tranche_names : tuple of str
        N tranche names in deal order.
    original_balance : ndarray (N,)
        发行规模 (元).
    payment_dates : tuple of date
        兑付日 (T).
    loss, shortfall : ndarray (S, N)
        Principal not repaid by the last period; that plus interest and 期间收益 left unpaid (元).
    wal : ndarray (S, N)
        Weighted average life in years from closing (NaN if no principal was paid).
    yld : ndarray (S, N)
        Yield at par (compounded at the deal's payment frequency, ACT/365F; the kernel solves
        annually and :func:`abs.analytics.yield_at_frequency` restates it), NaN when not asked
        for or none exists.
    interest_paid, principal_paid, sub_yield_paid, residual_paid, support : ndarray (S, N)
        Totals over the life of the deal (元); ``support``: 补充支付 that paid the tranche.
    first_missed : int ndarray (S, N)
        First period with a missed payment (−1: none); ``paid_in_full`` is ``first_missed < 0``.
    min_coverage, life_coverage, min_coverage_principal : ndarray (S, N)
        现金流覆盖倍数 through each tranche (inf when nothing was due).
    coverage : ndarray (S, T)
        Senior coverage per period, NaN once the seniors are repaid; (S, 0) when the run left
        it out (``coverage_by_period=False``).
    trigger_first : int ndarray (S, K)
        First period each trigger was on (−1: never).
    accelerated_first : int ndarray (S,)
        First period of the accelerated step list (−1: never).
    draws, reimbursements : dict of str to ndarray (S,)
        Support drawn by source (reserve, 差额支付, guarantee) and repaid (the last two).
    cash_left : ndarray (S,)
        Cash carried out of the last period.
    tranche_cash : dict of str to ndarray (S, T)
        Everything paid to the tranche each period, for the tranches kept (``cash=``).
    max_conservation_gap : float
        Largest |cash in − cash out| of any scenario and period.
    purchased, idle_interest, negative_carry : ndarray (S,) or None
        Revolving deals: Σ 循环购买金额, Σ interest on idle cash, Σ negative carry of idle cash.
    first_out_of_band : ndarray (S,) of int or None
        Revolving deals whose collections carry the data-linked balance: first period the
        data-linked share left the issued kind's band while securities were outstanding (−1:
        never); ``min_data_share`` (S,) the lowest share (fraction, floored to the basis point).
    """

    deal: Deal
    collections: Collections
    tranche_names: tuple[str, ...]
    original_balance: FloatArray
    payment_dates: tuple[dt.date, ...]
    loss: FloatArray
    shortfall: FloatArray
    wal: FloatArray
    yld: FloatArray
    interest_paid: FloatArray
    principal_paid: FloatArray
    sub_yield_paid: FloatArray
    residual_paid: FloatArray
    support: FloatArray
    first_missed: IntArray
    min_coverage: FloatArray
    life_coverage: FloatArray
    min_coverage_principal: FloatArray
    coverage: FloatArray
    trigger_first: IntArray
    accelerated_first: IntArray
    draws: dict[str, FloatArray]
    reimbursements: dict[str, FloatArray]
    cash_left: FloatArray
    tranche_cash: dict[str, FloatArray]
    max_conservation_gap: float
    purchased: FloatArray | None = None
    idle_interest: FloatArray | None = None
    negative_carry: FloatArray | None = None
    first_out_of_band: IntArray | None = None
    min_data_share: FloatArray | None = None

    @classmethod
    def from_outputs(
        cls, deal: Deal, collections: Collections, o: Outputs, *, keep: list[bool]
    ) -> Measures:
        """Wrap the kernel's measures arrays."""
        names = tuple(t.name for t in deal.tranches)
        m = o.m
        tot = o.totals
        # the kernel solves with annual compounding; report in the one convention
        # (compounded at the payment frequency, docs/analytics.md), as summary() does
        freq = deal.dates.frequency.per_year or 1
        yields = (
            analytics.yield_at_frequency(m[:, :, ly.M_YIELD], freq)
            if o.yields
            else np.full(m.shape[:2], np.nan)
        )
        cash: dict[str, FloatArray] = {}
        for k, nm in enumerate(names):
            if keep[k]:
                cash[nm] = o.cash[:, int(o.cash_row[k]), :]
        return cls(
            deal=deal,
            collections=collections,
            tranche_names=names,
            original_balance=np.array([t.balance for t in deal.tranches], dtype=np.float64),
            payment_dates=tuple(collections.payment_dates),
            loss=m[:, :, ly.M_LOSS],
            shortfall=m[:, :, ly.M_SHORTFALL],
            wal=m[:, :, ly.M_WAL],
            yld=yields,
            interest_paid=m[:, :, ly.M_INT_PAID],
            principal_paid=m[:, :, ly.M_PRIN_PAID],
            sub_yield_paid=m[:, :, ly.M_SUB_YIELD_PAID],
            residual_paid=m[:, :, ly.M_RESIDUAL_PAID],
            support=m[:, :, ly.M_SUPPORT],
            first_missed=o.first_missed,
            min_coverage=m[:, :, ly.M_MIN_COV],
            life_coverage=m[:, :, ly.M_LIFE_COV],
            min_coverage_principal=m[:, :, ly.M_MIN_COV_P],
            coverage=o.coverage,
            trigger_first=o.trig_first,
            accelerated_first=tot[:, ly.T_ACCELERATED].astype(np.int64),
            draws={
                "reserve": tot[:, ly.T_DRAW_RES],
                "shortfall_commitment": tot[:, ly.T_DRAW_COM],
                "guarantee": tot[:, ly.T_DRAW_GUA],
            },
            reimbursements={
                "shortfall_commitment": tot[:, ly.T_REPAID_COM],
                "guarantee": tot[:, ly.T_REPAID_GUA],
            },
            cash_left=tot[:, ly.T_CASH_LEFT],
            tranche_cash=cash,
            max_conservation_gap=float(o.errors[:, ERR_MAX_GAP].max()),
            **_revolving_measures(deal, collections, tot),
        )

    @property
    def n_scenarios(self) -> int:
        """S."""
        return int(self.loss.shape[0])

    @property
    def paid_in_full(self) -> BoolArray:
        """(S, N): no missed payment and nothing lost."""
        out: BoolArray = self.first_missed < 0
        return out

    def index(self, name: str) -> int:
        """Column of tranche ``name``.

        Raises
        ------
        WaterfallError
            No tranche has that name.
        """
        if name not in self.tranche_names:
            raise WaterfallError(
                f"measures: no tranche named {name!r}; tranches are {list(self.tranche_names)}"
            )
        return self.tranche_names.index(name)

    def irr(self, name: str) -> FloatArray:
        """IRR per scenario (S,) of tranche ``name`` bought at par at closing (pyxirr, actual
        dates); needs the tranche's cash (``run_measures(cash=...)``).

        Raises
        ------
        WaterfallError
            The run did not keep that tranche's cash.
        """
        k = self.index(name)
        if name not in self.tranche_cash:
            raise WaterfallError(
                f"measures: the cash of {name!r} was not kept; run with cash='all' "
                f"(kept: {sorted(self.tranche_cash)})"
            )
        dates = (self.deal.dates.closing_date, *self.payment_dates)
        price = -float(self.original_balance[k])
        cash: Any = self.tranche_cash[name]
        return np.array(
            [analytics.irr(dates, np.concatenate(([price], row))) for row in cash],
            dtype=np.float64,
        )


def _revolving_measures(deal: Deal, collections: Collections, tot: Any) -> dict[str, Any]:
    if deal.revolving is None:
        return {}
    out: dict[str, Any] = {
        "purchased": tot[:, ly.T_PURCHASED],
        "idle_interest": tot[:, ly.T_IDLE_INT],
        "negative_carry": tot[:, ly.T_NEG_CARRY],
    }
    if collections.data_balance is not None:
        out["first_out_of_band"] = tot[:, ly.T_OUT_OF_BAND].astype(np.int64)
        out["min_data_share"] = tot[:, ly.T_MIN_SHARE_BP] / 10_000.0
    return out
