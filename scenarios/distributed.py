"""Run Monte Carlo chunks on a Dask cluster (dask.distributed) and combine them in path order.

* ``scheduler=ADDRESS`` (e.g. ``tcp://10.0.0.5:8786``) connects to an existing cluster started
  with ``dask scheduler`` and ``dask worker ADDRESS``; the workers need the same ``dabs``
  version installed. Without it a ``LocalCluster(processes=True, n_workers=workers)`` is
  started for the run and closed afterwards.
* Each chunk is one task with a key that names the run and the chunk, submitted with
  ``retries=``: a chunk that raises is retried, and a worker that dies mid-run has its tasks
  rescheduled by Dask on the surviving workers. Results are stored by chunk index, so a chunk
  that ran twice is still counted once and the combination never depends on completion order.
* A chunk that fails for good raises :class:`~abs.errors.ScenarioError` naming the chunk and
  its path range.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from abs.errors import ScenarioError

R = TypeVar("R")

#: Default number of retries of a failing chunk.
DEFAULT_RETRIES = 3
#: Default workers of a LocalCluster started for a run.
DEFAULT_WORKERS = 2


def chunk_label(index: int, first_path: int, n_paths: int) -> str:
    """``chunk 3 (paths 3000–3999)`` for messages."""
    return f"chunk {index} (paths {first_path}–{first_path + n_paths - 1})"


def run_chunks(
    func: Callable[..., R],
    payload: Sequence[Any],
    chunks: Sequence[tuple[int, int]],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    retries: int = DEFAULT_RETRIES,
    progress: Callable[[int, int], None] | None = None,
    name: str = "dabs-mc",
    connect_timeout: str = "15s",
) -> list[R]:
    """Run ``func(*payload, first_path, n_paths)`` for every chunk on a Dask cluster.

    Parameters
    ----------
    func : callable
        A module-level function (importable on the workers).
    payload : sequence
        Leading arguments, the same for every chunk (plain picklable data).
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
    from distributed import Client, LocalCluster, as_completed

    if workers is not None and workers < 1:
        raise ScenarioError(f"dask: workers must be ≥ 1; got {workers!r}")
    if retries < 0:
        raise ScenarioError(f"dask: retries must be ≥ 0; got {retries!r}")
    cluster: Any = None
    client: Any = None
    try:
        if scheduler is None:
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers or DEFAULT_WORKERS,
                processes=True,
                threads_per_worker=1,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
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
        futures = []
        index: dict[str, int] = {}
        for i, (first, n) in enumerate(chunks):
            key = f"{name}-{token}-chunk-{i:05d}"
            fut = client.submit(func, *payload, first, n, key=key, retries=retries, pure=False)
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
