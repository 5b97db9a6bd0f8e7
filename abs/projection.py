"""Collections projection (现金流预测): the pool's cash per collection period, expected or by path.

Pipeline (``docs/projection.md``):

1. :func:`abs.calendar.build_schedule` gives the collection periods (计算日 grid).
2. Each asset's contracted cash comes from its kind's model in :mod:`abs.revenue`, on its own
   contract payment dates, summed into collection periods; stress factors change the inputs
   (volume, price decline, renewal probability) or scale the cash (revenue haircut).
3. Credit: annual PD → survival S(τ) = (1 − pd)^τ on the 计算日 clock (τ in ACT/365F years from
   the cut-off); a default in period t stops the asset's cash from period t on, writes off its
   balance at the start of t, and brings ``recovery × balance`` ``recovery_lag`` periods later.
   The expected case multiplies by survival; stochastic paths draw default times from a
   one-factor Gaussian copula and pool-level lognormal usage shocks.
4. ``collection_delay`` moves collected cash later by whole periods (cash pushed past the last
   period lands in the last period).

Public functions: :func:`project`, :func:`simulate`, :func:`expected_asset_table`,
:func:`pool_cashflow_table`, :func:`data_asset_values`, :func:`pv_by_asset`.

Units: yuan; annual rates; periods of the deal's schedule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.special import log_ndtr

from abs import revenue as rv
from abs.asset import DATA_REVENUE_TYPES, Asset
from abs.assumptions import DEFAULT_PD, DEFAULT_RECOVERY, Assumptions, Stress
from abs.calendar import PaymentSchedule, build_schedule
from abs.cashflows import Collections
from abs.deal import Deal
from abs.enums import Amortization, AssetType, DataLink, Frequency, ProjectionMode
from abs.errors import ProjectionError
from abs.io import require_pool

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Paths per random block: path p's draws come from block p // PATH_BLOCK_SIZE, seeded by
#: ``SeedSequence(seed, spawn_key=(block,))``, so a path never depends on how a run is chunked.
#: Changing it changes every stochastic number: it is part of the reproducibility contract.
PATH_BLOCK_SIZE = 512

#: Payment frequency of an asset whose tape gives none (bullet receivables: ``once``).
DEFAULT_PAYMENT_FREQUENCY = Frequency.QUARTERLY

#: Kinds whose contracts may renew at term end in ``renewal`` mode.
RENEWABLE_TYPES: frozenset[AssetType] = DATA_REVENUE_TYPES | {AssetType.IP_LICENSE}

#: Default amortisation by balance-type kind when the tape gives none.
DEFAULT_AMORTIZATION: dict[AssetType, Amortization] = {
    AssetType.RECEIVABLE: Amortization.BULLET,
    AssetType.LEASE: Amortization.LEVEL,
    AssetType.TOLL_RIGHT: Amortization.LEVEL,
}

#: A running balance below this (half a fen) is rounding residue and reported as 0.
BALANCE_EPSILON = 0.005

# cash-flow models (abs.revenue)
MODEL_LICENCE = "licence"
MODEL_USAGE = "usage"
MODEL_ALGORITHM = "algorithm_service"
MODEL_SHARE = "revenue_share"
MODEL_EVEN = "even"
MODEL_AMORTIZING = "amortizing"
#: Chinese names of the models (shown in the asset table).
MODEL_ZH: dict[str, str] = {
    MODEL_LICENCE: "固定许可费",
    MODEL_USAGE: "按量计费",
    MODEL_ALGORITHM: "订阅+按量",
    MODEL_SHARE: "收益分成",
    MODEL_EVEN: "入池金额均摊",
    MODEL_AMORTIZING: "本息摊还",
}

# expected_asset_table columns
COL_ASSET_ID = "资产编号"
COL_OBLIGOR = "债务人"
COL_KIND = "资产类型"
COL_MODEL = "现金流模型"
COL_PERIOD = "期数"
COL_COLLECTION_DATE = "归集日"
COL_OPENING = "期初余额"
COL_PRINCIPAL_DUE = "本期应收本金"
COL_INCOME_DUE = "本期应收收入"
COL_DEFAULTS = "违约金额"
COL_RECOVERIES = "回收金额"
COL_WRITEDOWNS = "减记金额"
COL_CLOSING = "期末余额"
COL_TOTAL = "回收款合计"
ASSET_TABLE_COLUMNS = (
    COL_ASSET_ID,
    COL_OBLIGOR,
    COL_KIND,
    COL_PERIOD,
    COL_COLLECTION_DATE,
    COL_OPENING,
    COL_PRINCIPAL_DUE,
    COL_INCOME_DUE,
    COL_DEFAULTS,
    COL_RECOVERIES,
    COL_WRITEDOWNS,
    COL_CLOSING,
    COL_TOTAL,
)

# data_asset_values columns
COL_AMOUNT = "入池金额"
COL_METHOD = "评估方法"
COL_APPRAISED = "评估价值"
COL_CONTRACTED = "合同现金流合计"
COL_CONTRACTED_PV = "合同现金流现值"
COL_EXPECTED = "预期现金流合计"
COL_INCOME_VALUE = "收益法价值"
COL_VALUE_GAP = "差异"
COL_VALUE_GAP_PCT = "差异率"
COL_TAIL = "法定到期后现金流"
VALUE_TABLE_COLUMNS = (
    COL_ASSET_ID,
    COL_OBLIGOR,
    COL_KIND,
    COL_MODEL,
    COL_AMOUNT,
    COL_METHOD,
    COL_APPRAISED,
    COL_CONTRACTED,
    COL_CONTRACTED_PV,
    COL_EXPECTED,
    COL_INCOME_VALUE,
    COL_VALUE_GAP,
    COL_VALUE_GAP_PCT,
    COL_TAIL,
)

# quantities carried per asset and period for the path aggregation
_Q_CASH, _Q_PRIN, _Q_WD, _Q_VAR, _Q_VPRIN = range(5)
_NQ = 5


def path_block_size() -> int:
    """Paths per random block (:data:`PATH_BLOCK_SIZE`); chunk runs in multiples of it."""
    return PATH_BLOCK_SIZE


# --- inputs ------------------------------------------------------------------------------------


def _model_of(a: Asset) -> str:
    kind = a.asset_type
    has_usage = a.volume is not None and a.unit_price is not None
    if kind in (AssetType.DATA_LICENSE, AssetType.IP_LICENSE):
        return MODEL_LICENCE if a.annual_fee is not None else MODEL_EVEN
    if kind is AssetType.DATA_PRODUCT:
        return MODEL_USAGE if has_usage or a.minimum_fee is not None else MODEL_EVEN
    if kind is AssetType.ALGORITHM_SERVICE:
        if a.subscription_fee is not None or has_usage or a.minimum_fee is not None:
            return MODEL_ALGORITHM
        return MODEL_EVEN
    if kind is AssetType.REVENUE_SHARE:
        if a.counterparty_revenue is not None and a.revenue_share is not None:
            return MODEL_SHARE
        return MODEL_EVEN
    if kind is AssetType.TOLL_RIGHT:
        if a.annual_fee is not None:
            return MODEL_LICENCE
        if has_usage:
            return MODEL_USAGE
    return MODEL_AMORTIZING


def _frequency_of(a: Asset) -> Frequency:
    if a.payment_frequency is not None:
        return a.payment_frequency
    if a.asset_type is AssetType.RECEIVABLE and a.amortization in (None, Amortization.BULLET):
        return Frequency.ONCE
    return DEFAULT_PAYMENT_FREQUENCY


#: Revenue parameters read from the tape: field → default when empty.
_PARAM_DEFAULTS: dict[str, float] = {
    "rate": 0.0,
    "annual_fee": 0.0,
    "escalator": 0.0,
    "volume": 0.0,
    "unit_price": 0.0,
    "volume_growth": 0.0,
    "price_decline": 0.0,
    "churn": 0.0,
    "minimum_fee": 0.0,
    "fee_cap": math.inf,
    "subscription_fee": 0.0,
    "counterparty_revenue": 0.0,
    "revenue_share": 0.0,
    "revenue_growth": 0.0,
}

#: Growth-type parameters and the rule they must satisfy (value > −1 or ≤ 1).
_GROWTH_RULES: tuple[tuple[str, str], ...] = (
    ("escalator", "must be > -1 (a fee cannot fall by 100% or more)"),
    ("volume_growth", "must be > -1 (volume cannot fall by 100% or more a year)"),
    ("revenue_growth", "must be > -1 (revenue cannot fall by 100% or more a year)"),
    ("price_decline", "must be <= 1 (a unit price cannot fall below zero)"),
)


@dataclass(frozen=True, eq=False)
class _Inputs:
    """Per-asset parameter arrays after defaults and stress (one entry per asset)."""

    assets: tuple[Asset, ...]
    ids: tuple[str, ...]
    kinds: tuple[AssetType, ...]
    kind_code: IntArray
    kind_values: tuple[str, ...]
    models: npt.NDArray[np.object_]
    methods: npt.NDArray[np.object_]
    amount: FloatArray
    start: npt.NDArray[np.datetime64]
    maturity: npt.NDArray[np.datetime64]
    period_months: IntArray
    base: dict[str, FloatArray]
    stressed: dict[str, FloatArray]
    pd: FloatArray
    recovery: FloatArray
    lag: IntArray
    renewal_p: FloatArray
    renewal_change: FloatArray
    renewal_months: IntArray
    haircut: float


def _inputs(deal: Deal, a_: Assumptions) -> _Inputs:
    pool = require_pool(deal)
    st = a_.stress
    assets = pool.assets
    who = f"deal {deal.name}"
    for a in assets:
        for name, rule in _GROWTH_RULES:
            v = getattr(a, name)
            bad = v is not None and (v > 1 if name == "price_decline" else v <= -1)
            if bad:
                raise ProjectionError(
                    f"{who}: pool asset {a.asset_id}: field '{name}' {rule}; got {v!r}"
                )
        if a.maturity_date <= deal.dates.cutoff_date:
            raise ProjectionError(
                f"{who}: pool asset {a.asset_id}: field 'maturity_date' must be after the "
                f"deal's cutoff_date {deal.dates.cutoff_date} (nothing left to collect); "
                f"got {a.maturity_date}"
            )
    kinds = tuple(a.asset_type for a in assets)
    present = {k for k in kinds}
    order = [k for k in AssetType if k in present]
    code_of = {k: i for i, k in enumerate(order)}
    fields = [a.__dict__ for a in assets]
    base = {}
    for name, default in _PARAM_DEFAULTS.items():
        col = np.array([f[name] for f in fields], dtype=object)
        base[name] = np.where(col == None, default, col).astype(np.float64)  # noqa: E711
    stressed = dict(base)
    stressed["volume"] = base["volume"] * (1.0 + st.volume_shock)
    stressed["counterparty_revenue"] = base["counterparty_revenue"] * (1.0 + st.volume_shock)
    stressed["price_decline"] = base["price_decline"] + st.price_decline_change
    pd_ = np.array(
        [
            a.pd if a.pd is not None else a_.pd_by_type.get(a.asset_type, DEFAULT_PD[a.asset_type])
            for a in assets
        ],
        dtype=np.float64,
    )
    rec = np.array(
        [
            a.recovery_rate
            if a.recovery_rate is not None
            else a_.recovery_by_type.get(a.asset_type, DEFAULT_RECOVERY[a.asset_type])
            for a in assets
        ],
        dtype=np.float64,
    )
    lag = np.array(
        [a.recovery_lag if a.recovery_lag is not None else a_.recovery_lag for a in assets],
        dtype=np.int64,
    )
    renew_on = a_.mode is ProjectionMode.RENEWAL
    p_ren = np.array(
        [
            (a.renewal_probability if a.renewal_probability is not None else a_.renewal_probability)
            if renew_on and a.asset_type in RENEWABLE_TYPES
            else 0.0
            for a in assets
        ],
        dtype=np.float64,
    )
    if renew_on:
        p_ren = np.where(p_ren > 0, np.clip(p_ren + st.renewal_change_pp / 100.0, 0.0, 1.0), 0.0)
    start = np.array([a.start_date for a in assets], dtype="datetime64[D]")
    maturity = np.array([a.maturity_date for a in assets], dtype="datetime64[D]")
    term = rv.months_between(start, maturity)
    ren_months = np.array(
        [
            round(a.renewal_term_years * 12) if a.renewal_term_years is not None else 0
            for a in assets
        ],
        dtype=np.int64,
    )
    ren_months = np.where(ren_months > 0, ren_months, np.maximum(np.round(term), 1)).astype(
        np.int64
    )
    return _Inputs(
        assets=assets,
        ids=tuple(a.asset_id for a in assets),
        kinds=kinds,
        kind_code=np.array([code_of[k] for k in kinds], dtype=np.int64),
        kind_values=tuple(k.value for k in order),
        models=np.array([_model_of(a) for a in assets], dtype=object),
        methods=np.array(
            [
                a.amortization or DEFAULT_AMORTIZATION.get(a.asset_type, Amortization.BULLET)
                for a in assets
            ],
            dtype=object,
        ),
        amount=np.array([a.amount for a in assets], dtype=np.float64),
        start=start,
        maturity=maturity,
        period_months=np.array([_frequency_of(a).months for a in assets], dtype=np.int64),
        base=base,
        stressed=stressed,
        pd=np.minimum(pd_ * st.pd_multiplier, 1.0),
        recovery=rec * (1.0 - st.recovery_haircut),
        lag=lag,
        renewal_p=p_ren,
        renewal_change=np.array(
            [
                a.renewal_fee_change if a.renewal_fee_change is not None else a_.renewal_fee_change
                for a in assets
            ],
            dtype=np.float64,
        ),
        renewal_months=ren_months,
        haircut=st.revenue_haircut,
    )


# --- contracted cash on the collection grid ----------------------------------------------------


def _model_cash(
    model: str, grid: rv.ContractGrid, p: dict[str, FloatArray], amount: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(cash, variable) per contract payment of one model group."""
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


def _renewal_params(
    model: str, grid: rv.ContractGrid, p: dict[str, FloatArray], change: FloatArray
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


@dataclass(frozen=True, eq=False)
class _Model:
    """Everything a run needs: schedule, inputs and per-asset arrays (N, T) before credit."""

    deal_name: str
    schedule: PaymentSchedule
    inputs: _Inputs
    assumptions: Assumptions
    cash: FloatArray
    principal: FloatArray
    scheduled: FloatArray
    variable: FloatArray
    variable_principal: FloatArray
    renewal: FloatArray
    opening: FloatArray
    delay: int
    contracted_total: FloatArray
    contracted_pv: FloatArray
    expected_pv: FloatArray
    expected_total: FloatArray
    tail: FloatArray

    @property
    def n_assets(self) -> int:
        return int(self.cash.shape[0])

    @property
    def n_periods(self) -> int:
        return int(self.cash.shape[1])

    @property
    def tau(self) -> FloatArray:
        return self.schedule.collection_times

    @property
    def has_renewal(self) -> bool:
        return bool(np.any(self.inputs.renewal_p > 0) and np.any(self.renewal > 0))


def _build_model(deal: Deal, assumptions: Assumptions | None, stress: Stress | None) -> _Model:
    base_a = deal.assumptions if assumptions is None else assumptions
    a_ = base_a if stress is None else base_a.stressed(stress)
    sched = build_schedule(deal.dates, deal_name=deal.name)
    inp = _inputs(deal, a_)
    n, t = len(inp.ids), sched.period_count
    coll = np.array(sched.collection_dates, dtype="datetime64[D]")
    cutoff = np.datetime64(deal.dates.cutoff_date, "D")
    keep = 1.0 - inp.haircut
    rate = a_.discount_rate
    arrays = {k: np.zeros((n, t)) for k in ("cash", "prin", "sched", "var", "vprin", "ren")}
    c_total = np.zeros(n)
    c_pv = np.zeros(n)
    e_pv = np.zeros(n)
    e_total = np.zeros(n)
    tail = np.zeros(n)
    for model in (
        MODEL_LICENCE,
        MODEL_USAGE,
        MODEL_ALGORITHM,
        MODEL_SHARE,
        MODEL_EVEN,
        MODEL_AMORTIZING,
    ):
        idx = np.flatnonzero(inp.models == model)
        if idx.size == 0:
            continue
        grid = rv.contract_grid(
            start=inp.start[idx],
            maturity=inp.maturity[idx],
            period_months=inp.period_months[idx],
            cutoff=cutoff,
            collection_dates=coll,
        )
        amount = inp.amount[idx]
        pb = {k: v[idx] for k, v in inp.base.items()}
        ps = {k: v[idx] for k, v in inp.stressed.items()}
        if model == MODEL_AMORTIZING:
            am = rv.amortizing_cash(grid, balance=amount, rate=pb["rate"], method=inp.methods[idx])
            base_cash = am.cash
            st_cash = keep * base_cash
            st_var = np.zeros_like(base_cash)
            sched_c = am.principal
            prin_c = keep * am.principal
            vprin_c = np.zeros_like(base_cash)
        else:
            base_cash, _ = _model_cash(model, grid, pb, amount)
            st_cash, st_var = _model_cash(model, grid, ps, amount)
            st_cash = keep * st_cash
            st_var = keep * st_var
            total = base_cash.sum(axis=1)
            phi = np.where(
                total > 0, np.minimum(1.0, amount / np.where(total > 0, total, 1.0)), 0.0
            )
            sched_c = phi[:, None] * base_cash
            cols = np.arange(grid.a.shape[1])[None, :]
            last = cols == grid.last_index[:, None]
            sched_c = sched_c + np.where(last, (amount - phi * total)[:, None], 0.0)
            prin_c = phi[:, None] * np.minimum(st_cash, base_cash)
            vprin_c = np.minimum(phi[:, None] * st_var, prin_c)
        arrays["cash"][idx] = rv.to_periods(grid, st_cash)
        arrays["prin"][idx] = rv.to_periods(grid, prin_c)
        arrays["sched"][idx] = rv.to_periods(grid, sched_c)
        arrays["var"][idx] = rv.to_periods(grid, st_var)
        arrays["vprin"][idx] = rv.to_periods(grid, vprin_c)
        disc = (1.0 + rate) ** (-grid.years)
        surv = (1.0 - inp.pd[idx, None]) ** grid.years
        c_total[idx] = base_cash.sum(axis=1)
        c_pv[idx] = (base_cash * disc).sum(axis=1)
        e_pv[idx] = (st_cash * surv * disc).sum(axis=1)
        e_total[idx] = (st_cash * surv).sum(axis=1)
        tail[idx] = rv.tail_amount(grid, base_cash)
        p_ren = inp.renewal_p[idx]
        if model != MODEL_AMORTIZING and np.any(p_ren > 0):
            ridx = np.flatnonzero(p_ren > 0)
            rgrid = rv.contract_grid(
                start=inp.maturity[idx][ridx],
                maturity=rv.add_months(inp.maturity[idx][ridx], inp.renewal_months[idx][ridx]),
                period_months=inp.period_months[idx][ridx],
                cutoff=cutoff,
                collection_dates=coll,
            )
            sub = grid_subset(grid, ridx)
            rp = _renewal_params(
                model,
                sub,
                {k: v[ridx] for k, v in ps.items()},
                inp.renewal_change[idx][ridx],
            )
            if model == MODEL_EVEN:
                per = amount[ridx] / np.maximum(grid.payment_count[ridx], 1)
                rcash = np.where(
                    rgrid.valid, (per * (1.0 + inp.renewal_change[idx][ridx]))[:, None], 0.0
                )
            else:
                rcash, _ = _model_cash(model, rgrid, rp, amount[ridx])
            rcash = keep * rcash
            rows = idx[ridx]
            arrays["ren"][rows] = rv.to_periods(rgrid, rcash)
            rdisc = (1.0 + rate) ** (-rgrid.years)
            rsurv = (1.0 - inp.pd[rows, None]) ** rgrid.years
            pr = p_ren[ridx]
            e_pv[rows] += pr * (rcash * rsurv * rdisc).sum(axis=1)
            e_total[rows] += pr * (rcash * rsurv).sum(axis=1)
    closing = inp.amount[:, None] - np.cumsum(arrays["sched"], axis=1)
    opening = np.concatenate([inp.amount[:, None], closing[:, :-1]], axis=1)
    return _Model(
        deal_name=deal.name,
        schedule=sched,
        inputs=inp,
        assumptions=a_,
        cash=arrays["cash"],
        principal=arrays["prin"],
        scheduled=arrays["sched"],
        variable=arrays["var"],
        variable_principal=arrays["vprin"],
        renewal=arrays["ren"],
        opening=np.maximum(opening, 0.0),
        delay=a_.collection_delay + a_.stress.collection_delay,
        contracted_total=c_total,
        contracted_pv=c_pv,
        expected_pv=e_pv,
        expected_total=e_total,
        tail=tail,
    )


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


# --- shifting cash later -----------------------------------------------------------------------


def _shift(x: FloatArray, lag: int | IntArray) -> FloatArray:
    """Move values ``lag`` periods later along the last axis; overflow lands in the last period.

    ``lag`` is a scalar or one lag per row of a 2-D array.
    """
    t = x.shape[-1]
    if np.isscalar(lag):
        d = int(lag)  # type: ignore[arg-type]
        if d <= 0:
            return x
        out = np.zeros_like(x)
        if d < t:
            out[..., d:] = x[..., : t - d]
            out[..., -1] += x[..., t - d :].sum(axis=-1)
        else:
            out[..., -1] = x.sum(axis=-1)
        return out
    lags = np.asarray(lag, dtype=np.int64)
    rows = x.shape[0]
    target = np.minimum(np.arange(t)[None, :] + lags[:, None], t - 1)
    flat = (np.arange(rows)[:, None] * t + target).ravel()
    res = np.bincount(flat, weights=x.ravel(), minlength=rows * t)
    return np.asarray(res, dtype=np.float64).reshape(rows, t)


def _settle(balance: FloatArray) -> FloatArray:
    """Balances below half a fen (rounding residue of the running sums) are 0."""
    return np.where(balance < BALANCE_EPSILON, 0.0, balance)


# --- expected case -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _AssetFlows:
    """Expected per-asset flows (N, T) after credit and delay."""

    total: FloatArray
    principal: FloatArray  # incl. recoveries
    income: FloatArray
    defaults: FloatArray
    recoveries: FloatArray
    writedowns: FloatArray
    opening: FloatArray
    closing: FloatArray


def _expected_flows(m: _Model) -> _AssetFlows:
    inp = m.inputs
    surv = np.power((1.0 - inp.pd)[:, None], m.tau[None, :])
    prev = np.concatenate([np.ones((m.n_assets, 1)), surv[:, :-1]], axis=1)
    defaults = (prev - surv) * m.opening
    recoveries = _shift(inp.recovery[:, None] * defaults, inp.lag)
    cash = surv * (m.cash + inp.renewal_p[:, None] * m.renewal)
    prin = surv * m.principal
    wd = surv * (m.scheduled - m.principal)
    cash = _shift(cash, m.delay)
    prin = _shift(prin, m.delay)
    recoveries = _shift(recoveries, m.delay)
    closing = _settle(inp.amount[:, None] - np.cumsum(prin + defaults + wd, axis=1))
    opening = np.concatenate([inp.amount[:, None], closing[:, :-1]], axis=1)
    return _AssetFlows(
        total=cash + recoveries,
        principal=prin + recoveries,
        income=cash - prin,
        defaults=defaults,
        recoveries=recoveries,
        writedowns=wd,
        opening=opening,
        closing=closing,
    )


def _by_kind_rows(m: _Model, x: FloatArray) -> FloatArray:
    """Sum (N, T) rows into (kinds, T)."""
    k = len(m.inputs.kind_values)
    ind = np.zeros((k, m.n_assets))
    ind[m.inputs.kind_code, np.arange(m.n_assets)] = 1.0
    return np.asarray(ind @ x, dtype=np.float64)


def _expected_collections(m: _Model, *, with_table: bool) -> Collections:
    f = _expected_flows(m)
    init = float(round(float(m.inputs.amount.sum()) * 100) / 100)
    by_kind = _by_kind_rows(m, f.total)
    total = by_kind.sum(axis=0)
    principal = np.clip(f.principal.sum(axis=0), 0.0, total)
    rec = f.recoveries.sum(axis=0)
    defaults = f.defaults.sum(axis=0)
    wd = f.writedowns.sum(axis=0)
    balance = _settle(init - np.cumsum(principal - rec + defaults + wd))
    s = m.schedule
    return Collections(
        payment_dates=s.payment_dates,
        collection_dates=s.collection_dates,
        accrual_start=s.accrual_start,
        year_fractions=s.year_fractions,
        days=s.days,
        total=total[None, :],
        income=(total - principal)[None, :],
        principal=principal[None, :],
        defaults=defaults[None, :],
        recoveries=rec[None, :],
        pool_balance=balance[None, :],
        forecast=total.copy(),
        initial_pool_balance=init,
        by_kind={k: by_kind[i][None, :] for i, k in enumerate(m.inputs.kind_values)},
        seed=None,
        writedowns=wd[None, :],
        asset_table=_asset_table(m, f) if with_table else None,
        schedule=s,
    )


def _asset_table(m: _Model, f: _AssetFlows) -> pd.DataFrame:
    n, t = m.n_assets, m.n_periods
    inp = m.inputs
    codes = np.repeat(np.arange(n), t)

    def cat(labels: list[str]) -> pd.Series:
        uniq, inverse = np.unique(np.array(labels, dtype=object), return_inverse=True)
        return pd.Series(
            pd.Categorical.from_codes(inverse[codes], dtype=pd.CategoricalDtype(list(uniq)))
        )

    date_col = pd.Series(
        pd.Categorical.from_codes(
            np.tile(np.arange(t), n),
            dtype=pd.CategoricalDtype(list(m.schedule.collection_dates)),
        )
    )
    return pd.DataFrame(
        {
            COL_ASSET_ID: cat(list(inp.ids)),
            COL_OBLIGOR: cat([a.obligor for a in inp.assets]),
            COL_KIND: cat([k.zh for k in inp.kinds]),
            COL_PERIOD: np.tile(np.arange(1, t + 1), n),
            COL_COLLECTION_DATE: date_col,
            COL_OPENING: f.opening.ravel(),
            COL_PRINCIPAL_DUE: (f.principal - f.recoveries).ravel(),
            COL_INCOME_DUE: f.income.ravel(),
            COL_DEFAULTS: f.defaults.ravel(),
            COL_RECOVERIES: f.recoveries.ravel(),
            COL_WRITEDOWNS: f.writedowns.ravel(),
            COL_CLOSING: f.closing.ravel(),
            COL_TOTAL: f.total.ravel(),
        }
    )


# --- stochastic paths --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Draws:
    z: FloatArray  # (P,) systematic factor
    eps: FloatArray  # (P, N) idiosyncratic credit factors
    eta: FloatArray  # (P, T) idiosyncratic usage shocks
    renew_u: FloatArray | None  # (P, N) renewal uniforms


def _block_draws(seed: int, block: int, n_assets: int, n_periods: int, renewal: bool) -> _Draws:
    """All random numbers of block ``block`` (PATH_BLOCK_SIZE paths), independent streams."""
    ss = np.random.SeedSequence(seed, spawn_key=(block,))
    credit, usage, renew = (np.random.default_rng(c) for c in ss.spawn(3))
    b = PATH_BLOCK_SIZE
    z = credit.standard_normal(b)
    eps = credit.standard_normal((b, n_assets))
    eta = usage.standard_normal((b, n_periods))
    u = renew.random((b, n_assets)) if renewal else None
    return _Draws(z=z, eps=eps, eta=eta, renew_u=u)


@dataclass(frozen=True, eq=False)
class _PathArrays:
    by_kind: FloatArray  # (K, P, T) total per kind
    principal: FloatArray  # (P, T) incl. recoveries
    defaults: FloatArray
    recoveries: FloatArray
    writedowns: FloatArray


class _PathEngine:
    """Pool-level aggregation of default-time paths without an assets × paths × periods array."""

    def __init__(self, m: _Model) -> None:
        self.m = m
        inp = m.inputs
        self.k = len(inp.kind_values)
        q = np.stack(
            [m.cash, m.principal, m.scheduled - m.principal, m.variable, m.variable_principal],
            axis=2,
        )
        self.q_flat = np.ascontiguousarray(q.reshape(m.n_assets, m.n_periods * _NQ))
        ind = np.zeros((self.k, m.n_assets))
        ind[inp.kind_code, np.arange(m.n_assets)] = 1.0
        self.q_kind = (ind @ self.q_flat).reshape(self.k, m.n_periods, _NQ)
        self.ren = np.ascontiguousarray(m.renewal)
        with np.errstate(divide="ignore"):
            self.log_surv = np.where(inp.pd > 0, np.log1p(-np.minimum(inp.pd, 1.0)), 0.0)
        a_ = m.assumptions
        self.rho = a_.asset_correlation
        self.sigma = a_.usage_volatility
        self.c_usage = a_.usage_default_correlation
        self.dt = m.schedule.collection_period_years

    def run(self, d: _Draws) -> _PathArrays:
        m, inp = self.m, self.m.inputs
        p_count = d.z.shape[0]
        n, t, k = m.n_assets, m.n_periods, self.k
        x = math.sqrt(self.rho) * d.z[:, None] + math.sqrt(1.0 - self.rho) * d.eps
        with np.errstate(divide="ignore", invalid="ignore"):
            t_def = log_ndtr(-x) / self.log_surv[None, :]
        t_def = np.where(inp.pd[None, :] <= 0, np.inf, t_def)
        t_def = np.where(inp.pd[None, :] >= 1, 0.0, t_def)
        s_def = np.searchsorted(m.tau, t_def, side="left")
        pp, ii = np.nonzero(s_def < t)
        ss = s_def[pp, ii].astype(np.int64)
        rows = pp * k + inp.kind_code[ii]

        lost = np.zeros((p_count * k, t * _NQ))
        lost_ren = np.zeros((p_count * k, t)) if d.renew_u is not None else None
        renewed = None if d.renew_u is None else d.renew_u < inp.renewal_p[None, :]
        order = np.argsort(ss, kind="stable")
        ss_o, rows_o, ii_o, pp_o = ss[order], rows[order], ii[order], pp[order]
        bounds = np.searchsorted(ss_o, np.arange(t + 1), side="left")
        for s in range(t):
            lo, hi = bounds[s], bounds[s + 1]
            if hi <= lo:
                continue
            uniq, inv = np.unique(rows_o[lo:hi], return_inverse=True)
            g = sparse.csr_matrix((np.ones(hi - lo), (inv, ii_o[lo:hi])), shape=(uniq.size, n))
            lost[uniq, s * _NQ :] += g @ self.q_flat[:, s * _NQ :]
            if lost_ren is not None and renewed is not None:
                w = renewed[pp_o[lo:hi], ii_o[lo:hi]].astype(np.float64)
                if w.any():
                    gr = sparse.csr_matrix((w, (inv, ii_o[lo:hi])), shape=(uniq.size, n))
                    lost_ren[uniq, s:] += gr @ self.ren[:, s:]
        got = self.q_kind[None, :, :, :] - lost.reshape(p_count, k, t, _NQ)

        # defaults and recoveries at pool level per kind
        opening = m.opening[ii, ss]
        flat_def = rows * t + ss
        size = p_count * k * t
        defaults = np.asarray(
            np.bincount(flat_def, weights=opening, minlength=size), dtype=np.float64
        ).reshape(p_count, k, t)
        rec_t = np.minimum(ss + inp.lag[ii], t - 1)
        recs = np.asarray(
            np.bincount(rows * t + rec_t, weights=inp.recovery[ii] * opening, minlength=size),
            dtype=np.float64,
        ).reshape(p_count, k, t)

        cash = got[..., _Q_CASH]
        if renewed is not None and lost_ren is not None:
            ren_k = np.zeros((p_count, k, t))
            for j in range(k):
                cols = np.flatnonzero(inp.kind_code == j)
                ren_k[:, j, :] = renewed[:, cols].astype(np.float64) @ self.ren[cols]
            cash = cash + ren_k - lost_ren.reshape(p_count, k, t)
        prin = got[..., _Q_PRIN].sum(axis=1)
        wd = got[..., _Q_WD].sum(axis=1)
        if self.sigma > 0:
            c = self.c_usage
            w = c * d.z[:, None] + math.sqrt(max(1.0 - c * c, 0.0)) * d.eta
            vol = self.sigma * np.sqrt(self.dt)[None, :]
            shock = np.exp(vol * w - 0.5 * vol * vol)
            cash = cash + got[..., _Q_VAR] * (shock - 1.0)[:, None, :]
            # The principal share of the usage-driven cash moves with it; the pool balance
            # follows the contract, so the writedown moves the other way (negative on a path
            # collecting principal ahead of the contract schedule).
            moved = got[..., _Q_VPRIN].sum(axis=1) * (shock - 1.0)
            prin = prin + moved
            wd = wd - moved
        cash = np.maximum(_shift(cash, m.delay), 0.0)
        prin = np.maximum(_shift(prin, m.delay), 0.0)
        recs = _shift(recs, m.delay)
        rec_total = recs.sum(axis=1)
        by_kind = np.transpose(cash + recs, (1, 0, 2))
        return _PathArrays(
            by_kind=by_kind,
            principal=prin + rec_total,
            defaults=defaults.sum(axis=1),
            recoveries=rec_total,
            writedowns=wd,
        )


def _check_paths(n_paths: int, seed: int, first_path: int) -> None:
    if n_paths < 1:
        raise ProjectionError(f"simulate: n_paths must be >= 1; got {n_paths}")
    if first_path < 0:
        raise ProjectionError(f"simulate: first_path must be >= 0; got {first_path}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ProjectionError(f"simulate: seed must be a non-negative integer; got {seed!r}")


def _simulate_model(m: _Model, *, n_paths: int, seed: int, first_path: int) -> Collections:
    _check_paths(n_paths, seed, first_path)
    t, k = m.n_periods, len(m.inputs.kind_values)
    engine = _PathEngine(m)
    by_kind = np.zeros((k, n_paths, t))
    principal = np.zeros((n_paths, t))
    defaults = np.zeros((n_paths, t))
    recoveries = np.zeros((n_paths, t))
    writedowns = np.zeros((n_paths, t))
    renewal = m.has_renewal
    end = first_path + n_paths
    b = PATH_BLOCK_SIZE
    for block in range(first_path // b, (end - 1) // b + 1):
        lo = max(first_path, block * b)
        hi = min(end, (block + 1) * b)
        full = _block_draws(int(seed), block, m.n_assets, t, renewal)
        sl = slice(lo - block * b, hi - block * b)
        draws = _Draws(
            z=full.z[sl],
            eps=full.eps[sl],
            eta=full.eta[sl],
            renew_u=None if full.renew_u is None else full.renew_u[sl],
        )
        res = engine.run(draws)
        out = slice(lo - first_path, hi - first_path)
        by_kind[:, out] = res.by_kind
        principal[out] = res.principal
        defaults[out] = res.defaults
        recoveries[out] = res.recoveries
        writedowns[out] = res.writedowns
    total = by_kind.sum(axis=0)
    principal = np.clip(principal, 0.0, total)
    expected = _expected_collections(m, with_table=False)
    init = expected.initial_pool_balance
    balance = _settle(init - np.cumsum(principal - recoveries + defaults + writedowns, axis=1))
    s = m.schedule
    return Collections(
        payment_dates=s.payment_dates,
        collection_dates=s.collection_dates,
        accrual_start=s.accrual_start,
        year_fractions=s.year_fractions,
        days=s.days,
        total=total,
        income=total - principal,
        principal=principal,
        defaults=defaults,
        recoveries=recoveries,
        pool_balance=balance,
        forecast=expected.forecast,
        initial_pool_balance=init,
        by_kind={kv: by_kind[i] for i, kv in enumerate(m.inputs.kind_values)},
        seed=int(seed),
        writedowns=writedowns,
        asset_table=None,
        schedule=s,
    )


# --- public API --------------------------------------------------------------------------------


def project(
    deal: Deal,
    assumptions: Assumptions | None = None,
    *,
    scenarios: int = 1,
    seed: int | None = None,
    stress: Stress | None = None,
) -> Collections:
    """Project the pool's collections on the deal's payment schedule.

    Parameters
    ----------
    deal : Deal
        A deal with its pool (``abs.load_deal`` reads the tape).
    assumptions : Assumptions, optional
        Default: ``deal.assumptions``.
    scenarios : int
        1 with ``seed=None`` gives the expected case (S = 1, survival-weighted); otherwise
        ``scenarios`` stochastic paths (:func:`simulate` with ``first_path=0``).
    seed : int, optional
        Seed of the stochastic paths. With ``scenarios > 1`` and no seed, fresh entropy is drawn
        and recorded in ``Collections.seed`` so the run can be repeated.
    stress : Stress, optional
        Stress applied to a copy of the assumptions (default: the assumptions' own ``stress``).

    Returns
    -------
    Collections
        Arrays (S, T); ``forecast`` is the expected-case total; the expected case carries the
        per-asset table (``asset_table``) and the schedule.

    Raises
    ------
    ProjectionError
        Invalid asset parameters (named by asset id and field) or run arguments.
    DealSpecError
        The deal has no pool.
    ScheduleError
        The deal dates give no valid schedule.

    Examples
    --------
    >>> import abs
    >>> c = abs.project(abs.load_deal("qingdao-pure"))  # doctest: +SKIP
    >>> c.total.shape  # doctest: +SKIP
    (1, 20)
    """
    if isinstance(scenarios, bool) or scenarios < 1:
        raise ProjectionError(f"project: scenarios must be >= 1; got {scenarios!r}")
    m = _build_model(deal, assumptions, stress)
    if scenarios == 1 and seed is None:
        return _expected_collections(m, with_table=True)
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    return _simulate_model(m, n_paths=scenarios, seed=seed, first_path=0)


def simulate(
    deal: Deal,
    assumptions: Assumptions | None = None,
    *,
    n_paths: int,
    seed: int,
    first_path: int = 0,
    stress: Stress | None = None,
) -> Collections:
    """Stochastic paths ``[first_path, first_path + n_paths)`` of pool collections.

    Path p depends only on ``(seed, p)``: its random numbers come from block
    ``p // PATH_BLOCK_SIZE`` (``SeedSequence(seed, spawn_key=(block,))``, one child stream each
    for credit, usage and renewal), so splitting a run into chunks in any way and concatenating
    them (:meth:`Collections.stack`) gives the same paths as one call. The same seed under
    different stresses uses the same random numbers (common random numbers).

    Model per path: one systematic factor Z; asset i defaults at time
    τᵢ = ln Φ(−Xᵢ) / ln(1 − pdᵢ) with Xᵢ = √ρ·Z + √(1−ρ)·εᵢ (one-factor Gaussian copula on the
    survival curve (1 − pd)^τ); usage-driven cash of period t is scaled at pool level by
    exp(σ√Δt·W − σ²Δt/2), W = c·Z + √(1−c²)·η (c = ``usage_default_correlation``); renewals are
    Bernoulli(p) per asset and path. Work is done per block and aggregated to the pool, never
    as an assets × paths × periods array.

    Parameters
    ----------
    deal : Deal
    assumptions : Assumptions, optional
    n_paths : int
        Number of paths (≥ 1).
    seed : int
        Non-negative integer seed.
    first_path : int
        Index of the first path.
    stress : Stress, optional

    Returns
    -------
    Collections
        Shape (n_paths, T); ``forecast`` = expected-case total.

    Raises
    ------
    ProjectionError
        Bad ``n_paths``, ``first_path`` or ``seed``, or invalid asset parameters.
    """
    _check_paths(n_paths, seed, first_path)
    m = _build_model(deal, assumptions, stress)
    return _simulate_model(m, n_paths=n_paths, seed=seed, first_path=first_path)


def expected_asset_table(
    deal: Deal, assumptions: Assumptions | None = None, *, stress: Stress | None = None
) -> pd.DataFrame:
    """Expected case per asset and period (long table, :data:`ASSET_TABLE_COLUMNS`).

    期初余额 − 本期应收本金 − 违约金额 − 减记金额 = 期末余额 per asset and period;
    本期应收本金 + 本期应收收入 + 回收金额 = 回收款合计. Money in yuan.
    """
    m = _build_model(deal, assumptions, stress)
    return _asset_table(m, _expected_flows(m))


def pool_cashflow_table(collections: Collections, scenario: int = 0) -> pd.DataFrame:
    """现金流归集表 of one scenario (see :meth:`Collections.to_frame` for the columns).

    Taxes (应缴税费/实缴税费) are left to the waterfall, which computes them.
    """
    return collections.to_frame(scenario)


def data_asset_values(deal: Deal, assumptions: Assumptions | None = None) -> pd.DataFrame:
    """Income-approach value of each direct data asset (收益法, 中评协〔2023〕17号).

    V = K · Σₖ Fₖ / (1 + r)^tₖ over the asset's contract payments after the cut-off (to its own
    maturity, also past the notes' legal maturity), with Fₖ the expected cash (contracted cash ×
    survival (1 − pd)^tₖ, renewals × p in renewal mode, stress of the assumptions applied, no
    recoveries), tₖ years (ACT/365F) from the cut-off, r = ``assumptions.discount_rate``,
    K = ``assumptions.data_attribution``. ``合同现金流现值`` is the same sum on contracted cash
    without credit or K (the transfer-price basis); 差异 = V − 评估价值 from the tape.

    Returns
    -------
    DataFrame
        Columns :data:`VALUE_TABLE_COLUMNS`; one row per asset with ``data_link`` direct.
    """
    m = _build_model(deal, assumptions, None)
    inp = m.inputs
    k = m.assumptions.data_attribution
    rows = []
    for i, a in enumerate(inp.assets):
        if a.data_link is not DataLink.DIRECT:
            continue
        value = k * float(m.expected_pv[i])
        appraised = a.appraised_value
        rows.append(
            {
                COL_ASSET_ID: a.asset_id,
                COL_OBLIGOR: a.obligor,
                COL_KIND: a.asset_type.zh,
                COL_MODEL: MODEL_ZH[str(inp.models[i])],
                COL_AMOUNT: a.amount,
                COL_METHOD: a.valuation_method,
                COL_APPRAISED: appraised,
                COL_CONTRACTED: float(m.contracted_total[i]),
                COL_CONTRACTED_PV: float(m.contracted_pv[i]),
                COL_EXPECTED: float(m.expected_total[i]),
                COL_INCOME_VALUE: value,
                COL_VALUE_GAP: None if appraised is None else value - appraised,
                COL_VALUE_GAP_PCT: (None if not appraised else (value - appraised) / appraised),
                COL_TAIL: float(m.tail[i]),
            }
        )
    return pd.DataFrame(rows, columns=list(VALUE_TABLE_COLUMNS))


def pv_by_asset(deal: Deal, assumptions: Assumptions | None = None) -> dict[str, float]:
    """Present value (yuan) of each asset's expected collections on the deal's schedule.

    Σₜ collectionsᵢ,ₜ / (1 + r)^τₜ, with the expected-case collections of the asset (survival,
    recoveries, delay, the assumptions' stress), τₜ years (ACT/365F) from the cut-off to 计算日 t
    and r = ``assumptions.discount_rate``. Cash after the last 计算日 is not collected by the
    deal and not counted. This is the ``pv`` basis of :func:`abs.classify.classify`.

    Returns
    -------
    dict
        asset_id → PV in yuan, in pool order.
    """
    m = _build_model(deal, assumptions, None)
    f = _expected_flows(m)
    disc = (1.0 + m.assumptions.discount_rate) ** (-m.tau)
    pv = f.total @ disc
    return {aid: float(v) for aid, v in zip(m.inputs.ids, pv, strict=True)}
