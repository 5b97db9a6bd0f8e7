"""One definition per number: the same base-case number on every surface.

For each shipped example the tranche yields and the 现金流覆盖倍数 are read from three places a
structurer looks at, and must agree: the dashboard (AppTest, the 现金流 and 结构设计 pages as
rendered), ``dabs run`` (text and ``--json``) and the filing workbook ``dabs export`` writes
(the stress sheet's 基准 rows and the coverage sheet's summary). Before issue 16 the stress
table showed 2.218% beside the 现金流 page's 2.200% (annual vs quarterly compounding), and
"最低覆盖倍数" meant the interest-only multiple in one place and the principal-inclusive one in
another.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

import ui
from abs.io import load_deal
from scenarios.report import base_report
from ui import state
from ui.cli import app

EXAMPLES = ("qingdao-pure", "rugao-labelled", "tianfeng-enabled")
APP = Path(ui.__file__).resolve().parent / "app.py"
runner = CliRunner()


def _cli_json(example: str) -> dict[str, Any]:
    result = runner.invoke(app, ["run", example, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _header_rows(ws: Any, first: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The header row starting with ``first`` and the rows of data under it."""
    rows = list(ws.iter_rows(values_only=True))
    for i, row in enumerate(rows):
        if row and row[0] == first and any(isinstance(v, str) and "倍" in v for v in row):
            body = []
            for r in rows[i + 1 :]:
                if r[0] is None:
                    break
                body.append(r)
            return [str(v) for v in row], body
    raise AssertionError(f"no table with a header starting {first!r} in sheet {ws.title!r}")


def _workbook(example: str, tmp_path: Path) -> openpyxl.Workbook:
    target = tmp_path / f"{example}.xlsx"
    result = runner.invoke(app, ["export", example, "-o", str(target), "--no-breakeven"])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(target)


@pytest.mark.parametrize("example", EXAMPLES)
def test_cli_workbook_and_report_agree(example: str, tmp_path: Path) -> None:
    rep = base_report(load_deal(example))
    cli = _cli_json(example)
    wb = _workbook(example, tmp_path)

    header, rows = _header_rows(wb["压力测试"], "情景")
    col = {h: i for i, h in enumerate(header)}
    base_rows = {r[col["档位"]]: r for r in rows if r[col["情景"]] == "基准"}
    assert set(base_rows) == {t["name"] for t in cli["tranches"]}
    for tr in cli["tranches"]:
        row = base_rows[tr["name"]]
        # one yield convention (compounded at the payment frequency) in the CLI and workbook;
        # the workbook stores what it shows (0.00%, 0.00 倍: abs.filing.rounding), so it holds
        # the CLI's number rounded to the shown precision, and prints the same text
        assert row[col["收益率"]] == round(tr["yield"], 4)
        assert f"{row[col['收益率']] * 100:.2f}%" == f"{tr['yield'] * 100:.2f}%"
        # the incl.-principal minimum through the tranche: run JSON ``min_coverage``
        assert row[col["最低覆盖倍数（含本金）(倍)"]] == round(tr["min_coverage"], 2)
        assert row[col["最低覆盖倍数（仅利息）(倍)"]] == round(tr["min_coverage_interest"], 2)
    # the report object the pages draw holds the same numbers
    for (_, srow), tr in zip(rep.summary.iterrows(), cli["tranches"], strict=True):
        assert float(srow["收益率"]) == pytest.approx(tr["yield"], rel=1e-12)

    cov_header, cov_rows = _header_rows(wb["现金流覆盖倍数"], "情景")
    base_cov = dict(zip(cov_header, next(r for r in cov_rows if r[0] == "基准"), strict=False))
    assert base_cov["最低覆盖倍数（含本金）(倍)"] == round(cli["senior_min_coverage"], 2)
    assert base_cov["最低覆盖倍数（仅利息）(倍)"] == round(cli["senior_min_coverage_interest"], 2)
    assert base_cov["全周期覆盖倍数（含本金）(倍)"] == round(cli["senior_life_coverage"], 2)
    assert rep.senior_min_coverage == pytest.approx(cli["senior_min_coverage"], rel=1e-12)
    assert cli["support_needed"] is False  # the examples stand on their own cash


@pytest.mark.parametrize("example", EXAMPLES)
def test_dashboard_shows_the_cli_numbers(example: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = _cli_json(example)
    text = runner.invoke(app, ["run", example]).stdout
    monkeypatch.setenv(state.ENV_DEAL, example)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page("views/waterfall_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    summary = next(df.value for df in at.dataframe if "收益率" in df.value.columns)
    shown_yield = [str(v) for v in summary["收益率"]]
    expected = [f"{t['yield'] * 100:.2f}%" for t in cli["tranches"]]
    assert shown_yield == expected
    for value in expected:
        assert value in text  # dabs run prints the same two-decimal figure
    metrics = {m.label: m.value for m in at.metric}
    yields = [v for k, v in metrics.items() if k == "收益率"]
    assert yields and yields[0] == expected[-1]  # the last card drawn (次级)
    cov_shown = [str(v) for v in summary[next(c for c in summary.columns if "最低覆盖" in c)]]
    assert cov_shown == [f"{t['min_coverage']:.2f}×" for t in cli["tranches"]]

    at.switch_page("views/structure_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    senior = f"{cli['senior_min_coverage']:.2f}×"
    assert metrics["优先级最低覆盖（含本金）"] == senior
    assert senior in text
    captions = "\n".join(str(c.value) for c in at.caption)
    assert f"{cli['senior_min_coverage_interest']:.2f}×" in captions
