"""The XLSX limits admit a real 200,000-row tape and reject just past them (issue 17).

The full-size read is a benchmark (tests/benchmarks/test_bench_tape.py); here a workbook with
the extent of a 200,000-row, 41-column tape but few filled rows keeps the test quick while the
reader still builds the whole 200,001 × 41 grid.
"""

from __future__ import annotations

import pytest

from abs import xlsx_read
from abs.tape import MAX_TAPE_ROWS, read_tape_bytes_report
from abs.xlsx_read import WorkbookError, check_workbook, column_letters
from tests.hostile import xlsx_parts as xp

REAL_ROWS = 200_000
REAL_COLUMNS = 41  # every Asset field has a column


def _tape_extent(last_row: int, last_column: int) -> bytes:
    last = f"{column_letters(last_column)}{last_row}"
    notes = column_letters(last_column)
    rows = (
        xp.header_row()[: -len("</row>")]
        + xp.text_cell(f"{notes}1", "备注")
        + "</row>"
        + xp.asset_row(2)
        + xp.asset_row(100_000, asset_id="R-mid")
        + f'<row r="{last_row}">'
        + xp.asset_row(last_row, asset_id="R-last")[len(f'<row r="{last_row}">') : -len("</row>")]
        + xp.text_cell(last, "备注")
        + "</row>"
    )
    return xp.workbook(xp.sheet_xml(rows, dimension=f"A1:{last}"))


def test_limits_admit_a_200000_row_41_column_tape() -> None:
    assert MAX_TAPE_ROWS >= REAL_ROWS
    data = _tape_extent(REAL_ROWS + 1, REAL_COLUMNS)
    scan = check_workbook(data)
    assert (scan.max_row, scan.max_column) == (REAL_ROWS + 1, REAL_COLUMNS)
    report = read_tape_bytes_report(data, filename="real.xlsx")
    assert [a.asset_id for a in report.pool.assets] == ["R2", "R-mid", "R-last"]
    assert report.pool.total_amount == 3_000_000.0
    # the 备注 column is unknown: a warning, not an error
    assert any(w.column == "备注" for w in report.warnings)


@pytest.mark.parametrize(
    ("rows", "columns", "message"),
    [
        (1_000_002, 3, r"spans 1,000,002 rows, more than the 1,000,001 a tape may have"),
        (10, 1_025, r"spans 1,025 columns \(up to AMK\), more than the 1,024"),
        (500_000, 60, r"500,000 rows × 60 columns = 30,000,000 cells, more than the 25,000,000"),
    ],
)
def test_just_past_each_limit_is_rejected_before_parsing(
    rows: int, columns: int, message: str
) -> None:
    last = f"{column_letters(columns)}{rows}"
    sheet = xp.sheet_xml(
        xp.header_row() + f'<row r="{rows}">' + xp.text_cell(last, "x") + "</row>", dimension=None
    )
    with pytest.raises(WorkbookError, match=message):
        check_workbook(xp.workbook(sheet))


def test_declared_dimension_is_checked_too() -> None:
    sheet = xp.sheet_xml(xp.header_row() + xp.asset_row(2), dimension="A1:G1000002")
    with pytest.raises(WorkbookError, match=r"declared dimension A1:G1000002: declares 1,000,002"):
        check_workbook(xp.workbook(sheet))


def test_unpacked_limit_counts_every_part(monkeypatch: pytest.MonkeyPatch) -> None:
    # A small sheet next to a large unrelated part: the limit is on the workbook as a whole.
    monkeypatch.setattr(xlsx_read, "MAX_XLSX_UNPACKED_BYTES", 1 << 20)
    data = xp.workbook(xp.sheet_xml(xp.header_row() + xp.asset_row(2)))
    import io
    import zipfile

    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/blob.bin", b"\0" * (2 << 20))
    with pytest.raises(WorkbookError, match=r"unpacks to more than 0\.000976562 GiB"):
        check_workbook(buffer.getvalue())
