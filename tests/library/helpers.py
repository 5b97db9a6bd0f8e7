"""Deal files for the library tests, built from the shipped examples (never modified in place)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from abs.examples import example_dir


def example_bytes(name: str) -> tuple[bytes, bytes, str]:
    """(deal.json bytes, tape bytes, tape file name) of a shipped example."""
    folder = example_dir(name)
    deal = json.loads((folder / "deal.json").read_text("utf-8"))
    tape_name = str(deal["tape"])
    return (folder / "deal.json").read_bytes(), (folder / tape_name).read_bytes(), tape_name


def edited_deal(name: str, **changes: Any) -> bytes:
    """The example's deal JSON with top-level or ``tranches.<i>.<field>`` changes applied.

    >>> data = json.loads(edited_deal("rugao-labelled", **{"tranches.0.balance": 1.0}))
    >>> data["tranches"][0]["balance"]
    1.0
    """
    data = json.loads((example_dir(name) / "deal.json").read_text("utf-8"))
    for path, value in changes.items():
        target: Any = data
        parts = path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_deal_folder(folder: Path, name: str, deal_bytes: bytes | None = None) -> Path:
    """A copy of an example's folder (deal.json + tape) under ``folder``; returns deal.json."""
    deal, tape, tape_name = example_bytes(name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / tape_name).write_bytes(tape)
    path = folder / "deal.json"
    path.write_bytes(deal if deal_bytes is None else deal_bytes)
    return path
