"""``dabs size``: the largest senior size for a target (``scenarios.sizing``).

Targets (exactly one): ``--coverage X`` (minimum senior 现金流覆盖倍数, incl. principal unless
``--interest-only``, in ``--scenario``), ``--breakeven X`` (every senior's break-even PD multiple
≥ X), ``--cdr X`` (every senior's break-even cumulative default rate ≥ X, a fraction) or
``--grade G`` (indicative grade of the rating view, 仅供参考). The break-even targets are
searched from the deal's own assumptions, as ``dabs breakeven`` and the dashboard do. The
command only parses arguments, calls :mod:`scenarios.sizing` and renders.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from abs.errors import ScenarioError
from ui.cli.app import app
from ui.cli.common import handle_errors, load_deal_arg, pct, print_json, print_table, wan

#: Chinese reading of each sizing status.
SIZING_STATUS_ZH: dict[str, str] = {
    "found": "已求得",
    "max_passes": "最大可行规模仍满足目标（目标不构成约束）",
    "min_fails": "最小规模（发行额 1%）仍不满足目标",
    "not_converged": "未收敛（显示最后一个满足目标的规模）",
}


@app.command("size")
@handle_errors
def size_cmd(
    deal: Annotated[str, typer.Argument(help="交易文件或示例名 deal file or example name")],
    coverage: Annotated[
        float | None, typer.Option("--coverage", help="目标最低覆盖倍数 min coverage (×)")
    ] = None,
    breakeven: Annotated[
        float | None,
        typer.Option("--breakeven", help="目标临界违约率倍数 min break-even PD multiple (×)"),
    ] = None,
    cdr: Annotated[
        float | None,
        typer.Option("--cdr", help="目标临界累计违约率 min break-even CDR (fraction, 0.3 = 30%)"),
    ] = None,
    grade: Annotated[
        str | None, typer.Option("--grade", help="目标指示性评级 indicative grade (AAA …)")
    ] = None,
    interest_only: Annotated[
        bool, typer.Option("--interest-only", help="覆盖倍数仅利息口径 coverage interest only")
    ] = False,
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", help="覆盖倍数目标的情景 scenario of the coverage target"),
    ] = None,
    tape: Annotated[
        str | None,
        typer.Option("--tape", help="资产清单 pool tape (CSV/XLSX) replacing the deal's pool"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """规模测算 / size the seniors to a coverage, break-even or indicative-grade target."""
    from scenarios.sizing import largest_senior_size, size_to_breakeven_target

    given = {
        "--coverage": coverage,
        "--breakeven": breakeven,
        "--cdr": cdr,
        "--grade": grade,
    }
    chosen = [k for k, v in given.items() if v is not None]
    if len(chosen) != 1:
        raise ScenarioError(
            "size: give exactly one target of --coverage, --breakeven, --cdr, --grade; "
            f"got {', '.join(chosen) if chosen else 'none'}"
        )
    if scenario is not None and coverage is None:
        raise ScenarioError("size: --scenario applies to --coverage only")
    d = load_deal_arg(deal, tape=tape)
    before = {t.name: t.balance for t in d.tranches}
    out: dict[str, Any]
    achieved: list[tuple[str, str]] = []
    if coverage is not None:
        from scenarios.sets import scenario_stress

        stress = scenario_stress(d, scenario) if scenario is not None else None
        r = largest_senior_size(
            d,
            stress=stress,
            min_coverage=coverage,
            include_principal=not interest_only,
            assumptions=d.assumptions,
        )
        target = (
            f"最低覆盖倍数（{'仅利息' if interest_only else '含本金'}）≥ {coverage:.2f}× "
            f"min coverage ({'interest only' if interest_only else 'incl. principal'})"
        )
        sized, status, steps = r.deal, r.status, r.steps
        senior, share = r.senior_total, r.senior_share
        out = {"target": {"kind": "coverage", "value": coverage, "scenario": scenario or "基准"}}
    else:
        from scenarios.breakeven import format_breakeven
        from scenarios.rating import INDICATIVE

        kind, value = (
            ("multiple", breakeven)
            if breakeven is not None
            else ("cdr", cdr)
            if cdr is not None
            else ("grade", None)
        )
        b = size_to_breakeven_target(
            d,
            kind=kind,
            value=float("nan") if value is None else value,
            grade=grade or "",
            assumptions=d.assumptions,
        )
        if kind == "multiple":
            target = f"临界违约率倍数 break-even PD multiple ≥ {value:.2f}×"
        elif cdr is not None:
            target = f"临界累计违约率 break-even CDR ≥ {pct(cdr)}"
        else:
            target = (
                f"指示性评级 indicative grade {grade}: 临界累计违约率 ≥ "
                f"{pct(b.target_cdr or 0.0)} ({INDICATIVE})"
            )
        sized, status, steps = b.deal, b.status, b.steps
        senior, share = b.senior_total, b.senior_share
        grades = dict(zip((be.tranche for be in b.breakevens), b.grades, strict=False))
        for be in b.breakevens:
            text = format_breakeven("pd_multiplier", be.value, be.status)
            if be.cumulative_default_rate is not None:
                text += f", CDR {pct(be.cumulative_default_rate)}"
            if be.tranche in grades:
                text += f", {grades[be.tranche]}"
            achieved.append((be.tranche, text))
        out = {
            "target": {"kind": kind, "value": value, "grade": grade, "target_cdr": b.target_cdr},
            "breakevens": [be.to_dict() for be in b.breakevens],
            "grades": dict(grades),
            "base_cdr": b.base_cdr,
        }
    if as_json:
        out.update(
            {
                "deal": d.name,
                "status": status,
                "status_zh": SIZING_STATUS_ZH[status],
                "steps": steps,
                "senior_total": senior,
                "senior_share": share,
                "tranches": [
                    {"name": t.name, "before": before[t.name], "after": t.balance}
                    for t in sized.tranches
                ],
            }
        )
        print_json(out)
        return
    print_table(
        f"规模测算 Sizing — {d.name}: {target}",
        ["档位 tranche", "当前 current (万元)", "测算 sized (万元)", "占比 share"],
        [
            (t.name, wan(before[t.name]), wan(t.balance), pct(t.balance / sized.issue_amount))
            for t in sized.tranches
        ],
    )
    rows = [
        ("状态 status", f"{SIZING_STATUS_ZH[status]} ({status})"),
        ("优先级合计 seniors", f"{wan(senior)} 万元 ({pct(share)})"),
        ("步数 steps", str(steps)),
        *((f"{name} 临界值 break-even", text) for name, text in achieved),
    ]
    print_table("结果 Result", ["项目 item", "数值 value"], rows)
