"""A deal file that is not JSON (or not UTF-8 text) is reported in the session language,
naming the line and column where the syntax breaks; the current deal is kept."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.test_app import start
from tests.ui.test_rule_messages import _errors, _lang, _offending
from ui import state

#: A trailing comma: the syntax breaks at the "]" on line 3, column 21.
BROKEN = b'{\n  "name": "x",\n  "tranches": [1, 2,]\n}\n'


def _upload(monkeypatch: pytest.MonkeyPatch, lang: str, data: bytes) -> list[str]:
    at: Any = start(monkeypatch, "rugao-labelled")
    _lang(at, lang)
    before = at.session_state[state.KEY_DEAL_JSON]
    at.sidebar.file_uploader[0].upload("broken.json", data, "application/json")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[state.KEY_DEAL_JSON] == before
    messages: list[str] = _errors(at)
    for m in messages:
        assert not _offending(m, lang, ["broken.json", "JSON", "UTF-8"]), m
    return messages


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "zh",
            "交易文件 broken.json 不是有效的 JSON（第 3 行第 21 列有语法错误），当前交易未改变。",
        ),
        (
            "en",
            "The deal file broken.json is not valid JSON (syntax error at line 3, column 21); "
            "the current deal is unchanged.",
        ),
    ],
)
def test_a_json_syntax_error_names_line_and_column(
    monkeypatch: pytest.MonkeyPatch, lang: str, expected: str
) -> None:
    assert expected in _upload(monkeypatch, lang, BROKEN)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", "交易文件 broken.json 不是 UTF-8 编码的文本，当前交易未改变。"),
        ("en", "The deal file broken.json is not UTF-8 text; the current deal is unchanged."),
    ],
)
def test_a_file_that_is_not_utf8_text(
    monkeypatch: pytest.MonkeyPatch, lang: str, expected: str
) -> None:
    data = '{"name": "如皋"}'.encode("gbk")
    assert expected in _upload(monkeypatch, lang, data)
