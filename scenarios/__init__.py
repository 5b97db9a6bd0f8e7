"""Stress grids, break-even search, rating view and Monte Carlo (local numpy or Dask).

Quants import from the capability modules::

    from abs.io import load_deal
    from scenarios.grid import run_grid
    from scenarios.breakeven import breakeven, breakeven_table
    from scenarios.montecarlo import run_mc

    deal = load_deal("qingdao-pure")
    grid = run_grid(deal)                       # 基准/轻度/中度/重度 in one engine call
    be = breakeven(deal, tranche="优先A2", factor="revenue_haircut")
    mc = run_mc(deal, n_paths=10_000, seed=1)   # same seed → same numbers, any engine

Units: haircuts and shocks as fractions, the PD multiplier as ×, delays in payment periods
(built-in sets give months), renewal changes in percentage points, rate shifts in bp; money in
yuan. See ``docs/scenarios.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY: dict[str, str] = {
    "apply": "scenarios.factors",
    "load_scenario_set": "scenarios.sets",
    "default_set_for": "scenarios.sets",
    "scenario_names": "scenarios.sets",
    "run_grid": "scenarios.grid",
    "breakeven": "scenarios.breakeven",
    "breakeven_table": "scenarios.breakeven",
    "rating_view": "scenarios.rating",
    "largest_senior_size": "scenarios.sizing",
    "run_mc": "scenarios.montecarlo",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'scenarios' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = list(_LAZY)
