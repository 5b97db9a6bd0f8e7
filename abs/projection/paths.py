"""Stochastic paths of pool collections, by an algorithm whose cost grows with the defaults.

A path starts from the pool's no-default schedule (per kind), draws which assets default and
when (one-factor Gaussian copula, sampling only the defaulters), takes each defaulted asset's
flows away from its default period on, adds its recovery ``lag`` periods later, and scales the
usage-driven cash of each kind by a pool-level lognormal shock. Nothing is ever shaped assets ×
paths × periods.

Reproducibility: path p's random numbers come from block ``p // PATH_BLOCK_SIZE``, seeded by
``SeedSequence(seed, spawn_key=(block,))`` with one child stream each for credit, usage and
renewal. Inside a block the streams are read path by path in order, so a path depends only on
``(seed, p)``: any chunking, any thread and any machine give the same numbers bit for bit.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from abs.errors import ProjectionError
from abs.projection import kernels

if TYPE_CHECKING:
    from abs.projection.model import PoolCase

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Paths per random block: path p's draws come from block p // PATH_BLOCK_SIZE, seeded by
#: ``SeedSequence(seed, spawn_key=(block,))``, so a path never depends on how a run is chunked.
#: Changing it changes every stochastic number: it is part of the reproducibility contract.
PATH_BLOCK_SIZE = 512

#: Width of a default-sampling bucket in latent-threshold units: assets whose horizon
#: thresholds Φ⁻¹(PD to their last flow) lie within this of the bucket's highest share one
#: candidate rate (about 1.6 candidates per default at worst for a 2% PD; the choice changes
#: which random numbers a path reads, so it is part of the reproducibility contract too).
BUCKET_WIDTH = 0.2

#: Quantities carried per asset and period: cash, principal, writedown, variable cash,
#: variable principal.
N_QUANTITIES = 5


def path_block_size() -> int:
    """Paths per random block (:data:`PATH_BLOCK_SIZE`); chunk runs in multiples of it."""
    return PATH_BLOCK_SIZE


def check_paths(n_paths: int, seed: int, first_path: int) -> None:
    """Validate the run arguments of :func:`abs.projection.simulate`.

    Raises
    ------
    ProjectionError
        ``n_paths`` < 1, ``first_path`` < 0, or a seed that is not a non-negative integer.
    """
    if isinstance(n_paths, bool) or n_paths < 1:
        raise ProjectionError(f"simulate: n_paths must be >= 1; got {n_paths}")
    if first_path < 0:
        raise ProjectionError(f"simulate: first_path must be >= 0; got {first_path}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ProjectionError(f"simulate: seed must be a non-negative integer; got {seed!r}")


@dataclass(frozen=True, eq=False)
class PathPlan:
    """Everything the path kernel reads for one case (arrays laid out once per case).

    Attributes
    ----------
    q : ndarray (N, T, 5)
        Per asset and period: cash, principal, writedown (scheduled − principal), variable
        cash and variable principal, haircut applied.
    agg_cash, agg_var : ndarray (K, T)
        Cash and variable cash of the pool per kind with no default.
    agg_flow : ndarray (3, T)
        Pool principal, writedowns and variable principal with no default.
    ren, ren_assets, ren_row, ren_p : renewals
        Renewal cash (R, T) of the R assets that may renew, their asset index, each asset's
        renewal row (−1: none) and the renewal probability (R,).
    life_end : ndarray of int (N,)
        Last period in which a default of the asset changes anything (−1: never).
    sure : ndarray of int
        Assets with PD 1 (default in the first period on every path).
    order, a_sorted, a_rows, bucket_start : default sampling
        Assets that may default sorted by their horizon threshold (descending), the thresholds,
        the per-period thresholds Φ⁻¹(1 − (1 − pd)^τₛ) of each (rows in that order), and the
        bucket boundaries.
    """

    q: FloatArray
    agg_cash: FloatArray
    agg_var: FloatArray
    agg_flow: FloatArray
    ren: FloatArray
    ren_assets: IntArray
    ren_row: IntArray
    ren_p: FloatArray
    opening: FloatArray
    recovery: FloatArray
    lag: IntArray
    kind: IntArray
    life_end: IntArray
    sure: IntArray
    order: IntArray
    a_sorted: FloatArray
    a_rows: FloatArray
    bucket_start: IntArray
    sqrt_rho: float
    sqrt_idio: float
    c_usage: float
    vol: FloatArray
    delay: int
    n_kinds: int

    @classmethod
    def of(cls, case: PoolCase) -> PathPlan:
        """Lay out the kernel's arrays for ``case``."""
        m = case.model
        arr = case.arrays
        sc = case.scale
        n, t = m.n_assets, m.n_periods
        kind = m.inputs.kind_code
        k = len(m.kind_values)
        q = np.empty((n, t, N_QUANTITIES))
        q[:, :, 0] = sc * arr.cash
        q[:, :, 1] = sc * arr.principal
        q[:, :, 2] = m.scheduled - q[:, :, 1]
        q[:, :, 3] = sc * arr.variable
        q[:, :, 4] = sc * arr.variable_principal
        ind = np.zeros((k, n))
        ind[kind, np.arange(n)] = 1.0
        agg_cash = ind @ q[:, :, 0]
        agg_var = ind @ q[:, :, 3]
        agg_flow = np.stack([q[:, :, 1].sum(axis=0), q[:, :, 2].sum(axis=0), q[:, :, 4].sum(0)])
        ren_all = sc * arr.renewal
        may_renew = (case.renewal_p > 0) & np.any(ren_all != 0, axis=1)
        ren_assets = np.flatnonzero(may_renew).astype(np.int64)
        ren_row = np.full(n, -1, dtype=np.int64)
        ren_row[ren_assets] = np.arange(ren_assets.size)
        active = np.any(q != 0, axis=2) | (m.opening != 0) | (ren_all != 0)
        life_end = np.where(active.any(axis=1), t - 1 - np.argmax(active[:, ::-1], axis=1), -1)
        pd = case.annual_pd
        sure = np.flatnonzero((pd >= 1.0) & (life_end >= 0)).astype(np.int64)
        can = np.flatnonzero((pd > 0) & (pd < 1.0) & (life_end >= 0))
        # Φ⁻¹(1 − (1 − pd)^τ) per period, from −expm1 for accuracy at small PDs
        from scipy.special import ndtri  # 0.12 s to import; stochastic paths only

        with np.errstate(divide="ignore"):
            a_all = ndtri(-np.expm1(m.tau[None, :] * np.log1p(-pd[can, None])))
        horizon = a_all[np.arange(can.size), life_end[can]]
        sort = np.argsort(-horizon, kind="stable")
        order = can[sort].astype(np.int64)
        a_sorted = horizon[sort]
        starts = [0]
        for j in range(1, a_sorted.size):
            if a_sorted[j] < a_sorted[starts[-1]] - BUCKET_WIDTH:
                starts.append(j)
        bucket_start = np.array([*starts, a_sorted.size] if a_sorted.size else [0], np.int64)
        rho = m.assumptions.asset_correlation
        a_ = m.assumptions
        sigma = a_.usage_volatility
        vol = sigma * np.sqrt(m.schedule.collection_period_years) if sigma > 0 else np.zeros(0)
        return cls(
            q=q,
            agg_cash=np.ascontiguousarray(agg_cash),
            agg_var=np.ascontiguousarray(agg_var),
            agg_flow=np.ascontiguousarray(agg_flow),
            ren=np.ascontiguousarray(ren_all[ren_assets]),
            ren_assets=ren_assets,
            ren_row=ren_row,
            ren_p=np.ascontiguousarray(case.renewal_p[ren_assets]),
            opening=m.opening,
            recovery=case.recovery,
            lag=m.inputs.lag,
            kind=kind,
            life_end=life_end.astype(np.int64),
            sure=sure,
            order=order,
            a_sorted=np.ascontiguousarray(a_sorted),
            a_rows=np.ascontiguousarray(a_all[sort]),
            bucket_start=bucket_start,
            sqrt_rho=math.sqrt(rho),
            sqrt_idio=math.sqrt(1.0 - rho),
            c_usage=a_.usage_default_correlation,
            vol=np.asarray(vol, dtype=np.float64),
            delay=case.delay,
            n_kinds=k,
        )


@dataclass(frozen=True, eq=False)
class PathArrays:
    """Raw path outputs of a run (before the pool balance is settled)."""

    by_kind: FloatArray  # (K, P, T)
    principal: FloatArray  # (P, T) incl. recoveries
    defaults: FloatArray
    recoveries: FloatArray
    writedowns: FloatArray


def block_streams(
    seed: int, block: int
) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """The credit, usage and renewal generators of one block of paths."""
    ss = np.random.SeedSequence(int(seed), spawn_key=(int(block),))
    credit, usage, renew = (np.random.default_rng(c) for c in ss.spawn(3))
    return credit, usage, renew


def run_paths(
    plan: PathPlan, *, n_paths: int, seed: int, first_path: int, threads: int = 1
) -> PathArrays:
    """Paths ``[first_path, first_path + n_paths)`` of a case (see the module docstring).

    ``threads`` > 1 runs blocks of paths in parallel threads (the kernel releases the GIL);
    each block reads only its own streams and writes only its own rows, so the numbers do not
    depend on it.
    """
    if threads < 1:
        raise ProjectionError(f"simulate: threads must be >= 1; got {threads}")
    t = plan.agg_cash.shape[1]
    out = PathArrays(
        by_kind=np.empty((plan.n_kinds, n_paths, t)),
        principal=np.empty((n_paths, t)),
        defaults=np.empty((n_paths, t)),
        recoveries=np.empty((n_paths, t)),
        writedowns=np.empty((n_paths, t)),
    )
    end = first_path + n_paths
    b = PATH_BLOCK_SIZE
    blocks = range(first_path // b, (end - 1) // b + 1)

    def one(block: int) -> None:
        lo = max(first_path, block * b) - block * b
        hi = min(end, (block + 1) * b) - block * b
        credit, usage, renew = block_streams(seed, block)
        z = credit.standard_normal(b)
        eta = usage.standard_normal((b, t))
        kernels.block_paths(
            credit,
            renew,
            z,
            eta,
            lo,
            hi,
            block * b + lo - first_path,
            plan.q,
            plan.ren,
            plan.ren_row,
            plan.ren_assets,
            plan.ren_p,
            plan.opening,
            plan.recovery,
            plan.lag,
            plan.kind,
            plan.life_end,
            plan.agg_cash,
            plan.agg_var,
            plan.agg_flow,
            plan.sure,
            plan.order,
            plan.a_sorted,
            plan.a_rows,
            plan.bucket_start,
            plan.sqrt_rho,
            plan.sqrt_idio,
            plan.c_usage,
            plan.vol,
            plan.delay,
            out.by_kind,
            out.principal,
            out.defaults,
            out.recoveries,
            out.writedowns,
        )

    if threads == 1 or len(blocks) == 1:
        for block in blocks:
            one(block)
    else:
        with ThreadPoolExecutor(max_workers=min(threads, len(blocks))) as pool:
            list(pool.map(one, blocks))
    return out
