"""Engines, transactions and migrations of the library database.

* SQLite (default): a file, created with its folder on first use; WAL journal (readers never
  wait for a writer), foreign keys on, a 30 s busy timeout, and write transactions opened with
  ``BEGIN IMMEDIATE`` so two writers queue for the lock instead of failing half-way.
* PostgreSQL (``postgresql+psycopg://…``): the same schema; a saver locks its deal row
  (``SELECT … FOR UPDATE``) before numbering a version, and migrations take an advisory lock.

The schema is brought to the newest Alembic revision when a library is opened (a no-op when it
already is); the migration scripts ship inside the package (:mod:`abs.library.migrations`).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from abs.library.errors import LibraryError

#: Folder of the migration scripts inside the installed package.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Execution option that marks a write transaction (SQLite: BEGIN IMMEDIATE).
WRITE_OPTION = "dabs_write"
#: How long an SQLite writer waits for the lock held by another process (seconds).
SQLITE_BUSY_TIMEOUT_S = 30.0
#: Key of the PostgreSQL advisory lock held while migrating ("dabs" in ASCII).
PG_MIGRATION_LOCK = 0x64616273


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration pointing at the packaged scripts (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def head_revision() -> str:
    """Newest migration revision shipped with this package."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise LibraryError("dabs library: no migrations shipped with the package")
    return head


def _wal(cur: sqlite3.Cursor) -> None:
    """Switch the file to WAL once; wait while another process holds the lock to do the same.

    Changing the journal mode needs the file to itself, and SQLite answers "database is
    locked" at once (no busy handler: it would deadlock) when two processes open a new file
    together. So: read the mode first (free), and retry the switch for up to the busy timeout.
    """
    if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: sqlite3.Connection, record: Any) -> None:
        # let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN
        # cannot start an IMMEDIATE transaction and skips DDL)
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        _wal(cur)
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_library_engine(url: str) -> Engine:
    """An engine for ``url`` with the SQLite settings above; creates the SQLite folder.

    Raises
    ------
    LibraryError
        An unsupported or malformed URL, or a driver that is not installed.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise LibraryError(
            f"dabs library: cannot parse the database URL {url!r}; expected "
            "sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise LibraryError(
            f"dabs library: database {backend!r} is not supported (URL {parsed!r}); "
            "use sqlite:///PATH or postgresql+psycopg://…"
        )
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            raise LibraryError(
                "dabs library: an in-memory SQLite database would forget every version; "
                f"give a file (sqlite:///PATH); got {url!r}"
            )
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(
                f"dabs library: cannot create the folder {folder} for {database}: {exc.strerror}"
            ) from None
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise LibraryError(f"dabs library: no driver for {parsed!r}: {exc}") from None
    if backend == "sqlite":
        _sqlite_setup(engine)
    return engine


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction (BEGIN IMMEDIATE on SQLite), committed on exit."""
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        yield conn


@contextlib.contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a read transaction (one consistent snapshot on both back-ends)."""
    with engine.begin() as conn:
        yield conn


def current_revision(conn: Connection) -> str | None:
    """The schema revision recorded in the database (None for an empty database)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the schema to ``revision`` (default the newest), under a lock; return it.

    Two processes opening a fresh library at once migrate it once: the SQLite write lock or
    the PostgreSQL advisory lock makes the second wait, and it then finds nothing to do.

    Raises
    ------
    LibraryError
        The database cannot be reached, or it carries a revision newer than this package
        knows (opened by a newer dabs).
    """
    from alembic import command
    from alembic.util.exc import CommandError

    try:
        with write_transaction(engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            now = current_revision(conn)
            if now == revision or (revision == "head" and now == head_revision()):
                return now
            script = ScriptDirectory.from_config(alembic_config())
            known = {rev.revision for rev in script.walk_revisions()}
            if now is not None and now not in known:
                raise LibraryError(
                    f"dabs library at {engine.url!r} has schema revision {now}, newer than this "
                    f"dabs knows (newest {head_revision()}); upgrade dabs"
                )
            command.upgrade(alembic_config(conn), revision)
            return current_revision(conn)
    except CommandError as exc:
        raise LibraryError(f"dabs library: migration failed: {exc}") from None
    except DBAPIError as exc:
        raise LibraryError(
            f"dabs library: cannot open the database {engine.url!r}: {exc.orig}"
        ) from None
