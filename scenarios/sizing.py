"""Tranche sizing (优先级规模测算): the largest senior size that still passes a chosen stress.

The issue amount stays fixed: the senior tranches are scaled together (their balances and
固定摊还 target balances by the same factor) and the last subordinated tranche absorbs the
difference (a smaller senior means a larger 次级). A size passes when every senior tranche is
paid in full (see :mod:`scenarios.runner`) under the chosen stress AND the senior 现金流覆盖倍数
(taxes + fees + senior interest) is at least ``min_coverage`` in every period a senior is
outstanding. The collections do not depend on the sizing, so they are projected once; each
bisection step is one engine run. Bisection stops when the bracket is narrower than ``tol`` yuan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from abs.assumptions import Assumptions, Stress
from abs.deal import Deal, Tranche
from abs.enums import TrancheClass
from abs.errors import ScenarioError
from scenarios.runner import Projector, engine_kwargs, project_stresses
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
            targets = (
                tuple(b * k for b in t.target_balances) if t.target_balances is not None else None
            )
            out.append(t.model_copy(update={"balance": t.balance * k, "target_balances": targets}))
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
        The stress the seniors must survive (default: none — the base case).
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
    if min_coverage < 0:
        raise ScenarioError(f"sizing: min_coverage must be ≥ 0; got {min_coverage!r}")
    st = stress if stress is not None else Stress()
    seniors, subs = _parts(deal)
    seniors_now = sum(t.balance for t in seniors)
    last_sub = subs[-1]
    ceiling = seniors_now + last_sub.balance - 1.0
    lo_v = deal.issue_amount * 0.01 if lo is None else float(lo)
    hi_v = ceiling if hi is None else float(hi)
    if not 0 < lo_v < hi_v <= ceiling:
        raise ScenarioError(
            f"sizing: need 0 < lo < hi ≤ {ceiling:,.2f} (issue less mezzanine and 1 yuan of "
            f"次级); got lo={lo_v:,.2f}, hi={hi_v:,.2f}"
        )
    coll = project_stresses(deal, [st], assumptions=assumptions, projector=projector)
    senior_idx = [i for i, t in enumerate(deal.tranches) if t.tranche_class is TrancheClass.SENIOR]
    last_senior = deal.tranches[senior_idx[-1]].name

    def passes(size: float) -> bool:
        d = resize_seniors(deal, size)
        m = run_measures(
            d,
            coll,
            reference_rate=assumptions.reference_rate if assumptions is not None else None,
            yields=False,
            cash="none",
            **engine_kwargs([st]),
        )
        paid = bool(np.all(m.paid_in_full[0, senior_idx]))
        cover = m.min_coverage_principal if include_principal else m.min_coverage
        cov = float(cover[0, m.index(last_senior)])
        return paid and cov >= min_coverage

    def done(status: SizingStatus, size: float, steps: int) -> SizingResult:
        d = resize_seniors(deal, size)
        sub = sum(t.balance for t in d.tranches if t.tranche_class is TrancheClass.SUBORDINATED)
        return SizingResult(size, sub, size / deal.issue_amount, status, steps, min_coverage, d)

    if passes(hi_v):
        return done("max_passes", hi_v, 0)
    if not passes(lo_v):
        return done("min_fails", lo_v, 0)
    good, bad, steps = lo_v, hi_v, 0
    while bad - good > tol and steps < max_steps:
        mid = (good + bad) / 2.0
        if passes(mid):
            good = mid
        else:
            bad = mid
        steps += 1
    return done("found" if bad - good <= tol else "not_converged", good, steps)
