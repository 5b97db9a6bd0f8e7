"""``dabs stress``, ``dabs breakeven``, ``dabs mc``: human tables, JSON, errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from abs.io import save_deal
from tests.scenarios.helpers import licence_deal
from ui.cli import app


def _runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "220"})


@pytest.fixture
def deal_file(tmp_path: Path) -> str:
    deal = licence_deal(
        n_assets=12,
        triggers=[
            {
                "name": "回收款低于预测20%",
                "condition": "collections_below_forecast",
                "threshold": 0.2,
                "event": "acceleration",
            }
        ],
    )
    path = tmp_path / "deal.json"
    save_deal(deal, path)
    return str(path)


def test_stress_human_tables(deal_file: str) -> None:
    result = _runner().invoke(app, ["stress", deal_file])
    assert result.exit_code == 0, result.output
    out = result.output
    for text in (
        "压力测试 Stress grid",
        "基准",
        "轻度",
        "中度",
        "重度",
        "优先A",
        "次级",
        "触发事件 Events fired",
        "加速清偿事件: 回收款低于预测20%",
        "优先级现金流覆盖倍数",
    ):
        assert text in out


def test_stress_set_json(deal_file: str) -> None:
    result = _runner().invoke(app, ["stress", deal_file, "--set", "基准, 重度", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["name"] for s in data["scenarios"]] == ["基准", "重度"]
    severe = data["scenarios"][1]
    assert severe["factors"]["revenue_haircut"] == 0.5
    assert severe["factors"]["collection_delay"] == 2  # 6 months on a quarterly deal
    assert "DOMAIN.md" in severe["sources"]["revenue_haircut"]
    assert {t["name"] for t in severe["tranches"]} == {"优先A", "次级"}
    assert set(severe["tranches"][0]) >= {
        "paid_in_full",
        "shortfall",
        "loss",
        "wal_years",
        "yield",
        "min_coverage",  # incl. principal, as in ``dabs run --json``
        "min_coverage_interest",
        "life_coverage_interest",
        "first_shortfall_date",
    }
    assert len(data["payment_dates"]) == len(severe["coverage"])


def test_stress_grid_product_file(deal_file: str, tmp_path: Path) -> None:
    grid = tmp_path / "grid.json"
    grid.write_text(
        json.dumps(
            {"grid": {"收入下降": [0, 0.2, 0.4], "pd_multiplier": [1, 3]}}, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    result = _runner().invoke(app, ["stress", deal_file, "--grid", str(grid), "--json"])
    assert result.exit_code == 0, result.output
    names = [s["name"] for s in json.loads(result.stdout)["scenarios"]]
    assert len(names) == 6 and names[-1] == "revenue_haircut=0.4, pd_multiplier=3"


def test_stress_grid_scenario_csv(deal_file: str, tmp_path: Path) -> None:
    grid = tmp_path / "mine.csv"
    grid.write_text(
        "情景,因子,数值\n委员会,收入下降,0.25\n委员会,担保人违约,是\n", encoding="utf-8-sig"
    )
    result = _runner().invoke(app, ["stress", deal_file, "--grid", str(grid), "--json"])
    assert result.exit_code == 0, result.output
    sc = json.loads(result.stdout)["scenarios"][0]
    assert sc["name"] == "委员会" and sc["factors"]["guarantor_default"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "极端"], "no scenario named '极端'"),
        (["--set", "基准", "--grid", "x.json"], "give --set or --grid, not both"),
        (["--scenario-set", "nope"], "nope: not a built-in scenario set"),
    ],
)
def test_stress_errors_exit_2(deal_file: str, args: list[str], message: str) -> None:
    result = _runner().invoke(app, ["stress", deal_file, *args])
    assert result.exit_code == 2
    assert message in result.output


def test_stress_bad_grid_file(deal_file: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"grid": []}', encoding="utf-8")
    result = _runner().invoke(app, ["stress", deal_file, "--grid", str(bad)])
    assert result.exit_code == 2
    assert "'grid' must map factor names to lists of values" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = _runner().invoke(app, ["stress", deal_file, "--grid", str(broken)])
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_breakeven_json_with_rating_view(deal_file: str) -> None:
    result = _runner().invoke(
        app, ["breakeven", deal_file, "--tranche", "优先A", "--factor", "违约率倍数", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["factor"] == "pd_multiplier" and data["status"] == "found"
    assert data["fail_value"] - data["value"] <= 1e-6
    assert data["implied_cumulative_default_rate"] > 0
    assert data["rating_view"]["note"] == "仅供参考 / indicative only"
    assert data["rating_view"]["implied_grade"]


def test_breakeven_human(deal_file: str) -> None:
    result = _runner().invoke(
        app,
        [
            "breakeven",
            deal_file,
            "--tranche",
            "次级",
            "--factor",
            "revenue_haircut",
            "--base",
            "轻度",
            "--hi",
            "0.5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "临界值 Break-even" in result.output and "收入下降 (revenue_haircut)" in result.output
    assert "单调 monotone" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tranche", "X"], "no tranche named 'X'"),
        (["--tranche", "优先A", "--factor", "担保人违约"], "is on/off"),
        (["--tranche", "优先A", "--base", "极端"], "no scenario named '极端'"),
    ],
)
def test_breakeven_errors_exit_2(deal_file: str, args: list[str], message: str) -> None:
    result = _runner().invoke(app, ["breakeven", deal_file, *args])
    assert result.exit_code == 2
    assert message in result.output


def test_mc_json_and_human(deal_file: str) -> None:
    result = _runner().invoke(app, ["mc", deal_file, "-n", "600", "--seed", "4", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n_paths"] == 600 and data["seed"] == 4 and data["engine"] == "local"
    assert [t["name"] for t in data["tranches"]] == ["优先A", "次级"]
    assert 0 <= data["tranches"][1]["expected_loss"] <= 1
    human = _runner().invoke(app, ["mc", deal_file, "-n", "600", "--seed", "4"])
    assert human.exit_code == 0, human.output
    assert "蒙特卡洛 Monte Carlo" in human.output and "VaR99" in human.output


def test_mc_dask_equals_local(deal_file: str) -> None:
    local = _runner().invoke(app, ["mc", deal_file, "-n", "700", "--seed", "8", "--json"])
    dask = _runner().invoke(
        app,
        [
            "mc",
            deal_file,
            "-n",
            "700",
            "--seed",
            "8",
            "--engine",
            "dask",
            "--workers",
            "1",
            "--chunk-size",
            "512",
            "--json",
        ],
    )
    assert dask.exit_code == 0, dask.output
    a, b = json.loads(local.stdout), json.loads(dask.stdout)
    assert a["tranches"] == b["tranches"]
    assert b["engine"] == "dask"


def test_mc_errors_exit_2(deal_file: str) -> None:
    result = _runner().invoke(app, ["mc", deal_file, "--seed", "1", "--engine", "spark"])
    assert result.exit_code == 2 and "--engine must be local or dask" in result.output
    result = _runner().invoke(app, ["mc", deal_file, "--seed", "-3", "-n", "10"])
    assert result.exit_code == 2 and "seed must be an integer ≥ 0" in result.output


def test_breakeven_standalone_switches_external_support_off(tmp_path: Path) -> None:
    deal = licence_deal(
        n_assets=12,
        senior=600e6,
        sub=100e6,
        support={"guarantee": {"provider": "担保公司", "cap_total": None}},
    )
    path = tmp_path / "g.json"
    save_deal(deal, path)
    args = ["breakeven", str(path), "--tranche", "优先A", "--factor", "收入下降", "--json"]
    with_guarantee = json.loads(_runner().invoke(app, args).stdout)
    standalone = json.loads(_runner().invoke(app, [*args, "--standalone"]).stdout)
    # an unlimited guarantee pays whatever is missing: the senior never fails
    assert with_guarantee["status"] == "never_fails"
    assert standalone["status"] == "found" and standalone["value"] < 1.0
    assert standalone["base_stress"]["guarantor_default"] is True
