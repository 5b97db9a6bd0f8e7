"""The filing package end to end: golden tests for the three examples, engine cross-checks,
a hostile tape, the ``dabs export`` command, LibreOffice conversion (slow).

Golden files: ``tests/golden/filing/<example>.json`` (sheet names and order, headers, row
counts, totals); regenerate with ``pytest tests/ui/test_export.py --update-golden``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from typer.testing import CliRunner

pytest.importorskip("abs.projection")
pytest.importorskip("abs.tape")
pytest.importorskip("scenarios.grid")

import waterfall
from abs.asset import Asset, Pool
from abs.deal import Deal
from abs.errors import ExportError
from abs.filing import FilingTable, unneutralise_csv, validate_document
from abs.filing.sanitize import is_risky
from abs.filing.sheets import SHEETS
from abs.io import load_deal, save_deal
from abs.projection import project
from scenarios.filing_package import (
    build_filing_tables,
    export_package,
    render_package,
)
from ui.cli import app

GOLDEN = Path(__file__).parents[1] / "golden" / "filing"
EXAMPLES = ("qingdao-pure", "rugao-labelled", "tianfeng-enabled")
CREATED = dt.datetime(2026, 4, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
runner = CliRunner()


@pytest.fixture(scope="module")
def example_tables() -> dict[str, list[FilingTable]]:
    """The three examples' tables, built once (FilingTable objects are immutable)."""
    return {
        name: build_filing_tables(
            load_deal(name), created=CREATED, breakeven=name == "rugao-labelled"
        )
        for name in EXAMPLES
    }


def _round(value: Any, kind: str) -> Any:
    if isinstance(value, float):
        return round(value, 2) if kind == "money" else round(value, 6)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _digest(tables: list[FilingTable]) -> dict[str, Any]:
    """What the golden file pins: names, order, headers, row counts, totals."""
    sheets = []
    for t in tables:
        blocks = []
        for b in t.blocks:
            totals = b.shown_totals()
            blocks.append(
                {
                    "key": b.key,
                    "title": b.title,
                    "headers": [c.header("xlsx") for c in b.columns],
                    "rows": len(b.rows) if t.key != "model_notes" else None,
                    "totals": None
                    if totals is None
                    else [_round(v, c.kind.value) for v, c in zip(totals, b.columns, strict=True)],
                }
            )
        sheets.append({"key": t.key, "name": t.sheet, "name_en": t.sheet_en, "blocks": blocks})
    return {"sheets": sheets}


@pytest.mark.parametrize("name", EXAMPLES)
def test_golden(
    name: str, example_tables: dict[str, list[FilingTable]], update_golden: bool
) -> None:
    digest = _digest(example_tables[name])
    path = GOLDEN / f"{name}.json"
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(digest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert digest == expected


@pytest.mark.parametrize("name", EXAMPLES)
def test_sheet_order_and_names(name: str, example_tables: dict[str, list[FilingTable]]) -> None:
    tables = example_tables[name]
    assert [(t.key, t.sheet, t.sheet_en) for t in tables] == list(SHEETS)


def _totals(table: FilingTable, block: str) -> dict[str, Any]:
    b = table.block(block)
    return dict(zip(b.keys, b.totals or (), strict=True))


@pytest.mark.parametrize("name", EXAMPLES)
def test_totals_equal_the_engine_to_the_fen(
    name: str, example_tables: dict[str, list[FilingTable]]
) -> None:
    deal = load_deal(name)
    collections = project(deal)
    result = waterfall.run(deal, collections)
    sheets = {t.key: t for t in example_tables[name]}
    pool_totals = _totals(sheets["pool_cashflows"], "collections")
    assert pool_totals["collections"] == round(float(collections.total[0].sum()), 2)
    assert pool_totals["defaults"] == round(float(collections.defaults[0].sum()), 2)
    payments = sheets["tranche_payments"]
    for i, tranche in enumerate(deal.tranches):
        block = payments.blocks[i]
        assert block.title == tranche.name
        totals = dict(zip(block.keys, block.totals or (), strict=True))
        assert totals["principal"] == round(float(result.principal[tranche.name].paid[0].sum()), 2)
        assert totals["cashflow"] == round(float(result.tranche_cash(tranche.name)[0].sum()), 2)
    assert deal.pool is not None
    assets = _totals(sheets["asset_list"], "assets")
    assert assets["amount"] == deal.pool.total_amount
    issue = _totals(sheets["deal_summary"], "tranches")
    assert issue["balance"] == round(deal.issue_amount, 2)


@pytest.mark.parametrize("name", EXAMPLES)
def test_shares_add_to_100_percent_and_top20_sorted(
    name: str, example_tables: dict[str, list[FilingTable]]
) -> None:
    sheets = {t.key: t for t in example_tables[name]}
    stats = sheets["pool_statistics"]
    for block in stats.blocks[1:]:
        for key in ("amount_share", "share"):
            if key in block.keys:
                values = [v for v in block.values(key) if v is not None]
                assert math.fsum(values) == pytest.approx(1.0, abs=1e-9), block.key
    assert math.fsum(sheets["asset_list"].blocks[0].values("share")) == pytest.approx(1.0)  # type: ignore[arg-type]
    top = sheets["top_obligors"].blocks[0]
    balances = top.values("balance")
    assert balances == sorted(balances, reverse=True)  # type: ignore[type-var]
    assert 1 <= len(balances) <= 20


def test_rugao_share_is_the_public_50_46_percent(
    example_tables: dict[str, list[FilingTable]],
) -> None:
    stats = {t.key: t for t in example_tables["rugao-labelled"]}["pool_statistics"]
    link = stats.block("data_link_share")
    pledged = next(r for r in link.rows if r[0] == "质押")
    assert pledged[3] == pytest.approx(0.5046, abs=1e-12)
    assert "50.46%" in link.notes[0]


def test_breakeven_and_stress_blocks(example_tables: dict[str, list[FilingTable]]) -> None:
    stress = {t.key: t for t in example_tables["rugao-labelled"]}["stress_tests"]
    assert [b.key for b in stress.blocks] == ["grid", "breakeven"]
    deal = load_deal("rugao-labelled")
    assert set(stress.block("grid").values("tranche")) == {t.name for t in deal.tranches}
    coverage = {t.key: t for t in example_tables["rugao-labelled"]}["coverage"]
    assert coverage.block("per_period").columns[2].label == "基准"


def test_workbook_reads_back(tmp_path: Path) -> None:
    deal = load_deal("rugao-labelled")
    report = export_package(
        deal,
        xlsx_path=tmp_path / "out.xlsx",
        csv_dir=tmp_path / "csv",
        json_path=tmp_path / "out.json",
        created=CREATED,
        breakeven=False,
    )
    assert [p.name for p in report.written[:2]] == ["out.xlsx", "out.json"]
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert wb.sheetnames == [zh for _, zh, _ in SHEETS]
    assert wb.properties.title == f"{deal.name} 申报表格"
    ws = wb["证券兑付表"]
    assert ws["A1"].value == "证券兑付表（Tranche payment table）"
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    validate_document(doc, full_schema=True)
    assert doc["metadata"]["deal_sha256"] == report.run.deal_sha256  # type: ignore[union-attr]
    assert len(list((tmp_path / "csv").glob("*.csv"))) == 9
    notes = {t.key: t for t in report.tables}["model_notes"]
    run = dict(notes.block("run").rows)  # type: ignore[arg-type]
    assert run["运行时间"] == "2026-04-01T09:30:00+08:00"
    assert run["随机种子"] == "—"
    assert len(str(run["交易文件SHA-256"])) == 64


def test_monte_carlo_is_reproducible() -> None:
    deal = load_deal("rugao-labelled")
    a = render_package(deal, mc_paths=64, seed=7, created=CREATED, breakeven=False)
    b = render_package(deal, mc_paths=64, seed=7, created=CREATED, breakeven=False)
    assert a.json == b.json
    stress = {t.key: t for t in a.tables}["stress_tests"]
    assert stress.blocks[-1].key == "monte_carlo"
    run = dict({t.key: t for t in a.tables}["model_notes"].block("run").rows)  # type: ignore[arg-type]
    assert run["随机种子"] == "7"
    with pytest.raises(ExportError, match=r"needs both a path count and a seed; got mc_paths=64"):
        build_filing_tables(deal, mc_paths=64)


def test_bad_run_arguments(tmp_path: Path) -> None:
    deal = load_deal("rugao-labelled")
    with pytest.raises(ExportError, match=r"mc_paths must be at least 1; got 0"):
        build_filing_tables(deal, mc_paths=0, seed=1)
    with pytest.raises(ExportError, match=r"nope.csv: cannot read input file to hash it"):
        build_filing_tables(deal, tape_path=tmp_path / "nope.csv", breakeven=False)


def test_deal_built_in_memory_is_hashed_canonically() -> None:
    deal = load_deal("rugao-labelled")
    a = render_package(deal, created=CREATED, breakeven=False)
    assert a.run.deal_source.startswith("内存中的交易对象")
    assert a.run.tape_source is None
    assert len(a.run.deal_sha256) == 64


# --- hostile tape --------------------------------------------------------------------------

HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/","点击")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "名" * 10_000,
    "数据😀公司",
    "刘䶮科技有限公司",
    "𠀀数据有限公司",
    "如皋某城投公司(示例)",
    "如皋某国资公司(示例)",
]


def _hostile_deal() -> Deal:
    base = load_deal("rugao-labelled", with_pool=False)
    assets = tuple(
        Asset(
            asset_id=name[:1] + f"-{i:02d}" if i < 6 else f"H{i:02d}",
            obligor=name,
            originator=HOSTILE_NAMES[(i + 3) % len(HOSTILE_NAMES)],
            asset_type="receivable",
            data_link="pledged" if i % 2 else "none",
            amount=10_000_000.0 + 100_000.0 * i,
            rate=0.045,
            start_date=dt.date(2024, 12, 31),
            maturity_date=dt.date(2026, 12, 31),
            region="=江苏省",
        )
        for i, name in enumerate(HOSTILE_NAMES)
    )
    pool = Pool(assets=assets, cutoff_date=base.dates.cutoff_date)
    return base.model_copy(update={"pool": pool, "tape": None})


def test_hostile_tape_exports_safely(tmp_path: Path) -> None:
    deal_file = tmp_path / "hostile.json"
    save_deal(_hostile_deal(), deal_file)
    result = runner.invoke(
        app,
        [
            "export",
            str(deal_file),
            "-o",
            str(tmp_path / "h.xlsx"),
            "--csv",
            str(tmp_path / "csv"),
            "--json",
            str(tmp_path / "h.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "h.xlsx")["入池资产明细"]
    header = [c.value for c in ws[4]]
    col = header.index("债务人") + 1
    for i, name in enumerate(HOSTILE_NAMES):
        cell = ws.cell(5 + i, col)
        assert cell.data_type == "s"  # text, never a formula
        assert cell.value == name.replace("\r", "_x000D_")  # OOXML escape of CR, see hostile tests
        assert cell.quotePrefix is is_risky(name)
    rows = list(
        csv.reader(
            io.StringIO(
                (tmp_path / "csv" / "04_入池资产明细.csv").read_bytes().decode("utf-8-sig"),
                newline="",
            )
        )
    )
    obligor_col = rows[0].index("债务人")
    got = [r[obligor_col] for r in rows[1 : 1 + len(HOSTILE_NAMES)]]
    assert not any(is_risky(g) for g in got)
    assert [unneutralise_csv(g) for g in got] == HOSTILE_NAMES
    doc = json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))
    sheet = next(s for s in doc["sheets"] if s["key"] == "asset_list")
    assert [r[2] for r in sheet["tables"][0]["rows"]] == HOSTILE_NAMES


def test_hostile_tape_gbk_fails_and_writes_nothing(tmp_path: Path) -> None:
    deal_file = tmp_path / "hostile.json"
    save_deal(_hostile_deal(), deal_file)
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(
        app,
        [
            "export",
            str(deal_file),
            "-o",
            str(out / "h.xlsx"),
            "--csv",
            str(out / "csv"),
            "--encoding",
            "gbk",
        ],
    )
    assert result.exit_code == 2
    assert "cannot be encoded in gbk" in result.output
    assert "use encoding utf-8-sig or gb18030" in result.output
    assert list(out.iterdir()) == []


# --- CLI -----------------------------------------------------------------------------------


def test_cli_refuses_to_overwrite_then_forces(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    result = runner.invoke(app, ["export", "rugao-labelled", "-o", str(target)])
    assert result.exit_code == 2
    assert "file exists; use --force to overwrite" in result.output
    assert target.read_bytes() == b"old"
    result = runner.invoke(
        app, ["export", "rugao-labelled", "-o", str(target), "--force", "--no-breakeven"]
    )
    assert result.exit_code == 0, result.output
    assert "out.xlsx" in result.output
    wb = openpyxl.load_workbook(target)
    stress = [row[0] for row in wb["压力测试"].iter_rows(values_only=True)]
    assert "压力情景结果（每情景每档位）" in stress
    assert not any(str(v).startswith("临界值") for v in stress)
    notes = {r[0]: r[1] for r in wb["模型说明"].iter_rows(values_only=True)}
    assert notes["临界值搜索"] == "未运行"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{tmp}/missing/out.xlsx"], "folder {tmp}/missing does not exist"),
        (["-o", "{tmp}/out.xls"], "the workbook name must end in .xlsx"),
        (["-o", "{tmp}/out.xlsx", "--mc", "10"], "--mc and --seed go together"),
        (["-o", "{tmp}/out.xlsx", "--encoding", "latin-1"], "--encoding must be one of"),
        (["-o", "{tmp}/out.xlsx", "--csv", "{tmp}/nope/csv"], "folder {tmp}/nope does not exist"),
    ],
)
def test_cli_bad_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    argv = ["export", "rugao-labelled", *[a.format(tmp=tmp_path) for a in args]]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    assert message.format(tmp=tmp_path) in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []


def test_cli_missing_deal_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["export", str(tmp_path / "nope.json"), "-o", str(tmp_path / "o.xlsx")]
    )
    assert result.exit_code == 2
    assert "deal file not found" in result.output


# --- LibreOffice (slow) ----------------------------------------------------------------------

PNG_DPI = 130


def _render_png(pdf: Path, stem: Path) -> None:
    """First PDF page → PNG cropped to the printed content (pdftoppm; bbox found with numpy)."""
    gray = subprocess.run(
        ["pdftoppm", "-gray", "-r", str(PNG_DPI), "-f", "1", "-l", "1", "-singlefile", str(pdf)],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    # binary PGM: "P5\n<w> <h>\n<max>\n" then w*h bytes
    magic, dims, _max, pixels = gray.split(b"\n", 3)
    width, height = (int(v) for v in dims.split())
    image = np.frombuffer(pixels[: width * height], dtype=np.uint8).reshape(height, width)
    rows = np.flatnonzero((image < 245).any(axis=1))
    cols = np.flatnonzero((image < 245).any(axis=0))
    margin = 12
    x0, y0 = max(int(cols[0]) - margin, 0), max(int(rows[0]) - margin, 0)
    x1, y1 = min(int(cols[-1]) + margin, width), min(int(rows[-1]) + margin, height)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(PNG_DPI),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            "-x",
            str(x0),
            "-y",
            str(y0),
            "-W",
            str(x1 - x0),
            "-H",
            str(y1 - y0),
            str(pdf),
            str(stem),
        ],
        check=True,
        timeout=120,
    )
    assert magic == b"P5"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="libreoffice not installed")
def test_libreoffice_opens_the_example_workbook(tmp_path: Path, update_golden: bool) -> None:
    """Convert the example workbook to PDF; with --update-golden also refresh docs/images."""
    deal = load_deal("rugao-labelled")
    tables = build_filing_tables(deal, created=CREATED, breakeven=False)
    from abs.filing import render_xlsx

    profile = tmp_path / "lo-profile"
    for i in (0, 1):
        src = tmp_path / f"sheet{i + 1}.xlsx"
        src.write_bytes(render_xlsx([tables[i]]))
        done = subprocess.run(
            [
                "libreoffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(src),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        pdf = tmp_path / f"sheet{i + 1}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        if update_golden and shutil.which("pdftoppm"):
            stem = ("filing-01-deal-summary", "filing-02-pool-statistics")[i]
            _render_png(pdf, Path(__file__).parents[2] / "docs" / "images" / stem)
    full = tmp_path / "all.xlsx"
    full.write_bytes(render_xlsx(tables))
    done = subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(full),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "all.pdf").stat().st_size > 10_000
