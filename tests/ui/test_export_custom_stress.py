"""A deal's own stress scenarios (``Deal.stress_scenarios``) in the filing workbook.

They run after the built-in set in the stress sheet (named as the structurer named them, with
their factor values) with the same numbers ``dabs stress --json`` prints, and 模型说明 lists
them with their factors and where they come from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from abs.assumptions import Stress
from abs.deal import CustomScenario
from abs.io import load_deal, save_deal
from scenarios.filing_package import CUSTOM_SCENARIOS_LABEL
from scenarios.sets import CUSTOM_SOURCE, default_set_for
from ui.cli import app

runner = CliRunner()
CUSTOM = (
    CustomScenario(name="收入骤降35%", stress=Stress(revenue_haircut=0.35)),
    CustomScenario(
        name="违约三倍且回收下降", stress=Stress(pd_multiplier=3.0, recovery_haircut=0.5)
    ),
)


@pytest.fixture(scope="module")
def deal_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    deal = load_deal("qingdao-pure").model_copy(update={"stress_scenarios": CUSTOM})
    return save_deal(deal, tmp_path_factory.mktemp("custom") / "deal.json")


@pytest.fixture(scope="module")
def workbook(deal_file: Path) -> Any:
    target = deal_file.parent / "filing.xlsx"
    result = runner.invoke(app, ["export", str(deal_file), "-o", str(target), "--no-breakeven"])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(target)


def _grid(ws: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    rows = list(ws.iter_rows(values_only=True))
    i = next(k for k, r in enumerate(rows) if r[0] == "情景" and r[1] == "档位")
    body = []
    for r in rows[i + 1 :]:
        if r[0] is None or r[1] is None:  # end of the table (a note spans the first cell)
            break
        body.append(r)
    return [str(h) for h in rows[i]], body


def test_stress_sheet_runs_the_custom_scenarios_after_the_set(
    deal_file: Path, workbook: Any
) -> None:
    headers, body = _grid(workbook["压力测试"])
    builtin = default_set_for(load_deal("qingdao-pure")).names
    order = list(dict.fromkeys(r[0] for r in body))
    assert order == [*builtin, *(c.name for c in CUSTOM)]
    col = {h: k for k, h in enumerate(headers)}
    # factor values of the custom scenarios in their factor columns
    by_name = {(r[0], r[1]): r for r in body}
    haircut = next(h for h in headers if h.startswith("收入下降"))
    assert any(by_name[(CUSTOM[0].name, t)][col[haircut]] == 0.35 for t in ("优先A1", "优先A"))

    cli = runner.invoke(app, ["stress", str(deal_file), "--json"])
    assert cli.exit_code == 0, cli.output
    data = json.loads(cli.stdout)
    assert [sc["name"] for sc in data["scenarios"][-2:]] == [c.name for c in CUSTOM]
    assert data["scenarios"][-1]["factors"]["pd_multiplier"] == 3.0
    rows = {(sc["name"], tr["name"]): tr for sc in data["scenarios"] for tr in sc["tranches"]}
    compared = 0
    for (scenario, tranche), row in by_name.items():
        if scenario not in {c.name for c in CUSTOM}:
            continue
        expected = rows[(scenario, tranche)]
        # stored at the shown precision (0.00%, 0.00 倍, 0.01 万元): the CLI figure rounded
        assert row[col["收益率"]] == (
            None if expected["yield"] is None else round(expected["yield"], 4)
        )
        assert row[col["最低覆盖倍数（含本金）(倍)"]] == round(expected["min_coverage"], 2)
        assert row[col["最低覆盖倍数（仅利息）(倍)"]] == round(expected["min_coverage_interest"], 2)
        assert row[col["短缺金额(万元)"]] == round(expected["shortfall"] / 10_000, 2)
        assert row[col["是否足额兑付"]] == ("是" if expected["paid_in_full"] else "否")
        compared += 1
    assert compared == 2 * len(load_deal("qingdao-pure").tranches)


def test_model_notes_record_the_custom_scenarios(workbook: Any) -> None:
    rows = [r for r in workbook["模型说明"].iter_rows(values_only=True) if r and r[0]]
    facts = {r[0]: r[1] for r in rows}
    assert facts[CUSTOM_SCENARIOS_LABEL].startswith("2 个：收入骤降35%、违约三倍且回收下降")
    defs = [r for r in rows if r[0] in {c.name for c in CUSTOM}]
    assert [(r[0], r[3]) for r in defs] == [
        ("收入骤降35%", CUSTOM_SOURCE),
        ("违约三倍且回收下降", CUSTOM_SOURCE),
        ("违约三倍且回收下降", CUSTOM_SOURCE),
    ]
    assert any("revenue_haircut" in str(r[1]) and str(r[2]).startswith("0.35") for r in defs)
    assert any("pd_multiplier" in str(r[1]) and str(r[2]).startswith("3") for r in defs)


def test_a_deal_without_custom_scenarios_says_none() -> None:
    from scenarios.filing_package import build_filing_tables

    tables = build_filing_tables(load_deal("rugao-labelled"), breakeven=False)
    run = tables[-1].block("run")
    assert dict(run.rows)[CUSTOM_SCENARIOS_LABEL] == "无"
