"""Analytics: hand-checked values, closed form vs QuantLib, and every error message."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from abs import analytics
from abs.errors import DabsError, NoYieldError
from abs.qladapter import bonds


def test_year_times_and_wal_by_hand() -> None:
    # 2025-01-01 → 2025-07-02 is 182 days = 0.498630…; → 2026-01-01 is 365 days = 1.0.
    t = analytics.year_times(dt.date(2025, 1, 1), [dt.date(2025, 7, 2), dt.date(2026, 1, 1)])
    np.testing.assert_allclose(t, [182 / 365, 1.0])
    # WAL = (0.5 × 30 + 1.0 × 70) / 100 = 0.85; a scenario without principal gives NaN.
    w = analytics.wal([[30.0, 70.0], [0.0, 0.0]], [0.5, 1.0])
    assert w[0] == pytest.approx(0.85)
    assert np.isnan(w[1])


def test_payment_window_and_first_period_above() -> None:
    dates = [dt.date(2025, 4, 1), dt.date(2025, 7, 1), dt.date(2025, 10, 1)]
    assert analytics.payment_window([0.0, 5.0, 1.0], dates) == (dates[1], dates[2])
    assert analytics.payment_window([0.0, 0.0, 0.0], dates) == (None, None)
    np.testing.assert_array_equal(
        analytics.first_period_above([[0.0, 2.0, 0.0], [0.0, 0.0, 0.001]]), [1, -1]
    )


def test_price_yield_duration_closed_form_by_hand() -> None:
    # 3 and 103 at years 1 and 2 at 3% annual: 3/1.03 + 103/1.03² = 100 (a par bond).
    assert analytics.price_from_yield([3.0, 103.0], [1.0, 2.0], 0.03) == pytest.approx(100.0)
    assert analytics.yield_from_price([3.0, 103.0], [1.0, 2.0], price=100.0) == pytest.approx(
        0.03, abs=1e-12
    )
    # Macaulay = (1 × 3/1.03 + 2 × 103/1.03²) / 100 = 1.970873786…; modified = mac / 1.03.
    mac = (3 / 1.03 + 2 * 103 / 1.03**2) / 100
    assert analytics.macaulay_duration([3.0, 103.0], [1.0, 2.0], 0.03) == pytest.approx(mac)
    assert analytics.modified_duration([3.0, 103.0], [1.0, 2.0], 0.03) == pytest.approx(mac / 1.03)
    # Quarterly compounding: 100 in 1 year at 4% → 100 / 1.01⁴.
    assert analytics.price_from_yield([100.0], [1.0], 0.04, frequency=4) == pytest.approx(
        100 / 1.01**4
    )
    # No yield makes nothing worth something.
    assert np.isnan(analytics.yield_from_price([0.0, 0.0], [1.0, 2.0], price=100.0))


@settings(max_examples=60, deadline=None)
@given(
    y=st.floats(-0.02, 0.2),
    freq=st.sampled_from([1, 2, 4, 12]),
    fen=st.lists(st.integers(0, 10_000_000_00), min_size=1, max_size=8),
)
# The smallest cash flow a tape or deal can carry (one fen), alone and after a zero period.
@example(y=0.0, freq=1, fen=[1])
@example(y=0.2, freq=12, fen=[0, 1])
def test_yield_price_round_trip(y: float, freq: int, fen: list[int]) -> None:
    # Money is drawn in whole fen (分), as tapes and deals carry it: no subnormal floats.
    cf = np.array(fen, dtype=np.float64) / 100.0
    if cf.sum() <= 0:
        assert np.isnan(analytics.yield_from_price(cf, np.ones(cf.size), price=1.0))
        return
    times = np.arange(1, cf.size + 1) * 0.25
    price = float(analytics.price_from_yield(cf, times, y, frequency=freq))
    assert analytics.yield_from_price(cf, times, price=price, frequency=freq) == pytest.approx(
        y, abs=1e-9
    )


@pytest.mark.parametrize(
    ("flows", "price", "message"),
    [
        # The fresh-clone failure of issue 17: Hypothesis drew flows=[5e-324] and the solver
        # stopped at the end of the bracket (10.0) instead of failing.
        ([5e-324], 5e-324, r"amounts below 2\.23e-308 \(subnormal floats\) cannot be priced"),
        ([5e-324, 0.0], 1e-300, r"smallest positive flow 5e-324"),
        # Worth less than the price even at -99.9% a year: a total loss bar a crumb.
        ([1e-9], 100.0, r"no yield between -0\.999 and 10 makes the flows worth 100\.0"),
        # Worth more than the price even at 1,000% a year.
        ([1e9], 1.0, r"no yield between -0\.999 and 10 makes the flows worth 1\.0: they are"),
    ],
)
def test_yield_from_price_raises_when_no_yield_reprices(
    flows: list[float], price: float, message: str
) -> None:
    with pytest.raises(NoYieldError, match=message):
        analytics.yield_from_price(flows, [1.0] * len(flows), price=price)


@pytest.mark.parametrize(
    ("flows", "times", "price", "message"),
    [
        ([1.0, float("nan")], [1.0, 2.0], 1.0, r"must be finite numbers; got price 1\.0, flows"),
        ([1.0], [float("inf")], 1.0, r"must be finite numbers"),
        ([1.0], [1.0], float("nan"), r"must be finite numbers; got price nan"),
        ([1.0], [1.0], 0.0, r"yield_from_price: price must be > 0; got 0\.0"),
    ],
)
def test_yield_from_price_rejects_bad_inputs(
    flows: list[float], times: list[float], price: float, message: str
) -> None:
    with pytest.raises(DabsError, match=message):
        analytics.yield_from_price(flows, times, price=price)


def test_zero_curve_interpolation_by_hand() -> None:
    # Nodes (1y 2%, 3y 3%): 2y is halfway → 2.5%; before 1y flat 2%, after 3y flat 3%.
    z = analytics.zero_rates_at([0.5, 2.0, 5.0], [1.0, 3.0], [0.02, 0.03])
    np.testing.assert_allclose(z, [0.02, 0.025, 0.03])
    # Annual quotes interpolate in continuous terms: r(2) = (ln 1.02 + ln 1.03) / 2, so the
    # factor is e^(−2·r(2)) = 1 / (1.02 × 1.03); at a node it is (1 + z)^(−t).
    df = analytics.curve_discount_factors(
        [2.0, 3.0], [1.0, 3.0], [0.02, 0.03], compounding="annual"
    )
    np.testing.assert_allclose(df, [1 / (1.02 * 1.03), 1.03**-3])
    p = analytics.price_from_curve([100.0], [2.0], curve_times=[1.0, 3.0], curve_rates=[0.02, 0.03])
    assert float(p) == pytest.approx(100 * np.exp(-0.025 * 2))


def test_irr_and_npv_on_actual_dates() -> None:
    d = [dt.date(2025, 1, 1), dt.date(2026, 1, 1)]
    assert analytics.irr(d, [-100.0, 110.0]) == pytest.approx(0.10)
    assert analytics.npv(0.10, d, [-100.0, 110.0]) == pytest.approx(0.0, abs=1e-12)
    assert analytics.npv(0.0, d, [-100.0, 110.0]) == pytest.approx(10.0)
    assert np.isnan(analytics.irr(d, [100.0, 110.0]))  # no sign change: no IRR


def test_coverage_by_hand() -> None:
    avail = [[120.0, 50.0, 30.0]]
    obl = [[100.0, 40.0, 0.0]]
    # 1.2, 1.25 and inf (nothing due); min 1.2; life (120+50+30)/(140) with all periods.
    np.testing.assert_allclose(analytics.coverage_ratio(avail, obl), [[1.2, 1.25, np.inf]])
    np.testing.assert_allclose(analytics.min_coverage(avail, obl), [1.2])
    np.testing.assert_allclose(
        analytics.min_coverage(avail, obl, mask=[[False, True, True]]), [1.25]
    )
    np.testing.assert_allclose(analytics.life_coverage(avail, obl), [200.0 / 140.0])
    np.testing.assert_allclose(
        analytics.life_coverage(avail, obl, mask=[[False, True, True]]), [80.0 / 40.0]
    )
    assert analytics.loss_rate([25.0], 100.0)[0] == pytest.approx(0.25)


def _bullet_flows() -> tuple[dt.date, list[dt.date], list[float], np.ndarray]:
    closing = dt.date(2025, 3, 20)
    dates = [dt.date(2025, 6, 26), dt.date(2025, 9, 26), dt.date(2025, 12, 26),
             dt.date(2026, 3, 26), dt.date(2026, 6, 26), dt.date(2026, 9, 28)]  # fmt: skip
    face, cpn = 100_000_000.0, 0.0225
    times = analytics.year_times(closing, dates)
    starts = [closing, *dates[:-1]]
    amounts = [face * cpn * (b - a).days / 365 for a, b in zip(starts, dates, strict=True)]
    amounts[-1] += face
    return closing, dates, amounts, times


def test_quantlib_matches_closed_form_on_a_bullet_tranche() -> None:
    closing, dates, amounts, times = _bullet_flows()
    for freq in (1, 4):
        for y in (0.018, 0.0225, 0.03):
            p_np = float(analytics.price_from_yield(amounts, times, y, frequency=freq))
            p_ql = bonds.price_from_yield(
                dates=dates, amounts=amounts, settlement=closing, yield_rate=y, frequency=freq
            )
            assert p_ql == pytest.approx(p_np, rel=1e-12)
            y_np = analytics.yield_from_price(amounts, times, price=p_np, frequency=freq)
            y_ql = bonds.yield_from_price(
                dates=dates, amounts=amounts, settlement=closing, price=p_np, frequency=freq
            )
            assert y_ql == pytest.approx(y_np, abs=1e-10)
            for kind, fn in (
                ("macaulay", analytics.macaulay_duration),
                ("modified", analytics.modified_duration),
            ):
                d_ql = bonds.duration(
                    dates=dates,
                    amounts=amounts,
                    settlement=closing,
                    yield_rate=y,
                    frequency=freq,
                    kind=kind,
                )
                assert d_ql == pytest.approx(fn(amounts, times, y, frequency=freq), rel=1e-10)


@pytest.mark.parametrize("compounding", ["continuous", "annual"])
def test_quantlib_curve_matches_closed_form(compounding: str) -> None:
    closing, dates, amounts, times = _bullet_flows()
    tenors = [0.25, 0.5, 1.0, 2.0, 3.0]
    rates = [0.014, 0.0145, 0.0152, 0.0160, 0.0171]  # China government bond zero curve, sample
    nodes = bonds.curve_node_dates(closing, tenors)
    node_t = analytics.year_times(closing, nodes)
    p_np = float(
        analytics.price_from_curve(
            amounts, times, curve_times=node_t, curve_rates=rates, compounding=compounding
        )
    )
    p_ql = bonds.price_from_curve(
        dates=dates,
        amounts=amounts,
        settlement=closing,
        tenors=tenors,
        rates=rates,
        compounding=compounding,
    )
    assert p_ql == pytest.approx(p_np, rel=1e-12)
    flat_ql = bonds.price_from_curve(
        dates=dates, amounts=amounts, settlement=closing, flat_rate=0.02, compounding=compounding
    )
    flat_np = analytics.price_from_curve(
        amounts, times, curve_times=[1.0], curve_rates=[0.02], compounding=compounding
    )
    assert flat_ql == pytest.approx(float(flat_np), rel=1e-12)


def test_curve_node_dates_roll_month_ends() -> None:
    assert bonds.curve_node_dates(dt.date(2025, 1, 31), [1 / 12, 1.0]) == [
        dt.date(2025, 2, 28),
        dt.date(2026, 1, 31),
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: analytics.discount_factors([1.0], 0.03, frequency=0), "frequency must be a whole"),
        (lambda: analytics.zero_rates_at([1.0], [1.0, 2.0], [0.01]), "two equal non-empty lists"),
        (lambda: analytics.zero_rates_at([1.0], [2.0, 1.0], [0.01, 0.02]), "increase strictly"),
        (
            lambda: analytics.curve_discount_factors([1.0], [1.0], [0.01], compounding="daily"),
            "compounding must be 'continuous' or 'annual'; got 'daily'",
        ),
        (lambda: analytics.loss_rate([1.0], 0.0), "original_balance must be > 0; got 0.0"),
        (lambda: analytics.irr([dt.date(2025, 1, 1)], [1.0, 2.0]), "1 dates for 2 amounts"),
        (lambda: analytics.npv(0.1, [dt.date(2025, 1, 1)], [1.0, 2.0]), "1 dates for 2 amounts"),
    ],
)
def test_analytics_errors(call: object, message: str) -> None:
    with pytest.raises(DabsError, match=message):
        call()  # type: ignore[operator]


def _ql_call(**kw: object) -> object:
    base: dict[str, object] = dict(
        dates=[dt.date(2026, 1, 1)], amounts=[100.0], settlement=dt.date(2025, 1, 1)
    )
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: bonds.price_from_yield(**_ql_call(dates=[dt.date(2024, 1, 1)]), yield_rate=0.0),  # type: ignore[arg-type]
            "cash flow on 2024-01-01 is not after settlement 2025-01-01",
        ),
        (
            lambda: bonds.price_from_yield(**_ql_call(amounts=[1.0, 2.0]), yield_rate=0.0),  # type: ignore[arg-type]
            "1 dates for 2 amounts",
        ),
        (
            lambda: bonds.price_from_yield(**_ql_call(dates=[], amounts=[]), yield_rate=0.0),  # type: ignore[arg-type]
            "no cash flows",
        ),
        (
            lambda: bonds.price_from_yield(**_ql_call(), yield_rate=0.0, frequency=3),  # type: ignore[arg-type]
            r"frequency must be one of \[1, 2, 4, 6, 12\] per year; got 3",
        ),
        (
            lambda: bonds.duration(**_ql_call(), yield_rate=0.0, kind="effective"),  # type: ignore[arg-type]
            "kind must be macaulay or modified; got 'effective'",
        ),
        (
            lambda: bonds.price_from_curve(**_ql_call(), tenors=[1.0], rates=[]),  # type: ignore[arg-type]
            "give flat_rate, or tenors and rates of equal non-zero length",
        ),
        (
            lambda: bonds.price_from_curve(**_ql_call(), flat_rate=0.01, compounding="simple"),  # type: ignore[arg-type]
            "compounding must be continuous or annual; got 'simple'",
        ),
        (
            lambda: bonds.curve_node_dates(dt.date(2025, 1, 1), [0.01]),
            "curve tenor must be ≥ 1 month; got 0.01 years",
        ),
        (
            lambda: bonds.yield_from_price(**_ql_call(), price=-5.0),  # type: ignore[arg-type]
            "yield_from_price: QuantLib",
        ),
    ],
)
def test_bonds_errors(call: object, message: str) -> None:
    with pytest.raises(DabsError, match=message):
        call()  # type: ignore[operator]
