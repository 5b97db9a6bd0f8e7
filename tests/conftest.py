"""Shared pytest options and the Hypothesis profiles.

``--update-golden`` regenerates golden files under tests/golden/. Hypothesis runs the ``ci``
profile when the ``CI`` environment variable is set (as ``.ci/run`` on a fresh machine has it):
derandomised, so a fresh clone draws the same examples every run, and without the examples
database, so no run depends on what an earlier one found. Locally the ``dev`` profile keeps
Hypothesis' random search and its database.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

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
