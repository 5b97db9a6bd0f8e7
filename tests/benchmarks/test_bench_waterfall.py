"""Waterfall engine speed: 10,000 scenarios × 120 periods on the qingdao-pure structure.

Collections are synthetic but shaped like the example's projection: 45m a quarter for 14
quarters (the senior amortisation window), then a 2m tail for 106 more, scaled per scenario by a
lognormal level (σ 12%) and per period by lognormal noise (σ 8%); about 11% of the scenarios
trip the collections-below-forecast trigger (加速清偿) at some point and about 17% draw 差额支付.

Timed in one run (``make bench``), medians:

* the engine, full mode and measures mode, on one thread and on every core;
* one scenario × 120 periods (what the dashboard, break-even and sizing pay per call);
* 100,000 scenarios in measures mode on one thread and on two (the thread scaling), and the
  resident memory of a process running it;
* the scalar oracle (``tests/waterfall/oracle.py``) on ``ORACLE_SUBSET`` scenarios, scaled
  linearly to 10,000 (each scenario is an independent loop);
* compile time: a new process with an empty numba cache, and ``import waterfall`` plus the
  first qingdao run with the cache warm.

Run: ``make bench`` or ``.venv/bin/pytest tests/benchmarks/test_bench_waterfall.py -o addopts=""
--benchmark-only -q``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import waterfall
from abs.cashflows import Collections
from abs.io import load_deal
from tests.waterfall.oracle import run_oracle

N_SCENARIOS = 10_000
N_PERIODS = 120
ORACLE_SUBSET = 50
SEED = 20260618
ROOT = Path(__file__).resolve().parents[2]

_MEDIANS: dict[str, float] = {}


def _dates(n: int) -> tuple[dt.date, ...]:
    out = []
    y, m = 2026, 9
    for _ in range(n):
        out.append(dt.date(y, m, 26))
        m += 3
        if m > 12:
            m -= 12
            y += 1
    return tuple(out)


def _collections(n_scenarios: int = N_SCENARIOS, seed: int = SEED) -> Collections:
    rng = np.random.default_rng(seed)
    base = np.full(N_PERIODS, 2e6)
    base[:14] = 45e6
    level = rng.lognormal(0.0, 0.12, size=(n_scenarios, 1))
    noise = rng.lognormal(0.0, 0.08, size=(n_scenarios, N_PERIODS))
    total = base * level * noise
    dates = _dates(N_PERIODS)
    starts = (dt.date(2026, 6, 18), *dates[:-1])
    days = np.array([(b - a).days for a, b in zip(starts, dates, strict=True)], dtype=float)
    return Collections.from_arrays(
        payment_dates=dates,
        accrual_start=starts,
        year_fractions=days / 365.0,
        days=days,
        total=total,
        income=total * 0.14,
        defaults=total * 0.002,
        forecast=base,
        initial_pool_balance=600e6,
    )


@pytest.fixture(scope="module")
def case() -> tuple[Any, Collections]:
    return load_deal("qingdao-pure", with_pool=False), _collections()


def _record(benchmark: Any, key: str) -> float:
    median = float(benchmark.stats.stats.median)
    _MEDIANS[key] = median
    benchmark.extra_info["scenario_periods_per_second"] = N_SCENARIOS * N_PERIODS / median
    return median


@pytest.mark.parametrize("threads", [1, None], ids=["1-thread", "all-threads"])
def test_bench_full_10k_x_120(benchmark: Any, case: tuple[Any, Collections], threads: Any) -> None:
    deal, coll = case
    result = benchmark.pedantic(
        waterfall.run, args=(deal, coll), kwargs={"threads": threads}, rounds=9, warmup_rounds=1
    )
    assert result.conserved
    _record(benchmark, f"full-{threads}")
    benchmark.extra_info["accelerated_share"] = float(result.accelerated.any(axis=1).mean())


@pytest.mark.parametrize("yields", [False, True], ids=["no-yields", "yields"])
@pytest.mark.parametrize("threads", [1, None], ids=["1-thread", "all-threads"])
def test_bench_measures_10k_x_120(
    benchmark: Any, case: tuple[Any, Collections], threads: Any, yields: bool
) -> None:
    deal, coll = case
    m = benchmark.pedantic(
        waterfall.run_measures,
        args=(deal, coll),
        kwargs={"threads": threads, "yields": yields},
        rounds=9,
        warmup_rounds=1,
    )
    assert m.max_conservation_gap <= 0.01
    _record(benchmark, f"measures-{threads}-{yields}")


@pytest.mark.parametrize("mode", ["full", "measures"])
def test_bench_one_scenario(benchmark: Any, case: tuple[Any, Collections], mode: str) -> None:
    deal, coll = case
    one = coll.select([0])
    fn = waterfall.run if mode == "full" else waterfall.run_measures
    benchmark.pedantic(fn, args=(deal, one), rounds=200, warmup_rounds=5)


@pytest.mark.parametrize("threads", [1, 2])
def test_bench_measures_100k(benchmark: Any, threads: int) -> None:
    deal = load_deal("qingdao-pure", with_pool=False)
    coll = _collections(100_000, seed=SEED + 1)
    benchmark.pedantic(
        waterfall.run_measures,
        args=(deal, coll),
        kwargs={"threads": threads, "yields": False},
        rounds=5,
        warmup_rounds=1,
    )
    _MEDIANS[f"100k-{threads}"] = float(benchmark.stats.stats.median)
    if "100k-1" in _MEDIANS and "100k-2" in _MEDIANS:
        ratio = _MEDIANS["100k-1"] / _MEDIANS["100k-2"]
        benchmark.extra_info["two_threads_speedup"] = ratio
        print(f"\n100,000 × 120 measures: 2 threads = {ratio:.2f}× one thread")


_MEMORY = """
import gc, waterfall
from abs.io import load_deal
from tests.benchmarks.test_bench_waterfall import _collections

def kib(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1])

deal = load_deal("qingdao-pure", with_pool=False)
waterfall.run_measures(deal, _collections(10, seed=1), yields=False)  # compiled, loaded
coll = _collections(100_000, seed=1)
gc.collect()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to the current resident set
before = kib("VmRSS")
m = waterfall.run_measures(deal, coll, yields=False, cash="none", coverage_by_period=False)
print(before, kib("VmHWM"))
"""


def test_bench_measures_100k_memory(benchmark: Any) -> None:
    """Resident memory (MiB) of a process running 100,000 × 120 in measures mode as Monte Carlo
    does (no per-period coverage, no cash kept): before the
    run (interpreter, libraries, and the collections: 4 arrays of 100,000 × 120, 366 MiB) and
    the peak during it; the difference is what the engine adds."""

    def run() -> tuple[int, int]:
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY], cwd=ROOT, capture_output=True, text=True, check=True
        )
        before, after = (int(v) for v in out.stdout.split())
        return before, after

    before, after = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info["peak_rss_mib"] = after / 1024
    benchmark.extra_info["rss_before_run_mib"] = before / 1024
    print(
        f"\nresident {before / 1024:.0f} MiB before the run, peak {after / 1024:.0f} MiB: "
        f"the engine adds {(after - before) / 1024:.0f} MiB"
    )


_FIRST_RUN = """
import time
t0 = time.perf_counter()
import waterfall, abs
deal = abs.load_deal("qingdao-pure")
coll = abs.project(deal)
t1 = time.perf_counter()
waterfall.run(deal, coll)
waterfall.run_measures(deal, coll)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


@pytest.mark.parametrize("cache", ["empty", "warm"])
def test_bench_compile(benchmark: Any, cache: str) -> None:
    """A new process: imports and the first qingdao run in both modes (compiling with an empty
    numba cache, loading with a warm one)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NUMBA_CACHE_DIR": tmp}
        if cache == "warm":
            subprocess.run([sys.executable, "-c", _FIRST_RUN], cwd=ROOT, env=env, check=True)

        def run() -> tuple[float, float]:
            out = subprocess.run(
                [sys.executable, "-c", _FIRST_RUN],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            imports, first = (float(v) for v in out.stdout.split())
            return imports, first

        if cache == "warm":
            imports, first = benchmark.pedantic(run, rounds=5, iterations=1)
        else:
            imports, first = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info["imports_seconds"] = imports
    benchmark.extra_info["first_runs_seconds"] = first


def test_bench_oracle_subset(benchmark: Any, case: tuple[Any, Collections]) -> None:
    deal, coll = case

    def oracle() -> None:
        for s in range(ORACLE_SUBSET):
            run_oracle(deal, coll, s)

    benchmark.pedantic(oracle, rounds=3, warmup_rounds=0)
    median = float(benchmark.stats.stats.median)
    scaled = median * N_SCENARIOS / ORACLE_SUBSET
    benchmark.extra_info["scaled_to_10k_seconds"] = scaled
    for key in ("full-1", "measures-1-False"):
        if key in _MEDIANS:
            ratio = scaled / _MEDIANS[key]
            benchmark.extra_info[f"{key}_speedup"] = ratio
            print(f"\n{key}: {_MEDIANS[key] * 1e3:.1f} ms; oracle {scaled:.1f} s → {ratio:.0f}×")
