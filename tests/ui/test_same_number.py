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


# --- a deal with base adjustments (assumptions.stress) --------------------------------------

#: Base adjustments a structurer might keep in the deal file: the base case itself is stressed.
BASE_ADJUSTMENTS = {"revenue_haircut": 0.2, "pd_multiplier": 2.0, "collection_delay": 1}


@pytest.fixture(scope="module")
def adjusted_deal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """qingdao-pure with base adjustments, as a deal file beside its tape."""
    src = Path(ui.__file__).resolve().parent.parent / "abs" / "examples" / "qingdao-pure"
    folder = tmp_path_factory.mktemp("adjusted")
    data = json.loads((src / "deal.json").read_text(encoding="utf-8"))
    data["assumptions"]["stress"] = BASE_ADJUSTMENTS
    (folder / "deal.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (folder / "tape.csv").write_bytes((src / "tape.csv").read_bytes())
    return folder / "deal.json"


def _json(args: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _scenario(grid: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in grid["scenarios"] if s["name"] == name)
    return found


def _measures(tranches: list[dict[str, Any]]) -> dict[str, tuple[float, float, float]]:
    return {
        t["name"]: (t["yield"], t["min_coverage"], t["min_coverage_interest"]) for t in tranches
    }


def test_base_adjustments_are_one_base_case_everywhere(adjusted_deal: Path, tmp_path: Path) -> None:
    """The 基准 row of ``dabs stress``, the dashboard's stress grid and the workbook, and
    ``dabs run``, are one case: the deal's base adjustments (before, every surface but the
    dashboard's grid ran 基准 unadjusted)."""
    from abs.assumptions import Stress
    from scenarios.grid import run_deal_set, run_grid

    deal_file = str(adjusted_deal)
    run = _json(["run", deal_file, "--json"])
    stress = _json(["stress", deal_file, "--json"])
    assert stress["base_factors"] == BASE_ADJUSTMENTS
    base_row = _scenario(stress, "基准")
    assert {k: base_row["factors"][k] for k in BASE_ADJUSTMENTS} == BASE_ADJUSTMENTS
    want = _measures(run["tranches"])
    got = _measures(base_row["tranches"])
    assert got.keys() == want.keys()
    for name, values in want.items():
        assert got[name] == pytest.approx(values, rel=1e-12), name

    # the adjustments matter: the unadjusted case is another case
    deal = load_deal(adjusted_deal)
    neutral = run_grid(deal, "data", base=Stress()).to_dict()
    plain = _measures(_scenario(neutral, "基准")["tranches"])
    assert any(plain[n][1] != pytest.approx(want[n][1], rel=1e-6) for n in want)

    # the dashboard's grid (the service its cache wrapper calls)
    dash = _measures(_scenario(run_deal_set(deal, "data").to_dict(), "基准")["tranches"])
    for name, values in want.items():
        assert dash[name] == pytest.approx(values, rel=1e-12), name

    # a named scenario keeps the adjustments it does not set: dabs run --scenario is its row
    heavy = _json(["run", deal_file, "--scenario", "重度", "--json"])
    heavy_row = _measures(_scenario(stress, "重度")["tranches"])
    for name, values in _measures(heavy["tranches"]).items():
        assert heavy_row[name] == pytest.approx(values, rel=1e-12), name

    # the workbook's 基准 rows hold the same numbers at their shown precision
    target = tmp_path / "adjusted.xlsx"
    result = runner.invoke(app, ["export", deal_file, "-o", str(target), "--no-breakeven"])
    assert result.exit_code == 0, result.output
    header, rows = _header_rows(openpyxl.load_workbook(target)["压力测试"], "情景")
    col = {h: i for i, h in enumerate(header)}
    for r in rows:
        if r[col["情景"]] != "基准":
            continue
        y, cov, cov_i = want[r[col["档位"]]]
        assert r[col["收益率"]] == round(y, 4)
        assert r[col["最低覆盖倍数（含本金）(倍)"]] == round(cov, 2)
        assert r[col["最低覆盖倍数（仅利息）(倍)"]] == round(cov_i, 2)
