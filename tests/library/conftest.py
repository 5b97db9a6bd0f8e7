"""Fixtures of the deal-library tests: one fresh database per test, on SQLite and PostgreSQL.

``db_url`` is parametrised over both back-ends. PostgreSQL comes from ``DABS_TEST_PG_URL``
(``make test`` starts a throwaway cluster through .ci/with-postgres.sh); each test gets its own
schema (``search_path``), dropped afterwards. Without that URL the PostgreSQL parameter is
skipped with the reason, except in CI (``CI`` set), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

ENV_PG = "DABS_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")


def pg_base_url() -> str | None:
    """The PostgreSQL URL for tests, or skip (fail in CI) when there is none."""
    url = os.environ.get(ENV_PG, "").strip()
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(
            f"CI is set but {ENV_PG} is missing: `make test` runs pytest through "
            ".ci/with-postgres.sh, which starts PostgreSQL for these tests"
        )
    pytest.skip(f"PostgreSQL not available: set {ENV_PG} (make test starts a throwaway cluster)")
    return None  # pragma: no cover


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose connections use a fresh, empty schema (dropped afterwards)."""
    base = pg_base_url()
    assert base is not None
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield _with_search_path(base, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty library database on each back-end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'library.sqlite'}"
    url: str = request.getfixturevalue("pg_schema_url")
    return url
