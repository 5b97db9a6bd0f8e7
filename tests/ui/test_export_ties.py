"""The filing workbook of every example ties as stored: each cell holds what it shows, and every
totals row and total column equals the sum of its parts exactly (abs.filing.rounding).

The workbook is read back with openpyxl, not through the model: the test sees what a filing team
copies. Totals rows are the bold rows with the totals fill under a header row; a cell's shown
precision comes from its number format.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from abs.examples import example_names
from ui.cli import app

runner = CliRunner()
HEADER_FILL = "D9E1F2"
TOTAL_FILL = "F2F2F2"
#: Decimals each number format shows (a stored value must have no more).
DECIMALS = {"#,##0.00": 2, "0.00%": 4, "0.00": 2, "#,##0": 0, "0": 0, "0.0000": 4}


def _fill(cell: Any) -> str:
    return str(getattr(cell.fill.fgColor, "rgb", "") or "").upper()[-6:]


def _units(value: float, decimals: int) -> int:
    return round(value * 10**decimals)


def _blocks(ws: Any) -> list[tuple[list[str], list[list[Any]], list[Any] | None]]:
    """(headers, data rows (cells), totals row (cells) or None) of every table of a sheet."""
    rows = list(ws.iter_rows())
    out = []
    i = 0
    while i < len(rows):
        row = rows[i]
        if row[0].value is not None and _fill(row[0]) == HEADER_FILL:
            headers = [str(c.value) for c in row if c.value is not None]
            body: list[list[Any]] = []
            totals = None
            j = i + 1
            while j < len(rows) and any(c.value is not None for c in rows[j][: len(headers)]):
                cells = list(rows[j][: len(headers)])
                if _fill(cells[0]) == TOTAL_FILL:
                    totals = cells
                    j += 1
                    break
                if _fill(cells[0]) != "" and _fill(cells[0]) != "000000":
                    break
                body.append(cells)
                j += 1
            out.append((headers, body, totals))
            i = j
        else:
            i += 1
    return out


@pytest.fixture(scope="module", params=example_names())
def workbook(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    target = tmp_path_factory.mktemp("ties") / f"{request.param}.xlsx"
    args = ["export", request.param, "-o", str(target)]
    if request.param != "rugao-labelled":
        args.append("--no-breakeven")  # the break-even table has no totals; one example runs it
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(target)


def test_every_number_is_stored_as_shown(workbook: Any) -> None:
    checked = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    d = DECIMALS[c.number_format]
                    assert round(c.value, d) == c.value, (ws.title, c.coordinate, c.value)
                    checked += 1
    assert checked > 100


def test_every_total_is_the_sum_of_its_shown_parts(workbook: Any) -> None:
    totals_seen = 0
    for ws in workbook.worksheets:
        for headers, body, totals in _blocks(ws):
            if totals is None:
                continue
            for k, cell in enumerate(totals):
                if not isinstance(cell.value, int | float) or k == 0:
                    continue
                d = DECIMALS[cell.number_format]
                parts = [r[k].value for r in body if isinstance(r[k].value, int | float)]
                assert sum(_units(v, d) for v in parts) == _units(cell.value, d), (
                    ws.title,
                    headers[k],
                    cell.coordinate,
                )
                totals_seen += 1
    assert totals_seen >= 10


def test_payment_rows_tie_across(workbook: Any) -> None:
    """证券兑付表: 现金流 = 本金 + 利息 + 超额收益 and 期末本金 = 期初本金 − 本金 in every row,
    the next row opening where this one closed; 现金流归集表 shares the pool total."""
    ws = workbook["证券兑付表"]
    blocks = _blocks(ws)
    assert blocks
    for headers, body, totals in blocks:
        col = {h.split("(")[0]: k for k, h in enumerate(headers)}
        assert totals is not None
        for r in [*body, totals]:
            parts = [r[col[k]].value for k in ("本金", "利息", "超额收益") if k in col]
            assert _units(r[col["现金流"]].value, 2) == sum(_units(v or 0.0, 2) for v in parts)
        for a, b in itertools.pairwise(body):
            assert a[col["期末本金"]].value == b[col["期初本金"]].value
        for r in body:
            assert _units(r[col["期初本金"]].value, 2) - _units(r[col["本金"]].value, 2) == (
                _units(r[col["期末本金"]].value, 2)
            )


def test_pool_total_agrees_across_sheets(workbook: Any) -> None:
    (assets_headers, _, asset_totals) = _blocks(workbook["入池资产明细"])[0]
    assert asset_totals is not None
    amount = asset_totals[assets_headers.index("入池金额(万元)")].value
    summary = {
        r[0]: r[1]
        for r in workbook["基础资产统计"].iter_rows(values_only=True)
        if r and isinstance(r[0], str)
    }
    assert summary["资产池总金额"] == amount
    for headers, _, totals in _blocks(workbook["基础资产统计"]):
        if totals is not None and "金额(万元)" in headers:
            assert totals[headers.index("金额(万元)")].value == amount
            assert totals[headers.index("金额占比")].value == 1.0


def test_workbook_dates_are_dates(workbook: Any) -> None:
    cell = workbook["产品概要"]
    found = [c.value for row in cell.iter_rows() for c in row if isinstance(c.value, dt.datetime)]
    assert found


@pytest.mark.parametrize("example", example_names())
def test_csv_and_json_money_totals_tie_at_the_fen(example: str) -> None:
    """CSV and JSON keep 元 to the fen; their money totals equal the sum of the parts too."""
    import csv
    import io
    import json

    from abs.io import load_deal
    from scenarios.filing_package import render_package

    package = render_package(load_deal(example), breakeven=False)
    doc = json.loads(package.json)
    tied = 0
    for sheet in doc["sheets"]:
        for block in sheet["tables"]:
            if block["totals"] is None:
                continue
            for k, col in enumerate(block["columns"]):
                total = block["totals"][k]
                if col["type"] != "money" or total is None:
                    continue
                parts = [r[k] for r in block["rows"] if r[k] is not None]
                assert sum(round(v * 100) for v in parts) == round(total * 100), (
                    sheet["name"],
                    block["key"],
                    col["key"],
                )
                tied += 1
    assert tied >= 10
    name = next(n for n in package.csv if n.startswith("04_"))
    lines = list(csv.reader(io.StringIO(package.csv[name].decode("utf-8-sig"))))
    k = lines[0].index("入池金额(元)")
    body = [ln for ln in lines[1:] if ln and ln[0] and ln[0] != "合计"]
    total = next(ln for ln in lines if ln and ln[0] == "合计")
    assert sum(round(float(ln[k]) * 100) for ln in body) == round(float(total[k]) * 100)
