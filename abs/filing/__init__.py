"""Exchange-filing exports: the 计划说明书 / 存续期报告 tables as xlsx, CSV and versioned JSON.

Writers take plain tables (:class:`FilingTable` sheets of typed :class:`TableBlock` blocks) and
know nothing of the engine; the sheet builders in :mod:`abs.filing.sheets` turn DataFrames and
dicts into those tables, and ``scenarios.filing_package`` assembles a whole deal's package.

Units: money in the model is 元 (yuan, float); the workbook shows 万元 with two decimals, CSV and
JSON keep 元 to the fen. Percentages are fractions in the model and JSON; dates are
``datetime.date`` / ISO ``YYYY-MM-DD``.

Examples
--------
>>> from abs.filing import Column, ColumnKind, FilingTable, TableBlock, render_csv
>>> cols = (Column("item", "项目"), Column("amount", "金额", ColumnKind.MONEY))
>>> sheet = FilingTable(key="demo", sheet="示例", sheet_en="Demo", note="金额单位：万元",
...                     blocks=(TableBlock(key="main", title=None, columns=cols,
...                                        rows=(("优先A", 4.5e8),)),))
>>> sorted(render_csv([sheet]))
['01_示例.csv']
"""

from __future__ import annotations

from abs.filing.csv_out import CSV_ENCODINGS, render_csv, write_csv
from abs.filing.files import FileOutput, FolderOutput, check_outputs, write_outputs
from abs.filing.json_out import (
    FILING_SCHEMA_VERSION,
    load_schema,
    render_json,
    tables_from_document,
    validate_document,
    write_json,
)
from abs.filing.model import Cell, Column, ColumnKind, FilingTable, TableBlock
from abs.filing.sanitize import FORMULA_TRIGGERS, is_risky, neutralise_csv, unneutralise_csv
from abs.filing.xlsx import WorkbookProperties, render_xlsx, write_xlsx

__all__ = [
    "CSV_ENCODINGS",
    "FILING_SCHEMA_VERSION",
    "FORMULA_TRIGGERS",
    "Cell",
    "Column",
    "ColumnKind",
    "FileOutput",
    "FilingTable",
    "FolderOutput",
    "TableBlock",
    "WorkbookProperties",
    "check_outputs",
    "is_risky",
    "load_schema",
    "neutralise_csv",
    "render_csv",
    "render_json",
    "render_xlsx",
    "tables_from_document",
    "unneutralise_csv",
    "validate_document",
    "write_csv",
    "write_json",
    "write_outputs",
    "write_xlsx",
]
