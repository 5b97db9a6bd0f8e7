"""Reading one sheet of an untrusted XLSX workbook within stated limits.

An XLSX file is a zip archive of XML parts. Two things in it can take a reader's memory: parts
that unpack to far more than the file's size (a zip bomb), and cell coordinates far apart (one
cell in ``A1`` and one in ``XFD1048576`` make any grid-building reader allocate 17 billion
cells). So before a sheet is parsed, :func:`check_workbook`

1. unpacks every part itself, as a stream, counting what comes out (the sizes a zip declares
   are not trusted), and stops at :data:`MAX_XLSX_UNPACKED_BYTES` in all;
2. in the sheet to read, finds the declared ``<dimension>``, the largest row number and column
   in any cell reference, and the count of cells, and checks them against
   :data:`MAX_SHEET_ROWS`, :data:`MAX_SHEET_COLUMNS` and :data:`MAX_SHEET_CELLS`;
3. notes cells that hold an Excel error (``#N/A``, ``#DIV/0!`` ...), which the reader would
   otherwise return as empty.

Only then does :func:`read_sheet` parse the sheet, with python-calamine (a Rust reader, several
times faster than openpyxl on a 200,000-row tape). Every problem is a :class:`WorkbookError`
with a message for the user; no parser exception escapes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

#: Data rows a tape sheet may have (with its header row): 1,000,000 (Excel holds 1,048,576).
MAX_SHEET_ROWS = 1_000_001
#: Columns a tape sheet may span (column ``AMJ``).
MAX_SHEET_COLUMNS = 1_024
#: Cells in the rectangle a sheet spans (rows × columns): 25 million, e.g. 200,000 × 125.
MAX_SHEET_CELLS = 25_000_000
#: What all parts of a workbook may unpack to together: 1 GiB (a 200,000-row tape of 41
#: columns unpacks to about 0.4 GiB).
MAX_XLSX_UNPACKED_BYTES = 1 << 30
#: Parts (files inside the zip) a workbook may have.
MAX_XLSX_PARTS = 10_000

_IN_CHUNK = 1 << 20
_OUT_CHUNK = 4 << 20
_OVERLAP = 64
_PREFERRED_SHEETS = ("资产明细", "tape")
_WORKSHEET_TYPE = "/relationships/worksheet"

# Whitespace is folded to spaces first (_SPACES), so one fast pattern finds every r="..."
# however it is quoted or spaced; a preceding space keeps out names ending in r (operator=).
_SPACES = bytes.maketrans(b"\t\n\r", b"   ")
_REF_VALUE = re.compile(rb""" r *= *["']([^"'<>]{0,40})""")
_DIGITS = b"0123456789"
_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_REF_CHARS = _DIGITS + _LETTERS + b" "
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\s+ref\s*=\s*["']([^"']{0,40})["']""")
_ROOT = re.compile(rb"<(\w+:)?worksheet[ >]")
_ERROR_QUICK = re.compile(rb"""t *= *["']e["']""")
_ERROR_CELL = re.compile(
    rb"""<(?:\w+:)?c [^>]*?\bt *= *["']e["'][^>]*> *<(?:\w+:)?v>([^<]{0,40})"""
)
_REF_IN_TAG = re.compile(rb""" r *= *["']([A-Za-z]{1,3})([0-9]{1,7})["']""")
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_TAG = re.compile(r"<(?:\w+:)?(sheet|Relationship)\s([^>]*)>")
_ATTR = re.compile(r"""([\w:]+)\s*=\s*["']([^"']*)["']""")


class WorkbookError(ValueError):
    """The workbook cannot be read within the limits, or is not a readable workbook.

    ``code`` and ``context`` (optional) name the rule and its numbers, so the tape reader's
    finding can be worded in the dashboard's language (:mod:`ui.tape_rules`).
    """

    def __init__(
        self, message: str, *, code: str | None = None, context: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.context: dict[str, object] = dict(context or {})


@dataclass
class SheetScan:
    """What :func:`check_workbook` found about the sheet to read."""

    name: str
    part: str
    unpacked_bytes: int = 0
    max_row: int = 0
    max_column: int = 0
    cells: int = 0
    dimension: str | None = None
    #: Index (from 0) of the sheet's first used column, where the rows read start.
    first_column: int = 0
    #: (row, column index from 1, error text) of cells holding an Excel error.
    error_cells: list[tuple[int, int, str]] = field(default_factory=list)


def column_index(letters: str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384.

    Examples
    --------
    >>> column_index("A"), column_index("AA"), column_index("XFD")
    (1, 27, 16384)
    """
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(index: int) -> str:
    """1 → ``A``, 27 → ``AA``."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _limits_rule(rows: int, columns: int, what: str) -> tuple[str, dict[str, object]] | None:
    """The sheet-extent limit ``rows`` × ``columns`` breaks: English text and its numbers."""
    if rows > MAX_SHEET_ROWS:
        return (
            f"{what} {rows:,} rows, more than the {MAX_SHEET_ROWS:,} a tape may have "
            f"(1,000,000 data rows and a header)",
            {"limit_kind": "rows", "rows": rows, "limit": MAX_SHEET_ROWS},
        )
    if columns > MAX_SHEET_COLUMNS:
        return (
            f"{what} {columns:,} columns (up to {column_letters(columns)}), more than the "
            f"{MAX_SHEET_COLUMNS:,} a tape may have",
            {"limit_kind": "columns", "columns": columns, "limit": MAX_SHEET_COLUMNS},
        )
    if rows * columns > MAX_SHEET_CELLS:
        return (
            f"{what} {rows:,} rows × {columns:,} columns = {rows * columns:,} cells, more than "
            f"the {MAX_SHEET_CELLS:,} a tape may have",
            {"limit_kind": "cells", "cells": rows * columns, "limit": MAX_SHEET_CELLS},
        )
    return None


def _unpack(data: bytes, info: zipfile.ZipInfo, budget: int) -> Iterator[bytes]:
    """The bytes of one part, unpacked from its raw stream; stops past ``budget`` bytes.

    Reads the compressed bytes the central directory gives (what a zip reader decompresses)
    and inflates them to the end of the stream, whatever size the archive declares.
    """
    if info.flag_bits & 0x1:
        raise WorkbookError(
            "the workbook is encrypted (password-protected); save it without a password",
            code="tape_xlsx_encrypted",
        )
    off = info.header_offset
    if data[off : off + 4] != b"PK\x03\x04":
        raise WorkbookError(f"part {info.filename!r} has no local header: corrupt zip archive")
    name_len, extra_len = struct.unpack("<HH", data[off + 26 : off + 30])
    start = off + 30 + name_len + extra_len
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        raise WorkbookError(f"part {info.filename!r} is cut short: truncated file")
    total = 0
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), _OUT_CHUNK):
            chunk = bytes(raw[i : i + _OUT_CHUNK])
            total += len(chunk)
            if total > budget:
                raise _TooBig(total)
            yield chunk
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise WorkbookError(
            f"part {info.filename!r} uses compression method {info.compress_type}; "
            "Excel writes only deflate (re-save the workbook in Excel or WPS)"
        )
    inflater = zlib.decompressobj(-15)
    pos = 0
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                buf: bytes | memoryview = inflater.unconsumed_tail
            elif pos < len(raw):
                buf = raw[pos : pos + _IN_CHUNK]
                pos += _IN_CHUNK
            else:
                raise WorkbookError(f"part {info.filename!r} ends mid-stream: corrupt or truncated")
            chunk = inflater.decompress(buf, _OUT_CHUNK)
            total += len(chunk)
            if total > budget:
                raise _TooBig(total)
            if chunk:
                yield chunk
    except zlib.error as exc:
        raise WorkbookError(f"part {info.filename!r} does not unpack ({exc})") from None


class _TooBig(Exception):
    def __init__(self, seen: int) -> None:
        self.seen = seen


def _small_part(data: bytes, zf: zipfile.ZipFile, name: str) -> str:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise WorkbookError(f"part {name!r} is missing: not an Excel workbook") from None
    try:
        raw = b"".join(_unpack(data, info, 16 << 20))
    except _TooBig:
        raise WorkbookError(f"part {name!r} unpacks to more than 16 MiB") from None
    return raw.decode("utf-8", errors="replace")


def _attrs(text: str) -> dict[str, str]:
    return {k.split(":")[-1]: html.unescape(v) for k, v in _ATTR.findall(text)}


def _sheet_parts(data: bytes, zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) of every worksheet, in workbook order."""
    rels = {}
    for kind, text in _TAG.findall(_small_part(data, zf, "xl/_rels/workbook.xml.rels")):
        if kind == "Relationship":
            a = _attrs(text)
            if a.get("Type", "").endswith(_WORKSHEET_TYPE) and "Id" in a and "Target" in a:
                target = a["Target"]
                rels[a["Id"]] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    sheets = []
    for kind, text in _TAG.findall(_small_part(data, zf, "xl/workbook.xml")):
        if kind == "sheet":
            a = _attrs(text)
            if a.get("id") in rels and "name" in a:
                sheets.append((a["name"], rels[a["id"]]))
    return sheets


def choose_sheet(names: list[str]) -> str:
    """The sheet a tape is read from: ``资产明细`` or ``tape`` if present, else the first."""
    lowered = {n.strip().lower(): n for n in names}
    for preferred in _PREFERRED_SHEETS:
        if preferred in lowered:
            return lowered[preferred]
    return names[0]


def _scan_sheet(data: bytes, info: zipfile.ZipInfo, scan: SheetScan, budget: int) -> int:
    """Unpack the sheet part once, noting its size, extent and error cells; bytes used.

    Each chunk is scanned up to its last ``<``, so every tag is seen whole and once. The extent
    is an upper bound of what a reader builds: cells and rows without an ``r`` attribute are
    placed after the previous one, so they widen the bound by their count.
    """
    tail = b""
    before = b""
    max_row_ref = 0
    letters: set[bytes] = set()
    odd_refs = False
    cells = rows = cell_refs = row_refs = 0
    errors: dict[tuple[int, int], str] = {}
    used = 0
    cell_tag, row_tag = b"<c", b"<row"
    chunks = _unpack(data, info, budget)
    done = False
    while not done:
        chunk = next(chunks, None)
        if chunk is None:
            text, tail, done = tail, b"", True
            cut = len(text)
        else:
            if not used:
                root = _ROOT.search(chunk[:4096])
                prefix = (root.group(1) or b"") if root else b""
                cell_tag, row_tag = b"<" + prefix + b"c", b"<" + prefix + b"row"
                m = _DIMENSION.search(chunk[:4096])
                scan.dimension = m.group(1).decode("ascii", "replace") if m else ""
            used += len(chunk)
            text = (tail + chunk).translate(_SPACES)
            cut = text.rfind(b"<")
            if cut <= 0 or len(text) - cut > _IN_CHUNK:
                cut = len(text)
            tail = text[cut:]
        cells += text.count(cell_tag, 0, cut)
        rows += text.count(row_tag, 0, cut)
        values = b" ".join(_REF_VALUE.findall(text, 0, cut))
        if values.translate(None, _REF_CHARS):
            odd_refs = True
        found_letters = values.translate(None, _DIGITS).split()
        cell_refs += len(found_letters)
        letters.update(found_letters)
        numbers = values.translate(None, _LETTERS).split()
        row_refs += len(numbers) - len(found_letters)
        if numbers:
            max_row_ref = max(max_row_ref, *map(int, set(numbers)))
        if _ERROR_QUICK.search(before) or _ERROR_QUICK.search(text, 0, cut):
            for m in _ERROR_CELL.finditer(before + text[:cut]):
                ref = _REF_IN_TAG.search(m.group(0))
                if ref is not None:
                    key = (int(ref.group(2)), column_index(ref.group(1).decode()))
                    errors.setdefault(key, m.group(1).decode("utf-8", "replace"))
        before = text[max(0, cut - 4 * _OVERLAP) : cut]
    if odd_refs:
        raise WorkbookError(
            f"sheet '{scan.name}': a cell reference is not of the form A1 (an XML entity or "
            "an unusual character in an r attribute)"
        )
    scan.unpacked_bytes = used
    scan.cells = cells
    scan.max_row = max_row_ref + max(0, rows - row_refs)
    scan.max_column = max((column_index(x.decode()) for x in letters), default=0) + max(
        0, cells - cell_refs
    )
    scan.error_cells = [(r, c, v) for (r, c), v in sorted(errors.items())]
    return used


def check_workbook(data: bytes) -> SheetScan:
    """Check a workbook against the limits before any sheet is parsed (module docstring).

    Returns
    -------
    SheetScan
        The sheet to read (``资产明细``/``tape`` if present, else the first worksheet).

    Raises
    ------
    WorkbookError
        Not a zip, no worksheet, a limit exceeded (naming it and the value found).
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise WorkbookError(f"not a readable zip archive ({type(exc).__name__}: {exc})") from None
    if len(infos) > MAX_XLSX_PARTS:
        raise WorkbookError(
            f"the workbook has {len(infos):,} parts, more than the {MAX_XLSX_PARTS:,} allowed",
            code="tape_xlsx_too_many_parts",
            context={"parts": len(infos), "limit": MAX_XLSX_PARTS},
        )
    sheets = _sheet_parts(data, zf)
    if not sheets:
        raise WorkbookError("the workbook has no worksheet", code="tape_xlsx_no_sheet")
    name = choose_sheet([n for n, _ in sheets])
    part = dict(sheets)[name]
    scan = SheetScan(name=name, part=part)
    try:
        sheet_info = zf.getinfo(part)
    except KeyError:
        raise WorkbookError(f"sheet '{name}': its part {part!r} is missing") from None
    budget = MAX_XLSX_UNPACKED_BYTES
    try:
        budget -= _scan_sheet(data, sheet_info, scan, budget)
        for info in infos:
            if info.filename != part and not info.is_dir():
                for chunk in _unpack(data, info, budget):
                    budget -= len(chunk)
    except _TooBig as big:
        raise WorkbookError(
            f"the workbook unpacks to more than {MAX_XLSX_UNPACKED_BYTES / 2**30:g} GiB "
            f"(the limit for a tape; a zip bomb?), stopped after "
            f"{MAX_XLSX_UNPACKED_BYTES - budget + big.seen:,} bytes",
            code="tape_xlsx_unpacked_too_large",
            context={"limit": MAX_XLSX_UNPACKED_BYTES},
        ) from None
    if scan.dimension:
        rule = _dimension_rule(scan.dimension)
        if rule:
            text, numbers = rule
            raise WorkbookError(
                f"sheet '{name}': declared dimension {scan.dimension}: {text}",
                code="tape_xlsx_sheet_too_large",
                context={"sheet": name, "dimension": scan.dimension, **numbers},
            )
    if scan.cells > MAX_SHEET_CELLS:
        raise WorkbookError(
            f"sheet '{name}' has {scan.cells:,} cells, more than the {MAX_SHEET_CELLS:,} a "
            "tape may have",
            code="tape_xlsx_sheet_too_large",
            context={
                "sheet": name,
                "limit_kind": "cells",
                "cells": scan.cells,
                "limit": MAX_SHEET_CELLS,
            },
        )
    rule = _limits_rule(scan.max_row, scan.max_column, "spans")
    if rule:
        text, numbers = rule
        raise WorkbookError(
            f"sheet '{name}' {text}",
            code="tape_xlsx_sheet_too_large",
            context={"sheet": name, **numbers},
        )
    return scan


def _dimension_rule(ref: str) -> tuple[str, dict[str, object]] | None:
    corners = ref.split(":")
    parsed = [_CELL_REF.fullmatch(c.strip()) for c in corners]
    if len(corners) > 2 or not all(parsed):
        return None  # calamine ignores what it cannot read; so do we
    rows = max(int(m.group(2)) for m in parsed if m)
    cols = max(column_index(m.group(1)) for m in parsed if m)
    return _limits_rule(rows, cols, "declares")


def cell_text(value: object) -> str:
    """A parsed cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def read_sheet(data: bytes, scan: SheetScan) -> list[list[str]]:
    """Rows of the checked sheet as text, from row 1 (a row's index + 1 is its number).

    Raises
    ------
    WorkbookError
        The sheet's XML is malformed or the reader fails.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            sheet = book.get_sheet_by_name(scan.name)
            scan.first_column = sheet.start[1] if sheet.start else 0
            return [
                [v if type(v) is str else cell_text(v) for v in row] for row in sheet.iter_rows()
            ]
    except CalamineError as exc:
        raise WorkbookError(
            f"sheet '{scan.name}' cannot be read ({type(exc).__name__}: {exc})"
        ) from None
