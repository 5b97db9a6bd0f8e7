"""Indicative rating view (仅供参考 / indicative only): implied grade from the break-even.

Method (DOMAIN.md "Coverage and stress", rating by stress multiple): a tranche earns the highest
grade whose *target default rate × stress multiple* is at or below the tranche's break-even
cumulative default rate (临界违约率). The target default rate of a grade is, unless the table
fixes a number for it, the deal's base-case expected cumulative default rate (projected defaults
/ 入池本金 with no stress). The multiples table is package data
(``scenarios/data/rating_multiples-1.json``) and users may pass their own file of that shape.

This is a screening aid for structurers, not a rating: every output carries the label
:data:`INDICATIVE`.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from abs.errors import ScenarioError

if TYPE_CHECKING:
    from abs.assumptions import Assumptions, Stress
    from abs.deal import Deal
    from scenarios.breakeven import BreakevenResult
    from scenarios.runner import Projector

#: Label carried by every rating-view output.
INDICATIVE = "仅供参考 / indicative only"
#: Package data file of the multiples table.
MULTIPLES_FILE = "rating_multiples-1.json"
SCHEMA_VERSION = "1"
#: Grade shown when not even the lowest grade passes.
BELOW_TABLE = "低于BBB- / below table"

COL_TRANCHE = "档位 tranche"
COL_BREAKEVEN_MULT = "临界违约倍数 break-even PD multiple"
COL_BREAKEVEN_CDR = "临界累计违约率 break-even CDR"
COL_BASE_CDR = "基准累计违约率 base CDR"
COL_COVERAGE_MULT = "违约覆盖倍数 CDR multiple"
COL_GRADE = "隐含评级 implied grade"
COL_REQUIRED = "所需违约率 required CDR"
COL_STATUS = "搜索状态 search status"
COL_NOTE = "说明 note"
RATING_COLUMNS = (
    COL_TRANCHE,
    COL_BASE_CDR,
    COL_BREAKEVEN_MULT,
    COL_BREAKEVEN_CDR,
    COL_COVERAGE_MULT,
    COL_GRADE,
    COL_REQUIRED,
    COL_STATUS,
    COL_NOTE,
)


@dataclass(frozen=True)
class Grade:
    """One row of the multiples table."""

    grade: str
    multiple: float
    target_default_rate: float | None = None

    def required(self, base_cdr: float) -> float:
        """Cumulative default rate a tranche must survive for this grade."""
        target = self.target_default_rate if self.target_default_rate is not None else base_cdr
        return target * self.multiple


@dataclass(frozen=True)
class MultiplesTable:
    """The grades from best to worst, with where the table came from."""

    grades: tuple[Grade, ...]
    source: str
    disclaimer: str = INDICATIVE


def parse_multiples(text: str | bytes, *, source: str) -> MultiplesTable:
    """A multiples table from JSON text (the package data shape).

    Raises
    ------
    ScenarioError
        Invalid JSON, a missing or non-positive multiple, multiples not falling from the best
        grade to the worst, or a duplicated grade (the message names the entry).
    """
    try:
        data: Any = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{source}: not valid JSON: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("grades"), list):
        raise ScenarioError(f"{source}: expected an object with a 'grades' list")
    version = str(data.get("schema_version", SCHEMA_VERSION))
    if version != SCHEMA_VERSION:
        raise ScenarioError(f"{source}: schema_version {version!r} is not supported (reads '1')")
    grades: list[Grade] = []
    for i, item in enumerate(data["grades"]):
        where = f"{source}: grades[{i}]"
        if not isinstance(item, Mapping):
            raise ScenarioError(f"{where}: must be an object; got {item!r}")
        name = item.get("grade")
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError(f"{where}.grade: needs a grade name; got {name!r}")
        mult = item.get("multiple")
        if isinstance(mult, bool) or not isinstance(mult, int | float) or not mult > 0:
            raise ScenarioError(f"{where}.multiple: must be a number > 0; got {mult!r}")
        target = item.get("target_default_rate")
        if target is not None and (
            isinstance(target, bool) or not isinstance(target, int | float) or not 0 <= target <= 1
        ):
            raise ScenarioError(
                f"{where}.target_default_rate: must be null or a fraction in [0, 1]; got {target!r}"
            )
        if any(g.grade == name for g in grades):
            raise ScenarioError(f"{where}.grade: grade {name!r} listed twice")
        if grades and mult > grades[-1].multiple:
            raise ScenarioError(
                f"{where}.multiple: grades run from best to worst, so multiples must not rise; "
                f"{name} has {mult} after {grades[-1].grade} {grades[-1].multiple}"
            )
        grades.append(Grade(name, float(mult), None if target is None else float(target)))
    if not grades:
        raise ScenarioError(f"{source}: the 'grades' list is empty")
    return MultiplesTable(tuple(grades), source, str(data.get("disclaimer", INDICATIVE)))


@functools.cache
def _builtin() -> MultiplesTable:
    text = resources.files("scenarios").joinpath("data", MULTIPLES_FILE).read_text("utf-8")
    return parse_multiples(text, source=f"scenarios/data/{MULTIPLES_FILE}")


def load_multiples(path: str | Path | None = None) -> MultiplesTable:
    """The multiples table: built-in, or a user JSON file of the same shape.

    Raises
    ------
    ScenarioError
        Missing or invalid file.
    """
    if path is None:
        return _builtin()
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"{p}: rating multiples file not found")
    return parse_multiples(p.read_bytes(), source=str(p))


def implied_grade(
    breakeven_cdr: float, base_cdr: float, *, table: MultiplesTable | None = None
) -> Grade | None:
    """The highest grade whose required default rate is at or below ``breakeven_cdr``.

    Parameters
    ----------
    breakeven_cdr : float
        The tranche's break-even cumulative default rate (fraction of 入池本金).
    base_cdr : float
        The deal's base-case expected cumulative default rate (target of grades without one).
    table : MultiplesTable, optional
        Default: the built-in table.

    Returns
    -------
    Grade or None
        None when even the lowest grade's requirement is above the break-even.

    Examples
    --------
    >>> implied_grade(0.10, 0.02).grade  # 0.02 × 5.0 = 0.10 ≤ 0.10 → AAA
    'AAA'
    >>> implied_grade(0.09, 0.02).grade  # 0.02 × 4.5 = 0.09 → AA+
    'AA+'
    >>> implied_grade(0.03, 0.02) is None  # 0.02 × 2.0 = 0.04 > 0.03
    True
    """
    chosen = table if table is not None else _builtin()
    if math.isnan(breakeven_cdr):
        return None
    for g in chosen.grades:
        if g.required(base_cdr) <= breakeven_cdr + 1e-12:
            return g
    return None


def rating_view(
    deal: Deal,
    *,
    assumptions: Assumptions | None = None,
    base: Stress | None = None,
    table: MultiplesTable | None = None,
    results: Sequence[BreakevenResult] | None = None,
    tranches: Sequence[str] | None = None,
    projector: Projector | None = None,
) -> pd.DataFrame:
    """Indicative grade per tranche from its break-even PD multiple (仅供参考).

    Parameters
    ----------
    deal : Deal
        The deal (with its pool).
    assumptions : Assumptions, optional
        Default: the deal's.
    base : Stress, optional
        The other factors' values during the search (default: the deal's base adjustments,
        :func:`scenarios.runner.deal_base`).
    table : MultiplesTable, optional
        Default: the built-in multiples.
    results : sequence of BreakevenResult, optional
        Break-evens on ``pd_multiplier`` already computed (one per tranche); searched if absent.
    tranches : sequence of str, optional
        Default: every tranche.
    projector : callable, optional
        ``(deal, assumptions, stress) -> Collections`` (default: the expected-case projection).

    Returns
    -------
    DataFrame
        Columns :data:`RATING_COLUMNS`; the note column carries :data:`INDICATIVE`.
    """
    from scenarios.breakeven import base_cumulative_default_rate, breakeven_all

    chosen = table if table is not None else _builtin()
    names = list(tranches) if tranches is not None else [t.name for t in deal.tranches]
    by_name = {r.tranche: r for r in results or () if r.factor == "pd_multiplier"}
    missing = [n for n in names if n not in by_name]
    if missing:  # one shared search for all of them (each result is its own search's)
        for r in breakeven_all(
            deal,
            factor="pd_multiplier",
            tranches=missing,
            base=base,
            assumptions=assumptions,
            projector=projector,
        ):
            by_name[r.tranche] = r
    base_cdr = base_cumulative_default_rate(deal, assumptions=assumptions, projector=projector)
    rows = []
    for name in names:
        res = by_name[name]
        cdr = res.cumulative_default_rate if res.cumulative_default_rate is not None else math.nan
        grade = implied_grade(cdr, base_cdr, table=chosen)
        if res.status == "fails_at_lo":
            grade = None
        note = INDICATIVE
        if res.status == "never_fails":
            note += f"; 搜索上限内未违约 (≥ {res.value:g}×)"
        if base_cdr <= 0:
            note += "; 基准违约率为0, 倍数法不适用 / base CDR is 0, multiples not informative"
        rows.append(
            {
                COL_TRANCHE: name,
                COL_BASE_CDR: base_cdr,
                COL_BREAKEVEN_MULT: res.value,
                COL_BREAKEVEN_CDR: cdr,
                COL_COVERAGE_MULT: cdr / base_cdr if base_cdr > 0 else math.inf,
                COL_GRADE: grade.grade if grade is not None else BELOW_TABLE,
                COL_REQUIRED: grade.required(base_cdr) if grade is not None else math.nan,
                COL_STATUS: res.status,
                COL_NOTE: note,
            }
        )
    return pd.DataFrame(rows, columns=list(RATING_COLUMNS))
