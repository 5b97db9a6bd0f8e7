"""Whole-deal golden runs of the shipped examples (expected case through the waterfall).

The files under ``tests/golden/`` hold the 证券兑付表, the 现金流覆盖倍数 and the tranche
measures; regenerate them with ``pytest --update-golden`` after a deliberate change to the
projection, the engine or an example deal, and review the diff.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import waterfall
from abs.io import load_deal
from abs.projection import project

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _snapshot(example: str) -> dict[str, Any]:
    deal = load_deal(example)
    r = waterfall.run(deal, project(deal))
    sec = r.to_frame(0, "securities")
    rows = [
        [str(v) if not isinstance(v, float) else round(v, 2) for v in row]
        for row in sec.itertuples(index=False)
    ]

    def num(x: float) -> float | None:
        return round(float(x), 6) if math.isfinite(x) else None

    return {
        "deal": deal.name,
        "securities_columns": list(sec.columns),
        "securities": rows,
        "coverage": [num(x) for x in r.coverage()[0]],
        "coverage_with_principal": [num(x) for x in r.coverage(include_principal=True)[0]],
        "tranches": {
            t.name: {
                "wal_years": num(float(r.wal(t.name)[0])),
                "loss": round(float(r.loss(t.name)[0]), 2),
                "min_coverage": num(
                    float(r.min_coverage(through=t.name, include_principal=True)[0])
                ),
            }
            for t in deal.tranches
        },
        "events": r.events_fired(0),
    }


def _close(got: Any, want: Any, where: str) -> None:
    if isinstance(want, dict):
        assert set(got) == set(want), where
        for k in want:
            _close(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _close(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and isinstance(got, float):
        assert got == pytest.approx(want, abs=0.01, rel=1e-9), where
    else:
        assert got == want, where


@pytest.mark.parametrize("example", ["qingdao-pure", "rugao-labelled", "tianfeng-enabled"])
def test_example_matches_golden(example: str, update_golden: bool) -> None:
    path = GOLDEN / f"waterfall-{example}.json"
    snap = json.loads(json.dumps(_snapshot(example), ensure_ascii=False))
    if update_golden or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(snap, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not update_golden:
            pytest.fail(f"{path} did not exist; written now — review and commit it")
    want = json.loads(path.read_text(encoding="utf-8"))
    _close(snap, want, example)
