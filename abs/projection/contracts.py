"""Contract cash of every asset on the deal's collection periods, grouped by cash-flow model.

The contract grids (payment windows after the cut-off) depend only on the pool and the schedule,
so they are laid out once per pool model (:class:`ContractBook`). From them:

* :meth:`ContractBook.neutral` — the per-asset period arrays with no usage stress and no
  revenue haircut; every stress that moves no usage parameter scales these (the haircut
  multiplies cash and principal by 1 − h, see ``docs/projection.md``);
* :meth:`ContractBook.stressed` — the arrays under a volume shock or price-decline change (only
  the usage-driven models are recomputed) and a revenue haircut;
* :meth:`ContractBook.values` — contracted and expected sums per asset for the income-approach
  value table.

Money in yuan; arrays (N, T) are assets × collection periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from abs import revenue as rv
from abs.projection.inputs import (
    MODEL_ALGORITHM,
    MODEL_AMORTIZING,
    MODEL_EVEN,
    MODEL_LICENCE,
    MODEL_SHARE,
    MODEL_USAGE,
    MODELS,
    USAGE_MODELS,
    AssetInputs,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class PeriodArrays:
    """Contract cash per asset and collection period (N, T), before credit and delay.

    Attributes
    ----------
    cash : ndarray
        Contract cash collected (stressed parameters and haircut applied).
    principal : ndarray
        Part of ``cash`` repaying the pool balance.
    variable : ndarray
        Part of ``cash`` that moves with usage (scaled by the paths' usage shock).
    variable_principal : ndarray
        Principal share of ``variable``.
    renewal : ndarray
        Cash of the renewed contract (before the renewal probability).
    """

    cash: FloatArray
    principal: FloatArray
    variable: FloatArray
    variable_principal: FloatArray
    renewal: FloatArray


@dataclass(frozen=True, eq=False)
class _Group:
    """The assets of one cash-flow model and their contract payments."""

    model: str
    rows: IntArray
    grid: rv.ContractGrid
    base_cash: FloatArray  # (n, J) contracted cash, tape parameters
    base_var: FloatArray  # (n, J) its usage-driven part
    phi: FloatArray  # (n,) principal share of the contracted cash (non-amortising)
    amortizing: rv.AmortizingCash | None
    ren_rows: IntArray  # positions (in the group) of assets that may renew
    ren_grid: rv.ContractGrid | None


def model_cash(
    model: str, grid: rv.ContractGrid, p: dict[str, FloatArray], amount: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(cash, variable) per contract payment of one non-amortising model group."""
    zero = np.zeros_like(grid.a)
    if model == MODEL_LICENCE:
        return rv.licence_cash(grid, annual_fee=p["annual_fee"], escalator=p["escalator"]), zero
    if model == MODEL_USAGE:
        u = rv.usage_cash(
            grid,
            volume=p["volume"],
            unit_price=p["unit_price"],
            volume_growth=p["volume_growth"],
            price_decline=p["price_decline"],
            churn=p["churn"],
            minimum_fee=p["minimum_fee"],
            fee_cap=p["fee_cap"],
        )
        return u.cash, u.variable
    if model == MODEL_ALGORITHM:
        u = rv.algorithm_service_cash(
            grid,
            subscription_fee=p["subscription_fee"],
            escalator=p["escalator"],
            volume=p["volume"],
            unit_price=p["unit_price"],
            volume_growth=p["volume_growth"],
            price_decline=p["price_decline"],
            churn=p["churn"],
            minimum_fee=p["minimum_fee"],
            fee_cap=p["fee_cap"],
        )
        return u.cash, u.variable
    if model == MODEL_SHARE:
        u = rv.revenue_share_cash(
            grid,
            counterparty_revenue=p["counterparty_revenue"],
            share=p["revenue_share"],
            revenue_growth=p["revenue_growth"],
            minimum_fee=p["minimum_fee"],
            fee_cap=p["fee_cap"],
        )
        return u.cash, u.variable
    return rv.even_cash(grid, amount=amount), zero


def renewal_params(
    grid: rv.ContractGrid, p: dict[str, FloatArray], change: FloatArray
) -> dict[str, FloatArray]:
    """Parameters of the renewed contract: the run-rate at term end × (1 + renewal fee change)."""
    up = 1.0 + change
    term = grid.term_months
    last_year = np.maximum(np.ceil(term / 12.0 - 1e-9) - 1.0, 0.0)
    months_on = np.maximum(np.round(term) - grid.cutoff_month, 0.0)
    q_use = (
        np.clip(1.0 + p["volume_growth"], 0.0, None)
        * np.clip(1.0 - p["price_decline"], 0.0, None)
        * np.clip(1.0 - p["churn"], 0.0, None)
    ) ** (months_on / 12.0)
    q_share = np.clip(1.0 + p["revenue_growth"], 0.0, None) ** (months_on / 12.0)
    out = dict(p)
    esc = (1.0 + p["escalator"]) ** last_year
    out["annual_fee"] = p["annual_fee"] * esc * up
    out["subscription_fee"] = p["subscription_fee"] * esc * up
    out["volume"] = p["volume"] * q_use * up
    out["counterparty_revenue"] = p["counterparty_revenue"] * q_share * up
    out["minimum_fee"] = p["minimum_fee"] * up
    out["fee_cap"] = p["fee_cap"] * up
    return out


def grid_subset(grid: rv.ContractGrid, rows: IntArray) -> rv.ContractGrid:
    """The rows ``rows`` of a contract grid (same collection periods)."""
    return rv.ContractGrid(
        a=grid.a[rows],
        b=grid.b[rows],
        pay_days=grid.pay_days[rows],
        valid=grid.valid[rows],
        period=grid.period[rows],
        years=grid.years[rows],
        cutoff_position=grid.cutoff_position[rows],
        cutoff_month=grid.cutoff_month[rows],
        term_months=grid.term_months[rows],
        n_periods=grid.n_periods,
    )


def usage_params(
    params: dict[str, FloatArray], volume_shock: float, price_decline_change: float
) -> dict[str, FloatArray]:
    """Revenue parameters under a volume shock and a change of the annual price decline."""
    out = dict(params)
    out["volume"] = params["volume"] * (1.0 + volume_shock)
    out["counterparty_revenue"] = params["counterparty_revenue"] * (1.0 + volume_shock)
    out["price_decline"] = params["price_decline"] + price_decline_change
    return out


@dataclass(frozen=True, eq=False)
class AssetValues:
    """Per-asset sums of the income-approach value table (yuan, (N,), 0 for unused rows)."""

    contracted_total: FloatArray
    contracted_pv: FloatArray
    expected_total: FloatArray
    expected_pv: FloatArray
    tail: FloatArray


class ContractBook:
    """Contract payment grids of every model group of a pool (laid out once).

    Parameters
    ----------
    inputs : AssetInputs
        The pool's per-asset inputs.
    cutoff : datetime64[D]
        封包日.
    collection_dates : ndarray of datetime64[D] (T,)
        计算日 of each collection period.
    """

    def __init__(
        self,
        inputs: AssetInputs,
        *,
        cutoff: np.datetime64,
        collection_dates: npt.NDArray[np.datetime64],
    ) -> None:
        self.inputs = inputs
        self.n_periods = int(collection_dates.shape[0])
        groups = []
        for model in MODELS:
            idx = inputs.model_rows(model)
            if idx.size == 0:
                continue
            grid = rv.contract_grid(
                start=inputs.start[idx],
                maturity=inputs.maturity[idx],
                period_months=inputs.period_months[idx],
                cutoff=cutoff,
                collection_dates=collection_dates,
            )
            amount = inputs.amount[idx]
            pb = {k: v[idx] for k, v in inputs.params.items()}
            amort = None
            phi = np.zeros(idx.size)
            if model == MODEL_AMORTIZING:
                amort = rv.amortizing_cash(
                    grid, balance=amount, rate=pb["rate"], method=inputs.methods[idx]
                )
                base, base_var = amort.cash, np.zeros_like(amort.cash)
            else:
                base, base_var = model_cash(model, grid, pb, amount)
                total = base.sum(axis=1)
                with np.errstate(over="ignore"):  # a tiny contracted total: φ is capped at 1
                    phi = np.where(
                        total > 0, np.minimum(1.0, amount / np.where(total > 0, total, 1.0)), 0.0
                    )
            ren_rows = np.zeros(0, dtype=np.int64)
            ren_grid = None
            if model != MODEL_AMORTIZING:
                ren_rows = np.flatnonzero(inputs.renewal_p[idx] > 0).astype(np.int64)
                if ren_rows.size:
                    ren_grid = rv.contract_grid(
                        start=inputs.maturity[idx][ren_rows],
                        maturity=rv.add_months(
                            inputs.maturity[idx][ren_rows], inputs.renewal_months[idx][ren_rows]
                        ),
                        period_months=inputs.period_months[idx][ren_rows],
                        cutoff=cutoff,
                        collection_dates=collection_dates,
                    )
            groups.append(
                _Group(
                    model=model,
                    rows=idx,
                    grid=grid,
                    base_cash=base,
                    base_var=base_var,
                    phi=phi,
                    amortizing=amort,
                    ren_rows=ren_rows,
                    ren_grid=ren_grid,
                )
            )
        self.groups = tuple(groups)

    def scheduled(self) -> FloatArray:
        """Scheduled principal per asset and period (N, T): the contract balance schedule.

        Amortising assets: their principal; revenue assets: the share φ = min(1, 入池金额 /
        contracted cash) of each payment, and at the last payment whatever of 入池金额 the
        contracted cash does not cover (written down there).
        """
        out = np.zeros((self.inputs.n_assets, self.n_periods))
        for g in self.groups:
            if g.amortizing is not None:
                sched = g.amortizing.principal
            else:
                amount = self.inputs.amount[g.rows]
                total = g.base_cash.sum(axis=1)
                cols = np.arange(g.grid.a.shape[1])[None, :]
                last = cols == g.grid.last_index[:, None]
                sched = g.phi[:, None] * g.base_cash + np.where(
                    last, (amount - g.phi * total)[:, None], 0.0
                )
            out[g.rows] = rv.to_periods(g.grid, sched)
        return out

    def _group_cash(
        self, g: _Group, params: dict[str, FloatArray], keep: float
    ) -> tuple[FloatArray, ...]:
        """(cash, principal, variable, variable principal, renewal) per contract payment."""
        inp = self.inputs
        if g.amortizing is not None:
            cash = keep * g.amortizing.cash
            zero = np.zeros_like(cash)
            return cash, keep * g.amortizing.principal, zero, zero, np.zeros((0, 0))
        amount = inp.amount[g.rows]
        ps = {k: v[g.rows] for k, v in params.items()}
        if params is inp.params:  # the tape's parameters: the contracted cash laid out once
            st_cash, st_var = g.base_cash, g.base_var
        else:
            st_cash, st_var = model_cash(g.model, g.grid, ps, amount)
        st_cash = keep * st_cash
        st_var = keep * st_var
        prin = g.phi[:, None] * np.minimum(st_cash, g.base_cash)
        vprin = np.minimum(g.phi[:, None] * st_var, prin)
        rcash = np.zeros((0, 0))
        if g.ren_grid is not None:
            r = g.ren_rows
            change = inp.renewal_change[g.rows][r]
            if g.model == MODEL_EVEN:
                per = amount[r] / np.maximum(g.grid.payment_count[r], 1)
                rcash = np.where(g.ren_grid.valid, (per * (1.0 + change))[:, None], 0.0)
            else:
                rp = renewal_params(
                    grid_subset(g.grid, r), {k: v[r] for k, v in ps.items()}, change
                )
                rcash, _ = model_cash(g.model, g.ren_grid, rp, amount[r])
            rcash = keep * rcash
        return st_cash, prin, st_var, vprin, rcash

    def arrays(self, params: dict[str, FloatArray], keep: float) -> PeriodArrays:
        """Per-asset period arrays under revenue parameters ``params`` and haircut 1 − keep."""
        n, t = self.inputs.n_assets, self.n_periods
        out = [np.zeros((n, t)) for _ in range(5)]
        for g in self.groups:
            cash, prin, var, vprin, rcash = self._group_cash(g, params, keep)
            for arr, x in zip(out[:4], (cash, prin, var, vprin), strict=True):
                arr[g.rows] = rv.to_periods(g.grid, x)
            if g.ren_grid is not None:
                out[4][g.rows[g.ren_rows]] = rv.to_periods(g.ren_grid, rcash)
        return PeriodArrays(*out)

    def neutral(self) -> PeriodArrays:
        """Arrays with the tape's parameters and no haircut."""
        return self.arrays(self.inputs.params, 1.0)

    def stressed(
        self, neutral: PeriodArrays, volume_shock: float, price_decline_change: float, keep: float
    ) -> PeriodArrays:
        """Arrays under a usage stress: usage models recomputed, the others ``keep`` × neutral."""
        params = usage_params(self.inputs.params, volume_shock, price_decline_change)
        out = [
            keep * x
            for x in (
                neutral.cash,
                neutral.principal,
                neutral.variable,
                neutral.variable_principal,
                neutral.renewal,
            )
        ]
        for g in self.groups:
            if g.model not in USAGE_MODELS:
                continue
            cash, prin, var, vprin, rcash = self._group_cash(g, params, keep)
            for arr, x in zip(out[:4], (cash, prin, var, vprin), strict=True):
                arr[g.rows] = rv.to_periods(g.grid, x)
            if g.ren_grid is not None:
                out[4][g.rows[g.ren_rows]] = rv.to_periods(g.ren_grid, rcash)
        return PeriodArrays(*out)

    def values(
        self,
        *,
        params: dict[str, FloatArray],
        keep: float,
        pd: FloatArray,
        renewal_p: FloatArray,
        discount_rate: float,
    ) -> AssetValues:
        """Contracted and expected cash per asset over its whole contract (also past the deal).

        Expected = contract cash × survival (1 − pd)^t (t years from the cut-off to the payment)
        plus renewals × p; PVs at ``discount_rate`` (annual compounding, ACT/365F).
        """
        n = self.inputs.n_assets
        c_total, c_pv, e_total, e_pv, tail = (np.zeros(n) for _ in range(5))
        for g in self.groups:
            idx = g.rows
            cash = self._group_cash(g, params, keep)
            st_cash, rcash = cash[0], cash[4]
            disc = (1.0 + discount_rate) ** (-g.grid.years)
            surv = (1.0 - pd[idx, None]) ** g.grid.years
            c_total[idx] = g.base_cash.sum(axis=1)
            c_pv[idx] = (g.base_cash * disc).sum(axis=1)
            e_pv[idx] = (st_cash * surv * disc).sum(axis=1)
            e_total[idx] = (st_cash * surv).sum(axis=1)
            tail[idx] = rv.tail_amount(g.grid, g.base_cash)
            if g.ren_grid is not None:
                rows = idx[g.ren_rows]
                rdisc = (1.0 + discount_rate) ** (-g.ren_grid.years)
                rsurv = (1.0 - pd[rows, None]) ** g.ren_grid.years
                pr = renewal_p[rows]
                e_pv[rows] += pr * (rcash * rsurv * rdisc).sum(axis=1)
                e_total[rows] += pr * (rcash * rsurv).sum(axis=1)
        return AssetValues(
            contracted_total=c_total,
            contracted_pv=c_pv,
            expected_total=e_total,
            expected_pv=e_pv,
            tail=tail,
        )
