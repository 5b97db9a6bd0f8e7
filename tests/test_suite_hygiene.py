"""The test suite itself is deterministic (Hypothesis derandomised in CI, issue 17) and private
(it never touches the user's deal library)."""

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


def test_the_suite_never_uses_the_users_library() -> None:
    from abs.library.config import data_dir, resolve_url

    real = Path.home() / ".local" / "share" / "dabs"
    assert not data_dir().is_relative_to(real), data_dir()
    assert str(real) not in resolve_url(), resolve_url()
    assert resolve_url().startswith("sqlite:///"), resolve_url()
    # a subprocess (the CLI, the dashboard's server) sees the same private library
    out = subprocess.run(
        [sys.executable, "-c", "from abs.library.config import resolve_url; print(resolve_url())"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip() == resolve_url()
