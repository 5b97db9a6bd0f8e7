"""Label each run with the format of its stored measures (``runs.measures_format``).

Format 1 (runs recorded before this revision): ``min_coverage`` and ``life_coverage`` were the
interest-only multiples and ``min_coverage_principal`` the principal-inclusive minimum; Monte
Carlo ``min_coverage_p5/p50`` were interest-only. Format 2 uses the keys of ``dabs run --json``
and ``dabs stress --json``: ``min_coverage`` includes scheduled senior principal,
``min_coverage_interest`` and ``life_coverage_interest`` are interest-only, Monte Carlo
``min_coverage_interest_p5/p50``.

Stored measure rows are immutable (revision 0003's triggers), so old rows are not rewritten:
the new column is added with the default 1, which labels every existing run as format 1, and
:meth:`abs.library.Library.measures` reads format-1 names under the format-2 keys
(:data:`abs.library.models.LEGACY_MEASURE_NAMES`). Adding a column fires no row trigger.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add ``runs.measures_format`` (existing runs: 1)."""
    op.add_column(
        "runs",
        sa.Column("measures_format", sa.Integer(), nullable=False, server_default=sa.text("1")),
    )


def downgrade() -> None:
    """Drop ``runs.measures_format`` (native ALTER TABLE … DROP COLUMN: the triggers stay)."""
    op.drop_column("runs", "measures_format")
