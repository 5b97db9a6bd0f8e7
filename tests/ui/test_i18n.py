"""Every dashboard label exists in Chinese and English with the same format fields."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ui import i18n

UI_DIR = Path(i18n.__file__).resolve().parent
#: ``t("key"`` / ``t('key'`` / ``both("key"`` with a literal key.
LITERAL_KEY = re.compile(r"""\b(?:t|both)\(\s*["']([a-z_.()0-9]+)["']""")


def _ui_sources() -> list[Path]:
    return [p for p in UI_DIR.rglob("*.py") if "cli" not in p.parts]


def test_every_label_has_both_languages_and_same_fields() -> None:
    for key, (zh, en) in i18n.LABELS.items():
        assert zh.strip() and en.strip(), key
        assert i18n.placeholders(zh) == i18n.placeholders(en), key


def test_every_literal_key_used_by_the_pages_exists() -> None:
    used: set[str] = set()
    for path in _ui_sources():
        used.update(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 50  # the scan really found the pages' labels
    missing = sorted(k for k in used if k not in i18n.LABELS)
    assert missing == []


def test_language_choice_and_formatting() -> None:
    assert i18n.t("page.pool", "zh") == "资产池"
    assert i18n.t("page.pool", "en") == "Pool"
    assert i18n.t("sidebar.source", "zh", source="x.csv") == "来源：x.csv"
    assert i18n.both("page.export") == "导出 / Export"
    # outside a Streamlit session the language is Chinese
    assert i18n.current_language() == "zh"
    assert i18n.t("page.stress") == "压力测试"


def test_unknown_key_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match=r"i18n: no label 'no\.such\.key'"):
        i18n.t("no.such.key", "zh")


def test_english_labels_hold_no_chinese() -> None:
    """English mode shows one language: no CJK in any English label (the language switch's own
    label shows both names on purpose)."""
    import re

    from ui.i18n import LABELS

    cjk = re.compile(r"[\u4e00-\u9fff]")
    mixed = {k: en for k, (_, en) in LABELS.items() if cjk.search(en) and k != "sidebar.language"}
    assert mixed == {}


def test_the_library_diff_names_steps_as_the_order_editor_does() -> None:
    from abs.library.diff import STEP_LABELS
    from ui.i18n import LABELS
    from ui.views.waterfall_order import STEP_TARGETS

    assert set(STEP_LABELS) == set(STEP_TARGETS)
    for kind, pair in STEP_LABELS.items():
        assert LABELS[f"order.step.{kind}"] == pair, kind
