"""All-or-nothing writing of several export outputs (a workbook, a CSV folder, a JSON file).

Three phases, so a failed export leaves nothing half-written:

1. *check*: every target's folder exists and is writable, no target exists unless ``force``,
   no two outputs share a path;
2. *stage*: every file is written in full to a temporary name next to its target (a new CSV
   folder is built as a temporary folder next to it); any failure removes all staged files;
3. *commit*: each staged file is renamed over its target (``os.replace``, atomic on one file
   system) and a staged folder is renamed into place.

Only phase 3 touches the targets, and a rename does not leave a partial file. Single files are
written with :func:`abs.io.atomic_write_bytes`, which follows the same rules. Temporaries are
named after the writing process (:mod:`abs._tempfiles`); those of a process that was killed are
removed by the next write into the same folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from abs._tempfiles import clean_stale, temp_prefix
from abs.errors import ExportError

#: Permissions of written files and of a new CSV folder (temporary files start as 0600).
FILE_MODE = 0o644
FOLDER_MODE = 0o755


@dataclass(frozen=True)
class FileOutput:
    """One file to write: target path and its complete content."""

    path: Path
    data: bytes


@dataclass(frozen=True)
class FolderOutput:
    """Files to write into one folder (created when missing): name → content."""

    path: Path
    files: Mapping[str, bytes] = field(default_factory=dict)


def _parent(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _check_folder(folder: Path, target: Path) -> None:
    if not folder.is_dir():
        raise ExportError(f"{target}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"{target}: no permission to write in folder {folder}")


def check_outputs(outputs: Sequence[FileOutput | FolderOutput], *, force: bool = False) -> None:
    """Phase 1: raise before anything is written if any target cannot or must not be written.

    Raises
    ------
    ExportError
        Naming the path: missing folder, no permission, existing target without ``force``, a
        folder target that is a file (or a file target that is a folder), or two outputs with
        the same path.
    """
    seen: set[Path] = set()
    for out in outputs:
        target = Path(out.path)
        resolved = target.resolve()
        if resolved in seen:
            raise ExportError(f"{target}: two outputs would be written to the same path")
        seen.add(resolved)
        if isinstance(out, FileOutput):
            _check_folder(_parent(target), target)
            if target.is_dir():
                raise ExportError(f"{target}: is a folder, expected a file name")
            if target.exists() and not force:
                raise ExportError(f"{target}: file exists; use --force to overwrite")
            continue
        if target.exists() and not target.is_dir():
            raise ExportError(f"{target}: exists and is not a folder")
        if target.is_dir():
            _check_folder(target, target)
            existing = sorted(n for n in out.files if (target / n).exists())
            if existing and not force:
                shown = ", ".join(existing[:3]) + (" ..." if len(existing) > 3 else "")
                raise ExportError(
                    f"{target}: {len(existing)} file(s) exist ({shown}); use --force to overwrite"
                )
        else:
            _check_folder(_parent(target), target)
        for name in out.files:
            if not name or Path(name).name != name or name in (".", ".."):
                raise ExportError(f"{target}: file name {name!r} must be a plain file name")


def _stage_file(folder: Path, name: str, data: bytes, target: Path) -> Path:
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(name), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"{target}: cannot write in {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"{target}: write failed: {exc.strerror}") from None
    return Path(tmp)


def write_outputs(
    outputs: Sequence[FileOutput | FolderOutput], *, force: bool = False
) -> list[Path]:
    """Write every output, all or nothing (check, stage, commit; see the module docstring).

    Returns
    -------
    list of Path
        Every file written, in order.

    Raises
    ------
    ExportError
        From :func:`check_outputs`, or when staging fails (nothing is written then).
    """
    check_outputs(outputs, force=force)
    for folder in {_parent(Path(o.path)) for o in outputs} | {
        Path(o.path) for o in outputs if isinstance(o, FolderOutput) and Path(o.path).is_dir()
    }:
        clean_stale(folder)  # temporaries a killed export left behind
    staged_files: list[tuple[Path, Path]] = []  # (temp, target)
    staged_dirs: list[tuple[Path, Path, list[str]]] = []  # (temp folder, target, names)
    written: list[Path] = []
    try:
        for out in outputs:
            target = Path(out.path)
            if isinstance(out, FileOutput):
                staged_files.append(
                    (_stage_file(_parent(target), target.name, out.data, target), target)
                )
            elif target.is_dir():
                for name, data in out.files.items():
                    staged_files.append(
                        (_stage_file(target, name, data, target / name), target / name)
                    )
            else:
                try:
                    tmp_dir = Path(
                        tempfile.mkdtemp(
                            prefix=temp_prefix(target.name), suffix=".tmpdir", dir=_parent(target)
                        )
                    )
                except OSError as exc:
                    raise ExportError(
                        f"{target}: cannot create folder in {_parent(target)}: {exc.strerror}"
                    ) from None
                staged_dirs.append((tmp_dir, target, list(out.files)))
                for name, data in out.files.items():
                    (tmp_dir / name).write_bytes(data)
                    os.chmod(tmp_dir / name, FILE_MODE)
    except BaseException as exc:
        for tmp, _ in staged_files:
            tmp.unlink(missing_ok=True)
        for tmp_dir, _, _ in staged_dirs:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ExportError(f"export failed while writing: {exc}") from None
        raise
    try:
        for tmp, target in staged_files:
            os.replace(tmp, target)
            written.append(target)
        for tmp_dir, target, names in staged_dirs:
            os.chmod(tmp_dir, FOLDER_MODE)
            os.rename(tmp_dir, target)
            written.extend(target / name for name in names)
    except OSError as exc:
        for tmp, _ in staged_files:
            tmp.unlink(missing_ok=True)
        for tmp_dir, _, _ in staged_dirs:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        done = ", ".join(str(p) for p in written) or "nothing"
        raise ExportError(
            f"export failed while renaming into place ({exc}); written: {done}"
        ) from None
    return written


def write_folder(
    folder: str | os.PathLike[str], files: Mapping[str, bytes], *, force: bool = False
) -> list[Path]:
    """Write ``files`` (name → bytes) into ``folder``, all or nothing.

    Raises
    ------
    ExportError
        See :func:`check_outputs`.
    """
    return write_outputs([FolderOutput(Path(folder), dict(files))], force=force)
