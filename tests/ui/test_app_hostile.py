"""Hostile uploads reach the page as ``st.error`` naming row and column or field (issue 17),
in the session language (Chinese by default here).

Before issue 17 an empty date cell showed "内部错误（TypeError…）" and a workbook declaring
A1:XFD1048576 ran the server into a MemoryError; the reader's limits now apply to uploads too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile import xlsx_parts as xp
from tests.hostile.test_corpus import _mojibake_tape
from tests.ui.test_app import PLEDGED, UNLINKED, deal_file, start, tape_csv  # noqa: F401
from ui import state


def _upload(monkeypatch: pytest.MonkeyPatch, deal: Path, name: str, data: bytes) -> list[str]:
    at = start(monkeypatch, deal)
    before = at.session_state[state.KEY_DEAL_JSON]
    kind = "application/json" if name.endswith(".json") else "text/csv"
    at.sidebar.file_uploader[0].upload(name, data, kind)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    messages = [str(e.value) for e in at.error]
    assert not any("内部错误" in m or "internal error" in m.lower() for m in messages), messages
    assert at.session_state[state.KEY_DEAL_JSON] == before  # the last good deal is kept
    return messages


def _empty_date_tape() -> bytes:
    lines = tape_csv(pledged=PLEDGED, unlinked=UNLINKED).decode().splitlines()
    cells = lines[2].split(",")
    cells[5] = ""  # start_date of data row 2 (spreadsheet row 3)
    lines[2] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("dates.csv", _empty_date_tape(), ("dates.csv", "第 3 行，起始日 (start_date)：必填")),
        (
            "moji.csv",
            _mojibake_tape(),
            ("moji.csv", "第 3 行，债务人 (obligor)：", "不是有效的 UTF-8"),
        ),
        (
            "huge.xlsx",
            xp.workbook(xp.sheet_xml(xp.header_row() + xp.asset_row(2), dimension="A1:XFD1048576")),
            ("huge.xlsx", "A1:XFD1048576 有 1,048,576 行，超过资产清单上限 1,000,001 行"),
        ),
    ],
)
def test_bad_tape_upload_names_row_and_column(
    monkeypatch: pytest.MonkeyPatch,
    deal_file: Path,  # noqa: F811
    name: str,
    data: bytes,
    expected: tuple[str, str],
) -> None:
    messages = _upload(monkeypatch, deal_file, name, data)
    assert any(all(part in m for part in expected) for m in messages), messages


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: t.replace('"balance": ', '"balance": NaN, "balance": ', 1),
            ("tranches.0.balance", "appears twice"),
        ),
        (  # a field error: the field as the structure editor names it, in the session language
            lambda t: t.replace('"balance": ', '"balance": NaN, "x": ', 1),
            ("第1行「优先A」 · 规模（万元）", "须为有限数字"),
        ),
    ],
)
def test_bad_deal_upload_names_the_field(
    monkeypatch: pytest.MonkeyPatch,
    deal_file: Path,  # noqa: F811
    edit: object,
    expected: tuple[str, str],
) -> None:
    text = deal_file.read_text(encoding="utf-8")
    data = json.loads(text)
    data.pop("pool", None)
    data["tape"] = None
    raw = edit(json.dumps(data))  # type: ignore[operator]
    messages = _upload(monkeypatch, deal_file, "bad.json", raw.encode())
    assert any("bad.json" in m and all(e in m for e in expected) for m in messages), messages
