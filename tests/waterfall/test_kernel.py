"""Properties of the compiled kernel: a scenario's numbers depend on its own inputs only.

Bit for bit (not within a tolerance): alone or in a batch of any composition, on one thread or
several, in any chunking, and with the settled-scenario shortcut on or off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import waterfall
from abs.cashflows import Collections
from abs.io import load_deal
from tests.waterfall.builders import random_collections, random_deals
from waterfall import api
from waterfall import params as pm
from waterfall.result import WaterfallResult

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def arrays(res: WaterfallResult) -> Iterator[tuple[str, np.ndarray]]:
    """Every (S, ·) array of a full result, named."""
    for line in res.lines():
        for part in ("paid", "shortfall", "support"):
            yield f"{line.kind} {line.name} {part}", getattr(line, part)
    for name, line in res.interest_on_interest.items():
        yield f"ioi {name}", line.paid
    for group in ("residual", "balances", "draws", "reimbursements", "triggers"):
        for key, arr in getattr(res, group).items():
            yield f"{group} {key}", arr
    for ev, arr in res.events.items():
        yield f"event {ev.value}", arr
    for name in ("reserve_balance", "reserve_deposits", "reserve_release", "carried_out"):
        yield name, getattr(res, name)
    yield "accelerated", res.accelerated
    rv = res.revolving
    if rv is not None:
        for name in (
            "purchases",
            "purchases_data",
            "set_aside",
            "idle",
            "idle_interest",
            "negative_carry",
            "revolving",
            "pool_balance",
            "data_balance",
            "purchased_collections",
            "purchased_income",
            "purchased_defaults",
        ):
            yield f"revolving {name}", getattr(rv, name)
        yield "collections total", res.collections.total


def assert_rows_equal(a: WaterfallResult, ia: int, b: WaterfallResult, ib: int) -> None:
    """Row ``ia`` of ``a`` equals row ``ib`` of ``b`` in every array, bit for bit."""
    for (name, x), (_, y) in zip(arrays(a), arrays(b), strict=True):
        if not np.array_equal(x[ia], y[ib], equal_nan=x.dtype.kind == "f"):
            bad = int(np.flatnonzero(x[ia] != y[ib])[0])
            raise AssertionError(f"{name}, period {bad}: {x[ia][bad]!r} vs {y[ib][bad]!r}")


def _factors(draw: Any, n: int) -> dict[str, np.ndarray]:
    return {
        "rate_shift_bp": np.array(draw(st.lists(st.floats(-100.0, 200.0), min_size=n, max_size=n))),
        "originator_default": np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))),
        "guarantor_default": np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))),
    }


def _pick(kw: dict[str, np.ndarray], rows: Any) -> dict[str, np.ndarray]:
    return {k: v[rows] for k, v in kw.items()}


@SETTINGS
@given(data=st.data())
def test_a_scenario_is_the_same_alone_and_in_any_batch(data: st.DataObject) -> None:
    deal, n_periods = data.draw(random_deals(revolving=True))
    n = data.draw(st.integers(2, 5))
    coll = data.draw(random_collections(n_periods=n_periods, n_scenarios=n))
    kw = _factors(data.draw, n)
    # a batch with repeats, in a random order
    order = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=9)))
    batch = waterfall.run(deal, coll.select(order), **_pick(kw, order))
    for i, s in enumerate(order):
        alone = waterfall.run(deal, coll.select([int(s)]), **_pick(kw, [int(s)]))
        assert_rows_equal(batch, i, alone, 0)


def _with_ip(monkeypatch: pytest.MonkeyPatch, slot: int, value: int) -> None:
    compile_deal = api.compile_deal

    def patched(*args: Any, **kwargs: Any) -> pm.DealArrays:
        d = compile_deal(*args, **kwargs)
        ip = d.ip.copy()
        ip[slot] = value
        return pm.DealArrays(ip, d.fp)

    monkeypatch.setattr(api, "compile_deal", patched)
    api._COMPILED.clear()  # compiled deals are reused: compile afresh through the patch
    monkeypatch.setattr(api, "_COMPILED", api._COMPILED.__class__())


@SETTINGS
@given(data=st.data())
def test_settled_shortcut_changes_no_bit(data: st.DataObject) -> None:
    deal, n_periods = data.draw(random_deals(revolving=True))
    n = data.draw(st.integers(1, 3))
    coll = data.draw(random_collections(n_periods=n_periods, n_scenarios=n))
    kw = _factors(data.draw, n)
    fast = waterfall.run(deal, coll, **kw)
    fast_m = waterfall.run_measures(deal, coll, cash="all", **kw)
    with pytest.MonkeyPatch.context() as mp:
        _with_ip(mp, pm.I_SKIP_SETTLED, 0)
        slow = waterfall.run(deal, coll, **kw)
        slow_m = waterfall.run_measures(deal, coll, cash="all", **kw)
    for s in range(n):
        assert_rows_equal(fast, s, slow, s)
    for name in ("loss", "wal", "yld", "min_coverage", "life_coverage", "coverage"):
        np.testing.assert_array_equal(getattr(fast_m, name), getattr(slow_m, name), err_msg=name)
    for name in fast_m.tranche_cash:
        np.testing.assert_array_equal(fast_m.tranche_cash[name], slow_m.tranche_cash[name])


def _qingdao_paths(n: int) -> tuple[Any, Collections]:
    from tests.benchmarks.test_bench_waterfall import _collections

    coll = _collections()
    return load_deal("qingdao-pure", with_pool=False), coll.select(np.arange(n))


def test_threads_and_chunks_change_no_bit() -> None:
    deal, coll = _qingdao_paths(700)
    one = waterfall.run(deal, coll, threads=1)
    many = waterfall.run(deal, coll)  # every core numba has
    for s in (0, 1, 350, 699):
        assert_rows_equal(one, s, many, s)
    # the same through different task sizes (the kernel's chunk of scenarios per task)
    chunk = api._chunk
    try:
        for size in (1, 7, 700):
            api._chunk = lambda s, t, size=size: size  # type: ignore[assignment]
            other = waterfall.run(deal, coll)
            for s in (0, 13, 699):
                assert_rows_equal(one, s, other, s)
    finally:
        api._chunk = chunk  # type: ignore[assignment]


def test_qingdao_shortcut_and_batch() -> None:
    """The benchmark's structure: settled tails after the seniors' window, some scenarios
    accelerated (collections below forecast)."""
    deal, coll = _qingdao_paths(300)
    full = waterfall.run(deal, coll)
    assert full.accelerated.any(axis=1).mean() > 0.03  # the trigger path is exercised
    with pytest.MonkeyPatch.context() as mp:
        _with_ip(mp, pm.I_SKIP_SETTLED, 0)
        slow = waterfall.run(deal, coll)
    for s in range(0, 300, 7):
        assert_rows_equal(full, s, slow, s)
        alone = waterfall.run(deal, coll.select([s]))
        assert_rows_equal(full, s, alone, 0)


def test_the_settled_switch_reaches_the_kernel() -> None:
    """Guard for the tests above: compiled deals are reused, and the patch still applies."""
    deal, coll = _qingdao_paths(3)
    assert api._compiled(deal, coll, 0.02).ip[pm.I_SKIP_SETTLED] == 1
    with pytest.MonkeyPatch.context() as mp:
        _with_ip(mp, pm.I_SKIP_SETTLED, 0)
        assert api._compiled(deal, coll, 0.02).ip[pm.I_SKIP_SETTLED] == 0
    assert api._compiled(deal, coll, 0.02).ip[pm.I_SKIP_SETTLED] == 1


_CONCURRENT = """
import threading, numpy as np, waterfall
from tests.waterfall.test_kernel import _qingdao_paths
deal, coll = _qingdao_paths(400)
one = waterfall.run_measures(deal, coll).loss
out = []
def run():
    out.append(waterfall.run_measures(deal, coll).loss)
threads = [threading.Thread(target=run) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert len(out) == 4 and all(np.array_equal(o, one) for o in out)
import numba
print(numba.threading_layer())
"""


@pytest.mark.parametrize("layer", ["default", "workqueue"])
def test_concurrent_calls_from_threads(layer: str) -> None:
    """Two dashboard sessions run the engine at once: same numbers, no abort (numba's
    ``workqueue`` layer aborts on concurrent parallel launches; the engine serialises them)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ)
    if layer == "workqueue":
        env["NUMBA_THREADING_LAYER"] = "workqueue"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _CONCURRENT], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    if layer == "workqueue":
        assert done.stdout.strip() == "workqueue"
