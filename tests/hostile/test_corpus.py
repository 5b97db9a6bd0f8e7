"""The hostile-input corpus of issue 17, run through the real ``dabs`` command line.

Every hostile case asserts: exit code 2, no traceback, the message names the file and the row
and column (tapes) or the field (deal files), and the input files are unchanged byte for byte.
Every valid-but-tricky case asserts exit code 0 and the right number. Small inputs are written
here as bytes; the large ones (zip bombs, sparse files) are generated when the test runs.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from abs import xlsx_read
from abs.examples import example_dir
from tests.hostile import xlsx_parts as xp
from ui.cli import app

EN = "asset_id,obligor,asset_type,data_link,amount,start_date,maturity_date"
ZH = "资产编号,债务人,资产类型,数据资产关联,入池金额,起始日,到期日"
ROW = "R1,甲数据科技有限公司,应收账款,质押,1000000.00,2025-01-31,2026-01-31"


def _csv(*lines: str, header: str = ZH) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def _mojibake_tape() -> bytes:
    """UTF-8 with one damaged byte in row 3's obligor that GB18030 decodes without complaint:
    before issue 17 the obligor split into two (80% / 20%) in the top-20 table, exit 0."""
    good = _csv(
        "M1,数据科技有限公司,receivable,pledged,800000.00,2025-01-31,2026-01-31",
        "M2,数据科技有限公司,receivable,pledged,200000.00,2025-01-31,2026-01-31",
        header=EN,
    )
    at = good.rfind(b"M2,") + 3 + 4
    return good[:at] + b"\xc0" + good[at + 1 :]


@dataclass(frozen=True)
class Case:
    """A hostile input: the files to write, the command and what the error must name."""

    name: str
    files: dict[str, bytes]
    args: tuple[str, ...]
    expect: tuple[str, ...]


# --- tapes (CSV) ------------------------------------------------------------------------------

TAPE_CASES = [
    Case(
        "empty date cell",
        {"t.csv": _csv(ROW.replace("2025-01-31", ""))},
        ("pool", "t.csv"),
        (r"t\.csv, row 2, column '起始日 \(start_date\)': error: required value is empty",),
    ),
    Case(
        "short row",
        {"t.csv": _csv(ROW, "R2,乙公司,应收账款")},
        ("pool", "t.csv"),
        (r"t\.csv, row 3, column '入池金额 \(amount\)': error: required value is empty",),
    ),
    Case(
        "truncated file",
        {"t.csv": _csv(ROW, ROW.replace("R1", "R2"))[:-25]},
        ("pool", "t.csv"),
        (r"t\.csv, row 3, column '起始日 \(start_date\)': error: required value is empty",),
    ),
    Case(
        "file cut in the middle of a character",
        {"t.csv": _csv(ROW, "R2,乙公司")[:-3]},
        ("pool", "t.csv"),
        (r"t\.csv, row 3, column '债务人': error: file is UTF-8 .* is not valid UTF-8",),
    ),
    Case(
        "unterminated quote",
        {
            "t.csv": _csv(
                ROW, 'R2,"乙公司,应收账款,质押,5,2025-01-31,2026-01-31', ROW.replace("R1", "R3")
            )
        },
        ("pool", "t.csv"),
        (r"t\.csv, row 3, column '债务人': error: unterminated quote: a quoted cell opened",),
    ),
    Case(
        "stray CR inside a row",
        {"t.csv": _csv(ROW.replace("1000000.00", "1000\r000.00"))},
        ("pool", "t.csv"),
        (
            r"t\.csv, row 2, column '入池金额': error: stray carriage return \(CR, \\r\) inside "
            r"a row.*got '1000 000\.00'",
        ),
    ),
    Case(
        "one damaged UTF-8 byte (was GB18030 mojibake, obligor split 80/20, exit 0)",
        {"t.csv": _mojibake_tape()},
        ("pool", "t.csv"),
        (
            r"t\.csv, row 3, column 'obligor': error: file is UTF-8 \(\d+ well-formed multi-byte "
            r"UTF-8 characters against \d bad byte\(s\)\) but byte 0xe6 at byte offset 155 is "
            r"not valid UTF-8 \(encodings tried: UTF-8, GBK/GB18030\)",
        ),
    ),
    Case(
        "UTF-8 BOM with a damaged byte",
        {
            "t.csv": b"\xef\xbb\xbf"
            + _csv(ROW.replace("甲", "\ufffd")).replace(b"\xef\xbf\xbd", b"\xff")
        },
        ("pool", "t.csv"),
        (
            r"t\.csv, row 2, column '债务人': error: file is UTF-8 "
            r"\(it starts with a UTF-8 byte-order",
        ),
    ),
    Case(
        "neither UTF-8 nor GBK",
        {"t.csv": _csv(ROW).decode().encode("gbk").replace("甲".encode("gbk"), b"\xff\xfe")},
        ("pool", "t.csv"),
        (r"t\.csv, row 2, column '债务人': error: file is neither UTF-8 .* encodings tried",),
    ),
    Case(
        "sub-fen amount",
        {"t.csv": _csv(ROW.replace("1000000.00", "1000000.001"))},
        ("pool", "t.csv"),
        (
            r"row 2, column '入池金额 \(amount\)': error: must be in whole fen \(分\)"
            r".*'1000000\.001'",
        ),
    ),
    Case(
        "underscore digits",
        {"t.csv": _csv(ROW.replace("1000000.00", "1_000_000"))},
        ("pool", "t.csv"),
        (r"row 2, column '入池金额 \(amount\)': error: not a number: got '1_000_000'",),
    ),
    Case(
        "Arabic-Indic digits in an amount",
        {"t.csv": _csv(ROW.replace("1000000.00", "١٠٠٠٠٠٠"))},
        ("pool", "t.csv"),
        (r"row 2, column '入池金额 \(amount\)': error: not a number: got '١٠٠٠٠٠٠'",),
    ),
    Case(
        "Arabic-Indic digits in a date",
        {"t.csv": _csv(ROW.replace("2025-01-31", "٢٠٢٥-٠١-٣١"))},
        ("pool", "t.csv"),
        (r"row 2, column '起始日 \(start_date\)': error: unparsable date",),
    ),
    Case(
        "decimal comma read as a thousands separator",
        {"t.csv": _csv(ROW.replace("1000000.00", '"1000000,50"'))},
        ("pool", "t.csv"),
        (r"row 2, column '入池金额 \(amount\)': error: not a number \(thousands separators must",),
    ),
    Case(
        "NaN amount",
        {"t.csv": _csv(ROW.replace("1000000.00", "NaN"))},
        ("pool", "t.csv"),
        (r"row 2, column '入池金额 \(amount\)': error: must be a finite number",),
    ),
    Case(
        "pool total beyond 1e13 yuan",
        {
            "t.csv": _csv(
                ROW.replace("1000000.00", "6000000000000"),
                ROW.replace("R1", "R2").replace("1000000.00", "6000000000000"),
            )
        },
        ("pool", "t.csv"),
        (
            r"t\.csv, column '入池金额 \(amount\)': error: the pool total must be below 1e\+13 元"
            r".*got '12,000,000,000,000\.00 元'",
        ),
    ),
    Case(
        "UTF-16 file",
        {"t.csv": _csv(ROW).decode().encode("utf-16")},
        ("pool", "t.csv"),
        (r"t\.csv: error: file is UTF-16 encoded",),
    ),
]


# --- tapes (XLSX) -----------------------------------------------------------------------------

_GOOD_ROWS = xp.header_row() + xp.asset_row(2)

XLSX_CASES = [
    Case(
        "declared dimension A1:XFD1048576 (was 45 s into MemoryError)",
        {"t.xlsx": xp.workbook(xp.sheet_xml(_GOOD_ROWS, dimension="A1:XFD1048576"))},
        ("pool", "t.xlsx"),
        (
            r"t\.xlsx: error: not a readable \.xlsx tape: sheet 'tape': declared dimension "
            r"A1:XFD1048576: declares 1,048,576 rows, more than the 1,000,001",
        ),
    ),
    Case(
        "one far cell XFD1048576 (calamine would allocate 512 GB)",
        {
            "t.xlsx": xp.workbook(
                xp.sheet_xml(
                    _GOOD_ROWS + '<row r="1048576">' + xp.text_cell("XFD1048576", "x") + "</row>"
                )
            )
        },
        ("pool", "t.xlsx"),
        (r"sheet 'tape' spans 1,048,576 rows, more than the 1,000,001",),
    ),
    Case(
        "far column written with spaces and single quotes",
        {
            "t.xlsx": xp.workbook(
                xp.sheet_xml(
                    _GOOD_ROWS
                    + '<row r="3"><c r = \'ZZZ3\' t="inlineStr"><is><t>x</t></is></c></row>'
                )
            )
        },
        ("pool", "t.xlsx"),
        (r"sheet 'tape' spans .*18,278 columns \(up to ZZZ\), more than the 1,024",),
    ),
    Case(
        "thousands of cells without references",
        {
            "t.xlsx": xp.workbook(
                xp.sheet_xml(
                    xp.header_row() + '<row r="2">' + "<c/>" * 3000 + "</row>", dimension=None
                )
            )
        },
        ("pool", "t.xlsx"),
        (r"sheet 'tape' spans .*columns .*more than the 1,024",),
    ),
    Case(
        "corrupt sheet XML (was a ParseError traceback)",
        {"t.xlsx": xp.workbook(xp.sheet_xml(_GOOD_ROWS + '<row r="3"><c r="A3"><v>1</v></row>'))},
        ("pool", "t.xlsx"),
        (r"t\.xlsx: error: not a readable \.xlsx tape: sheet 'tape' cannot be read \(XmlError",),
    ),
    Case(
        "Excel error value in the amount",
        {
            "t.xlsx": xp.workbook(
                xp.sheet_xml(
                    xp.header_row()
                    + xp.asset_row(2).replace(
                        '<c r="E2"><v>1000000</v></c>', '<c r="E2" t="e"><v>#DIV/0!</v></c>'
                    )
                )
            )
        },
        ("pool", "t.xlsx"),
        (
            r"t\.xlsx, row 2, column '入池金额': error: cell holds an Excel error value"
            r".*got '#DIV/0!'",
        ),
    ),
    Case(
        "a .xlsx name on CSV text",
        {"t.xlsx": _csv(ROW)},
        ("pool", "t.xlsx"),
        (r"t\.xlsx: error: file has an \.xlsx name but is not an \.xlsx workbook",),
    ),
    Case(
        "a zip that is not a workbook",
        {"t.xlsx": xp.workbook("x")[:200]},
        ("pool", "t.xlsx"),
        (r"t\.xlsx: error: not a readable \.xlsx tape: not a readable zip archive",),
    ),
]


# --- deal files -------------------------------------------------------------------------------


def _deal(**edit: Callable[[dict[str, object]], None]) -> dict[str, bytes]:
    base = json.loads((example_dir("rugao-labelled") / "deal.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(base)
    for fn in edit.values():
        fn(data)
    text = json.dumps(data, ensure_ascii=False, allow_nan=True)
    tape = (example_dir("rugao-labelled") / "tape.csv").read_bytes()
    return {"deal.json": text.encode("utf-8"), "tape.csv": tape}


def _set(path: str, value: object) -> Callable[[dict[str, object]], None]:
    def apply(data: dict[str, object]) -> None:
        node: object = data
        keys = path.split(".")
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]  # type: ignore[index]
        last = keys[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value  # type: ignore[index]

    return apply


def _raw_deal(text_edit: Callable[[str], str]) -> dict[str, bytes]:
    files = _deal()
    files["deal.json"] = text_edit(files["deal.json"].decode()).encode()
    return files


DEAL_CASES = [
    Case(
        "NaN balance",
        _deal(a=_set("tranches.0.balance", float("nan"))),
        ("classify", "deal.json"),
        (r"deal\.json: field 'tranches\.0\.balance': Input should be a finite number: got nan",),
    ),
    Case(
        "Infinity fee amount",
        _deal(a=_set("fees.0.amount", float("inf"))),
        ("classify", "deal.json"),
        (r"deal\.json: field 'fees\.0\.amount': Input should be a finite number: got inf",),
    ),
    Case(
        "NaN trigger threshold (was: the trigger silently never fires)",
        _deal(a=_set("triggers.0.threshold", float("nan"))),
        ("classify", "deal.json"),
        (r"field 'triggers\.0\.threshold': Input should be a finite number: got nan",),
    ),
    Case(
        "floating coupon floor of 1e9",
        _deal(
            a=_set(
                "tranches.0.coupon",
                {"coupon_type": "floating", "spread": 0.01, "floor": 1e9},
            )
        ),
        ("classify", "deal.json"),
        (
            r"field 'tranches\.0\.coupon\.floor': Input should be less than or equal to 1: "
            r"got 1000000000\.0",
        ),
    ),
    Case(
        "tranche balance of 1e300",
        _deal(a=_set("tranches.0.balance", 1e300)),
        ("classify", "deal.json"),
        (r"field 'tranches\.0\.balance': Input should be less than 10000000000000: got 1e\+300",),
    ),
    Case(
        "a key given twice",
        _raw_deal(lambda t: t.replace('"balance":', '"balance": 1, "balance":', 1)),
        ("classify", "deal.json"),
        (r"deal\.json: field 'tranches\.0\.balance': key 'balance' appears twice in one object",),
    ),
    Case(
        "nesting 100,000 deep (was a RecursionError traceback)",
        {"deal.json": b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"},
        ("classify", "deal.json"),
        (r"deal\.json: not a deal file: arrays/objects nested deeper than the JSON reader",),
    ),
    Case(
        "nesting 100 deep inside a field",
        _raw_deal(
            lambda t: t.replace(
                '"description": ', '"description": ' + "[" * 100 + "]" * 100 + ', "x": ', 1
            )
        ),
        ("classify", "deal.json"),
        (r"deal\.json: field 'description\.0\.0\.0.*': nested deeper than 64 levels",),
    ),
    Case(
        "a 5,000-digit integer (was a ValueError traceback)",
        _raw_deal(
            lambda t: t.replace('"payment_lag_days": 10', '"payment_lag_days": ' + "9" * 5000, 1)
        ),
        ("classify", "deal.json"),
        (r"deal\.json: line 1, column \d+: a number with 5,000 digits; numbers may have at most",),
    ),
    Case(
        "tape is /dev/zero (was: read until MemoryError)",
        _deal(a=_set("tape", "/dev/zero")),
        ("classify", "deal.json"),
        (r"/dev/zero: error: tape path is not a regular file \(a device, pipe or socket\)",),
    ),
]


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _run_hostile(tmp_path: Path, case: Case, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, data in case.files.items():
        (tmp_path / name).write_bytes(data)
    before = _digest(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, list(case.args))
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in output
    assert _digest(tmp_path) == before  # nothing the user gave is modified
    flat = " ".join(output.split())
    for pattern in case.expect:
        assert re.search(pattern, flat), f"{pattern!r} not in:\n{output}"
    return output


@pytest.mark.parametrize("case", TAPE_CASES + XLSX_CASES + DEAL_CASES, ids=lambda c: c.name)
def test_hostile_input_is_a_named_error_with_exit_2(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run_hostile(tmp_path, case, monkeypatch)


# --- generated large inputs -------------------------------------------------------------------


def test_zip_bomb_stops_at_the_unpacked_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1 MB of zip that unpacks to 1.1 GB of comment in the sheet (before: 2.2 GB in memory).
    # The limit is lowered to 64 MiB so the test stays fast; the code path is the same.
    monkeypatch.setattr(xlsx_read, "MAX_XLSX_UNPACKED_BYTES", 64 << 20)
    bomb = xp.workbook(xp.sheet_xml(_GOOD_ROWS, tail="<!--" + "x" * (1100 << 20) + "-->"))
    assert len(bomb) < 2 << 20
    case = Case(
        "zip bomb",
        {"t.xlsx": bomb},
        ("pool", "t.xlsx"),
        (
            r"t\.xlsx: error: not a readable \.xlsx tape: the workbook unpacks to more than "
            r"0\.0625 GiB \(the limit for a tape; a zip bomb\?\)",
        ),
    )
    _run_hostile(tmp_path, case, monkeypatch)


def test_zip_bomb_with_lying_declared_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The archive says the sheet unpacks to 2 KB; the stream holds 200 MB. The declared size
    # is not trusted: the check inflates the stream itself.
    monkeypatch.setattr(xlsx_read, "MAX_XLSX_UNPACKED_BYTES", 64 << 20)
    bomb = xp.workbook(xp.sheet_xml(_GOOD_ROWS, tail="<!--" + "x" * (200 << 20) + "-->"))
    liar = xp.lying_sizes(bomb, xp.SHEET_PART, declared=2048)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo(xp.SHEET_PART).file_size == 2048
    case = Case(
        "lying zip bomb",
        {"t.xlsx": liar},
        ("pool", "t.xlsx"),
        (r"the workbook unpacks to more than 0\.0625 GiB",),
    )
    _run_hostile(tmp_path, case, monkeypatch)


def test_tape_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:  # sparse: takes no disk
        fh.write(_csv(ROW))
        fh.truncate(300 << 20)
    result = CliRunner().invoke(app, ["pool", "big.csv"])
    assert result.exit_code == 2
    assert re.search(
        r"big\.csv: error: file is 314,572,800 bytes, more than the 268,435,456 a tape may be",
        " ".join(result.stderr.split()),
    )


def test_tape_path_is_a_named_pipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Opening a FIFO waits for a writer; the reader must refuse it before opening.
    os.mkfifo(tmp_path / "pipe.csv")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["pool", "pipe.csv"])
    assert result.exit_code == 2
    assert "pipe.csv: error: tape path is not a regular file" in result.stderr


# --- valid but tricky: the right number -------------------------------------------------------


def _pool_json(tmp_path: Path, name: str, data: bytes, monkeypatch: pytest.MonkeyPatch) -> dict:  # type: ignore[type-arg]
    (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["pool", name, "--json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("name", "data", "total"),
    [
        # GBK with thousands separators, a 元 suffix and full-width digits.
        (
            "gbk.csv",
            _csv(
                ROW.replace("1000000.00", '"1,234,567.89元"'),
                ROW.replace("R1", "R2").replace("1000000.00", "１２３４．５６"),
            )
            .decode()
            .encode("gbk"),
            1_234_567.89 + 1_234.56,
        ),
        # UTF-8 with a BOM and CRLF line ends.
        ("bom.csv", b"\xef\xbb\xbf" + _csv(ROW).replace(b"\n", b"\r\n"), 1_000_000.00),
        # A float that is a whole fen up to binary noise (a formula's 0.1 + 0.2).
        ("noise.csv", _csv(ROW.replace("1000000.00", "0.30000000000000004")), 0.30),
        # Amounts just below the per-asset and pool limits (1e13 元) still read.
        ("large.csv", _csv(ROW.replace("1000000.00", "9999999999999.99")), 9_999_999_999_999.99),
    ],
)
def test_tricky_but_valid_tapes_give_the_right_total(
    name: str, data: bytes, total: float, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _pool_json(tmp_path, name, data, monkeypatch)
    assert out["summary"]["total_amount"] == pytest.approx(total, abs=0.005)


def test_one_obligor_in_two_rows_is_one_obligor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The undamaged twin of the mojibake case: one obligor, 100% of the pool.
    good = _csv(
        "M1,数据科技有限公司,receivable,pledged,800000.00,2025-01-31,2026-01-31",
        "M2,数据科技有限公司,receivable,pledged,200000.00,2025-01-31,2026-01-31",
        header=EN,
    )
    out = _pool_json(tmp_path, "t.csv", good, monkeypatch)
    assert [(r["债务人名称"], r["占比"]) for r in out["top20"]] == [("数据科技有限公司", 1.0)]


def test_xlsx_tape_starting_below_and_right_of_a1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Header in row 3 from column C; errors and row numbers still count from A1.
    rows = xp.header_row(3) + xp.asset_row(4, amount="1234.5")
    shifted = re.sub(
        r'r="([A-G])(\d)"',
        lambda m: f'r="{chr(ord(m.group(1)) + 2)}{m.group(2)}"',
        rows,
    )
    data = xp.workbook(xp.sheet_xml(shifted, dimension="C3:I4"))
    out = _pool_json(tmp_path, "t.xlsx", data, monkeypatch)
    assert out["summary"]["total_amount"] == pytest.approx(1234.5)
    bad = xp.workbook(xp.sheet_xml(shifted.replace("1234.5", "1234.567"), dimension="C3:I4"))
    (tmp_path / "bad.xlsx").write_bytes(bad)
    result = CliRunner().invoke(app, ["pool", "bad.xlsx"])
    assert result.exit_code == 2
    assert "bad.xlsx, row 4, column '入池金额 (amount)': error: must be in whole fen" in " ".join(
        result.stderr.split()
    )


def test_tranches_far_beyond_the_pool_warn_but_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def times_ten(data: dict[str, object]) -> None:
        for tranche in data["tranches"]:  # type: ignore[attr-defined]
            tranche["balance"] *= 10

    for name, content in _deal(a=times_ten).items():
        (tmp_path / name).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["classify", "deal.json", "--json"])
    assert result.exit_code == 0, result.stderr
    flat = " ".join(result.stderr.split())
    assert re.search(
        r"警告 warning: .*column 'tranches\.balance': warning: the tranches total "
        r"[\d,.]+ 元, \d+\.\d× the pool's 133,000,000\.00 元 \(more than 2×\)",
        flat,
    ), flat
    assert json.loads(result.stdout)["kind"] == "labelled"
