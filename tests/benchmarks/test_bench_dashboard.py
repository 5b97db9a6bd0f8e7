"""Dashboard on a 10,000-asset deal: a tranche edit → base case + the 4-scenario stress set.

The deal is qingdao-pure with its 60 assets repeated to 10,000 (``pools.big_qingdao``). Each
round edits the senior size to a value not seen before, as a structurer typing in the 结构设计
table does, so every ``st.cache_data`` entry misses. Measured, same session:

* ``rerun``: what the pages run for the edited deal's JSON (``ui.engine``: parse it, structure
  checks, base case, stress set) — the edit's JSON is made in the untimed setup;
* ``edit``: the same plus the structure page's own work on the edit (validate the edited deal,
  serialise it to the session's JSON);
* ``projection``: only the projections those pages ask for (base + 4 stresses) of the parsed
  edited deal — the projection's part of the rerun.

Like the other issue-13 benchmarks it also runs on the tree before the pool model.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from abs.io import parse_deal
from abs.projection import project
from tests.benchmarks.pools import big_qingdao
from ui import engine

_counter = itertools.count(1)


@pytest.fixture(scope="module")
def deal_json() -> str:
    text = engine.deal_to_json(big_qingdao(10_000))
    _rerun(text)  # imports, compilation and the first projection outside the timing
    return text


def _edited_data(deal_json: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(deal_json)
    data["tranches"][0]["balance"] = data["tranches"][0]["balance"] - 1_000.0 * next(_counter)
    return data


def _edit(data: dict[str, Any]) -> str:
    deal = engine.validate_deal_data(data, source="bench")[0]
    assert deal is not None
    return engine.deal_to_json(deal)


def _rerun(text: str) -> tuple[Any, Any, Any]:
    set_name = engine.default_set_name(text)
    return (
        engine.structure_checks(text),
        engine.base_case(text),
        engine.stress_grid(text, set_name),
    )


@pytest.mark.benchmark(group="dashboard tranche edit 10k assets")
def test_bench_rerun_after_tranche_edit_10k(benchmark: Any, deal_json: str) -> None:
    def setup() -> tuple[tuple[str], dict[str, Any]]:
        return (_edit(_edited_data(deal_json)),), {}

    _checks, base, grid = benchmark.pedantic(_rerun, setup=setup, rounds=7, iterations=1)
    assert base.conserved and len(grid.scenarios) == 4


@pytest.mark.benchmark(group="dashboard tranche edit 10k assets")
def test_bench_edit_and_rerun_10k(benchmark: Any, deal_json: str) -> None:
    def setup() -> tuple[tuple[dict[str, Any]], dict[str, Any]]:
        return (_edited_data(deal_json),), {}

    def edit_and_rerun(data: dict[str, Any]) -> tuple[Any, Any, Any]:
        return _rerun(_edit(data))

    _checks, base, grid = benchmark.pedantic(edit_and_rerun, setup=setup, rounds=5, iterations=1)
    assert base.conserved and len(grid.scenarios) == 4


@pytest.mark.benchmark(group="dashboard tranche edit 10k assets")
def test_bench_projection_part_of_a_tranche_edit_10k(benchmark: Any, deal_json: str) -> None:
    from scenarios.factors import projection_part
    from scenarios.sets import default_set_for

    def setup() -> tuple[tuple[Any], dict[str, Any]]:
        return (parse_deal(_edit(_edited_data(deal_json))),), {}

    def projections(deal: Any) -> list[Any]:
        base = deal.assumptions.stress
        stresses = [sc.stress(deal, base=base) for sc in default_set_for(deal).scenarios]
        return [project(deal)] + [project(deal, stress=projection_part(s)) for s in stresses]

    out = benchmark.pedantic(projections, setup=setup, rounds=7, iterations=1)
    assert len(out) == 5
