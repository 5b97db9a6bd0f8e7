"""Revolving engine speed: the scf-revolving-labelled structure, 10,000 scenarios × 120 periods,
against the static qingdao-pure benchmark of ``test_bench_waterfall.py`` in the same run.

Collections are synthetic but shaped like the example: a 4.32亿 pool of 1–6-month receivables
running off over 6 months (lognormal level σ 12% per scenario, noise σ 8% per period), then
nothing; 12 revolving periods offering 1.1亿 a month (52% data-linked) of assets that pay 20% of
face a month over 5 months with 0.5% a month of income. Every scenario buys each month what its
principal collections allow, so the purchases (and what they bring later) differ by scenario.
The pool is 2.8% above the notes: about 11% of the scenarios (level below ~0.97) lose principal,
run out of cash and stay unsettled to the 120th period. The third case runs the same structure
and cash without purchases (amortisation list only), to separate what the revolving machinery
costs from what the scenario mix costs.

Run: ``.venv/bin/pytest tests/benchmarks/test_bench_revolving.py -o addopts="" --benchmark-only
-q`` (``make bench`` runs it with the others). The ratio revolving / static is printed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pytest

import waterfall
from abs.cashflows import Collections, Purchases
from abs.io import load_deal
from tests.benchmarks.test_bench_waterfall import _collections as _static_collections

N_SCENARIOS = 10_000
N_PERIODS = 120
SEED = 20260618
N_REVOLVING = 12

_MEDIANS: dict[str, float] = {}


def _dates(n: int) -> tuple[dt.date, ...]:
    out = []
    y, m = 2025, 8
    for _ in range(n):
        out.append(dt.date(y, m, 26))
        m += 1
        if m > 12:
            m, y = 1, y + 1
    return tuple(out)


def _purchases() -> Purchases:
    length = 7
    supply = np.zeros((2, N_PERIODS))
    supply[0, :N_REVOLVING] = 0.48 * 110e6
    supply[1, :N_REVOLVING] = 0.52 * 110e6
    total = np.zeros((2, N_PERIODS, length))
    income = np.zeros((2, N_PERIODS, length))
    balance = np.zeros((2, N_PERIODS, length))
    for a in range(1, 6):
        total[:, :, a] = 0.2 + 0.005 * (1.0 - 0.2 * (a - 1))
        income[:, :, a] = 0.005 * (1.0 - 0.2 * (a - 1))
    for a in range(length):
        balance[:, :, a] = max(1.0 - 0.2 * a, 0.0)
    return Purchases(supply, total, income, np.zeros_like(total), balance)


def revolving_collections(n_scenarios: int = N_SCENARIOS, seed: int = SEED) -> Collections:
    rng = np.random.default_rng(seed)
    pool0 = 432e6
    base = np.zeros(N_PERIODS)
    base[:6] = pool0 / 6 * 1.005
    level = rng.lognormal(0.0, 0.12, size=(n_scenarios, 1))
    noise = rng.lognormal(0.0, 0.08, size=(n_scenarios, N_PERIODS))
    total = base * level * noise
    income = total * 0.005 / 1.005
    principal = total - income
    pool = np.maximum(pool0 - np.cumsum(principal, axis=1), 0.0)
    dates = _dates(N_PERIODS)
    starts = (dt.date(2025, 7, 25), *dates[:-1])
    days = np.array([(b - a).days for a, b in zip(starts, dates, strict=True)], dtype=float)
    return Collections.from_arrays(
        payment_dates=dates,
        accrual_start=starts,
        year_fractions=days / 365.0,
        days=days,
        total=total,
        income=income,
        defaults=total * 0.002,
        pool_balance=pool,
        forecast=base,
        initial_pool_balance=pool0,
        purchases=_purchases(),
        data_balance=pool * 0.5105,
    )


def _without_revolving(deal: Any) -> Any:
    """The same structure with its amortisation list as the only list and no purchases."""
    wf = deal.waterfall.model_copy(
        update={"normal": deal.waterfall.amortisation, "amortisation": None}
    )
    return deal.model_copy(update={"revolving": None, "waterfall": wf})


@pytest.fixture(scope="module")
def cases() -> dict[str, tuple[Any, Collections]]:
    rev = load_deal("scf-revolving-labelled")
    coll = revolving_collections()
    return {
        "revolving": (rev, coll),
        "static": (load_deal("qingdao-pure", with_pool=False), _static_collections()),
        # the example's structure and cash without purchases: what the revolving part costs
        "same-cash-static": (_without_revolving(rev), dataclasses.replace(coll, purchases=None)),
    }


def _ratio(kind: str) -> None:
    rev, sta = _MEDIANS.get(f"{kind}-revolving"), _MEDIANS.get(f"{kind}-static")
    same = _MEDIANS.get(f"{kind}-same-cash-static")
    if rev is not None and sta is not None and same is not None:
        print(
            f"\n{kind} mode, 1 thread: revolving / static qingdao-pure = {rev / sta:.2f}×; "
            f"revolving / the same structure and cash without purchases = {rev / same:.2f}×"
        )


@pytest.mark.parametrize("deal_kind", ["static", "same-cash-static", "revolving"])
def test_bench_full_revolving_vs_static(
    benchmark: Any, cases: dict[str, tuple[Any, Collections]], deal_kind: str
) -> None:
    deal, coll = cases[deal_kind]
    res = benchmark.pedantic(
        waterfall.run, args=(deal, coll), kwargs={"threads": 1}, rounds=9, warmup_rounds=1
    )
    assert res.conserved
    if deal_kind == "revolving":
        assert res.revolving is not None
        bought = res.revolving.purchases.sum(axis=1)
        benchmark.extra_info["purchases_spread"] = float(bought.std() / bought.mean())
    _MEDIANS[f"full-{deal_kind}"] = float(benchmark.stats.stats.median)
    _ratio("full")


@pytest.mark.parametrize("deal_kind", ["static", "same-cash-static", "revolving"])
def test_bench_measures_revolving_vs_static(
    benchmark: Any, cases: dict[str, tuple[Any, Collections]], deal_kind: str
) -> None:
    deal, coll = cases[deal_kind]
    m = benchmark.pedantic(
        waterfall.run_measures,
        args=(deal, coll),
        kwargs={"threads": 1, "yields": False},
        rounds=9,
        warmup_rounds=1,
    )
    assert m.max_conservation_gap <= 0.01
    _MEDIANS[f"measures-{deal_kind}"] = float(benchmark.stats.stats.median)
    _ratio("measures")
