"""The one place where scenarios meet the engine: project, stack, run once, measure per tranche.

* :func:`project_stresses` derives the expected collections of each stress from the deal's pool
  model (:func:`abs.projection.pool_model`, built once per pool) and stacks them along S.
* :func:`run_stresses` runs the waterfall ONCE over the stack, with the engine factors (rate
  shift, originator/guarantor default) as (S,) arrays, and measures every tranche.
* :func:`simulate_outcome` does the same for a chunk of Monte Carlo paths.

Every measure in :class:`Outcome` is computed row by row (scenario by scenario), so a scenario's
numbers never depend on which other scenarios ran in the same call: that is what makes a grid
equal to separate single runs and a Monte Carlo run independent of its chunking.

"Paid in full" (the pass test of a break-even): a senior or mezzanine tranche never has interest
left unpaid after a payment date, never has principal due (scheduled target, bullet or expected
maturity, final date) left unpaid by more than half a fen, and has no balance left after the
last period. A subordinated tranche (次级) has no promised timetable: it is paid in full when its
principal is returned by the last period (期间收益 left unpaid does not count).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from abs import replenishment
from abs.analytics import yield_at_frequency
from abs.assumptions import Assumptions, Stress
from abs.cashflows import Collections
from abs.deal import Deal
from abs.enums import TrancheClass
from abs.errors import ScenarioError
from abs.projection import PoolModel, pool_model
from abs.projection import path_block_size as _block_size
from abs.projection import project as _project
from scenarios.factors import projection_key, projection_part
from waterfall import Measures, WaterfallResult

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: Amounts below half a fen count as paid.
EPS = 0.005
#: Spawn-key tag of the support-provider default stream (distinct from the projection's).
SUPPORT_STREAM = 1_000_003

#: ``(deal, assumptions, stress) -> Collections`` (expected case, S = 1).
Projector = Callable[[Deal, Assumptions | None, Stress], Collections]


def default_projector(deal: Deal, assumptions: Assumptions | None, stress: Stress) -> Collections:
    """Expected-case collections of ``deal`` under ``stress`` (:func:`abs.projection.project`:
    a case of the deal's pool model, built once per pool and assumptions)."""
    return _project(deal, assumptions, stress=stress)


def deal_base(
    deal: Deal, base: Stress | None = None, assumptions: Assumptions | None = None
) -> Stress:
    """The stress a run starts from: ``base`` when given, else the deal's base adjustments.

    The deal's base adjustments are ``assumptions.stress`` (the deal's own assumptions unless
    ``assumptions`` replaces them). Every deal-level entry point (grid, break-even, sizing,
    rating view, Monte Carlo) resolves its default here, so the 基准 row of a stress grid, the
    base case of ``dabs run``, the dashboard and the filing workbook are one case; pass
    ``Stress()`` for the neutral case explicitly.

    Examples
    --------
    >>> from abs.io import load_deal
    >>> d = load_deal("qingdao-pure")
    >>> deal_base(d) == d.assumptions.stress
    True
    >>> deal_base(d, Stress(pd_multiplier=2.0)).pd_multiplier
    2.0
    """
    if base is not None:
        return base
    return (assumptions if assumptions is not None else deal.assumptions).stress


def path_block_size() -> int:
    """Paths per random block of the projection (Monte Carlo chunks are multiples of it)."""
    return int(_block_size())


@dataclass(frozen=True, eq=False)
class Outcome:
    """Per-scenario (or per-path) measures of every tranche, arrays (S, K) unless noted.

    Attributes
    ----------
    tranche_names : tuple of str
        K tranche names in deal order.
    original_balance : ndarray (K,)
        发行规模 (元).
    payment_dates : tuple of date
        兑付日 (T).
    paid_in_full : bool ndarray (S, K)
        Never missed interest or principal due; nothing left unpaid at the end.
    shortfall : ndarray (S, K)
        Principal lost + interest and 期间收益 left unpaid at the end (元).
    loss : ndarray (S, K)
        Principal lost / original balance.
    first_shortfall : int ndarray (S, K)
        Index of the first period with a missed payment (−1: none).
    wal : ndarray (S, K)
        Weighted average life in years from closing (NaN if no principal was paid).
    yld : ndarray (S, K)
        Yield at par of the tranche's cash (compounded at the deal's payment frequency,
        ACT/365F from closing).
    min_coverage, life_coverage : ndarray (S, K)
        现金流覆盖倍数 of the tranche and everything senior to it: minimum over the periods it
        is outstanding, and life-of-deal (obligations: taxes, fees and interest).
    min_coverage_principal : ndarray (S, K)
        Minimum coverage when scheduled principal due is added to the obligations.
    coverage : ndarray (S, T)
        Senior coverage per period (NaN once the seniors are repaid); (S, 0) for Monte Carlo
        paths, which keep only the minimum and life-of-deal coverage.
    trigger_names : tuple of str
        ``事件: 触发条件`` label of each trigger (E).
    trigger_first : int ndarray (S, E)
        First period each trigger was on (−1: never).
    cdr : ndarray (S,)
        Cumulative default rate of the pool (defaults / 入池本金).
    support_defaulted : bool ndarray (S,)
        The 差额支付 provider was in default in that scenario/path.
    first_out_of_band : int ndarray (S,) or None
        Revolving deals: first period the data-linked share left the issued kind's band
        (−1: never; ``docs/revolving.md``); None when not known.
    """

    tranche_names: tuple[str, ...]
    original_balance: FloatArray
    payment_dates: tuple[dt.date, ...]
    paid_in_full: BoolArray
    shortfall: FloatArray
    loss: FloatArray
    first_shortfall: IntArray
    wal: FloatArray
    yld: FloatArray
    min_coverage: FloatArray
    life_coverage: FloatArray
    min_coverage_principal: FloatArray
    coverage: FloatArray
    trigger_names: tuple[str, ...]
    trigger_first: IntArray
    cdr: FloatArray
    support_defaulted: BoolArray
    first_out_of_band: IntArray | None = None

    @property
    def share_out_of_band(self) -> float | None:
        """Share of the scenarios/paths that leave the issued kind's band (None: not known)."""
        if self.first_out_of_band is None:
            return None
        return float((self.first_out_of_band >= 0).mean())

    @property
    def n_scenarios(self) -> int:
        """S."""
        return int(self.paid_in_full.shape[0])

    def events_fired(self, scenario: int) -> list[str]:
        """Triggers that fired in ``scenario``, each ``事件: 条件 (first date)``."""
        out = []
        for e, name in enumerate(self.trigger_names):
            first = int(self.trigger_first[scenario, e])
            if first >= 0:
                out.append(f"{name} ({self.payment_dates[first].isoformat()})")
        return out

    @classmethod
    def concat(cls, parts: Sequence[Outcome]) -> Outcome:
        """Outcomes of consecutive scenario/path blocks, joined along S in the given order.

        Raises
        ------
        ScenarioError
            Nothing to join, or parts of different deals (tranches or dates differ).
        """
        if not parts:
            raise ScenarioError("outcome: nothing to concatenate")
        first = parts[0]
        for i, p in enumerate(parts[1:], start=1):
            if p.tranche_names != first.tranche_names or p.payment_dates != first.payment_dates:
                raise ScenarioError(f"outcome: part {i} belongs to a different deal or schedule")
        if len(parts) == 1:
            return first

        def cat(name: str) -> Any:
            return np.concatenate([getattr(p, name) for p in parts], axis=0)

        return cls(
            tranche_names=first.tranche_names,
            original_balance=first.original_balance,
            payment_dates=first.payment_dates,
            paid_in_full=cat("paid_in_full"),
            shortfall=cat("shortfall"),
            loss=cat("loss"),
            first_shortfall=cat("first_shortfall"),
            wal=cat("wal"),
            yld=cat("yld"),
            min_coverage=cat("min_coverage"),
            life_coverage=cat("life_coverage"),
            min_coverage_principal=cat("min_coverage_principal"),
            coverage=cat("coverage"),
            trigger_names=first.trigger_names,
            trigger_first=cat("trigger_first"),
            cdr=cat("cdr"),
            support_defaulted=cat("support_defaulted"),
            first_out_of_band=(
                None
                if any(p.first_out_of_band is None for p in parts)
                else cat("first_out_of_band")
            ),
        )

    def select(self, rows: Any) -> Outcome:
        """The scenarios/paths at ``rows`` (indices or a slice)."""
        idx = np.atleast_1d(np.arange(self.n_scenarios)[rows])

        def pick(name: str) -> Any:
            return getattr(self, name)[idx]

        return Outcome(
            tranche_names=self.tranche_names,
            original_balance=self.original_balance,
            payment_dates=self.payment_dates,
            paid_in_full=pick("paid_in_full"),
            shortfall=pick("shortfall"),
            loss=pick("loss"),
            first_shortfall=pick("first_shortfall"),
            wal=pick("wal"),
            yld=pick("yld"),
            min_coverage=pick("min_coverage"),
            life_coverage=pick("life_coverage"),
            min_coverage_principal=pick("min_coverage_principal"),
            coverage=pick("coverage"),
            trigger_names=self.trigger_names,
            trigger_first=pick("trigger_first"),
            cdr=pick("cdr"),
            support_defaulted=pick("support_defaulted"),
            first_out_of_band=(
                None if self.first_out_of_band is None else self.first_out_of_band[idx]
            ),
        )


def yields_at_par(cash: Any, times: Any, price: float, *, frequency: int = 1) -> FloatArray:
    """Yield per row of ``cash`` (S, T) paid at ``times`` (years) for ``price``, compounded
    ``frequency`` times a year (the deal's payment frequency in every table; annual by default).

    Solves Σₜ CFₜ·(1 + y)^(−τₜ) = price by Newton's method, each row on its own (a row stops
    when its step is below 1e-14, so its value never depends on the other rows), with the
    engine's measures-mode solver (:func:`waterfall.measures.yields_at_par`), so a yield is the
    same number in both modes. Rows with no
    cash get −1 (everything lost); rows where no yield above −100% exists get NaN.

    Examples
    --------
    >>> float(yields_at_par([[3.0, 103.0]], [1.0, 2.0], 100.0)[0]).__round__(12)
    0.03
    """
    from waterfall.measures import yields_at_par as solve

    cf = np.ascontiguousarray(cash, dtype=np.float64)
    if cf.ndim == 1:
        cf = cf[np.newaxis, :]
    out: FloatArray = solve(cf, np.ascontiguousarray(times, dtype=np.float64), float(price))
    if frequency != 1:
        out = np.asarray(yield_at_frequency(out, frequency), dtype=np.float64)
    return out


def project_stresses(
    deal: Deal,
    stresses: Sequence[Stress],
    *,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
) -> Collections:
    """Expected collections of each stress, stacked along S (shared projections reused).

    ``forecast`` is always the deal's BASE case (:func:`abs.projection.base_forecast`: what the
    offering document forecasts, never moved by a stress), so the collections-below-forecast
    trigger sees the stressed shortfall, and a scenario gives the same numbers alone or in a
    grid.

    Raises
    ------
    ScenarioError
        No stresses given.
    """
    if not stresses:
        raise ScenarioError("scenarios: no stresses to run")
    proj = projector if projector is not None else default_projector
    cache: dict[tuple[Any, ...], Collections] = {}
    base = projection_part(deal_base(deal, None, assumptions))
    base_key = projection_key(base)
    parts = []
    for st in stresses:
        key = projection_key(st)
        if key not in cache:
            cache[key] = proj(deal, assumptions, projection_part(st))
        parts.append(cache[key])
    if base_key not in cache:
        cache[base_key] = proj(deal, assumptions, base)
    forecast = cache[base_key].forecast
    stacked = parts[0] if len(parts) == 1 else Collections.stack(parts)
    return dataclasses.replace(stacked, forecast=forecast)


def engine_kwargs(stresses: Sequence[Stress]) -> dict[str, Any]:
    """The engine factors of each stress as (S,) arrays for ``waterfall.run``."""
    return {
        "rate_shift_bp": np.array([s.rate_shift_bp for s in stresses], dtype=np.float64),
        "originator_default": np.array([s.originator_default for s in stresses], dtype=bool),
        "guarantor_default": np.array([s.guarantor_default for s in stresses], dtype=bool),
    }


def missed_payments(
    deal: Deal, result: WaterfallResult, tranche: str, *, lost: Any = None
) -> BoolArray:
    """Periods (S, T) in which ``tranche`` missed a payment (the "paid in full" test).

    A senior or mezzanine tranche misses a period when interest is left unpaid or principal
    due is left unpaid by more than :data:`EPS`; a subordinated tranche only when principal is
    lost. Principal lost by the end (``lost``, default ``result.loss(tranche)``) marks the last
    period.
    """
    lost_v = result.loss(tranche) if lost is None else lost
    if deal.tranche(tranche).tranche_class is TrancheClass.SUBORDINATED:
        # 次级 has no promised timetable: paid in full = principal returned by the end.
        missed = np.zeros_like(result.interest[tranche].paid, dtype=bool)
    else:
        int_short = result.interest[tranche].shortfall
        prin_short = result.scheduled_principal_due(tranche) - result.principal[tranche].paid
        missed = (int_short > EPS) | (prin_short > EPS)
    missed[:, -1] |= lost_v > EPS
    return np.asarray(missed, dtype=bool)


def outcome_from_result(
    deal: Deal,
    collections: Collections,
    result: WaterfallResult,
    *,
    support_defaulted: Any = None,
) -> Outcome:
    """Measure every tranche of one engine run (see :class:`Outcome`)."""
    names = tuple(t.name for t in deal.tranches)
    s = result.n_scenarios
    times = result.year_times()
    k = len(names)
    paid_full = np.zeros((s, k), dtype=bool)
    shortfall = np.zeros((s, k))
    loss = np.zeros((s, k))
    first = np.full((s, k), -1, dtype=np.int64)
    wal = np.zeros((s, k))
    yld = np.zeros((s, k))
    min_cov = np.zeros((s, k))
    life_cov = np.zeros((s, k))
    min_cov_p = np.zeros((s, k))
    original = np.array([t.balance for t in deal.tranches], dtype=np.float64)
    freq = deal.dates.frequency.per_year or 1
    for i, name in enumerate(names):
        lost = result.loss(name)
        missed = missed_payments(deal, result, name, lost=lost)
        any_missed = missed.any(axis=1)
        paid_full[:, i] = ~any_missed
        first[:, i] = np.where(any_missed, np.argmax(missed, axis=1), -1)
        shortfall[:, i] = result.shortfall(name)
        loss[:, i] = lost / original[i]
        wal[:, i] = result.wal(name)
        yld[:, i] = yields_at_par(
            result.tranche_cash(name), times, float(original[i]), frequency=freq
        )
        min_cov[:, i] = result.min_coverage(through=name)
        life_cov[:, i] = result.life_coverage(through=name)
        min_cov_p[:, i] = result.min_coverage(through=name, include_principal=True)
    coverage = np.where(result.outstanding(), result.coverage(), np.nan)
    trig_names = tuple(f"{tr.event.zh}: {tr.name}" for tr in deal.triggers)
    trig_first = np.full((s, len(trig_names)), -1, dtype=np.int64)
    for e, tr in enumerate(deal.triggers):
        on = result.triggers[tr.name]
        trig_first[:, e] = np.where(on.any(axis=1), np.argmax(on, axis=1), -1)
    cdr = collections.defaults.sum(axis=1) / collections.initial_pool_balance
    sup = (
        np.zeros(s, dtype=bool)
        if support_defaulted is None
        else np.asarray(support_defaulted, dtype=bool).reshape(s)
    )
    return Outcome(
        tranche_names=names,
        original_balance=original,
        payment_dates=tuple(collections.payment_dates),
        paid_in_full=paid_full,
        shortfall=shortfall,
        loss=loss,
        first_shortfall=first,
        wal=wal,
        yld=yld,
        min_coverage=min_cov,
        life_coverage=life_cov,
        min_coverage_principal=min_cov_p,
        coverage=coverage,
        trigger_names=trig_names,
        trigger_first=trig_first,
        cdr=cdr,
        support_defaulted=sup,
        first_out_of_band=(
            result.revolving.kind_over_life().first_out
            if result.revolving is not None and result.revolving.has_data
            else None
        ),
    )


def outcome_from_measures(
    deal: Deal,
    collections: Collections,
    m: Measures,
    *,
    support_defaulted: Any = None,
) -> Outcome:
    """The :class:`Outcome` of a measures-mode run (the same numbers as
    :func:`outcome_from_result` on the full run; ``tests/waterfall/test_measures.py``)."""
    s = m.n_scenarios
    cdr = collections.defaults.sum(axis=1) / collections.initial_pool_balance
    sup = (
        np.zeros(s, dtype=bool)
        if support_defaulted is None
        else np.asarray(support_defaulted, dtype=bool).reshape(s)
    )
    return Outcome(
        tranche_names=m.tranche_names,
        original_balance=m.original_balance,
        payment_dates=m.payment_dates,
        paid_in_full=m.paid_in_full,
        shortfall=m.shortfall,
        loss=m.loss / m.original_balance,
        first_shortfall=m.first_missed,
        wal=m.wal,
        yld=m.yld,
        min_coverage=m.min_coverage,
        life_coverage=m.life_coverage,
        min_coverage_principal=m.min_coverage_principal,
        coverage=m.coverage,
        trigger_names=tuple(f"{tr.event.zh}: {tr.name}" for tr in deal.triggers),
        trigger_first=m.trigger_first,
        cdr=cdr,
        support_defaulted=sup,
        first_out_of_band=m.first_out_of_band,
    )


def _reference_rate(assumptions: Assumptions | None) -> float | None:
    return assumptions.reference_rate if assumptions is not None else None


def run_collections(
    deal: Deal,
    collections: Collections,
    stresses: Sequence[Stress],
    *,
    assumptions: Assumptions | None = None,
) -> tuple[WaterfallResult, Outcome]:
    """One engine call over ``collections`` (S rows) with the engine factors of ``stresses``.

    Raises
    ------
    ScenarioError
        The number of stresses differs from the collections' scenarios.
    """
    from waterfall import run

    if len(stresses) != collections.n_scenarios:
        raise ScenarioError(
            f"scenarios: {len(stresses)} stresses for {collections.n_scenarios} collection rows"
        )
    kw = engine_kwargs(stresses)
    result = run(deal, collections, reference_rate=_reference_rate(assumptions), **kw)
    return result, outcome_from_result(
        deal, collections, result, support_defaulted=kw["originator_default"]
    )


def run_stresses(
    deal: Deal,
    stresses: Sequence[Stress],
    *,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
) -> tuple[Collections, WaterfallResult, Outcome]:
    """Project every stress, stack, and run the engine once; returns (collections, result,
    outcome)."""
    coll = project_stresses(deal, stresses, assumptions=assumptions, projector=projector)
    result, outcome = run_collections(deal, coll, stresses, assumptions=assumptions)
    return coll, result, outcome


def support_defaults(deal: Deal, *, seed: int, first_path: int, n_paths: int) -> BoolArray:
    """Whether the 差额支付 provider is in default on each path (from its annual PD).

    Probability 1 − (1 − pd)^years (closing → expected maturity, ACT/365F); the uniforms come
    from ``SeedSequence(seed, spawn_key=(block, SUPPORT_STREAM))`` per projection block, so path
    p's draw depends only on (seed, p).
    """
    sc = deal.support.shortfall_commitment
    out = np.zeros(n_paths, dtype=bool)
    if sc is None or sc.default_probability <= 0:
        return out
    years = (deal.dates.expected_maturity_date - deal.dates.closing_date).days / 365.0
    p_life = 1.0 - (1.0 - sc.default_probability) ** years
    b = path_block_size()
    end = first_path + n_paths
    for block in range(first_path // b, (end - 1) // b + 1):
        ss = np.random.SeedSequence(seed, spawn_key=(block, SUPPORT_STREAM))
        u = np.random.default_rng(ss).random(b)
        lo = max(first_path, block * b)
        hi = min(end, (block + 1) * b)
        out[lo - first_path : hi - first_path] = u[lo - block * b : hi - block * b] < p_life
    return out


def simulate_outcome(
    deal: Deal,
    *,
    assumptions: Assumptions | None,
    seed: int,
    first_path: int,
    n_paths: int,
    stress: Stress | None = None,
    support_default: bool = True,
    model: PoolModel | None = None,
    threads: int = 1,
) -> Outcome:
    """Monte Carlo paths ``[first_path, first_path + n_paths)`` through the engine, measured.

    ``model`` is the deal's pool model (default: :func:`abs.projection.pool_model`); a run
    passes the same model to every chunk so the pool is laid out once. ``threads`` > 1 draws
    the paths' blocks in parallel threads (same numbers).
    """
    st = deal_base(deal, stress, assumptions)
    m = model if model is not None else pool_model(deal, assumptions)
    coll = m.simulate(
        n_paths=n_paths,
        seed=seed,
        first_path=first_path,
        stress=projection_part(st),
        threads=threads,
    )
    base = projection_part(deal_base(deal, None, assumptions))
    if projection_key(st) != projection_key(base):
        # the forecast stays the deal's base case (see project_stresses)
        coll = dataclasses.replace(coll, forecast=m.expected(base).forecast)
    # a revolving deal: what can be bought each period under this stress (docs/revolving.md)
    coll = replenishment.attach(deal, coll, assumptions=assumptions, stress=projection_part(st))
    drawn = (
        support_defaults(deal, seed=seed, first_path=first_path, n_paths=n_paths)
        if support_default
        else np.zeros(n_paths, dtype=bool)
    )
    from waterfall import run_measures

    orig = drawn | st.originator_default
    measures = run_measures(
        deal,
        coll,
        reference_rate=_reference_rate(assumptions),
        rate_shift_bp=np.full(n_paths, st.rate_shift_bp),
        originator_default=orig,
        guarantor_default=np.full(n_paths, st.guarantor_default),
        cash="none",
        coverage_by_period=False,
    )
    return outcome_from_measures(deal, coll, measures, support_defaulted=orig)


def run_paid_in_full(
    deal: Deal,
    collections: Collections,
    stresses: Sequence[Stress],
    *,
    assumptions: Assumptions | None = None,
) -> tuple[BoolArray, FloatArray]:
    """One engine call measuring only the pass test: (paid in full (S, K), CDR (S,)).

    The same engine run and the same test as :func:`run_collections` (``Outcome.paid_in_full``
    and ``Outcome.cdr``), without the other measures (yields, coverage, WAL), for searches that
    evaluate many scenarios.

    Raises
    ------
    ScenarioError
        The number of stresses differs from the collections' scenarios.
    """
    from waterfall import run_measures

    if len(stresses) != collections.n_scenarios:
        raise ScenarioError(
            f"scenarios: {len(stresses)} stresses for {collections.n_scenarios} collection rows"
        )
    measures = run_measures(
        deal,
        collections,
        reference_rate=_reference_rate(assumptions),
        yields=False,
        cash="none",
        **engine_kwargs(stresses),
    )
    paid = measures.paid_in_full
    cdr = collections.defaults.sum(axis=1) / collections.initial_pool_balance
    return paid, np.asarray(cdr, dtype=np.float64)


# --- one factor over many values: projection reuse ---------------------------------------------

#: Family modes (how :class:`StressFamily` obtains the collections of each value).
FAMILY_ENGINE = "engine"
FAMILY_MODEL = "model"
FAMILY_PER_VALUE = "per_value"


class ProjectionCache:
    """Expected-case projections of one deal, by projection key (see
    :func:`scenarios.factors.projection_key`), and the base case's forecast.

    With the built-in projection every key is a case of the deal's pool model
    (:func:`abs.projection.pool_model`: the pool is laid out once, a stress is a cheap
    derivation); with a custom projector each key is projected once.

    Parameters
    ----------
    deal : Deal
        The deal (with its pool).
    assumptions : Assumptions, optional
        Default: the deal's.
    projector : callable, optional
        ``(deal, assumptions, stress) -> Collections``; default :func:`default_projector`.
    """

    def __init__(
        self,
        deal: Deal,
        *,
        assumptions: Assumptions | None = None,
        projector: Projector | None = None,
    ) -> None:
        self.deal = deal
        self.assumptions = assumptions
        self.projector = projector
        self.projections = 0
        self._cache: dict[tuple[Any, ...], Collections] = {}

    @property
    def is_default(self) -> bool:
        """True when the projection is the built-in pool model (cases derive from it)."""
        return self.projector is None or self.projector is default_projector

    @property
    def model(self) -> PoolModel:
        """The deal's pool model (built-in projection only)."""
        return pool_model(self.deal, self.assumptions)

    def get(self, stress: Stress) -> Collections:
        """Collections of ``stress``'s projection factors (projected once per key)."""
        key = projection_key(stress)
        found = self._cache.get(key)
        if found is None:
            proj = self.projector if self.projector is not None else default_projector
            found = proj(self.deal, self.assumptions, projection_part(stress))
            self.projections += 1
            self._cache[key] = found
        return found

    @property
    def forecast(self) -> FloatArray:
        """The deal's base-case expected total per period (see :func:`project_stresses`)."""
        base = deal_base(self.deal, None, self.assumptions)
        return np.asarray(self.get(base).forecast, dtype=np.float64)


def _stack_rows(parts: Sequence[Collections], forecast: FloatArray) -> Collections:
    stacked = parts[0] if len(parts) == 1 else Collections.stack(list(parts))
    return dataclasses.replace(stacked, forecast=forecast, asset_table_source=None)


class StressFamily:
    """Expected collections of ``base`` with one factor set to many values.

    How the collections of a value are obtained (``mode``):

    * ``engine`` — an engine factor (rate shift): one projection serves every value.
    * ``model`` — a projection factor with the built-in projection: each value is a case of the
      deal's pool model (contract schedules laid out once; the haircut scales them, the credit
      and delay factors change only the compiled credit step, a usage factor recomputes the
      usage-driven models). This is the projection itself, not an approximation of it.
    * ``per_value`` — a custom projector: one projection per distinct value (cached).

    Parameters
    ----------
    cache : ProjectionCache
        Projections of the deal (shared between families).
    base : Stress
        Values of the other factors.
    factor : str
        Factor id (a :class:`~abs.assumptions.Stress` field).
    """

    def __init__(self, cache: ProjectionCache, base: Stress, factor: str) -> None:
        from scenarios.factors import FACTOR_BY_ID, Applied

        self.cache = cache
        self.base = base
        self.factor = FACTOR_BY_ID[factor]
        if self.factor.applied is Applied.ENGINE:
            self.mode = FAMILY_ENGINE
        elif cache.is_default:
            self.mode = FAMILY_MODEL
        else:
            self.mode = FAMILY_PER_VALUE

    def stress(self, value: float) -> Stress:
        """``base`` with the factor set to ``value`` (rounded for whole-period factors)."""
        from scenarios.factors import ValueKind, apply

        v: float | int = round(value) if self.factor.kind is ValueKind.INT else value
        return apply(self.base, **{self.factor.id: v})

    def collections(self, values: Sequence[float]) -> Collections:
        """Collections of every value stacked along S (``forecast``: the deal's base case).

        Equal to :func:`project_stresses` of the same stresses.
        """
        if not values:
            raise ScenarioError("scenarios: no factor values to project")
        if self.mode == FAMILY_ENGINE:
            one = self.cache.get(self.base)
            return _stack_rows([one] * len(values), self.cache.forecast)
        if self.mode == FAMILY_MODEL:
            model = self.cache.model
            parts = [
                replenishment.attach(
                    self.cache.deal,
                    model.expected(projection_part(self.stress(v))),
                    assumptions=self.cache.assumptions,
                    stress=projection_part(self.stress(v)),
                )
                for v in values
            ]
            base = deal_base(self.cache.deal, None, self.cache.assumptions)
            return _stack_rows(parts, np.asarray(model.expected(projection_part(base)).forecast))
        parts = [self.cache.get(self.stress(v)) for v in values]
        return _stack_rows(parts, self.cache.forecast)
