"""The library's tables (SQLAlchemy 2 declarative models).

Rows of ``blobs``, ``deal_versions``, ``runs``, ``run_measures``, ``exports`` and
``archive_log`` are immutable: the migrations install database triggers that reject UPDATE and
DELETE on them (SQLite and PostgreSQL alike), so not even a hand-written SQL statement can edit
a saved version. ``deals`` rows may change only in their ``archived`` flag, and only together
with an ``archive_log`` entry. Content-addressed data (deal files, tapes, custom stress files,
exported workbooks) lives once in ``blobs`` under its SHA-256.

Money is stored in integer fen (``*_fen``); timestamps in UTC (:class:`UTCDateTime`).

Schema (see docs/library.md for the diagram)::

    deals 1─* deal_versions *─1 blobs (deal file, tape)
                   │ parent ─┘
                   1
                   *
                 runs 1─* run_measures
                   1
                   *
                 exports *─1 blobs (stored copy)
    deals 1─* archive_log
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: Constraint names are fixed so the migrations and both back-ends agree.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Format of the measures a run stores (``runs.measures_format``); see :data:`LEGACY_MEASURE_NAMES`.
MEASURES_FORMAT = 2
#: Format-1 measure names (runs recorded before schema revision 0004) → the format-2 key they
#: are read under. Format 2 uses the keys of ``dabs run --json``: ``min_coverage`` includes
#: scheduled senior principal; ``*_interest`` are the interest-only multiples.
LEGACY_MEASURE_NAMES: dict[str, str] = {
    "min_coverage": "min_coverage_interest",
    "life_coverage": "life_coverage_interest",
    "min_coverage_principal": "min_coverage",
    "min_coverage_p5": "min_coverage_interest_p5",
    "min_coverage_p50": "min_coverage_interest_p50",
}

#: Measure sections (``run_measures.section``).
SECTIONS: tuple[str, ...] = ("base", "pool", "stress", "breakeven", "montecarlo")
#: Export kinds.
EXPORT_KINDS: tuple[str, ...] = ("xlsx", "csv", "json")
#: Archive log actions.
ARCHIVE_ACTIONS: tuple[str, ...] = ("archive", "restore")

#: Longest deal key, author name and file name stored.
KEY_MAX = 200
AUTHOR_MAX = 200
NAME_MAX = 255


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware datetimes stored as UTC; read back as aware UTC on every back-end."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"library timestamps must be timezone-aware; got {value!r}")
        utc = value.astimezone(dt.UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with the fixed naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Blob(Base):
    """Content-addressed bytes (deal files, tapes, stress files, exported files)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    codec: Mapped[str] = mapped_column(String(8), nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (CheckConstraint("codec IN ('raw', 'zlib')", name="codec"),)


class DealRow(Base):
    """A deal: a key the structurer names it by, and its archive state."""

    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX), nullable=False, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(AUTHOR_MAX), nullable=False)
    archived: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )


class VersionRow(Base):
    """One saved version of a deal (immutable)."""

    __tablename__ = "deal_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("deal_versions.id"), nullable=True)
    author: Mapped[str] = mapped_column(String(AUTHOR_MAX), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    deal_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), nullable=False)
    deal_file: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    tape_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"), nullable=True)
    tape_name: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    deal_name: Mapped[str] = mapped_column(Text, nullable=False)
    deal_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    issue_amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    pool_amount_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    asset_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tranche_count: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (
        UniqueConstraint("deal_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )


class RunRow(Base):
    """One engine run of a version: its inputs, software, timings (immutable)."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("deal_versions.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    utc_offset_min: Mapped[int] = mapped_column(Integer, nullable=False)
    author: Mapped[str] = mapped_column(String(AUTHOR_MAX), nullable=False)
    seed: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    mc_paths: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scenario_count: Mapped[int] = mapped_column(Integer, nullable=False)
    stress_set: Mapped[str | None] = mapped_column(Text, nullable=True)
    stress_content: Mapped[Any] = mapped_column(JSON, nullable=True)
    stress_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"), nullable=True)
    stress_file: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    assumptions: Mapped[Any] = mapped_column(JSON, nullable=False)
    options: Mapped[Any] = mapped_column(JSON, nullable=False)
    software: Mapped[Any] = mapped_column(JSON, nullable=False)
    deal_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    tape_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    timings: Mapped[Any] = mapped_column(JSON, nullable=False)
    #: 1: recorded before revision 0004 (legacy names, see LEGACY_MEASURE_NAMES); 2: current.
    measures_format: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))

    __table_args__ = (
        CheckConstraint(
            "kind IN ('base', 'stress', 'breakeven', 'montecarlo', 'filing')", name="kind"
        ),
    )


class MeasureRow(Base):
    """One result measure of a run (immutable); non-finite values are stored as NULL."""

    __tablename__ = "run_measures"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    section: Mapped[str] = mapped_column(String(16), primary_key=True)
    scenario: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    tranche: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    measure: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)


class ExportRow(Base):
    """A file a run produced: its path, SHA-256 and (for xlsx/json) a stored copy."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    path: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    blob_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    author: Mapped[str] = mapped_column(String(AUTHOR_MAX), nullable=False)

    __table_args__ = (CheckConstraint("kind IN ('xlsx', 'csv', 'json')", name="kind"),)


class ArchiveRow(Base):
    """An archive or restore of a deal: who, when and why (immutable)."""

    __tablename__ = "archive_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(8), nullable=False)
    author: Mapped[str] = mapped_column(String(AUTHOR_MAX), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (CheckConstraint("action IN ('archive', 'restore')", name="action"),)


#: Tables whose rows never change once written (UPDATE and DELETE rejected by triggers).
IMMUTABLE_TABLES: tuple[str, ...] = (
    "blobs",
    "deal_versions",
    "runs",
    "run_measures",
    "exports",
    "archive_log",
)
