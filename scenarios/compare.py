"""Two structures side by side: field changes, tranche measures, coverage per period, stress
results and break-evens.

Streamlit-free: the dashboard's 交易库 page draws it (two library versions, or the current edit
against the last saved one). The measures are those of :func:`scenarios.report.base_report`,
the stress grid (:class:`scenarios.grid.GridSummary`) and the break-even table
(:func:`scenarios.breakeven.breakeven_table`) the other pages show, so a number in the
comparison is the number every other surface shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from abs.deal import Deal
from abs.library.diff import StructureDiff, diff_deals
from scenarios.grid import GridSummary
from scenarios.report import COV_SENIOR, COV_SENIOR_PRINCIPAL, BaseReport
from waterfall.tables import SUM_MIN_COV, SUM_NAME, SUM_WAL, SUM_YIELD

#: Tranche measures compared (summary column → measure key of :data:`MEASURE_LABELS`).
TRANCHE_MEASURES: tuple[tuple[str, str], ...] = (
    (SUM_YIELD, "yield"),
    (SUM_WAL, "wal"),
    (SUM_MIN_COV, "min_coverage"),
)
#: Measure key → (中文, English).
MEASURE_LABELS: dict[str, tuple[str, str]] = {
    "balance": ("发行规模（万元）", "Size (CNY 10k)"),
    "yield": ("收益率", "Yield"),
    "wal": ("加权平均期限（年）", "WAL (years)"),
    "min_coverage": ("最低覆盖倍数（含本金）", "Min coverage incl. principal"),
    "min_coverage_interest": ("最低覆盖倍数（仅利息）", "Min coverage, interest only"),
}
#: Two values closer than this are "the same" (relative, or absolute near zero).
_TOL = 1e-9


@dataclass(frozen=True)
class Comparison:
    """Structure A against structure B.

    Attributes
    ----------
    a, b : str
        Labels of the two sides (``key@n`` or 当前编辑).
    structure : StructureDiff
        Field-by-field changes (:func:`abs.library.diff.diff_deals`).
    tranches : DataFrame
        One row per (tranche, measure) present on either side: ``tranche``, ``measure`` (key),
        ``a``, ``b`` (floats, NaN where the tranche is absent) and ``changed`` (bool).
    coverage : DataFrame
        Per payment date (index, union of both schedules): senior coverage interest only and
        incl. principal of each side, columns ``a_senior``, ``b_senior``,
        ``a_senior_with_principal``, ``b_senior_with_principal``.
    """

    a: str
    b: str
    structure: StructureDiff
    tranches: pd.DataFrame
    coverage: pd.DataFrame

    @property
    def changed_measures(self) -> int:
        """How many tranche measures differ."""
        return int(self.tranches["changed"].sum())


def _same(x: float, y: float) -> bool:
    if math.isnan(x) and math.isnan(y):
        return True
    if math.isnan(x) or math.isnan(y):
        return False
    return math.isclose(x, y, rel_tol=_TOL, abs_tol=_TOL)


def _measures(deal: Deal, report: BaseReport) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    for tr in deal.tranches:
        out[(tr.name, "balance")] = tr.balance / 10_000
    for _, row in report.summary.iterrows():
        name = str(row[SUM_NAME])
        for column, key in TRANCHE_MEASURES:
            out[(name, key)] = float(row[column])
        out[(name, "min_coverage_interest")] = report.tranche_min_coverage_interest[name]
    return out


def compare(
    deal_a: Deal, report_a: BaseReport, deal_b: Deal, report_b: BaseReport, *, a: str, b: str
) -> Comparison:
    """Compare two deals and their base-case reports (A is the reference, B the candidate).

    Examples
    --------
    >>> from abs.io import load_deal
    >>> from scenarios.report import base_report
    >>> d = load_deal("rugao-labelled")
    >>> bigger = d.model_copy(update={"tranches": (
    ...     d.tranches[0].model_copy(update={"balance": 110_000_000.0}), d.tranches[1])})
    >>> c = compare(d, base_report(d), bigger, base_report(bigger), a="v1", b="v2")
    >>> c.tranches.query("tranche == '优先A' and measure == 'balance'")[["a", "b"]].values.tolist()
    [[12300.0, 11000.0]]
    """
    ma, mb = _measures(deal_a, report_a), _measures(deal_b, report_b)
    keys = list(dict.fromkeys([*ma, *mb]))
    rows = []
    for tranche, measure in keys:
        x, y = ma.get((tranche, measure), math.nan), mb.get((tranche, measure), math.nan)
        rows.append(
            {
                "tranche": tranche,
                "measure": measure,
                "a": x,
                "b": y,
                "changed": not _same(x, y),
            }
        )
    coverage = pd.concat(
        {
            "a_senior": report_a.coverage[COV_SENIOR],
            "b_senior": report_b.coverage[COV_SENIOR],
            "a_senior_with_principal": report_a.coverage[COV_SENIOR_PRINCIPAL],
            "b_senior_with_principal": report_b.coverage[COV_SENIOR_PRINCIPAL],
        },
        axis=1,
    ).sort_index()
    return Comparison(
        a=a,
        b=b,
        structure=diff_deals(deal_a, deal_b, a=a, b=b),
        tranches=pd.DataFrame(rows, columns=["tranche", "measure", "a", "b", "changed"]),
        coverage=coverage.replace([np.inf, -np.inf], np.nan),
    )


#: Stress measures compared per scenario × tranche (key → (中文, English)).
STRESS_MEASURES: dict[str, tuple[str, str]] = {
    "paid": ("足额兑付", "Paid in full"),
    "loss": ("本金损失率", "Principal loss"),
    "min_coverage_principal": ("最低覆盖倍数（含本金）", "Min coverage incl. principal"),
    "support": ("增信动用（万元）", "Support drawn (CNY 10k)"),
}
#: Columns of :func:`compare_stress` and :func:`compare_breakevens`.
STRESS_COLUMNS = ("scenario", "tranche", "measure", "a", "b", "changed")
BREAKEVEN_COLUMNS = ("tranche", "factor", "a", "a_status", "b", "b_status", "changed")


def _stress_values(view: GridSummary) -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = {}
    paid = view.paid.to_numpy(dtype=bool)
    loss = view.loss.to_numpy(dtype=float)
    cov = view.min_coverage_principal.to_numpy(dtype=float)
    support = view.support_drawn.to_numpy(dtype=float)
    for s, scenario in enumerate(view.scenarios):
        for k, tranche in enumerate(view.loss.columns):
            name = str(tranche)
            out[(scenario, name, "paid")] = float(paid[s, k])
            out[(scenario, name, "loss")] = float(loss[s, k])
            out[(scenario, name, "min_coverage_principal")] = float(cov[s, k])
        out[(scenario, "", "support")] = float(support[s]) / 10_000
    return out


def compare_stress(a: GridSummary, b: GridSummary) -> pd.DataFrame:
    """Stress results of A and B per scenario × tranche × measure (:data:`STRESS_MEASURES`).

    Scenarios and tranches are the union of both sides in run order (A's first); a scenario or
    tranche one side lacks is NaN there and counts as changed. ``paid`` is 1.0 / 0.0;
    ``support`` is per scenario (tranche ``""``), in 万元.

    Examples
    --------
    >>> from abs.io import load_deal
    >>> from scenarios.grid import run_deal_set, summarise_grid
    >>> d = load_deal("rugao-labelled")
    >>> smaller = d.model_copy(update={"tranches": (
    ...     d.tranches[0].model_copy(update={"balance": 110_000_000.0}), d.tranches[1])})
    >>> ga = summarise_grid(run_deal_set(d, "receivable"), "receivable")
    >>> gb = summarise_grid(run_deal_set(smaller, "receivable"), "receivable")
    >>> frame = compare_stress(ga, gb)
    >>> frame.query("scenario == '中度' and tranche == '优先A' and measure == 'paid'")[
    ...     ["a", "b", "changed"]].values.tolist()
    [[1.0, 1.0, False]]
    """
    va, vb = _stress_values(a), _stress_values(b)
    rows = []
    for key in dict.fromkeys([*va, *vb]):
        x, y = va.get(key, math.nan), vb.get(key, math.nan)
        rows.append((*key, x, y, not _same(x, y)))
    return pd.DataFrame(rows, columns=list(STRESS_COLUMNS))


def compare_breakevens(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Break-evens of A and B per tranche × factor (two :func:`breakeven_table` frames).

    ``a`` / ``b`` are the break-even values (NaN where a side lacks the tranche), ``*_status``
    the search status (``found``, ``never_fails`` …) so the page can word them as the stress
    page does; a change of value or of status counts as changed.
    """
    from scenarios import breakeven as be

    def values(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[float, str]]:
        out: dict[tuple[str, str], tuple[float, str]] = {}
        for _, row in frame.iterrows():
            status = str(row[be.COL_STATUS]).rsplit("(", 1)[-1].rstrip(")")
            out[(str(row[be.COL_TRANCHE]), str(row[be.COL_FACTOR]))] = (
                float(row[be.COL_VALUE]),
                status,
            )
        return out

    va, vb = values(a), values(b)
    rows = []
    for key in dict.fromkeys([*va, *vb]):
        x, xs = va.get(key, (math.nan, ""))
        y, ys = vb.get(key, (math.nan, ""))
        rows.append((*key, x, xs, y, ys, xs != ys or not _same(x, y)))
    return pd.DataFrame(rows, columns=list(BREAKEVEN_COLUMNS))


__all__ = [
    "MEASURE_LABELS",
    "STRESS_MEASURES",
    "Comparison",
    "compare",
    "compare_breakevens",
    "compare_stress",
]
