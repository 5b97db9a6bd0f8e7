"""Break-even search (临界值): the harshest value of one factor a tranche survives.

For a tranche and a factor (临界收入降幅 = revenue haircut, 临界违约率 = PD multiplier, and as
the implied cumulative default rate), with every other factor fixed at a chosen scenario:

1. **Scan** — the factor range ``[lo, hi]`` is sampled on a coarse grid (21 points, or every
   whole period for a delay) in ONE vectorised engine call. Pass = the tranche is paid in full
   (never misses interest or principal due; see :mod:`scenarios.runner`). The scan checks
   monotonicity instead of assuming it: a pass that follows a fail is reported as a
   non-monotone region ``(fail value, pass value)``.
2. **Bisection** — between the last passing and the first failing scan point, halving the
   bracket until it is narrower than ``tol`` (default 1e-6 in the factor's unit) or
   ``max_steps`` (default 100) halvings were made. The result is the largest value found to
   pass; ``fail_value`` is the smallest found to fail.

Statuses: ``found``; ``never_fails`` (passes at ``hi``: the break-even is at least ``hi``);
``fails_at_lo`` (fails even at ``lo``); ``not_converged`` (``max_steps`` reached first).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from abs.assumptions import Assumptions, Stress
from abs.deal import Deal
from abs.errors import ScenarioError
from scenarios.factors import FACTOR_BY_ID, Factor, ValueKind, apply, get_factor
from scenarios.runner import Projector, project_stresses, run_stresses

#: Coarse scan size for continuous factors.
SCAN_POINTS = 21
#: Default bisection tolerance (factor units).
DEFAULT_TOL = 1e-6
#: Default limit on bisection steps.
DEFAULT_MAX_STEPS = 100

Status = Literal["found", "never_fails", "fails_at_lo", "not_converged"]

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
        Bisection steps taken (≤ ``max_steps``).
    evaluations : int
        Scenario evaluations in total (scan + bisection).
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
        Values of the other factors during the search (default: none); the searched factor's
        value in ``base`` is ignored.
    lo, hi : float, optional
        Mildest and harshest value searched (defaults: the factor's ``search_min`` and
        ``search_max``; for ``collection_delay`` the number of payment periods).
    tol : float
        Bisection stops when the bracket is narrower than this (factor units).
    max_steps : int
        At most this many bisection steps.
    assumptions : Assumptions, optional
        Default: the deal's.
    projector : callable, optional
        ``(deal, assumptions, stress) -> Collections``; default: the expected-case projection.

    Returns
    -------
    BreakevenResult

    Raises
    ------
    ScenarioError
        Unknown tranche or factor, an on/off factor, a bad range, tol ≤ 0 or max_steps < 1.
    """
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
    deal.tranche(tranche)  # raises DealSpecError naming the tranches
    lo_v, hi_v = _range(deal, f, lo, hi)
    ev = _Evaluator(deal, f, base if base is not None else Stress(), assumptions, projector)
    values = _scan_values(f, lo_v, hi_v)
    passes, cdrs = ev.run(values)
    return _search(
        ev, tranche, values, passes[tranche], cdrs, lo=lo_v, hi=hi_v, tol=tol, max_steps=max_steps
    )


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
) -> list[BreakevenResult]:
    """:func:`breakeven` for several tranches sharing one coarse scan (same arguments)."""
    f = get_factor(factor)
    if not f.searchable:
        raise ScenarioError(
            f"breakeven: factor '{f.id}' ({f.zh}) is on/off; a break-even needs a numeric factor"
        )
    if not tol > 0:
        raise ScenarioError(f"breakeven: tol must be > 0; got {tol!r}")
    names = list(tranches) if tranches is not None else [t.name for t in deal.tranches]
    for n in names:
        deal.tranche(n)
    lo_v, hi_v = _range(deal, f, lo, hi)
    ev = _Evaluator(deal, f, base if base is not None else Stress(), assumptions, projector)
    values = _scan_values(f, lo_v, hi_v)
    passes, cdrs = ev.run(values)
    return [
        _search(ev, n, values, passes[n], cdrs, lo=lo_v, hi=hi_v, tol=tol, max_steps=max_steps)
        for n in names
    ]


def breakeven_table(
    deal: Deal,
    factors: Sequence[str] = ("revenue_haircut", "pd_multiplier"),
    *,
    base: Stress | None = None,
    tranches: Sequence[str] | None = None,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
    tol: float = DEFAULT_TOL,
) -> pd.DataFrame:
    """Break-even of every tranche for each factor, as a table with Chinese headers.

    Rows: tranche × factor. Columns :data:`BREAKEVEN_COLUMNS`: the break-even value, its unit,
    the first failing value, the implied cumulative default rate (临界违约率 for
    ``pd_multiplier``), status, monotonicity and any non-monotone regions, bisection steps.
    """
    rows = []
    for fac in factors:
        f = get_factor(fac)
        for r in breakeven_all(
            deal,
            factor=f.id,
            tranches=tranches,
            base=base,
            assumptions=assumptions,
            projector=projector,
            tol=tol,
        ):
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
