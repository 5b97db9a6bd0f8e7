"""Running, exporting, diffing and verifying from the library (ui.library_service).

Measures are checked against independent engine calls; ``verify`` against untouched
workbooks, workbooks edited by hand, and re-runs under changed code or library versions.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

import waterfall
from abs.io import load_deal
from abs.library import Library, LibraryError
from abs.projection import project
from scenarios.breakeven import COL_FACTOR, COL_TRANCHE, COL_VALUE, breakeven_table
from scenarios.filing_package import LIBRARY_RUN_LABEL, export_package
from scenarios.montecarlo import run_mc
from tests.library.helpers import edited_deal, example_bytes
from ui import library_service as svc

MONEY = "#,##0.00"


@pytest.fixture
def lib(db_url: str) -> Library:
    library = Library.open(db_url)
    _, tape, tape_name = example_bytes("rugao-labelled")
    library.save(
        "rugao",
        deal_bytes=example_bytes("rugao-labelled")[0],
        tape=tape,
        tape_name=tape_name,
        message="首版",
        author="tester",
    )
    yield library
    library.close()


def _values(frame: pd.DataFrame, section: str) -> dict[tuple[str, str, str], float]:
    part = frame[frame["section"] == section]
    return {(r.scenario, r.tranche, r.measure): r.value for r in part.itertuples()}


def _notes(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    return {r[0]: r[1] for r in wb["模型说明"].iter_rows(values_only=True) if r and r[0]}


# --- runs ------------------------------------------------------------------------------------


def test_base_run_measures_equal_a_direct_engine_run(lib: Library) -> None:
    run = svc.run_version(lib, "rugao", kind="base", author="quant")
    assert (run.kind, run.version, run.scenario_count, run.author) == (
        "base",
        "rugao@1",
        1,
        "quant",
    )
    frame = lib.measures(run.id)
    base = _values(frame, "base")
    deal = load_deal("rugao-labelled")
    result = waterfall.run(deal, project(deal))
    for t in deal.tranches:
        assert base[("", t.name, "wal_years")] == pytest.approx(float(result.wal(t.name)[0]))
        assert base[("", t.name, "loss")] == pytest.approx(float(result.loss(t.name)[0]))
    assert base[("", "优先A", "paid_in_full")] == 1.0
    pool = _values(frame, "pool")
    assert deal.pool is not None
    assert pool[("", "", "pool_amount")] == deal.pool.total_amount
    assert pool[("", "", "asset_count")] == 10.0
    assert run.software["git_commit"] is None or len(run.software["git_commit"]) == 40
    assert {"numpy", "scipy", "pyxirr", "numba", "QuantLib"} <= set(run.software)
    assert run.timings["total_s"] > 0


def test_stress_run_with_a_custom_file_stores_its_bytes(lib: Library, tmp_path: Path) -> None:
    stress = tmp_path / "我的压力.json"
    stress.write_text(
        json.dumps(
            [
                {"name": "基准", "factors": {}},
                {"name": "收入腰斩", "factors": {"revenue_haircut": 0.5}},
            ],
            ensure_ascii=False,
        ),
        "utf-8",
    )
    run = svc.run_version(lib, "rugao", kind="stress", stress_set=str(stress))
    assert run.scenario_count == 2
    assert run.stress_file == "我的压力.json"
    assert run.stress_sha256 == hashlib.sha256(stress.read_bytes()).hexdigest()
    assert lib.blob(run.stress_sha256) == stress.read_bytes()
    assert [s["name"] for s in run.stress_content["scenarios"]] == ["基准", "收入腰斩"]
    values = _values(lib.measures(run.id), "stress")
    assert values[("收入腰斩", "优先A", "loss")] >= values[("基准", "优先A", "loss")]


def test_breakeven_run_equals_breakeven_table(lib: Library) -> None:
    run = svc.run_version(lib, "rugao", kind="breakeven")
    values = _values(lib.measures(run.id), "breakeven")
    table = breakeven_table(load_deal("rugao-labelled"), ("revenue_haircut", "pd_multiplier"))
    for row in table.to_dict("records"):
        factor = "revenue_haircut" if "revenue_haircut" in row[COL_FACTOR] else "pd_multiplier"
        expected = row[COL_VALUE]
        got = values[(factor, row[COL_TRANCHE], "breakeven")]
        assert got == pytest.approx(expected) if expected == expected else got is None


def test_montecarlo_run_equals_run_mc(lib: Library) -> None:
    run = svc.run_version(lib, "rugao", kind="montecarlo", mc_paths=64, seed=11)
    assert (run.seed, run.mc_paths, run.scenario_count) == (11, 64, 64)
    values = _values(lib.measures(run.id), "montecarlo")
    mc = run_mc(load_deal("rugao-labelled"), n_paths=64, seed=11)
    assert values[("", "优先A", "expected_loss")] == pytest.approx(mc.expected_loss("优先A"))
    assert values[("", "次级", "loss_var99")] == pytest.approx(mc.var("次级", 0.99))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"kind": "montecarlo", "mc_paths": 10}, "needs both --mc PATHS and --seed SEED"),
        ({"kind": "base", "seed": 1}, "--mc and --seed belong to Monte Carlo runs"),
        ({"kind": "base", "stress_set": "data"}, "--stress belongs to stress runs"),
        ({"kind": "guess"}, "run kind must be one of"),
    ],
)
def test_run_version_rejects_bad_arguments(lib: Library, kw: dict[str, Any], message: str) -> None:
    with pytest.raises(LibraryError, match=message):
        svc.run_version(lib, "rugao", **kw)


# --- export and verify -------------------------------------------------------------------------


def _export(lib: Library, path: Path, **kw: Any) -> svc.LibraryExport:
    return svc.export_version(lib, "rugao", xlsx_path=path, breakeven=False, **kw)


def test_export_records_run_and_files_and_verify_passes(lib: Library, tmp_path: Path) -> None:
    target = tmp_path / "申报.xlsx"
    done = _export(lib, target, json_path=tmp_path / "申报.json", csv_dir=tmp_path / "csv")
    assert done.run.kind == "filing"
    kinds = sorted(e.kind for e in done.exports)
    assert kinds == ["csv"] * 9 + ["json", "xlsx"]
    xlsx = next(e for e in done.exports if e.kind == "xlsx")
    assert xlsx.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    notes = _notes(target)
    assert notes[LIBRARY_RUN_LABEL].startswith(done.run.id)
    assert "rugao@1" in notes[LIBRARY_RUN_LABEL]
    assert notes["交易文件SHA-256"] == done.version.deal_sha256
    assert notes["资产包文件SHA-256"] == done.version.tape_sha256
    for lib_name in ("scipy", "pyxirr", "numba", "QuantLib", "numpy"):
        assert lib_name in notes["依赖版本"]
    assert notes["代码提交"]
    assert notes["压力情景文件SHA-256"].startswith("—")
    sections = set(lib.measures(done.run.id)["section"])
    assert sections == {"base", "pool", "stress"}

    report = svc.verify_workbook(lib, target)
    assert report.ok, report.to_frame()
    assert report.file_is_recorded
    assert report.run.id == done.run.id
    assert report.numbers_compared == report.numbers_matched > 100
    assert report.texts_compared == report.texts_matched > 100


def test_verify_names_a_cell_edited_by_hand(lib: Library, tmp_path: Path) -> None:
    target = tmp_path / "filed.xlsx"
    _export(lib, target)
    wb = openpyxl.load_workbook(target)
    ws = wb["产品概要"]
    cell = next(
        c
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, float) and c.number_format == MONEY and c.value > 1
    )
    original = cell.value
    cell.value = original + 0.01  # one fen per 万元 cent: 100 yuan more
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    report = svc.verify_workbook(lib, edited)
    assert not report.ok
    assert not report.file_is_recorded
    assert [m.where for m in report.mismatches] == [f"产品概要!{cell.coordinate}"]
    m = report.mismatches[0]
    assert m.kind == "money"
    assert m.rerun_value == original
    assert "（-100 元）" in m.difference  # compared at the stored 0.01 万元
    assert "edited after export" in m.reason
    assert m.row_label and m.header


def test_verify_tolerates_sub_fen_noise_in_money_cells(lib: Library, tmp_path: Path) -> None:
    target = tmp_path / "filed.xlsx"
    _export(lib, target)
    wb = openpyxl.load_workbook(target)
    ws = wb["产品概要"]
    cell = next(
        c
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, float) and c.number_format == MONEY and c.value > 1
    )
    cell.value = cell.value + 1e-8  # far below the stored 0.01 万元
    wb.save(tmp_path / "noise.xlsx")
    assert svc.verify_workbook(lib, tmp_path / "noise.xlsx").ok


def test_verify_names_code_change_when_the_rerun_differs(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "filed.xlsx"
    done = _export(lib, target)
    recorded = dict(done.run.software)
    changed = {**recorded, "git_commit": "f" * 40, "git_dirty": False}
    monkeypatch.setattr(svc, "software_versions", lambda: changed)
    import scenarios.filing_package as fp

    real = fp.tranche_payments_sheet

    def drifted(frame: pd.DataFrame, **kw: Any) -> Any:
        frame = frame.copy()
        frame["利息"] = frame["利息"] * 1.001  # a "code change" in the interest column
        return real(frame, **kw)

    monkeypatch.setattr(fp, "tranche_payments_sheet", drifted)
    report = svc.verify_workbook(lib, target)
    assert not report.ok
    assert report.file_is_recorded
    assert {m.sheet for m in report.mismatches} == {"证券兑付表"}
    # 现金流 is the sum of the rounded parts, so it moves with 利息
    assert {m.header.split("(")[0] for m in report.mismatches} == {"利息", "现金流"}
    reason = report.mismatches[0].reason
    assert "code version changed" in reason
    assert f"dabs commit {recorded['git_commit'] or '—'} → {'f' * 40}" in reason
    assert report.code_changes


def test_verify_names_library_change_and_passes_when_numbers_still_match(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "filed.xlsx"
    done = _export(lib, target)
    changed = {**done.run.software, "numpy": "0.0.1"}
    monkeypatch.setattr(svc, "software_versions", lambda: changed)
    report = svc.verify_workbook(lib, target)
    assert report.ok
    assert report.library_changes == (f"numpy {done.run.software['numpy']} → 0.0.1",)


def test_verify_reports_irreproducible_rerun_under_same_versions(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scenarios.filing_package as fp

    # a clean checkout at run and at verify time: same code, same libraries
    clean = {**fp.software_versions(), "git_commit": "a" * 40, "git_dirty": False}
    monkeypatch.setattr(svc, "software_versions", lambda: dict(clean))
    monkeypatch.setattr(fp, "software_versions", lambda: dict(clean))
    target = tmp_path / "filed.xlsx"
    done = _export(lib, target)
    assert done.run.software == clean

    real = fp.pool_cashflow_sheet

    def drifted(frame: pd.DataFrame, **kw: Any) -> Any:
        frame = frame.copy()
        col = frame.select_dtypes("number").columns[-1]
        frame[col] = frame[col] + 1.0
        return real(frame, **kw)

    monkeypatch.setattr(fp, "pool_cashflow_sheet", drifted)
    report = svc.verify_workbook(lib, target)
    assert not report.ok
    assert "not reproducible" in report.mismatches[0].reason


def test_custom_stress_file_is_hashed_stored_and_reused(lib: Library, tmp_path: Path) -> None:
    stress = tmp_path / "sets.json"
    stress.write_text(
        json.dumps(
            {
                "sets": [
                    {"name": "mine", "scenarios": [{"name": "基准", "factors": {}}]},
                    {
                        "name": "harsh",
                        "zh": "严苛",
                        "scenarios": [{"name": "违约三倍", "factors": {"pd_multiplier": 3}}],
                    },
                ]
            },
            ensure_ascii=False,
        ),
        "utf-8",
    )
    target = tmp_path / "filed.xlsx"
    done = _export(lib, target, stress_set=f"{stress}#harsh")
    sha = hashlib.sha256(stress.read_bytes()).hexdigest()
    assert _notes(target)["压力情景文件SHA-256"] == sha
    assert done.run.stress_sha256 == sha
    stress.unlink()  # the library keeps the bytes: verify needs no file on disk
    report = svc.verify_workbook(lib, target)
    assert report.ok, report.to_frame()


def test_export_with_montecarlo_reproduces(lib: Library, tmp_path: Path) -> None:
    target = tmp_path / "mc.xlsx"
    done = _export(lib, target, mc_paths=64, seed=5)
    assert "montecarlo" in set(lib.measures(done.run.id)["section"])
    assert svc.verify_workbook(lib, target).ok


def test_verify_refuses_files_it_cannot_trace(lib: Library, tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    export_package(load_deal("rugao-labelled"), xlsx_path=plain, breakeven=False)
    with pytest.raises(LibraryError, match="not exported through the deal library"):
        svc.verify_workbook(lib, plain)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(LibraryError, match="not a readable xlsx workbook"):
        svc.verify_workbook(lib, junk)
    with pytest.raises(LibraryError, match="workbook not found"):
        svc.verify_workbook(lib, tmp_path / "missing.xlsx")


def test_verify_against_the_wrong_library_names_the_run(lib: Library, tmp_path: Path) -> None:
    target = tmp_path / "filed.xlsx"
    done = _export(lib, target)
    wb = openpyxl.load_workbook(target)
    wb["产品概要"]["A1"] = "changed title"  # not byte-identical: found through 库运行编号
    wb.save(tmp_path / "other.xlsx")
    message = f"names run {done.run.id}, which is not in"
    with (
        Library.open(str(tmp_path / "empty.sqlite")) as other,
        pytest.raises(LibraryError, match=message),
    ):
        svc.verify_workbook(other, tmp_path / "other.xlsx")


def test_export_checks_targets_before_running(lib: Library, tmp_path: Path) -> None:
    target = tmp_path / "exists.xlsx"
    target.write_bytes(b"old")
    from abs.errors import ExportError

    with pytest.raises(ExportError, match="file exists; use --force"):
        _export(lib, target)
    assert target.read_bytes() == b"old"
    assert len(lib.runs("rugao")) == 0


# --- diff --------------------------------------------------------------------------------------


def test_diff_versions_structure_and_measures(lib: Library) -> None:
    _, tape, tape_name = example_bytes("rugao-labelled")
    lib.save(
        "rugao",
        deal_bytes=edited_deal("rugao-labelled", **{"tranches.0.coupon.rate": 0.03}),
        tape=tape,
        tape_name=tape_name,
        message="票面利率上调",
    )
    d = svc.diff_versions(lib, "rugao@1", "rugao@2")
    assert [
        (c.path, c.label_zh, c.old_text, c.new_text, c.delta_text) for c in d.structure.changes
    ] == [("tranches[优先A].coupon.rate", "档位 优先A 票面利率", "2.4%", "3%", "+60 bp")]
    assert d.structure.pool.unchanged
    assert len(d.notes) == 2  # neither version had a base run: both were run and recorded
    assert len(lib.runs("rugao", kind="base")) == 2
    yields = d.measures[d.measures["指标 measure"].str.startswith("收益率")]
    senior = yields[yields["档位 tranche"] == "优先A"].iloc[0]
    assert senior["new"] - senior["old"] == pytest.approx(senior["变化 delta"])
    assert senior["变化 delta"] > 0.005  # 2.4% → 3% coupon at par
    again = svc.diff_versions(lib, "rugao@1", "rugao@2")
    assert again.notes == () and again.runs == d.runs


def test_render_version_for_a_download_is_recorded_and_verifiable(
    lib: Library, tmp_path: Path
) -> None:
    done = svc.render_version(lib, "rugao", file_stem="如皋申报", breakeven=False)
    assert done.written == []
    assert [(e.kind, e.path) for e in done.exports] == [
        ("xlsx", f"{svc.DOWNLOAD_PREFIX}如皋申报.xlsx"),
        ("json", f"{svc.DOWNLOAD_PREFIX}如皋申报.json"),
    ]
    saved = tmp_path / "downloaded.xlsx"  # wherever the browser put it
    saved.write_bytes(done.package.xlsx)
    report = svc.verify_workbook(lib, saved)
    assert report.ok and report.file_is_recorded and report.run.id == done.run.id


def test_verify_lists_every_numeric_cell(lib: Library, tmp_path: Path) -> None:
    target = tmp_path / "filed.xlsx"
    _export(lib, target)
    report = svc.verify_workbook(lib, target)
    assert len(report.cells) == report.numbers_compared
    assert all(c.match for c in report.cells)
    kinds = {c.kind for c in report.cells}
    assert kinds == {"money", "number"}
    money = next(c for c in report.cells if c.kind == "money")
    assert money.where.count("!") == 1 and money.file_value == money.rerun_value
