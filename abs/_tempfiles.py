"""Temporary files of our own atomic writes: named after the writing process, cleaned when stale.

Every write goes to a temporary next to its target, then is renamed into place. A process killed
outright (``kill -9``, a power cut) cannot remove its temporary, so the name carries the writer's
process id: ``.<target>.dabs<pid>-<random>.tmp`` (``.tmpdir`` for a staged CSV folder). Before
writing into a folder, :func:`clean_stale` removes the temporaries of processes that no longer
run. Temporaries of live processes, and files of other programs, are never touched.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

#: A temporary of ours: hidden, our tag, the writer's pid, a random part, .tmp/.tmpdir.
STALE_NAME = re.compile(r"^\..+\.dabs(\d+)-[A-Za-z0-9_]+\.tmp(?:dir)?$")


def temp_prefix(target_name: str) -> str:
    """``prefix=`` for :func:`tempfile.mkstemp`/``mkdtemp`` of a write to ``target_name``."""
    return f".{target_name}.dabs{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is a zombie: gone for our purpose
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return "\nState:\tZ" not in status


def clean_stale(folder: Path) -> list[Path]:
    """Remove our temporaries in ``folder`` whose writing process has ended; those removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = STALE_NAME.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed
