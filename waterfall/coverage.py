"""Measures of a full result derived from its lines: obligations, 现金流覆盖倍数, WAL, loss.

:class:`CoverageMeasures` is a base of :class:`waterfall.result.WaterfallResult`; the
definitions are in ``docs/analytics.md`` (measures mode computes the same numbers inside the
kernel: :mod:`waterfall.measures`).
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from abs import analytics
from abs.cashflows import Collections
from abs.deal import Deal
from waterfall.compile import BoolArray, FloatArray

if TYPE_CHECKING:
    from waterfall.result import Line
    from waterfall.revolving_result import RevolvingLines


class CoverageMeasures:
    """The methods below read the fields of :class:`waterfall.result.WaterfallResult`."""

    deal: Deal
    collections: Collections
    fees: dict[str, Line]
    interest: dict[str, Line]
    principal: dict[str, Line]
    sub_yield: dict[str, Line]
    balances: dict[str, FloatArray]
    carried_out: FloatArray
    reserve_release: FloatArray
    _targets: FloatArray
    revolving: RevolvingLines | None

    @property
    def payment_dates(self) -> tuple[dt.date, ...]:
        """兑付日 per period."""
        return self.collections.payment_dates

    @cached_property
    def carried_in(self) -> FloatArray:
        """Cash brought forward from the previous period (S, T)."""
        out = np.zeros_like(self.collections.total)
        out[:, 1:] = self.carried_out[:, :-1]
        return out

    @cached_property
    def available(self) -> FloatArray:
        """Available funds before distribution: collections + carried in + reserve release
        (+ idle cash released with its interest, revolving deals)."""
        out = self.collections.total + self.carried_in + self.reserve_release
        if self.revolving is not None:
            out = out + self.revolving.idle_release + self.revolving.idle_interest
        return out

    def scheduled_principal_due(self, name: str) -> FloatArray:
        """Principal due by schedule, bullet, expected maturity or the last period (S, T).

        Unlike ``principal[name].due`` this leaves out pass-through/turbo amounts, which are
        paid only from what is available; it is the principal term of the coverage multiple.
        """
        i = [t.name for t in self.deal.tranches].index(name)
        opening = self.balances[name][:, :-1]
        return np.maximum(opening - self._targets[:, i][None, :], 0.0)

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
        if self.revolving is not None:
            fresh = fresh + self.revolving.idle_interest
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
