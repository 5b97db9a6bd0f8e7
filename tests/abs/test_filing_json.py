"""JSON writer: schema_version, published schema, raw 元, ISO dates, validation errors."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abs.errors import ExportError
from abs.filing import (
    Column,
    ColumnKind,
    FilingTable,
    TableBlock,
    load_schema,
    render_json,
    tables_from_document,
    validate_document,
    write_json,
)
from abs.filing.json_out import dumps_document, software_version, to_document


def _sheet() -> FilingTable:
    cols = (
        Column("tranche", "档位", description="证券档位"),
        Column("balance", "发行规模", ColumnKind.MONEY),
        Column("share", "占比", ColumnKind.PERCENT),
        Column("maturity", "预期到期日", ColumnKind.DATE),
        Column("count", "笔数", ColumnKind.INTEGER),
        Column("cover", "覆盖倍数", ColumnKind.RATIO),
        Column("wal", "期限", ColumnKind.NUMBER, unit="年", decimals=3),
    )
    rows = (
        ("优先A", 123_000_000.004, 0.946153846, dt.date(2027, 4, 26), 1, 1.25, 1.5),
        ("次级", 7_000_000.0, 0.053846154, None, 1, None, None),
    )
    block = TableBlock(key="tranches", title="证券", columns=cols, rows=rows, notes=("注",))
    return FilingTable(
        key="deal_summary",
        sheet="产品概要",
        sheet_en="Deal summary",
        note="金额单位：万元",
        blocks=(block.with_sum_totals(["balance", "count"]),),
        notes=("表注",),
    )


def _doc() -> dict[str, Any]:
    return to_document(
        [_sheet()],
        metadata={"deal": "示例", "seed": 7, "deal_sha256": "ab" * 32},
        created=dt.datetime(2026, 4, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    )


def test_schema_is_published_and_valid() -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"] == {"const": "1.0"}
    path = Path(__file__).parents[2] / "abs" / "filing" / "filing-schema-1.0.json"
    assert json.loads(path.read_text(encoding="utf-8")) == schema


def test_document_content() -> None:
    doc = _doc()
    assert doc["schema_version"] == "1.0"
    assert doc["generator"] == {"name": "dabs", "version": software_version()}
    assert doc["metadata"] == {
        "title": "数据资产ABS申报表格",
        "created": "2026-04-01T09:30:00+08:00",
        "deal": "示例",
        "seed": 7,
        "deal_sha256": "ab" * 32,
    }
    table = doc["sheets"][0]["tables"][0]
    assert [c["unit"] for c in table["columns"]] == [
        None,
        "元",
        "fraction",
        "ISO 8601 date",
        None,
        "倍",
        "年",
    ]
    assert table["columns"][0]["description"] == "证券档位"
    assert table["rows"][0] == ["优先A", 123_000_000.0, 0.946153846, "2027-04-26", 1, 1.25, 1.5]
    assert table["totals"] == ["合计", 130_000_000.0, None, None, 2, None, None]
    assert table["notes"] == ["注"] and doc["sheets"][0]["notes"] == ["表注"]
    validate_document(doc)


def test_render_is_valid_utf8_json_with_one_line_per_row() -> None:
    text = render_json([_sheet()]).decode("utf-8")
    assert "产品概要" in text  # Chinese unescaped
    assert '["优先A", 123000000.0, 0.946153846, "2027-04-26", 1, 1.25, 1.5],' in text
    assert json.loads(text)["sheets"][0]["name"] == "产品概要"


def test_round_trip_to_tables() -> None:
    sheet = _sheet()
    back = tables_from_document(json.loads(render_json([sheet])))
    # money is rounded to the fen in JSON: 123,000,000.004 → 123,000,000.00
    expected_rows = ((sheet.blocks[0].rows[0][0], 123_000_000.0, *sheet.blocks[0].rows[0][2:]),)
    assert back[0].blocks[0].rows[:1] == expected_rows
    assert back[0].blocks[0].rows[1:] == sheet.blocks[0].rows[1:]
    assert back[0].blocks[0].columns == sheet.blocks[0].columns
    assert back[0].blocks[0].totals == sheet.blocks[0].totals


def _broken(path: list[Any], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(_doc())
    node: Any = doc
    for p in path[:-1]:
        node = node[p]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "match"),
    [
        (["schema_version"], "2.0", r"at '\$\.schema_version': '1.0' was expected: got '2.0'"),
        (["sheets"], KeyError, r"at '\$': 'sheets' is a required property"),
        (["sheets", 0, "name"], "a/b", r"at '\$\.sheets\[0\]\.name': .*does not match"),
        (
            ["sheets", 0, "tables", 0, "columns", 1, "unit"],
            "万元",
            r"at '\$\.sheets\[0\]\.tables\[0\]\.columns\[1\]\.unit': '元' was expected",
        ),
        (
            ["sheets", 0, "tables", 0, "rows", 0, 1],
            [1],
            r"rows\[0\]\[1\]: value \[1\] does not fit column type money",
        ),
        (
            ["sheets", 0, "tables", 0, "rows", 0],
            "x",
            r"rows\[0\]: a row must be an array, got 'x'",
        ),
        (
            ["sheets", 0, "tables", 0, "rows", 0, 1],
            "123",
            r"sheets\[0\]\.tables\[0\]\.rows\[0\]\[1\]: value '123' does not fit column type money",
        ),
        (
            ["sheets", 0, "tables", 0, "rows", 1, 3],
            "2026/01/01",
            r"rows\[1\]\[3\]: value '2026/01/01' does not fit column type date",
        ),
        (
            ["sheets", 0, "tables", 0, "rows", 1, 4],
            1.5,
            r"rows\[1\]\[4\]: value 1.5 does not fit column type integer",
        ),
        (
            ["sheets", 0, "tables", 0, "totals", 0],
            3,
            r"tables\[0\]\.totals\[0\]: value 3 does not fit column type text",
        ),
        (
            ["sheets", 0, "tables", 0, "rows", 0],
            ["x"],
            r"rows\[0\]: expected 7 values \(one per column\), got 1",
        ),
        (["metadata", "extra"], [1, 2], r"at '\$\.metadata\.extra': \[1, 2\] is not of type"),
    ],
)
def test_validation_names_the_json_path(path: list[Any], value: Any, match: str) -> None:
    with pytest.raises(ExportError, match=match):
        validate_document(_broken(path, value))


def test_full_schema_checks_rows_too() -> None:
    doc = _broken(["sheets", 0, "tables", 0, "rows", 0, 1], [1])
    with pytest.raises(
        ExportError, match=r"rows\[0\]\[1\]'.*is not of type 'string', 'number', 'null'"
    ):
        validate_document(doc, full_schema=True)
    validate_document(_doc(), full_schema=True)


def test_skeleton_leaves_the_document_alone() -> None:
    doc = _doc()
    before = copy.deepcopy(doc)
    validate_document(doc)
    assert doc == before


def test_reserved_metadata_key() -> None:
    with pytest.raises(ExportError, match=r"metadata key 'created' is reserved"):
        to_document([_sheet()], metadata={"created": "x"})


def test_write_json(tmp_path: Path) -> None:
    target = tmp_path / "filing.json"
    write_json([_sheet()], target, metadata={"seed": 1})
    assert json.loads(target.read_text(encoding="utf-8"))["metadata"]["seed"] == 1
    with pytest.raises(ExportError, match=r"filing.json: file exists; use --force to overwrite"):
        write_json([_sheet()], target)


def test_dumps_handles_empty_tables() -> None:
    block = TableBlock(key="t", title=None, columns=(Column("n", "名称"),), rows=())
    sheet = FilingTable(key="s", sheet="表", sheet_en="S", note="", blocks=(block,))
    doc = to_document([sheet])
    assert json.loads(dumps_document(doc)) == doc


_cells = st.tuples(
    st.text(max_size=12),
    st.integers(min_value=-(10**13), max_value=10**13).map(lambda f: f / 100),
    st.floats(min_value=-2, max_value=2, allow_nan=False),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.none() | st.floats(min_value=0, max_value=1e6, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_cells, max_size=10))
def test_any_table_round_trips_through_json(rows: list[tuple[Any, ...]]) -> None:
    cols = (
        Column("t", "文本"),
        Column("m", "金额", ColumnKind.MONEY),
        Column("p", "比例", ColumnKind.PERCENT),
        Column("d", "日期", ColumnKind.DATE),
        Column("i", "整数", ColumnKind.INTEGER),
        Column("r", "倍数", ColumnKind.RATIO),
    )
    block = TableBlock(key="t", title="标题", columns=cols, rows=tuple(rows))
    sheet = FilingTable(key="s", sheet="表", sheet_en="S", note="n", blocks=(block,))
    doc = json.loads(render_json([sheet]))
    validate_document(doc, full_schema=True)
    assert tables_from_document(doc) == [sheet]


def test_version_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    import abs.filing.json_out as json_mod

    def missing(name: str) -> str:
        raise json_mod.importlib_metadata.PackageNotFoundError(name)

    monkeypatch.setattr(json_mod.importlib_metadata, "version", missing)
    with pytest.raises(ExportError, match=r"the dabs distribution is not installed"):
        software_version()
