"""Deal library (交易库): versioned deals, run history and an audit trail in a real database.

Embedded SQLite by default (``$DABS_DB_URL`` or ``~/.local/share/dabs/library.sqlite``, created
on first use), PostgreSQL for teams (``DABS_DB_URL=postgresql+psycopg://…``): same schema,
same behaviour. What is stored: every saved version of a deal (the deal file and tape bytes,
content-addressed, with author, message, parent and time), every recorded run (inputs, seed,
software versions, measures, timings) and every exported file (path, SHA-256, a stored copy).
Rows are immutable; deals are archived, never deleted. See docs/library.md.

Quants::

    from abs.library import Library
    with Library.open() as lib:
        lib.save_files("qingdao-pure", message="首版 first cut")
        deal = lib.load("qingdao-pure@1")
        lib.log("qingdao-pure").to_frame()
        lib.runs("qingdao-pure").to_frame()

Running a version and recording it, exporting from the library and verifying a workbook are in
:mod:`ui.library_service` (they need the engine, which ``abs`` does not import).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from abs.library.config import ENV_AUTHOR, ENV_DB_URL, default_author, resolve_url
from abs.library.errors import ImmutableError, LibraryError, NotFoundError
from abs.library.records import (
    RUN_KINDS,
    ArchiveEntry,
    DealInfo,
    ExportInfo,
    Measure,
    NewRun,
    RecordList,
    RunInfo,
    SaveResult,
    VersionInfo,
    fen_to_wan,
)

if TYPE_CHECKING:
    from abs.library.diff import FieldChange, StructureDiff, diff_deals
    from abs.library.store import Library, check_key, default_key, parse_ref

# SQLAlchemy and Alembic load on first use, so `dabs` commands that never open the library
# (and quants who only read records) do not pay for importing them.
_LAZY: dict[str, str] = {
    "Library": "abs.library.store",
    "check_key": "abs.library.store",
    "default_key": "abs.library.store",
    "parse_ref": "abs.library.store",
    "FieldChange": "abs.library.diff",
    "StructureDiff": "abs.library.diff",
    "diff_deals": "abs.library.diff",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'abs.library' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "ENV_AUTHOR",
    "ENV_DB_URL",
    "RUN_KINDS",
    "ArchiveEntry",
    "DealInfo",
    "ExportInfo",
    "FieldChange",
    "ImmutableError",
    "Library",
    "LibraryError",
    "Measure",
    "NewRun",
    "NotFoundError",
    "RecordList",
    "RunInfo",
    "SaveResult",
    "StructureDiff",
    "VersionInfo",
    "check_key",
    "default_author",
    "default_key",
    "diff_deals",
    "fen_to_wan",
    "parse_ref",
    "resolve_url",
]
