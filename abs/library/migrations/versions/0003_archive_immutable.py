"""Archive instead of delete (``deals.archived`` + ``archive_log``), and immutable rows.

Database triggers refuse UPDATE and DELETE on every history table, DELETE on ``deals``, any
change of a deal's key or creation facts, and a change of ``deals.archived`` that is not
announced by the newest ``archive_log`` entry of that deal. They hold for every client, not
only for this package.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

#: Tables whose rows never change (kept here, not imported, so this migration never moves).
IMMUTABLE = ("blobs", "deal_versions", "runs", "run_measures", "exports", "archive_log")

_PG_REFUSE = """
CREATE OR REPLACE FUNCTION dabs_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'dabs library: rows of % are immutable (% refused)', TG_TABLE_NAME, TG_OP;
END
$$
"""

_PG_DEALS = """
CREATE OR REPLACE FUNCTION dabs_deals_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last_action text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'dabs library: deals are archived, never deleted (DELETE refused)';
  END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.key IS DISTINCT FROM OLD.key
     OR NEW.created_at IS DISTINCT FROM OLD.created_at
     OR NEW.created_by IS DISTINCT FROM OLD.created_by THEN
    RAISE EXCEPTION 'dabs library: a deal''s key and creation facts are immutable (UPDATE refused)';
  END IF;
  IF NEW.archived IS DISTINCT FROM OLD.archived THEN
    SELECT action INTO last_action FROM archive_log WHERE deal_id = NEW.id
      ORDER BY id DESC LIMIT 1;
    IF last_action IS DISTINCT FROM (CASE WHEN NEW.archived THEN 'archive' ELSE 'restore' END)
    THEN
      RAISE EXCEPTION 'dabs library: archiving a deal needs an archive_log entry first '
        '(UPDATE refused)';
    END IF;
  END IF;
  RETURN NEW;
END
$$
"""

_SQLITE_ARCHIVE = """
CREATE TRIGGER deals_archive_logged BEFORE UPDATE OF archived ON deals
WHEN NEW.archived IS NOT OLD.archived
 AND COALESCE((SELECT action FROM archive_log WHERE deal_id = NEW.id ORDER BY id DESC LIMIT 1), '')
     <> (CASE WHEN NEW.archived THEN 'archive' ELSE 'restore' END)
BEGIN
  SELECT RAISE(ABORT,
    'dabs library: archiving a deal needs an archive_log entry first (UPDATE refused)');
END
"""


def upgrade() -> None:
    """Add ``deals.archived`` and ``archive_log``; install the immutability triggers."""
    op.add_column(
        "deals",
        sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "archive_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_archive_log"),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name="fk_archive_log_deal_id_deals"),
        sa.CheckConstraint("action IN ('archive', 'restore')", name="ck_archive_log_action"),
    )
    op.create_index("ix_archive_log_deal_id", "archive_log", ["deal_id"])
    if op.get_context().dialect.name == "postgresql":
        op.execute(_PG_REFUSE)
        op.execute(_PG_DEALS)
        for table in IMMUTABLE:
            op.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION dabs_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION dabs_refuse_change()"
            )
        op.execute(
            "CREATE TRIGGER deals_guard BEFORE UPDATE OR DELETE ON deals "
            "FOR EACH ROW EXECUTE FUNCTION dabs_deals_guard()"
        )
        op.execute(
            "CREATE TRIGGER deals_no_truncate BEFORE TRUNCATE ON deals "
            "FOR EACH STATEMENT EXECUTE FUNCTION dabs_refuse_change()"
        )
    else:
        for table in IMMUTABLE:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'dabs library: rows of {table} are immutable "
                    f"({action} refused)'); END"
                )
        op.execute(
            "CREATE TRIGGER deals_no_delete BEFORE DELETE ON deals BEGIN SELECT RAISE(ABORT, "
            "'dabs library: deals are archived, never deleted (DELETE refused)'); END"
        )
        op.execute(
            "CREATE TRIGGER deals_fixed BEFORE UPDATE OF id, key, created_at, created_by ON deals "
            "BEGIN SELECT RAISE(ABORT, 'dabs library: a deal''s key and creation facts are "
            "immutable (UPDATE refused)'); END"
        )
        op.execute(_SQLITE_ARCHIVE)


def downgrade() -> None:
    """Remove the triggers, ``archive_log`` and ``deals.archived``."""
    if op.get_context().dialect.name == "postgresql":
        for table in (*IMMUTABLE, "deals"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        for table in IMMUTABLE:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        op.execute("DROP TRIGGER IF EXISTS deals_guard ON deals")
        op.execute("DROP FUNCTION IF EXISTS dabs_deals_guard()")
        op.execute("DROP FUNCTION IF EXISTS dabs_refuse_change()")
    else:
        for table in IMMUTABLE:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        for name in ("deals_no_delete", "deals_fixed", "deals_archive_logged"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_archive_log_deal_id", table_name="archive_log")
    op.drop_table("archive_log")
    with op.batch_alter_table("deals") as batch:
        batch.drop_column("archived")
