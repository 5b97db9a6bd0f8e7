"""Expected-case projection: hand-checked pools, stress hooks, tables, values, properties."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abs.asset import Asset, Pool
from abs.assumptions import Assumptions, Stress
from abs.cashflows import (
    COL_CLOSING_BALANCE,
    COL_DEFAULTS,
    COL_INTEREST,
    COL_OPENING_BALANCE,
    COL_PRINCIPAL,
    COL_RECOVERIES,
    COL_TOTAL,
    COL_WRITEDOWNS,
)
from abs.deal import Deal, DealDates, Tranche
from abs.errors import DealSpecError, ProjectionError
from abs.projection import (
    COL_APPRAISED,
    COL_ASSET_ID,
    COL_CLOSING,
    COL_CONTRACTED,
    COL_CONTRACTED_PV,
    COL_INCOME_DUE,
    COL_INCOME_VALUE,
    COL_OPENING,
    COL_PERIOD,
    COL_PRINCIPAL_DUE,
    COL_VALUE_GAP,
    VALUE_TABLE_COLUMNS,
    PoolModel,
    base_forecast,
    clear_model_cache,
    data_asset_values,
    expected_asset_table,
    model_key,
    pool_cashflow_table,
    pool_model,
    project,
    pv_by_asset,
)
from abs.projection import COL_TOTAL as ASSET_TOTAL
from abs.projection import model as model_mod

D = dt.date
# Deal grid used by most tests: cut-off 2025-12-31, quarterly, no lag, payment = collection
# dates 31 Mar, 30 Jun, 30 Sep, 31 Dec 2026 (all SSE business days), i.e. 90, 181, 273 and 365
# days after the cut-off.
TAU = np.array([90, 181, 273, 365]) / 365


def _asset(**kw: Any) -> Asset:
    base: dict[str, Any] = dict(
        asset_id="A1",
        obligor="甲公司",
        asset_type="receivable",
        data_link="none",
        amount=1_000_000.0,
        start_date=D(2025, 12, 31),
        maturity_date=D(2026, 12, 31),
        pd=0.0,
    )
    base.update(kw)
    return Asset.model_validate(base)


def _deal(*assets: Asset, assumptions: Assumptions | None = None, **dates: Any) -> Deal:
    d: dict[str, Any] = dict(
        cutoff_date=D(2025, 12, 31),
        closing_date=D(2026, 1, 5),
        first_payment_date=D(2026, 3, 31),
        frequency="quarterly",
        payment_lag_days=0,
        expected_maturity_date=D(2026, 12, 31),
        legal_maturity_date=D(2026, 12, 31),
    )
    d.update(dates)
    return Deal(
        name="测试交易",
        pool=Pool(assets=assets),
        dates=DealDates.model_validate(d),
        tranches=(Tranche(name="A", tranche_class="senior", balance=1.0),),
        assumptions=assumptions or Assumptions(),
    )


def _licence(**kw: Any) -> Asset:
    # 400,000 元/yr, quarterly from 2025-12-31 (month end): pays 31 Mar, 30 Jun, 30 Sep, 31 Dec.
    base: dict[str, Any] = dict(
        asset_id="L1",
        asset_type="data_license",
        data_link="direct",
        amount=360_000.0,
        annual_fee=400_000.0,
        payment_frequency="quarterly",
    )
    base.update(kw)
    return _asset(**base)


# --- hand-checked ------------------------------------------------------------------------------


def test_receivable_with_default_and_lagged_recovery() -> None:
    # Bullet receivable 1,000,000, rate 0, due 2026-12-15 (period 4), PD 20%/yr, recovery 50%
    # one period later. Survival S_t = 0.8^τ_t; S_4 = 0.8 exactly (τ_4 = 1 year).
    # Defaults d_t = (S_{t-1} - S_t) × 1,000,000 (the balance is whole until maturity).
    # Recoveries 0.5·d_t arrive in t+1; those of period 4 would be in period 5, past the end,
    # so they land in period 4: recoveries = [0, .5 d1, .5 d2, .5 (d3 + d4)].
    # Collections = recoveries + 800,000 principal in period 4 (0.8 × 1,000,000).
    asset = _asset(maturity_date=D(2026, 12, 15), pd=0.2, recovery_rate=0.5, recovery_lag=1)
    c = project(_deal(asset))
    s = 0.8**TAU
    prev = np.concatenate([[1.0], s[:-1]])
    d = (prev - s) * 1e6
    rec = np.array([0.0, 0.5 * d[0], 0.5 * d[1], 0.5 * (d[2] + d[3])])
    np.testing.assert_allclose(c.defaults[0], d, rtol=1e-12)
    np.testing.assert_allclose(c.recoveries[0], rec, rtol=1e-12)
    np.testing.assert_allclose(c.total[0], rec + np.array([0, 0, 0, 800_000.0]), rtol=1e-12)
    assert d.sum() == pytest.approx(200_000.0)
    assert c.total.sum() == pytest.approx(900_000.0)  # 800,000 + 50% of 200,000
    # End balances: surviving share of the balance, 0 after maturity.
    np.testing.assert_allclose(c.pool_balance[0], [s[0] * 1e6, s[1] * 1e6, s[2] * 1e6, 0.0])
    # Recoveries are principal (not income) and income is 0 (rate 0).
    np.testing.assert_allclose(c.income[0], 0.0, atol=1e-9)
    assert c.by_kind["receivable"].sum() == pytest.approx(900_000.0)
    assert c.forecast.tolist() == c.total[0].tolist()
    assert c.seed is None and c.n_scenarios == 1


def test_licence_principal_split_and_pool_balance() -> None:
    # 100,000 a quarter; 入池金额 360,000 → principal share 360,000 / 400,000 = 0.9:
    # principal 90,000 + income 10,000 each period; balance 360k → 270k → 180k → 90k → 0.
    c = project(_deal(_licence()))
    np.testing.assert_allclose(c.total[0], [100_000.0] * 4)
    np.testing.assert_allclose(c.principal[0], [90_000.0] * 4)
    np.testing.assert_allclose(c.income[0], [10_000.0] * 4)
    np.testing.assert_allclose(c.pool_balance[0], [270_000.0, 180_000.0, 90_000.0, 0.0], atol=1e-6)
    assert c.initial_pool_balance == 360_000.0
    assert c.writedowns is not None and np.all(c.writedowns == 0)


def test_licence_amount_above_contracted_cash_is_written_down_at_the_end() -> None:
    # 入池金额 500,000 > 400,000 contracted: every cash is principal; 100,000 written down at the
    # last payment so the balance reaches 0.
    c = project(_deal(_licence(amount=500_000.0)))
    np.testing.assert_allclose(c.principal[0], [100_000.0] * 4)
    assert c.writedowns is not None
    np.testing.assert_allclose(c.writedowns[0], [0, 0, 0, 100_000.0])
    assert c.pool_balance[0, -1] == pytest.approx(0.0, abs=1e-6)


def test_revenue_haircut_writes_down_uncollected_principal() -> None:
    # Haircut 20%: 80,000 collected a period, principal 0.9 × 80,000 = 72,000, 18,000 written
    # down; the balance still follows the contract (270k, 180k, 90k, 0).
    c = project(_deal(_licence()), stress=Stress(revenue_haircut=0.2))
    np.testing.assert_allclose(c.total[0], [80_000.0] * 4)
    np.testing.assert_allclose(c.principal[0], [72_000.0] * 4)
    assert c.writedowns is not None
    np.testing.assert_allclose(c.writedowns[0], [18_000.0] * 4)
    np.testing.assert_allclose(c.pool_balance[0], [270_000.0, 180_000.0, 90_000.0, 0.0], atol=1e-6)
    # The forecast is the deal's base case (100,000 a period), never the stressed case, so the
    # collections-below-forecast trigger sees the haircut in a run of this stress alone.
    np.testing.assert_allclose(c.forecast, [100_000.0] * 4)
    np.testing.assert_allclose(base_forecast(_deal(_licence())), [100_000.0] * 4)


def test_collection_delay_moves_cash_and_keeps_balance_until_collected() -> None:
    # One period late: [0, 100k, 100k, 100k + 100k (pushed past the end, lands in the last)].
    c = project(_deal(_licence()), stress=Stress(collection_delay=1))
    np.testing.assert_allclose(c.total[0], [0.0, 100_000.0, 100_000.0, 200_000.0])
    np.testing.assert_allclose(c.pool_balance[0], [360_000.0, 270_000.0, 180_000.0, 0.0], atol=1e-6)
    # The base assumptions' delay adds to the stress delay.
    c2 = project(_deal(_licence(), assumptions=Assumptions(collection_delay=1)))
    np.testing.assert_allclose(c2.total[0], c.total[0])


def test_pd_multiplier_recovery_haircut_and_volume_shock() -> None:
    asset = _asset(maturity_date=D(2026, 12, 15), pd=0.2, recovery_rate=0.5, recovery_lag=1)
    base = project(_deal(asset)).total.sum()
    # PD × 5 = 100%: everything defaults in period 1; recovery 50% × (1 − 0.2) = 40%.
    worst = project(_deal(asset), stress=Stress(pd_multiplier=5.0, recovery_haircut=0.2))
    assert worst.total.sum() == pytest.approx(400_000.0)
    assert worst.defaults[0, 0] == pytest.approx(1_000_000.0)
    assert base > worst.total.sum()
    usage = _asset(
        asset_id="U1",
        asset_type="data_product",
        data_link="direct",
        amount=100_000.0,
        volume=1_000_000.0,
        unit_price=0.01,
        payment_frequency="quarterly",
    )
    # 10,000 a month → 30,000 a quarter; volume −30% → 21,000.
    shocked = project(_deal(usage), stress=Stress(volume_shock=-0.3))
    np.testing.assert_allclose(shocked.total[0], [21_000.0] * 4)
    faster = project(_deal(usage), stress=Stress(price_decline_change=0.2))
    assert faster.total[0, -1] < 30_000.0


def test_renewal_mode_adds_expected_renewal_income() -> None:
    # Licence of 6 months (to 2026-06-30), 400,000 a yr; renews with p = 0.7 for 6 months at
    # +10%: renewal pays 110,000 on 30 Sep and 31 Dec, expected 0.7 × 110,000 = 77,000, income.
    asset = _licence(maturity_date=D(2026, 6, 30), amount=180_000.0, renewal_term_years=0.5)
    contracted = project(_deal(asset))
    np.testing.assert_allclose(contracted.total[0], [100_000.0, 100_000.0, 0.0, 0.0])
    a = Assumptions(mode="renewal", renewal_probability=0.7, renewal_fee_change=0.10)
    renew = project(_deal(asset, assumptions=a))
    np.testing.assert_allclose(renew.total[0], [100_000.0, 100_000.0, 77_000.0, 77_000.0])
    np.testing.assert_allclose(renew.principal[0], [90_000.0, 90_000.0, 0.0, 0.0])
    # Renewal change −20pp → p = 0.5.
    lower = project(_deal(asset, assumptions=a), stress=Stress(renewal_change_pp=-20))
    np.testing.assert_allclose(lower.total[0, 2:], [55_000.0, 55_000.0])


# --- tables ------------------------------------------------------------------------------------


def _mixed_pool() -> Deal:
    return _deal(
        _asset(maturity_date=D(2026, 12, 15), pd=0.2, recovery_rate=0.5, recovery_lag=1),
        _licence(pd=0.05, recovery_rate=0.1),
        _asset(asset_id="S1", asset_type="lease", rate=0.06, amount=500_000.0, pd=0.03),
    )


def test_pool_cashflow_table_identities() -> None:
    c = project(_mixed_pool(), stress=Stress(revenue_haircut=0.1, collection_delay=1))
    t = pool_cashflow_table(c)
    assert len(t) == 4
    lhs = t[COL_OPENING_BALANCE] - t[COL_PRINCIPAL] - t[COL_DEFAULTS] - t[COL_WRITEDOWNS]
    np.testing.assert_allclose(lhs, t[COL_CLOSING_BALANCE], atol=1e-6)
    np.testing.assert_allclose(
        t[COL_PRINCIPAL] + t[COL_INTEREST] + t[COL_RECOVERIES], t[COL_TOTAL], atol=1e-6
    )
    assert t[COL_OPENING_BALANCE].iloc[0] == c.initial_pool_balance
    with pytest.raises(ProjectionError, match=r"collections\.to_frame: scenario 1 out of range"):
        c.to_frame(1)


def test_expected_asset_table_per_asset_identities() -> None:
    deal = _mixed_pool()
    t = expected_asset_table(deal)
    assert len(t) == 3 * 4
    assert set(t[COL_ASSET_ID]) == {"A1", "L1", "S1"}
    flows = t[COL_OPENING] - t[COL_PRINCIPAL_DUE] - t["违约金额"] - t["减记金额"]
    np.testing.assert_allclose(flows, t[COL_CLOSING], atol=1e-6)
    np.testing.assert_allclose(
        t[COL_PRINCIPAL_DUE] + t[COL_INCOME_DUE] + t["回收金额"], t["回收款合计"], atol=1e-6
    )
    c = project(deal)
    assert c.asset_table is not None and len(c.asset_table) == 12
    total_by_period = t.groupby("期数")["回收款合计"].sum().to_numpy()
    np.testing.assert_allclose(total_by_period, c.total[0])
    assert c.schedule is not None and c.schedule.period_count == 4


def test_data_asset_values_income_approach_by_hand() -> None:
    # Licence 100,000 on days 90, 181, 273, 365 after the cut-off, no default; r = 8%, K = 0.5:
    # V = 0.5 × Σ 100,000 / 1.08^(days/365).
    lic = _licence(appraised_value=200_000.0, valuation_method="收益法")
    deal = _deal(lic, _asset(asset_id="R1"), assumptions=Assumptions(data_attribution=0.5))
    table = data_asset_values(deal)
    assert list(table.columns) == list(VALUE_TABLE_COLUMNS)
    assert list(table[COL_ASSET_ID]) == ["L1"]  # the receivable is not a data asset
    pv = sum(100_000.0 / 1.08**x for x in TAU)
    row = table.iloc[0]
    assert row[COL_CONTRACTED] == pytest.approx(400_000.0)
    assert row[COL_CONTRACTED_PV] == pytest.approx(pv)
    assert row[COL_INCOME_VALUE] == pytest.approx(0.5 * pv)
    assert row[COL_APPRAISED] == 200_000.0
    assert row[COL_VALUE_GAP] == pytest.approx(0.5 * pv - 200_000.0)
    # pv_by_asset discounts the expected collections on the deal's 计算日 (here the same dates).
    pvs = pv_by_asset(deal)
    assert list(pvs) == ["L1", "R1"]
    assert pvs["L1"] == pytest.approx(pv)
    assert pvs["R1"] == pytest.approx(1_000_000.0 / 1.08)


def test_credit_lowers_income_approach_value() -> None:
    a = _licence(pd=0.1)
    v = data_asset_values(_deal(a)).iloc[0]
    # Survival 0.9^τ on each payment: Σ 100,000 × 0.9^τ / 1.08^τ.
    expected = sum(100_000.0 * 0.9**x / 1.08**x for x in TAU)
    assert v[COL_INCOME_VALUE] == pytest.approx(expected)


def test_contract_cash_after_legal_maturity_is_not_collected() -> None:
    # Licence to 2027-06-30: two quarters fall after the last 计算日 (2026-12-31).
    a = _licence(maturity_date=D(2027, 6, 30), amount=500_000.0)
    c = project(_deal(a))
    assert c.total.sum() == pytest.approx(400_000.0)
    # Principal share 500,000 / 600,000: balance left at the end = 500,000 × 2/6.
    assert c.pool_balance[0, -1] == pytest.approx(500_000.0 / 3)
    row = data_asset_values(_deal(a)).iloc[0]
    assert row["法定到期后现金流"] == pytest.approx(200_000.0)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("volume_growth", -1.0, r"must be > -1"),
        ("escalator", -1.5, r"must be > -1"),
        ("revenue_growth", -2.0, r"must be > -1"),
        ("price_decline", 1.5, r"must be <= 1"),
    ],
)
def test_invalid_growth_parameters_name_asset_and_field(
    field: str, value: float, rule: str
) -> None:
    deal = _deal(_licence(**{field: value}))
    with pytest.raises(
        ProjectionError,
        match=rf"deal 测试交易: pool asset L1: field '{field}' {rule}.*; got {value}",
    ):
        project(deal)


def test_asset_matured_before_cutoff_is_an_error() -> None:
    deal = _deal(_asset(start_date=D(2025, 1, 1), maturity_date=D(2025, 12, 31)))
    with pytest.raises(
        ProjectionError,
        match=r"pool asset A1: field 'maturity_date' must be after the deal's cutoff_date "
        r"2025-12-31 .*got 2025-12-31",
    ):
        project(deal)


def test_project_argument_errors() -> None:
    deal = _deal(_licence())
    with pytest.raises(ProjectionError, match=r"project: scenarios must be >= 1; got 0"):
        project(deal, scenarios=0)
    no_pool = deal.model_copy(update={"pool": None})
    with pytest.raises(DealSpecError, match=r"no pool"):
        project(no_pool)


# --- properties --------------------------------------------------------------------------------

_KINDS = ["receivable", "lease", "data_license", "algorithm_service", "data_product", "even"]


@st.composite
def _pools(draw: st.DrawFn, *, credit: bool) -> list[Asset]:
    n = draw(st.integers(min_value=1, max_value=6))
    assets = []
    for i in range(n):
        kind = draw(st.sampled_from(_KINDS))
        start = D(2025, 12, 31) - dt.timedelta(days=draw(st.integers(0, 300)))
        maturity = D(2026, 1, 15) + dt.timedelta(days=draw(st.integers(0, 340)))
        kw: dict[str, Any] = dict(
            asset_id=f"X{i}",
            obligor=f"债务人{i}",
            amount=draw(st.floats(1_000.0, 1e7)),
            start_date=start,
            maturity_date=maturity,
            payment_frequency=draw(st.sampled_from(["monthly", "quarterly", "semiannual", "once"])),
            pd=draw(st.floats(0.0, 0.5)) if credit else 0.0,
            recovery_rate=draw(st.floats(0.0, 1.0)),
            recovery_lag=draw(st.integers(0, 3)),
        )
        if kind in ("receivable", "lease"):
            kw.update(asset_type=kind, data_link="none", rate=draw(st.floats(0.0, 0.2)))
            kw["amortization"] = draw(st.sampled_from(["bullet", "level", "straight_line"]))
        elif kind == "data_license":
            kw.update(
                asset_type=kind,
                data_link="direct",
                annual_fee=draw(st.floats(1_000.0, 1e7)),
                escalator=draw(st.floats(0.0, 0.2)),
            )
        elif kind == "algorithm_service":
            kw.update(
                asset_type=kind,
                data_link="direct",
                subscription_fee=draw(st.floats(0.0, 1e5)),
                volume=draw(st.floats(0.0, 1e7)),
                unit_price=0.01,
                minimum_fee=draw(st.floats(0.0, 1e5)),
            )
        elif kind == "data_product":
            kw.update(
                asset_type=kind,
                data_link="direct",
                volume=draw(st.floats(0.0, 1e8)),
                unit_price=0.0028,
                volume_growth=draw(st.floats(-0.5, 0.5)),
                price_decline=draw(st.floats(0.0, 0.3)),
                churn=draw(st.floats(0.0, 0.5)),
            )
        else:
            kw.update(asset_type="ip_license", data_link="direct")
        assets.append(_asset(**kw))
    return assets


def _monthly_deal(assets: list[Asset]) -> Deal:
    # Monthly grid to 2027-01-29 so every contract (maturity ≤ 2026-12-21) is collected.
    return _deal(
        *assets,
        first_payment_date=D(2026, 1, 29),
        frequency="monthly",
        expected_maturity_date=D(2027, 1, 29),
        legal_maturity_date=D(2027, 1, 29),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assets=_pools(credit=False))
def test_no_defaults_no_stress_collects_exactly_the_contracted_cash(assets: list[Asset]) -> None:
    deal = _monthly_deal(assets)
    c = project(deal)
    expected = 0.0
    for a in assets:
        expected_a: float
        if a.asset_type.value in ("receivable", "lease"):
            # Independent check for bullet once: amount × (1 + rate × whole term in years ~).
            expected_a = float(expected_asset_table(_monthly_deal([a]))["回收款合计"].sum())
            assert expected_a >= a.amount - 1e-6
        elif a.annual_fee is None and a.volume is None and a.subscription_fee is None:
            expected_a = a.amount  # no revenue parameters: 入池金额 spread evenly
        else:
            expected_a = float(data_asset_values(_monthly_deal([a]))[COL_CONTRACTED].iloc[0])
        expected += expected_a
    assert c.total.sum() == pytest.approx(expected, rel=1e-9)
    assert c.defaults.sum() == 0 and c.recoveries.sum() == 0
    assert c.pool_balance[0, -1] == pytest.approx(0.0, abs=1e-6 * c.initial_pool_balance)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    assets=_pools(credit=True),
    haircut=st.floats(0.0, 1.0),
    shock=st.floats(-1.0, 1.0),
    delay=st.integers(0, 3),
    mult=st.floats(0.0, 5.0),
)
def test_collections_never_negative(
    assets: list[Asset], haircut: float, shock: float, delay: int, mult: float
) -> None:
    stress = Stress(
        revenue_haircut=haircut, volume_shock=shock, collection_delay=delay, pd_multiplier=mult
    )
    c = project(_monthly_deal(assets), stress=stress)
    for name in ("total", "income", "principal", "defaults", "recoveries", "pool_balance"):
        assert np.all(getattr(c, name) >= -1e-6), name
    np.testing.assert_allclose(c.income + c.principal, c.total, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(sum(c.by_kind.values()), c.total, rtol=1e-12, atol=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assets=_pools(credit=True), m1=st.floats(0.0, 4.0), extra=st.floats(0.0, 4.0))
def test_more_pd_never_raises_expected_collections(
    assets: list[Asset], m1: float, extra: float
) -> None:
    # Amounts at or below contracted cash, so a recovery never exceeds the cash it replaces.
    capped = []
    for a in assets:
        contracted = float(
            expected_asset_table(_monthly_deal([a.model_copy(update={"pd": 0.0})]))[
                "回收款合计"
            ].sum()
        )
        capped.append(a.model_copy(update={"amount": min(a.amount, contracted)}))
    deal = _monthly_deal(capped)
    low = project(deal, stress=Stress(pd_multiplier=m1)).total.sum()
    high = project(deal, stress=Stress(pd_multiplier=m1 + extra)).total.sum()
    assert high <= low * (1 + 1e-12) + 1e-6


# --- the shipped example ------------------------------------------------------------------------


def test_qingdao_example_profile_and_transfer_prices() -> None:
    from abs.examples import example_dir
    from abs.io import load_deal

    if not (example_dir("qingdao-pure") / "tape.csv").exists():
        pytest.skip("example tape not generated yet")
    deal = load_deal("qingdao-pure")
    c = project(deal)
    quarters = c.total[0, 1:12] / 1e4  # 万元, the regular quarters to the expected maturity
    assert np.all((quarters > 4_000) & (quarters < 5_500))
    assert 60_000 < c.total.sum() / 1e4 < 75_000
    # The tape's 入池金额 is the 8% PV of each contract's cash after the cut-off, computed by an
    # independent generator: the projection's contracted PV agrees within 0.1%.
    v = data_asset_values(deal)
    ratio = v[COL_CONTRACTED_PV] / v["入池金额"]
    assert np.all(np.abs(ratio - 1) < 1e-3)


# --- golden: expected-case totals of the three examples ----------------------------------------

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
#: Golden money is compared to a millionth of a yuan (summation order may move the last bits).
GOLDEN_ATOL = 1e-6
#: Stresses pinned by the golden files (every projection factor moves in at least one).
GOLDEN_STRESSES = {
    "haircut_pd": Stress(revenue_haircut=0.15, pd_multiplier=1.5),
    "usage": Stress(volume_shock=-0.3, price_decline_change=0.05, renewal_change_pp=-20),
    "credit_delay": Stress(pd_multiplier=3.0, recovery_haircut=0.5, collection_delay=1),
    "all": Stress(
        revenue_haircut=0.2,
        volume_shock=0.2,
        price_decline_change=0.1,
        pd_multiplier=2.0,
        recovery_haircut=0.3,
        collection_delay=2,
    ),
}


def _projection_snapshot(example: str) -> dict[str, Any]:
    from abs.io import load_deal

    deal = load_deal(example)
    c = project(deal)

    def arr(x: Any) -> list[float]:
        return [round(float(v), 6) for v in np.asarray(x).reshape(-1)]

    return {
        "deal": deal.name,
        "initial_pool_balance": c.initial_pool_balance,
        "total": arr(c.total),
        "income": arr(c.income),
        "principal": arr(c.principal),
        "defaults": arr(c.defaults),
        "recoveries": arr(c.recoveries),
        "writedowns": arr(c.writedowns_or_zeros),
        "pool_balance": arr(c.pool_balance),
        "forecast": arr(c.forecast),
        "by_kind": {k: arr(v) for k, v in sorted(c.by_kind.items())},
        "pv_by_asset": {k: round(v, 6) for k, v in pv_by_asset(deal).items()},
        "income_approach_value": arr(data_asset_values(deal)[COL_INCOME_VALUE]),
        "stressed": {
            name: {
                f: arr(getattr(sc, f))
                for f in ("total", "principal", "defaults", "recoveries", "pool_balance")
            }
            for name, sc in (
                (name, project(deal, stress=st_)) for name, st_ in GOLDEN_STRESSES.items()
            )
        },
    }


def _flat(x: Any) -> list[float]:
    """Numbers of a nested snapshot value in key order (dict keys sorted)."""
    if isinstance(x, dict):
        return [v for k in sorted(x) for v in _flat(x[k])]
    if isinstance(x, list):
        return [v for item in x for v in _flat(item)]
    return [float(x)]


@pytest.mark.parametrize("example", ["qingdao-pure", "rugao-labelled", "tianfeng-enabled"])
def test_expected_case_matches_golden(example: str, update_golden: bool) -> None:
    path = GOLDEN / f"projection-{example}.json"
    snap = json.loads(json.dumps(_projection_snapshot(example), ensure_ascii=False))
    if update_golden:
        path.write_text(json.dumps(snap, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    assert set(snap) == set(want)
    assert snap["deal"] == want["deal"]
    for key in sorted(set(want) - {"deal"}):
        got, exp = _flat(snap[key]), _flat(want[key])
        assert len(got) == len(exp), key
        np.testing.assert_allclose(got, exp, rtol=1e-12, atol=GOLDEN_ATOL, err_msg=key)


# --- the pool model: built once, cases derived, cached by content ----------------------------


def _model_deal() -> Deal:
    usage = _asset(
        asset_id="U1",
        asset_type="data_product",
        data_link="direct",
        volume=3_000_000.0,
        unit_price=0.1,
        volume_growth=0.1,
        minimum_fee=200_000.0,
        payment_frequency="quarterly",
        pd=0.05,
    )
    licence = _asset(
        asset_id="L1",
        asset_type="data_license",
        data_link="direct",
        annual_fee=1_200_000.0,
        payment_frequency="quarterly",
        pd=0.03,
        recovery_rate=0.2,
    )
    loan = _asset(asset_id="R1", rate=0.06, amortization="level", pd=0.02)
    return _deal(usage, licence, loan)


MODEL_STRESSES = [
    Stress(),
    Stress(revenue_haircut=0.35),
    Stress(pd_multiplier=4.0, recovery_haircut=0.5, collection_delay=2),
    Stress(volume_shock=-0.4, price_decline_change=0.1),
    Stress(volume_shock=0.3, revenue_haircut=0.2, pd_multiplier=2.0),
]


@pytest.mark.parametrize("stress", MODEL_STRESSES, ids=range(len(MODEL_STRESSES)))
def test_a_case_of_one_model_equals_a_model_built_for_that_stress(stress: Stress) -> None:
    # One model serves every stress, bit for bit as a model built fresh for that one stress
    # (whatever cases were derived from it before).
    deal = _model_deal()
    shared = PoolModel(deal)
    for st_ in MODEL_STRESSES:  # other cases first: derivations must not leak into each other
        shared.expected(st_)
    got = shared.expected(stress)
    own = PoolModel(deal, deal.assumptions.stressed(stress)).expected(stress)
    for name in ("total", "income", "principal", "defaults", "recoveries", "pool_balance"):
        np.testing.assert_array_equal(getattr(got, name), getattr(own, name), err_msg=name)
    np.testing.assert_array_equal(got.writedowns_or_zeros, own.writedowns_or_zeros)
    assert project(deal, stress=stress).total.tobytes() == got.total.tobytes()


def test_pool_model_is_cached_by_content_not_by_structure() -> None:
    clear_model_cache()
    deal = _model_deal()
    m = pool_model(deal)
    assert pool_model(deal) is m
    # the same pool parsed again (a new object with the same content) and a tranche edit
    again = Deal.model_validate_json(deal.model_dump_json())
    edited = again.model_copy(
        update={"tranches": (Tranche(name="A", tranche_class="senior", balance=5.0),)}
    )
    assert again.pool is not deal.pool and pool_model(again) is m and pool_model(edited) is m
    # the assumptions' own stress is not part of the model; other assumptions are
    stressed = deal.model_copy(
        update={"assumptions": deal.assumptions.stressed(Stress(pd_multiplier=3.0))}
    )
    assert pool_model(stressed) is m
    assert model_key(stressed) == model_key(deal)
    other = pool_model(deal, Assumptions(recovery_lag=1))
    assert other is not m and model_key(deal, Assumptions(recovery_lag=1)) != model_key(deal)
    # a tape field the projection does not read leaves the model; one it reads does not
    renamed = deal.model_copy(
        update={
            "pool": Pool(
                assets=(
                    deal.pool.assets[0].model_copy(update={"region": "山东省"}),
                    *deal.pool.assets[1:],
                )
            )
        }
    )
    assert pool_model(renamed) is m and model_key(renamed) == model_key(deal)
    # another pool is another model
    moved = deal.model_copy(
        update={"pool": Pool(assets=(deal.pool.assets[0].model_copy(update={"amount": 1.0}),))}
    )
    assert pool_model(moved) is not m
    clear_model_cache()
    assert pool_model(deal) is not m


def test_shared_expected_case_is_read_only_and_its_table_is_built_on_demand() -> None:
    deal = _model_deal()
    c = project(deal)
    assert c is project(deal)  # computed once per pool, assumptions and stress
    with pytest.raises(ValueError, match="read-only"):
        c.total[0, 0] = 0.0
    table = c.asset_table
    assert table is not None and table is c.asset_table  # built once, then kept
    assert len(table) == 3 * 4
    np.testing.assert_allclose(
        table.groupby(COL_PERIOD, observed=True)[ASSET_TOTAL].sum().to_numpy(), c.total[0]
    )


def test_a_pickled_model_gives_the_same_numbers() -> None:
    # Dask ships the model to its workers by pickle; the grids are laid out again on demand.
    deal = _model_deal()
    m = PoolModel(deal)
    back = pickle.loads(pickle.dumps(m))
    for st_ in MODEL_STRESSES:
        assert back.expected(st_).total.tobytes() == m.expected(st_).total.tobytes()
    a = back.simulate(n_paths=600, seed=4, stress=MODEL_STRESSES[3])
    b = m.simulate(n_paths=600, seed=4, stress=MODEL_STRESSES[3])
    assert a.total.tobytes() == b.total.tobytes()
    pd_a, pd_b = back.data_asset_values(), m.data_asset_values()
    np.testing.assert_array_equal(pd_a[COL_INCOME_VALUE], pd_b[COL_INCOME_VALUE])


def test_a_model_keeps_few_large_layouts() -> None:
    # Usage stresses have arrays of their own and path layouts are large: a model keeps only
    # the most recently used few, so a long search or many stressed runs stay bounded.
    m = PoolModel(_model_deal())
    for i in range(10):
        m.expected(Stress(volume_shock=-0.05 * (i + 1)))
        m.expected(Stress(pd_multiplier=1.0 + i))
    own = [c for c in m._cases.values() if c.arrays is not m.neutral]
    assert len(own) == model_mod.USAGE_CASES_KEPT and len(m._cases) == 10 + 4
    for i in range(3):
        m.simulate(n_paths=5, seed=1, stress=Stress(pd_multiplier=2.0 + i))
        m.asset_table(Stress(pd_multiplier=2.0 + i))
    assert len(m.plans) == model_mod.PLANS_KEPT and len(m.tables) == model_mod.TABLES_KEPT
    # evicted cases come back with the same numbers
    again = PoolModel(_model_deal()).expected(Stress(volume_shock=-0.05))
    assert m.expected(Stress(volume_shock=-0.05)).total.tobytes() == again.total.tobytes()


def test_pool_payment_rate_change_stretches_principal_by_hand() -> None:
    # The licence collects 90,000 principal + 10,000 income a quarter (360k over 4 periods).
    # Payment rate −20%: cumulative principal at period k is what was collected by age 0.8 k:
    # 72k, 144k, 216k, and the rest (144k) on the last payment date; income is untouched.
    deal = _deal(_licence())
    c = project(deal, stress=Stress(payment_rate_change=-0.2))
    np.testing.assert_allclose(c.principal[0], [72_000.0, 72_000.0, 72_000.0, 144_000.0])
    np.testing.assert_allclose(c.income[0], [10_000.0] * 4)
    np.testing.assert_allclose(c.total[0], [82_000.0, 82_000.0, 82_000.0, 154_000.0])
    np.testing.assert_allclose(c.pool_balance[0], [288_000.0, 216_000.0, 144_000.0, 0.0], atol=1e-6)
    # +30%: 117k a period until the 360k are in (117, 117, 117, 9)
    f = project(deal, stress=Stress(payment_rate_change=0.3))
    np.testing.assert_allclose(f.principal[0], [117_000.0, 117_000.0, 117_000.0, 9_000.0])
    # the asset table is the same case, asset by asset
    t = pool_model(deal).case(Stress(payment_rate_change=-0.2)).asset_flows()
    np.testing.assert_allclose(t.principal[0], c.principal[0])
    np.testing.assert_allclose(t.closing[0], c.pool_balance[0], atol=1e-6)
    # stochastic paths (no credit here) are the expected case
    p = project(deal, stress=Stress(payment_rate_change=-0.2), scenarios=3, seed=1)
    np.testing.assert_allclose(p.principal, np.tile(c.principal, (3, 1)))
    np.testing.assert_allclose(p.pool_balance, np.tile(c.pool_balance, (3, 1)), atol=1e-6)


def test_pool_yield_haircut_cuts_income_not_principal_by_hand() -> None:
    # Yield −30%: income 10,000 → 7,000 a quarter; principal and balance as contracted.
    deal = _deal(_licence())
    c = project(deal, stress=Stress(revolving_yield_haircut=0.3))
    np.testing.assert_allclose(c.income[0], [7_000.0] * 4)
    np.testing.assert_allclose(c.principal[0], [90_000.0] * 4)
    np.testing.assert_allclose(c.total[0], [97_000.0] * 4)
    np.testing.assert_allclose(sum(c.by_kind.values())[0], c.total[0])
    np.testing.assert_allclose(c.pool_balance[0], [270_000.0, 180_000.0, 90_000.0, 0.0], atol=1e-6)
    p = project(deal, stress=Stress(revolving_yield_haircut=0.3), scenarios=2, seed=1)
    np.testing.assert_allclose(p.total, np.tile(c.total, (2, 1)))
    np.testing.assert_allclose(sum(p.by_kind.values()), p.total)
