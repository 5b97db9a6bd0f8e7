"""Render filing sheets as CSV files (one per sheet) and write them to a folder atomically.

Each file mirrors its sheet. A sheet with one block and no notes is a plain rectangular table
(header row, data rows, totals row). A sheet with several blocks writes, per block, a title row
(``【标题】``), the header row, data rows and totals row, separated by one empty row; notes follow
as rows whose first cell starts with ``注``. Values: money in 元 with two decimals, percentages
in percentage points with four decimals (header ``(%)``), ratios with four decimals, dates ISO
``YYYY-MM-DD``, integers as digits, ``number`` columns with ``decimals + 2`` decimals; empty
cells are empty. Text that could start a formula gets a leading apostrophe
(:func:`abs.filing.sanitize.neutralise_csv`). Lines end with CRLF (what Excel writes).

Encodings: ``utf-8-sig`` (default: UTF-8 with BOM, so Excel shows Chinese correctly), ``utf-8``,
``gbk`` (older Chinese Excel/WPS set-ups) and ``gb18030``. GBK cannot represent every character
(emoji, CJK extension characters such as 䶮 U+4DAE or 𠀀 U+20000, ``€``, no-break space ...):
the export then fails naming the file, line, column and the character; use ``gb18030`` or UTF-8.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Sequence
from pathlib import Path

from abs.errors import ExportError
from abs.filing.model import Cell, Column, ColumnKind, FilingTable, TableBlock, check_workbook
from abs.filing.rounding import CSV_PRECISION, tie_table
from abs.filing.sanitize import neutralise_csv

#: Encodings accepted by :func:`render_csv` (first is the default).
CSV_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "utf-8", "gbk", "gb18030")
DEFAULT_CSV_ENCODING = "utf-8-sig"
#: Decimals written for each numeric kind in CSV.
CSV_DECIMALS: dict[ColumnKind, int] = {
    ColumnKind.MONEY: 2,
    ColumnKind.PERCENT: 4,
    ColumnKind.RATIO: 4,
}


def csv_file_name(index: int, table: FilingTable) -> str:
    """File name of the ``index``-th sheet (1-based): ``NN_<中文表名>.csv``.

    Examples
    --------
    >>> from abs.filing.model import Column, TableBlock, FilingTable
    >>> t = FilingTable(key="demo", sheet="产品概要", sheet_en="Deal summary", note="",
    ...                 blocks=(TableBlock(key="m", title=None, columns=(Column("a", "项目"),),
    ...                                    rows=()),))
    >>> csv_file_name(1, t)
    '01_产品概要.csv'
    """
    return f"{index:02d}_{table.sheet}.csv"


def csv_cell(value: Cell, column: Column) -> str:
    """Text of one CSV cell (see the module docstring for the rules).

    Examples
    --------
    >>> from abs.filing.model import Column, ColumnKind
    >>> csv_cell(1234.5, Column("a", "金额", ColumnKind.MONEY))
    '1234.50'
    >>> csv_cell(0.5046, Column("s", "占比", ColumnKind.PERCENT))
    '50.4600'
    >>> csv_cell("=1+1", Column("n", "名称"))
    "'=1+1"
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_csv(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    kind = column.kind
    if kind is ColumnKind.INTEGER:
        return str(int(value))
    number = float(value)
    if kind is ColumnKind.PERCENT:
        number *= 100.0
    decimals = CSV_DECIMALS.get(kind, column.decimals + 2)
    text = f"{number:.{decimals}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def _block_lines(block: TableBlock, *, titled: bool) -> list[list[str]]:
    lines: list[list[str]] = []
    if titled and block.title:
        lines.append([neutralise_csv(f"【{block.title}】")])
    lines.append([neutralise_csv(c.header("csv")) for c in block.columns])
    cols = block.columns
    for r in block.rows:
        lines.append([csv_cell(v, c) for v, c in zip(r, cols, strict=True)])
    totals = block.shown_totals()
    if totals is not None:
        lines.append([csv_cell(v, c) for v, c in zip(totals, cols, strict=True)])
    for note in block.notes:
        lines.append([neutralise_csv(note)])
    return lines


def sheet_lines(table: FilingTable) -> list[list[str]]:
    """The rows of the CSV file of one sheet, as lists of cell texts."""
    several = len(table.blocks) > 1
    lines: list[list[str]] = []
    for i, block in enumerate(table.blocks):
        if i:
            lines.append([])
        lines.extend(_block_lines(block, titled=several))
    if table.notes:
        lines.append([])
        lines.extend([neutralise_csv(n)] for n in table.notes)
    return lines


def _encode(lines: list[list[str]], *, encoding: str, file_name: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(lines)
    text = buffer.getvalue()
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        for line_no, cells in enumerate(lines, start=1):
            for col_no, cell in enumerate(cells, start=1):
                try:
                    cell.encode(encoding)
                except UnicodeEncodeError as inner:
                    ch = cell[inner.start]
                    shown = cell if len(cell) <= 40 else cell[:37] + "..."
                    raise ExportError(
                        f"{file_name}: line {line_no}, column {col_no}: character {ch!r} "
                        f"(U+{ord(ch):04X}) cannot be encoded in {encoding}; cell {shown!r}; "
                        f"use encoding utf-8-sig or gb18030"
                    ) from None
        raise ExportError(
            f"{file_name}: character {bad!r} (U+{ord(bad):04X}) cannot be encoded in {encoding}"
        ) from None


def render_csv(
    tables: Sequence[FilingTable], *, encoding: str = DEFAULT_CSV_ENCODING
) -> dict[str, bytes]:
    """Every sheet as CSV bytes, keyed by file name (``01_产品概要.csv`` ...), in sheet order.

    Parameters
    ----------
    tables : sequence of FilingTable
        The sheets.
    encoding : str
        One of :data:`CSV_ENCODINGS`; default UTF-8 with BOM.

    Raises
    ------
    ExportError
        On an unknown encoding, or a character the encoding cannot represent (naming the file,
        line, column, character and cell).

    Examples
    --------
    >>> from abs.filing.model import Column, ColumnKind, TableBlock, FilingTable
    >>> cols = (Column("item", "项目"), Column("amount", "金额", ColumnKind.MONEY))
    >>> t = FilingTable(key="demo", sheet="示例", sheet_en="Demo", note="",
    ...                 blocks=(TableBlock(key="m", title=None, columns=cols,
    ...                                    rows=(("甲", 1e4),)),))
    >>> render_csv([t])["01_示例.csv"].decode("utf-8-sig")
    '项目,金额(元)\\r\\n甲,10000.00\\r\\n'
    """
    if encoding not in CSV_ENCODINGS:
        raise ExportError(
            f"csv export: encoding must be one of {', '.join(CSV_ENCODINGS)}, got {encoding!r}"
        )
    check_workbook(tables)
    out: dict[str, bytes] = {}
    for i, table in enumerate((tie_table(t, CSV_PRECISION) for t in tables), start=1):
        name = csv_file_name(i, table)
        out[name] = _encode(sheet_lines(table), encoding=encoding, file_name=name)
    return out


def write_csv(
    tables: Sequence[FilingTable],
    folder: str | os.PathLike[str],
    *,
    encoding: str = DEFAULT_CSV_ENCODING,
    force: bool = False,
) -> list[Path]:
    """Write one CSV per sheet into ``folder``, all or nothing.

    The folder is created when missing (its parent must exist). Nothing is written unless every
    file could be rendered; existing files are replaced only with ``force``.

    Raises
    ------
    ExportError
        Bad content (see :func:`render_csv`), missing parent folder, no permission, or existing
        files without ``force``.
    """
    from abs.filing.files import write_folder

    return write_folder(folder, render_csv(tables, encoding=encoding), force=force)
