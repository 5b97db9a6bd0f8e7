"""Measures mode gives the numbers the full result gives (``scenarios.runner`` derives them
from full mode; the kernel accumulates them itself)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import waterfall
from abs.cashflows import Collections
from abs.deal import Deal
from abs.io import load_deal
from scenarios.runner import outcome_from_result
from tests.waterfall.builders import random_collections, random_deals


def _close(name: str, got: Any, want: Any, *, rtol: float = 1e-12, atol: float = 1e-9) -> None:
    np.testing.assert_allclose(
        np.asarray(got, dtype=np.float64),
        np.asarray(want, dtype=np.float64),
        rtol=rtol,
        atol=atol,
        equal_nan=True,
        err_msg=name,
    )


def check_measures(deal: Deal, coll: Collections, **kw: Any) -> None:
    full = waterfall.run(deal, coll, **kw)
    m = waterfall.run_measures(deal, coll, cash="all", **kw)
    ref = outcome_from_result(deal, coll, full)
    np.testing.assert_array_equal(m.first_missed, ref.first_shortfall)
    np.testing.assert_array_equal(m.paid_in_full, ref.paid_in_full)
    np.testing.assert_array_equal(m.trigger_first, ref.trigger_first)
    _close("loss", m.loss / m.original_balance, ref.loss)
    _close("shortfall", m.shortfall, ref.shortfall)
    _close("wal", m.wal, ref.wal)
    _close("yield", m.yld, ref.yld, rtol=1e-9, atol=1e-12)
    _close("min coverage", m.min_coverage, ref.min_coverage)
    _close("life coverage", m.life_coverage, ref.life_coverage)
    _close("min coverage with principal", m.min_coverage_principal, ref.min_coverage_principal)
    _close("senior coverage", m.coverage, ref.coverage)
    for k, name in enumerate(m.tranche_names):
        _close(f"interest {name}", m.interest_paid[:, k], full.interest[name].paid.sum(axis=1))
        _close(f"principal {name}", m.principal_paid[:, k], full.principal[name].paid.sum(axis=1))
        _close(f"cash {name}", m.tranche_cash[name], full.tranche_cash(name))
        support = full.interest[name].support + full.principal[name].support
        _close(f"support {name}", m.support[:, k], support.sum(axis=1))
    for src, arr in m.draws.items():
        _close(f"draws {src}", arr, full.draws[src].sum(axis=1))
    for src, arr in m.reimbursements.items():
        _close(f"repaid {src}", arr, full.reimbursements[src].sum(axis=1))
    _close("cash left", m.cash_left, full.carried_out[:, -1])
    first_acc = np.where(full.accelerated.any(axis=1), np.argmax(full.accelerated, axis=1), -1)
    np.testing.assert_array_equal(m.accelerated_first, first_acc)
    rv = full.revolving
    if rv is not None:
        assert m.purchased is not None and m.negative_carry is not None
        _close("purchased", m.purchased, rv.purchases.sum(axis=1))
        _close("negative carry", m.negative_carry, rv.negative_carry.sum(axis=1))
        if rv.has_data:
            assert m.first_out_of_band is not None
            np.testing.assert_array_equal(m.first_out_of_band, rv.kind_over_life().first_out)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_measures_equal_full_mode_on_random_deals(data: st.DataObject) -> None:
    deal, n_periods = data.draw(random_deals(revolving=True))
    n = data.draw(st.integers(1, 3))
    coll = data.draw(random_collections(n_periods=n_periods, n_scenarios=n))
    check_measures(
        deal,
        coll,
        rate_shift_bp=np.array(data.draw(st.lists(st.floats(-100, 200), min_size=n, max_size=n))),
        originator_default=np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n))),
    )


@pytest.mark.parametrize("example", ["qingdao-pure", "rugao-labelled", "tianfeng-enabled"])
def test_measures_equal_full_mode_on_the_examples(example: str) -> None:
    from abs.projection import project

    deal = load_deal(example)
    check_measures(deal, project(deal, scenarios=200, seed=11))


def test_irr_from_kept_cash() -> None:
    from abs.projection import project

    deal = load_deal("qingdao-pure")
    coll = project(deal)
    full = waterfall.run(deal, coll)
    m = waterfall.run_measures(deal, coll)
    irr = float(full.summary().loc[2, "内部收益率"])
    assert m.irr("次级")[0] == pytest.approx(irr, rel=1e-12)
    with pytest.raises(waterfall.WaterfallError, match="the cash of '优先A1' was not kept"):
        m.irr("优先A1")
    with pytest.raises(waterfall.WaterfallError, match="cash must be 'subordinated', 'all'"):
        waterfall.run_measures(deal, coll, cash="some")
