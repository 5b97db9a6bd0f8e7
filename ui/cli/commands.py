"""Imports every command module so that each registers its commands on the app."""

from __future__ import annotations

from ui.cli import basic  # noqa: F401
