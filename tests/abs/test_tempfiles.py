"""Export hygiene: a write killed outright (kill -9) leaves temporaries that the next write
into the same folder removes; temporaries of live processes and other files stay (issue 17)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from abs._tempfiles import STALE_NAME, clean_stale, temp_prefix
from abs.io import atomic_write_bytes

# Run the real ``dabs`` CLI with os.fsync hanging at its N-th call, so the process is caught
# with its temporaries staged and none renamed into place.
_HANGING_CLI = """
import os, sys, time
calls = []
real_fsync = os.fsync
def fsync(fd):
    real_fsync(fd)
    calls.append(fd)
    if len(calls) == int(os.environ["DABS_HANG_AT"]):
        print("STAGED", flush=True)
        time.sleep(600)
os.fsync = fsync
from ui.cli import main
sys.argv = ["dabs", *sys.argv[1:]]
main()
"""


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _ours(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if STALE_NAME.match(p.name))


def test_clean_stale_removes_only_dead_writers_temporaries(tmp_path: Path) -> None:
    dead = _dead_pid()
    (tmp_path / f".a.xlsx.dabs{dead}-x1.tmp").write_bytes(b"half")
    (tmp_path / f".csv.dabs{dead}-x2.tmpdir").mkdir()
    (tmp_path / f".csv.dabs{dead}-x2.tmpdir" / "01.csv").write_bytes(b"half")
    mine = tmp_path / f"{temp_prefix('b.json')}x3.tmp"
    mine.write_bytes(b"in flight")
    (tmp_path / ".a.xlsx.x9.tmp").write_bytes(b"not ours: no dabs<pid> tag")
    (tmp_path / "report.tmp").write_bytes(b"the user's")
    removed = clean_stale(tmp_path)
    assert sorted(p.name for p in removed) == [
        f".a.xlsx.dabs{dead}-x1.tmp",
        f".csv.dabs{dead}-x2.tmpdir",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".a.xlsx.x9.tmp", mine.name, "report.tmp"]
    )


def test_atomic_write_cleans_what_a_killed_writer_left(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = tmp_path / f".deal.json.dabs{dead}-abc.tmp"
    stale.write_bytes(b"{")
    atomic_write_bytes(tmp_path / "deal.json", b"{}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deal.json"]


@pytest.mark.parametrize("hang_at", [1, 2])
def test_kill_9_during_export_leaves_nothing_after_the_next_run(
    tmp_path: Path, hang_at: int
) -> None:
    args = [
        "export",
        "rugao-labelled",
        "-o",
        "filing.xlsx",
        "--csv",
        "csv",
        "--json",
        "filing.json",
        "--no-breakeven",
    ]
    env = {**os.environ, "DABS_HANG_AT": str(hang_at)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _HANGING_CLI, *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "STAGED", line + (proc.stderr.read() if proc.stderr else "")
        staged = _ours(tmp_path)
        assert staged, "the killed export had staged nothing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert _ours(tmp_path) == staged  # kill -9: nothing could clean up
    assert not (tmp_path / "filing.xlsx").exists()  # and nothing half-written is in place
    rerun = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from ui.cli import main; sys.argv[0] = 'dabs'; main()",
            *args,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert _ours(tmp_path) == []
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith((".tmp", ".tmpdir"))]
    assert (tmp_path / "filing.xlsx").read_bytes()[:4] == b"PK\x03\x04"
    assert (tmp_path / "filing.json").stat().st_size > 0
