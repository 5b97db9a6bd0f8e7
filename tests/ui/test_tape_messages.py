"""Pool-tape findings in the session language: every finding has a code, every code a wording.

* :func:`test_every_finding_has_a_code` reads ``abs/tape.py`` (AST): a finding built without
  a ``code`` would show the reader's English in Chinese mode;
* :func:`test_every_code_is_worded_and_every_wording_is_used` ties the codes raised in
  ``abs/tape.py`` and ``abs/xlsx_read.py`` to :data:`ui.tape_rules.TAPE_RULES`;
* :func:`test_each_finding_reads_in_one_language` breaks each rule with a real tape (or, for the
  few a test cannot provoke, a finding with the reader's context) and reads it in both languages;
* the AppTest cases upload hostile tapes in both languages and read the error box: one
  language only, the row, column and value named, the CLI's English untouched.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import abs as abs_pkg
from abs import tape as tape_mod
from abs import xlsx_read
from abs.errors import Issue, TapeError
from abs.tape import read_tape_bytes_report, read_tape_report
from tests.hostile import xlsx_parts as xp
from tests.hostile.test_corpus import _mojibake_tape
from tests.ui.test_app import start
from tests.ui.test_rule_messages import _CJK, _WORD
from ui import state
from ui.messages import tape_issue_text
from ui.tape_rules import TAPE_RULES, VALUE_IN_RULE, rule_text

ABS_DIR = Path(abs_pkg.__file__).resolve().parent
SOURCES = (ABS_DIR / "tape.py", ABS_DIR / "xlsx_read.py")
_CODE = re.compile(r"^tape_[a-z0-9_]+$")

#: Names of formats and encodings the Chinese wording keeps as they are written.
TECHNICAL = {"UTF", "GBK", "GB", "CSV", "csv", "xlsx", "xls", "API"}
#: A field code in parentheses after its Chinese header: ``入池金额 (amount)``.
_FIELD_CODE = re.compile(r"\([a-z][a-z0-9_]*\)")
#: A byte as the reader names it: ``0xff``.
_HEX = re.compile(r"\b0x[0-9a-f]{2}\b")


# --- every finding has a code, every code a wording ----------------------------------------------


def _constants(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.BoolOp):  # exc.code or "tape_xlsx_unreadable"
        return [v for value in node.values for v in _constants(value)]
    return []


def _raised_codes() -> set[str]:
    codes: set[str] = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                if kw.arg == "code":
                    codes.update(_constants(kw.value))
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            if name in ("_CellRule", "_Rule") and len(node.args) >= 2:
                codes.update(_constants(node.args[1]))
    return codes


def test_every_finding_has_a_code() -> None:
    tree = ast.parse(SOURCES[0].read_text(encoding="utf-8"))
    uncoded = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        if node.func.id in ("Issue", "_fail") and not any(k.arg == "code" for k in node.keywords):
            uncoded.append(f"line {node.lineno}: {node.func.id}(...) without a code")
        if node.func.id in ("_CellRule", "_Rule") and len(node.args) < 2:
            uncoded.append(f"line {node.lineno}: {node.func.id}(...) without a code")
        if node.func.id == "ValueError":  # a parser's rule without a code: use _CellRule
            uncoded.append(f"line {node.lineno}: ValueError(...) without a code")
    assert not uncoded, uncoded


def test_every_code_is_worded_and_every_wording_is_used() -> None:
    raised = _raised_codes()
    assert len(raised) >= 45
    assert all(_CODE.match(c) for c in raised), sorted(raised)
    assert raised - set(TAPE_RULES) == set(), "codes with no wording in ui/tape_rules.py"
    assert set(TAPE_RULES) - raised == set(), "wordings of codes nothing raises"


# --- each finding, provoked with a real tape, reads in one language -------------------------------

HEAD = "资产编号,债务人,资产类型,数据资产关联,入池金额,起始日,到期日"


def _row(
    asset_id: str = "R1",
    amount: str = "1000000",
    *,
    start: str = "2025-01-31",
    maturity: str = "2026-01-31",
    kind: str = "应收账款",
    link: str = "质押",
    extra: str = "",
) -> str:
    return f"{asset_id},甲数据科技有限公司,{kind},{link},{amount},{start},{maturity}{extra}"


def _csv(*rows: str, head: str = HEAD) -> bytes:
    return ("\n".join([head, *rows]) + "\n").encode("utf-8")


def _gbk_broken() -> bytes:
    """GBK text (not UTF-8) with a byte no GB18030 character starts with, in row 3."""
    data = ("\n".join([HEAD, _row("R1"), _row("R2")]) + "\n").encode("gbk")
    at = data.rfind("甲".encode("gbk"))
    return data[:at] + b"\xff" + data[at:]


def _error_cell_workbook() -> bytes:
    row = xp.asset_row(2).replace(
        '<c r="E2"><v>1000000</v></c>', '<c r="E2" t="e"><v>#DIV/0!</v></c>'
    )
    return xp.workbook(xp.sheet_xml(xp.header_row() + row))


Setup = Callable[[pytest.MonkeyPatch, Path], tuple[str, bytes] | Path]

#: code → a tape (name, bytes) that breaks exactly that rule, or a path for the file checks.
TAPES: dict[str, Setup] = {
    "tape_encoding_bom": lambda mp, tmp: ("b.csv", b"\xff\xfe" + HEAD.encode("utf-16-le")),
    "tape_nul_byte": lambda mp, tmp: ("n.csv", _csv(_row("R\x001"))),
    "tape_utf8_bad_byte": lambda mp, tmp: ("m.csv", _mojibake_tape()),
    "tape_encoding_unknown": lambda mp, tmp: ("g.csv", _gbk_broken()),
    "tape_unterminated_quote": lambda mp, tmp: ("q.csv", _csv(_row('"R1'))),
    "tape_malformed_csv": lambda mp, tmp: ("q.csv", _csv(_row('"R1"x'))),
    "tape_stray_cr": lambda mp, tmp: ("r.csv", _csv(_row("R\r1"))),
    "tape_too_many_columns": lambda mp, tmp: ("w.csv", _csv(head=HEAD + ",x" * 1100)),
    "tape_row_too_many_cells": lambda mp, tmp: ("w.csv", _csv(_row(extra=",x" * 1100))),
    "tape_too_many_rows": lambda mp, tmp: (
        mp.setattr(tape_mod, "MAX_TAPE_ROWS", 1),
        ("l.csv", _csv(_row("R1"), _row("R2"))),
    )[1],
    "tape_xlsx_unreadable": lambda mp, tmp: ("x.xlsx", b"PK\x03\x04" + b"\x00" * 40),
    "tape_xlsx_too_many_parts": lambda mp, tmp: (
        mp.setattr(xlsx_read, "MAX_XLSX_PARTS", 2),
        ("p.xlsx", xp.workbook(xp.sheet_xml(xp.header_row() + xp.asset_row(2)))),
    )[1],
    "tape_xlsx_unpacked_too_large": lambda mp, tmp: (
        mp.setattr(xlsx_read, "MAX_XLSX_UNPACKED_BYTES", 600),
        ("u.xlsx", xp.workbook(xp.sheet_xml(xp.header_row() + xp.asset_row(2)))),
    )[1],
    "tape_xlsx_sheet_too_large": lambda mp, tmp: (
        "h.xlsx",
        xp.workbook(xp.sheet_xml(xp.header_row() + xp.asset_row(2), dimension="A1:XFD1048576")),
    ),
    "tape_excel_error_cell": lambda mp, tmp: ("e.xlsx", _error_cell_workbook()),
    "tape_empty": lambda mp, tmp: ("e.csv", b"\n\n"),
    "tape_no_data_rows": lambda mp, tmp: ("h.csv", _csv()),
    "tape_row_too_wide": lambda mp, tmp: ("w.csv", _csv(_row(extra=",多余"))),
    "tape_column_no_header": lambda mp, tmp: ("c.csv", _csv(_row(extra=",x"), head=HEAD + ",")),
    "tape_column_unknown": lambda mp, tmp: ("c.csv", _csv(_row(extra=",x"), head=HEAD + ",备注")),
    "tape_column_duplicate": lambda mp, tmp: ("c.csv", _csv(_row(extra=",5"), head=HEAD + ",金额")),
    "tape_required_column_missing": lambda mp, tmp: (
        "c.csv",
        _csv("R1,甲数据科技有限公司,应收账款,质押,1000000,2025-01-31", head=HEAD.rsplit(",", 1)[0]),
    ),
    "tape_value_required": lambda mp, tmp: ("v.csv", _csv(_row(""))),
    "tape_not_a_number": lambda mp, tmp: ("v.csv", _csv(_row(amount="abc"))),
    "tape_number_grouping": lambda mp, tmp: ("v.csv", _csv(_row(amount='"1000,50"'))),
    "tape_not_finite": lambda mp, tmp: ("v.csv", _csv(_row(amount="NaN"))),
    "tape_not_whole_number": lambda mp, tmp: (
        "v.csv",
        _csv(_row(extra=",1.5"), head=HEAD + ",回收滞后"),
    ),
    "tape_date_invalid": lambda mp, tmp: ("v.csv", _csv(_row(start="2025-02-30"))),
    "tape_date_unparsable": lambda mp, tmp: ("v.csv", _csv(_row(start="明天"))),
    "tape_bool_invalid": lambda mp, tmp: (
        "v.csv",
        _csv(_row(extra=",也许"), head=HEAD + ",是否关联交易"),
    ),
    "tape_enum_unknown": lambda mp, tmp: ("v.csv", _csv(_row(kind="股票"))),
    "tape_out_of_bounds": lambda mp, tmp: (
        "v.csv",
        _csv(_row(extra=",150%"), head=HEAD + ",年违约概率"),
    ),
    "tape_amount_too_large": lambda mp, tmp: ("v.csv", _csv(_row(amount="2e13"))),
    "tape_amount_below_fen": lambda mp, tmp: ("v.csv", _csv(_row(amount="0.001"))),
    "tape_amount_not_whole_fen": lambda mp, tmp: ("v.csv", _csv(_row(amount="100.123"))),
    "tape_duplicate_asset_id": lambda mp, tmp: ("d.csv", _csv(_row("R1"), _row("R1"))),
    "tape_maturity_before_start": lambda mp, tmp: ("d.csv", _csv(_row(maturity="2024-01-31"))),
    "tape_direct_without_registration": lambda mp, tmp: ("d.csv", _csv(_row(link="直接"))),
    "tape_pool_total_too_large": lambda mp, tmp: (
        "d.csv",
        _csv(_row("R1", "6000000000000"), _row("R2", "6000000000000")),
    ),
    "tape_xls_legacy": lambda mp, tmp: ("old.xls", _csv(_row())),
    "tape_xlsx_name_not_workbook": lambda mp, tmp: ("fake.xlsx", _csv(_row())),
    "tape_file_too_large": lambda mp, tmp: (
        mp.setattr(tape_mod, "MAX_TAPE_FILE_BYTES", 10),
        ("big.csv", _csv(_row())),
    )[1],
    "tape_file_not_found": lambda mp, tmp: tmp / "missing.csv",
    "tape_path_is_folder": lambda mp, tmp: tmp,
    "tape_path_not_regular": lambda mp, tmp: (os.mkfifo(tmp / "pipe.csv"), tmp / "pipe.csv")[1],
}

#: Findings a test cannot provoke portably (root reads any file; an encrypted workbook; a file
#: growing while read; the parsers' fallback): the reader's code with the context it gives.
SYNTHETIC: dict[str, Issue] = {
    "tape_file_permission": Issue(
        "t.csv", "tape file is not readable (permission)", code="tape_file_permission"
    ),
    "tape_file_unreadable": Issue(
        "t.csv",
        "tape file cannot be read (Input/output error)",
        code="tape_file_unreadable",
        context={"detail": "Input/output error"},
    ),
    "tape_file_grew": Issue(
        "t.csv",
        "file grew past the 268,435,456 bytes a tape may be",
        code="tape_file_grew",
        context={"limit": 268435456},
    ),
    "tape_value_invalid": Issue(
        "t.csv",
        "bad",
        row=2,
        column="入池金额",
        value="x",
        code="tape_value_invalid",
        context={"field": "amount"},
    ),
    "tape_xlsx_encrypted": Issue(
        "t.xlsx",
        "not a readable .xlsx tape: the workbook is encrypted",
        code="tape_xlsx_encrypted",
        context={"detail": "the workbook is encrypted"},
    ),
    "tape_xlsx_no_sheet": Issue(
        "t.xlsx",
        "not a readable .xlsx tape: the workbook has no worksheet",
        code="tape_xlsx_no_sheet",
        context={"detail": "the workbook has no worksheet"},
    ),
}


def _findings(code: str, mp: pytest.MonkeyPatch, tmp: Path) -> list[Issue]:
    if code in SYNTHETIC:
        return [SYNTHETIC[code]]
    given = TAPES[code](mp, tmp)
    try:
        if isinstance(given, Path):
            report = read_tape_report(given)
        else:
            name, data = given
            report = read_tape_bytes_report(data, filename=name)
    except TapeError as exc:
        return exc.issues
    return list(report.warnings)


def _user_text(issue: Issue) -> list[str]:
    """What the file itself holds (shown as given in either language), longest first."""
    ctx = issue.context or {}
    found = [str(issue.value or ""), issue.column or ""]
    found += [
        str(ctx[k]) for k in ("first", "second", "asset_id", "sheet", "dimension") if ctx.get(k)
    ]
    return sorted((s for s in found if s), key=len, reverse=True)


def offending(text: str, lang: str, names: list[str]) -> list[str]:
    """English words in Chinese mode (beyond format names and field codes in parentheses), CJK
    characters in English mode, once ``names`` (the file's own text) are taken out."""
    for name in names:
        text = text.replace(name, " ")
    if lang == "en":
        return _CJK.findall(text)
    text = _HEX.sub(" ", _FIELD_CODE.sub(" ", text))
    return [w for w in _WORD.findall(text) if w not in TECHNICAL]


def test_every_code_has_a_case() -> None:
    assert set(TAPES) | set(SYNTHETIC) == set(TAPE_RULES)
    assert not set(TAPES) & set(SYNTHETIC)


@pytest.mark.parametrize("code", sorted(TAPE_RULES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_finding_reads_in_one_language(
    code: str, lang: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    issues = _findings(code, monkeypatch, tmp_path)
    assert code in [i.code for i in issues], [(i.code, i.rule) for i in issues]
    issue = next(i for i in issues if i.code == code)
    text = tape_issue_text(issue, lang)
    assert rule_text(issue, lang) not in ("资产清单有误", issue.rule) or lang == "en"
    assert not offending(text, lang, _user_text(issue)), text
    if issue.row is not None:
        assert str(issue.row) in text
    if issue.value is not None and code not in VALUE_IN_RULE:
        assert str(issue.value) in text


def test_finding_wording_hand_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def first(code: str) -> Issue:
        return next(i for i in _findings(code, monkeypatch, tmp_path) if i.code == code)

    fraction = first("tape_out_of_bounds")
    assert fraction.rule == "must be <= 1 (a fraction: write 4.5% or 0.045)"  # the CLI's, as was
    assert tape_issue_text(fraction, "zh") == (
        "第 2 行，年违约概率 (pd)：须不超过 100%（比例：可写 4.5% 或 0.045）（值：150%）"
    )
    assert tape_issue_text(fraction, "en") == (
        "row 2, pd: must be at most 100% (a fraction: write 4.5% or 0.045) (value: 150%)"
    )
    missing = first("tape_required_column_missing")
    assert tape_issue_text(missing, "zh") == (
        "到期日 (maturity_date)：缺少必填列（可接受的表头：到期日、到期日期、合同到期日、终止日）"
    )
    assert tape_issue_text(missing, "en") == (
        "maturity_date: required column missing (accepted headers: maturity_date, maturity, "
        "end_date)"
    )
    enum = first("tape_enum_unknown")
    assert tape_issue_text(enum, "zh") == (
        "第 2 行，资产类型 (asset_type)：不是可选的资产类型（可选：应收账款、数据授权、算法服务、"
        "数据产品/API、收益分成、收费收益权、租赁租金、知识产权许可）（值：股票）"
    )
    assert tape_issue_text(enum, "en") == (
        "row 2, asset_type: unknown asset kind (allowed: receivable, data_license, "
        "algorithm_service, data_product, revenue_share, toll_right, lease, ip_license) "
        "(value: 股票)"
    )
    total = first("tape_pool_total_too_large")
    assert tape_issue_text(total, "zh") == (
        "入池金额 (amount)：资产池合计 12,000,000,000,000.00 元，须小于 10,000,000,000,000 元"
        "（10万亿元）：超过这一规模，合计无法精确到 0.01 元"
    )
    sheet = first("tape_xlsx_sheet_too_large")
    assert tape_issue_text(sheet, "en") == (
        "sheet 'tape' declares (A1:XFD1048576) 1,048,576 rows, more than the 1,000,001 a tape "
        "may have (1,000,000 data rows and a header)"
    )


# --- through the dashboard, in both languages ---------------------------------------------------


def _upload(monkeypatch: pytest.MonkeyPatch, lang: str, name: str, data: bytes) -> Any:
    at = start(monkeypatch, "rugao-labelled")
    if lang == "en":
        at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    before = at.session_state[state.KEY_DEAL_JSON]
    at.sidebar.file_uploader[0].upload(name, data, "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[state.KEY_DEAL_JSON] == before  # the last good deal is kept
    return at


#: case → (file name, bytes, expected Chinese lines, expected English lines, the file's text).
HOSTILE: dict[str, tuple[str, bytes, list[str], list[str], list[str]]] = {
    "negative_amount": (
        "neg.csv",
        _csv(_row("R1"), _row("R2", "-5")),
        [
            "资产清单 neg.csv 有 1 处问题，当前交易未改变：",
            "- 第 3 行，入池金额 (amount)：须大于 0（值：-5）",
        ],
        [
            "The pool tape neg.csv has 1 problem; the current deal is unchanged:",
            "- row 3, amount: must be greater than 0 (value: -5)",
        ],
        [],
    ),
    "duplicate_and_nan": (
        "dup.csv",
        _csv(_row("R1", "NaN"), _row("R1")),
        [
            "资产清单 dup.csv 有 2 处问题，当前交易未改变：",
            "- 第 2 行，入池金额 (amount)：须为有限数字（值：NaN）",
            "- 第 3 行，资产编号 (asset_id)：编号重复，已在第 2 行使用（值：R1）",
        ],
        [
            "The pool tape dup.csv has 2 problems; the current deal is unchanged:",
            "- row 2, amount: must be a finite number (value: NaN)",
            "- row 3, asset_id: duplicate asset ID, already used in row 2 (value: R1)",
        ],
        ["NaN", "R1"],
    ),
    "missing_column": (
        "cols.csv",
        _csv("R1,甲数据科技有限公司,应收账款,质押,1000000,2025-01-31", head=HEAD.rsplit(",", 1)[0]),
        [
            "- 到期日 (maturity_date)：缺少必填列（可接受的表头：到期日、到期日期、合同到期日、"
            "终止日）"
        ],
        [
            "- maturity_date: required column missing (accepted headers: maturity_date, "
            "maturity, end_date)"
        ],
        [],
    ),
    "bad_encoding": (
        "gbk.csv",
        _gbk_broken(),
        ["- 第 3 行，债务人 (obligor)：文件既不是 UTF-8（第 0 字节无效）也不是 GBK/GB18030"],
        ["- row 3, obligor: the file is neither UTF-8 (invalid byte at byte offset 0) nor GBK"],
        [],  # the cell shows as decoded with the bad byte replaced: checked below
    ),
    "header_only": (
        "head.csv",
        _csv(),
        ["资产清单 head.csv 有 1 处问题，当前交易未改变：\n- 文件只有表头，没有数据行"],
        [
            "The pool tape head.csv has 1 problem; the current deal is unchanged:\n"
            "- the file has a header but no data rows"
        ],
        [],
    ),
    "xlsx_named_csv": (
        "fake.xlsx",
        _csv(_row()),
        ["- 文件名为 .xlsx，但内容不是 .xlsx 工作簿；请另存为 .xlsx 或 CSV"],
        ["- the file has an .xlsx name but is not an .xlsx workbook; save it as .xlsx or CSV"],
        [],
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_tape_upload_in_the_session_language(
    monkeypatch: pytest.MonkeyPatch, case: str, lang: str
) -> None:
    name, data, zh, en, names = HOSTILE[case]
    at = _upload(monkeypatch, lang, name, data)
    messages = [str(e.value) for e in at.error]
    box = next((m for m in messages if name in m), None)
    assert box is not None, messages
    for line in zh if lang == "zh" else en:
        assert line in box, box
    cells = [line.rsplit("值：", 1)[-1].rsplit("value: ", 1)[-1] for line in box.splitlines()]
    assert not offending(box, lang, [name, *names, *[c.rstrip("）)") for c in cells]]), box


def test_tape_error_keeps_the_cli_english() -> None:
    name, data, *_ = HOSTILE["duplicate_and_nan"]
    with pytest.raises(TapeError) as caught:
        read_tape_bytes_report(data, filename=name)
    assert str(caught.value) == (
        "dup.csv: 2 problem(s) in the pool tape:\n"
        "  - dup.csv, row 2, column '入池金额 (amount)': error: must be a finite number "
        "(NaN/inf not allowed): got 'NaN'\n"
        "  - dup.csv, row 3, column '资产编号 (asset_id)': error: duplicate asset_id, already "
        "used in row 2: got 'R1'"
    )


def test_tape_warnings_follow_the_session_language(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _csv(_row("R1", link="直接", extra=",x"), head=HEAD + ",备注")
    at = start(monkeypatch, "rugao-labelled")
    at.sidebar.file_uploader[0].upload("warn.csv", data, "text/csv")
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    warnings = "\n".join(str(w.value) for w in at.warning)
    assert "- 备注：无法识别的列，已忽略（可接受的表头见资产清单格式说明）" in warnings
    assert (
        "- 第 2 行，数据资产登记编号 (registration_id)：直接数据资产「R1」没有数据资产登记编号；"
        "请披露登记证书"
    ) in warnings
    assert not offending(warnings, "zh", []), warnings
    at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()  # the same warnings, reworded
    warnings = "\n".join(str(w.value) for w in at.warning)
    assert "- 备注: unknown column is ignored (see docs/tape-format.md for accepted headers)" in (
        warnings
    )
    assert (
        "- row 2, registration_id: direct data asset 'R1' has no registration ID; disclose the "
        "registration certificate"
    ) in warnings


def test_deal_file_with_a_broken_tape_follows_the_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``dabs ui deal.json`` whose tape is broken: the app opens the default example and shows
    the tape's findings, reworded when the structurer switches the language."""
    import json

    from abs.io import deal_to_json, load_deal

    data = json.loads(deal_to_json(load_deal("rugao-labelled")))
    data.pop("pool", None)
    data["tape"] = "tape.csv"
    (tmp_path / "tape.csv").write_bytes(_csv(_row("R1"), _row("R2", "-5")))
    deal = tmp_path / "deal.json"
    deal.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    at = start(monkeypatch, deal)
    box = "\n".join(str(e.value) for e in at.error)
    assert "- 第 3 行，入池金额 (amount)：须大于 0（值：-5）" in box, box
    assert not offending(box, "zh", [str(tmp_path / "tape.csv"), "-5"]), box
    at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    box = "\n".join(str(e.value) for e in at.error)
    assert "- row 3, amount: must be greater than 0 (value: -5)" in box, box
    assert not offending(box, "en", []), box
    err = state.last_error(at.session_state)  # type: ignore[arg-type]
    assert err is not None
    assert err.in_language("zh")[0] == "交易文件" and err.in_language("en")[0] == "deal file"


def test_rejected_upload_follows_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    name, data, zh, en, names = HOSTILE["duplicate_and_nan"]
    at = _upload(monkeypatch, "zh", name, data)
    box = next(str(e.value) for e in at.error if name in str(e.value))
    assert all(line in box for line in zh), box
    at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()  # the same rejection, reworded
    box = next(str(e.value) for e in at.error if name in str(e.value))
    assert all(line in box for line in en), box
    assert not offending(box, "en", [name, *names]), box
    err = state.last_error(at.session_state)  # type: ignore[arg-type]
    assert err is not None and err.in_language("en")[0] == f"upload {name}"
    assert err.in_language("zh")[0] == f"上传文件 {name}"
