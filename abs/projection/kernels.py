"""Compiled loops of the projection (numba): the expected case and the stochastic paths.

Plain scalar code over arrays prepared by :mod:`abs.projection.model` and
:mod:`abs.projection.paths`; no Python objects except the random generator of a path block.
Every kernel releases the GIL (``nogil``), so chunks of paths run in parallel threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)

# Rational approximation of the standard normal quantile (P. J. Acklam, 2003; relative error
# below 1.2e-9), refined by one Halley step on erfc to full double precision.
_A0, _A1, _A2 = -3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02
_A3, _A4, _A5 = 1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00
_B0, _B1, _B2 = -5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02
_B3, _B4 = 6.680131188771972e01, -1.328068155288572e01
_C0, _C1, _C2 = -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00
_C3, _C4, _C5 = -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00
_D0, _D1, _D2, _D3 = (
    7.784695709041462e-03,
    3.224671290700398e-01,
    2.445134137142996e00,
    3.754408661907416e00,
)
_P_LOW = 0.02425


@njit(cache=True, nogil=True)
def norm_cdf(x: float) -> float:
    """Φ(x), the standard normal distribution function."""
    return 0.5 * math.erfc(-x / _SQRT2)


@njit(cache=True, nogil=True)
def norm_ppf(p: float) -> float:
    """Φ⁻¹(p) (−inf at 0, +inf at 1), accurate to a few units in the last place."""
    if p <= 0.0:
        return -np.inf
    if p >= 1.0:
        return np.inf
    if p < _P_LOW:
        q = math.sqrt(-2.0 * math.log(p))
        x = (((((_C0 * q + _C1) * q + _C2) * q + _C3) * q + _C4) * q + _C5) / (
            (((_D0 * q + _D1) * q + _D2) * q + _D3) * q + 1.0
        )
    elif p <= 1.0 - _P_LOW:
        q = p - 0.5
        r = q * q
        x = (
            (((((_A0 * r + _A1) * r + _A2) * r + _A3) * r + _A4) * r + _A5)
            * q
            / (((((_B0 * r + _B1) * r + _B2) * r + _B3) * r + _B4) * r + 1.0)
        )
    else:
        q = math.sqrt(-2.0 * math.log1p(-p))
        x = -(((((_C0 * q + _C1) * q + _C2) * q + _C3) * q + _C4) * q + _C5) / (
            (((_D0 * q + _D1) * q + _D2) * q + _D3) * q + 1.0
        )
    # Halley step; the error Φ(x) − p is taken on the side where it does not cancel
    e = (1.0 - p) - 0.5 * math.erfc(x / _SQRT2) if p > 0.5 else 0.5 * math.erfc(-x / _SQRT2) - p
    u = e * _SQRT2PI * math.exp(0.5 * x * x)
    return x - u / (1.0 + 0.5 * x * u)


@njit(cache=True, nogil=True)
def _survival(tau: float, log_surv: float) -> float:
    """(1 − pd)^τ from ln(1 − pd) (0 for a certain default)."""
    if log_surv == -np.inf:
        return 0.0
    return math.exp(tau * log_surv)


@njit(cache=True, nogil=True)
def expected_pool(
    cash: np.ndarray,
    prin: np.ndarray,
    sched: np.ndarray,
    ren: np.ndarray,
    opening: np.ndarray,
    scale: float,
    log_surv: np.ndarray,
    recovery: np.ndarray,
    lag: np.ndarray,
    ren_p: np.ndarray,
    kind: np.ndarray,
    n_kinds: int,
    tau: np.ndarray,
    delay: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Expected collections summed over the pool.

    Per asset and period: survival S = (1 − pd)^τ, defaults (S₋ − S) × opening balance,
    recoveries recovery × defaults ``lag`` periods later, cash S × scale × (cash + p × renewal),
    principal S × scale × principal, writedowns S × (scheduled − scale × principal); cash,
    principal and recoveries arrive ``delay`` periods later (overflow in the last period).

    Returns
    -------
    by_kind (K, T), principal incl. recoveries (T), recoveries (T), defaults (T),
    writedowns (T).
    """
    n, t = cash.shape
    last = t - 1
    by_kind = np.zeros((n_kinds, t))
    principal = np.zeros(t)
    recoveries = np.zeros(t)
    defaults = np.zeros(t)
    writedowns = np.zeros(t)
    for i in range(n):
        k = kind[i]
        ls = log_surv[i]
        rec = recovery[i]
        p = ren_p[i]
        prev = 1.0
        for s in range(t):
            surv = _survival(tau[s], ls)
            d = (prev - surv) * opening[i, s]
            prev = surv
            defaults[s] += d
            tr = min(s + lag[i] + delay, last)
            rv = rec * d
            recoveries[tr] += rv
            by_kind[k, tr] += rv
            principal[tr] += rv
            tc = min(s + delay, last)
            pr = scale * prin[i, s]
            by_kind[k, tc] += surv * (scale * cash[i, s] + p * (scale * ren[i, s]))
            principal[tc] += surv * pr
            writedowns[s] += surv * (sched[i, s] - pr)
    return by_kind, principal, recoveries, defaults, writedowns


@njit(cache=True, nogil=True)
def expected_assets(
    cash: np.ndarray,
    prin: np.ndarray,
    sched: np.ndarray,
    ren: np.ndarray,
    opening: np.ndarray,
    scale: float,
    log_surv: np.ndarray,
    recovery: np.ndarray,
    lag: np.ndarray,
    ren_p: np.ndarray,
    tau: np.ndarray,
    delay: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The flows of :func:`expected_pool` per asset, arrays (N, T).

    Returns
    -------
    cash (without recoveries), principal (without recoveries), recoveries, defaults,
    writedowns.
    """
    n, t = cash.shape
    last = t - 1
    out_cash = np.zeros((n, t))
    out_prin = np.zeros((n, t))
    out_rec = np.zeros((n, t))
    out_def = np.zeros((n, t))
    out_wd = np.zeros((n, t))
    for i in range(n):
        ls = log_surv[i]
        rec = recovery[i]
        p = ren_p[i]
        prev = 1.0
        for s in range(t):
            surv = _survival(tau[s], ls)
            d = (prev - surv) * opening[i, s]
            prev = surv
            out_def[i, s] = d
            out_rec[i, min(s + lag[i] + delay, last)] += rec * d
            tc = min(s + delay, last)
            pr = scale * prin[i, s]
            out_cash[i, tc] += surv * (scale * cash[i, s] + p * (scale * ren[i, s]))
            out_prin[i, tc] += surv * pr
            out_wd[i, s] = surv * (sched[i, s] - pr)
    return out_cash, out_prin, out_rec, out_def, out_wd


@njit(cache=True, nogil=True)
def _default_period(a_row: np.ndarray, last: int, x: float) -> int:
    """First period s ≤ last with x < a_row[s] (a_row is non-decreasing); last if none."""
    lo, hi = 0, last
    while lo < hi:
        mid = (lo + hi) // 2
        if x < a_row[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True, nogil=True)
def block_paths(
    credit: np.random.Generator,  # the block's credit stream, after its systematic factors
    renew: np.random.Generator,  # the block's renewal stream
    z: np.ndarray,
    eta: np.ndarray,
    lo: int,
    hi: int,
    out_row: int,
    # the case's arrays (see abs.projection.paths.PathPlan)
    q: np.ndarray,
    ren: np.ndarray,
    ren_row: np.ndarray,
    ren_assets: np.ndarray,
    ren_p: np.ndarray,
    opening: np.ndarray,
    recovery: np.ndarray,
    lag: np.ndarray,
    kind: np.ndarray,
    life_end: np.ndarray,
    agg_cash: np.ndarray,
    agg_var: np.ndarray,
    agg_flow: np.ndarray,
    sure: np.ndarray,
    order: np.ndarray,
    a_sorted: np.ndarray,
    a_rows: np.ndarray,
    bucket_start: np.ndarray,
    sqrt_rho: float,
    sqrt_idio: float,
    c_usage: float,
    vol: np.ndarray,
    delay: int,
    # outputs, rows out_row … out_row + (hi − lo) − 1
    by_kind: np.ndarray,
    principal: np.ndarray,
    defaults: np.ndarray,
    recoveries: np.ndarray,
    writedowns: np.ndarray,
) -> None:
    """Paths ``lo … hi − 1`` of one block of paths.

    Paths ``0 … hi − 1`` of the block are drawn in order (the credit stream is read
    sequentially, so a path's defaults never depend on which paths are kept); paths from ``lo``
    on are aggregated into the outputs.

    Defaults (one-factor Gaussian copula): asset i defaults by period s when its latent
    X = √ρ·Z + √(1−ρ)·ε is below ``a_rows[j, s]`` = Φ⁻¹(1 − (1 − pd)^τₛ). Conditional on Z the
    assets default independently; the kernel samples only the defaulters: within a bucket of
    assets sorted by their horizon threshold, candidates come by geometric skips at the
    bucket's highest conditional probability p̄ = Φ((a₀ − √ρZ)/√(1−ρ)), each with
    w ~ U(0, p̄) as Φ(ε); a candidate defaults when its latent is below its own horizon
    threshold, in the first period whose threshold its latent is below.
    """
    n_kinds, t = agg_cash.shape
    last = t - 1
    n_ren = ren_assets.shape[0]
    renewed = np.zeros(ren_p.shape[0], dtype=np.bool_)
    def_asset = np.empty(life_end.shape[0], dtype=np.int64)
    def_period = np.empty(life_end.shape[0], dtype=np.int64)
    cash = np.empty((n_kinds, t))
    var = np.empty((n_kinds, t))
    rec = np.empty((n_kinds, t))
    flow = np.empty((3, t))  # principal, writedowns, variable principal
    dflt = np.empty(t)
    n_buckets = bucket_start.shape[0] - 1
    for p in range(hi):
        zp = z[p]
        # renewals: one uniform per renewable asset and path
        for r in range(n_ren):
            renewed[r] = renew.random() < ren_p[r]
        # defaults
        nd = 0
        for j in range(sure.shape[0]):
            def_asset[nd] = sure[j]
            def_period[nd] = 0
            nd += 1
        shift = sqrt_rho * zp
        for b in range(n_buckets):
            start, end = bucket_start[b], bucket_start[b + 1]
            pmax = norm_cdf((a_sorted[start] - shift) / sqrt_idio)
            if pmax <= 0.0:
                continue
            log_q = math.log1p(-pmax) if pmax < 1.0 else -np.inf
            j = start - 1
            while True:
                u = 1.0 - credit.random()
                if log_q == -np.inf:
                    j += 1
                else:
                    g = math.log(u) / log_q
                    if g >= end - j:
                        break
                    j += 1 + int(g)
                if j >= end:
                    break
                w = pmax * credit.random()
                x = shift + sqrt_idio * norm_ppf(w)
                if x < a_sorted[j]:
                    i = order[j]
                    def_asset[nd] = i
                    def_period[nd] = _default_period(a_rows[j], life_end[i], x)
                    nd += 1
        if p < lo:
            continue
        row = out_row + p - lo
        # no-default aggregates, renewals, then each default's lost flows from its period on
        for k in range(n_kinds):
            for s in range(t):
                cash[k, s] = agg_cash[k, s]
                var[k, s] = agg_var[k, s]
                rec[k, s] = 0.0
        for s in range(t):
            flow[0, s] = agg_flow[0, s]
            flow[1, s] = agg_flow[1, s]
            flow[2, s] = agg_flow[2, s]
            dflt[s] = 0.0
        for r in range(n_ren):
            if renewed[r]:
                i = ren_assets[r]
                k = kind[i]
                for s in range(t):
                    cash[k, s] += ren[r, s]
        for m in range(nd):
            i = def_asset[m]
            s0 = def_period[m]
            k = kind[i]
            end_s = life_end[i]
            for s in range(s0, end_s + 1):
                cash[k, s] -= q[i, s, 0]
                flow[0, s] -= q[i, s, 1]
                flow[1, s] -= q[i, s, 2]
                var[k, s] -= q[i, s, 3]
                flow[2, s] -= q[i, s, 4]
            r = ren_row[i]
            if r >= 0 and renewed[r]:
                for s in range(s0, t):
                    cash[k, s] -= ren[r, s]
            ob = opening[i, s0]
            dflt[s0] += ob
            rec[k, min(s0 + lag[i], last)] += recovery[i] * ob
        # pool-level usage shock on the usage-driven cash
        if vol.shape[0] > 0:
            c_idio = math.sqrt(max(1.0 - c_usage * c_usage, 0.0))
            for s in range(t):
                wv = c_usage * zp + c_idio * eta[p, s]
                up = math.exp(vol[s] * wv - 0.5 * vol[s] * vol[s]) - 1.0
                for k in range(n_kinds):
                    cash[k, s] += var[k, s] * up
                moved = flow[2, s] * up
                flow[0, s] += moved
                flow[1, s] -= moved
        # collection delay (overflow in the last period), then the outputs
        for s in range(t):
            recoveries[row, s] = 0.0
            principal[row, s] = 0.0
            defaults[row, s] = dflt[s]
            writedowns[row, s] = flow[1, s]
            for k in range(n_kinds):
                by_kind[k, row, s] = 0.0
        for s in range(t):
            ts = min(s + delay, last)
            principal[row, ts] += flow[0, s]
            for k in range(n_kinds):
                by_kind[k, row, ts] += cash[k, s]
        for s in range(t):
            principal[row, s] = max(principal[row, s], 0.0)
            for k in range(n_kinds):
                by_kind[k, row, s] = max(by_kind[k, row, s], 0.0)
        for k in range(n_kinds):
            for s in range(t):
                ts = min(s + delay, last)
                by_kind[k, row, ts] += rec[k, s]
                recoveries[row, ts] += rec[k, s]
        for s in range(t):
            principal[row, s] += recoveries[row, s]
