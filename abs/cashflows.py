"""Pool collections (回收款) as the waterfall consumes them: arrays shaped (scenarios, periods).

Produced by :func:`abs.project` (expected case, S=1, or stochastic paths) or built from a
per-period table with :meth:`Collections.from_arrays`. Money in yuan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from abs.errors import ProjectionError

if TYPE_CHECKING:
    from abs.calendar import PaymentSchedule

FloatArray = npt.NDArray[np.float64]

#: Amounts below half a fen are shown as 0 in tables (running-sum residue).
HALF_FEN = 0.005

#: 现金流归集表 column names (:meth:`Collections.to_frame`).
COL_PERIOD = "期数"
COL_COLLECTION_DATE = "归集日"
COL_PAYMENT_DATE = "兑付日"
COL_OPENING_BALANCE = "期初本金余额"
COL_PRINCIPAL = "本期应收本金"
COL_INTEREST = "本期应收利息"
COL_DEFAULTS = "违约金额"
COL_RECOVERIES = "回收金额"
COL_PREPAYMENTS = "早偿金额"
COL_WRITEDOWNS = "减记金额"
COL_CLOSING_BALANCE = "期末本金余额"
COL_TOTAL = "回收款合计"
#: Money columns of the 现金流归集表, in order.
POOL_MONEY_COLUMNS = (
    COL_OPENING_BALANCE,
    COL_PRINCIPAL,
    COL_INTEREST,
    COL_DEFAULTS,
    COL_RECOVERIES,
    COL_PREPAYMENTS,
    COL_WRITEDOWNS,
    COL_CLOSING_BALANCE,
    COL_TOTAL,
)


def _as_2d(name: str, values: Any, shape: tuple[int, int] | None) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ProjectionError(f"collections.{name}: expected shape (S, T), got {arr.shape}")
    if shape is not None and arr.shape != shape:
        raise ProjectionError(f"collections.{name}: expected shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ProjectionError(
            f"collections.{name}: non-finite value at scenario {bad[0]}, period {bad[1] + 1}"
        )
    return arr


@dataclass(frozen=True, eq=False)
class Purchases:
    """What one yuan spent on revolving purchases (循环购买) in each period brings, by asset class.

    Class 0 is not data-linked, class 1 data-linked. Built by the replenishment model
    (:mod:`abs.replenishment`) from the eligible candidate assets of each period, projected by
    the same asset models as the initial pool; the waterfall scales them by what the scenario
    spends. Money in yuan per yuan of purchase price. A run whose scenarios carry different
    replenishment stresses holds one set per group (leading axis G; ``Collections.purchase_group``
    says which set a scenario uses); arrays given without the group axis are one set.

    Attributes
    ----------
    supply : ndarray (G, 2, T)
        Purchase price of the eligible assets offered in period t (the most that can be spent).
    total, income, defaults : ndarray (G, 2, T, L)
        Cash collected, its income part, and balance defaulted, ``a`` periods after a purchase
        in period t (``a`` = 1 … L − 1; column 0 is zero: a purchase pays nothing the day it is
        bought).
    balance : ndarray (G, 2, T, L)
        Pool balance (face) per yuan spent in period t at the end of period t + a (``a`` = 0:
        right after the purchase, 1 / price).
    """

    supply: FloatArray
    total: FloatArray
    income: FloatArray
    defaults: FloatArray
    balance: FloatArray

    def __post_init__(self) -> None:
        sup = np.asarray(self.supply, dtype=np.float64)
        if sup.ndim == 2:
            sup = sup[np.newaxis]
        if sup.ndim != 3 or sup.shape[1] != 2:
            raise ProjectionError(f"purchases.supply: expected shape (2, T), got {sup.shape}")
        g, _, t = sup.shape
        for name in ("total", "income", "defaults", "balance"):
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.ndim == 3:
                arr = arr[np.newaxis]
            if arr.ndim != 4 or arr.shape[:3] != (g, 2, t) or arr.shape[3] < 1:
                raise ProjectionError(
                    f"purchases.{name}: expected shape (2, {t}, L), got {arr.shape}"
                )
            if not np.all(np.isfinite(arr)) or np.any(arr < 0.0):
                raise ProjectionError(f"purchases.{name}: values must be finite and ≥ 0")
            object.__setattr__(self, name, np.ascontiguousarray(arr))
        if not np.all(np.isfinite(sup)) or np.any(sup < 0.0):
            raise ProjectionError("purchases.supply: values must be finite and ≥ 0")
        object.__setattr__(self, "supply", np.ascontiguousarray(sup))

    @property
    def n_periods(self) -> int:
        """T."""
        return int(self.supply.shape[2])

    @property
    def n_groups(self) -> int:
        """G."""
        return int(self.supply.shape[0])

    @classmethod
    def none(cls, n_periods: int) -> Purchases:
        """No eligible asset in any period (every yuan set aside stays idle)."""
        z = np.zeros((2, n_periods, 1))
        return cls(np.zeros((2, n_periods)), z, z.copy(), z.copy(), z.copy())

    @classmethod
    def concat(cls, sets: list[Purchases]) -> Purchases:
        """The groups of ``sets`` one after the other (profiles padded to the longest)."""
        length = max(p.total.shape[3] for p in sets)

        def pad(a: FloatArray) -> FloatArray:
            return np.pad(a, ((0, 0), (0, 0), (0, 0), (0, length - a.shape[3])))

        return cls(
            supply=np.concatenate([p.supply for p in sets]),
            total=np.concatenate([pad(p.total) for p in sets]),
            income=np.concatenate([pad(p.income) for p in sets]),
            defaults=np.concatenate([pad(p.defaults) for p in sets]),
            balance=np.concatenate([pad(p.balance) for p in sets]),
        )


@dataclass(frozen=True, eq=False)
class Collections:
    """Pool cash per scenario and payment period.

    Attributes
    ----------
    payment_dates : tuple of date
        兑付日 per period (T), adjusted to the deal calendar.
    collection_dates : tuple of date
        计算日/归集日 per period (T): end of each collection period.
    accrual_start : tuple of date
        Start of each interest accrual period (the previous payment date; closing for the first).
    year_fractions : ndarray (T,)
        Accrual year fraction of each period under the deal day count.
    days : ndarray (T,)
        Actual days in each accrual period (fees use days/365).
    total : ndarray (S, T)
        Cash collected and available for distribution in each period.
    income : ndarray (S, T)
        Part of ``total`` that is interest/revenue income (base of VAT).
    principal : ndarray (S, T)
        Part of ``total`` that repays pool balance (``total = income + principal``).
    defaults : ndarray (S, T)
        Pool balance written off as defaulted in the period.
    recoveries : ndarray (S, T)
        Recoveries received in the period (included in ``total``).
    pool_balance : ndarray (S, T)
        Outstanding pool balance at the end of each period (超额覆盖 test).
    forecast : ndarray (T,)
        Expected-case total collections per period (for the collections-vs-forecast trigger).
    initial_pool_balance : float
        Pool balance at cut-off (denominator of the cumulative default rate).
    by_kind : dict
        Asset kind value → (S, T) collections of that kind (sums to ``total``).
    seed : int or None
        Seed of stochastic paths (None for the expected case).
    writedowns : ndarray (S, T) or None
        Pool balance written down without a default: contracted principal not collected under a
        revenue/volume stress or a downside usage shock, and the part of a future-revenue
        asset's 入池金额 above its contracted cash (at its last payment). None = zeros. On a
        stochastic path it may be negative in a period where usage above the expected level
        repays principal ahead of the contract schedule (the balance follows the contract).
    asset_table_source : callable or None
        Builds the expected-case per-asset, per-period table on request (see
        :attr:`asset_table`); set by :func:`abs.projection.project` for the expected case.
    schedule : PaymentSchedule or None
        The deal's payment schedule the periods come from (:func:`abs.calendar.build_schedule`).
    purchases : Purchases or None
        Revolving purchase profiles (a revolving deal's replenishment model); None: none.
    purchase_group : ndarray (S,) of int or None
        Which set of ``purchases`` each scenario uses (None: the first).
    data_balance : ndarray (S, T) or None
        Data-linked part of ``pool_balance`` (the deal kind over the life); None: unknown.

    Notes
    -----
    Projected collections (:mod:`abs.projection`) count recoveries as ``principal`` (recovered
    principal is not interest income), so their pool balance identity is
    ``pool_balance[t-1] - pool_balance[t] = principal[t] - recoveries[t] + defaults[t]
    + writedowns[t]`` (``pool_balance[-1]`` = ``initial_pool_balance``).
    """

    payment_dates: tuple[dt.date, ...]
    collection_dates: tuple[dt.date, ...]
    accrual_start: tuple[dt.date, ...]
    year_fractions: FloatArray
    days: FloatArray
    total: FloatArray
    income: FloatArray
    principal: FloatArray
    defaults: FloatArray
    recoveries: FloatArray
    pool_balance: FloatArray
    forecast: FloatArray
    initial_pool_balance: float
    by_kind: dict[str, FloatArray] = field(default_factory=dict)
    seed: int | None = None
    writedowns: FloatArray | None = None
    asset_table_source: Callable[[], pd.DataFrame] | None = None
    schedule: PaymentSchedule | None = None
    purchases: Purchases | None = None
    data_balance: FloatArray | None = None
    purchase_group: npt.NDArray[np.int64] | None = None

    @property
    def asset_table(self) -> pd.DataFrame | None:
        """Expected-case per-asset, per-period table (:func:`abs.projection.expected_asset_table`
        columns), built on first use from the pool model (None for paths and plain arrays)."""
        return None if self.asset_table_source is None else self.asset_table_source()

    @property
    def n_scenarios(self) -> int:
        """S."""
        return int(self.total.shape[0])

    @property
    def n_periods(self) -> int:
        """T."""
        return int(self.total.shape[1])

    @property
    def writedowns_or_zeros(self) -> FloatArray:
        """``writedowns`` as an (S, T) array (zeros when absent)."""
        if self.writedowns is None:
            return np.zeros_like(self.total)
        return self.writedowns

    def to_frame(self, scenario: int = 0) -> pd.DataFrame:
        """现金流归集表 of one scenario: one row per period, Chinese column names.

        Columns (module constants): 期数, 归集日, 兑付日, 期初本金余额, 本期应收本金, 本期应收利息,
        违约金额, 回收金额, 早偿金额, 减记金额, 期末本金余额, 回收款合计. Money in yuan.

        本期应收本金 is principal collected other than recoveries and 本期应收利息 the income part,
        so 期初本金余额 − 本期应收本金 − 违约金额 − 减记金额 = 期末本金余额 and
        本期应收本金 + 本期应收利息 + 回收金额 = 回收款合计. 早偿金额 is 0: the projection has no
        prepayment model. Taxes (应缴/实缴税费) are computed by the waterfall, not here.

        Raises
        ------
        ProjectionError
            If ``scenario`` is out of range.
        """
        if not 0 <= scenario < self.n_scenarios:
            raise ProjectionError(
                f"collections.to_frame: scenario {scenario} out of range 0..{self.n_scenarios - 1}"
            )
        end = self.pool_balance[scenario]
        start = np.concatenate([[self.initial_pool_balance], end[:-1]])
        rec = self.recoveries[scenario]

        def clean(x: FloatArray) -> FloatArray:
            # running-sum residue below half a fen shows as 0, never as -0.00
            return np.where(np.abs(x) < HALF_FEN, 0.0, x)

        frame = pd.DataFrame(
            {
                COL_PERIOD: np.arange(1, self.n_periods + 1),
                COL_COLLECTION_DATE: list(self.collection_dates),
                COL_PAYMENT_DATE: list(self.payment_dates),
                COL_OPENING_BALANCE: start,
                COL_PRINCIPAL: self.principal[scenario] - rec,
                COL_INTEREST: self.income[scenario],
                COL_DEFAULTS: self.defaults[scenario],
                COL_RECOVERIES: rec,
                COL_PREPAYMENTS: np.zeros(self.n_periods),
                COL_WRITEDOWNS: self.writedowns_or_zeros[scenario],
                COL_CLOSING_BALANCE: end,
                COL_TOTAL: self.total[scenario],
            }
        )
        for col in POOL_MONEY_COLUMNS:
            frame[col] = clean(frame[col].to_numpy(dtype=np.float64))
        return frame

    @classmethod
    def from_arrays(
        cls,
        *,
        payment_dates: tuple[dt.date, ...],
        year_fractions: Any,
        total: Any,
        collection_dates: tuple[dt.date, ...] | None = None,
        accrual_start: tuple[dt.date, ...] | None = None,
        days: Any = None,
        income: Any = None,
        defaults: Any = None,
        recoveries: Any = None,
        pool_balance: Any = None,
        forecast: Any = None,
        initial_pool_balance: float | None = None,
        by_kind: dict[str, Any] | None = None,
        seed: int | None = None,
        writedowns: Any = None,
        purchases: Purchases | None = None,
        data_balance: Any = None,
    ) -> Collections:
        """Build and validate collections from plain arrays (1-D means one scenario).

        Missing parts default to: income 0, defaults 0, recoveries 0, forecast = mean of
        ``total`` over scenarios, pool balance = initial balance less cumulative principal.
        """
        tot = _as_2d("total", total, None)
        s, t = tot.shape
        if len(payment_dates) != t:
            raise ProjectionError(
                f"collections: {len(payment_dates)} payment dates for {t} periods"
            )
        yf = np.asarray(year_fractions, dtype=np.float64).reshape(-1)
        if yf.shape != (t,):
            raise ProjectionError(
                f"collections.year_fractions: expected {t} values, got {yf.shape}"
            )
        zeros = np.zeros((s, t))
        inc = zeros.copy() if income is None else _as_2d("income", income, (s, t))
        prin = tot - inc
        dfl = zeros.copy() if defaults is None else _as_2d("defaults", defaults, (s, t))
        rec = zeros.copy() if recoveries is None else _as_2d("recoveries", recoveries, (s, t))
        init = (
            float(initial_pool_balance)
            if initial_pool_balance is not None
            else float((prin - rec + dfl).sum(axis=1).max())
        )
        wd = None if writedowns is None else _as_2d("writedowns", writedowns, (s, t))
        if pool_balance is None:
            lost = dfl if wd is None else dfl + wd
            # Same identity as the projection: recoveries are principal cash on balance
            # already written off as defaulted, so they do not reduce the balance again.
            pb = np.maximum(init - np.cumsum(prin - rec + lost, axis=1), 0.0)
        else:
            pb = _as_2d("pool_balance", pool_balance, (s, t))
        fc = tot.mean(axis=0) if forecast is None else np.asarray(forecast, dtype=np.float64)
        d = np.round(yf * 365.0) if days is None else np.asarray(days, dtype=np.float64).reshape(-1)
        starts = accrual_start if accrual_start is not None else payment_dates
        cdates = collection_dates if collection_dates is not None else payment_dates
        kinds = {k: _as_2d(f"by_kind[{k}]", v, (s, t)) for k, v in (by_kind or {}).items()}
        return cls(
            payment_dates=tuple(payment_dates),
            collection_dates=tuple(cdates),
            accrual_start=tuple(starts),
            year_fractions=yf,
            days=d,
            total=tot,
            income=inc,
            principal=prin,
            defaults=dfl,
            recoveries=rec,
            pool_balance=pb,
            forecast=fc,
            initial_pool_balance=init,
            by_kind=kinds,
            seed=seed,
            writedowns=wd,
            purchases=purchases,
            data_balance=None
            if data_balance is None
            else _as_2d("data_balance", data_balance, (s, t)),
        )

    def select(self, scenarios: Any) -> Collections:
        """A new Collections holding only the given scenario indices (or a slice)."""
        idx = np.arange(self.n_scenarios)[scenarios]
        idx = np.atleast_1d(idx)
        return Collections(
            payment_dates=self.payment_dates,
            collection_dates=self.collection_dates,
            accrual_start=self.accrual_start,
            year_fractions=self.year_fractions,
            days=self.days,
            total=self.total[idx],
            income=self.income[idx],
            principal=self.principal[idx],
            defaults=self.defaults[idx],
            recoveries=self.recoveries[idx],
            pool_balance=self.pool_balance[idx],
            forecast=self.forecast,
            initial_pool_balance=self.initial_pool_balance,
            by_kind={k: v[idx] for k, v in self.by_kind.items()},
            seed=self.seed,
            writedowns=None if self.writedowns is None else self.writedowns[idx],
            asset_table_source=self.asset_table_source,
            schedule=self.schedule,
            purchases=self.purchases,
            data_balance=None if self.data_balance is None else self.data_balance[idx],
            purchase_group=None if self.purchase_group is None else self.purchase_group[idx],
        )

    @classmethod
    def stack(cls, parts: list[Collections]) -> Collections:
        """Concatenate along scenarios (same dates); used to run many stresses in one call."""
        if not parts:
            raise ProjectionError("collections.stack: nothing to stack")
        first = parts[0]
        for p in parts[1:]:
            if p.payment_dates != first.payment_dates:
                raise ProjectionError("collections.stack: parts have different payment dates")
        kinds = sorted({k for p in parts for k in p.by_kind})
        purchases, group = _stack_purchases(parts)

        def cat(name: str) -> FloatArray:
            return np.concatenate([getattr(p, name) for p in parts], axis=0)

        return Collections(
            payment_dates=first.payment_dates,
            collection_dates=first.collection_dates,
            accrual_start=first.accrual_start,
            year_fractions=first.year_fractions,
            days=first.days,
            total=cat("total"),
            income=cat("income"),
            principal=cat("principal"),
            defaults=cat("defaults"),
            recoveries=cat("recoveries"),
            pool_balance=cat("pool_balance"),
            forecast=first.forecast,
            initial_pool_balance=first.initial_pool_balance,
            by_kind={
                k: np.concatenate([p.by_kind.get(k, np.zeros_like(p.total)) for p in parts], axis=0)
                for k in kinds
            },
            seed=first.seed,
            writedowns=(
                None
                if all(p.writedowns is None for p in parts)
                else np.concatenate(
                    [
                        np.zeros_like(p.total) if p.writedowns is None else p.writedowns
                        for p in parts
                    ],
                    axis=0,
                )
            ),
            asset_table_source=first.asset_table_source,
            schedule=first.schedule,
            purchases=purchases,
            purchase_group=group,
            data_balance=(
                None
                if any(p.data_balance is None for p in parts)
                else np.concatenate([p.data_balance for p in parts if p.data_balance is not None])
            ),
        )


def _stack_purchases(
    parts: list[Collections],
) -> tuple[Purchases | None, npt.NDArray[np.int64] | None]:
    """Purchase sets of stacked parts and each scenario's group (parts sharing one set share
    its group; a part without purchases gets a set that offers nothing)."""
    if all(p.purchases is None for p in parts):
        return None, None
    sets: list[Purchases] = []
    seen: dict[int, int] = {}
    groups = []
    for p in parts:
        pur = p.purchases if p.purchases is not None else Purchases.none(p.n_periods)
        if id(pur) not in seen:
            seen[id(pur)] = sum(s.n_groups for s in sets)
            sets.append(pur)
        own = (
            np.zeros(p.n_scenarios, dtype=np.int64)
            if p.purchase_group is None
            else p.purchase_group
        )
        groups.append(own + seen[id(pur)])
    merged = sets[0] if len(sets) == 1 else Purchases.concat(sets)
    return merged, np.concatenate(groups).astype(np.int64)
