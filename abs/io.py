"""Reading and writing deal files; resolving ``path or example name`` arguments.

Deal files are JSON (UTF-8). A deal may reference its tape by a path relative to the deal file
(``"tape": "tape.csv"``) or embed the pool (a saved deal). Writes are atomic: a temporary file
in the target folder, then a rename, so a failed write leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from abs.asset import Pool
from abs.deal import Deal
from abs.errors import DealSpecError, Issue
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


#: Suffixes of pool tapes: given where a deal is expected, the error says how to apply them.
TAPE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls")


def resolve_deal_path(path_or_name: str | os.PathLike[str]) -> Path:
    """Path of a deal file given a path or an example name.

    Raises
    ------
    DealSpecError
        A pool tape given as the deal (it says to pass a deal and ``--tape``), or a name that
        is neither a file nor an example (it suggests the closest example).
    """
    text = str(path_or_name)
    if text in EXAMPLES:
        return example_deal_path(text)
    path = Path(text)
    if path.suffix.lower() in TAPE_SUFFIXES:
        raise DealSpecError(
            f"{text}: this is a pool tape, not a deal file; give a deal (an example name such "
            f"as {next(iter(EXAMPLES))}, or a deal .json) and apply the tape with --tape, e.g. "
            f"dabs run {next(iter(EXAMPLES))} --tape {text}"
        )
    if not path.exists() and not path.suffix and os.sep not in text:
        import difflib

        close = difflib.get_close_matches(text, list(EXAMPLES), n=1, cutoff=0.5)
        close = close or [name for name in EXAMPLES if name.startswith(text) or text in name][:1]
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise DealSpecError(
            f"{text}: no such deal file and not an example ({', '.join(EXAMPLES)}){hint}"
        )
    return path


#: Largest deal file read: 1 GiB (a saved deal embeds its pool; 200,000 assets take ~0.2 GB).
MAX_DEAL_FILE_BYTES = 1 << 30
#: Deepest nesting of JSON arrays and objects a deal file may have (a deal needs 6).
MAX_JSON_DEPTH = 64
#: Tranche total above this multiple of the pool total draws a warning.
TRANCHES_OVER_POOL_WARNING = 2.0


class _Duplicate:
    """Marks an object that had a key twice (found by identity after parsing)."""

    def __init__(self) -> None:
        self.found: dict[int, str] = {}

    def hook(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for key, value in pairs:
            if key in obj and id(obj) not in self.found:
                self.found[id(obj)] = key
            obj[key] = value
        return obj


def _json_problem(data: Any, dups: _Duplicate) -> str | None:
    """The first duplicate key or too-deep nesting, named by its field path."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            shown = _shown_path(path) or "(root)"
            return (
                f"field '{shown}': nested deeper than {MAX_JSON_DEPTH} levels of arrays/objects "
                "(a deal needs about 6)"
            )
        if isinstance(node, dict):
            if id(node) in dups.found:
                key = dups.found[id(node)]
                where = f"{path}.{key}" if path else key
                return (
                    f"field '{where}': key {key!r} appears twice in one object (JSON keeps the "
                    "last silently; delete one)"
                )
            for key, value in node.items():
                stack.append((value, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                stack.append((value, f"{path}.{i}" if path else str(i), depth + 1))
    return None


def _long_number(text: str | bytes) -> str:
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    found = re.search(r"[0-9]{4301,}", raw)
    if found is None:  # pragma: no cover - json only raises ValueError for long integers
        return "not a usable JSON number"
    line = raw.count("\n", 0, found.start()) + 1
    column = found.start() - (raw.rfind("\n", 0, found.start()) + 1) + 1
    return (
        f"line {line}, column {column}: a number with {len(found.group()):,} digits; numbers "
        "may have at most 4,300 (no amount or rate needs more than 20)"
    )


def _shown_path(path: str) -> str:
    return path if len(path) <= 60 else path[:57] + "..."


def parse_deal(text: str | bytes, *, source: str = "deal") -> Deal:
    """Validate deal JSON text into a :class:`Deal` (no tape resolution).

    Raises
    ------
    DealSpecError
        Listing every invalid field with its path, rule and value; also for text that is not
        JSON, a key given twice in one object, nesting deeper than :data:`MAX_JSON_DEPTH`
        and integers of more than 4,300 digits.
    """
    dups = _Duplicate()
    try:
        data: Any = json.loads(text, object_pairs_hook=dups.hook)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DealSpecError(f"{source}: not valid JSON: {exc}") from None
    except RecursionError:
        raise DealSpecError(
            f"{source}: not a deal file: arrays/objects nested deeper than the JSON reader "
            f"allows (a deal needs about 6 levels; the limit is {MAX_JSON_DEPTH})"
        ) from None
    except ValueError:  # an integer of more than 4,300 digits (Python's safe limit)
        raise DealSpecError(f"{source}: {_long_number(text)}") from None
    problem = _json_problem(data, dups)
    if problem is not None:
        raise DealSpecError(f"{source}: {problem}")
    try:
        return Deal.model_validate(data)
    except ValidationError as exc:
        raise DealSpecError(format_validation_error(source, exc)) from None


def deal_warnings(deal: Deal) -> list[Issue]:
    """Findings about a valid deal that do not stop a run (shown by ``dabs`` and the pages).

    * the tranches together are more than :data:`TRANCHES_OVER_POOL_WARNING` × the pool
      (a balance typed in 元 where 万元 was meant, or a pool tape that is not this deal's).
    """
    issues: list[Issue] = []
    if deal.pool is not None:
        pool_total = deal.pool.total_amount
        issued = deal.issue_amount
        if pool_total > 0 and issued > TRANCHES_OVER_POOL_WARNING * pool_total:
            issues.append(
                Issue(
                    source=deal.name,
                    rule=(
                        f"the tranches total {issued:,.2f} 元, {issued / pool_total:.1f}× the "
                        f"pool's {pool_total:,.2f} 元 (more than "
                        f"{TRANCHES_OVER_POOL_WARNING:g}×): check the balances' unit and the tape"
                    ),
                    column="tranches.balance",
                    value=issued,
                    severity="warning",
                )
            )
    return issues


def _read_deal_file(path: Path) -> bytes:
    try:
        # stat first: opening a named pipe would wait for a writer
        if not stat.S_ISREG(path.stat().st_mode):
            raise DealSpecError(f"{path}: not a regular file (a folder, device or pipe)")
        with path.open("rb") as fh:
            info = os.fstat(fh.fileno())
            if info.st_size > MAX_DEAL_FILE_BYTES:
                raise DealSpecError(
                    f"{path}: deal file is {info.st_size:,} bytes, more than the "
                    f"{MAX_DEAL_FILE_BYTES:,} allowed"
                )
            data = fh.read(MAX_DEAL_FILE_BYTES + 1)
    except FileNotFoundError:
        raise DealSpecError(f"{path}: deal file not found") from None
    except IsADirectoryError:
        raise DealSpecError(f"{path}: not a regular file (a folder, device or pipe)") from None
    except OSError as exc:
        raise DealSpecError(f"{path}: deal file cannot be read ({exc.strerror})") from None
    if len(data) > MAX_DEAL_FILE_BYTES:
        raise DealSpecError(f"{path}: deal file grew past {MAX_DEAL_FILE_BYTES:,} bytes")
    return data


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
    deal = parse_deal(_read_deal_file(path), source=str(path))
    if with_pool and deal.pool is None and deal.tape is not None:
        from abs.tape import read_tape

        tape_path = Path(deal.tape)
        if not tape_path.is_absolute():
            tape_path = path.parent / tape_path
        # read_tape opens only a regular file within MAX_TAPE_FILE_BYTES (never /dev/zero)
        pool = read_tape(tape_path, cutoff_date=deal.dates.cutoff_date)
        deal = deal.model_copy(update={"pool": pool})
    if with_pool:
        deal = read_replenishment(deal, path.parent)
    return deal


def read_replenishment(deal: Deal, base: Path, tape: str | os.PathLike[str] | None = None) -> Deal:
    """``deal`` with its candidate tape (循环购买候选资产清单) read into
    ``revolving.replenishment.pool``; ``tape`` (the CLI's ``--replenishment``) replaces the
    deal's own replenishment model.

    Raises
    ------
    DealSpecError
        ``tape`` given for a deal without revolving terms.
    TapeError
        The candidate tape is unreadable or invalid.
    """
    from abs.deal import Replenishment
    from abs.tape import read_tape

    rv = deal.revolving
    if tape is not None:
        if rv is None:
            raise DealSpecError(
                f"deal {deal.name}: --replenishment {tape}: the deal has no revolving terms "
                "(field 'revolving')"
            )
        rep = Replenishment(pool=read_tape(Path(tape), cutoff_date=deal.dates.cutoff_date))
        return deal.model_copy(update={"revolving": rv.model_copy(update={"replenishment": rep})})
    if rv is None or rv.replenishment is None or rv.replenishment.tape is None:
        return deal
    if rv.replenishment.pool is not None:
        return deal
    tape_path = Path(rv.replenishment.tape)
    if not tape_path.is_absolute():
        tape_path = base / tape_path
    pool = read_tape(tape_path, cutoff_date=deal.dates.cutoff_date)
    rep = rv.replenishment.model_copy(update={"pool": pool})
    return deal.model_copy(update={"revolving": rv.model_copy(update={"replenishment": rep})})


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
    if not data.get("stress_scenarios"):  # absent when empty: older deal files stay byte-equal
        data.pop("stress_scenarios", None)
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
    from abs._tempfiles import clean_stale, temp_prefix

    clean_stale(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".tmp", dir=folder)
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
