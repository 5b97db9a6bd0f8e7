"""``dabs run``: the deal's waterfall on its projected (or given) collections.

Shows the tranche summary (Chinese headers, 万元), the 现金流覆盖倍数 per period and the events
that fired; ``--json`` prints the same as one JSON document (keys documented in
``docs/waterfall.md``). ``--collections CSV`` replaces the projection with a per-period table
(the CSV ``dabs project --csv`` writes is accepted as it is).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer

from abs.assumptions import Stress
from abs.cashflows import Collections
from abs.deal import Deal
from abs.errors import ProjectionError
from scenarios.report import COV_SENIOR, COV_SENIOR_PRINCIPAL
from ui.cli.app import app
from ui.cli.common import (
    console,
    handle_errors,
    load_deal_arg,
    pct,
    print_json,
    print_table,
    wan,
)

#: Accepted headers of the ``--collections`` CSV: field → (Chinese, English, aliases...).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "period": ("期数", "period", "期次"),
    "payment_date": ("兑付日", "payment_date", "date"),
    "total": ("回收款合计", "total", "可分配现金流", "collections"),
    "income": ("本期应收利息", "income", "收入", "利息收入", "当期收入"),
    "defaults": ("违约金额", "defaults"),
    "recoveries": ("回收金额", "recoveries"),
    "pool_balance": ("期末本金余额", "pool_balance", "资产池余额"),
    "opening_balance": ("期初本金余额", "opening_balance"),
}
BASE_SCENARIOS = ("基准", "base", "基准情景")


def _norm(text: object) -> str:
    return str(text).strip().lower()


def _column_map(columns: list[str], source: str) -> dict[str, str]:
    lookup = {_norm(alias): field for field, aliases in CSV_COLUMNS.items() for alias in aliases}
    found: dict[str, str] = {}
    for col in columns:
        field = lookup.get(_norm(col))
        if field is None:
            continue
        if field in found:
            raise ProjectionError(
                f"{source}: columns '{found[field]}' and '{col}' both give {field}; keep one"
            )
        found[field] = col
    if "total" not in found:
        raise ProjectionError(
            f"{source}: missing column 'total' (回收款合计); columns are {columns}; accepted "
            f"names: {', '.join(CSV_COLUMNS['total'])}"
        )
    if "period" not in found and "payment_date" not in found:
        raise ProjectionError(
            f"{source}: needs a column 'period' (期数) or 'payment_date' (兑付日) to key the rows; "
            f"columns are {columns}"
        )
    return found


def _numbers(frame: pd.DataFrame, col: str, source: str) -> np.ndarray:
    out = np.empty(len(frame))
    for i, raw in enumerate(frame[col].tolist()):
        text = str(raw).strip().replace(",", "").removesuffix("元")
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ProjectionError(
                f"{source}: row {i + 2}, column '{col}': not a number: got {raw!r}"
            )
        if value < 0:
            raise ProjectionError(
                f"{source}: row {i + 2}, column '{col}': amount must be ≥ 0: got {raw!r}"
            )
        out[i] = value
    return out


def _read_frame(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        import io

        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    raise ProjectionError(f"{path}: not UTF-8 or GBK text")


def read_collections_csv(path: str | Path, deal: Deal) -> Collections:
    """Collections from a per-period CSV on the deal's payment schedule.

    Parameters
    ----------
    path : str or Path
        CSV with one row per payment period: ``期数``/``period`` or ``兑付日``/``payment_date``,
        ``回收款合计``/``total`` (yuan), optional ``本期应收利息``/``income``,
        ``违约金额``/``defaults``, ``回收金额``/``recoveries``, ``期末本金余额``/``pool_balance``,
        ``期初本金余额``; other columns are ignored. UTF-8 (with or without BOM) or GBK.
    deal : Deal
        Its ``dates`` give the schedule (``abs.calendar.build_schedule``).

    Raises
    ------
    ProjectionError
        Wrong number of rows, missing or duplicated columns, bad numbers or dates — naming the
        file, row (as a spreadsheet counts it) and column.
    """
    from abs.calendar import build_schedule

    p = Path(path)
    source = str(p)
    if not p.is_file():
        raise ProjectionError(f"{source}: collections file not found")
    frame = _read_frame(p)
    cols = _column_map([str(c) for c in frame.columns], source)
    sched = build_schedule(deal.dates, deal_name=deal.name)
    n = len(sched.payment_dates)
    if len(frame) != n:
        raise ProjectionError(
            f"{source}: {len(frame)} rows of collections but the deal's schedule has {n} payment "
            f"periods ({sched.payment_dates[0]} … {sched.payment_dates[-1]}); give one row per "
            "period"
        )
    if "period" in cols:
        for i, raw in enumerate(frame[cols["period"]].tolist()):
            if str(raw).strip() != str(i + 1):
                raise ProjectionError(
                    f"{source}: row {i + 2}, column '{cols['period']}': periods must run 1..{n} "
                    f"in order: got {raw!r}, expected {i + 1}"
                )
    if "payment_date" in cols:
        for i, raw in enumerate(frame[cols["payment_date"]].tolist()):
            try:
                got = dt.date.fromisoformat(str(raw).strip().replace("/", "-"))
            except ValueError:
                got = None
            if got != sched.payment_dates[i]:
                raise ProjectionError(
                    f"{source}: row {i + 2}, column '{cols['payment_date']}': payment date "
                    f"{raw!r} is not the deal's 兑付日 {sched.payment_dates[i]} for period {i + 1}"
                )
    total = _numbers(frame, cols["total"], source)
    extra: dict[str, Any] = {}
    for field in ("income", "defaults", "recoveries", "pool_balance"):
        if field in cols:
            extra[field] = _numbers(frame, cols[field], source)
    if "income" in extra:
        over = np.flatnonzero(extra["income"] > total + 1e-9)
        if over.size:
            i = int(over[0])
            raise ProjectionError(
                f"{source}: row {i + 2}, column '{cols['income']}': income {extra['income'][i]} "
                f"exceeds total collections {total[i]}"
            )
    initial: float | None = None
    if "opening_balance" in cols:
        initial = float(_numbers(frame, cols["opening_balance"], source)[0])
    elif deal.pool is not None:
        initial = sum(a.amount for a in deal.pool.assets)
    return Collections.from_arrays(
        payment_dates=sched.payment_dates,
        collection_dates=sched.collection_dates,
        accrual_start=sched.accrual_start,
        year_fractions=sched.year_fractions,
        days=sched.days,
        total=total,
        initial_pool_balance=initial,
        forecast=_forecast(deal, total),
        **extra,
    )


def _forecast(deal: Deal, given: np.ndarray) -> np.ndarray:
    """The expected-case projection when the deal has a pool (actual vs forecast), else the
    given collections themselves."""
    if deal.pool is None:
        return given
    from abs.projection import project

    expected = project(deal).total[0]
    return expected if expected.shape == given.shape else given


def _resolve_stress(deal: Deal, scenario: str | None) -> tuple[str, Stress]:
    if scenario is None or scenario.strip().lower() in BASE_SCENARIOS:
        return "基准", deal.assumptions.stress
    from scenarios.sets import scenario_stress

    return scenario, scenario_stress(deal, scenario.strip())


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def _iso(d: object) -> str | None:
    return d.isoformat() if isinstance(d, dt.date) else None


def run_report(
    deal: Deal, *, scenario: str | None = None, collections_csv: str | None = None
) -> dict[str, Any]:
    """Run the deal and collect everything ``dabs run`` shows (also its ``--json`` output).

    The numbers come from :func:`scenarios.report.base_report`, the object the dashboard and
    the workbook read, so each has one definition and one value (``docs/analytics.md``).
    """
    from scenarios.report import base_report
    from waterfall.tables import (
        SUM_ACTUAL,
        SUM_EXPECTED,
        SUM_FIRST,
        SUM_INTEREST,
        SUM_IRR,
        SUM_LAST,
        SUM_LOSS,
        SUM_MIN_COV,
        SUM_PRINCIPAL,
        SUM_RESIDUAL,
        SUM_SHORTFALL,
        SUM_SUB_YIELD,
        SUM_SUPPORT,
        SUM_WAL,
        SUM_YIELD,
    )

    name, stress = _resolve_stress(deal, scenario)
    collections: Collections | None = None
    source = "projection"
    if collections_csv is not None:
        if not stress.is_base and scenario is not None:
            from abs.errors import ScenarioError

            raise ScenarioError(
                f"--scenario {scenario!r} stresses the projection; it cannot be combined with "
                f"--collections {collections_csv} (give the stressed collections in the CSV)"
            )
        collections = read_collections_csv(collections_csv, deal)
        if deal.revolving is not None:
            from abs import replenishment

            # the CSV is the initial pool's cash; purchases come from the replenishment model
            collections = replenishment.attach(deal, collections)
        source = collections_csv
    rep = base_report(
        deal, stress=stress, scenario=name, collections=collections, collections_source=source
    )
    tranches: list[dict[str, Any]] = []
    for tr, (_, row) in zip(deal.tranches, rep.summary.iterrows(), strict=True):
        nm = tr.name
        tranches.append(
            {
                "name": nm,
                "class": tr.tranche_class.value,
                "class_zh": tr.tranche_class.zh,
                "original_balance": tr.balance,
                "interest_paid": float(row[SUM_INTEREST]),
                "principal_paid": float(row[SUM_PRINCIPAL]),
                "sub_yield_paid": float(row[SUM_SUB_YIELD]),
                "residual_paid": float(row[SUM_RESIDUAL]),
                "shortfall": float(row[SUM_SHORTFALL]),
                "loss": float(row[SUM_LOSS]),
                "support_received": float(row[SUM_SUPPORT]),
                "wal_years": _num(row[SUM_WAL]),
                "yield": _num(row[SUM_YIELD]),
                "irr": _num(row[SUM_IRR]) if tr.tranche_class.value == "subordinated" else None,
                "min_coverage": _num(row[SUM_MIN_COV]),
                "min_coverage_interest": _num(rep.tranche_min_coverage_interest[nm]),
                "life_coverage": _num(rep.tranche_life_coverage[nm]),
                "first_principal_date": _iso(row[SUM_FIRST]),
                "last_principal_date": _iso(row[SUM_LAST]),
                "expected_maturity_date": _iso(row[SUM_EXPECTED]),
                "actual_final_date": _iso(row[SUM_ACTUAL]),
            }
        )
    detail = rep.coverage_detail
    coverage = [
        {
            "period": t + 1,
            "payment_date": d.isoformat(),
            "available": float(detail["available"].iloc[t]),
            "obligations": float(detail["obligations"].iloc[t]),
            "coverage": _num(float(rep.coverage[COV_SENIOR].iloc[t])),
            "obligations_with_principal": float(detail["obligations_with_principal"].iloc[t]),
            "coverage_with_principal": _num(float(rep.coverage[COV_SENIOR_PRINCIPAL].iloc[t])),
        }
        for t, d in enumerate(rep.coverage.index)
    ]
    return {
        "deal": deal.name,
        "scenario": name,
        "collections": source,
        "periods": rep.n_periods,
        "tranches": tranches,
        "coverage": coverage,
        "senior_min_coverage": _num(rep.senior_min_coverage),
        "senior_min_coverage_interest": _num(rep.senior_min_coverage_interest),
        "senior_life_coverage": _num(rep.senior_life_coverage),
        "seniors_paid_in_full": rep.seniors_paid,
        "support_needed": rep.support_needed,
        "events": rep.events_fired,
        "support_draws": rep.support_draws,
        "support_reimbursed": rep.support_reimbursed,
        "cash_left": rep.cash_left,
        "conserved": rep.conserved,
        "max_conservation_gap": rep.max_conservation_gap,
        "revolving": _revolving_report(rep.revolving),
    }


def _revolving_report(rv: Any) -> dict[str, Any] | None:
    """The revolving part of ``dabs run --json`` (None for a static deal)."""
    if rv is None:
        return None
    kol = rv.kind_over_life()
    from abs.kind_over_life import KIND_CODES

    rate = rv.rate[0]
    return {
        "issued_kind": kol.issued.value,
        "purchased": float(rv.purchases[0].sum()),
        "idle_interest": float(rv.idle_interest[0].sum()),
        "negative_carry": float(rv.negative_carry[0].sum()),
        "data_linked_share_known": rv.has_data,
        "first_out_of_band_period": (
            int(kol.first_out[0]) + 1 if rv.has_data and kol.first_out[0] >= 0 else None
        ),
        "periods": [
            {
                "period": t + 1,
                "revolving": bool(rv.revolving[0, t]),
                "set_aside": float(rv.set_aside[0, t]),
                "purchases": float(rv.purchases[0, t]),
                "purchases_data_linked": float(rv.purchases_data[0, t]),
                "revolving_rate": _num(float(rate[t])),
                "idle": float(rv.idle[0, t]),
                "pool_balance": float(rv.pool_balance[0, t]),
                "data_linked_share": _num(float(kol.share[0, t])) if rv.has_data else None,
                "kind": (
                    KIND_CODES[kol.kind[0, t]].value
                    if rv.has_data and kol.kind[0, t] >= 0
                    else None
                ),
                "in_band": not bool(kol.out_of_band[0, t]),
            }
            for t in range(rv.purchases.shape[1])
        ],
    }


def _ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


def _print_report(rep: dict[str, Any]) -> None:
    console.print(
        f"[bold]{rep['deal']}[/]  情景 scenario: {rep['scenario']}  "
        f"现金流 collections: {rep['collections']}",
        highlight=False,
    )
    ts = rep["tranches"]

    def line(label: str, values: list[str]) -> tuple[str, ...]:
        return (label, *values)

    def opt(x: float | None, fmt: str) -> str:
        return "—" if x is None else format(x, fmt)

    rows = [
        line("级别 class", [t["class_zh"] for t in ts]),
        line("发行规模 size", [wan(t["original_balance"]) for t in ts]),
        line("利息/期间收益 interest", [wan(t["interest_paid"] + t["sub_yield_paid"]) for t in ts]),
        line("本金 principal", [wan(t["principal_paid"]) for t in ts]),
        line("超额收益 excess", [wan(t["residual_paid"]) for t in ts]),
        line("未付 shortfall", [wan(t["shortfall"]) for t in ts]),
        line("加权平均期限(年) WAL", [opt(t["wal_years"], ".2f") for t in ts]),
        line("收益率 yield", ["—" if t["yield"] is None else pct(t["yield"]) for t in ts]),
        line("内部收益率 IRR", ["—" if t["irr"] is None else pct(t["irr"]) for t in ts]),
        line(
            "最低覆盖倍数（含本金） min cov. incl. principal",
            [_ratio(t["min_coverage"]) for t in ts],
        ),
        line(
            "最低覆盖倍数（仅利息） min cov., interest only",
            [_ratio(t["min_coverage_interest"]) for t in ts],
        ),
        line("预期到期日 expected", [t["expected_maturity_date"] or "—" for t in ts]),
        line("实际到期日 actual", [t["actual_final_date"] or "—" for t in ts]),
    ]
    print_table(
        "分档兑付汇总 Tranche summary (万元)",
        ["项目 item", *[t["name"] for t in ts]],
        rows,
        right_align_from=1,
    )
    cov_rows = [
        (
            c["payment_date"],
            wan(c["available"]),
            wan(c["obligations"]),
            _ratio(c["coverage"]),
            wan(c["obligations_with_principal"]),
            _ratio(c["coverage_with_principal"]),
        )
        for c in rep["coverage"]
    ]
    print_table(
        "现金流覆盖倍数 Coverage, seniors (万元)",
        ["兑付日", "可分配资金", "税费+利息", "倍数（仅利息）", "含本金应付", "倍数（含本金）"],
        cov_rows,
        right_align_from=1,
    )
    console.print(
        f"优先级最低覆盖倍数（含本金） senior min coverage incl. principal: "
        f"{_ratio(rep['senior_min_coverage'])}; "
        f"（仅利息） interest only: {_ratio(rep['senior_min_coverage_interest'])}; "
        f"全周期（含本金） life-of-deal incl. principal: {_ratio(rep['senior_life_coverage'])}",
        highlight=False,
    )
    if rep["events"]:
        print_table(
            "触发事件 Events",
            ["触发条件 trigger", "事件 event", "首次触发期", "首次触发日", "持续期数"],
            [
                (e["trigger"], e["event_zh"], e["first_period"], e["first_date"], e["periods_on"])
                for e in rep["events"]
            ],
            right_align_from=2,
        )
    else:
        console.print("触发事件 events: 无 none", highlight=False)
    draws = ", ".join(f"{k} {wan(v)}" for k, v in rep["support_draws"].items() if v > 0)
    console.print(f"增信动用 support draws (万元): {draws or '无 none'}", highlight=False)
    repaid = ", ".join(f"{k} {wan(v)}" for k, v in rep["support_reimbursed"].items() if v > 0)
    if repaid:
        console.print(f"增信垫款返还 support repaid (万元): {repaid}", highlight=False)
    rv = rep.get("revolving")
    if rv is not None:
        out = rv["first_out_of_band_period"]
        console.print(
            f"循环购买 revolving: 购买合计 {rv['purchased'] / 1e4:,.2f} 万元, 闲置资金负利差 "
            f"negative carry {rv['negative_carry'] / 1e4:,.2f} 万元, 发行类型 "
            f"{rv['issued_kind']}: "
            + (
                "数据资产关联余额未知 unknown (no data-linked balance)"
                if not rv["data_linked_share_known"]
                else "全程维持 held throughout"
                if out is None
                else f"第{out}期起偏离 out of band"
            ),
            highlight=False,
        )
    if rep["support_needed"]:
        console.print(
            "[yellow]注意 note: 优先级依靠增信（储备金/差额支付/担保）才足额兑付 "
            "seniors are paid in full only with support draws[/]",
            highlight=False,
        )
    mark = "[green]是 yes[/]" if rep["conserved"] else "[red]否 NO[/]"
    console.print(f"现金守恒 cash conserved: {mark}", highlight=False)


@app.command("run")
@handle_errors
def run_cmd(
    deal: str = typer.Argument(..., help="交易文件 deal.json or an example name"),
    scenario: str | None = typer.Option(
        None, "--scenario", "-s", help="压力情景 (基准/轻度/中度/重度 of the deal's built-in set)"
    ),
    collections: str | None = typer.Option(
        None, "--collections", help="per-period CSV replacing the projection (see docs)"
    ),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
    replenishment: str | None = typer.Option(
        None, "--replenishment", help="循环购买候选资产清单 (tape) replacing the deal's own model"
    ),
    tape: str | None = typer.Option(
        None, "--tape", help="资产清单 pool tape (CSV/XLSX) replacing the deal's pool"
    ),
) -> None:
    """运行现金流分配 / run the waterfall: tranche summary, coverage, events."""
    d = load_deal_arg(deal, tape=tape)
    if replenishment is not None:
        from abs.io import read_replenishment

        d = read_replenishment(d, Path.cwd(), replenishment)
    rep = run_report(d, scenario=scenario, collections_csv=collections)
    if as_json:
        print_json(rep)
    else:
        _print_report(rep)
