"""Break-even search (临界值): the harshest value of one factor a tranche survives.

For a tranche and a factor (临界收入降幅 = revenue haircut, 临界违约率 = PD multiplier, and as
the implied cumulative default rate), with every other factor fixed at a chosen scenario:

1. **Scan** — the factor range ``[lo, hi]`` is sampled on a coarse grid (21 points, or every
   whole period for a delay) in ONE vectorised engine call. Pass = the tranche is paid in full
   (never misses interest or principal due; see :mod:`scenarios.runner`). The scan checks
   monotonicity instead of assuming it: a pass that follows a fail is reported as a
   non-monotone region ``(fail value, pass value)``.
2. **Refinement (k-section)** — between the last passing and the first failing scan point,
   each *step* evaluates k values evenly spaced inside the bracket in one engine call and
   keeps the first failing value and the value before it, so the bracket shrinks (k + 1)-fold
   per step, until it is narrower than ``tol`` (default 1e-6 in the factor's unit) or
   ``max_steps`` (default 100) steps were made. The result is the largest value found to
   pass; ``fail_value`` is the smallest found to fail. k = 1 is the bisection.

k is chosen per step: when the factor's collections are derived without projecting each value
(:class:`scenarios.runner.StressFamily`: engine factors, and every projection factor of the
built-in projection, a case of the deal's pool model), as many values as reach ``tol`` in the
fewest steps (at most :data:`KSECTION_MAX`: about 3 steps for a haircut, 4 for a PD multiple);
otherwise (a custom projector) 1 (a projection per value makes halving cheapest).
Every tranche and factor of :func:`breakeven_all` / :func:`breakeven_table` share the scan
call and each step's call; a tranche's result does not depend on the others searched with it.
``method="bisect"`` runs the former one-value-per-call bisection (reference and benchmark
baseline).

Statuses: ``found``; ``never_fails`` (passes at ``hi``: the break-even is at least ``hi``);
``fails_at_lo`` (fails even at ``lo``); ``not_converged`` (``max_steps`` reached first).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from abs.assumptions import Assumptions, Stress
from abs.cashflows import Collections
from abs.deal import Deal
from abs.errors import ScenarioError
from scenarios.factors import FACTOR_BY_ID, Factor, ValueKind, apply, get_factor
from scenarios.runner import (
    FAMILY_PER_VALUE,
    ProjectionCache,
    Projector,
    StressFamily,
    deal_base,
    project_stresses,
    run_paid_in_full,
    run_stresses,
)

#: Coarse scan size for continuous factors.
SCAN_POINTS = 21
#: Default bisection tolerance (factor units).
DEFAULT_TOL = 1e-6
#: Default limit on refinement steps (k-section rounds; halvings for ``bisect``).
DEFAULT_MAX_STEPS = 100
#: Most values per k-section step chosen automatically (the engine's cost hardly grows with S
#: up to about a thousand scenarios; the derived collections cost a little per value).
KSECTION_MAX = 63
#: Most values per step a caller may ask for.
KSECTION_LIMIT = 1024

Status = Literal["found", "never_fails", "fails_at_lo", "not_converged"]
Method = Literal["ksection", "bisect"]
#: Search methods.
METHODS: tuple[str, ...] = ("ksection", "bisect")

COL_TRANCHE = "档位 tranche"
COL_FACTOR = "因子 factor"
COL_VALUE = "临界值 break-even"
COL_UNIT = "单位 unit"
COL_FAIL = "首个失败值 first failing value"
COL_CDR = "隐含累计违约率 implied CDR"
COL_STATUS = "状态 status"
COL_MONOTONE = "单调 monotone"
COL_REGIONS = "非单调区间 non-monotone regions"
COL_STEPS = "步数 steps"
BREAKEVEN_COLUMNS = (
    COL_TRANCHE,
    COL_FACTOR,
    COL_VALUE,
    COL_UNIT,
    COL_FAIL,
    COL_CDR,
    COL_STATUS,
    COL_MONOTONE,
    COL_REGIONS,
    COL_STEPS,
)

#: Chinese reading of each status.
STATUS_ZH: dict[str, str] = {
    "found": "已找到",
    "never_fails": "搜索范围内未违约",
    "fails_at_lo": "起点即违约",
    "not_converged": "未收敛",
}


def format_breakeven(factor_id: str, value: float, status: str, *, lang: str = "zh") -> str:
    """A break-even as a structurer reads it, the same on every surface.

    Fractions as a percentage with two decimals (收入下降 0.4585 → "45.85%"), multiples with
    "×" (违约率倍数 18.648 → "18.65×"), periods as "2 期", basis points as "150 bp". A tranche
    that never fails within the searched range reads "不触发（≥ 50.00×）" / "never fails
    (≥ 50.00×)", and one that fails already at the mild end "起点即违约" / "fails at once",
    never the search bound as if it were a break-even.

    Examples
    --------
    >>> format_breakeven("revenue_haircut", 0.458510, "found")
    '45.85%'
    >>> format_breakeven("pd_multiplier", 50.0, "never_fails", lang="en")
    'never fails (≥ 50.00×)'
    """
    from scenarios.factors import FACTOR_BY_ID

    unit = FACTOR_BY_ID[factor_id].unit if factor_id in FACTOR_BY_ID else ""
    if not math.isfinite(value):
        shown = "—"
    elif unit.startswith("fraction"):
        shown = f"{value * 100:.2f}%"
    elif unit.startswith("×"):
        shown = f"{value:.2f}×"
    elif unit.startswith("periods"):
        shown = f"{value:g} 期" if lang == "zh" else f"{value:g} periods"
    elif unit.startswith("percentage points"):
        shown = f"{value:.2f} pp"
    elif unit.startswith("basis points"):
        shown = f"{value:.0f} bp"
    else:
        shown = f"{value:.2f}"
    if status == "never_fails":
        return f"不触发（≥ {shown}）" if lang == "zh" else f"never fails (≥ {shown})"
    if status == "fails_at_lo":
        return "起点即违约" if lang == "zh" else "fails at once"
    if status == "not_converged":
        return f"{shown}（未收敛）" if lang == "zh" else f"{shown} (not converged)"
    return shown


@dataclass(frozen=True)
class BreakevenResult:
    """Outcome of one break-even search.

    Attributes
    ----------
    tranche, factor : str
        What was searched (factor id).
    value : float
        Largest value found at which the tranche is paid in full (``lo`` when it fails there;
        ``hi`` when it never fails).
    fail_value : float or None
        Smallest value found at which it is not (None when it never fails).
    status : str
        ``found``, ``never_fails``, ``fails_at_lo`` or ``not_converged``.
    steps : int
        Refinement steps taken (≤ ``max_steps``): k-section rounds, each one engine call of
        up to k values (halvings for ``method="bisect"``).
    evaluations : int
        Scenario evaluations in total (scan values + every value of every step).
    lo, hi, tol : float
        Search range and tolerance.
    scan_values, scan_passes : tuple
        The coarse scan: values and whether each passed.
    non_monotone : tuple of (float, float)
        Regions where a pass follows a fail: (failing value, later passing value).
    cumulative_default_rate : float or None
        Expected cumulative default rate (defaults / 入池本金) of the pool at ``value``: the
        临界违约率 when the factor is ``pd_multiplier``.
    base : Stress
        The other factors' values during the search.
    """

    tranche: str
    factor: str
    value: float
    fail_value: float | None
    status: Status
    steps: int
    evaluations: int
    lo: float
    hi: float
    tol: float
    scan_values: tuple[float, ...]
    scan_passes: tuple[bool, ...]
    non_monotone: tuple[tuple[float, float], ...]
    cumulative_default_rate: float | None
    base: Stress = field(default_factory=Stress)

    @property
    def monotone(self) -> bool:
        """True when the scan found no pass after a fail."""
        return not self.non_monotone

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the ``dabs breakeven --json`` shape)."""
        f = FACTOR_BY_ID[self.factor]
        return {
            "tranche": self.tranche,
            "factor": self.factor,
            "factor_zh": f.zh,
            "unit": f.unit,
            "value": self.value,
            "fail_value": self.fail_value,
            "status": self.status,
            "status_zh": STATUS_ZH[self.status],
            "steps": self.steps,
            "evaluations": self.evaluations,
            "lo": self.lo,
            "hi": self.hi,
            "tol": self.tol,
            "monotone": self.monotone,
            "non_monotone_regions": [list(r) for r in self.non_monotone],
            "implied_cumulative_default_rate": self.cumulative_default_rate,
            "scan": [
                {"value": v, "paid_in_full": p}
                for v, p in zip(self.scan_values, self.scan_passes, strict=True)
            ],
            "base_stress": self.base.model_dump(mode="json"),
        }


class _Evaluator:
    """Runs a batch of factor values (one engine call) and records pass/fail per tranche."""

    def __init__(
        self,
        deal: Deal,
        factor: Factor,
        base: Stress,
        assumptions: Assumptions | None,
        projector: Projector | None,
    ) -> None:
        self.deal = deal
        self.factor = factor
        self.base = base
        self.assumptions = assumptions
        self.projector = projector
        self.count = 0

    def stress(self, value: float) -> Stress:
        v: float | int | bool = round(value) if self.factor.kind is ValueKind.INT else value
        return apply(self.base, **{self.factor.id: v})

    def run(self, values: Sequence[float]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Pass flags per tranche (len(values),) and the expected CDR per value."""
        stresses = [self.stress(v) for v in values]
        self.count += len(values)
        coll, _res, outcome = run_stresses(
            self.deal, stresses, assumptions=self.assumptions, projector=self.projector
        )
        cdr = coll.defaults.sum(axis=1) / coll.initial_pool_balance
        flags = {n: outcome.paid_in_full[:, k] for k, n in enumerate(outcome.tranche_names)}
        return flags, cdr


def _scan_values(factor: Factor, lo: float, hi: float) -> list[float]:
    if factor.kind is ValueKind.INT:
        a, b = int(lo), int(hi)
        step = 1 if b >= a else -1
        pts = list(range(a, b + step, step))
        if len(pts) > 4 * SCAN_POINTS:
            idx = np.unique(np.linspace(0, len(pts) - 1, 4 * SCAN_POINTS).round().astype(int))
            pts = [pts[i] for i in idx]
        return [float(p) for p in pts]
    return [float(x) for x in np.linspace(lo, hi, SCAN_POINTS)]


def _regions(values: Sequence[float], passes: Sequence[bool]) -> tuple[tuple[float, float], ...]:
    out: list[tuple[float, float]] = []
    first_fail: float | None = None
    for v, p in zip(values, passes, strict=True):
        if not p and first_fail is None:
            first_fail = v
        elif p and first_fail is not None:
            out.append((first_fail, v))
            first_fail = None
    return tuple(out)


def _range(deal: Deal, factor: Factor, lo: float | None, hi: float | None) -> tuple[float, float]:
    lo_v = factor.search_min if lo is None else float(lo)
    if hi is not None:
        hi_v = float(hi)
    elif factor.id == "collection_delay":
        from abs.calendar import build_schedule

        hi_v = float(build_schedule(deal.dates).period_count)
    else:
        hi_v = factor.search_max
    for name, v in (("lo", lo_v), ("hi", hi_v)):
        factor.check(v, where=f"breakeven {name}")
    if lo_v == hi_v or (hi_v - lo_v) * factor.direction < 0:
        raise ScenarioError(
            f"breakeven: factor '{factor.id}' range lo={lo_v:g} → hi={hi_v:g} must run from "
            f"mild to harsh ({'increasing' if factor.direction > 0 else 'decreasing'} values)"
        )
    return lo_v, hi_v


def _bisect(
    ev: _Evaluator,
    tranche: str,
    good: float,
    bad: float,
    *,
    tol: float,
    max_steps: int,
) -> tuple[float, float, int, float, bool]:
    """Bisection between a passing and a failing value; returns (good, bad, steps, cdr, done)."""
    integer = ev.factor.kind is ValueKind.INT
    steps = 0
    cdr_good = math.nan

    def narrow_enough(a: float, b: float) -> bool:
        return abs(b - a) <= (1.0 if integer else tol)

    while not narrow_enough(good, bad) and steps < max_steps:
        mid = (good + bad) / 2.0
        if integer:
            mid = float(math.floor(mid) if bad > good else math.ceil(mid))
        passed, cdr = ev.run([mid])
        steps += 1
        if bool(passed[tranche][0]):
            good, cdr_good = mid, float(cdr[0])
        else:
            bad = mid
    return good, bad, steps, cdr_good, narrow_enough(good, bad)


def _search(
    ev: _Evaluator,
    tranche: str,
    values: list[float],
    passes: np.ndarray,
    cdrs: np.ndarray,
    *,
    lo: float,
    hi: float,
    tol: float,
    max_steps: int,
) -> BreakevenResult:
    flags = tuple(bool(p) for p in passes)
    regions = _regions(values, flags)
    common: dict[str, Any] = {
        "tranche": tranche,
        "factor": ev.factor.id,
        "lo": lo,
        "hi": hi,
        "tol": tol,
        "scan_values": tuple(values),
        "scan_passes": flags,
        "non_monotone": regions,
        "base": ev.base,
    }
    if not flags[0]:
        return BreakevenResult(
            value=lo,
            fail_value=lo,
            status="fails_at_lo",
            steps=0,
            evaluations=len(values),
            cumulative_default_rate=float(cdrs[0]),
            **common,
        )
    first_fail = next((i for i, p in enumerate(flags) if not p), None)
    if first_fail is None:
        return BreakevenResult(
            value=hi,
            fail_value=None,
            status="never_fails",
            steps=0,
            evaluations=len(values),
            cumulative_default_rate=float(cdrs[-1]),
            **common,
        )
    start = ev.count
    good, bad, steps, cdr, done = _bisect(
        ev, tranche, values[first_fail - 1], values[first_fail], tol=tol, max_steps=max_steps
    )
    if math.isnan(cdr):
        cdr = float(cdrs[first_fail - 1])
    return BreakevenResult(
        value=good,
        fail_value=bad,
        status="found" if done else "not_converged",
        steps=steps,
        evaluations=len(values) + ev.count - start,
        cumulative_default_rate=cdr,
        **common,
    )


# --- k-section: many candidates per round, every tranche and factor in one engine call ---------


class _Family:
    """One factor's search setup: range, scan values and the collections of its values."""

    def __init__(
        self,
        deal: Deal,
        factor: Factor,
        cache: ProjectionCache,
        base: Stress,
        lo: float | None,
        hi: float | None,
    ) -> None:
        self.factor = factor
        self.lo, self.hi = _range(deal, factor, lo, hi)
        self.values = _scan_values(factor, self.lo, self.hi)
        self.stress_family = StressFamily(cache, base, factor.id)

    @property
    def integer(self) -> bool:
        return self.factor.kind is ValueKind.INT

    @property
    def derived(self) -> bool:
        """True when a value's collections are cheap (no projection of its own)."""
        return self.stress_family.mode != FAMILY_PER_VALUE


@dataclass
class _Job:
    """The refinement of one tranche × factor between a passing and a failing value."""

    family: _Family
    tranche: str
    good: float
    bad: float
    cdr_good: float
    tol: float
    max_steps: int
    candidates: int | None
    steps: int = 0
    evaluated: int = 0
    pending: list[float] = field(default_factory=list)

    def narrow(self) -> bool:
        return abs(self.bad - self.good) <= (1.0 if self.family.integer else self.tol)

    @property
    def active(self) -> bool:
        return not self.narrow() and self.steps < self.max_steps

    def per_round(self) -> int:
        """Candidates of the next round (k); the bracket shrinks (k + 1)-fold."""
        if self.candidates is not None:
            return self.candidates
        if not self.family.derived:
            return 1  # a projection per candidate: halving needs the fewest
        ratio = abs(self.bad - self.good) / (1.0 if self.family.integer else self.tol)
        # fewest steps r with (KSECTION_MAX + 1)^r >= ratio, then the smallest k doing it in r
        rounds = max(1, math.ceil(math.log(ratio) / math.log(KSECTION_MAX + 1) - 1e-12))
        k = math.ceil(math.pow(ratio, 1.0 / rounds) * (1.0 + 1e-9)) - 1
        return min(KSECTION_MAX, max(1, k))

    def next_candidates(self) -> list[float]:
        """Values strictly inside (good, bad), evenly spaced, ordered from good to bad."""
        k = self.per_round()
        good, bad = self.good, self.bad
        if self.family.integer:
            step = 1 if bad > good else -1
            inside = [float(v) for v in range(int(good) + step, int(bad), step)]
            if len(inside) <= k:
                return inside
            if k == 1:  # the bisection's midpoint, rounded towards the passing end
                mid = (good + bad) / 2.0
                return [float(math.floor(mid) if bad > good else math.ceil(mid))]
            pts = [float(round(good + (bad - good) * j / (k + 1))) for j in range(1, k + 1)]
            return sorted(set(pts) - {good, bad}, key=lambda v: (v - good) * step)
        if k == 1:
            return [(good + bad) / 2.0]
        return [good + (bad - good) * (j / (k + 1)) for j in range(1, k + 1)]

    def update(
        self, values: Sequence[float], passed: Sequence[bool], cdrs: Sequence[float]
    ) -> None:
        """Keep the first failing candidate and the one before it (the bracket's new ends)."""
        self.steps += 1
        self.evaluated += len(values)
        for v, p, c in zip(values, passed, cdrs, strict=True):
            if p:
                self.good, self.cdr_good = v, c
            else:
                self.bad = v
                return


def _evaluate(
    deal: Deal,
    batches: Sequence[tuple[_Family, Sequence[float]]],
    assumptions: Assumptions | None,
    forecast: np.ndarray,
) -> list[tuple[dict[str, np.ndarray], np.ndarray]]:
    """Every (family, values) batch in ONE engine call: pass flags per tranche and CDR each."""
    parts = [fam.stress_family.collections(vals) for fam, vals in batches]
    stresses = [fam.stress_family.stress(v) for fam, vals in batches for v in vals]
    coll = parts[0] if len(parts) == 1 else Collections.stack(parts)
    coll = dataclasses.replace(coll, forecast=forecast)
    paid, cdr = run_paid_in_full(deal, coll, stresses, assumptions=assumptions)
    names = [t.name for t in deal.tranches]
    out = []
    start = 0
    for _fam, vals in batches:
        rows = slice(start, start + len(vals))
        out.append(({n: paid[rows, k] for k, n in enumerate(names)}, cdr[rows]))
        start += len(vals)
    return out


def _ksection(
    deal: Deal,
    requests: Sequence[tuple[str, float | None, float | None]],
    *,
    tranches: Sequence[str],
    base: Stress,
    tol: float,
    max_steps: int,
    candidates: int | None,
    assumptions: Assumptions | None,
    projector: Projector | None,
) -> list[list[BreakevenResult]]:
    """Break-evens of every tranche for each (factor, lo, hi) request, searched together."""
    cache = ProjectionCache(deal, assumptions=assumptions, projector=projector)
    families = [_Family(deal, get_factor(fac), cache, base, lo, hi) for fac, lo, hi in requests]
    forecast = cache.forecast
    scans = _evaluate(deal, [(fam, fam.values) for fam in families], assumptions, forecast)
    jobs: dict[tuple[int, str], _Job] = {}
    for i, (fam, (passes, cdrs)) in enumerate(zip(families, scans, strict=True)):
        for name in tranches:
            flags = [bool(p) for p in passes[name]]
            first_fail = next((j for j, p in enumerate(flags) if not p), None)
            if first_fail is not None and first_fail > 0:
                jobs[i, name] = _Job(
                    family=fam,
                    tranche=name,
                    good=fam.values[first_fail - 1],
                    bad=fam.values[first_fail],
                    cdr_good=float(cdrs[first_fail - 1]),
                    tol=tol,
                    max_steps=max_steps,
                    candidates=candidates,
                )
    while True:
        active = [j for j in jobs.values() if j.active]
        if not active:
            break
        wanted: dict[int, list[float]] = {}
        for job in active:
            job.pending = job.next_candidates()
            fam_vals = wanted.setdefault(id(job.family), [])
            fam_vals.extend(job.pending)
        by_id = {id(f): f for f in families}
        batches = [(by_id[i], sorted(set(v))) for i, v in wanted.items()]
        results = _evaluate(deal, batches, assumptions, forecast)
        lookup: dict[tuple[int, float, str], tuple[bool, float]] = {}
        for (fam, vals), (passes, cdrs) in zip(batches, results, strict=True):
            for name in tranches:
                for v, p, c in zip(vals, passes[name], cdrs, strict=True):
                    lookup[id(fam), v, name] = (bool(p), float(c))
        for job in active:
            got = [lookup[id(job.family), v, job.tranche] for v in job.pending]
            job.update(job.pending, [g[0] for g in got], [g[1] for g in got])
    out: list[list[BreakevenResult]] = []
    for i, (fam, (passes, cdrs)) in enumerate(zip(families, scans, strict=True)):
        rows = []
        for name in tranches:
            rows.append(_result(fam, name, passes[name], cdrs, jobs.get((i, name)), base, tol))
        out.append(rows)
    return out


def _result(
    fam: _Family,
    tranche: str,
    passes: np.ndarray,
    cdrs: np.ndarray,
    job: _Job | None,
    base: Stress,
    tol: float,
) -> BreakevenResult:
    flags = tuple(bool(p) for p in passes)
    common: dict[str, Any] = {
        "tranche": tranche,
        "factor": fam.factor.id,
        "lo": fam.lo,
        "hi": fam.hi,
        "tol": tol,
        "scan_values": tuple(fam.values),
        "scan_passes": flags,
        "non_monotone": _regions(fam.values, flags),
        "base": base,
    }
    n = len(fam.values)
    if not flags[0]:
        return BreakevenResult(
            value=fam.lo,
            fail_value=fam.lo,
            status="fails_at_lo",
            steps=0,
            evaluations=n,
            cumulative_default_rate=float(cdrs[0]),
            **common,
        )
    if job is None:
        return BreakevenResult(
            value=fam.hi,
            fail_value=None,
            status="never_fails",
            steps=0,
            evaluations=n,
            cumulative_default_rate=float(cdrs[-1]),
            **common,
        )
    return BreakevenResult(
        value=job.good,
        fail_value=job.bad,
        status="found" if job.narrow() else "not_converged",
        steps=job.steps,
        evaluations=n + job.evaluated,
        cumulative_default_rate=job.cdr_good,
        **common,
    )


def _check_args(factor: str, tol: float, max_steps: int, candidates: int | None) -> Factor:
    f = get_factor(factor)
    if not f.searchable:
        raise ScenarioError(
            f"breakeven: factor '{f.id}' ({f.zh}) is on/off; a break-even needs a numeric factor"
        )
    if not tol > 0:
        raise ScenarioError(f"breakeven: tol must be > 0; got {tol!r}")
    if max_steps < 1 or max_steps > DEFAULT_MAX_STEPS:
        raise ScenarioError(
            f"breakeven: max_steps must be between 1 and {DEFAULT_MAX_STEPS}; got {max_steps!r}"
        )
    if candidates is not None and not 1 <= candidates <= KSECTION_LIMIT:
        raise ScenarioError(
            f"breakeven: candidates must be between 1 and {KSECTION_LIMIT}; got {candidates!r}"
        )
    return f


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ScenarioError(
            f"breakeven: method must be one of {', '.join(METHODS)}; got {method!r}"
        )


def breakeven(
    deal: Deal,
    *,
    tranche: str,
    factor: str,
    base: Stress | None = None,
    lo: float | None = None,
    hi: float | None = None,
    tol: float = DEFAULT_TOL,
    max_steps: int = DEFAULT_MAX_STEPS,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
    method: Method = "ksection",
    candidates: int | None = None,
) -> BreakevenResult:
    """The largest stress on ``factor`` at which ``tranche`` is still paid in full.

    Parameters
    ----------
    deal : Deal
        The deal (with its pool).
    tranche : str
        Tranche name.
    factor : str
        Factor id or Chinese name (``revenue_haircut``/收入下降, ``pd_multiplier``/违约率倍数 ...);
        on/off factors cannot be searched.
    base : Stress, optional
        Values of the other factors during the search (default: the deal's base adjustments,
        :func:`scenarios.runner.deal_base`); the searched factor's value in ``base`` is ignored.
    lo, hi : float, optional
        Mildest and harshest value searched (defaults: the factor's ``search_min`` and
        ``search_max``; for ``collection_delay`` the number of payment periods).
    tol : float
        The search stops when the bracket is narrower than this (factor units).
    max_steps : int
        At most this many refinement steps (k-section rounds, or halvings for ``bisect``).
    assumptions : Assumptions, optional
        Default: the deal's.
    projector : callable, optional
        ``(deal, assumptions, stress) -> Collections``; default: the expected-case projection.
    method : {"ksection", "bisect"}
        ``ksection`` (default): each step evaluates ``candidates`` values in one engine call;
        ``bisect``: the former one-value-per-step bisection (kept as a reference).
    candidates : int, optional
        Values per k-section step (1 = bisection midpoints). Default: as many as reach ``tol``
        in the fewest steps (at most :data:`KSECTION_MAX`) when the factor's collections are
        derived without a projection per value, else 1.

    Returns
    -------
    BreakevenResult

    Raises
    ------
    ScenarioError
        Unknown factor or method, an on/off factor, a bad range, tol ≤ 0, max_steps outside
        1..100 or candidates outside 1..1024.
    DealSpecError
        Unknown tranche.
    """
    f = _check_args(factor, tol, max_steps, candidates)
    _check_method(method)
    deal.tranche(tranche)  # raises DealSpecError naming the tranches
    st = deal_base(deal, base, assumptions)
    if method == "bisect":
        lo_v, hi_v = _range(deal, f, lo, hi)
        ev = _Evaluator(deal, f, st, assumptions, projector)
        values = _scan_values(f, lo_v, hi_v)
        passes, cdrs = ev.run(values)
        return _search(
            ev,
            tranche,
            values,
            passes[tranche],
            cdrs,
            lo=lo_v,
            hi=hi_v,
            tol=tol,
            max_steps=max_steps,
        )
    return _ksection(
        deal,
        [(f.id, lo, hi)],
        tranches=[tranche],
        base=st,
        tol=tol,
        max_steps=max_steps,
        candidates=candidates,
        assumptions=assumptions,
        projector=projector,
    )[0][0]


def breakeven_all(
    deal: Deal,
    *,
    factor: str,
    tranches: Sequence[str] | None = None,
    base: Stress | None = None,
    lo: float | None = None,
    hi: float | None = None,
    tol: float = DEFAULT_TOL,
    max_steps: int = DEFAULT_MAX_STEPS,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
    method: Method = "ksection",
    candidates: int | None = None,
) -> list[BreakevenResult]:
    """:func:`breakeven` for several tranches sharing one coarse scan (same arguments).

    With ``ksection`` every step of every tranche runs in one engine call; each tranche's
    result is the one :func:`breakeven` gives it alone.
    """
    f = _check_args(factor, tol, max_steps, candidates)
    _check_method(method)
    names = list(tranches) if tranches is not None else [t.name for t in deal.tranches]
    for n in names:
        deal.tranche(n)
    st = deal_base(deal, base, assumptions)
    if method == "bisect":
        lo_v, hi_v = _range(deal, f, lo, hi)
        ev = _Evaluator(deal, f, st, assumptions, projector)
        values = _scan_values(f, lo_v, hi_v)
        passes, cdrs = ev.run(values)
        return [
            _search(ev, n, values, passes[n], cdrs, lo=lo_v, hi=hi_v, tol=tol, max_steps=max_steps)
            for n in names
        ]
    return _ksection(
        deal,
        [(f.id, lo, hi)],
        tranches=names,
        base=st,
        tol=tol,
        max_steps=max_steps,
        candidates=candidates,
        assumptions=assumptions,
        projector=projector,
    )[0]


def breakeven_table(
    deal: Deal,
    factors: Sequence[str] = ("revenue_haircut", "pd_multiplier"),
    *,
    base: Stress | None = None,
    tranches: Sequence[str] | None = None,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
    tol: float = DEFAULT_TOL,
    max_steps: int = DEFAULT_MAX_STEPS,
    method: Method = "ksection",
    candidates: int | None = None,
) -> pd.DataFrame:
    """Break-even of every tranche for each factor, as a table with Chinese headers.

    Rows: tranche × factor. Columns :data:`BREAKEVEN_COLUMNS`: the break-even value, its unit,
    the first failing value, the implied cumulative default rate (临界违约率 for
    ``pd_multiplier``), status, monotonicity and any non-monotone regions, refinement steps.
    With ``ksection`` all factors' scans share one engine call, and so does each step of every
    tranche × factor search.
    """
    fs = [_check_args(fac, tol, max_steps, candidates) for fac in factors]
    _check_method(method)
    names = list(tranches) if tranches is not None else [t.name for t in deal.tranches]
    for n in names:
        deal.tranche(n)
    if method == "bisect":
        per_factor = [
            breakeven_all(
                deal,
                factor=f.id,
                tranches=names,
                base=base,
                assumptions=assumptions,
                projector=projector,
                tol=tol,
                max_steps=max_steps,
                method="bisect",
            )
            for f in fs
        ]
    elif fs:
        per_factor = _ksection(
            deal,
            [(f.id, None, None) for f in fs],
            tranches=names,
            base=deal_base(deal, base, assumptions),
            tol=tol,
            max_steps=max_steps,
            candidates=candidates,
            assumptions=assumptions,
            projector=projector,
        )
    else:
        per_factor = []
    rows = []
    for f, results in zip(fs, per_factor, strict=True):
        for r in results:
            rows.append(
                {
                    COL_TRANCHE: r.tranche,
                    COL_FACTOR: f.label,
                    COL_VALUE: r.value,
                    COL_UNIT: f.unit,
                    COL_FAIL: r.fail_value if r.fail_value is not None else math.nan,
                    COL_CDR: r.cumulative_default_rate,
                    COL_STATUS: f"{STATUS_ZH[r.status]} ({r.status})",
                    COL_MONOTONE: r.monotone,
                    COL_REGIONS: "; ".join(f"{a:g}→{b:g}" for a, b in r.non_monotone),
                    COL_STEPS: r.steps,
                }
            )
    return pd.DataFrame(rows, columns=list(BREAKEVEN_COLUMNS))


def base_cumulative_default_rate(
    deal: Deal,
    *,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
) -> float:
    """Expected cumulative default rate of the pool with no stress (defaults / 入池本金).

    This is the rating view's target default rate: the unstressed expected case.
    """
    coll = project_stresses(deal, [Stress()], assumptions=assumptions, projector=projector)
    return float(coll.defaults.sum() / coll.initial_pool_balance)
