"""``dabs size``: each target kind, JSON, and bad input (exit 2, message naming the rule)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ui.cli import app


def _runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "220"})


def test_size_to_coverage_matches_the_dashboard() -> None:
    # rugao-labelled 优先A 12,300万 (1.23× incl. principal): ≥ 1.50× → 11,304.84万 (the
    # dashboard's AppTest figure, tests/ui/test_app.py)
    result = _runner().invoke(app, ["size", "rugao-labelled", "--coverage", "1.5"])
    assert result.exit_code == 0, result.output
    assert "最低覆盖倍数（含本金）≥ 1.50×" in result.output
    assert "11,304.84" in result.output and "已求得 (found)" in result.output


def test_size_to_a_breakeven_margin_json() -> None:
    result = _runner().invoke(app, ["size", "qingdao-pure", "--breakeven", "15", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["status"] == "found" and out["target"] == {
        "kind": "multiple",
        "value": 15.0,
        "grade": None,
        "target_cdr": None,
    }
    # 优先A2 binds at 15.00× (18.65× at today's 45,000万 of seniors)
    a2 = next(b for b in out["breakevens"] if b["tranche"] == "优先A2")
    assert 15.0 <= a2["value"] < 15.001
    seniors = sum(t["after"] for t in out["tranches"][:2])
    assert seniors == pytest.approx(out["senior_total"])
    assert 45_000e4 < seniors < 50_000e4
    assert sum(t["after"] for t in out["tranches"]) == pytest.approx(500_000_000.0)


def test_size_to_a_grade_that_does_not_bind() -> None:
    result = _runner().invoke(app, ["size", "qingdao-pure", "--grade", "AAA"])
    assert result.exit_code == 0, result.output
    assert "最大可行规模仍满足目标（目标不构成约束） (max_passes)" in result.output
    assert "仅供参考" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give exactly one target of --coverage, --breakeven, --cdr, --grade; got none"),
        (["--coverage", "1.5", "--cdr", "0.3"], "got --coverage, --cdr"),
        (["--breakeven", "0"], "sizing: min_breakeven must be a finite number > 0; got 0.0"),
        (["--cdr", "1.5"], r"sizing: target CDR must be a fraction in (0, 1]; got 1.5"),
        (["--grade", "AAAA"], "sizing: grade 'AAAA' is not in the multiples table"),
        (["--breakeven", "3", "--scenario", "重度"], "size: --scenario applies to --coverage only"),
    ],
)
def test_size_bad_input_exits_2(args: list[str], message: str) -> None:
    result = _runner().invoke(app, ["size", "rugao-labelled", *args])
    assert result.exit_code == 2
    assert message in result.output, result.output


def test_split_to_a_breakeven_margin_on_a1() -> None:
    # qingdao-pure 优先A1 20,000万 / 优先A2 25,000万: a 20× break-even on A1 alone lets A1 grow
    # to 27,879.76万 (scenarios test: A1 + 2万 falls below 20×); A2 keeps 18.97× ≥ 15×
    result = _runner().invoke(
        app, ["size", "qingdao-pure", "--split", "multiple=20", "--second", "multiple=15"]
    )
    assert result.exit_code == 0, result.output
    assert "优先级内部分层 A1/A2 split" in result.output
    assert "优先A1 临界违约率倍数 break-even PD multiple ≥ 20.00×" in result.output
    assert "27,879.76" in result.output and "17,120.24" in result.output
    assert "满足 meets" in result.output and "已求得 (found)" in result.output


def test_split_json_and_a_second_target_missed() -> None:
    result = _runner().invoke(
        app,
        ["size", "qingdao-pure", "--split", "multiple=20", "--second", "multiple=19", "--json"],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["split"] == {"first": "优先A1", "others": ["优先A2"]}
    assert out["second_meets"] is False  # A2 reaches 18.97× only
    a1, a2 = out["measures"]
    assert a1["breakeven"]["value"] >= 20.0 and a2["breakeven"]["value"] < 19.0
    sizes = {t["name"]: t["after"] for t in out["tranches"]}
    assert sizes["优先A1"] + sizes["优先A2"] == pytest.approx(450_000_000.0)
    assert sizes["次级"] == 50_000_000.0


@pytest.mark.parametrize(
    ("deal", "args", "message"),
    [
        ("qingdao-pure", ["--split", "foo"], "size: --split 'foo': give KIND=VALUE with KIND one"),
        ("qingdao-pure", ["--split", "multiple=x"], "size: --split 'multiple=x': 'x' is not a"),
        ("qingdao-pure", ["--split", "cdr=0.3", "--second", "wal=2"], "size: --second 'wal=2':"),
        ("qingdao-pure", ["--second", "grade=AA"], "size: --second needs --split"),
        ("qingdao-pure", ["--split", "grade=AAA", "--cdr", "0.3"], "drop --cdr"),
        ("qingdao-pure", ["--split", "grade=AAA", "--scenario", "重度"], "coverage target only"),
        ("qingdao-pure", ["--split", "multiple=0"], "sizing: min_breakeven must be a finite"),
        ("rugao-labelled", ["--split", "multiple=3"], "has 1 senior tranche(s); the split"),
    ],
)
def test_split_bad_input_exits_2(deal: str, args: list[str], message: str) -> None:
    result = _runner().invoke(app, ["size", deal, *args])
    assert result.exit_code == 2
    assert message in result.output, result.output
