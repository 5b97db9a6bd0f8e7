"""CSV writer: layout, values in 元, encodings, all-or-nothing folder writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from abs.errors import ExportError
from abs.filing import Column, ColumnKind, FilingTable, TableBlock, render_csv, write_csv
from abs.filing.csv_out import csv_cell


def _sheets() -> list[FilingTable]:
    cols = (
        Column("tranche", "档位"),
        Column("balance", "发行规模", ColumnKind.MONEY),
        Column("share", "占比", ColumnKind.PERCENT),
        Column("maturity", "预期到期日", ColumnKind.DATE),
        Column("count", "笔数", ColumnKind.INTEGER),
        Column("cover", "覆盖倍数", ColumnKind.RATIO),
        Column("wal", "期限", ColumnKind.NUMBER, unit="年", decimals=2),
    )
    rows = (
        ("优先A", 123_000_000.0, 0.946153846, dt.date(2027, 4, 26), 1, 1.25, 1.5),
        ("次级", 7_000_000.0, 0.053846154, dt.date(2027, 4, 26), 1, None, None),
    )
    main = TableBlock(key="tranches", title="证券", columns=cols, rows=rows).with_sum_totals(
        ["balance", "share", "count"]
    )
    summary = FilingTable(
        key="deal_summary", sheet="产品概要", sheet_en="Deal summary", note="", blocks=(main,)
    )
    two = FilingTable(
        key="stress",
        sheet="压力测试",
        sheet_en="Stress tests",
        note="",
        blocks=(
            TableBlock(key="grid", title="压力情景", columns=cols[:2], rows=(("基准", 1.0),)),
            TableBlock(key="breakeven", title="临界值", columns=cols[:2], rows=(("优先A", 2.0),)),
        ),
        notes=("注：示例",),
    )
    return [summary, two]


def test_single_block_sheet_is_a_plain_table() -> None:
    files = render_csv(_sheets())
    assert list(files) == ["01_产品概要.csv", "02_压力测试.csv"]
    text = files["01_产品概要.csv"].decode("utf-8-sig")
    assert files["01_产品概要.csv"].startswith(b"\xef\xbb\xbf")
    assert text.split("\r\n") == [
        "档位,发行规模(元),占比(%),预期到期日,笔数,覆盖倍数(倍),期限(年)",
        "优先A,123000000.00,94.6154,2027-04-26,1,1.2500,1.5000",
        "次级,7000000.00,5.3846,2027-04-26,1,,",
        "合计,130000000.00,100.0000,,2,,",
        "",
    ]


def test_multi_block_sheet_has_titles_blank_lines_and_notes() -> None:
    text = render_csv(_sheets())["02_压力测试.csv"].decode("utf-8-sig")
    assert text.split("\r\n") == [
        "【压力情景】",
        "档位,发行规模(元)",
        "基准,1.00",
        "",
        "【临界值】",
        "档位,发行规模(元)",
        "优先A,2.00",
        "",
        "注：示例",
        "",
    ]


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (-0.001, ColumnKind.MONEY, "0.00"),  # no "-0.00"
        (-1234.567, ColumnKind.MONEY, "-1234.57"),  # negatives are numbers: no apostrophe
        (0.5046, ColumnKind.PERCENT, "50.4600"),
        (1.23456, ColumnKind.RATIO, "1.2346"),
        (7, ColumnKind.INTEGER, "7"),
        (None, ColumnKind.MONEY, ""),
    ],
)
def test_csv_cells(value: float | None, kind: ColumnKind, expected: str) -> None:
    assert csv_cell(value, Column("x", "值", kind)) == expected


def test_unknown_encoding_rejected() -> None:
    with pytest.raises(
        ExportError, match=r"encoding must be one of utf-8-sig, utf-8, gbk, gb18030"
    ):
        render_csv(_sheets(), encoding="latin-1")


def test_gbk_output_is_gbk() -> None:
    data = render_csv(_sheets(), encoding="gbk")["01_产品概要.csv"]
    assert data.decode("gbk").startswith("档位,发行规模(元)")


def test_write_csv_creates_folder_whole(tmp_path: Path) -> None:
    out = tmp_path / "csv"
    written = write_csv(_sheets(), out)
    assert [p.name for p in written] == ["01_产品概要.csv", "02_压力测试.csv"]
    assert sorted(p.name for p in out.iterdir()) == ["01_产品概要.csv", "02_压力测试.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv"]  # no temp folder left


def test_write_csv_refuses_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "csv"
    write_csv(_sheets(), out)
    before = (out / "01_产品概要.csv").read_bytes()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match=r"csv: 2 file\(s\) exist \(01_产品概要.csv, 02_压力测试"):
        write_csv(_sheets()[:1] + _sheets()[1:], out, encoding="gbk")
    assert (out / "01_产品概要.csv").read_bytes() == before
    write_csv(_sheets(), out, encoding="gbk", force=True)
    assert (out / "01_产品概要.csv").read_bytes() != before
    assert (out / "keep.txt").read_text() == "mine"  # other files in the folder are untouched
    assert sorted(p.name for p in out.iterdir()) == [
        "01_产品概要.csv",
        "02_压力测试.csv",
        "keep.txt",
    ]


def test_failed_gbk_export_writes_nothing(tmp_path: Path) -> None:
    block = TableBlock(key="t", title=None, columns=(Column("n", "名称"),), rows=(("😀",),))
    bad = FilingTable(key="bad", sheet="表", sheet_en="S", note="", blocks=(block,))
    with pytest.raises(ExportError, match=r"02_表.csv: line 2, column 1: character '😀'"):
        write_csv([_sheets()[0], bad], tmp_path / "csv", encoding="gbk")
    assert list(tmp_path.iterdir()) == []


def test_missing_parent_folder(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"nope/csv: folder .*nope does not exist"):
        write_csv(_sheets(), tmp_path / "nope" / "csv")


def test_target_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "csv").write_text("x")
    with pytest.raises(ExportError, match=r"csv: exists and is not a folder"):
        write_csv(_sheets(), tmp_path / "csv", force=True)
