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

from abs.cashflows import Collections
from abs.deal import Trigger
from abs.enums import EventType, TriggerCondition
from waterfall.plan import EPS, BoolArray, FloatArray, Plan

EVENT_ORDER: tuple[EventType, ...] = tuple(EventType)


class TriggerSet:
    """The deal's triggers; collection-based inputs are read one period at a time.

    Reading the (S, T) collection arrays column by column costs far less than transposing
    them up front (and nothing at all for conditions the deal does not use).
    """

    def __init__(self, plan: Plan, collections: Collections) -> None:
        self.triggers: tuple[Trigger, ...] = tuple(plan.deal.triggers)
        conds = {tr.condition for tr in self.triggers}
        self.collections = collections
        self.initial = collections.initial_pool_balance
        self.forecast = np.asarray(collections.forecast, dtype=np.float64)
        self.cum_defaults = np.zeros(plan.n_scenarios)
        self.track_defaults = TriggerCondition.CUMULATIVE_DEFAULT_RATE_ABOVE in conds
        self.by_event: dict[EventType, list[int]] = {
            e: [k for k, tr in enumerate(self.triggers) if tr.event is e] for e in EventType
        }
        self.needs_overdue = TriggerCondition.PRINCIPAL_UNPAID_AT_EXPECTED_MATURITY in conds

    @classmethod
    def build(cls, plan: Plan, collections: Collections) -> TriggerSet:
        """The trigger set of ``plan`` on ``collections``."""
        return cls(plan, collections)

    def conditions(
        self,
        plan: Plan,
        t: int,
        *,
        securities_balance: FloatArray,
        senior_interest_unpaid: BoolArray,
        senior_principal_overdue: BoolArray,
        total: FloatArray,
    ) -> list[BoolArray]:
        """Each trigger's condition (S,) in period ``t``."""
        s = plan.n_scenarios
        out: list[BoolArray] = []
        dates = plan.payment_dates
        coll = self.collections
        if self.track_defaults:
            self.cum_defaults += coll.defaults[:, t]
        for tr in self.triggers:
            c = tr.condition
            x = 0.0 if tr.threshold is None else tr.threshold
            if c is TriggerCondition.CUMULATIVE_DEFAULT_RATE_ABOVE:
                if self.initial > 0:
                    out.append(self.cum_defaults / self.initial > x)
                else:
                    out.append(np.zeros(s, dtype=bool))
            elif c is TriggerCondition.OVERCOLLATERALISATION_BELOW:
                out.append(
                    (securities_balance > EPS) & (coll.pool_balance[:, t] < x * securities_balance)
                )
            elif c is TriggerCondition.COLLECTIONS_BELOW_FORECAST:
                fc = float(self.forecast[t])
                if fc > 0:
                    with np.errstate(over="ignore"):  # a forecast of 1e-310 gives inf: holds
                        out.append((fc - total) / fc > x)
                else:
                    out.append(np.zeros(s, dtype=bool))
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
