"""The workbook opens in LibreOffice without repair: PDF conversion and a CSV read-back.

Slow (starts LibreOffice); skipped when ``libreoffice`` is not installed.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from abs.filing import Column, ColumnKind, FilingTable, TableBlock, render_xlsx

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("libreoffice") is None, reason="libreoffice not installed"),
]

HOSTILE = [
    '=HYPERLINK("http://evil.example/","点击")',
    "+1",
    "-2",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "刘䶮 𠀀 😀",
    "长" * 10_000,
]


def _convert(src: Path, out: Path, target: str, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _workbook() -> bytes:
    cols = (
        Column("name", "债务人名称"),
        Column("amount", "入池金额", ColumnKind.MONEY),
        Column("share", "占比", ColumnKind.PERCENT),
    )
    rows = tuple((t, 1_000_000.0 * (i + 1), 0.125) for i, t in enumerate(HOSTILE))
    block = TableBlock(key="assets", title="明细", columns=cols, rows=rows).with_sum_totals(
        ["amount", "share"]
    )
    sheet = FilingTable(
        key="assets", sheet="入池资产明细", sheet_en="Asset list", note="注", blocks=(block,)
    )
    return render_xlsx([sheet])


def test_libreoffice_converts_and_reads_text_back(tmp_path: Path) -> None:
    src = tmp_path / "filing.xlsx"
    src.write_bytes(_workbook())
    profile = tmp_path / "lo-profile"
    pdf = _convert(src, tmp_path / "pdf", "pdf", profile)
    assert pdf.returncode == 0, pdf.stderr
    assert (tmp_path / "pdf" / "filing.pdf").read_bytes().startswith(b"%PDF")
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    res = _convert(src, tmp_path / "csv", csv_filter, profile)
    assert res.returncode == 0, res.stderr
    (out,) = (tmp_path / "csv").glob("*.csv")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert rows[4] == ["债务人名称", "入池金额(万元)", "占比"]
    got = [r[0] for r in rows[5 : 5 + len(HOSTILE)]]
    # LibreOffice decodes the stored _x000D_ back to a line break; its CSV export writes CR as LF.
    assert got == [t.replace("\r", "\n") for t in HOSTILE]
    # formulas were never evaluated: the amounts are plain numbers in 万元
    assert [r[1] for r in rows[5:7]] == ["100", "200"]
