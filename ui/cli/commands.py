"""Imports every command module so that each registers its commands on the app."""

from __future__ import annotations

from ui.cli import (  # noqa: F401
    basic,
    export_cmds,
    library_cmds,
    pool_cmds,
    project_cmds,
    run_cmds,
    size_cmds,
    stress_cmds,
    ui_cmds,
)
