"""Rounding that ties: every number of a sheet at the precision it is shown, totals that add up.

A filing team copies the workbook's cells into the 计划说明书. A cell must therefore hold what
it shows (no hidden decimals), and every total must equal the sum of the shown parts. The
writers call :func:`tie_table` with the precision of their format (:data:`XLSX_PRECISION`:
money in 0.01 万元, percentages in 0.01%, ratios in 0.01, ``number`` columns at their
``decimals``; :data:`CSV_PRECISION` and :data:`JSON_PRECISION`: money to the fen). The
convention, per block:

* **Summed columns** (those with a value in the totals row, money and percentages): the total
  is the exact sum of the unrounded parts, rounded half away from zero to the shown unit; the
  parts are allocated to that total so they add up to it exactly, each rounded down or up
  (never further than one unit from its exact value). Unordered tables (distributions, asset
  list, top 20, tranches) give the units left over to the parts with the largest remainders
  (largest-remainder / Hamilton method; ties go to the earlier row). Time series
  (:attr:`TableBlock.running`: 现金流归集表, 证券兑付表) round the running total instead
  (``part_t = round(S_t) − round(S_{t−1})``), so every cumulative figure ties as well.
* **Derived columns** (:attr:`TableBlock.derived`, e.g. 现金流 = 本金 + 利息 + 超额收益) are
  the sum of their rounded parts, row by row and in the totals row.
* **Balances** (:attr:`TableBlock.balances`, e.g. 期初本金 − 本金 = 期末本金): when the exact
  rows satisfy the roll-forward to the fen, the rounded balance is carried from the rounded
  opening balance by the rounded flows, so the roll-forward ties in every row too.
* **Other numbers** are rounded on their own (money half away from zero in integer fen, other
  kinds with :func:`round`).

Money stays in 元 in the model; a tied money cell holds a whole multiple of the unit (100 元
for the workbook), so the xlsx writer's 元 → 万元 conversion is exact.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from abs.filing.model import Cell, ColumnKind, FilingTable, TableBlock


@dataclass(frozen=True)
class Precision:
    """The unit each kind of number is shown (and stored) at in one output format.

    Attributes
    ----------
    money_fen : int
        Money unit in fen: 10,000 (0.01 万元) for the workbook, 1 for CSV/JSON.
    percent_decimals : int or None
        Decimals of the stored fraction (4 = ``0.00%``); ``None`` leaves percentages raw.
    ratio_decimals : int or None
        Decimals of ratio columns (倍); ``None`` leaves them raw.
    number_decimals : bool
        Round ``number`` columns to their :attr:`Column.decimals`.
    """

    money_fen: int
    percent_decimals: int | None
    ratio_decimals: int | None
    number_decimals: bool


#: What the workbook shows: ``#,##0.00`` 万元, ``0.00%``, ``0.00`` 倍, number decimals.
XLSX_PRECISION = Precision(
    money_fen=10_000, percent_decimals=4, ratio_decimals=2, number_decimals=True
)


#: CSV: 元 to the fen, percentage points with 4 decimals (fraction to 1e-6), ratios 4 decimals.
CSV_PRECISION = Precision(money_fen=1, percent_decimals=6, ratio_decimals=4, number_decimals=False)
#: JSON: 元 to the fen; fractions, ratios and numbers as computed (for programs).
JSON_PRECISION = Precision(
    money_fen=1, percent_decimals=None, ratio_decimals=None, number_decimals=False
)


def _half_away(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half away from zero, in integers."""
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q


def allocate(units: Sequence[float], *, running: bool) -> tuple[list[int], int]:
    """Whole units for ``units`` (exact values in units) that add up to their rounded sum.

    Returns the allocated parts and the total. ``running``: round the running sum (time
    series); else largest remainder (ties to the earlier row).

    Examples
    --------
    >>> allocate([33.4, 33.3, 33.3], running=False)
    ([34, 33, 33], 100)
    >>> allocate([0.6, 0.6, 0.6], running=True)
    ([1, 0, 1], 2)
    """
    total = _round_half_away(math.fsum(units))
    if not units:
        return [], total
    if running:
        out: list[int] = []
        previous, cumulative = 0, 0.0
        for u in units:
            cumulative += u
            now = _round_half_away(cumulative)
            out.append(now - previous)
            previous = now
        out[-1] += total - previous  # the float running sum may differ from fsum by a hair
        return out, total
    floors = [math.floor(u) for u in units]
    left = total - sum(floors)
    order = sorted(range(len(units)), key=lambda i: (-(units[i] - floors[i]), i))
    if left >= 0:
        for i in order[:left]:
            floors[i] += 1
    else:  # cannot happen for exact sums; kept so the parts always add up
        for i in order[::-1][:-left]:
            floors[i] -= 1
    return floors, total


def _round_half_away(x: float) -> int:
    return math.floor(abs(x) + 0.5) * (1 if x >= 0 else -1)


def _unit_of(kind: ColumnKind, decimals: int, p: Precision) -> float | None:
    """The shown unit of a non-money kind (``None``: left as it is)."""
    if kind is ColumnKind.PERCENT and p.percent_decimals is not None:
        return 10.0**-p.percent_decimals
    if kind is ColumnKind.RATIO and p.ratio_decimals is not None:
        return 10.0**-p.ratio_decimals
    if kind is ColumnKind.NUMBER and p.number_decimals:
        return 10.0**-decimals
    return None


def _decimals_of(kind: ColumnKind, decimals: int, p: Precision) -> int:
    if kind is ColumnKind.PERCENT:
        return p.percent_decimals or 0
    if kind is ColumnKind.RATIO:
        return p.ratio_decimals or 0
    return decimals


def _num(value: Cell) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _back(units: int, kind: ColumnKind, decimals: int, precision: Precision) -> float:
    """A whole number of shown units as the model holds it (money in 元, else the value)."""
    if kind is ColumnKind.MONEY:
        return units * (precision.money_fen / 100.0)
    return round(units / 10.0**decimals, decimals)


def _exact_units(value: float, kind: ColumnKind, decimals: int, precision: Precision) -> float:
    """``value`` in shown units, unrounded (money through integer fen)."""
    if kind is ColumnKind.MONEY:
        return round(value * 100) / precision.money_fen
    return value * 10.0**decimals


def _round_one(value: float, kind: ColumnKind, decimals: int, precision: Precision) -> float:
    if kind is ColumnKind.MONEY:
        units = _half_away(round(value * 100), precision.money_fen)
        return _back(units, kind, decimals, precision)
    return round(value, decimals)


def tie_block(block: TableBlock, precision: Precision) -> TableBlock:
    """``block`` with every number at ``precision`` and its totals tied (module docstring)."""
    rows = [list(r) for r in block.rows]
    totals: list[Cell] | None = None if block.totals is None else list(block.totals)
    derived = dict(block.derived)
    for i, col in enumerate(block.columns):
        kind = col.kind
        if kind in (ColumnKind.TEXT, ColumnKind.DATE, ColumnKind.INTEGER) or col.key in derived:
            continue
        if kind is not ColumnKind.MONEY and _unit_of(kind, col.decimals, precision) is None:
            continue
        decimals = _decimals_of(kind, col.decimals, precision)
        present = [(r, v) for r, v in ((r, _num(row[i])) for r, row in enumerate(rows))]
        values = [(r, v) for r, v in present if v is not None]
        total = None if totals is None else _num(totals[i])
        if totals is not None and total is not None and values:
            exact = [_exact_units(v, kind, decimals, precision) for _, v in values]
            parts, whole = allocate(exact, running=block.running)
            for (r, _), u in zip(values, parts, strict=True):
                rows[r][i] = _back(u, kind, decimals, precision)
            totals[i] = _back(whole, kind, decimals, precision)
            continue
        for r, v in values:
            rows[r][i] = _round_one(v, kind, decimals, precision)
        if totals is not None and total is not None:
            totals[i] = _round_one(total, kind, decimals, precision)
    _apply_balances(block, rows)
    _apply_derived(block, rows, totals)
    # the block was validated when built and only finite floats changed (canonical cells of
    # numeric columns), so the copy skips the per-cell re-validation (most of the time on a
    # 10,000-asset list)
    tied = copy.copy(block)
    object.__setattr__(tied, "rows", tuple(tuple(r) for r in rows))
    object.__setattr__(tied, "totals", None if totals is None else tuple(totals))
    return tied


def _apply_derived(block: TableBlock, rows: list[list[Cell]], totals: list[Cell] | None) -> None:
    for key, parts in block.derived:
        i = block.column_index(key)
        idx = [block.column_index(p) for p in parts]
        for target in [*rows, *([totals] if totals is not None else [])]:
            values = [v for v in (_num(target[j]) for j in idx) if v is not None]
            if _num(target[i]) is not None or values:
                target[i] = round(math.fsum(values), 2)


def _fen_of(value: Cell) -> int | None:
    number = _num(value)
    return None if number is None else round(number * 100)


def _apply_balances(block: TableBlock, rows: list[list[Cell]]) -> None:
    """Carry each balance from its rounded opening value by the rounded flows (when exact)."""
    for opening_key, flow_key, closing_key in block.balances:
        o, f, c = (block.column_index(k) for k in (opening_key, flow_key, closing_key))
        fen = [(_fen_of(r[o]), _fen_of(r[f]), _fen_of(r[c])) for r in block.rows]
        if not rows or any(x is None for triple in fen for x in triple):
            continue
        ok = all(abs(a - b - c_) <= 1 for a, b, c_ in fen)  # type: ignore[operator]
        ok = ok and all(abs(x[2] - y[0]) <= 1 for x, y in itertools.pairwise(fen))  # type: ignore[operator]
        if not ok:
            continue
        balance = _num(rows[0][o]) or 0.0
        for r in rows:
            r[o] = balance
            balance = round(balance - (_num(r[f]) or 0.0), 2) + 0.0
            r[c] = balance


def tie_table(table: FilingTable, precision: Precision) -> FilingTable:
    """Every block of ``table`` through :func:`tie_block`."""
    return dataclasses.replace(table, blocks=tuple(tie_block(b, precision) for b in table.blocks))
