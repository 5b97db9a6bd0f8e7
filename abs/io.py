"""Reading and writing deal files; resolving ``path or example name`` arguments.

Deal files are JSON (UTF-8). A deal may reference its tape by a path relative to the deal file
(``"tape": "tape.csv"``) or embed the pool (a saved deal). Writes are atomic: a temporary file
in the target folder, then a rename, so a failed write leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from abs.asset import Pool
from abs.deal import Deal
from abs.errors import DealSpecError
from abs.examples import EXAMPLES, example_deal_path


def format_validation_error(source: str, err: ValidationError) -> str:
    """One line per pydantic error: source, field path, rule and the value received."""
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(root)"
        value = e.get("input")
        shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
        if len(shown) > 80:
            shown = shown[:77] + "..."
        lines.append(f"  - {source}: field '{loc}': {e['msg']}: got {shown}")
    return f"{source}: {len(lines)} problem(s) in the deal file:\n" + "\n".join(lines)


def resolve_deal_path(path_or_name: str | os.PathLike[str]) -> Path:
    """Path of a deal file given a path or an example name."""
    text = str(path_or_name)
    if text in EXAMPLES:
        return example_deal_path(text)
    return Path(text)


def parse_deal(text: str | bytes, *, source: str = "deal") -> Deal:
    """Validate deal JSON text into a :class:`Deal` (no tape resolution).

    Raises
    ------
    DealSpecError
        Listing every invalid field with its path, rule and value.
    """
    try:
        data: Any = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DealSpecError(f"{source}: not valid JSON: {exc}") from None
    try:
        return Deal.model_validate(data)
    except ValidationError as exc:
        raise DealSpecError(format_validation_error(source, exc)) from None


def load_deal(path_or_name: str | os.PathLike[str], *, with_pool: bool = True) -> Deal:
    """Load a deal file (path or example name); read its tape into ``deal.pool``.

    Parameters
    ----------
    path_or_name : str or path
        A deal JSON file, or the name of a shipped example (``dabs examples``).
    with_pool : bool
        Read the referenced tape (default). The returned deal then has ``pool`` set.

    Raises
    ------
    DealSpecError
        Missing file, invalid JSON or invalid fields.
    TapeError
        The referenced tape is unreadable or invalid.
    """
    path = resolve_deal_path(path_or_name)
    if not path.is_file():
        raise DealSpecError(f"{path}: deal file not found")
    deal = parse_deal(path.read_bytes(), source=str(path))
    if with_pool and deal.pool is None and deal.tape is not None:
        from abs.tape import read_tape

        tape_path = Path(deal.tape)
        if not tape_path.is_absolute():
            tape_path = path.parent / tape_path
        pool = read_tape(tape_path, cutoff_date=deal.dates.cutoff_date)
        deal = deal.model_copy(update={"pool": pool})
    return deal


def require_pool(deal: Deal) -> Pool:
    """The deal's pool, or a clear error when the deal has neither pool nor tape."""
    if deal.pool is None:
        raise DealSpecError(
            f"deal {deal.name}: no pool; give 'tape' (a path relative to the deal file) or 'pool'"
        )
    return deal.pool


def deal_to_json(deal: Deal, *, embed_pool: bool = True) -> str:
    """Deal as pretty JSON; with ``embed_pool`` the pool is included and ``tape`` dropped."""
    if embed_pool and deal.pool is not None:
        deal = deal.model_copy(update={"tape": None})
        data = deal.model_dump(mode="json", exclude_none=False)
    else:
        data = deal.model_dump(mode="json", exclude={"pool"})
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to ``path`` whole or not at all (temp file + rename).

    Raises
    ------
    ExportError
        If the folder is missing or not writable, or the file exists and ``force`` is false.
    """
    from abs.errors import ExportError

    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{target}: folder {folder} does not exist")
    if target.exists() and not force:
        raise ExportError(f"{target}: file exists; use --force to overwrite")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"{target}: cannot write in {folder}: {exc.strerror}") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"{target}: write failed: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def save_deal(deal: Deal, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Save ``deal`` (pool embedded) atomically as UTF-8 JSON."""
    return atomic_write_bytes(path, deal_to_json(deal).encode("utf-8"), force=force)


def deal_json_schema() -> dict[str, Any]:
    """JSON Schema of a deal file (what ``dabs schema`` prints)."""
    schema = Deal.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dabs deal file"
    return schema
