"""Process entry points for the concurrency tests (importable by a spawned interpreter)."""

from __future__ import annotations

from typing import Any

from abs.library import Library
from tests.library.helpers import edited_deal, example_bytes


def save_many(url: str, worker: int, count: int, barrier: Any, queue: Any) -> None:
    """Open the library (maybe migrating it) and save ``count`` distinct versions of one deal.

    Puts ``(worker, [(number, created, message), ...])`` or ``(worker, "error: …")`` on ``queue``.
    """
    try:
        _, tape, tape_name = example_bytes("rugao-labelled")
        barrier.wait(timeout=120)
        lib = Library.open(url)
        out = []
        for i in range(count):
            message = f"worker {worker} save {i}"
            result = lib.save(
                "shared",
                deal_bytes=edited_deal("rugao-labelled", description=message),
                tape=tape,
                tape_name=tape_name,
                message=message,
                author=f"worker{worker}",
            )
            out.append((result.version.number, result.created, result.version.message))
        lib.close()
        queue.put((worker, out))
    except Exception as exc:  # reported to the parent, which fails the test with it
        queue.put((worker, f"error: {type(exc).__name__}: {exc}"))
