"""The 交易库 page (AppTest): save with a message and the edit log, history, open, compare.

Each test points ``DABS_DB_URL`` at its own fresh SQLite file (version numbers start at 1), never
the user's library.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from abs.deal import Deal
from abs.library import Library
from ui import state

APP = Path(ui.__file__).resolve().parent / "app.py"


@pytest.fixture(autouse=True)
def _private_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own library file."""
    path = tmp_path / "library.sqlite"
    monkeypatch.setenv("DABS_DB_URL", f"sqlite:///{path}")
    return path


def _start(monkeypatch: pytest.MonkeyPatch, deal: str = "rugao-labelled") -> AppTest:
    monkeypatch.setenv(state.ENV_DEAL, deal)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    return at


def _resize_senior(at: AppTest, wan: float) -> None:
    at.switch_page("views/structure_page.py").run()
    version = at.session_state[state.KEY_EDITOR_VERSION]
    at.session_state[f"structure_tranches_{version}"] = {
        "edited_rows": {0: {"balance_wan": wan}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception and not at.error


def _save(at: AppTest, message: str) -> None:
    at.switch_page("views/library_page.py").run()
    at.text_input(key="lib_message").set_value(message)
    at.button(key="lib_save").click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_save_twice_history_and_compare(
    monkeypatch: pytest.MonkeyPatch, _private_library: Path
) -> None:
    at = _start(monkeypatch)
    _save(at, "初始结构")
    assert any("rugao-labelled@1" in str(s.value) for s in at.success)
    _resize_senior(at, 11_000.0)
    _save(at, "优先A 缩量")
    assert any("rugao-labelled@2" in str(s.value) for s in at.success)

    with Library.open(f"sqlite:///{_private_library}") as lib:
        versions = list(lib.log("rugao-labelled"))
        assert [v.number for v in versions] == [2, 1]
        # the edit log is saved with the version
        assert versions[0].message.startswith("优先A 缩量\n修改记录：")
        assert "优先A 规模 12,300.00 → 11,000.00 万元" in versions[0].message
        assert lib.load("rugao-labelled@2").tranches[0].balance == 110_000_000.0

    history = next(df.value for df in at.dataframe if "版本" in df.value.columns)
    assert history["版本"].tolist() == ["rugao-labelled@2", "rugao-labelled@1"]

    # compare @1 (A) with @2 (B): the size change is listed and the measures differ
    at.selectbox(key="lib_cmp_a").set_value("rugao-labelled@1")
    at.selectbox(key="lib_cmp_b").set_value("rugao-labelled@2").run()
    assert not at.exception, [e.value for e in at.exception]
    frames = [df.value for df in at.dataframe]
    changes = next(f for f in frames if "字段" in f.columns)
    assert len(changes) >= 1
    measures = next(f for f in frames if "指标" in getattr(f, "columns", []))
    size = measures[(measures["档位"] == "优先A") & (measures["指标"] == "发行规模（万元）")]
    assert size[["rugao-labelled@1", "rugao-labelled@2"]].values.tolist() == [
        ["12,300.00", "11,000.00"]
    ]
    assert size["变化（B − A）"].tolist() == ["-1,300.00"]  # B − A in 万元
    assert len(at.get("plotly_chart")) == 1

    # stress results of both sides under the pool's scenario set: the smaller senior is
    # covered better in the base scenario; the values are the stress page's grid
    from scenarios.grid import run_deal_set

    stress = next(f for f in frames if "情景" in getattr(f, "columns", []))
    cov = stress[
        (stress["情景"] == "基准")
        & (stress["档位"] == "优先A")
        & (stress["指标"] == "最低覆盖倍数（含本金）")
    ]
    with Library.open(f"sqlite:///{_private_library}") as lib:
        v1, v2 = lib.load("rugao-labelled@1"), lib.load("rugao-labelled@2")
    values = [
        float(run_deal_set(v, "receivable").outcome.min_coverage_principal[0, 0]) for v in (v1, v2)
    ]
    expected = [f"{x:.2f}×" for x in values]
    assert cov[["rugao-labelled@1", "rugao-labelled@2"]].values.tolist() == [expected]
    assert cov["变化（B − A）"].tolist() == [f"{values[1] - values[0]:+,.2f}×"]
    assert stress["变化（B − A）"].tolist()[0] != ""  # changed rows first
    assert any("压力测试结果（应收账款情景集" in str(m.value) for m in at.markdown)

    # break-evens on request, worded as on the stress page
    at.toggle(key="lib_breakeven_on").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    frames = [df.value for df in at.dataframe]
    be = next(f for f in frames if "因子" in getattr(f, "columns", []))
    assert set(be["因子"]) == {"收入下降", "违约率倍数"}
    assert len(be) == 4  # 2 tranches × 2 factors
    assert all(
        v == "—" or v.endswith("%") or v.endswith("×") or v.startswith("不触发")
        for v in be["rugao-labelled@1"]
    ), be


def test_open_a_version(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _start(monkeypatch)
    _save(at, "v1")
    _resize_senior(at, 10_000.0)
    at.switch_page("views/library_page.py").run()
    at.selectbox(key="lib_open_ref").set_value("rugao-labelled@1")
    at.button(key="lib_open").click().run()
    assert not at.exception
    deal = Deal.model_validate_json(at.session_state[state.KEY_DEAL_JSON])
    assert deal.tranches[0].balance == 123_000_000.0
    assert "交易库 rugao-labelled@1" in at.session_state[state.KEY_SOURCE]


def test_stress_comparison_reads_english_in_english_mode() -> None:
    """The stress comparison's scenario names, measures and flags in one language."""
    import pandas as pd

    from ui.localize import has_cjk
    from ui.views.library_page import stress_table

    frame = pd.DataFrame(
        [
            ("基准", "优先A", "paid", 1.0, 0.0, True),
            ("重度", "优先A", "loss", 0.0, 0.125, True),
            ("轻度", "", "support", 12.5, 12.5, False),
        ],
        columns=["scenario", "tranche", "measure", "a", "b", "changed"],
    )
    en = stress_table(frame, "v1", "v2", "en")
    assert en.columns.tolist() == ["Scenario", "Tranche", "Measure", "v1", "v2", "Change (B − A)"]
    assert en["Change (B − A)"].tolist() == ["●", "+12.50 pp", ""]
    assert en["Scenario"].tolist() == ["Base", "Severe", "Mild"]
    assert en["v2"].tolist() == ["no", "12.50%", "12.50"]
    assert not any(has_cjk(str(v)) for v in en.drop(columns=["Tranche"]).to_numpy().ravel())
    zh = stress_table(frame, "v1", "v2", "zh")
    assert zh["情景"].tolist() == ["基准", "重度", "轻度"]
    assert zh["v1"].tolist() == ["✓", "0.00%", "12.50"]
    assert zh["档位"].tolist() == ["优先A", "优先A", "—"]
    assert zh["变化（B − A）"].tolist() == ["●", "+12.50 个百分点", ""]


def test_coverage_overlay_joins_interleaved_schedules_and_drops_empty_dates() -> None:
    """Two versions whose first payment dates differ by a month: each side's line joins its
    own points across the other's dates, and dates where no senior is outstanding on either
    side (after the seniors are repaid) are not on the axis."""
    import datetime as dt
    import math

    from abs.io import load_deal
    from scenarios.compare import compare
    from scenarios.report import base_report
    from ui.views.library_page import coverage_overlay

    a = load_deal("qingdao-pure")
    dates = a.dates.model_copy(update={"first_payment_date": dt.date(2026, 10, 26)})
    b = a.model_copy(update={"dates": dates})
    comp = compare(a, base_report(a), b, base_report(b), a="v1", b="v2")
    assert comp.coverage.isna().all(axis=1).any()  # the union has dates no side covers
    fig = coverage_overlay(comp, "zh")
    assert len(fig.data) == 4
    shown = comp.coverage.dropna(how="all")
    for trace in fig.data:
        assert trace.connectgaps is True
        assert list(trace.x) == [str(d) for d in shown.index]
        assert any(v is None for v in trace.y)  # the other side's dates: gaps joined over
        assert all(v is None or (math.isfinite(v) and v <= 10.0) for v in trace.y)
