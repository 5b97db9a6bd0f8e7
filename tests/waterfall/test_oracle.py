"""The vectorised engine equals the scalar oracle on random deals, every line, to 1e-6 yuan."""

from __future__ import annotations

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import waterfall
from abs.enums import EventType
from tests.waterfall.builders import random_collections, random_deals
from tests.waterfall.oracle import OracleResult, run_oracle
from waterfall.result import SOURCE_COMMITMENT, SOURCE_GUARANTEE, SOURCE_RESERVE, WaterfallResult

TOL = 1e-6


def assert_matches(res: WaterfallResult, s: int, ref: OracleResult) -> None:
    """Every line of scenario ``s`` of the engine equals the oracle."""

    def close(label: str, got: object, want: object) -> None:
        g = np.asarray(got, dtype=np.float64)
        w = np.asarray(want, dtype=np.float64)
        if not np.allclose(g, w, rtol=0.0, atol=TOL):
            bad = int(np.argmax(np.abs(g - w)))
            raise AssertionError(f"{label}: period {bad}: engine {g[bad]!r} oracle {w[bad]!r}")

    for name, line in res.fees.items():
        close(f"fee {name} due", line.due[s], ref.fee_due[name])
        close(f"fee {name} paid", line.paid[s], ref.fee_paid[name])
        close(f"fee {name} support", line.support[s], ref.fee_support[name])
    for name in res.interest:
        close(f"interest {name} due", res.interest[name].due[s], ref.int_due[name])
        close(f"interest {name} paid", res.interest[name].paid[s], ref.int_paid[name])
        close(f"interest {name} support", res.interest[name].support[s], ref.int_support[name])
        close(f"IoI {name} paid", res.interest_on_interest[name].paid[s], ref.ioi_paid[name])
        close(f"principal {name} due", res.principal[name].due[s], ref.prin_due[name])
        close(f"principal {name} paid", res.principal[name].paid[s], ref.prin_paid[name])
        close(f"principal {name} support", res.principal[name].support[s], ref.prin_support[name])
        close(f"sub yield {name} due", res.sub_yield[name].due[s], ref.yield_due[name])
        close(f"sub yield {name} paid", res.sub_yield[name].paid[s], ref.yield_paid[name])
        close(f"residual {name}", res.residual[name][s], ref.residual[name])
        close(f"balance {name}", res.balances[name][s], ref.balance[name])
    close("reserve balance", res.reserve_balance[s], ref.reserve_balance)
    close("reserve deposits", res.reserve_deposits[s], ref.reserve_deposit)
    close("reserve release", res.reserve_release[s], ref.reserve_release)
    for src in (SOURCE_RESERVE, SOURCE_COMMITMENT, SOURCE_GUARANTEE):
        close(f"draws {src}", res.draws[src][s], ref.draws[src])
    for src in (SOURCE_COMMITMENT, SOURCE_GUARANTEE):
        close(f"reimbursed {src}", res.reimbursements[src][s], ref.reimbursed[src])
    close("carried out", res.carried_out[s], ref.carried_out)
    assert res.accelerated[s].tolist() == ref.accelerated
    for ev in EventType:
        assert res.events[ev][s].tolist() == ref.events[ev.value], ev
    for name, on in res.triggers.items():
        assert on[s].tolist() == ref.triggers[name], name
    rv = res.revolving
    if rv is not None:
        close("purchases", rv.purchases[s], ref.purchases)
        close("purchases data-linked", rv.purchases_data[s], ref.purchases_data)
        close("set aside", rv.set_aside[s], ref.set_aside)
        close("idle", rv.idle[s], ref.idle)
        close("idle interest", rv.idle_interest[s], ref.idle_interest)
        close("pool balance", rv.pool_balance[s], ref.pool_balance)
        if rv.has_data:
            close("data-linked balance", rv.data_balance[s], ref.data_balance)
        close("purchased collections", rv.purchased_collections[s], ref.purchased_collections)
        assert rv.revolving[s].tolist() == ref.revolving


@settings(
    max_examples=int(os.environ.get("DABS_ORACLE_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_engine_equals_oracle_on_random_deals(data: st.DataObject) -> None:
    deal, n_periods = data.draw(random_deals(revolving=True))
    n_scen = data.draw(st.integers(1, 3))
    coll = data.draw(random_collections(n_periods=n_periods, n_scenarios=n_scen))
    shifts = data.draw(st.lists(st.floats(-100.0, 200.0), min_size=n_scen, max_size=n_scen))
    orig = data.draw(st.lists(st.booleans(), min_size=n_scen, max_size=n_scen))
    guar = data.draw(st.lists(st.booleans(), min_size=n_scen, max_size=n_scen))
    res = waterfall.run(
        deal,
        coll,
        rate_shift_bp=np.array(shifts),
        originator_default=np.array(orig),
        guarantor_default=np.array(guar),
    )
    for s in range(n_scen):
        ref = run_oracle(
            deal,
            coll,
            s,
            rate_shift_bp=shifts[s],
            originator_default=orig[s],
            guarantor_default=guar[s],
        )
        assert_matches(res, s, ref)
