"""Revolving purchases (循环购买), idle cash, early amortisation and the OC turbo, worked by hand.

The 4-period deal of ``docs/revolving.md`` ("A worked example"): every period is 73 days
(year fraction 0.2), 优先A 800 at 5% (interest 1% of its balance a period), 次级 200 bullet,
pool 1,000 (700 data-linked). Purchased assets pay 1.02 per yuan one period after purchase
(0.02 income) and are then gone. Revolving period: 3 periods; 提前摊还事件 when cumulative
defaults exceed 5% of the pool.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

import waterfall
from abs.cashflows import Purchases
from abs.enums import EventType, TriggerCondition
from abs.errors import DealSpecError, WaterfallError
from tests.waterfall.builders import make_collections, make_deal
from tests.waterfall.oracle import run_oracle

NORMAL: list[dict[str, Any]] = [
    {"step": "pay_interest", "tranches": ["优先A"]},
    {"step": "revolve"},
    {"step": "turbo_oc", "tranches": ["优先A"], "target_oc": 0.25},
    {"step": "pay_residual", "tranche": "次级"},
]
AMORTISATION: list[dict[str, Any]] = [
    {"step": "pay_interest", "tranches": ["优先A"]},
    {"step": "pay_principal", "tranches": ["优先A"]},
    {"step": "pay_principal", "tranches": ["次级"]},
    {"step": "pay_residual", "tranche": "次级"},
]


def _profiles(supply: list[list[float]], t: int = 4) -> Purchases:
    """Each yuan pays 1.02 one period later (0.02 income); face 1 per yuan at purchase."""
    tot = np.zeros((2, t, 2))
    tot[:, :, 1] = 1.02
    inc = np.zeros((2, t, 2))
    inc[:, :, 1] = 0.02
    bal = np.zeros((2, t, 2))
    bal[:, :, 0] = 1.0
    return Purchases(
        supply=np.array(supply, dtype=np.float64),
        total=tot,
        income=inc,
        defaults=np.zeros((2, t, 2)),
        balance=bal,
    )


def _deal(**revolving: Any) -> Any:
    terms = {"periods": 3, "account_rate": 0.02, "issued_kind": "pure", **revolving}
    if "end_date" in revolving and "periods" not in revolving:
        del terms["periods"]
    return make_deal(
        tranches=[
            {
                "name": "优先A",
                "tranche_class": "senior",
                "balance": 800.0,
                "principal_type": "pass_through",
                "coupon": {"rate": 0.05},
            },
            {"name": "次级", "tranche_class": "subordinated", "balance": 200.0},
        ],
        n_periods=4,
        triggers=[
            {
                "name": "累计违约率超过5%",
                "condition": "cumulative_default_rate_above",
                "threshold": 0.05,
                "event": "early_amortisation",
            }
        ],
        waterfall={"normal": NORMAL, "accelerated": AMORTISATION, "amortisation": AMORTISATION},
        revolving=terms,
    )


def _collections(supply: list[list[float]]) -> Any:
    return make_collections(
        [[130.0, 150.0, 58.0, 600.0]],
        income=[[30.0, 60.0, 8.0, 5.0]],
        defaults=[[0.0, 0.0, 60.0, 0.0]],
        pool_balance=[[900.0, 810.0, 700.0, 0.0]],
        forecast=np.zeros(4),
        initial_pool_balance=1000.0,
        days=[73.0] * 4,
        purchases=_profiles(supply),
        data_balance=[[700.0, 560.0, 500.0, 0.0]],
    )


SUPPLY = [[0.0, 150.0, 0.0, 0.0], [0.0, 50.0, 0.0, 0.0]]


def test_four_periods_by_hand() -> None:
    deal, coll = _deal(), _collections(SUPPLY)
    res = waterfall.run(deal, coll)
    rv = res.revolving
    assert rv is not None
    a = res.principal["优先A"].paid[0]
    # t0: no eligible asset: the 100 of principal collections stay idle; 22 of excess spread
    #     go to 优先A by the OC turbo (target 25%: A ≤ 0.75 × 900 = 675), nothing to 次级.
    # t1: idle 100 released with 100 × 2% × 0.2 = 0.40 of interest; set aside 90 + 100 = 190;
    #     200 offered, 95% bought: 142.50 + 47.50 (data-linked); pool 810 + 190 = 1,000; the
    #     turbo pays 778 − 750 = 28 and reaches its target; 242.62 − 190 − 28 = 24.62 residual.
    # t2: defaults 60 = 6% > 5%: 提前摊还事件, amortisation list; the purchased assets pay
    #     190 × 1.02 = 193.80; 优先A interest 7.50, principal 251.80 − 7.50 = 244.30.
    # t3: interest 5.057, 优先A 505.70, 次级 principal 600 − 510.757 = 89.243.
    np.testing.assert_allclose(rv.set_aside[0], [100.0, 190.0, 0.0, 0.0])
    np.testing.assert_allclose(rv.purchases[0], [0.0, 190.0, 0.0, 0.0])
    np.testing.assert_allclose(rv.purchases_data[0], [0.0, 47.5, 0.0, 0.0])
    np.testing.assert_allclose(rv.idle[0], [100.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(rv.idle_interest[0], [0.0, 0.4, 0.0, 0.0])
    # negative carry of t1: 100 × (5% × 778 / 978) × 0.2 − 0.40
    np.testing.assert_allclose(
        rv.negative_carry[0], [0.0, 100 * 0.05 * 778 / 978 * 0.2 - 0.4, 0, 0]
    )
    np.testing.assert_allclose(rv.rate[0, :2], [0.0, 1.0])
    assert np.isnan(rv.rate[0, 2:]).all()
    assert rv.revolving[0].tolist() == [True, True, False, False]
    np.testing.assert_allclose(rv.pool_balance[0], [900.0, 1000.0, 700.0, 0.0])
    np.testing.assert_allclose(rv.data_balance[0], [700.0, 607.5, 500.0, 0.0])
    np.testing.assert_allclose(rv.purchased_collections[0], [0.0, 0.0, 193.8, 0.0])
    np.testing.assert_allclose(a, [22.0, 28.0, 244.3, 505.7])
    np.testing.assert_allclose(res.interest["优先A"].paid[0], [8.0, 7.78, 7.5, 5.057])
    np.testing.assert_allclose(res.residual["次级"][0], [0.0, 24.62, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(res.principal["次级"].paid[0], [0.0, 0.0, 0.0, 89.243])
    assert res.events[EventType.EARLY_AMORTISATION][0].tolist() == [False, False, True, True]
    # collections in the result include the purchased assets'
    np.testing.assert_allclose(res.collections.total[0], [130.0, 150.0, 251.8, 600.0])
    # conservation with purchases and idle cash as uses of cash
    assert np.abs(res.conservation_gap()).max() < 1e-9
    assert res.max_conservation_gap < 1e-9
    # the kind over the life: 77.78% 纯数据型, 60.75% 贴标型 (out of band), 71.43% 纯数据型
    kol = rv.kind_over_life()
    assert kol.kind[0].tolist() == [3, 2, 3, -1]
    assert kol.out_of_band[0].tolist() == [False, True, False, False]
    assert kol.first_out.tolist() == [1]


def test_the_oracle_agrees_on_the_worked_example() -> None:
    deal, coll = _deal(), _collections(SUPPLY)
    res = waterfall.run(deal, coll)
    ref = run_oracle(deal, coll, 0)
    rv = res.revolving
    assert rv is not None
    np.testing.assert_allclose(rv.purchases[0], ref.purchases, atol=1e-9)
    np.testing.assert_allclose(rv.idle[0], ref.idle, atol=1e-9)
    np.testing.assert_allclose(rv.pool_balance[0], ref.pool_balance, atol=1e-9)
    np.testing.assert_allclose(res.principal["优先A"].paid[0], ref.prin_paid["优先A"], atol=1e-9)


def test_measures_mode_reports_the_same_revolving_figures() -> None:
    deal, coll = _deal(), _collections(SUPPLY)
    m = waterfall.run_measures(deal, coll)
    res = waterfall.run(deal, coll)
    rv = res.revolving
    assert rv is not None and m.purchased is not None and m.first_out_of_band is not None
    assert m.purchased.tolist() == [190.0]
    np.testing.assert_allclose(m.idle_interest, [0.4])
    np.testing.assert_allclose(m.negative_carry, rv.negative_carry.sum(axis=1))
    assert m.first_out_of_band.tolist() == [1]
    assert m.min_data_share is not None and m.min_data_share.tolist() == [0.6075]


def test_keeping_the_kind_band_leaves_cash_idle() -> None:
    """With keep_kind_band t1 buys all 50 of the data-linked supply first (budget 190), then
    the plain assets that keep the share ≥ 70.00%: data 560 + 50 = 610 ⇒ pool ≤ 871.428…:
    810 + 50 + x ≤ 871.42 ⇒ x = 11.42 (fen); idle 190 − 61.42 = 128.58."""
    deal, coll = _deal(keep_kind_band=True), _collections(SUPPLY)
    res = waterfall.run(deal, coll)
    rv = res.revolving
    assert rv is not None
    np.testing.assert_allclose(rv.purchases_data[0, 1], 50.0)
    np.testing.assert_allclose(rv.purchases[0, 1], 50.0 + 11.42)
    np.testing.assert_allclose(rv.idle[0, 1], 128.58)
    kol = rv.kind_over_life()
    assert not kol.out_of_band.any()
    assert res.max_conservation_gap < 1e-9
    ref = run_oracle(deal, coll, 0)
    np.testing.assert_allclose(rv.purchases[0], ref.purchases, atol=1e-9)


@pytest.mark.parametrize(
    ("data_bought", "kind", "out"),
    [
        (100.0, 3, False),  # 600 + 100 = 700.00 of 1,000.00: exactly 70.00% keeps 纯数据型
        (99.99, 2, True),  # 699.99 of 1,000.00: 69.999% is 贴标型
    ],
)
def test_a_purchase_to_exactly_seventy_percent_keeps_pure(
    data_bought: float, kind: int, out: bool
) -> None:
    deal = _deal(periods=1)
    # one period: pool 900 with 600 data-linked; buy data_bought data-linked, the rest plain
    coll = make_collections(
        [[108.0, 58.0, 58.0, 900.0]],
        days=[73.0] * 4,
        income=[[8.0, 8.0, 8.0, 8.0]],
        pool_balance=[[900.0, 850.0, 800.0, 0.0]],
        forecast=np.zeros(4),
        initial_pool_balance=1000.0,
        purchases=_profiles([[100.0 - data_bought, 0, 0, 0], [data_bought, 0, 0, 0]]),
        data_balance=[[600.0, 600.0, 600.0, 0.0]],
    )
    res = waterfall.run(deal, coll)
    rv = res.revolving
    assert rv is not None
    np.testing.assert_allclose(rv.pool_balance[0, 0], 1000.0)
    kol = rv.kind_over_life()
    assert kol.kind[0, 0] == kind
    assert bool(kol.out_of_band[0, 0]) is out
    m = waterfall.run_measures(deal, coll)
    assert m.first_out_of_band is not None
    assert m.first_out_of_band.tolist() == [0 if out else -1]


def test_a_revolving_deal_needs_revolving_terms_for_its_revolve_step() -> None:
    with pytest.raises(ValueError, match=r"waterfall.normal\[1\] revolve: the deal has no"):
        make_deal(
            tranches=[{"name": "优先A", "tranche_class": "senior", "balance": 100.0}],
            n_periods=2,
            waterfall={"normal": NORMAL[:2], "accelerated": NORMAL[:1]},
        )


def test_revolving_terms_need_exactly_one_end() -> None:
    with pytest.raises(ValueError, match="revolving: give exactly one of end_date"):
        _deal(end_date="2025-10-01", periods=2)


def test_the_settled_shortcut_is_exact_while_purchased_assets_still_pay() -> None:
    """Everything is repaid in period 3; the assets bought in periods 1–2 pay for three
    periods after purchase (ages 1–3: 0.5, 0.3, 0.22 per yuan): the settled tail books them to
    the 次级 as residual, bit for bit as the general path, and the cumulative-default trigger
    it scans counts the purchased assets' defaults."""
    from tests.waterfall.test_kernel import _with_ip, assert_rows_equal
    from waterfall import params as pm

    t_count = 6
    tot = np.zeros((2, t_count, 4))
    tot[:, :, 1:] = [0.5, 0.3, 0.22]
    inc = tot * 0.05
    dfl = np.zeros((2, t_count, 4))
    dfl[:, :, 3] = 0.1  # pushes cumulative defaults over 5% in period 5
    bal = np.zeros((2, t_count, 4))
    bal[:, :, :3] = [1.0, 0.5, 0.2]
    supply = np.zeros((2, t_count))
    supply[:, :2] = [[60.0, 60.0], [40.0, 40.0]]
    deal = make_deal(
        tranches=[
            {
                "name": "优先A",
                "tranche_class": "senior",
                "balance": 300.0,
                "principal_type": "pass_through",
                "coupon": {"rate": 0.05},
            },
            {"name": "次级", "tranche_class": "subordinated", "balance": 50.0},
        ],
        n_periods=t_count,
        triggers=[
            {
                "name": "违约",
                "condition": "cumulative_default_rate_above",
                "threshold": 0.05,
                "event": "early_amortisation",
            },
            {
                "name": "违约加速",
                "condition": "cumulative_default_rate_above",
                "threshold": 0.05,
                "event": "acceleration",
            },
        ],
        waterfall={
            "normal": [
                {"step": "pay_interest", "tranches": ["优先A"]},
                {"step": "revolve"},
                {"step": "pay_principal", "tranches": ["优先A", "次级"]},
                {"step": "pay_residual", "tranche": "次级"},
            ],
            "amortisation": [
                {"step": "pay_interest", "tranches": ["优先A"]},
                {"step": "pay_principal", "tranches": ["优先A", "次级"]},
                {"step": "pay_residual", "tranche": "次级"},
            ],
            "accelerated": [
                {"step": "pay_principal", "tranches": ["优先A", "次级"], "turbo": True},
                {"step": "pay_residual", "tranche": "次级"},
            ],
        },
        revolving={"periods": 2, "issued_kind": "pure", "account_rate": 0.01},
    )
    coll = make_collections(
        [[150.0, 400.0, 10.0, 0.0, 0.0, 0.0], [120.0, 380.0, 5.0, 1.0, 0.0, 0.0]],
        income=[[10.0, 10.0, 1.0, 0.0, 0.0, 0.0], [10.0, 10.0, 1.0, 0.0, 0.0, 0.0]],
        pool_balance=[[200.0, 0.0, 0.0, 0.0, 0.0, 0.0]] * 2,
        forecast=np.zeros(t_count),
        initial_pool_balance=350.0,
        days=[73.0] * t_count,
        purchases=Purchases(supply, tot, inc, dfl, bal),
        data_balance=[[150.0, 0.0, 0.0, 0.0, 0.0, 0.0]] * 2,
    )
    fast = waterfall.run(deal, coll)
    fast_m = waterfall.run_measures(deal, coll, cash="all")
    with pytest.MonkeyPatch.context() as mp:
        _with_ip(mp, pm.I_SKIP_SETTLED, 0)
        slow = waterfall.run(deal, coll)
        slow_m = waterfall.run_measures(deal, coll, cash="all")
    for s in range(2):
        assert_rows_equal(fast, s, slow, s)
    for name in ("loss", "residual_paid", "first_out_of_band", "purchased", "trigger_first"):
        np.testing.assert_array_equal(getattr(fast_m, name), getattr(slow_m, name), err_msg=name)
    rv = fast.revolving
    assert rv is not None
    # the tranches are repaid by period 3 (the idle cash of period 2 is released there); the
    # assets bought in periods 1–2 still pay afterwards, all of it to the 次级 as residual
    repaid = (fast.balances["优先A"][0] + fast.balances["次级"][0] == 0.0).argmax() - 1
    assert repaid == 2
    tail = slice(repaid + 1, 5)
    assert (rv.purchased_collections[0, tail] > 0).all()
    np.testing.assert_array_equal(fast.residual["次级"][0, tail], rv.purchased_collections[0, tail])
    # the defaults of the purchased assets trip the triggers in the settled tail
    assert fast.accelerated[0].tolist()[-2:] == [True, True]
    assert fast.max_conservation_gap < 1e-9


def test_the_default_template_of_a_revolving_deal() -> None:
    from abs.templates import default_waterfall

    deal = make_deal(
        tranches=[
            {
                "name": "优先A",
                "tranche_class": "senior",
                "balance": 800.0,
                "coupon": {"rate": 0.05},
            },
            {"name": "次级", "tranche_class": "subordinated", "balance": 200.0},
        ],
        n_periods=4,
        revolving={"periods": 3, "issued_kind": "pure"},
    )
    wf = default_waterfall(deal)
    static = default_waterfall(deal.model_copy(update={"revolving": None}))
    assert [s.step for s in wf.normal] == ["pay_interest", "revolve", "pay_residual"]
    assert wf.normal[-1].wait_for_seniors is False  # type: ignore[union-attr]
    assert wf.amortisation == static.normal
    assert wf.accelerated == static.accelerated
    res = waterfall.run(deal, _collections(SUPPLY))
    assert res.revolving is not None
    np.testing.assert_allclose(res.revolving.purchases[0], [0.0, 190.0, 0.0, 0.0])
    assert res.principal["优先A"].paid[0, :2].tolist() == [0.0, 0.0]  # interest only


def assert_life_conserved(res: Any) -> None:
    """Over the whole life: cash in (collections with the purchased assets', idle interest,
    support draws, the opening reserve) = cash out (every payment, reserve left, purchases)
    + the cash carried out of the last period; and nothing is left idle or owed by purchased
    assets at the end."""
    rv = res.revolving
    cash_in = (
        res.collections.total.sum(axis=1)
        + rv.idle_interest.sum(axis=1)
        + res.support_draws.sum(axis=1)
        + res.reserve_balance[:, 0]
    )
    out = res.support_reimbursed.sum(axis=1) + rv.purchases.sum(axis=1)
    for line in res.lines():
        out = out + line.paid.sum(axis=1)
    for arr in res.residual.values():
        out = out + arr.sum(axis=1)
    out = out + res.carried_out[:, -1] + res.reserve_balance[:, -1]
    np.testing.assert_allclose(cash_in, out, atol=1e-6)
    np.testing.assert_allclose(rv.idle[:, -1], 0.0, atol=1e-9)
    np.testing.assert_allclose(rv.purchases[:, -1], 0.0, atol=1e-9)
    bought_left = rv.pool_balance[:, -1] - res.collections.pool_balance[:, -1]
    np.testing.assert_allclose(bought_left, 0.0, atol=1e-6)


def test_a_revolving_period_reaching_the_last_payment_date_is_rejected() -> None:
    # the review's repro: revolving on all 4 payment dates left 533.72 idle and 300 of
    # purchases that never paid back
    with pytest.raises(ValueError, match=r"'revolving.periods' = 4 reaches the last payment "):
        _deal(periods=4)
    with pytest.raises(ValueError, match=r"'revolving.end_date' = 2026-01-01 reaches the last"):
        _deal(end_date="2026-01-01")
    with pytest.raises(ValueError, match=r"'revolving.end_date' = 2025-01-01 is before the first"):
        _deal(end_date="2025-01-01")
    # a deal changed with model_copy skips validation: the run checks again
    deal = _deal()
    bad = deal.model_copy(
        update={"revolving": deal.revolving.model_copy(update={"periods": 4})}  # type: ignore[union-attr]
    )
    with pytest.raises(DealSpecError, match=r"'revolving.periods' = 4 reaches the last payment"):
        waterfall.run(bad, _collections(SUPPLY))


def test_nothing_is_stranded_at_the_end() -> None:
    # the review's repro with its revolving period one date shorter: 240 idle after period 3
    # is released into period 4 (with 240 × 2% × 0.2 = 0.96 of interest) and paid out
    deal = _deal().model_copy(update={"triggers": ()})
    coll = make_collections(
        [[130.0, 150.0, 58.0, 600.0]],
        income=[[30.0, 60.0, 8.0, 5.0]],
        defaults=[[0.0, 0.0, 0.0, 0.0]],
        pool_balance=[[900.0, 810.0, 700.0, 0.0]],
        forecast=np.zeros(4),
        initial_pool_balance=1000.0,
        days=[73.0] * 4,
        purchases=_profiles([[0.0, 0.0, 0.0, 300.0], [0.0, 0.0, 0.0, 0.0]]),
        data_balance=[[700.0, 560.0, 500.0, 0.0]],
    )
    res = waterfall.run(deal, coll)
    rv = res.revolving
    np.testing.assert_allclose(rv.idle[0], [100.0, 190.0, 240.0, 0.0])
    np.testing.assert_allclose(rv.idle_interest[0], [0.0, 0.4, 0.76, 0.96])
    assert_life_conserved(res)


def test_purchased_assets_paying_after_the_last_date_are_rejected() -> None:
    pur = _profiles([[0.0, 0.0, 10.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    tot = np.zeros((2, 4, 3))
    tot[:, :, 2] = 1.02  # pays two periods after purchase: period 3's buy pays in period 5
    pur = Purchases(
        supply=pur.supply, total=tot, income=tot * 0.0, defaults=tot * 0.0, balance=tot * 0.0
    )
    coll = dataclasses.replace(_collections(SUPPLY), purchases=pur)
    with pytest.raises(WaterfallError, match=r"revolving period 3 still pay after the last"):
        waterfall.run(_deal(), coll)


def test_early_amortisation_ends_the_revolving_period_for_good() -> None:
    """The review's r1_cure case: collections fall 83% short of the forecast in period 2
    (50 of 300), 提前摊还事件; in period 3 they are back on forecast. The revolving period stays
    over, even on a trigger marked ``cure`` (refused by the spec, forced here with
    model_copy): period 3 runs the amortisation list and buys nothing."""
    with pytest.raises(ValueError, match=r"field 'cure' must be false for event early_amort"):
        make_deal(
            tranches=[{"name": "优先A", "tranche_class": "senior", "balance": 1.0}],
            n_periods=2,
            triggers=[
                {
                    "name": "回收低于预测",
                    "condition": "collections_below_forecast",
                    "threshold": 0.1,
                    "event": "early_amortisation",
                    "cure": True,
                }
            ],
        )
    base = _deal()
    trigger = base.triggers[0].model_copy(
        update={
            "condition": TriggerCondition.COLLECTIONS_BELOW_FORECAST,
            "threshold": 0.10,
            "cure": True,
        }
    )
    deal = base.model_copy(update={"triggers": (trigger,)})
    coll = make_collections(
        [[130.0, 50.0, 130.0, 600.0]],
        income=[[30.0, 10.0, 30.0, 5.0]],
        defaults=[[0.0, 0.0, 0.0, 0.0]],
        pool_balance=[[900.0, 860.0, 760.0, 0.0]],
        forecast=np.array([130.0, 300.0, 130.0, 600.0]),
        initial_pool_balance=1000.0,
        days=[73.0] * 4,
        purchases=_profiles([[100.0, 100.0, 100.0, 0.0], [0.0, 0.0, 0.0, 0.0]]),
        data_balance=[[700.0, 560.0, 500.0, 0.0]],
    )
    res = waterfall.run(deal, coll)
    rv = res.revolving
    # t0: 100 bought; A interest 8, the turbo pays the 22 left to 优先A (778).
    # t1: event; the purchase pays 102: interest 7.78, principal 144.22 (633.78).
    # t2: the trigger cured, the revolving period stays over: interest 6.3378, principal
    #     130 − 6.3378 = 123.6622 (510.1178); nothing bought.
    # t3: interest 5.101178, 优先A 510.1178, 次级 principal 600 − 515.218978 = 84.781022.
    np.testing.assert_array_equal(res.events[EventType.EARLY_AMORTISATION][0], [0, 1, 0, 0])
    np.testing.assert_array_equal(rv.revolving[0], [True, False, False, False])
    np.testing.assert_allclose(rv.purchases[0], [100.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(
        res.principal["优先A"].paid[0], [22.0, 144.22, 123.6622, 510.1178], atol=1e-9
    )
    np.testing.assert_allclose(res.principal["次级"].paid[0], [0, 0, 0, 84.781022], atol=1e-9)
    ref = run_oracle(deal, coll, 0)
    np.testing.assert_allclose(ref.purchases, rv.purchases[0], atol=1e-9)
    np.testing.assert_allclose(ref.prin_paid["优先A"], res.principal["优先A"].paid[0], atol=1e-9)
    m = waterfall.run_measures(deal, coll)
    assert m.purchased is not None and m.purchased.tolist() == [100.0]


def test_bad_revolving_specs_name_the_field() -> None:
    # revolving terms but no revolve step in the normal list: nothing would ever be bought
    with pytest.raises(ValueError, match=r"field 'waterfall.normal' has no revolve step"):
        make_deal(
            tranches=[{"name": "优先A", "tranche_class": "senior", "balance": 1.0}],
            n_periods=4,
            waterfall={"normal": NORMAL[:1], "accelerated": NORMAL[:1]},
            revolving={"periods": 2},
        )
    # periods beyond the payment dates (was silently capped)
    with pytest.raises(ValueError, match=r"'revolving.periods' = 600 reaches the last payment"):
        _deal(periods=600)
    # a revolving-only condition on a static deal
    trig = {"name": "循环购买率低", "condition": "revolving_rate_below", "threshold": 0.5}
    with pytest.raises(ValueError, match=r"condition revolving_rate_below needs revolving terms"):
        make_deal(
            tranches=[{"name": "优先A", "tranche_class": "senior", "balance": 1.0}],
            n_periods=4,
            triggers=[{**trig, "event": "acceleration"}],
        )
    # Trigger.periods on a condition that ignores it
    with pytest.raises(ValueError, match=r"field 'periods' applies to condition revolving_rate_be"):
        make_deal(
            tranches=[{"name": "优先A", "tranche_class": "senior", "balance": 1.0}],
            n_periods=4,
            triggers=[
                {
                    "name": "累计违约率",
                    "condition": "cumulative_default_rate_above",
                    "threshold": 0.05,
                    "event": "acceleration",
                    "periods": 2,
                }
            ],
        )


def test_a_bad_spec_from_a_file_is_a_deal_spec_error(tmp_path: Any) -> None:
    import json

    import abs as dabs

    spec = dabs.load_deal("scf-revolving-labelled").model_dump(mode="json")
    spec["revolving"]["periods"] = 31
    path = tmp_path / "deal.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(
        DealSpecError, match=r"field '\(root\)'.*'revolving.periods' = 31 reaches the last payment"
    ):
        dabs.load_deal(path)


def test_the_oracle_says_when_cash_would_be_stranded() -> None:
    """The oracle books what bought assets bring with no horizon and checks the end itself
    (written from docs/revolving.md, not from the kernel's loop), so equivalence would catch
    a purchase paying after the last payment date."""
    tot = np.zeros((2, 4, 3))
    tot[:, :, 2] = 1.02  # period 3's purchase would pay in period 5
    pur = Purchases(
        supply=np.array([[0.0, 0.0, 10.0, 0.0], [0.0, 0.0, 0.0, 0.0]]),
        total=tot,
        income=tot * 0.0,
        defaults=tot * 0.0,
        balance=tot * 0.0,
    )
    coll = dataclasses.replace(_collections(SUPPLY), purchases=pur)
    deal = _deal().model_copy(update={"triggers": ()})
    with pytest.raises(AssertionError, match=r"oracle: cash stranded at the end"):
        run_oracle(deal, coll, 0)
