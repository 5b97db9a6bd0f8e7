"""Result views: tables, summary, coverage multiples and measures, checked by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import waterfall
from abs import analytics
from abs.errors import DealSpecError
from abs.qladapter import bonds
from tests.waterfall.builders import CLOSING, make_collections, make_deal
from waterfall.tables import (
    COL_CASHFLOW,
    COL_CLOSING,
    COL_INTEREST,
    COL_OPENING,
    COL_PRINCIPAL,
    COL_TAX_DUE,
    COL_TAX_PAID,
    POOL_COLUMNS,
    SECURITIES_COLUMNS,
    SUM_IRR,
    SUM_MIN_COV,
    SUM_NAME,
    SUM_WAL,
    SUM_YIELD,
    SUMMARY_COLUMNS,
)

QUARTER = 91.25


def _golden() -> waterfall.WaterfallResult:
    """The two-tranche deal of test_golden_deals (numbers worked out there)."""
    deal = make_deal(
        tranches=[
            {"name": "优先A", "tranche_class": "senior", "balance": 800.0,
             "coupon": {"rate": 0.04}, "principal_type": "pass_through"},
            {"name": "次级", "tranche_class": "subordinated", "balance": 200.0},
        ],
        n_periods=2,
        fees=[
            {"name": "增值税及附加", "fee_type": "tax", "rate": 0.03, "surcharge": 0.12,
             "base": "period_income"},
            {"name": "托管费", "fee_type": "percentage", "rate": 0.001, "base": "total_balance"},
            {"name": "审计费", "fee_type": "fixed", "amount": 5.0},
        ],
    )  # fmt: skip
    coll = make_collections([[500.0, 600.0]], income=[[103.0, 0.0]], days=[QUARTER, QUARTER])
    return waterfall.run(deal, coll)


def test_coverage_multiples_by_hand() -> None:
    r = _golden()
    # Senior obligations: period 1 = tax 3.36 + 托管费 0.25 + 审计费 5 + A interest 8 = 16.61;
    # period 2 = 0.1291525 + 5 + 3.1661 = 8.2952525. Available funds 500 and 600.
    ob1, ob2 = 16.61, 8.2952525
    np.testing.assert_allclose(r.coverage()[0], [500 / ob1, 600 / ob2])
    np.testing.assert_allclose(r.min_coverage()[0], 500 / ob1)
    np.testing.assert_allclose(r.life_coverage()[0], 1100 / (ob1 + ob2))
    # With scheduled principal: A is pass-through (nothing scheduled) until the last period,
    # when its whole balance 316.61 is due: 600 / (8.2952525 + 316.61).
    np.testing.assert_allclose(
        r.coverage(include_principal=True)[0], [500 / ob1, 600 / (ob2 + 316.61)]
    )
    np.testing.assert_allclose(r.min_coverage(include_principal=True)[0], 600 / (ob2 + 316.61))
    # Through 次级 (everything senior to and including it): + its 200 due in the last period.
    np.testing.assert_allclose(
        r.min_coverage(through="次级", include_principal=True)[0], 600 / (ob2 + 316.61 + 200)
    )


def test_securities_and_pool_tables() -> None:
    r = _golden()
    sec = r.to_frame(0, "securities")
    assert tuple(sec.columns) == SECURITIES_COLUMNS
    a = sec[sec["档位"] == "优先A"]
    np.testing.assert_allclose(a[COL_OPENING], [800.0, 316.61])
    np.testing.assert_allclose(a[COL_PRINCIPAL], [483.39, 316.61])
    np.testing.assert_allclose(a[COL_INTEREST], [8.0, 3.1661])
    np.testing.assert_allclose(a[COL_CASHFLOW], [491.39, 319.7761])
    np.testing.assert_allclose(a[COL_CLOSING], [316.61, 0.0], atol=1e-9)
    sub = sec[sec["档位"] == "次级"]
    np.testing.assert_allclose(sub[COL_CASHFLOW], [0.0, 275.0947475])
    pool = r.to_frame(0, "pool")
    assert tuple(pool.columns) == POOL_COLUMNS
    np.testing.assert_allclose(pool[COL_TAX_DUE], [3.36, 0.0])
    np.testing.assert_allclose(pool[COL_TAX_PAID], [3.36, 0.0])


def test_summary_measures_by_hand() -> None:
    r = _golden()
    s = r.summary(0)
    assert tuple(s.columns) == SUMMARY_COLUMNS
    a = s[s[SUM_NAME] == "优先A"].iloc[0]
    # WAL = (483.39 × 90/365 + 316.61 × 181/365) / 800 (dates 2025-04-01 and 2025-07-01).
    assert a[SUM_WAL] == pytest.approx((483.39 * 90 + 316.61 * 181) / 365 / 800)
    times = np.array([90, 181]) / 365
    price = analytics.price_from_yield([491.39, 319.7761], times, a[SUM_YIELD], frequency=4)
    assert float(price) == pytest.approx(800.0)
    sub = s[s[SUM_NAME] == "次级"].iloc[0]
    # 次级 IRR: −200 on 2025-01-01, +275.0947475 on 2025-07-01 (181 days).
    assert sub[SUM_IRR] == pytest.approx((275.0947475 / 200) ** (365 / 181) - 1, rel=1e-9)
    assert np.isnan(a[SUM_IRR])
    assert sub[SUM_MIN_COV] == pytest.approx(600 / (8.2952525 + 316.61 + 200))


def test_bullet_tranche_yield_and_duration_match_quantlib() -> None:
    deal = make_deal(
        tranches=[
            {"name": "优先A", "tranche_class": "senior", "balance": 1000.0,
             "coupon": {"rate": 0.03}, "principal_type": "bullet"},
            {"name": "次级", "tranche_class": "subordinated", "balance": 100.0},
        ],
        n_periods=4,
    )  # fmt: skip
    coll = make_collections([[50.0, 50.0, 50.0, 1200.0]])
    r = waterfall.run(deal, coll)
    cash = r.tranche_cash("优先A")[0]
    dates = list(r.payment_dates)
    times = r.year_times()
    y_engine = r.summary(0).iloc[0][SUM_YIELD]
    y_ql = bonds.yield_from_price(
        dates=dates, amounts=cash.tolist(), settlement=CLOSING, price=1000.0, frequency=4
    )
    assert y_engine == pytest.approx(y_ql, abs=1e-10)
    for kind, fn in (
        ("macaulay", analytics.macaulay_duration),
        ("modified", analytics.modified_duration),
    ):
        d_ql = bonds.duration(
            dates=dates,
            amounts=cash.tolist(),
            settlement=CLOSING,
            yield_rate=y_engine,
            frequency=4,
            kind=kind,
        )
        assert fn(cash, times, y_engine, frequency=4) == pytest.approx(d_ql, rel=1e-10)
    # A bullet: interest each quarter, all principal at the expected maturity.
    np.testing.assert_allclose(r.principal["优先A"].paid[0], [0, 0, 0, 1000.0])


def test_events_fired_reports_first_period_and_date() -> None:
    deal = make_deal(
        tranches=[{"name": "优先A", "tranche_class": "senior", "balance": 100.0}],
        n_periods=3,
        triggers=[{"name": "到期", "condition": "date_reached", "date": "2025-07-01",
                   "event": "acceleration"}],
    )  # fmt: skip
    r = waterfall.run(deal, make_collections([[10.0, 10.0, 100.0]]))
    assert r.events_fired(0) == [
        {
            "trigger": "到期",
            "event": "acceleration",
            "event_zh": "加速清偿事件",
            "first_period": 2,
            "first_date": dt.date(2025, 7, 1).isoformat(),
            "last_period": 3,
            "periods_on": 2,
        }
    ]


def test_result_errors_name_what_was_asked() -> None:
    r = _golden()
    with pytest.raises(waterfall.WaterfallError, match=r"scenario 3 out of range 0\.\.0"):
        r.to_frame(3)
    with pytest.raises(
        waterfall.WaterfallError, match="table must be 'securities' or 'pool'; got 'tranche'"
    ):
        r.to_frame(0, "tranche")
    with pytest.raises(waterfall.WaterfallError, match=r"summary: scenario -1 out of range"):
        r.summary(-1)
    with pytest.raises(DealSpecError, match="no tranche named '优先B'"):
        r.coverage(through="优先B")
