"""Projection benchmarks (``make bench``).

* expected case, 10,000 assets (six kinds, a PD each) × 120 monthly periods:
  - cold: a new pool model and its expected case (the first projection of a pool);
  - from the built model: the expected case of a stress not seen before (every later one);
  - the per-asset table (1.2 M rows), built on demand;
* stochastic paths alone (no waterfall), 100,000 paths of a 1,000-asset pool × 60 periods,
  on one thread and on every core, with the peak traced memory of 10,000 paths printed.

The file runs on the tree before the pool model too (``tests/benchmarks/pools.py``): there
"cold" is ``project(deal)`` as it was (model, expected case and the asset table every call) and
the model-only benchmarks skip. ``docs/projection.md`` gives the figures of both, same session.
"""

from __future__ import annotations

import itertools
import tracemalloc
from typing import Any

import pytest

import abs.projection as proj
from abs.assumptions import Stress
from abs.deal import Deal
from tests.benchmarks.pools import bench_deal, bench_pool

HAS_MODEL = hasattr(proj, "PoolModel")
needs_model = pytest.mark.skipif(not HAS_MODEL, reason="before the pool model")
STOCHASTIC_PATHS = 100_000


@pytest.fixture(scope="module")
def deal_10k() -> Deal:
    return bench_deal(bench_pool(10_000, years=10), periods=120)


@pytest.fixture(scope="module")
def deal_1k() -> Deal:
    return bench_deal(bench_pool(1_000, years=5, seed=1), periods=60)


def _cold(deal: Deal) -> Any:
    if HAS_MODEL:
        proj.clear_model_cache()
    return proj.project(deal)


@pytest.mark.benchmark(group="projection expected 10k x 120")
def test_bench_expected_10k_cold(benchmark: Any, deal_10k: Deal) -> None:
    result = benchmark.pedantic(_cold, args=(deal_10k,), rounds=5, warmup_rounds=1)
    assert result.total.shape == (1, 120)


@needs_model
@pytest.mark.benchmark(group="projection expected 10k x 120")
def test_bench_expected_10k_from_the_model(benchmark: Any, deal_10k: Deal) -> None:
    model = proj.PoolModel(deal_10k)
    model.expected()
    multiples = itertools.count(1)

    def new_stress() -> Any:  # a PD multiple not seen before: nothing is reused but the model
        return model.expected(Stress(pd_multiplier=1.0 + next(multiples) / 1000.0))

    result = benchmark.pedantic(new_stress, rounds=20, warmup_rounds=1)
    assert result.total.shape == (1, 120)


@needs_model
@pytest.mark.benchmark(group="projection expected 10k x 120")
def test_bench_asset_table_10k(benchmark: Any, deal_10k: Deal) -> None:
    model = proj.PoolModel(deal_10k)
    multiples = itertools.count(1)

    def table() -> Any:
        return model.asset_table(Stress(pd_multiplier=1.0 + next(multiples) / 1000.0))

    result = benchmark.pedantic(table, rounds=5, warmup_rounds=1)
    assert len(result) == 10_000 * 120


def _paths(deal: Deal, threads: int) -> Any:
    if HAS_MODEL:
        return proj.pool_model(deal).simulate(n_paths=STOCHASTIC_PATHS, seed=2026, threads=threads)
    return proj.simulate(deal, n_paths=STOCHASTIC_PATHS, seed=2026)


@pytest.mark.benchmark(group="projection paths 100k x 1k x 60")
@pytest.mark.parametrize("threads", [1, 2])
def test_bench_paths_100k_1k_assets(benchmark: Any, deal_1k: Deal, threads: int) -> None:
    if threads > 1 and not HAS_MODEL:
        pytest.skip("before the pool model: one thread only")
    if HAS_MODEL:
        proj.pool_model(deal_1k).simulate(n_paths=1024, seed=1)  # compile, lay out the model
    tracemalloc.start()
    proj.simulate(deal_1k, n_paths=10_000, seed=2026)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    benchmark.extra_info["peak_traced_memory_10k_paths_mb"] = round(peak / 1e6, 1)
    result = benchmark.pedantic(_paths, args=(deal_1k, threads), rounds=3, iterations=1)
    assert result.total.shape == (STOCHASTIC_PATHS, 60)
