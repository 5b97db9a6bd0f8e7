"""Export benchmarks: the writers on a 10,000-asset, 120-period table set, and the whole package.

Run: ``.venv/bin/pytest tests/benchmarks/test_bench_export.py -o addopts="" --benchmark-only -q``
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from abs.asset import Asset, Pool
from abs.filing import FilingTable, render_csv, render_json, render_xlsx
from abs.filing.sheets import asset_list_sheet, pool_cashflow_sheet, tranche_payments_sheet

N_ASSETS = 10_000
N_PERIODS = 120
CUTOFF = dt.date(2026, 3, 31)


def _pool(n: int, seed: int = 11) -> Pool:
    rng = np.random.default_rng(seed)
    amounts = np.round(rng.uniform(10_000, 200_000, n), 2)
    kinds = ["data_license", "algorithm_service", "data_product", "receivable"]
    assets = tuple(
        Asset(
            asset_id=f"A{i:05d}",
            obligor=f'=HYPERLINK("x","债务人{i % 977}")' if i % 500 == 0 else f"债务人{i % 977}",
            asset_type=kinds[i % 4],
            data_link="direct" if i % 4 else "none",
            amount=float(amounts[i]),
            start_date=dt.date(2025, 1, 1),
            maturity_date=dt.date(2030, 12, 31),
            originator="青岛某数据公司(示例)",
            region="山东省",
            industry="金融业",
            rate=0.045,
            registration_id=f"青数登(2026)第{i:05d}号",
            registry="青岛数据资产登记评价中心",
            valuation_method="收益法",
            appraised_value=float(amounts[i]) * 1.1,
        )
        for i in range(n)
    )
    return Pool(assets=assets, cutoff_date=CUTOFF)


def _frames(periods: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    dates = [CUTOFF + dt.timedelta(days=30 * (t + 1)) for t in range(periods)]
    bal = np.linspace(6e8, 0, periods + 1)
    pool = pd.DataFrame(
        {
            "归集日": dates,
            "兑付日": dates,
            "期初本金余额": bal[:-1],
            "本期应收本金": -np.diff(bal),
            "本期应收利息": bal[:-1] * 0.004,
            "期末本金余额": bal[1:],
            "违约金额": bal[:-1] * 0.0005,
            "回收金额": bal[:-1] * 0.0001,
            "回收款合计": -np.diff(bal) + bal[:-1] * 0.004,
            "应缴税费": bal[:-1] * 0.0001,
            "实缴税费": bal[:-1] * 0.0001,
        }
    )
    rows: list[dict[str, Any]] = []
    for name, size in (("优先A1", 3e8), ("优先A2", 2e8), ("次级", 1e8)):
        tb = np.linspace(size, 0, periods + 1)
        for t, d in enumerate(dates):
            p = tb[t] - tb[t + 1]
            rows.append(
                {
                    "档位": name,
                    "兑付日": d,
                    "期初本金": tb[t],
                    "本金": p,
                    "利息": tb[t] * 0.002,
                    "超额收益": 0.0,
                    "现金流": p + tb[t] * 0.002,
                    "期末本金": tb[t + 1],
                    "补充支付": 0.0,
                }
            )
    return pool, pd.DataFrame(rows)


@pytest.fixture(scope="module")
def big_tables() -> list[FilingTable]:
    pool_frame, tranche_frame = _frames(N_PERIODS)
    return [
        asset_list_sheet(_pool(N_ASSETS), as_of=CUTOFF),
        pool_cashflow_sheet(pool_frame),
        tranche_payments_sheet(tranche_frame),
    ]


def test_bench_build_asset_list_10k(benchmark: Any) -> None:
    pool = _pool(N_ASSETS)
    sheet = benchmark(asset_list_sheet, pool, as_of=CUTOFF)
    assert len(sheet.blocks[0].rows) == N_ASSETS


def test_bench_render_xlsx_10k(benchmark: Any, big_tables: list[FilingTable]) -> None:
    data = benchmark(render_xlsx, big_tables)
    assert data[:2] == b"PK"


def test_bench_render_csv_10k(benchmark: Any, big_tables: list[FilingTable]) -> None:
    files = benchmark(render_csv, big_tables)
    assert len(files) == 3


def test_bench_render_json_10k(benchmark: Any, big_tables: list[FilingTable]) -> None:
    data = benchmark(render_json, big_tables)
    assert data.startswith(b"{")


def _big_deal() -> Any:
    """A qingdao-like deal: the 10,000-asset pool, monthly payments, 120 periods to legal."""
    from abs.deal import Deal
    from abs.io import load_deal

    base = load_deal("qingdao-pure", with_pool=False)
    data = base.model_dump(mode="json", exclude={"pool", "tape", "waterfall"})
    data["dates"].update(
        {
            "cutoff_date": "2026-03-31",
            "closing_date": "2026-06-18",
            "first_payment_date": "2026-07-26",
            "frequency": "monthly",
            "expected_maturity_date": "2031-06-26",
            "legal_maturity_date": "2036-06-26",
        }
    )
    pool = _pool(N_ASSETS)
    total = pool.total_amount
    data["tranches"] = [
        {
            "name": "优先A",
            "tranche_class": "senior",
            "balance": round(total * 0.75, 2),
            "coupon": {"coupon_type": "fixed", "rate": 0.024},
            "principal_type": "pass_through",
            "rating": "AAAsf",
        },
        {
            "name": "次级",
            "tranche_class": "subordinated",
            "balance": round(total * 0.10, 2),
            "principal_type": "pass_through",
        },
    ]
    deal = Deal.model_validate(data)
    return deal.model_copy(update={"pool": pool})


@pytest.mark.parametrize("breakeven", [False, True], ids=["without_breakeven", "with_breakeven"])
def test_bench_full_export_10k_assets_120_periods(benchmark: Any, breakeven: bool) -> None:
    """Whole package (engine + 9 sheets + xlsx/CSV/JSON) with the 4-scenario stress set."""
    pytest.importorskip("abs.projection")
    pytest.importorskip("scenarios.grid")
    from scenarios.filing_package import render_package

    deal = _big_deal()

    def run() -> Any:
        return render_package(deal, breakeven=breakeven)

    # the break-even search takes minutes on this pool: one round is enough to report it
    package = benchmark.pedantic(run, rounds=1 if breakeven else 3, iterations=1)
    assert len(package.tables) == 9
    assert len(package.tables[3].blocks[0].rows) == N_ASSETS
