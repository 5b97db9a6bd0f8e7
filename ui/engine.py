"""The only place dashboard pages call the engine: thin cached wrappers, no maths.

Every wrapper takes the deal as its JSON text (pool embedded; see :mod:`ui.state`) plus plain
parameters, so ``st.cache_data`` keys on exactly what determines the result: edit a tranche and
the JSON changes, so the base case and the stress set are recomputed once and then served from
the cache. The projection is not recomputed on a structure edit: it comes from the pool model
(:func:`abs.projection.pool_model`), cached by the content hash of the pool, dates and
assumptions and shared by every session of the server, with each stress's expected case kept
in the model; a tranche, fee or trigger edit re-runs only the waterfall. Errors are the
engine's own :class:`abs.errors.DabsError` subclasses, so the dashboard shows the same messages
as the ``dabs`` command line.

Uploaded files arrive as bytes and are parsed in memory by the engine's readers; nothing is
executed, unpickled or written to disk.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from abs.asset import Pool
from abs.checks import StructureChecks
from abs.checks import structure_checks as _structure_checks
from abs.deal import Deal
from abs.errors import DealSpecError, Issue
from scenarios.grid import GridSummary
from scenarios.report import (
    COV_SENIOR,
    COV_SENIOR_PRINCIPAL,
    SUPPORT_COLUMNS,
    BaseReport,
    base_report,
)

if TYPE_CHECKING:
    from abs.classify import Classification
    from abs.stratify import Stratification

#: Cache sizes: a structurer flips between a handful of deals and edits.
_MAX_DEALS = 32
_MAX_RESULTS = 64


# --- deal I/O ---------------------------------------------------------------------------------


@st.cache_data(max_entries=8, show_spinner=False)
def example_deal_json(name: str) -> str:
    """JSON text of a shipped example with its tape read and the pool embedded.

    Raises
    ------
    DealSpecError, TapeError
        If the example's files are broken.
    """
    from abs.io import deal_to_json, load_deal

    return deal_to_json(load_deal(name))


def deal_file_json(path_or_name: str) -> str:
    """JSON text (pool embedded) of a deal given as an example name or a deal-file path."""
    from abs.examples import EXAMPLES
    from abs.io import deal_to_json, load_deal

    if path_or_name in EXAMPLES:
        return example_deal_json(path_or_name)
    return deal_to_json(load_deal(path_or_name))


@st.cache_resource(max_entries=_MAX_DEALS, show_spinner=False)
def deal_from_json(deal_json: str) -> Deal:
    """The (immutable) :class:`Deal` for a JSON text; shared, never copied."""
    from abs.io import parse_deal

    return parse_deal(deal_json, source="deal")


def deal_to_json(deal: Deal) -> str:
    """Canonical JSON text of ``deal`` (pool embedded)."""
    from abs.io import deal_to_json as _to_json

    return _to_json(deal)


def parse_deal_upload(data: bytes, *, filename: str) -> Deal:
    """A deal from uploaded JSON bytes (same checks and messages as ``dabs``).

    Raises
    ------
    DealSpecError
        Not JSON, or invalid fields (each with its field path, rule and value).
    """
    from abs.io import parse_deal

    return parse_deal(data, source=filename)


def read_tape_upload(
    data: bytes, *, filename: str, cutoff_date: dt.date | None = None
) -> tuple[Pool, list[Issue]]:
    """A pool and the reader's warnings from uploaded CSV/XLSX bytes.

    Parameters
    ----------
    data : bytes
        The uploaded file (parsed in memory; never written anywhere).
    filename : str
        The upload's name (format detection and messages).
    cutoff_date : date, optional
        封包日 recorded on the pool (the current deal's cut-off).

    Raises
    ------
    TapeError
        Listing every problem with its row and column, as ``dabs pool`` does.
    """
    from abs.tape import read_tape_bytes_report

    report = read_tape_bytes_report(data, filename=filename, cutoff_date=cutoff_date)
    return report.pool, list(report.warnings)


def with_pool(deal: Deal, pool: Pool) -> Deal:
    """``deal`` with its pool replaced (the tape reference dropped)."""
    return deal.model_copy(update={"pool": pool, "tape": None})


def validate_deal_data(data: dict[str, Any], *, source: str) -> tuple[Deal | None, list[Issue]]:
    """Validate an edited deal (as a JSON-ready dict) without raising.

    Returns the deal, or ``None`` and one :class:`Issue` per invalid field: ``column`` is the
    field path (``tranches.0.balance``), ``rule`` pydantic's message, ``value`` the input.
    The pages show each issue next to the field it names.
    """
    try:
        return Deal.model_validate(data), []
    except ValidationError as exc:
        issues = [
            Issue(
                source=source,
                rule=str(err["msg"]),
                column=".".join(str(p) for p in err["loc"]) or "(root)",
                value=err.get("input") if not isinstance(err.get("input"), dict) else None,
                code=str(err["type"]),
                context=dict(err.get("ctx") or {}),
            )
            for err in exc.errors()
        ]
        return None, issues


def validation_message(data: dict[str, Any], *, source: str) -> str:
    """The CLI's wording of what is wrong with ``data`` (empty when it is valid)."""
    from abs.io import format_validation_error

    try:
        Deal.model_validate(data)
    except ValidationError as exc:
        return format_validation_error(source, exc)
    return ""


def deal_json_bytes(deal_json: str) -> bytes:
    """The deal file to download: the current JSON text as UTF-8."""
    json.loads(deal_json)  # guard: only ever offer valid JSON
    return deal_json.encode("utf-8")


# --- pool: classification and stratification ------------------------------------------------


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def classification(deal_json: str) -> Classification:
    """The deal kind (``abs.classify.classify_deal``) of the deal's pool."""
    from abs.classify import classify_deal

    return classify_deal(deal_from_json(deal_json))


def share_text(cls: Classification) -> str:
    """The data-linked share as the classifier prints it (never rounds across a threshold)."""
    from abs.classify import format_share

    return format_share(cls.linked_fen, cls.total_fen)


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def stratification(deal_json: str) -> Stratification:
    """Summary, distributions and top-20 obligors (``abs.stratify.stratify_deal``)."""
    from abs.stratify import stratify_deal

    return stratify_deal(deal_from_json(deal_json))


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def asset_frame(deal_json: str) -> pd.DataFrame:
    """The pool's assets as a table with the tape's Chinese headers (入池资产明细)."""
    from abs.tape import ZH_HEADERS

    pool = require_pool(deal_from_json(deal_json))
    records = [a.model_dump(mode="json", exclude_none=False) for a in pool.assets]
    frame = pd.DataFrame.from_records(records)
    frame = frame.dropna(axis=1, how="all")
    return frame.rename(columns={c: ZH_HEADERS.get(c, c) for c in frame.columns})


# --- structure checks -----------------------------------------------------------------------


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def structure_checks(deal_json: str) -> StructureChecks:
    """Sizes against the pool and the retention rule (:func:`abs.checks.structure_checks`)."""
    return _structure_checks(deal_from_json(deal_json))


# --- projection ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectionView:
    """What the projection page shows (small, picklable tables; amounts in yuan).

    Attributes
    ----------
    by_kind : DataFrame
        Expected collections per payment date (rows) and asset kind value (columns).
    pool_table : DataFrame
        The 现金流归集表 of the expected case (``abs.projection.pool_cashflow_table``).
    asset_table : DataFrame
        Per asset per period expected cash (``abs.projection.expected_asset_table``).
    values : DataFrame
        Income-approach values of the data assets (``abs.projection.data_asset_values``).
    """

    by_kind: pd.DataFrame
    pool_table: pd.DataFrame
    asset_table: pd.DataFrame
    values: pd.DataFrame


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def projection(deal_json: str) -> ProjectionView:
    """Expected-case projection of the deal under its own assumptions (its pool model's case
    for the assumptions' stress)."""
    from abs.projection import pool_cashflow_table, pool_model

    deal = deal_from_json(deal_json)
    model = pool_model(deal)
    stress = deal.assumptions.stress
    coll = model.expected(stress)
    by_kind = pd.DataFrame(
        {kind: arr[0] for kind, arr in coll.by_kind.items()},
        index=pd.Index(list(coll.payment_dates), name="兑付日"),
    )
    return ProjectionView(
        by_kind=by_kind,
        pool_table=pool_cashflow_table(coll),
        asset_table=model.asset_table(stress),
        values=model.data_asset_values(stress),
    )


# --- base case: projection + waterfall + analytics --------------------------------------------

#: The base-case report is assembled once, Streamlit-free, in :mod:`scenarios.report` (the CLI
#: and the workbook read the same object); the pages use these names.
BaseCase = BaseReport


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def base_case(deal_json: str) -> BaseReport:
    """The deal's base case (:func:`scenarios.report.base_report`), cached per deal JSON."""
    return base_report(deal_from_json(deal_json))


# --- sizing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SizingView:
    """A sizing result for the page: status, the resized deal's JSON and its base case."""

    status: str
    steps: int
    deal_json: str
    senior_total: float
    sub_total: float


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def sizing(deal_json: str, *, floor: float, include_principal: bool, scenario: str) -> SizingView:
    """Largest senior size meeting ``floor`` under ``scenario`` (``scenarios.sizing``)."""
    from scenarios.sets import scenario_stress
    from scenarios.sizing import largest_senior_size

    deal = deal_from_json(deal_json)
    stress = scenario_stress(deal, scenario)
    result = largest_senior_size(
        deal,
        stress=stress,
        min_coverage=floor,
        include_principal=include_principal,
        assumptions=deal.assumptions,
    )
    return SizingView(
        status=result.status,
        steps=result.steps,
        deal_json=deal_to_json(result.deal),
        senior_total=result.senior_total,
        sub_total=result.sub_total,
    )


@dataclass(frozen=True)
class TargetSizingView:
    """A break-even or indicative-grade sizing for the page (``scenarios.sizing``).

    ``breakevens`` holds, per senior of the sized deal, (tranche, break-even PD multiple, its
    search status, break-even CDR); ``grades`` the implied grade per senior (grade targets).
    """

    status: str
    steps: int
    deal_json: str
    senior_total: float
    sub_total: float
    senior_share: float
    threshold: float
    target_cdr: float | None
    base_cdr: float | None
    breakevens: tuple[tuple[str, float, str, float | None], ...]
    grades: tuple[str, ...]


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def sizing_target(deal_json: str, *, kind: str, value: float, grade: str) -> TargetSizingView:
    """Largest senior size for a break-even target, searched from the deal's own assumptions
    like the break-even table: ``kind`` ``multiple`` (break-even PD multiple ≥ ``value``),
    ``cdr`` (break-even CDR ≥ ``value``) or ``grade`` (indicative ``grade``, 仅供参考)."""
    from scenarios.sizing import size_to_breakeven_target

    deal = deal_from_json(deal_json)
    r = size_to_breakeven_target(
        deal,
        kind=kind,
        value=value,
        grade=grade,
        assumptions=deal.assumptions,
    )
    return TargetSizingView(
        status=r.status,
        steps=r.steps,
        deal_json=deal_to_json(r.deal),
        senior_total=r.senior_total,
        sub_total=r.sub_total,
        senior_share=r.senior_share,
        threshold=r.threshold,
        target_cdr=r.target_cdr,
        base_cdr=r.base_cdr,
        breakevens=tuple(
            (b.tranche, b.value, b.status, b.cumulative_default_rate) for b in r.breakevens
        ),
        grades=r.grades,
    )


@dataclass(frozen=True)
class SplitSizingView:
    """An A1/A2 split for the page (``scenarios.sizing.largest_first_senior_size``).

    ``measures`` holds, per senior of the sized deal, (tranche, balance, min coverage interest
    only, min coverage incl. principal, break-even PD multiple or None, its search status or
    None, break-even CDR or None, implied grade or None).
    """

    status: str
    steps: int
    deal_json: str
    first: str
    others: tuple[str, ...]
    first_size: float
    first_share: float
    second_meets: bool | None
    non_monotone: tuple[tuple[float, float], ...]
    measures: tuple[
        tuple[str, float, float, float, float | None, str | None, float | None, str | None], ...
    ]


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def sizing_split(
    deal_json: str,
    *,
    target: tuple[str, float, str, bool],
    second: tuple[str, float, str, bool] | None,
) -> SplitSizingView:
    """Largest first senior meeting ``target`` (kind, value, grade, incl. principal), the
    senior total and 次级 fixed; ``second`` checked on the other seniors. From the deal's own
    assumptions (base adjustments), as the other sizing targets."""
    from scenarios.sizing import TrancheTarget, largest_first_senior_size

    deal = deal_from_json(deal_json)
    r = largest_first_senior_size(
        deal,
        target=TrancheTarget(*target),
        second=TrancheTarget(*second) if second is not None else None,
        assumptions=deal.assumptions,
    )
    return SplitSizingView(
        status=r.status,
        steps=r.steps,
        deal_json=deal_to_json(r.deal),
        first=r.first,
        others=r.others,
        first_size=r.first_size,
        first_share=r.first_share,
        second_meets=r.second_meets,
        non_monotone=r.non_monotone,
        measures=tuple(
            (
                m.tranche,
                m.balance,
                m.coverage,
                m.coverage_principal,
                m.breakeven.value if m.breakeven else None,
                m.breakeven.status if m.breakeven else None,
                m.breakeven.cumulative_default_rate if m.breakeven else None,
                m.grade,
            )
            for m in r.measures
        ),
    )


# --- stress ---------------------------------------------------------------------------------


#: A stress grid as the pages show it (:class:`scenarios.grid.GridSummary`).
StressView = GridSummary


def default_set_name(deal_json: str) -> str:
    """The built-in scenario set the deal's pool calls for (``data`` or ``receivable``)."""
    from scenarios.sets import default_set_name as _default

    return _default(deal_from_json(deal_json).pool)


def scenario_set_names() -> list[str]:
    """Names of the built-in scenario sets."""
    from scenarios.sets import builtin_sets

    return list(builtin_sets())


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def stress_grid(deal_json: str, set_name: str) -> StressView:
    """The set and the deal's custom scenarios in one engine call (``scenarios.grid``)."""
    from scenarios.grid import run_deal_set, summarise_grid

    return summarise_grid(run_deal_set(deal_from_json(deal_json), set_name), set_name)


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def breakevens(deal_json: str, factors: tuple[str, ...]) -> pd.DataFrame:
    """Break-even per tranche and factor (``scenarios.breakeven.breakeven_table``)."""
    from scenarios.breakeven import breakeven_table

    deal = deal_from_json(deal_json)
    return breakeven_table(deal, factors)


@st.cache_data(max_entries=_MAX_RESULTS, show_spinner=False)
def rating(deal_json: str) -> pd.DataFrame:
    """Indicative grade per tranche (``scenarios.rating.rating_view``; 仅供参考)."""
    from scenarios.rating import rating_view

    deal = deal_from_json(deal_json)
    return rating_view(deal)


@dataclass(frozen=True)
class MonteCarloView:
    """A Monte Carlo run reduced to its summary and the loss histograms."""

    n_paths: int
    seed: int
    engine: str
    summary: pd.DataFrame
    histograms: dict[str, tuple[list[float], list[float]]]


def monte_carlo(
    deal_json: str,
    *,
    n_paths: int,
    seed: int,
    engine: str = "local",
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MonteCarloView:
    """Monte Carlo of the deal (``scenarios.montecarlo.run_mc``), local or on Dask.

    Not cached by Streamlit (it reports progress while it runs); the page keeps the last
    result in the session, keyed by the deal and the parameters.
    """
    from scenarios.montecarlo import run_mc

    deal = deal_from_json(deal_json)
    result = run_mc(
        deal,
        n_paths=n_paths,
        seed=seed,
        engine=engine,  # type: ignore[arg-type]
        workers=workers,
        progress=progress,
    )
    hist: dict[str, tuple[list[float], list[float]]] = {}
    for name in result.tranche_names:
        counts, edges = result.histogram(name, "loss", bins=40)
        hist[name] = (counts.tolist(), edges.tolist())
    return MonteCarloView(
        n_paths=n_paths, seed=seed, engine=engine, summary=result.summary(), histograms=hist
    )


# --- exports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilingFiles:
    """The filing package as downloadable bytes.

    Attributes
    ----------
    xlsx : bytes
        The workbook (Chinese sheets, amounts in 万元).
    csv_zip : bytes
        One CSV per sheet (raw yuan), zipped.
    json : bytes
        The versioned JSON document (validated against the published schema).
    sheets : list of str
        Sheet names in workbook order.
    """

    xlsx: bytes
    csv_zip: bytes
    json: bytes
    sheets: list[str]


#: Timestamp written into the CSV zip entries (fixed, so the same tables give the same zip).
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@st.cache_data(max_entries=8, show_spinner=False)
def filing_files(
    deal_json: str,
    *,
    stress_set: str | None,
    mc_paths: int = 0,
    seed: int | None = None,
    csv_encoding: str = "utf-8-sig",
    breakeven: bool = True,
) -> FilingFiles:
    """The filing package of the deal in memory (``scenarios.filing_package.render_package``).

    Raises
    ------
    ExportError
        E.g. a character the GBK CSV encoding cannot represent (naming file, line and cell).
    """
    import io
    import zipfile

    from scenarios.filing_package import render_package

    package = render_package(
        deal_from_json(deal_json),
        csv_encoding=csv_encoding,
        stress_set=stress_set,
        mc_paths=mc_paths or None,
        seed=seed if mc_paths else None,
        breakeven=breakeven,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in package.csv.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data)
    return FilingFiles(
        xlsx=package.xlsx,
        csv_zip=buffer.getvalue(),
        json=package.json,
        sheets=[table.sheet for table in package.tables],
    )


def require_pool(deal: Deal) -> Pool:
    """The deal's pool (or the CLI's error when it has none)."""
    from abs.io import require_pool as _require

    return _require(deal)


__all__ = [
    "COV_SENIOR",
    "COV_SENIOR_PRINCIPAL",
    "SUPPORT_COLUMNS",
    "BaseCase",
    "DealSpecError",
    "base_case",
    "deal_file_json",
    "deal_from_json",
    "deal_json_bytes",
    "deal_to_json",
    "example_deal_json",
    "parse_deal_upload",
    "read_tape_upload",
    "require_pool",
    "validate_deal_data",
    "validation_message",
    "with_pool",
]
