"""Stored measures use the keys of ``dabs run --json`` (format 2), and runs recorded before
schema revision 0004 (format 1: ``min_coverage`` was interest-only) stay readable under those
keys and comparable with new runs, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from abs.library import Library
from abs.library import db as library_db
from abs.library.diff import measure_changes
from abs.library.models import LEGACY_MEASURE_NAMES, MEASURES_FORMAT
from tests.library.test_migrations import _insert_at_first_revision
from ui.cli import app
from ui.library_service import run_version

T1 = dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC)
RUNS = sa.table(
    "runs",
    *(sa.column(c) for c in ("id", "version_id", "kind", "created_at", "utc_offset_min")),
    *(sa.column(c) for c in ("author", "scenario_count", "deal_sha256", "tape_sha256")),
    *(sa.column(c, sa.JSON) for c in ("assumptions", "options", "software", "timings")),
)
MEASURES = sa.table(
    "run_measures",
    *(sa.column(c) for c in ("run_id", "section", "scenario", "tranche")),
    sa.column("measure"),
    sa.column("value"),
)
#: What a base run stored for the senior tranche before 0004 (values as then computed).
LEGACY = {
    "min_coverage": 15.99,  # interest-only, under the old name
    "life_coverage": 24.25,  # interest-only
    "min_coverage_principal": 1.66,  # principal-inclusive
    "yield": 0.024,
}


def _legacy_run(url: str) -> str:
    """A deal version at 0001, upgraded to 0003, with a base run recorded the old way."""
    _insert_at_first_revision(url)
    engine = library_db.create_library_engine(url)
    run_id = str(uuid.uuid4())
    try:
        assert library_db.upgrade(engine, "0003") == "0003"
        with library_db.write_transaction(engine) as conn:
            version_id, deal_sha, tape_sha = conn.execute(
                sa.text("SELECT id, deal_sha256, tape_sha256 FROM deal_versions")
            ).one()
            conn.execute(
                sa.insert(RUNS).values(
                    id=run_id,
                    version_id=version_id,
                    kind="base",
                    created_at=T1,
                    utc_offset_min=480,
                    author="老用户",
                    scenario_count=1,
                    deal_sha256=deal_sha,
                    tape_sha256=tape_sha,
                    assumptions={},
                    options={},
                    software={"dabs": "0.0.9"},
                    timings={"total_s": 0.1},
                )
            )
            conn.execute(
                sa.insert(MEASURES),
                [
                    {
                        "run_id": run_id,
                        "section": "base",
                        "scenario": "",
                        "tranche": "优先A",
                        "measure": k,
                        "value": v,
                    }
                    for k, v in LEGACY.items()
                ],
            )
    finally:
        engine.dispose()
    return run_id


def test_old_runs_are_labelled_and_read_under_the_current_keys(db_url: str) -> None:
    old_id = _legacy_run(db_url)
    with Library.open(db_url) as lib:  # 0003 → 0004
        assert lib.revision() == "0004"
        old = lib.run(old_id)
        assert old.measures_format == 1
        frame = lib.measures(old_id)
        assert frame.attrs["measures_format"] == 1
        got = dict(zip(frame["measure"], frame["value"], strict=True))
        assert got == {
            "min_coverage": 1.66,
            "min_coverage_interest": 15.99,
            "life_coverage_interest": 24.25,
            "yield": 0.024,
        }
        # a new run of the same version stores format 2, the keys of `dabs run --json`
        new = run_version(lib, "legacy@1", kind="base", author="quant")
        assert new.measures_format == MEASURES_FORMAT == 2
        fresh = lib.measures(new.id)
        base = fresh[fresh["section"] == "base"]
        assert not set(base["measure"]) & {"min_coverage_principal", "life_coverage"}
        cli = json.loads(CliRunner().invoke(app, ["run", "rugao-labelled", "--json"]).stdout)
        for tr in cli["tranches"]:
            row = base[base["tranche"] == tr["name"]].set_index("measure")["value"]
            assert row["min_coverage"] == pytest.approx(tr["min_coverage"], rel=1e-12)
            assert row["min_coverage_interest"] == pytest.approx(
                tr["min_coverage_interest"], rel=1e-12
            )
        # old and new compare like for like: principal-inclusive against principal-inclusive
        changes = measure_changes(frame, fresh)
        senior = changes[changes["档位 tranche"] == "优先A"].set_index("指标 measure")
        incl = senior.loc[next(i for i in senior.index if "含本金" in i)]
        assert incl["old"] == 1.66
        assert incl["new"] == pytest.approx(cli["tranches"][0]["min_coverage"], rel=1e-12)
        interest = senior.loc[next(i for i in senior.index if "仅利息" in i)]
        assert interest["old"] == 15.99


def test_show_run_says_the_legacy_format(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    old_id = _legacy_run(db_url)
    monkeypatch.setenv("DABS_DB_URL", db_url)
    out = CliRunner().invoke(app, ["library", "runs", "legacy", "--run", old_id[:8]])
    assert out.exit_code == 0, out.output
    assert "measures format 1" in out.stdout
    shown = CliRunner().invoke(app, ["library", "runs", "legacy", "--run", old_id[:8], "--json"])
    assert json.loads(shown.stdout)["measures_format"] == 1


def test_legacy_names_cover_every_renamed_measure() -> None:
    assert set(LEGACY_MEASURE_NAMES.values()) == {
        "min_coverage",
        "min_coverage_interest",
        "life_coverage_interest",
        "min_coverage_interest_p5",
        "min_coverage_interest_p50",
    }
