"""Spec models: enums, validation messages and exact JSON round-trips."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from abs.asset import Asset, Pool
from abs.deal import Deal
from abs.enums import AssetType, DataLink, DayCount, Frequency
from abs.errors import DealSpecError
from abs.examples import example_names
from abs.io import load_deal, parse_deal


def _asset(**kw: object) -> Asset:
    base: dict[str, object] = dict(
        asset_id="A1",
        obligor="甲公司",
        asset_type="receivable",
        data_link="none",
        amount=100.0,
        start_date=dt.date(2025, 1, 1),
        maturity_date=dt.date(2026, 1, 1),
    )
    base.update(kw)
    return Asset.model_validate(base)


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("应收账款", AssetType.RECEIVABLE),
        ("receivable", AssetType.RECEIVABLE),
        (" Data_License ", AssetType.DATA_LICENSE),
        ("数据授权", AssetType.DATA_LICENSE),
        ("算法服务", AssetType.ALGORITHM_SERVICE),
        ("数据产品/API", AssetType.DATA_PRODUCT),
        ("收益分成", AssetType.REVENUE_SHARE),
        ("收费收益权", AssetType.TOLL_RIGHT),
        ("租赁租金", AssetType.LEASE),
        ("知识产权许可", AssetType.IP_LICENSE),
    ],
)
def test_asset_type_parses_chinese_and_english(text: str, member: AssetType) -> None:
    assert AssetType.parse(text) is member


def test_enum_labels_and_unknown_value() -> None:
    assert DataLink.PLEDGED.zh == "质押"
    assert DataLink.parse("直接") is DataLink.DIRECT
    assert Frequency.QUARTERLY.months == 3
    assert DayCount.parse("A/360") is DayCount.A_360
    with pytest.raises(ValueError, match=r"unknown DataLink 'maybe'; allowed: none/无"):
        DataLink.parse("maybe")


def test_asset_rejects_bad_values_with_field_names() -> None:
    with pytest.raises(ValidationError, match="amount"):
        _asset(amount=0)
    with pytest.raises(ValidationError, match=r"maturity_date 2024-01-01 is before start_date"):
        _asset(maturity_date=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError, match=r"Extra inputs are not permitted"):
        _asset(amout=5)
    with pytest.raises(ValidationError, match=r"annual_fee\n  Input should be a finite number"):
        _asset(annual_fee=float("inf"))


def test_asset_is_frozen() -> None:
    a = _asset()
    with pytest.raises(ValidationError, match="frozen"):
        a.amount = 5.0  # type: ignore[misc]


def test_pool_duplicate_ids_rejected() -> None:
    with pytest.raises(ValidationError, match="duplicate asset_id 'A1'"):
        Pool(assets=(_asset(), _asset()))


def test_pool_round_trip_exact() -> None:
    p = Pool(assets=(_asset(), _asset(asset_id="A2", data_link="pledged", amount=12.34)))
    assert Pool.model_validate_json(p.model_dump_json()) == p
    assert p.total_amount == pytest.approx(112.34)


@pytest.mark.parametrize("name", example_names())
def test_example_deals_round_trip(name: str) -> None:
    deal = load_deal(name, with_pool=False)
    again = Deal.model_validate_json(deal.model_dump_json())
    assert again == deal


def test_deal_errors_name_field_and_value() -> None:
    deal = load_deal("rugao-labelled", with_pool=False)
    data = deal.model_dump(mode="json")
    data["tranches"][0]["balance"] = -5
    import json

    with pytest.raises(DealSpecError, match=r"field 'tranches.0.balance'.*got -5"):
        parse_deal(json.dumps(data), source="bad.json")
    with pytest.raises(DealSpecError, match=r"bad\.json: not valid JSON"):
        parse_deal("{", source="bad.json")


def test_deal_tranche_order_and_unknown_step_reference() -> None:
    deal = load_deal("rugao-labelled", with_pool=False)
    data = deal.model_dump(mode="json")
    data["tranches"] = list(reversed(data["tranches"]))
    with pytest.raises(ValidationError, match="tranches must be listed senior first"):
        Deal.model_validate(data)
    data = deal.model_dump(mode="json")
    step = {"step": "pay_interest", "tranches": ["优先B"]}
    data["waterfall"] = {"normal": [step], "accelerated": [step]}
    with pytest.raises(ValidationError, match=r"names unknown tranche\(s\) \['优先B'\]"):
        Deal.model_validate(data)


def test_renewal_parameters_must_be_finite() -> None:
    with pytest.raises(
        ValidationError, match=r"renewal_fee_change\n  Input should be a finite number"
    ):
        _asset(renewal_fee_change=float("nan"))
    with pytest.raises(
        ValidationError, match=r"renewal_term_years\n  Input should be a finite number"
    ):
        _asset(renewal_term_years=float("inf"))


def test_load_deal_reads_tape_with_the_deal_cutoff() -> None:
    deal = load_deal("qingdao-pure")
    assert deal.pool is not None
    assert deal.pool.cutoff_date == deal.dates.cutoff_date


def test_atomic_write_is_whole_readable_and_refuses_overwrite(tmp_path: object) -> None:
    import os
    from pathlib import Path

    from abs.errors import ExportError
    from abs.io import atomic_write_bytes

    target = Path(str(tmp_path)) / "out.json"
    atomic_write_bytes(target, b"{}")
    assert target.read_bytes() == b"{}"
    assert os.stat(target).st_mode & 0o044 == 0o044  # group/other can read, as with open()
    with pytest.raises(ExportError, match="file exists; use --force to overwrite"):
        atomic_write_bytes(target, b"[]")
    atomic_write_bytes(target, b"[]", force=True)
    assert target.read_bytes() == b"[]"
    assert [p.name for p in Path(str(tmp_path)).iterdir()] == ["out.json"]
    with pytest.raises(ExportError, match="does not exist"):
        atomic_write_bytes(Path(str(tmp_path)) / "missing" / "x.json", b"{}")


def test_from_arrays_pool_balance_follows_the_projection_identity() -> None:
    import numpy as np

    from abs.cashflows import Collections

    # 100 of pool: period 1 repays 40 and 20 defaults; period 2 collects 30 principal plus a
    # 10 recovery on the defaulted 20; period 3 repays the last 10.
    # Balance: 100 - (40 + 20) = 40; 40 - (40 - 10) = 10; 10 - 10 = 0.
    c = Collections.from_arrays(
        payment_dates=(dt.date(2026, 3, 1), dt.date(2026, 6, 1), dt.date(2026, 9, 1)),
        year_fractions=[0.25, 0.25, 0.25],
        total=[40.0, 40.0, 10.0],
        defaults=[20.0, 0.0, 0.0],
        recoveries=[0.0, 10.0, 0.0],
        initial_pool_balance=100.0,
    )
    assert np.allclose(c.pool_balance, [[40.0, 10.0, 0.0]])
