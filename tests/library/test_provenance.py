"""Provenance facts: versions recorded, the git commit of this checkout, change detection."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from abs.library import config
from abs.library.provenance import (
    RECORDED_PACKAGES,
    dependency_line,
    describe_commit,
    git_commit,
    software_versions,
    version_changes,
)


def test_software_versions_name_the_required_packages() -> None:
    versions = software_versions()
    for name in ("dabs", "numpy", "QuantLib", "scipy", "pyxirr", "numba", "python"):
        assert name in versions
    assert set(RECORDED_PACKAGES) <= set(versions)
    line = dependency_line(versions)
    for name in ("QuantLib", "numpy", "scipy", "pyxirr", "numba", "Python"):
        assert re.search(rf"{name} \S+", line), line


def test_git_commit_is_this_checkouts_head() -> None:
    root = Path(__file__).resolve().parents[2]
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    commit, dirty = git_commit()
    if head.returncode != 0:
        assert (commit, dirty) == (None, None)
    else:
        assert commit == head.stdout.strip()
        assert isinstance(dirty, bool)


@pytest.mark.parametrize(
    ("recorded", "current", "code", "libs"),
    [
        ({"dabs": "0.1", "git_commit": "a"}, {"dabs": "0.1", "git_commit": "a"}, [], []),
        (
            {"dabs": "0.1", "git_commit": "a"},
            {"dabs": "0.2", "git_commit": "b"},
            ["dabs 0.1 → 0.2", "dabs commit a → b"],
            [],
        ),
        (
            {"git_commit": "a", "git_dirty": True},
            {"git_commit": "a", "git_dirty": False},
            ["dabs commit a: uncommitted changes in the checkout, code may differ (未提交修改)"],
            [],
        ),
        (
            {"numpy": "2.1", "scipy": "1.14", "python": "3.11.7"},
            {"numpy": "2.2", "scipy": "1.14", "python": "3.11.9"},
            [],
            ["numpy 2.1 → 2.2", "python 3.11.7 → 3.11.9"],
        ),
    ],
)
def test_version_changes(
    recorded: dict[str, object], current: dict[str, object], code: list[str], libs: list[str]
) -> None:
    assert version_changes(recorded, current) == (code, libs)


def test_describe_commit() -> None:
    assert describe_commit("abc", True) == "abc（有未提交修改 / uncommitted changes）"
    assert describe_commit("abc", False) == "abc"
    assert describe_commit(None, None).startswith("不可用")


def test_default_url_follows_xdg_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.ENV_DB_URL, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert config.resolve_url() == f"sqlite:///{tmp_path}/dabs/library.sqlite"
    monkeypatch.setenv(config.ENV_DB_URL, "postgresql+psycopg://team@db/dabs")
    assert config.resolve_url() == "postgresql+psycopg://team@db/dabs"
    assert config.resolve_url(str(tmp_path / "x.sqlite")) == f"sqlite:///{tmp_path}/x.sqlite"
    monkeypatch.setenv(config.ENV_AUTHOR, " 结构化一组 ")
    assert config.default_author() == "结构化一组"
