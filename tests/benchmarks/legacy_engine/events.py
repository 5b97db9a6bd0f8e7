"""Trigger tests and event latches, evaluated at the start of every period for all scenarios.

Each trigger's condition is tested on what is known before the period's distribution:

==========================================  ==================================================
condition                                   holds in period t when
==========================================  ==================================================
``cumulative_default_rate_above``           Σ defaults[0..t] / initial pool balance > x
``overcollateralisation_below``             pool_balance[t] < x × securities balance (期初),
                                            with securities outstanding
``collections_below_forecast``              forecast[t] > 0 and
                                            (forecast[t] − total[t]) / forecast[t] > x
``senior_interest_unpaid``                  some senior interest was left unpaid in t − 1
                                            (after reserve and support draws)
``principal_unpaid_at_expected_maturity``   a senior tranche still has a balance after the
                                            payment date on/after its expected maturity
``originator_event``                        the scenario's ``originator_default`` flag
``date_reached``                            payment_dates[t] ≥ date
==========================================  ==================================================

A trigger's latch stays on once on, unless the trigger has ``cure`` (then it follows the
condition). An event is on when any trigger pointing at it is latched.
"""

from __future__ import annotations

import numpy as np

from abs.deal import Trigger
from abs.enums import EventType, TriggerCondition
from tests.benchmarks.legacy_engine.plan import EPS, BoolArray, Cash, FloatArray, IntArray, Plan

EVENT_ORDER: tuple[EventType, ...] = tuple(EventType)

#: Scenarios per block when evaluating all remaining periods at once.
_BLOCK = 512

#: Conditions on the waterfall's own state (false for a dormant scenario).
STATE_CONDITIONS = frozenset(
    {
        TriggerCondition.OVERCOLLATERALISATION_BELOW,
        TriggerCondition.SENIOR_INTEREST_UNPAID,
        TriggerCondition.PRINCIPAL_UNPAID_AT_EXPECTED_MATURITY,
    }
)


class TriggerSet:
    """The deal's triggers on one grid of collections, evaluated one period at a time.

    Collection-based conditions are read one column per period (measured cheaper than
    evaluating every period up front). :meth:`latch_rest` fills all remaining periods at once
    for scenarios that are dormant (everything repaid, nothing owed; see
    :mod:`waterfall.engine`), where the conditions on the waterfall's own state cannot hold.
    """

    def __init__(self, plan: Plan, cash: Cash) -> None:
        self.triggers: tuple[Trigger, ...] = tuple(plan.deal.triggers)
        conds = {tr.condition for tr in self.triggers}
        self.cash = cash
        self.cum_defaults = np.zeros(plan.n_scenarios)
        self.track_defaults = TriggerCondition.CUMULATIVE_DEFAULT_RATE_ABOVE in conds
        self.by_event: dict[EventType, list[int]] = {
            e: [k for k, tr in enumerate(self.triggers) if tr.event is e] for e in EventType
        }
        #: Trigger rows per event, in :data:`EVENT_ORDER`.
        self.by_event_rows: tuple[list[int], ...] = tuple(self.by_event[e] for e in EVENT_ORDER)
        self.needs_overdue = TriggerCondition.PRINCIPAL_UNPAID_AT_EXPECTED_MATURITY in conds
        #: (row, trigger, condition, threshold or 0) per trigger, read by :meth:`latch`.
        self.compiled = tuple(
            (k, tr, tr.condition, 0.0 if tr.threshold is None else tr.threshold)
            for k, tr in enumerate(self.triggers)
        )
        #: Triggers that stay on once on (no cure).
        self.sticky: list[int] = [k for k, tr in enumerate(self.triggers) if not tr.cure]
        self.scratch = np.empty(plan.n_scenarios)
        #: Triggers on the waterfall's state that stay on once on.
        self.state_sticky: list[int] = [
            k
            for k, tr in enumerate(self.triggers)
            if tr.condition in STATE_CONDITIONS and not tr.cure
        ]

    def take(self, plan: Plan, cash: Cash, idx: IntArray) -> TriggerSet:
        """The same triggers on scenarios ``idx`` (``plan``/``cash`` already restricted)."""
        sub = TriggerSet(plan, cash)
        sub.cum_defaults = self.cum_defaults[idx]
        return sub

    def latch(
        self,
        plan: Plan,
        t: int,
        rows: BoolArray,
        *,
        securities_balance: FloatArray,
        senior_interest_unpaid: BoolArray | None,
        senior_principal_overdue: BoolArray | None,
        total: FloatArray,
    ) -> None:
        """Write each trigger's latch for period ``t`` into ``rows[t]`` (rows: (T, K, S)).

        ``senior_interest_unpaid`` / ``senior_principal_overdue``: None where it holds nowhere.
        """
        row = rows[t]
        cash = self.cash
        if self.track_defaults:
            self.cum_defaults += cash.col("defaults", t)
        buf = self.scratch
        # Each condition is written straight into its row; sticky rows are OR'd with the
        # previous period's latches afterwards, all in one operation when all are sticky.
        for k, tr, c, x in self.compiled:
            out = row[k]
            if c is TriggerCondition.CUMULATIVE_DEFAULT_RATE_ABOVE:
                if cash.initial_pool_balance > 0:
                    np.divide(self.cum_defaults, cash.initial_pool_balance, out=buf)
                    np.greater(buf, x, out=out)
                else:
                    out[...] = False
            elif c is TriggerCondition.OVERCOLLATERALISATION_BELOW:
                np.greater(securities_balance, EPS, out=out)
                out &= cash.col("pool_balance", t) < x * securities_balance
            elif c is TriggerCondition.COLLECTIONS_BELOW_FORECAST:
                fc = float(cash.forecast[t])
                if fc > 0:
                    # A forecast of 1e-310 overflows to inf: the condition holds (the engine
                    # runs under np.errstate(over="ignore")).
                    np.subtract(fc, total, out=buf)
                    np.divide(buf, fc, out=buf)
                    np.greater(buf, x, out=out)
                else:
                    out[...] = False
            elif c is TriggerCondition.SENIOR_INTEREST_UNPAID:
                out[...] = False if senior_interest_unpaid is None else senior_interest_unpaid
            elif c is TriggerCondition.PRINCIPAL_UNPAID_AT_EXPECTED_MATURITY:
                out[...] = False if senior_principal_overdue is None else senior_principal_overdue
            elif c is TriggerCondition.ORIGINATOR_EVENT:
                out[...] = plan.originator_default
            else:  # DATE_REACHED
                out[...] = tr.date is not None and plan.payment_dates[t] >= tr.date
        if t > 0 and self.sticky:
            prev = rows[t - 1]
            if len(self.sticky) == len(self.triggers):
                np.logical_or(row, prev, out=row)
            else:
                for k in self.sticky:
                    np.logical_or(row[k], prev[k], out=row[k])

    def latch_rest(self, plan: Plan, t0: int, rows: BoolArray) -> None:
        """Latches of periods ``t0`` … T−1 (rows (T, K, S)) for scenarios that are dormant.

        A dormant scenario has no securities, arrears or overdue principal, so the conditions
        on the waterfall's state are false; the others are evaluated for all periods at once.
        Sticky latches start from period ``t0 − 1``. Rows of other scenarios are overwritten
        by the caller.
        """
        cash = self.cash
        assert cash.rows is None, "latch_rest lays out the top run's scenarios"
        s, t_count = plan.n_scenarios, plan.n_periods
        n = t_count - t0
        prev = rows[t0 - 1] if t0 > 0 else np.zeros((len(self.triggers), s), dtype=bool)
        for k, tr in enumerate(self.triggers):
            c = tr.condition
            x = 0.0 if tr.threshold is None else tr.threshold
            out = rows[t0:, k]  # (n, S)
            constant: BoolArray | None = None  # the condition, when the same in every period
            if c is TriggerCondition.CUMULATIVE_DEFAULT_RATE_ABOVE:
                constant = np.zeros(s, dtype=bool)
                init = cash.initial_pool_balance
                if init > 0:
                    # Only scenarios whose running total could still pass x·init need the
                    # period-by-period sum (fl(a + d) ≤ fl(a + max(d, 0)); the margin covers
                    # the order of summation).
                    later = cash.defaults[:, t0:]
                    rest = later.sum(axis=1)
                    if later.size and later.min() < 0.0:
                        rest = np.maximum(later, 0.0).sum(axis=1)
                    reach = (self.cum_defaults + rest) * (1.0 + 1e-9) / init > x
                    cand = np.flatnonzero(reach)
                    if cand.size:
                        constant = None
                        out[...] = False
                        cum = self.cum_defaults[cand]
                        part = cash.defaults[cand, t0:]
                        for i in range(n):  # exactly as latch() adds up, period by period
                            cum += part[:, i]
                            out[i, cand] = cum / init > x
            elif c is TriggerCondition.COLLECTIONS_BELOW_FORECAST:
                fc = cash.forecast[t0:]
                has = fc > 0
                safe = np.where(has, fc, 1.0)
                # (S, n) on the contiguous rows of total, a block of scenarios at a time into
                # reused buffers (they stay in cache), then laid out per period
                ratio = np.empty((min(_BLOCK, s), n))
                below = np.empty(ratio.shape, dtype=bool)
                for r0 in range(0, s, _BLOCK):
                    r1 = min(r0 + _BLOCK, s)
                    q, b = ratio[: r1 - r0], below[: r1 - r0]
                    np.subtract(safe, cash.total[r0:r1, t0:], out=q)
                    np.divide(q, safe, out=q)
                    np.greater(q, x, out=b)
                    out[:, r0:r1] = b.T
                out[~has] = False
            elif c is TriggerCondition.ORIGINATOR_EVENT:
                constant = plan.originator_default
            elif c is TriggerCondition.DATE_REACHED:
                dates = plan.payment_dates[t0:]
                reached = np.array([tr.date is not None and d >= tr.date for d in dates])
                out[...] = reached[:, None]
            else:  # conditions on the waterfall's state: false when dormant
                constant = np.zeros(s, dtype=bool)
            if constant is not None:
                # Sticky: on from the start if on before or the condition holds; cure: as is.
                out[...] = constant if tr.cure else (constant | prev[k])
                continue
            if not tr.cure:
                out[0] |= prev[k]
                for i in range(1, n):  # row by row: far faster than logical_or.accumulate
                    np.logical_or(out[i - 1], out[i], out=out[i])
