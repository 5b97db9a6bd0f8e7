"""``waterfall.run`` (full mode) and ``waterfall.run_measures`` (measures mode).

Both compile the deal once (:mod:`waterfall.compile`), run the kernel (:mod:`waterfall.kernel`)
over every scenario, check what it reports (conservation per scenario and period, non-finite or
negative collections) and wrap the arrays it wrote.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import math
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numba
import numpy as np

from abs.cashflows import Collections
from abs.deal import Deal
from abs.enums import TrancheClass
from abs.errors import ConservationError, WaterfallError
from abs.kind_over_life import issued_kind
from waterfall import layout as ly
from waterfall import params as pm
from waterfall.compile import EVENT_ORDER, compile_deal, scenario_inputs
from waterfall.kernel import Outputs, run_batch
from waterfall.layout import CONSERVATION_TOL
from waterfall.measures_result import Measures
from waterfall.params import DealArrays
from waterfall.result import WaterfallResult
from waterfall.revolving_result import RevolvingLines

#: Threads numba was started with (the most ``threads=`` may ask for).
_MAX_THREADS: int = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
_COLLECTION_FIELDS = ("total", "income", "defaults", "pool_balance")


def _non_negative(deal: Deal, collections: Collections) -> Collections:
    """``collections`` with rounding residues below zero (> −½ fen) set to 0.

    Raises
    ------
    WaterfallError
        Collections below −0.005 yuan somewhere: cash collected cannot be negative.
    """
    total = collections.total
    if total.size == 0 or not np.minimum.reduce(total, axis=None) < 0.0:
        return collections
    bad = np.argwhere(total < -ly.EPS)
    if bad.size:
        s_i, t_i = (int(v) for v in bad[0])
        raise WaterfallError(
            f"deal {deal.name}: collections are negative in scenario {s_i}, period {t_i + 1} "
            f"(兑付日 {collections.payment_dates[t_i]}): {total[s_i, t_i]:.2f} yuan "
            f"({len(bad)} cell(s) below zero); cash collected in a period cannot be negative"
        )
    return dataclasses.replace(collections, total=np.maximum(total, 0.0))


#: Compiled deals by (deal identity, grid): the dashboard, break-even and sizing run the same
#: structure on the same dates many times (compiling is most of a one-scenario call).
_COMPILED: OrderedDict[
    tuple[int, tuple[dt.date, ...], bytes], tuple[weakref.ref[Deal], DealArrays]
] = OrderedDict()
_COMPILED_MAX = 32


def _compiled(deal: Deal, collections: Collections, reference_rate: float) -> DealArrays:
    """:func:`compile_deal`, reused while the same deal object runs on the same grid."""
    grid = hashlib.sha256(
        np.array([collections.initial_pool_balance, reference_rate], dtype=np.float64).tobytes()
    )
    for arr in (collections.year_fractions, collections.days, collections.forecast):
        grid.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
    key = (id(deal), tuple(collections.payment_dates), grid.digest())
    hit = _COMPILED.get(key)
    if hit is not None and hit[0]() is deal:
        _COMPILED.move_to_end(key)
        return hit[1]
    d = compile_deal(deal, collections, reference_rate=reference_rate)
    _COMPILED[key] = (weakref.ref(deal), d)
    while len(_COMPILED) > _COMPILED_MAX:
        _COMPILED.popitem(last=False)
    return d


#: Held around a kernel call while numba's threading layer is unknown or is ``workqueue``,
#: which aborts the process when two threads (two dashboard sessions, say) launch parallel
#: kernels at once; ``omp`` and ``tbb`` take concurrent launches and need no lock.
_LAUNCH = threading.Lock()
_layer_safe = False


@contextlib.contextmanager
def _serial_if_needed() -> Iterator[None]:
    global _layer_safe
    if _layer_safe:
        yield
        return
    with _LAUNCH:
        yield
        try:
            _layer_safe = numba.threading_layer() in ("omp", "tbb")  # type: ignore[attr-defined]
        except ValueError:  # no parallel region has run yet
            _layer_safe = False


@contextlib.contextmanager
def _threads(n: int | None) -> Iterator[int]:
    """Run the kernel on ``n`` threads (default: numba's, i.e. every core)."""
    before = numba.get_num_threads()
    if n is None:
        yield before
        return
    if not 1 <= n <= _MAX_THREADS:
        raise WaterfallError(
            f"waterfall.run: threads must be between 1 and {_MAX_THREADS}; got {n}"
        )
    numba.set_num_threads(n)
    try:
        yield n
    finally:
        numba.set_num_threads(before)


def _chunk(s: int, threads: int) -> int:
    """Scenarios per parallel task (the numbers do not depend on it)."""
    return max(1, min(256, math.ceil(s / (4 * threads))))


def _empty(*shape: int, dtype: Any = np.float64) -> Any:
    return np.zeros(shape, dtype=dtype)


def _outputs(
    d: DealArrays,
    s: int,
    *,
    full: bool,
    measures: bool,
    yields: bool,
    cash_row: Any,
    by_period: bool = True,
) -> Outputs:
    ip = d.ip
    n, f, k = int(ip[pm.I_N_TRANCHES]), int(ip[pm.I_N_FEES]), int(ip[pm.I_N_TRIGGERS])
    t = int(ip[pm.I_N_PERIODS])
    sizes = [f if r == "F" else n if r == "N" else int(r) for r in ly.LN_ROWS]
    off = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    n_cash = int(np.max(cash_row)) + 1 if len(cash_row) and np.max(cash_row) >= 0 else 0
    errors = np.zeros((s, ly.N_ERR))
    errors[:, ly.ERR_PERIOD] = -1.0
    return Outputs(
        full=full,
        lines=_empty(sum(sizes), t, s) if full else _empty(0, 0, 0),
        off=off,
        balances=_empty(n + 1, t + 1, s) if full else _empty(0, 0, 0),
        events=_empty(len(EVENT_ORDER), t, s, dtype=np.bool_)
        if full
        else _empty(0, 0, 0, dtype=np.bool_),
        triggers=_empty(k, t, s, dtype=np.bool_) if full else _empty(0, 0, 0, dtype=np.bool_),
        accelerated=_empty(t, s, dtype=np.bool_) if full else _empty(0, 0, dtype=np.bool_),
        measures=measures,
        yields=yields,
        m=_empty(s, n, ly.N_M) if measures else _empty(0, 0, 0),
        first_missed=_empty(s, n, dtype=np.int64) if measures else _empty(0, 0, dtype=np.int64),
        coverage=_empty(s, t) if measures and by_period else _empty(0, 0),
        trig_first=_empty(s, k, dtype=np.int64) if measures else _empty(0, 0, dtype=np.int64),
        totals=_empty(s, ly.N_TOT) if measures else _empty(0, 0),
        cash=_empty(s, n_cash, t) if measures else _empty(0, 0, 0),
        cash_row=np.asarray(cash_row, dtype=np.int64),
        errors=errors,
    )


def _execute(
    deal: Deal,
    collections: Collections,
    *,
    reference_rate: float | None,
    rate_shift_bp: Any,
    originator_default: Any,
    guarantor_default: Any,
    threads: int | None,
    full: bool,
    yields: bool = False,
    cash_row: Any = (),
    by_period: bool = True,
) -> tuple[Collections, DealArrays, Outputs]:
    collections = _non_negative(deal, collections)
    stress = deal.assumptions.stress
    ref = deal.assumptions.reference_rate if reference_rate is None else float(reference_rate)
    d = _compiled(deal, collections, ref)
    x = scenario_inputs(
        deal,
        collections,
        rate_shift_bp=stress.rate_shift_bp if rate_shift_bp is None else rate_shift_bp,
        originator_default=(
            stress.originator_default if originator_default is None else originator_default
        ),
        guarantor_default=(
            stress.guarantor_default if guarantor_default is None else guarantor_default
        ),
    )
    s = collections.n_scenarios
    o = _outputs(
        d, s, full=full, measures=not full, yields=yields, cash_row=cash_row, by_period=by_period
    )
    with _serial_if_needed(), _threads(threads) as n_threads:
        run_batch(d, x, o, _chunk(s, n_threads))
    _raise_errors(deal, collections, o)
    return collections, d, o


def _raise_errors(deal: Deal, collections: Collections, o: Outputs) -> None:
    failed = np.flatnonzero(o.errors[:, ly.ERR_PERIOD] >= 0.0)
    if not failed.size:
        return
    s_i = int(failed[0])
    err = o.errors[s_i]
    t_i = int(err[ly.ERR_PERIOD])
    value = float(err[ly.ERR_VALUE])
    where = f"scenario {s_i}, period {t_i + 1} (兑付日 {collections.payment_dates[t_i]})"
    if err[ly.ERR_CODE] == ly.ERR_NOT_FINITE:
        name = _COLLECTION_FIELDS[int(err[ly.ERR_FIELD])]
        raise WaterfallError(
            f"deal {deal.name}: collections.{name} is not a finite number in {where}: {value!r}"
        )
    raise ConservationError(
        f"deal {deal.name}: cash not conserved in {where}: cash in − cash out = {value:.6f} "
        f"yuan (tolerance {CONSERVATION_TOL}); this is a bug ({len(failed)} scenario(s) fail)"
    )


def run(
    deal: Deal,
    collections: Collections,
    *,
    reference_rate: float | None = None,
    rate_shift_bp: Any = None,
    originator_default: Any = None,
    guarantor_default: Any = None,
    check: bool = True,
    threads: int | None = None,
) -> WaterfallResult:
    """Distribute ``collections`` through ``deal``'s waterfall for every scenario.

    Parameters
    ----------
    deal : Deal
        The structure (its ``waterfall``, else the default template of :mod:`abs.templates`).
    collections : Collections
        Pool cash shaped (S, T) on the deal's payment dates.
    reference_rate : float, optional
        Floating-coupon reference (default ``deal.assumptions.reference_rate``).
    rate_shift_bp : float or array (S,), optional
        Shift of the reference rate in bp (default: the deal's ``assumptions.stress``).
    originator_default, guarantor_default : bool or array (S,), optional
        Switch 差额支付 / the guarantee off in those scenarios (default: the deal's stress).
    check : bool
        Kept for compatibility: conservation is checked inside the kernel on every run.
    threads : int, optional
        Threads of the kernel (default: every core). The numbers do not depend on it.

    Returns
    -------
    WaterfallResult
        Due, paid and shortfall per line, balances, accounts, draws and events, each (S, T).

    Raises
    ------
    WaterfallError
        An argument has the wrong shape, a value is not finite, collections are negative, or
        the step lists need an account the deal lacks.
    ConservationError
        Cash in and out differ by more than 0.01 yuan somewhere (a bug, never bad input).

    Examples
    --------
    >>> import datetime as dt
    >>> from abs.cashflows import Collections
    >>> from abs.deal import Deal
    >>> deal = Deal.model_validate({
    ...     "name": "demo",
    ...     "dates": {"cutoff_date": "2025-01-01", "closing_date": "2025-01-01",
    ...               "first_payment_date": "2025-07-01", "expected_maturity_date": "2026-01-01",
    ...               "legal_maturity_date": "2026-01-01"},
    ...     "tranches": [{"name": "A", "tranche_class": "senior", "balance": 90,
    ...                   "coupon": {"rate": 0.02}},
    ...                  {"name": "B", "tranche_class": "subordinated", "balance": 10}]})
    >>> c = Collections.from_arrays(payment_dates=(dt.date(2025, 7, 1), dt.date(2026, 1, 1)),
    ...                             year_fractions=[0.5, 0.5], total=[60.0, 50.0])
    >>> r = run(deal, c)
    >>> round(float(r.principal["A"].paid[0, 0]), 2), round(float(r.interest["A"].paid[0, 0]), 2)
    (59.1, 0.9)
    """
    del check  # always checked
    collections, d, o = _execute(
        deal,
        collections,
        reference_rate=reference_rate,
        rate_shift_bp=rate_shift_bp,
        originator_default=originator_default,
        guarantor_default=guarantor_default,
        threads=threads,
        full=True,
    )
    n, t = len(deal.tranches), collections.n_periods
    raw = pm.float_vector(d, pm.FV_TARGETS, t * n).reshape(t, n)
    targets = np.where(raw < 0.0, np.inf, raw)
    max_gap = float(o.errors[:, ly.ERR_MAX_GAP].max())
    revolving = None
    if deal.revolving is not None:
        collections, revolving = _revolving_lines(deal, collections, o)
    return WaterfallResult.from_blocks(
        deal, collections, o, targets, max_gap=max_gap, revolving=revolving
    )


def _revolving_lines(
    deal: Deal, collections: Collections, o: Outputs
) -> tuple[Collections, RevolvingLines]:
    """The revolving lines of a full run, and the collections with the purchased assets'."""
    lines, off = o.lines, o.off

    def row(kind: int, i: int = 0) -> Any:
        return lines[off[kind] + i].T

    pcoll, pinc, pdef = row(ly.LN_PCOLL), row(ly.LN_PINC), row(ly.LN_PDEF)
    pool = row(ly.LN_POOL)
    data = np.full(pool.shape, np.nan) if collections.data_balance is None else row(ly.LN_DATA)
    rev = RevolvingLines(
        purchases=row(ly.LN_PURCHASE) + row(ly.LN_PURCHASE, 1),
        purchases_data=row(ly.LN_PURCHASE, 1),
        set_aside=row(ly.LN_BUDGET),
        idle=row(ly.LN_IDLE),
        idle_interest=row(ly.LN_IDLE_INT),
        negative_carry=row(ly.LN_NEG_CARRY),
        revolving=row(ly.LN_REV_ON) != 0.0,
        pool_balance=pool,
        data_balance=data,
        purchased_collections=pcoll,
        purchased_income=pinc,
        purchased_defaults=pdef,
        issued_kind=issued_kind(deal),
        opening_balances=tuple(o.balances[k, :-1, :].T for k in range(len(deal.tranches))),
    )
    total = collections.total + pcoll
    income = collections.income + pinc
    effective = dataclasses.replace(
        collections,
        total=total,
        income=income,
        principal=total - income,  # total = income + principal, as in every Collections
        defaults=collections.defaults + pdef,
        pool_balance=pool,
        data_balance=None if collections.data_balance is None else data,
        asset_table_source=None,
    )
    return effective, rev


def run_measures(
    deal: Deal,
    collections: Collections,
    *,
    reference_rate: float | None = None,
    rate_shift_bp: Any = None,
    originator_default: Any = None,
    guarantor_default: Any = None,
    threads: int | None = None,
    yields: bool = True,
    cash: str = "subordinated",
    coverage_by_period: bool = True,
) -> Measures:
    """Run the waterfall keeping only per-scenario measures (grids, break-even, Monte Carlo).

    The same kernel as :func:`run`, with the same numbers; instead of every line (S × T ×
    lines) it keeps per tranche the loss, shortfall, WAL, amounts paid, support received,
    the first missed payment, the lowest and life-of-deal 现金流覆盖倍数 (interest only and
    with scheduled principal), the yield at par (``yields``), per scenario the support drawn
    and repaid, when each trigger first fired, the senior coverage per period, and each
    period's cash of the tranches ``cash`` names (``"subordinated"``, ``"all"`` or
    ``"none"``) for IRRs. ``coverage_by_period=False`` leaves out the (S, T) senior coverage
    (Monte Carlo reads only the minimum and life-of-deal ratios).

    Raises
    ------
    WaterfallError
        As :func:`run`; or ``cash`` is not one of the three choices.
    ConservationError
        As :func:`run`.
    """
    if cash not in ("subordinated", "all", "none"):
        raise WaterfallError(
            f"run_measures: cash must be 'subordinated', 'all' or 'none'; got {cash!r}"
        )
    keep = [
        cash == "all" or (cash == "subordinated" and t.tranche_class is TrancheClass.SUBORDINATED)
        for t in deal.tranches
    ]
    rows = np.cumsum(keep) - 1
    cash_row = np.where(keep, rows, -1)
    collections, _, o = _execute(
        deal,
        collections,
        reference_rate=reference_rate,
        rate_shift_bp=rate_shift_bp,
        originator_default=originator_default,
        guarantor_default=guarantor_default,
        threads=threads,
        full=False,
        yields=yields,
        cash_row=cash_row,
        by_period=coverage_by_period,
    )
    return Measures.from_outputs(deal, collections, o, keep=keep)
