"""The filing table model: typed columns, validation messages, totals."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from abs.errors import ExportError
from abs.filing.model import (
    Column,
    ColumnKind,
    FilingTable,
    TableBlock,
    check_sheet_name,
    check_workbook,
)

MONEY = ColumnKind.MONEY


def _block(rows: tuple[tuple[object, ...], ...], **kw: object) -> TableBlock:
    cols = (
        Column("name", "名称"),
        Column("amount", "金额", MONEY),
        Column("share", "占比", ColumnKind.PERCENT),
        Column("count", "笔数", ColumnKind.INTEGER),
        Column("day", "日期", ColumnKind.DATE),
    )
    return TableBlock(key="main", title="测试", columns=cols, rows=rows, **kw)  # type: ignore[arg-type]


def _sheet(name: str = "示例", key: str = "demo") -> FilingTable:
    return FilingTable(
        key=key, sheet=name, sheet_en="Demo", note="", blocks=(_block((("a", 1, 0.5, 1, None),)),)
    )


def test_cells_are_normalised() -> None:
    b = _block(
        (
            ("甲", np.float64(1.5), np.float32(0.25), np.int64(3), dt.datetime(2026, 1, 2, 9, 30)),
            ("乙", 2, 1, 4.0, dt.date(2026, 3, 31)),
        )
    )
    assert b.rows[0] == ("甲", 1.5, 0.25, 3, dt.date(2026, 1, 2))
    assert type(b.rows[1][1]) is float and type(b.rows[1][3]) is int
    assert b.values("amount") == [1.5, 2.0]


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ((1, 1.0, 0.1, 1, None), r"row 1, column 'name' \(名称\): text column needs a str, got 1"),
        (
            ("a", "1", 0.1, 1, None),
            r"column 'amount' \(金额\): money column needs a number, got '1'",
        ),
        (("a", True, 0.1, 1, None), r"money column needs a number, got True"),
        (("a", float("nan"), 0.1, 1, None), r"money column needs a finite number .*got nan"),
        (("a", 1.0, float("inf"), 1, None), r"percent column needs a finite number .*got inf"),
        (("a", 1.0, 0.1, 1.5, None), r"integer column needs a whole number, got 1.5"),
        (("a", 1.0, 0.1, 1, "2026-01-01"), r"date column needs a datetime.date, got '2026-01-01'"),
        (("a\ud800", 1.0, 0.1, 1, None), r"unpaired surrogate U\+D800 at position 1"),
        (("a", 1.0), r"table 'main', row 1: expected 5 values \(one per column\), got 2"),
    ],
)
def test_bad_cells_name_row_column_and_value(row: tuple[object, ...], match: str) -> None:
    with pytest.raises(ExportError, match=match):
        _block((row,))


def test_bad_totals_row_is_named() -> None:
    with pytest.raises(ExportError, match=r"row 合计, column 'count'"):
        _block((), totals=("合计", 1.0, 1.0, "x", None))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"key": "Amount", "label": "金额"}, r"key must be snake_case ASCII .*got 'Amount'"),
        ({"key": "amount", "label": " "}, r"column 'amount': label must not be empty"),
        ({"key": "x", "label": "x", "decimals": 11}, r"decimals must be between 0 and 10, got 11"),
    ],
)
def test_bad_columns(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ExportError, match=match):
        Column(**kwargs)  # type: ignore[arg-type]


def test_column_headers_carry_units_per_target() -> None:
    money = Column("amount", "入池金额", MONEY)
    share = Column("share", "占比", ColumnKind.PERCENT)
    years = Column("wal", "加权平均剩余期限", ColumnKind.NUMBER, unit="年")
    assert [money.header(t) for t in ("xlsx", "csv", "json")] == [
        "入池金额(万元)",
        "入池金额(元)",
        "入池金额(元)",
    ]
    assert [share.header("xlsx"), share.header("csv")] == ["占比", "占比(%)"]
    assert years.header("xlsx") == years.header("csv") == "加权平均剩余期限(年)"
    assert Column("k", "倍数", ColumnKind.RATIO).header("xlsx") == "倍数(倍)"


def test_block_errors() -> None:
    with pytest.raises(ExportError, match=r"table 'x': needs at least one column"):
        TableBlock(key="x", title=None, columns=(), rows=())
    with pytest.raises(ExportError, match=r"column keys must be unique; duplicated: \['a'\]"):
        TableBlock(key="x", title=None, columns=(Column("a", "甲"), Column("a", "乙")), rows=())
    with pytest.raises(ExportError, match=r"table '标题': key must be snake_case ASCII, got 'X'"):
        TableBlock(key="X", title="标题", columns=(Column("a", "甲"),), rows=())
    with pytest.raises(ExportError, match=r"table 'main': no column 'zzz'; columns are"):
        _block(()).column_index("zzz")


def test_sum_totals_exact_to_the_fen() -> None:
    # 0.1 + 0.2 + 0.3 summed naively is 0.6000000000000001; fsum then fen rounding gives 0.6.
    b = _block(
        (
            ("a", 0.1, 0.2, 1, None),
            ("b", 0.2, 0.3, 2, None),
            ("c", 0.3, 0.5, 3, None),
            ("d", None, None, None, None),
        )
    ).with_sum_totals(["amount", "share", "count"])
    assert b.totals == ("合计", 0.6, 1.0, 6, None)


def test_sum_totals_errors() -> None:
    b = _block((("a", 1.0, 0.1, 1, dt.date(2026, 1, 1)),))
    with pytest.raises(ExportError, match=r"cannot sum date column 'day'"):
        b.with_sum_totals(["day"])
    with pytest.raises(ExportError, match=r"the first column 'name' holds the totals label"):
        b.with_sum_totals(["name"])
    num_first = TableBlock(
        key="n", title=None, columns=(Column("amount", "金额", MONEY),), rows=((1.0,),)
    )
    with pytest.raises(ExportError, match=r"first column 'amount' holds the totals label"):
        num_first.with_sum_totals(["amount"])


def test_totals_label_shown_in_a_numeric_first_column() -> None:
    cols = (Column("period", "期数", ColumnKind.INTEGER), Column("amount", "金额", MONEY))
    b = TableBlock(key="p", title=None, columns=cols, rows=((1, 2.5), (2, 3.0)))
    t = b.with_sum_totals(["amount"], label="合计")
    assert t.totals == (None, 5.5)
    assert t.shown_totals() == ("合计", 5.5)
    assert b.shown_totals() is None


@given(st.lists(st.integers(min_value=-(10**12), max_value=10**12), max_size=50))
def test_money_totals_equal_the_fen_sum(fen: list[int]) -> None:
    rows = tuple(("x", f / 100, None, None, None) for f in fen)
    b = _block(rows).with_sum_totals(["amount"])
    assert b.totals is not None
    assert round(float(b.totals[1] or 0.0) * 100) == sum(fen)


def test_from_records_fills_missing_with_empty() -> None:
    cols = (Column("name", "名称"), Column("amount", "金额", MONEY))
    b = TableBlock.from_records(
        key="r",
        title=None,
        columns=cols,
        records=[{"name": "甲"}, {"name": "乙", "amount": 5}],
        totals={"name": "合计", "amount": 5},
        notes=["注"],
    )
    assert b.rows == (("甲", None), ("乙", 5.0))
    assert b.totals == ("合计", 5.0)
    assert b.notes == ("注",)


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("", r"must have 1 to 31 characters, got 0"),
        ("长" * 32, r"must have 1 to 31 characters, got 32"),
        ("a/b", r"must not contain '/'"),
        ("x[1]", r"must not contain '\[\]'"),
        ("'abc", r"must not start or end with an apostrophe"),
    ],
)
def test_sheet_names_follow_excel_rules(name: str, match: str) -> None:
    with pytest.raises(ExportError, match=match):
        check_sheet_name(name)


def test_sheet_errors() -> None:
    with pytest.raises(ExportError, match=r"sheet '示例': needs at least one table"):
        FilingTable(key="demo", sheet="示例", sheet_en="Demo", note="", blocks=())
    b = _block(())
    with pytest.raises(ExportError, match=r"table keys must be unique; duplicated: \['main'\]"):
        FilingTable(key="demo", sheet="示例", sheet_en="Demo", note="", blocks=(b, b))
    with pytest.raises(ExportError, match=r"sheet '示例': key must be snake_case ASCII, got '1a'"):
        FilingTable(key="1a", sheet="示例", sheet_en="Demo", note="", blocks=(b,))
    with pytest.raises(ExportError, match=r"sheet '示例': no table 'zz'; tables are \['main'\]"):
        _sheet().block("zz")


def test_workbook_checks() -> None:
    with pytest.raises(ExportError, match=r"filing export: no sheets to write"):
        check_workbook([])
    with pytest.raises(
        ExportError, match=r"sheet name 'Sheet' is used twice .*clashes with 'SHEET'"
    ):
        check_workbook([_sheet("SHEET", "a"), _sheet("Sheet", "b")])
    with pytest.raises(ExportError, match=r"sheet key 'a' is used twice"):
        check_workbook([_sheet("甲", "a"), _sheet("乙", "a")])


@pytest.mark.parametrize(
    "module",
    [
        "abs.filing",
        "abs.filing.model",
        "abs.filing.sanitize",
        "abs.filing.xlsx",
        "abs.filing.csv_out",
        "abs.filing.json_out",
        "abs.filing.sheets",
    ],
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0
