"""Assemble a deal's exchange-filing package: run the engine, build the nine sheets, write them.

This is orchestration only (no maths): the pool statistics come from :mod:`abs.stratify` and
:mod:`abs.classify`, the expected-case cash flows from :func:`abs.projection.project` and
:func:`waterfall.run`, the stress grid, break-evens and Monte Carlo from :mod:`scenarios`; the
sheet builders of :mod:`abs.filing.sheets` turn those results into tables and the writers of
:mod:`abs.filing` render them. ``dabs export`` and the dashboard's download button call
:func:`export_package` / :func:`build_filing_tables`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abs.deal import Deal
from abs.enums import DataLink
from abs.errors import ExportError
from abs.filing import (
    Column,
    ColumnKind,
    FilingTable,
    TableBlock,
    WorkbookProperties,
    render_csv,
    render_json,
    render_xlsx,
)
from abs.filing.csv_out import DEFAULT_CSV_ENCODING
from abs.filing.files import FileOutput, FolderOutput, check_outputs, write_outputs
from abs.filing.json_out import software_version
from abs.filing.sheets import (
    asset_list_sheet,
    coverage_sheet,
    deal_summary_sheet,
    frame_block,
    model_notes_sheet,
    pool_cashflow_sheet,
    pool_statistics_sheet,
    stress_sheet,
    top_obligors_sheet,
    tranche_payments_sheet,
)
from abs.io import require_pool
from abs.library.provenance import (
    dependency_line,
    describe_commit,
    software_versions,
)

#: Name of the base-case column in the coverage sheet.
BASE_NAME = "基准"
#: Factors searched for the break-even table (临界收入降幅, 临界违约倍数).
BREAKEVEN_FACTORS: tuple[str, ...] = ("revenue_haircut", "pd_multiplier")

#: Stratification dimensions shown in 基础资产统计: (stratify key, block key, title).
DISTRIBUTIONS: tuple[tuple[str, str, str], ...] = (
    ("单笔入池金额", "by_amount", "单笔未偿本金余额（入池金额）分布"),
    ("账龄", "by_seasoning", "账龄分布"),
    ("剩余期限", "by_term", "剩余期限分布"),
    ("利率", "by_rate", "利率分布"),
    ("债务人地区", "by_region", "债务人地区分布"),
    ("债务人行业", "by_industry", "债务人行业分布"),
    ("债务人资信评级", "by_rating", "债务人资信（影子）评级分布"),
    ("关联交易", "by_related", "关联交易分布"),
    ("资产类型", "by_kind", "资产类型分布"),
    ("数据资产关联", "by_data_link", "数据资产关联分布"),
    ("债权人", "by_originator", "债权人（原始权益人）分布"),
)


def _c(key: str, label: str, kind: ColumnKind = ColumnKind.TEXT, **kw: Any) -> Column:
    return Column(key, label, kind, **kw)


#: Stress grid columns: (grid column constant name in scenarios.grid, our column).
_GRID_COLUMNS: tuple[tuple[str, Column], ...] = (
    ("COL_SCENARIO", _c("scenario", "情景")),
    ("COL_TRANCHE", _c("tranche", "档位")),
    ("COL_PAID", _c("paid_in_full", "是否足额兑付")),
    ("COL_SHORTFALL", _c("shortfall", "短缺金额", ColumnKind.MONEY)),
    ("COL_LOSS", _c("loss", "本金损失率", ColumnKind.PERCENT)),
    ("COL_WAL", _c("wal", "加权平均期限", ColumnKind.NUMBER, unit="年")),
    ("COL_YIELD", _c("yield", "收益率", ColumnKind.PERCENT)),
    ("COL_MIN_COV", _c("min_coverage_interest", "最低覆盖倍数（仅利息）", ColumnKind.RATIO)),
    ("COL_LIFE_COV", _c("life_coverage_interest", "全周期覆盖倍数（仅利息）", ColumnKind.RATIO)),
    ("COL_MIN_COV_P", _c("min_coverage", "最低覆盖倍数（含本金）", ColumnKind.RATIO)),
    ("COL_FIRST_SHORT", _c("first_shortfall", "首次短缺日", ColumnKind.DATE)),
    ("COL_EVENTS", _c("events", "触发事件")),
)
_BREAKEVEN_COLUMNS: tuple[tuple[str, Column], ...] = (
    ("COL_TRANCHE", _c("tranche", "档位")),
    ("COL_FACTOR", _c("factor", "压力因子")),
    ("COL_VALUE", _c("breakeven", "临界值", ColumnKind.NUMBER, decimals=4)),
    ("COL_UNIT", _c("unit", "单位")),
    ("COL_FAIL", _c("first_failing", "首个失败值", ColumnKind.NUMBER, decimals=4)),
    ("COL_CDR", _c("implied_cdr", "隐含累计违约率", ColumnKind.PERCENT)),
    ("COL_STATUS", _c("status", "搜索状态")),
    ("COL_MONOTONE", _c("monotone", "是否单调")),
    ("COL_REGIONS", _c("non_monotone", "非单调区间")),
    ("COL_STEPS", _c("steps", "搜索轮数", ColumnKind.INTEGER)),
)
_MC_COLUMNS: tuple[tuple[str, Column], ...] = (
    ("COL_TRANCHE", _c("tranche", "档位")),
    ("COL_EL", _c("expected_loss", "预期损失率", ColumnKind.PERCENT)),
    ("COL_P_SHORT", _c("prob_shortfall", "发生短缺概率", ColumnKind.PERCENT)),
    ("COL_VAR95", _c("loss_var95", "损失率VaR(95%)", ColumnKind.PERCENT)),
    ("COL_VAR99", _c("loss_var99", "损失率VaR(99%)", ColumnKind.PERCENT)),
    ("COL_MAX_LOSS", _c("max_loss", "最大损失率", ColumnKind.PERCENT)),
    ("COL_WAL_MEAN", _c("wal_mean", "平均加权平均期限", ColumnKind.NUMBER, unit="年")),
    ("COL_WAL_P5", _c("wal_p5", "加权平均期限P5", ColumnKind.NUMBER, unit="年")),
    ("COL_WAL_P50", _c("wal_p50", "加权平均期限P50", ColumnKind.NUMBER, unit="年")),
    ("COL_WAL_P95", _c("wal_p95", "加权平均期限P95", ColumnKind.NUMBER, unit="年")),
    ("COL_YIELD_MEAN", _c("yield_mean", "平均收益率", ColumnKind.PERCENT)),
    ("COL_YIELD_P5", _c("yield_p5", "收益率P5", ColumnKind.PERCENT)),
    ("COL_YIELD_P50", _c("yield_p50", "收益率P50", ColumnKind.PERCENT)),
    ("COL_MINCOV_P5", _c("min_coverage_interest_p5", "最低覆盖倍数（仅利息）P5", ColumnKind.RATIO)),
    (
        "COL_MINCOV_P50",
        _c("min_coverage_interest_p50", "最低覆盖倍数（仅利息）P50", ColumnKind.RATIO),
    ),
)


@dataclass(frozen=True)
class FilingRun:
    """Facts of one export run, recorded in 模型说明 and the file properties.

    Attributes
    ----------
    created : datetime
        Run timestamp (timezone-aware).
    deal_source : str
        Deal file path, or a description when the deal was built in memory.
    deal_sha256 : str
        SHA-256 of the deal file's bytes (or of the deal's canonical JSON with its pool).
    tape_source, tape_sha256 : str or None
        Tape file path and its SHA-256, when the deal was read from a tape file.
    seed, mc_paths : int or None
        Monte Carlo seed and path count (None when no Monte Carlo was run).
    stress_set : str
        Name and source of the stress scenario set.
    stress_sha256 : str or None
        SHA-256 of a custom stress file (None for a built-in set).
    software : dict
        dabs version, git commit, Python and library versions
        (:func:`abs.library.provenance.software_versions`).
    library_run : str or None
        ``"<run id> <deal@version>"`` when the run is recorded in the deal library.
    """

    created: dt.datetime
    deal_source: str
    deal_sha256: str
    tape_source: str | None
    tape_sha256: str | None
    seed: int | None
    mc_paths: int | None
    stress_set: str
    stress_sha256: str | None = None
    software: dict[str, Any] = field(default_factory=dict)
    library_run: str | None = None


@dataclass(frozen=True)
class InputFacts:
    """Input files as 模型说明 names them, when they do not come from paths on disk.

    The deal library passes the stored bytes' hashes and a ``deal@version`` description so a
    re-run from the library prints the very same rows.
    """

    deal_source: str
    deal_sha256: str
    tape_source: str | None = None
    tape_sha256: str | None = None


@dataclass(frozen=True)
class FilingResults:
    """The engine results behind a filing package (what the deal library records).

    Attributes
    ----------
    grid : GridResult
        The stress grid of the scenario set.
    base : WaterfallResult
        The base case, scenario ``base_index`` of it.
    base_index : int
    scenario_set : ScenarioSet
        The set that was run.
    breakeven : DataFrame or None
        :func:`scenarios.breakeven.breakeven_table` (None when not searched).
    mc : MCResult or None
    timings : dict of str to float
        Seconds per stage (``grid``, ``base``, ``breakeven``, ``montecarlo``, ``sheets``).
    """

    grid: Any
    base: Any
    base_index: int
    scenario_set: Any
    breakeven: pd.DataFrame | None
    mc: Any
    timings: dict[str, float]


@dataclass(frozen=True)
class ExportReport:
    """What :func:`export_package` wrote."""

    written: list[Path]
    tables: list[FilingTable] = field(repr=False)
    run: FilingRun | None = None
    package: RenderedPackage | None = field(default=None, repr=False)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex digest of a file's bytes.

    Raises
    ------
    ExportError
        If the file cannot be read (naming it).
    """
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise ExportError(f"{path}: cannot read input file to hash it: {exc.strerror}") from None
    return digest.hexdigest()


def _resolve_tape(deal: Deal, deal_path: Path | None, tape_path: Path | None) -> Path | None:
    if tape_path is not None:
        return tape_path
    if deal.tape is None:
        return None
    tape = Path(deal.tape)
    if not tape.is_absolute() and deal_path is not None:
        tape = deal_path.parent / tape
    return tape if tape.is_file() else None


def _run_facts(
    deal: Deal,
    *,
    deal_path: str | os.PathLike[str] | None,
    tape_path: str | os.PathLike[str] | None,
    seed: int | None,
    mc_paths: int | None,
    stress_set: str,
    stress_sha256: str | None,
    created: dt.datetime | None,
    inputs: InputFacts | None,
    library_run: str | None,
) -> FilingRun:
    stamp = created or dt.datetime.now().astimezone()
    if stamp.tzinfo is None:
        stamp = stamp.astimezone()
    common: dict[str, Any] = {
        "created": stamp,
        "seed": seed,
        "mc_paths": mc_paths,
        "stress_set": stress_set,
        "stress_sha256": stress_sha256,
        "software": software_versions(),
        "library_run": library_run,
    }
    if inputs is not None:
        return FilingRun(
            deal_source=inputs.deal_source,
            deal_sha256=inputs.deal_sha256,
            tape_source=inputs.tape_source,
            tape_sha256=inputs.tape_sha256,
            **common,
        )
    dpath = None if deal_path is None else Path(deal_path)
    tpath = _resolve_tape(deal, dpath, None if tape_path is None else Path(tape_path))
    if dpath is not None:
        deal_source, deal_sha = str(dpath), sha256_file(dpath)
    else:
        canonical = deal.model_dump_json().encode("utf-8")
        deal_source = "内存中的交易对象（Deal.model_dump_json 规范化JSON，含资产池）"
        deal_sha = hashlib.sha256(canonical).hexdigest()
    return FilingRun(
        deal_source=deal_source,
        deal_sha256=deal_sha,
        tape_source=None if tpath is None else str(tpath),
        tape_sha256=None if tpath is None else sha256_file(tpath),
        **common,
    )


def _stress_file_sha(stress_set: Any, loaded: Any) -> str | None:
    """SHA-256 of a custom stress file (``PATH`` or ``PATH#SET``); None for a built-in set."""
    if loaded.source == "built-in" or not isinstance(stress_set, str | os.PathLike):
        return None
    return sha256_file(str(stress_set).partition("#")[0])


def _mapped_block(
    frame: pd.DataFrame,
    spec: Sequence[tuple[str, Column]],
    module: Any,
    *,
    key: str,
    title: str,
    sheet: str,
    extra: Sequence[Column] = (),
    notes: Sequence[str] = (),
) -> TableBlock:
    """A block from an engine table whose column names are constants of ``module``."""
    columns = [c for _, c in spec] + list(extra)
    sources = {c.key: getattr(module, const) for const, c in spec}
    sources.update({c.key: c.label for c in extra})
    return frame_block(
        frame, key=key, title=title, columns=columns, sources=sources, notes=notes, sheet=sheet
    )


def _fmt_value(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        return "；".join(f"{getattr(k, 'zh', k)}: {_fmt_value(v)}" for k, v in value.items()) or "—"
    if hasattr(value, "zh"):
        return f"{value.zh} ({value.value})"
    return str(value)


def _assumption_rows(deal: Deal) -> list[tuple[str, str, str]]:
    from abs.assumptions import DEFAULT_PD, DEFAULT_RECOVERY, Assumptions, Stress

    a = deal.assumptions
    rows: list[tuple[str, str, str]] = []
    for name, info in Assumptions.model_fields.items():
        if name == "stress":
            continue
        rows.append((name, _fmt_value(getattr(a, name)), info.description or ""))
    if not a.stress.is_base:
        for name, info in Stress.model_fields.items():
            value = getattr(a.stress, name)
            if value != Stress.model_fields[name].default:
                rows.append((f"stress.{name}", _fmt_value(value), info.description or ""))
    for kind, pd_value in DEFAULT_PD.items():
        rows.append(
            (
                f"默认参数：{kind.zh}",
                f"违约率 {pd_value * 100:.2f}%，回收率 {DEFAULT_RECOVERY[kind] * 100:.0f}%",
                "资产包未给出 pd / recovery_rate 时使用（docs/projection.md）",
            )
        )
    return rows


def _scenario_rows(scenario_set: Any) -> list[tuple[str, str, str, str]]:
    from scenarios.factors import DELAY_MONTHS, FACTOR_BY_ID

    rows: list[tuple[str, str, str, str]] = []
    for sc in scenario_set.scenarios:
        if not sc.factors:
            rows.append((sc.name, "（无压力）", "—", "基准情景"))
        for fid, value in sc.factors.items():
            f = FACTOR_BY_ID.get(fid)
            label = f"{f.zh} ({fid})" if f is not None else fid
            unit = f" {f.unit}" if f is not None and not isinstance(value, bool) else ""
            if fid == DELAY_MONTHS:
                label, unit = f"回款延迟 ({fid})", " 月 months（按兑付频率折算为整期）"
            rows.append((sc.name, label, _fmt_value(value) + unit, sc.sources.get(fid, "")))
    return rows


def _coverage_frames(
    base: Any, b: int, grid: Any, names: list[str], keep: list[int]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per-period coverage (two versions) and the per-scenario summary, base case first."""
    dates = list(base.payment_dates)
    cols: dict[str, list[np.ndarray]] = {"int": [], "prin": []}
    summary_rows = []
    runs = [(base, b, BASE_NAME)] + [(grid.result, s, names[s]) for s in keep]
    for result, s, name in runs:
        cols["int"].append(result.coverage()[s])
        cols["prin"].append(result.coverage(include_principal=True)[s])
        summary_rows.append(
            {
                "情景": name,
                "最低覆盖倍数（仅利息）": float(result.min_coverage()[s]),
                "全周期覆盖倍数（仅利息）": float(result.life_coverage()[s]),
                "最低覆盖倍数（含本金）": float(result.min_coverage(include_principal=True)[s]),
                "全周期覆盖倍数（含本金）": float(result.life_coverage(include_principal=True)[s]),
            }
        )
    labels = [name for _, _, name in runs]
    frames = []
    for key in ("int", "prin"):
        frame = pd.DataFrame(dict(zip(labels, cols[key], strict=True)))
        frame.insert(0, "兑付日", dates)
        frames.append(frame)
    return frames[0], frames[1], pd.DataFrame(summary_rows)


def build_filing_tables(
    deal: Deal,
    *,
    stress_set: Any = None,
    mc_paths: int | None = None,
    seed: int | None = None,
    deal_path: str | os.PathLike[str] | None = None,
    tape_path: str | os.PathLike[str] | None = None,
    created: dt.datetime | None = None,
    breakeven: bool = True,
    inputs: InputFacts | None = None,
    library_run: str | None = None,
    stress_sha256: str | None = None,
) -> list[FilingTable]:
    """The nine filing sheets of ``deal`` (see :data:`abs.filing.sheets.SHEETS`).

    Parameters
    ----------
    deal : Deal
        The deal with its pool (``abs.load_deal`` reads the tape).
    stress_set : str, path or ScenarioSet, optional
        Scenario set for 压力测试 and 现金流覆盖倍数: a built-in name (``data``/``receivable``),
        a JSON/CSV file (its SHA-256 goes into 模型说明) or a loaded set; default the deal's
        built-in set.
    mc_paths, seed : int, optional
        Run a Monte Carlo of ``mc_paths`` paths with ``seed`` (both or neither).
    deal_path, tape_path : path, optional
        Input files, hashed (SHA-256) into 模型说明; the tape defaults to the deal's ``tape``.
    created : datetime, optional
        Run timestamp (default now).
    breakeven : bool
        Search the break-even per tranche (the slowest part; on by default).
    inputs : InputFacts, optional
        Names and hashes of the inputs when they are not files on disk (the deal library).
    library_run : str, optional
        ``"<run id> <deal@version>"`` of the deal-library run, printed as 库运行编号.
    stress_sha256 : str, optional
        SHA-256 of the custom stress file when ``stress_set`` is a loaded set.

    Raises
    ------
    ExportError
        ``mc_paths`` without ``seed`` (or the reverse), or bad input files.
    DabsError
        From the engine on bad deal input.
    """
    tables, _, _ = _build(
        deal,
        stress_set=stress_set,
        mc_paths=mc_paths,
        seed=seed,
        deal_path=deal_path,
        tape_path=tape_path,
        created=created,
        breakeven=breakeven,
        inputs=inputs,
        library_run=library_run,
        stress_sha256=stress_sha256,
    )
    return tables


def _build(
    deal: Deal,
    *,
    stress_set: Any,
    mc_paths: int | None,
    seed: int | None,
    deal_path: str | os.PathLike[str] | None,
    tape_path: str | os.PathLike[str] | None,
    created: dt.datetime | None,
    breakeven: bool,
    inputs: InputFacts | None = None,
    library_run: str | None = None,
    stress_sha256: str | None = None,
) -> tuple[list[FilingTable], FilingRun, FilingResults]:
    import waterfall
    from abs.classify import classify_deal
    from abs.projection import project
    from abs.stratify import stratify_deal
    from scenarios import grid as grid_mod
    from scenarios.sets import (
        ScenarioSet,
        default_set_for,
        load_scenario_set,
        with_deal_scenarios,
    )

    if (mc_paths is None) != (seed is None):
        raise ExportError(
            f"filing export: Monte Carlo needs both a path count and a seed; got "
            f"mc_paths={mc_paths!r}, seed={seed!r}"
        )
    if mc_paths is not None and mc_paths < 1:
        raise ExportError(f"filing export: mc_paths must be at least 1; got {mc_paths!r}")
    pool = require_pool(deal)
    if stress_set is None:
        scenario_set = default_set_for(deal)
    elif isinstance(stress_set, ScenarioSet):
        scenario_set = stress_set
    else:
        scenario_set = load_scenario_set(str(stress_set))
        stress_sha256 = _stress_file_sha(stress_set, scenario_set)
    set_label = (
        f"{scenario_set.zh or scenario_set.name} ({scenario_set.name}, {scenario_set.source})"
    )
    # the deal's own scenarios (saved with it) run after the set, as in the dashboard
    scenario_set = with_deal_scenarios(deal, scenario_set)
    run = _run_facts(
        deal,
        deal_path=deal_path,
        tape_path=tape_path,
        seed=seed,
        mc_paths=mc_paths,
        stress_set=set_label,
        stress_sha256=stress_sha256,
        created=created,
        inputs=inputs,
        library_run=library_run,
    )

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    classification = classify_deal(deal)
    strat = stratify_deal(deal)
    timings["pool"] = time.perf_counter() - clock
    clock = time.perf_counter()
    grid = grid_mod.run_grid(deal, scenario_set)
    timings["grid"] = time.perf_counter() - clock
    # the base case: the grid's unstressed scenario when it has one (same projection and
    # engine run), else a run of its own
    clock = time.perf_counter()
    if grid.base_index is not None:
        base, b = grid.result, grid.base_index
    else:
        base, b = waterfall.run(deal, project(deal)), 0
    timings["base"] = time.perf_counter() - clock

    wal = {t.name: float(base.wal(t.name)[b]) for t in deal.tranches}
    wal = {k: v for k, v in wal.items() if np.isfinite(v)}
    summary = deal_summary_sheet(deal, classification=classification.to_dict(), tranche_wal=wal)

    link_rows = []
    for link in (DataLink.DIRECT, DataLink.PLEDGED, DataLink.NONE):
        members = [a for a in pool.assets if a.data_link is link]
        link_rows.append((link.zh, len(members), sum(a.amount_fen for a in members) / 100))
    distributions = [
        (key, title, strat.distributions[dim])
        for dim, key, title in DISTRIBUTIONS
        if dim in strat.distributions
    ]
    stats = pool_statistics_sheet(
        summary=strat.summary.to_dict(),
        link_rows=link_rows,
        distributions=distributions,
        classification_note=classification.explanation_zh,
    )
    top = top_obligors_sheet(
        strat.top20,
        total_amount=pool.total_amount,
        may_be_omitted=strat.top20_may_be_omitted,
    )
    assets = asset_list_sheet(pool, as_of=strat.summary.as_of)
    basis = f"基准情景（期望现金流，{deal.assumptions.mode.zh}口径）"
    pool_cf = pool_cashflow_sheet(base.to_frame(b, table="pool"), basis_note=basis)
    payments = tranche_payments_sheet(base.to_frame(b, table="securities"), basis_note=basis)

    names = grid.names
    keep = [s for s, st in enumerate(grid.stresses) if not st.is_base]
    cov, cov_p, cov_summary = _coverage_frames(base, b, grid, names, keep)
    coverage = coverage_sheet(
        coverage=cov,
        coverage_principal=cov_p,
        summary=cov_summary,
        scenarios=[BASE_NAME] + [names[s] for s in keep],
    )

    stress_blocks = [_grid_block(grid, grid_mod)]
    be_table = None
    if breakeven:
        clock = time.perf_counter()
        be_block, be_table = _breakeven_block(deal)
        stress_blocks.append(be_block)
        timings["breakeven"] = time.perf_counter() - clock
    mc_note = ""
    mc = None
    if mc_paths is not None and seed is not None:
        from scenarios.montecarlo import run_mc

        clock = time.perf_counter()
        mc = run_mc(deal, n_paths=mc_paths, seed=seed)
        stress_blocks.append(_mc_block(mc, seed=seed))
        mc_note = f"；蒙特卡洛 {mc_paths} 条路径，随机种子 {seed}"
        timings["montecarlo"] = time.perf_counter() - clock
    custom_note = (
        f"；另含交易自定义情景 {len(deal.stress_scenarios)} 个（"
        + "、".join(c.name for c in deal.stress_scenarios)
        + "），排在情景集之后"
        if deal.stress_scenarios
        else ""
    )
    stress = stress_sheet(
        stress_blocks,
        note=f"情景集：{set_label}{custom_note}{mc_note}；金额单位：万元；比例以百分比列示",
    )

    notes = model_notes_sheet(
        run_facts=_run_rows(deal, run, breakeven=breakeven),
        assumptions=_assumption_rows(deal),
        scenario_definitions=_scenario_rows(scenario_set),
        notes=(
            "本工作簿由 dabs 生成；同一软件版本、输入文件与随机种子可完全复现全部数字",
            "分类、占比与合计均以整数分计算；本表各数按显示精度存储（万元两位小数、百分比两位小数），合计为未舍入分项之和四舍五入，分项按最大余数法（时间序列按累计数）分配，合计等于所示分项之和",
        ),
    )
    tables = [summary, stats, top, assets, pool_cf, payments, coverage, stress, notes]
    results = FilingResults(
        grid=grid,
        base=base,
        base_index=b,
        scenario_set=scenario_set,
        breakeven=be_table,
        mc=mc,
        timings=timings,
    )
    return tables, run, results


def _grid_block(grid: Any, grid_mod: Any) -> TableBlock:
    from scenarios.factors import FACTOR_BY_ID

    known = {getattr(grid_mod, const) for const, _ in _GRID_COLUMNS}
    extra = []
    table = grid.table
    rename = {}
    for i, col in enumerate(c for c in table.columns if c not in known):
        fid = str(col).rsplit("(", 1)[-1].rstrip(")")
        f = FACTOR_BY_ID.get(fid)
        label = f"{f.zh}({f.unit})" if f is not None else str(col)
        kind = ColumnKind.TEXT if table[col].dtype == bool else ColumnKind.NUMBER
        extra.append(Column(f"factor_{i + 1}", label, kind, decimals=4))
        rename[col] = label
    return _mapped_block(
        table.rename(columns=rename),
        _GRID_COLUMNS,
        grid_mod,
        key="grid",
        title="压力情景结果（每情景每档位）",
        sheet="压力测试",
        extra=extra,
        notes=(
            "收益率按面值买入计算，按兑付频率复利；覆盖倍数覆盖该档位及以上档位的税费与利息"
            "（仅利息）或另加应付本金（含本金）",
        ),
    )


def _breakeven_block(deal: Deal) -> tuple[TableBlock, pd.DataFrame]:
    from scenarios import breakeven as be

    table = be.breakeven_table(deal, BREAKEVEN_FACTORS)
    block = _mapped_block(
        table,
        _BREAKEVEN_COLUMNS,
        be,
        key="breakeven",
        title="临界值（临界收入降幅 / 临界违约倍数）",
        sheet="压力测试",
        notes=(
            "区间多点搜索压力因子（每轮同时试算多个取值），直至该档位首次未足额兑付，精度1e-6，最多100轮",
            "隐含累计违约率即临界违约率（违约倍数因子）",
        ),
    )
    return block, table


def _mc_block(mc: Any, *, seed: int) -> TableBlock:
    from scenarios import montecarlo as mc_mod

    return _mapped_block(
        mc.summary(),
        _MC_COLUMNS,
        mc_mod,
        key="monte_carlo",
        title=f"蒙特卡洛模拟（{mc.n_paths} 条路径，随机种子 {seed}）",
        sheet="压力测试",
    )


#: Label of the 模型说明 row listing the deal's own stress scenarios.
CUSTOM_SCENARIOS_LABEL = "自定义压力情景"
#: Label of the 模型说明 row naming the deal-library run (``dabs library verify`` reads it).
LIBRARY_RUN_LABEL = "库运行编号"


def _run_rows(deal: Deal, run: FilingRun, *, breakeven: bool) -> list[tuple[str, str]]:
    versions = run.software or software_versions()
    rows = [
        ("软件版本", f"dabs {software_version()}"),
        ("代码提交", describe_commit(versions.get("git_commit"), versions.get("git_dirty"))),
        ("依赖版本", dependency_line(versions)),
        ("运行时间", run.created.isoformat(timespec="seconds")),
        ("交易文件", run.deal_source),
        ("交易文件SHA-256", run.deal_sha256),
        ("资产包文件", run.tape_source or "无（资产池内嵌于交易文件）"),
        ("资产包文件SHA-256", run.tape_sha256 or "—"),
        ("专项计划名称", deal.name),
        ("预测口径", f"{deal.assumptions.mode.zh} ({deal.assumptions.mode.value})"),
        ("压力情景集", run.stress_set),
        ("压力情景文件SHA-256", run.stress_sha256 or "—（内置情景集，随软件版本发布）"),
        (
            CUSTOM_SCENARIOS_LABEL,
            (
                f"{len(deal.stress_scenarios)} 个："
                + "、".join(c.name for c in deal.stress_scenarios)
                + "（交易文件 stress_scenarios 字段，随交易保存，包含于交易文件SHA-256；"
                "在情景集之后运行，因子取值见压力情景定义）"
            )
            if deal.stress_scenarios
            else "无",
        ),
        ("临界值搜索", "已运行" if breakeven else "未运行"),
        (
            "蒙特卡洛",
            "未运行（期望情景为确定性计算，无随机数）"
            if run.mc_paths is None
            else f"{run.mc_paths} 条路径",
        ),
        ("随机种子", "—" if run.seed is None else str(run.seed)),
    ]
    if run.library_run is not None:
        run_id, _, ref = run.library_run.partition(" ")
        rows.append(
            (
                LIBRARY_RUN_LABEL,
                f"{run_id}（交易库版本 {ref}；复核：dabs library verify 本文件）",
            )
        )
        rows.append(("复现命令", f"dabs library verify OUT.xlsx（或 dabs library export {ref}）"))
        return rows
    command = ["dabs export", run.deal_source if run.deal_source.endswith(".json") else "DEAL"]
    command += ["-o OUT.xlsx"]
    if run.mc_paths is not None:
        command += [f"--mc {run.mc_paths}", f"--seed {run.seed}"]
    rows.append(("复现命令", " ".join(command) + "（--stress 同上情景集）"))
    return rows


@dataclass(frozen=True)
class RenderedPackage:
    """The filing package rendered in memory (what the dashboard offers for download).

    Attributes
    ----------
    xlsx : bytes
        The workbook, with document properties (title, author, version, deal hash, timestamp).
    csv : dict of str to bytes
        One CSV per sheet, keyed by file name.
    json : bytes
        The validated JSON document with the run metadata.
    tables : list of FilingTable
        The sheets.
    run : FilingRun
        Version, input hashes, timestamp and seed of the run.
    results : FilingResults or None
        The engine results behind the tables (grid, base case, break-evens, Monte Carlo).
    """

    xlsx: bytes
    csv: dict[str, bytes]
    json: bytes
    tables: list[FilingTable] = field(repr=False)
    run: FilingRun
    results: FilingResults | None = field(default=None, repr=False)


def render_package(
    deal: Deal,
    *,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
    stress_set: Any = None,
    mc_paths: int | None = None,
    seed: int | None = None,
    deal_path: str | os.PathLike[str] | None = None,
    tape_path: str | os.PathLike[str] | None = None,
    created: dt.datetime | None = None,
    breakeven: bool = True,
    inputs: InputFacts | None = None,
    library_run: str | None = None,
    stress_sha256: str | None = None,
) -> RenderedPackage:
    """Build the filing tables and render the workbook, the CSV files and the JSON document.

    Parameters are those of :func:`build_filing_tables` plus ``csv_encoding``.

    Raises
    ------
    ExportError
        A character the CSV encoding cannot represent, a text over Excel's cell limit, or a bad
        argument (see :func:`build_filing_tables`).
    """
    clock = time.perf_counter()
    tables, run, results = _build(
        deal,
        stress_set=stress_set,
        mc_paths=mc_paths,
        seed=seed,
        deal_path=deal_path,
        tape_path=tape_path,
        created=created,
        breakeven=breakeven,
        inputs=inputs,
        library_run=library_run,
        stress_sha256=stress_sha256,
    )
    version = software_version()
    comments = f"dabs {version}; deal sha256 {run.deal_sha256}"
    if run.seed is not None:
        comments += f"; seed {run.seed}"
    props = WorkbookProperties(
        title=f"{deal.name} 申报表格",
        subject="计划说明书/存续期报告表格 (filing tables)",
        author=f"dabs {version}",
        company=deal.manager or "",
        comments=comments,
        created=run.created.replace(tzinfo=None),
    )
    metadata: dict[str, str | int | float | bool | None] = {
        "deal": deal.name,
        "deal_source": run.deal_source,
        "deal_sha256": run.deal_sha256,
        "tape_source": run.tape_source,
        "tape_sha256": run.tape_sha256,
        "seed": run.seed,
        "mc_paths": run.mc_paths,
        "stress_set": run.stress_set,
        "stress_sha256": run.stress_sha256,
        "git_commit": run.software.get("git_commit"),
        "library_run": run.library_run,
    }
    package = RenderedPackage(
        xlsx=render_xlsx(tables, properties=props),
        csv=render_csv(tables, encoding=csv_encoding),
        json=render_json(
            tables, metadata=metadata, title=f"{deal.name} 申报表格", created=run.created
        ),
        tables=tables,
        run=run,
        results=results,
    )
    results.timings["total"] = time.perf_counter() - clock
    return package


def export_package(
    deal: Deal,
    *,
    xlsx_path: str | os.PathLike[str],
    csv_dir: str | os.PathLike[str] | None = None,
    json_path: str | os.PathLike[str] | None = None,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
    force: bool = False,
    stress_set: Any = None,
    mc_paths: int | None = None,
    seed: int | None = None,
    deal_path: str | os.PathLike[str] | None = None,
    tape_path: str | os.PathLike[str] | None = None,
    created: dt.datetime | None = None,
    breakeven: bool = True,
    inputs: InputFacts | None = None,
    library_run: str | None = None,
    stress_sha256: str | None = None,
) -> ExportReport:
    """Build the filing tables and write the workbook (and CSV folder, JSON) all or nothing.

    Targets are checked before the engine runs (missing folder, no permission, existing files
    without ``force``), every output is rendered in memory (GBK problems and JSON validation
    surface here), and only then are files written (see :mod:`abs.filing.files`).

    Raises
    ------
    ExportError
        Bad targets or content; nothing is written then.
    """
    outputs: list[FileOutput | FolderOutput] = [FileOutput(Path(xlsx_path), b"")]
    if csv_dir is not None:
        outputs.append(FolderOutput(Path(csv_dir), {}))
    if json_path is not None:
        outputs.append(FileOutput(Path(json_path), b""))
    check_outputs(outputs, force=force)
    package = render_package(
        deal,
        csv_encoding=csv_encoding,
        stress_set=stress_set,
        mc_paths=mc_paths,
        seed=seed,
        deal_path=deal_path,
        tape_path=tape_path,
        created=created,
        breakeven=breakeven,
        inputs=inputs,
        library_run=library_run,
        stress_sha256=stress_sha256,
    )
    final: list[FileOutput | FolderOutput] = [FileOutput(Path(xlsx_path), package.xlsx)]
    if csv_dir is not None:
        final.append(FolderOutput(Path(csv_dir), package.csv))
    if json_path is not None:
        final.append(FileOutput(Path(json_path), package.json))
    written = write_outputs(final, force=force)
    return ExportReport(written=written, tables=package.tables, run=package.run, package=package)
