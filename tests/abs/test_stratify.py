"""Stratification: a hand-checked small pool, column sets, shares, the top-20 table."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abs.asset import Asset, Pool
from abs.stratify import (
    DIM_AMOUNT,
    DIM_INDUSTRY,
    DIM_KIND,
    DIM_LINK,
    DIM_OBLIGOR,
    DIM_ORIGINATOR,
    DIM_RATE,
    DIM_RATING,
    DIM_REGION,
    DIM_RELATED,
    DIM_SEASONING,
    DIM_TERM,
    DIMENSIONS,
    DISTRIBUTION_COLUMNS,
    SUMMARY_COLUMNS,
    TOP20_COLUMNS,
    stratify,
    stratify_deal,
)

AS_OF = dt.date(2025, 1, 1)


def _asset(asset_id: str, obligor: str, amount: float, **kw: object) -> Asset:
    base: dict[str, object] = {
        "asset_id": asset_id,
        "obligor": obligor,
        "asset_type": "receivable",
        "data_link": "none",
        "amount": amount,
        "start_date": dt.date(2024, 1, 1),
        "maturity_date": dt.date(2026, 1, 1),
    }
    base.update(kw)
    return Asset(**base)  # type: ignore[arg-type]


def _hand_pool() -> Pool:
    return Pool(
        assets=(
            _asset(
                "A1",
                "X",
                400.0,
                originator="C1",
                rate=0.04,
                start_date=dt.date(2024, 1, 1),
                maturity_date=dt.date(2025, 7, 2),
                region="江苏省",
                industry="建筑业",
                related_party=True,
                obligor_rating="AA",
                guarantor="G担保",
            ),
            _asset(
                "A2",
                "Y",
                300.0,
                originator="C1",
                rate=0.05,
                start_date=dt.date(2024, 7, 1),
                maturity_date=dt.date(2026, 1, 1),
                region="江苏省",
                data_link="pledged",
                pledge_registration="质登001",
            ),
            _asset(
                "A3",
                "X",
                200.0,
                originator="C2",
                start_date=dt.date(2024, 12, 1),
                maturity_date=dt.date(2027, 1, 1),
                region="山东省",
                asset_type="data_license",
                data_link="direct",
            ),
            _asset(
                "A4",
                "Z",
                100.0,
                rate=0.06,
                start_date=dt.date(2023, 1, 1),
                maturity_date=dt.date(2024, 12, 31),
            ),
        )
    )


def _rows(frame: object) -> list[tuple[object, ...]]:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    return [tuple(r) for r in frame.itertuples(index=False, name=None)]


def test_summary_by_hand() -> None:
    s = stratify(_hand_pool(), as_of=AS_OF, guarantor_ratings={"G担保": "AAA"}).summary
    assert (s.total_amount, s.asset_count, s.obligor_count, s.originator_count) == (1000.0, 4, 3, 2)
    assert (s.as_of, s.as_of_source) == (AS_OF, "argument")
    assert (s.average_amount, s.max_amount, s.max_asset_share) == (250.0, 400.0, 0.4)
    # WA rate over the rated 800: (400×4% + 300×5% + 100×6%) / 800 = 37/800
    assert s.wa_rate == pytest.approx(37 / 800)
    assert s.rate_coverage == pytest.approx(0.8)
    # remaining: A1 182/365 × 400 + A2 365/365 × 300 + A3 730/365 × 200 + A4 0 (matured)
    assert s.wa_remaining_years == pytest.approx((182 / 365 * 400 + 300 + 2 * 200) / 1000)
    # seasoning: A1 366 d (2024 is a leap year), A2 184 d, A3 31 d, A4 731 d
    assert s.wa_seasoning_years == pytest.approx(
        (366 * 400 + 184 * 300 + 31 * 200 + 731 * 100) / 365 / 1000
    )
    # obligors: X 600, Y 300, Z 100
    assert (s.top1_share, s.top5_share, s.top10_share, s.top1_obligor) == (0.6, 1.0, 1.0, "X")
    frame = stratify(_hand_pool(), as_of=AS_OF).summary.to_frame()
    assert tuple(frame.columns) == SUMMARY_COLUMNS
    assert frame.iloc[1].tolist() == ["总金额", "total amount", 1000.0, "元"]


def test_distributions_by_hand() -> None:
    d = stratify(_hand_pool(), as_of=AS_OF).distributions
    assert list(d) == list(DIMENSIONS)
    for frame in d.values():
        assert tuple(frame.columns) == DISTRIBUTION_COLUMNS
    assert _rows(d[DIM_OBLIGOR]) == [
        ("X", 2, 0.5, 600.0, 0.6),
        ("Y", 1, 0.25, 300.0, 0.3),
        ("Z", 1, 0.25, 100.0, 0.1),
    ]
    assert _rows(d[DIM_ORIGINATOR]) == [
        ("C1", 2, 0.5, 700.0, 0.7),
        ("C2", 1, 0.25, 200.0, 0.2),
        ("未披露", 1, 0.25, 100.0, 0.1),
    ]
    assert _rows(d[DIM_REGION]) == [
        ("江苏省", 2, 0.5, 700.0, 0.7),
        ("山东省", 1, 0.25, 200.0, 0.2),
        ("未披露", 1, 0.25, 100.0, 0.1),
    ]
    assert _rows(d[DIM_INDUSTRY]) == [
        ("未披露", 3, 0.75, 600.0, 0.6),
        ("建筑业", 1, 0.25, 400.0, 0.4),
    ]
    # remaining term in bucket order: matured first, then (0,0.5], (0.5,1], (1,2]
    assert _rows(d[DIM_TERM]) == [
        ("已到期", 1, 0.25, 100.0, 0.1),
        ("(0,0.5]年", 1, 0.25, 400.0, 0.4),
        ("(0.5,1]年", 1, 0.25, 300.0, 0.3),
        ("(1,2]年", 1, 0.25, 200.0, 0.2),
    ]
    assert _rows(d[DIM_SEASONING]) == [
        ("[0,0.5]年", 1, 0.25, 200.0, 0.2),
        ("(0.5,1]年", 1, 0.25, 300.0, 0.3),
        ("(1,2]年", 1, 0.25, 400.0, 0.4),
        ("(2,3]年", 1, 0.25, 100.0, 0.1),
    ]
    assert _rows(d[DIM_AMOUNT]) == [("(0,100]万元", 4, 1.0, 1000.0, 1.0)]
    assert _rows(d[DIM_RATE]) == [
        ("[4%,5%)", 1, 0.25, 400.0, 0.4),
        ("[5%,6%)", 1, 0.25, 300.0, 0.3),
        ("≥6%", 1, 0.25, 100.0, 0.1),
        ("未披露", 1, 0.25, 200.0, 0.2),
    ]
    assert _rows(d[DIM_KIND]) == [
        ("应收账款 (receivable)", 3, 0.75, 800.0, 0.8),
        ("数据授权 (data_license)", 1, 0.25, 200.0, 0.2),
    ]
    assert _rows(d[DIM_LINK]) == [
        ("无 (none)", 2, 0.5, 500.0, 0.5),
        ("质押 (pledged)", 1, 0.25, 300.0, 0.3),
        ("直接 (direct)", 1, 0.25, 200.0, 0.2),
    ]
    assert _rows(d[DIM_RATING]) == [("未披露", 3, 0.75, 600.0, 0.6), ("AA", 1, 0.25, 400.0, 0.4)]
    assert _rows(d[DIM_RELATED]) == [("是", 1, 0.25, 400.0, 0.4), ("否", 3, 0.75, 600.0, 0.6)]


def test_top20_by_hand() -> None:
    s = stratify(_hand_pool(), as_of=AS_OF, guarantor_ratings={"G担保": "AAA"})
    top = s.top20
    assert tuple(top.columns) == TOP20_COLUMNS
    assert not s.top20_may_be_omitted
    rows = top.to_dict("records")
    assert [r["债务人名称"] for r in rows] == ["X", "Y", "Z"]
    x, y, z = rows
    # X: A1 (400, 4%) + A3 (200, no rate): weighted rate over rated amounts only = 4%
    assert (x["序号"], x["债权人名称"], x["入池本金余额(元)"], x["占比"]) == (
        1,
        "C1、C2",
        600.0,
        0.6,
    )
    assert x["利率"] == pytest.approx(0.04)
    assert (x["是否关联交易"], x["增信机构及评级"], x["增信方式/担保物"]) == (
        "是",
        "G担保(AAA)",
        "保证担保",
    )
    assert (x["债务人资信评级"], x["影子评级"]) == ("AA", "AA")
    assert (y["增信机构及评级"], y["增信方式/担保物"], y["债务人资信评级"]) == (
        "无",
        "数据资产质押(质登001)",
        "未披露",
    )
    assert z["债权人名称"] == "未披露"


def test_top20_keeps_twenty_largest_and_may_be_omitted_when_every_asset_is_small() -> None:
    # 100 equal assets: each exactly 1% of the pool → the top-20 table may be omitted.
    pool = Pool(assets=tuple(_asset(f"A{i:03d}", f"O{i:03d}", 10.0) for i in range(100)))
    s = stratify(pool, as_of=AS_OF)
    assert s.top20_may_be_omitted
    assert len(s.top20) == 20
    assert list(s.top20["债务人名称"][:3]) == ["O000", "O001", "O002"]  # ties by name
    # one asset of 1.01% breaks it
    bigger = Pool(assets=(*pool.assets[:-1], _asset("A099", "O099", 10.11)))
    assert not stratify(bigger, as_of=AS_OF).top20_may_be_omitted


def test_creditor_names_are_shortened_in_the_top20() -> None:
    pool = Pool(
        assets=tuple(_asset(f"A{i}", "甲", 10.0, originator=f"供应商{i}") for i in range(5))
    )
    (row,) = stratify(pool, as_of=AS_OF).top20.to_dict("records")
    assert row["债权人名称"] == "供应商0、供应商1、供应商2等5家"


def test_as_of_defaults() -> None:
    pool = _hand_pool()
    latest = stratify(pool).summary
    assert (latest.as_of, latest.as_of_source) == (dt.date(2024, 12, 1), "latest start date")
    cut = stratify(pool.model_copy(update={"cutoff_date": AS_OF})).summary
    assert (cut.as_of, cut.as_of_source) == (AS_OF, "pool cutoff")


def test_stratify_deal_uses_cutoff_and_guarantor_rating() -> None:
    from abs.io import load_deal

    s = stratify_deal(load_deal("rugao-labelled"))
    assert (s.summary.as_of, s.summary.as_of_source) == (dt.date(2025, 3, 31), "deal cutoff")
    assert s.top20.iloc[0]["增信机构及评级"] == "中证信用增进股份有限公司(AAA)"
    assert (
        stratify_deal(load_deal("rugao-labelled"), as_of=AS_OF).summary.as_of_source == "argument"
    )


def test_to_dict_is_json_ready() -> None:
    data = stratify(_hand_pool(), as_of=AS_OF).to_dict()
    text = json.dumps(data, ensure_ascii=False)
    back = json.loads(text)
    assert back["summary"]["total_amount"] == 1000.0
    assert back["distributions"]["债务人"]["dimension"] == "obligor"
    assert back["distributions"]["利率"]["rows"][0] == {
        "分类": "[4%,5%)",
        "笔数": 1,
        "笔数占比": 0.25,
        "金额(元)": 400.0,
        "金额占比": 0.4,
    }
    assert back["top20"][1]["利率"] == 0.05
    assert back["top20"][0]["序号"] == 1
    assert back["top20_may_be_omitted"] is False


@st.composite
def _pools(draw: st.DrawFn) -> Pool:
    n = draw(st.integers(1, 40))
    assets = []
    for i in range(n):
        start = draw(st.dates(dt.date(2020, 1, 1), dt.date(2025, 1, 1)))
        assets.append(
            _asset(
                f"A{i}",
                f"O{draw(st.integers(0, 30))}",
                draw(st.integers(1, 10**10)) / 100,
                rate=draw(st.one_of(st.none(), st.floats(0, 0.2))),
                region=draw(st.sampled_from([None, "江苏省", "山东省"])),
                start_date=start,
                maturity_date=start + dt.timedelta(days=draw(st.integers(0, 4000))),
            )
        )
    return Pool(assets=tuple(assets))


@settings(max_examples=40, deadline=None)
@given(pool=_pools())
def test_shares_add_to_one_and_top20_is_sorted(pool: Pool) -> None:
    s = stratify(pool, as_of=dt.date(2024, 6, 30))
    for frame in s.distributions.values():
        assert frame["笔数"].sum() == len(pool)
        assert frame["笔数占比"].sum() == pytest.approx(1.0)
        assert frame["金额占比"].sum() == pytest.approx(1.0)
        assert frame["金额(元)"].sum() == pytest.approx(s.summary.total_amount)
    balances = list(s.top20["入池本金余额(元)"])
    assert balances == sorted(balances, reverse=True)
    assert len(balances) == min(20, s.summary.obligor_count)
    assert s.summary.top1_share <= s.summary.top5_share <= s.summary.top10_share <= 1.0 + 1e-12
    assert s.summary.wa_remaining_years >= 0.0


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (1, "(0,0.5]年"),
        (182, "(0,0.5]年"),
        (183, "(0.5,1]年"),
        (365, "(0.5,1]年"),
        (366, "(1,2]年"),
        (1825, "(3,5]年"),
        (1826, ">5年"),
        (0, "已到期"),
    ],
)
def test_remaining_term_bucket_edges(days: int, label: str) -> None:
    # 182/365 = 0.4986 ≤ 0.5 < 183/365; 365/365 = 1 exactly falls in (0.5,1]
    pool = Pool(assets=(_asset("A", "X", 1.0, maturity_date=AS_OF + dt.timedelta(days=days)),))
    assert stratify(pool, as_of=AS_OF).distributions[DIM_TERM].iloc[0]["分类"] == label


@pytest.mark.parametrize(
    ("amount", "label"),
    [
        (1_000_000.0, "(0,100]万元"),
        (1_000_000.01, "(100,500]万元"),
        (100_000_000.0, "(5000,10000]万元"),
        (100_000_000.01, ">10000万元"),
    ],
)
def test_amount_bucket_edges(amount: float, label: str) -> None:
    pool = Pool(assets=(_asset("A", "X", amount),))
    assert stratify(pool, as_of=AS_OF).distributions[DIM_AMOUNT].iloc[0]["分类"] == label


@pytest.mark.parametrize(
    ("rate", "label"),
    [(0.0, "[0,3%)"), (0.0299, "[0,3%)"), (0.03, "[3%,4%)"), (0.04, "[4%,5%)"), (0.07, "≥6%")],
)
def test_rate_bucket_edges(rate: float, label: str) -> None:
    pool = Pool(assets=(_asset("A", "X", 1.0, rate=rate),))
    assert stratify(pool, as_of=AS_OF).distributions[DIM_RATE].iloc[0]["分类"] == label


def test_package_level_stratify_works_after_the_module_is_imported() -> None:
    import abs
    import abs.stratify

    assert abs.stratify(_hand_pool(), as_of=AS_OF).summary.total_amount == 1000.0
