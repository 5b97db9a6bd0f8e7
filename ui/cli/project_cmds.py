"""``dabs project``: the pool's expected cash-flow table (现金流归集表), per-kind split, data-asset
values, and (with ``--scenarios``) the distribution of stochastic collections."""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pandas as pd
import typer

from abs.cashflows import (
    COL_CLOSING_BALANCE,
    COL_COLLECTION_DATE,
    COL_DEFAULTS,
    COL_INTEREST,
    COL_OPENING_BALANCE,
    COL_PAYMENT_DATE,
    COL_PERIOD,
    COL_PRINCIPAL,
    COL_RECOVERIES,
    COL_TOTAL,
    COL_WRITEDOWNS,
    Collections,
)
from abs.enums import AssetType
from abs.errors import DabsError
from ui.cli.app import app
from ui.cli.common import (
    console,
    err_console,
    handle_errors,
    load_deal_arg,
    pct,
    print_json,
    print_table,
    wan,
)

#: Stochastic summary columns (also appended to the CSV with ``--scenarios``).
COL_MEAN = "回收款均值"
COL_P5 = "回收款P5"
COL_P50 = "回收款P50"
COL_P95 = "回收款P95"
PERCENTILES = (5.0, 50.0, 95.0)

#: Columns of the human 现金流归集表 (money columns shown in 万元).
_HUMAN_COLUMNS = (
    COL_OPENING_BALANCE,
    COL_PRINCIPAL,
    COL_INTEREST,
    COL_DEFAULTS,
    COL_RECOVERIES,
    COL_WRITEDOWNS,
    COL_CLOSING_BALANCE,
    COL_TOTAL,
)
_FLOW_COLUMNS = (
    COL_PRINCIPAL,
    COL_INTEREST,
    COL_DEFAULTS,
    COL_RECOVERIES,
    COL_WRITEDOWNS,
    COL_TOTAL,
)


def _kind_label(value: str) -> str:
    return AssetType(value).zh


def _stochastic_frame(paths: Collections) -> pd.DataFrame:
    """Mean and percentiles of total collections per period over the paths."""
    p5, p50, p95 = np.percentile(paths.total, PERCENTILES, axis=0)
    return pd.DataFrame(
        {
            COL_MEAN: paths.total.mean(axis=0),
            COL_P5: p5,
            COL_P50: p50,
            COL_P95: p95,
        }
    )


def _life_stats(paths: Collections) -> dict[str, float]:
    life = paths.total.sum(axis=1)
    p5, p50, p95 = np.percentile(life, PERCENTILES)
    return {"mean": float(life.mean()), "p5": float(p5), "p50": float(p50), "p95": float(p95)}


def _csv_bytes(table: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    table.to_csv(buf, index=False, float_format="%.2f")
    return buf.getvalue().encode("utf-8-sig")


def _num(x: Any) -> float | None:
    if x is None:
        return None
    v = float(x)
    return None if math.isnan(v) else v


@app.command("project")
@handle_errors
def project_cmd(
    deal_arg: str = typer.Argument(..., metavar="DEAL", help="deal file (.json) or example name"),
    scenarios: int = typer.Option(
        1, "--scenarios", "-n", min=1, help="stochastic paths (1 = expected case only)"
    ),
    seed: int | None = typer.Option(None, "--seed", min=0, help="seed of the stochastic paths"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output (yuan)"),
    csv_out: str | None = typer.Option(
        None, "--csv", metavar="OUT", help="write the 现金流归集表 as CSV (UTF-8 BOM, yuan)"
    ),
    force: bool = typer.Option(False, "--force", help="overwrite the --csv file if it exists"),
) -> None:
    """现金流预测 / project the pool's collections: 现金流归集表, 分类型回收款, 数据资产价值."""
    from abs.io import atomic_write_bytes
    from abs.projection import data_asset_values, pool_cashflow_table, project

    if as_json and csv_out is not None:
        raise DabsError("dabs project: give either --json or --csv OUT, not both")
    deal = load_deal_arg(deal_arg)
    expected = project(deal)
    table = pool_cashflow_table(expected)
    values = data_asset_values(deal)
    paths = project(deal, scenarios=scenarios, seed=seed) if scenarios > 1 else None
    stoch = _stochastic_frame(paths) if paths is not None else None
    schedule = expected.schedule
    holiday_years = list(schedule.years_without_holidays) if schedule is not None else []
    warnings = []
    if holiday_years:
        warnings.append(
            "QuantLib 1.44 的中国节假日数据截至2026年; 以下年份仅按周末调整, "
            "请在 dates.extra_holidays 中列出公告假日 / "
            f"no holiday data for {holiday_years}: only weekends are skipped; "
            "list the announced holidays in dates.extra_holidays"
        )

    if csv_out is not None:
        out = table if stoch is None else pd.concat([table, stoch], axis=1)
        path = atomic_write_bytes(csv_out, _csv_bytes(out), force=force)
        err_console.print(f"已写入 written: {path}")
        return

    totals = {c: float(table[c].sum()) for c in _FLOW_COLUMNS}
    total_all = float(expected.total.sum())
    by_kind = {k: float(v.sum()) for k, v in expected.by_kind.items()}
    if as_json:
        rows = []
        for rec in table.to_dict(orient="records"):
            rows.append(
                {str(k): (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in rec.items()}
            )
        data: dict[str, Any] = {
            "deal": deal.name,
            "initial_pool_balance": expected.initial_pool_balance,
            "periods": rows,
            "totals": totals,
            "by_kind": by_kind,
            "data_asset_values": [
                {str(k): (_num(v) if isinstance(v, float) else v) for k, v in r.items()}
                for r in values.to_dict(orient="records")
            ],
            "warnings": warnings,
        }
        if paths is not None and stoch is not None:
            data["stochastic"] = {
                "scenarios": paths.n_scenarios,
                "seed": paths.seed,
                "per_period": {
                    "mean": stoch[COL_MEAN].tolist(),
                    "p5": stoch[COL_P5].tolist(),
                    "p50": stoch[COL_P50].tolist(),
                    "p95": stoch[COL_P95].tolist(),
                },
                "life_total": _life_stats(paths),
            }
        print_json(data)
        return

    console.print(f"[bold]{deal.name}[/]  现金流预测 projection (预期情景 expected case)")
    if schedule is not None:
        console.print(
            f"期数 periods {schedule.period_count}, {schedule.frequency.zh}, "
            f"首个兑付日 {schedule.payment_dates[0]}, 最后兑付日 {schedule.payment_dates[-1]}; "
            f"入池金额 {wan(expected.initial_pool_balance)} 万元"
        )
    for w in warnings:
        err_console.print(f"[yellow]提示 warning:[/] {w}", markup=True, highlight=False)
    rows_out: list[list[str]] = []
    for _, r in table.iterrows():
        rows_out.append(
            [str(r[COL_PERIOD]), str(r[COL_COLLECTION_DATE]), str(r[COL_PAYMENT_DATE])]
            + [wan(float(r[c])) for c in _HUMAN_COLUMNS]
        )
    rows_out.append(
        ["合计", "", ""] + [wan(totals[c]) if c in totals else "" for c in _HUMAN_COLUMNS]
    )
    print_table(
        "现金流归集表 (万元) pool cash flows",
        [COL_PERIOD, COL_COLLECTION_DATE, COL_PAYMENT_DATE, *_HUMAN_COLUMNS],
        rows_out,
        right_align_from=3,
    )
    kind_rows = [
        [_kind_label(k), wan(v), pct(v / total_all) if total_all else "-"]
        for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1])
    ]
    kind_rows.append(["合计", wan(total_all), pct(1.0) if total_all else "-"])
    print_table(
        "分类型回收款 collections by asset kind", ["资产类型", "回收款(万元)", "占比"], kind_rows
    )
    if len(values):
        v_rows = []
        for _, r in values.iterrows():
            gap = _num(r["差异率"])
            appraised = _num(r["评估价值"])
            v_rows.append(
                [
                    str(r["资产编号"]),
                    str(r["债务人"]),
                    str(r["资产类型"]),
                    wan(float(r["入池金额"])),
                    "-" if appraised is None else wan(appraised),
                    wan(float(r["合同现金流合计"])),
                    wan(float(r["收益法价值"])),
                    "-" if gap is None else pct(gap),
                ]
            )
        sums = values[["入池金额", "合同现金流合计", "收益法价值"]].sum()
        appraised_total = values["评估价值"].dropna().astype(float).sum()
        v_rows.append(
            [
                "合计",
                "",
                "",
                wan(float(sums["入池金额"])),
                wan(float(appraised_total)),
                wan(float(sums["合同现金流合计"])),
                wan(float(sums["收益法价值"])),
                "",
            ]
        )
        a_ = deal.assumptions
        print_table(
            f"数据资产价值 (收益法 r={pct(a_.discount_rate)}, K={pct(a_.data_attribution)}; 万元) "
            "data-asset values",
            [
                "资产编号",
                "债务人",
                "资产类型",
                "入池金额",
                "评估价值",
                "合同现金流",
                "收益法价值",
                "差异率",
            ],
            v_rows,
            right_align_from=3,
        )
    if paths is not None and stoch is not None:
        s_rows = [
            [
                str(i + 1),
                wan(float(r[COL_MEAN])),
                wan(float(r[COL_P5])),
                wan(float(r[COL_P50])),
                wan(float(r[COL_P95])),
            ]
            for i, r in stoch.iterrows()
            if isinstance(i, int)
        ]
        life = _life_stats(paths)
        s_rows.append(
            ["全期", wan(life["mean"]), wan(life["p5"]), wan(life["p50"]), wan(life["p95"])]
        )
        print_table(
            f"随机情景回收款 (万元) {paths.n_scenarios} paths, seed {paths.seed}",
            ["期数", "均值 mean", "P5", "P50", "P95"],
            s_rows,
        )
