"""Scenario benchmarks (``make bench``).

* the standard 4-scenario stress grid (基准/轻度/中度/重度, the deal's default set) on each example;
* the break-even table (revenue haircut and PD multiple for every tranche) of qingdao-pure;
* Monte Carlo through the waterfall (``run_mc``), the rows of the table in ``docs/scenarios.md``:
  - 100,000 paths × 1,000 assets × 60 monthly periods, locally on every core and on one thread;
  - 100,000 paths × 10,000 assets, locally on every core, and its peak memory (resident set of
    a child process running it);
  - the same 1,000-asset work on a Dask LocalCluster of 1 worker × 1 thread and of 2 workers ×
    1 thread, started outside the timed region (ratios: Dask 1 worker / local 1 thread, and
    1 worker / 2 workers, from medians of the same session).

Rounds: ``DABS_BENCH_ROUNDS`` (default 3). Like ``test_bench_projection.py`` the file also runs
on the tree before issue 13 (no ``threads`` there, and Dask's own worker environment).
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from abs.deal import Deal
from abs.io import load_deal
from scenarios.breakeven import breakeven_table
from scenarios.grid import run_grid
from scenarios.montecarlo import run_mc
from tests.benchmarks.pools import mc_deal

MC_PATHS = 100_000
ROUNDS = int(os.environ.get("DABS_BENCH_ROUNDS", "3"))
HAS_THREADS = "threads" in inspect.signature(run_mc).parameters
_MEDIANS: dict[str, float] = {}


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


@pytest.fixture(scope="module")
def deal_1k() -> Deal:
    return mc_deal(1_000)


@pytest.fixture(scope="module")
def deal_10k() -> Deal:
    return mc_deal(10_000)


def _local(deal: Deal, threads: int | None, n_paths: int = MC_PATHS) -> Any:
    kw: dict[str, Any] = {"threads": threads} if HAS_THREADS and threads is not None else {}
    return run_mc(deal, n_paths=n_paths, seed=1, **kw)


def _record(benchmark: Any, name: str) -> float:
    median = float(benchmark.stats.stats.median)
    _MEDIANS[name] = median
    benchmark.extra_info["load_average_1min"] = os.getloadavg()[0]
    return median


@pytest.mark.benchmark(group="mc 100k x 1k x 60")
def test_bench_mc_1k_local_all_cores(benchmark: Any, deal_1k: Deal) -> None:
    _local(deal_1k, None, 2048)  # compile and lay out the model outside the timing
    r = benchmark.pedantic(_local, args=(deal_1k, None), rounds=ROUNDS, iterations=1)
    assert r.n_paths == MC_PATHS
    _record(benchmark, "local_all")


@pytest.mark.benchmark(group="mc 100k x 1k x 60")
def test_bench_mc_1k_local_1_thread(benchmark: Any, deal_1k: Deal) -> None:
    _local(deal_1k, 1, 2048)
    r = benchmark.pedantic(_local, args=(deal_1k, 1), rounds=ROUNDS, iterations=1)
    assert r.n_paths == MC_PATHS
    _record(benchmark, "local_1")


@pytest.mark.benchmark(group="mc 100k x 10k x 60")
def test_bench_mc_10k_local_all_cores(benchmark: Any, deal_10k: Deal) -> None:
    _local(deal_10k, None, 2048)
    r = benchmark.pedantic(_local, args=(deal_10k, None), rounds=ROUNDS, iterations=1)
    assert r.n_paths == MC_PATHS
    _record(benchmark, "local_10k")


_PEAK_SCRIPT = """
import resource, sys
from scenarios.montecarlo import run_mc
from tests.benchmarks.pools import mc_deal
deal = mc_deal(10_000)
run_mc(deal, n_paths=int(sys.argv[1]), seed=1)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.benchmark(group="mc 100k x 10k x 60")
def test_bench_mc_10k_peak_memory(benchmark: Any) -> None:
    """Wall time of a fresh process (imports, deal, model, run) and its peak resident set."""
    peaks: list[float] = []

    def child() -> None:
        out = subprocess.run(
            [sys.executable, "-c", _PEAK_SCRIPT, str(MC_PATHS)],
            check=True,
            capture_output=True,
            text=True,
            cwd=os.getcwd(),
        )
        peaks.append(int(out.stdout.split()[-1]) / 1024.0)  # KiB → MiB

    benchmark.pedantic(child, rounds=1, iterations=1)
    benchmark.extra_info["peak_rss_mib"] = round(max(peaks), 1)
    print(f"\nMC 100,000 paths × 10,000 assets: peak RSS {max(peaks):.0f} MiB")


def _cluster(n_workers: int) -> Any:
    try:
        from scenarios.distributed import local_cluster
    except ImportError:  # before issue 13: Dask's own worker environment
        import logging

        from distributed import LocalCluster

        return LocalCluster(
            n_workers=n_workers,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    return local_cluster(n_workers)


@pytest.fixture
def dask_cluster(request: pytest.FixtureRequest) -> Iterator[Any]:
    from distributed import Client

    cluster = _cluster(int(request.param))
    with Client(cluster) as client:  # imports happen outside the timing
        client.run(lambda: __import__("scenarios.montecarlo"))
    try:
        yield cluster
    finally:
        cluster.close()


def _dask(deal: Deal, address: str, n_paths: int = MC_PATHS) -> Any:
    return run_mc(deal, n_paths=n_paths, seed=1, engine="dask", scheduler=address)


@pytest.mark.benchmark(group="mc 100k x 1k x 60")
@pytest.mark.parametrize("dask_cluster", [1, 2], indirect=True, ids=["1_worker", "2_workers"])
def test_bench_mc_1k_dask(benchmark: Any, deal_1k: Deal, dask_cluster: Any) -> None:
    address = dask_cluster.scheduler_address
    _dask(deal_1k, address, 8192)  # workers compile the kernels outside the timing
    time.sleep(1.0)
    r = benchmark.pedantic(_dask, args=(deal_1k, address), rounds=ROUNDS, iterations=1)
    assert r.n_paths == MC_PATHS and r.engine == "dask"
    workers = len(dask_cluster.workers)
    _record(benchmark, f"dask_{workers}")
    m = _MEDIANS
    if "dask_1" in m and "local_1" in m:
        benchmark.extra_info["dask_1_over_local_1"] = m["dask_1"] / m["local_1"]
    if "dask_1" in m and "dask_2" in m:
        benchmark.extra_info["dask_2_speedup_over_1"] = m["dask_1"] / m["dask_2"]
        print(
            f"\nDask 1 worker / local 1 thread {m['dask_1'] / m.get('local_1', float('nan')):.2f}×;"
            f" 2 workers speed-up over 1 {m['dask_1'] / m['dask_2']:.2f}×"
        )
