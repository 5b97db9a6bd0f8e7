"""Every step kind of the deal schema is wired through the registry, the oracle and the docs."""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path

import numpy as np
import pytest

import waterfall
from abs.deal import Step
from tests.waterfall import oracle
from tests.waterfall.builders import make_collections, make_deal
from waterfall import steps
from waterfall.steps import MODULES

ROOT = Path(__file__).resolve().parents[2]


def _schema_kinds() -> dict[str, type]:
    union = typing.get_args(Step)[0]
    return {
        typing.get_args(cls.model_fields["step"].annotation)[0]: cls
        for cls in typing.get_args(union)
    }


def test_every_step_kind_has_a_module_a_code_and_a_dispatch_branch() -> None:
    kinds = _schema_kinds()
    by_spec = {m.SPEC: m for m in MODULES}
    assert set(by_spec) == set(kinds.values())
    codes = [m.CODE for m in MODULES]
    assert codes == list(range(len(MODULES)))  # codes are the modules' order, no gaps
    dispatch = inspect.getsource(steps.run_step.py_func)
    for m in MODULES:
        name = m.__name__.rsplit(".", 1)[1]
        assert f"{name}.CODE" in dispatch and f"{name}.kernel(" in dispatch, name
        assert callable(m.compile_step)


def test_every_step_kind_has_an_oracle_branch_and_a_doc_section() -> None:
    source = inspect.getsource(oracle)
    doc = (ROOT / "docs" / "waterfall.md").read_text(encoding="utf-8")
    for kind, spec in _schema_kinds().items():
        assert f"isinstance(step, {spec.__name__})" in source, f"oracle has no branch for {kind}"
        assert re.search(rf"^### `{kind}`", doc, flags=re.M), (
            f"docs/waterfall.md: no section {kind}"
        )


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            {"step": "pay_fees", "fees": ["托管费", "托管费"]},
            r"pay_fees: each of 'fees' may be named once; named more than once: \['托管费'\]",
        ),
        (
            {"step": "pay_interest", "tranches": ["优先A", "优先A"]},
            r"pay_interest: each of 'tranches'.*\['优先A'\]",
        ),
        (
            {"step": "pay_principal", "tranches": ["优先A", "次级", "优先A"]},
            r"pay_principal: each of 'tranches'.*\['优先A'\]",
        ),
    ],
)
def test_a_step_naming_a_line_twice_is_rejected(step: dict[str, object], message: str) -> None:
    steps_ = [step, {"step": "pay_residual", "tranche": "次级"}]
    with pytest.raises(ValueError, match=message):
        make_deal(
            tranches=[
                {"name": "优先A", "tranche_class": "senior", "balance": 100.0},
                {"name": "次级", "tranche_class": "subordinated", "balance": 10.0},
            ],
            fees=[{"name": "托管费", "fee_type": "fixed", "amount": 1.0}],
            n_periods=2,
            waterfall={"normal": steps_, "accelerated": steps_},
        )


@pytest.mark.parametrize(
    ("field", "value"), [("income", np.nan), ("pool_balance", np.inf), ("defaults", -np.inf)]
)
def test_a_non_finite_collection_value_is_named(field: str, value: float) -> None:
    import dataclasses

    deal = make_deal(
        tranches=[{"name": "优先A", "tranche_class": "senior", "balance": 100.0}], n_periods=2
    )
    coll = make_collections([[50.0, 60.0], [50.0, 60.0]])
    arr = getattr(coll, field).copy()
    arr[1, 1] = value
    coll = dataclasses.replace(coll, **{field: arr})
    with pytest.raises(
        waterfall.WaterfallError,
        match=rf"collections\.{field} is not a finite number in scenario 1, "
        r"period 2 \(兑付日 2025-07-01\)",
    ):
        waterfall.run(deal, coll)


def test_threads_out_of_range_is_a_clear_error() -> None:
    deal = make_deal(
        tranches=[{"name": "优先A", "tranche_class": "senior", "balance": 100.0}], n_periods=1
    )
    with pytest.raises(waterfall.WaterfallError, match="threads must be between 1 and"):
        waterfall.run(deal, make_collections([[50.0]]), threads=0)
