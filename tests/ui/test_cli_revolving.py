"""``dabs run`` on a revolving deal: the revolving JSON block and ``--replenishment TAPE``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ui.cli import app

runner = CliRunner()


def test_run_json_has_the_revolving_block() -> None:
    res = runner.invoke(app, ["run", "scf-revolving-labelled", "--json"])
    assert res.exit_code == 0, res.output
    rv = json.loads(res.output)["revolving"]
    assert rv["issued_kind"] == "labelled"
    assert rv["first_out_of_band_period"] is None
    periods = rv["periods"]
    assert [p["revolving"] for p in periods[:13]] == [True] * 12 + [False]
    assert abs(rv["purchased"] - sum(p["purchases"] for p in periods)) < 1e-6
    assert all(0.5 <= p["data_linked_share"] < 0.7 for p in periods if p["kind"] is not None)
    static = json.loads(runner.invoke(app, ["run", "rugao-labelled", "--json"]).output)
    assert static["revolving"] is None


def test_replenishment_tape_replaces_the_generator(tmp_path: Path) -> None:
    tape = tmp_path / "candidates.csv"
    tape.write_text(
        "asset_id,obligor,asset_type,data_link,amount,start_date,maturity_date,rate,amortization,"
        "region\n"
        "N1,新债务人甲,receivable,none,30000000,2025-07-01,2025-11-30,0.06,bullet,江苏省苏州市\n",
        encoding="utf-8",
    )
    res = runner.invoke(
        app, ["run", "scf-revolving-labelled", "--replenishment", str(tape), "--json"]
    )
    assert res.exit_code == 0, res.output
    periods = json.loads(res.output)["revolving"]["periods"]
    bought = [p["purchases"] for p in periods]
    # one candidate offered on the first payment date: bought then (up to its balance), the
    # rest of the revolving period finds nothing eligible and the cash stays idle
    assert bought[0] > 0 and sum(bought[1:]) == 0
    assert periods[1]["idle"] > 0
    bad = runner.invoke(app, ["run", "rugao-labelled", "--replenishment", str(tape)])
    assert bad.exit_code == 2
    assert "the deal has no revolving terms" in bad.output


def test_collections_csv_of_a_revolving_deal_still_buys(tmp_path: Path) -> None:
    csv = tmp_path / "proj.csv"
    made = runner.invoke(app, ["project", "scf-revolving-labelled", "--csv", str(csv)])
    assert made.exit_code == 0, made.output
    given = runner.invoke(
        app, ["run", "scf-revolving-labelled", "--collections", str(csv), "--json"]
    )
    assert given.exit_code == 0, given.output
    projected = runner.invoke(app, ["run", "scf-revolving-labelled", "--json"])
    a = json.loads(given.output)["revolving"]
    b = json.loads(projected.output)["revolving"]
    assert abs(a["purchased"] - b["purchased"]) < 1.0  # the CSV carries amounts to the fen
    assert a["data_linked_share_known"] and a["first_out_of_band_period"] is None
