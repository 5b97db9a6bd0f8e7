"""The deal library's storage on both back-ends: versions, history, blobs, runs, exports,
archive, immutability and parameter binding.

Every test gets an empty database (``db_url``: SQLite file or a fresh PostgreSQL schema).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from abs.errors import DealSpecError, TapeError
from abs.io import load_deal
from abs.library import (
    ImmutableError,
    Library,
    LibraryError,
    Measure,
    NewRun,
    NotFoundError,
    parse_ref,
)
from abs.library.store import check_key, default_key
from tests.library.helpers import edited_deal, example_bytes, write_deal_folder

TZ8 = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def lib(db_url: str) -> Library:
    library = Library.open(db_url)
    yield library
    library.close()


def _save(lib: Library, key: str = "rugao", *, message: str = "首版 first", **kw: object):
    deal, tape, tape_name = example_bytes("rugao-labelled")
    return lib.save(
        key,
        deal_bytes=kw.pop("deal_bytes", deal),  # type: ignore[arg-type]
        tape=tape,
        tape_name=tape_name,
        message=message,
        author=kw.pop("author", "张三"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def _run(run_id: str | None = None, **kw: object) -> NewRun:
    fields: dict[str, object] = {
        "id": run_id or str(uuid.uuid4()),
        "kind": "base",
        "created_at": dt.datetime(2026, 4, 1, 9, 30, 15, tzinfo=TZ8),
        "author": "李四",
        "scenario_count": 1,
        "assumptions": {"mode": "contracted"},
        "options": {},
        "software": {"dabs": "0.1.0", "numpy": "2.2.0"},
        "timings": {"total_s": 0.25},
        "measures": (
            Measure("base", "", "优先A", "wal_years", 1.2345),
            Measure("base", "", "优先A", "min_coverage", float("inf")),
            Measure("pool", "", "", "pool_amount", 130_000_000.0),
        ),
    }
    fields.update(kw)
    return NewRun(**fields)  # type: ignore[arg-type]


# --- saving and reading ----------------------------------------------------------------------


def test_first_save_creates_version_one_with_summary(lib: Library) -> None:
    result = _save(lib)
    v = result.version
    deal, tape, _ = example_bytes("rugao-labelled")
    pool = load_deal("rugao-labelled").pool
    assert pool is not None
    assert result.created
    assert (v.ref, v.number, v.parent, v.author, v.message) == (
        "rugao@1",
        1,
        None,
        "张三",
        "首版 first",
    )
    assert v.tape_name == "tape.csv"
    assert v.deal_kind == "labelled"
    # 123,000,000 + 7,000,000 yuan of tranches, in fen
    assert v.issue_amount_fen == 13_000_000_000
    assert v.pool_amount_fen == sum(a.amount_fen for a in pool.assets)
    assert v.asset_count == 10
    assert v.created_at.tzinfo is dt.UTC
    # stored bytes are exactly the files' bytes (content-addressed)
    info, stored_deal, stored_tape = lib.inputs("rugao@1")
    assert (stored_deal, stored_tape) == (deal, tape)
    import hashlib

    assert info.deal_sha256 == hashlib.sha256(deal).hexdigest()


def test_load_returns_the_deal_with_its_pool(lib: Library) -> None:
    _save(lib)
    loaded = lib.load("rugao")
    original = load_deal("rugao-labelled")
    assert loaded.tranches == original.tranches
    assert loaded.pool is not None and original.pool is not None
    assert loaded.pool.assets == original.pool.assets


def test_unchanged_save_returns_newest_and_stores_nothing(lib: Library) -> None:
    _save(lib)
    again = _save(lib, message="no change")
    assert not again.created
    assert again.version.ref == "rugao@1"
    assert len(lib.log("rugao")) == 1
    forced = _save(lib, message="reviewed", allow_unchanged=True)
    assert forced.created and forced.version.ref == "rugao@2"
    assert forced.version.parent == 1


def test_versions_number_up_and_record_parents(lib: Library) -> None:
    _save(lib)
    _save(lib, deal_bytes=edited_deal("rugao-labelled", **{"tranches.0.balance": 120_000_000}))
    third = _save(
        lib,
        message="from v1",
        parent=1,
        deal_bytes=edited_deal("rugao-labelled", **{"tranches.0.balance": 121_000_000}),
    )
    assert third.version.ref == "rugao@3"
    assert third.version.parent == 1
    log = lib.log("rugao")
    assert [v.number for v in log] == [3, 2, 1]
    assert [v.parent for v in log] == [1, 1, None]
    assert log[1].issue_amount_fen == 12_700_000_000
    assert [v.number for v in lib.log("rugao", limit=2)] == [3, 2]
    frame = log.to_frame()
    assert list(frame["issue_amount_wan"]) == [12_800.0, 12_700.0, 13_000.0]
    assert "issue_amount_fen" not in frame.columns


def test_deals_list_newest_version_per_deal(lib: Library) -> None:
    _save(lib, "b-deal")
    _save(lib, "a-deal")
    _save(
        lib,
        "a-deal",
        message="second",
        deal_bytes=edited_deal("rugao-labelled", **{"tranches.0.balance": 120_000_000}),
    )
    deals = lib.deals()
    assert [(d.key, d.versions, d.latest, d.latest_message) for d in deals] == [
        ("a-deal", 2, 2, "second"),
        ("b-deal", 1, 1, "首版 first"),
    ]
    assert deals[0].issue_amount_fen == 12_700_000_000


def test_save_files_reads_the_tape_the_deal_names(lib: Library, tmp_path: Path) -> None:
    path = write_deal_folder(tmp_path / "my-deal", "qingdao-pure")
    result = lib.save_files(path, message="from disk", author="王五")
    assert result.version.ref == "my-deal@1"
    assert result.version.asset_count == 60
    other = lib.save_files("qingdao-pure", message="example", author="王五")
    assert other.version.key == "qingdao-pure"
    # same bytes → same blobs: identical hashes across the two deals
    assert other.version.tape_sha256 == result.version.tape_sha256


def test_save_deal_from_memory_embeds_pool_or_keeps_tape(lib: Library) -> None:
    deal = load_deal("rugao-labelled")
    embedded = lib.save_deal("mem", deal, message="embedded", author="quant").version
    assert embedded.tape_sha256 is None and embedded.asset_count == 10
    assert lib.load("mem").pool == deal.pool
    _, tape, _ = example_bytes("rugao-labelled")
    with_tape = lib.save_deal(
        "mem", deal, message="tape", author="quant", tape=tape, tape_name="pool.csv"
    ).version
    assert with_tape.tape_name == "pool.csv" and with_tape.number == 2
    assert lib.load("mem@2").pool.assets == deal.pool.assets  # type: ignore[union-attr]


def test_default_keys() -> None:
    assert default_key("qingdao-pure") == "qingdao-pure"
    assert default_key("/tmp/x/abc/deal.json") == "abc"
    assert default_key("/tmp/x/other.json") == "other"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("rugao", ("rugao", None)),
        ("rugao@3", ("rugao", 3)),
        ("rugao@v12", ("rugao", 12)),
        ("rugao@latest", ("rugao", None)),
        (" 青岛 @2", ("青岛", 2)),
    ],
)
def test_parse_ref(ref: str, expected: tuple[str, int | None]) -> None:
    assert parse_ref(ref) == expected


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("rugao@0", "the version after '@' must be a number ≥ 1"),
        ("rugao@x1", "the version after '@' must be a number ≥ 1"),
        ("@3", "deal key must not be empty"),
    ],
)
def test_parse_ref_rejects(ref: str, message: str) -> None:
    with pytest.raises(LibraryError, match=message):
        parse_ref(ref)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "deal key must not be empty"),
        ("a@b", "must not contain '@'"),
        ("a\tb", "must not contain control characters"),
        ("x" * 201, "longer than 200 characters"),
    ],
)
def test_check_key_rejects(key: str, message: str) -> None:
    with pytest.raises(LibraryError, match=message):
        check_key(key)


def test_unknown_deal_and_version_are_named(lib: Library) -> None:
    _save(lib)
    with pytest.raises(NotFoundError, match=r"no deal 'nope' in the library; deals are: rugao"):
        lib.version("nope")
    with pytest.raises(NotFoundError, match=r"rugao: no version 7; versions are 1 to 1"):
        lib.version("rugao@7")
    with pytest.raises(NotFoundError, match="no version 5 to save on top of"):
        _save(lib, parent=5, allow_unchanged=True)


def test_bad_input_stores_nothing(lib: Library) -> None:
    deal, tape, _ = example_bytes("rugao-labelled")
    with pytest.raises(DealSpecError, match="not valid JSON"):
        lib.save("x", deal_bytes=b"{", message="m", tape=tape, tape_name="t.csv")
    with pytest.raises(TapeError, match="problem"):
        lib.save("x", deal_bytes=deal, message="m", tape=b"asset_id\n1\n", tape_name="t.csv")
    with pytest.raises(LibraryError, match=r"reads its pool from tape 'tape.csv'; give the tape"):
        lib.save("x", deal_bytes=deal, message="m")
    with pytest.raises(LibraryError, match=r"message \(-m\) must not be empty"):
        lib.save("x", deal_bytes=deal, message="  ", tape=tape, tape_name="t.csv")
    assert len(lib.deals(include_archived=True)) == 0


# --- runs and exports -------------------------------------------------------------------------


def test_record_run_keeps_inputs_software_measures(lib: Library) -> None:
    _save(lib)
    run = lib.record_run("rugao", _run(seed=7, mc_paths=None))
    assert run.version == "rugao@1"
    assert run.created_at == dt.datetime(2026, 4, 1, 9, 30, 15, tzinfo=TZ8)
    assert run.created_at.utcoffset() == dt.timedelta(hours=8)
    assert (run.seed, run.author, run.software["numpy"]) == (7, "李四", "2.2.0")
    assert run.deal_sha256 == lib.version("rugao").deal_sha256
    frame = lib.measures(run.id)
    got = {(r.section, r.tranche, r.measure): r.value for r in frame.itertuples()}
    assert got[("base", "优先A", "wal_years")] == 1.2345
    assert got[("pool", "", "pool_amount")] == 130_000_000.0
    # non-finite values are stored as NULL (NaN in the frame)
    assert frame.loc[frame["measure"] == "min_coverage", "value"].isna().all()
    assert lib.run(run.id[:8]).id == run.id
    assert [r.id for r in lib.runs("rugao")] == [run.id]
    assert [r.id for r in lib.runs("rugao@1", kind="base")] == [run.id]
    assert list(lib.runs("rugao").to_frame()["total_s"]) == [0.25]


def test_record_run_rejects_bad_runs(lib: Library) -> None:
    _save(lib)
    with pytest.raises(LibraryError, match="run kind must be one of"):
        lib.record_run("rugao", _run(kind="guess"))
    with pytest.raises(LibraryError, match="run time must be timezone-aware"):
        lib.record_run("rugao", _run(created_at=dt.datetime(2026, 1, 1)))
    with pytest.raises(LibraryError, match="measure sections must be in"):
        lib.record_run("rugao", _run(measures=(Measure("nope", "", "", "x", 1.0),)))
    same = str(uuid.uuid4())
    lib.record_run("rugao", _run(same))
    with pytest.raises(LibraryError, match=f"run {same}: could not be recorded"):
        lib.record_run("rugao", _run(same))
    with pytest.raises(NotFoundError, match="no run 'abcdef'"):
        lib.run("abcdef")
    with pytest.raises(LibraryError, match="at least 6 characters"):
        lib.run("abc")


def test_exports_are_recorded_with_hash_and_copy(lib: Library, tmp_path: Path) -> None:
    _save(lib)
    run = lib.record_run("rugao", _run(kind="filing"))
    data = b"PK\x03\x04 workbook bytes" * 50
    info = lib.record_export(run.id, kind="xlsx", path=tmp_path / "f.xlsx", data=data)
    import hashlib

    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.stored and info.size == len(data)
    assert lib.blob(info.sha256) == data
    assert [e.id for e in lib.exports(sha256=info.sha256)] == [info.id]
    assert [e.path for e in lib.exports(run_id=run.id)] == [str((tmp_path / "f.xlsx").resolve())]


# --- archive, immutability, binding -------------------------------------------------------------


def test_archive_hides_deal_logs_and_blocks_saves(lib: Library) -> None:
    _save(lib)
    lib.archive("rugao", reason="项目终止 deal dropped", author="审计")
    assert len(lib.deals()) == 0
    assert [d.archived for d in lib.deals(include_archived=True)] == [True]
    assert lib.load("rugao@1").name  # history stays readable
    with pytest.raises(LibraryError, match="the deal is archived; restore it first"):
        _save(lib, allow_unchanged=True)
    with pytest.raises(LibraryError, match="already archived"):
        lib.archive("rugao", reason="again")
    lib.restore("rugao", reason="revived", author="审计")
    assert len(lib.deals()) == 1
    log = lib.archive_log("rugao")
    assert [(e.action, e.author, e.reason) for e in log] == [
        ("archive", "审计", "项目终止 deal dropped"),
        ("restore", "审计", "revived"),
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE deal_versions SET message = 'rewritten'",
        "DELETE FROM deal_versions",
        "UPDATE blobs SET size = 1",
        "DELETE FROM blobs",
        "UPDATE runs SET seed = 1",
        "DELETE FROM run_measures",
        "UPDATE exports SET path = 'elsewhere'",
        "DELETE FROM archive_log",
        "DELETE FROM deals",
        "UPDATE deals SET key = 'renamed'",
        "UPDATE deals SET archived = TRUE",
    ],
)
def test_history_rows_cannot_be_edited_even_in_raw_sql(lib: Library, statement: str) -> None:
    _save(lib)
    run = lib.record_run("rugao", _run(kind="filing"))
    lib.record_export(run.id, kind="xlsx", path="f.xlsx", data=b"x" * 300)
    lib.archive("rugao", reason="r")
    lib.restore("rugao", reason="r")
    before = lib.log("rugao").to_frame()
    with pytest.raises(ImmutableError, match=r"dabs library: .*(immutable|never deleted|archive)"):
        lib.execute_guarded(text(statement))
    after = lib.log("rugao").to_frame()
    assert before.equals(after)
    assert len(lib.runs("rugao")) == 1 and len(lib.exports(run_id=run.id)) == 1


HOSTILE = '\'); DROP TABLE deals; -- "引号" %s :param ${x}'


def test_user_text_is_bound_never_formatted(lib: Library) -> None:
    result = _save(lib, key="o'neil; DROP TABLE deals", message=HOSTILE, author=HOSTILE[:60])
    assert result.version.message == HOSTILE
    assert lib.version("o'neil; DROP TABLE deals").message == HOSTILE
    assert [d.key for d in lib.deals()] == ["o'neil; DROP TABLE deals"]
    lib.archive("o'neil; DROP TABLE deals", reason=HOSTILE)
    assert lib.archive_log()[0].reason == HOSTILE


def test_damaged_blob_is_detected(tmp_path: Path) -> None:
    # damaging a blob means dropping a trigger first: SQLite alone shows the check
    with Library.open(str(tmp_path / "lib.sqlite")) as lib:
        v = _save(lib).version
        with lib.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER blobs_no_update"))
            conn.execute(
                text("UPDATE blobs SET data = :d, codec = 'raw' WHERE sha256 = :s"),
                {"d": b"tampered", "s": v.deal_sha256},
            )
        with pytest.raises(LibraryError, match="do not match their SHA-256"):
            lib.load("rugao")


def test_bad_urls_are_named(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="database 'mysql' is not supported"):
        Library.open("mysql://u@h/db")
    with pytest.raises(LibraryError, match="in-memory SQLite database would forget"):
        Library.open("sqlite://")
    with pytest.raises(LibraryError, match="cannot parse the database URL"):
        Library.open("postgresql+psycopg://u@h:notaport/db")


def test_open_creates_sqlite_folder_and_file(tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "lib.sqlite"
    with Library.open(str(target)) as lib:
        assert lib.revision() == "0004"
        assert lib.backend == "sqlite"
    assert target.is_file()
    with Library.open(f"sqlite:///{target}") as lib, lib.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_json_columns_round_trip_chinese(lib: Library) -> None:
    _save(lib)
    content = {"name": "自定义", "scenarios": [{"name": "重度", "factors": {"pd_multiplier": 3}}]}
    run = lib.record_run("rugao", _run(kind="stress", stress_set="x.json", stress_content=content))
    assert lib.run(run.id).stress_content == content
    assert json.dumps(lib.run(run.id).stress_content, ensure_ascii=False).count("重度") == 1


def test_switch_to_wal_waits_for_another_process_lock(tmp_path: Path) -> None:
    """SQLite refuses a journal-mode switch at once while another connection writes; the
    library retries instead of failing (two processes opening a new library together)."""
    import sqlite3
    import threading

    from abs.library.db import _wal

    path = tmp_path / "new.sqlite"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        other.execute("PRAGMA journal_mode=WAL")  # what SQLite itself does
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    _wal(other.cursor())
    release.join()
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    holder.close()
    other.close()
