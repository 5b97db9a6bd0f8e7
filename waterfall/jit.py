"""The numba decorators of the kernel, and keeping its on-disk cache honest.

* ``cache=True``: compiled code is kept on disk (``__pycache__``), so a new process loads it
  instead of compiling (``make demo`` warms the cache once).
* ``_nrt=False``: kernel functions never allocate, so they need no reference counting. With
  it on, numba counts a reference (an atomic add) every time an array is passed or a view is
  taken, which measured as most of the kernel's time (docs/waterfall.md, "Speed"); only
  :func:`waterfall.kernel.run_batch`, which allocates each task's scratch arrays, keeps it.
  ``_nrt`` is a numba compile option without a public spelling; pyproject.toml bounds the
  numba versions this was measured on.
* ``error_model="numpy"``: a division by zero gives inf/NaN as in numpy (every division in
  the kernel is guarded or meant), instead of a Python exception check on every division.

numba checks a cached function against its own source file only, so a kernel whose steps,
helpers or layout changed in another module would load stale code: :func:`refresh_cache`
drops the package's cached kernels whenever any of its sources (or numba) changed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numba
from numba import njit

#: numba's compile option without reference counting (no public spelling; module docstring).
_NO_REFCOUNT: dict[str, Any] = {"_nrt": False}
#: Decorator of every kernel function except the parallel driver: inlined into its caller
#: (``forceinline``: numba passes each array as a handful of words, so a call costs far more
#: than the small functions it calls).
kernel_jit = njit(cache=True, error_model="numpy", forceinline=True, **_NO_REFCOUNT)
#: A kernel function kept as a function of its own: a tight loop that stays small enough for
#: its values to live in registers (the settled tail of a scenario).
tail_jit = njit(cache=True, error_model="numpy", forceinline=False, **_NO_REFCOUNT)
#: Code that runs rarely (support draws, fen rounding of shares): a call of its own, so the
#: kernel that inlines everything else compiles faster.
rare_jit = tail_jit
#: The parallel driver and other functions called from Python (reference counting on).
driver_jit = njit(cache=True, error_model="numpy")
parallel_jit = njit(cache=True, error_model="numpy", parallel=True)

_STAMP = "sources.sha256"


def refresh_cache(package: Path) -> None:
    """Delete the numba cache files of ``package`` when its sources changed since they were
    written (a stamp of every ``*.py`` under it and the numba version, in ``__pycache__``)."""
    sources = sorted(package.rglob("*.py"))
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sources:
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    stamp = package / "__pycache__" / _STAMP
    value = digest.hexdigest()
    try:
        if stamp.exists() and stamp.read_text(encoding="ascii") == value:
            return
        for folder in {s.parent / "__pycache__" for s in sources}:
            if folder.is_dir():
                for f in [*folder.glob("*.nbi"), *folder.glob("*.nbc")]:
                    f.unlink(missing_ok=True)
        stamp.parent.mkdir(exist_ok=True)
        tmp = stamp.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(value, encoding="ascii")
        tmp.replace(stamp)
    except OSError:  # read-only install: numba keeps its cache in its own user cache dir
        return
