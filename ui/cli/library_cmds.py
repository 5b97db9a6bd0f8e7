"""``dabs library``: versioned deals, run history and the audit trail (docs/library.md).

Commands: ``init``, ``save``, ``list``, ``log``, ``show``, ``diff``, ``run``, ``runs``,
``export``, ``verify``, ``archive``, ``restore``. The database is ``--db URL``, else
``$DABS_DB_URL``, else the user's SQLite file. Bad input exits 2 with a message naming the
deal, version or file; ``verify`` exits 1 when the workbook does not reproduce.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from abs.library.errors import LibraryError
from abs.library.records import RUN_KINDS, RunInfo, VersionInfo, fen_to_wan
from ui.cli.app import app
from ui.cli.common import console, err_console, handle_errors, pct, print_json, print_table

if TYPE_CHECKING:
    from abs.library.store import Library

F = TypeVar("F", bound=Callable[..., Any])

library_app = typer.Typer(
    name="library",
    help="交易库：版本、运行记录与审计 / deal library: versions, runs, audit trail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(library_app, name="library")

#: Exit code of ``verify`` when a workbook does not reproduce.
EXIT_MISMATCH = 1
#: Most differing cells printed by ``verify`` (``--json`` lists them all).
VERIFY_SHOWN = 50

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="数据库URL / database URL (default $DABS_DB_URL or the user's SQLite file)",
    ),
]
AuthorOption = Annotated[
    str | None,
    typer.Option("--author", help="作者 / author (default $DABS_AUTHOR or the OS user)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def db_errors(func: F) -> F:
    """Database driver errors become a library error (exit 2 through ``handle_errors``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import DBAPIError

        try:
            return func(*args, **kwargs)
        except DBAPIError as exc:
            first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise LibraryError(f"dabs library: database error: {first}") from None

    return wrapper  # type: ignore[return-value]


def _open(db: str | None) -> Library:
    from abs.library.store import Library

    return Library.open(db)


def _time(stamp: Any) -> str:
    return str(stamp.astimezone().strftime("%Y-%m-%d %H:%M:%S"))


def _wan(fen: int | None) -> str:
    value = fen_to_wan(fen)
    return "—" if value is None else f"{value:,.2f}"


def _kind_zh(kind: str | None) -> str:
    if kind is None:
        return "—"
    from abs.enums import DealKind

    try:
        return f"{DealKind(kind).zh} {kind}"
    except ValueError:
        return kind


def _version_dict(v: VersionInfo) -> dict[str, Any]:
    return {
        "ref": v.ref,
        "key": v.key,
        "number": v.number,
        "parent": v.parent,
        "author": v.author,
        "message": v.message,
        "created_at": v.created_at.isoformat(),
        "deal_name": v.deal_name,
        "deal_kind": v.deal_kind,
        "deal_file": v.deal_file,
        "deal_sha256": v.deal_sha256,
        "tape_name": v.tape_name,
        "tape_sha256": v.tape_sha256,
        "issue_amount_wan": fen_to_wan(v.issue_amount_fen),
        "pool_amount_wan": fen_to_wan(v.pool_amount_fen),
        "asset_count": v.asset_count,
        "tranche_count": v.tranche_count,
    }


#: Printed above the measures of a run recorded before schema revision 0004.
LEGACY_NOTE = (
    "指标格式1（库结构0004之前记录）：当时 min_coverage 为仅利息口径，已按现行键名读出"
    "（min_coverage 含本金，min_coverage_interest 仅利息）/ measures format 1 (recorded before "
    "schema 0004, when min_coverage was interest-only): shown under the current keys"
)


def _run_dict(r: RunInfo) -> dict[str, Any]:
    return {
        "id": r.id,
        "version": r.version,
        "kind": r.kind,
        "created_at": r.created_at.isoformat(),
        "author": r.author,
        "scenario_count": r.scenario_count,
        "seed": r.seed,
        "mc_paths": r.mc_paths,
        "stress_set": r.stress_set,
        "stress_sha256": r.stress_sha256,
        "software": r.software,
        "deal_sha256": r.deal_sha256,
        "tape_sha256": r.tape_sha256,
        "timings": r.timings,
        "measures_format": r.measures_format,
    }


# --- init / save --------------------------------------------------------------------------


@library_app.command("init")
@handle_errors
@db_errors
def init_cmd(db: DbOption = None) -> None:
    """建库或升级 / create the library or bring its schema up to date."""
    with _open(db) as lib:
        revision = lib.revision()
        console.print(
            f"交易库已就绪 library ready: {lib.url}（{lib.backend}，架构版本 schema {revision}）",
            highlight=False,
        )


@library_app.command("save")
@handle_errors
@db_errors
def save_cmd(
    deal: Annotated[str, typer.Argument(help="交易文件路径或示例名 / deal file or example")],
    message: Annotated[str, typer.Option("-m", "--message", help="版本说明 / what changed")],
    tape: Annotated[
        Path | None,
        typer.Option("--tape", help="资产清单（默认交易文件所引用的）/ tape (default: the deal's)"),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="交易在库中的名称 / library key (default: example or file)"),
    ] = None,
    parent: Annotated[
        int | None,
        typer.Option("--parent", min=1, help="基于哪个版本修改 / version edited (default newest)"),
    ] = None,
    allow_unchanged: Annotated[
        bool,
        typer.Option("--allow-unchanged", help="内容未变也保存 / save even if nothing changed"),
    ] = False,
    author: AuthorOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """保存新版本 / save a new version of a deal (deal file and tape bytes)."""
    with _open(db) as lib:
        result = lib.save_files(
            deal,
            key=name,
            tape_path=tape,
            message=message,
            author=author,
            parent=parent,
            allow_unchanged=allow_unchanged,
        )
    v = result.version
    if as_json:
        print_json({"created": result.created, **_version_dict(v)})
        return
    if not result.created:
        console.print(
            f"无变化，未保存新版本：{v.ref} 与之相同 / unchanged: identical to {v.ref}",
            highlight=False,
        )
        return
    parent_text = f"（父版本 parent @{v.parent}）" if v.parent else "（首个版本 first version）"
    console.print(f"已保存 saved {v.ref}{parent_text}", highlight=False)
    console.print(
        f"  {v.deal_name}；发行规模 {_wan(v.issue_amount_fen)} 万元；"
        f"资产 {v.asset_count if v.asset_count is not None else '—'} 笔 "
        f"{_wan(v.pool_amount_fen)} 万元；交易文件 SHA-256 {v.deal_sha256[:12]}…",
        highlight=False,
    )


# --- list / log / show ----------------------------------------------------------------------


@library_app.command("list")
@handle_errors
@db_errors
def list_cmd(
    archived: Annotated[
        bool, typer.Option("--archived", help="包括已归档的交易 / include archived deals")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """列出交易 / list the deals with their newest version."""
    with _open(db) as lib:
        deals = lib.deals(include_archived=archived)
    if as_json:
        print_json(
            [
                {
                    "key": d.key,
                    "deal_name": d.deal_name,
                    "deal_kind": d.deal_kind,
                    "versions": d.versions,
                    "latest": d.latest,
                    "latest_at": d.latest_at.isoformat(),
                    "latest_author": d.latest_author,
                    "latest_message": d.latest_message,
                    "issue_amount_wan": fen_to_wan(d.issue_amount_fen),
                    "archived": d.archived,
                }
                for d in deals
            ]
        )
        return
    if not deals:
        console.print("交易库为空 the library has no deals yet (dabs library save DEAL -m …)")
        return
    print_table(
        "交易库 Deal library",
        [
            "交易 key",
            "名称 name",
            "类型 kind",
            "版本数 versions",
            "最新 latest",
            "发行规模(万元) issue",
            "保存时间 saved",
            "作者 author",
            "说明 message",
        ]
        + (["状态 status"] if archived else []),
        [
            [
                d.key,
                d.deal_name,
                _kind_zh(d.deal_kind),
                d.versions,
                f"@{d.latest}",
                _wan(d.issue_amount_fen),
                _time(d.latest_at),
                d.latest_author,
                d.latest_message,
            ]
            + (["已归档 archived" if d.archived else "在用 active"] if archived else [])
            for d in deals
        ],
        right_align_from=3,
    )


@library_app.command("log")
@handle_errors
@db_errors
def log_cmd(
    deal: Annotated[str, typer.Argument(help="交易名称 / deal key")],
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="最多显示 / at most")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """版本历史 / a deal's versions, newest first."""
    with _open(db) as lib:
        versions = lib.log(deal, limit=limit)
    if as_json:
        print_json([_version_dict(v) for v in versions])
        return
    print_table(
        f"{deal} 版本历史 history",
        [
            "版本 version",
            "父版本 parent",
            "时间 saved",
            "作者 author",
            "说明 message",
            "发行规模(万元) issue",
            "资产笔数 assets",
            "入池金额(万元) pool",
            "交易文件 deal sha256",
            "资产包 tape sha256",
        ],
        [
            [
                f"@{v.number}",
                f"@{v.parent}" if v.parent else "—",
                _time(v.created_at),
                v.author,
                v.message,
                _wan(v.issue_amount_fen),
                v.asset_count if v.asset_count is not None else "—",
                _wan(v.pool_amount_fen),
                v.deal_sha256[:12],
                (v.tape_sha256 or "—")[:12],
            ]
            for v in versions
        ],
        right_align_from=5,
    )


@library_app.command("show")
@handle_errors
@db_errors
def show_cmd(
    ref: Annotated[str, typer.Argument(help="交易[@版本] / DEAL[@VERSION] (default newest)")],
    raw: Annotated[
        bool, typer.Option("--raw", help="输出保存的交易文件原文 / print the stored deal file")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """查看版本 / show one version: facts, tranches, pool, runs."""
    from abs.enums import TrancheClass

    with _open(db) as lib:
        info, deal_bytes, _ = lib.inputs(ref)
        if raw:
            typer.echo(deal_bytes.decode("utf-8"), nl=False)
            return
        deal = lib.load(info)
        runs = lib.runs(info.ref)
    if as_json:
        print_json(
            {
                **_version_dict(info),
                "deal": json.loads(deal_bytes.decode("utf-8")),
                "runs": [_run_dict(r) for r in runs],
            }
        )
        return
    console.print(f"[bold]{info.ref}[/]  {info.deal_name}", highlight=False)
    facts = [
        ("类型 kind", _kind_zh(info.deal_kind)),
        ("父版本 parent", f"@{info.parent}" if info.parent else "—"),
        ("保存 saved", f"{_time(info.created_at)} {info.author}"),
        ("说明 message", info.message),
        ("交易文件 deal file", f"{info.deal_file}  SHA-256 {info.deal_sha256}"),
        (
            "资产清单 tape",
            f"{info.tape_name}  SHA-256 {info.tape_sha256}" if info.tape_name else "内嵌 embedded",
        ),
        (
            "资产池 pool",
            f"{info.asset_count if info.asset_count is not None else '—'} 笔 assets，"
            f"{_wan(info.pool_amount_fen)} 万元",
        ),
        ("发行规模 issue", f"{_wan(info.issue_amount_fen)} 万元"),
        ("运行记录 runs", str(len(runs))),
    ]
    print_table("版本信息 Version", ["项目 item", "内容 value"], facts, right_align_from=99)
    zh = {
        TrancheClass.SENIOR: "优先级",
        TrancheClass.MEZZANINE: "中间级",
        TrancheClass.SUBORDINATED: "次级",
    }
    print_table(
        "档位 Tranches",
        ["档位 tranche", "类别 class", "发行规模(万元) balance", "票面利率 coupon", "评级 rating"],
        [
            [
                t.name,
                zh.get(t.tranche_class, t.tranche_class.value),
                f"{t.balance / 1e4:,.2f}",
                pct(t.coupon.rate) if t.tranche_class is not TrancheClass.SUBORDINATED else "—",
                t.rating or "—",
            ]
            for t in deal.tranches
        ],
        right_align_from=2,
    )


# --- diff ------------------------------------------------------------------------------------


def _measure_text(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:.4f}%"
    if unit == "年":
        return f"{value:.4f} 年"
    if unit == "×":
        return f"{value:.4f}×"
    return f"{value:.6g}"


def _delta_text(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 1e4:+.2f} bp"
    if unit == "年":
        return f"{value:+.4f} 年"
    if unit == "×":
        return f"{value:+.4f}×"
    return f"{value:+.6g}"


@library_app.command("diff")
@handle_errors
@db_errors
def diff_cmd(
    a: Annotated[str, typer.Argument(help="交易@版本A / DEAL@A")],
    b: Annotated[str, typer.Argument(help="交易@版本B / DEAL@B")],
    no_run: Annotated[
        bool,
        typer.Option("--no-run", help="缺少运行记录时不运行 / don't run versions without a run"),
    ] = False,
    author: AuthorOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """比较两个版本 / compare two versions: structure field by field, pool, key measures."""
    from ui.library_service import diff_versions

    with _open(db) as lib:
        d = diff_versions(lib, a, b, run_missing=not no_run, author=author)
    s = d.structure
    if as_json:
        print_json(
            {
                "a": d.a.ref,
                "b": d.b.ref,
                "changes": [
                    {
                        "path": c.path,
                        "label_zh": c.label_zh,
                        "change": c.change,
                        "old": c.old,
                        "new": c.new,
                        "old_text": c.old_text,
                        "new_text": c.new_text,
                        "delta": c.delta_text,
                    }
                    for c in s.changes
                ],
                "pool": {
                    "old_count": s.pool.old_count,
                    "new_count": s.pool.new_count,
                    "old_amount_wan": fen_to_wan(s.pool.old_amount_fen),
                    "new_amount_wan": fen_to_wan(s.pool.new_amount_fen),
                    "added": list(s.pool.added),
                    "removed": list(s.pool.removed),
                    "changed": list(s.pool.changed),
                },
                "measures": d.measures.to_dict("records"),
                "runs": list(d.runs),
                "notes": list(d.notes),
            }
        )
        return
    for note in d.notes:
        console.print(note, highlight=False)
    if s.changes:
        print_table(
            f"结构变化 Structure changes {d.a.ref} → {d.b.ref}",
            ["字段 field", "路径 path", d.a.ref, d.b.ref, "变化 delta"],
            [[c.label_zh, c.path, c.old_text, c.new_text, c.delta_text] for c in s.changes],
            right_align_from=99,
        )
    else:
        console.print(f"结构无变化 no structure changes {d.a.ref} → {d.b.ref}", highlight=False)
    p = s.pool
    if p.unchanged:
        console.print("资产池无变化 pool unchanged", highlight=False)
    else:
        console.print(
            f"资产池 pool: {p.old_count} → {p.new_count} 笔 assets；"
            f"{_wan(p.old_amount_fen)} → {_wan(p.new_amount_fen)} 万元；"
            f"新增 added {len(p.added)}，移除 removed {len(p.removed)}，"
            f"变更 changed {len(p.changed)}"
            + (f"（{', '.join((p.added + p.removed + p.changed)[:10])}…）" if p.changed else ""),
            highlight=False,
        )
    if not d.measures.empty:
        print_table(
            "关键指标变化 Key measures (基准情景 base case)",
            ["档位 tranche", "指标 measure", d.a.ref, d.b.ref, "变化 delta"],
            [
                [
                    r["档位 tranche"],
                    r["指标 measure"],
                    _measure_text(r["old"], r["unit"]),
                    _measure_text(r["new"], r["unit"]),
                    _delta_text(r["变化 delta"], r["unit"]),
                ]
                for r in d.measures.to_dict("records")
            ],
            right_align_from=2,
        )


# --- runs ------------------------------------------------------------------------------------


def _base_table(lib: Library, run: RunInfo) -> None:
    frame = lib.measures(run.id)
    base = frame[frame["section"] == "base"]
    if base.empty:
        return
    wide = base.pivot_table(index="tranche", columns="measure", values="value", sort=False)
    print_table(
        f"基准情景 Base case ({run.version})",
        [
            "档位 tranche",
            "WAL(年)",
            "收益率 yield",
            "损失率 loss",
            "最低覆盖（含本金） min cov incl. principal",
            "最低覆盖（仅利息） min cov, interest only",
        ],
        [
            [
                name,
                f"{row.get('wal_years', float('nan')):.4f}",
                pct(row.get("yield", float("nan"))),
                pct(row.get("loss", float("nan"))),
                f"{row.get('min_coverage', float('nan')):.4f}",
                f"{row.get('min_coverage_interest', float('nan')):.4f}",
            ]
            for name, row in wide.iterrows()
        ],
    )


@library_app.command("run")
@handle_errors
@db_errors
def run_cmd(
    ref: Annotated[str, typer.Argument(help="交易[@版本] / DEAL[@VERSION]")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="base / stress / breakeven / montecarlo（基准/压力/临界值/蒙特卡洛）"
        ),
    ] = "base",
    stress: Annotated[
        str | None,
        typer.Option("--stress", help="压力情景集 data / receivable 或文件 / stress set or file"),
    ] = None,
    mc: Annotated[int | None, typer.Option("--mc", min=1, help="蒙特卡洛路径数 / paths")] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="随机种子 / seed")] = None,
    author: AuthorOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """运行并记录 / run a stored version and record the run with its measures."""
    from ui.library_service import run_version

    with _open(db) as lib:
        run = run_version(
            lib, ref, kind=kind, stress_set=stress, mc_paths=mc, seed=seed, author=author
        )
        if as_json:
            print_json({**_run_dict(run), "measures": lib.measures(run.id).to_dict("records")})
            return
        console.print(
            f"已记录运行 recorded run {run.short_id}（{RUN_KINDS[run.kind]}，{run.version}，"
            f"{run.timings.get('total_s', 0.0):.2f} s）",
            highlight=False,
        )
        _base_table(lib, run)


@library_app.command("runs")
@handle_errors
@db_errors
def runs_cmd(
    ref: Annotated[str, typer.Argument(help="交易[@版本] / DEAL[@VERSION]")],
    run_id: Annotated[
        str | None, typer.Option("--run", help="显示该运行的全部指标 / show one run's measures")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="只看某类运行 / only this kind")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """运行记录 / runs of a deal (all versions) or of one version."""
    with _open(db) as lib:
        if run_id is not None:
            run = lib.run(run_id)
            frame = lib.measures(run.id)
            exports = lib.exports(run_id=run.id)
            if as_json:
                print_json(
                    {
                        **_run_dict(run),
                        "measures": frame.to_dict("records"),
                        "exports": [
                            {"kind": e.kind, "path": e.path, "sha256": e.sha256} for e in exports
                        ],
                    }
                )
                return
            when = _time(run.created_at)
            console.print(
                f"运行 run {run.id}（{RUN_KINDS[run.kind]}，{run.version}，{when}）",
                highlight=False,
            )
            if run.measures_format == 1:
                console.print(LEGACY_NOTE, highlight=False)
            print_table(
                "指标 Measures",
                ["部分 section", "情景 scenario", "档位 tranche", "指标 measure", "值 value"],
                [
                    [r.section, r.scenario, r.tranche, r.measure, _measure_value(r)]
                    for r in frame.itertuples(index=False)
                ],
                right_align_from=4,
            )
            for e in exports:
                console.print(
                    f"导出 export {e.kind}: {e.path}  SHA-256 {e.sha256}", highlight=False
                )
            return
        runs = lib.runs(ref, kind=kind)
    if as_json:
        print_json([_run_dict(r) for r in runs])
        return
    print_table(
        f"{ref} 运行记录 runs",
        [
            "运行 run",
            "版本 version",
            "类型 kind",
            "时间 time",
            "作者 author",
            "情景数 scenarios",
            "种子 seed",
            "耗时(s) seconds",
            "代码 commit",
        ],
        [
            [
                r.short_id,
                r.version,
                RUN_KINDS[r.kind].split(" (")[0],
                _time(r.created_at),
                r.author,
                r.scenario_count,
                "—" if r.seed is None else r.seed,
                f"{_total_seconds(r):.2f}",
                (r.software.get("git_commit") or "—")[:8],
            ]
            for r in runs
        ],
        right_align_from=5,
    )


#: Measures in yuan, shown in 万元.
MONEY_MEASURES = frozenset(
    {
        "shortfall",
        "pool_amount",
        "initial_pool_balance",
        "collections_total",
        "income_total",
        "principal_total",
        "defaults_total",
        "recoveries_total",
    }
)


def _measure_value(row: Any) -> str:
    value = row.value
    if value != value:  # NaN: stored as NULL (not finite)
        return "—"
    if row.measure in MONEY_MEASURES:
        return f"{value / 1e4:,.2f} 万元"
    return f"{value:.6g}"


def _total_seconds(run: RunInfo) -> float:
    t = run.timings
    return float(t.get("total_s", t.get("total", 0.0)) or 0.0)


# --- export / verify -------------------------------------------------------------------------


@library_app.command("export")
@handle_errors
@db_errors
def export_cmd(
    ref: Annotated[str, typer.Argument(help="交易[@版本] / DEAL[@VERSION]")],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="输出工作簿 / output workbook (.xlsx)", dir_okay=False),
    ],
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="同时输出 CSV 到此文件夹 / also CSV here")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json-out", help="同时输出 JSON / also the JSON document")
    ] = None,
    stress: Annotated[
        str | None,
        typer.Option("--stress", help="压力情景集 data / receivable 或文件 / stress set or file"),
    ] = None,
    mc: Annotated[int | None, typer.Option("--mc", min=1, help="蒙特卡洛路径数 / paths")] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="随机种子 / seed")] = None,
    encoding: Annotated[str, typer.Option("--encoding", help="CSV 编码 / CSV encoding")] = (
        "utf-8-sig"
    ),
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件 / overwrite")] = False,
    no_breakeven: Annotated[
        bool, typer.Option("--no-breakeven", help="跳过临界值搜索 / skip the break-even search")
    ] = False,
    author: AuthorOption = None,
    db: DbOption = None,
) -> None:
    """从库导出申报表格并记录 / export a stored version's filing workbook and record it."""
    from abs.errors import ExportError
    from abs.filing.csv_out import CSV_ENCODINGS
    from ui.library_service import export_version

    if output.suffix.lower() != ".xlsx":
        raise ExportError(f"{output}: the workbook name must end in .xlsx")
    if encoding not in CSV_ENCODINGS:
        raise ExportError(f"--encoding must be one of {', '.join(CSV_ENCODINGS)}; got {encoding!r}")
    with _open(db) as lib:
        done = export_version(
            lib,
            ref,
            xlsx_path=output,
            csv_dir=csv_dir,
            json_path=json_path,
            csv_encoding=encoding,
            force=force,
            stress_set=stress,
            mc_paths=mc,
            seed=seed,
            breakeven=not no_breakeven,
            author=author,
        )
    print_export(done)


def print_export(done: Any) -> None:
    """What an export wrote and recorded (shared with ``dabs export``)."""
    console.print(
        f"已导出并记录 exported and recorded: {done.version.ref}，运行 run {done.run.id}",
        highlight=False,
    )
    for e in done.exports:
        if e.kind != "csv":
            console.print(f"  {e.path}  SHA-256 {e.sha256}", highlight=False)
    csvs = [e for e in done.exports if e.kind == "csv"]
    if csvs:
        console.print(f"  {len(csvs)} CSV → {Path(csvs[0].path).parent}", highlight=False)


@library_app.command("verify")
@handle_errors
@db_errors
def verify_cmd(
    workbook: Annotated[Path, typer.Argument(help="申报工作簿 / filed workbook (.xlsx)")],
    cells: Annotated[
        bool,
        typer.Option("--cells", help="逐个列出全部数字单元格 / list every numeric cell compared"),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """复核申报工作簿 / re-run a filed workbook from stored inputs and compare every cell."""
    from ui.library_service import verify_workbook

    with _open(db) as lib:
        report = verify_workbook(lib, workbook)
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "path": str(report.path),
                "sha256": report.sha256,
                "run": report.run.id,
                "version": report.run.version,
                "file_is_recorded": report.file_is_recorded,
                "numbers_compared": report.numbers_compared,
                "numbers_matched": report.numbers_matched,
                "texts_compared": report.texts_compared,
                "texts_matched": report.texts_matched,
                "mismatches": report.to_frame().to_dict("records"),
                "environment": [
                    {
                        "cell": c.where,
                        "row": c.row_label,
                        "file": c.file_value,
                        "rerun": c.rerun_value,
                    }
                    for c in report.environment
                ],
                "code_changes": list(report.code_changes),
                "library_changes": list(report.library_changes),
                "notes": list(report.notes),
                **(
                    {
                        "cells": [
                            {
                                "cell": c.where,
                                "kind": c.kind,
                                "file": c.file_value,
                                "rerun": c.rerun_value,
                                "match": c.match,
                            }
                            for c in report.cells
                        ]
                    }
                    if cells
                    else {}
                ),
            }
        )
    else:
        if cells:
            print_table(
                "数字单元格逐一比对 Every numeric cell",
                ["单元格 cell", "类型 kind", "文件 file", "复算 re-run", "一致 match"],
                [
                    [c.where, c.kind, c.file_value, c.rerun_value, "✓" if c.match else "✗"]
                    for c in report.cells
                ],
                right_align_from=2,
            )
        _print_verify(report)
    if not report.ok:
        raise typer.Exit(EXIT_MISMATCH)


def _print_verify(report: Any) -> None:
    run = report.run
    recorded = (
        "与记录的导出一致 matches the recorded export"
        if report.file_is_recorded
        else "与记录的导出不同 differs from the recorded export"
        if report.export is not None
        else "无导出记录 no export recorded"
    )
    console.print(
        f"工作簿 workbook: {report.path}（SHA-256 {report.sha256[:16]}…，{recorded}）",
        highlight=False,
    )
    console.print(
        f"运行 run: {run.id}（{run.version}，{_time(run.created_at)}，{run.author}）；"
        f"复算耗时 re-run {report.rerun_seconds:.2f} s",
        highlight=False,
    )
    console.print(
        f"数字单元格 numeric cells: {report.numbers_matched}/{report.numbers_compared} 一致 match "
        f"（金额精确到分 money to the fen）；文本单元格 text cells: "
        f"{report.texts_matched}/{report.texts_compared}",
        highlight=False,
    )
    if report.code_changes or report.library_changes:
        console.print("与运行时相比 since the recorded run:", highlight=False)
    for line in report.code_changes:
        console.print(f"  代码 code: {line}", highlight=False)
    for line in report.library_changes:
        console.print(f"  依赖库 library: {line}", highlight=False)
    for note in report.notes:
        console.print(note, highlight=False)
    if report.ok:
        console.print(
            "[bold green]通过 PASS[/]：全部数字与复算结果一致（精确到分）/ every number matches "
            "the re-run to the fen",
            highlight=False,
        )
        return
    err_console.print(
        f"[bold red]不一致 FAIL[/]：{len(report.mismatches)} 个单元格与复算不同 / "
        f"{len(report.mismatches)} cell(s) differ from the re-run",
        highlight=False,
    )
    print_table(
        "不一致的单元格 Differing cells",
        [
            "单元格 cell",
            "列 column",
            "行 row",
            "文件 file",
            "复算 re-run",
            "差额 difference",
            "原因 reason",
        ],
        [
            [c.where, c.header, c.row_label, c.file_value, c.rerun_value, c.difference, c.reason]
            for c in report.mismatches[:VERIFY_SHOWN]
        ],
        right_align_from=99,
    )
    if len(report.mismatches) > VERIFY_SHOWN:
        console.print(
            f"……另有 {len(report.mismatches) - VERIFY_SHOWN} 个（--json 列出全部）/ and "
            f"{len(report.mismatches) - VERIFY_SHOWN} more (--json lists all)",
            highlight=False,
        )


# --- archive ---------------------------------------------------------------------------------


@library_app.command("archive")
@handle_errors
@db_errors
def archive_cmd(
    deal: Annotated[str, typer.Argument(help="交易名称 / deal key")],
    reason: Annotated[str, typer.Option("--reason", help="归档原因 / why (logged)")],
    author: AuthorOption = None,
    db: DbOption = None,
) -> None:
    """归档交易（不删除，记录在案）/ archive a deal (logged; nothing is deleted)."""
    with _open(db) as lib:
        lib.archive(deal, reason=reason, author=author)
    console.print(f"已归档 archived {deal}（历史与运行记录保留 history and runs kept）")


@library_app.command("restore")
@handle_errors
@db_errors
def restore_cmd(
    deal: Annotated[str, typer.Argument(help="交易名称 / deal key")],
    reason: Annotated[str, typer.Option("--reason", help="恢复原因 / why (logged)")],
    author: AuthorOption = None,
    db: DbOption = None,
) -> None:
    """恢复已归档的交易 / restore an archived deal (logged)."""
    with _open(db) as lib:
        lib.restore(deal, reason=reason, author=author)
    console.print(f"已恢复 restored {deal}")


__all__ = ["library_app", "print_export"]
