"""Shared pytest options and the Hypothesis profiles.

``--update-golden`` regenerates golden files under tests/golden/. Hypothesis runs the ``ci``
profile when the ``CI`` environment variable is set (as ``.ci/run`` on a fresh machine has it):
derandomised, so a fresh clone draws the same examples every run, and without the examples
database, so no run depends on what an earlier one found. Locally the ``dev`` profile keeps
Hypothesis' random search and its database.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# No test may read or write the user's own deal library or data directory: `dabs export` records
# itself in the library, and the dashboard opens it. Every process the suite starts (CLI
# subprocesses, the browser test's Streamlit server) inherits these, set before any test runs.
# Tests that need a library of their own still point DABS_DB_URL at their own temp file.
_PRIVATE_DATA = Path(tempfile.mkdtemp(prefix="dabs-test-data-"))
atexit.register(shutil.rmtree, _PRIVATE_DATA, ignore_errors=True)
os.environ["XDG_DATA_HOME"] = str(_PRIVATE_DATA)
os.environ["DABS_DB_URL"] = f"sqlite:///{_PRIVATE_DATA / 'library.sqlite'}"

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev")
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files under tests/golden/ instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to regenerate golden files."""
    return bool(request.config.getoption("--update-golden"))
