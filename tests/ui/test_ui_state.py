"""Dashboard session state: current deal, last good deal, undo, edit log, upload bookkeeping."""

from __future__ import annotations

import json
from typing import Any

import pytest

from abs.errors import DabsError, Issue, TapeError
from ui import state


def _store() -> dict[str, Any]:
    return {}


def test_nothing_loaded_is_a_clear_error() -> None:
    with pytest.raises(DabsError, match="no deal loaded yet"):
        state.current_json(_store())


def test_set_current_undo_and_edit_log() -> None:
    s = _store()
    state.set_current('{"a": 1}', source_label="qingdao-pure", store=s)
    assert state.current_json(s) == '{"a": 1}'
    assert not state.can_undo(s)
    state.set_current('{"a": 2}', source_label="qingdao-pure", edit="优先A 规模", store=s)
    state.set_current('{"a": 3}', source_label="qingdao-pure", edit="次级 规模", store=s)
    assert state.edits(s) == ["优先A 规模", "次级 规模"]
    assert state.undo(s)
    assert state.current_json(s) == '{"a": 2}'
    assert state.edits(s) == ["优先A 规模"]
    assert state.undo(s)
    assert state.current_json(s) == '{"a": 1}'
    assert state.edits(s) == []
    assert not state.undo(s)
    # loading without an edit starts a fresh log
    state.set_current('{"b": 1}', source_label="tape.csv", store=s)
    assert state.edits(s) == []
    assert state.source(s) == "tape.csv"


def test_history_is_bounded() -> None:
    s = _store()
    for i in range(state.HISTORY_LIMIT + 5):
        state.set_current(f'{{"i": {i}}}', source_label="x", store=s)
    assert len(s[state.KEY_HISTORY]) == state.HISTORY_LIMIT


def test_errors_keep_the_current_deal() -> None:
    s = _store()
    state.set_current('{"a": 1}', source_label="x", store=s)
    state.record_error("上传文件 bad.csv", DabsError("bad.csv, row 3: error: boom"), store=s)
    err = state.last_error(s)
    assert err is not None and "row 3" in err.message and err.where == "上传文件 bad.csv"
    assert state.current_json(s) == '{"a": 1}'
    state.set_current('{"a": 2}', source_label="x", store=s)  # a good input clears the error
    assert state.last_error(s) is None


def test_a_tape_error_is_kept_in_both_languages() -> None:
    s = _store()
    issue = Issue(
        "bad.csv",
        "must be > 0",
        row=3,
        column="入池金额",
        value="-5",
        code="tape_out_of_bounds",
        context={"field": "amount", "bounds": [[">", 0.0]]},
    )
    state.record_error(
        "上传文件 bad.csv", TapeError("bad.csv", [issue]), where_key="where.upload", store=s
    )
    err = state.last_error(s)
    assert err is not None
    assert err.in_language("zh") == (
        "上传文件 bad.csv",
        "资产清单 bad.csv 有 1 处问题，当前交易未改变：\n"
        "- 第 3 行，入池金额 (amount)：须大于 0（值：-5）",
    )
    assert err.in_language("en") == (
        "upload bad.csv",
        "The pool tape bad.csv has 1 problem; the current deal is unchanged:\n"
        "- row 3, amount: must be greater than 0 (value: -5)",
    )
    state.record_error("上传文件 x.csv", DabsError("x.csv: boom"), store=s)  # no key: as given
    err = state.last_error(s)
    assert err is not None and err.in_language("en") == ("上传文件 x.csv", "x.csv: boom")


def test_editor_base_reseeds_only_on_outside_changes() -> None:
    s = _store()
    state.set_current('{"a": 1}', source_label="x", store=s)
    base, v1 = state.editor_base(s)
    assert base == '{"a": 1}'
    # an edit made by the editors keeps the base and the version
    state.set_current('{"a": 2}', source_label="x", edit="e", from_editors=True, store=s)
    assert state.editor_base(s) == ('{"a": 1}', v1)
    # undo (an outside change) reseeds with a new version
    state.undo(s)
    base, v2 = state.editor_base(s)
    assert base == '{"a": 1}' and v2 == v1 + 1
    # a new example reseeds too
    state.set_current('{"c": 1}', source_label="y", store=s)
    assert state.editor_base(s) == ('{"c": 1}', v2 + 1)


def test_upload_bookkeeping_and_size_limit() -> None:
    s = _store()
    assert not state.upload_seen("f1", store=s)
    state.mark_upload("f1", store=s)
    assert state.upload_seen("f1", store=s)
    assert not state.upload_seen("f1", slot="export", store=s)  # slots are independent
    state.mark_upload(None, store=s)
    assert not state.upload_seen("f1", store=s)
    state.check_upload_size("ok.csv", b"x" * 100)
    big = b"x" * (state.MAX_UPLOAD_MB * 1024 * 1024 + 1)
    with pytest.raises(DabsError, match=r"big\.csv: file is larger than the 256 MB upload limit"):
        state.check_upload_size("big.csv", big)


def test_language_and_initial_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    assert state.language({}) == "zh"
    assert state.language({state.KEY_LANG: "en"}) == "en"
    monkeypatch.delenv(state.ENV_DEAL, raising=False)
    assert state.initial_choice() == "qingdao-pure"
    monkeypatch.setenv(state.ENV_DEAL, "rugao-labelled")
    assert state.initial_choice() == "rugao-labelled"
    w1 = Issue(
        "t.csv",
        "unknown column is ignored",
        column="备注",
        severity="warning",
        code="tape_column_unknown",
        context={},
    )
    state.set_tape_warnings([w1], store=(s := _store()))
    assert state.tape_warnings(s) == [w1]
    json.dumps(s[state.KEY_TAPE_WARNINGS])  # session state keeps plain data
