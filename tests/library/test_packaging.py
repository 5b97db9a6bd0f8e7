"""The migrations ship inside the package and run from an installed copy (not the checkout).

Builds the wheel from a copy of the sources (pip, build isolation), unpacks it into a folder,
and opens a new library with only that folder's ``abs`` on the path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = (
    "abs/library/migrations/env.py",
    "abs/library/migrations/script.py.mako",
    "abs/library/migrations/versions/0001_deal_versions.py",
    "abs/library/migrations/versions/0002_runs_exports.py",
    "abs/library/migrations/versions/0003_archive_immutable.py",
    "abs/library/migrations/versions/0004_measures_format.py",
)


@pytest.mark.slow
def test_installed_wheel_carries_and_runs_the_migrations(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("abs", "waterfall", "scenarios", "ui"):
        shutil.copytree(ROOT / package, src / package, ignore=ignore)
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("dabs-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert set(MIGRATIONS) <= names
        site = tmp_path / "site"
        zf.extractall(site)
    script = (
        "import abs.library.db as d, sys; from abs.library import Library; "
        "lib = Library.open(sys.argv[1]); "
        "print(d.MIGRATIONS_DIR); print(lib.revision())"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("DABS_DB_URL", None)
    run = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "lib.sqlite")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    migrations_dir, revision = run.stdout.split()
    assert Path(migrations_dir).is_relative_to(site)
    assert revision == "0004"
