"""Runs of a version (inputs, software, timings), their measures, and the files exported.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``runs``, ``run_measures`` and ``exports``."""
    op.create_table(
        "runs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utc_offset_min", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("mc_paths", sa.Integer(), nullable=True),
        sa.Column("scenario_count", sa.Integer(), nullable=False),
        sa.Column("stress_set", sa.Text(), nullable=True),
        sa.Column("stress_content", sa.JSON(), nullable=True),
        sa.Column("stress_sha256", sa.String(64), nullable=True),
        sa.Column("stress_file", sa.String(255), nullable=True),
        sa.Column("assumptions", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("software", sa.JSON(), nullable=False),
        sa.Column("deal_sha256", sa.String(64), nullable=False),
        sa.Column("tape_sha256", sa.String(64), nullable=True),
        sa.Column("timings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        sa.ForeignKeyConstraint(
            ["version_id"], ["deal_versions.id"], name="fk_runs_version_id_deal_versions"
        ),
        sa.ForeignKeyConstraint(
            ["stress_sha256"], ["blobs.sha256"], name="fk_runs_stress_sha256_blobs"
        ),
        sa.CheckConstraint(
            "kind IN ('base', 'stress', 'breakeven', 'montecarlo', 'filing')", name="ck_runs_kind"
        ),
    )
    op.create_index("ix_runs_version_id", "runs", ["version_id"])
    op.create_table(
        "run_measures",
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("section", sa.String(16), nullable=False),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("tranche", sa.String(200), nullable=False),
        sa.Column("measure", sa.String(64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint(
            "run_id", "section", "scenario", "tranche", "measure", name="pk_run_measures"
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_run_measures_run_id_runs"),
    )
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("blob_sha256", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exports"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_exports_run_id_runs"),
        sa.ForeignKeyConstraint(
            ["blob_sha256"], ["blobs.sha256"], name="fk_exports_blob_sha256_blobs"
        ),
        sa.CheckConstraint("kind IN ('xlsx', 'csv', 'json')", name="ck_exports_kind"),
    )
    op.create_index("ix_exports_run_id", "exports", ["run_id"])
    op.create_index("ix_exports_sha256", "exports", ["sha256"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_index("ix_exports_sha256", table_name="exports")
    op.drop_index("ix_exports_run_id", table_name="exports")
    op.drop_table("exports")
    op.drop_table("run_measures")
    op.drop_index("ix_runs_version_id", table_name="runs")
    op.drop_table("runs")
