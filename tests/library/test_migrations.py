"""Migrations on both back-ends: data written at the first revision survives the upgrade to
head; the migrated schema equals the models; downgrade and upgrade again work.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from abs.io import load_deal
from abs.library import ImmutableError, Library
from abs.library import db as library_db
from abs.library.models import Base
from tests.library.helpers import example_bytes

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def _insert_at_first_revision(url: str) -> tuple[bytes, bytes]:
    """Create the schema at 0001 and write one deal with one version in raw SQL."""
    engine = library_db.create_library_engine(url)
    assert library_db.upgrade(engine, "0001") == "0001"
    deal, tape, _ = example_bytes("rugao-labelled")
    with library_db.write_transaction(engine) as conn:
        assert library_db.current_revision(conn) == "0001"
        for data in (deal, tape):
            conn.execute(
                text(
                    "INSERT INTO blobs (sha256, size, codec, data, created_at) "
                    "VALUES (:s, :n, 'raw', :d, :t)"
                ),
                {"s": hashlib.sha256(data).hexdigest(), "n": len(data), "d": data, "t": T0},
            )
        conn.execute(
            text("INSERT INTO deals (key, created_at, created_by) VALUES ('legacy', :t, 'old')"),
            {"t": T0},
        )
        conn.execute(
            text(
                "INSERT INTO deal_versions (deal_id, number, parent_id, author, message, "
                "created_at, deal_sha256, deal_file, tape_sha256, tape_name, deal_name, "
                "deal_kind, issue_amount_fen, pool_amount_fen, asset_count, tranche_count) "
                "SELECT id, 1, NULL, '老用户', '迁移前的版本 before migration', :t, :ds, "
                "'deal.json', :ts, 'tape.csv', '如皋', 'labelled', 13000000000, 1, 10, 2 "
                "FROM deals WHERE key = 'legacy'"
            ),
            {
                "t": T0,
                "ds": hashlib.sha256(deal).hexdigest(),
                "ts": hashlib.sha256(tape).hexdigest(),
            },
        )
    engine.dispose()
    return deal, tape


def test_data_written_at_first_revision_survives_upgrade(db_url: str) -> None:
    deal, tape = _insert_at_first_revision(db_url)
    with Library.open(db_url) as lib:  # upgrades 0001 → head
        assert lib.revision() == library_db.head_revision() == "0004"
        v = lib.version("legacy@1")
        assert (v.author, v.message, v.created_at) == (
            "老用户",
            "迁移前的版本 before migration",
            T0,
        )
        _, stored_deal, stored_tape = lib.inputs("legacy@1")
        assert (stored_deal, stored_tape) == (deal, tape)
        assert lib.load("legacy@1").tranches == load_deal("rugao-labelled").tranches
        assert [(d.key, d.archived) for d in lib.deals()] == [("legacy", False)]
        # the new tables and guards work on the migrated data
        new = lib.save(
            "legacy",
            deal_bytes=deal,
            tape=tape,
            tape_name="tape.csv",
            message="after",
            allow_unchanged=True,
        )
        assert (new.version.number, new.version.parent) == (2, 1)
        with pytest.raises(ImmutableError, match="immutable"):
            lib.execute_guarded(text("UPDATE deal_versions SET message = 'x'"))
        lib.archive("legacy", reason="migrated deal archived")
        assert len(lib.deals()) == 0


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    with Library.open(db_url) as lib, lib.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(ctx, Base.metadata) if "alembic_version" not in str(d)]
        assert diffs == []


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    from alembic import command

    engine = library_db.create_library_engine(db_url)
    try:
        assert library_db.upgrade(engine) == "0004"
        with library_db.write_transaction(engine) as conn:
            command.downgrade(library_db.alembic_config(conn), "base")
            assert library_db.current_revision(conn) is None
        assert library_db.upgrade(engine) == "0004"
        assert library_db.upgrade(engine) == "0004"  # a second open migrates nothing
    finally:
        engine.dispose()


def test_newer_schema_is_refused(db_url: str) -> None:
    from abs.library import LibraryError

    with Library.open(db_url) as lib, library_db.write_transaction(lib.engine) as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(LibraryError, match="schema revision 9999, newer than this dabs knows"):
        Library.open(db_url)
