"""The engine's shortcuts change no number: each is switched off (or forced) and the run compared
bit for bit with the normal one.

Shortcuts covered: consecutive fee steps paid in one pass (``_Run.step_fee_run``), zero tests
by ``count_nonzero`` on short rows and by reductions on long ones (``plan.SHORT_ROW``),
collections read a chunk of periods at a time (``COLUMN_CHUNK``), and the buffers behind them
(``Cash.col``, ``copy_transposed``, period-major scratch buffers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import waterfall
from abs.io import load_deal
from tests.waterfall.builders import make_collections, random_collections, random_deals
from tests.waterfall.test_narrowing import _arrays, _qingdao_like
from waterfall import engine, plan
from waterfall.plan import Cash, copy_transposed
from waterfall.result import Outputs, WaterfallResult


def _one_by_one(self: Any, steps: Any, av: np.ndarray, m: Any) -> None:
    for st_ in steps:
        self.step_fees(st_, av, m)


def _chunk_1() -> Iterator[None]:
    old = plan.COLUMN_CHUNK
    plan.COLUMN_CHUNK = 1
    try:
        yield
    finally:
        plan.COLUMN_CHUNK = old


#: Ways to switch a shortcut off (or force its other branch), each a generator that sets and
#: restores module state (Hypothesis tests cannot take function-scoped fixtures).
def _variants() -> dict[str, Callable[[], Iterator[None]]]:
    def fee_steps_one_by_one() -> Iterator[None]:
        old = engine._Run.step_fee_run
        engine._Run.step_fee_run = _one_by_one  # type: ignore[method-assign]
        try:
            yield
        finally:
            engine._Run.step_fee_run = old  # type: ignore[method-assign]

    def short_rows_only_reductions() -> Iterator[None]:
        old = plan.SHORT_ROW
        plan.SHORT_ROW = -1
        try:
            yield
        finally:
            plan.SHORT_ROW = old

    def long_rows_count_nonzero() -> Iterator[None]:
        old = plan.SHORT_ROW
        plan.SHORT_ROW = 10**9
        try:
            yield
        finally:
            plan.SHORT_ROW = old

    return {
        "fee steps one by one": fee_steps_one_by_one,
        "reductions on every row": short_rows_only_reductions,
        "count_nonzero on every row": long_rows_count_nonzero,
        "one period per chunk": _chunk_1,
    }


VARIANTS = _variants()


def _run_with(variant: str, deal: Any, coll: Any, **kw: Any) -> WaterfallResult:
    gen = VARIANTS[variant]()
    next(gen)
    try:
        return waterfall.run(deal, coll, **kw)
    finally:
        next(gen, None)


def _assert_identical(a: WaterfallResult, b: WaterfallResult, variant: str) -> None:
    for (label, x), (_, y) in zip(_arrays(a), _arrays(b), strict=True):
        assert np.array_equal(x, y), f"{variant}: {label}"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_shortcut_changes_nothing_on_the_qingdao_structure(variant: str) -> None:
    deal = load_deal("qingdao-pure", with_pool=False)
    coll = _qingdao_like(300, 40, seed=11)
    total = coll.total.copy()
    total[::7, 3] = 0.0  # nothing collected: the fee steps cannot pay in one pass there
    total[1::9, 5] = 1.0
    coll = make_collections(
        total,
        income=coll.income,
        defaults=coll.defaults,
        forecast=coll.forecast,
        initial_pool_balance=coll.initial_pool_balance,
    )
    orig = np.zeros(300, dtype=bool)
    orig[::23] = True
    normal = waterfall.run(deal, coll, originator_default=orig)
    other = _run_with(variant, deal, coll, originator_default=orig)
    # the slow path ran somewhere: the reserve / 差额支付 paid fees where nothing came in
    assert normal.fees["托管费"].support[::7, 3].any()
    _assert_identical(normal, other, variant)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_shortcuts_change_nothing_on_random_deals(data: st.DataObject) -> None:
    deal, n_periods = data.draw(random_deals())
    n_scen = data.draw(st.integers(1, 6))
    coll = data.draw(random_collections(n_periods=n_periods, n_scenarios=n_scen))
    variant = data.draw(st.sampled_from(sorted(VARIANTS)))
    normal = waterfall.run(deal, coll)
    _assert_identical(normal, _run_with(variant, deal, coll), variant)


def test_copy_transposed_handles_partial_blocks() -> None:
    src = np.arange(1203 * 7, dtype=np.float64).reshape(1203, 7)  # not a multiple of 512
    dst = np.empty((7, 1203))
    copy_transposed(dst, src)
    assert np.array_equal(dst, src.T)


def test_cash_col_reads_whole_and_narrowed_runs_across_chunks() -> None:
    rng = np.random.default_rng(3)
    total = rng.random((50, 21))
    coll = make_collections(total, income=total * 0.1, defaults=total * 0.01)
    cash = Cash.of(coll)
    sub = cash.take(np.array([3, 7, 8, 40]))
    subsub = sub.take(np.array([1, 3]))  # scenarios 7 and 40
    for t in range(21):  # 21 periods: chunks of 8, 8 and 5
        assert np.array_equal(cash.col("total", t), total[:, t])
        assert np.array_equal(sub.col("income", t), total[[3, 7, 8, 40], t] * 0.1)
        assert np.array_equal(subsub.col("total", t), total[[7, 40], t])
        assert cash.col("defaults", t).flags.c_contiguous
    assert np.array_equal(subsub.span(total, 4, 9), total[[7, 40], 4:9])
    assert np.array_equal(sub.span(total, 0, 3, np.array([0, 2])), total[[3, 8], 0:3])
    # each object lays out its own scenarios' chunks
    assert subsub.chunks is not sub.chunks and sub.chunks is not cash.chunks
    assert subsub.chunks[("total", 0)].shape == (8, 2)


def test_scratch_buffers_are_period_major_and_zeroed_per_period() -> None:
    deal = load_deal("qingdao-pure", with_pool=False)
    coll = _qingdao_like(5, 6, seed=1)
    p = plan.compile_plan(
        deal,
        coll,
        reference_rate=None,
        rate_shift_bp=0.0,
        originator_default=False,
        guarantor_default=False,
    )
    out = Outputs.allocate(p, n_triggers=len(deal.triggers), zeroed=False)
    assert out.slabs is not None
    assert out.slabs.shape == (6, out.lines.shape[0], 5)
    out.slabs[2].fill(7.0)
    out.begin_period(2)
    assert not out.slabs[2].any()
    assert np.shares_memory(out.fee_paid[0], out.slabs)  # a line is a strided view
    out.fee_paid[1][3] = 1.5
    assert out.lines[1, 3].tolist() == [1.5] * 5
    zeroed = Outputs.allocate(p, n_triggers=len(deal.triggers), zeroed=True)
    assert zeroed.slabs is None and not zeroed.lines.any()
