"""The library block in the sidebar (AppTest): newest versions of the current deal, open one.

Each test has its own SQLite library file (``DABS_DB_URL``), never the user's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from abs.examples import example_deal_path
from abs.io import load_deal
from abs.library import Library, VersionInfo
from ui import state
from ui.views import library_sidebar

APP = Path(ui.__file__).resolve().parent / "app.py"


@pytest.fixture(autouse=True)
def _private_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "library.sqlite"
    monkeypatch.setenv("DABS_DB_URL", f"sqlite:///{path}")
    return path


def _start(monkeypatch: pytest.MonkeyPatch, deal: str = "rugao-labelled") -> AppTest:
    monkeypatch.setenv(state.ENV_DEAL, deal)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _sidebar_text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.sidebar.markdown) + "\n".join(
        str(c.value) for c in at.sidebar.caption
    )


def test_an_absent_library_is_not_created_by_the_sidebar(
    monkeypatch: pytest.MonkeyPatch, _private_library: Path
) -> None:
    at = _start(monkeypatch)
    assert "此交易尚未保存到交易库。" in _sidebar_text(at)
    assert not _private_library.exists()
    assert library_sidebar.recent_versions("rugao-labelled") == []


def test_sidebar_lists_the_newest_versions_and_opens_one(
    monkeypatch: pytest.MonkeyPatch, _private_library: Path
) -> None:
    deal = load_deal(example_deal_path("rugao-labelled"))
    smaller = deal.model_copy(
        update={
            "tranches": (
                deal.tranches[0].model_copy(update={"balance": 110_000_000.0}),
                *deal.tranches[1:],
            )
        }
    )
    with Library.open(f"sqlite:///{_private_library}") as lib:
        lib.save_deal("rugao-labelled", deal, message="初始结构", author="甲")
        lib.save_deal("rugao-labelled", smaller, message="优先A 缩量至 11,000 万元", author="甲")

    at = _start(monkeypatch)
    text = _sidebar_text(at)
    assert "**rugao-labelled@2**" in text and "**rugao-labelled@1**" in text
    assert text.index("rugao-labelled@2") < text.index("rugao-labelled@1")  # newest first
    assert "优先A 缩量至 11,000 万元" in text
    assert any("交易库：rugao-labelled（最近 2 个版本）" in e.label for e in at.sidebar.expander)

    at.sidebar.selectbox(key="sb_lib_ref").set_value("rugao-labelled@2")
    at.sidebar.button(key="sb_lib_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    opened = library_sidebar.Deal.model_validate_json(at.session_state[state.KEY_DEAL_JSON])
    assert opened.tranches[0].balance == 110_000_000.0
    assert at.session_state[state.KEY_SOURCE] == "交易库 rugao-labelled@2"
    assert at.session_state[state.KEY_LIBRARY_KEY] == "rugao-labelled"
    assert any("已打开 rugao-labelled@2" in str(s.value) for s in at.success)

    # undo brings the example back; a new example forgets the library key
    at.sidebar.button(key="undo").click().run()
    back = library_sidebar.Deal.model_validate_json(at.session_state[state.KEY_DEAL_JSON])
    assert back.tranches[0].balance == deal.tranches[0].balance
    at.sidebar.selectbox(key=state.KEY_EXAMPLE).set_value("qingdao-pure").run()
    assert state.KEY_LIBRARY_KEY not in at.session_state
    assert any("交易库：qingdao-pure（未保存）" in e.label for e in at.sidebar.expander)


def test_english_mode_shows_the_block_in_english(
    monkeypatch: pytest.MonkeyPatch, _private_library: Path
) -> None:
    at = _start(monkeypatch)
    at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    assert any("Library: rugao-labelled (not saved)" in e.label for e in at.sidebar.expander)
    assert "This deal is not in the library yet." in _sidebar_text(at)


def test_an_unreachable_library_is_named_in_a_caption(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the library's folder should be", encoding="utf-8")
    monkeypatch.setenv("DABS_DB_URL", f"sqlite:///{blocked}")  # exists but is not a database
    at = _start(monkeypatch)
    text = _sidebar_text(at)
    assert "交易库暂不可用：" in text
    assert not at.error  # the sidebar stays up, the page renders


def test_version_line_shortens_long_messages() -> None:
    version = VersionInfo(
        key="k",
        number=3,
        parent=2,
        author="甲",
        message="一二三四五六七八九十" * 4 + "\n第二行",
        created_at=dt.datetime(2026, 12, 5, 8, 30),
        deal_sha256="0" * 64,
        deal_file="deal.json",
        tape_sha256=None,
        tape_name=None,
        deal_name="示例",
        deal_kind=None,
        issue_amount_fen=1,
        pool_amount_fen=None,
        asset_count=None,
        tranche_count=1,
        id=1,
    )
    line = library_sidebar.version_line(version)
    assert line == "**k@3** · 12-05 08:30 · " + ("一二三四五六七八九十" * 3)[:27] + "…"
    short = dataclasses.replace(version, message="")
    assert library_sidebar.version_line(short) == "**k@3** · 12-05 08:30"


def test_the_offered_key_follows_the_example_switched_to(
    monkeypatch: pytest.MonkeyPatch, _private_library: Path
) -> None:
    at = _start(monkeypatch, "qingdao-pure")
    assert any("交易库：qingdao-pure（" in e.label for e in at.sidebar.expander)
    at.sidebar.selectbox(key=state.KEY_EXAMPLE).set_value("rugao-labelled").run()
    assert any("交易库：rugao-labelled（" in e.label for e in at.sidebar.expander), [
        e.label for e in at.sidebar.expander
    ]


def test_the_sidebar_follows_the_key_saved_under_and_the_page_offers_it(
    monkeypatch: pytest.MonkeyPatch, _private_library: Path
) -> None:
    at = _start(monkeypatch, "rugao-labelled")
    at.switch_page("views/library_page.py").run()
    assert at.text_input(key="lib_key:rugao-labelled").value == "rugao-labelled"
    at.text_input(key="lib_key:rugao-labelled").set_value("如皋-方案B")
    at.text_input(key="lib_message").set_value("方案B")
    at.button(key="lib_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[state.KEY_LIBRARY_KEY] == "如皋-方案B"
    assert any("交易库：如皋-方案B（最近 1 个版本）" in e.label for e in at.sidebar.expander)
    assert "**如皋-方案B@1**" in _sidebar_text(at)
    # switching the example offers the new example's key on the page
    at.sidebar.selectbox(key=state.KEY_EXAMPLE).set_value("qingdao-pure").run()
    assert at.text_input(key="lib_key:qingdao-pure").value == "qingdao-pure"
