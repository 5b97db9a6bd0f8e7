"""``dabs size``: the largest senior size for a target (``scenarios.sizing``).

``--split KIND=VALUE`` (with ``--second KIND=VALUE``) sizes the split between the senior
classes instead: the largest first senior meeting its target, the senior total and 次级 fixed
(:func:`scenarios.sizing.largest_first_senior_size`).

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
    split: Annotated[
        str | None,
        typer.Option(
            "--split",
            help="优先级内部分层 A1/A2 split: A1 的目标 first senior's target KIND=VALUE "
            "(coverage=1.5, multiple=20, cdr=0.3, grade=AAA)",
        ),
    ] = None,
    second: Annotated[
        str | None,
        typer.Option("--second", help="A2 的目标（仅检查）other seniors' target, checked"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """规模测算 / size the seniors to a coverage, break-even or indicative-grade target."""
    from scenarios.sizing import largest_senior_size, size_to_breakeven_target

    if split is not None or second is not None:
        _size_split(
            deal,
            split=split,
            second=second,
            others=[k for k, v in _target_options(coverage, breakeven, cdr, grade) if v],
            interest_only=interest_only,
            scenario=scenario,
            tape=tape,
            as_json=as_json,
        )
        return
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


def _target_options(
    coverage: float | None, breakeven: float | None, cdr: float | None, grade: str | None
) -> list[tuple[str, bool]]:
    return [
        ("--coverage", coverage is not None),
        ("--breakeven", breakeven is not None),
        ("--cdr", cdr is not None),
        ("--grade", grade is not None),
    ]


def parse_split_target(option: str, text: str, *, interest_only: bool) -> Any:
    """``KIND=VALUE`` of ``--split``/``--second`` as a :class:`scenarios.sizing.TrancheTarget`.

    Raises
    ------
    ScenarioError
        Naming the option and the value: no ``=``, an unknown kind, a value that is no number.
    """
    from scenarios.sizing import SPLIT_KINDS, TrancheTarget

    kind, sep, value = text.partition("=")
    kind, value = kind.strip(), value.strip()
    if not sep or kind not in SPLIT_KINDS or not value:
        raise ScenarioError(
            f"size: {option} {text!r}: give KIND=VALUE with KIND one of "
            f"{', '.join(SPLIT_KINDS)} (e.g. grade=AAA, multiple=20, cdr=0.3, coverage=1.5)"
        )
    if kind == "grade":
        return TrancheTarget("grade", grade=value)
    try:
        number = float(value)
    except ValueError:
        raise ScenarioError(f"size: {option} {text!r}: {value!r} is not a number") from None
    return TrancheTarget(kind, number, include_principal=not interest_only)


def split_target_text(target: Any, target_cdr: float | None) -> str:
    """A class target as the tables show it (Chinese first, then English)."""
    from scenarios.rating import INDICATIVE

    if target.kind == "coverage":
        basis = "仅利息 interest only" if not target.include_principal else "含本金 incl. principal"
        return f"最低覆盖倍数（{basis}）≥ {target.value:.2f}× min coverage"
    if target.kind == "multiple":
        return f"临界违约率倍数 break-even PD multiple ≥ {target.value:.2f}×"
    if target.kind == "cdr":
        return f"临界累计违约率 break-even CDR ≥ {pct(target.value)}"
    need = f"临界累计违约率 ≥ {pct(target_cdr)}: " if target_cdr is not None else ""
    return f"指示性评级 indicative grade {target.grade} ({need}{INDICATIVE})"


def _size_split(
    deal: str,
    *,
    split: str | None,
    second: str | None,
    others: list[str],
    interest_only: bool,
    scenario: str | None,
    tape: str | None,
    as_json: bool,
) -> None:
    """``dabs size DEAL --split KIND=VALUE [--second KIND=VALUE]``."""
    from scenarios.breakeven import format_breakeven
    from scenarios.sizing import largest_first_senior_size

    if split is None:
        raise ScenarioError("size: --second needs --split (the first senior's target)")
    if others:
        raise ScenarioError(
            f"size: --split replaces the total-size targets; drop {', '.join(others)}"
        )
    target = parse_split_target("--split", split, interest_only=interest_only)
    second_t = (
        parse_split_target("--second", second, interest_only=interest_only)
        if second is not None
        else None
    )
    if scenario is not None and "coverage" not in (target.kind, getattr(second_t, "kind", "")):
        raise ScenarioError("size: --scenario applies to a coverage target only")
    d = load_deal_arg(deal, tape=tape)
    stress = None
    if scenario is not None:
        from scenarios.sets import scenario_stress

        stress = scenario_stress(d, scenario)
    r = largest_first_senior_size(
        d, target=target, second=second_t, stress=stress, assumptions=d.assumptions
    )
    before = {t.name: t.balance for t in d.tranches}
    if as_json:
        print_json(
            {
                "deal": d.name,
                "split": {"first": r.first, "others": list(r.others)},
                "target": {**vars(target)},
                "second": {**vars(second_t)} if second_t is not None else None,
                "second_meets": r.second_meets,
                "status": r.status,
                "status_zh": SIZING_STATUS_ZH[r.status],
                "steps": r.steps,
                "evaluations": r.evaluations,
                "non_monotone": [list(p) for p in r.non_monotone],
                "first_size": r.first_size,
                "others_size": r.others_size,
                "senior_total": r.senior_total,
                "first_share": r.first_share,
                "target_cdr": r.target_cdr,
                "base_cdr": r.base_cdr,
                "tranches": [
                    {"name": t.name, "before": before[t.name], "after": t.balance}
                    for t in r.deal.tranches
                ],
                "measures": [
                    {
                        "tranche": m.tranche,
                        "balance": m.balance,
                        "coverage": m.coverage,
                        "coverage_principal": m.coverage_principal,
                        "breakeven": m.breakeven.to_dict() if m.breakeven else None,
                        "grade": m.grade,
                    }
                    for m in r.measures
                ],
            }
        )
        return
    measures = {m.tranche: m for m in r.measures}
    rows = []
    for t in r.deal.tranches:
        m = measures.get(t.name)
        be = "—"
        if m is not None and m.breakeven is not None:
            be = format_breakeven("pd_multiplier", m.breakeven.value, m.breakeven.status)
            if m.breakeven.cumulative_default_rate is not None:
                be += f", CDR {pct(m.breakeven.cumulative_default_rate)}"
            if m.grade is not None:
                be += f", {m.grade}"
        rows.append(
            (
                t.name,
                wan(before[t.name]),
                wan(t.balance),
                f"{m.coverage_principal:.2f}× / {m.coverage:.2f}×" if m else "—",
                be,
            )
        )
    aim = split_target_text(target, r.target_cdr)
    print_table(
        f"优先级内部分层 A1/A2 split — {d.name}: {r.first} {aim}",
        [
            "档位 tranche",
            "当前 current (万元)",
            "测算 sized (万元)",
            "覆盖倍数 coverage (含本金 / 仅利息)",
            "临界值 break-even",
        ],
        rows,
    )
    result = [
        ("状态 status", f"{SIZING_STATUS_ZH[r.status]} ({r.status})"),
        (f"{r.first} 规模 size", f"{wan(r.first_size)} 万元 ({pct(r.first_share)} of seniors)"),
        (f"{'/'.join(r.others)} 规模 size", f"{wan(r.others_size)} 万元"),
        ("步数 steps", f"{r.steps} (+ {r.evaluations - r.steps} scan)"),
    ]
    if second_t is not None:
        verdict = "满足 meets" if r.second_meets else "不满足 does not meet"
        result.append(
            (
                f"{'/'.join(r.others)}: {split_target_text(second_t, None)}",
                verdict,
            )
        )
    if r.non_monotone:
        pairs = ", ".join(f"{wan(a)} → {wan(b)}" for a, b in r.non_monotone)
        result.append(("非单调 non-monotone (万元: fails → passes)", pairs))
    print_table("结果 Result", ["项目 item", "数值 value"], result)
