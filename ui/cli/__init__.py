"""``dabs`` command line. Each command group lives in its own module and registers on ``app``."""

from __future__ import annotations

from ui.cli import commands as _commands  # noqa: F401  (registers the commands)
from ui.cli.app import app


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
