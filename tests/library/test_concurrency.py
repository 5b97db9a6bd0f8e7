"""Two processes saving versions of the same deal at once, on a fresh database, both back-ends.

Both processes start together (a barrier) on a database that has no schema yet, so they also
race to migrate it. Nothing may be lost: every save gets its own version number, the numbers
are 1…2N without gaps, and each process sees its own numbers increase.
"""

from __future__ import annotations

import multiprocessing as mp

from abs.library import Library
from tests.library import workers

SAVES_PER_PROCESS = 12


def test_two_processes_save_the_same_deal_at_once(db_url: str) -> None:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=workers.save_many, args=(db_url, w, SAVES_PER_PROCESS, barrier, queue))
        for w in (1, 2)
    ]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for worker, out in results.items():
        assert not isinstance(out, str), f"worker {worker} failed: {out}"
    numbers = sorted(n for out in results.values() for n, _, _ in out)
    assert numbers == list(range(1, 2 * SAVES_PER_PROCESS + 1))
    for out in results.values():
        own = [n for n, _, _ in out]
        assert own == sorted(own)
        assert all(created for _, created, _ in out)
    with Library.open(db_url) as lib:
        log = lib.log("shared")
        assert len(log) == 2 * SAVES_PER_PROCESS
        messages = {v.message for v in log}
        assert messages == {
            f"worker {w} save {i}" for w in (1, 2) for i in range(SAVES_PER_PROCESS)
        }
        # each version's parent is the version saved just before it (linear history)
        assert [v.parent for v in sorted(log, key=lambda v: v.number)] == [
            None,
            *range(1, 2 * SAVES_PER_PROCESS),
        ]
        assert lib.revision() == "0004"
