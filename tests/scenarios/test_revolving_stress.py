"""Revolving stresses in grids and break-even: each scenario keeps its own purchase profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import abs
import waterfall
from abs import replenishment
from abs.assumptions import Stress
from abs.cashflows import Collections, Purchases
from abs.projection import pool_model
from abs.projection.model import stretch, stretch_rows
from scenarios.breakeven import breakeven
from scenarios.grid import run_grid
from scenarios.runner import (
    FAMILY_MODEL,
    ProjectionCache,
    StressFamily,
    project_stresses,
    simulate_outcome,
)
from scenarios.sets import default_set_for
from ui.cli import app

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


# --- the pool's payment rate and yield: the pool once and the purchases once, by every caller


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[Collections]:
    """Every Collections that replenishment.attach hands back (pool + purchase profiles)."""
    seen: list[Collections] = []
    real = replenishment.attach

    def attach(*args: Any, **kw: Any) -> Collections:
        out = real(*args, **kw)
        seen.append(out)
        return out

    monkeypatch.setattr(replenishment, "attach", attach)
    return seen


def _base() -> tuple[Collections, Purchases]:
    deal = abs.load_deal(EXAMPLE)
    base = abs.project(deal)
    assert base.purchases is not None
    return base, base.purchases


def _once(coll: Collections, base: Collections, bought: Purchases, h: float) -> None:
    """Pool income and purchased income each × (1 − h) exactly once (twice: (1 − h)²)."""
    assert coll.purchases is not None
    np.testing.assert_allclose(coll.income, base.income * (1 - h), rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(coll.principal, base.principal, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(
        coll.purchases.income, bought.income * (1 - h), rtol=1e-9, atol=1e-12
    )
    assert coll.income.sum() > 0 and coll.purchases.income.sum() > 0


def test_abs_project_stresses_pool_and_purchases_once() -> None:
    deal = abs.load_deal(EXAMPLE)
    base, bought = _base()
    _once(abs.project(deal, stress=Stress(revolving_yield_haircut=0.3)), base, bought, 0.3)
    # payment rate −30%: the pool's principal is the per-asset stretch (from the cut-off)
    # once; each purchase's principal profile the stretch from its purchase date once
    st = Stress(payment_rate_change=-0.3)
    slow = abs.project(deal, stress=st)
    m = pool_model(deal)
    flows = m.case().asset_flows()
    contract = flows.principal - flows.recoveries
    once = (stretch_rows(contract, m.origin, 0.7) + flows.recoveries).sum(axis=0)
    np.testing.assert_allclose(slow.principal[0], once, rtol=1e-9, atol=1e-6)
    assert slow.principal[0, 0] < base.principal[0, 0] - 1.0  # it did move
    np.testing.assert_allclose(slow.principal.sum(), base.principal.sum(), rtol=1e-9)
    # purchases: the contract principal is stretched (recoveries keep their timing), so
    # compare on candidates without credit, whose principal profile is all contract principal
    rv = deal.revolving
    assert rv is not None and rv.replenishment is not None and rv.replenishment.generator
    gen = rv.replenishment.generator.model_copy(update={"pd": 0.0})
    rep = rv.replenishment.model_copy(update={"generator": gen})
    clean = deal.model_copy(update={"revolving": rv.model_copy(update={"replenishment": rep})})
    bought = abs.project(clean).purchases
    slow = abs.project(clean, stress=st)
    assert bought is not None and slow.purchases is not None
    prin = bought.total - bought.income
    prin_slow = slow.purchases.total - slow.purchases.income
    t_count = prin.shape[1]
    for t in range(t_count):
        span = min(t_count - t, prin.shape[2])
        np.testing.assert_allclose(
            prin_slow[:, t, :span], stretch(prin[:, t, :span], 0.7), rtol=1e-9, atol=1e-12
        )


def test_monte_carlo_stresses_pool_and_purchases_once(monkeypatch: pytest.MonkeyPatch) -> None:
    deal = abs.load_deal(EXAMPLE)
    _, bought = _base()
    seen = _recording(monkeypatch)
    simulate_outcome(deal, assumptions=None, seed=3, first_path=0, n_paths=20)
    simulate_outcome(
        deal,
        assumptions=None,
        seed=3,
        first_path=0,
        n_paths=20,
        stress=Stress(revolving_yield_haircut=0.5),
    )
    base_paths, stressed = seen
    _once(stressed, base_paths, bought, 0.5)


def test_breakeven_family_stresses_pool_and_purchases_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deal = abs.load_deal(EXAMPLE)
    base, bought = _base()
    seen = _recording(monkeypatch)
    fam = StressFamily(ProjectionCache(deal), Stress(), "revolving_yield_haircut")
    assert fam.mode == FAMILY_MODEL
    rows = fam.collections([0.2])
    assert len(seen) == 1
    _once(seen[0], base, bought, 0.2)
    np.testing.assert_allclose(rows.income, base.income * 0.8, rtol=1e-9, atol=1e-6)


def test_cli_collections_csv_keeps_the_pool_and_stresses_purchases_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.cli.run_cmds import read_collections_csv, run_report

    deal = abs.load_deal(EXAMPLE)
    _, bought = _base()
    csv = tmp_path / "proj.csv"
    made = CliRunner().invoke(app, ["project", EXAMPLE, "--csv", str(csv)])
    assert made.exit_code == 0, made.output
    given = read_collections_csv(csv, deal)
    stressed = deal.model_copy(
        update={
            "assumptions": deal.assumptions.model_copy(
                update={"stress": Stress(revolving_yield_haircut=0.3)}
            )
        }
    )
    seen = _recording(monkeypatch)
    run_report(stressed, collections_csv=str(csv))
    # the CLI's own call: the CSV is the pool's cash as given (the user stresses it there);
    # purchases once (the other calls are projections of the deal made on the way)
    mine = [c for c in seen if np.array_equal(c.income, given.income)]
    assert len(mine) == 1
    got = mine[0]
    assert got.purchases is not None
    np.testing.assert_allclose(got.purchases.income, bought.income * 0.7, rtol=1e-9, atol=1e-12)
