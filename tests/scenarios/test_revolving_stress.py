"""Revolving stresses in grids and break-even: each scenario keeps its own purchase profiles."""

from __future__ import annotations

import numpy as np

import abs
import waterfall
from scenarios.breakeven import breakeven
from scenarios.grid import run_grid
from scenarios.runner import project_stresses
from scenarios.sets import default_set_for

EXAMPLE = "scf-revolving-labelled"


def test_a_revolving_grid_equals_each_scenario_run_alone() -> None:
    deal = abs.load_deal(EXAMPLE)
    grid = run_grid(deal)
    assert default_set_for(deal).name == "revolving"
    rv = grid.result.revolving
    assert rv is not None
    assert grid.collections.purchases is not None
    assert grid.collections.purchases.n_groups == len(grid.stresses)  # one set per stress
    for s, st in enumerate(grid.stresses):
        alone = waterfall.run(
            deal,
            abs.project(deal, stress=st),
            rate_shift_bp=st.rate_shift_bp,
            originator_default=st.originator_default,
            guarantor_default=st.guarantor_default,
        )
        assert alone.revolving is not None
        np.testing.assert_array_equal(rv.purchases[s], alone.revolving.purchases[0])
        np.testing.assert_array_equal(grid.result.balances["优先A"][s], alone.balances["优先A"][0])
    # 循环购买率 −50% (中度, 重度): half the supply, idle cash, the purchase-rate event
    names = [sc.name for sc in grid.scenarios]
    assert rv.idle[names.index("中度")].sum() > rv.idle[names.index("基准")].sum()
    fired = grid.result.triggers["循环购买率连续2期低于50%"]
    assert fired[names.index("中度")].any() and not fired[names.index("基准")].any()


def test_stacking_stresses_keeps_one_purchase_set_per_projection() -> None:
    deal = abs.load_deal(EXAMPLE)
    sets = default_set_for(deal)
    stresses = [sc.stress(deal) for sc in sets.scenarios]
    coll = project_stresses(deal, [stresses[0], stresses[2], stresses[0]])
    assert coll.purchase_group is not None
    assert coll.purchase_group.tolist() == [0, 1, 0]  # the base projection is shared


def test_breakeven_on_the_payment_rate() -> None:
    deal = abs.load_deal(EXAMPLE)
    b = breakeven(deal, tranche="优先A", factor="payment_rate_change")
    assert b.status == "found"
    assert b.value is not None and b.fail_value is not None
    assert -0.9 < b.fail_value < b.value < 0.0
    from abs.assumptions import Stress

    def paid(v: float) -> bool:
        res = waterfall.run_measures(deal, abs.project(deal, stress=Stress(payment_rate_change=v)))
        return bool(res.paid_in_full[0, 0])

    assert paid(b.value) and not paid(b.fail_value)


def test_monte_carlo_reports_the_share_of_paths_out_of_band() -> None:
    from scenarios.montecarlo import run_mc

    deal = abs.load_deal(EXAMPLE)
    mc = run_mc(deal, n_paths=400, seed=7)
    fob = mc.outcome.first_out_of_band
    assert fob is not None and fob.shape == (400,)
    assert mc.to_dict()["share_out_of_band"] == float((fob >= 0).mean())
    # the same paths through the engine directly
    paths = abs.project(deal, scenarios=400, seed=7)
    m = waterfall.run_measures(deal, paths)
    assert m.first_out_of_band is not None
    assert 0.0 <= float((m.first_out_of_band >= 0).mean()) <= 0.2
    static = run_mc(abs.load_deal("rugao-labelled"), n_paths=50, seed=7)
    assert static.to_dict()["share_out_of_band"] is None
