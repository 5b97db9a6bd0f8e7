"""The vectorised waterfall engine: ``waterfall.run(deal, collections)``.

Arrays are shaped (scenarios, periods); Python loops run over periods and steps only. Units:
money in yuan (float64), rates as annual fractions, shifts in basis points. Semantics are in
``docs/waterfall.md``.
"""

from __future__ import annotations

from abs.errors import ConservationError, WaterfallError
from tests.benchmarks.legacy_engine.engine import CONSERVATION_TOL, run
from tests.benchmarks.legacy_engine.result import Line, WaterfallResult

__all__ = [
    "CONSERVATION_TOL",
    "ConservationError",
    "Line",
    "WaterfallError",
    "WaterfallResult",
    "run",
]
