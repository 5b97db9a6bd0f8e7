"""Tranche sizing (优先级规模测算): the largest senior size that still passes a chosen stress.

The issue amount stays fixed: the senior tranches are scaled together (their balances and
固定摊还 target balances by the same factor) and the last subordinated tranche absorbs the
difference (a smaller senior means a larger 次级). A size passes when every senior tranche is
paid in full (see :mod:`scenarios.runner`) under the chosen stress AND the senior 现金流覆盖倍数
(taxes + fees + senior interest) is at least ``min_coverage`` in every period a senior is
outstanding. The collections do not depend on the sizing, so they are projected once; each
bisection step is one engine run. Bisection stops when the bracket is narrower than ``tol`` yuan.

Other targets (issue 16), the same bisection on the size with another pass test:

* :func:`largest_senior_size_for_breakeven` — every senior's break-even on a factor (e.g. the
  break-even PD multiple, as in the break-even table) is at least a margin, e.g. ≥ 3.0×;
* :func:`largest_senior_size_for_cdr` — every senior's break-even CDR (临界违约率) is at least a
  rate;
* :func:`largest_senior_size_for_grade` — every senior reaches a grade of the indicative rating
  view (:mod:`scenarios.rating`, 仅供参考): the CDR target at the grade's required rate.

A break-even is at least X when the tranche is paid in full at X and at every value the
break-even search's scan tries before X, so a step is ONE engine call on a handful of
scenarios whose collections are derived once, not a break-even search per step; the sized
deal's break-evens are then searched once, as the break-even table does, and reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from abs.assumptions import Assumptions, Stress
from abs.deal import Deal, Tranche
from abs.enums import TrancheClass
from abs.errors import ScenarioError
from scenarios.breakeven import (
    DEFAULT_TOL,
    BreakevenResult,
    base_cumulative_default_rate,
    breakeven_all,
)
from scenarios.breakeven import _range as breakeven_range
from scenarios.breakeven import _scan_values as breakeven_scan
from scenarios.factors import ValueKind, get_factor
from scenarios.rating import BELOW_TABLE, MultiplesTable, implied_grade, load_multiples
from scenarios.runner import (
    ProjectionCache,
    Projector,
    StressFamily,
    deal_base,
    engine_kwargs,
    project_stresses,
    run_paid_in_full,
)
from waterfall import run_measures

SizingStatus = Literal["found", "max_passes", "min_fails", "not_converged"]


@dataclass(frozen=True)
class SizingResult:
    """Largest passing senior size.

    Attributes
    ----------
    senior_total : float
        Largest total senior balance found to pass (元); the smallest size tried when none
        passes.
    sub_total : float
        The 次级 balance that goes with it (issue amount − seniors − mezzanine).
    senior_share : float
        ``senior_total`` / issue amount.
    status : str
        ``found``; ``max_passes`` (even the largest size tried passes); ``min_fails`` (even
        the smallest fails); ``not_converged``.
    steps : int
        Bisection steps.
    min_coverage : float
        The coverage floor used.
    deal : Deal
        The deal resized to ``senior_total``.
    """

    senior_total: float
    sub_total: float
    senior_share: float
    status: SizingStatus
    steps: int
    min_coverage: float
    deal: Deal


def _parts(deal: Deal) -> tuple[list[Tranche], list[Tranche]]:
    seniors = [t for t in deal.tranches if t.tranche_class is TrancheClass.SENIOR]
    subs = [t for t in deal.tranches if t.tranche_class is TrancheClass.SUBORDINATED]
    if not seniors or not subs:
        raise ScenarioError(
            f"sizing: deal {deal.name} needs a senior and a subordinated tranche; "
            f"classes are {[t.tranche_class.value for t in deal.tranches]}"
        )
    return seniors, subs


def scale_tranche(tranche: Tranche, factor: float) -> Tranche:
    """A copy of ``tranche`` with its balance and 固定摊还 target balances × ``factor``."""
    targets = (
        tuple(b * factor for b in tranche.target_balances)
        if tranche.target_balances is not None
        else None
    )
    return tranche.model_copy(
        update={"balance": tranche.balance * factor, "target_balances": targets}
    )


def resize_seniors(deal: Deal, senior_total: float) -> Deal:
    """A copy of ``deal`` with the seniors scaled to ``senior_total`` and 次级 taking the rest.

    Raises
    ------
    ScenarioError
        No senior or no subordinated tranche, or a size that leaves the 次级 at or below 0.
    """
    seniors, subs = _parts(deal)
    current = sum(t.balance for t in seniors)
    k = senior_total / current
    last_sub = subs[-1]
    new_sub = last_sub.balance + current - senior_total
    if not senior_total > 0 or not new_sub > 0:
        raise ScenarioError(
            f"sizing: senior size {senior_total:,.2f} leaves 次级 {last_sub.name} at "
            f"{new_sub:,.2f}; sizes must lie in (0, {current + last_sub.balance:,.2f})"
        )
    out: list[Tranche] = []
    for t in deal.tranches:
        if t.tranche_class is TrancheClass.SENIOR:
            out.append(scale_tranche(t, k))
        elif t is last_sub:
            out.append(t.model_copy(update={"balance": new_sub}))
        else:
            out.append(t)
    return deal.model_copy(update={"tranches": tuple(out)})


def largest_senior_size(
    deal: Deal,
    *,
    stress: Stress | None = None,
    min_coverage: float = 1.0,
    lo: float | None = None,
    hi: float | None = None,
    tol: float = 10_000.0,
    max_steps: int = 100,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
    include_principal: bool = False,
) -> SizingResult:
    """The largest total senior size that passes ``stress`` with coverage ≥ ``min_coverage``.

    Parameters
    ----------
    deal : Deal
        The deal (with its pool); its current split is the starting point.
    stress : Stress, optional
        The stress the seniors must survive (default: the deal's base case,
        :func:`scenarios.runner.deal_base`).
    min_coverage : float
        Minimum senior 现金流覆盖倍数 in every period a senior is outstanding (e.g. 1.0 in the
        worst stress, 1.2–1.3 in the base case for AAA).
    lo, hi : float, optional
        Smallest and largest senior size tried (default: 1% of the issue amount, and the
        issue amount less the mezzanine and 1 yuan of 次级).
    tol : float
        Stop when the bracket is narrower than this (元, default 1万元).
    max_steps : int
        At most this many bisection steps.
    assumptions : Assumptions, optional
    projector : callable, optional
        ``(deal, assumptions, stress) -> Collections``.
    include_principal : bool
        Test the coverage incl. scheduled principal (最低覆盖倍数（含本金）, the headline figure
        of ``dabs run`` and the dashboard) instead of the interest-only one.

    Returns
    -------
    SizingResult

    Raises
    ------
    ScenarioError
        Bad bounds, tol ≤ 0, min_coverage < 0, or a deal without senior/subordinated tranches.
    """
    if not tol > 0:
        raise ScenarioError(f"sizing: tol must be > 0; got {tol!r}")
    if not min_coverage >= 0:
        raise ScenarioError(f"sizing: min_coverage must be ≥ 0; got {min_coverage!r}")
    st = deal_base(deal, stress, assumptions)
    lo_v, hi_v = _bounds(deal, lo, hi, tol)
    test = _coverage_test(
        deal,
        st,
        min_coverage=min_coverage,
        include_principal=include_principal,
        assumptions=assumptions,
        projector=projector,
    )
    senior_idx = [i for i, t in enumerate(deal.tranches) if t.tranche_class is TrancheClass.SENIOR]

    def passes(size: float) -> bool:
        return test(resize_seniors(deal, size), senior_idx)

    status, size, steps = _bisect_size(passes, lo_v, hi_v, tol, max_steps)
    d = resize_seniors(deal, size)
    return SizingResult(
        size, _sub_total(d), size / deal.issue_amount, status, steps, min_coverage, d
    )


#: A pass test on a (resized) deal for the tranches at the given indices of ``deal.tranches``.
PassTest = Callable[[Deal, Sequence[int]], bool]


def _coverage_test(
    deal: Deal,
    stress: Stress,
    *,
    min_coverage: float,
    include_principal: bool,
    assumptions: Assumptions | None,
    projector: Projector | None,
) -> PassTest:
    """Pass ⇔ the tranches are paid in full under ``stress`` and the 现金流覆盖倍数 through the
    last of them is ≥ ``min_coverage``; the collections are projected once, here."""
    coll = project_stresses(deal, [stress], assumptions=assumptions, projector=projector)

    def test(d: Deal, idx: Sequence[int]) -> bool:
        m = run_measures(
            d,
            coll,
            reference_rate=assumptions.reference_rate if assumptions is not None else None,
            yields=False,
            cash="none",
            **engine_kwargs([stress]),
        )
        paid = bool(np.all(m.paid_in_full[0, list(idx)]))
        cover = m.min_coverage_principal if include_principal else m.min_coverage
        return paid and float(cover[0, max(idx)]) >= min_coverage

    return test


# --- break-even and indicative-rating targets ------------------------------------------------

#: Target kinds of :func:`size_to_target` (覆盖倍数 / 盈亏平衡倍数 / 指示性评级).
TARGET_KINDS: tuple[str, ...] = ("coverage", "breakeven", "rating")


@dataclass(frozen=True)
class BreakevenSizingResult:
    """Largest senior size whose seniors all reach a break-even (or grade) target.

    Attributes
    ----------
    senior_total, sub_total, senior_share, status, steps, deal
        As in :class:`SizingResult`.
    factor : str
        The searched factor (``pd_multiplier`` for CDR and grade targets).
    threshold : float
        The factor value every senior must survive: the target multiple itself, or the PD
        multiple at which the pool's cumulative default rate reaches the target CDR (nan when
        no multiple in the searched range reaches it).
    target_cdr : float or None
        The cumulative default rate aimed at (CDR and grade targets).
    grade : str or None
        The target grade (grade targets; 仅供参考).
    base_cdr : float or None
        The unstressed expected CDR the grade multiples apply to (grade targets).
    breakevens : tuple of BreakevenResult
        The sized deal's break-even per senior tranche (the same search as the break-even
        table), i.e. what was achieved.
    grades : tuple of str
        The implied grade per senior tranche of the sized deal (grade targets; else empty).
    """

    senior_total: float
    sub_total: float
    senior_share: float
    status: SizingStatus
    steps: int
    deal: Deal
    factor: str
    threshold: float
    target_cdr: float | None
    grade: str | None
    base_cdr: float | None
    breakevens: tuple[BreakevenResult, ...]
    grades: tuple[str, ...]


def _bounds(deal: Deal, lo: float | None, hi: float | None, tol: float) -> tuple[float, float]:
    if not (math.isfinite(tol) and tol > 0):
        raise ScenarioError(f"sizing: tol must be > 0; got {tol!r}")
    seniors, subs = _parts(deal)
    ceiling = sum(t.balance for t in seniors) + subs[-1].balance - 1.0
    lo_v = deal.issue_amount * 0.01 if lo is None else float(lo)
    hi_v = ceiling if hi is None else float(hi)
    if not 0 < lo_v < hi_v <= ceiling:
        raise ScenarioError(
            f"sizing: need 0 < lo < hi ≤ {ceiling:,.2f} (issue less mezzanine and 1 yuan of "
            f"次级); got lo={lo_v:,.2f}, hi={hi_v:,.2f}"
        )
    return lo_v, hi_v


def _bisect_size(
    passes: Callable[[float], bool], lo: float, hi: float, tol: float, max_steps: int
) -> tuple[SizingStatus, float, int]:
    """Bisection on the senior size: (status, largest size found to pass, steps)."""
    if passes(hi):
        return "max_passes", hi, 0
    if not passes(lo):
        return "min_fails", lo, 0
    good, bad, steps = lo, hi, 0
    while bad - good > tol and steps < max_steps:
        mid = (good + bad) / 2.0
        if passes(mid):
            good = mid
        else:
            bad = mid
        steps += 1
    return ("found" if bad - good <= tol else "not_converged"), good, steps


def pd_multiple_for_cdr(
    deal: Deal,
    cdr: float,
    *,
    base: Stress | None = None,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
    tol: float = DEFAULT_TOL,
) -> float:
    """The smallest PD multiple at which the pool's expected CDR reaches ``cdr``.

    The CDR is the break-even search's (defaults / 入池本金 of the expected case, the other
    factors at ``base``); it does not fall as the multiple rises, so this is a bisection over
    the factor's search range to ``tol``. Returns nan when even the largest multiple searched
    (``pd_multiplier``'s ``search_max``) stays below ``cdr``.

    Raises
    ------
    ScenarioError
        ``cdr`` not finite or not > 0.
    """
    if not (math.isfinite(cdr) and cdr > 0):
        raise ScenarioError(f"sizing: target CDR must be a finite fraction > 0; got {cdr!r}")
    fam = StressFamily(
        ProjectionCache(deal, assumptions=assumptions, projector=projector),
        deal_base(deal, base, assumptions),
        "pd_multiplier",
    )

    def cdr_at(m: float) -> float:
        c = fam.collections([m])
        return float(c.defaults.sum() / c.initial_pool_balance)

    f = get_factor("pd_multiplier")
    lo, hi = f.search_min, f.search_max
    if cdr_at(lo) >= cdr:
        return lo
    if cdr_at(hi) < cdr:
        return math.nan
    while hi - lo > tol:
        mid = (lo + hi) / 2.0
        if cdr_at(mid) >= cdr:
            hi = mid
        else:
            lo = mid
    return hi


def _size_to_factor(
    deal: Deal,
    *,
    factor: str,
    threshold: float,
    base: Stress,
    lo: float | None,
    hi: float | None,
    tol: float,
    max_steps: int,
    assumptions: Assumptions | None,
    projector: Projector | None,
) -> tuple[SizingStatus, float, int, Deal, tuple[BreakevenResult, ...]]:
    """Largest senior size whose seniors' break-even on ``factor`` is at least ``threshold``.

    The break-even search (:mod:`scenarios.breakeven`) scans the factor's range and refines the
    first failing step, so a tranche's break-even is at least ``threshold`` when it is paid in
    full at every scan value milder than ``threshold`` and at ``threshold`` itself, nudged
    harsher by the search's own tolerance so that the search's reported value (at most that
    tolerance below the true boundary) is not below ``threshold``. The collections of those
    values do not depend on the sizing: they are derived once, and each bisection step is ONE
    engine call (measures mode, pass test only) on the resized deal.
    """
    f = get_factor(factor)
    lo_v, hi_v = _bounds(deal, lo, hi, tol)
    seniors = [t.name for t in deal.tranches if t.tranche_class is TrancheClass.SENIOR]
    test = _factor_test(
        deal,
        factor=f.id,
        threshold=threshold,
        base=base,
        assumptions=assumptions,
        projector=projector,
    )
    if test is None:
        status: SizingStatus = "min_fails"  # no break-even can exceed the searched range
        size = lo_v
        steps = 0
    else:
        senior_idx = [i for i, t in enumerate(deal.tranches) if t.name in seniors]
        factor_test = test

        def passes(size: float) -> bool:
            return factor_test(resize_seniors(deal, size), senior_idx)

        status, size, steps = _bisect_size(passes, lo_v, hi_v, tol, max_steps)
    sized = resize_seniors(deal, size)
    achieved = breakeven_all(
        sized,
        factor=f.id,
        tranches=seniors,
        base=base,
        assumptions=assumptions,
        projector=projector,
    )
    return status, size, steps, sized, tuple(achieved)


def _factor_test(
    deal: Deal,
    *,
    factor: str,
    threshold: float,
    base: Stress,
    assumptions: Assumptions | None,
    projector: Projector | None,
) -> PassTest | None:
    """Pass ⇔ the tranches' break-even on ``factor`` is at least ``threshold``; None when no
    break-even can reach it (beyond the factor's searched range: nothing passes).

    The break-even search (:mod:`scenarios.breakeven`) scans the factor's range and refines the
    first failing step, so a tranche's break-even is at least ``threshold`` when it is paid in
    full at every scan value milder than ``threshold`` and at ``threshold`` itself, nudged
    harsher by the search's own tolerance. The collections of those values are derived once,
    here; each test is ONE engine call (measures mode, pass test only).
    """
    f = get_factor(factor)
    f_lo, f_hi = breakeven_range(deal, f, None, None)
    if (threshold - f_hi) * f.direction > 0:
        return None
    integer = f.kind is ValueKind.INT
    edge = threshold if integer else threshold + f.direction * DEFAULT_TOL
    if (edge - f_hi) * f.direction > 0:
        edge = f_hi
    values = [v for v in breakeven_scan(f, f_lo, f_hi) if (v - threshold) * f.direction < 0]
    values.append(edge)
    fam = StressFamily(
        ProjectionCache(deal, assumptions=assumptions, projector=projector), base, f.id
    )
    coll = fam.collections(values)
    stresses = [fam.stress(v) for v in values]

    def test(d: Deal, idx: Sequence[int]) -> bool:
        paid, _cdr = run_paid_in_full(d, coll, stresses, assumptions=assumptions)
        return bool(np.all(paid[:, list(idx)]))

    return test


def _check_target(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"sizing: {name} must be a number; got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ScenarioError(f"sizing: {name} must be a finite number > 0; got {value!r}")


def largest_senior_size_for_breakeven(
    deal: Deal,
    *,
    min_breakeven: float,
    factor: str = "pd_multiplier",
    base: Stress | None = None,
    lo: float | None = None,
    hi: float | None = None,
    tol: float = 10_000.0,
    max_steps: int = 100,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
) -> BreakevenSizingResult:
    """The largest total senior size whose every senior's break-even is ≥ ``min_breakeven``.

    Parameters
    ----------
    deal : Deal
        The deal (with its pool); its current split is the starting point.
    min_breakeven : float
        The break-even margin, in ``factor``'s unit (e.g. 3.0 for a break-even PD multiple of
        at least 3.0×; 0.3 for a break-even revenue haircut of at least 30%).
    factor : str
        A searchable factor (id or Chinese name; default ``pd_multiplier``).
    base : Stress, optional
        The other factors' values during the search (default: the deal's base adjustments,
        as in the break-even table).
    lo, hi, tol, max_steps, assumptions, projector
        As in :func:`largest_senior_size`.

    Returns
    -------
    BreakevenSizingResult
        ``breakevens`` are the sized deal's senior break-evens (the break-even table's search).

    Raises
    ------
    ScenarioError
        ``min_breakeven`` not a finite number > 0, an on/off factor, bad bounds, tol ≤ 0, or a
        deal without senior/subordinated tranches.

    Examples
    --------
    A senior break-even PD multiple of at least 3.0× (hand deal: pass ⇔ 156m − 12m × m ≥
    1.04 × B, so B ≤ 120m / 1.04 = 115.38m) — see ``tests/scenarios/test_sizing.py``.
    """
    _check_target("min_breakeven", min_breakeven)
    f = get_factor(factor)
    if not f.searchable:
        raise ScenarioError(
            f"sizing: factor '{f.id}' ({f.zh}) is on/off; a break-even target needs a numeric "
            "factor"
        )
    status, size, steps, sized, achieved = _size_to_factor(
        deal,
        factor=f.id,
        threshold=float(min_breakeven),
        base=deal_base(deal, base, assumptions),
        lo=lo,
        hi=hi,
        tol=tol,
        max_steps=max_steps,
        assumptions=assumptions,
        projector=projector,
    )
    return BreakevenSizingResult(
        senior_total=size,
        sub_total=_sub_total(sized),
        senior_share=size / deal.issue_amount,
        status=status,
        steps=steps,
        deal=sized,
        factor=f.id,
        threshold=float(min_breakeven),
        target_cdr=None,
        grade=None,
        base_cdr=None,
        breakevens=achieved,
        grades=(),
    )


def _sub_total(deal: Deal) -> float:
    return sum(t.balance for t in deal.tranches if t.tranche_class is TrancheClass.SUBORDINATED)


def largest_senior_size_for_cdr(
    deal: Deal,
    *,
    min_cdr: float,
    base: Stress | None = None,
    lo: float | None = None,
    hi: float | None = None,
    tol: float = 10_000.0,
    max_steps: int = 100,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
) -> BreakevenSizingResult:
    """The largest senior size whose every senior's break-even CDR (临界违约率) is ≥ ``min_cdr``.

    The break-even CDR is the pool's expected cumulative default rate at the tranche's
    break-even PD multiple, so the target is the PD multiple at which the pool's CDR reaches
    ``min_cdr`` (:func:`pd_multiple_for_cdr`); see :func:`largest_senior_size_for_breakeven`.

    Raises
    ------
    ScenarioError
        ``min_cdr`` not a finite fraction in (0, 1], and as the break-even target.
    """
    _check_target("min_cdr", min_cdr)
    if min_cdr > 1:
        raise ScenarioError(f"sizing: target CDR must be a fraction in (0, 1]; got {min_cdr!r}")
    return _size_for_cdr(
        deal,
        min_cdr=float(min_cdr),
        base=deal_base(deal, base, assumptions),
        lo=lo,
        hi=hi,
        tol=tol,
        max_steps=max_steps,
        assumptions=assumptions,
        projector=projector,
        grade=None,
        base_cdr=None,
        table=None,
    )


def _size_for_cdr(
    deal: Deal,
    *,
    min_cdr: float,
    base: Stress,
    lo: float | None,
    hi: float | None,
    tol: float,
    max_steps: int,
    assumptions: Assumptions | None,
    projector: Projector | None,
    grade: str | None,
    base_cdr: float | None,
    table: MultiplesTable | None,
) -> BreakevenSizingResult:
    st = base
    m = pd_multiple_for_cdr(deal, min_cdr, base=st, assumptions=assumptions, projector=projector)
    f = get_factor("pd_multiplier")
    status, size, steps, sized, achieved = _size_to_factor(
        deal,
        factor=f.id,
        threshold=m if math.isfinite(m) else math.inf,
        base=st,
        lo=lo,
        hi=hi,
        tol=tol,
        max_steps=max_steps,
        assumptions=assumptions,
        projector=projector,
    )
    grades: tuple[str, ...] = ()
    if grade is not None and base_cdr is not None:
        grades = tuple(_grade_of(r, base_cdr, table) for r in achieved)
    return BreakevenSizingResult(
        senior_total=size,
        sub_total=_sub_total(sized),
        senior_share=size / deal.issue_amount,
        status=status,
        steps=steps,
        deal=sized,
        factor=f.id,
        threshold=m,
        target_cdr=float(min_cdr),
        grade=grade,
        base_cdr=base_cdr,
        breakevens=achieved,
        grades=grades,
    )


def _grade_of(r: BreakevenResult, base_cdr: float, table: MultiplesTable | None) -> str:
    """The rating view's grade of one break-even (the same rule as :func:`rating_view`)."""
    if r.status == "fails_at_lo" or r.cumulative_default_rate is None:
        return BELOW_TABLE
    g = implied_grade(r.cumulative_default_rate, base_cdr, table=table)
    return g.grade if g is not None else BELOW_TABLE


def _grade_requirement(
    deal: Deal,
    grade: str,
    table: MultiplesTable | None,
    *,
    assumptions: Assumptions | None,
    projector: Projector | None,
) -> tuple[float, float, MultiplesTable]:
    """(required break-even CDR, the deal's base CDR, the table) of ``grade``."""
    chosen = table if table is not None else load_multiples()
    names = [g.grade for g in chosen.grades]
    if grade not in names:
        raise ScenarioError(
            f"sizing: grade {grade!r} is not in the multiples table {chosen.source}; "
            f"grades are {', '.join(names)}"
        )
    base_cdr = base_cumulative_default_rate(deal, assumptions=assumptions, projector=projector)
    g = chosen.grades[names.index(grade)]
    if g.target_default_rate is None and not base_cdr > 0:
        raise ScenarioError(
            f"sizing: the deal's base-case cumulative default rate is {base_cdr:g}, so grade "
            f"{grade}'s required rate (base × {g.multiple:g}) is 0 and does not bind"
        )
    return g.required(base_cdr), base_cdr, chosen


def largest_senior_size_for_grade(
    deal: Deal,
    *,
    grade: str,
    table: MultiplesTable | None = None,
    base: Stress | None = None,
    lo: float | None = None,
    hi: float | None = None,
    tol: float = 10_000.0,
    max_steps: int = 100,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
) -> BreakevenSizingResult:
    """The largest senior size whose every senior reaches ``grade`` in the rating view (仅供参考).

    The rating view (:mod:`scenarios.rating`) grants a grade when the tranche's break-even CDR
    is at least the grade's target default rate × multiple; the target default rate defaults
    to the deal's unstressed expected CDR. This is :func:`largest_senior_size_for_cdr` at that
    required CDR: an indicative screening figure, not a rating.

    Raises
    ------
    ScenarioError
        A grade not in the multiples table (the message lists the grades), a base CDR of 0
        (the multiples say nothing then), and as the CDR target.
    """
    required, base_cdr, chosen = _grade_requirement(
        deal, grade, table, assumptions=assumptions, projector=projector
    )
    return _size_for_cdr(
        deal,
        min_cdr=required,
        base=deal_base(deal, base, assumptions),
        lo=lo,
        hi=hi,
        tol=tol,
        max_steps=max_steps,
        assumptions=assumptions,
        projector=projector,
        grade=grade,
        base_cdr=base_cdr,
        table=chosen,
    )


#: Break-even target kinds of :func:`size_to_breakeven_target` (dashboard and ``dabs size``).
BREAKEVEN_TARGETS: tuple[str, ...] = ("multiple", "cdr", "grade")


def size_to_breakeven_target(
    deal: Deal,
    *,
    kind: str,
    value: float = math.nan,
    grade: str = "",
    base: Stress | None = None,
    assumptions: Assumptions | None = None,
    table: MultiplesTable | None = None,
) -> BreakevenSizingResult:
    """One entry for the surfaces: ``kind`` ``multiple`` (break-even PD multiple ≥ ``value``),
    ``cdr`` (break-even CDR ≥ ``value``, a fraction) or ``grade`` (indicative ``grade``).

    Raises
    ------
    ScenarioError
        An unknown kind, and as the target's own function.
    """
    if kind == "multiple":
        return largest_senior_size_for_breakeven(
            deal, min_breakeven=value, base=base, assumptions=assumptions
        )
    if kind == "cdr":
        return largest_senior_size_for_cdr(deal, min_cdr=value, base=base, assumptions=assumptions)
    if kind == "grade":
        return largest_senior_size_for_grade(
            deal, grade=grade, table=table, base=base, assumptions=assumptions
        )
    raise ScenarioError(
        f"sizing: target kind must be one of {', '.join(BREAKEVEN_TARGETS)}; got {kind!r}"
    )


# --- the split between senior classes (优先级内部分层 A1/A2) ---------------------------------

#: Target kinds of one senior class in :func:`largest_first_senior_size`.
SPLIT_KINDS: tuple[str, ...] = ("coverage", "multiple", "cdr", "grade")

#: Evenly spaced first-senior sizes tried before the bisection (the monotonicity check).
SPLIT_SCAN = 9


@dataclass(frozen=True)
class TrancheTarget:
    """A target on one senior class of the split.

    Attributes
    ----------
    kind : str
        ``coverage``: the class is paid in full under the stress and the 现金流覆盖倍数 through
        it (taxes + fees + interest of every tranche down to it, plus scheduled principal when
        ``include_principal``) is ≥ ``value`` in every period it is outstanding; ``multiple``:
        break-even PD multiple ≥ ``value``; ``cdr``: break-even CDR ≥ ``value`` (a fraction);
        ``grade``: the indicative ``grade`` of the rating view (仅供参考).
    value : float
        The floor (``coverage``, ``multiple``, ``cdr``).
    grade : str
        The grade (``grade``).
    include_principal : bool
        ``coverage`` only: the 含本金 basis instead of interest only.
    """

    kind: str
    value: float = math.nan
    grade: str = ""
    include_principal: bool = False


@dataclass(frozen=True)
class TrancheMeasure:
    """What one senior class of the sized deal achieves.

    Attributes
    ----------
    tranche : str
    balance : float
        Its sized balance (元).
    coverage, coverage_principal : float
        Minimum 现金流覆盖倍数 through the tranche under the stress, interest only and 含本金.
    breakeven : BreakevenResult or None
        Its break-even PD multiple (the break-even table's search; break-even targets only).
    grade : str or None
        Its implied indicative grade (grade targets only).
    """

    tranche: str
    balance: float
    coverage: float
    coverage_principal: float
    breakeven: BreakevenResult | None
    grade: str | None


@dataclass(frozen=True)
class SplitSizingResult:
    """Largest first senior (A1) meeting its target, the senior total and 次级 held fixed.

    Attributes
    ----------
    first : str
        The first (most senior) senior tranche.
    others : tuple of str
        The other senior tranches; they share ``senior_total − first_size`` pro rata.
    first_size, others_size, senior_total : float
        元.
    first_share : float
        ``first_size / senior_total``.
    status : str
        As in :class:`SizingResult`, for the first senior's size.
    steps : int
        Bisection steps after the scan.
    evaluations : int
        Pass tests (one engine call each) of the search: the scan plus the bisection.
    non_monotone : tuple of (float, float)
        (failing A1 size, larger passing A1 size) pairs of the scan; when any, the result is
        the largest passing size below the first failing one (the safe side).
    target : TrancheTarget
        The first senior's target.
    second : TrancheTarget or None
        The other seniors' target, checked on the sized deal (not searched).
    second_meets : bool or None
        Whether the other seniors meet ``second`` on the sized deal (None: no second target).
    threshold, second_threshold : float
        The PD multiple the classes must survive (break-even targets; nan for coverage, inf
        when no multiple in the searched range reaches the target CDR).
    target_cdr, base_cdr : float or None
        The first target's required CDR (CDR and grade targets); the deal's unstressed CDR
        (grade targets of either class).
    measures : tuple of TrancheMeasure
        Per senior class of the sized deal, in deal order.
    deal : Deal
        The deal with the sized split.
    """

    first: str
    others: tuple[str, ...]
    first_size: float
    others_size: float
    senior_total: float
    first_share: float
    status: SizingStatus
    steps: int
    evaluations: int
    non_monotone: tuple[tuple[float, float], ...]
    target: TrancheTarget
    second: TrancheTarget | None
    second_meets: bool | None
    threshold: float
    second_threshold: float
    target_cdr: float | None
    base_cdr: float | None
    measures: tuple[TrancheMeasure, ...]
    deal: Deal


def _split_parts(deal: Deal) -> tuple[Tranche, list[Tranche]]:
    seniors = [t for t in deal.tranches if t.tranche_class is TrancheClass.SENIOR]
    if len(seniors) < 2:
        classes = ", ".join(f"{t.name} ({t.tranche_class.value})" for t in deal.tranches)
        raise ScenarioError(
            f"sizing: deal {deal.name} has {len(seniors)} senior tranche(s); the split between "
            f"senior classes needs at least two; tranches are {classes}"
        )
    return seniors[0], seniors[1:]


def resize_senior_split(deal: Deal, first_size: float) -> Deal:
    """A copy of ``deal`` with the first senior at ``first_size`` and the other seniors sharing
    the rest of the senior total pro rata (each tranche's balance and 固定摊还 target balances
    scaled by its own factor, :func:`scale_tranche`); mezzanine and 次级 unchanged.

    Raises
    ------
    ScenarioError
        Fewer than two seniors, or a size that leaves the other seniors at or below 0.
    """
    first, rest = _split_parts(deal)
    rest_before = sum(t.balance for t in rest)
    total = first.balance + rest_before
    rest_after = total - first_size
    if not (first_size > 0 and rest_after > 0):
        raise ScenarioError(
            f"sizing: {first.name} size {first_size:,.2f} leaves {'/'.join(t.name for t in rest)}"
            f" at {rest_after:,.2f}; sizes must lie in (0, {total:,.2f})"
        )
    k_first, k_rest = first_size / first.balance, rest_after / rest_before
    names = {t.name for t in rest}
    out = tuple(
        scale_tranche(t, k_first)
        if t.name == first.name
        else scale_tranche(t, k_rest)
        if t.name in names
        else t
        for t in deal.tranches
    )
    return deal.model_copy(update={"tranches": out})


@dataclass(frozen=True)
class _Resolved:
    test: PassTest | None  # None: nothing can pass
    threshold: float
    target_cdr: float | None
    base_cdr: float | None


def _check_split_target(target: TrancheTarget) -> None:
    """Kind and value of a class target, before anything is projected."""
    kind, v = target.kind, target.value
    if kind == "coverage":
        if isinstance(v, bool) or not isinstance(v, int | float) or not v >= 0:
            raise ScenarioError(f"sizing: min_coverage must be ≥ 0; got {v!r}")
    elif kind == "multiple":
        _check_target("min_breakeven", v)
    elif kind == "cdr":
        _check_target("min_cdr", v)
        if v > 1:
            raise ScenarioError(f"sizing: target CDR must be a fraction in (0, 1]; got {v!r}")
    elif kind != "grade":
        raise ScenarioError(
            f"sizing: split target kind must be one of {', '.join(SPLIT_KINDS)}; got {kind!r}"
        )


def _resolve(
    deal: Deal,
    target: TrancheTarget,
    stress: Stress,
    table: MultiplesTable | None,
    assumptions: Assumptions | None,
    projector: Projector | None,
) -> _Resolved:
    """The pass test of one class target (validated; collections derived once)."""
    kind, v = target.kind, target.value
    _check_split_target(target)
    if kind == "coverage":
        test = _coverage_test(
            deal,
            stress,
            min_coverage=float(v),
            include_principal=target.include_principal,
            assumptions=assumptions,
            projector=projector,
        )
        return _Resolved(test, math.nan, None, None)
    base_cdr: float | None = None
    cdr: float | None = None
    if kind == "multiple":
        threshold = float(v)
    else:
        if kind == "cdr":
            cdr = float(v)
        else:
            cdr, base_cdr, _ = _grade_requirement(
                deal, target.grade, table, assumptions=assumptions, projector=projector
            )
        threshold = pd_multiple_for_cdr(
            deal, cdr, base=stress, assumptions=assumptions, projector=projector
        )
    factor_test = _factor_test(
        deal,
        factor="pd_multiplier",
        threshold=threshold if math.isfinite(threshold) else math.inf,
        base=stress,
        assumptions=assumptions,
        projector=projector,
    )
    return _Resolved(
        factor_test, threshold if math.isfinite(threshold) else math.inf, cdr, base_cdr
    )


def _scan_bisect(
    passes: Callable[[float], bool], lo: float, hi: float, tol: float, max_steps: int, scan: int
) -> tuple[SizingStatus, float, int, int, tuple[tuple[float, float], ...]]:
    """Scan ``scan`` even sizes from ``lo`` to ``hi``, then bisect the first pass→fail step.

    Returns (status, largest size found to pass, bisection steps, pass tests, non-monotone
    (fail, later pass) pairs of the scan).
    """
    values = [float(v) for v in np.linspace(lo, hi, scan)]
    ok = [passes(v) for v in values]
    odd = tuple((values[i], values[i + 1]) for i in range(scan - 1) if not ok[i] and ok[i + 1])
    if all(ok):
        return "max_passes", hi, 0, scan, odd
    if not ok[0]:
        return "min_fails", lo, 0, scan, odd
    j = ok.index(False)
    good, bad, steps = values[j - 1], values[j], 0
    while bad - good > tol and steps < max_steps:
        mid = (good + bad) / 2.0
        if passes(mid):
            good = mid
        else:
            bad = mid
        steps += 1
    return ("found" if bad - good <= tol else "not_converged"), good, steps, scan + steps, odd


def _split_measures(
    sized: Deal,
    stress: Stress,
    *,
    breakevens: bool,
    base_cdr: float | None,
    table: MultiplesTable | None,
    assumptions: Assumptions | None,
    projector: Projector | None,
) -> tuple[TrancheMeasure, ...]:
    seniors = [t for t in sized.tranches if t.tranche_class is TrancheClass.SENIOR]
    coll = project_stresses(sized, [stress], assumptions=assumptions, projector=projector)
    m = run_measures(
        sized,
        coll,
        reference_rate=assumptions.reference_rate if assumptions is not None else None,
        yields=False,
        cash="none",
        **engine_kwargs([stress]),
    )
    found: dict[str, BreakevenResult] = {}
    if breakevens:
        found = {
            r.tranche: r
            for r in breakeven_all(
                sized,
                factor="pd_multiplier",
                tranches=[t.name for t in seniors],
                base=stress,
                assumptions=assumptions,
                projector=projector,
            )
        }
    out = []
    for t in seniors:
        i = m.index(t.name)
        be = found.get(t.name)
        grade = _grade_of(be, base_cdr, table) if be is not None and base_cdr is not None else None
        out.append(
            TrancheMeasure(
                tranche=t.name,
                balance=t.balance,
                coverage=float(m.min_coverage[0, i]),
                coverage_principal=float(m.min_coverage_principal[0, i]),
                breakeven=be,
                grade=grade,
            )
        )
    return tuple(out)


def largest_first_senior_size(
    deal: Deal,
    *,
    target: TrancheTarget,
    second: TrancheTarget | None = None,
    stress: Stress | None = None,
    lo: float | None = None,
    hi: float | None = None,
    tol: float = 10_000.0,
    max_steps: int = 100,
    scan: int = SPLIT_SCAN,
    table: MultiplesTable | None = None,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
) -> SplitSizingResult:
    """The largest first senior (A1) meeting ``target``, with the senior total and 次级 fixed.

    Size moves between the first senior class and the next one(s) (e.g. 优先A1 / 优先A2): the
    other seniors share the rest of today's senior total pro rata, each fixed-amortisation
    schedule scaled with its tranche (:func:`resize_senior_split`). ``target`` applies to the
    first senior only; ``second``, optional, is then checked on the other seniors of the sized
    deal (``second_meets``): size A1 for AAA and see whether A2 still reaches AA.

    The search tries ``scan`` evenly spaced A1 sizes from ``lo`` to ``hi`` (a pass after a
    fail is reported in ``non_monotone``), then bisects the first pass→fail step to ``tol``.
    Each pass test is ONE engine call on collections derived once (see
    :func:`largest_senior_size_for_breakeven`).

    Parameters
    ----------
    deal : Deal
        A deal with at least two senior tranches.
    target : TrancheTarget
        The first senior's target (kind ``coverage``, ``multiple``, ``cdr`` or ``grade``).
    second : TrancheTarget, optional
        The other seniors' target, reported, not searched.
    stress : Stress, optional
        The stress of coverage targets and the other factors' values of break-even searches
        (default: the deal's base adjustments, :func:`scenarios.runner.deal_base`).
    lo, hi : float, optional
        Smallest and largest A1 size tried (default: 1% of the senior total, and the senior
        total less 1 yuan).
    tol : float
        Stop when the bracket is narrower than this (元, default 1万元).
    max_steps : int
        At most this many bisection steps.
    scan : int
        Sizes tried before the bisection (≥ 2).
    table : MultiplesTable, optional
        The grade multiples (grade targets; default the built-in table).
    assumptions, projector
        As in :func:`largest_senior_size`.

    Returns
    -------
    SplitSizingResult

    Raises
    ------
    ScenarioError
        Fewer than two seniors (naming the deal and its classes), an unknown kind, a bad
        target value, bad bounds, tol ≤ 0, scan < 2.

    Examples
    --------
    Hand deal of ``tests/scenarios/test_sizing.py``: seniors 140m at 4% on collections of 2m
    a quarter; the first quarter's coverage through A1 is 2m / (1% × A1), so a floor of 2.0×
    sizes A1 to 100m and A2 to 40m.
    """
    first, rest = _split_parts(deal)
    if not (math.isfinite(tol) and tol > 0):
        raise ScenarioError(f"sizing: tol must be > 0; got {tol!r}")
    if isinstance(scan, bool) or not isinstance(scan, int) or scan < 2:
        raise ScenarioError(f"sizing: scan must be an integer ≥ 2; got {scan!r}")
    total = first.balance + sum(t.balance for t in rest)
    lo_v = total * 0.01 if lo is None else float(lo)
    hi_v = total - 1.0 if hi is None else float(hi)
    if not 0 < lo_v < hi_v <= total - 1.0:
        raise ScenarioError(
            f"sizing: need 0 < lo < hi ≤ {total - 1.0:,.2f} (the senior total less 1 yuan for "
            f"{'/'.join(t.name for t in rest)}); got lo={lo_v:,.2f}, hi={hi_v:,.2f}"
        )
    for t in (target, second):
        if t is not None:
            _check_split_target(t)
    st = deal_base(deal, stress, assumptions)
    r1 = _resolve(deal, target, st, table, assumptions, projector)
    r2 = _resolve(deal, second, st, table, assumptions, projector) if second else None
    order = [t.name for t in deal.tranches]
    idx_first = [order.index(first.name)]
    idx_rest = [order.index(t.name) for t in rest]
    non_monotone: tuple[tuple[float, float], ...] = ()
    if r1.test is None:
        status: SizingStatus = "min_fails"  # the target is beyond the searched range
        size, steps, evaluations = lo_v, 0, 0
    else:
        test1 = r1.test

        def passes(a1: float) -> bool:
            return test1(resize_senior_split(deal, a1), idx_first)

        status, size, steps, evaluations, non_monotone = _scan_bisect(
            passes, lo_v, hi_v, tol, max_steps, scan
        )
    sized = resize_senior_split(deal, size)
    second_meets: bool | None = None
    if r2 is not None:
        second_meets = r2.test is not None and r2.test(sized, idx_rest)
    kinds = {target.kind, second.kind if second else "coverage"}
    base_cdr = r1.base_cdr if r1.base_cdr is not None else r2.base_cdr if r2 else None
    measures = _split_measures(
        sized,
        st,
        breakevens=kinds != {"coverage"},
        base_cdr=base_cdr,
        table=table,
        assumptions=assumptions,
        projector=projector,
    )
    return SplitSizingResult(
        first=first.name,
        others=tuple(t.name for t in rest),
        first_size=size,
        others_size=total - size,
        senior_total=total,
        first_share=size / total,
        status=status,
        steps=steps,
        evaluations=evaluations,
        non_monotone=non_monotone,
        target=target,
        second=second,
        second_meets=second_meets,
        threshold=r1.threshold,
        second_threshold=r2.threshold if r2 is not None else math.nan,
        target_cdr=r1.target_cdr,
        base_cdr=base_cdr,
        measures=measures,
        deal=sized,
    )
