"""Dashboard number formatting: 万元/亿元 with two decimals, percentages, multiples."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui import format as fmt


@pytest.mark.parametrize(
    ("yuan", "expected"),
    [
        (123_000_000.0, "12,300.00"),  # 1.23亿元 = 12,300万元
        (7_000_000.0, "700.00"),
        (12_345.0, "1.23"),  # 12,345 / 10,000 = 1.2345 → 1.23
        (12_355.0, "1.24"),  # 1.2355 is stored as 1.23550000000000004 → 1.24
        (0.0, "0.00"),
        (-50_000.0, "-5.00"),
        (None, "—"),
        (math.nan, "—"),
        (math.inf, "—"),
    ],
)
def test_wan(yuan: float | None, expected: str) -> None:
    assert fmt.wan(yuan) == expected


@pytest.mark.parametrize(
    ("yuan", "lang", "unit", "expected"),
    [
        (130_000_000.0, "zh", "auto", "1.30 亿元"),  # ≥ 1亿 → 亿元
        (99_999_999.0, "zh", "auto", "10,000.00 万元"),  # just under 1亿 stays in 万元
        (500_000_000.0, "en", "auto", "5.00 CNY 100m"),
        (7_000_000.0, "zh", "yi", "0.07 亿元"),
        (130_000_000.0, "zh", "wan", "13,000.00 万元"),
        (math.nan, "zh", "auto", "—"),
    ],
)
def test_money(yuan: float, lang: str, unit: str, expected: str) -> None:
    assert fmt.money(yuan, lang=lang, unit=unit) == expected


def test_pct_ratio_years() -> None:
    assert fmt.pct(0.5046) == "50.46%"
    assert fmt.pct(0.7) == "70.00%"
    assert fmt.pct(1.0, 0) == "100%"
    assert fmt.pct(None) == "—"
    assert fmt.ratio(1.2349) == "1.23×"
    assert fmt.ratio(math.inf) == "—"
    assert fmt.years(1.005) == "1.00"  # 1.005 is 1.00499.. in binary
    assert fmt.unit_label("wan", "en") == "CNY 10k"


def test_frames_are_copies() -> None:
    df = pd.DataFrame({"金额": [123_000_000.0, 5_000.0], "占比": [0.5046, 0.4954], "x": ["a", "b"]})
    wan = fmt.frame_to_wan(df, ["金额", "missing"])
    assert wan["金额"].tolist() == [12_300.0, 0.5]
    assert df["金额"].tolist() == [123_000_000.0, 5_000.0]  # input untouched
    pct = fmt.frame_to_pct(df, ["占比"])
    assert pct["占比"].tolist() == [50.46, 49.54]


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_wan_round_trips_to_a_cent_of_wan(yuan: float) -> None:
    text = fmt.wan(yuan)
    back = float(text.replace(",", "")) * fmt.WAN
    assert abs(back - yuan) <= 0.005 * fmt.WAN + 1e-6 * abs(yuan)


def test_breakeven_table_shows_percent_multiple_and_never_fails() -> None:
    from abs.io import load_deal
    from scenarios import breakeven as be
    from ui.views.stress_page import breakeven_display

    deal = load_deal("qingdao-pure")
    frame = be.breakeven_table(deal, ("revenue_haircut", "pd_multiplier"), base=None)
    shown = breakeven_display(frame, "zh")
    values = [str(v) for v in shown[be.COL_VALUE]]
    # 收入下降 as a percentage, 违约率倍数 as a multiple; 优先A1 survives the whole search
    assert all(v.endswith("%") for v in values[:3]), values
    assert values[3] == "不触发（≥ 50.00×）"
    assert all(v.endswith("×") for v in values[4:]), values
    assert be.COL_UNIT not in shown.columns
    assert all(str(v).endswith("%") for v in shown[be.COL_CDR])


@pytest.mark.parametrize(
    ("text", "lang", "shown"),
    [
        ("许可早于到期日：QD001 / licences ending early: QD001", "zh", "许可早于到期日：QD001"),
        (
            "许可早于到期日：QD001 / licences ending early: QD001",
            "en",
            "licences ending early: QD001",
        ),
        ("登记编号 / 估值缺失 / registration id or valuation missing", "zh", "登记编号 / 估值缺失"),
        ("English only / still English", "zh", "English only / still English"),
    ],
)
def test_one_language(text: str, lang: str, shown: str) -> None:
    assert fmt.one_language(text, lang) == shown


def test_pool_findings_show_one_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    import ui
    from ui import state

    monkeypatch.setenv(state.ENV_DEAL, "qingdao-pure")
    at = AppTest.from_file(str(Path(ui.__file__).parent / "app.py"), default_timeout=120)
    at.run()
    text = "\n".join(str(w.value) for w in at.warning)
    assert "授权/许可期限早于证券法定到期日" in text
    assert "licences ending" not in text
    at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    text = "\n".join(str(w.value) for w in at.warning)
    assert "licences ending before the notes' legal maturity" in text
    assert "授权/许可期限早于证券法定到期日" not in text
