"""The waterfall engine: ``waterfall.run(deal, collections)`` and ``waterfall.run_measures``.

A deal is compiled once into flat arrays (:mod:`waterfall.compile`); a numba kernel
(:mod:`waterfall.kernel`) runs every scenario's periods and steps as scalar code, scenarios in
parallel, one module per step kind (:mod:`waterfall.steps`). Arrays are shaped (scenarios,
periods). Units: money in yuan (float64), rates as annual fractions, shifts in basis points.
Semantics are in ``docs/waterfall.md``.
"""

from __future__ import annotations

from pathlib import Path

from abs.errors import ConservationError, WaterfallError
from waterfall.api import run, run_measures
from waterfall.jit import refresh_cache
from waterfall.layout import CONSERVATION_TOL
from waterfall.measures_result import Measures
from waterfall.result import Line, WaterfallResult

# numba loads cached kernels at their first call, so this runs before any can load stale code.
refresh_cache(Path(__file__).resolve().parent)

__all__ = [
    "CONSERVATION_TOL",
    "ConservationError",
    "Line",
    "Measures",
    "WaterfallError",
    "WaterfallResult",
    "run",
    "run_measures",
]
