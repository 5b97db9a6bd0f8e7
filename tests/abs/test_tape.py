"""Pool tape reading: encodings, formats, headers, values, every error and warning message."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from abs.asset import Asset, Pool
from abs.enums import Amortization, AssetType, DataLink, Frequency
from abs.errors import TapeError
from abs.tape import (
    COLUMN_BY_FIELD,
    REQUIRED_FIELDS,
    TAPE_COLUMNS,
    ColumnKind,
    _derived_column,
    format_issues,
    match_header,
    read_tape,
    read_tape_bytes,
    read_tape_bytes_report,
    read_tape_report,
    tape_headers,
)

EN_HEADER = [
    "asset_id",
    "obligor",
    "asset_type",
    "data_link",
    "amount",
    "start_date",
    "maturity_date",
]
ZH_HEADER = ["资产编号", "债务人", "资产类型", "数据资产关联", "入池金额", "起始日", "到期日"]


def _csv(rows: list[list[str]], header: list[str] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header or EN_HEADER)
    writer.writerows(rows)
    return buffer.getvalue()


def _row(asset_id: str = "A1", **overrides: str) -> list[str]:
    base = {
        "asset_id": asset_id,
        "obligor": "某城投（示例）",
        "asset_type": "receivable",
        "data_link": "none",
        "amount": "1000000.00",
        "start_date": "2025-01-31",
        "maturity_date": "2026-01-31",
    }
    base.update(overrides)
    return [base[h] for h in EN_HEADER]


def _raise(text: str | bytes, filename: str = "t.csv") -> TapeError:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(TapeError) as info:
        read_tape_bytes(data, filename=filename)
    return info.value


# --- encodings and formats -------------------------------------------------------------------


def test_utf8_without_bom_english_headers() -> None:
    report = read_tape_bytes_report(_csv([_row()]).encode("utf-8"), filename="t.csv")
    assert report.encoding == "utf-8"
    assert report.file_format == "csv"
    asset = report.pool.assets[0]
    assert (asset.asset_id, asset.obligor, asset.amount) == ("A1", "某城投（示例）", 1_000_000.0)
    assert asset.start_date == dt.date(2025, 1, 31)
    assert report.pool.source == "t.csv"


def test_utf8_with_bom() -> None:
    data = b"\xef\xbb\xbf" + _csv([_row()], ZH_HEADER).encode("utf-8")
    report = read_tape_bytes_report(data, filename="bom.csv")
    assert report.encoding == "utf-8-sig"
    assert report.columns["资产编号"] == "asset_id"  # BOM not glued to the first header
    assert report.pool.assets[0].asset_id == "A1"


def test_gbk_chinese_headers_and_values() -> None:
    text = _csv(
        [
            [
                "R1",
                "如皋某城投（示例）",
                "应收账款",
                "质押",
                "13,000,000.00",
                "2025/1/31",
                "2026年1月31日",
            ]
        ],
        ZH_HEADER,
    )
    report = read_tape_bytes_report(text.encode("gbk"), filename="gbk.csv")
    assert report.encoding == "gb18030"
    asset = report.pool.assets[0]
    assert asset.asset_type is AssetType.RECEIVABLE
    assert asset.data_link is DataLink.PLEDGED
    assert asset.amount == 13_000_000.0
    assert asset.maturity_date == dt.date(2026, 1, 31)


def test_gb18030_characters_outside_gbk() -> None:
    name = "𠀀某数据公司（示例）"  # U+20000 exists in GB18030 only
    text = _csv([_row(obligor=name)])
    pool = read_tape_bytes(text.encode("gb18030"), filename="gb.csv")
    assert pool.assets[0].obligor == name


def test_tab_separated_text() -> None:
    text = "\t".join(EN_HEADER) + "\n" + "\t".join(_row()) + "\n"
    assert read_tape_bytes(text.encode(), filename="t.txt").assets[0].asset_id == "A1"


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    first = True
    for title, rows in sheets.items():
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        assert sheet is not None
        sheet.title = title
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_prefers_sheet_named_资产明细_and_reads_native_cells(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [*ZH_HEADER, "利率", "是否关联交易"],
        [
            "T1",
            "某建工（示例）",
            "应收账款",
            "无",
            2_500_000.5,
            dt.datetime(2025, 1, 31),
            dt.date(2026, 1, 31),
            0.035,
            True,
        ],
        [1002, "某建工（示例）", "应收账款", "无", 1000, 45658, "2026/2/1", "3.5%", "否"],
    ]
    path = _xlsx(tmp_path / "t.xlsx", {"说明": [["这是说明页"]], "资产明细": rows})
    report = read_tape_report(path)
    assert report.sheet == "资产明细"
    assert report.file_format == "xlsx"
    a, b = report.pool.assets
    assert (a.amount, a.start_date, a.rate, a.related_party) == (
        2_500_000.5,
        dt.date(2025, 1, 31),
        0.035,
        True,
    )
    # numeric id → "1002"; Excel serial 45658 → 2025-01-01; "3.5%" → 0.035
    assert (b.asset_id, b.start_date, b.rate, b.related_party) == (
        "1002",
        dt.date(2025, 1, 1),
        0.035,
        False,
    )


def test_xlsx_first_sheet_when_no_preferred_name(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "t.xlsx", {"Sheet A": [EN_HEADER, _row()], "Other": [["x"]]})
    report = read_tape_report(path)
    assert report.sheet == "Sheet A"
    assert len(report.pool) == 1


def test_input_file_is_never_modified(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(_csv([_row()]).encode("gbk"))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([_row(amount="-5")]).encode("utf-8"))
    book = _xlsx(tmp_path / "t.xlsx", {"tape": [EN_HEADER, _row()]})
    before = {
        p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in (good, bad, book)
    }
    read_tape(good)
    read_tape(book)
    with pytest.raises(TapeError):
        read_tape(bad)
    after = {
        p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in (good, bad, book)
    }
    assert before == after
    assert sorted(x.name for x in tmp_path.iterdir()) == ["bad.csv", "good.csv", "t.xlsx"]


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        (" 入池金额（元） ", "amount"),
        ("入池金额(元)", "amount"),
        ("入池本金余额", "amount"),
        ("未偿本金余额", "amount"),
        ("Asset ID", "asset_id"),
        ("合同编号", "asset_id"),
        ("债务人名称", "obligor"),
        ("付款方", "obligor"),
        ("原始权益人/债权人", "originator"),
        ("债权人", "originator"),
        ("MATURITY_DATE", "maturity_date"),
        ("资产编号*", "asset_id"),
        ("单价（元/次）", "unit_price"),
        ("备注", None),
    ],
)
def test_match_header(header: str, field: str | None) -> None:
    assert match_header(header) == field


def test_headers_in_any_order_with_spaces() -> None:
    header = [" 到期日", "入池金额 ", "资产编号", "数据资产关联", "资产类型", "债务人", "起始日"]
    row = ["2026-01-01", "500", "X", "直接", "数据授权", "某银行（示例）", "2025-01-01"]
    text = _csv([row], header)
    pool = read_tape_bytes(text.encode(), filename="t.csv")
    asset = pool.assets[0]
    assert (asset.asset_id, asset.asset_type, asset.data_link, asset.amount) == (
        "X",
        AssetType.DATA_LICENSE,
        DataLink.DIRECT,
        500.0,
    )


def test_every_asset_field_has_a_column_and_names_are_consistent() -> None:
    assert {c.field for c in TAPE_COLUMNS} == set(Asset.model_fields)
    assert set(REQUIRED_FIELDS) == {
        "asset_id",
        "obligor",
        "asset_type",
        "data_link",
        "amount",
        "start_date",
        "maturity_date",
    }
    for col in TAPE_COLUMNS:
        description = Asset.model_fields[col.field].description or ""
        # the canonical Chinese header is the one the model documents
        assert col.zh in description, (col.field, col.zh, description)
        for spelling in col.headers:
            assert match_header(spelling) == col.field
    assert tape_headers(chinese=True)[:3] == ["资产编号", "债务人", "资产类型"]
    assert tape_headers(chinese=False)[4] == "amount"


def test_derived_column_for_fields_without_an_entry() -> None:
    assert _derived_column("volume").kind is ColumnKind.NUMBER
    assert _derived_column("recovery_lag").kind is ColumnKind.INTEGER
    assert _derived_column("booked").kind is ColumnKind.BOOL
    assert _derived_column("start_date").kind is ColumnKind.DATE
    assert _derived_column("payment_frequency").enum is Frequency
    assert _derived_column("registry").zh == "登记机构"


# --- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,000,000.00", 1_000_000.0),
        (" 2,000.50元 ", 2000.5),
        ("¥3,000", 3000.0),
        ("１２３４", 1234.0),  # full-width digits
        ("1e6", 1_000_000.0),
    ],
)
def test_amount_spellings(text: str, expected: float) -> None:
    pool = read_tape_bytes(_csv([_row(amount=text)]).encode(), filename="t.csv")
    assert pool.assets[0].amount == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-31", dt.date(2025, 1, 31)),
        ("2025/1/31", dt.date(2025, 1, 31)),
        ("2025.1.31", dt.date(2025, 1, 31)),
        ("20250131", dt.date(2025, 1, 31)),
        ("2025年1月31日", dt.date(2025, 1, 31)),
        ("2025-01-31 00:00:00", dt.date(2025, 1, 31)),
        ("45688", dt.date(2025, 1, 31)),  # Excel serial: 1899-12-30 + 45688 days
    ],
)
def test_date_spellings(text: str, expected: dt.date) -> None:
    pool = read_tape_bytes(_csv([_row(start_date=text)]).encode(), filename="t.csv")
    assert pool.assets[0].start_date == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("4.5%", 0.045), ("0.045", 0.045), (" 4.50 % ", 0.045), ("0", 0.0), ("100%", 1.0)],
)
def test_rate_as_percent_or_fraction(rate: str, expected: float) -> None:
    text = _csv([[*_row(), rate]], [*EN_HEADER, "rate"])
    assert read_tape_bytes(text.encode(), filename="t.csv").assets[0].rate == pytest.approx(
        expected
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("", False),
    ],
)
def test_boolean_spellings(text: str, expected: bool) -> None:
    tape = _csv([[*_row(), text]], [*EN_HEADER, "是否关联交易"])
    assert read_tape_bytes(tape.encode(), filename="t.csv").assets[0].related_party is expected


def test_enums_in_chinese_or_english_and_optional_columns() -> None:
    header = [*EN_HEADER, "还款频率", "还本方式", "region", "pd", "recovery_lag", "是否入表"]
    rows = [
        [
            *_row("A1", asset_type="算法服务", data_link="直接"),
            "按季",
            "到期一次还本",
            "山东省",
            "1%",
            "2",
            "是",
        ],
        [*_row("A2", asset_type="lease", data_link="无"), "monthly", "等额本息", "", "", "", ""],
    ]
    a, b = read_tape_bytes(_csv(rows, header).encode(), filename="t.csv").assets
    assert (a.asset_type, a.payment_frequency, a.amortization) == (
        AssetType.ALGORITHM_SERVICE,
        Frequency.QUARTERLY,
        Amortization.BULLET,
    )
    assert (a.region, a.pd, a.recovery_lag, a.booked) == ("山东省", 0.01, 2, True)
    assert (b.payment_frequency, b.amortization, b.region, b.pd, b.booked) == (
        Frequency.MONTHLY,
        Amortization.LEVEL,
        None,
        None,
        None,
    )


def test_blank_lines_are_skipped_and_rows_numbered_as_excel_shows() -> None:
    text = _csv([_row("A1"), ["", "", "", "", "", "", ""], _row("A2", amount="x")])
    err = _raise(text)
    (issue,) = err.issues
    assert issue.row == 4  # header 1, A1 2, blank 3, A2 4


def test_pool_round_trips_json_and_equals_validated_assets() -> None:
    header = [*EN_HEADER, "rate", "registration_id", "churn"]
    rows = [
        [
            *_row("A1", data_link="direct", asset_type="data_product"),
            "",
            "青数登(2026)第0001号",
            "5%",
        ]
    ]
    pool = read_tape_bytes(
        _csv(rows, header).encode(), filename="t.csv", cutoff_date=dt.date(2025, 3, 31)
    )
    assert pool.cutoff_date == dt.date(2025, 3, 31)
    assert Pool.model_validate_json(pool.model_dump_json()) == pool
    for asset in pool.assets:
        assert Asset.model_validate(asset.model_dump()) == asset


# --- errors: each message --------------------------------------------------------------------


def test_missing_required_columns_listed_with_accepted_headers() -> None:
    err = _raise("asset_id,amount\nA1,5\n")
    text = str(err)
    assert "5 problem(s)" in text
    for label in (
        "债务人 (obligor)",
        "资产类型 (asset_type)",
        "数据资产关联 (data_link)",
        "起始日 (start_date)",
        "到期日 (maturity_date)",
    ):
        assert label in text
    with pytest.raises(
        TapeError,
        match=(
            r"column '债务人 \(obligor\)': error: required column "
            r"missing \(accepted headers: obligor, 债务人, 债务人名称"
        ),
    ):
        read_tape_bytes(b"asset_id,amount\nA1,5\n", filename="t.csv")


@pytest.mark.parametrize(
    ("overrides", "pattern"),
    [
        ({"asset_id": ""}, r"t\.csv, row 2, column 'asset_id': error: required value is empty$"),
        ({"obligor": "  "}, r"row 2, column 'obligor': error: required value is empty"),
        ({"amount": "0"}, r"row 2, column 'amount': error: must be > 0: got '0'"),
        ({"amount": "-12.5"}, r"column 'amount': error: must be > 0: got '-12.5'"),
        ({"amount": "abc"}, r"column 'amount': error: not a number: got 'abc'"),
        ({"amount": "nan"}, r"error: must be a finite number \(NaN/inf not allowed\): got 'nan'"),
        ({"amount": "inf"}, r"error: must be a finite number \(NaN/inf not allowed\): got 'inf'"),
        ({"amount": "0.001"}, r"error: must be at least 0\.01 元 \(one fen\): got '0\.001'"),
        ({"amount": "2e15"}, r"error: must be below 1e\+13 元 \(10万亿元\): got '2e15'"),
        (
            {"start_date": "2025-13-01"},
            r"column 'start_date': error: not a calendar date \(use 2025-01-31",
        ),
        ({"start_date": "2025-02-30"}, r"column 'start_date': error: not a calendar date \(use"),
        ({"start_date": "soon"}, r"error: unparsable date .*: got 'soon'"),
        (
            {"maturity_date": "2024-12-31"},
            (
                r"column 'maturity_date': error: maturity_date is "
                r"before start_date 2025-01-31: got '2024-12-31'"
            ),
        ),
        (
            {"asset_type": "bond"},
            (
                r"column 'asset_type': error: unknown asset kind "
                r"\(allowed: receivable/应收账款, .*\): got 'bond'"
            ),
        ),
        (
            {"data_link": "maybe"},
            (
                r"column 'data_link': error: unknown data link \(allowed: "
                r"none/无, pledged/质押, direct/直接\): got 'maybe'"
            ),
        ),
    ],
)
def test_required_value_errors(overrides: dict[str, str], pattern: str) -> None:
    with pytest.raises(TapeError, match=pattern):
        read_tape_bytes(_csv([_row(**overrides)]).encode(), filename="t.csv")


@pytest.mark.parametrize(
    ("header", "value", "pattern"),
    [
        (
            "利率",
            "4.5",
            (
                r"column '利率 \(rate\)': error: must be <= 1 \(a "
                r"fraction: write 4\.5% or 0\.045\): got '4\.5'"
            ),
        ),
        ("rate", "-1%", r"column 'rate': error: must be >= 0 \(a fraction"),
        ("还款频率", "weekly", r"error: unknown payment frequency \(allowed: monthly/按月"),
        ("还本方式", "balloon", r"error: unknown amortization \(allowed: bullet/到期一次还本"),
        (
            "是否关联交易",
            "maybe",
            r"error: not a yes/no value \(use 是/否, Y/N, true/false or 1/0\): got 'maybe'",
        ),
        (
            "recovery_lag",
            "2.5",
            r"column 'recovery_lag': error: must be a whole number: got '2\.5'",
        ),
        ("recovery_lag", "-1", r"column 'recovery_lag': error: must be >= 0: got '-1'"),
        ("renewal_term_years", "0", r"error: must be > 0: got '0'"),
        ("appraised_value", "-1", r"column 'appraised_value': error: must be >= 0: got '-1'"),
        ("annual_fee", "n/a", r"column 'annual_fee': error: not a number: got 'n/a'"),
        ("escalator", "inf", r"column 'escalator': error: must be a finite number"),
        ("pd", "150%", r"column 'pd': error: must be <= 1 \(a fraction"),
    ],
)
def test_optional_value_errors(header: str, value: str, pattern: str) -> None:
    text = _csv([[*_row(), value]], [*EN_HEADER, header])
    with pytest.raises(TapeError, match=pattern):
        read_tape_bytes(text.encode(), filename="t.csv")


def test_duplicate_id_names_both_rows() -> None:
    with pytest.raises(
        TapeError,
        match=(
            r"row 4, column 'asset_id': error: duplicate "
            r"asset_id, already used in row 2: got 'A1'"
        ),
    ):
        read_tape_bytes(_csv([_row("A1"), _row("A2"), _row("A1")]).encode(), filename="t.csv")


def test_all_problems_reported_at_once() -> None:
    rows = [
        _row("A1", amount="-1"),
        _row("", start_date="x"),
        _row("A3", asset_type="bond", data_link="?"),
        _row("A4"),
    ]
    err = _raise(_csv(rows))
    assert "5 problem(s)" in str(err)
    assert [(i.row, i.column) for i in err.issues] == [
        (2, "amount"),
        (3, "asset_id"),
        (3, "start_date"),
        (4, "asset_type"),
        (4, "data_link"),
    ]
    assert all(i.source == "t.csv" for i in err.issues)


def test_structural_errors() -> None:
    with pytest.raises(TapeError, match=r"t\.csv: error: file is empty: no header row"):
        read_tape_bytes(b"\n\n", filename="t.csv")
    with pytest.raises(TapeError, match=r"t\.csv: error: file has a header but no data rows"):
        read_tape_bytes(",".join(EN_HEADER).encode(), filename="t.csv")
    text = _csv([[*_row(), "extra"]])
    with pytest.raises(
        TapeError, match=r"row 2: error: row has 8 cells but the header has 7 columns: got 'extra'"
    ):
        read_tape_bytes(text.encode(), filename="t.csv")
    text = _csv([[*_row(), "X2"]], [*EN_HEADER, "资产编号"])
    with pytest.raises(
        TapeError,
        match=(
            r"row 1, column '资产编号': error: two columns name "
            r"the same field 'asset_id': 'asset_id' and '资产编号'"
        ),
    ):
        read_tape_bytes(text.encode(), filename="t.csv")


def test_short_rows_are_padded() -> None:
    text = ",".join([*EN_HEADER, "region"]) + "\n" + ",".join(_row()) + "\n"
    assert read_tape_bytes(text.encode(), filename="t.csv").assets[0].region is None


# --- errors: encodings and files ---------------------------------------------------------------


def test_utf16_with_bom_is_a_clear_error() -> None:
    data = _csv([_row()]).encode("utf-16")
    with pytest.raises(
        TapeError,
        match=(
            r"u\.csv: error: file is UTF-16 encoded \(byte-order mark "
            r"at byte offset 0\); save the tape as CSV UTF-8 or GBK"
        ),
    ):
        read_tape_bytes(data, filename="u.csv")


def test_utf32_with_bom_is_a_clear_error() -> None:
    with pytest.raises(TapeError, match=r"file is UTF-32 encoded"):
        read_tape_bytes(_csv([_row()]).encode("utf-32"), filename="u.csv")


def test_utf16_without_bom_names_the_nul_offset() -> None:
    data = _csv([_row()]).encode("utf-16-le")
    with pytest.raises(
        TapeError, match=r"file contains a NUL byte at byte offset 1: not UTF-8 or GBK text"
    ):
        read_tape_bytes(data, filename="u.csv")


def test_random_bytes_name_the_byte_offset() -> None:
    data = b"asset_id,obligor\nA1,\xff\xfe\x80\x81\n"
    # UTF-8 fails at the first 0xff (offset 20); GB18030 also fails on 0xff (offset 20)
    with pytest.raises(
        TapeError,
        match=(
            r"r\.csv, row 2, column 'obligor': error: file is neither UTF-8 \(invalid byte at "
            r"byte offset 20\) nor GBK/GB18030 \(invalid byte 0xff at byte offset 20\); "
            r"encodings tried: UTF-8, GBK/GB18030"
        ),
    ):
        read_tape_bytes(data, filename="r.csv")


def test_legacy_xls_and_fake_xlsx() -> None:
    with pytest.raises(
        TapeError, match=r"legacy \.xls workbooks are not supported; save the tape as \.xlsx or CSV"
    ):
        read_tape_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, filename="t.xls")
    with pytest.raises(TapeError, match=r"file has an \.xlsx name but is not an \.xlsx workbook"):
        read_tape_bytes(b"asset_id\nA1\n", filename="t.xlsx")
    with pytest.raises(
        TapeError, match=r"not a readable \.xlsx tape: not a readable zip archive \(BadZipFile"
    ):
        read_tape_bytes(b"PK\x03\x04 broken zip", filename="t.xlsx")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(TapeError, match=r"nope\.csv: error: tape file not found"):
        read_tape(tmp_path / "nope.csv")
    with pytest.raises(TapeError, match=r"error: tape path is a folder, not a file"):
        read_tape(tmp_path)


def test_custom_source_name_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(_csv([_row(amount="-1")]), encoding="utf-8")
    with pytest.raises(TapeError, match=r"^上传文件: 1 problem\(s\).*\n  - 上传文件, row 2"):
        read_tape(path, source="上传文件")


# --- warnings --------------------------------------------------------------------------------


def test_direct_without_registration_is_a_warning() -> None:
    text = _csv([_row("D1", asset_type="data_license", data_link="direct")])
    report = read_tape_bytes_report(text.encode(), filename="t.csv")
    (warning,) = report.warnings
    assert warning.severity == "warning"
    assert str(warning) == (
        "t.csv, row 2, column '数据资产登记编号 (registration_id)': warning: direct data asset "
        "'D1' has no registration_id (数据资产登记编号); disclose the registration certificate"
    )
    assert len(report.pool) == 1


def test_unknown_and_headerless_columns_are_warnings() -> None:
    text = _csv([[*_row(), "说明文字", "x"]], [*EN_HEADER, "备注", ""])
    report = read_tape_bytes_report(text.encode(), filename="t.csv")
    assert [str(w) for w in report.warnings] == [
        "t.csv, column '备注': warning: unknown column is ignored (see docs/tape-format.md for "
        "accepted headers)",
        "t.csv, column '#9': warning: column without a header is ignored",
    ]


def test_warnings_travel_with_errors_but_only_errors_in_the_message() -> None:
    text = _csv([_row("D1", data_link="direct"), _row("A2", amount="0")])
    err = _raise(text)
    assert [i.severity for i in err.issues] == ["warning", "error"]
    assert "1 problem(s)" in str(err)
    assert "registration_id" not in str(err)
    assert format_issues(err.issues)[0].startswith("t.csv, row 3, column 'amount': error")


def test_report_columns_map_headers_to_fields() -> None:
    report = read_tape_bytes_report(_csv([_row()], ZH_HEADER).encode(), filename="t.csv")
    assert report.columns == dict(zip(ZH_HEADER, EN_HEADER, strict=True))
    assert COLUMN_BY_FIELD["amount"].unit == "元"


# --- the fast construction path accepts exactly what Asset accepts ----------------------------

_TEXT = st.text(alphabet="ab1甲乙数据", min_size=0, max_size=4)
_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -1.0, 0.001, 0.004, 0.005, 0.01, 0.5, 1.0, 1.0000001, 1e12, 1e16]),
)
_OPT_FLOATS = st.one_of(st.none(), _FLOATS)
_FLOAT_FIELDS = (
    "amount",
    "rate",
    "appraised_value",
    "renewal_fee_change",
    "renewal_term_years",
    "churn",
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@st.composite
def _rows(draw: st.DrawFn) -> dict[str, object]:
    return {
        "asset_id": draw(_TEXT),
        "obligor": draw(_TEXT),
        "asset_type": draw(st.sampled_from([*(m.value for m in AssetType), "bond"])),
        "data_link": draw(st.sampled_from([*(m.value for m in DataLink), "maybe"])),
        "amount": draw(_FLOATS),
        "start_date": draw(st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31))),
        "maturity_date": draw(st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31))),
        "region": draw(st.one_of(st.none(), _TEXT.filter(bool))),
        "rate": draw(_OPT_FLOATS),
        "appraised_value": draw(_OPT_FLOATS),
        "renewal_fee_change": draw(_OPT_FLOATS),
        "renewal_term_years": draw(_OPT_FLOATS),
        "churn": draw(_OPT_FLOATS),
        "recovery_lag": draw(st.one_of(st.none(), st.integers(-3, 12))),
        "related_party": draw(st.booleans()),
        "booked": draw(st.one_of(st.none(), st.booleans())),
        "payment_frequency": draw(st.one_of(st.none(), st.sampled_from(list(Frequency)))),
    }


def _tape_only_rejects(row: dict[str, object]) -> bool:
    """Rules the tape adds on top of Asset: finite numbers, whole fen, below 1e13 元."""
    for name in _FLOAT_FIELDS:
        value = row[name]
        if isinstance(value, float) and not math.isfinite(value):
            return True
    amount = row["amount"]
    assert isinstance(amount, float)
    if not amount > 0:
        return False
    fen = Decimal(repr(amount)) * 100
    sub_fen = abs(fen - fen.to_integral_value()) > Decimal("1e-6")
    return amount >= 1e13 or round(amount * 100) < 1 or sub_fen


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=_rows())
def test_tape_accepts_exactly_what_asset_accepts(row: dict[str, object]) -> None:
    header = list(row)
    text = _csv([[_cell(row[h]) for h in header]], header)
    try:
        expected: Asset | None = Asset.model_validate(row)
    except ValidationError:
        expected = None
    try:
        got: Asset | None = read_tape_bytes(text.encode(), filename="p.csv").assets[0]
    except TapeError:
        got = None
    if expected is None:
        assert got is None, "the tape accepted a row Asset rejects"
    elif _tape_only_rejects(row):
        assert got is None
    else:
        assert got == expected
        assert got is not None and got.model_dump() == expected.model_dump()


def test_tape_format_doc_lists_every_column() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "tape-format.md").read_text("utf-8")
    for col in TAPE_COLUMNS:
        assert f"| `{col.field}` | {col.zh} |" in doc, col.field
    for enum in (AssetType, DataLink, Frequency, Amortization):
        for member in enum:
            assert f"| `{member.value}` | {member.zh} |" in doc
