"""Session state of the dashboard: the current deal, the last good deals, edits and errors.

The current deal is kept as its JSON text (pool embedded): that text is what the cached engine
wrappers in :mod:`ui.engine` are keyed on, and it is exactly what "save deal" downloads. Only a
deal that parsed and validated ever becomes current, so a broken tape or a nonsense structure
leaves the last good deal in place; the rejected input is remembered as an error message for the
pages to show with ``st.error``. Every replaced deal is pushed on a short undo stack.

All functions take an optional ``store`` mapping (default: ``st.session_state``) so the logic
is testable without a running Streamlit app.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from abs.errors import DabsError, Issue

#: Session keys (one place, so tests and pages agree).
KEY_DEAL_JSON = "dabs_deal_json"
KEY_SOURCE = "dabs_source"
KEY_HISTORY = "dabs_history"
KEY_EDITS = "dabs_edits"
KEY_ERROR = "dabs_error"
KEY_TAPE_WARNINGS = "dabs_tape_warnings"
KEY_FLASH = "dabs_flash"
KEY_UPLOAD_DONE = "dabs_upload_done"
KEY_LANG = "lang"
KEY_EXAMPLE = "example_choice"
KEY_COMFORT = "comfort_line"
KEY_EDITOR_BASE = "dabs_editor_base"
KEY_EDITOR_OUTPUT = "dabs_editor_output"
KEY_EDITOR_VERSION = "dabs_editor_version"
KEY_LIBRARY_KEY = "dabs_library_key"

#: Environment variable ``dabs ui DEAL`` sets to preselect a deal (example name or path).
ENV_DEAL = "DABS_UI_DEAL"
#: Example shown when nothing else is chosen.
DEFAULT_EXAMPLE = "qingdao-pure"
#: How many replaced deals the undo stack keeps.
HISTORY_LIMIT = 20
#: Largest accepted upload (MB); stated next to the uploader and enforced on the bytes. It is
#: the tape reader's own file limit (256 MiB, abs.tape.MAX_TAPE_FILE_BYTES), so a 200,000-row
#: tape uploads; the reader's row, cell and unpacked-size limits guard the server's memory.
MAX_UPLOAD_MB = 256


@dataclass(frozen=True)
class InputError:
    """An input the app rejected: where it came from and the engine's message (CLI wording).

    ``texts`` holds (where, message) per language when the error can be worded in each (a
    pool tape's findings, a deal file's field errors): a language switch then rewords it.
    """

    where: str
    message: str
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)

    def in_language(self, lang: str) -> tuple[str, str]:
        """(where, message) in ``lang``, or as recorded when it has no wording in ``lang``."""
        return self.texts.get(lang, (self.where, self.message))


def _store(store: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
    if store is not None:
        return store
    import streamlit as st

    return cast("MutableMapping[str, Any]", st.session_state)


def initial_choice() -> str:
    """The deal to open first: ``$DABS_UI_DEAL`` (example name or deal path) or the default."""
    return os.environ.get(ENV_DEAL, "").strip() or DEFAULT_EXAMPLE


def is_initialised(store: MutableMapping[str, Any] | None = None) -> bool:
    """True once a deal has been loaded into this session."""
    return KEY_DEAL_JSON in _store(store)


def current_json(store: MutableMapping[str, Any] | None = None) -> str:
    """JSON text of the current deal (pool embedded).

    Raises
    ------
    DabsError
        If no deal has been loaded yet (the app loads one on start).
    """
    s = _store(store)
    text = s.get(KEY_DEAL_JSON)
    if not isinstance(text, str):
        raise DabsError("dashboard: no deal loaded yet; pick an example or upload a deal file")
    return text


def source(store: MutableMapping[str, Any] | None = None) -> str:
    """Where the current deal came from (example name or uploaded file name)."""
    return str(_store(store).get(KEY_SOURCE, ""))


def set_current(
    deal_json: str,
    *,
    source_label: str,
    edit: str | None = None,
    from_editors: bool = False,
    store: MutableMapping[str, Any] | None = None,
) -> None:
    """Make ``deal_json`` (already validated) the current deal; push the old one on the stack.

    Parameters
    ----------
    deal_json : str
        JSON text of a deal that :func:`abs.io.parse_deal` accepts.
    source_label : str
        Shown in the sidebar as the deal's origin.
    edit : str, optional
        A line for the edit log (e.g. ``"优先A 规模 → 11,000.00 万元"``); loading a new deal
        without ``edit`` starts a fresh log.
    from_editors : bool
        True when the structure editors produced the deal: they keep their state. Any other
        change (example, upload) reseeds them from the new deal.
    store : mapping, optional
        Session mapping (default ``st.session_state``).
    """
    s = _store(store)
    old = s.get(KEY_DEAL_JSON)
    if isinstance(old, str) and old != deal_json:
        history = list(s.get(KEY_HISTORY, []))
        history.append((old, s.get(KEY_SOURCE, ""), list(s.get(KEY_EDITS, []))))
        s[KEY_HISTORY] = history[-HISTORY_LIMIT:]
    s[KEY_DEAL_JSON] = deal_json
    s[KEY_SOURCE] = source_label
    edits = list(s.get(KEY_EDITS, [])) if edit is not None else []
    if edit is not None:
        edits.append(edit)
    s[KEY_EDITS] = edits
    s.pop(KEY_ERROR, None)
    if edit is None and not from_editors:
        # a new deal (example, upload, library version): it is no longer the saved deal's
        s.pop(KEY_LIBRARY_KEY, None)
    if from_editors:
        s[KEY_EDITOR_OUTPUT] = deal_json
    else:
        reset_editors(s)


def library_key(store: MutableMapping[str, Any] | None = None) -> str | None:
    """Library key the current deal was last opened from or saved under (None: not yet)."""
    value = _store(store).get(KEY_LIBRARY_KEY)
    return value if isinstance(value, str) else None


def set_library_key(key: str, store: MutableMapping[str, Any] | None = None) -> None:
    """Remember that the current deal belongs to library key ``key``."""
    _store(store)[KEY_LIBRARY_KEY] = key


def undo(store: MutableMapping[str, Any] | None = None) -> bool:
    """Go back to the previous good deal; False when there is none."""
    s = _store(store)
    history = list(s.get(KEY_HISTORY, []))
    if not history:
        return False
    text, label, edits = history.pop()
    s[KEY_HISTORY] = history
    s[KEY_DEAL_JSON] = text
    s[KEY_SOURCE] = label
    s[KEY_EDITS] = list(edits)
    s.pop(KEY_ERROR, None)
    reset_editors(s)
    return True


def can_undo(store: MutableMapping[str, Any] | None = None) -> bool:
    """True when a previous deal is on the undo stack."""
    return bool(_store(store).get(KEY_HISTORY))


def edits(store: MutableMapping[str, Any] | None = None) -> list[str]:
    """The edit log of the current deal, oldest first."""
    return list(_store(store).get(KEY_EDITS, []))


def record_error(
    where: str,
    exc: DabsError | str,
    *,
    where_key: str | None = None,
    store: MutableMapping[str, Any] | None = None,
) -> None:
    """Remember a rejected input; the current deal is left as it was.

    Parameters
    ----------
    where : str
        Where the input came from, as shown (e.g. ``"上传文件 tape.csv"``).
    exc : DabsError or str
        The error. A pool tape's findings (:class:`~abs.errors.TapeError`, e.g. a deal file
        whose tape is broken) and a :class:`ui.messages.LocalisedError` are kept worded in
        every language; other errors keep the engine's message.
    where_key : str, optional
        The i18n key ``where`` starts with, so ``where`` is reworded in each language too
        (the rest of ``where``, e.g. a file name, is kept).
    store : mapping, optional
        Session mapping (default ``st.session_state``).
    """
    from ui.i18n import LANGUAGES, t
    from ui.messages import error_message

    s = _store(store)
    lang = language(s)
    if isinstance(exc, str):
        s[KEY_ERROR] = InputError(where=where, message=exc)
        return
    texts: dict[str, tuple[str, str]] = {}
    detail = where.removeprefix(t(where_key, lang)) if where_key else None
    for other in LANGUAGES:
        shown = t(where_key, other) + detail if where_key and detail is not None else where
        texts[other] = (shown, error_message(exc, other))
    s[KEY_ERROR] = InputError(where=where, message=error_message(exc, lang), texts=texts)


def last_error(store: MutableMapping[str, Any] | None = None) -> InputError | None:
    """The last rejected input, if any (cleared when a new deal becomes current)."""
    err = _store(store).get(KEY_ERROR)
    return err if isinstance(err, InputError) else None


def clear_error(store: MutableMapping[str, Any] | None = None) -> None:
    """Forget the last rejected input."""
    _store(store).pop(KEY_ERROR, None)


def flash(message: str, *, store: MutableMapping[str, Any] | None = None) -> None:
    """Keep a confirmation to show once after the next rerun."""
    _store(store)[KEY_FLASH] = message


def pop_flash(store: MutableMapping[str, Any] | None = None) -> str | None:
    """The pending confirmation (and forget it)."""
    value = _store(store).pop(KEY_FLASH, None)
    return value if isinstance(value, str) else None


def _plain(value: object) -> object:
    """``value`` if JSON keeps it as is, else its text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def issue_record(issue: Issue) -> dict[str, object]:
    """An :class:`~abs.errors.Issue` as a JSON-safe mapping (session state keeps plain data)."""
    return {
        "source": issue.source,
        "rule": issue.rule,
        "row": issue.row,
        "column": issue.column,
        "value": _plain(issue.value),
        "severity": issue.severity,
        "code": issue.code,
        "context": _plain(issue.context or {}),
    }


def issue_from_record(record: Mapping[str, Any]) -> Issue:
    """The :class:`~abs.errors.Issue` an :func:`issue_record` mapping stands for."""
    row = record.get("row")
    column, code, context = record.get("column"), record.get("code"), record.get("context")
    return Issue(
        str(record.get("source", "")),
        str(record.get("rule", "")),
        row=row if isinstance(row, int) else None,
        column=column if isinstance(column, str) else None,
        value=record.get("value"),
        severity=str(record.get("severity", "warning")),
        code=code if isinstance(code, str) else None,
        context=dict(context) if isinstance(context, dict) else None,
    )


def set_tape_warnings(
    warnings: Sequence[Issue], *, store: MutableMapping[str, Any] | None = None
) -> None:
    """Remember the warnings of the tape behind the current pool (as JSON-safe records, so
    the pool page words them in whatever language the session is in when it shows them)."""
    _store(store)[KEY_TAPE_WARNINGS] = [issue_record(w) for w in warnings]


def tape_warnings(store: MutableMapping[str, Any] | None = None) -> list[Issue]:
    """Warnings the tape reader gave for the current pool."""
    records = _store(store).get(KEY_TAPE_WARNINGS, [])
    return [issue_from_record(r) for r in records if isinstance(r, Mapping)]


def language(store: MutableMapping[str, Any] | None = None) -> str:
    """``"zh"`` (default) or ``"en"``."""
    return "en" if _store(store).get(KEY_LANG) == "en" else "zh"


def upload_seen(
    file_id: str, *, slot: str = "sidebar", store: MutableMapping[str, Any] | None = None
) -> bool:
    """True if uploader ``slot`` already processed this file (uploads persist across reruns)."""
    return _store(store).get(f"{KEY_UPLOAD_DONE}:{slot}") == file_id


def mark_upload(
    file_id: str | None, *, slot: str = "sidebar", store: MutableMapping[str, Any] | None = None
) -> None:
    """Remember which file uploader ``slot`` processed last (``None`` forgets)."""
    s = _store(store)
    if file_id is None:
        s.pop(f"{KEY_UPLOAD_DONE}:{slot}", None)
    else:
        s[f"{KEY_UPLOAD_DONE}:{slot}"] = file_id


def check_upload_size(name: str, data: bytes) -> None:
    """Reject uploads above :data:`MAX_UPLOAD_MB`.

    Raises
    ------
    DabsError
        Naming the file, the limit and the size received.
    """
    limit = MAX_UPLOAD_MB * 1024 * 1024
    if len(data) > limit:
        raise DabsError(
            f"{name}: file is larger than the {MAX_UPLOAD_MB} MB upload limit: "
            f"got {len(data) / 1024 / 1024:.1f} MB"
        )


def editor_base(store: MutableMapping[str, Any] | None = None) -> tuple[str, int]:
    """The deal JSON the structure editors are seeded from, and the editors' version.

    The editors keep their cell edits relative to the table they were given, so they must keep
    seeing the same base table while the structurer edits. When the current deal changes for
    another reason (example, upload, undo), the base is reset and the version bumped, which
    gives the editors new keys and so a fresh start.
    """
    s = _store(store)
    current = current_json(s)
    base = s.get(KEY_EDITOR_BASE)
    if current not in (base, s.get(KEY_EDITOR_OUTPUT)) or not isinstance(base, str):
        s[KEY_EDITOR_BASE] = current
        s[KEY_EDITOR_OUTPUT] = current
        s[KEY_EDITOR_VERSION] = int(s.get(KEY_EDITOR_VERSION, 0)) + 1
    return str(s[KEY_EDITOR_BASE]), int(s[KEY_EDITOR_VERSION])


def reset_editors(store: MutableMapping[str, Any] | None = None) -> None:
    """Drop the structurer's unsaved editor changes: reseed from the current deal."""
    s = _store(store)
    s.pop(KEY_EDITOR_BASE, None)
    s.pop(KEY_EDITOR_OUTPUT, None)
