"""Dashboard interactivity: time to re-run the base case and the 4-scenario stress set after a
tranche edit, through the same cached wrappers the pages call (``ui.engine``).

Each round edits the senior size to a value not seen before, so every engine cache misses —
exactly what a structurer triggers by typing a new size in the 结构设计 table: the edited deal
is serialised, parsed, projected, run through the waterfall (base case), and the default
scenario set runs in one vectorised engine call. Target: well under 1 s on the examples.
The warm case (same deal again: served from ``st.cache_data``) is measured too.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from ui import engine

EXAMPLES = ("qingdao-pure", "rugao-labelled", "tianfeng-enabled")
_counter = itertools.count(1)


def _edited(deal_json: str) -> str:
    """The deal with the first tranche 1,000 yuan × n smaller (a new size every call)."""
    data: dict[str, Any] = json.loads(deal_json)
    data["tranches"][0]["balance"] = data["tranches"][0]["balance"] - 1_000.0 * next(_counter)
    deal = engine.validate_deal_data(data, source="bench")[0]
    assert deal is not None
    return engine.deal_to_json(deal)


def _rerun(deal_json: str) -> tuple[Any, Any, Any]:
    set_name = engine.default_set_name(deal_json)
    return (
        engine.structure_checks(deal_json),
        engine.base_case(deal_json),
        engine.stress_grid(deal_json, set_name),
    )


@pytest.mark.parametrize("example", EXAMPLES)
def test_bench_rerun_after_tranche_edit(benchmark: Any, example: str) -> None:
    base_json = engine.example_deal_json(example)
    _rerun(base_json)  # imports and QuantLib warm-up outside the timing

    def setup() -> tuple[tuple[str], dict[str, Any]]:
        return (_edited(base_json),), {}

    checks, base, grid = benchmark.pedantic(_rerun, setup=setup, rounds=15, iterations=1)
    assert base.conserved
    assert len(grid.scenarios) == 4
    assert len(checks.tranches) >= 2


@pytest.mark.parametrize("example", EXAMPLES)
def test_bench_rerun_cached(benchmark: Any, example: str) -> None:
    deal_json = engine.example_deal_json(example)
    _rerun(deal_json)
    _, base, grid = benchmark(_rerun, deal_json)
    assert base.conserved and len(grid.scenarios) == 4
