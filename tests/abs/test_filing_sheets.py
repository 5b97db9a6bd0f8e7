"""Sheet builders: hand-built inputs, hand-checked figures, input-contract errors."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from abs.asset import Asset, Pool
from abs.deal import Deal
from abs.errors import ExportError
from abs.filing import ColumnKind, render_csv, render_json, render_xlsx
from abs.filing.sheets import (
    SHEETS,
    TOP20_OMIT_NOTE,
    asset_list_sheet,
    coverage_sheet,
    deal_summary_sheet,
    distribution_block,
    frame_block,
    model_notes_sheet,
    plain_cell,
    pool_cashflow_sheet,
    pool_statistics_sheet,
    stress_sheet,
    top_obligors_sheet,
    tranche_payments_sheet,
)
from abs.io import load_deal

CUTOFF = dt.date(2025, 3, 31)


def _pool() -> Pool:
    def asset(i: int, obligor: str, link: str, amount: float, **kw: object) -> Asset:
        return Asset(
            asset_id=f"R{i}",
            obligor=obligor,
            asset_type="receivable",
            data_link=link,
            amount=amount,
            start_date=dt.date(2024, 6, 30),
            maturity_date=dt.date(2026, 3, 31),
            originator="如皋某公司(示例)",
            rate=0.045,
            **kw,
        )

    return Pool(
        assets=(
            asset(
                1,
                "=HYPERLINK(1)",
                "pledged",
                6_000_000.0,
                registry="某登记中心",
                registration_id="登(2025)1号",
                valuation_method="收益法",
                appraised_value=8_000_000.0,
                pledge_registration="质押登记1号",
            ),
            asset(2, "如皋城投", "none", 3_000_000.0),
            asset(3, "如皋城投", "none", 1_000_000.0, related_party=True),
        ),
        cutoff_date=CUTOFF,
    )


def _deal() -> Deal:
    return load_deal("rugao-labelled", with_pool=False).model_copy(update={"pool": _pool()})


def test_sheet_catalogue_order() -> None:
    assert [zh for _, zh, _ in SHEETS] == [
        "产品概要",
        "基础资产统计",
        "前二十大债务人",
        "入池资产明细",
        "现金流归集表",
        "证券兑付表",
        "现金流覆盖倍数",
        "压力测试",
        "模型说明",
    ]


def test_plain_cell_conversions() -> None:
    assert plain_cell(np.float64(np.inf), ColumnKind.RATIO) is None
    assert plain_cell(pd.NaT, ColumnKind.DATE) is None
    assert plain_cell(np.datetime64("2026-01-02"), ColumnKind.DATE) == dt.date(2026, 1, 2)
    assert plain_cell(np.int64(4), ColumnKind.INTEGER) == 4
    assert plain_cell(np.bool_(False), ColumnKind.TEXT) == "否"
    assert plain_cell(12, ColumnKind.TEXT) == "12"


def test_deal_summary() -> None:
    deal = _deal()
    sheet = deal_summary_sheet(
        deal,
        classification={
            "kind_zh": "贴标型",
            "data_share": 0.6,
            "data_share_text": "60.00%",
            "basis": "balance",
            "pure_100": False,
        },
        tranche_wal={"优先A": 1.23},
    )
    assert sheet.sheet == "产品概要" and sheet.sheet_en == "Deal summary"
    assert [b.key for b in sheet.blocks] == [
        "facts",
        "dates",
        "tranches",
        "enhancement",
        "data_assets",
    ]
    facts = dict(sheet.block("facts").rows)  # type: ignore[arg-type]
    assert facts["交易类型"] == "贴标型（数据资产关联占比 60.00%，按入池金额口径）"
    assert facts["交易场所"] == "深圳证券交易所"
    assert facts["数据赋能声明"] == "是：数据资产质押、风险评估"
    assert dict(sheet.block("dates").rows)["法定到期日"] == dt.date(2029, 4, 26)  # type: ignore[arg-type]
    tranches = sheet.block("tranches")
    # 优先A 123,000,000 / 130,000,000 = 94.6154%; 次级 7,000,000 / 130,000,000 = 5.3846%
    assert tranches.values("share") == pytest.approx([123 / 130, 7 / 130])
    assert tranches.values("coupon") == [0.024, None]
    assert tranches.values("wal") == [1.23, None]
    assert tranches.totals is not None
    assert tranches.totals[:4] == ("合计", None, 130_000_000.0, 1.0)
    enh = sheet.block("enhancement")
    measures = enh.values("measure")
    assert measures[0] == "优先/次级结构（优先A）"
    assert enh.rows[0][2:] == (7_000_000.0, pytest.approx(7 / 130))
    # pool 10,000,000 − issue 130,000,000 = −120,000,000 (shortfall shown as negative)
    assert enh.rows[1][0] == "超额抵押" and enh.rows[1][2] == -120_000_000.0
    assert "保证担保" in measures
    guarantee = enh.rows[measures.index("保证担保")][1]
    assert str(guarantee).endswith("；垫付款项于优先级清偿后从回收款中返还，先于次级本金及超额收益")
    assert any(str(m).startswith("触发事件：") for m in measures)
    data = sheet.block("data_assets")
    assert data.rows == (
        (
            "某登记中心",
            "收益法",
            "质押",
            1,
            8_000_000.0,
            6_000_000.0,
            "登(2025)1号",
            dt.date(2026, 3, 31),
            "质押登记1号",
        ),
    )


def test_pool_statistics() -> None:
    dist = pd.DataFrame(
        {
            "分类": ["江苏省", "山东省"],
            "笔数": [3, 1],
            "笔数占比": [0.0, 0.0],
            "金额(元)": [300.0, 100.0],
        }
    )
    sheet = pool_statistics_sheet(
        summary={"total_amount": 400.0, "asset_count": 4, "wa_rate": None, "top1_obligor": "甲"},
        link_rows=[("直接", 1, 100.0), ("质押", 1, 101.0), ("无", 2, 199.0)],
        distributions=[("by_region", "债务人地区分布", dist)],
        classification_note="贴标型：50.25% 位于 50%–70%",
    )
    assert [b.key for b in sheet.blocks] == ["summary", "data_link_share", "by_region"]
    summary = sheet.block("summary")
    assert summary.rows[0] == ("资产池总金额", 400.0, None, None, None, None)
    assert summary.rows[1] == ("资产笔数", None, 4, None, None, None)
    assert summary.rows[2] == ("加权平均利率", None, None, None, None, "资产均未披露利率")
    assert summary.rows[3][0] == "第一大债务人" and summary.rows[3][5] == "甲"
    link = sheet.block("data_link_share")
    # (100 + 101) / 400 = 50.25%
    assert "= 201.00 / 400.00 元 = 50.25%" in link.notes[0]
    assert link.totals == ("合计", 4, 400.0, 1.0)
    region = sheet.block("by_region")
    # shares recomputed from the inputs: 3/4 and 1/4 by count, 300/400 and 100/400 by amount
    assert region.rows == (("江苏省", 3, 0.75, 300.0, 0.75), ("山东省", 1, 0.25, 100.0, 0.25))
    assert region.totals == ("合计", 4, 1.0, 400.0, 1.0)


def test_distribution_needs_its_columns() -> None:
    with pytest.raises(ExportError, match=r"table 'by_x': input has no column '金额\(元\)'"):
        distribution_block(pd.DataFrame({"分类": ["a"], "笔数": [1]}), key="by_x", title="x")


def _top_frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    amounts = rng.permutation(np.arange(1, n + 1) * 10_000.0)
    return pd.DataFrame(
        {
            "序号": range(1, n + 1),
            "债权人名称": ["债权人"] * n,
            "债务人名称": [f"债务人{int(a)}" for a in amounts],
            "债务人资信评级": ["AA"] * n,
            "入池本金余额(元)": amounts,
            "利率": [0.04] * n,
            "占比": [0.0] * n,
            "是否关联交易": ["否"] * n,
            "增信机构及评级": ["无"] * n,
            "增信方式/担保物": ["无"] * n,
            "影子评级": ["AA"] * n,
        }
    )


def test_top_obligors_sorted_and_cut_at_twenty() -> None:
    total = 10_000_000.0
    sheet = top_obligors_sheet(_top_frame(25), total_amount=total, may_be_omitted=True)
    block = sheet.blocks[0]
    balances = block.values("balance")
    assert balances == sorted(balances, reverse=True)
    assert len(balances) == 20 and balances[0] == 250_000.0 and balances[-1] == 60_000.0
    assert block.values("rank") == list(range(1, 21))
    # top 20 = (6 + ... + 25) × 10,000 = 310 × 10,000 = 3,100,000; share 31%
    assert block.totals is not None
    assert block.totals[block.column_index("balance")] == 3_100_000.0
    assert block.totals[block.column_index("share")] == pytest.approx(0.31)
    assert block.shown_totals()[0] == "前二十大合计"  # type: ignore[index]
    assert sheet.notes == (TOP20_OMIT_NOTE,)
    assert top_obligors_sheet(_top_frame(3), total_amount=total, may_be_omitted=False).notes == ()


def test_top_obligors_input_contract() -> None:
    with pytest.raises(ExportError, match=r"sheet '前二十大债务人': input needs columns"):
        top_obligors_sheet(pd.DataFrame({"x": [1]}), total_amount=1.0, may_be_omitted=False)


def test_asset_list() -> None:
    sheet = asset_list_sheet(_pool(), as_of=CUTOFF)
    block = sheet.blocks[0]
    assert len(block.rows) == 3
    first = dict(zip(block.keys, block.rows[0], strict=True))
    assert first["obligor"] == "=HYPERLINK(1)"
    assert first["data_link"] == "质押"
    assert first["share"] == 0.6  # 6,000,000 / 10,000,000
    assert first["remaining_years"] == 365 / 365  # 2025-03-31 → 2026-03-31
    assert dict(zip(block.keys, block.rows[2], strict=True))["related_party"] == "是"
    totals = dict(zip(block.keys, block.totals or (), strict=True))
    assert totals["amount"] == 10_000_000.0 and totals["share"] == 1.0
    assert totals["appraised_value"] == 8_000_000.0
    assert block.shown_totals()[0] == "合计"  # type: ignore[index]
    assert "剩余期限自 2025-03-31 起算" in sheet.note


def _pool_frame() -> pd.DataFrame:
    dates = [dt.date(2025, 6, 30), dt.date(2025, 9, 30)]
    return pd.DataFrame(
        {
            "归集日": dates,
            "兑付日": [dt.date(2025, 7, 10), dt.date(2025, 10, 14)],
            "期初本金余额": [1000.0, 600.0],
            "本期应收本金": [400.0, 600.0],
            "本期应收利息": [10.0, 6.0],
            "期末本金余额": [600.0, 0.0],
            "违约金额": [0.0, 0.0],
            "回收金额": [0.0, 0.0],
            "回收款合计": [410.0, 606.0],
            "应缴税费": [0.3, 0.18],
            "实缴税费": [0.3, 0.18],
        }
    )


def test_pool_cashflows_totals_only_on_flows() -> None:
    sheet = pool_cashflow_sheet(_pool_frame())
    block = sheet.blocks[0]
    assert block.keys[:3] == ("period", "collection_date", "payment_date")
    totals = dict(zip(block.keys, block.totals or (), strict=True))
    assert totals["scheduled_principal"] == 1000.0  # 400 + 600
    assert totals["collections"] == 1016.0
    assert totals["tax_due"] == 0.48
    assert totals["opening_balance"] is None and totals["closing_balance"] is None
    assert block.shown_totals()[0] == "合计"  # type: ignore[index]


def test_pool_cashflows_contract() -> None:
    with pytest.raises(ExportError, match=r"unexpected: \['神秘列'\]"):
        pool_cashflow_sheet(_pool_frame().assign(神秘列=1.0))
    with pytest.raises(ExportError, match=r"must include '归集日'"):
        pool_cashflow_sheet(_pool_frame().drop(columns=["归集日"]))


def _tranche_frame() -> pd.DataFrame:
    dates = [
        dt.date(2025, 7, 28),
        dt.date(2025, 10, 27),
        dt.date(2026, 1, 26),
        dt.date(2026, 4, 27),
    ]
    rows = []
    for d, o, p, i in zip(
        dates, [100.0, 40.0, 0.0, 0.0], [60.0, 40.0, 0.0, 0.0], [1.0, 0.4, 0, 0], strict=True
    ):
        rows.append(("优先A", d, o, p, i, 0.0, p + i, o - p, 0.0))
    for d, o, p, x in zip(
        dates, [10.0, 10.0, 10.0, 0.0], [0.0, 0.0, 10.0, 0.0], [0, 0, 5.0, 0], strict=True
    ):
        rows.append(("次级", d, o, p, 0.0, x, p + x, o - p, 0.0))
    return pd.DataFrame(
        rows,
        columns=[
            "档位",
            "兑付日",
            "期初本金",
            "本金",
            "利息",
            "超额收益",
            "现金流",
            "期末本金",
            "补充支付",
        ],
    )


def test_tranche_payments_blocks_trim_and_totals() -> None:
    sheet = tranche_payments_sheet(_tranche_frame())
    a, sub = sheet.blocks
    assert (a.title, sub.title) == ("优先A", "次级")
    assert len(a.rows) == 2  # periods 3-4 carry nothing: trimmed
    assert len(sub.rows) == 3
    ta = dict(zip(a.keys, a.totals or (), strict=True))
    assert (ta["principal"], ta["interest"], ta["cashflow"]) == (100.0, 1.4, 101.4)
    ts = dict(zip(sub.keys, sub.totals or (), strict=True))
    assert (ts["principal"], ts["excess"], ts["cashflow"]) == (10.0, 5.0, 15.0)


def test_tranche_payments_contract() -> None:
    with pytest.raises(ExportError, match=r"missing \['利息'\], unexpected \[\]"):
        tranche_payments_sheet(_tranche_frame().drop(columns=["利息"]))
    with pytest.raises(ExportError, match=r"input has no rows"):
        tranche_payments_sheet(_tranche_frame().iloc[:0])


def test_coverage_sheet() -> None:
    cov = pd.DataFrame(
        {
            "兑付日": [dt.date(2025, 7, 28), dt.date(2025, 10, 27), dt.date(2026, 1, 26)],
            "基准": [1.5, np.inf, np.nan],
            "重度": [1.1, 0.9, np.nan],
        }
    )
    summary = pd.DataFrame(
        {
            "情景": ["基准", "重度"],
            "最低覆盖倍数（仅利息）": [1.5, 0.9],
            "全周期覆盖倍数（仅利息）": [1.6, 1.0],
        }
    )
    sheet = coverage_sheet(
        coverage=cov, coverage_principal=None, summary=summary, scenarios=["基准", "重度"]
    )
    assert [b.key for b in sheet.blocks] == ["summary", "per_period"]
    per = sheet.block("per_period")
    assert [c.label for c in per.columns] == ["期数", "兑付日", "基准", "重度"]
    assert per.rows == (
        (1, dt.date(2025, 7, 28), 1.5, 1.1),
        (2, dt.date(2025, 10, 27), None, 0.9),  # inf (nothing owed) → empty
    )
    assert sheet.block("summary").rows == (("基准", 1.5, 1.6), ("重度", 0.9, 1.0))
    with pytest.raises(ExportError, match=r"table 'coverage': input has no column\(s\) \['轻度'\]"):
        coverage_sheet(coverage=cov, coverage_principal=None, summary=summary, scenarios=["轻度"])


def test_frame_block_names_missing_column() -> None:
    from abs.filing import Column

    with pytest.raises(ExportError, match=r"sheet 'x', table 't': input has no column '金额'"):
        frame_block(
            pd.DataFrame({"a": [1]}),
            key="t",
            title=None,
            columns=[Column("amount", "金额", ColumnKind.MONEY)],
            sheet="x",
        )


def test_stress_and_model_notes_and_whole_workbook() -> None:
    with pytest.raises(ExportError, match=r"needs at least the stress grid table"):
        stress_sheet([], note="")
    deal = _deal()
    grid = distribution_block(
        pd.DataFrame({"分类": ["基准"], "笔数": [1], "金额(元)": [1.0]}), key="grid", title="网格"
    )
    sheets = [
        deal_summary_sheet(deal, classification={"kind_zh": "贴标型", "data_share": 0.6}),
        asset_list_sheet(_pool(), as_of=CUTOFF),
        pool_cashflow_sheet(_pool_frame()),
        tranche_payments_sheet(_tranche_frame()),
        stress_sheet([grid], note="压力"),
        model_notes_sheet(
            run_facts=[("软件版本", "dabs 0.1.0"), ("随机种子", "7")],
            assumptions=[("折现率", "8.00%", "收益法折现率 r")],
            scenario_definitions=[("重度", "收入下降", "50.00%", "DOMAIN.md")],
        ),
    ]
    assert [b.key for b in sheets[-1].blocks] == ["run", "assumptions", "scenarios"]
    assert render_xlsx(sheets)[:2] == b"PK"
    assert len(render_csv(sheets)) == 6
    doc = json.loads(render_json(sheets))
    assert [s["name"] for s in doc["sheets"]] == [s.sheet for s in sheets]
    assert math.isclose(doc["sheets"][1]["tables"][0]["totals"][6], 10_000_000.0)
