"""Sizing benchmarks (``make bench``): one sizing of qingdao-pure to each target kind.

All run in one session on the same deal, from its own assumptions (as the dashboard does), so
the ratios of their medians compare the targets:

* coverage ≥ 2.00× incl. principal, base case (the baseline: the sizing the dashboard had);
* break-even PD multiple ≥ 15.00× (binds on 优先A2: 18.65× today, 11.94× at the largest size);
* break-even CDR ≥ 30.00% (binds likewise);
* indicative grade AA+ with the built-in multiples (does not bind on this pool: reported
  ``max_passes`` after two engine calls and one break-even search);
* indicative grade AAA with a stricter user table (target default rate fixed at 5%, so AAA needs
  a break-even CDR of 25%: binds);
* the reference design the solver avoids: a full break-even search at every bisection step
  (same answer, asserted);
* the A1/A2 split (``largest_first_senior_size``): 优先A1 break-even PD multiple ≥ 20.00× with
  优先A2 checked at ≥ 15.00× (a 9-size scan, then bisection to 1万元, then one break-even
  search of both seniors) — compare its median with the total-size break-even sizing above;
  the split also prints the machine load (``uptime``) so the medians can be read in context.

Run: ``.venv/bin/pytest tests/benchmarks/test_bench_sizing.py -o addopts="" --benchmark-only -q``
"""

from __future__ import annotations

from typing import Any

import pytest

from abs.deal import Deal
from abs.io import load_deal
from scenarios.breakeven import breakeven_all
from scenarios.rating import parse_multiples
from scenarios.sizing import (
    TrancheTarget,
    largest_first_senior_size,
    largest_senior_size,
    largest_senior_size_for_breakeven,
    largest_senior_size_for_cdr,
    largest_senior_size_for_grade,
    resize_seniors,
)

GROUP = "sizing qingdao-pure (one sizing to a target)"
ROUNDS = 5
STRICT = parse_multiples(
    '{"grades": [{"grade": "AAA", "multiple": 5.0, "target_default_rate": 0.05}]}',
    source="benchmark table",
)


@pytest.fixture(scope="module")
def deal() -> Deal:
    d: Deal = load_deal("qingdao-pure")
    largest_senior_size(d, min_coverage=2.0, include_principal=True)  # compile outside timing
    largest_senior_size_for_breakeven(d, min_breakeven=15.0)
    return d


def _common(deal: Deal) -> dict[str, Any]:
    return {"assumptions": deal.assumptions}


def test_bench_sizing_coverage(benchmark: Any, deal: Deal) -> None:
    benchmark.group = GROUP
    r = benchmark.pedantic(
        largest_senior_size,
        args=(deal,),
        kwargs={
            "stress": deal.assumptions.stress,
            "min_coverage": 2.0,
            "include_principal": True,
            **_common(deal),
        },
        rounds=ROUNDS,
        iterations=1,
    )
    assert r.status == "found"


def test_bench_sizing_breakeven_multiple(benchmark: Any, deal: Deal) -> None:
    benchmark.group = GROUP
    r = benchmark.pedantic(
        largest_senior_size_for_breakeven,
        args=(deal,),
        kwargs={"min_breakeven": 15.0, "base": deal.assumptions.stress, **_common(deal)},
        rounds=ROUNDS,
        iterations=1,
    )
    assert r.status == "found"
    assert min(b.value for b in r.breakevens) >= 15.0


def test_bench_sizing_breakeven_cdr(benchmark: Any, deal: Deal) -> None:
    benchmark.group = GROUP
    r = benchmark.pedantic(
        largest_senior_size_for_cdr,
        args=(deal,),
        kwargs={"min_cdr": 0.30, "base": deal.assumptions.stress, **_common(deal)},
        rounds=ROUNDS,
        iterations=1,
    )
    assert r.status == "found"


def test_bench_sizing_grade_builtin(benchmark: Any, deal: Deal) -> None:
    benchmark.group = GROUP
    r = benchmark.pedantic(
        largest_senior_size_for_grade,
        args=(deal,),
        kwargs={"grade": "AA+", "base": deal.assumptions.stress, **_common(deal)},
        rounds=ROUNDS,
        iterations=1,
    )
    assert r.status == "max_passes"


def test_bench_sizing_grade_strict_table(benchmark: Any, deal: Deal) -> None:
    benchmark.group = GROUP
    r = benchmark.pedantic(
        largest_senior_size_for_grade,
        args=(deal,),
        kwargs={"grade": "AAA", "table": STRICT, "base": deal.assumptions.stress, **_common(deal)},
        rounds=ROUNDS,
        iterations=1,
    )
    assert r.status == "found" and set(r.grades) == {"AAA"}


def _search_per_step(deal: Deal, target: float, tol: float = 10_000.0) -> float:
    """The reference design: a full break-even search (the table's) at every bisection step."""
    seniors = [t.name for t in deal.tranches if t.tranche_class.value == "senior"]

    def passes(size: float) -> bool:
        found = breakeven_all(
            resize_seniors(deal, size),
            factor="pd_multiplier",
            tranches=seniors,
            base=deal.assumptions.stress,
            assumptions=deal.assumptions,
        )
        return all(b.value >= target for b in found)

    good, bad = deal.issue_amount * 0.01, sum(t.balance for t in deal.tranches) - 1.0
    assert passes(good) and not passes(bad)
    while bad - good > tol:
        mid = (good + bad) / 2.0
        good, bad = (mid, bad) if passes(mid) else (good, mid)
    return good


def test_bench_sizing_breakeven_search_per_step(benchmark: Any, deal: Deal) -> None:
    benchmark.group = GROUP
    size = benchmark.pedantic(_search_per_step, args=(deal, 15.0), rounds=ROUNDS, iterations=1)
    solved = largest_senior_size_for_breakeven(
        deal, min_breakeven=15.0, base=deal.assumptions.stress, assumptions=deal.assumptions
    )
    assert abs(size - solved.senior_total) <= 10_000.0


def test_bench_sizing_split_a1_a2(benchmark: Any, deal: Deal) -> None:
    import subprocess

    benchmark.group = GROUP
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    benchmark.extra_info["uptime"] = load.strip()
    print(f"\nmachine load during the split benchmark: {load.strip()}")
    r = benchmark.pedantic(
        largest_first_senior_size,
        args=(deal,),
        kwargs={
            "target": TrancheTarget("multiple", 20.0),
            "second": TrancheTarget("multiple", 15.0),
            "stress": deal.assumptions.stress,
            **_common(deal),
        },
        rounds=ROUNDS,
        iterations=1,
    )
    assert r.status == "found" and r.second_meets is True
    assert r.measures[0].breakeven is not None and r.measures[0].breakeven.value >= 20.0
