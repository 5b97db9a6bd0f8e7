"""All-or-nothing writing of several outputs: check, stage, commit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import abs.filing.files as files_mod
from abs.errors import ExportError
from abs.filing.files import FileOutput, FolderOutput, check_outputs, write_outputs


def _outputs(tmp_path: Path) -> list[FileOutput | FolderOutput]:
    return [
        FileOutput(tmp_path / "filing.xlsx", b"xlsx"),
        FolderOutput(tmp_path / "csv", {"01_a.csv": b"a", "02_b.csv": b"b"}),
        FileOutput(tmp_path / "filing.json", b"{}"),
    ]


def test_writes_everything(tmp_path: Path) -> None:
    written = write_outputs(_outputs(tmp_path))
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "filing.xlsx",
        "filing.json",
        "csv/01_a.csv",
        "csv/02_b.csv",
    ]
    assert (tmp_path / "csv" / "02_b.csv").read_bytes() == b"b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv", "filing.json", "filing.xlsx"]
    assert (tmp_path / "filing.xlsx").stat().st_mode & 0o777 == 0o644


def test_existing_target_stops_everything_before_writing(tmp_path: Path) -> None:
    (tmp_path / "filing.json").write_bytes(b"old")
    with pytest.raises(ExportError, match=r"filing.json: file exists; use --force to overwrite"):
        write_outputs(_outputs(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["filing.json"]
    assert (tmp_path / "filing.json").read_bytes() == b"old"
    write_outputs(_outputs(tmp_path), force=True)
    assert (tmp_path / "filing.json").read_bytes() == b"{}"


def test_failure_while_staging_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = files_mod._stage_file
    calls = {"n": 0}

    def failing(folder: Path, name: str, data: bytes, target: Path) -> Path:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ExportError(f"{target}: write failed: No space left on device")
        return real(folder, name, data, target)

    monkeypatch.setattr(files_mod, "_stage_file", failing)
    with pytest.raises(ExportError, match=r"filing.json: write failed: No space left on device"):
        write_outputs(_outputs(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_duplicate_paths(tmp_path: Path) -> None:
    outs = [FileOutput(tmp_path / "a.json", b"1"), FileOutput(tmp_path / "." / "a.json", b"2")]
    with pytest.raises(ExportError, match=r"a.json: two outputs would be written to the same"):
        check_outputs(outs)


def test_folder_given_as_file_target(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").mkdir()
    with pytest.raises(ExportError, match=r"x.xlsx: is a folder, expected a file name"):
        check_outputs([FileOutput(tmp_path / "x.xlsx", b"")], force=True)


@pytest.mark.parametrize("name", ["../evil.csv", "", "a/b.csv", ".."])
def test_folder_file_names_must_be_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(ExportError, match=r"must be a plain file name"):
        check_outputs([FolderOutput(tmp_path / "csv", {name: b""})])


def test_no_permission_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files_mod.os, "access", lambda *a, **k: False)
    with pytest.raises(ExportError, match=r"filing.xlsx: no permission to write in folder"):
        write_outputs(_outputs(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_temp_file_refused_by_os(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files_mod.tempfile, "mkstemp", refuse)
    with pytest.raises(ExportError, match=r"filing.xlsx: cannot write in .*: Permission denied"):
        write_outputs(_outputs(tmp_path))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match=r"no permission to write in folder"):
            write_outputs([FileOutput(folder / "a.xlsx", b"x")])
    finally:
        folder.chmod(0o700)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"a.xlsx: folder .*nope does not exist"):
        write_outputs([FileOutput(tmp_path / "nope" / "a.xlsx", b"x")])


def test_fsync_failure_is_a_write_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_mod.os, "fsync", broken)
    with pytest.raises(ExportError, match=r"filing.xlsx: write failed: No space left on device"):
        write_outputs(_outputs(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_new_folder_refused_by_os(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files_mod.tempfile, "mkdtemp", refuse)
    with pytest.raises(ExportError, match=r"csv: cannot create folder in .*: Permission denied"):
        write_outputs(_outputs(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_folder_file_write_failure_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.write_bytes

    def flaky(self: Path, data: bytes) -> int:
        if self.name == "02_b.csv":
            raise OSError(5, "Input/output error")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", flaky)
    with pytest.raises(ExportError, match=r"export failed while writing: .*Input/output error"):
        write_outputs(_outputs(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_rename_failure_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = files_mod.os.replace
    calls = {"n": 0}

    def flaky(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(18, "Invalid cross-device link")
        real(src, dst)

    monkeypatch.setattr(files_mod.os, "replace", flaky)
    with pytest.raises(
        ExportError,
        match=r"export failed while renaming into place \(.*cross-device.*\); "
        r"written: .*filing.xlsx",
    ):
        write_outputs(_outputs(tmp_path))
    # the staged files that were not renamed are removed; nothing half-written remains
    assert sorted(p.name for p in tmp_path.iterdir()) == ["filing.xlsx"]
