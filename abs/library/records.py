"""What the library hands back: frozen records and lists of them that become DataFrames.

Money is kept in integer fen (``*_fen``) and shown in 万元 by :meth:`RecordList.to_frame`;
timestamps are timezone-aware (UTC for saves, the run's own UTC offset for runs).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

import pandas as pd

T = TypeVar("T")

#: Run kinds (``runs.kind``): value → 中文 / English.
RUN_KINDS: dict[str, str] = {
    "base": "基准情景 base case",
    "stress": "压力情景集 stress set",
    "breakeven": "临界值 break-even",
    "montecarlo": "蒙特卡洛 Monte Carlo",
    "filing": "申报表格 filing export (基准+压力+临界值/蒙特卡洛)",
}


def fen_to_wan(fen: int | None) -> float | None:
    """Integer fen → 万元 (exact to the fen, two decimals).

    Examples
    --------
    >>> fen_to_wan(50_000_000_000)
    50000.0
    >>> fen_to_wan(123_456)
    0.123456
    """
    return None if fen is None else round(fen / 1_000_000, 6)


def yuan_to_fen(amount: float) -> int:
    """Yuan (float) → integer fen, as :attr:`abs.asset.Asset.amount_fen` rounds.

    Examples
    --------
    >>> yuan_to_fen(200_000_000.0), yuan_to_fen(0.1 + 0.2)
    (20000000000, 30)
    """
    if not math.isfinite(amount):
        raise ValueError(f"amount must be finite; got {amount!r}")
    return round(amount * 100)


@dataclass(frozen=True)
class VersionInfo:
    """One saved version (``key@number``).

    Attributes
    ----------
    key : str
        The deal's library key.
    number : int
        Version number, 1, 2, 3 … per deal (never reused).
    parent : int or None
        Number of the version this one was saved on top of.
    author, message : str
    created_at : datetime
        UTC.
    deal_sha256, deal_file : str
        SHA-256 and file name of the stored deal file.
    tape_sha256, tape_name : str or None
        Same for the tape, when the deal reads one.
    deal_name : str
        专项计划名称 at that version.
    deal_kind : str or None
        Classification (``pure``, ``labelled``, ``enabled``, ``not_dabs``).
    issue_amount_fen, pool_amount_fen : int
        Sum of tranche balances and 入池金额 in fen.
    asset_count, tranche_count : int
    """

    key: str
    number: int
    parent: int | None
    author: str
    message: str
    created_at: dt.datetime
    deal_sha256: str
    deal_file: str
    tape_sha256: str | None
    tape_name: str | None
    deal_name: str
    deal_kind: str | None
    issue_amount_fen: int
    pool_amount_fen: int | None
    asset_count: int | None
    tranche_count: int
    id: int = field(repr=False, compare=False)

    @property
    def ref(self) -> str:
        """``key@number``."""
        return f"{self.key}@{self.number}"


@dataclass(frozen=True)
class DealInfo:
    """A deal and its newest version."""

    key: str
    deal_name: str
    versions: int
    latest: int
    latest_at: dt.datetime
    latest_author: str
    latest_message: str
    issue_amount_fen: int
    deal_kind: str | None
    archived: bool
    created_at: dt.datetime
    created_by: str


@dataclass(frozen=True)
class SaveResult:
    """Outcome of a save: the version, and whether it is new (False: identical to the newest)."""

    version: VersionInfo
    created: bool


@dataclass(frozen=True)
class Measure:
    """One result measure of a run.

    ``section``: ``base`` (per tranche, the unstressed case), ``pool`` (pool totals, tranche
    ``""``), ``stress`` (per scenario and tranche), ``breakeven`` (scenario = the factor id),
    ``montecarlo``. Values are floats in the engine's units: yuan, years, fractions, multiples;
    ``paid_in_full`` is 1.0/0.0; non-finite values are stored as None.
    """

    section: str
    scenario: str
    tranche: str
    measure: str
    value: float | None


@dataclass(frozen=True)
class NewRun:
    """A run to record: its inputs, environment, results and timings.

    ``id`` is chosen by the caller before the run (it is printed into the workbook it
    produces). ``created_at`` is timezone-aware; its UTC offset is kept so that a re-run
    prints the same timestamp.
    """

    id: str
    kind: str
    created_at: dt.datetime
    author: str
    scenario_count: int
    assumptions: dict[str, Any]
    options: dict[str, Any]
    software: dict[str, Any]
    timings: dict[str, float]
    measures: Sequence[Measure] = ()
    seed: int | None = None
    mc_paths: int | None = None
    stress_set: str | None = None
    stress_content: Any = None
    stress_bytes: bytes | None = None
    stress_file: str | None = None


@dataclass(frozen=True)
class RunInfo:
    """A recorded run (see :class:`NewRun`); ``version`` is ``key@number``."""

    id: str
    version: str
    kind: str
    created_at: dt.datetime
    author: str
    seed: int | None
    mc_paths: int | None
    scenario_count: int
    stress_set: str | None
    stress_content: Any
    stress_sha256: str | None
    stress_file: str | None
    assumptions: dict[str, Any]
    options: dict[str, Any]
    software: dict[str, Any]
    deal_sha256: str
    tape_sha256: str | None
    timings: dict[str, float]
    #: Format of its stored measures: 1 = recorded before schema revision 0004 (names read
    #: under the current keys, see ``abs.library.models.LEGACY_MEASURE_NAMES``), 2 = current.
    measures_format: int = 2

    @property
    def short_id(self) -> str:
        """First 8 characters of the id (unique in practice; commands accept any prefix ≥ 6)."""
        return self.id[:8]


@dataclass(frozen=True)
class ExportInfo:
    """A file a run wrote: path, SHA-256, size, and whether a copy is stored."""

    id: int
    run_id: str
    kind: str
    path: str
    sha256: str
    size: int
    stored: bool
    created_at: dt.datetime
    author: str


@dataclass(frozen=True)
class ArchiveEntry:
    """One archive or restore of a deal."""

    key: str
    action: str
    author: str
    reason: str
    created_at: dt.datetime


#: Columns of :meth:`RecordList.to_frame` that hold fen and are shown in 万元 instead.
_FEN_COLUMNS = {
    "issue_amount_fen": "issue_amount_wan",
    "pool_amount_fen": "pool_amount_wan",
}


class RecordList(Sequence[T], Generic[T]):
    """An immutable list of records with :meth:`to_frame` for quants.

    Examples
    --------
    >>> rows = RecordList([ArchiveEntry("k", "archive", "me", "done", dt.datetime(2026, 1, 1))])
    >>> list(rows.to_frame().columns)
    ['key', 'action', 'author', 'reason', 'created_at']
    """

    def __init__(self, items: Sequence[T], *, flatten: Callable[[T], dict[str, Any]] | None = None):
        self._items = tuple(items)
        self._flatten = flatten

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> RecordList[T]: ...

    def __getitem__(self, index: int | slice) -> T | RecordList[T]:
        if isinstance(index, slice):
            return RecordList(self._items[index], flatten=self._flatten)
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def __repr__(self) -> str:
        return f"RecordList({len(self._items)} records)"

    def to_frame(self) -> pd.DataFrame:
        """One row per record; fen columns become 万元 (``*_wan``)."""
        rows = []
        for item in self._items:
            row = (
                self._flatten(item)
                if self._flatten is not None
                else {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}  # type: ignore[arg-type]
            )
            for fen_col, wan_col in _FEN_COLUMNS.items():
                if fen_col in row:
                    row[wan_col] = fen_to_wan(row.pop(fen_col))
            rows.append(row)
        return pd.DataFrame(rows)
