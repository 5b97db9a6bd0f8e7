"""The replenishment model: candidate tape screening, the seeded generator, per-yuan profiles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import abs
import waterfall
from abs import replenishment
from abs.asset import Asset, Pool
from abs.assumptions import Stress
from abs.deal import Deal, Eligibility, Generator
from abs.io import read_replenishment

EXAMPLE = "scf-revolving-labelled"


def _asset(i: int, **kw: Any) -> Asset:
    spec: dict[str, Any] = {
        "asset_id": f"C{i:03d}",
        "obligor": f"债务人{i}",
        "asset_type": "receivable",
        "data_link": "none",
        "amount": 1_000_000.0,
        "start_date": dt.date(2025, 7, 1),
        "maturity_date": dt.date(2025, 11, 30),
        "rate": 0.06,
        "amortization": "bullet",
        "region": "江苏省苏州市",
        "industry": "制造业",
    }
    spec.update(kw)
    return Asset.model_validate(spec)


def _with_candidates(assets: list[Asset], **eligibility: Any) -> Deal:
    deal = abs.load_deal(EXAMPLE)
    assert deal.revolving is not None
    rv = deal.revolving.model_copy(
        update={
            "replenishment": deal.revolving.replenishment.model_validate(  # type: ignore[union-attr]
                {"pool": Pool(assets=tuple(assets), cutoff_date=deal.dates.cutoff_date)}
            ),
            "eligibility": deal.revolving.eligibility.model_validate(eligibility),
        }
    )
    return deal.model_copy(update={"revolving": rv})


def test_candidates_are_screened_with_a_reason_each() -> None:
    assets = [
        _asset(1),  # eligible, offered in period 1 (2025-08-26)
        _asset(2, asset_type="data_license", data_link="direct", annual_fee=1e6, amortization=None),
        _asset(3, maturity_date=dt.date(2026, 6, 30)),  # term 12 months > 6
        _asset(4, maturity_date=dt.date(2025, 9, 10)),  # 0.5 month left at 2025-08-26
        _asset(5, region="浙江省杭州市"),
        _asset(6, start_date=dt.date(2027, 1, 5), maturity_date=dt.date(2027, 4, 5)),  # late
        _asset(7, start_date=dt.date(2025, 8, 27), data_link="pledged"),  # period 2
    ]
    deal = _with_candidates(
        assets,
        max_term_months=6,
        min_remaining_months=1,
        allowed_kinds=["receivable"],
        regions=["江苏省苏州市"],
    )
    coll = abs.project(deal)
    cands = replenishment.build(deal, coll.payment_dates)
    assert cands is not None
    table = cands.table.set_index(replenishment.COL_ASSET_ID)
    assert table[replenishment.COL_ELIGIBLE].tolist() == [
        True,
        False,
        False,
        False,
        False,
        False,
        True,
    ]
    reasons = table[replenishment.COL_REASON]
    assert reasons["C002"].startswith("资产类型 数据授权")
    assert reasons["C003"].startswith("合同期限 12.0 月 > 6")
    assert reasons["C004"].startswith("剩余期限 0.5 月 < 1")
    assert reasons["C005"] == "地区 浙江省杭州市 not allowed"
    assert reasons["C006"].startswith("循环期外")
    assert table[replenishment.COL_OFFER_PERIOD].tolist()[:1] == [1]
    assert table.loc["C007", replenishment.COL_OFFER_PERIOD] == 2
    sup = cands.purchases.supply[0]
    # C001 (not data-linked) in period 1, C007 (data-linked) in period 2, at its balance then
    # (survival to the purchase date; price 1.0)
    assert sup[0, 0] == pytest.approx(table.loc["C001", replenishment.COL_BALANCE])
    assert sup[1, 1] == pytest.approx(table.loc["C007", replenishment.COL_BALANCE])
    assert sup.sum() == pytest.approx(sup[0, 0] + sup[1, 1])
    # a yuan bought is face 1 at purchase and is collected by maturity (bullet, November)
    assert cands.purchases.balance[0, 0, 0, 0] == pytest.approx(1.0)
    p = cands.purchases
    assert p.balance[0, 0, 0, 4] == pytest.approx(0.0, abs=1e-9)  # repaid or defaulted by Dec
    assert p.balance[0, 0, 0, 3] > 0.9  # outstanding until the November maturity
    # principal (with recoveries) plus defaults less recoveries = the yuan of face bought
    assert 0.99 < p.total[0, 0, 0].sum() - p.income[0, 0, 0].sum() < 1.01


def test_a_candidate_maturing_after_the_last_payment_date_is_not_eligible() -> None:
    # the example's legal maturity is 2028-02-26 (a Saturday: its last payment date is
    # 2028-02-28); what an asset owes after the earlier of the two would never be collected
    assets = [
        _asset(1, maturity_date=dt.date(2028, 1, 5)),
        _asset(2, maturity_date=dt.date(2028, 6, 30)),
    ]
    deal = _with_candidates(assets)
    cands = replenishment.build(deal, abs.project(deal).payment_dates)
    assert cands is not None
    why = cands.table[replenishment.COL_REASON].tolist()
    assert why[0] == ""
    assert why[1] == "到期日 2028-06-30 晚于最后兑付日/法定到期日 2028-02-26"


def test_the_single_obligor_limit_is_on_balances_at_the_purchase_date() -> None:
    """Initial pool: 债务人A 100 → 50 → 0, 债务人B 100 throughout; limit 40%.
    Period 2: A would hold 50 + 60 = 110 of 150 + 60 = 210 (52.38%): refused. Period 3: A's
    initial balance has run off: 60 of 100 + 60 = 160 (37.5%): accepted (the old rule, amounts
    over the initial pool, gave 160 / 200 = 80%); a further 20 of A: 80 of 180 (44.44%):
    refused; 20 of a new obligor: 20 / 180: accepted."""
    dates = (
        dt.date(2025, 8, 26),
        dt.date(2025, 9, 26),
        dt.date(2025, 10, 26),
        dt.date(2025, 11, 26),
    )
    initial = Pool(
        assets=(_asset(90, obligor="债务人A"), _asset(91, obligor="债务人B")),
        cutoff_date=dt.date(2025, 6, 30),
    )
    initial_closing = np.array([[100.0, 50.0, 0.0, 0.0], [100.0, 100.0, 100.0, 0.0]])
    cands = Pool(
        assets=(
            _asset(1, obligor="债务人A"),
            _asset(2, obligor="债务人A"),
            _asset(3, obligor="债务人A"),
            _asset(4, obligor="债务人C"),
        ),
        cutoff_date=dt.date(2025, 6, 30),
    )
    closing = np.array(
        [
            [0.0, 60.0, 60.0, 0.0],
            [0.0, 0.0, 60.0, 0.0],
            [0.0, 0.0, 20.0, 0.0],
            [0.0, 0.0, 20.0, 0.0],
        ]
    )
    offer = [1, 2, 2, 2]
    at_offer = np.array([closing[i, t] for i, t in enumerate(offer)])
    why = replenishment._screen(
        cands,
        offer,
        at_offer,
        Eligibility(max_obligor_share=0.4),
        initial,
        dates,
        3,
        dt.date(2026, 12, 31),
        closing,
        initial_closing,
    )
    assert why == ["单一债务人 52.38% > 40.00%", "", "单一债务人 44.44% > 40.00%", ""]


def test_the_single_obligor_limit_counts_the_initial_pool() -> None:
    deal = abs.load_deal(EXAMPLE)
    assert deal.pool is not None
    big = deal.pool.assets[0].obligor
    have = sum(a.amount for a in deal.pool.assets if a.obligor == big)
    limit = have / deal.pool.total_amount + 0.01  # 1% of the pool of room for that obligor
    extra = round(0.02 * deal.pool.total_amount, 2)
    assets = [_asset(1, obligor=big, amount=extra), _asset(2, obligor="新债务人")]
    cands = replenishment.build(
        _with_candidates(assets, max_obligor_share=limit), abs.project(deal).payment_dates
    )
    assert cands is not None
    why = cands.table[replenishment.COL_REASON].tolist()
    assert why[0].startswith("单一债务人") and why[1] == ""


def test_a_generated_licence_earns_the_annual_rate() -> None:
    # 3-month licence of 1,000,000 at 6% a year: the annuity at 0.5% a month pays
    # 1,000,000 × 0.005 / (1 − 1.005^−3) = 336,672.21 a month, an annual fee of 4,040,066.50
    # (the per-term markup it replaced, 12 / 3 × 1.06 = 4,240,000, earned about 24% a year)
    fee = replenishment.licence_annual_fee(1_000_000.0, 0.06, 3)
    assert fee == pytest.approx(4_040_066.50, abs=0.005)
    monthly = fee / 12.0
    assert sum(monthly / 1.005**k for k in (1, 2, 3)) == pytest.approx(1_000_000.0, abs=0.02)
    assert replenishment.licence_annual_fee(600.0, 0.0, 6) == 1200.0
    deal = abs.load_deal(EXAMPLE)
    gen = Generator(
        seed=1,
        amount_per_period=1e6,
        asset_amount=1e6,
        kind_mix={"data_license": 1.0},
        rate=0.06,
        term_months=3,
    )
    pool = replenishment.generate(gen, deal, abs.project(deal).payment_dates, 1)
    for a in pool.assets:
        assert a.annual_fee == replenishment.licence_annual_fee(a.amount, 0.06, 3)


def test_the_generator_is_deterministic_for_a_seed_and_holds_its_share() -> None:
    deal = abs.load_deal(EXAMPLE)
    dates = abs.project(deal).payment_dates
    gen = Generator(seed=7, amount_per_period=50e6, asset_amount=4e6, data_link_share=0.6)
    a = replenishment.generate(gen, deal, dates, 3)
    b = replenishment.generate(gen, deal, dates, 3)
    assert a == b
    other = replenishment.generate(gen.model_copy(update={"seed": 8}), deal, dates, 3)
    assert other != a
    offer = replenishment.offer_periods(a, dates)
    for t in range(3):
        mine = [x for x, o in zip(a.assets, offer, strict=True) if o == t]
        total = sum(x.amount for x in mine)
        linked = sum(x.amount for x in mine if x.data_link.value != "none")
        assert total == pytest.approx(50e6, abs=0.01)
        assert linked / total == pytest.approx(0.6, abs=max(x.amount for x in mine) / total)


def test_the_example_keeps_its_kind_in_the_base_case_and_leaves_it_under_stress() -> None:
    deal = abs.load_deal(EXAMPLE)
    base = waterfall.run(deal, abs.project(deal))
    assert base.revolving is not None
    assert base.revolving.kind_over_life().first_out.tolist() == [-1]
    assert base.revolving.purchases[0, :12].min() > 0
    stressed = abs.project(deal, stress=Stress(data_supply_haircut=0.2))
    res = waterfall.run(deal, stressed)
    assert res.revolving is not None
    assert res.revolving.kind_over_life().first_out.tolist() == [1]  # the second payment date


def test_the_revolving_stresses_reach_the_profiles() -> None:
    deal = abs.load_deal(EXAMPLE)
    dates = abs.project(deal).payment_dates
    base = replenishment.build(deal, dates)
    half = replenishment.build(deal, dates, stress=Stress(revolving_rate_haircut=0.5))
    poor = replenishment.build(deal, dates, stress=Stress(revolving_yield_haircut=0.3))
    fast = replenishment.build(deal, dates, stress=Stress(payment_rate_change=0.3))
    assert base and half and poor and fast
    np.testing.assert_allclose(half.purchases.supply, base.purchases.supply * 0.5)
    np.testing.assert_allclose(poor.purchases.income, base.purchases.income * 0.7)
    # faster payment: principal collected earlier, the same in all, the balance falls sooner
    prin = base.purchases.total - base.purchases.income
    prin_fast = fast.purchases.total - fast.purchases.income
    np.testing.assert_allclose(prin_fast.sum(axis=-1), prin.sum(axis=-1), atol=1e-12)
    assert (np.cumsum(prin_fast, axis=-1) >= np.cumsum(prin, axis=-1) - 1e-12).all()
    assert (fast.purchases.balance <= base.purchases.balance + 1e-12).all()


def test_replenishment_tape_from_the_command_line_replaces_the_generator(tmp_path: Path) -> None:
    deal = abs.load_deal(EXAMPLE)
    tape = tmp_path / "candidates.csv"
    tape.write_text(
        "asset_id,obligor,asset_type,data_link,amount,start_date,maturity_date,rate,amortization\n"
        "N1,新债务人甲,receivable,pledged,2000000,2025-07-01,2025-11-30,0.06,bullet\n",
        encoding="utf-8",
    )
    replaced = read_replenishment(deal, tmp_path, tape)
    rep = replaced.revolving.replenishment  # type: ignore[union-attr]
    assert rep is not None and rep.generator is None and rep.pool is not None
    assert [a.asset_id for a in rep.pool.assets] == ["N1"]
    static = deal.model_copy(update={"revolving": None})
    with pytest.raises(abs.DealSpecError, match=r"--replenishment .*: the deal has no revolving"):
        read_replenishment(static, tmp_path, tape)
