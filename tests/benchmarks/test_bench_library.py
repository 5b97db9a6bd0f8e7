"""Deal-library benchmarks: save of a 10,000-asset deal, list/log of 1,000 versions, verify of
an example workbook; on SQLite and (when ``DABS_TEST_PG_URL`` is set, as ``make bench`` does)
PostgreSQL.

Run: ``make bench`` or
``.venv/bin/pytest tests/benchmarks/test_bench_library.py -o addopts="" --benchmark-only -q``.

Baselines measured in the same run:

* save ← ``read_tape_bytes`` of the same 10,000-row tape (parsing and validating it, which a
  save must do anyway): the ratio is what storing costs on top;
* list/log ← fetching the same version rows with a bare ``SELECT`` on the same engine: the
  ratio is the cost of building records;
* verify ← ``render_package`` of the same deal alone (the re-run that verify must do): the
  ratio is the cost of reading and comparing the three workbooks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from abs.library import Library
from abs.library.models import DealRow, VersionRow
from tests.benchmarks.test_bench_tape import _tape_bytes
from tests.library.conftest import _with_search_path
from tests.library.helpers import edited_deal, example_bytes

N_ASSETS = 10_000
N_VERSIONS = 1_000
OTHER_DEALS = 19
BACKENDS = ("sqlite", "postgresql")


def _url(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite'}"
        return
    import os

    base = os.environ.get("DABS_TEST_PG_URL", "").strip()
    if not base:
        pytest.skip("PostgreSQL not available: set DABS_TEST_PG_URL (make bench starts one)")
    schema = f"b_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(base, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def empty_library(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Library]:
    for url in _url(request.param, tmp_path):
        with Library.open(url) as lib:
            yield lib


def _big_deal_bytes() -> bytes:
    # qingdao's structure with dates before the benchmark tape's contracts start
    return edited_deal(
        "qingdao-pure",
        **{"dates.cutoff_date": "2022-12-31", "dates.closing_date": "2023-01-16"},
    )


def test_bench_save_10k_asset_deal(benchmark: Any, empty_library: Library) -> None:
    """One save: parse and validate deal and tape, classify, hash, compress, store."""
    deal = _big_deal_bytes()
    tape = _tape_bytes(N_ASSETS)
    rounds = 5
    # each round stores a tape the library has not seen (a new blob, as in real use)
    tapes = iter(tape.replace(b"BM009999", f"BX{i:06d}".encode()) for i in range(rounds + 1))

    def setup() -> tuple[tuple[()], dict[str, Any]]:
        return (), {"tape": next(tapes)}

    def save(tape: bytes) -> Any:
        return empty_library.save(
            "big", deal_bytes=deal, tape=tape, tape_name="tape.csv", message="bench"
        )

    result = benchmark.pedantic(save, setup=setup, rounds=rounds, iterations=1)
    assert result.created and result.version.asset_count == N_ASSETS


def test_bench_baseline_read_tape_10k(benchmark: Any) -> None:
    """Baseline of the save: reading and validating the same tape."""
    from abs.tape import read_tape_bytes

    tape = _tape_bytes(N_ASSETS)
    pool = benchmark(read_tape_bytes, tape, filename="tape.csv")
    assert pool.asset_count == N_ASSETS


@pytest.fixture(scope="module", params=BACKENDS)
def busy_library(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Library]:
    """A library with one deal of 1,000 versions and 19 other deals (one version each)."""
    folder = tmp_path_factory.mktemp("busy")
    for url in _url(request.param, folder):
        with Library.open(url) as lib:
            _, tape, tape_name = example_bytes("rugao-labelled")
            for i in range(N_VERSIONS):
                lib.save(
                    "main",
                    deal_bytes=edited_deal("rugao-labelled", description=f"版本 {i}"),
                    tape=tape,
                    tape_name=tape_name,
                    message=f"第 {i + 1} 版 version {i + 1}",
                    author="bench",
                )
            for j in range(OTHER_DEALS):
                lib.save(
                    f"other-{j:02d}",
                    deal_bytes=example_bytes("rugao-labelled")[0],
                    tape=tape,
                    tape_name=tape_name,
                    message="v1",
                )
            yield lib


def test_bench_log_1000_versions(benchmark: Any, busy_library: Library) -> None:
    log = benchmark(busy_library.log, "main")
    assert len(log) == N_VERSIONS and log[0].number == N_VERSIONS


def test_bench_list_with_1000_versions(benchmark: Any, busy_library: Library) -> None:
    deals = benchmark(busy_library.deals)
    assert len(deals) == OTHER_DEALS + 1
    assert next(d for d in deals if d.key == "main").versions == N_VERSIONS


def test_bench_baseline_select_1000_version_rows(benchmark: Any, busy_library: Library) -> None:
    """Baseline of log: the same rows with a bare SELECT on the same engine."""
    query = (
        select(VersionRow.__table__)
        .join(DealRow.__table__, DealRow.id == VersionRow.deal_id)
        .where(DealRow.key == "main")
        .order_by(VersionRow.number.desc())
    )

    def fetch() -> list[Any]:
        with busy_library.engine.connect() as conn:
            return list(conn.execute(query).all())

    rows = benchmark(fetch)
    assert len(rows) == N_VERSIONS


@pytest.fixture(scope="module", params=BACKENDS)
def exported(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Library, Path]]:
    """qingdao-pure exported from the library as `dabs export` does (break-evens included)."""
    from ui.library_service import export_version

    folder = tmp_path_factory.mktemp("verify")
    for url in _url(request.param, folder):
        with Library.open(url) as lib:
            lib.save_files("qingdao-pure", message="bench")
            target = folder / "qingdao.xlsx"
            export_version(lib, "qingdao-pure", xlsx_path=target)
            yield lib, target


def test_bench_verify_example_workbook(benchmark: Any, exported: tuple[Library, Path]) -> None:
    from ui.library_service import verify_workbook

    lib, target = exported
    report = benchmark.pedantic(verify_workbook, args=(lib, target), rounds=5, iterations=1)
    assert report.ok


def test_bench_baseline_rerun_example(benchmark: Any) -> None:
    """Baseline of verify: the re-run alone (engine, break-evens, nine sheets, xlsx)."""
    from abs.io import load_deal
    from scenarios.filing_package import render_package

    deal = load_deal("qingdao-pure")
    package = benchmark.pedantic(render_package, args=(deal,), rounds=5, iterations=1)
    assert package.xlsx[:2] == b"PK"
