"""``dabs project``: human tables, JSON, CSV (atomic, BOM), stochastic summary, errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from abs.asset import Asset, Pool
from abs.deal import Deal, DealDates, Tranche
from abs.io import deal_to_json
from abs.projection import project
from ui.cli import app

D = dt.date


def _deal() -> Deal:
    lic = Asset(
        asset_id="L1",
        obligor="青岛某银行(示例)",
        asset_type="data_license",
        data_link="direct",
        amount=360_000.0,
        start_date=D(2025, 12, 31),
        maturity_date=D(2026, 12, 31),
        annual_fee=400_000.0,
        payment_frequency="quarterly",
        pd=0.0,
        appraised_value=380_000.0,
        valuation_method="收益法",
    )
    rec = Asset(
        asset_id="R1",
        obligor="某城投公司(示例)",
        asset_type="receivable",
        data_link="none",
        amount=1_000_000.0,
        start_date=D(2025, 6, 30),
        maturity_date=D(2026, 12, 15),
        pd=0.2,
        recovery_rate=0.5,
        recovery_lag=1,
    )
    return Deal(
        name="命令行测试",
        pool=Pool(assets=(lic, rec)),
        dates=DealDates(
            cutoff_date=D(2025, 12, 31),
            closing_date=D(2026, 1, 5),
            first_payment_date=D(2026, 3, 31),
            frequency="quarterly",
            payment_lag_days=0,
            expected_maturity_date=D(2026, 12, 31),
            legal_maturity_date=D(2027, 3, 31),
        ),
        tranches=(Tranche(name="A", tranche_class="senior", balance=1_000_000.0),),
    )


@pytest.fixture
def deal_file(tmp_path: Path) -> Path:
    path = tmp_path / "deal.json"
    path.write_text(deal_to_json(_deal()), encoding="utf-8")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "220"})


def test_human_output_has_the_tables(runner: CliRunner, deal_file: Path) -> None:
    result = runner.invoke(app, ["project", str(deal_file)])
    assert result.exit_code == 0, result.output
    out = result.output
    for text in (
        "现金流归集表",
        "期初本金余额",
        "回收款合计",
        "分类型回收款",
        "数据授权",
        "应收账款",
    ):
        assert text in out
    assert "数据资产价值" in out and "L1" in out and "R1" not in out.split("数据资产价值")[1]
    # Licence 100,000 a quarter = 10.00 万元; life total 400,000 + 900,000 = 130.00 万元.
    assert "10.00" in out
    assert "130.00" in out
    # 2027 has no holiday data in QuantLib 1.44: the run says so.
    assert "extra_holidays" in out


def test_json_output_matches_the_projection(runner: CliRunner, deal_file: Path) -> None:
    result = runner.invoke(app, ["project", str(deal_file), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {
        "deal",
        "initial_pool_balance",
        "periods",
        "totals",
        "by_kind",
        "data_asset_values",
    } <= set(data)
    expected = project(_deal())
    assert len(data["periods"]) == expected.n_periods == 5
    assert [p["回收款合计"] for p in data["periods"]] == pytest.approx(expected.total[0].tolist())
    assert data["totals"]["回收款合计"] == pytest.approx(1_300_000.0)
    assert data["by_kind"]["data_license"] == pytest.approx(400_000.0)
    assert data["periods"][0]["归集日"] == "2026-03-31"
    (value,) = data["data_asset_values"]
    assert value["资产编号"] == "L1" and value["评估价值"] == 380_000.0
    assert "stochastic" not in data


def test_json_with_scenarios_reports_percentiles(runner: CliRunner, deal_file: Path) -> None:
    result = runner.invoke(
        app, ["project", str(deal_file), "--json", "--scenarios", "64", "--seed", "7"]
    )
    assert result.exit_code == 0, result.output
    stoch = json.loads(result.stdout)["stochastic"]
    assert stoch["scenarios"] == 64 and stoch["seed"] == 7
    per = stoch["per_period"]
    assert len(per["mean"]) == 5
    assert np.all(np.array(per["p5"]) <= np.array(per["p50"]) + 1e-9)
    assert np.all(np.array(per["p50"]) <= np.array(per["p95"]) + 1e-9)
    life = stoch["life_total"]
    assert life["p5"] <= life["p50"] <= life["p95"]
    # Same seed, same numbers.
    again = runner.invoke(
        app, ["project", str(deal_file), "--json", "--scenarios", "64", "--seed", "7"]
    )
    assert json.loads(again.stdout)["stochastic"] == stoch


def test_human_output_with_scenarios(runner: CliRunner, deal_file: Path) -> None:
    result = runner.invoke(app, ["project", str(deal_file), "-n", "20", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert (
        "随机情景回收款" in result.output and "P95" in result.output and "seed 1" in result.output
    )


def test_csv_written_atomically_with_bom(
    runner: CliRunner, deal_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pool.csv"
    result = runner.invoke(app, ["project", str(deal_file), "--csv", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:4] == ["期数", "归集日", "兑付日", "期初本金余额"]
    assert len(lines) == 1 + 5
    # An existing file is kept unless --force.
    again = runner.invoke(app, ["project", str(deal_file), "--csv", str(out), "-n", "10"])
    assert again.exit_code == 2
    assert "file exists; use --force to overwrite" in again.output
    assert out.read_bytes() == raw
    forced = runner.invoke(
        app, ["project", str(deal_file), "--csv", str(out), "-n", "10", "--seed", "3", "--force"]
    )
    assert forced.exit_code == 0, forced.output
    header = out.read_bytes().decode("utf-8-sig").splitlines()[0].split(",")
    assert header[-4:] == ["回收款均值", "回收款P5", "回收款P50", "回收款P95"]
    assert not list(tmp_path.glob(".pool.csv.*"))  # no temporary file left behind


def test_csv_into_missing_folder_is_a_clear_error(
    runner: CliRunner, deal_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "nope" / "pool.csv"
    result = runner.invoke(app, ["project", str(deal_file), "--csv", str(out)])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_json_and_csv_together_is_an_error(
    runner: CliRunner, deal_file: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["project", str(deal_file), "--json", "--csv", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == 2
    assert "give either --json or --csv OUT, not both" in result.output


def test_missing_deal_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["project", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert "deal file not found" in result.output


def test_invalid_asset_parameter_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    deal = _deal()
    assert deal.pool is not None
    bad = deal.pool.assets[0].model_copy(update={"volume_growth": -1.0})
    broken = deal.model_copy(update={"pool": Pool(assets=(bad, deal.pool.assets[1]))})
    path = tmp_path / "bad.json"
    path.write_text(deal_to_json(broken), encoding="utf-8")
    result = runner.invoke(app, ["project", str(path)])
    assert result.exit_code == 2
    assert "pool asset L1: field 'volume_growth' must be > -1" in result.output
