"""``dabs export`` commands (filled in by the module owner)."""

from __future__ import annotations
