"""Engine headers, labels and scenario names in one language (ui.localize)."""

from __future__ import annotations

import pandas as pd
import pytest

from abs import calendar as cal
from abs.projection import tables as proj
from scenarios import breakeven, grid, montecarlo, rating
from scenarios.factors import FACTORS
from scenarios.sets import builtin_sets
from ui import localize
from waterfall import revolving_result, tables

#: Engine modules whose tables the dashboard shows.
MODULES = (tables, revolving_result, cal, proj, grid, breakeven, rating, montecarlo)


def _headers() -> list[str]:
    out: list[str] = []
    for module in MODULES:
        for name, value in vars(module).items():
            if (name.startswith("COL_") or name.startswith("SUM_")) and isinstance(value, str):
                out.append(value)
    return out


@pytest.mark.parametrize("header", _headers())
def test_every_engine_header_has_one_language_each(header: str) -> None:
    en = localize.column_label(header, "en")
    zh = localize.column_label(header, "zh")
    assert not localize.has_cjk(en), f"{header!r} → {en!r}"
    # the Chinese half keeps no English word beyond codes such as WAL, VaR, P5
    assert localize.has_cjk(zh), f"{header!r} → {zh!r}"
    assert not any(w.islower() and len(w) > 1 for w in zh.replace("(", " ").split()), zh


def test_bilingual_headers_split_and_keep_their_units() -> None:
    assert localize.column_label("情景 scenario", "zh") == "情景"
    assert localize.column_label("情景 scenario", "en") == "Scenario"
    assert localize.column_label("短缺金额(元) shortfall", "en") == "Shortfall (CNY)"
    assert localize.column_label("利息合计 (CNY 10k)", "zh") == "利息合计（万元）"
    assert localize.column_label("最低覆盖倍数 P5 min coverage P5", "zh") == "最低覆盖倍数 P5"
    assert localize.column_label("最低覆盖倍数 P5 min coverage P5", "en") == "Min coverage P5"
    assert localize.column_label("发生短缺概率 P(shortfall)", "en") == "P(shortfall)"
    assert localize.column_label(
        "最低覆盖倍数（含本金） P5 min coverage incl. principal P5", "zh"
    ) == ("最低覆盖倍数（含本金） P5")
    assert localize.column_label(
        "最低覆盖倍数（仅利息） P50 min coverage, interest only P50", "en"
    ) == ("Min coverage, interest only P50")
    assert localize.column_label("收益率 P5", "en") == "Yield P5"
    assert localize.column_label("违约率倍数 (pd_multiplier) [× 倍 (1 = base)]", "en") == (
        "PD multiplier (× (1 = base))"
    )
    assert (
        localize.column_label("回款延迟 (collection_delay) [periods 期]", "zh") == "回款延迟（期）"
    )


def test_every_builtin_scenario_has_an_english_name() -> None:
    for scenario_set in builtin_sets().values():
        for sc in scenario_set.scenarios:
            en = localize.value_label(sc.name, "en")
            assert isinstance(en, str) and en and not localize.has_cjk(en), sc.name
    assert localize.value_label("重度", "en") == "Severe"
    assert localize.value_label("重度", "zh") == "重度"


@pytest.mark.parametrize("factor", FACTORS, ids=lambda f: f.id)
def test_every_factor_unit_splits(factor: object) -> None:
    unit = factor.unit  # type: ignore[attr-defined]
    en, zh = localize.unit_label(unit, "en"), localize.unit_label(unit, "zh")
    assert en and not localize.has_cjk(en), unit
    assert localize.has_cjk(zh), unit


def test_names_are_not_translated_only_label_columns() -> None:
    # a tranche called 次级 keeps its name; the class column 级别 says Subordinated
    frame = pd.DataFrame({"档位": ["优先A", "次级"], "级别": ["优先级", "次级"]})
    shown, renames = localize.frame(frame, "en")
    assert list(shown.columns) == ["Tranche", "Class"]
    assert shown["Tranche"].tolist() == ["优先A", "次级"]
    assert shown["Class"].tolist() == ["Senior", "Subordinated"]
    assert renames == {"档位": "Tranche", "级别": "Class"}
    same, _ = localize.frame(frame, "zh")
    assert same.equals(frame)


def test_headers_that_would_collide_keep_their_engine_names() -> None:
    frame = pd.DataFrame({"收益率": [0.1], "收益率 yield": [0.2]})
    shown, _ = localize.frame(frame, "zh")
    assert list(shown.columns) == ["收益率", "收益率 yield"]


def test_scenario_index_and_categoricals_translate() -> None:
    frame = pd.DataFrame(
        {"资产类型": pd.Categorical(["数据授权", "应收账款"])},
        index=pd.Index(["基准", "轻度"], name="情景 scenario"),
    )
    shown, _ = localize.frame(frame, "en")
    assert shown.index.name == "Scenario"
    assert shown.index.tolist() == ["Base", "Mild"]
    assert shown["Asset type"].tolist() == ["Data license", "Receivable"]
