"""``dabs library`` and the recording ``dabs export`` on both back-ends (``--db URL``).

Human output is checked for the figures a structurer reads (万元, version refs, the named
cell of a failed verify); ``--json`` for the machine keys; bad input for exit code 2.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from abs.examples import example_dir
from tests.library.helpers import edited_deal
from ui.cli import app


@pytest.fixture
def cli(db_url: str):  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"COLUMNS": "250", "DABS_AUTHOR": "测试员"})

    def invoke(*args: str) -> Result:
        argv = list(args)
        if argv[0] == "library":
            argv.insert(2, "--db")
            argv.insert(3, db_url)
        elif argv[0] == "export":
            argv += ["--db", db_url]
        return runner.invoke(app, argv)

    return invoke


def _flat(text: str) -> str:
    return " ".join(text.split())


def _deal_copy(tmp_path: Path, rate: float) -> Path:
    folder = tmp_path / "qd"
    if not folder.exists():
        shutil.copytree(example_dir("qingdao-pure"), folder)
    (folder / "deal.json").write_bytes(
        edited_deal("qingdao-pure", **{"tranches.1.coupon.rate": rate})
    )
    return folder / "deal.json"


def test_init_save_list_log_show(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("library", "init")
    assert r.exit_code == 0, r.output
    assert "schema 0004" in r.output
    r = cli("library", "save", "qingdao-pure", "-m", "首版 first cut")
    assert r.exit_code == 0, r.output
    assert "已保存 saved qingdao-pure@1（首个版本 first version）" in r.output
    assert "发行规模 50,000.00 万元" in r.output and "资产 60 笔" in r.output
    r = cli("library", "save", "qingdao-pure", "-m", "again")
    assert "无变化，未保存新版本" in r.output and "qingdao-pure@1" in r.output
    deal = _deal_copy(tmp_path, 0.026)
    r = cli("library", "save", str(deal), "--name", "qingdao-pure", "-m", "A2 票面 2.6%")
    assert "saved qingdao-pure@2（父版本 parent @1）" in r.output, r.output

    r = cli("library", "list")
    assert r.exit_code == 0
    out = _flat(r.output)
    assert "qingdao-pure" in out and "50,000.00" in out and "@2" in out and "纯数据型" in out
    data = json.loads(cli("library", "list", "--json").stdout)
    assert [(d["key"], d["versions"], d["issue_amount_wan"]) for d in data] == [
        ("qingdao-pure", 2, 50_000.0)
    ]

    r = cli("library", "log", "qingdao-pure")
    out = _flat(r.output)
    assert out.index("@2") < out.index("A2 票面 2.6%") and "测试员" in out
    log = json.loads(cli("library", "log", "qingdao-pure", "--json").stdout)
    assert [(v["number"], v["parent"], v["message"]) for v in log] == [
        (2, 1, "A2 票面 2.6%"),
        (1, None, "首版 first cut"),
    ]

    r = cli("library", "show", "qingdao-pure@1")
    out = _flat(r.output)
    assert "qingdao-pure@1" in out and "优先A1" in out and "20,000.00" in out and "2.50%" in out
    raw = cli("library", "show", "qingdao-pure@1", "--raw").stdout
    assert raw == (example_dir("qingdao-pure") / "deal.json").read_text("utf-8")


def test_diff_runs_and_run(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("library", "save", "qingdao-pure", "-m", "v1")
    cli("library", "save", str(_deal_copy(tmp_path, 0.026)), "--name", "qingdao-pure", "-m", "v2")
    r = cli("library", "diff", "qingdao-pure@1", "qingdao-pure@2")
    assert r.exit_code == 0, r.output
    out = _flat(r.output)
    assert "档位 优先A2 票面利率" in out and "tranches[优先A2].coupon.rate" in out
    assert "2.5%" in out and "2.6%" in out and "+10 bp" in out
    assert "资产池无变化 pool unchanged" in out
    assert "收益率 yield" in out and "加权平均期限 WAL" in out
    d = json.loads(cli("library", "diff", "qingdao-pure@1", "qingdao-pure@2", "--json").stdout)
    assert [c["path"] for c in d["changes"]] == ["tranches[优先A2].coupon.rate"]

    r = cli("library", "run", "qingdao-pure@2", "--kind", "stress", "--stress", "data")
    assert r.exit_code == 0, r.output
    assert "已记录运行 recorded run" in r.output and "压力情景集 stress set" in r.output
    r = cli("library", "runs", "qingdao-pure")
    out = _flat(r.output)
    assert out.count("qingdao-pure@2") == 2 and "qingdao-pure@1" in out  # 2 base + 1 stress
    runs = json.loads(cli("library", "runs", "qingdao-pure@2", "--json").stdout)
    assert sorted(x["kind"] for x in runs) == ["base", "stress"]
    stress_id = next(x["id"] for x in runs if x["kind"] == "stress")
    one = json.loads(cli("library", "runs", "x", "--run", stress_id[:8], "--json").stdout)
    assert one["id"] == stress_id and one["scenario_count"] == 4
    assert {m["scenario"] for m in one["measures"]} == {"基准", "轻度", "中度", "重度"}


def test_export_verify_and_edited_cell(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("library", "save", "rugao-labelled", "--name", "rugao", "-m", "v1")
    target = tmp_path / "filed.xlsx"
    r = cli("library", "export", "rugao", "-o", str(target), "--no-breakeven")
    assert r.exit_code == 0, r.output
    assert "已导出并记录 exported and recorded: rugao@1" in r.output
    r = cli("library", "verify", str(target))
    assert r.exit_code == 0, r.output
    assert "通过 PASS" in r.output and "与记录的导出一致" in r.output

    wb = openpyxl.load_workbook(target)
    ws = wb["产品概要"]
    cell = next(
        c
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, float) and c.number_format == "#,##0.00" and c.value > 1
    )
    cell.value += 1.0
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    r = cli("library", "verify", str(edited))
    assert r.exit_code == 1
    out = _flat(r.output)
    assert "不一致 FAIL" in out and f"产品概要!{cell.coordinate}" in out
    assert "edited after export" in out
    report = json.loads(cli("library", "verify", str(edited), "--json").stdout)
    assert report["ok"] is False
    assert [m["cell"] for m in report["mismatches"]] == [cell.coordinate]


def test_dabs_export_records_itself(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out.xlsx"
    r = cli("export", "rugao-labelled", "-o", str(target), "--no-breakeven", "-m", "申报稿")
    assert r.exit_code == 0, r.output
    assert "已保存新版本 saved version rugao-labelled@1" in r.output
    notes = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(target)["模型说明"].iter_rows(values_only=True)
        if row and row[0]
    }
    assert "rugao-labelled@1" in notes["库运行编号"]
    assert str(example_dir("rugao-labelled") / "deal.json") in notes["交易文件"]
    assert cli("library", "verify", str(target)).exit_code == 0
    # a second export of the unchanged deal reuses version 1
    r = cli("export", "rugao-labelled", "-o", str(tmp_path / "b.xlsx"), "--no-breakeven")
    assert "已保存新版本" not in r.output and "rugao-labelled@1" in r.output
    plain = tmp_path / "plain.xlsx"
    r = cli("export", "rugao-labelled", "-o", str(plain), "--no-breakeven", "--no-record")
    assert r.exit_code == 0, r.output
    r = cli("library", "verify", str(plain))
    assert r.exit_code == 2
    assert "not exported through the deal library" in _flat(r.output)


def test_archive_and_restore(cli) -> None:  # type: ignore[no-untyped-def]
    cli("library", "save", "rugao-labelled", "-m", "v1")
    r = cli("library", "archive", "rugao-labelled", "--reason", "项目终止")
    assert r.exit_code == 0 and "已归档 archived rugao-labelled" in r.output
    assert "交易库为空" in cli("library", "list").output
    assert "已归档 archived" in cli("library", "list", "--archived").output
    r = cli("library", "save", "rugao-labelled", "-m", "v2", "--allow-unchanged")
    assert r.exit_code == 2 and "restore it first" in _flat(r.output)
    assert cli("library", "restore", "rugao-labelled", "--reason", "重启").exit_code == 0
    assert "rugao-labelled" in cli("library", "list").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("library", "log", "nope"), "no deal 'nope' in the library"),
        (("library", "show", "nope@x"), "the version after '@' must be a number"),
        (("library", "save", "missing.json", "-m", "x"), "missing.json: deal file not found"),
        (("library", "verify", "missing.xlsx"), "missing.xlsx: workbook not found"),
        (("library", "runs", "x", "--run", "zz"), "run id must be hexadecimal"),
        (("library", "run", "nope"), "no deal 'nope'"),
    ],
)
def test_bad_input_exits_2(cli, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert message in _flat(r.output)
    assert "Traceback" not in r.output


def test_unreachable_database_exits_2(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["library", "list", "--db", "mysql://u@h/x"])
    assert r.exit_code == 2
    assert "database 'mysql' is not supported" in _flat(r.output)


def test_verify_cells_and_run_measures_in_wan(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("library", "save", "rugao-labelled", "--name", "rugao", "-m", "v1")
    target = tmp_path / "filed.xlsx"
    assert cli("library", "export", "rugao", "-o", str(target), "--no-breakeven").exit_code == 0
    r = cli("library", "verify", str(target), "--cells")
    assert r.exit_code == 0
    out = _flat(r.output)
    assert "数字单元格逐一比对 Every numeric cell" in out and "产品概要!" in out and "✓" in out
    assert "✗" not in out
    data = json.loads(cli("library", "verify", str(target), "--json", "--cells").stdout)
    assert data["numbers_compared"] == len(data["cells"])
    run = json.loads(cli("library", "runs", "rugao", "--json").stdout)[0]
    r = cli("library", "runs", "rugao", "--run", run["id"])
    out = _flat(r.output)
    # money measures are shown in 万元
    pool = next(
        m
        for m in json.loads(cli("library", "runs", "x", "--run", run["id"], "--json").stdout)[
            "measures"
        ]
        if m["measure"] == "pool_amount"
    )
    assert f"{pool['value'] / 1e4:,.2f} 万元" in out
