"""Monte Carlo: reproducibility, chunk invariance, convergence to the expected case, outputs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from abs.assumptions import Stress
from abs.errors import ScenarioError
from abs.projection import PoolModel, clear_model_cache
from scenarios import montecarlo as mc
from scenarios.runner import path_block_size, run_stresses, support_defaults, yields_at_par
from tests.scenarios.helpers import licence_deal

FIELDS = (
    "loss",
    "shortfall",
    "paid_in_full",
    "wal",
    "yld",
    "min_coverage",
    "life_coverage",
    "min_coverage_principal",
    "cdr",
    "first_shortfall",
    "trigger_first",
    "support_defaulted",
)


def _identical(a: mc.MCResult, b: mc.MCResult) -> None:
    for f in FIELDS:
        x, y = getattr(a.outcome, f), getattr(b.outcome, f)
        assert x.tobytes() == y.tobytes(), f  # bit for bit


def test_same_seed_same_numbers_whatever_the_chunking() -> None:
    deal = licence_deal(n_assets=20, pd=0.08, senior=800e6, sub=200e6)
    n = 3 * path_block_size() + 77
    ref = mc.run_mc(deal, n_paths=n, seed=11, threads=1)
    for chunk in (1, path_block_size(), 2 * path_block_size() + 1, 10 * n):
        for threads in (1, 2, 3):
            _identical(ref, mc.run_mc(deal, n_paths=n, seed=11, chunk_size=chunk, threads=threads))
    other = mc.run_mc(deal, n_paths=n, seed=12)
    assert not np.array_equal(ref.outcome.cdr, other.outcome.cdr)
    assert ref.outcome.loss.shape == (n, 2)


def test_a_run_builds_the_pool_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_model_cache()
    built: list[int] = []
    init = PoolModel.__init__

    def counting(self: PoolModel, *args: object, **kwargs: object) -> None:
        built.append(1)
        init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PoolModel, "__init__", counting)
    deal = licence_deal(n_assets=12, pd=0.05)
    b = path_block_size()
    mc.run_mc(deal, n_paths=5 * b, seed=1, chunk_size=b, stress=Stress(pd_multiplier=2.0))
    assert built == [1]  # five chunks, a stressed case and its unstressed forecast: one model
    mc.run_mc(deal.model_copy(update={"name": "renamed"}), n_paths=b, seed=2)
    assert built == [1]  # the same pool, dates and assumptions: the cached model
    with pytest.raises(ScenarioError, match=r"mc: threads must be ≥ 1; got 0"):
        mc.run_mc(deal, n_paths=10, seed=1, threads=0)


def test_chunk_plan_aligns_with_projection_blocks() -> None:
    b = path_block_size()
    size, chunks = mc.chunk_plan(2 * b + 5, 1)
    assert size == b
    assert chunks == [(0, b), (b, b), (2 * b, 5)]
    size, chunks = mc.chunk_plan(10, None)
    assert size % b == 0 and chunks == [(0, 10)]
    with pytest.raises(ScenarioError, match=r"mc: n_paths must be ≥ 1; got 0"):
        mc.chunk_plan(0, None)
    with pytest.raises(ScenarioError, match=r"mc: chunk_size must be ≥ 1; got 0"):
        mc.chunk_plan(5, 0)


def test_zero_pd_paths_equal_the_expected_case_exactly() -> None:
    # PD 0, licences (no usage shocks): every path is the expected case, so the Monte Carlo
    # loss distribution is a point mass at the expected-case loss.
    deal = licence_deal(pd=0.0, senior=800e6, sub=300e6)
    _c, _r, expected = run_stresses(deal, [Stress()])
    assert expected.loss[0, 1] > 0.05  # 次级 does lose in the expected case
    r = mc.run_mc(deal, n_paths=300, seed=5)
    np.testing.assert_allclose(r.outcome.loss, np.repeat(expected.loss, 300, axis=0), atol=1e-12)
    assert r.expected_loss("次级") == pytest.approx(float(expected.loss[0, 1]), abs=1e-12)
    assert r.var("次级", 0.99) == pytest.approx(float(expected.loss[0, 1]), abs=1e-12)


def test_mean_loss_converges_to_expected_case_for_a_large_independent_pool() -> None:
    # ρ = 0 and 2,000 small licences with PD 10%: by the law of large numbers the pool's
    # collections concentrate at their mean (coefficient of variation ≈ √(0.1·0.9/2000) ≈ 0.7%),
    # so the mean tranche loss converges to the expected-case loss. Observed sampling s.d. of the
    # 次级 loss is about 1%, so the mean of 2,000 paths is within 3·0.01/√2000 ≈ 0.0007 plus a
    # small convexity term; tolerance 0.002.
    deal = licence_deal(n_assets=2000, pd=0.10, correlation=0.0, senior=700e6, sub=500e6)
    _c, _r, expected = run_stresses(deal, [Stress()])
    r = mc.run_mc(deal, n_paths=2000, seed=3)
    assert expected.loss[0, 1] > 0.03
    assert r.expected_loss("次级") == pytest.approx(float(expected.loss[0, 1]), abs=2e-3)
    assert r.expected_loss("优先A") == pytest.approx(float(expected.loss[0, 0]), abs=2e-3)
    # with correlation the same pool's losses spread out: the mean no longer matches
    corr = mc.run_mc(
        licence_deal(n_assets=2000, pd=0.10, correlation=0.3, senior=700e6, sub=500e6),
        n_paths=2000,
        seed=3,
    )
    assert corr.outcome.loss[:, 1].std() > 5 * r.outcome.loss[:, 1].std()


def test_summary_histogram_and_json() -> None:
    deal = licence_deal(n_assets=20, pd=0.08, senior=800e6, sub=200e6)
    r = mc.run_mc(deal, n_paths=1000, seed=1)
    s = r.summary()
    assert list(s.columns) == list(mc.MC_COLUMNS)
    assert list(s[mc.COL_TRANCHE]) == ["优先A", "次级"]
    loss = r.losses("次级")
    assert s[mc.COL_EL].iloc[1] == pytest.approx(loss.mean())
    assert s[mc.COL_VAR99].iloc[1] == np.sort(loss)[int(np.floor(0.99 * 999))]
    assert s[mc.COL_VAR95].iloc[1] <= s[mc.COL_VAR99].iloc[1] <= s[mc.COL_MAX_LOSS].iloc[1]
    assert r.prob_shortfall("次级") == pytest.approx((~r.outcome.paid_in_full[:, 1]).mean())
    counts, edges = r.histogram("次级", "loss", bins=10)
    assert counts.sum() == 1000 and len(edges) == 11
    d = json.loads(json.dumps(r.to_dict(bins=5), ensure_ascii=False))
    assert d["n_paths"] == 1000 and d["seed"] == 1 and d["engine"] == "local"
    assert len(d["tranches"][1]["loss_histogram"]["counts"]) == 5
    assert set(d["tranches"][0]["wal_years"]) == {"mean", "p5", "p50", "p95"}
    assert set(d["tranches"][0]["min_coverage_principal"]) == {"mean", "p5", "p50", "p95"}


def test_summary_shows_both_coverage_definitions() -> None:
    # interest only (taxes, fees, interest due) and incl. the scheduled principal: the same
    # available funds over more obligations, so the principal-inclusive multiple is never higher
    deal = licence_deal(n_assets=20, pd=0.08, senior=800e6, sub=200e6)
    r = mc.run_mc(deal, n_paths=1000, seed=1)
    s = r.summary()
    o = r.outcome
    for k in range(2):
        interest = o.min_coverage[:, k][np.isfinite(o.min_coverage[:, k])]
        principal = o.min_coverage_principal[:, k]
        principal = principal[np.isfinite(principal)]
        assert s[mc.COL_MINCOV_P5].iloc[k] == pytest.approx(np.percentile(interest, 5.0))
        assert s[mc.COL_MINCOV_PRIN_P5].iloc[k] == pytest.approx(np.percentile(principal, 5.0))
        assert s[mc.COL_MINCOV_PRIN_P50].iloc[k] == pytest.approx(np.percentile(principal, 50.0))
    senior = s.iloc[0]
    assert senior[mc.COL_MINCOV_PRIN_P5] < senior[mc.COL_MINCOV_P5]
    assert "仅利息" in mc.COL_MINCOV_P5 and "含本金" in mc.COL_MINCOV_PRIN_P5


def test_progress_callback_reports_every_chunk() -> None:
    seen: list[tuple[int, int]] = []
    b = path_block_size()
    mc.run_mc(
        licence_deal(),
        n_paths=2 * b + 3,
        seed=0,
        chunk_size=b,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(b, 2 * b + 3), (2 * b, 2 * b + 3), (2 * b + 3, 2 * b + 3)]


def test_support_provider_default_draws() -> None:
    deal = licence_deal(
        support={"shortfall_commitment": {"provider": "原始权益人", "default_probability": 0.2}}
    )
    b = path_block_size()
    a = support_defaults(deal, seed=9, first_path=0, n_paths=3 * b)
    part = support_defaults(deal, seed=9, first_path=b - 5, n_paths=b + 10)
    np.testing.assert_array_equal(a[b - 5 : 2 * b + 5], part)
    # closing 2026-04-15 → expected maturity 2027-04-15: 1 year, p = 0.2
    assert a.mean() == pytest.approx(0.2, abs=0.04)
    r = mc.run_mc(deal, n_paths=b, seed=9)
    np.testing.assert_array_equal(r.support_defaults, a[:b])
    off = mc.run_mc(deal, n_paths=b, seed=9, support_default=False)
    assert not off.support_defaults.any()


def test_yields_at_par_rows_are_independent() -> None:
    cash = np.array([[3.0, 103.0], [0.0, 0.0], [2.0, 50.0], [5.0, 105.0]])
    y = yields_at_par(cash, [1.0, 2.0], 100.0)
    assert y[0] == pytest.approx(0.03, abs=1e-12) and y[1] == -1.0
    assert y[3] == pytest.approx(0.05, abs=1e-12)
    # (2/(1+y) + 50/(1+y)^2 = 100) → y = −0.2829…
    assert 2 / (1 + y[2]) + 50 / (1 + y[2]) ** 2 == pytest.approx(100.0)
    for i in range(4):
        assert yields_at_par(cash[i : i + 1], [1.0, 2.0], 100.0)[0].tobytes() == y[i].tobytes()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"engine": "spark"}, r"mc: engine must be 'local' or 'dask'; got 'spark'"),
        ({"seed": -1}, r"mc: seed must be an integer ≥ 0; got -1"),
        ({"scheduler": "tcp://x:1"}, r"mc: --scheduler needs engine 'dask'"),
        ({"n_paths": 0}, r"mc: n_paths must be ≥ 1; got 0"),
    ],
)
def test_errors(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"n_paths": 10, "seed": 1}
    args.update(kwargs)
    with pytest.raises(ScenarioError, match=message):
        mc.run_mc(licence_deal(), **args)  # type: ignore[arg-type]


def test_result_errors_name_the_tranche_and_metric() -> None:
    r = mc.run_mc(licence_deal(), n_paths=10, seed=1)
    with pytest.raises(ScenarioError, match=r"mc: no tranche named 'X'; tranches are"):
        r.losses("X")
    with pytest.raises(ScenarioError, match=r"mc: unknown metric 'irr'"):
        r.histogram("优先A", "irr")
    with pytest.raises(ScenarioError, match=r"mc: VaR level must be in \(0, 1\); got 1\.5"):
        r.var("优先A", 1.5)
