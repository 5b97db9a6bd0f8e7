"""Stress factor table: lookup, checks, apply on copies."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from abs.assumptions import Stress
from abs.errors import ScenarioError
from scenarios import factors as fac


def test_every_factor_is_a_stress_field_and_every_stress_field_a_factor() -> None:
    assert {f.id for f in fac.FACTORS} == set(Stress.model_fields)
    assert set(fac.PROJECTION_FACTORS) | set(fac.ENGINE_FACTORS) == set(Stress.model_fields)
    assert set(fac.ENGINE_FACTORS) == {"rate_shift_bp", "originator_default", "guarantor_default"}


def test_neutral_values_are_the_stress_defaults() -> None:
    base = Stress()
    for f in fac.FACTORS:
        assert float(getattr(base, f.id)) == f.neutral, f.id


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("revenue_haircut", "revenue_haircut"),
        ("收入下降", "revenue_haircut"),
        ("  PD  ", "pd_multiplier"),
        ("违约率倍数", "pd_multiplier"),
        ("回款延迟", "collection_delay"),
        ("回款延迟(月)", fac.DELAY_MONTHS),
        ("担保人违约", "guarantor_default"),
        ("rate shift", "rate_shift_bp"),
    ],
)
def test_factor_id_accepts_english_chinese_and_aliases(spelling: str, expected: str) -> None:
    assert fac.factor_id(spelling) == expected


def test_unknown_factor_lists_the_factors() -> None:
    with pytest.raises(ScenarioError, match=r"grid\.json: unknown stress factor 'haircut'.*"):
        fac.factor_id("haircut", where="grid.json")


def test_check_range_type_and_whole_periods() -> None:
    hc = fac.FACTOR_BY_ID["revenue_haircut"]
    assert hc.check("0.25") == 0.25
    with pytest.raises(
        ScenarioError, match=r"f\.csv row 3: factor 'revenue_haircut' .*\[0, 1\].*1\.5"
    ):
        hc.check(1.5, where="f.csv row 3")
    with pytest.raises(ScenarioError, match=r"needs a number in fraction.*got 'abc'"):
        hc.check("abc")
    with pytest.raises(ScenarioError, match=r"needs a number .*got True"):
        hc.check(True)
    delay = fac.FACTOR_BY_ID["collection_delay"]
    assert delay.check(2.0) == 2
    with pytest.raises(ScenarioError, match=r"whole number of periods 期; got 1\.5"):
        delay.check(1.5)
    pd = fac.FACTOR_BY_ID["pd_multiplier"]
    with pytest.raises(ScenarioError, match=r"must lie in \[0, ∞\].*got -1"):
        pd.check(-1)
    with pytest.raises(ScenarioError, match=r"got nan"):
        pd.check(math.nan)


@pytest.mark.parametrize(("raw", "expected"), [("on", True), ("否", False), (1, True), ("", False)])
def test_switch_values(raw: object, expected: bool) -> None:
    assert fac.FACTOR_BY_ID["originator_default"].check(raw) is expected


def test_switch_rejects_other_text() -> None:
    with pytest.raises(ScenarioError, match=r"factor 'guarantor_default': needs on/off.*'maybe'"):
        fac.FACTOR_BY_ID["guarantor_default"].check("maybe")


@pytest.mark.parametrize(
    ("months", "per_period", "periods"),
    [(0, 3, 0), (3, 3, 1), (4, 3, 2), (6, 3, 2), (3, 1, 3), (3, 6, 1), (6, 6, 1), (7, 6, 2)],
)
def test_months_to_periods_rounds_up(months: int, per_period: int, periods: int) -> None:
    assert fac.months_to_periods(months, per_period) == periods


def test_months_to_periods_errors() -> None:
    with pytest.raises(ScenarioError, match=r"collection_delay_months must be a number of months"):
        fac.months_to_periods(-1, 3)
    with pytest.raises(ScenarioError, match=r"months per payment period must be > 0; got 0"):
        fac.months_to_periods(3, 0)


def test_normalise_converts_months_and_rejects_duplicates() -> None:
    out = fac.normalise({"收入下降": 0.2, fac.DELAY_MONTHS: 6}, months_per_period=3)
    assert out == {"revenue_haircut": 0.2, "collection_delay": 2}
    with pytest.raises(ScenarioError, match=r"needs the deal's payment frequency"):
        fac.normalise({fac.DELAY_MONTHS: 6})
    with pytest.raises(ScenarioError, match=r"factor 'collection_delay' given more than once"):
        fac.normalise({"collection_delay": 1, fac.DELAY_MONTHS: 3}, months_per_period=3)


def test_apply_returns_a_copy_and_never_mutates_the_base() -> None:
    base = Stress(revenue_haircut=0.1, guarantor_default=True)
    dump = base.model_dump()
    out = fac.apply(base, pd_multiplier=2.0, originator_default="on")
    assert out is not base
    assert base.model_dump() == dump
    assert (out.revenue_haircut, out.pd_multiplier, out.originator_default) == (0.1, 2.0, True)
    assert out.guarantor_default is True
    assert fac.apply(revenue_haircut=0.3).revenue_haircut == 0.3


def test_apply_rejects_bad_values() -> None:
    with pytest.raises(ScenarioError, match=r"apply: factor 'recovery_haircut'.*got 2"):
        fac.apply(Stress(), recovery_haircut=2)


def test_projection_key_ignores_engine_factors() -> None:
    a = fac.apply(revenue_haircut=0.2, rate_shift_bp=50)
    b = fac.apply(revenue_haircut=0.2, guarantor_default=True)
    assert fac.projection_key(a) == fac.projection_key(b)
    assert fac.projection_part(a) == Stress(revenue_haircut=0.2)
    assert fac.changed_factors(a) == {"revenue_haircut": 0.2, "rate_shift_bp": 50.0}


@given(
    h=st.floats(0, 1),
    m=st.floats(0, 100),
    d=st.integers(0, 20),
    pp=st.floats(-100, 100),
)
def test_apply_round_trips_every_value(h: float, m: float, d: int, pp: float) -> None:
    s = fac.apply(revenue_haircut=h, pd_multiplier=m, collection_delay=d, renewal_change_pp=pp)
    assert fac.stress_values(s)["revenue_haircut"] == h
    assert (s.pd_multiplier, s.collection_delay, s.renewal_change_pp) == (m, d, pp)
