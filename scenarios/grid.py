"""Stress grids (压力测试表): many scenarios of one deal in one vectorised engine call.

``run_grid(deal, scenarios)`` takes a scenario set (``data``/``receivable``/a file/a loaded
:class:`~scenarios.sets.ScenarioSet`), a list of scenarios or factor dicts, or — with
``product=True`` — factor lists whose Cartesian product is run. Each scenario's expected
collections are projected once (scenarios with the same projection factors share one projection),
stacked with :meth:`Collections.stack`, and the engine runs ONCE with the engine factors
(rate shift, originator/guarantor default) as (S,) arrays.

``GridResult.table`` is tidy: one row per scenario × tranche with paid in full?, shortfall,
loss, WAL, yield, minimum and life-of-deal 现金流覆盖倍数, first shortfall date and the events
fired. ``GridResult.coverage`` is the senior coverage per period (rows) × scenario (columns).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abs.assumptions import Assumptions, Stress
from abs.cashflows import Collections
from abs.deal import Deal
from abs.errors import ScenarioError
from scenarios.factors import FACTOR_BY_ID, FACTORS, changed_factors, stress_values
from scenarios.runner import Outcome, Projector, deal_base, run_stresses
from scenarios.sets import (
    Scenario,
    ScenarioSet,
    default_set_for,
    load_scenario_set,
    scenario_from_factors,
)
from waterfall import WaterfallResult

COL_SCENARIO = "情景 scenario"
COL_TRANCHE = "档位 tranche"
COL_PAID = "足额兑付 paid in full"
COL_SHORTFALL = "短缺金额(元) shortfall"
COL_LOSS = "本金损失率 loss"
COL_WAL = "加权平均期限(年) WAL"
COL_YIELD = "收益率 yield"
COL_MIN_COV = "最低覆盖倍数（仅利息） min coverage, interest only"
COL_LIFE_COV = "全周期覆盖倍数（仅利息） life coverage, interest only"
COL_MIN_COV_P = "最低覆盖倍数（含本金） min coverage incl. principal"
COL_FIRST_SHORT = "首次短缺日 first shortfall"
COL_EVENTS = "触发事件 events"
GRID_COLUMNS = (
    COL_SCENARIO,
    COL_TRANCHE,
    COL_PAID,
    COL_SHORTFALL,
    COL_LOSS,
    COL_WAL,
    COL_YIELD,
    COL_MIN_COV,
    COL_LIFE_COV,
    COL_MIN_COV_P,
    COL_FIRST_SHORT,
    COL_EVENTS,
)
#: Name of the coverage frame's index.
COL_PAYMENT_DATE = "兑付日 payment date"

ScenarioSpec = (
    ScenarioSet
    | str
    | Path
    | Scenario
    | Mapping[str, Any]
    | Sequence[Scenario | Mapping[str, Any]]
    | None
)


@dataclass(frozen=True)
class GridResult:
    """A stress grid's results.

    Attributes
    ----------
    deal_name : str
    scenarios : tuple of Scenario
        In run order (scenario s is row s of every array).
    stresses : tuple of Stress
        The resolved stress of each scenario for this deal.
    collections : Collections
        The stacked expected collections (S = number of scenarios).
    result : WaterfallResult
        The single engine run over all scenarios.
    outcome : Outcome
        Per-scenario, per-tranche measures (arrays (S, K)).
    table : DataFrame
        Tidy scenario × tranche table (:data:`GRID_COLUMNS` + the non-neutral factors).
    coverage : DataFrame
        Senior 现金流覆盖倍数 per payment date (rows) × scenario (columns).
    base : Stress
        What the scenarios started from: the deal's base adjustments unless the run gave
        another base (:func:`scenarios.runner.deal_base`).
    """

    deal_name: str
    scenarios: tuple[Scenario, ...]
    stresses: tuple[Stress, ...]
    collections: Collections
    result: WaterfallResult
    outcome: Outcome
    table: pd.DataFrame
    coverage: pd.DataFrame
    base: Stress = field(default_factory=Stress)

    @property
    def names(self) -> list[str]:
        """Scenario names in run order."""
        return [s.name for s in self.scenarios]

    @property
    def base_index(self) -> int | None:
        """Row of the first scenario that moves nothing beyond :attr:`base` (the base case:
        the same case as ``dabs run`` and the dashboard's 现金流 page), or None."""
        for s, stress in enumerate(self.stresses):
            if stress == self.base:
                return s
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the ``dabs stress --json`` shape)."""
        o = self.outcome
        out_scenarios = []
        for s, (sc, stress) in enumerate(zip(self.scenarios, self.stresses, strict=True)):
            tranches = []
            for k, name in enumerate(o.tranche_names):
                first = o.first_shortfall[s, k]
                tranches.append(
                    {
                        "name": name,
                        "paid_in_full": bool(o.paid_in_full[s, k]),
                        "shortfall": float(o.shortfall[s, k]),
                        "loss": float(o.loss[s, k]),
                        "wal_years": float(o.wal[s, k]),
                        "yield": float(o.yld[s, k]),
                        # the same keys and definitions as ``dabs run --json``
                        "min_coverage": float(o.min_coverage_principal[s, k]),
                        "min_coverage_interest": float(o.min_coverage[s, k]),
                        "life_coverage_interest": float(o.life_coverage[s, k]),
                        "first_shortfall_date": (
                            o.payment_dates[first].isoformat() if first >= 0 else None
                        ),
                    }
                )
            out_scenarios.append(
                {
                    "name": sc.name,
                    "name_en": sc.en,
                    "factors": stress_values(stress),
                    "sources": dict(sc.sources),
                    "events": o.events_fired(s),
                    "tranches": tranches,
                    "coverage": [
                        float(x) if math.isfinite(x) else None for x in o.coverage[s].tolist()
                    ],
                }
            )
        return {
            "deal": self.deal_name,
            "base_factors": changed_factors(self.base),
            "payment_dates": [d.isoformat() for d in o.payment_dates],
            "scenarios": out_scenarios,
        }


def _cartesian(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    keys = list(values)
    lists = []
    for k in keys:
        v = values[k]
        if isinstance(v, list | tuple | np.ndarray):
            if len(v) == 0:
                raise ScenarioError(f"grid: factor {k!r} has an empty list of values")
            lists.append(list(v))
        else:
            lists.append([v])
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*lists)]


def resolve_scenarios(
    deal: Deal, scenarios: ScenarioSpec = None, *, product: bool = False
) -> list[Scenario]:
    """Normalise every accepted form of ``scenarios`` into a list of :class:`Scenario`.

    Raises
    ------
    ScenarioError
        An empty list, duplicate names, list-valued factors without ``product=True``, or an
        invalid factor.
    """
    if scenarios is None:
        out = list(default_set_for(deal).scenarios)
    elif isinstance(scenarios, ScenarioSet):
        out = list(scenarios.scenarios)
    elif isinstance(scenarios, str | Path):
        out = list(load_scenario_set(scenarios).scenarios)
    elif isinstance(scenarios, Scenario):
        out = [scenarios]
    else:
        items: Sequence[Scenario | Mapping[str, Any]] = (
            [scenarios] if isinstance(scenarios, Mapping) else scenarios
        )
        out = []
        for i, item in enumerate(items):
            if isinstance(item, Scenario):
                out.append(item)
                continue
            if not isinstance(item, Mapping):
                raise ScenarioError(
                    f"grid: scenario [{i}] must be a Scenario or a factor dict; "
                    f"got {type(item).__name__}"
                )
            has_lists = any(isinstance(v, list | tuple | np.ndarray) for v in item.values())
            if has_lists and not product:
                raise ScenarioError(
                    f"grid: scenario [{i}] gives lists of values {dict(item)}; "
                    f"pass product=True for their Cartesian product"
                )
            for combo in _cartesian(item) if product else [dict(item)]:
                out.append(scenario_from_factors(combo))
    if not out:
        raise ScenarioError("grid: no scenarios to run")
    names = [s.name for s in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ScenarioError(f"grid: scenario names must be unique; repeated: {dup}")
    return out


def run_grid(
    deal: Deal,
    scenarios: ScenarioSpec = None,
    *,
    product: bool = False,
    base: Stress | None = None,
    assumptions: Assumptions | None = None,
    projector: Projector | None = None,
) -> GridResult:
    """Run every scenario of a stress grid for ``deal`` in one engine call.

    Parameters
    ----------
    deal : Deal
        The deal, with its pool.
    scenarios : ScenarioSet, str, Path, Scenario, dict or list, optional
        A set (built-in name such as ``data``/``receivable``, a JSON/CSV file, or a loaded set),
        one scenario, a factor dict, or a list of scenarios/factor dicts. Default: the deal's
        built-in set (:func:`scenarios.sets.default_set_for`).
    product : bool
        Factor dicts whose values are lists expand into their Cartesian product.
    base : Stress, optional
        Values of factors a scenario does not set (default: the deal's base adjustments,
        ``assumptions.stress``, :func:`scenarios.runner.deal_base`; ``Stress()`` for none).
    assumptions : Assumptions, optional
        Default: the deal's.
    projector : callable, optional
        ``(deal, assumptions, stress) -> Collections`` (default: the expected-case projection).

    Returns
    -------
    GridResult

    Examples
    --------
    >>> from abs.io import load_deal
    >>> g = run_grid(load_deal("qingdao-pure"), "data")  # doctest: +SKIP
    >>> g.table[[COL_SCENARIO, COL_TRANCHE, COL_PAID]].head()  # doctest: +SKIP
    """
    chosen = resolve_scenarios(deal, scenarios, product=product)
    start = deal_base(deal, base, assumptions)
    stresses = [sc.stress(deal, base=start) for sc in chosen]
    coll, result, outcome = run_stresses(
        deal, stresses, assumptions=assumptions, projector=projector
    )
    table = _table(chosen, stresses, outcome)
    coverage = pd.DataFrame(
        outcome.coverage.T,
        index=pd.Index(list(outcome.payment_dates), name=COL_PAYMENT_DATE),
        columns=[sc.name for sc in chosen],
    )
    return GridResult(
        deal_name=deal.name,
        scenarios=tuple(chosen),
        stresses=tuple(stresses),
        collections=coll,
        result=result,
        outcome=outcome,
        table=table,
        coverage=coverage,
        base=start,
    )


@dataclass(frozen=True)
class GridSummary:
    """A stress grid reduced to what the dashboard shows (small, picklable tables).

    Attributes
    ----------
    set_name : str
        The scenario set that ran.
    scenarios : list of str
        Scenario names in run order (the set's, then the deal's own custom scenarios).
    table : DataFrame
        ``GridResult.table`` (scenario × tranche, Chinese/English headers).
    coverage : DataFrame
        Senior coverage per payment date × scenario.
    loss, min_coverage, min_coverage_principal : DataFrame
        Scenario (rows) × tranche (columns): principal loss fraction, lowest 现金流覆盖倍数 of
        the tranche and those above it (without / with scheduled principal).
    paid : DataFrame
        Scenario (rows) × tranche (columns): paid in full (bool).
    support_drawn : Series
        Scenario → reserve, 差额支付 and guarantee draws over the life of the deal (yuan): a
        scenario paid in full with draws rests on support and is shown as such, not as ✓.
    factors : DataFrame
        Scenario (rows) × factor values that differ from neutral (:func:`factor_table`).
    """

    set_name: str
    scenarios: list[str]
    table: pd.DataFrame
    coverage: pd.DataFrame
    loss: pd.DataFrame
    min_coverage: pd.DataFrame
    min_coverage_principal: pd.DataFrame
    paid: pd.DataFrame
    support_drawn: pd.Series
    factors: pd.DataFrame


def factor_table(stresses: Sequence[Stress], names: Sequence[str]) -> pd.DataFrame:
    """Scenario (rows) × factor (``中文 [unit]`` columns): each non-neutral value as text.

    Only factors some scenario moves get a column; a scenario that leaves one neutral has an
    empty cell there.

    Examples
    --------
    >>> frame = factor_table([Stress(), Stress(pd_multiplier=2.5)], ["基准", "重度"])
    >>> list(frame.columns)
    ['违约率倍数 (pd_multiplier) [× 倍 (1 = base)]']
    >>> frame.iloc[:, 0].tolist()
    ['', '2.5']
    """
    changed = [changed_factors(s) for s in stresses]
    ids = [fid for fid in FACTOR_BY_ID if any(fid in c for c in changed)]
    rows = []
    for values in changed:
        row: dict[str, str] = {}
        for fid in ids:
            value = values.get(fid)
            factor = FACTOR_BY_ID[fid]
            row[f"{factor.label} [{factor.unit}]"] = "" if value is None else f"{value:g}"
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(list(names), name=COL_SCENARIO), dtype=object)


def summarise_grid(grid: GridResult, set_name: str) -> GridSummary:
    """The dashboard's reduction of ``grid`` (run from the set called ``set_name``)."""
    o = grid.outcome
    names = grid.names
    tranches = list(o.tranche_names)
    return GridSummary(
        set_name=set_name,
        scenarios=names,
        table=grid.table,
        coverage=grid.coverage,
        loss=pd.DataFrame(o.loss, index=names, columns=tranches),
        min_coverage=pd.DataFrame(o.min_coverage, index=names, columns=tranches),
        min_coverage_principal=pd.DataFrame(
            o.min_coverage_principal, index=names, columns=tranches
        ),
        paid=pd.DataFrame(o.paid_in_full, index=names, columns=tranches),
        support_drawn=pd.Series(grid.result.support_draws.sum(axis=1), index=names),
        factors=factor_table(grid.stresses, names),
    )


def run_deal_set(deal: Deal, set_name: str) -> GridResult:
    """The built-in set ``set_name`` then the deal's own custom scenarios, on the deal's base.

    The deal's base adjustments (``assumptions.stress``) stay on where a scenario is silent,
    as on every surface that shows the deal's stress grid.

    Raises
    ------
    ScenarioError
        An unknown set, or a custom scenario named like one of the set's.
    """
    from scenarios.sets import builtin_sets, with_custom

    sets = builtin_sets()
    if set_name not in sets:
        raise ScenarioError(
            f"unknown scenario set {set_name!r}; the built-in sets are {', '.join(sorted(sets))}"
        )
    spec: ScenarioSpec = with_custom(deal, sets[set_name]) if deal.stress_scenarios else set_name
    return run_grid(deal, spec)


def _table(scenarios: list[Scenario], stresses: list[Stress], o: Outcome) -> pd.DataFrame:
    varying = [
        f.id
        for f in FACTORS
        if any(float(getattr(s, f.id)) != FACTOR_BY_ID[f.id].neutral for s in stresses)
    ]
    rows = []
    for s, (sc, stress) in enumerate(zip(scenarios, stresses, strict=True)):
        events = "、".join(o.events_fired(s))
        for k, name in enumerate(o.tranche_names):
            first = int(o.first_shortfall[s, k])
            row: dict[str, Any] = {
                COL_SCENARIO: sc.name,
                COL_TRANCHE: name,
                COL_PAID: bool(o.paid_in_full[s, k]),
                COL_SHORTFALL: float(o.shortfall[s, k]),
                COL_LOSS: float(o.loss[s, k]),
                COL_WAL: float(o.wal[s, k]),
                COL_YIELD: float(o.yld[s, k]),
                COL_MIN_COV: float(o.min_coverage[s, k]),
                COL_LIFE_COV: float(o.life_coverage[s, k]),
                COL_MIN_COV_P: float(o.min_coverage_principal[s, k]),
                COL_FIRST_SHORT: o.payment_dates[first] if first >= 0 else None,
                COL_EVENTS: events,
            }
            for fid in varying:
                row[FACTOR_BY_ID[fid].label] = getattr(stress, fid)
            rows.append(row)
    columns = list(GRID_COLUMNS) + [FACTOR_BY_ID[f].label for f in varying]
    return pd.DataFrame(rows, columns=columns)
