"""The one numba decorator every kernel function uses.

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
"""

from __future__ import annotations

from numba import njit

#: Decorator of every kernel function except the parallel driver: inlined into its caller
#: (``forceinline``: numba passes each array as a handful of words, so a call costs far more
#: than the small functions it calls).
kernel_jit = njit(cache=True, _nrt=False, error_model="numpy", forceinline=True)
#: A kernel function kept as a function of its own: a tight loop that stays small enough for
#: its values to live in registers (the settled tail of a scenario).
tail_jit = njit(cache=True, _nrt=False, error_model="numpy", forceinline=False)
