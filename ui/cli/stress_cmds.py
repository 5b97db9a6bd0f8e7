"""``dabs stress``, ``dabs breakeven`` and ``dabs mc``: stress grids, break-evens, Monte Carlo.

The commands only parse arguments, call :mod:`scenarios` and render; no maths here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from abs.errors import ScenarioError
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


def _num(x: float, fmt: str = "{:.2f}") -> str:
    return fmt.format(x) if math.isfinite(x) else "—"


def _ratio(x: float) -> str:
    if math.isinf(x):
        return "∞"
    return _num(x, "{:.2f}×")


def _pct_or_dash(x: float) -> str:
    return pct(x) if math.isfinite(x) else "—"


def _grid_spec(path: Path) -> tuple[Any, bool]:
    """A ``--grid`` file: a scenario set file, or JSON ``{"grid": {factor: [values]}}``."""
    if path.suffix.lower() == ".json" and path.is_file():
        try:
            data = json.loads(path.read_bytes())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{path}: not valid JSON: {exc}") from None
        if isinstance(data, dict) and "grid" in data:
            grid = data["grid"]
            if not isinstance(grid, dict) or not grid:
                raise ScenarioError(
                    f"{path}: 'grid' must map factor names to lists of values; got {grid!r}"
                )
            return [grid], True
    return path, False


@app.command("stress")
@handle_errors
def stress_cmd(
    deal: Annotated[str, typer.Argument(help="交易文件或示例名 deal file or example name")],
    scenario_names: Annotated[
        str | None,
        typer.Option("--set", help="情景 scenarios, e.g. 基准,轻度,中度,重度 (default: whole set)"),
    ] = None,
    grid: Annotated[
        Path | None,
        typer.Option(
            "--grid",
            help="情景文件 scenario set JSON/CSV, or JSON {'grid': {factor: [values]}} (product)",
        ),
    ] = None,
    scenario_set: Annotated[
        str | None,
        typer.Option("--scenario-set", help="data | receivable (default: by pool data share)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    tape: Annotated[
        str | None,
        typer.Option("--tape", help="资产清单 pool tape (CSV/XLSX) replacing the deal's pool"),
    ] = None,
) -> None:
    """压力测试表 / run a stress grid: every scenario in one engine call."""
    from scenarios.grid import run_grid
    from scenarios.sets import default_set_for, load_scenario_set, with_deal_scenarios

    if grid is not None and scenario_names is not None:
        raise ScenarioError("stress: give --set or --grid, not both")
    d = load_deal_arg(deal, tape=tape)
    spec: Any
    product = False
    if grid is not None:
        spec, product = _grid_spec(grid)
    else:
        chosen = load_scenario_set(scenario_set) if scenario_set is not None else default_set_for(d)
        # the deal's own scenarios (deal.stress_scenarios) run after the set, as in the
        # dashboard and the filing workbook; --set can pick them by name
        chosen = with_deal_scenarios(d, chosen)
        spec = (
            chosen.select(n.strip() for n in scenario_names.split(","))
            if scenario_names is not None
            else chosen
        )
    g = run_grid(d, spec, product=product)
    if as_json:
        print_json(g.to_dict())
        return
    o = g.outcome
    rows = []
    for s, name in enumerate(g.names):
        for k, tranche in enumerate(o.tranche_names):
            first = int(o.first_shortfall[s, k])
            rows.append(
                (
                    name,
                    tranche,
                    "是" if o.paid_in_full[s, k] else "否",
                    wan(float(o.shortfall[s, k])),
                    pct(float(o.loss[s, k])),
                    _num(float(o.wal[s, k])),
                    _pct_or_dash(float(o.yld[s, k])),
                    _ratio(float(o.min_coverage_principal[s, k])),
                    _ratio(float(o.min_coverage[s, k])),
                    o.payment_dates[first].isoformat() if first >= 0 else "—",
                )
            )
    print_table(
        f"压力测试 Stress grid — {d.name}",
        [
            "情景 scenario",
            "档位 tranche",
            "足额兑付 paid",
            "短缺(万元) shortfall",
            "损失率 loss",
            "WAL(年)",
            "收益率 yield",
            "最低覆盖（含本金） min cov incl. principal",
            "最低覆盖（仅利息） min cov, interest only",
            "首次短缺日 first shortfall",
        ],
        rows,
        right_align_from=2,
    )
    event_rows = [(name, "；".join(o.events_fired(s)) or "—") for s, name in enumerate(g.names)]
    print_table(
        "触发事件 Events fired", ["情景 scenario", "事件 events"], event_rows, right_align_from=9
    )
    cov_rows = [
        (d_.isoformat(), *(_ratio(float(x)) for x in o.coverage[:, t]))
        for t, d_ in enumerate(o.payment_dates)
    ]
    print_table(
        "优先级现金流覆盖倍数 Senior coverage by period",
        ["兑付日 payment date", *g.names],
        cov_rows,
    )


@app.command("breakeven")
@handle_errors
def breakeven_cmd(
    deal: Annotated[str, typer.Argument(help="交易文件或示例名 deal file or example name")],
    tranche: Annotated[str, typer.Option("--tranche", help="档位 tranche name, e.g. 优先A1")],
    factor: Annotated[
        str,
        typer.Option("--factor", help="因子 revenue_haircut/收入下降, pd_multiplier/违约率倍数 …"),
    ] = "revenue_haircut",
    base_scenario: Annotated[
        str | None,
        typer.Option("--base", help="其他因子取该情景的值 other factors at this scenario (轻度 …)"),
    ] = None,
    lo: Annotated[float | None, typer.Option("--lo", help="搜索起点 mildest value")] = None,
    hi: Annotated[float | None, typer.Option("--hi", help="搜索终点 harshest value")] = None,
    standalone: Annotated[
        bool,
        typer.Option(
            "--standalone", help="不含外部增信 without 差额支付 and guarantee (both in default)"
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """临界值 / break-even: the harshest value of a factor the tranche survives."""
    from scenarios.breakeven import STATUS_ZH, breakeven
    from scenarios.factors import get_factor
    from scenarios.runner import deal_base
    from scenarios.sets import scenario_stress

    d = load_deal_arg(deal)
    base = scenario_stress(d, base_scenario) if base_scenario is not None else deal_base(d)
    if standalone:
        from scenarios.factors import apply

        base = apply(base, originator_default=True, guarantor_default=True)
    f = get_factor(factor)
    r = breakeven(d, tranche=tranche, factor=f.id, base=base, lo=lo, hi=hi)
    grade: dict[str, Any] | None = None
    if f.id == "pd_multiplier":
        from scenarios.rating import INDICATIVE, rating_view

        view = rating_view(d, base=base, results=[r], tranches=[tranche]).iloc[0]
        grade = {
            "implied_grade": str(view.iloc[5]),
            "base_cumulative_default_rate": float(view.iloc[1]),
            "note": INDICATIVE,
        }
    if as_json:
        out = r.to_dict()
        if grade is not None:
            out["rating_view"] = grade
        print_json(out)
        return
    from scenarios.breakeven import format_breakeven

    value = f"{r.value:.6f}".rstrip("0").rstrip(".")
    rows: list[tuple[str, str]] = [
        ("档位 tranche", r.tranche),
        ("因子 factor", f.label),
        ("临界值 break-even", format_breakeven(f.id, r.value, r.status)),
        ("精确值 exact value", f"{value} {f.unit}"),
        ("状态 status", f"{STATUS_ZH[r.status]} ({r.status})"),
        ("首个失败值 first failing", "—" if r.fail_value is None else f"{r.fail_value:.6f}"),
        ("搜索范围 range", f"[{r.lo:g}, {r.hi:g}], tol {r.tol:g}"),
        ("步数 steps / evaluations", f"{r.steps} / {r.evaluations}"),
        (
            "单调 monotone",
            "是"
            if r.monotone
            else "否 — " + "; ".join(f"{a:g} 失败后 {b:g} 又通过" for a, b in r.non_monotone),
        ),
    ]
    if r.cumulative_default_rate is not None:
        rows.append(("隐含累计违约率 implied CDR", pct(r.cumulative_default_rate)))
    if grade is not None:
        rows.append(("基准累计违约率 base CDR", pct(grade["base_cumulative_default_rate"])))
        rows.append(("隐含评级 implied grade", f"{grade['implied_grade']} ({grade['note']})"))
    print_table(
        f"临界值 Break-even — {d.name}", ["项目 item", "数值 value"], rows, right_align_from=9
    )


@app.command("mc")
@handle_errors
def mc_cmd(
    deal: Annotated[str, typer.Argument(help="交易文件或示例名 deal file or example name")],
    seed: Annotated[int, typer.Option("--seed", help="随机种子 seed (same seed → same numbers)")],
    n_paths: Annotated[int, typer.Option("-n", "--paths", help="路径数 number of paths")] = 10_000,
    engine: Annotated[str, typer.Option("--engine", help="local | dask")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask 调度器地址 existing scheduler, tcp://host:8786"),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="LocalCluster 进程数 worker processes (2)")
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option("--threads", help="本机线程数 local threads (default: all cores)"),
    ] = None,
    chunk_size: Annotated[
        int | None, typer.Option("--chunk-size", help="每块路径数 paths per chunk")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """蒙特卡洛 / Monte Carlo: loss distribution, expected loss, VaR, WAL and yield spreads."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    from scenarios.montecarlo import run_mc

    class PathsPerSecond(ProgressColumn):
        """Paths per second of the run so far."""

        def render(self, task: Task) -> Text:
            rate = task.completed / task.elapsed if task.elapsed and task.completed else None
            return Text("— 条/s" if rate is None else f"{rate:,.0f} 条/s")

    if engine not in ("local", "dask"):
        raise ScenarioError(f"mc: --engine must be local or dask; got {engine!r}")
    if scheduler is not None and engine != "dask":
        engine = "dask"
    d = load_deal_arg(deal)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        PathsPerSecond(),
        TimeElapsedColumn(),
        "ETA",
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task("模拟路径 paths", total=n_paths)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        r = run_mc(
            d,
            n_paths=n_paths,
            seed=seed,
            engine="dask" if engine == "dask" else "local",
            scheduler=scheduler,
            workers=workers,
            threads=threads,
            chunk_size=chunk_size,
            progress=progress,
        )
    if as_json:
        print_json(r.to_dict())
        return
    rows = []
    for _, row in r.summary().iterrows():
        v = row.tolist()
        rows.append(
            (
                v[0],
                pct(v[1], 4),
                pct(v[2], 2),
                pct(v[3], 2),
                pct(v[4], 2),
                pct(v[5], 2),
                _num(v[6]),
                f"{_num(v[7])} / {_num(v[8])} / {_num(v[9])}",
                _pct_or_dash(v[10]),
                _ratio(v[13]),
            )
        )
    print_table(
        f"蒙特卡洛 Monte Carlo — {d.name} ({r.n_paths:,} 路径 paths, seed {r.seed}, {r.engine})",
        [
            "档位 tranche",
            "预期损失率 EL",
            "短缺概率 P(shortfall)",
            "VaR95",
            "VaR99",
            "最大损失 max loss",
            "平均WAL(年)",
            "WAL P5/P50/P95",
            "平均收益率 yield",
            "最低覆盖P5 min cov P5",
        ],
        rows,
    )
    console.print(
        f"差额支付承诺人违约路径占比 support-provider default share: "
        f"{pct(float(r.support_defaults.mean()))}; 平均累计违约率 mean CDR: "
        f"{pct(float(r.outcome.cdr.mean()))}",
        highlight=False,
    )
