"""Pool tapes (资产明细表): read CSV/XLSX into a validated :class:`~abs.asset.Pool`.

A tape has one row per asset and one column per :class:`~abs.asset.Asset` field. Headers may be
the English field name, the Chinese name or a listed alias, in any order; surrounding spaces,
full-width characters and a trailing unit such as ``(元)`` are ignored. Values may be English or
Chinese (``receivable``/``应收账款``, ``pledged``/``质押``), amounts may carry thousands separators
and a trailing ``元``, rates and probabilities may be written ``4.5%``. Every column is described
in ``docs/tape-format.md``.

Validation reports every problem at once as a :class:`~abs.errors.TapeError` whose ``issues``
name the row (as a spreadsheet shows it: header = row 1), the column, the rule and the value.
Warnings (a ``direct`` data asset without a registration id, an ignored unknown column) do not
stop the read; :func:`read_tape_report` returns them with the pool. The input file is only read,
never written.

Units: money in yuan (元); rates, growth and probabilities as annual fractions; volumes per
month; dates ``datetime.date``.

Examples
--------
>>> from abs.tape import read_tape_bytes
>>> tape = (
...     "资产编号,债务人,资产类型,数据资产关联,入池金额,起始日,到期日\\n"
...     'R1,如皋某城投（示例）,应收账款,质押,"1,000,000.00",2025/1/31,2026年1月31日\\n'
... ).encode("gbk")
>>> pool = read_tape_bytes(tape, filename="tape.csv")
>>> pool.assets[0].amount, pool.assets[0].data_link.value
(1000000.0, 'pledged')
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gc
import io
import itertools
import math
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

import annotated_types

from abs.asset import Asset, Pool
from abs.enums import Amortization, AssetType, DataLink, Frequency, LabelledEnum
from abs.errors import Issue, TapeError

__all__ = [
    "COLUMN_BY_FIELD",
    "MAX_AMOUNT_YUAN",
    "MAX_POOL_TOTAL_YUAN",
    "MAX_TAPE_CELLS",
    "MAX_TAPE_COLUMNS",
    "MAX_TAPE_FILE_BYTES",
    "MAX_TAPE_ROWS",
    "REQUIRED_FIELDS",
    "TAPE_COLUMNS",
    "ZH_HEADERS",
    "ColumnKind",
    "TapeColumn",
    "TapeReport",
    "format_issues",
    "match_header",
    "read_tape",
    "read_tape_bytes",
    "read_tape_bytes_report",
    "read_tape_report",
    "tape_headers",
]


class ColumnKind(StrEnum):
    """How the text of a tape cell is parsed."""

    TEXT = "text"
    ENUM = "enum"
    NUMBER = "number"  # money, counts, prices: thousands separators and a trailing 元 allowed
    FRACTION = "fraction"  # rates, growth, probabilities: 0.045 or 4.5%
    INTEGER = "integer"
    DATE = "date"
    BOOL = "bool"


@dataclass(frozen=True)
class TapeColumn:
    """One tape column: the :class:`Asset` field it fills, its Chinese name and aliases.

    Parameters
    ----------
    field : str
        The :class:`~abs.asset.Asset` field name, which is also the English header.
    zh : str
        Canonical Chinese header (what ``docs/tape-format.md`` and the examples use).
    kind : ColumnKind
        How the cell text is parsed.
    unit : str
        Unit of the value (``元``, ``元/年``, ``fraction`` ...), empty for text.
    aliases : tuple of str
        Other accepted headers (English or Chinese).
    enum : type of LabelledEnum or None
        The vocabulary of an ``enum`` column.
    """

    field: str
    zh: str
    kind: ColumnKind
    unit: str = ""
    aliases: tuple[str, ...] = ()
    enum: type[LabelledEnum] | None = None

    @property
    def required(self) -> bool:
        """True when the tape must have this column (the field has no default)."""
        return Asset.model_fields[self.field].is_required()

    @property
    def headers(self) -> tuple[str, ...]:
        """Every accepted header spelling: English name, Chinese name, aliases."""
        return (self.field, self.zh, *self.aliases)

    @property
    def label(self) -> str:
        """``中文 (english)`` as error messages and docs show it."""
        return f"{self.zh} ({self.field})"


_K = ColumnKind

#: Every tape column, in the order of :class:`~abs.asset.Asset` (docs/tape-format.md).
TAPE_COLUMNS: tuple[TapeColumn, ...] = (
    TapeColumn(
        "asset_id",
        "资产编号",
        _K.TEXT,
        aliases=("资产代码", "合同编号", "资产id", "编号", "借据编号", "id"),
    ),
    TapeColumn(
        "obligor",
        "债务人",
        _K.TEXT,
        aliases=("债务人名称", "付款方", "被许可方", "借款人", "承租人", "debtor", "licensee"),
    ),
    TapeColumn(
        "asset_type",
        "资产类型",
        _K.ENUM,
        aliases=("基础资产类型", "资产种类", "type", "kind"),
        enum=AssetType,
    ),
    TapeColumn(
        "data_link",
        "数据资产关联",
        _K.ENUM,
        aliases=("数据资产关联方式", "数据关联", "link"),
        enum=DataLink,
    ),
    TapeColumn(
        "amount",
        "入池金额",
        _K.NUMBER,
        "元",
        aliases=("入池本金余额", "未偿本金余额", "本金余额", "入池资产金额", "金额", "balance"),
    ),
    TapeColumn(
        "start_date",
        "起始日",
        _K.DATE,
        aliases=("起始日期", "开始日", "合同起始日", "生效日", "start"),
    ),
    TapeColumn(
        "maturity_date",
        "到期日",
        _K.DATE,
        aliases=("到期日期", "合同到期日", "终止日", "maturity", "end_date"),
    ),
    TapeColumn(
        "originator",
        "原始权益人",
        _K.TEXT,
        aliases=("债权人", "债权人名称", "原始权益人/债权人", "creditor"),
    ),
    TapeColumn("region", "地区", _K.TEXT, aliases=("债务人地区", "所在地区", "省份")),
    TapeColumn("industry", "行业", _K.TEXT, aliases=("债务人行业", "所属行业")),
    TapeColumn(
        "rate", "利率", _K.FRACTION, "年化", aliases=("年利率", "执行利率", "interest_rate")
    ),
    TapeColumn(
        "payment_frequency",
        "还款频率",
        _K.ENUM,
        aliases=("付款频率", "支付频率", "frequency"),
        enum=Frequency,
    ),
    TapeColumn(
        "amortization",
        "还本方式",
        _K.ENUM,
        aliases=("本金偿还方式", "摊还方式"),
        enum=Amortization,
    ),
    TapeColumn(
        "registration_id",
        "数据资产登记编号",
        _K.TEXT,
        aliases=("数据资产登记证书编号", "登记证书编号", "登记编号"),
    ),
    TapeColumn("registry", "登记机构", _K.TEXT, aliases=("数据资产登记机构",)),
    TapeColumn("valuation_method", "评估方法", _K.TEXT, aliases=("估值方法",)),
    TapeColumn("appraised_value", "评估价值", _K.NUMBER, "元", aliases=("评估值", "估值")),
    TapeColumn("related_party", "是否关联交易", _K.BOOL, aliases=("关联交易",)),
    TapeColumn(
        "obligor_rating",
        "债务人资信评级",
        _K.TEXT,
        aliases=("影子评级", "资信评级", "债务人评级", "rating"),
    ),
    TapeColumn("guarantor", "增信机构", _K.TEXT, aliases=("担保人", "保证人")),
    TapeColumn(
        "pledge_registration", "质押登记信息", _K.TEXT, aliases=("质押登记", "质押登记编号")
    ),
    TapeColumn("booked", "是否入表", _K.BOOL, aliases=("入表",)),
    TapeColumn("annual_fee", "年许可费", _K.NUMBER, "元/年", aliases=("年费", "年授权费")),
    TapeColumn("escalator", "年费递增率", _K.FRACTION, "年化", aliases=("递增率",)),
    TapeColumn("renewal_probability", "续约概率", _K.FRACTION),
    TapeColumn("renewal_fee_change", "续约费率变化", _K.FRACTION),
    TapeColumn("renewal_term_years", "续约期限", _K.NUMBER, "年"),
    TapeColumn("volume", "月调用量", _K.NUMBER, "次/月", aliases=("使用量", "调用量")),
    TapeColumn("unit_price", "单价", _K.NUMBER, "元/次"),
    TapeColumn("volume_growth", "调用量年增长率", _K.FRACTION, "年化", aliases=("调用量增长率",)),
    TapeColumn("price_decline", "单价年降幅", _K.FRACTION, "年化"),
    TapeColumn("churn", "年流失率", _K.FRACTION, "年化", aliases=("流失率",)),
    TapeColumn("minimum_fee", "年保底费用", _K.NUMBER, "元/年", aliases=("保底费用",)),
    TapeColumn("fee_cap", "年费用上限", _K.NUMBER, "元/年", aliases=("费用上限",)),
    TapeColumn("subscription_fee", "月订阅费", _K.NUMBER, "元/月", aliases=("订阅费",)),
    TapeColumn("counterparty_revenue", "对手方年收入", _K.NUMBER, "元/年"),
    TapeColumn("revenue_share", "分成比例", _K.FRACTION),
    TapeColumn(
        "revenue_growth", "对手方收入年增长率", _K.FRACTION, "年化", aliases=("收入增长率",)
    ),
    TapeColumn("pd", "年违约概率", _K.FRACTION, "年化", aliases=("违约概率", "违约率")),
    TapeColumn("recovery_rate", "回收率", _K.FRACTION),
    TapeColumn("recovery_lag", "回收滞后", _K.INTEGER, "期", aliases=("回收滞后期数",)),
)


def _derived_column(name: str) -> TapeColumn:
    """A column for an :class:`Asset` field that the table above does not list yet.

    The kind comes from the annotation and the Chinese name from the first word of the field
    description, so a field added to ``Asset`` is readable from tapes at once.
    """
    info = Asset.model_fields[name]
    text = str(info.annotation)
    kind = _K.TEXT
    enum: type[LabelledEnum] | None = None
    for candidate in (AssetType, DataLink, Frequency, Amortization):
        if candidate.__name__ in text:
            kind, enum = _K.ENUM, candidate
    if enum is None:
        if "bool" in text:
            kind = _K.BOOL
        elif "date" in text:
            kind = _K.DATE
        elif "int" in text:
            kind = _K.INTEGER
        elif "float" in text:
            kind = _K.NUMBER
    zh = (info.description or name).split()[0].split("(")[0] or name
    return TapeColumn(name, zh, kind, enum=enum)


def _complete(columns: Iterable[TapeColumn]) -> tuple[TapeColumn, ...]:
    known = {c.field: c for c in columns}
    return tuple(known.get(name) or _derived_column(name) for name in Asset.model_fields)


_ALL_COLUMNS: tuple[TapeColumn, ...] = _complete(TAPE_COLUMNS)

#: Asset field → its column description.
COLUMN_BY_FIELD: dict[str, TapeColumn] = {c.field: c for c in _ALL_COLUMNS}
#: Asset field → canonical Chinese header.
ZH_HEADERS: dict[str, str] = {c.field: c.zh for c in _ALL_COLUMNS}
#: Fields every tape must have a column for.
REQUIRED_FIELDS: tuple[str, ...] = tuple(c.field for c in _ALL_COLUMNS if c.required)

_UNIT_SUFFIX = re.compile(r"\([^()]*\)$")


def _norm_header(text: str) -> str:
    """Header key: NFKC, lower case, no spaces/underscores/hyphens/asterisks."""
    key = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_\-*＊]", "", key)


def _build_header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for col in _ALL_COLUMNS:
        for spelling in col.headers:
            key = _norm_header(spelling)
            other = index.get(key)
            if other is not None and other != col.field:
                raise RuntimeError(f"tape header {spelling!r} maps to {other} and {col.field}")
            index[key] = col.field
    return index


_HEADER_INDEX: dict[str, str] = _build_header_index()


def match_header(header: str) -> str | None:
    """The :class:`Asset` field a tape header names, or ``None`` if unknown.

    Accepts the English field name, the Chinese name or an alias, ignoring case, spaces,
    underscores, full-width forms and a trailing unit in brackets (``入池金额（元）``).

    Examples
    --------
    >>> match_header(" 入池金额（元） "), match_header("Asset ID"), match_header("备注")
    ('amount', 'asset_id', None)
    """
    key = _norm_header(header)
    found = _HEADER_INDEX.get(key)
    if found is None:
        stripped = _UNIT_SUFFIX.sub("", key)
        if stripped != key:
            found = _HEADER_INDEX.get(stripped)
    return found


# --------------------------------------------------------------------------------------------
# the report


@dataclass(frozen=True)
class TapeReport:
    """A read tape: the pool and everything worth telling the user about the file.

    Attributes
    ----------
    pool : Pool
        The validated pool.
    warnings : tuple of Issue
        Findings that did not stop the read (``severity == "warning"``).
    source : str
        File name the tape was read from.
    file_format : str
        ``"csv"`` or ``"xlsx"``.
    encoding : str or None
        Detected CSV encoding (``utf-8``, ``utf-8-sig``, ``gb18030``); ``None`` for XLSX.
    sheet : str or None
        Sheet read from an XLSX workbook.
    columns : dict
        Header as written in the file → :class:`Asset` field.
    """

    pool: Pool
    warnings: tuple[Issue, ...] = ()
    source: str = ""
    file_format: str = "csv"
    encoding: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# decoding the file into a grid of strings

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"

#: Largest tape file read (CSV or XLSX, as given): 256 MiB (a 200,000-row CSV is ~50 MB).
MAX_TAPE_FILE_BYTES = 256 << 20
#: Data rows a tape may have (Excel's own limit is 1,048,575 below a header).
MAX_TAPE_ROWS = 1_000_000
#: Columns a tape may have (known and unknown together).
MAX_TAPE_COLUMNS = 1_024
#: Cells a tape may have (data rows × header columns): 25 million, e.g. 200,000 × 125.
MAX_TAPE_CELLS = 25_000_000


@dataclass
class _Grid:
    header: list[str]
    rows: list[list[str]]  # data rows, each padded to the header length
    row_numbers: list[int]  # spreadsheet row number of each data row
    header_row: int
    file_format: str
    encoding: str | None = None
    sheet: str | None = None
    issues: list[Issue] = field(default_factory=list)


def _fail(
    source: str, rule: str, *, code: str, context: dict[str, object] | None = None, **where: Any
) -> TapeError:
    """A one-finding :class:`TapeError`: the English ``rule``, its ``code`` and numbers."""
    return TapeError(source, [Issue(source, rule, code=code, context=context or {}, **where)])


def _line_and_column(data: bytes, offset: int, encoding: str) -> tuple[int, str | None, str]:
    """Row (line) number, column header and cell text (bad bytes as U+FFFD) at a byte offset."""
    row = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    line_end = data.find(b"\n", offset)
    line = data[line_start : line_end if line_end >= 0 else len(data)]
    header_end = data.find(b"\n")
    header_bytes = data[: header_end if header_end >= 0 else len(data)]
    try:
        delimiter = "\t" if b"\t" in header_bytes and b"," not in header_bytes else ","
        header = next(
            csv.reader(
                [header_bytes.decode(encoding, "replace").strip("\r\ufeff")], delimiter=delimiter
            )
        )
        cells = next(
            csv.reader([line.decode(encoding, "replace").replace("\r", " ")], delimiter=delimiter)
        )
        prefix = data[line_start:offset].decode(encoding, "replace").replace("\r", " ")
        index = next(csv.reader([prefix + "\x00"], delimiter=delimiter), [""]).__len__() - 1
    except (csv.Error, StopIteration):  # pragma: no cover - defensive
        return row, None, ""
    column = header[index] if 0 <= index < len(header) and row > 1 else None
    cell = cells[index] if 0 <= index < len(cells) else ""
    return row, column or (f"#{index + 1}" if row > 1 else None), cell


def _decode_csv(data: bytes, source: str) -> tuple[str, str]:
    """Text and encoding of CSV bytes, decoded strictly: UTF-8 (with or without BOM) or GBK/GB18030.

    The encoding is detected first, then the whole file must be valid in it: a UTF-8 file with
    one bad byte is rejected naming that byte's row, never read as GB18030 mojibake.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        name = "UTF-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        name = "UTF-16"
    else:
        name = ""
    if name:
        raise _fail(
            source,
            f"file is {name} encoded (byte-order mark at byte offset 0); "
            "save the tape as CSV UTF-8 or GBK, or as .xlsx",
            value=data[:4].hex(" "),
            code="tape_encoding_bom",
            context={"encoding": name},
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _fail(
            source,
            f"file contains a NUL byte at byte offset {nul}: not UTF-8 or GBK text "
            "(UTF-16 or a binary file?); save the tape as CSV UTF-8 or as .xlsx",
            value="0x00",
            code="tape_nul_byte",
            context={"offset": nul},
        )
    bom = data.startswith(codecs.BOM_UTF8)
    skip = len(codecs.BOM_UTF8) if bom else 0
    try:
        return data[skip:].decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as utf8_err:
        bad_at = skip + utf8_err.start
    # Not valid UTF-8. Is it UTF-8 with a few bad bytes, or GBK? Decoded as UTF-8, GBK text is
    # mostly invalid; UTF-8 text with a damaged byte is mostly well-formed multi-byte characters.
    loose = data.decode("utf-8", errors="surrogateescape")
    bad = len(loose) - len(loose.encode("utf-8", errors="ignore").decode("utf-8"))  # escapes
    good = len(loose) - len(loose.encode("ascii", errors="ignore")) - bad
    if bom or good >= bad:
        row, column, cell = _line_and_column(data, bad_at, "utf-8")
        why = (
            "it starts with a UTF-8 byte-order mark"
            if bom
            else (f"{good:,} well-formed multi-byte UTF-8 characters against {bad:,} bad byte(s)")
        )
        raise _fail(
            source,
            f"file is UTF-8 ({why}) but byte 0x{data[bad_at]:02x} at byte offset {bad_at} is "
            "not valid UTF-8 (encodings tried: UTF-8, GBK/GB18030); the file is damaged or "
            "mixes encodings: re-save it as CSV UTF-8",
            row=row,
            column=column,
            value=cell,
            code="tape_utf8_bad_byte",
            context={
                "byte": f"0x{data[bad_at]:02x}",
                "offset": bad_at,
                "bom": bom,
                "good": good,
                "bad": bad,
            },
        )
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as gb_err:
        at = gb_err.start
        row, column, cell = _line_and_column(data, at, "gb18030")
        raise _fail(
            source,
            f"file is neither UTF-8 (invalid byte at byte offset {bad_at}) nor GBK/GB18030 "
            f"(invalid byte 0x{data[at]:02x} at byte offset {at}); encodings tried: UTF-8, "
            "GBK/GB18030; save the tape as CSV UTF-8 or as .xlsx",
            row=row,
            column=column,
            value=cell,
            code="tape_encoding_unknown",
            context={"utf8_offset": bad_at, "byte": f"0x{data[at]:02x}", "offset": at},
        ) from None


_STRAY_CR = re.compile(rb"\r(?!\n)")  # 0x0d is never part of a UTF-8 or GBK character


def _csv_records(text: str, source: str) -> list[list[str]]:
    """Rows of CSV text (strict quoting), within the size limits; errors name the row."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    width = 0
    cells = 0
    line = 0
    while True:
        start_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            message = str(exc)
            if "unexpected end of data" in message or reader.line_num > start_line:
                line_text = text.split("\n", start_line)[start_line - 1].rstrip("\r")
                opened = len(next(csv.reader([line_text], delimiter=delimiter), [""])) - 1
                header = records[0] if records else []
                raise _fail(
                    source,
                    "unterminated quote: a quoted cell opened in this row never closes (the rest "
                    "of the file would be read as one cell); close the quote",
                    row=start_line,
                    column=header[opened] if 0 <= opened < len(header) else f"#{opened + 1}",
                    code="tape_unterminated_quote",
                ) from None
            raise _fail(
                source,
                f"malformed CSV ({message})",
                row=reader.line_num,
                code="tape_malformed_csv",
                context={"detail": message},
            ) from None
        line = reader.line_num
        if not width:
            width = len(record)
            if width > MAX_TAPE_COLUMNS:
                raise _fail(
                    source,
                    f"the header has {width:,} columns, more than the {MAX_TAPE_COLUMNS:,} a "
                    "tape may have",
                    row=line,
                    code="tape_too_many_columns",
                    context={"columns": width, "limit": MAX_TAPE_COLUMNS},
                )
        elif len(record) > MAX_TAPE_COLUMNS:
            raise _fail(
                source,
                f"row has {len(record):,} cells, more than the {MAX_TAPE_COLUMNS:,} a tape may "
                "have",
                row=line,
                code="tape_row_too_many_cells",
                context={"cells": len(record), "limit": MAX_TAPE_COLUMNS},
            )
        records.append(record)
        cells += width
        if len(records) > MAX_TAPE_ROWS + 1 or cells > MAX_TAPE_CELLS + width:
            most = min(MAX_TAPE_ROWS, MAX_TAPE_CELLS // max(width, 1))
            raise _fail(
                source,
                f"more than {most:,} data rows "
                f"(limits: {MAX_TAPE_ROWS:,} rows, {MAX_TAPE_CELLS:,} cells); split the tape",
                row=line,
                code="tape_too_many_rows",
                context={"rows": most, "row_limit": MAX_TAPE_ROWS, "cell_limit": MAX_TAPE_CELLS},
            )
    return records


def _csv_grid(data: bytes, source: str) -> _Grid:
    text, encoding = _decode_csv(data, source)
    stray = _STRAY_CR.search(data) if b"\n" in data else None
    if stray is not None:  # a file with CR-only line ends (old Mac) has no LF at all
        row, column, cell = _line_and_column(data, stray.start(), encoding)
        raise _fail(
            source,
            "stray carriage return (CR, \\r) inside a row: the row would be split in two; "
            "remove the line break from the cell or quote the cell",
            row=row,
            column=column,
            value=cell or None,
            code="tape_stray_cr",
        )
    records = _csv_records(text, source)
    return _grid_from_records(records, source, "csv", encoding=encoding)


def _xlsx_grid(data: bytes, source: str) -> _Grid:
    from abs.xlsx_read import WorkbookError, check_workbook, column_letters, read_sheet

    try:
        scan = check_workbook(data)
        records = read_sheet(data, scan)
    except WorkbookError as exc:
        raise _fail(
            source,
            f"not a readable .xlsx tape: {exc}",
            code=exc.code or "tape_xlsx_unreadable",
            context={"detail": str(exc), **exc.context},
        ) from None
    grid = _grid_from_records(records, source, "xlsx", sheet=scan.name)
    for row, col, text in scan.error_cells:
        offset = col - 1 - scan.first_column
        header = grid.header[offset] if 0 <= offset < len(grid.header) else ""
        grid.issues.append(
            Issue(
                source,
                "cell holds an Excel error value, not data; fix the formula or enter the value",
                row=row,
                column=header or column_letters(col),
                value=text,
                code="tape_excel_error_cell",
            )
        )
    return grid


def _grid_from_records(
    records: list[list[str]],
    source: str,
    file_format: str,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
) -> _Grid:
    where = f"sheet '{sheet}'" if sheet else "file"
    place: dict[str, object] = {"sheet": sheet}
    header_index = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if header_index is None:
        raise _fail(source, f"{where} is empty: no header row", code="tape_empty", context=place)
    header = [c.strip() for c in records[header_index]]
    width = len(header)
    issues: list[Issue] = []
    rows: list[list[str]] = []
    numbers: list[int] = []
    for i in range(header_index + 1, len(records)):
        record = records[i]
        if not "".join(record).strip():
            continue  # blank line: Excel exports often end with some
        row_number = i + 1
        if len(record) > width:
            extra = [c for c in record[width:] if c.strip()]
            if extra:
                issues.append(
                    Issue(
                        source,
                        f"row has {len(record)} cells but the header has {width} columns",
                        row=row_number,
                        value=extra[0],
                        code="tape_row_too_wide",
                        context={"cells": len(record), "columns": width},
                    )
                )
            record = record[:width]
        elif len(record) < width:
            record = record + [""] * (width - len(record))
        rows.append(record)
        numbers.append(row_number)
    if not rows:
        issues.append(
            Issue(
                source,
                f"{where} has a header but no data rows",
                code="tape_no_data_rows",
                context=place,
            )
        )
    return _Grid(
        header=header,
        rows=rows,
        row_numbers=numbers,
        header_row=header_index + 1,
        file_format=file_format,
        encoding=encoding,
        sheet=sheet,
        issues=issues,
    )


# --------------------------------------------------------------------------------------------
# scalar parsers: text → value, or raise _CellRule with the rule broken


@dataclass(frozen=True)
class _Rule:
    """A broken cell rule: the English text (the CLI's), its code and its numbers."""

    text: str
    code: str
    context: dict[str, object] = field(default_factory=dict)


class _CellRule(ValueError):
    """A cell text breaks a rule (raised by the scalar parsers)."""

    def __init__(self, text: str, code: str, **context: object) -> None:
        super().__init__(text)
        self.rule = _Rule(text, code, dict(context))


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_NON_FINITE = frozenset(
    {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
)


def _number_text(text: str) -> str:
    """The ASCII decimal a number cell holds (``1,234.50元`` → ``1234.50``).

    Digits are ASCII 0-9 after NFKC (so full-width ``１２３`` counts, Arabic-Indic digits do not);
    no underscores (``1_000``), and thousands separators must group three digits (``1000,50`` is
    not a number: in some locales it means 1000.50).
    """
    if _NUMBER.fullmatch(text):
        return text
    if _GROUPED.fullmatch(text):  # 1,234.56: the usual spelling of an amount
        return text.replace(",", "")
    cleaned = unicodedata.normalize("NFKC", text).strip()
    cleaned = cleaned.removeprefix("¥").removesuffix("元").strip()
    cleaned = re.sub(r"\s", "", cleaned)
    if _NUMBER.fullmatch(cleaned):
        return cleaned
    if "," in cleaned and _GROUPED.fullmatch(cleaned):
        return cleaned.replace(",", "")
    if cleaned.lower() in _NON_FINITE:
        raise _CellRule("must be a finite number (NaN/inf not allowed)", "tape_not_finite")
    if "," in cleaned and _NUMBER.fullmatch(cleaned.replace(",", "")):
        raise _CellRule(
            "not a number (thousands separators must group three digits: 1,234,567.89)",
            "tape_number_grouping",
        )
    raise _CellRule("not a number", "tape_not_a_number")


def _parse_number(text: str) -> float:
    return float(_number_text(text))


def _parse_fraction(text: str) -> float:
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if cleaned.endswith("%"):
        return _parse_number(cleaned[:-1]) / 100.0
    return _parse_number(cleaned)


def _parse_integer(text: str) -> int:
    value = _parse_number(text)
    if not math.isfinite(value) or not value.is_integer():
        raise _CellRule("must be a whole number", "tape_not_whole_number")
    return int(value)


_DATE_FORMS = (  # ASCII digits only (re.ASCII): NFKC has already folded full-width digits
    re.compile(
        r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", re.ASCII
    ),
    re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", re.ASCII),
)
_EXCEL_SERIAL = re.compile(r"\d{2,5}(?:\.0+)?", re.ASCII)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_HINT = "use 2025-01-31, 2025/1/31, 20250131, 2025年1月31日 or an Excel date"


def _parse_date(text: str) -> dt.date:
    cleaned = unicodedata.normalize("NFKC", text).strip()
    for form in _DATE_FORMS:
        match = form.fullmatch(cleaned)
        if match:
            y, m, d = (int(g) for g in match.groups())
            try:
                return dt.date(y, m, d)
            except ValueError:
                raise _CellRule(
                    f"not a calendar date ({_DATE_HINT})", "tape_date_invalid"
                ) from None
    if _EXCEL_SERIAL.fullmatch(cleaned):
        serial = int(float(cleaned))
        if serial >= 61:  # Excel's serial 60 is the non-existent 1900-02-29
            return _EXCEL_EPOCH + dt.timedelta(days=serial)
    raise _CellRule(f"unparsable date ({_DATE_HINT})", "tape_date_unparsable")


_TRUE = frozenset({"是", "y", "yes", "true", "t", "1", "1.0", "真"})
_FALSE = frozenset({"否", "n", "no", "false", "f", "0", "0.0", "假"})


def _parse_bool(text: str) -> bool:
    key = unicodedata.normalize("NFKC", text).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise _CellRule("not a yes/no value (use 是/否, Y/N, true/false or 1/0)", "tape_bool_invalid")


def _enum_parser(enum: type[LabelledEnum]) -> Callable[[str], LabelledEnum]:
    allowed = ", ".join(f"{m.value}/{m.zh}" for m in enum)
    what = {
        AssetType: "asset kind",
        DataLink: "data link",
        Frequency: "payment frequency",
        Amortization: "amortization",
    }.get(enum, enum.__name__)

    def parse(text: str) -> LabelledEnum:
        try:
            return enum.parse(text)
        except ValueError:
            pass
        try:
            return enum.parse(unicodedata.normalize("NFKC", text))
        except ValueError:
            raise _CellRule(
                f"unknown {what} (allowed: {allowed})",
                "tape_enum_unknown",
                enum=enum.__name__,
                allowed=[m.value for m in enum],
            ) from None

    return parse


#: Largest 入池金额 of one asset, and of the whole pool: 1e13 元 (10万亿元). Beyond it float64
#: cannot carry 0.01 元 through the engine's sums (its spacing there is ~0.002 元).
MAX_AMOUNT_YUAN = 1e13
MAX_POOL_TOTAL_YUAN = 1e13
_FEN_TOLERANCE = Decimal("1e-6")


def _amount_rule(value: float, text: str) -> _Rule | None:
    """Tape rules on 入池金额 beyond ``Asset``'s ``> 0``: whole fen and a sane magnitude."""
    if value >= MAX_AMOUNT_YUAN:
        return _Rule(
            f"must be below {MAX_AMOUNT_YUAN:g} 元 (10万亿元)",
            "tape_amount_too_large",
            {"limit": MAX_AMOUNT_YUAN},
        )
    if round(value * 100) < 1:
        return _Rule("must be at least 0.01 元 (one fen)", "tape_amount_below_fen")
    fen_float = value * 100
    if value < 1e11 and abs(fen_float - round(fen_float)) <= max(1e-6, 4 * math.ulp(fen_float)):
        return None  # whole fen; below 1e11 元 float64 resolves far finer than the tolerance
    try:
        fen = Decimal(_number_text(text)) * 100
    except (ValueError, InvalidOperation):  # pragma: no cover - parsed above
        return _Rule("not a number", "tape_not_a_number")
    if abs(fen - fen.to_integral_value()) > _FEN_TOLERANCE:
        return _Rule(
            "must be in whole fen (分): at most two decimal places", "tape_amount_not_whole_fen"
        )
    return None


def _parser_for(col: TapeColumn) -> Callable[[str], Any]:
    if col.kind is _K.NUMBER:
        return _parse_number
    if col.kind is _K.FRACTION:
        return _parse_fraction
    if col.kind is _K.INTEGER:
        return _parse_integer
    if col.kind is _K.DATE:
        return _parse_date
    if col.kind is _K.BOOL:
        return _parse_bool
    if col.kind is _K.ENUM and col.enum is not None:
        return _enum_parser(col.enum)
    return str


def _bounds_rule(name: str) -> Callable[[float], _Rule | None]:
    """Check of the numeric constraints declared on ``Asset.<name>`` (gt/ge/lt/le)."""
    bounds: list[tuple[str, float]] = []
    for meta in Asset.model_fields[name].metadata:
        if isinstance(meta, annotated_types.Gt):
            bounds.append((">", float(meta.gt)))  # type: ignore[arg-type]
        elif isinstance(meta, annotated_types.Ge):
            bounds.append((">=", float(meta.ge)))  # type: ignore[arg-type]
        elif isinstance(meta, annotated_types.Lt):
            bounds.append(("<", float(meta.lt)))  # type: ignore[arg-type]
        elif isinstance(meta, annotated_types.Le):
            bounds.append(("<=", float(meta.le)))  # type: ignore[arg-type]

    def holds(op: str, value: float, bound: float) -> bool:
        if op == ">":
            return value > bound
        if op == ">=":
            return value >= bound
        if op == "<":
            return value < bound
        return value <= bound

    def check(value: float) -> _Rule | None:
        broken = [(op, bound) for op, bound in bounds if not holds(op, value, bound)]
        if not broken:
            return None
        text = " and ".join(f"must be {op} {bound:g}" for op, bound in broken)
        return _Rule(text, "tape_out_of_bounds", {"bounds": [[op, b] for op, b in broken]})

    return check


# --------------------------------------------------------------------------------------------
# the column-wise validation


@dataclass
class _Parsed:
    values: dict[str, list[Any]]
    issues: list[Issue]
    row_ok: list[bool]


def _column_name(header: str, col: TapeColumn) -> str:
    return header if _norm_header(header) == _norm_header(col.field) else f"{header} ({col.field})"


def _map_headers(grid: _Grid, source: str) -> tuple[dict[str, int], dict[str, str], list[Issue]]:
    issues: list[Issue] = []
    by_field: dict[str, int] = {}
    header_of: dict[str, str] = {}
    for j, header in enumerate(grid.header):
        if not header:
            if any(row[j].strip() for row in grid.rows):
                issues.append(
                    Issue(
                        source,
                        "column without a header is ignored",
                        column=f"#{j + 1}",
                        severity="warning",
                        code="tape_column_no_header",
                        context={"index": j + 1},
                    )
                )
            continue
        name = match_header(header)
        if name is None:
            issues.append(
                Issue(
                    source,
                    "unknown column is ignored (see docs/tape-format.md for accepted headers)",
                    column=header,
                    severity="warning",
                    code="tape_column_unknown",
                )
            )
            continue
        if name in by_field:
            first = grid.header[by_field[name]]
            issues.append(
                Issue(
                    source,
                    f"two columns name the same field {name!r}: '{first}' and '{header}'",
                    row=grid.header_row,
                    column=header,
                    code="tape_column_duplicate",
                    context={"field": name, "first": first, "second": header},
                )
            )
            continue
        by_field[name] = j
        header_of[name] = header
    for name in REQUIRED_FIELDS:
        if name not in by_field:
            col = COLUMN_BY_FIELD[name]
            accepted = ", ".join(col.headers)
            issues.append(
                Issue(
                    source,
                    f"required column missing (accepted headers: {accepted})",
                    column=col.label,
                    code="tape_required_column_missing",
                    context={"field": name, "accepted": list(col.headers)},
                )
            )
    return by_field, header_of, issues


def _check_cell(
    col: TapeColumn,
    raw: str,
    parse: Callable[[str], Any],
    bounds: Callable[[float], _Rule | None] | None,
    default: Any,
) -> tuple[Any, _Rule | None]:
    """Value of one distinct cell text and the rule it breaks (``None`` when valid)."""
    text = raw.strip()
    if not text:
        if col.required:
            return None, _EMPTY
        return default, None
    try:
        value = parse(text)
    except _CellRule as exc:
        return None, exc.rule
    except ValueError as exc:  # pragma: no cover - every parser raises _CellRule
        return None, _Rule(str(exc), "tape_value_invalid")
    rule: _Rule | None = None
    if col.kind in (_K.NUMBER, _K.FRACTION) and not math.isfinite(value):
        rule = _Rule("must be a finite number (NaN/inf not allowed)", "tape_not_finite")
    elif bounds is not None:
        rule = bounds(value)
        if rule is not None and col.kind is _K.FRACTION:
            rule = _Rule(
                rule.text + " (a fraction: write 4.5% or 0.045)",
                rule.code,
                {**rule.context, "fraction": True},
            )
    if rule is None and col.field == "amount":
        rule = _amount_rule(value, text)
    return (value if rule is None else None), rule


_EMPTY = _Rule("required value is empty", "tape_value_required")


def _parse_columns(
    grid: _Grid, by_field: dict[str, int], header_of: dict[str, str], source: str
) -> _Parsed:
    """Parse and check every mapped column; each distinct cell text is parsed once."""
    n = len(grid.rows)
    numbers = grid.row_numbers
    issues: list[Issue] = []
    row_ok = [True] * n
    values: dict[str, list[Any]] = {}
    columns = list(zip(*grid.rows, strict=True)) if grid.rows else []
    for name, j in by_field.items():
        col = COLUMN_BY_FIELD[name]
        parse = _parser_for(col)
        bounds = _bounds_rule(name) if col.kind in (_K.NUMBER, _K.FRACTION, _K.INTEGER) else None
        default = Asset.model_fields[name].get_default(call_default_factory=True)
        cells: Sequence[str] = columns[j] if columns else ()
        if col.kind is _K.TEXT:  # fast path: text only needs stripping
            empty_rule = _EMPTY if col.required else None
            checked = {
                raw: (text, None) if (text := raw.strip()) else (default, empty_rule)
                for raw in set(cells)
            }
        else:
            checked = {raw: _check_cell(col, raw, parse, bounds, default) for raw in set(cells)}
        broken = {raw: rule for raw, (_, rule) in checked.items() if rule is not None}
        if broken:
            shown = _column_name(header_of[name], col)
            for i, raw in enumerate(cells):
                rule = broken.get(raw)
                if rule is not None:
                    value = raw.strip() or None
                    issues.append(
                        Issue(
                            source,
                            rule.text,
                            row=numbers[i],
                            column=shown,
                            value=value,
                            code=rule.code,
                            context={"field": name, **rule.context},
                        )
                    )
                    row_ok[i] = False
        parsed = {raw: value for raw, (value, _) in checked.items()}
        values[name] = [parsed[raw] for raw in cells]
    return _Parsed(values=values, issues=issues, row_ok=row_ok)


def _cross_checks(
    parsed: _Parsed, grid: _Grid, header_of: dict[str, str], source: str
) -> list[Issue]:
    issues: list[Issue] = []
    numbers = grid.row_numbers
    values = parsed.values
    ids = values.get("asset_id")
    if ids is not None:
        shown = _column_name(header_of["asset_id"], COLUMN_BY_FIELD["asset_id"])
        first_row: dict[str, int] = {}
        for i, asset_id in enumerate(ids):
            if asset_id is None:
                continue
            if asset_id in first_row:
                issues.append(
                    Issue(
                        source,
                        f"duplicate asset_id, already used in row {first_row[asset_id]}",
                        row=numbers[i],
                        column=shown,
                        value=asset_id,
                        code="tape_duplicate_asset_id",
                        context={"field": "asset_id", "first_row": first_row[asset_id]},
                    )
                )
                parsed.row_ok[i] = False
            else:
                first_row[asset_id] = numbers[i]
    starts, maturities = values.get("start_date"), values.get("maturity_date")
    if starts is not None and maturities is not None:
        shown = _column_name(header_of["maturity_date"], COLUMN_BY_FIELD["maturity_date"])
        for i, (start, maturity) in enumerate(zip(starts, maturities, strict=True)):
            if isinstance(start, dt.date) and isinstance(maturity, dt.date) and maturity < start:
                issues.append(
                    Issue(
                        source,
                        f"maturity_date is before start_date {start.isoformat()}",
                        row=numbers[i],
                        column=shown,
                        value=maturity.isoformat(),
                        code="tape_maturity_before_start",
                        context={"field": "maturity_date", "start": start.isoformat()},
                    )
                )
                parsed.row_ok[i] = False
    links = values.get("data_link")
    if links is not None:
        registrations = values.get("registration_id") or [None] * len(links)
        asset_ids = ids or [None] * len(links)
        for i, link in enumerate(links):
            if link is DataLink.DIRECT and registrations[i] is None:
                issues.append(
                    Issue(
                        source,
                        f"direct data asset {asset_ids[i]!r} has no registration_id "
                        "(数据资产登记编号); disclose the registration certificate",
                        row=numbers[i],
                        column=COLUMN_BY_FIELD["registration_id"].label,
                        severity="warning",
                        code="tape_direct_without_registration",
                        context={"field": "registration_id", "asset_id": asset_ids[i]},
                    )
                )
    return issues


def _build_assets(values: dict[str, list[Any]], n: int) -> list[Asset]:
    """Assets from checked column values, without a second per-row validation pass.

    Every rule ``Asset`` declares (required fields, min length, numeric bounds, finite numbers,
    enum members, date order) has been checked column-wise above; the property test
    ``test_tape_accepts_exactly_what_asset_accepts`` holds the two paths together. Models with
    post-init hooks fall back to :meth:`Asset.model_construct`.
    """
    names = list(Asset.model_fields)
    columns: list[Iterable[Any]] = []
    for name in names:
        if name in values:
            columns.append(values[name])
        else:
            info = Asset.model_fields[name]
            columns.append(itertools.repeat(info.get_default(call_default_factory=True), n))
    fields_set = {name for name in names if name in values}
    if Asset.__pydantic_post_init__ or Asset.__pydantic_root_model__:  # pragma: no cover
        return [
            Asset.model_construct(_fields_set=set(fields_set), **dict(zip(names, row, strict=True)))
            for row in zip(*columns, strict=True)
        ]
    assets: list[Asset] = []
    new = Asset.__new__
    setattr_ = object.__setattr__
    for row in zip(*columns, strict=True):
        asset = new(Asset)
        setattr_(asset, "__dict__", dict(zip(names, row, strict=True)))
        setattr_(asset, "__pydantic_fields_set__", fields_set)
        setattr_(asset, "__pydantic_extra__", None)
        setattr_(asset, "__pydantic_private__", None)
        assets.append(asset)
    return assets


def _pool_total_check(amounts: list[Any], header_of: dict[str, str], source: str) -> list[Issue]:
    total_fen = sum(round(a * 100) for a in amounts)
    if total_fen < MAX_POOL_TOTAL_YUAN * 100:
        return []
    return [
        Issue(
            source,
            f"the pool total must be below {MAX_POOL_TOTAL_YUAN:g} 元 (10万亿元): float64 cannot "
            "carry 0.01 元 through sums of that size",
            column=_column_name(header_of["amount"], COLUMN_BY_FIELD["amount"]),
            value=f"{total_fen // 100:,}.{total_fen % 100:02d} 元",
            code="tape_pool_total_too_large",
            context={
                "field": "amount",
                "limit": MAX_POOL_TOTAL_YUAN,
                "total": f"{total_fen // 100:,}.{total_fen % 100:02d}",
            },
        )
    ]


def _read_grid(data: bytes, source: str, suffix: str) -> _Grid:
    if data.startswith(_XLS_MAGIC) or suffix == ".xls":
        raise TapeError(
            source,
            [
                Issue(
                    source,
                    "legacy .xls workbooks are not supported; save the tape as .xlsx or CSV",
                    value=suffix or None,
                    code="tape_xls_legacy",
                )
            ],
        )
    if data.startswith(_XLSX_MAGIC):
        return _xlsx_grid(data, source)
    if suffix in (".xlsx", ".xlsm"):
        raise _fail(
            source,
            "file has an .xlsx name but is not an .xlsx workbook",
            code="tape_xlsx_name_not_workbook",
            context={"suffix": suffix},
        )
    return _csv_grid(data, source)


def read_tape_bytes_report(
    data: bytes, *, filename: str, cutoff_date: dt.date | None = None
) -> TapeReport:
    """Validate a tape given as bytes (an upload) into a :class:`TapeReport`.

    Parameters
    ----------
    data : bytes
        The file content: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or an XLSX workbook.
    filename : str
        Name used in messages; its extension helps tell the format.
    cutoff_date : datetime.date, optional
        封包日 to record on the pool (stratification measures remaining terms from it).

    Returns
    -------
    TapeReport
        The pool and the warnings.

    Raises
    ------
    TapeError
        With every problem found (row, column, rule, value); warnings are in ``issues`` too.
    """
    source = filename
    suffix = Path(filename).suffix.lower()
    if len(data) > MAX_TAPE_FILE_BYTES:
        raise _fail(
            source,
            f"file is {len(data):,} bytes, more than the {MAX_TAPE_FILE_BYTES:,} a tape may be",
            code="tape_file_too_large",
            context={"bytes": len(data), "limit": MAX_TAPE_FILE_BYTES},
        )
    # Reading creates millions of small acyclic objects; the cyclic collector would rescan
    # them again and again (a third of the time on 100,000 rows), so pause it meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read(data, source, suffix, cutoff_date)
    finally:
        if collecting:
            gc.enable()


def _read(data: bytes, source: str, suffix: str, cutoff_date: dt.date | None) -> TapeReport:
    grid = _read_grid(data, source, suffix)
    by_field, header_of, header_issues = _map_headers(grid, source)
    issues = list(grid.issues) + header_issues
    parsed = _parse_columns(grid, by_field, header_of, source)
    issues += parsed.issues
    issues += _cross_checks(parsed, grid, header_of, source)
    issues.sort(key=lambda i: 0 if i.row is None else i.row)  # stable: column order kept
    if not any(i.severity == "error" for i in issues):
        issues += _pool_total_check(parsed.values["amount"], header_of, source)
    if any(i.severity == "error" for i in issues):
        raise TapeError(source, issues)
    assets = _build_assets(parsed.values, len(grid.rows))
    pool = Pool.model_construct(assets=tuple(assets), source=source, cutoff_date=cutoff_date)
    return TapeReport(
        pool=pool,
        warnings=tuple(i for i in issues if i.severity == "warning"),
        source=source,
        file_format=grid.file_format,
        encoding=grid.encoding,
        sheet=grid.sheet,
        columns={header_of[name]: name for name in by_field},
    )


def read_tape_bytes(data: bytes, *, filename: str, cutoff_date: dt.date | None = None) -> Pool:
    """Validate a tape given as bytes into a :class:`Pool` (see :func:`read_tape_bytes_report`).

    Raises
    ------
    TapeError
        With every problem found.
    """
    return read_tape_bytes_report(data, filename=filename, cutoff_date=cutoff_date).pool


def read_tape_report(
    path: str | os.PathLike[str],
    *,
    source: str | None = None,
    cutoff_date: dt.date | None = None,
) -> TapeReport:
    """Read and validate a tape file; return the pool with the warnings.

    Parameters
    ----------
    path : str or path
        A ``.csv`` or ``.xlsx`` file. It is opened read-only and never modified.
    source : str, optional
        Name used in messages (default: the path as given).
    cutoff_date : datetime.date, optional
        封包日 recorded on the pool.

    Raises
    ------
    TapeError
        Missing or unreadable file, undecodable text, or any invalid value (all at once).
    """
    name = source if source is not None else str(path)
    data = _read_file(Path(path), name)
    return read_tape_bytes_report(data, filename=name, cutoff_date=cutoff_date)


def _read_file(target: Path, name: str) -> bytes:
    """The bytes of a regular file no larger than :data:`MAX_TAPE_FILE_BYTES`."""
    try:
        mode = target.stat().st_mode  # before opening: opening a named pipe waits for a writer
        if stat.S_ISDIR(mode):
            raise _fail(name, "tape path is a folder, not a file", code="tape_path_is_folder")
        if not stat.S_ISREG(mode):
            raise _fail(
                name,
                "tape path is not a regular file (a device, pipe or socket); give a .csv or "
                ".xlsx file",
                code="tape_path_not_regular",
            )
        with target.open("rb") as fh:
            info = os.fstat(fh.fileno())
            if info.st_size > MAX_TAPE_FILE_BYTES:
                raise _fail(
                    name,
                    f"file is {info.st_size:,} bytes, more than the {MAX_TAPE_FILE_BYTES:,} a "
                    "tape may be",
                    code="tape_file_too_large",
                    context={"bytes": info.st_size, "limit": MAX_TAPE_FILE_BYTES},
                )
            data = fh.read(MAX_TAPE_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _fail(name, "tape file not found", code="tape_file_not_found") from None
    except IsADirectoryError:
        raise _fail(name, "tape path is a folder, not a file", code="tape_path_is_folder") from None
    except PermissionError:
        raise _fail(
            name, "tape file is not readable (permission)", code="tape_file_permission"
        ) from None
    except OSError as exc:
        raise _fail(
            name,
            f"tape file cannot be read ({exc.strerror})",
            code="tape_file_unreadable",
            context={"detail": str(exc.strerror)},
        ) from None
    if len(data) > MAX_TAPE_FILE_BYTES:
        raise _fail(
            name,
            f"file grew past the {MAX_TAPE_FILE_BYTES:,} bytes a tape may be",
            code="tape_file_grew",
            context={"limit": MAX_TAPE_FILE_BYTES},
        )
    return data


def read_tape(
    path: str | os.PathLike[str],
    *,
    source: str | None = None,
    cutoff_date: dt.date | None = None,
) -> Pool:
    """Read and validate a pool tape (CSV or XLSX) into a :class:`Pool`.

    Warnings (see :func:`read_tape_report`) are dropped; errors raise.

    Parameters
    ----------
    path : str or path
        A ``.csv`` (UTF-8, UTF-8 with BOM, GBK/GB18030) or ``.xlsx`` tape.
    source : str, optional
        Name used in messages (default: the path as given).
    cutoff_date : datetime.date, optional
        封包日 recorded on the pool.

    Returns
    -------
    Pool
        One :class:`Asset` per data row, in file order.

    Raises
    ------
    TapeError
        Every problem at once, each naming row, column, rule and value.

    Examples
    --------
    >>> from abs.examples import example_dir
    >>> pool = read_tape(example_dir("rugao-labelled") / "tape.csv")
    >>> len(pool), round(pool.total_amount / 1e8, 2)
    (10, 1.33)
    """
    return read_tape_report(path, source=source, cutoff_date=cutoff_date).pool


def tape_headers(*, chinese: bool) -> list[str]:
    """All tape headers in :class:`Asset` order, Chinese or English."""
    return [c.zh if chinese else c.field for c in _ALL_COLUMNS]


def format_issues(issues: Sequence[Issue]) -> list[str]:
    """One line per issue (errors first), as the CLI and dashboard print them."""
    ordered = sorted(issues, key=lambda i: (i.severity != "error", i.row or 0))
    return [str(i) for i in ordered]
