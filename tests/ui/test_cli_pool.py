"""``dabs classify`` and ``dabs pool``: human output, JSON keys, exit code 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ui.cli import app

HEADER = "asset_id,obligor,asset_type,data_link,amount,start_date,maturity_date"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _tape(tmp_path: Path, *rows: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "label", "kind"),
    [
        ("qingdao-pure", "纯数据型", "pure"),
        ("rugao-labelled", "贴标型", "labelled"),
        ("tianfeng-enabled", "赋能型", "enabled"),
    ],
)
def test_classify_examples_human_and_json(name: str, label: str, kind: str) -> None:
    code, out, _ = _run("classify", name)
    assert code == 0
    assert label in out and f"({kind})" in out
    assert "数据资产ABS分类 Classification" in out
    assert "说明：" in out and "Explanation:" in out
    code, out, _ = _run("classify", name, "--json")
    assert code == 0
    data = json.loads(out)
    for key in (
        "kind",
        "kind_zh",
        "data_share",
        "pure_100",
        "total_amount",
        "asset_count",
        "by_link",
        "warnings",
        "by_kind",
        "explanation_zh",
        "explanation_en",
        "basis",
    ):
        assert key in data
    assert data["kind"] == kind and data["kind_zh"] == label
    assert set(data["by_link"]) == {"none", "pledged", "direct"}
    assert isinstance(data["warnings"], list)


def test_classify_rugao_json_figures() -> None:
    code, out, _ = _run("classify", "rugao-labelled", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["data_share"] == pytest.approx(0.5046)
    assert data["data_share_text"] == "50.46%"
    assert data["asset_count"] == 10
    assert data["by_link"]["pledged"] == 67_111_800.0
    assert data["total_amount"] == 133_000_000.0
    assert any("重要债务人" in w for w in data["warnings"])


def test_classify_bare_tape_and_enabled_flag(tmp_path: Path) -> None:
    path = _tape(tmp_path, "A1,某公司（示例）,receivable,none,100,2025-01-01,2026-01-01")
    code, out, _ = _run("classify", str(path), "--json")
    assert code == 0 and json.loads(out)["kind"] == "not_dabs"
    code, out, _ = _run("classify", str(path), "--enabled", "--json")
    assert code == 0 and json.loads(out)["kind"] == "enabled"
    code, out, _ = _run("classify", str(path))
    assert code == 0 and "非数据资产ABS" in out


def test_classify_example_tape_path_directly() -> None:
    from abs.examples import example_dir

    code, out, _ = _run("classify", str(example_dir("tianfeng-enabled") / "tape.xlsx"), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "not_dabs"  # the bare tape carries no enablement declaration
    assert data["asset_count"] == 120


def test_broken_tape_exits_2_with_every_problem_and_no_traceback(tmp_path: Path) -> None:
    path = _tape(
        tmp_path,
        "A1,某公司,receivable,none,-5,2025-01-01,2026-01-01",
        "A1,某公司,bond,none,100,2025-13-01,2026-01-01",
    )
    code, out, err = _run("classify", str(path))
    assert code == 2
    assert "错误 error:" in err
    assert "4 problem(s)" in err
    assert "row 3, column 'start_date': error: not a calendar date" in err
    assert "row 2, column 'amount': error: must be > 0: got '-5'" in err
    assert "row 3, column 'asset_type': error: unknown asset kind" in err
    assert "row 3, column 'asset_id': error: duplicate asset_id, already used in row 2" in err
    assert "Traceback" not in out + err
    code, _, err = _run("pool", str(path))
    assert code == 2 and "4 problem(s)" in err


def test_wrong_encoding_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes((HEADER + "\n").encode("utf-16"))
    code, _, err = _run("classify", str(path))
    assert code == 2
    assert "file is UTF-16 encoded" in err


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    code, _, err = _run("classify", str(tmp_path / "missing.csv"))
    assert code == 2 and "no such file, and not an example" in err
    path = _tape(tmp_path, "A1,某公司,receivable,none,100,2025-01-01,2026-01-01")
    code, _, err = _run("classify", str(path), "--basis", "pv")
    assert code == 2 and "--basis pv needs a deal file" in err
    code, _, err = _run("classify", "qingdao-pure", "--basis", "cash")
    assert code == 2 and "--basis must be one of balance, pv; got 'cash'" in err
    code, _, err = _run("pool", "qingdao-pure", "--as-of", "31/03/2026")
    assert code == 2 and "--as-of must be a date YYYY-MM-DD; got '31/03/2026'" in err


def test_classify_pv_basis_on_a_deal() -> None:
    pytest.importorskip("abs.projection")
    code, out, _ = _run("classify", "qingdao-pure", "--basis", "pv", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["basis"] == "pv" and data["kind"] == "pure"


def test_tape_warnings_are_shown(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text(
        HEADER + ",备注\nD1,某银行（示例）,data_license,direct,100,2025-01-01,2026-01-01,x\n",
        encoding="utf-8",
    )
    code, out, err = _run("classify", str(path))
    assert code == 0
    assert "unknown column is ignored" in err
    assert "direct data asset 'D1' has no registration_id" in err
    assert "直接类数据资产缺少数据资产登记编号：D1" in out
    code, out, _ = _run("pool", str(path), "--json")
    assert code == 0
    assert len(json.loads(out)["tape_warnings"]) == 2


def test_pool_human_output() -> None:
    code, out, _ = _run("pool", "rugao-labelled")
    assert code == 0
    for text in (
        "资产池概况 Pool summary",
        "总金额 total amount",
        "13,300.00 万元",
        "债务人数量",
        "加权平均剩余期限",
        "前二十大债务人 Top-20 obligors",
        "剩余期限分布",
        "数据资产关联分布",
    ):
        assert text in out, text


def test_pool_json(tmp_path: Path) -> None:
    code, out, _ = _run("pool", "tianfeng-enabled", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"summary", "distributions", "top20", "top20_may_be_omitted", "source"}
    assert data["summary"]["asset_count"] == 120
    assert data["summary"]["as_of"] == "2025-06-10"
    assert len(data["top20"]) == 12
    assert data["top20"][0]["序号"] == 1
    assert set(data["distributions"]) >= {
        "债务人",
        "债务人地区",
        "债务人行业",
        "剩余期限",
        "单笔入池金额",
        "资产类型",
        "数据资产关联",
    }
    path = _tape(tmp_path, "A1,某公司,receivable,none,100,2025-01-01,2026-01-01")
    code, out, _ = _run("pool", str(path), "--as-of", "2025-07-01", "--json")
    summary = json.loads(out)["summary"]
    assert code == 0
    assert (summary["as_of"], summary["as_of_source"]) == ("2025-07-01", "argument")
    # 2025-07-01 → 2026-01-01 = 184 days
    assert summary["wa_remaining_years"] == pytest.approx(184 / 365)
