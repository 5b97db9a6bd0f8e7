"""Monte Carlo (蒙特卡洛): stochastic collection paths through the waterfall, per-tranche risk.

``run_mc(deal, n_paths=N, seed=S)`` simulates N paths with :func:`abs.projection.simulate`
(path p depends only on (seed, p)), runs them through the engine in chunks and combines the
per-path measures in path order. Outputs per tranche: the loss distribution (unpaid principal /
original balance), expected loss, probability of any shortfall (a missed interest or principal
payment), VaR 95/99 of loss, WAL and yield distributions, and the coverage percentiles through each
tranche, interest only (仅利息) and with scheduled principal (含本金), as docs/analytics.md
defines them;
every per-path array is kept for histograms.

Reproducible: the same seed gives bit-for-bit the same numbers whatever the chunk size, the
number of threads, and whether the chunks run locally or on a Dask cluster (``engine="dask"``):
path p depends only on (seed, p) and every measure is computed per path.

The pool model (:func:`abs.projection.pool_model`) is built once per run and shared by every
chunk: locally by reference, on Dask scattered to the workers once (not shipped per task).
Locally the chunks run one after another, each drawing its blocks of paths in ``threads``
parallel threads (the engine parallelises its own scenarios).

Support providers: when the deal's 差额支付 commitment has ``default_probability`` > 0, each path
draws whether the provider defaults (probability 1 − (1 − pd)^years to the expected maturity,
from its own random stream keyed by (seed, block)); a defaulted provider pays nothing on that
path (conservative: treated as in default from closing). ``support_default=False`` turns it off.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from abs.assumptions import Assumptions, Stress
from abs.deal import Deal
from abs.errors import ScenarioError
from abs.projection import PoolModel, pool_model
from scenarios.runner import Outcome, deal_base, path_block_size, simulate_outcome

FloatArray = npt.NDArray[np.float64]

#: Paths per chunk when not given (a whole number of projection blocks).
DEFAULT_CHUNK_PATHS = 8192
#: The same on Dask: smaller, so that chunks spread evenly over the workers (13 chunks of 8,192
#: on 2 workers leave one worker idle for a chunk; 25 of 4,096 for half of one).
DASK_CHUNK_PATHS = 4096
#: Loss quantiles reported as VaR.
VAR_LEVELS = (0.95, 0.99)
#: Percentiles of WAL, yield and coverage.
PERCENTILES = (5.0, 50.0, 95.0)

COL_TRANCHE = "档位 tranche"
COL_EL = "预期损失率 expected loss"
COL_P_SHORT = "发生短缺概率 P(shortfall)"
COL_VAR95 = "损失VaR95 loss VaR 95%"
COL_VAR99 = "损失VaR99 loss VaR 99%"
COL_MAX_LOSS = "最大损失率 max loss"
COL_WAL_MEAN = "平均WAL(年) mean WAL"
COL_WAL_P5 = "WAL P5"
COL_WAL_P50 = "WAL P50"
COL_WAL_P95 = "WAL P95"
COL_YIELD_MEAN = "平均收益率 mean yield"
COL_YIELD_P5 = "收益率 P5"
COL_YIELD_P50 = "收益率 P50"
#: Lowest coverage through the tranche, interest only (taxes, fees, interest due).
COL_MINCOV_P5 = "最低覆盖倍数（仅利息） P5 min coverage, interest only P5"
COL_MINCOV_P50 = "最低覆盖倍数（仅利息） P50 min coverage, interest only P50"
#: The same with the period's scheduled principal due (docs/analytics.md, 含本金).
COL_MINCOV_PRIN_P5 = "最低覆盖倍数（含本金） P5 min coverage incl. principal P5"
COL_MINCOV_PRIN_P50 = "最低覆盖倍数（含本金） P50 min coverage incl. principal P50"
MC_COLUMNS = (
    COL_TRANCHE,
    COL_EL,
    COL_P_SHORT,
    COL_VAR95,
    COL_VAR99,
    COL_MAX_LOSS,
    COL_WAL_MEAN,
    COL_WAL_P5,
    COL_WAL_P50,
    COL_WAL_P95,
    COL_YIELD_MEAN,
    COL_YIELD_P5,
    COL_YIELD_P50,
    COL_MINCOV_P5,
    COL_MINCOV_P50,
    COL_MINCOV_PRIN_P5,
    COL_MINCOV_PRIN_P50,
)

Engine = Literal["local", "dask"]
#: Per-path measures available for :meth:`MCResult.histogram`.
METRICS = (
    "loss",
    "shortfall",
    "wal",
    "yield",
    "min_coverage",
    "min_coverage_principal",
    "life_coverage",
)


def _metric(outcome: Outcome, metric: str) -> FloatArray:
    table: dict[str, FloatArray] = {
        "loss": outcome.loss,
        "shortfall": outcome.shortfall,
        "wal": outcome.wal,
        "yield": outcome.yld,
        "min_coverage": outcome.min_coverage,
        "min_coverage_principal": outcome.min_coverage_principal,
        "life_coverage": outcome.life_coverage,
    }
    if metric not in table:
        raise ScenarioError(f"mc: unknown metric {metric!r}; metrics are {list(METRICS)}")
    return table[metric]


@dataclass(frozen=True)
class MCResult:
    """Monte Carlo outcome: per-path measures (N paths × K tranches) and their summary.

    Attributes
    ----------
    deal_name : str
    n_paths, seed : int
    engine : str
        ``local`` or ``dask``.
    chunk_size : int
        Paths per chunk used.
    outcome : Outcome
        Per-path arrays (see :class:`scenarios.runner.Outcome`): ``loss``, ``shortfall``,
        ``paid_in_full``, ``wal``, ``yld``, ``min_coverage``, ``life_coverage``, ``cdr``.
    support_defaults : ndarray of bool (N,)
        Paths on which the 差额支付 provider was drawn in default.
    """

    deal_name: str
    n_paths: int
    seed: int
    engine: str
    chunk_size: int
    outcome: Outcome
    support_defaults: npt.NDArray[np.bool_]

    @property
    def tranche_names(self) -> tuple[str, ...]:
        """Tranche names in deal order."""
        return self.outcome.tranche_names

    def _k(self, tranche: str) -> int:
        try:
            return self.tranche_names.index(tranche)
        except ValueError:
            raise ScenarioError(
                f"mc: no tranche named {tranche!r}; tranches are {list(self.tranche_names)}"
            ) from None

    def losses(self, tranche: str) -> FloatArray:
        """Loss fraction per path for ``tranche`` (N,)."""
        return self.outcome.loss[:, self._k(tranche)]

    def expected_loss(self, tranche: str) -> float:
        """Mean loss fraction (unpaid principal / original balance)."""
        return float(self.losses(tranche).mean())

    def prob_shortfall(self, tranche: str) -> float:
        """Share of paths where the tranche missed any payment."""
        return float((~self.outcome.paid_in_full[:, self._k(tranche)]).mean())

    def var(self, tranche: str, level: float) -> float:
        """Loss quantile at ``level`` (e.g. 0.99), lower interpolation (an observed loss)."""
        if not 0 < level < 1:
            raise ScenarioError(f"mc: VaR level must be in (0, 1); got {level!r}")
        return float(np.quantile(self.losses(tranche), level, method="lower"))

    def histogram(
        self, tranche: str | None, metric: str = "loss", *, bins: int = 50
    ) -> tuple[FloatArray, FloatArray]:
        """Histogram-ready ``(counts, edges)`` of a per-path measure.

        Parameters
        ----------
        tranche : str or None
            Tranche name; None for the deal-level coverage measures.
        metric : str
            One of :data:`METRICS`.
        bins : int
            Number of bins (non-finite values are left out).
        """
        values = _metric(self.outcome, metric)
        col = values[:, self._k(tranche)] if tranche is not None else values[:, 0]
        col = col[np.isfinite(col)]
        counts, edges = np.histogram(col, bins=bins)
        return counts.astype(np.float64), edges.astype(np.float64)

    def summary(self) -> pd.DataFrame:
        """One row per tranche with the :data:`MC_COLUMNS` (fractions, years, ×)."""
        o = self.outcome
        rows = []
        for k, name in enumerate(self.tranche_names):
            loss = o.loss[:, k]
            wal = o.wal[:, k]
            yld = o.yld[:, k]
            cov = o.min_coverage[:, k]
            wal_p = _pct(wal)
            yld_p = _pct(yld)
            cov_p = _pct(cov)
            cov_prin_p = _pct(o.min_coverage_principal[:, k])
            rows.append(
                {
                    COL_TRANCHE: name,
                    COL_EL: float(loss.mean()),
                    COL_P_SHORT: float((~o.paid_in_full[:, k]).mean()),
                    COL_VAR95: float(np.quantile(loss, 0.95, method="lower")),
                    COL_VAR99: float(np.quantile(loss, 0.99, method="lower")),
                    COL_MAX_LOSS: float(loss.max()),
                    COL_WAL_MEAN: _mean(wal),
                    COL_WAL_P5: wal_p[0],
                    COL_WAL_P50: wal_p[1],
                    COL_WAL_P95: wal_p[2],
                    COL_YIELD_MEAN: _mean(yld),
                    COL_YIELD_P5: yld_p[0],
                    COL_YIELD_P50: yld_p[1],
                    COL_MINCOV_P5: cov_p[0],
                    COL_MINCOV_P50: cov_p[1],
                    COL_MINCOV_PRIN_P5: cov_prin_p[0],
                    COL_MINCOV_PRIN_P50: cov_prin_p[1],
                }
            )
        return pd.DataFrame(rows, columns=list(MC_COLUMNS))

    def to_dict(self, *, bins: int = 20) -> dict[str, Any]:
        """JSON-ready summary (the ``dabs mc --json`` shape), with loss histograms."""
        tranches = []
        for k, name in enumerate(self.tranche_names):
            counts, edges = self.histogram(name, "loss", bins=bins)
            o = self.outcome
            tranches.append(
                {
                    "name": name,
                    "expected_loss": float(o.loss[:, k].mean()),
                    "prob_shortfall": float((~o.paid_in_full[:, k]).mean()),
                    "var95": float(np.quantile(o.loss[:, k], 0.95, method="lower")),
                    "var99": float(np.quantile(o.loss[:, k], 0.99, method="lower")),
                    "max_loss": float(o.loss[:, k].max()),
                    "expected_shortfall_yuan": float(o.shortfall[:, k].mean()),
                    "wal_years": _dist(o.wal[:, k]),
                    "yield": _dist(o.yld[:, k]),
                    "min_coverage": _dist(o.min_coverage[:, k]),
                    "min_coverage_principal": _dist(o.min_coverage_principal[:, k]),
                    "loss_histogram": {"counts": [int(c) for c in counts], "edges": edges.tolist()},
                }
            )
        return {
            "deal": self.deal_name,
            "n_paths": self.n_paths,
            "seed": self.seed,
            "engine": self.engine,
            "chunk_size": self.chunk_size,
            "support_default_share": float(self.support_defaults.mean()),
            "mean_cumulative_default_rate": float(self.outcome.cdr.mean()),
            "share_out_of_band": self.outcome.share_out_of_band,
            "tranches": tranches,
        }


def _finite(x: FloatArray) -> FloatArray:
    return x[np.isfinite(x)]


def _mean(x: FloatArray) -> float:
    f = _finite(x)
    return float(f.mean()) if f.size else math.nan


def _pct(x: FloatArray) -> list[float]:
    f = _finite(x)
    if not f.size:
        return [math.nan] * len(PERCENTILES)
    return [float(v) for v in np.percentile(f, PERCENTILES)]


def _dist(x: FloatArray) -> dict[str, float]:
    p = _pct(x)
    return {"mean": _mean(x), "p5": p[0], "p50": p[1], "p95": p[2]}


def chunk_plan(n_paths: int, chunk_size: int | None) -> tuple[int, list[tuple[int, int]]]:
    """Chunk size (a multiple of the projection's path block) and the (first, n) chunks.

    Raises
    ------
    ScenarioError
        ``n_paths`` < 1 or ``chunk_size`` < 1.
    """
    if n_paths < 1:
        raise ScenarioError(f"mc: n_paths must be ≥ 1; got {n_paths!r}")
    block = path_block_size()
    size = DEFAULT_CHUNK_PATHS if chunk_size is None else int(chunk_size)
    if size < 1:
        raise ScenarioError(f"mc: chunk_size must be ≥ 1; got {chunk_size!r}")
    size = max(block, (size + block - 1) // block * block)
    return size, [(a, min(size, n_paths - a)) for a in range(0, n_paths, size)]


def default_threads() -> int:
    """Cores this process may use (its CPU affinity), the default of ``run_mc(threads=)``."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _run_chunk(
    deal: Deal,
    model: PoolModel,
    assumptions: Assumptions | None,
    stress: Stress | None,
    seed: int,
    support_default: bool,
    first_path: int,
    n_paths: int,
) -> Outcome:
    """One chunk on a Dask worker: ``deal`` and ``model`` arrive scattered (once per worker)."""
    return simulate_outcome(
        deal,
        assumptions=assumptions,
        seed=seed,
        first_path=first_path,
        n_paths=n_paths,
        stress=stress,
        support_default=support_default,
        model=model,
    )


def run_mc(
    deal: Deal,
    *,
    n_paths: int,
    seed: int,
    engine: Engine = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    threads: int | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    assumptions: Assumptions | None = None,
    stress: Stress | None = None,
    support_default: bool = True,
    retries: int = 3,
) -> MCResult:
    """Monte Carlo of the deal: ``n_paths`` stochastic paths through the waterfall.

    Parameters
    ----------
    deal : Deal
        The deal, with its pool.
    n_paths : int
        Number of paths.
    seed : int
        Seed of the paths (same seed → identical numbers on any engine and chunking).
    engine : {"local", "dask"}
        ``local``: chunks in this process; ``dask``: chunks on a Dask cluster.
    scheduler : str, optional
        Dask scheduler address (``tcp://host:8786``); default: a LocalCluster for the run.
    workers : int, optional
        Worker processes of that LocalCluster (default 2).
    threads : int, optional
        Local engine: threads drawing the paths of a chunk (default: every core this process
        may use, :func:`default_threads`). The numbers do not depend on it.
    chunk_size : int, optional
        Paths per chunk, rounded up to whole projection blocks (default 8192 locally, 4096 on
        Dask).
    progress : callable, optional
        ``progress(done_paths, total_paths)`` after each chunk (e.g. ``st.progress``).
    assumptions : Assumptions, optional
        Default: the deal's.
    stress : Stress, optional
        Projection stress applied on every path; its engine factors apply too (default: the
        deal's base adjustments, :func:`scenarios.runner.deal_base`).
    support_default : bool
        Draw the 差额支付 provider's default per path from its ``default_probability``.
    retries : int
        Dask retries of a failing chunk.

    Returns
    -------
    MCResult

    Raises
    ------
    ScenarioError
        Bad arguments, or a chunk that failed (named with its path range).
    """
    if engine not in ("local", "dask"):
        raise ScenarioError(f"mc: engine must be 'local' or 'dask'; got {engine!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ScenarioError(f"mc: seed must be an integer ≥ 0; got {seed!r}")
    if scheduler is not None and engine != "dask":
        raise ScenarioError("mc: --scheduler needs engine 'dask'")
    if threads is not None and (isinstance(threads, bool) or threads < 1):
        raise ScenarioError(f"mc: threads must be ≥ 1; got {threads!r}")
    if chunk_size is None and engine == "dask":
        chunk_size = DASK_CHUNK_PATHS
    size, chunks = chunk_plan(n_paths, chunk_size)
    stress = deal_base(deal, stress, assumptions)
    model = pool_model(deal, assumptions)
    parts: list[Outcome]
    if engine == "local":
        n_threads = threads if threads is not None else default_threads()
        parts = []
        done = 0
        for first, n in chunks:
            parts.append(
                simulate_outcome(
                    deal,
                    assumptions=assumptions,
                    seed=int(seed),
                    first_path=first,
                    n_paths=n,
                    stress=stress,
                    support_default=support_default,
                    model=model,
                    threads=n_threads,
                )
            )
            done += n
            if progress is not None:
                progress(done, n_paths)
    else:
        from scenarios.distributed import run_chunks

        parts = run_chunks(
            _run_chunk,
            (assumptions, stress, int(seed), bool(support_default)),
            chunks,
            shared=(deal, model),
            scheduler=scheduler,
            workers=workers,
            retries=retries,
            progress=progress,
        )
    outcome = Outcome.concat(parts)
    return MCResult(
        deal_name=deal.name,
        n_paths=n_paths,
        seed=int(seed),
        engine=engine,
        chunk_size=size,
        outcome=outcome,
        support_defaults=outcome.support_defaulted,
    )
