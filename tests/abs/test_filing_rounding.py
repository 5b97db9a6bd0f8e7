"""Rounding that ties (abs.filing.rounding): hand-checked allocations and the invariants."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from abs.filing import Column, ColumnKind, TableBlock
from abs.filing.rounding import XLSX_PRECISION, allocate, tie_block

MONEY, PERCENT = ColumnKind.MONEY, ColumnKind.PERCENT


@pytest.mark.parametrize(
    ("units", "running", "parts", "total"),
    [
        ([33.4, 33.3, 33.3], False, [34, 33, 33], 100),  # 100.0 shared out: largest first
        ([1 / 3, 1 / 3, 1 / 3], False, [1, 0, 0], 1),  # equal remainders: earlier row
        ([0.6, 0.6, 0.6], True, [1, 0, 1], 2),  # running: round(S_t) - round(S_t-1)
        ([0.6, 0.6, 0.6], False, [1, 1, 0], 2),
        ([2.5, -1.5], False, [3, -2], 1),  # floors 2, -2; one unit to the first
        ([], False, [], 0),
        ([], True, [], 0),
    ],
)
def test_allocate_by_hand(units: list[float], running: bool, parts: list[int], total: int) -> None:
    assert allocate(units, running=running) == (parts, total)


@given(
    st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=60),
    st.booleans(),
)
def test_allocate_ties_and_stays_within_a_unit(fen: list[int], running: bool) -> None:
    units = [f / 10_000 for f in fen]  # whole fen shown in 0.01 万元
    parts, total = allocate(units, running=running)
    assert sum(parts) == total
    assert abs(total - math.fsum(units)) <= 0.5 + 1e-9
    for p, u in zip(parts, units, strict=True):
        assert math.floor(u) <= p <= math.ceil(u)


def _block(**kw: object) -> TableBlock:
    cols = (
        Column("period", "期数", ColumnKind.INTEGER),
        Column("opening", "期初本金", MONEY),
        Column("principal", "本金", MONEY),
        Column("interest", "利息", MONEY),
        Column("cashflow", "现金流", MONEY),
        Column("closing", "期末本金", MONEY),
    )
    # 1,000,000.00 repaid in three equal thirds; interest with odd fen
    third = 333_333.33
    last = 1_000_000.0 - 2 * third
    rows = (
        (1, 1_000_000.0, third, 12_345.67, third + 12_345.67, 1_000_000.0 - third),
        (2, 1_000_000.0 - third, third, 8_230.44, third + 8_230.44, last),
        (3, last, last, 4_115.22, last + 4_115.22, 0.0),
    )
    block = TableBlock(key="t", title=None, columns=cols, rows=rows, **kw)  # type: ignore[arg-type]
    return block.with_sum_totals(["principal", "interest", "cashflow"])


def test_tie_block_time_series_by_hand() -> None:
    block = _block(
        running=True,
        derived=(("cashflow", ("principal", "interest")),),
        balances=(("opening", "principal", "closing"),),
    )
    tied = tie_block(block, XLSX_PRECISION)
    # 本金 333,333.33 ×2 and 333,333.34: running totals 33.33 / 66.67 / 100.00 万元
    assert [r[2] for r in tied.rows] == [333_300.0, 333_400.0, 333_300.0]
    # 利息 1.234567 / 0.823044 / 0.411522 万元 → running 1.23 / 2.06 / 2.47
    assert [r[3] for r in tied.rows] == [12_300.0, 8_300.0, 4_100.0]
    assert [r[4] for r in tied.rows] == [345_600.0, 341_700.0, 337_400.0]
    assert [(r[1], r[5]) for r in tied.rows] == [
        (1_000_000.0, 666_700.0),
        (666_700.0, 333_300.0),
        (333_300.0, 0.0),
    ]
    assert tied.totals == (None, None, 1_000_000.0, 24_700.0, 1_024_700.0, None)


def test_tie_block_shares_sum_to_one_hundred_percent() -> None:
    cols = (Column("name", "分类"), Column("share", "占比", PERCENT))
    rows = (("甲", 1 / 3), ("乙", 1 / 3), ("丙", 1 / 3))
    block = TableBlock(key="s", title=None, columns=cols, rows=rows).with_sum_totals(["share"])
    tied = tie_block(block, XLSX_PRECISION)
    assert [r[1] for r in tied.rows] == [0.3334, 0.3333, 0.3333]
    assert tied.totals == ("合计", 1.0)


def test_balances_left_alone_when_the_exact_rows_do_not_roll_forward() -> None:
    cols = (
        Column("opening", "期初", MONEY),
        Column("flow", "本金", MONEY),
        Column("closing", "期末", MONEY),
    )
    rows = ((1_000_000.0, 100_000.0, 850_000.0),)  # a write-down: not opening − flow
    block = TableBlock(
        key="b", title=None, columns=cols, rows=rows, balances=(("opening", "flow", "closing"),)
    )
    assert tie_block(block, XLSX_PRECISION).rows == rows


def test_unknown_identity_column_is_refused() -> None:
    from abs.errors import ExportError

    cols = (Column("a", "甲", MONEY),)
    with pytest.raises(ExportError, match="no column 'b'"):
        TableBlock(key="x", title=None, columns=cols, rows=(), derived=(("a", ("b",)),))
