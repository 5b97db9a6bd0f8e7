"""UI tests: ``dabs export`` records into the deal library, so point it at a temporary one."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_library(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test's exports record into its own SQLite library, never the user's."""
    path = tmp_path_factory.mktemp("library") / "library.sqlite"
    monkeypatch.setenv("DABS_DB_URL", f"sqlite:///{path}")
    return path
