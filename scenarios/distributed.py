"""Run Monte Carlo chunks on a Dask cluster (dask.distributed) and combine them in path order.

* ``scheduler=ADDRESS`` (e.g. ``tcp://10.0.0.5:8786``) connects to an existing cluster started
  with ``dask scheduler`` and ``dask worker ADDRESS`` (``docs/scenarios.md`` gives the commands
  and the worker environment); the workers need the same ``dabs`` version installed. Without it
  a ``LocalCluster(processes=True, n_workers=workers, threads_per_worker=1)`` is started for the
  run, with :data:`WORKER_ENV`, and closed afterwards.
* ``shared`` objects (the deal and its pool model) are scattered to every worker once
  (``broadcast``) and passed to each chunk by reference, so a chunk's task carries only its
  path range.
* Each chunk is one task with a key that names the run and the chunk, submitted with
  ``retries=``: a chunk that raises is retried, and a worker that dies mid-run has its tasks
  rescheduled by Dask on the surviving workers. Results are stored by chunk index, so a chunk
  that ran twice is still counted once and the combination never depends on completion order.
* A chunk that fails for good raises :class:`~abs.errors.ScenarioError` naming the chunk and
  its path range.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from abs.errors import ScenarioError

R = TypeVar("R")

#: Default number of retries of a failing chunk.
DEFAULT_RETRIES = 3
#: Default workers of a LocalCluster started for a run.
DEFAULT_WORKERS = 2

#: Environment of the worker processes of a LocalCluster started for a run (set before they
#: start). Dask's default sets MALLOC_TRIM_THRESHOLD_=65536 so that freed memory goes back to the
#: OS at once; setting it at all also freezes glibc's mmap threshold at 128 KiB, so every array
#: above that size is mmapped, zero-filled page by page and unmapped again on free. A chunk
#: allocates and frees many arrays of 1-50 MB: with Dask's setting a worker spent ~7 s of
#: system time in page faults per 32k paths (5.1 M faults against 13 k), and one worker ran 2.2×
#: slower than the same work in one local thread. Here allocations up to 32 MiB come from the
#: heap and the heap is trimmed only when 64 MiB lie free at its top (glibc's own dynamic
#: thresholds stop at the same values), so memory is still returned, just not on every free.
#: NUMBA_NUM_THREADS matches threads_per_worker = 1: compiled kernels must not oversubscribe
#: the cores the other workers use.
WORKER_ENV: dict[str, str] = {
    "MALLOC_TRIM_THRESHOLD_": str(64 * 2**20),
    "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20),
    "NUMBA_NUM_THREADS": "1",
}


@contextlib.contextmanager
def _worker_environment(env: Mapping[str, str]) -> Iterator[None]:
    """Dask's pre-spawn environment with ``env`` on top while workers are started.

    Dask reads ``distributed.nanny.pre-spawn-environ`` but lets a variable already in this
    process's environment win (and writes the values it used into it), so both are set here
    and the process environment is restored afterwards.
    """
    import dask

    base = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with dask.config.set({"distributed.nanny.pre-spawn-environ": {**base, **env}}):
            yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def local_cluster(n_workers: int = DEFAULT_WORKERS) -> Any:
    """A ``LocalCluster`` of ``n_workers`` processes × 1 thread with :data:`WORKER_ENV`.

    What ``run_mc(engine="dask")`` starts when no scheduler is given; start one yourself to
    reuse it across runs (pass ``cluster.scheduler_address`` as ``scheduler``) and close it
    afterwards.
    """
    from distributed import LocalCluster

    if n_workers < 1:
        raise ScenarioError(f"dask: workers must be ≥ 1; got {n_workers!r}")
    with _worker_environment(WORKER_ENV):
        return LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=n_workers,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


def chunk_label(index: int, first_path: int, n_paths: int) -> str:
    """``chunk 3 (paths 3000–3999)`` for messages."""
    return f"chunk {index} (paths {first_path}–{first_path + n_paths - 1})"


def run_chunks(
    func: Callable[..., R],
    payload: Sequence[Any],
    chunks: Sequence[tuple[int, int]],
    *,
    shared: Sequence[Any] = (),
    scheduler: str | None = None,
    workers: int | None = None,
    retries: int = DEFAULT_RETRIES,
    progress: Callable[[int, int], None] | None = None,
    name: str = "dabs-mc",
    connect_timeout: str = "15s",
) -> list[R]:
    """Run ``func(*shared, *payload, first_path, n_paths)`` for every chunk on a Dask cluster.

    Parameters
    ----------
    func : callable
        A module-level function (importable on the workers).
    payload : sequence
        Arguments after ``shared``, the same for every chunk (small picklable data, sent with
        each task).
    shared : sequence
        Leading arguments scattered to every worker once (e.g. the deal and its pool model).
    chunks : sequence of (first_path, n_paths)
        The chunks, in path order.
    scheduler : str, optional
        Address of an existing scheduler; default: start a LocalCluster for this run.
    workers : int, optional
        Worker processes of the LocalCluster (default 2); ignored with ``scheduler``.
    retries : int
        Times Dask retries a chunk that raised.
    progress : callable, optional
        ``progress(done_paths, total_paths)`` after each chunk arrives (any order).
    name : str
        Prefix of the task keys.
    connect_timeout : str
        How long to try reaching ``scheduler`` (Dask time string).

    Returns
    -------
    list
        One result per chunk, in the order of ``chunks``.

    Raises
    ------
    ScenarioError
        Cannot reach the scheduler, or a chunk failed after its retries (named).
    """
    from distributed import Client, as_completed

    if workers is not None and workers < 1:
        raise ScenarioError(f"dask: workers must be ≥ 1; got {workers!r}")
    if retries < 0:
        raise ScenarioError(f"dask: retries must be ≥ 0; got {retries!r}")
    cluster: Any = None
    client: Any = None
    try:
        if scheduler is None:
            cluster = local_cluster(workers or DEFAULT_WORKERS)
            client = Client(cluster)  # type: ignore[no-untyped-call]
        else:
            try:
                client = Client(scheduler, timeout=connect_timeout)  # type: ignore[no-untyped-call]
            except (OSError, TimeoutError) as exc:
                raise ScenarioError(
                    f"dask: cannot connect to scheduler {scheduler!r}: {exc}"
                ) from None
        token = uuid.uuid4().hex[:8]
        total = sum(n for _, n in chunks)
        # broadcast: every worker holds a copy, so a worker that dies takes none of it away
        scattered = client.scatter(list(shared), broadcast=True, hash=False) if shared else []
        futures = []
        index: dict[str, int] = {}
        for i, (first, n) in enumerate(chunks):
            key = f"{name}-{token}-chunk-{i:05d}"
            fut = client.submit(
                func, *scattered, *payload, first, n, key=key, retries=retries, pure=False
            )
            futures.append(fut)
            index[fut.key] = i
        results: dict[int, R] = {}
        done = 0
        for fut in as_completed(futures):  # type: ignore[no-untyped-call]
            i = index[fut.key]
            first, n = chunks[i]
            try:
                value = fut.result()
            except Exception as exc:
                raise ScenarioError(
                    f"dask: {chunk_label(i, first, n)} failed after {retries} retries: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            if i not in results:
                results[i] = value
                done += n
                if progress is not None:
                    progress(done, total)
        return [results[i] for i in range(len(chunks))]
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
