"""Render filing sheets as one versioned JSON document, validated by a published JSON Schema.

The schema ships with the package as ``abs/filing/filing-schema-1.0.json``
(:func:`load_schema`); ``schema_version`` names it. The document::

    {"schema_version": "1.0", "document": "dabs-filing-tables",
     "generator": {"name": "dabs", "version": "0.1.0"},
     "metadata": {"title": ..., "created": "2026-04-01T09:30:00+08:00", ...},
     "sheets": [{"key": "deal_summary", "name": "产品概要", "name_en": "Deal summary",
                 "note": ..., "notes": [...],
                 "tables": [{"key": ..., "title": ..., "notes": [...],
                             "columns": [{"key": "amount", "label": "入池金额",
                                          "type": "money", "unit": "元", ...}],
                             "rows": [[...], ...], "totals": [...] or null}]}]}

Values: money in 元 rounded to the fen; percentages as fractions (0.5046 = 50.46%); ratios as
multiples; dates ``YYYY-MM-DD``; integers as integers; ``null`` for empty. Text is written as
received (no formula neutralisation: JSON is read by programs, not spreadsheets).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import uuid
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import metadata as importlib_metadata
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from abs.errors import ExportError
from abs.filing.model import (
    JSON_UNITS,
    Cell,
    Column,
    ColumnKind,
    FilingTable,
    TableBlock,
    check_workbook,
)
from abs.filing.rounding import JSON_PRECISION, tie_table

#: Version of the JSON document layout (and of the schema file that describes it).
FILING_SCHEMA_VERSION = "1.0"
#: Package-data file of the schema.
SCHEMA_FILE = f"filing-schema-{FILING_SCHEMA_VERSION}.json"
#: Value of the ``document`` field.
DOCUMENT_KIND = "dabs-filing-tables"

Scalar = str | int | float | bool | None


def software_version() -> str:
    """Installed version of the ``dabs`` distribution (``importlib.metadata``).

    Raises
    ------
    ExportError
        If ``dabs`` is not installed (run ``pip install -e .``): a filing must name the version.
    """
    try:
        return importlib_metadata.version("dabs")
    except importlib_metadata.PackageNotFoundError:
        raise ExportError(
            "filing export: the dabs distribution is not installed, so the software version "
            "cannot be recorded; install it with `pip install -e .`"
        ) from None


@cache
def load_schema() -> dict[str, Any]:
    """The published JSON Schema of the document (draft 2020-12).

    Examples
    --------
    >>> load_schema()["$id"]
    'urn:dabs:filing-schema:1.0'
    """
    text = resources.files("abs.filing").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def json_cell(value: Cell, column: Column) -> Scalar:
    """JSON value of one cell (money rounded to the fen, dates ISO).

    Examples
    --------
    >>> from abs.filing.model import Column, ColumnKind
    >>> json_cell(1234.5678, Column("a", "金额", ColumnKind.MONEY))
    1234.57
    """
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if column.kind is ColumnKind.MONEY:
        return round(value, 2) + 0.0
    return value


def _column_json(c: Column) -> dict[str, Any]:
    unit = c.unit if c.unit is not None else JSON_UNITS[c.kind]
    out: dict[str, Any] = {"key": c.key, "label": c.label, "type": c.kind.value, "unit": unit}
    if c.kind is ColumnKind.NUMBER:
        out["decimals"] = c.decimals
    if c.description:
        out["description"] = c.description
    return out


def _block_json(b: TableBlock) -> dict[str, Any]:
    cols = b.columns
    return {
        "key": b.key,
        "title": b.title,
        "columns": [_column_json(c) for c in cols],
        "rows": [[json_cell(v, c) for v, c in zip(r, cols, strict=True)] for r in b.rows],
        "totals": (
            None
            if b.totals is None
            else [json_cell(v, c) for v, c in zip(b.totals, cols, strict=True)]
        ),
        "totals_label": b.totals_label,
        "notes": list(b.notes),
    }


def to_document(
    tables: Sequence[FilingTable],
    *,
    metadata: Mapping[str, Scalar] | None = None,
    title: str = "数据资产ABS申报表格",
    created: dt.datetime | None = None,
) -> dict[str, Any]:
    """The JSON document (a dict) for ``tables``; see the module docstring for the layout.

    Parameters
    ----------
    tables : sequence of FilingTable
        The sheets, in workbook order.
    metadata : mapping, optional
        Further run facts (string/number/boolean/null values), e.g. input hashes and the seed.
    title : str
        Document title.
    created : datetime, optional
        Run timestamp (default: now, UTC); naive datetimes are taken as UTC.
    """
    check_workbook(tables)
    tables = [tie_table(t, JSON_PRECISION) for t in tables]
    stamp = created or dt.datetime.now(dt.UTC)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    meta: dict[str, Scalar] = {"title": title, "created": stamp.isoformat(timespec="seconds")}
    for k, v in (metadata or {}).items():
        if k in meta:
            raise ExportError(f"json export: metadata key {k!r} is reserved")
        meta[str(k)] = v
    return {
        "schema_version": FILING_SCHEMA_VERSION,
        "document": DOCUMENT_KIND,
        "generator": {"name": "dabs", "version": software_version()},
        "metadata": meta,
        "sheets": [
            {
                "key": t.key,
                "name": t.sheet,
                "name_en": t.sheet_en,
                "note": t.note,
                "notes": list(t.notes),
                "tables": [_block_json(b) for b in t.blocks],
            }
            for t in tables
        ],
    }


def _check_cell(value: Any, kind: str, where: str) -> None:
    ok: bool
    if value is None:
        return
    if kind == "text":
        ok = isinstance(value, str)
    elif kind == "date":
        ok = isinstance(value, str)
        if ok:
            try:
                dt.date.fromisoformat(value)
                ok = len(value) == 10
            except ValueError:
                ok = False
    elif kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)
    if not ok:
        raise ExportError(
            f"json document: {where}: value {value!r} does not fit column type {kind}"
        )


def _skeleton(doc: Any) -> Any:
    """``doc`` with every table's rows emptied (shallow copies; ``doc`` is not modified)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("sheets"), list):
        return doc
    sheets = []
    for sheet in doc["sheets"]:
        if isinstance(sheet, dict) and isinstance(sheet.get("tables"), list):
            tables = [
                {**t, "rows": []} if isinstance(t, dict) and isinstance(t.get("rows"), list) else t
                for t in sheet["tables"]
            ]
            sheet = {**sheet, "tables": tables}
        sheets.append(sheet)
    return {**doc, "sheets": sheets}


def validate_document(doc: Any, *, full_schema: bool = False) -> None:
    """Validate a filing JSON document: the published schema, then each cell against its column.

    The data rows are checked by the per-column checker, which enforces everything the schema's
    row rule says (an array of strings, numbers and nulls) and more (one value per column, of
    the column's type). ``full_schema=True`` additionally runs the schema over every row (slow
    on large tables: jsonschema checks each cell in Python); the tests do both.

    Raises
    ------
    ExportError
        Naming the JSON path of the first problem, the rule and the value.
    """
    validator = jsonschema.Draft202012Validator(
        load_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    target = doc if full_schema else _skeleton(doc)
    error = jsonschema.exceptions.best_match(validator.iter_errors(target))
    if error is not None:
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        shown = repr(error.instance)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        raise ExportError(f"json document: at '${path}': {error.message[:200]}: got {shown}")
    for si, sheet in enumerate(doc["sheets"]):
        for ti, table in enumerate(sheet["tables"]):
            kinds = [c["type"] for c in table["columns"]]
            base = f"sheets[{si}].tables[{ti}]"
            rows = list(enumerate(table["rows"]))
            if table["totals"] is not None:
                rows.append((-1, table["totals"]))
            for ri, row in rows:
                label = f"{base}.totals" if ri < 0 else f"{base}.rows[{ri}]"
                if not isinstance(row, list):
                    raise ExportError(
                        f"json document: {label}: a row must be an array, got {row!r}"
                    )
                if len(row) != len(kinds):
                    raise ExportError(
                        f"json document: {label}: expected {len(kinds)} values (one per column), "
                        f"got {len(row)}"
                    )
                for ci, (value, kind) in enumerate(zip(row, kinds, strict=True)):
                    _check_cell(value, kind, f"{label}[{ci}]")


def render_json(
    tables: Sequence[FilingTable],
    *,
    metadata: Mapping[str, Scalar] | None = None,
    title: str = "数据资产ABS申报表格",
    created: dt.datetime | None = None,
) -> bytes:
    """The validated JSON document as UTF-8 bytes (Chinese unescaped, one line per row).

    Raises
    ------
    ExportError
        If the document fails validation (a bug or bad metadata), naming the JSON path.
    """
    doc = to_document(tables, metadata=metadata, title=title, created=created)
    validate_document(doc)
    return dumps_document(doc).encode("utf-8")


def dumps_document(doc: Mapping[str, Any]) -> str:
    """Serialise a document: indented structure, each table row on one line."""
    placeholder = f"@@rows-{uuid.uuid4().hex}@@"
    row_text: list[str] = []
    sheets = []
    for sheet in doc["sheets"]:
        tables = []
        for table in sheet["tables"]:
            rows = table["rows"]
            body = ",\n".join(json.dumps(r, ensure_ascii=False, allow_nan=False) for r in rows)
            row_text.append(f"[\n{body}\n]" if rows else "[]")
            tables.append({**table, "rows": placeholder})
        sheets.append({**sheet, "tables": tables})
    text = json.dumps({**doc, "sheets": sheets}, ensure_ascii=False, indent=1, allow_nan=False)
    parts = text.split(json.dumps(placeholder))
    out = [parts[0]]
    for rows_json, rest in zip(row_text, parts[1:], strict=True):
        out.append(rows_json)
        out.append(rest)
    return "".join(out) + "\n"


def _cell_from_json(value: Any, column: Column) -> Cell:
    if value is not None and column.kind is ColumnKind.DATE:
        return dt.date.fromisoformat(value)
    return value  # type: ignore[no-any-return]


def tables_from_document(doc: Mapping[str, Any]) -> list[FilingTable]:
    """Rebuild :class:`FilingTable` objects from a (validated) document.

    Raises
    ------
    ExportError
        If the document fails :func:`validate_document`.
    """
    validate_document(doc)
    tables: list[FilingTable] = []
    for sheet in doc["sheets"]:
        blocks = []
        for tb in sheet["tables"]:
            cols = tuple(
                Column(
                    key=c["key"],
                    label=c["label"],
                    kind=ColumnKind(c["type"]),
                    unit=(
                        c["unit"]
                        if c["type"] == "number" or c["unit"] != JSON_UNITS[ColumnKind(c["type"])]
                        else None
                    ),
                    decimals=c.get("decimals", 2),
                    description=c.get("description", ""),
                )
                for c in tb["columns"]
            )
            rows = tuple(
                tuple(_cell_from_json(v, c) for v, c in zip(r, cols, strict=True))
                for r in tb["rows"]
            )
            totals = (
                None
                if tb["totals"] is None
                else tuple(_cell_from_json(v, c) for v, c in zip(tb["totals"], cols, strict=True))
            )
            blocks.append(
                TableBlock(
                    key=tb["key"],
                    title=tb["title"],
                    columns=cols,
                    rows=rows,
                    totals=totals,
                    notes=tuple(tb["notes"]),
                    totals_label=tb.get("totals_label", "合计"),
                )
            )
        tables.append(
            FilingTable(
                key=sheet["key"],
                sheet=sheet["name"],
                sheet_en=sheet["name_en"],
                note=sheet["note"],
                blocks=tuple(blocks),
                notes=tuple(sheet["notes"]),
            )
        )
    return tables


def write_json(
    tables: Sequence[FilingTable],
    path: str | os.PathLike[str],
    *,
    metadata: Mapping[str, Scalar] | None = None,
    title: str = "数据资产ABS申报表格",
    created: dt.datetime | None = None,
    force: bool = False,
) -> Path:
    """Render, validate and write the JSON document atomically to ``path``.

    Raises
    ------
    ExportError
        Validation failure, missing folder, no permission, or an existing file without ``force``.
    """
    from abs.io import atomic_write_bytes

    data = render_json(tables, metadata=metadata, title=title, created=created)
    return atomic_write_bytes(path, data, force=force)
