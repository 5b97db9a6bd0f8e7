"""The projection's functions on a deal: each uses the deal's cached :class:`PoolModel`."""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt
import pandas as pd

from abs import replenishment
from abs.assumptions import Assumptions, Stress
from abs.cashflows import Collections
from abs.deal import Deal
from abs.errors import ProjectionError
from abs.projection.model import case_key, pool_model
from abs.projection.paths import check_paths


def _stress(deal: Deal, assumptions: Assumptions | None, stress: Stress | None) -> Stress:
    """The stress a run applies: the given one, else the assumptions' own."""
    if stress is not None:
        return stress
    return (deal.assumptions if assumptions is None else assumptions).stress


def base_forecast(deal: Deal, assumptions: Assumptions | None = None) -> npt.NDArray[np.float64]:
    """The forecast every run of ``deal`` is measured against: the expected total per period of
    the deal's base case (the assumptions' own stress), read-only.

    What the offering document forecasts; the ``collections_below_forecast`` trigger compares
    a scenario's collections with it. A stress never moves it, so a scenario run alone
    (``dabs run --scenario``), in a stress grid or as Monte Carlo paths sees the same trigger.
    """
    model = pool_model(deal, assumptions)
    forecast: npt.NDArray[np.float64] = model.expected(_stress(deal, assumptions, None)).forecast
    return forecast


def _with_base_forecast(
    deal: Deal, assumptions: Assumptions | None, stress: Stress, out: Collections
) -> Collections:
    if case_key(stress) == case_key(_stress(deal, assumptions, None)):
        return out  # the base case: its own expected total is the forecast
    return dataclasses.replace(out, forecast=base_forecast(deal, assumptions))


def project(
    deal: Deal,
    assumptions: Assumptions | None = None,
    *,
    scenarios: int = 1,
    seed: int | None = None,
    stress: Stress | None = None,
) -> Collections:
    """Project the pool's collections on the deal's payment schedule.

    Parameters
    ----------
    deal : Deal
        A deal with its pool (``abs.load_deal`` reads the tape).
    assumptions : Assumptions, optional
        Default: ``deal.assumptions``.
    scenarios : int
        1 with ``seed=None`` gives the expected case (S = 1, survival-weighted); otherwise
        ``scenarios`` stochastic paths (:func:`simulate` with ``first_path=0``).
    seed : int, optional
        Seed of the stochastic paths. With ``scenarios > 1`` and no seed, fresh entropy is drawn
        and recorded in ``Collections.seed`` so the run can be repeated.
    stress : Stress, optional
        Stress of this run (default: the assumptions' own ``stress``).

    Returns
    -------
    Collections
        Arrays (S, T); ``forecast`` is the base case's expected total (:func:`base_forecast`,
        whatever the stress); the expected case carries the
        per-asset table (``asset_table``, built on first use) and the schedule. The expected
        case is computed once per pool, assumptions and stress and its arrays are shared and
        read-only: copy before modifying.

    Raises
    ------
    ProjectionError
        Invalid asset parameters (named by asset id and field) or run arguments.
    DealSpecError
        The deal has no pool.
    ScheduleError
        The deal dates give no valid schedule.

    Examples
    --------
    >>> import abs
    >>> c = abs.project(abs.load_deal("qingdao-pure"))  # doctest: +SKIP
    >>> c.total.shape  # doctest: +SKIP
    (1, 20)
    """
    if isinstance(scenarios, bool) or scenarios < 1:
        raise ProjectionError(f"project: scenarios must be >= 1; got {scenarios!r}")
    model = pool_model(deal, assumptions)
    st = _stress(deal, assumptions, stress)
    if scenarios == 1 and seed is None:
        out = model.expected(st)
    else:
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
        out = model.simulate(n_paths=scenarios, seed=seed, first_path=0, stress=st)
    out = _with_base_forecast(deal, assumptions, st, out)
    # a revolving deal: what can be bought each period (docs/revolving.md)
    return replenishment.attach(deal, out, assumptions=assumptions, stress=st)


def simulate(
    deal: Deal,
    assumptions: Assumptions | None = None,
    *,
    n_paths: int,
    seed: int,
    first_path: int = 0,
    stress: Stress | None = None,
) -> Collections:
    """Stochastic paths ``[first_path, first_path + n_paths)`` of pool collections.

    Path p depends only on ``(seed, p)``: its random numbers come from block
    ``p // PATH_BLOCK_SIZE`` (``SeedSequence(seed, spawn_key=(block,))``, one child stream each
    for credit, usage and renewal, read path by path), so splitting a run into chunks in any
    way and concatenating them (:meth:`Collections.stack`) gives the same paths as one call,
    on any thread or machine. The systematic factor and the usage shocks of a path are the same
    under every stress (common random numbers); which assets default is sampled per stress.

    Model per path: one systematic factor Z; asset i defaults at time
    τᵢ = ln Φ(−Xᵢ) / ln(1 − pdᵢ) with Xᵢ = √ρ·Z + √(1−ρ)·εᵢ (one-factor Gaussian copula on the
    survival curve (1 − pd)^τ); usage-driven cash of period t is scaled at pool level by
    exp(σ√Δt·W − σ²Δt/2), W = c·Z + √(1−c²)·η (c = ``usage_default_correlation``); renewals are
    Bernoulli(p) per asset and path. Only the defaulters are drawn (conditionally on Z, by
    geometric skips), and a path costs time in proportion to its defaults and the pool's kinds
    × periods, never assets × periods (``docs/projection.md``).

    Parameters
    ----------
    deal : Deal
    assumptions : Assumptions, optional
    n_paths : int
        Number of paths (≥ 1).
    seed : int
        Non-negative integer seed.
    first_path : int
        Index of the first path.
    stress : Stress, optional
        Default: the assumptions' own.

    Returns
    -------
    Collections
        Shape (n_paths, T); ``forecast`` = the base case's expected total
        (:func:`base_forecast`).

    Raises
    ------
    ProjectionError
        Bad ``n_paths``, ``first_path`` or ``seed``, or invalid asset parameters.
    """
    check_paths(n_paths, seed, first_path)
    model = pool_model(deal, assumptions)
    st = _stress(deal, assumptions, stress)
    out = model.simulate(n_paths=n_paths, seed=seed, first_path=first_path, stress=st)
    out = _with_base_forecast(deal, assumptions, st, out)
    return replenishment.attach(deal, out, assumptions=assumptions, stress=st)


def expected_asset_table(
    deal: Deal, assumptions: Assumptions | None = None, *, stress: Stress | None = None
) -> pd.DataFrame:
    """Expected case per asset and period (long table, :data:`ASSET_TABLE_COLUMNS`).

    期初余额 − 本期应收本金 − 违约金额 − 减记金额 = 期末余额 per asset and period;
    本期应收本金 + 本期应收收入 + 回收金额 = 回收款合计. Money in yuan. Built once per pool,
    assumptions and stress and shared: copy before modifying.
    """
    return pool_model(deal, assumptions).asset_table(_stress(deal, assumptions, stress))


def pool_cashflow_table(collections: Collections, scenario: int = 0) -> pd.DataFrame:
    """现金流归集表 of one scenario (see :meth:`Collections.to_frame` for the columns).

    Taxes (应缴税费/实缴税费) are left to the waterfall, which computes them.
    """
    return collections.to_frame(scenario)


def data_asset_values(deal: Deal, assumptions: Assumptions | None = None) -> pd.DataFrame:
    """Income-approach value of each direct data asset (收益法, 中评协〔2023〕17号).

    V = K · Σₖ Fₖ / (1 + r)^tₖ over the asset's contract payments after the cut-off (to its own
    maturity, also past the notes' legal maturity), with Fₖ the expected cash (contracted cash ×
    survival (1 − pd)^tₖ, renewals × p in renewal mode, stress of the assumptions applied, no
    recoveries), tₖ years (ACT/365F) from the cut-off, r = ``assumptions.discount_rate``,
    K = ``assumptions.data_attribution``. ``合同现金流现值`` is the same sum on contracted cash
    without credit or K (the transfer-price basis); 差异 = V − 评估价值 from the tape.

    Returns
    -------
    DataFrame
        Columns :data:`VALUE_TABLE_COLUMNS`; one row per asset with ``data_link`` direct.
    """
    return pool_model(deal, assumptions).data_asset_values(_stress(deal, assumptions, None))


def pv_by_asset(deal: Deal, assumptions: Assumptions | None = None) -> dict[str, float]:
    """Present value (yuan) of each asset's expected collections on the deal's schedule.

    Σₜ collectionsᵢ,ₜ / (1 + r)^τₜ, with the expected-case collections of the asset (survival,
    recoveries, delay, the assumptions' stress), τₜ years (ACT/365F) from the cut-off to 计算日 t
    and r = ``assumptions.discount_rate``. Cash after the last 计算日 is not collected by the
    deal and not counted. This is the ``pv`` basis of :func:`abs.classify.classify`.

    Returns
    -------
    dict
        asset_id → PV in yuan, in pool order.
    """
    return pool_model(deal, assumptions).pv_by_asset(_stress(deal, assumptions, None))
