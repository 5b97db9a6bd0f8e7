"""Break-even benchmarks (``make bench``): the former bisection against the k-section search.

Both methods run in the same session on the same deals, so the ratio of their medians is the
speed-up:

* the break-even table (revenue haircut and PD multiple for every tranche) of each example;
* the same table on the 10,000-asset, 120-period qingdao-like deal of the export benchmark
  (the bisection takes about a minute and a half there: one round).

Run: ``.venv/bin/pytest tests/benchmarks/test_bench_breakeven.py -o addopts="" --benchmark-only -q``
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from abs.deal import Deal
from abs.io import load_deal
from scenarios.breakeven import COL_STATUS, COL_VALUE, breakeven_table

EXAMPLES = ("qingdao-pure", "rugao-labelled", "tianfeng-enabled")
METHODS = ("bisect", "ksection")


@pytest.fixture(scope="module")
def big_deal() -> Deal:
    """The export benchmark's deal: 10,000 assets, monthly payments, 120 periods to legal."""
    from tests.benchmarks.test_bench_export import _big_deal

    deal: Deal = _big_deal()
    return deal


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_bench_breakeven_table_example(benchmark: Any, example: str, method: str) -> None:
    deal = load_deal(example)
    benchmark.group = f"breakeven table {example}"
    table = benchmark.pedantic(
        breakeven_table, args=(deal,), kwargs={"method": method}, rounds=3, iterations=1
    )
    assert len(table) == 2 * len(deal.tranches)
    assert table[COL_STATUS].str.contains("found|never_fails").all()


@pytest.mark.parametrize("method", METHODS)
def test_bench_breakeven_table_10k_assets(benchmark: Any, big_deal: Deal, method: str) -> None:
    benchmark.group = "breakeven table 10k assets x 120 periods"
    table = benchmark.pedantic(
        breakeven_table,
        args=(big_deal,),
        kwargs={"method": method},
        rounds=1 if method == "bisect" else 3,
        iterations=1,
    )
    assert len(table) == 2 * len(big_deal.tranches)
    values = table[COL_VALUE].to_numpy()
    assert np.all(np.isfinite(values))
