"""Hand-built XLSX workbooks for the hostile corpus: one sheet named ``tape``, parts as text.

Real writers (openpyxl, xlsxwriter) refuse to write what these tests need (a lying dimension, a
cell at XFD1048576 next to A1, cells without references, broken XML, declared sizes that lie),
so the zip is assembled here part by part.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="tape" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_PART = "xl/worksheets/sheet1.xml"

HEADER = ("资产编号", "债务人", "资产类型", "数据资产关联", "入池金额", "起始日", "到期日")


def text_cell(ref: str, text: str) -> str:
    """An inline-string cell."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row(row: int = 1) -> str:
    cells = "".join(text_cell(f"{chr(65 + i)}{row}", h) for i, h in enumerate(HEADER))
    return f'<row r="{row}">{cells}</row>'


def asset_row(row: int, *, asset_id: str = "", amount: str = "1000000") -> str:
    """A valid asset: 1,000,000 元, 2025-01-31 to 2026-01-31; ``amount`` goes in a number cell."""
    texts = [asset_id or f"R{row}", "甲数据科技有限公司", "应收账款", "质押"]
    cells = "".join(text_cell(f"{chr(65 + i)}{row}", t) for i, t in enumerate(texts))
    cells += f'<c r="E{row}"><v>{amount}</v></c>'
    cells += text_cell(f"F{row}", "2025-01-31") + text_cell(f"G{row}", "2026-01-31")
    return f'<row r="{row}">{cells}</row>'


def sheet_xml(rows: str, *, dimension: str | None = "A1:G2", tail: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{rows}</sheetData>{tail}</worksheet>"
    )


def workbook(sheet: str | bytes) -> bytes:
    """The bytes of a one-sheet workbook around ``sheet`` (the worksheet part)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr(SHEET_PART, sheet)
    return buffer.getvalue()


def lying_sizes(data: bytes, part: str, *, declared: int) -> bytes:
    """``data`` with ``part``'s uncompressed size declared as ``declared`` bytes (and a CRC of
    nothing): the local header and the central directory both lie; the stream is unchanged."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(part)
    local = info.header_offset
    struct.pack_into("<I", out, local + 22, declared)
    struct.pack_into("<I", out, local + 14, zlib.crc32(b""))
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + name_len]) == part.encode():
            struct.pack_into("<I", out, central + 24, declared)
            struct.pack_into("<I", out, central + 16, zlib.crc32(b""))
            break
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)
