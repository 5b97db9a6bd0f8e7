"""``dabs classify`` and ``dabs pool``: the deal kind and the pool's disclosure tables.

Both take a tape (CSV/XLSX), a deal file or an example name. The commands only read, call
``abs.classify`` / ``abs.stratify`` and render; they do no maths.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from abs.asset import Pool
from abs.classify import BASES, Classification, classify, classify_deal
from abs.deal import Deal
from abs.enums import AssetType, DataLink
from abs.errors import DabsError, Issue
from abs.examples import EXAMPLES
from abs.stratify import (
    COL_AMOUNT,
    COL_AMOUNT_SHARE,
    COL_CATEGORY,
    COL_COUNT,
    COL_COUNT_SHARE,
    DIMENSIONS,
    TOP_BALANCE,
    TOP_CREDITOR,
    TOP_ENHANCEMENT,
    TOP_ENHANCER,
    TOP_OBLIGOR,
    TOP_RANK,
    TOP_RATE,
    TOP_RATING,
    TOP_RELATED,
    TOP_SHARE,
    Stratification,
    stratify,
    stratify_deal,
)
from ui.cli.app import app
from ui.cli.common import (
    console,
    err_console,
    handle_errors,
    is_deal_file,
    load_pool_arg,
    pct,
    print_json,
    print_table,
    wan,
)

_BASIS_ZH = {"balance": "入池金额", "pv": "预测回收款现值"}
_ARG_HELP = "资产明细表 (CSV/XLSX)、交易文件 (.json) 或示例名 / tape, deal file or example name"


def _yes(flag: bool) -> str:
    return "是 yes" if flag else "否 no"


def _load(tape_or_deal: str) -> tuple[Pool, Deal | None, list[Issue]]:
    """Pool, deal (if one was given) and the tape's warnings (bare tapes only)."""
    if is_deal_file(tape_or_deal):
        pool, deal = load_pool_arg(tape_or_deal)
        return pool, deal, []
    from abs.tape import read_tape_report

    path = Path(tape_or_deal)
    if not path.exists():
        raise DabsError(f"{tape_or_deal}: no such file, and not an example ({', '.join(EXAMPLES)})")
    report = read_tape_report(path)
    return report.pool, None, list(report.warnings)


def _print_tape_warnings(warnings: list[Issue]) -> None:
    for issue in warnings:
        err_console.print(f"[yellow]提示 warning:[/] {issue}", markup=True, highlight=False)


def _source(pool: Pool, deal: Deal | None, arg: str) -> str:
    if deal is not None:
        return deal.name
    return pool.source or arg


@app.command("classify")
@handle_errors
def classify_cmd(
    tape_or_deal: str = typer.Argument(..., help=_ARG_HELP),
    enabled: bool = typer.Option(
        False, "--enabled", help="声明数据赋能 / the deal declares data enablement"
    ),
    basis: str = typer.Option(
        "balance", "--basis", help="计算基础 balance (入池金额) | pv (预测回收款现值, deals only)"
    ),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """数据资产ABS分类 / classify a pool: pure, labelled, enabled or not a data-asset ABS."""
    if basis not in BASES:
        raise DabsError(f"--basis must be one of {', '.join(BASES)}; got {basis!r}")
    pool, deal, tape_warnings = _load(tape_or_deal)
    if deal is not None:
        result = classify_deal(deal, basis=basis, declared_enablement=enabled)
    else:
        if basis == "pv":
            raise DabsError(
                f"{tape_or_deal}: --basis pv needs a deal file (dates, assumptions) to project "
                "collections; give a deal .json or an example name, or use --basis balance"
            )
        result = classify(pool, declared_enablement=enabled)
    if as_json:
        data = result.to_dict()
        data["source"] = _source(pool, deal, tape_or_deal)
        data["tape_warnings"] = [str(i) for i in tape_warnings]
        print_json(data)
        return
    _print_tape_warnings(tape_warnings)
    _print_classification(result, _source(pool, deal, tape_or_deal))


def _print_classification(c: Classification, source: str) -> None:
    from abs.classify import format_share

    rows = [
        ("类型 kind", f"{c.kind_zh} ({c.kind.value})"),
        ("数据资产关联占比 data-linked share", format_share(c.linked_fen, c.total_fen)),
        ("100%数据资产 pure_100", _yes(c.pure_100)),
        ("入池总金额 total (万元)", wan(c.total_amount)),
        ("数据关联金额 data-linked (万元)", wan(c.linked_amount)),
        ("笔数 assets", str(c.asset_count)),
        ("债务人数量 obligors", str(c.obligor_count)),
        ("计算基础 basis", f"{_BASIS_ZH.get(c.basis, c.basis)} ({c.basis})"),
        ("声明数据赋能 declared enablement", _yes(c.declared_enablement)),
        ("增信 guarantee/差额支付", _yes(c.credit_support)),
    ]
    print_table(f"数据资产ABS分类 Classification — {source}", ["项目 item", "数值 value"], rows)
    total = c.total_amount
    link_rows = [
        (DataLink(k).label, wan(v), pct(v / total) if total else "-") for k, v in c.by_link.items()
    ]
    print_table(
        "按数据资产关联 By data link", ["关联 link", "金额 (万元)", "占比 share"], link_rows
    )
    kind_rows = [
        (AssetType(k).label, wan(v), pct(v / total) if total else "-") for k, v in c.by_kind.items()
    ]
    print_table("按资产类型 By asset kind", ["类型 kind", "金额 (万元)", "占比 share"], kind_rows)
    console.print(f"说明：{c.explanation_zh}", highlight=False)
    console.print(f"Explanation: {c.explanation_en}", highlight=False)
    if c.warnings:
        console.print("[bold yellow]提示 Warnings[/]", markup=True)
        for w in c.warnings:
            console.print(f"  - {w}", highlight=False, markup=False)
    else:
        console.print("提示 Warnings: 无 none", highlight=False)


@app.command("pool")
@handle_errors
def pool_cmd(
    tape_or_deal: str = typer.Argument(..., help=_ARG_HELP),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="统计基准日 YYYY-MM-DD (default: the deal's cut-off, else the latest start date)",
    ),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """资产池统计 / pool summary, distributions and the top-20 obligors."""
    date: dt.date | None = None
    if as_of is not None:
        try:
            date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise DabsError(f"--as-of must be a date YYYY-MM-DD; got {as_of!r}") from None
    pool, deal, tape_warnings = _load(tape_or_deal)
    strat = stratify_deal(deal, as_of=date) if deal is not None else stratify(pool, as_of=date)
    if as_json:
        data: dict[str, Any] = strat.to_dict()
        data["source"] = _source(pool, deal, tape_or_deal)
        data["tape_warnings"] = [str(i) for i in tape_warnings]
        print_json(data)
        return
    _print_tape_warnings(tape_warnings)
    _print_stratification(strat, _source(pool, deal, tape_or_deal))


def _summary_value(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "元":
        return f"{wan(float(value))} 万元"
    if unit == "fraction":
        return pct(float(value))
    if unit == "年":
        return f"{float(value):.2f} 年"
    if isinstance(value, int):
        return f"{value} {unit}".strip()
    return str(value) if not unit else f"{value} ({unit})"


def _print_stratification(s: Stratification, source: str) -> None:
    rows = [(f"{zh} {en}", _summary_value(v, unit)) for zh, en, v, unit in s.summary.rows()]
    print_table(f"资产池概况 Pool summary — {source}", ["项目 item", "数值 value"], rows)
    for name, frame in s.distributions.items():
        table = [
            (
                r[COL_CATEGORY],
                str(r[COL_COUNT]),
                pct(r[COL_COUNT_SHARE]),
                wan(r[COL_AMOUNT]),
                pct(r[COL_AMOUNT_SHARE]),
            )
            for r in frame.to_dict("records")
        ]
        print_table(
            f"{name}分布 By {DIMENSIONS[name]}",
            ["分类 category", "笔数 count", "笔数占比", "金额 (万元)", "金额占比"],
            table,
        )
    top = [
        (
            str(r[TOP_RANK]),
            r[TOP_OBLIGOR],
            r[TOP_CREDITOR],
            r[TOP_RATING],
            wan(r[TOP_BALANCE]),
            "-" if r[TOP_RATE] != r[TOP_RATE] else pct(r[TOP_RATE]),
            pct(r[TOP_SHARE]),
            r[TOP_RELATED],
            r[TOP_ENHANCER],
            r[TOP_ENHANCEMENT],
        )
        for r in s.top20.to_dict("records")
    ]
    print_table(
        "前二十大债务人 Top-20 obligors",
        [
            "序号",
            "债务人名称 obligor",
            "债权人名称 creditor",
            "资信评级",
            "入池本金余额 (万元)",
            "利率",
            "占比",
            "关联交易",
            "增信机构及评级",
            "增信方式/担保物",
        ],
        top,
        right_align_from=4,
    )
    if s.top20_may_be_omitted:
        console.print(
            "每笔资产占比均不超过1%，计划说明书可不披露前二十大债务人表 / every asset is at most "
            "1% of the pool: the top-20 table may be omitted",
            highlight=False,
        )
