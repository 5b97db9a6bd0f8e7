"""Narrowing (waterfall.engine): handing live scenarios to a smaller run changes no number.

A scenario is dormant once every balance, the reserve, all arrears and all support owed are
zero; the engine then pays its collections straight to the residual line and runs the others on
their own. These tests run the same deals with narrowing switched off and forced on: every
output must be bit-for-bit the same, and equal to the scalar oracle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import waterfall
from abs.cashflows import Collections
from abs.io import load_deal
from tests.waterfall.builders import make_collections, random_collections, random_deals
from tests.waterfall.oracle import run_oracle
from tests.waterfall.test_oracle import assert_matches
from waterfall import engine
from waterfall.result import WaterfallResult


def _arrays(r: WaterfallResult) -> Iterator[tuple[str, np.ndarray]]:
    for group in ("fees", "interest", "principal", "sub_yield"):
        for name, line in getattr(r, group).items():
            yield f"{group}.{name}.paid", line.paid
            yield f"{group}.{name}.shortfall", line.shortfall
            yield f"{group}.{name}.support", line.support
    for group in ("residual", "balances", "draws", "reimbursements"):
        for name, arr in getattr(r, group).items():
            yield f"{group}.{name}", arr
    for name, arr in r.triggers.items():
        yield f"trigger.{name}", arr
    for ev, arr in r.events.items():
        yield f"event.{ev.value}", arr
    yield "reserve_balance", r.reserve_balance
    yield "reserve_deposits", r.reserve_deposits
    yield "reserve_release", r.reserve_release
    yield "carried_out", r.carried_out
    yield "accelerated", r.accelerated


def _quarters(n: int) -> tuple[dt.date, ...]:
    out, y, m = [], 2026, 9
    for _ in range(n):
        out.append(dt.date(y, m, 26))
        y, m = (y + 1, m - 9) if m > 9 else (y, m + 3)
    return tuple(out)


def _qingdao_like(n_scen: int, n_periods: int, seed: int, *, initial: float = 600e6) -> Collections:
    """The benchmark's shape: 14 strong quarters, then a thin tail; some paths trip triggers."""
    rng = np.random.default_rng(seed)
    base = np.full(n_periods, 2e6)
    base[:14] = 45e6
    total = (
        base * rng.lognormal(0.0, 0.2, (n_scen, 1)) * rng.lognormal(0.0, 0.1, (n_scen, n_periods))
    )
    dates = _quarters(n_periods)
    starts = (dt.date(2026, 6, 18), *dates[:-1])
    days = np.array([(b - a).days for a, b in zip(starts, dates, strict=True)], dtype=float)
    return Collections.from_arrays(
        payment_dates=dates,
        accrual_start=starts,
        year_fractions=days / 365.0,
        days=days,
        total=total,
        income=total * 0.14,
        defaults=total * rng.uniform(0.0, 0.02, (n_scen, 1)),
        forecast=base,
        initial_pool_balance=initial,
    )


def _run(deal: Any, coll: Collections, *, narrow: bool, **kw: Any) -> WaterfallResult:
    old = engine.NARROW_MIN, engine.NARROW_SHARE
    engine.NARROW_MIN, engine.NARROW_SHARE = (1, 0.05) if narrow else (10**9, 1.0)
    try:
        return waterfall.run(deal, coll, **kw)
    finally:
        engine.NARROW_MIN, engine.NARROW_SHARE = old


@pytest.mark.parametrize(
    ("initial", "fired"),
    [
        # 预期到期日本金未清偿 (on the waterfall's state) and 回收款低于预测30% fire
        (600e6, {"回收款低于预测30%", "预期到期日本金未清偿"}),
        # a small pool balance: the cumulative default rate passes 8% on some paths as well
        (150e6, {"累计违约率超过8%", "回收款低于预测30%", "预期到期日本金未清偿"}),
    ],
)
def test_narrowed_run_is_bit_identical_on_the_qingdao_structure(
    monkeypatch: pytest.MonkeyPatch, initial: float, fired: set[str]
) -> None:
    deal = load_deal("qingdao-pure", with_pool=False)
    coll = _qingdao_like(400, 60, seed=7, initial=initial)
    orig = np.zeros(400, dtype=bool)
    orig[::37] = True  # a few originator events (加速清偿 from period 1)
    calls: list[int] = []
    real = engine._Run.narrow

    def counting(self: Any, t0: int, dormant: np.ndarray) -> None:
        calls.append(int(dormant.sum()))
        real(self, t0, dormant)

    monkeypatch.setattr(engine._Run, "narrow", counting)
    plain = _run(deal, coll, narrow=False, originator_default=orig)
    assert calls == []
    narrowed = _run(deal, coll, narrow=True, originator_default=orig)
    assert len(calls) >= 2  # narrowed at least twice (a run within a run)
    assert plain.accelerated.any() and not plain.accelerated.all()
    assert {name for name, on in plain.triggers.items() if on.any()} >= fired
    assert plain.draws["shortfall_commitment"].any()
    for (label, a), (_, b) in zip(_arrays(plain), _arrays(narrowed), strict=True):
        assert np.array_equal(a, b), label
    assert narrowed.conserved


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_forced_narrowing_equals_the_oracle(data: st.DataObject) -> None:
    deal, n_periods = data.draw(random_deals())
    n_scen = data.draw(st.integers(2, 8))
    drawn = data.draw(random_collections(n_periods=n_periods, n_scenarios=n_scen))
    boost = data.draw(st.sampled_from([1.0, 10.0, 50.0]))  # big enough to repay every class
    coll = make_collections(
        drawn.total * boost,
        income=drawn.income * boost,
        defaults=drawn.defaults,
        pool_balance=drawn.pool_balance,
        forecast=drawn.forecast,
        initial_pool_balance=drawn.initial_pool_balance,
    )
    flags = st.lists(st.booleans(), min_size=n_scen, max_size=n_scen)
    orig, guar = np.array(data.draw(flags)), np.array(data.draw(flags))
    shifts = np.array(
        data.draw(st.lists(st.floats(-100.0, 200.0), min_size=n_scen, max_size=n_scen))
    )
    kw: dict[str, Any] = {
        "originator_default": orig,
        "guarantor_default": guar,
        "rate_shift_bp": shifts,
    }
    res = _run(deal, coll, narrow=True, **kw)
    plain = _run(deal, coll, narrow=False, **kw)
    for (label, a), (_, b) in zip(_arrays(plain), _arrays(res), strict=True):
        assert np.array_equal(a, b), label
    # recomputed from the final arrays, not from the runs' own checks
    assert float(np.abs(res.conservation_gap()).max()) <= 0.01
    for s in range(n_scen):
        ref = run_oracle(
            deal,
            coll,
            s,
            originator_default=bool(orig[s]),
            guarantor_default=bool(guar[s]),
            rate_shift_bp=float(shifts[s]),
        )
        assert_matches(res, s, ref)


def test_draws_nobody_repays_do_not_keep_a_scenario_live(monkeypatch: pytest.MonkeyPatch) -> None:
    # 差额支付 without repayment (reimbursed: false): what it paid is not owed by the deal, so
    # the paths that drew on it still become dormant once everything else is repaid.
    deal = load_deal("qingdao-pure", with_pool=False)
    sc = deal.support.shortfall_commitment
    assert sc is not None
    deal = deal.model_copy(
        update={
            "support": deal.support.model_copy(
                update={"shortfall_commitment": sc.model_copy(update={"reimbursed": False})}
            )
        }
    )
    coll = _qingdao_like(400, 60, seed=7)
    went_dormant: set[int] = set()
    real = engine._Run.narrow

    def recording(self: Any, t0: int, dormant: np.ndarray) -> None:
        cols = np.flatnonzero(dormant)
        went_dormant.update((cols if self.root_idx is None else self.root_idx[cols]).tolist())
        real(self, t0, dormant)

    monkeypatch.setattr(engine._Run, "narrow", recording)
    narrowed = _run(deal, coll, narrow=True)
    plain = _run(deal, coll, narrow=False)
    drew = plain.draws["shortfall_commitment"].any(axis=1)
    assert drew.sum() > 10 and plain.reimbursements["shortfall_commitment"].sum() == 0.0
    # paths that drew and then repaid every tranche went dormant all the same
    done = np.array([plain.balances[n][:, -1] for n in plain.balances]).max(axis=0) == 0.0
    drew_and_done = set(np.flatnonzero(drew & done).tolist())
    assert drew_and_done and drew_and_done & went_dormant
    for (label, a), (_, b) in zip(_arrays(plain), _arrays(narrowed), strict=True):
        assert np.array_equal(a, b), label
