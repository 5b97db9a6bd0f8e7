"""Render filing sheets as one xlsx workbook (xlsxwriter), in memory, then write it atomically.

Layout of every sheet: row 1 the Chinese sheet name with the English name in brackets, row 2
the header note; then each block (optional bold title row, header row, data rows, bold totals
row, footnotes) separated by a blank row; sheet notes last. A sheet with one block freezes the
rows down to its header row; a sheet with several blocks freezes the two title rows. Column
widths follow the content (CJK and other full-width characters count double, see
:func:`display_width`). Money is shown in 万元 (``#,##0.00``), percentages as ``0.00%``,
ratios as ``0.00``, dates as ``yyyy-mm-dd``; every number is stored at the precision it is
shown and every total equals the sum of the shown parts (:mod:`abs.filing.rounding`). Text goes
through ``write_string`` only; text that starts with a formula trigger gets Excel's
quote-prefix style (see :mod:`abs.filing.sanitize`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from abs.errors import ExportError
from abs.filing.model import Cell, Column, ColumnKind, FilingTable, check_workbook
from abs.filing.rounding import XLSX_PRECISION, tie_table
from abs.filing.sanitize import FORMULA_TRIGGERS, is_risky

#: Excel's limit on the characters in one cell.
XLSX_CELL_MAX_CHARS = 32_767
#: Column width bounds (in Excel character units) and the padding added to the content width.
MIN_WIDTH = 8.0
MAX_WIDTH = 40.0
#: A header adds at most this much width; longer headers wrap onto more lines.
MAX_HEADER_WIDTH = 16.0
#: Sheets at most this wide (character units) print one page wide; wider ones span pages.
FIT_WIDTH_LIMIT = 250.0
#: Height (points) of one line of text; wrapped rows get a multiple, up to ROW_MAX_LINES.
LINE_HEIGHT = 15.0
ROW_MAX_LINES = 30
WIDTH_PADDING = 2.0
#: How many leading characters of a long text are measured for the width (it is capped anyway).
WIDTH_SAMPLE_CHARS = 80

#: Number formats by column kind (``number`` columns build theirs from ``decimals``).
NUMBER_FORMATS: dict[ColumnKind, str] = {
    ColumnKind.MONEY: "#,##0.00",
    ColumnKind.PERCENT: "0.00%",
    ColumnKind.RATIO: "0.00",
    ColumnKind.DATE: "yyyy-mm-dd",
    ColumnKind.INTEGER: "#,##0",
}

_HEADER_FILL = "#D9E1F2"
_TOTAL_FILL = "#F2F2F2"
_NOTE_COLOUR = "#595959"


@dataclass(frozen=True)
class WorkbookProperties:
    """Document properties stored in the workbook (File → Properties in Excel).

    ``created`` fixes the creation timestamp (the run timestamp); ``None`` means now.
    """

    title: str = "数据资产ABS申报表格"
    subject: str = "计划说明书/存续期报告表格 (filing tables)"
    author: str = "dabs"
    company: str = ""
    keywords: str = "数据资产ABS, 资产支持证券, 现金流"
    comments: str = ""
    created: dt.datetime | None = None


def money_to_wan(value: float) -> float:
    """元 → 万元 as stored in the workbook (rounded to the fen, i.e. 1e-6 万元).

    Examples
    --------
    >>> money_to_wan(123_456_789.126)
    12345.678913
    """
    return round(round(value, 2) / 10_000.0, 6)


def display_width(text: str) -> float:
    """Width of ``text`` in Excel character units: full-width / wide characters count 2.

    Examples
    --------
    >>> display_width("AB"), display_width("产品"), display_width("A产")
    (2.0, 4.0, 3.0)
    """
    if text.isascii():
        return float(len(text))
    sample = text[:WIDTH_SAMPLE_CHARS]
    wide = sum(1 for ch in sample if unicodedata.east_asian_width(ch) in ("W", "F"))
    return float(len(sample) + wide)


def _shown(value: Cell, column: Column) -> str:
    """Approximate text Excel shows for a value (for column widths)."""
    if value is None:
        return ""
    kind = column.kind
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return "0000-00-00"
    if kind is ColumnKind.MONEY:
        return f"{float(value) / 10_000.0:,.2f}"
    if kind is ColumnKind.PERCENT:
        return f"{float(value) * 100:.2f}%"
    if kind is ColumnKind.INTEGER:
        return f"{int(value):,}"
    if kind is ColumnKind.NUMBER:
        return f"{float(value):.{column.decimals}f}"
    return f"{float(value):.2f}"


class _Formats:
    """Workbook formats, created once and reused by kind / totals / quote prefix."""

    def __init__(self, wb: Any) -> None:
        self._wb = wb
        self._cache: dict[tuple[str, int, bool, bool], Any] = {}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        note = {"italic": True, "font_color": _NOTE_COLOUR, "text_wrap": True, "valign": "top"}
        self.note = wb.add_format(note)
        self.note_quoted = wb.add_format({**note, "quote_prefix": True})
        self.block_title = wb.add_format({"bold": True, "font_size": 11})
        self.block_title_quoted = wb.add_format(
            {"bold": True, "font_size": 11, "quote_prefix": True}
        )
        header = {
            "bold": True,
            "bg_color": _HEADER_FILL,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
        self.header = wb.add_format(header)
        self.header_quoted = wb.add_format({**header, "quote_prefix": True})

    def cell(self, column: Column, *, total: bool, quoted: bool = False) -> Any:
        key = (column.kind.value, column.decimals, total, quoted)
        fmt = self._cache.get(key)
        if fmt is None:
            props: dict[str, Any] = {"border": 1, "valign": "top"}
            if column.kind is ColumnKind.NUMBER:
                props["num_format"] = "0." + "0" * column.decimals if column.decimals else "0"
            elif column.kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[column.kind]
            if column.kind is ColumnKind.TEXT:
                props["align"] = "left"
                props["text_wrap"] = True  # long text wraps inside the column, never spills
            if total:
                props["bold"] = True
                props["bg_color"] = _TOTAL_FILL
                props["top"] = 2
            if quoted:
                props["quote_prefix"] = True
            fmt = self._wb.add_format(props)
            self._cache[key] = fmt
        return fmt


def _write_text(
    ws: Any, row: int, col: int, text: str, plain: Any, quoted: Any, where: str
) -> None:
    if len(text) > XLSX_CELL_MAX_CHARS:
        raise ExportError(
            f"{where}: text of {len(text)} characters exceeds Excel's limit of "
            f"{XLSX_CELL_MAX_CHARS} characters per cell"
        )
    ws.write_string(row, col, text, quoted if is_risky(text) else plain)


def _write_note(
    ws: Any, row: int, text: str, fmts: _Formats, widths: Sequence[float], where: str
) -> None:
    """A note across the sheet's columns (merged, wrapped, row height from its length)."""
    fmt = fmts.note_quoted if is_risky(text) else fmts.note
    if len(widths) > 1:
        ws.merge_range(row, 0, row, len(widths) - 1, "", fmt)
    _write_text(ws, row, 0, text, fmt, fmt, where)
    lines = _lines(text, sum(widths))
    if lines > 1:
        ws.set_row(row, LINE_HEIGHT * lines)


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps onto in a column ``width`` wide (at most :data:`ROW_MAX_LINES`)."""
    room = max(width - 1.0, 1.0)
    if 2 * len(text) <= room and "\n" not in text:
        return 1
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in ("W", "F"))
    lines = math.ceil((len(text) + wide) / room) + text.count("\n")
    return max(1, min(lines, ROW_MAX_LINES))


def _too_long(where: str, text: str) -> ExportError:
    return ExportError(
        f"{where}: text of {len(text)} characters exceeds Excel's limit of "
        f"{XLSX_CELL_MAX_CHARS} characters per cell"
    )


def _write_rows(
    ws: Any,
    fmts: _Formats,
    first_row: int,
    rows: Sequence[Sequence[Cell]],
    columns: Sequence[Column],
    *,
    total: bool,
    where: str,
    numbers: Sequence[int | str],
    widths: Sequence[float],
) -> None:
    """Write ``rows`` from ``first_row`` on; ``numbers`` name each row in error messages.

    A row whose text wraps (longer than its column) gets the height of its longest cell.
    """
    plans = [
        (
            column.kind is ColumnKind.MONEY,
            fmts.cell(column, total=total),
            fmts.cell(column, total=total, quoted=True),
        )
        for column in columns
    ]
    write_string, write_number = ws.write_string, ws.write_number
    write_blank, write_datetime = ws.write_blank, ws.write_datetime
    set_row = ws.set_row
    for r, values in enumerate(rows):
        row = first_row + r
        lines = 1
        for c, value in enumerate(values):
            money, fmt, quoted = plans[c]
            kind = type(value)
            if value is None:
                write_blank(row, c, None, fmt)
            elif kind is str:
                text: str = value  # type: ignore[assignment]
                if len(text) > XLSX_CELL_MAX_CHARS:
                    raise _too_long(f"{where}, row {numbers[r]}, column {columns[c].key!r}", text)
                write_string(row, c, text, quoted if text and text[0] in FORMULA_TRIGGERS else fmt)
                if 2 * len(text) > widths[c] - 1 or "\n" in text:
                    lines = max(lines, _lines(text, widths[c]))
            elif kind is float or kind is int:
                number: float = value  # type: ignore[assignment]
                write_number(row, c, money_to_wan(number) if money else number, fmt)
            else:
                day: dt.date = value  # type: ignore[assignment]
                write_datetime(row, c, dt.datetime(day.year, day.month, day.day), fmt)
        if lines > 1:
            set_row(row, LINE_HEIGHT * lines)


def _column_width(values: Sequence[Cell], column: Column) -> float:
    """Widest shown value of a column, measuring as few cells as possible."""
    kind = column.kind
    if kind is ColumnKind.DATE:
        return 10.0 if any(v is not None for v in values) else 0.0
    if kind is ColumnKind.TEXT:
        texts = sorted((v for v in values if isinstance(v, str)), key=len, reverse=True)
        best = 0.0
        for text in texts:
            # a text is at most twice its length wide: stop when no shorter one can win
            if 2 * min(len(text), WIDTH_SAMPLE_CHARS) <= best or best >= MAX_WIDTH:
                break
            best = max(best, display_width(text))
        return best
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return 0.0
    # the longest shown number is the largest or the most negative one
    return max(display_width(_shown(v, column)) for v in (max(numbers), min(numbers)))


def _widths(table: FilingTable) -> list[float]:
    n = max(len(b.columns) for b in table.blocks)
    widths = [MIN_WIDTH] * n
    for block in table.blocks:
        totals = block.shown_totals()
        for i, column in enumerate(block.columns):
            values = [r[i] for r in block.rows]
            if totals is not None:
                values.append(totals[i])
            header = min(display_width(column.header("xlsx")), MAX_HEADER_WIDTH)
            w = max(header, _column_width(values, column))
            widths[i] = max(widths[i], min(w + WIDTH_PADDING, MAX_WIDTH))
    return widths


def _write_sheet(wb: Any, fmts: _Formats, table: FilingTable) -> None:
    ws = wb.add_worksheet(table.sheet)
    where_sheet = f"sheet {table.sheet!r}"
    title = f"{table.sheet}（{table.sheet_en}）"
    _write_text(ws, 0, 0, title, fmts.title, fmts.title, where_sheet + ", title")
    widths = _widths(table)
    _write_note(ws, 1, table.note, fmts, widths, where_sheet + ", note")
    row = 3
    freeze_at = 2
    for number, block in enumerate(table.blocks):
        where = f"{where_sheet}, table {block.key!r}"
        if block.title:
            _write_text(ws, row, 0, block.title, fmts.block_title, fmts.block_title_quoted, where)
            row += 1
        header_lines = 1
        for c, column in enumerate(block.columns):
            header = column.header("xlsx")
            _write_text(ws, row, c, header, fmts.header, fmts.header_quoted, where)
            header_lines = max(header_lines, _lines(header, widths[c]))
        if header_lines > 1:
            ws.set_row(row, LINE_HEIGHT * header_lines)
        if number == 0 and len(table.blocks) == 1:
            freeze_at = row + 1
            ws.repeat_rows(row)
        row += 1
        _write_rows(
            ws,
            fmts,
            row,
            block.rows,
            block.columns,
            total=False,
            where=where,
            numbers=range(1, len(block.rows) + 1),
            widths=widths,
        )
        row += len(block.rows)
        totals = block.shown_totals()
        if totals is not None:
            _write_rows(
                ws,
                fmts,
                row,
                [totals],
                block.columns,
                total=True,
                where=where,
                numbers=["合计"],
                widths=widths,
            )
            row += 1
        for note in block.notes:
            _write_note(ws, row, note, fmts, widths, f"{where}, note")
            row += 1
        row += 1
    for note in table.notes:
        _write_note(ws, row, note, fmts, widths, f"{where_sheet}, note")
        row += 1
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.freeze_panes(freeze_at, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if sum(widths) <= FIT_WIDTH_LIMIT:
        ws.fit_to_pages(1, 0)


def render_xlsx(
    tables: Sequence[FilingTable], *, properties: WorkbookProperties | None = None
) -> bytes:
    """The workbook as bytes: one sheet per :class:`FilingTable`, in the order given.

    Parameters
    ----------
    tables : sequence of FilingTable
        The sheets; names must be unique (Excel ignores case).
    properties : WorkbookProperties, optional
        Document properties (title, author, creation time ...).

    Raises
    ------
    ExportError
        On duplicate sheet names or a text longer than Excel's 32,767-character cell limit
        (naming the sheet, table, row and column).

    Examples
    --------
    >>> from abs.filing.model import Column, TableBlock, FilingTable
    >>> t = FilingTable(key="demo", sheet="示例", sheet_en="Demo", note="金额单位：万元",
    ...                 blocks=(TableBlock(key="main", title=None,
    ...                                    columns=(Column("item", "项目"),), rows=(("甲",),)),))
    >>> render_xlsx([t])[:2]
    b'PK'
    """
    check_workbook(tables)
    tables = [tie_table(t, XLSX_PRECISION) for t in tables]
    props = properties or WorkbookProperties()
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        wb.set_properties(
            {
                "title": props.title,
                "subject": props.subject,
                "author": props.author,
                "company": props.company,
                "keywords": props.keywords,
                "comments": props.comments,
                "created": props.created or dt.datetime.now(),
            }
        )
        fmts = _Formats(wb)
        for table in tables:
            _write_sheet(wb, fmts, table)
    finally:
        wb.close()
    return buffer.getvalue()


def write_xlsx(
    tables: Sequence[FilingTable],
    path: str | os.PathLike[str],
    *,
    properties: WorkbookProperties | None = None,
    force: bool = False,
) -> Path:
    """Render the workbook and write it atomically to ``path``.

    Raises
    ------
    ExportError
        Bad content (see :func:`render_xlsx`), missing folder, no permission, or an existing
        file without ``force``; nothing is written then.
    """
    from abs.io import atomic_write_bytes

    return atomic_write_bytes(path, render_xlsx(tables, properties=properties), force=force)
