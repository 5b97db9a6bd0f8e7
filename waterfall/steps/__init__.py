"""The step registry: one module per waterfall step kind.

Each module holds, beside the kind's typed spec in :mod:`abs.deal` (``SPEC``):

* ``CODE`` — the step's integer code in the compiled step table;
* ``compile_step(step, ctx)`` — the spec → (flags, operand indices) of its step-table row;
* ``kernel(d, i, rows, acc, t)`` — the scalar numba kernel that runs row ``i`` of the step table on
  one scenario's state (``rows``, ``acc``; see :mod:`waterfall.layout`) in period ``t``.

:func:`run_step` dispatches on the code. Adding a step kind: a spec class in ``abs/deal.py``
(in the ``Step`` union), a module here listed in :data:`MODULES` with a branch in
:func:`run_step`, a branch in ``tests/waterfall/oracle.py`` and a section in
``docs/waterfall.md`` (``tests/waterfall/test_registry.py`` checks all four).
"""

from __future__ import annotations

from types import ModuleType

from waterfall.jit import kernel_jit
from waterfall.layout import STEP_CODE
from waterfall.params import step
from waterfall.steps import (
    fund_reserve,
    pay_fees,
    pay_interest,
    pay_principal,
    pay_residual,
    pay_sub_yield,
    reimburse_support,
    revolve,
    turbo_oc,
)

#: Every step module, in code order.
MODULES: tuple[ModuleType, ...] = (
    pay_fees,
    pay_interest,
    pay_principal,
    fund_reserve,
    pay_sub_yield,
    reimburse_support,
    pay_residual,
    revolve,
    turbo_oc,
)

#: Spec class → step module.
BY_SPEC: dict[type, ModuleType] = {m.SPEC: m for m in MODULES}


@kernel_jit
def run_step(d, i, rows, acc, t):
    """Run row ``i`` of the step table."""
    code = step(d, i, STEP_CODE)
    if code == pay_fees.CODE:
        pay_fees.kernel(d, i, rows, acc, t)
    elif code == pay_interest.CODE:
        pay_interest.kernel(d, i, rows, acc, t)
    elif code == pay_principal.CODE:
        pay_principal.kernel(d, i, rows, acc, t)
    elif code == fund_reserve.CODE:
        fund_reserve.kernel(d, i, rows, acc, t)
    elif code == pay_sub_yield.CODE:
        pay_sub_yield.kernel(d, i, rows, acc, t)
    elif code == reimburse_support.CODE:
        reimburse_support.kernel(d, i, rows, acc, t)
    elif code == pay_residual.CODE:
        pay_residual.kernel(d, i, rows, acc, t)
    elif code == revolve.CODE:
        revolve.kernel(d, i, rows, acc, t)
    elif code == turbo_oc.CODE:
        turbo_oc.kernel(d, i, rows, acc, t)
