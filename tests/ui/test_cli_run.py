"""``dabs run``: the examples through projection and waterfall, --json keys, --collections CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from abs.io import load_deal
from abs.projection import project
from ui.cli import app

runner = CliRunner()


def _json(*args: str) -> dict[str, Any]:
    res = runner.invoke(app, ["run", *args, "--json"])
    assert res.exit_code == 0, res.output
    data: dict[str, Any] = json.loads(res.stdout)
    return data


@pytest.mark.parametrize("example", ["qingdao-pure", "rugao-labelled", "tianfeng-enabled"])
def test_examples_pay_seniors_in_full_in_the_base_case(example: str) -> None:
    out = _json(example)
    assert out["conserved"] is True
    assert out["max_conservation_gap"] <= 0.01
    assert len(out["coverage"]) == out["periods"]
    for t in out["tranches"]:
        for key in (
            "name",
            "original_balance",
            "interest_paid",
            "principal_paid",
            "shortfall",
            "wal_years",
            "yield",
            "min_coverage",
            "irr",
        ):
            assert key in t, key
        if t["class"] == "senior":
            assert t["principal_paid"] == pytest.approx(t["original_balance"], abs=0.01)
            assert t["shortfall"] == pytest.approx(0.0, abs=0.01)
            assert t["irr"] is None
        if t["class"] == "subordinated":
            assert t["irr"] is not None
    assert out["events"] == []
    assert out["senior_min_coverage"] >= 1.2


def test_qingdao_senior_coverage_and_coupons() -> None:
    out = _json("qingdao-pure")
    by = {t["name"]: t for t in out["tranches"]}
    # Seniors bought at par and paid in full yield their coupon (2.2%, 2.5%) to ~1bp.
    assert by["优先A1"]["yield"] == pytest.approx(0.022, abs=1e-4)
    assert by["优先A2"]["yield"] == pytest.approx(0.025, abs=1e-4)
    first = out["coverage"][0]
    assert first["coverage_with_principal"] == pytest.approx(
        first["available"] / first["obligations_with_principal"]
    )


def test_human_output_has_chinese_headers() -> None:
    res = runner.invoke(app, ["run", "tianfeng-enabled"])
    assert res.exit_code == 0, res.output
    for text in ("分档兑付汇总", "现金流覆盖倍数", "加权平均期限", "最低覆盖倍数", "现金守恒"):
        assert text in res.stdout


def test_base_scenario_names_are_the_default() -> None:
    assert _json("tianfeng-enabled", "--scenario", "基准") == _json("tianfeng-enabled")
    assert (
        _json("tianfeng-enabled", "--scenario", "base")["tranches"]
        == _json("tianfeng-enabled")["tranches"]
    )


def test_stress_scenario_lowers_coverage() -> None:
    pytest.importorskip("scenarios.sets")
    base = _json("rugao-labelled")
    heavy = _json("rugao-labelled", "--scenario", "重度")
    assert heavy["scenario"] == "重度"
    assert heavy["senior_life_coverage"] < base["senior_life_coverage"]


def test_guarantee_draws_under_heavy_stress_are_repaid_before_the_sub() -> None:
    # tianfeng's guarantee (中投保, uncapped) tops up the seniors under 重度; the default
    # template repays it once the seniors are repaid, before 次级 principal and excess return.
    heavy = _json("tianfeng-enabled", "--scenario", "重度")
    drawn = heavy["support_draws"]["guarantee"]
    assert drawn > 1e6
    assert heavy["support_reimbursed"]["guarantee"] == pytest.approx(drawn, abs=0.01)
    res = runner.invoke(app, ["run", "tianfeng-enabled", "--scenario", "重度"])
    assert res.exit_code == 0, res.output
    assert "增信垫款返还 support repaid (万元): guarantee" in res.output


def test_unknown_scenario_exits_2() -> None:
    res = runner.invoke(app, ["run", "qingdao-pure", "--scenario", "火星"])
    assert res.exit_code == 2
    assert "火星" in res.output


def _write_projection_csv(tmp_path: Path, example: str, *, drop_last: bool = False) -> Path:
    deal = load_deal(example)
    frame = project(deal).to_frame()
    if drop_last:
        frame = frame.iloc[:-1]
    path = tmp_path / "collections.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_collections_csv_reproduces_the_projection(tmp_path: Path) -> None:
    path = _write_projection_csv(tmp_path, "qingdao-pure")
    from_csv = _json("qingdao-pure", "--collections", str(path))
    projected = _json("qingdao-pure")
    assert from_csv["collections"] == str(path)
    for a, b in zip(from_csv["tranches"], projected["tranches"], strict=True):
        assert a["principal_paid"] == pytest.approx(b["principal_paid"], abs=0.01)
        assert a["interest_paid"] == pytest.approx(b["interest_paid"], abs=0.01)


def test_collections_csv_minimal_columns_and_gbk(tmp_path: Path) -> None:
    deal = load_deal("tianfeng-enabled")
    total = project(deal).total[0]
    lines = ["期数,回收款合计"] + [f"{i + 1},{v:.2f}" for i, v in enumerate(total)]
    path = tmp_path / "gbk.csv"
    path.write_bytes("\n".join(lines).encode("gb18030"))
    out = _json("tianfeng-enabled", "--collections", str(path))
    assert out["tranches"][0]["principal_paid"] == pytest.approx(484_500_000.0, abs=0.01)


def _fails(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["run", "tianfeng-enabled", "--collections", str(path), *args])
    assert res.exit_code == 2, res.output
    return " ".join(res.output.split())


def test_collections_row_count_mismatch_exits_2(tmp_path: Path) -> None:
    path = _write_projection_csv(tmp_path, "tianfeng-enabled", drop_last=True)
    res = runner.invoke(app, ["run", "tianfeng-enabled", "--collections", str(path)])
    assert res.exit_code == 2
    assert "7 rows of collections but the deal's schedule has 8 payment periods" in " ".join(
        res.output.split()
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("期数,收入\n1,1\n", "missing column 'total' (回收款合计)"),
        ("回收款合计\n1\n", "needs a column 'period' (期数) or 'payment_date' (兑付日)"),
        ("期数,回收款合计,total\n1,1,1\n", "columns '回收款合计' and 'total' both give total"),
        (
            "期数,回收款合计\n" + "".join(f"{i},x\n" for i in range(1, 9)),
            "row 2, column '回收款合计': not a number: got 'x'",
        ),
        (
            "期数,回收款合计\n" + "".join(f"{i},-1\n" for i in range(1, 9)),
            "row 2, column '回收款合计': amount must be ≥ 0: got '-1'",
        ),
        (
            "期数,回收款合计\n" + "".join(f"{i + 1 if i != 3 else 9},1\n" for i in range(8)),
            "row 5, column '期数': periods must run 1..8 in order: got '9', expected 4",
        ),
        (
            "兑付日,回收款合计\n" + "".join("2025-01-01,1\n" for _ in range(8)),
            "row 2, column '兑付日': payment date '2025-01-01' is not the deal's 兑付日 2025-10-15",
        ),
        (
            "期数,回收款合计,本期应收利息\n" + "".join(f"{i},1,2\n" for i in range(1, 9)),
            "row 2, column '本期应收利息': income 2.0 exceeds total collections 1.0",
        ),
    ],
)
def test_collections_csv_errors_name_row_and_column(
    tmp_path: Path, text: str, message: str
) -> None:
    assert message in _fails(tmp_path, text)


def test_missing_collections_file_and_scenario_with_csv_exit_2(tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["run", "tianfeng-enabled", "--collections", str(tmp_path / "none.csv")]
    )
    assert res.exit_code == 2
    assert "collections file not found" in res.output
    path = _write_projection_csv(tmp_path, "tianfeng-enabled")
    res = runner.invoke(
        app, ["run", "tianfeng-enabled", "--collections", str(path), "--scenario", "重度"]
    )
    assert res.exit_code == 2
    assert "cannot be combined with --collections" in " ".join(res.output.split())


def test_collections_file_in_unknown_encoding_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\xff\xfe\xff\x00\x81")
    res = runner.invoke(app, ["run", "tianfeng-enabled", "--collections", str(path)])
    assert res.exit_code == 2
    assert "not UTF-8 or GBK text" in res.output


def test_negative_collections_in_the_csv_exit_2(tmp_path: Path) -> None:
    deal = load_deal("tianfeng-enabled")
    total = project(deal).total[0].copy()
    total[2] = -1_000.0  # a clawback entered as negative collections
    lines = ["期数,回收款合计"] + [f"{i + 1},{v:.2f}" for i, v in enumerate(total)]
    path = tmp_path / "negative.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    res = runner.invoke(app, ["run", "tianfeng-enabled", "--collections", str(path)])
    assert res.exit_code == 2, res.output
    # the reader names the file, row and column before the engine would see it
    assert "negative.csv: row 4, column '回收款合计': amount must be ≥ 0: got '-1000.00'" in (
        res.output
    )


# --- CLI parity: a structure applied to another tape; tapes and typos given as the deal ------

QINGDAO_TAPE = str(Path(__file__).parents[2] / "abs" / "examples" / "qingdao-pure" / "tape.csv")


def test_run_with_tape_applies_the_structure_to_that_pool() -> None:
    from abs.tape import read_tape
    from scenarios.report import base_report

    own = _json("rugao-labelled")
    other = _json("rugao-labelled", "--tape", QINGDAO_TAPE)
    deal = load_deal("rugao-labelled")
    pool = read_tape(QINGDAO_TAPE, cutoff_date=deal.dates.cutoff_date)
    expected = base_report(deal.model_copy(update={"pool": pool, "tape": None}))
    assert other["senior_min_coverage"] == pytest.approx(expected.senior_min_coverage)
    assert other["senior_min_coverage"] != pytest.approx(own["senior_min_coverage"])
    assert other["deal"] == own["deal"]  # the structure (and its name) is rugao's


def test_stress_and_export_take_a_tape(tmp_path: Path) -> None:
    import openpyxl

    res = runner.invoke(app, ["stress", "rugao-labelled", "--tape", QINGDAO_TAPE, "--json"])
    assert res.exit_code == 0, res.output
    target = tmp_path / "out.xlsx"
    res = runner.invoke(
        app,
        ["export", "rugao-labelled", "--tape", QINGDAO_TAPE, "-o", str(target), "--no-breakeven"],
    )
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(target)
    ids = [str(r[1]) for r in wb["入池资产明细"].iter_rows(values_only=True) if r and r[1]]
    tape_ids = [line.split(",")[0] for line in Path(QINGDAO_TAPE).read_text("utf-8").splitlines()]
    assert set(tape_ids[1:]) <= set(ids)  # every asset of the given tape is listed


def test_a_tape_given_as_the_deal_says_how_to_use_it() -> None:
    res = runner.invoke(app, ["run", QINGDAO_TAPE])
    assert res.exit_code == 2
    assert "this is a pool tape, not a deal file" in res.output
    assert f"dabs run qingdao-pure --tape {QINGDAO_TAPE}" in res.output.replace("\n", "")


@pytest.mark.parametrize(
    ("typed", "closest"), [("qingdao", "qingdao-pure"), ("rugao-label", "rugao-labelled")]
)
def test_unknown_example_suggests_the_closest(typed: str, closest: str) -> None:
    res = runner.invoke(app, ["run", typed])
    assert res.exit_code == 2
    assert f"did you mean '{closest}'?" in res.output
