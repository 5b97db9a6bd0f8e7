"""Deal-library services shared by ``dabs library`` and the dashboard (no Streamlit here).

:mod:`abs.library` stores; this module runs. It runs a stored version through the engine and
records the run with its measures (:func:`run_version`), exports the filing package from the
library and records run and files (:func:`export_version`), compares two versions including
their key measures (:func:`diff_versions`), and verifies a filed workbook by re-running it from
the stored inputs (:func:`verify_workbook`).

Every run is computed from the bytes stored in the library (deal file, tape, custom stress
file), never from files on disk, so a later re-run sees exactly the same inputs.

Examples
--------
>>> import tempfile, pathlib
>>> from abs.library import Library
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with Library.open(str(folder / "lib.sqlite")) as lib:
...     v = lib.save_files("rugao-labelled", key="rugao", message="首版").version
...     run = run_version(lib, "rugao@1", kind="base", author="quant")
...     frame = lib.measures(run.id)
>>> sorted(frame["section"].unique())
['base', 'pool']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from abs.deal import Deal
from abs.errors import ExportError
from abs.library import (
    ExportInfo,
    Library,
    LibraryError,
    Measure,
    NewRun,
    NotFoundError,
    RunInfo,
    VersionInfo,
    default_author,
)
from abs.library.diff import StructureDiff, diff_deals, measure_changes
from abs.library.provenance import sha256_bytes, software_versions, version_changes
from scenarios.filing_package import (
    BREAKEVEN_FACTORS,
    LIBRARY_RUN_LABEL,
    InputFacts,
    RenderedPackage,
    render_package,
)

#: Scenario name of the base case in run measures and of the base-run grid.
BASE_SCENARIO = "基准"
#: Run kinds :func:`run_version` computes (``filing`` runs come from :func:`export_version`).
RUN_KINDS_COMPUTED = ("base", "stress", "breakeven", "montecarlo")
#: Number format of money cells (万元) in the workbook: those compare in 0.01 万元.
MONEY_FORMAT = "#,##0.00"
#: Fill of the header cells in the workbook (used to name a cell's column).
HEADER_FILL = "D9E1F2"
#: 模型说明 rows that describe the software rather than the numbers.
ENVIRONMENT_ROWS = ("软件版本", "代码提交", "依赖版本")
#: Sheet holding the run facts.
NOTES_SHEET = "模型说明"


# --- measures ------------------------------------------------------------------------------


def _grid_columns() -> dict[str, str]:
    from scenarios import grid as g

    return {
        g.COL_PAID: "paid_in_full",
        g.COL_SHORTFALL: "shortfall",
        g.COL_LOSS: "loss",
        g.COL_WAL: "wal_years",
        g.COL_YIELD: "yield",
        # the keys of ``dabs run --json`` / ``dabs stress --json`` (measures format 2)
        g.COL_MIN_COV: "min_coverage_interest",
        g.COL_LIFE_COV: "life_coverage_interest",
        g.COL_MIN_COV_P: "min_coverage",
    }


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def grid_measures(
    table: pd.DataFrame, *, section: str, scenarios: Sequence[str] | None = None, rename: str = ""
) -> list[Measure]:
    """Per scenario × tranche measures from a stress-grid table (``GridResult.table``).

    ``scenarios`` keeps only those; ``rename`` replaces the scenario name (the base section
    records its scenario as ``""``).
    """
    from scenarios import grid as g

    cols = _grid_columns()
    out: list[Measure] = []
    for row in table.to_dict("records"):
        name = str(row[g.COL_SCENARIO])
        if scenarios is not None and name not in scenarios:
            continue
        for col, measure in cols.items():
            value = row.get(col)
            number = float(bool(value)) if col == g.COL_PAID else _num(value)
            out.append(
                Measure(
                    section=section,
                    scenario=rename if scenarios is not None else name,
                    tranche=str(row[g.COL_TRANCHE]),
                    measure=measure,
                    value=number,
                )
            )
    return out


def pool_measures(deal: Deal, collections: Any, scenario: int) -> list[Measure]:
    """Pool totals of the base case: 入池金额, asset count, collections, defaults, recoveries."""
    pool = deal.pool
    values: dict[str, float | None] = {
        "pool_amount": None if pool is None else pool.total_amount,
        "asset_count": None if pool is None else float(pool.asset_count),
        "initial_pool_balance": float(collections.initial_pool_balance),
        "collections_total": float(collections.total[scenario].sum()),
        "income_total": float(collections.income[scenario].sum()),
        "principal_total": float(collections.principal[scenario].sum()),
        "defaults_total": float(collections.defaults[scenario].sum()),
        "recoveries_total": float(collections.recoveries[scenario].sum()),
        "periods": float(collections.n_periods),
    }
    return [Measure("pool", "", "", k, v) for k, v in values.items()]


def breakeven_measures(table: pd.DataFrame) -> list[Measure]:
    """Break-even value, first failing value, implied CDR and steps per tranche × factor."""
    from scenarios import breakeven as be
    from scenarios.factors import FACTORS

    by_label = {f.label: f.id for f in FACTORS}
    out: list[Measure] = []
    for row in table.to_dict("records"):
        factor = by_label.get(str(row[be.COL_FACTOR]), str(row[be.COL_FACTOR]))
        tranche = str(row[be.COL_TRANCHE])
        for col, measure in (
            (be.COL_VALUE, "breakeven"),
            (be.COL_FAIL, "first_failing"),
            (be.COL_CDR, "implied_cdr"),
            (be.COL_STEPS, "steps"),
        ):
            out.append(Measure("breakeven", factor, tranche, measure, _num(row.get(col))))
    return out


def montecarlo_measures(mc: Any) -> list[Measure]:
    """Monte Carlo summary per tranche (expected loss, VaR, WAL and yield percentiles …)."""
    from scenarios import montecarlo as m

    names = {
        m.COL_EL: "expected_loss",
        m.COL_P_SHORT: "prob_shortfall",
        m.COL_VAR95: "loss_var95",
        m.COL_VAR99: "loss_var99",
        m.COL_MAX_LOSS: "max_loss",
        m.COL_WAL_MEAN: "wal_mean",
        m.COL_WAL_P5: "wal_p5",
        m.COL_WAL_P50: "wal_p50",
        m.COL_WAL_P95: "wal_p95",
        m.COL_YIELD_MEAN: "yield_mean",
        m.COL_YIELD_P5: "yield_p5",
        m.COL_YIELD_P50: "yield_p50",
        m.COL_MINCOV_P5: "min_coverage_interest_p5",
        m.COL_MINCOV_P50: "min_coverage_interest_p50",
    }
    out: list[Measure] = []
    for row in mc.summary().to_dict("records"):
        for col, measure in names.items():
            out.append(
                Measure("montecarlo", "", str(row[m.COL_TRANCHE]), measure, _num(row.get(col)))
            )
    return out


def _base_grid(deal: Deal) -> Any:
    from scenarios.grid import run_grid
    from scenarios.sets import scenario_from_factors

    return run_grid(deal, [scenario_from_factors({}, name=BASE_SCENARIO)])


def _base_and_pool(deal: Deal) -> list[Measure]:
    grid = _base_grid(deal)
    return grid_measures(
        grid.table, section="base", scenarios=[BASE_SCENARIO], rename=""
    ) + pool_measures(deal, grid.collections, 0)


# --- stress sets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StressInput:
    """A stress set as a run records it: what was asked, its content, its file bytes."""

    spec: str
    scenario_set: Any
    content: dict[str, Any]
    data: bytes | None
    file_name: str | None


def set_content(scenario_set: Any) -> dict[str, Any]:
    """A scenario set as JSON-ready content (name, source, every scenario's factors)."""
    return {
        "name": scenario_set.name,
        "zh": scenario_set.zh,
        "en": scenario_set.en,
        "source": scenario_set.source,
        "scenarios": [
            {
                "name": s.name,
                "en": s.en,
                "factors": dict(s.factors),
                "sources": dict(s.sources),
            }
            for s in scenario_set.scenarios
        ],
    }


def resolve_stress(deal: Deal, spec: str | None) -> StressInput:
    """The stress set for a run: the deal's default, a built-in name, or a file (kept)."""
    from scenarios.sets import default_set_for, load_scenario_set

    if spec is None:
        chosen = default_set_for(deal)
        return StressInput(chosen.name, chosen, set_content(chosen), None, None)
    chosen = load_scenario_set(spec)
    if chosen.source == "built-in":
        return StressInput(spec, chosen, set_content(chosen), None, None)
    path = Path(str(spec).partition("#")[0])
    return StressInput(spec, chosen, set_content(chosen), path.read_bytes(), path.name)


def stored_stress(lib: Library, run: RunInfo, deal: Deal) -> tuple[Any, list[str]]:
    """The scenario set of a recorded run, rebuilt from what the library stored.

    Returns the set and notes on differences from the recorded content (a built-in set that
    changed with the software).
    """
    from scenarios.sets import default_set_for, load_scenario_set

    notes: list[str] = []
    content = run.stress_content or {}
    if run.stress_sha256 is not None and run.stress_file is not None:
        data = lib.blob(run.stress_sha256)
        wanted = (run.stress_set or "").partition("#")[2]
        with tempfile.TemporaryDirectory(prefix="dabs-stress-") as folder:
            path = Path(folder) / run.stress_file
            path.write_bytes(data)
            chosen = load_scenario_set(f"{path}#{wanted}" if wanted else str(path))
        chosen = dataclasses.replace(chosen, source=str(content.get("source", chosen.source)))
    elif run.stress_set is not None:
        chosen = load_scenario_set(run.stress_set)
    else:
        chosen = default_set_for(deal)
    if content and set_content(chosen) != content:
        notes.append(
            f"压力情景集 {chosen.name} 的内容与记录不同（内置情景集随软件版本变化）/ the "
            f"stress set {chosen.name} differs from the recorded content (built-in sets "
            "change with the software)"
        )
    return chosen, notes


# --- runs ----------------------------------------------------------------------------------


def _stamp() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)


def run_version(
    lib: Library,
    ref: str | VersionInfo,
    *,
    kind: str,
    stress_set: str | None = None,
    mc_paths: int | None = None,
    seed: int | None = None,
    author: str | None = None,
) -> RunInfo:
    """Run a stored version and record the run with its measures.

    Parameters
    ----------
    kind : {"base", "stress", "breakeven", "montecarlo"}
        Base case; a stress set (``stress_set``: built-in name or file, default the deal's);
        the break-even search of every tranche (revenue haircut, PD multiplier); a Monte Carlo
        of ``mc_paths`` paths with ``seed``.

    Raises
    ------
    LibraryError
        Unknown kind, or Monte Carlo without paths and seed.
    """
    from scenarios.grid import run_grid

    if kind not in RUN_KINDS_COMPUTED:
        raise LibraryError(f"run kind must be one of {RUN_KINDS_COMPUTED}; got {kind!r}")
    if kind == "montecarlo" and (mc_paths is None or seed is None):
        raise LibraryError("a Monte Carlo run needs both --mc PATHS and --seed SEED")
    if kind != "montecarlo" and (mc_paths is not None or seed is not None):
        raise LibraryError(f"--mc and --seed belong to Monte Carlo runs, not {kind!r}")
    if kind != "stress" and stress_set is not None:
        raise LibraryError(f"--stress belongs to stress runs, not {kind!r}")
    version = ref if isinstance(ref, VersionInfo) else lib.version(ref)
    deal = lib.load(version)
    created = _stamp()
    clock = time.perf_counter()
    measures: list[Measure]
    stress: StressInput | None = None
    options: dict[str, Any] = {}
    if kind == "base":
        measures = _base_and_pool(deal)
        count = 1
    elif kind == "stress":
        from scenarios.sets import with_deal_scenarios

        stress = resolve_stress(deal, stress_set)
        grid = run_grid(deal, with_deal_scenarios(deal, stress.scenario_set))
        measures = grid_measures(grid.table, section="stress")
        count = len(grid.scenarios)
    elif kind == "breakeven":
        from scenarios.breakeven import breakeven_table

        table = breakeven_table(deal, BREAKEVEN_FACTORS)
        measures = breakeven_measures(table)
        options["factors"] = list(BREAKEVEN_FACTORS)
        count = len(table)
    else:
        from scenarios.montecarlo import run_mc

        assert mc_paths is not None and seed is not None  # checked above
        mc = run_mc(deal, n_paths=mc_paths, seed=seed)
        measures = montecarlo_measures(mc)
        count = mc_paths
    elapsed = time.perf_counter() - clock
    return lib.record_run(
        version,
        NewRun(
            id=str(uuid.uuid4()),
            kind=kind,
            created_at=created,
            author=author or default_author(),
            scenario_count=count,
            assumptions=deal.assumptions.model_dump(mode="json"),
            options=options,
            software=software_versions(),
            timings={"total_s": elapsed},
            measures=measures,
            seed=seed,
            mc_paths=mc_paths,
            stress_set=None if stress is None else stress.spec,
            stress_content=None if stress is None else stress.content,
            stress_bytes=None if stress is None else stress.data,
            stress_file=None if stress is None else stress.file_name,
        ),
    )


# --- exports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryExport:
    """What :func:`export_version` did: the run recorded, the files written and recorded."""

    version: VersionInfo
    run: RunInfo
    written: list[Path]
    exports: list[ExportInfo]
    package: RenderedPackage = field(repr=False)


def input_facts(version: VersionInfo, *, deal_label: str, tape_label: str | None) -> InputFacts:
    """模型说明's input rows for a library version (labels say where the files came from)."""
    return InputFacts(
        deal_source=f"{deal_label}（交易库 {version.ref}）",
        deal_sha256=version.deal_sha256,
        tape_source=None if tape_label is None else f"{tape_label}（交易库 {version.ref}）",
        tape_sha256=version.tape_sha256,
    )


def _filing_measures(deal: Deal, package: RenderedPackage) -> list[Measure]:
    results = package.results
    if results is None:  # pragma: no cover - render_package always sets results
        return []
    grid = results.grid
    measures: list[Measure] = []
    b = grid.base_index
    if b is not None:
        name = grid.scenarios[b].name
        measures += grid_measures(grid.table, section="base", scenarios=[name], rename="")
        measures += pool_measures(deal, grid.collections, b)
    else:
        measures += _base_and_pool(deal)
    measures += grid_measures(grid.table, section="stress")
    if results.breakeven is not None:
        measures += breakeven_measures(results.breakeven)
    if results.mc is not None:
        measures += montecarlo_measures(results.mc)
    return measures


def _render_recorded(
    lib: Library,
    version: VersionInfo,
    *,
    csv_encoding: str,
    stress_set: str | None,
    mc_paths: int | None,
    seed: int | None,
    breakeven: bool,
    author: str | None,
    deal_label: str | None,
    tape_label: str | None,
) -> tuple[RenderedPackage, RunInfo]:
    """Render the filing package of a stored version in memory and record its run."""
    if (mc_paths is None) != (seed is None):
        raise ExportError("export: --mc and --seed go together (give both or neither)")
    deal = lib.load(version)
    stress = resolve_stress(deal, stress_set)
    deal_label = deal_label or version.deal_file
    tape_label = tape_label or version.tape_name
    run_id = str(uuid.uuid4())
    created = _stamp()
    package = render_package(
        deal,
        csv_encoding=csv_encoding,
        stress_set=stress.scenario_set,
        stress_sha256=None if stress.data is None else sha256_bytes(stress.data),
        mc_paths=mc_paths,
        seed=seed,
        created=created,
        breakeven=breakeven,
        inputs=input_facts(version, deal_label=deal_label, tape_label=tape_label),
        library_run=f"{run_id} {version.ref}",
    )
    results = package.results
    timings = {} if results is None else {f"{k}_s": v for k, v in results.timings.items()}
    run = lib.record_run(
        version,
        NewRun(
            id=run_id,
            kind="filing",
            created_at=created,
            author=author or default_author(),
            scenario_count=len(stress.scenario_set.scenarios),
            assumptions=deal.assumptions.model_dump(mode="json"),
            options={
                "breakeven": breakeven,
                "breakeven_factors": list(BREAKEVEN_FACTORS) if breakeven else [],
                "deal_label": deal_label,
                "tape_label": tape_label,
                "csv_encoding": csv_encoding,
            },
            software=dict(package.run.software),
            timings=timings,
            measures=_filing_measures(deal, package),
            seed=seed,
            mc_paths=mc_paths,
            stress_set=stress.spec,
            stress_content=stress.content,
            stress_bytes=stress.data,
            stress_file=stress.file_name,
        ),
    )
    return package, run


def export_version(
    lib: Library,
    ref: str | VersionInfo,
    *,
    xlsx_path: str | Path,
    csv_dir: str | Path | None = None,
    json_path: str | Path | None = None,
    csv_encoding: str = "utf-8-sig",
    force: bool = False,
    stress_set: str | None = None,
    mc_paths: int | None = None,
    seed: int | None = None,
    breakeven: bool = True,
    author: str | None = None,
    deal_label: str | None = None,
    tape_label: str | None = None,
) -> LibraryExport:
    """Export the filing package of a stored version and record the run and every file.

    The run id is printed into 模型说明 (row 库运行编号) before anything is written; the run is
    recorded, then the files are written (whole or not at all), then each file's SHA-256 (and
    a copy of the workbook and JSON) is recorded.

    Raises
    ------
    ExportError
        Bad targets (checked before the engine runs) or content.
    LibraryError
        Unknown version, database errors.
    """
    from abs.filing.files import FileOutput, FolderOutput, check_outputs, write_outputs

    if (mc_paths is None) != (seed is None):
        raise ExportError("export: --mc and --seed go together (give both or neither)")
    xlsx = Path(xlsx_path)
    targets: list[FileOutput | FolderOutput] = [FileOutput(xlsx, b"")]
    if csv_dir is not None:
        targets.append(FolderOutput(Path(csv_dir), {}))
    if json_path is not None:
        targets.append(FileOutput(Path(json_path), b""))
    check_outputs(targets, force=force)
    version = ref if isinstance(ref, VersionInfo) else lib.version(ref)
    package, run = _render_recorded(
        lib,
        version,
        csv_encoding=csv_encoding,
        stress_set=stress_set,
        mc_paths=mc_paths,
        seed=seed,
        breakeven=breakeven,
        author=author,
        deal_label=deal_label,
        tape_label=tape_label,
    )
    final: list[FileOutput | FolderOutput] = [FileOutput(xlsx, package.xlsx)]
    if csv_dir is not None:
        final.append(FolderOutput(Path(csv_dir), package.csv))
    if json_path is not None:
        final.append(FileOutput(Path(json_path), package.json))
    written = write_outputs(final, force=force)
    exports = [lib.record_export(run.id, kind="xlsx", path=xlsx, data=package.xlsx, author=author)]
    if json_path is not None:
        exports.append(
            lib.record_export(
                run.id, kind="json", path=Path(json_path), data=package.json, author=author
            )
        )
    if csv_dir is not None:
        for name, data in sorted(package.csv.items()):
            exports.append(
                lib.record_export(
                    run.id,
                    kind="csv",
                    path=Path(csv_dir) / name,
                    data=data,
                    store_copy=False,
                    author=author,
                )
            )
    return LibraryExport(
        version=version, run=run, written=written, exports=exports, package=package
    )


#: Path recorded for a file handed to a browser (where it is saved is not known).
DOWNLOAD_PREFIX = "看板下载 dashboard download: "


def render_version(
    lib: Library,
    ref: str | VersionInfo,
    *,
    file_stem: str,
    csv_encoding: str = "utf-8-sig",
    stress_set: str | None = None,
    mc_paths: int | None = None,
    seed: int | None = None,
    breakeven: bool = True,
    author: str | None = None,
) -> LibraryExport:
    """The filing package of a stored version in memory, for a download button; recorded.

    The dashboard's counterpart of :func:`export_version`: nothing is written to disk; the run
    is recorded and the workbook and JSON are recorded as exports (SHA-256 and a stored copy)
    under ``看板下载 dashboard download: <file_stem>.xlsx``, so ``dabs library verify`` finds
    the downloaded file by its hash. ``package.xlsx`` / ``package.json`` / ``package.csv``
    hold the bytes.
    """
    version = ref if isinstance(ref, VersionInfo) else lib.version(ref)
    package, run = _render_recorded(
        lib,
        version,
        csv_encoding=csv_encoding,
        stress_set=stress_set,
        mc_paths=mc_paths,
        seed=seed,
        breakeven=breakeven,
        author=author,
        deal_label=None,
        tape_label=None,
    )
    exports = [
        lib.record_export(
            run.id,
            kind=kind,
            path=f"{DOWNLOAD_PREFIX}{file_stem}.{kind}",
            data=data,
            author=author,
            resolve=False,
        )
        for kind, data in (("xlsx", package.xlsx), ("json", package.json))
    ]
    return LibraryExport(version=version, run=run, written=[], exports=exports, package=package)


# --- diff ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionDiff:
    """Structure changes and the change in key measures between two versions."""

    a: VersionInfo
    b: VersionInfo
    structure: StructureDiff
    measures: pd.DataFrame
    runs: tuple[str | None, str | None]
    notes: tuple[str, ...]


def _latest_base_run(lib: Library, version: VersionInfo) -> RunInfo | None:
    for run in lib.runs(version.ref):
        if run.kind in ("base", "filing"):
            return run
    return None


def diff_versions(
    lib: Library, a: str, b: str, *, run_missing: bool = True, author: str | None = None
) -> VersionDiff:
    """Compare two versions: structure field by field, pool by asset, key measures.

    Measures come from each version's newest base or filing run; with ``run_missing`` a
    version that has none is run (base case) and that run is recorded.
    """
    va, vb = lib.version(a), lib.version(b)
    deal_a, deal_b = lib.load(va), lib.load(vb)
    structure = diff_deals(deal_a, deal_b, a=va.ref, b=vb.ref)
    notes: list[str] = []
    runs: list[str | None] = []
    frames: list[pd.DataFrame] = []
    for v in (va, vb):
        run = _latest_base_run(lib, v)
        if run is None and run_missing:
            run = run_version(lib, v, kind="base", author=author)
            notes.append(f"{v.ref}: 无基准运行记录，已运行并记录 / no base run; ran and recorded")
        if run is None:
            runs.append(None)
            frames.append(
                pd.DataFrame(columns=["section", "scenario", "tranche", "measure", "value"])
            )
            continue
        runs.append(run.id)
        frame = lib.measures(run.id)
        be = [r for r in lib.runs(v.ref, kind="breakeven")]
        if run.kind == "base" and be:
            extra = lib.measures(be[0].id)
            frame = pd.concat([frame, extra], ignore_index=True)
        frames.append(frame)
    return VersionDiff(
        a=va,
        b=vb,
        structure=structure,
        measures=measure_changes(frames[0], frames[1]),
        runs=(runs[0], runs[1]),
        notes=tuple(notes),
    )


# --- verify --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellDiff:
    """One cell whose value in the file differs from the re-run."""

    sheet: str
    cell: str
    header: str
    row_label: str
    kind: str
    file_value: Any
    rerun_value: Any
    recorded_value: Any
    difference: str
    reason: str

    @property
    def where(self) -> str:
        """``sheet!A1``."""
        return f"{self.sheet}!{self.cell}"


@dataclass(frozen=True)
class CellCheck:
    """One numeric cell compared: where, money or other number, both values, whether equal."""

    sheet: str
    cell: str
    kind: str
    file_value: Any
    rerun_value: Any
    match: bool

    @property
    def where(self) -> str:
        """``sheet!A1``."""
        return f"{self.sheet}!{self.cell}"


@dataclass(frozen=True)
class VerifyReport:
    """Result of :func:`verify_workbook`.

    ``ok`` is True when every number matches at its shown precision and every text cell is
    equal (the software-version rows of 模型说明 are reported in ``environment`` and do not
    fail it).
    """

    path: Path
    sha256: str
    run: RunInfo
    export: ExportInfo | None
    file_is_recorded: bool
    numbers_compared: int
    numbers_matched: int
    texts_compared: int
    texts_matched: int
    mismatches: tuple[CellDiff, ...]
    environment: tuple[CellDiff, ...]
    code_changes: tuple[str, ...]
    library_changes: tuple[str, ...]
    notes: tuple[str, ...]
    rerun_seconds: float
    cells: tuple[CellCheck, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        """True when the workbook reproduces."""
        return not self.mismatches

    def to_frame(self) -> pd.DataFrame:
        """The differing cells (sheet, cell, column, row, file, re-run, recorded, reason)."""
        return pd.DataFrame(
            [
                {
                    "sheet": c.sheet,
                    "cell": c.cell,
                    "column": c.header,
                    "row": c.row_label,
                    "kind": c.kind,
                    "file": c.file_value,
                    "rerun": c.rerun_value,
                    "recorded": c.recorded_value,
                    "difference": c.difference,
                    "reason": c.reason,
                }
                for c in self.mismatches
            ]
        )


def _open_xlsx(data: bytes, source: str) -> Any:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise LibraryError(f"{source}: not a readable xlsx workbook: {exc}") from None


Cells = dict[tuple[str, str], Any]


def _cells(wb: Any) -> Cells:
    out: Cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None and c.value != "":
                    out[(ws.title, c.coordinate)] = c.value
    return out


def _run_id_from(wb: Any, source: str) -> str | None:
    if NOTES_SHEET not in wb.sheetnames:
        return None
    ws = wb[NOTES_SHEET]
    for row in ws.iter_rows(values_only=True):
        if row and row[0] == LIBRARY_RUN_LABEL and len(row) > 1 and row[1]:
            return str(row[1]).split("（", 1)[0].strip()
    return None


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


#: Decimals a number format shows; a number cell compares at that precision (what is stored
#: and shown: abs.filing.rounding), money cells in 0.01 万元.
FORMAT_DECIMALS = {MONEY_FORMAT: 2, "0.00%": 4, "0.00": 2, "#,##0": 0, "0": 0}


def format_decimals(number_format: str) -> int | None:
    """Decimals shown by an xlsx number format (``None``: unknown, compare exactly)."""
    if number_format in FORMAT_DECIMALS:
        return FORMAT_DECIMALS[number_format]
    if number_format.startswith("0.") and set(number_format[2:]) == {"0"}:
        return len(number_format) - 2
    return None


def _units(v: Any, decimals: int) -> int:
    return round(float(v) * 10.0**decimals)


def _equal(a: Any, b: Any, decimals: int | None) -> bool:
    if _is_number(a) and _is_number(b):
        if decimals is None:
            return float(a) == float(b)
        return _units(a, decimals) == _units(b, decimals)
    return bool(a == b)


def _difference(a: Any, b: Any, money: bool, decimals: int | None) -> str:
    if not (_is_number(a) and _is_number(b)):
        return ""
    if money:
        cents = _units(b, 2) - _units(a, 2)
        return f"复算−文件 {cents / 100:+,.2f} 万元（{cents * 100:+,} 元）"
    if decimals is not None:
        return f"复算−文件 {float(b) - float(a):+.{decimals}f}"
    return f"复算−文件 {float(b) - float(a):+.6g}"


def _cell_names(ws: Any, cell: str) -> tuple[str, str, bool, int | None]:
    """Column header, row label, whether the cell holds money and the decimals it shows, from
    the re-run sheet."""
    from openpyxl.utils.cell import coordinate_from_string, get_column_letter

    col_letter, row = coordinate_from_string(cell)
    c = ws[cell]
    money = c.number_format == MONEY_FORMAT
    header = ""
    for r in range(row - 1, 0, -1):
        above = ws[f"{col_letter}{r}"]
        rgb = str(getattr(above.fill.fgColor, "rgb", "") or "")
        if rgb.upper().endswith(HEADER_FILL) and above.value is not None:
            header = str(above.value).replace("\n", " ")
            break
    label = ""
    for col in range(1, 4):
        v = ws[f"{get_column_letter(col)}{row}"].value
        if isinstance(v, str) and v.strip():
            label = v.strip()
            break
    return header, label, money, format_decimals(str(c.number_format))


def verify_workbook(lib: Library, path: str | Path) -> VerifyReport:
    """Find the run behind a filed workbook, re-run it from the stored inputs, compare cells.

    The run is found by the file's SHA-256 among recorded exports, else by the run id in
    模型说明 (row 库运行编号). Every cell is compared at the precision it is stored and shown
    (its number format: money in 0.01 万元, ``0.00%`` to 0.0001, ``0.00`` 倍 to 0.01; see
    :mod:`abs.filing.rounding`), text and dates exactly. Each differing cell is named (sheet,
    cell, column header, row label) with the reason: edited after export (the file differs from
    the stored copy), or the re-run differs because the code or library versions changed
    (listed), or — with neither — a reproducibility failure to report.

    Raises
    ------
    LibraryError
        Not an xlsx file, or no recorded run behind it.
    """
    source = Path(path)
    if not source.is_file():
        raise LibraryError(f"{source}: workbook not found")
    data = source.read_bytes()
    sha = sha256_bytes(data)
    wb_file = _open_xlsx(data, str(source))
    recorded = list(lib.exports(sha256=sha))
    export: ExportInfo | None = recorded[0] if recorded else None
    if export is not None:
        run = lib.run(export.run_id)
    else:
        run_id = _run_id_from(wb_file, str(source))
        if run_id is None:
            raise LibraryError(
                f"{source}: no recorded export has this file's SHA-256 ({sha[:12]}…) and "
                f"its {NOTES_SHEET} sheet names no {LIBRARY_RUN_LABEL}: it was not exported "
                "through the deal library (dabs export records by default; dabs library export)"
            )
        try:
            run = lib.run(run_id)
        except NotFoundError:
            raise LibraryError(
                f"{source}: {NOTES_SHEET} names run {run_id}, which is not in the library at "
                f"{lib.url} (wrong DABS_DB_URL?)"
            ) from None
        xlsx_exports = [e for e in lib.exports(run_id=run.id) if e.kind == "xlsx"]
        export = xlsx_exports[0] if xlsx_exports else None
    if run.kind != "filing":
        raise LibraryError(f"{source}: run {run.short_id} is a {run.kind} run, not an export")
    version = lib.version(run.version)
    deal = lib.load(version)
    scenario_set, notes = stored_stress(lib, run, deal)
    options = run.options
    clock = time.perf_counter()
    package = render_package(
        deal,
        csv_encoding=str(options.get("csv_encoding", "utf-8-sig")),
        stress_set=scenario_set,
        stress_sha256=run.stress_sha256,
        mc_paths=run.mc_paths,
        seed=run.seed,
        created=run.created_at,
        breakeven=bool(options.get("breakeven", True)),
        inputs=input_facts(
            version,
            deal_label=str(options.get("deal_label") or version.deal_file),
            tape_label=options.get("tape_label"),
        ),
        library_run=f"{run.id} {run.version}",
    )
    rerun_seconds = time.perf_counter() - clock
    wb_rerun = _open_xlsx(package.xlsx, "re-run")
    recorded_cells: Cells | None = None
    if export is not None and export.stored:
        original = lib.blob(export.sha256)
        recorded_cells = _cells(_open_xlsx(original, "recorded export"))
    code, libs = version_changes(run.software, software_versions())
    file_cells, rerun_cells = _cells(wb_file), _cells(wb_rerun)
    file_is_recorded = export is not None and export.sha256 == sha
    numbers = [0, 0]
    texts = [0, 0]
    mismatches: list[CellDiff] = []
    environment: list[CellDiff] = []
    checks: list[CellCheck] = []
    order = {name: i for i, name in enumerate(wb_rerun.sheetnames)}
    keys = sorted(
        set(file_cells) | set(rerun_cells),
        key=lambda k: (order.get(k[0], len(order)), _coord_key(k[1])),
    )
    for key in keys:
        sheet, cell = key
        fv, rv = file_cells.get(key), rerun_cells.get(key)
        if sheet in wb_rerun.sheetnames:
            header, label, money, decimals = _cell_names(wb_rerun[sheet], cell)
        else:
            header, label, money, decimals = "", "", False, None
        number = _is_number(fv) or _is_number(rv)
        tally = numbers if number else texts
        tally[0] += 1
        kind = "money" if money and number else "number" if number else "text"
        equal = _equal(fv, rv, decimals)
        if number:
            checks.append(CellCheck(sheet, cell, kind, fv, rv, equal))
        if equal:
            tally[1] += 1
            continue
        ov = None if recorded_cells is None else recorded_cells.get(key)
        if sheet == NOTES_SHEET and label in ENVIRONMENT_ROWS:
            environment.append(
                CellDiff(sheet, cell, header, label, kind, fv, rv, ov, "", "软件环境 environment")
            )
            tally[1] += 1
            continue
        mismatches.append(
            CellDiff(
                sheet=sheet,
                cell=cell,
                header=header,
                row_label=label,
                kind=kind,
                file_value=fv,
                rerun_value=rv,
                recorded_value=ov,
                difference=_difference(fv, rv, money, decimals),
                reason=_reason(fv, rv, ov, recorded_cells, file_is_recorded, decimals, code, libs),
            )
        )
    return VerifyReport(
        path=source,
        sha256=sha,
        run=run,
        export=export,
        file_is_recorded=file_is_recorded,
        numbers_compared=numbers[0],
        numbers_matched=numbers[1],
        texts_compared=texts[0],
        texts_matched=texts[1],
        mismatches=tuple(mismatches),
        environment=tuple(environment),
        code_changes=tuple(code),
        library_changes=tuple(libs),
        notes=tuple(notes),
        rerun_seconds=rerun_seconds,
        cells=tuple(checks),
    )


def _coord_key(cell: str) -> tuple[int, int]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    col, row = coordinate_from_string(cell)
    return row, column_index_from_string(col)


def _reason(
    fv: Any,
    rv: Any,
    ov: Any,
    recorded_cells: Cells | None,
    file_is_recorded: bool,
    decimals: int | None,
    code: Sequence[str],
    libs: Sequence[str],
) -> str:
    edited = (recorded_cells is not None and not _equal(fv, ov, decimals)) or (
        recorded_cells is None and not file_is_recorded
    )
    if edited:
        return (
            "导出后被修改：文件中的值与导出时记录的不同 / edited after export: the file's value "
            "differs from the recorded export"
            if recorded_cells is not None
            else "文件与任何记录的导出都不同（SHA-256），可能导出后被修改 / the file matches no "
            "recorded export (SHA-256): probably edited after export"
        )
    parts = []
    if code:
        parts.append("代码版本变化 code version changed: " + "; ".join(code))
    if libs:
        parts.append("依赖库版本变化 library versions changed: " + "; ".join(libs))
    if not parts:
        parts.append(
            "代码与依赖库版本均未变化，复算结果仍不同（不可复现，请报告）/ same code and library "
            "versions, yet the re-run differs (not reproducible: please report)"
        )
    return "复算结果不同 re-run differs — " + "；".join(parts)
