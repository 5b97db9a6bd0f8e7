"""The test suite itself is deterministic: Hypothesis is derandomised in CI (issue 17)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("hypothesis_probe.py")


@pytest.mark.parametrize(
    ("ci", "expected"),
    [
        ("true", "PROFILE derandomize=True database=None"),
        (None, "PROFILE derandomize=False database=DirectoryBasedExampleDatabase"),
    ],
)
def test_ci_selects_the_derandomised_profile_without_database(
    ci: str | None, expected: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", str(PROBE)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert expected in run.stdout
