"""Headless dashboard tests (Streamlit AppTest): a smoke test per page and the interactions.

Each test builds its own deal (a small receivables pool whose pledged share is exactly 50.46%,
like 平安-如皋第1期) or uses a shipped example, starts the real app script, and reads what the
page shows. Nothing is mocked: the pages call the real engine through ``ui.engine``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import ui
from abs.asset import Asset, Pool
from abs.deal import Coupon, Deal, DealDates, Fee, Guarantee, Support, Tranche, Trigger
from abs.enums import (
    DataLink,
    EventType,
    FeeBase,
    FeeType,
    TrancheClass,
    TriggerCondition,
)
from abs.io import deal_to_json
from ui import state

APP = Path(ui.__file__).resolve().parent / "app.py"
PAGES = {
    "pool": "views/pool_page.py",
    "projection": "views/projection_page.py",
    "structure": "views/structure_page.py",
    "waterfall": "views/waterfall_page.py",
    "stress": "views/stress_page.py",
    "export": "views/export_page.py",
}
TIMEOUT = 120

# The test pool: 10 receivables; the 4 pledged ones are 50,460,000.00 of 100,000,000.00 yuan
# = 50.46% exactly (贴标型: 50% ≤ share < 70%). The 6 others sum to 49,540,000.00:
# 5 × 8,256,666.67 + 8,256,666.65 = 41,283,333.35 + 8,256,666.65 = 49,540,000.00.
PLEDGED = [12_615_000.0] * 4
UNLINKED = [8_256_666.67] * 5 + [8_256_666.65]


def _assets(*, pledged: list[float], unlinked: list[float]) -> list[Asset]:
    out = []
    for i, amount in enumerate(pledged + unlinked):
        out.append(
            Asset(
                asset_id=f"R{i + 1:02d}",
                obligor=f"如皋某国有企业{i % 5 + 1}(示例)",
                originator=f"债权人{i % 3 + 1}",
                asset_type="receivable",
                data_link=DataLink.PLEDGED if i < len(pledged) else DataLink.NONE,
                amount=amount,
                start_date=dt.date(2024, 10, 1),
                maturity_date=dt.date(2026, 9, 30),
                rate=0.045,
                payment_frequency="quarterly",
                amortization="bullet",
                region="江苏省南通市如皋市",
                industry="建筑业",
                guarantor="某信用增进公司(示例)",
            )
        )
    return out


def make_deal(*, senior: float = 88_000_000.0, sub: float = 7_000_000.0) -> Deal:
    """A two-tranche receivables deal on the test pool (quarterly, ACT/365F, guarantee)."""
    pool = Pool(assets=tuple(_assets(pledged=PLEDGED, unlinked=UNLINKED)))
    return Deal(
        name="测试交易（示例）",
        data_enablement={"declared": True, "uses": ("数据资产质押",)},
        pool=pool,
        dates=DealDates(
            cutoff_date=dt.date(2025, 3, 31),
            closing_date=dt.date(2025, 4, 25),
            first_payment_date=dt.date(2025, 7, 26),
            expected_maturity_date=dt.date(2026, 10, 26),
            legal_maturity_date=dt.date(2028, 10, 26),
        ),
        tranches=(
            Tranche(
                name="优先A",
                tranche_class=TrancheClass.SENIOR,
                balance=senior,
                coupon=Coupon(rate=0.024),
                rating="AAAsf",
            ),
            Tranche(name="次级", tranche_class=TrancheClass.SUBORDINATED, balance=sub),
        ),
        fees=(
            Fee(
                name="增值税及附加",
                fee_type=FeeType.TAX,
                rate=0.03,
                surcharge=0.12,
                base=FeeBase.PERIOD_INCOME,
            ),
            Fee(name="托管费", fee_type=FeeType.PERCENTAGE, rate=0.0001),
            Fee(name="跟踪评级费", fee_type=FeeType.FIXED, amount=12_500.0),
        ),
        support=Support(guarantee=Guarantee(provider="某信用增进公司(示例)", rating="AAA")),
        triggers=(
            Trigger(
                name="优先级利息未足额兑付",
                condition=TriggerCondition.SENIOR_INTEREST_UNPAID,
                event=EventType.DEFAULT_EVENT,
            ),
        ),
    )


def tape_csv(
    *, pledged: list[float], unlinked: list[float], broken_row: int | None = None
) -> bytes:
    """The test pool as a UTF-8 CSV tape with English headers; optionally one bad amount."""
    header = "asset_id,obligor,asset_type,data_link,amount,start_date,maturity_date,rate"
    lines = [header]
    for i, a in enumerate(_assets(pledged=pledged, unlinked=unlinked)):
        amount = "abc" if broken_row is not None and i + 2 == broken_row else f"{a.amount:.2f}"
        lines.append(
            f"{a.asset_id},{a.obligor},{a.asset_type.value},{a.data_link.value},{amount},"
            f"{a.start_date},{a.maturity_date},{a.rate}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def deal_file(tmp_path: Path) -> Path:
    path = tmp_path / "test-deal.json"
    path.write_text(deal_to_json(make_deal()), encoding="utf-8")
    return path


def start(monkeypatch: pytest.MonkeyPatch, deal: str | Path | None = None) -> AppTest:
    """Run the app once with ``deal`` preselected (``$DABS_UI_DEAL``)."""
    if deal is None:
        monkeypatch.delenv(state.ENV_DEAL, raising=False)
    else:
        monkeypatch.setenv(state.ENV_DEAL, str(deal))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    return at


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(PAGES[page]).run()
    return at


def assert_clean(at: AppTest) -> None:
    """No exception element and no error box on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def markdown_text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def current_deal(at: AppTest) -> Deal:
    return Deal.model_validate_json(at.session_state[state.KEY_DEAL_JSON])


# --- smoke: every page renders without an exception or an error box ------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_on_the_test_deal(
    monkeypatch: pytest.MonkeyPatch, deal_file: Path, page: str
) -> None:
    at = start(monkeypatch, deal_file)
    goto(at, page)
    assert_clean(at)
    assert at.title[0].value in {"资产池", "收入预测", "结构设计", "现金流", "压力测试", "导出"}


# --- pool: upload → kind badge; bad tape → error with row/column, last good deal kept ---------


def test_pool_page_shows_kind_badge_and_share(
    monkeypatch: pytest.MonkeyPatch, deal_file: Path
) -> None:
    at = start(monkeypatch, deal_file)
    assert_clean(at)
    text = markdown_text(at)
    assert ":blue-badge[贴标型]" in text
    assert "50.46%" in text
    assert next(m.value for m in at.metric) == "50.46%"


def test_upload_tape_changes_the_badge(monkeypatch: pytest.MonkeyPatch, deal_file: Path) -> None:
    at = start(monkeypatch, deal_file)
    # a tape whose pledged assets are 3 × 25,000,000 of 100,000,000 = 75% → 纯数据型 needs ≥ 70%
    data = tape_csv(pledged=[25_000_000.0] * 3, unlinked=[12_500_000.0] * 2)
    at.sidebar.file_uploader[0].upload("pure.csv", data, "text/csv")
    at.run()
    assert_clean(at)
    text = markdown_text(at)
    assert ":green-badge[纯数据型]" in text and "75.00%" in text
    assert len(current_deal(at).pool.assets) == 5  # type: ignore[union-attr]
    assert state.source(at.session_state) == "pure.csv"  # type: ignore[arg-type]


def test_bad_tape_shows_row_and_column_and_keeps_last_good(
    monkeypatch: pytest.MonkeyPatch, deal_file: Path
) -> None:
    at = start(monkeypatch, deal_file)
    before = at.session_state[state.KEY_DEAL_JSON]
    data = tape_csv(pledged=PLEDGED, unlinked=UNLINKED, broken_row=3)
    at.sidebar.file_uploader[0].upload("broken.csv", data, "text/csv")
    at.run()
    assert not at.exception
    messages = [str(e.value) for e in at.error]
    expected = "- 第 3 行，入池金额 (amount)：不是数字（值：abc）"  # the session language
    assert any("broken.csv" in m and expected in m for m in messages), messages
    assert at.session_state[state.KEY_DEAL_JSON] == before  # the last good deal is kept
    assert ":blue-badge[贴标型]" in markdown_text(at)


def test_bad_deal_file_names_the_field(monkeypatch: pytest.MonkeyPatch, deal_file: Path) -> None:
    at = start(monkeypatch, deal_file)
    before = at.session_state[state.KEY_DEAL_JSON]
    data: dict[str, Any] = json.loads(before)
    data["tranches"][0]["balance"] = -5
    at.sidebar.file_uploader[0].upload("bad.json", json.dumps(data).encode(), "application/json")
    at.run()
    messages = [str(e.value) for e in at.error]
    # the field as the structure editor names it, the rule in the session language and 万元
    expected = "第1行「优先A」 · 规模（万元）：须大于 0.00 万元（输入 -0.0005）"
    assert any(expected in m for m in messages), messages
    assert at.session_state[state.KEY_DEAL_JSON] == before


def test_language_toggle(monkeypatch: pytest.MonkeyPatch, deal_file: Path) -> None:
    at = start(monkeypatch, deal_file)
    at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    assert_clean(at)
    assert at.title[0].value == "Pool"
    assert ":blue-badge[Labelled (mixed)]" in markdown_text(at)


# --- structure: edit the senior size → coverage and checks change -------------------------


def _frame_with(at: AppTest, column: str) -> Any:
    """The first table on the page that has ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _checks(at: AppTest) -> Any:
    return _frame_with(at, "次级支持")


def _base_coverage(at: AppTest) -> float:
    """The senior's lowest coverage in the 基准 scenario column, e.g. '✓ 1.84×' → 1.84."""
    cell = str(_checks(at)["基准"].iloc[0])
    assert cell.startswith("✓ "), cell
    return float(cell[2:].rstrip("×"))


def test_edit_senior_size_changes_coverage(
    monkeypatch: pytest.MonkeyPatch, deal_file: Path
) -> None:
    at = goto(start(monkeypatch, deal_file), "structure")
    assert_clean(at)
    before = _base_coverage(at)
    senior_metric_before = at.metric[3].value
    assert str(_checks(at)["次级支持"].iloc[0]) == "7.37%"  # 700 / (8,800 + 700) = 7.37%
    version = at.session_state[state.KEY_EDITOR_VERSION]
    key = f"structure_tranches_{version}"
    # 8,800万 → 6,000万: less senior interest due each period, so senior coverage rises
    at.session_state[key] = {
        "edited_rows": {0: {"balance_wan": 6000.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    deal = current_deal(at)
    assert deal.tranches[0].balance == 60_000_000.0
    assert _base_coverage(at) > before
    assert at.metric[3].value != senior_metric_before
    assert str(_checks(at)["次级支持"].iloc[0]) == "10.45%"  # 700 / 6,700 = 10.45%
    assert state.edits(at.session_state) == ["优先A 规模 8,800.00 → 6,000.00 万元"]  # type: ignore[arg-type]


def test_invalid_edit_is_shown_next_to_the_field(
    monkeypatch: pytest.MonkeyPatch, deal_file: Path
) -> None:
    at = goto(start(monkeypatch, deal_file), "structure")
    before = at.session_state[state.KEY_DEAL_JSON]
    version = at.session_state[state.KEY_EDITOR_VERSION]
    at.session_state[f"structure_tranches_{version}"] = {
        "edited_rows": {0: {"balance_wan": 0.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    messages = [str(e.value) for e in at.error]
    # the rule in the session language, its bound and the value in 万元 (not "greater than 0")
    assert any(
        "第1行「优先A」 · 规模（万元）：须大于 0.00 万元（输入 0.00）" in m for m in messages
    ), messages
    assert at.session_state[state.KEY_DEAL_JSON] == before
    assert any("上一次有效" in str(w.value) for w in at.warning)


def test_undo_restores_the_previous_deal(monkeypatch: pytest.MonkeyPatch, deal_file: Path) -> None:
    at = goto(start(monkeypatch, deal_file), "structure")
    original = at.session_state[state.KEY_DEAL_JSON]
    version = at.session_state[state.KEY_EDITOR_VERSION]
    at.session_state[f"structure_tranches_{version}"] = {
        "edited_rows": {1: {"balance_wan": 900.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert current_deal(at).tranches[1].balance == 9_000_000.0
    at.sidebar.button(key="undo").click().run()
    assert not at.exception
    assert at.session_state[state.KEY_DEAL_JSON] == original
    # the editors were reseeded from the restored deal (new version, no pending edit)
    assert at.session_state[state.KEY_EDITOR_VERSION] == version + 1
    assert current_deal(at).tranches[1].balance == 7_000_000.0


def test_added_and_deleted_rows(monkeypatch: pytest.MonkeyPatch, deal_file: Path) -> None:
    at = goto(start(monkeypatch, deal_file), "structure")
    version = at.session_state[state.KEY_EDITOR_VERSION]
    # add a mezzanine tranche between the two: rows are kept in table order, so the new row
    # (appended last) must be moved by deleting and re-adding 次级
    at.session_state[f"structure_tranches_{version}"] = {
        "edited_rows": {},
        "added_rows": [
            {
                "name": "中间级",
                "tranche_class": "mezzanine",
                "balance_wan": 500.0,
                "coupon_type": "fixed",
                "rate_pct": 3.5,
                "principal_type": "pass_through",
            },
            {
                "name": "次级",
                "tranche_class": "subordinated",
                "balance_wan": 700.0,
                "coupon_type": "fixed",
                "principal_type": "pass_through",
            },
        ],
        "deleted_rows": [1],
    }
    at.run()
    assert not at.exception
    deal = current_deal(at)
    assert [t.name for t in deal.tranches] == ["优先A", "中间级", "次级"]
    assert deal.tranches[1].coupon.rate == 0.035
    assert deal.tranches[1].balance == 5_000_000.0


# --- the shipped examples ------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_on_the_default_example(
    monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    at = goto(start(monkeypatch), page)  # no $DABS_UI_DEAL → qingdao-pure
    assert_clean(at)
    assert current_deal(at).name.startswith("青岛")


def test_example_switch_then_undo(monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(monkeypatch)
    assert ":green-badge[纯数据型]" in markdown_text(at) and ":green-badge[100% 数据资产]" in (
        markdown_text(at)
    )
    at.sidebar.selectbox(key=state.KEY_EXAMPLE).set_value("tianfeng-enabled").run()
    assert_clean(at)
    assert ":orange-badge[赋能型]" in markdown_text(at)
    assert state.source(at.session_state) == "tianfeng-enabled"  # type: ignore[arg-type]
    at.sidebar.button(key="undo").click().run()
    assert ":green-badge[纯数据型]" in markdown_text(at)


def test_rugao_example_tape_upload_gbk(monkeypatch: pytest.MonkeyPatch) -> None:
    from abs.examples import example_dir

    at = start(monkeypatch, "rugao-labelled")
    data = (example_dir("rugao-labelled") / "tape.csv").read_bytes()
    data.decode("gbk")  # the example tape really is GBK (Chinese headers)
    at.sidebar.file_uploader[0].upload("tape.csv", data, "text/csv")
    at.run()
    assert_clean(at)
    assert ":blue-badge[贴标型]" in markdown_text(at)
    assert next(m.value for m in at.metric) == "50.46%"
    assert any("已读取资产清单 tape.csv：10 笔资产" in str(s.value) for s in at.success)


def test_waterfall_page_tables_and_english(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "waterfall")
    assert_clean(at)
    summary = _frame_with(at, "发行规模(万元)")
    assert summary["档位"].tolist() == ["优先A", "次级"]
    # 123,000,000 元 = 12,300 万元 (the 如皋 senior)
    assert summary["发行规模(万元)"].tolist()[0] == 12_300.0
    securities = _frame_with(at, "期初本金")
    assert set(securities["档位"]) == {"优先A", "次级"}
    assert "现金守恒检查通过" in " ".join(str(c.value) for c in at.caption)
    at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    assert_clean(at)
    assert at.title[0].value == "Waterfall"


def test_stress_table_monte_carlo_and_breakeven(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "stress")
    assert_clean(at)
    # Chinese mode shows the Chinese half of the engine's bilingual headers
    grid = _frame_with(at, "足额兑付")
    assert list(dict.fromkeys(grid["情景"])) == ["基准", "轻度", "中度", "重度"]
    assert len(grid) == 8  # 4 scenarios × 2 tranches
    at.number_input(key="mc_paths").set_value(200)
    at.button(key="mc_run").click().run()
    assert_clean(at)
    mc = _frame_with(at, "预期损失率")
    assert mc["档位"].tolist() == ["优先A", "次级"]
    # both coverage definitions of docs/analytics.md, each labelled
    for cov in ("仅利息", "含本金"):
        for p in ("P5", "P50"):
            assert mc[f"最低覆盖倍数（{cov}） {p}"].str.endswith("×").all(), mc.columns
    assert any(c.key == "mc_hist" for c in at.get("plotly_chart"))
    at.toggle(key="stress_breakeven_on").set_value(True).run()
    assert_clean(at)
    breakeven = _frame_with(at, "临界值")
    assert set(breakeven["档位"]) == {"优先A", "次级"}
    rating = _frame_with(at, "隐含评级")
    assert len(rating) == 2


def test_export_offers_the_three_files_and_the_deal(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "export")
    assert_clean(at)
    keys = {b.key for b in at.get("download_button")}
    assert keys == {"download_xlsx", "download_csv", "download_json", "download_deal"}
    text = markdown_text(at)
    for sheet in ("产品概要", "证券兑付表", "现金流覆盖倍数", "压力测试", "模型说明"):
        assert sheet in text


def test_projection_assumptions_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "qingdao-pure"), "projection")
    assert_clean(at)
    total_before = at.metric[0].value
    at.number_input(key="as_pd").set_value(2.0)  # 违约率倍数 ×2
    next(iter(at.get("form_submit_button"))).click().run()
    assert_clean(at)
    deal = current_deal(at)
    assert deal.assumptions.stress.pd_multiplier == 2.0
    assert state.edits(at.session_state) == ["修改预测假设"]  # type: ignore[arg-type]
    assert at.metric[0].value != total_before  # twice the defaults → less expected cash


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_in_english(
    monkeypatch: pytest.MonkeyPatch, deal_file: Path, page: str
) -> None:
    at = start(monkeypatch, deal_file)
    at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    goto(at, page)
    assert_clean(at)
    assert at.title[0].value in {"Pool", "Projection", "Structure", "Waterfall", "Stress", "Export"}


def test_waterfall_events_timeline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # expected defaults of the 1%-PD receivables pass a 0.01% cumulative default rate at once
    trigger = Trigger(
        name="累计违约率超过0.01%",
        condition=TriggerCondition.CUMULATIVE_DEFAULT_RATE_ABOVE,
        threshold=0.0001,
        event=EventType.ACCELERATION,
    )
    deal = make_deal()
    deal = deal.model_copy(update={"triggers": (*deal.triggers, trigger)})
    path = tmp_path / "events.json"
    path.write_text(deal_to_json(deal), encoding="utf-8")
    at = goto(start(monkeypatch, path), "waterfall")
    assert_clean(at)
    assert any(c.key == "events" for c in at.get("plotly_chart"))
    fired = _frame_with(at, "触发条件")
    assert fired["触发条件"].tolist() == ["累计违约率超过0.01%"]
    assert fired["事件"].tolist() == ["加速清偿事件"]


def test_waterfall_support_table(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from abs.io import load_deal

    plain = goto(start(monkeypatch, "tianfeng-enabled"), "waterfall")
    assert_clean(plain)
    assert any("未动用储备金、差额支付或担保" in str(s.value) for s in plain.success)
    # 30% less revenue in the base case: the guarantee (中投保) tops up senior principal
    deal = load_deal("tianfeng-enabled")
    stress = deal.assumptions.stress.model_copy(update={"revenue_haircut": 0.3})
    deal = deal.model_copy(
        update={"assumptions": deal.assumptions.model_copy(update={"stress": stress})}
    )
    path = tmp_path / "tianfeng-haircut.json"
    path.write_text(deal_to_json(deal), encoding="utf-8")
    at = goto(start(monkeypatch, path), "waterfall")
    assert_clean(at)
    support = _frame_with(at, "担保代偿")
    assert support["担保代偿"].sum() > 10_000  # more than 1亿元 drawn over the life (万元)
    assert support["担保返还"].sum() > 0
    assert support["担保返还"].sum() <= support["担保代偿"].sum()
    assert "差额支付与担保的垫付款" in " ".join(str(c.value) for c in at.caption)


# --- no silent input change: out-of-range values are reported, never clamped -------------------


def _edit_tranche(at: AppTest, row: int, **cells: float) -> None:
    version = at.session_state[state.KEY_EDITOR_VERSION]
    at.session_state[f"structure_tranches_{version}"] = {
        "edited_rows": {row: dict(cells)},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()


@pytest.mark.parametrize(
    ("lang", "cells", "expected"),
    [
        ("zh", {"balance_wan": -100.0}, "规模（万元）：须大于 0.00 万元（输入 -100.00）"),
        ("zh", {"rate_pct": 250.0}, "票面利率（%）：须不超过 100.00%（输入 250.00%）"),
        ("en", {"balance_wan": -100.0}, "must be greater than 0.00 (CNY 10k) (entered -100.00)"),
        ("en", {"rate_pct": 250.0}, "must be at most 100.00% (entered 250.00%)"),
    ],
)
def test_out_of_range_input_is_reported_in_the_session_language(
    monkeypatch: pytest.MonkeyPatch,
    deal_file: Path,
    lang: str,
    cells: dict[str, float],
    expected: str,
) -> None:
    at = goto(start(monkeypatch, deal_file), "structure")
    if lang == "en":
        at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    before = at.session_state[state.KEY_DEAL_JSON]
    _edit_tranche(at, 0, **cells)
    assert not at.exception
    messages = [str(e.value) for e in at.error]
    assert any(expected in m for m in messages), messages
    assert at.session_state[state.KEY_DEAL_JSON] == before  # nothing stored, nothing clamped
    if lang == "en":
        assert not any("须" in m or "输入" in m for m in messages), messages


def test_resizing_a_scheduled_tranche_scales_its_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    # the case: qingdao-pure 优先A1 20,000万 → 5,000万 was rejected with
    # "target_balances[0] = 170000000.0 must be between 0 and the previous target"
    at = goto(start(monkeypatch, "qingdao-pure"), "structure")
    before = current_deal(at).tranches[0]
    assert before.target_balances is not None
    _edit_tranche(at, 0, balance_wan=5000.0)
    assert_clean(at)
    after = current_deal(at).tranches[0]
    assert after.balance == 50_000_000.0
    # every target × 0.25: 17,000万 → 4,250万, 14,000万 → 3,500万 … 0
    assert after.target_balances == tuple(b * 0.25 for b in before.target_balances)
    assert after.target_balances[:2] == (42_500_000.0, 35_000_000.0)
    log = state.edits(at.session_state)  # type: ignore[arg-type]
    assert "优先A1 规模 20,000.00 → 5,000.00 万元" in log[-1]
    assert "优先A1 摊还计划调整" in log[-1]


def test_monte_carlo_refuses_an_invalid_path_count(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "stress")
    at.number_input(key="mc_paths").set_value(50).run()
    assert not at.exception
    assert any("路径数 50 超出范围" in str(e.value) for e in at.error)
    assert at.button(key="mc_run").disabled


# --- deal terms and amortisation schedules -----------------------------------------------------


def _schedules(at: AppTest) -> list[Any]:
    return [df.value for df in at.dataframe if "target_wan" in df.value.columns]


def test_deal_terms_are_editable(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "structure")
    version = at.session_state[state.KEY_EDITOR_VERSION]
    at.text_input(key=f"term_name_{version}").set_value("某数据资产支持专项计划").run()
    at.text_input(key=f"term_originator_{version}").set_value("某数据科技有限公司").run()
    at.date_input(key=f"term_legal_maturity_date_{version}").set_value(dt.date(2029, 10, 26))
    at.run()
    assert_clean(at)
    deal = current_deal(at)
    assert deal.name == "某数据资产支持专项计划"
    assert deal.originator == "某数据科技有限公司"
    assert deal.dates.legal_maturity_date == dt.date(2029, 10, 26)
    # an empty name is refused in the session language and the last good deal is kept
    at.text_input(key=f"term_name_{version}").set_value("").run()
    assert any("专项计划名称" in str(e.value) for e in at.error), [e.value for e in at.error]
    assert current_deal(at).name == "某数据资产支持专项计划"


def test_editing_dates_moves_the_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "qingdao-pure"), "structure")
    first = _schedules(at)[0]
    # 首个兑付日 2026-09-26 (paid 2026-09-28, a Monday) → 2026-10-26: every date moves a month
    assert first["payment_date"].tolist()[:2] == ["2026-09-28", "2026-12-28"]
    version = at.session_state[state.KEY_EDITOR_VERSION]
    at.date_input(key=f"term_first_payment_date_{version}").set_value(dt.date(2026, 10, 26))
    at.run()
    assert_clean(at)
    moved = _schedules(at)[0]
    assert moved["payment_date"].tolist()[:2] == ["2026-10-26", "2027-01-26"]
    assert moved["target_wan"].tolist() == first["target_wan"].tolist()  # targets kept
    assert current_deal(at).dates.first_payment_date == dt.date(2026, 10, 26)


def test_schedule_table_edits_the_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "qingdao-pure"), "structure")
    version = at.session_state[state.KEY_EDITOR_VERSION]
    # 优先A1 after period 1: 17,000万 → 18,000万 (pays 2,000万 instead of 3,000万)
    at.session_state[f"schedule_0_{version}"] = {
        "edited_rows": {0: {"target_wan": 18000.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    assert current_deal(at).tranches[0].target_balances[:2] == (180_000_000.0, 140_000_000.0)
    # a target above the one before it is refused, naming the period, in 万元
    at.session_state[f"schedule_0_{version}"] = {
        "edited_rows": {1: {"target_wan": 25000.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    messages = "\n".join(str(e.value) for e in at.error)
    assert (
        "第1行「优先A1」：摊还计划第2期目标余额 25,000.00 万元 "
        "须在 0 与上一期目标 17,000.00 万元 之间" in messages
    ), messages


def test_sizing_to_a_coverage_target_shows_then_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "structure")
    at.number_input(key="sizing_floor").set_value(1.5)
    at.toggle(key="sizing_on").set_value(True).run()
    assert_clean(at)
    sized = next(df.value for df in at.dataframe if "测算规模（万元）" in df.value.columns)
    # 优先A 12,300万 (1.23× incl. principal) → the largest size with ≥ 1.50×: 11,304.84万
    assert sized["当前规模（万元）"].tolist() == ["12,300.00", "700.00"]
    senior = float(str(sized["测算规模（万元）"].iloc[0]).replace(",", ""))
    assert 11_300 < senior < 11_310
    assert current_deal(at).tranches[0].balance == 123_000_000.0  # shown, not yet applied
    assert any("已求得" in str(m.value) for m in at.markdown)
    at.button(key="sizing_apply").click().run()
    assert_clean(at)
    assert current_deal(at).tranches[0].balance == pytest.approx(senior * 10_000, abs=50)
    assert "规模测算：最低覆盖倍数（含本金）≥ 1.50×" in state.edits(at.session_state)[-1]  # type: ignore[arg-type]


def _tranches_of_examples() -> list[tuple[str, int]]:
    from abs.examples import EXAMPLES
    from abs.io import load_deal

    return [(ex, i) for ex in EXAMPLES for i in range(len(load_deal(ex).tranches))]


@pytest.mark.parametrize(("example", "row"), _tranches_of_examples())
def test_every_tranche_of_every_example_can_be_resized(
    monkeypatch: pytest.MonkeyPatch, example: str, row: int
) -> None:
    at = goto(start(monkeypatch, example), "structure")
    before = current_deal(at).tranches[row]
    new_wan = round(before.balance * 0.9 / 10_000, 2)  # 10% smaller, in 万元 as typed
    _edit_tranche(at, row, balance_wan=new_wan)
    assert_clean(at)
    after = current_deal(at).tranches[row]
    assert after.balance == pytest.approx(new_wan * 10_000)
    if before.target_balances:  # a 固定摊还 schedule scales with the size
        factor = after.balance / before.balance
        assert after.target_balances == pytest.approx(
            [round(b * factor, 2) for b in before.target_balances]
        )


# --- waterfall order ---------------------------------------------------------------------------


def _step_picker(at: AppTest) -> Any:
    """The waterfall order's step selector (its key changes with the list's content)."""
    return next(sb for sb in at.selectbox if str(sb.key).startswith("order_pick_normal_zh_"))


def test_reorder_remove_and_add_waterfall_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "structure")
    assert current_deal(at).waterfall is None  # the template runs
    order = next(df.value for df in at.dataframe if "规则" in df.value.columns)
    assert order["步骤"].tolist()[:4] == ["支付税费", "支付税费", "支付税费", "支付利息"]
    # move 4. 支付利息 (优先A) above the servicer fee (step 3)
    _step_picker(at).set_value(3).run()
    at.button(key="order_up").click().run()
    assert_clean(at)
    # the moved step stays selected (now third), so a second click would move it again
    assert _step_picker(at).value == 2
    assert _step_picker(at).format_func(2).startswith("3. 支付利息")
    normal = current_deal(at).waterfall.normal  # type: ignore[union-attr]
    assert [s.step for s in normal[:4]] == ["pay_fees", "pay_fees", "pay_interest", "pay_fees"]
    assert "分配顺序（正常分配）：4. 支付利息 上移" in state.edits(at.session_state)[-1]  # type: ignore[arg-type]
    # the accelerated list is untouched, and the engine runs the new order
    assert [s.step for s in current_deal(at).waterfall.accelerated][:3] == ["pay_fees"] * 3  # type: ignore[union-attr]

    # remove the reserve-less reimbursement step, then add it back at the end
    _step_picker(at).set_value(5).run()
    at.button(key="order_remove").click().run()
    assert_clean(at)
    steps = [s.step for s in current_deal(at).waterfall.normal]  # type: ignore[union-attr]
    assert "reimburse_support" not in steps
    assert _step_picker(at).value == 5  # the step that took its place
    at.selectbox(key="order_add_kind_zh").set_value("reimburse_support").run()
    at.multiselect(key="order_add_targets_reimburse_support").set_value(["guarantee"]).run()
    at.button(key="order_add").click().run()
    assert_clean(at)
    last = current_deal(at).waterfall.normal[-1]  # type: ignore[union-attr]
    assert last.step == "reimburse_support"
    assert _step_picker(at).value == len(current_deal(at).waterfall.normal) - 1  # type: ignore[union-attr]


def test_an_invalid_step_is_reported_not_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "structure")
    before = at.session_state[state.KEY_DEAL_JSON]
    at.selectbox(key="order_add_kind_zh").set_value("pay_interest").run()
    at.button(key="order_add").click().run()  # names no tranche
    assert not at.exception
    assert any("分配顺序无效，未应用" in str(e.value) for e in at.error), [
        e.value for e in at.error
    ]
    assert at.session_state[state.KEY_DEAL_JSON] == before


# --- custom stress scenarios -------------------------------------------------------------------


def test_custom_stress_scenario_is_saved_with_the_deal_and_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from abs.assumptions import Stress
    from scenarios.report import base_report

    at = goto(start(monkeypatch, "rugao-labelled"), "stress")
    at.text_input(key="custom_name").set_value("收入下降40%")
    at.number_input(key="custom_revenue_haircut").set_value(40.0)  # in %, as typed
    at.button(key="FormSubmitter:custom_form-添加情景").click().run()
    assert_clean(at)
    deal = current_deal(at)
    assert [c.name for c in deal.stress_scenarios] == ["收入下降40%"]
    assert deal.stress_scenarios[0].stress.revenue_haircut == pytest.approx(0.4)
    assert "新增自定义情景 收入下降40%" in state.edits(at.session_state)[-1]  # type: ignore[arg-type]
    # the grid runs it after the built-in set, with the same numbers as a direct run
    grid = next(df.value for df in at.dataframe if "情景" in df.value.columns)
    rows = grid[grid["情景"] == "收入下降40%"]
    assert rows["档位"].tolist() == ["优先A", "次级"]
    direct = base_report(deal, stress=Stress(revenue_haircut=0.4))
    shown = rows["最低覆盖倍数（含本金）"].iloc[0]
    assert shown == f"{direct.senior_min_coverage:.2f}×"
    # a saved deal file carries it; removing it takes it out again
    at.selectbox(key="custom_remove_pick").set_value("收入下降40%")
    at.button(key="custom_remove").click().run()
    assert current_deal(at).stress_scenarios == ()


def test_custom_stress_rejects_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "stress")
    before = at.session_state[state.KEY_DEAL_JSON]
    at.text_input(key="custom_name").set_value("过度")
    at.number_input(key="custom_revenue_haircut").set_value(150.0)  # 150% of revenue lost
    at.button(key="FormSubmitter:custom_form-添加情景").click().run()
    assert not at.exception
    messages = [str(e.value) for e in at.error]
    assert any("收入下降：须不超过 100.00%" in m for m in messages), messages
    assert at.session_state[state.KEY_DEAL_JSON] == before


def test_reloading_the_selected_example_restores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "structure")
    original = current_deal(at)
    _edit_tranche(at, 0, balance_wan=10_000.0)
    assert current_deal(at).tranches[0].balance == 100_000_000.0
    at.sidebar.button(key="reload_example").click().run()
    assert_clean(at)
    assert current_deal(at) == original
    assert at.sidebar.button(key="undo").disabled is False  # the edit can be brought back
