"""Deals, their immutable versions and the content-addressed blob store.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``blobs``, ``deals`` and ``deal_versions``."""
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("codec", sa.String(8), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_blobs"),
        sa.CheckConstraint("codec IN ('raw', 'zlib')", name="ck_blobs_codec"),
    )
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deals"),
        sa.UniqueConstraint("key", name="uq_deals_key"),
    )
    op.create_table(
        "deal_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deal_sha256", sa.String(64), nullable=False),
        sa.Column("deal_file", sa.String(255), nullable=False),
        sa.Column("tape_sha256", sa.String(64), nullable=True),
        sa.Column("tape_name", sa.String(255), nullable=True),
        sa.Column("deal_name", sa.Text(), nullable=False),
        sa.Column("deal_kind", sa.String(16), nullable=True),
        sa.Column("issue_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("pool_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("asset_count", sa.Integer(), nullable=True),
        sa.Column("tranche_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deal_versions"),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name="fk_deal_versions_deal_id_deals"),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["deal_versions.id"], name="fk_deal_versions_parent_id_deal_versions"
        ),
        sa.ForeignKeyConstraint(
            ["deal_sha256"], ["blobs.sha256"], name="fk_deal_versions_deal_sha256_blobs"
        ),
        sa.ForeignKeyConstraint(
            ["tape_sha256"], ["blobs.sha256"], name="fk_deal_versions_tape_sha256_blobs"
        ),
        sa.UniqueConstraint("deal_id", "number", name="uq_deal_versions_deal_id_number"),
        sa.CheckConstraint("number >= 1", name="ck_deal_versions_number_positive"),
    )
    op.create_index("ix_deal_versions_deal_id", "deal_versions", ["deal_id"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_index("ix_deal_versions_deal_id", table_name="deal_versions")
    op.drop_table("deal_versions")
    op.drop_table("deals")
    op.drop_table("blobs")
