"""``dabs stress, dabs breakeven, dabs mc`` commands (filled in by the module owner)."""

from __future__ import annotations
