"""The deal's base adjustments (``assumptions.stress``) are the default base of every run.

A stress grid, a break-even search, the rating view, sizing and Monte Carlo all start from
:func:`scenarios.runner.deal_base`; ``Stress()`` asks for the neutral case explicitly.
"""

from __future__ import annotations

import numpy as np
import pytest

from abs.assumptions import Stress
from abs.deal import Deal
from abs.io import load_deal
from abs.projection import base_forecast, project
from scenarios.breakeven import breakeven_all
from scenarios.grid import run_grid
from scenarios.montecarlo import run_mc
from scenarios.runner import deal_base

ADJUSTED = Stress(revenue_haircut=0.1, pd_multiplier=1.5)


@pytest.fixture(scope="module")
def deal():  # type: ignore[no-untyped-def]
    d = load_deal("qingdao-pure")
    return d.model_copy(
        update={"assumptions": d.assumptions.model_copy(update={"stress": ADJUSTED})}
    )


def test_deal_base_resolves_the_default(deal: Deal) -> None:
    assert deal_base(deal) == ADJUSTED
    assert deal_base(deal, Stress()) == Stress()
    other = deal.assumptions.model_copy(update={"stress": Stress(pd_multiplier=3.0)})
    assert deal_base(deal, None, other).pd_multiplier == 3.0


def test_grid_base_row_is_the_adjusted_case(deal: Deal) -> None:
    g = run_grid(deal, "data")
    assert g.base == ADJUSTED
    b = g.base_index
    assert b is not None and g.names[b] == "基准"
    assert g.stresses[b] == ADJUSTED
    # a scenario keeps the adjustments it does not set
    k = g.names.index("重度")
    heavy, own = g.stresses[k], g.scenarios[k].factors
    for field in ("revenue_haircut", "pd_multiplier"):
        want = getattr(ADJUSTED, field) if field not in own else own[field]
        assert getattr(heavy, field) == want, field
    neutral = run_grid(deal, "data", base=Stress())
    assert neutral.base_index is not None
    assert neutral.stresses[neutral.base_index] == Stress()
    # the forecast is the deal's base case in both grids (the trigger's yardstick)
    np.testing.assert_array_equal(g.collections.forecast, neutral.collections.forecast)
    np.testing.assert_allclose(g.collections.forecast, project(deal).total[0])


def test_base_forecast_is_the_adjusted_expected_case(deal: Deal) -> None:
    plain = load_deal("qingdao-pure")
    adjusted = base_forecast(deal)
    assert adjusted.sum() < base_forecast(plain).sum()  # the haircut is in the forecast
    stressed = project(deal, stress=Stress(revenue_haircut=0.5))
    np.testing.assert_array_equal(stressed.forecast, adjusted)


def test_breakeven_and_mc_default_to_the_deal_base(deal: Deal) -> None:
    default = breakeven_all(deal, factor="revenue_haircut", tranches=["优先A1"])[0]
    explicit = breakeven_all(deal, factor="revenue_haircut", tranches=["优先A1"], base=ADJUSTED)[0]
    neutral = breakeven_all(deal, factor="revenue_haircut", tranches=["优先A1"], base=Stress())[0]
    assert default.value == explicit.value
    assert default.value != neutral.value  # the PD adjustment moves the haircut break-even

    mc = run_mc(deal, n_paths=64, seed=5, threads=1).outcome
    mc_explicit = run_mc(deal, n_paths=64, seed=5, threads=1, stress=ADJUSTED).outcome
    mc_neutral = run_mc(deal, n_paths=64, seed=5, threads=1, stress=Stress()).outcome
    np.testing.assert_array_equal(mc.loss, mc_explicit.loss)
    np.testing.assert_array_equal(mc.yld, mc_explicit.yld)
    assert not np.array_equal(mc.yld, mc_neutral.yld)
