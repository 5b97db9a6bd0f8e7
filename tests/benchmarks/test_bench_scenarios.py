"""Scenario benchmarks (``make bench``).

* the standard 4-scenario stress grid (基准/轻度/中度/重度, the deal's default set) on each example:
  4 projections + ONE engine call (target well under 1 s each);
* the break-even table (revenue haircut and PD multiple for every tranche) of qingdao-pure;
* 100,000 Monte Carlo paths of qingdao-pure locally, and on a 2-worker LocalCluster started
  outside the timed region (the ratio local / dask median is the scaling ratio; compare both
  medians from the same session).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from abs.io import load_deal
from scenarios.breakeven import breakeven_table
from scenarios.grid import run_grid
from scenarios.montecarlo import run_mc

MC_PATHS = 100_000


@pytest.mark.parametrize("example", ["qingdao-pure", "rugao-labelled", "tianfeng-enabled"])
def test_bench_standard_grid(benchmark: Any, example: str) -> None:
    deal = load_deal(example)
    result = benchmark(run_grid, deal)
    assert result.names == ["基准", "轻度", "中度", "重度"]
    assert result.collections.n_scenarios == 4


def test_bench_breakeven_table_qingdao(benchmark: Any) -> None:
    deal = load_deal("qingdao-pure")
    table = benchmark.pedantic(breakeven_table, args=(deal,), rounds=3, iterations=1)
    assert len(table) == 2 * len(deal.tranches)


def test_bench_mc_100k_local(benchmark: Any) -> None:
    deal = load_deal("qingdao-pure")
    result = benchmark.pedantic(
        run_mc, args=(deal,), kwargs={"n_paths": MC_PATHS, "seed": 1}, rounds=3, iterations=1
    )
    assert result.n_paths == MC_PATHS


@pytest.fixture
def two_worker_cluster() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    with Client(cluster) as client:  # warm the workers: imports happen outside the timing
        client.run(lambda: __import__("scenarios.montecarlo"))
    try:
        yield cluster
    finally:
        cluster.close()


def test_bench_mc_100k_dask_2_workers(benchmark: Any, two_worker_cluster: Any) -> None:
    deal = load_deal("qingdao-pure")
    result = benchmark.pedantic(
        run_mc,
        args=(deal,),
        kwargs={
            "n_paths": MC_PATHS,
            "seed": 1,
            "engine": "dask",
            "scheduler": two_worker_cluster.scheduler_address,
        },
        rounds=3,
        iterations=1,
    )
    assert result.n_paths == MC_PATHS and result.engine == "dask"
