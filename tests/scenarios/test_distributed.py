"""Dask engine: bitwise equal to local; a killed worker loses nothing; failing chunks named.

Real ``LocalCluster(n_workers=2, processes=True)`` clusters, no mocks.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator

import pytest
from distributed import Client, LocalCluster

from abs.errors import ScenarioError
from scenarios import montecarlo as mc
from scenarios.distributed import WORKER_ENV, run_chunks
from scenarios.runner import path_block_size
from tests.scenarios.helpers import Unpickled, licence_deal, unpickled_count, worker_environment

FIELDS = (
    "loss",
    "shortfall",
    "paid_in_full",
    "wal",
    "yld",
    "min_coverage",
    "life_coverage",
    "min_coverage_principal",
    "cdr",
    "first_shortfall",
    "support_defaulted",
)


def _identical(a: mc.MCResult, b: mc.MCResult) -> None:
    for f in FIELDS:
        assert getattr(a.outcome, f).tobytes() == getattr(b.outcome, f).tobytes(), f


@pytest.fixture
def cluster() -> Iterator[LocalCluster]:
    c = LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        yield c
    finally:
        c.close()


def _deal():  # type: ignore[no-untyped-def]
    return licence_deal(
        n_assets=30,
        pd=0.08,
        senior=800e6,
        sub=200e6,
        support={
            "shortfall_commitment": {
                "provider": "原始权益人",
                "default_probability": 0.1,
                "cap_total": 2e7,
            }
        },
    )


def test_dask_local_cluster_started_for_the_run_equals_local() -> None:
    deal = _deal()
    b = path_block_size()
    n = 4 * b + 100
    local = mc.run_mc(deal, n_paths=n, seed=2024, chunk_size=3 * b)
    seen: list[int] = []
    dask = mc.run_mc(
        deal,
        n_paths=n,
        seed=2024,
        engine="dask",
        workers=2,
        chunk_size=b,
        progress=lambda d, t: seen.append(d),
    )
    _identical(local, dask)
    assert dask.engine == "dask" and dask.chunk_size == b
    assert sorted(seen) == seen and seen[-1] == n and len(seen) == 5


def test_killed_worker_loses_nothing_and_failing_chunks_are_named(cluster: LocalCluster) -> None:
    deal = _deal()
    b = path_block_size()
    n = 24 * b
    local = mc.run_mc(deal, n_paths=n, seed=77)
    with Client(cluster) as client:
        pids = client.run(os.getpid)
    assert len(pids) == 2
    victim = sorted(pids.values())[0]
    killed: dict[str, int] = {}

    def progress(done: int, total: int) -> None:
        if not killed:
            os.kill(victim, signal.SIGKILL)  # a real worker process dies mid-run
            killed["at"] = done

    dask = mc.run_mc(
        deal,
        n_paths=n,
        seed=77,
        engine="dask",
        scheduler=cluster.scheduler_address,
        chunk_size=b,
        progress=progress,
    )
    # it died when the first of 24 chunks arrived: 23 chunks were still outstanding
    assert killed == {"at": b}
    _identical(local, dask)
    assert dask.n_paths == n and dask.outcome.loss.shape == (n, 2)
    with Client(cluster) as client:
        client.wait_for_workers(2, timeout=60)
        assert victim not in client.run(os.getpid).values()  # the nanny started a new one
    # the same cluster: a chunk given something that is not a pool model fails in every chunk;
    # with no retries the first failure surfaces, naming its chunk and path range
    with pytest.raises(
        ScenarioError,
        match=r"dask: chunk \d \(paths \d+–\d+\) failed after 0 retries: AttributeError",
    ):
        run_chunks(
            mc._run_chunk,
            (None, None, 1, True),
            [(0, 5), (5, 5)],
            shared=(deal, "not a pool model"),
            scheduler=cluster.scheduler_address,
            retries=0,
        )


def test_unreachable_scheduler_and_bad_arguments() -> None:
    with pytest.raises(
        ScenarioError, match=r"dask: cannot connect to scheduler 'tcp://127\.0\.0\.1:9'"
    ):
        run_chunks(mc._run_chunk, (), [(0, 1)], scheduler="tcp://127.0.0.1:9", connect_timeout="1s")
    with pytest.raises(ScenarioError, match=r"dask: workers must be ≥ 1; got 0"):
        run_chunks(mc._run_chunk, (), [(0, 1)], workers=0)
    with pytest.raises(ScenarioError, match=r"dask: retries must be ≥ 0; got -1"):
        run_chunks(mc._run_chunk, (), [(0, 1)], retries=-1)


def test_shared_objects_reach_each_worker_once_and_workers_get_the_allocator_environment(
    cluster: LocalCluster,
) -> None:
    # 12 chunks on 2 workers: the shared object is scattered (broadcast), so each worker
    # unpickles it once, not once per task.
    seen = run_chunks(
        unpickled_count,
        (),
        [(i, 1) for i in range(12)],
        shared=(Unpickled("pool model"),),
        scheduler=cluster.scheduler_address,
    )
    per_worker: dict[int, int] = {}
    for pid, count in seen:
        per_worker[pid] = max(per_worker.get(pid, 0), count)
    assert 1 <= len(per_worker) <= 2 and set(per_worker.values()) == {1}
    # a LocalCluster started for a run keeps large allocations on the heap (see WORKER_ENV)
    (env,) = run_chunks(worker_environment, (), [(0, 1)], workers=1)
    assert env == WORKER_ENV
