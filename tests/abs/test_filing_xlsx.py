"""xlsx writer: sheet order, layout, frozen panes, widths, number formats, totals, properties."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from abs.errors import ExportError
from abs.filing import Column, ColumnKind, FilingTable, TableBlock, WorkbookProperties, render_xlsx
from abs.filing.xlsx import MAX_WIDTH, display_width, money_to_wan, write_xlsx


def _summary_sheet() -> FilingTable:
    cols = (
        Column("tranche", "档位"),
        Column("balance", "发行规模", ColumnKind.MONEY),
        Column("share", "占比", ColumnKind.PERCENT),
        Column("coupon", "票面利率", ColumnKind.PERCENT),
        Column("maturity", "预期到期日", ColumnKind.DATE),
        Column("wal", "加权平均期限", ColumnKind.NUMBER, unit="年", decimals=3),
        Column("count", "笔数", ColumnKind.INTEGER),
        Column("cover", "覆盖倍数", ColumnKind.RATIO),
    )
    rows = (
        ("优先A1", 300_000_000.0, 0.6, 0.021, dt.date(2027, 6, 26), 1.2345, 1, 1.3512),
        ("优先A2", 150_000_000.004, 0.3, 0.024, dt.date(2028, 6, 26), 2.5, 1, None),
        ("次级", 50_000_000.0, 0.1, None, dt.date(2029, 6, 26), 3.0, 1, None),
    )
    block = TableBlock(key="tranches", title=None, columns=cols, rows=rows).with_sum_totals(
        ["balance", "share", "count"]
    )
    return FilingTable(
        key="deal_summary",
        sheet="产品概要",
        sheet_en="Deal summary",
        note="金额单位：万元",
        blocks=(block,),
        notes=("注：示例数据",),
    )


def _stats_sheet() -> FilingTable:
    cols = (Column("bucket", "分类"), Column("amount", "金额", ColumnKind.MONEY))
    blocks = tuple(
        TableBlock(key=k, title=t, columns=cols, rows=(("山东省", 1e6), ("江苏省", 3e6)))
        for k, t in (("by_region", "按地区"), ("by_industry", "按行业"))
    )
    return FilingTable(
        key="pool_stats", sheet="基础资产统计", sheet_en="Pool statistics", note="", blocks=blocks
    )


def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_sheets_in_the_given_order_with_header_note() -> None:
    wb = _load(render_xlsx([_summary_sheet(), _stats_sheet()]))
    assert wb.sheetnames == ["产品概要", "基础资产统计"]
    ws = wb["产品概要"]
    assert ws["A1"].value == "产品概要（Deal summary）"
    assert ws["A1"].font.b is True
    assert ws["A2"].value == "金额单位：万元"
    assert [c.value for c in ws[4]] == [
        "档位",
        "发行规模(万元)",
        "占比",
        "票面利率",
        "预期到期日",
        "加权平均期限(年)",
        "笔数",
        "覆盖倍数(倍)",
    ]


def test_values_formats_and_totals() -> None:
    ws = _load(render_xlsx([_summary_sheet()]))["产品概要"]
    a1 = [c for c in ws[5]]
    # 300,000,000 元 = 30,000.00 万元
    assert a1[1].value == 30_000.0 and a1[1].number_format == "#,##0.00"
    assert a1[2].value == 0.6 and a1[2].number_format == "0.00%"
    assert a1[4].value == dt.datetime(2027, 6, 26) and a1[4].number_format == "yyyy-mm-dd"
    assert a1[5].number_format == "0.000"
    assert a1[6].number_format == "#,##0"
    assert a1[7].number_format == "0.00"
    assert ws.cell(6, 2).value == 15_000.0  # 150,000,000.004 元 → to the fen → 15,000.000000 万元
    assert ws.cell(7, 4).value is None  # empty cell stays empty
    totals = [c for c in ws[8]]
    assert [c.value for c in totals[:3]] == ["合计", 50_000.0, 1.0]
    assert all(c.font.b for c in totals)
    assert ws.cell(5, 2).font.b is False
    assert ws.cell(10, 1).value == "注：示例数据"


def test_single_block_freezes_header_and_widths_follow_content() -> None:
    ws = _load(render_xlsx([_summary_sheet()]))["产品概要"]
    assert ws.freeze_panes == "A5"
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGH"}
    # column A: longest content "优先A1" = 2 CJK × 2 + 2 = 6, + padding 2 = 8 (the minimum)
    assert widths["A"] == pytest.approx(8.0, abs=0.75)
    # column B header "发行规模(万元)": 6 CJK × 2 + 2 brackets = 14, + 2 padding = 16
    assert widths["B"] == pytest.approx(16.0, abs=0.75)


def test_multi_block_sheet_freezes_title_rows() -> None:
    ws = _load(render_xlsx([_stats_sheet()]))["基础资产统计"]
    assert ws.freeze_panes == "A3"
    assert ws["A4"].value == "按地区" and ws["A4"].font.b
    assert [ws.cell(5, c).value for c in (1, 2)] == ["分类", "金额(万元)"]
    assert ws["A9"].value == "按行业"
    assert ws.cell(11, 2).value == 100.0


def test_display_width_counts_cjk_double() -> None:
    assert display_width("abc") == 3
    assert display_width("债务人") == 6
    assert display_width("A１") == 3  # full-width digit counts 2
    assert display_width("长" * 10_000) == 160  # only a sample is measured; capped anyway


def test_long_text_width_is_capped() -> None:
    block = TableBlock(key="t", title=None, columns=(Column("n", "名称"),), rows=(("长" * 500,),))
    sheet = FilingTable(key="s", sheet="表", sheet_en="S", note="", blocks=(block,))
    assert _load(render_xlsx([sheet]))["表"].column_dimensions["A"].width == pytest.approx(
        MAX_WIDTH, abs=0.75
    )


def test_money_to_wan_rounds_to_the_fen() -> None:
    # 123,456,789.126 元 → 123,456,789.13 元 (fen) → 12,345.678913 万元
    assert money_to_wan(123_456_789.126) == 12_345.678913
    assert money_to_wan(-0.004) == 0.0


def test_properties_are_stored() -> None:
    props = WorkbookProperties(
        title="青岛数据资产ABS申报表格",
        author="dabs 0.1.0",
        comments="seed 7",
        created=dt.datetime(2026, 4, 1, 9, 30),
    )
    data = render_xlsx([_summary_sheet()], properties=props)
    wb = _load(data)
    assert wb.properties.title == "青岛数据资产ABS申报表格"
    assert wb.properties.creator == "dabs 0.1.0"
    assert wb.properties.created == dt.datetime(2026, 4, 1, 9, 30)
    core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    assert "seed 7" in core


def test_duplicate_sheet_names_rejected() -> None:
    with pytest.raises(ExportError, match=r"sheet name '产品概要' is used twice"):
        render_xlsx([_summary_sheet(), _summary_sheet()])


def test_write_xlsx_is_atomic_and_refuses_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    write_xlsx([_summary_sheet()], target)
    first = target.read_bytes()
    with pytest.raises(ExportError, match=r"out.xlsx: file exists; use --force to overwrite"):
        write_xlsx([_stats_sheet()], target)
    assert target.read_bytes() == first
    write_xlsx([_stats_sheet()], target, force=True)
    assert _load(target.read_bytes()).sheetnames == ["基础资产统计"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]
    with pytest.raises(ExportError, match=r"missing/out.xlsx: folder .*missing does not exist"):
        write_xlsx([_summary_sheet()], tmp_path / "missing" / "out.xlsx")
