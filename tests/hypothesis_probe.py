"""Probe run by ``tests/test_suite_hygiene.py`` in a child pytest: prints the active profile.

Its name does not match ``test_*.py``, so the normal run does not collect it.
"""

from __future__ import annotations

from hypothesis import settings


def test_print_active_profile() -> None:
    active = settings.default
    print(f"PROFILE derandomize={active.derandomize} database={active.database!r}")
