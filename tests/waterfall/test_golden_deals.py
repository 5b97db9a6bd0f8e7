"""Hand-built deals whose every number is worked out by hand in the comments.

All deals use quarterly periods with ``days = 91.25`` so that the year fraction is exactly
0.25 and percentage fees use days/365 = 0.25 as well.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import waterfall
from abs.enums import EventType
from tests.waterfall.builders import make_collections, make_deal
from waterfall.result import SOURCE_COMMITMENT, SOURCE_GUARANTEE, SOURCE_RESERVE

QUARTER = 91.25


def _fees() -> list[dict[str, object]]:
    return [
        {"name": "增值税及附加", "fee_type": "tax", "rate": 0.03, "surcharge": 0.12,
         "base": "period_income"},
        {"name": "托管费", "fee_type": "percentage", "rate": 0.001, "base": "total_balance"},
        {"name": "审计费", "fee_type": "fixed", "amount": 5.0},
    ]  # fmt: skip


def _two_tranche(**kw: object) -> object:
    return make_deal(
        tranches=[
            {"name": "优先A", "tranche_class": "senior", "balance": 800.0,
             "coupon": {"rate": 0.04}, "principal_type": "pass_through"},
            {"name": "次级", "tranche_class": "subordinated", "balance": 200.0},
        ],
        n_periods=2,
        fees=_fees(),
        **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_two_tranche_sequential_deal_with_fees() -> None:
    deal = _two_tranche()
    coll = make_collections([[500.0, 600.0]], income=[[103.0, 0.0]], days=[QUARTER, QUARTER])
    r = waterfall.run(deal, coll)
    # Period 1: tax = 0.03 × 103 × 1.12 / 1.03 = 3.36; 托管费 = 1000 × 0.001 × 0.25 = 0.25;
    # 审计费 = 5; A interest = 800 × 0.04 × 0.25 = 8; A principal (pass-through) =
    # 500 − 3.36 − 0.25 − 5 − 8 = 483.39 → A balance 316.61. 次级 waits for A; the residual
    # is kept (转入下一期) while A is outstanding, but nothing is left.
    # Period 2 (last): 托管费 = (316.61 + 200) × 0.001 × 0.25 = 0.1291525; 审计费 5;
    # A interest = 316.61 × 0.01 = 3.1661; A principal 316.61; 次级 principal 200 (all due);
    # residual = 600 − 0.1291525 − 5 − 3.1661 − 316.61 − 200 = 75.0947475.
    np.testing.assert_allclose(r.fees["增值税及附加"].paid[0], [3.36, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.fees["托管费"].paid[0], [0.25, 0.1291525], atol=1e-9)
    np.testing.assert_allclose(r.fees["审计费"].paid[0], [5.0, 5.0], atol=1e-9)
    np.testing.assert_allclose(r.interest["优先A"].paid[0], [8.0, 3.1661], atol=1e-9)
    np.testing.assert_allclose(r.principal["优先A"].paid[0], [483.39, 316.61], atol=1e-9)
    np.testing.assert_allclose(r.principal["次级"].paid[0], [0.0, 200.0], atol=1e-9)
    np.testing.assert_allclose(r.residual["次级"][0], [0.0, 75.0947475], atol=1e-9)
    np.testing.assert_allclose(r.balances["优先A"][0], [800.0, 316.61, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.carried_out[0], [0.0, 0.0], atol=1e-9)
    assert r.conserved
    for line in r.lines():
        np.testing.assert_allclose(line.shortfall[0], 0.0, atol=1e-9)


def test_reserve_draw_covers_senior_interest() -> None:
    deal = _two_tranche(
        reserve={"initial_balance": 10.0, "target_amount": 10.0, "target_rule": "fixed"}
    )
    coll = make_collections([[10.0, 1100.0]], income=[[10.0, 0.0]], days=[QUARTER, QUARTER])
    r = waterfall.run(deal, coll)
    # Period 1: tax = 0.03 × 10 × 1.12 / 1.03 = 0.326213592…; 托管费 0.25; 审计费 5 →
    # 4.423786408 left for A interest of 8: short 3.576213592, drawn from the reserve
    # (covers taxes, fees, senior interest by default) → reserve 6.423786408; no cash left to
    # top it up. Period 2 (last): the reserve is released into available funds:
    # 1100 + 6.423786408 − 0.25 − 5 − 8 − 800 − 200 = 93.173786408 residual to 次级.
    tax = 0.03 * 10 * 1.12 / 1.03
    short = 8.0 - (10.0 - tax - 0.25 - 5.0)
    np.testing.assert_allclose(r.draws[SOURCE_RESERVE][0], [short, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.interest["优先A"].paid[0], [8.0, 8.0], atol=1e-9)
    np.testing.assert_allclose(r.interest["优先A"].support[0], [short, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.reserve_balance[0], [10.0, 10.0 - short, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.reserve_release[0], [0.0, 10.0 - short], atol=1e-9)
    np.testing.assert_allclose(r.reserve_deposits[0], [0.0, 0.0], atol=1e-9)
    residual = 1100.0 + (10.0 - short) - 0.25 - 5.0 - 8.0 - 800.0 - 200.0
    np.testing.assert_allclose(r.residual["次级"][0], [0.0, residual], atol=1e-9)
    assert r.conserved


def test_trigger_flips_to_the_accelerated_order() -> None:
    deal = make_deal(
        tranches=[
            {"name": "优先A", "tranche_class": "senior", "balance": 800.0,
             "coupon": {"rate": 0.04}, "principal_type": "scheduled", "target_balances": [700.0]},
            {"name": "次级", "tranche_class": "subordinated", "balance": 200.0,
             "period_yield": 0.10},
        ],
        n_periods=3,
        triggers=[{"name": "回收款低于预测20%", "condition": "collections_below_forecast",
                   "threshold": 0.2, "event": "acceleration"}],
    )  # fmt: skip
    coll = make_collections(
        [[300.0, 200.0, 600.0]], forecast=[300.0, 300.0, 300.0], days=[QUARTER] * 3
    )
    r = waterfall.run(deal, coll)
    # Period 1 (normal): A interest 8; scheduled A principal 800 − 700 = 100; 次级期间收益 =
    # 200 × 10% × 0.25 = 5; 次级 principal waits; the residual is kept: carried 187.
    # Period 2: (300 − 200) / 300 = 33% > 20% → 加速清偿. Accelerated order: A interest
    # 700 × 0.01 = 7; A principal turbo = 200 + 187 − 7 = 380 → A balance 320; no 期间收益.
    # Period 3 (last; the event stays on): A interest 3.2, A principal 320, 次级 principal 200,
    # residual 600 − 3.2 − 320 − 200 = 76.8.
    assert r.accelerated[0].tolist() == [False, True, True]
    assert r.events[EventType.ACCELERATION][0].tolist() == [False, True, True]
    np.testing.assert_allclose(r.carried_out[0], [187.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.interest["优先A"].paid[0], [8.0, 7.0, 3.2], atol=1e-9)
    np.testing.assert_allclose(r.principal["优先A"].paid[0], [100.0, 380.0, 320.0], atol=1e-9)
    np.testing.assert_allclose(r.sub_yield["次级"].paid[0], [5.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.principal["次级"].paid[0], [0.0, 0.0, 200.0], atol=1e-9)
    np.testing.assert_allclose(r.residual["次级"][0], [0.0, 0.0, 76.8], atol=1e-9)
    assert r.events_fired(0)[0]["first_period"] == 2


def test_shortfall_commitment_draw_is_capped() -> None:
    deal = make_deal(
        tranches=[{"name": "优先A", "tranche_class": "senior", "balance": 1000.0,
                   "coupon": {"rate": 0.04}, "principal_type": "bullet"}],
        n_periods=2,
        support={"shortfall_commitment": {"provider": "原始权益人", "cap_per_period": 5.0,
                                          "cap_total": 8.0}},
    )  # fmt: skip
    coll = make_collections([[4.0, 500.0]], days=[QUARTER, QUARTER])
    r = waterfall.run(deal, coll)
    # Period 1: interest 1000 × 0.01 = 10, cash 4 → short 6; 差额支付 pays min(6, 5 per
    # period) = 5 → paid 9, 1 carried forward. Period 2 (last): interest due 1 + 10 = 11 paid;
    # principal due 1000, cash 489 → short 511; 差额支付 has 8 − 5 = 3 left in total → 3.
    # Principal paid 492; loss 508.
    np.testing.assert_allclose(r.draws[SOURCE_COMMITMENT][0], [5.0, 3.0], atol=1e-9)
    np.testing.assert_allclose(r.interest["优先A"].due[0], [10.0, 11.0], atol=1e-9)
    np.testing.assert_allclose(r.interest["优先A"].paid[0], [9.0, 11.0], atol=1e-9)
    np.testing.assert_allclose(r.interest["优先A"].support[0], [5.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.principal["优先A"].due[0], [0.0, 1000.0], atol=1e-9)
    np.testing.assert_allclose(r.principal["优先A"].paid[0], [0.0, 492.0], atol=1e-9)
    np.testing.assert_allclose(r.principal["优先A"].support[0], [0.0, 3.0], atol=1e-9)
    np.testing.assert_allclose(r.loss("优先A"), [508.0], atol=1e-9)
    # Switched off for an originator default: no draws at all.
    off = waterfall.run(deal, coll, originator_default=True)
    np.testing.assert_allclose(off.draws[SOURCE_COMMITMENT][0], [0.0, 0.0])


def test_pro_rata_interest_group_short_of_cash() -> None:
    deal = make_deal(
        tranches=[
            {"name": "优先A1", "tranche_class": "senior", "balance": 600.0,
             "coupon": {"rate": 0.04}},
            {"name": "优先A2", "tranche_class": "senior", "balance": 400.0,
             "coupon": {"rate": 0.06}},
        ],
        n_periods=2,
        triggers=[{"name": "优先级利息未足额兑付", "condition": "senior_interest_unpaid",
                   "event": "default_event"}],
    )  # fmt: skip
    coll = make_collections([[9.0, 1100.0]], days=[QUARTER, QUARTER])
    r = waterfall.run(deal, coll)
    # Period 1: A1 interest 600 × 0.01 = 6, A2 400 × 0.015 = 6; 9 paid pro rata by amount
    # due → 4.5 each, 1.5 each carried forward. Period 2: 违约事件 (interest unpaid in period
    # 1) → accelerated order; interest due 7.5 each paid; principal 600 and 400 (last
    # period); 1100 − 15 − 1000 = 85 left with no residual step → carried out.
    np.testing.assert_allclose(r.interest["优先A1"].paid[0], [4.5, 7.5], atol=1e-9)
    np.testing.assert_allclose(r.interest["优先A2"].paid[0], [4.5, 7.5], atol=1e-9)
    np.testing.assert_allclose(r.interest["优先A1"].shortfall[0], [1.5, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.interest["优先A2"].due[0], [6.0, 7.5], atol=1e-9)
    assert r.events[EventType.DEFAULT_EVENT][0].tolist() == [False, True]
    np.testing.assert_allclose(r.carried_out[0], [0.0, 85.0], atol=1e-9)
    assert r.conserved


def test_fee_cap_applies_before_acceleration_only() -> None:
    deal = make_deal(
        tranches=[{"name": "优先A", "tranche_class": "senior", "balance": 1000.0}],
        n_periods=3,
        fees=[{"name": "评级费", "fee_type": "fixed", "amount": 10.0, "cap": 4.0}],
        triggers=[{"name": "日期", "condition": "date_reached", "date": "2025-10-01",
                   "event": "acceleration"}],
    )  # fmt: skip
    coll = make_collections([[100.0, 100.0, 2000.0]], days=[QUARTER] * 3)
    r = waterfall.run(deal, coll)
    # Period 1: due 10, cap 4 → paid 4, 6 carried. Period 2: due 6 + 10 = 16 → paid 4, 12
    # carried. Period 3 (2025-10-01, accelerated: no cap): due 22, paid 22.
    np.testing.assert_allclose(r.fees["评级费"].due[0], [10.0, 16.0, 22.0])
    np.testing.assert_allclose(r.fees["评级费"].paid[0], [4.0, 4.0, 22.0])


def test_wrong_shape_of_engine_factor_is_a_clear_error() -> None:
    deal = _two_tranche()
    coll = make_collections([[500.0, 600.0], [1.0, 2.0]], days=[QUARTER, QUARTER])
    with pytest.raises(
        waterfall.WaterfallError,
        match=r"rate_shift_bp must be a scalar or an array of shape \(2,\).*got shape \(3,\)",
    ):
        waterfall.run(deal, coll, rate_shift_bp=np.zeros(3))


def test_fund_reserve_step_without_reserve_is_a_clear_error() -> None:
    deal = _two_tranche(
        waterfall={"normal": [{"step": "fund_reserve"}], "accelerated": [{"step": "fund_reserve"}]}
    )
    coll = make_collections([[500.0, 600.0]], days=[QUARTER, QUARTER])
    with pytest.raises(
        waterfall.WaterfallError, match="fund_reserve step but the deal has no reserve"
    ):
        waterfall.run(deal, coll)


_LEAKY = """
import numpy as np
from waterfall.steps import pay_residual
from waterfall.layout import AVAIL

def leaky(d, i, L, A, t):
    A[AVAIL] = 0.0  # cash vanishes instead of going to the residual line

pay_residual.kernel = leaky
import waterfall
from tests.waterfall.test_golden_deals import QUARTER, _two_tranche
from tests.waterfall.builders import make_collections
try:
    waterfall.run(_two_tranche(), make_collections([[500.0, 600.0]], days=[QUARTER, QUARTER]))
except waterfall.ConservationError as e:
    print(e)
"""


def test_broken_step_is_caught_by_the_conservation_check() -> None:
    # The kernel run as plain Python (NUMBA_DISABLE_JIT) with the residual step made to lose
    # its cash. Without income there is no tax: period 1 pays A 500 − 0.25 − 5 − 8 = 486.75 →
    # 313.25 left; period 2: 托管费 513.25 × 0.00025 = 0.1283125, A interest 3.1325, so the
    # residual that vanishes is 600 − 0.1283125 − 5 − 3.1325 − 313.25 − 200 = 78.4891875.
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _LEAKY], env=env, cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert re.search(
        r"cash not conserved in scenario 0, period 2 \(兑付日 2025-07-01\).*78\.489188",
        done.stdout,
    ), done.stdout


def test_collections_without_periods_is_a_clear_error() -> None:
    from abs.cashflows import Collections

    deal = _two_tranche()
    empty = Collections.from_arrays(
        payment_dates=(), year_fractions=np.zeros(0), total=np.zeros((1, 0))
    )
    with pytest.raises(waterfall.WaterfallError, match="测试交易: collections have no periods"):
        waterfall.run(deal, empty)


def _reimbursement_deal(*, wait: bool, cap_total: float | None = 4.0) -> object:
    steps = [
        {"step": "pay_interest", "tranches": ["优先A"]},
        {"step": "pay_principal", "tranches": ["优先A"]},
        {
            "step": "reimburse_support",
            "providers": ["guarantee", "shortfall_commitment"],
            "wait_for_seniors": wait,
        },
        {"step": "pay_principal", "tranches": ["次级"]},
    ]
    return make_deal(
        tranches=[
            {"name": "优先A", "tranche_class": "senior", "balance": 1000.0,
             "coupon": {"rate": 0.04}, "principal_type": "bullet"},
            {"name": "次级", "tranche_class": "subordinated", "balance": 200.0},
        ],
        n_periods=3,
        support={"shortfall_commitment": {"provider": "原始权益人", "cap_total": cap_total},
                 "guarantee": {"provider": "担保人"}},
        waterfall={
            "normal": [*steps, {"step": "pay_residual", "tranche": "次级",
                                "wait_for_seniors": True}],
            "accelerated": [*steps, {"step": "pay_residual", "tranche": "次级"}],
        },
    )  # fmt: skip


def test_support_draws_are_repaid_in_the_listed_order_before_the_sub() -> None:
    deal = _reimbursement_deal(wait=False)
    coll = make_collections([[4.0, 13.0, 1500.0]], days=[QUARTER] * 3)
    r = waterfall.run(deal, coll)
    # Period 1: A interest 1000 × 0.04 × 0.25 = 10, cash 4 → short 6: 差额支付 draws
    # min(6, cap 4) = 4, the guarantee the other 2. Owed: 差额支付 4, guarantee 2.
    # Period 2: interest 10 from 13 → 3 left; the bullet is not due; repay the guarantee first
    # (listed first) 2 → 1 left → 差额支付 1 (3 still owed); 次级 waits; nothing carried.
    # Period 3 (last): interest 10, principal 1000 → 490 left; 差额支付 3 → 487; 次级
    # principal 200; residual 287.
    np.testing.assert_allclose(r.draws[SOURCE_COMMITMENT][0], [4.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.draws[SOURCE_GUARANTEE][0], [2.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.reimbursements[SOURCE_GUARANTEE][0], [0.0, 2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.reimbursements[SOURCE_COMMITMENT][0], [0.0, 1.0, 3.0], atol=1e-9)
    np.testing.assert_allclose(r.support_owed(SOURCE_COMMITMENT)[0], [4.0, 3.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.support_owed(SOURCE_GUARANTEE)[0], [2.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.carried_out[0], [0.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.principal["次级"].paid[0], [0.0, 0.0, 200.0], atol=1e-9)
    np.testing.assert_allclose(r.residual["次级"][0], [0.0, 0.0, 287.0], atol=1e-9)
    assert r.conserved
    assert np.abs(r.conservation_gap()).max() < 1e-9


def test_reimbursement_waiting_for_seniors_is_repaid_after_the_seniors() -> None:
    deal = _reimbursement_deal(wait=True)
    coll = make_collections([[4.0, 13.0, 1500.0]], days=[QUARTER] * 3)
    r = waterfall.run(deal, coll)
    # Period 2: A is outstanding, so the 3 left is kept (转入下一期). Period 3: 1500 + 3 −
    # interest 10 − principal 1000 = 493; guarantee 2, 差额支付 4 → 487; 次级 200; residual 287.
    np.testing.assert_allclose(r.carried_out[0], [0.0, 3.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.reimbursements[SOURCE_GUARANTEE][0], [0.0, 0.0, 2.0], atol=1e-9)
    np.testing.assert_allclose(r.reimbursements[SOURCE_COMMITMENT][0], [0.0, 0.0, 4.0], atol=1e-9)
    np.testing.assert_allclose(r.residual["次级"][0], [0.0, 0.0, 287.0], atol=1e-9)


def test_default_template_repays_draws_only_for_reimbursed_providers() -> None:
    def deal(reimbursed: bool) -> object:
        return make_deal(
            tranches=[
                {"name": "优先A", "tranche_class": "senior", "balance": 1000.0,
                 "coupon": {"rate": 0.04}, "principal_type": "bullet"},
                {"name": "次级", "tranche_class": "subordinated", "balance": 200.0},
            ],
            n_periods=3,
            support={"shortfall_commitment": {"provider": "原始权益人",
                                              "reimbursed": reimbursed}},
        )  # fmt: skip

    coll = make_collections([[4.0, 100.0, 1500.0]], days=[QUARTER] * 3)
    on = waterfall.run(deal(True), coll)
    off = waterfall.run(deal(False), coll)
    # Period 1: interest 10, cash 4, 差额支付 6. Period 2: interest 10 → 90 left, kept for the
    # next period (the template's reimbursement and 次级 wait for A). Period 3: 1590 − 10 −
    # 1000 = 580; repaid 6 → 574 (or not); 次级 200 → residual 374 (repaid) or 380.
    np.testing.assert_allclose(on.carried_out[0], [0.0, 90.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(on.reimbursements[SOURCE_COMMITMENT][0], [0.0, 0.0, 6.0])
    np.testing.assert_allclose(off.reimbursements[SOURCE_COMMITMENT][0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(on.residual["次级"][0], [0.0, 0.0, 374.0], atol=1e-9)
    np.testing.assert_allclose(off.residual["次级"][0], [0.0, 0.0, 380.0], atol=1e-9)


def test_reimburse_step_for_an_absent_provider_is_a_clear_error() -> None:
    with pytest.raises(
        ValueError,
        match=r"waterfall.normal\[0\] reimburse_support names provider\(s\) \['guarantee'\] "
        r"the deal does not have \(field 'support'\)",
    ):
        _two_tranche(
            waterfall={"normal": [{"step": "reimburse_support", "providers": ["guarantee"]}],
                       "accelerated": [{"step": "pay_residual", "tranche": "次级"}]},
        )  # fmt: skip


def test_reimburse_step_naming_a_provider_twice_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="providers must be distinct; got guarantee, guarantee"):
        _two_tranche(
            support={"guarantee": {"provider": "担保人"}},
            waterfall={"normal": [{"step": "reimburse_support",
                                   "providers": ["guarantee", "guarantee"]}],
                       "accelerated": [{"step": "pay_residual", "tranche": "次级"}]},
        )  # fmt: skip


def test_negative_collections_are_a_clear_error() -> None:
    deal = _two_tranche()
    coll = make_collections([[500.0, -20.0]], days=[QUARTER, QUARTER])
    with pytest.raises(
        waterfall.WaterfallError,
        match=r"测试交易: collections are negative in scenario 0, period 2 "
        r"\(兑付日 2025-07-01\): -20\.00 yuan \(1 cell\(s\) below zero\)",
    ):
        waterfall.run(deal, coll)


def test_a_rounding_residue_below_zero_counts_as_no_cash() -> None:
    deal = _two_tranche()
    residue = waterfall.run(deal, make_collections([[500.0, -1e-9]], days=[QUARTER] * 2))
    zero = waterfall.run(deal, make_collections([[500.0, 0.0]], days=[QUARTER] * 2))
    np.testing.assert_array_equal(residue.principal["优先A"].paid, zero.principal["优先A"].paid)
    assert residue.draws[SOURCE_COMMITMENT].sum() == 0.0
