"""What produced a number: software versions, the git commit of the code, content hashes.

The same facts go into the filing workbook's 模型说明 sheet and into every recorded run, so an
auditor can compare what a workbook says with what the library holds, and ``dabs library
verify`` can say *why* a re-run differs (code version changed, library versions changed).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
import subprocess
from collections.abc import Mapping
from functools import cache
from pathlib import Path

#: Distributions whose versions are recorded (pip names), in display order.
RECORDED_PACKAGES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "QuantLib",
    "scipy",
    "pyxirr",
    "numba",
    "pydantic",
    "xlsxwriter",
    "openpyxl",
)
#: Keys of :func:`software_versions` that describe the dabs code itself.
CODE_KEYS: tuple[str, ...] = ("dabs", "git_commit", "git_dirty")
#: Shown when a distribution is not installed.
NOT_INSTALLED = "未安装 not installed"


def sha256_bytes(data: bytes) -> str:
    """SHA-256 hex digest of ``data``.

    Examples
    --------
    >>> sha256_bytes(b"")[:16]
    'e3b0c44298fc1c14'
    """
    return hashlib.sha256(data).hexdigest()


def package_version(dist: str) -> str:
    """Installed version of distribution ``dist`` (or :data:`NOT_INSTALLED`)."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return NOT_INSTALLED


def _source_root() -> Path:
    return Path(__file__).resolve().parents[2]


@cache
def git_commit() -> tuple[str | None, bool | None]:
    """``(commit, dirty)`` of the checkout dabs runs from, or ``(None, None)`` outside git.

    ``dirty`` is true when tracked files differ from the commit (uncommitted changes), in
    which case the commit alone does not identify the code. Computed once per process.
    """
    root = _source_root()
    if not (root / "abs").is_dir():
        return None, None
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if head.returncode != 0:
            return None, None
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None, None
    dirty = None if status.returncode != 0 else bool(status.stdout.strip())
    return head.stdout.strip(), dirty


def software_versions() -> dict[str, str | bool | None]:
    """dabs version, git commit (and whether the checkout had uncommitted changes), Python,
    and the versions of :data:`RECORDED_PACKAGES`.

    Examples
    --------
    >>> sorted(software_versions())[:4]
    ['QuantLib', 'dabs', 'git_commit', 'git_dirty']
    """
    commit, dirty = git_commit()
    out: dict[str, str | bool | None] = {
        "dabs": package_version("dabs"),
        "git_commit": commit,
        "git_dirty": dirty,
        "python": platform.python_version(),
    }
    for dist in RECORDED_PACKAGES:
        out[dist] = package_version(dist)
    return out


def describe_commit(commit: object, dirty: object) -> str:
    """The commit as shown in 模型说明: ``abc123… (有未提交修改 uncommitted changes)``.

    Examples
    --------
    >>> describe_commit("0123456789abcdef", False)
    '0123456789abcdef'
    >>> describe_commit(None, None)
    '不可用（非 git 检出）/ unavailable (not a git checkout)'
    """
    if not commit:
        return "不可用（非 git 检出）/ unavailable (not a git checkout)"
    if dirty:
        return f"{commit}（有未提交修改 / uncommitted changes）"
    return str(commit)


def dependency_line(versions: Mapping[str, object]) -> str:
    """``QuantLib 1.36；numpy 2.2.1；...`` for 模型说明 (in :data:`RECORDED_PACKAGES` order)."""
    order = ("QuantLib", "numpy", "pandas", "scipy", "pyxirr", "numba", "xlsxwriter")
    parts = [f"{name} {versions.get(name, NOT_INSTALLED)}" for name in order]
    parts.append(f"Python {versions.get('python', platform.python_version())}")
    return "；".join(parts)


def version_changes(
    recorded: Mapping[str, object], current: Mapping[str, object]
) -> tuple[list[str], list[str]]:
    """What changed between two :func:`software_versions` maps.

    Returns
    -------
    code, libraries : list of str
        ``"dabs commit abc → def"`` lines for the dabs code, ``"numpy 2.1.0 → 2.2.0"`` lines
        for the libraries (Python included).

    Examples
    --------
    >>> version_changes({"dabs": "0.1", "numpy": "2.1"}, {"dabs": "0.1", "numpy": "2.2"})
    ([], ['numpy 2.1 → 2.2'])
    """
    code: list[str] = []
    libs: list[str] = []
    if recorded.get("dabs") != current.get("dabs"):
        code.append(f"dabs {recorded.get('dabs')} → {current.get('dabs')}")
    rc, cc = recorded.get("git_commit"), current.get("git_commit")
    if rc != cc:
        code.append(f"dabs commit {rc or '—'} → {cc or '—'}")
    elif rc and (recorded.get("git_dirty") or current.get("git_dirty")):
        code.append(
            f"dabs commit {rc}: uncommitted changes in the checkout, code may differ (未提交修改)"
        )
    keys = [k for k in (*RECORDED_PACKAGES, "python") if k in recorded or k in current]
    for key in keys:
        if recorded.get(key) != current.get(key):
            libs.append(f"{key} {recorded.get(key, '—')} → {current.get(key, '—')}")
    return code, libs
