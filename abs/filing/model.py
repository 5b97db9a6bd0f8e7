"""The filing table model: sheets (:class:`FilingTable`) made of typed rectangular blocks.

A filing workbook is a list of :class:`FilingTable`, one per sheet, in the order they appear.
Each sheet holds one or more :class:`TableBlock` (a title, typed columns, rows, an optional
totals row and notes). The writers (:mod:`abs.filing.xlsx`, :mod:`abs.filing.csv_out`,
:mod:`abs.filing.json_out`) render the same tables; only the presentation of units differs:

========  ===========================  ======================  ==========================
kind      value held in the model      xlsx                    CSV / JSON
========  ===========================  ======================  ==========================
text      ``str``                      text (neutralised)      text (CSV neutralised)
money     ``float`` yuan (元)           万元, ``#,##0.00``       元 to the fen
percent   ``float`` fraction (0.25)    ``0.00%``               CSV: percentage points;
                                                               JSON: the fraction
ratio     ``float`` multiple (1.35)    ``0.00`` (倍)            4 decimals / raw
date      ``datetime.date``            ``yyyy-mm-dd``          ISO ``YYYY-MM-DD``
integer   ``int``                      ``#,##0``               integer
number    ``float`` (unit in column)   ``0.00`` (decimals)     raw
========  ===========================  ======================  ==========================

``None`` is an empty cell in every kind. Non-finite numbers are rejected: a builder must decide
what an undefined figure (e.g. a coverage multiple with nothing owed) means and say so in a note.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from abs.errors import ExportError

#: A cell value as held by the model (see the module table for what each kind accepts).
Cell = str | float | int | dt.date | None

#: Excel's limits on sheet names (length and forbidden characters).
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = frozenset("[]:*?/\\")

#: Label of the first cell of a totals row.
TOTAL_LABEL = "合计"

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class ColumnKind(StrEnum):
    """Type of a column: decides validation, number format and unit in each output."""

    TEXT = "text"
    MONEY = "money"
    PERCENT = "percent"
    RATIO = "ratio"
    DATE = "date"
    INTEGER = "integer"
    NUMBER = "number"


#: Unit shown in the xlsx header, by kind (money is converted to 万元 in the workbook).
XLSX_UNITS: dict[ColumnKind, str] = {
    ColumnKind.MONEY: "万元",
    ColumnKind.RATIO: "倍",
}

#: Unit shown in CSV headers, by kind (money stays in 元, percent in percentage points).
CSV_UNITS: dict[ColumnKind, str] = {
    ColumnKind.MONEY: "元",
    ColumnKind.PERCENT: "%",
    ColumnKind.RATIO: "倍",
}

#: Unit recorded for each column in the JSON document.
JSON_UNITS: dict[ColumnKind, str | None] = {
    ColumnKind.TEXT: None,
    ColumnKind.MONEY: "元",
    ColumnKind.PERCENT: "fraction",
    ColumnKind.RATIO: "倍",
    ColumnKind.DATE: "ISO 8601 date",
    ColumnKind.INTEGER: None,
    ColumnKind.NUMBER: None,
}


@dataclass(frozen=True)
class Column:
    """One typed column.

    Parameters
    ----------
    key : str
        Stable English identifier (``snake_case``), the column's name in JSON.
    label : str
        Chinese header a filing team reads (without unit; the writers add it).
    kind : ColumnKind
        Value type (see the module table).
    unit : str or None
        Unit of a ``number`` column (e.g. ``"年"``), shown in every header.
    decimals : int
        Decimals shown for ``number`` columns in the workbook.
    description : str
        What the column means and which rule it answers (documentation and JSON).

    Examples
    --------
    >>> Column("amount", "入池金额", ColumnKind.MONEY).header("xlsx")
    '入池金额(万元)'
    >>> Column("amount", "入池金额", ColumnKind.MONEY).header("csv")
    '入池金额(元)'
    """

    key: str
    label: str
    kind: ColumnKind = ColumnKind.TEXT
    unit: str | None = None
    decimals: int = 2
    description: str = ""

    def __post_init__(self) -> None:
        if not _KEY_RE.match(self.key):
            raise ExportError(
                f"column {self.label!r}: key must be snake_case ASCII "
                f"(letters, digits, '_', starting with a letter), got {self.key!r}"
            )
        if not self.label.strip():
            raise ExportError(f"column {self.key!r}: label must not be empty")
        if not 0 <= self.decimals <= 10:
            raise ExportError(
                f"column {self.key!r}: decimals must be between 0 and 10, got {self.decimals!r}"
            )
        object.__setattr__(self, "kind", ColumnKind(self.kind))

    def header(self, target: str) -> str:
        """Header text for ``target`` (``"xlsx"``, ``"csv"`` or ``"json"``) with its unit."""
        if self.unit is not None:
            unit: str | None = self.unit
        elif target == "xlsx":
            unit = XLSX_UNITS.get(self.kind)
        elif target == "csv":
            unit = CSV_UNITS.get(self.kind)
        else:
            unit = JSON_UNITS.get(self.kind)
        return f"{self.label}({unit})" if unit else self.label


def _where(block: str, row: int | str, column: Column) -> str:
    return f"table {block!r}, row {row}, column {column.key!r} ({column.label})"


def normalise_cell(value: Any, column: Column, *, where: str) -> Cell:
    """Check ``value`` against ``column.kind`` and return it in canonical form.

    Numbers become ``float`` (``int`` for integer columns), datetimes become dates; numpy
    scalars are accepted.

    Raises
    ------
    ExportError
        If the value does not fit the column's kind, naming ``where``, the rule and the value.
    """
    if value is None:
        return None
    kind = column.kind
    if kind is ColumnKind.TEXT:
        if not isinstance(value, str):
            raise ExportError(f"{where}: text column needs a str, got {value!r}")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ExportError(
                    f"{where}: text contains an unpaired surrogate U+{ord(value[exc.start]):04X} "
                    f"at position {exc.start} (not valid Unicode text)"
                ) from None
        return value
    if kind is ColumnKind.DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raise ExportError(f"{where}: date column needs a datetime.date, got {value!r}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ExportError(f"{where}: {kind.value} column needs a number, got {value!r}")
    if kind is ColumnKind.INTEGER:
        if isinstance(value, numbers.Integral):
            return int(value)
        as_float = float(value)
        if math.isfinite(as_float) and as_float.is_integer():
            return int(as_float)
        raise ExportError(f"{where}: integer column needs a whole number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ExportError(
            f"{where}: {kind.value} column needs a finite number "
            f"(leave the cell empty and explain in a note instead), got {value!r}"
        )
    return number


#: The exact type a value of each kind has once normalised (checked first, for speed).
_CANONICAL: dict[ColumnKind, type] = {
    ColumnKind.TEXT: str,
    ColumnKind.MONEY: float,
    ColumnKind.PERCENT: float,
    ColumnKind.RATIO: float,
    ColumnKind.NUMBER: float,
    ColumnKind.INTEGER: int,
    ColumnKind.DATE: dt.date,
}


@dataclass(frozen=True)
class TableBlock:
    """One rectangular table inside a sheet.

    Parameters
    ----------
    key : str
        Stable English identifier of the block within its sheet (``snake_case``).
    title : str or None
        Chinese title shown above the header (``None``: no title row).
    columns : sequence of Column
        The typed columns; keys are unique.
    rows : sequence of sequence
        Data rows, one value per column (validated and normalised on construction).
    totals : sequence or None
        The totals row (same length as ``columns``), shown bold; ``None`` for no totals.
    notes : sequence of str
        Footnotes printed under the block.
    totals_label : str
        Label of the totals row; the xlsx and CSV writers show it in the first cell of the
        totals row when that cell is empty (e.g. above a 期数 or 序号 column).
    running : bool
        The rows are a time series: rounding ties running totals (see
        :mod:`abs.filing.rounding`); otherwise largest remainder.
    derived : sequence of (key, parts)
        Columns that are the sum of other columns in every row and in the totals (现金流 =
        本金 + 利息 + 超额收益); once rounded they are recomputed from the rounded parts.
    balances : sequence of (opening, flow, closing)
        Roll-forwards ``closing = opening − flow`` (and the next row's opening = this closing)
        that rounding keeps when the exact rows satisfy them to the fen.

    Raises
    ------
    ExportError
        On a wrong row length or a value that does not fit its column, naming the row.
    """

    key: str
    title: str | None
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    totals: tuple[Cell, ...] | None = None
    notes: tuple[str, ...] = ()
    totals_label: str = TOTAL_LABEL
    running: bool = False
    derived: tuple[tuple[str, tuple[str, ...]], ...] = ()
    balances: tuple[tuple[str, str, str], ...] = ()

    def __post_init__(self) -> None:
        cols = tuple(self.columns)
        if not _KEY_RE.match(self.key):
            raise ExportError(
                f"table {self.title!r}: key must be snake_case ASCII, got {self.key!r}"
            )
        if not cols:
            raise ExportError(f"table {self.key!r}: needs at least one column")
        keys = [c.key for c in cols]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ExportError(f"table {self.key!r}: column keys must be unique; duplicated: {dup}")
        object.__setattr__(self, "columns", cols)
        object.__setattr__(
            self, "rows", tuple(self._row(r, i + 1) for i, r in enumerate(self.rows))
        )
        if self.totals is not None:
            object.__setattr__(self, "totals", self._row(self.totals, TOTAL_LABEL))
        object.__setattr__(self, "notes", tuple(self.notes))
        for key, parts in self.derived:
            for k in (key, *parts):
                self.column_index(k)
        for triple in self.balances:
            for k in triple:
                self.column_index(k)

    def _row(self, row: Sequence[Any], number: int | str) -> tuple[Cell, ...]:
        cols = self.columns
        if len(row) != len(cols):
            raise ExportError(
                f"table {self.key!r}, row {number}: "
                f"expected {len(cols)} values (one per column), got {len(row)}"
            )
        out: list[Cell] = []
        for v, c in zip(row, cols, strict=True):
            t = type(v)
            # fast path: a value already in canonical form passes unchanged
            if v is None or (
                t is _CANONICAL[c.kind]
                and (t is not float or math.isfinite(v))
                and (t is not str or v.isascii())
            ):
                out.append(v)
            else:
                out.append(normalise_cell(v, c, where=_where(self.key, number, c)))
        return tuple(out)

    @property
    def keys(self) -> tuple[str, ...]:
        """Column keys in order."""
        return tuple(c.key for c in self.columns)

    def column_index(self, key: str) -> int:
        """Position of the column ``key``.

        Raises
        ------
        ExportError
            If the block has no such column.
        """
        try:
            return self.keys.index(key)
        except ValueError:
            raise ExportError(
                f"table {self.key!r}: no column {key!r}; columns are {list(self.keys)}"
            ) from None

    def values(self, key: str) -> list[Cell]:
        """All data values of column ``key`` (totals row excluded)."""
        i = self.column_index(key)
        return [r[i] for r in self.rows]

    @classmethod
    def from_records(
        cls,
        *,
        key: str,
        title: str | None,
        columns: Sequence[Column],
        records: Iterable[Mapping[str, Any]],
        totals: Mapping[str, Any] | None = None,
        notes: Sequence[str] = (),
    ) -> TableBlock:
        """Build a block from mappings keyed by column key (missing keys are empty cells).

        Examples
        --------
        >>> cols = [Column("name", "名称"), Column("amount", "金额", ColumnKind.MONEY)]
        >>> b = TableBlock.from_records(key="t", title=None, columns=cols,
        ...                             records=[{"name": "甲", "amount": 100}])
        >>> b.rows
        (('甲', 100.0),)
        """
        keys = [c.key for c in columns]
        rows = [tuple(rec.get(k) for k in keys) for rec in records]
        total_row = None if totals is None else tuple(totals.get(k) for k in keys)
        return cls(
            key=key,
            title=title,
            columns=tuple(columns),
            rows=tuple(rows),
            totals=total_row,
            notes=tuple(notes),
        )

    def with_sum_totals(self, keys: Iterable[str], *, label: str = TOTAL_LABEL) -> TableBlock:
        """A copy with a totals row: the sum of each column in ``keys``, labelled ``label``.

        Money sums are taken exactly (:func:`math.fsum`) and rounded to the fen; integer sums are
        exact; other columns in ``keys`` are summed with :func:`math.fsum`; a column with no
        values at all gets an empty total. The first column
        carries the label (written into it when it is a text column, else shown by the writers
        from :attr:`totals_label`), so it cannot be summed.

        Raises
        ------
        ExportError
            If a key is unknown, names the first column, or names a text/date column.
        """
        wanted = list(keys)
        first = self.columns[0]
        if first.key in wanted:
            raise ExportError(
                f"table {self.key!r}: the first column {first.key!r} holds the totals label "
                f"and cannot be summed"
            )
        out: list[Cell] = [None] * len(self.columns)
        if first.kind is ColumnKind.TEXT:
            out[0] = label
        for k in wanted:
            i = self.column_index(k)
            col = self.columns[i]
            vals = [v for v in (r[i] for r in self.rows) if v is not None]
            if col.kind in (ColumnKind.TEXT, ColumnKind.DATE):
                raise ExportError(f"table {self.key!r}: cannot sum {col.kind.value} column {k!r}")
            if not vals:
                continue  # nothing to add up: the total stays empty, not a misleading 0
            if col.kind is ColumnKind.INTEGER:
                out[i] = sum(int(v) for v in vals if isinstance(v, int))
            else:
                total = math.fsum(float(v) for v in vals if isinstance(v, int | float))
                out[i] = round(total, 2) if col.kind is ColumnKind.MONEY else total
        return dataclasses.replace(self, totals=tuple(out), totals_label=label)

    def shown_totals(self) -> tuple[Cell, ...] | None:
        """The totals row as displayed: :attr:`totals_label` in an empty first cell."""
        if self.totals is None:
            return None
        if self.totals[0] is None:
            return (self.totals_label, *self.totals[1:])
        return self.totals


@dataclass(frozen=True)
class FilingTable:
    """One sheet of the filing workbook.

    Parameters
    ----------
    key : str
        Stable English identifier (``snake_case``), e.g. ``"deal_summary"``; JSON and file names.
    sheet : str
        Chinese sheet name (Excel rules: at most 31 characters, none of ``[]:*?/\\``).
    sheet_en : str
        English sheet name, shown in the header note.
    note : str
        One-line header note (units, basis, scenario) shown under the sheet title.
    blocks : sequence of TableBlock
        The tables of the sheet, top to bottom; block keys are unique.
    notes : sequence of str
        Sheet-level footnotes (after the last block).

    Examples
    --------
    >>> cols = (Column("item", "项目"), Column("value", "数值", ColumnKind.MONEY))
    >>> t = FilingTable(key="demo", sheet="示例", sheet_en="Demo", note="金额单位：万元",
    ...                 blocks=(TableBlock(key="main", title=None, columns=cols,
    ...                                    rows=(("发行规模", 5e8),)),))
    >>> t.block("main").rows[0][1]
    500000000.0
    """

    key: str
    sheet: str
    sheet_en: str
    note: str
    blocks: tuple[TableBlock, ...]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _KEY_RE.match(self.key):
            raise ExportError(
                f"sheet {self.sheet!r}: key must be snake_case ASCII, got {self.key!r}"
            )
        check_sheet_name(self.sheet)
        blocks = tuple(self.blocks)
        if not blocks:
            raise ExportError(f"sheet {self.sheet!r}: needs at least one table")
        keys = [b.key for b in blocks]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ExportError(f"sheet {self.sheet!r}: table keys must be unique; duplicated: {dup}")
        object.__setattr__(self, "blocks", blocks)
        object.__setattr__(self, "notes", tuple(self.notes))

    def block(self, key: str) -> TableBlock:
        """The block called ``key``.

        Raises
        ------
        ExportError
            If the sheet has no such block.
        """
        for b in self.blocks:
            if b.key == key:
                return b
        raise ExportError(
            f"sheet {self.sheet!r}: no table {key!r}; tables are {[b.key for b in self.blocks]}"
        )


def check_sheet_name(name: str) -> str:
    """Return ``name`` if Excel accepts it as a sheet name.

    Raises
    ------
    ExportError
        If the name is empty, longer than 31 characters, starts or ends with an apostrophe, or
        contains one of ``[]:*?/\\``.
    """
    if not name or len(name) > SHEET_NAME_MAX:
        raise ExportError(
            f"sheet name {name!r}: must have 1 to {SHEET_NAME_MAX} characters, got {len(name)}"
        )
    bad = sorted(set(name) & SHEET_NAME_FORBIDDEN)
    if bad:
        raise ExportError(f"sheet name {name!r}: must not contain {''.join(bad)!r}")
    if name.startswith("'") or name.endswith("'"):
        raise ExportError(f"sheet name {name!r}: must not start or end with an apostrophe")
    return name


def check_workbook(tables: Sequence[FilingTable]) -> None:
    """Check a list of sheets can form one workbook.

    Raises
    ------
    ExportError
        If the list is empty or two sheets share a name (Excel compares case-insensitively) or a
        key.
    """
    if not tables:
        raise ExportError("filing export: no sheets to write")
    seen: dict[str, str] = {}
    keys: set[str] = set()
    for t in tables:
        folded = t.sheet.casefold()
        if folded in seen:
            raise ExportError(
                f"filing export: sheet name {t.sheet!r} is used twice (Excel ignores case; "
                f"clashes with {seen[folded]!r})"
            )
        seen[folded] = t.sheet
        if t.key in keys:
            raise ExportError(f"filing export: sheet key {t.key!r} is used twice")
        keys.add(t.key)
