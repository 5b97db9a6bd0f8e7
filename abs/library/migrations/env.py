"""Alembic environment: runs on the connection :mod:`abs.library.db` hands over.

Migrations run only through the library (``Library.open`` upgrades on first use, ``dabs library
init`` on demand), inside the caller's transaction, so a concurrent first use cannot migrate
twice: SQLite holds its write lock (``BEGIN IMMEDIATE``), PostgreSQL an advisory lock.
"""

from __future__ import annotations

from alembic import context

from abs.library.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError(
        "dabs library migrations run through abs.library (Library.open or `dabs library init`), "
        "on a live connection; offline SQL generation is not supported"
    )
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
