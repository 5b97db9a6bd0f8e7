"""Start-up cost: a quant's script (import, load a deal, project, run) does not import what only
some paths need (scipy's solvers and special functions, Streamlit, the library's SQLAlchemy).
QuantLib is imported: the exchange calendar uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SCRIPT = """
import sys
import waterfall, abs
deal = abs.load_deal("qingdao-pure")
coll = abs.project(deal)
waterfall.run_measures(deal, coll)
heavy = ("scipy.optimize", "scipy.special", "streamlit", "sqlalchemy", "alembic")
print(" ".join(sorted(m for m in heavy if m in sys.modules)) or "-")
"""


def test_a_script_does_not_import_what_it_does_not_use() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    assert out.stdout.split()[-1] == "-", out.stdout
