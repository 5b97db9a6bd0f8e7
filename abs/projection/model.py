"""The pool model (资产池现金流模型): built once per pool and assumptions, every case from it.

:class:`PoolModel` lays out each asset's contract schedule on the deal's collection periods
once (the expensive part: contract grids, revenue models, balance schedules). A stress is a
cheap derivation (:meth:`PoolModel.case`):

* PD multiplier, recovery haircut, collection delay and renewal change only change the credit
  and timing step, run over the same arrays;
* the revenue haircut h multiplies contract cash and principal by 1 − h (scheduled principal
  stays, so the uncollected part is written down);
* a volume shock or price-decline change recomputes the usage-driven models (usage, algorithm
  service, revenue share) from the grids laid out at build time;
* the payment-rate change c and the pool yield haircut h act on the expected flows after credit
  and delay (:func:`stretch`): each asset's principal is collected 1 + c times as fast from the
  later of the cut-off and its start (what a slower rate leaves is collected on the last
  payment date; nothing moves before the start or past the horizon), and its income (interest,
  fee, discount income: cash less principal) is multiplied by 1 − h. Stochastic paths keep
  only pool totals, so there the stretch runs on each path's pool principal from the cut-off
  and each kind's cash loses h of its share of the path's income.

The expected case (:meth:`PoolCase.expected`) and stochastic paths (:meth:`PoolCase.simulate`)
are compiled loops over these arrays. :func:`pool_model` returns the model of a deal from a
small process-wide cache keyed by content, so re-running a deal whose pool, dates and
assumptions did not change (a tranche edit, another stress) never projects again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from abs.assumptions import Assumptions, Stress
from abs.calendar import PaymentSchedule, build_schedule
from abs.cashflows import Collections
from abs.deal import Deal
from abs.io import require_pool
from abs.projection import kernels, tables
from abs.projection.contracts import AssetValues, ContractBook, PeriodArrays
from abs.projection.inputs import AssetInputs, asset_inputs
from abs.projection.paths import PathArrays, PathPlan, check_paths, run_paths

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_T = TypeVar("_T")

#: A running balance below this (half a fen) is rounding residue and reported as 0.
BALANCE_EPSILON = 0.005
#: Pool models kept by :func:`pool_model` (most recently used first out last).
MODEL_CACHE_SIZE = 4
#: Cases (stresses) kept per model. A case under the tape's usage parameters shares the model's
#: arrays and keeps only its expected case (a few kinds × periods); a volume or price stress has
#: arrays of its own (5 × assets × periods), so at most :data:`USAGE_CASES_KEPT` of those stay.
CASE_CACHE_SIZE = 64
USAGE_CASES_KEPT = 4
#: Path layouts (≈ 6 × assets × periods each) and asset tables (assets × periods rows) kept per
#: model, most recently used.
PLANS_KEPT = 2
TABLES_KEPT = 2

#: Stress fields the projection applies (the rest are engine factors).
PROJECTION_FIELDS = (
    "revenue_haircut",
    "volume_shock",
    "price_decline_change",
    "pd_multiplier",
    "recovery_haircut",
    "collection_delay",
    "renewal_change_pp",
    "payment_rate_change",
    "revolving_yield_haircut",
)


def stretch(prin: FloatArray, factor: float) -> FloatArray:
    """Principal per age (…, L) collected ``factor`` times as fast: the cumulative share
    collected by age a becomes what was collected by age a × factor (linear between ages);
    what a slower rate leaves uncollected at the last age is collected there. Linear in
    ``prin`` (non-negative), so stretching a sum is the sum of the stretches."""
    cum = np.cumsum(prin, axis=-1)
    length = prin.shape[-1]
    x = np.arange(length) * factor
    lo = np.minimum(np.floor(x).astype(np.int64), length - 1)
    hi = np.minimum(lo + 1, length - 1)
    w = np.clip(x - lo, 0.0, 1.0)
    new = cum[..., lo] * (1.0 - w) + cum[..., hi] * w
    new[..., -1] = cum[..., -1]
    new = np.maximum.accumulate(new, axis=-1)
    return np.asarray(np.maximum(np.diff(new, axis=-1, prepend=0.0), 0.0), dtype=np.float64)


def stretch_rows(prin: FloatArray, origin: IntArray, factor: float) -> FloatArray:
    """:func:`stretch` of each row of ``prin`` (N, T) from its own ``origin`` period on: age 0
    is period ``origin`` (the purchase date: its column is left as it is), or the cut-off for
    ``origin`` −1 (nothing collected yet; period 0 is age 1)."""
    out = prin.copy()
    t_count = prin.shape[1]
    for o in np.unique(origin):
        if o >= t_count:
            continue
        rows = origin == o
        if o < 0:
            padded = np.concatenate([np.zeros((int(rows.sum()), 1)), prin[rows]], axis=1)
            out[rows] = stretch(padded, factor)[:, 1:]
        else:
            out[rows, o:] = stretch(prin[rows, o:], factor)
    return out


def case_key(stress: Stress) -> tuple[float | int, ...]:
    """The projection factors of ``stress`` (equal keys give equal collections)."""
    return tuple(getattr(stress, f) for f in PROJECTION_FIELDS)


def _settle(balance: FloatArray) -> FloatArray:
    """Balances below half a fen (rounding residue of the running sums) are 0."""
    return np.where(balance < BALANCE_EPSILON, 0.0, balance)


def _frozen(c: Collections) -> Collections:
    """Make the arrays of a shared (memoised) Collections read-only."""
    for f in dataclasses.fields(c):
        v = getattr(c, f.name)
        if isinstance(v, np.ndarray):
            v.flags.writeable = False
    for v in c.by_kind.values():
        v.flags.writeable = False
    return c


@dataclass(frozen=True, eq=False)
class PoolCase:
    """The pool model under one stress: per-asset arrays and credit parameters.

    Attributes
    ----------
    model : PoolModel
        The model it derives from.
    stress : Stress
        The stress (only its projection factors matter).
    arrays : PeriodArrays
        Contract cash arrays (N, T) of this stress, to be multiplied by ``scale``.
    scale : float
        1 − revenue haircut when ``arrays`` are the model's neutral arrays, else 1.
    annual_pd, recovery, renewal_p : ndarray (N,)
        Stressed annual PD (capped at 1), recovery rate and renewal probability.
    delay : int
        Collection delay in periods (assumptions + stress).
    """

    model: PoolModel
    stress: Stress
    arrays: PeriodArrays
    scale: float
    annual_pd: FloatArray
    recovery: FloatArray
    renewal_p: FloatArray
    delay: int
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def log_survival(self) -> FloatArray:
        """ln(1 − pd) per asset (−inf for a certain default)."""
        with np.errstate(divide="ignore"):
            return np.asarray(np.log1p(-np.minimum(self.annual_pd, 1.0)), dtype=np.float64)

    def expected(self) -> Collections:
        """Expected-case collections (S = 1), survival-weighted; computed once per case.

        The arrays of the returned object are shared with later calls and read-only.
        """
        found = self._memo.get("expected")
        if found is None:
            found = _frozen(self._expected())
            self._memo["expected"] = found
        return found

    def _expected(self) -> Collections:
        m = self.model
        g = m.credit_groups if self.arrays is m.neutral else None
        if g is None:
            a = self.arrays
            by_kind, prin, rec, defaults, wd = kernels.expected_pool(
                a.cash,
                a.principal,
                m.scheduled,
                a.renewal,
                m.opening,
                float(self.scale),
                self.log_survival,
                self.recovery,
                m.inputs.lag,
                self.renewal_p,
                m.inputs.kind_code,
                len(m.kind_values),
                m.tau,
                self.delay,
            )
        else:
            r = g.first
            by_kind, prin, rec, defaults, wd = kernels.expected_pool(
                g.cash,
                g.principal,
                g.scheduled,
                g.renewal,
                g.opening,
                float(self.scale),
                self.log_survival[r],
                self.recovery[r],
                m.inputs.lag[r],
                self.renewal_p[r],
                m.inputs.kind_code[r],
                len(m.kind_values),
                m.tau,
                self.delay,
            )
        total = by_kind.sum(axis=0)
        principal = np.clip(prin, 0.0, total)
        init = m.initial_pool_balance
        if self.rate_stressed:  # the pool's payment rate and yield (per asset, added up)
            d_prin, d_inc = self._rate_deltas()
            d_cash = d_prin + d_inc
            by_kind = by_kind + np.stack(
                [d_cash[m.inputs.kind_code == i].sum(axis=0) for i in range(len(m.kind_values))]
            )
            principal = principal + d_prin.sum(axis=0)
            total = total + d_cash.sum(axis=0)
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
            by_kind={k: by_kind[i][None, :] for i, k in enumerate(m.kind_values)},
            seed=None,
            writedowns=wd[None, :],
            asset_table_source=self.asset_table,
            schedule=s,
        )

    @property
    def rate_stressed(self) -> bool:
        """The payment-rate change or the pool yield haircut is set."""
        return self.stress.payment_rate_change != 0.0 or self.stress.revolving_yield_haircut != 0.0

    def _rate_deltas(self) -> tuple[FloatArray, FloatArray]:
        """Per asset (N, T): principal after the payment-rate change less before, and income
        after the yield haircut less before (both 0 without those factors)."""
        found = self._memo.get("rate_deltas")
        if found is None:
            cash, prin, *_ = self._raw_assets()
            st = self.stress
            d_prin = (
                stretch_rows(prin, self.model.origin, 1.0 + st.payment_rate_change) - prin
                if st.payment_rate_change != 0.0
                else np.zeros_like(prin)
            )
            d_inc = -st.revolving_yield_haircut * (cash - prin)
            found = (d_prin, d_inc)
            self._memo["rate_deltas"] = found
        return found

    def asset_flows(self) -> tables.AssetFlows:
        """Expected flows per asset and period (N, T): the rows of :meth:`asset_table`."""
        m = self.model
        cash, prin, rec, defaults, wd = self._raw_assets()
        amount = m.inputs.amount[:, None]
        if self.rate_stressed:
            d_prin, d_inc = self._rate_deltas()
            prin = prin + d_prin
            income = cash - (prin - d_prin) + d_inc
            closing = _settle(amount - np.cumsum(prin + defaults + wd, axis=1))
            total = prin + income + rec
        else:
            income = cash - prin
            closing = _settle(amount - np.cumsum(prin + defaults + wd, axis=1))
            total = cash + rec
        opening = np.concatenate([amount, closing[:, :-1]], axis=1)
        return tables.AssetFlows(
            total=total,
            principal=prin + rec,
            income=income,
            defaults=defaults,
            recoveries=rec,
            writedowns=wd,
            opening=opening,
            closing=closing,
        )

    def _raw_assets(
        self,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """Kernel output per asset (cash, contract principal, recoveries, defaults,
        writedowns), before the payment-rate and yield factors."""
        m = self.model
        a = self.arrays
        return kernels.expected_assets(
            a.cash,
            a.principal,
            m.scheduled,
            a.renewal,
            m.opening,
            float(self.scale),
            self.log_survival,
            self.recovery,
            m.inputs.lag,
            self.renewal_p,
            m.tau,
            self.delay,
        )

    def asset_table(self) -> pd.DataFrame:
        """Expected case per asset and period (:data:`~abs.projection.ASSET_TABLE_COLUMNS`).

        Built on first use and kept by the model for its :data:`TABLES_KEPT` most recently used
        cases (callers must not modify it).
        """
        m = self.model
        return m.kept(
            m.tables,
            case_key(self.stress),
            lambda: tables.asset_table(m.inputs, m.schedule.collection_dates, self.asset_flows()),
            TABLES_KEPT,
        )

    def pv_by_asset(self, discount_rate: float) -> FloatArray:
        """PV per asset (N,) of its expected collections on the 计算日 at ``discount_rate``."""
        f = self.asset_flows()
        disc = (1.0 + discount_rate) ** (-self.model.tau)
        return np.asarray(f.total @ disc, dtype=np.float64)

    def path_plan(self) -> PathPlan:
        """The path kernel's arrays, kept by the model for its :data:`PLANS_KEPT` most recently
        used cases (a Monte Carlo run lays them out once for all its chunks)."""
        m = self.model
        return m.kept(m.plans, case_key(self.stress), lambda: PathPlan.of(self), PLANS_KEPT)

    def simulate(
        self, *, n_paths: int, seed: int, first_path: int = 0, threads: int = 1
    ) -> Collections:
        """Stochastic paths ``[first_path, first_path + n_paths)`` (see
        :func:`abs.projection.simulate`); ``forecast`` is this case's expected total.
        ``threads`` > 1 draws blocks of paths in parallel (same numbers)."""
        check_paths(n_paths, seed, first_path)
        raw = run_paths(
            self.path_plan(),
            n_paths=n_paths,
            seed=int(seed),
            first_path=first_path,
            threads=threads,
        )
        return self._collections(raw, int(seed))

    def _collections(self, raw: PathArrays, seed: int) -> Collections:
        m = self.model
        expected = self.expected()
        by_kind_paths = raw.by_kind
        total = by_kind_paths.sum(axis=0)
        principal = np.clip(raw.principal, 0.0, total)
        init = m.initial_pool_balance
        st = self.stress
        if self.rate_stressed:  # pool totals per path: stretched from the cut-off
            contract = principal - raw.recoveries
            d_prin = (
                stretch_rows(
                    contract, np.full(contract.shape[0], -1, np.int64), 1.0 + st.payment_rate_change
                )
                - contract
                if st.payment_rate_change != 0.0
                else np.zeros_like(contract)
            )
            income = total - principal
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(total > 0, by_kind_paths / np.where(total > 0, total, 1.0), 0.0)
            by_kind_paths = (
                by_kind_paths
                - st.revolving_yield_haircut * income[None, :, :] * share
                + d_prin[None, :, :] * share
            )
            principal = principal + d_prin
            total = total + d_prin - st.revolving_yield_haircut * income
        flows = principal - raw.recoveries + raw.defaults + raw.writedowns
        balance = _settle(init - np.cumsum(flows, axis=1))
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
            defaults=raw.defaults,
            recoveries=raw.recoveries,
            pool_balance=balance,
            forecast=expected.forecast,
            initial_pool_balance=init,
            by_kind={kv: by_kind_paths[i] for i, kv in enumerate(m.kind_values)},
            seed=seed,
            writedowns=raw.writedowns,
            asset_table_source=None,
            schedule=s,
        )


@dataclass(frozen=True, eq=False)
class CreditGroups:
    """Assets of equal kind, PD, recovery rate, recovery lag and renewal probability, added up.

    Every stress maps these inputs asset by asset (PD × m capped at 1, recovery × (1 − h),
    renewal p + Δ), so assets equal in them stay equal in every case, and the expected case is
    linear in the contract arrays of such assets: the pool totals of the groups' summed arrays
    are the pool totals of the assets (up to the order of the additions).

    Attributes
    ----------
    first : ndarray of int (G,)
        One asset of each group (its inputs are the group's).
    cash, principal, scheduled, renewal, opening : ndarray (G, T)
        The model's neutral arrays summed over each group.
    """

    first: IntArray
    cash: FloatArray
    principal: FloatArray
    scheduled: FloatArray
    renewal: FloatArray
    opening: FloatArray


#: Credit groups are used when there are at most this share of assets of them.
GROUPING_MAX_SHARE = 0.5


class PoolModel:
    """Per-asset contract schedules of a pool on a deal's collection periods, built once.

    Parameters
    ----------
    deal : Deal
        A deal with its pool (the pool, the dates and the assumptions are read).
    assumptions : Assumptions, optional
        Default: ``deal.assumptions``. Their ``stress`` is not part of the model: pass a stress
        to each case instead.

    Raises
    ------
    ProjectionError
        Invalid asset parameters (named by asset id and field).
    DealSpecError
        The deal has no pool.
    ScheduleError
        The deal dates give no valid schedule.

    Examples
    --------
    >>> import abs
    >>> from abs.projection import PoolModel
    >>> from abs.assumptions import Stress
    >>> m = PoolModel(abs.load_deal("qingdao-pure"))  # doctest: +SKIP
    >>> base = m.expected()  # doctest: +SKIP
    >>> mild = m.expected(Stress(revenue_haircut=0.2, pd_multiplier=1.5))  # doctest: +SKIP
    >>> paths = m.simulate(n_paths=10_000, seed=7)  # doctest: +SKIP
    """

    def __init__(
        self,
        deal: Deal,
        assumptions: Assumptions | None = None,
        *,
        inputs: AssetInputs | None = None,
    ) -> None:
        a_ = deal.assumptions if assumptions is None else assumptions
        self.assumptions: Assumptions = a_.stressed(Stress())
        self.deal_name = deal.name
        self.schedule: PaymentSchedule = build_schedule(deal.dates, deal_name=deal.name)
        self.inputs: AssetInputs = (
            asset_inputs(deal, self.assumptions) if inputs is None else inputs
        )
        self._cutoff = np.datetime64(deal.dates.cutoff_date, "D")
        book = self._new_book()
        self.neutral: PeriodArrays = book.neutral()
        self.scheduled: FloatArray = book.scheduled()
        # The grids (≈ as large again as the arrays kept) are needed again only for a volume or
        # price stress and the value table: laid out again then, on first use.
        self._book: ContractBook | None = None
        amount = self.inputs.amount[:, None]
        closing = amount - np.cumsum(self.scheduled, axis=1)
        self.opening: FloatArray = np.maximum(
            np.concatenate([amount, closing[:, :-1]], axis=1), 0.0
        )
        self.initial_pool_balance = float(round(float(self.inputs.amount.sum()) * 100) / 100)
        #: Where each asset's payment-rate clock starts (:func:`stretch_rows`): −1 (the
        #: cut-off) for an asset running by the cut-off, else the period of the first payment
        #: date on/after its start (a purchased asset's offer period).
        start = self.inputs.start.astype("datetime64[D]")
        self.origin: IntArray = np.where(
            start <= self._cutoff,
            -1,
            np.searchsorted(
                np.array(self.schedule.payment_dates, dtype="datetime64[D]"), start, side="left"
            ),
        ).astype(np.int64)
        self.lock = threading.RLock()
        self._cases: OrderedDict[tuple[float | int, ...], PoolCase] = OrderedDict()
        self.plans: OrderedDict[tuple[float | int, ...], PathPlan] = OrderedDict()
        self.tables: OrderedDict[tuple[float | int, ...], pd.DataFrame] = OrderedDict()

    def _new_book(self) -> ContractBook:
        return ContractBook(
            self.inputs,
            cutoff=self._cutoff,
            collection_dates=np.array(self.schedule.collection_dates, dtype="datetime64[D]"),
        )

    # pickling (Dask ships the model to its workers once): the grids are rebuilt on demand
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_book"] = None
        state["_cases"] = OrderedDict()
        state["plans"] = OrderedDict()
        state["tables"] = OrderedDict()
        del state["lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.lock = threading.RLock()

    @property
    def book(self) -> ContractBook:
        """The contract grids (laid out again after unpickling, on first use)."""
        with self.lock:
            if self._book is None:
                self._book = self._new_book()
            return self._book

    @property
    def n_assets(self) -> int:
        """N."""
        return self.inputs.n_assets

    @property
    def credit_groups(self) -> CreditGroups | None:
        """The pool's :class:`CreditGroups` (None when they would not be much fewer than the
        assets); the expected case of every stress that keeps the neutral arrays runs on them."""
        with self.lock:
            if "_groups" not in self.__dict__:
                self._groups = self._make_groups()
            return self._groups

    def _make_groups(self) -> CreditGroups | None:
        inp = self.inputs
        key = np.column_stack(
            [
                inp.kind_code.astype(np.float64),
                inp.pd,
                inp.recovery,
                inp.lag.astype(np.float64),
                inp.renewal_p,
            ]
        )
        _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
        if first.size > GROUPING_MAX_SHARE * self.n_assets:
            return None
        order = np.argsort(inverse, kind="stable")
        starts = np.searchsorted(inverse[order], np.arange(first.size))

        def add(x: FloatArray) -> FloatArray:
            return np.ascontiguousarray(np.add.reduceat(x[order], starts, axis=0))

        n = self.neutral
        return CreditGroups(
            first=first.astype(np.int64),
            cash=add(n.cash),
            principal=add(n.principal),
            scheduled=add(self.scheduled),
            renewal=add(n.renewal),
            opening=add(self.opening),
        )

    @property
    def n_periods(self) -> int:
        """T."""
        return int(self.schedule.period_count)

    @property
    def kind_values(self) -> tuple[str, ...]:
        """Asset kinds present in the pool (``by_kind`` keys), in AssetType order."""
        return self.inputs.kind_values

    @property
    def tau(self) -> FloatArray:
        """Years (ACT/365F) from the cut-off to each 计算日 (the credit clock)."""
        return self.schedule.collection_times

    def case(self, stress: Stress | None = None) -> PoolCase:
        """The model under ``stress`` (None: no stress); kept for reuse (up to
        :data:`CASE_CACHE_SIZE` per model)."""
        st = Stress() if stress is None else stress
        key = case_key(st)
        with self.lock:
            found = self._cases.get(key)
            if found is not None:
                self._cases.move_to_end(key)
                return found
        made = self._make_case(st)
        with self.lock:
            found = self._cases.setdefault(key, made)
            self._cases.move_to_end(key)
            while len(self._cases) > CASE_CACHE_SIZE:
                self._cases.popitem(last=False)
            own = [k for k, c in self._cases.items() if c.arrays is not self.neutral]
            for k in own[: max(len(own) - USAGE_CASES_KEPT, 0)]:
                del self._cases[k]
        return found

    def kept(
        self,
        store: OrderedDict[tuple[float | int, ...], _T],
        key: tuple[float | int, ...],
        make: Callable[[], _T],
        size: int,
    ) -> _T:
        """``store[key]``, made by ``make()`` on a miss; ``store`` keeps its ``size`` most
        recently used entries."""
        with self.lock:
            if key in store:
                store.move_to_end(key)
                return store[key]
            found = make()
            store[key] = found
            while len(store) > size:
                store.popitem(last=False)
            return found

    def _make_case(self, st: Stress) -> PoolCase:
        inp = self.inputs
        keep = 1.0 - st.revenue_haircut
        if st.volume_shock == 0.0 and st.price_decline_change == 0.0:
            arrays, scale = self.neutral, keep
        else:
            arrays = self.book.stressed(
                self.neutral, st.volume_shock, st.price_decline_change, keep
            )
            scale = 1.0
        p = inp.renewal_p
        renewal_p = np.where(p > 0, np.clip(p + st.renewal_change_pp / 100.0, 0.0, 1.0), 0.0)
        return PoolCase(
            model=self,
            stress=st,
            arrays=arrays,
            scale=scale,
            annual_pd=np.minimum(inp.pd * st.pd_multiplier, 1.0),
            recovery=inp.recovery * (1.0 - st.recovery_haircut),
            renewal_p=renewal_p,
            delay=self.assumptions.collection_delay + st.collection_delay,
        )

    def expected(self, stress: Stress | None = None) -> Collections:
        """Expected-case collections under ``stress`` (S = 1; arrays read-only, shared)."""
        return self.case(stress).expected()

    def simulate(
        self,
        *,
        n_paths: int,
        seed: int,
        first_path: int = 0,
        stress: Stress | None = None,
        threads: int = 1,
    ) -> Collections:
        """Stochastic paths under ``stress`` (see :func:`abs.projection.simulate`); ``threads``
        > 1 draws blocks of paths in parallel threads with the same numbers."""
        check_paths(n_paths, seed, first_path)
        return self.case(stress).simulate(
            n_paths=n_paths, seed=seed, first_path=first_path, threads=threads
        )

    def asset_table(self, stress: Stress | None = None) -> pd.DataFrame:
        """Expected case per asset and period under ``stress`` (long table)."""
        return self.case(stress).asset_table()

    def pv_by_asset(self, stress: Stress | None = None) -> dict[str, float]:
        """asset_id → PV (yuan) of its expected collections at the assumptions' discount rate."""
        pv = self.case(stress).pv_by_asset(self.assumptions.discount_rate)
        return {aid: float(v) for aid, v in zip(self.inputs.ids, pv, strict=True)}

    def asset_values(self, stress: Stress | None = None) -> AssetValues:
        """Contracted and expected cash and PVs per asset over each whole contract."""
        c = self.case(stress)
        inp = self.inputs
        st = c.stress
        params = inp.params
        if st.volume_shock != 0.0 or st.price_decline_change != 0.0:
            from abs.projection.contracts import usage_params

            params = usage_params(params, st.volume_shock, st.price_decline_change)
        return self.book.values(
            params=params,
            keep=1.0 - st.revenue_haircut,
            pd=c.annual_pd,
            renewal_p=c.renewal_p,
            discount_rate=self.assumptions.discount_rate,
        )

    def data_asset_values(self, stress: Stress | None = None) -> pd.DataFrame:
        """Income-approach value of each direct data asset (see
        :func:`abs.projection.data_asset_values`)."""
        v = self.asset_values(stress)
        return tables.value_table(
            self.inputs,
            contracted_total=v.contracted_total,
            contracted_pv=v.contracted_pv,
            expected_total=v.expected_total,
            expected_pv=v.expected_pv,
            tail=v.tail,
            attribution=self.assumptions.data_attribution,
        )


# --- the process-wide cache ------------------------------------------------------------------


@dataclass
class _Entry:
    context: str  # dates and assumptions (JSON), checked on the identity path
    pools: list[weakref.ref[Any]]  # pool objects known to have this content
    model: PoolModel


_CACHE: OrderedDict[str, _Entry] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def _context(deal: Deal, assumptions: Assumptions | None) -> str:
    """The deal dates and the assumptions without their stress, as JSON."""
    a_ = deal.assumptions if assumptions is None else assumptions
    return deal.dates.model_dump_json() + "\0" + a_.stressed(Stress()).model_dump_json()


def _digest(inputs: AssetInputs, context: str) -> str:
    """SHA-256 of every per-asset input of a model and its context (dates, assumptions)."""
    h = hashlib.sha256()
    for f in dataclasses.fields(inputs):
        v = getattr(inputs, f.name)
        h.update(f.name.encode())
        if isinstance(v, np.ndarray) and v.dtype != object:
            h.update(str(v.dtype).encode())
            h.update(np.ascontiguousarray(v).tobytes())
        elif isinstance(v, dict):
            for k in sorted(v):
                h.update(k.encode())
                h.update(np.ascontiguousarray(v[k]).tobytes())
        else:  # tuples and object arrays: ids, names, kinds, methods (repr keeps None apart)
            h.update("\x1f".join(map(repr, v)).encode())
        h.update(b"\0")
    h.update(context.encode())
    return h.hexdigest()


def model_key(deal: Deal, assumptions: Assumptions | None = None) -> str:
    """Content hash (SHA-256) of what a pool model depends on: every per-asset input the
    projection reads from the pool (after the kind defaults), the deal dates and the
    assumptions without their stress. Tape fields the projection does not read (region,
    registry, …) do not change it."""
    a_ = (deal.assumptions if assumptions is None else assumptions).stressed(Stress())
    return _digest(asset_inputs(deal, a_), _context(deal, assumptions))


def pool_model(deal: Deal, assumptions: Assumptions | None = None) -> PoolModel:
    """The :class:`PoolModel` of ``deal`` (and ``assumptions``), built at most once.

    Models are kept in a small process-wide cache (:data:`MODEL_CACHE_SIZE`), found first by
    the pool object itself and then by :func:`model_key` (content: the per-asset inputs read
    once, which a new model then reuses), so a deal parsed again
    from the same text, or changed only outside its pool, dates and assumptions (tranches,
    fees, triggers, another stress), reuses the model.
    """
    pool = require_pool(deal)
    ctx = _context(deal, assumptions)
    with _CACHE_LOCK:
        for digest, e in reversed(_CACHE.items()):
            if e.context == ctx and any(r() is pool for r in e.pools):
                _CACHE.move_to_end(digest)
                return e.model
    base = (deal.assumptions if assumptions is None else assumptions).stressed(Stress())
    inputs = asset_inputs(deal, base)
    digest = _digest(inputs, ctx)
    with _CACHE_LOCK:
        hit = _CACHE.get(digest)
        if hit is not None:
            hit.pools = [*(r for r in hit.pools if r() is not None), weakref.ref(pool)][-4:]
            _CACHE.move_to_end(digest)
            return hit.model
    model = PoolModel(deal, assumptions, inputs=inputs)
    with _CACHE_LOCK:
        entry = _CACHE.setdefault(digest, _Entry(ctx, [weakref.ref(pool)], model))
        _CACHE.move_to_end(digest)
        while len(_CACHE) > MODEL_CACHE_SIZE:
            _CACHE.popitem(last=False)
    return entry.model


def clear_model_cache() -> None:
    """Forget every cached pool model (tests, memory)."""
    with _CACHE_LOCK:
        _CACHE.clear()
