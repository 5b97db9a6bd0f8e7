"""Where the library lives: ``DABS_DB_URL`` or an SQLite file in the user's data directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Environment variable holding the database URL (SQLAlchemy form).
ENV_DB_URL = "DABS_DB_URL"
#: Environment variable naming the author recorded with saves, runs and exports.
ENV_AUTHOR = "DABS_AUTHOR"
#: File name of the default SQLite library.
DEFAULT_FILE = "library.sqlite"


def data_dir() -> Path:
    """The user's data directory for dabs (created by the caller when needed).

    Linux and other Unix: ``$XDG_DATA_HOME/dabs`` (default ``~/.local/share/dabs``); macOS:
    ``~/Library/Application Support/dabs``; Windows: ``%LOCALAPPDATA%\\dabs``.
    """
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "dabs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "dabs"
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "dabs"


def default_url() -> str:
    """``sqlite:///<data dir>/library.sqlite``."""
    return f"sqlite:///{data_dir() / DEFAULT_FILE}"


def resolve_url(url: str | None = None) -> str:
    """The URL given, else ``$DABS_DB_URL``, else :func:`default_url`.

    A bare file path (no ``://``) is taken as an SQLite file.

    Examples
    --------
    >>> resolve_url("/tmp/x.sqlite")
    'sqlite:////tmp/x.sqlite'
    >>> resolve_url("postgresql+psycopg://u@/dabs?host=/tmp")
    'postgresql+psycopg://u@/dabs?host=/tmp'
    """
    text = (url or os.environ.get(ENV_DB_URL, "")).strip()
    if not text:
        return default_url()
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    return text


def default_author() -> str:
    """``$DABS_AUTHOR``, else the operating-system user name, else ``unknown``."""
    name = os.environ.get(ENV_AUTHOR, "").strip()
    if name:
        return name
    try:
        import getpass

        return getpass.getuser() or "unknown"
    except (KeyError, OSError):
        return "unknown"
