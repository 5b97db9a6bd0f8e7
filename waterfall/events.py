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

from dataclasses import dataclass

import numpy as np

from abs.cashflows import Collections
from abs.deal import Trigger
from abs.enums import EventType, TriggerCondition
from waterfall.plan import EPS, BoolArray, FloatArray, Plan

EVENT_ORDER: tuple[EventType, ...] = tuple(EventType)


@dataclass(frozen=True)
class TriggerSet:
    """The deal's triggers with per-period inputs precomputed."""

    triggers: tuple[Trigger, ...]
    cum_default_rate: FloatArray  # (T, S)
    shortfall_vs_forecast: FloatArray  # (T, S)
    pool_balance: FloatArray  # (T, S)
    by_event: dict[EventType, list[int]]
    needs_overdue: bool

    @classmethod
    def build(cls, plan: Plan, collections: Collections) -> TriggerSet:
        """Precompute the collection-based inputs (transposed to (T, S))."""
        init = collections.initial_pool_balance
        triggers = plan.deal.triggers
        conds = {tr.condition for tr in triggers}
        t, s = plan.n_periods, plan.n_scenarios
        if TriggerCondition.CUMULATIVE_DEFAULT_RATE_ABOVE in conds and init > 0:
            cdr = np.cumsum(np.ascontiguousarray(collections.defaults.T), axis=0) / init
        else:
            cdr = np.zeros((t, s))
        if TriggerCondition.COLLECTIONS_BELOW_FORECAST in conds:
            fc = np.asarray(collections.forecast, dtype=np.float64)
            safe = np.where(fc > 0, fc, 1.0)
            with np.errstate(over="ignore"):  # a forecast of 1e-310 gives inf: holds
                gap = (fc[:, None] - collections.total.T) / safe[:, None]
            gap[fc <= 0] = -np.inf
        else:
            gap = np.full((t, s), -np.inf)
        pool = (
            np.ascontiguousarray(collections.pool_balance.T)
            if TriggerCondition.OVERCOLLATERALISATION_BELOW in conds
            else np.zeros((t, s))
        )
        by_event = {e: [k for k, tr in enumerate(triggers) if tr.event is e] for e in EventType}
        return cls(
            triggers=tuple(triggers),
            cum_default_rate=cdr,
            shortfall_vs_forecast=gap,
            pool_balance=pool,
            by_event=by_event,
            needs_overdue=TriggerCondition.PRINCIPAL_UNPAID_AT_EXPECTED_MATURITY in conds,
        )

    def conditions(
        self,
        plan: Plan,
        t: int,
        *,
        securities_balance: FloatArray,
        senior_interest_unpaid: BoolArray,
        senior_principal_overdue: BoolArray,
    ) -> list[BoolArray]:
        """Each trigger's condition (S,) in period ``t``."""
        s = plan.n_scenarios
        out: list[BoolArray] = []
        dates = plan.payment_dates
        for tr in self.triggers:
            c = tr.condition
            x = 0.0 if tr.threshold is None else tr.threshold
            if c is TriggerCondition.CUMULATIVE_DEFAULT_RATE_ABOVE:
                out.append(self.cum_default_rate[t] > x)
            elif c is TriggerCondition.OVERCOLLATERALISATION_BELOW:
                out.append(
                    (securities_balance > EPS) & (self.pool_balance[t] < x * securities_balance)
                )
            elif c is TriggerCondition.COLLECTIONS_BELOW_FORECAST:
                out.append(self.shortfall_vs_forecast[t] > x)
            elif c is TriggerCondition.SENIOR_INTEREST_UNPAID:
                out.append(senior_interest_unpaid)
            elif c is TriggerCondition.PRINCIPAL_UNPAID_AT_EXPECTED_MATURITY:
                out.append(senior_principal_overdue)
            elif c is TriggerCondition.ORIGINATOR_EVENT:
                out.append(plan.originator_default)
            else:  # DATE_REACHED
                reached = tr.date is not None and dates[t] >= tr.date
                out.append(np.full(s, reached))
        return out
