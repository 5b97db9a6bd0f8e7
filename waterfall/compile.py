"""Compile a deal on a grid of collections into flat typed arrays for the kernel.

Everything that does not depend on the scenario path is resolved once here: tranche, fee,
support and trigger parameters, the principal target of every tranche in every period, fee
coefficients per period, and the two step lists as one step table (:mod:`waterfall.steps`
compiles each row). The kernel reads only these arrays; every value is checked finite, so a NaN
or infinity in a deal never reaches it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from abs import analytics
from abs.cashflows import Collections, Purchases
from abs.deal import Deal, Step, check_revolving, revolving_periods
from abs.enums import (
    CouponType,
    EventType,
    FeeBase,
    FeeType,
    LeftoverRule,
    PrincipalType,
    ReserveTargetRule,
    Rounding,
    SupportCover,
    TrancheClass,
    TriggerCondition,
)
from abs.errors import WaterfallError
from abs.kind_over_life import issued_kind, kind_band
from abs.templates import effective_waterfall
from waterfall import layout as ly
from waterfall.params import DealArrays, pack
from waterfall.steps import BY_SPEC, pay_residual

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Events in the order of the kernel's event flags (and of ``WaterfallResult.events``).
EVENT_ORDER: tuple[EventType, ...] = tuple(EventType)
#: Trigger conditions in the order of their codes.
CONDITION_ORDER: tuple[TriggerCondition, ...] = tuple(TriggerCondition)
#: Fee bases in the order of their codes.
BASE_ORDER: tuple[FeeBase, ...] = (
    FeeBase.TOTAL_BALANCE,
    FeeBase.SENIOR_BALANCE,
    FeeBase.ISSUE_AMOUNT,
    FeeBase.PERIOD_COLLECTIONS,
    FeeBase.PERIOD_INCOME,
)
CLASS_RANK = {TrancheClass.SENIOR: 0, TrancheClass.MEZZANINE: 1, TrancheClass.SUBORDINATED: 2}
_COVER_BIT = {
    SupportCover.TAXES: ly.COVER_TAXES,
    SupportCover.FEES: ly.COVER_FEES,
    SupportCover.SENIOR_INTEREST: ly.COVER_SENIOR_INTEREST,
    SupportCover.SENIOR_PRINCIPAL: ly.COVER_SENIOR_PRINCIPAL,
}
_ROUNDING = {
    Rounding.NONE: ly.ROUND_NONE,
    Rounding.HALF_UP_FEN: ly.ROUND_HALF_UP,
    Rounding.TRUNCATE_FEN: ly.ROUND_TRUNCATE,
}
#: A period index no scenario reaches ("never").
NEVER = 1 << 40


class ScenarioInputs(NamedTuple):
    """What differs by scenario: collections (S, T) and the engine factors (S,); and what a
    run's revolving purchases bring per yuan (:class:`abs.cashflows.Purchases`, zero-size
    arrays for a static deal)."""

    total: FloatArray
    income: FloatArray
    defaults: FloatArray
    pool_balance: FloatArray
    rate_shift: FloatArray  # fraction (bp / 10,000)
    originator_default: BoolArray
    guarantor_default: BoolArray
    data_balance: FloatArray  # (S, T), or (0, 0) when unknown
    p_group: IntArray  # (S,) which set of purchase profiles each scenario uses
    p_supply: FloatArray  # (G, 2, T)
    p_total: FloatArray  # (G, 2, T, L)
    p_income: FloatArray
    p_defaults: FloatArray
    p_balance: FloatArray


class _Context:
    """Name → index maps the step modules compile against."""

    def __init__(self, deal: Deal) -> None:
        self.deal = deal
        self._tranches = {t.name: i for i, t in enumerate(deal.tranches)}
        self._fees = {f.name: i for i, f in enumerate(deal.fees)}

    def tranche(self, name: str) -> int:
        return self._tranches[name]

    def fee(self, name: str) -> int:
        return self._fees[name]


def _step_table(deal: Deal) -> tuple[IntArray, IntArray, IntArray, IntArray, FloatArray]:
    """The step lists (normal, accelerated, amortisation) as one table; the float operand of
    each row (``turbo_oc``'s target) beside it."""
    wf = effective_waterfall(deal)
    ctx = _Context(deal)
    rows: list[list[int]] = []
    floats: list[float] = []
    ops: list[int] = []
    start, end = [], []
    for steps in (wf.normal, wf.accelerated, wf.amortisation or ()):
        start.append(len(rows))
        for step in steps:
            row, value = _step_row(step, ctx, ops)
            rows.append(row)
            floats.append(value)
        end.append(len(rows))
    table = np.array(rows, dtype=np.int64).reshape(len(rows), ly.STEP_WIDTH)
    return (
        table,
        np.array(ops, dtype=np.int64),
        np.array(start, dtype=np.int64),
        np.array(end, dtype=np.int64),
        np.array(floats, dtype=np.float64),
    )


def _residual_of_lists(steps: IntArray, ops: IntArray, start: IntArray, end: IntArray) -> list[int]:
    """The tranche of the first ``pay_residual`` step of each list (−1: none): in a settled
    period it is the only step that moves cash (see :mod:`waterfall.kernel`)."""
    out = []
    for a, b in zip(start, end, strict=True):
        rows = [i for i in range(int(a), int(b)) if steps[i, ly.STEP_CODE] == pay_residual.CODE]
        out.append(int(ops[steps[rows[0], ly.STEP_OP_START]]) if rows else -1)
    return out


def _step_row(step: Step, ctx: _Context, ops: list[int]) -> tuple[list[int], float]:
    module = BY_SPEC[type(step)]
    flags, operands = module.compile_step(step, ctx)
    value = float(getattr(step, "target_oc", 0.0))
    row = [0] * ly.STEP_WIDTH
    row[ly.STEP_CODE] = module.CODE
    row[ly.STEP_OP_START] = len(ops)
    row[ly.STEP_OP_LEN] = len(operands)
    row[ly.STEP_PRO_RATA] = flags.get("pro_rata", 0)
    row[ly.STEP_TURBO] = flags.get("turbo", 0)
    row[ly.STEP_WAIT] = flags.get("wait", 0)
    ops.extend(operands)
    return row, value


def _first_on_or_after(dates: tuple[dt.date, ...], when: dt.date) -> int:
    for i, d in enumerate(dates):
        if d >= when:
            return i
    return len(dates)


def _covers(covers: tuple[SupportCover, ...]) -> int:
    mask = 0
    for c in covers:
        mask |= 1 << _COVER_BIT[c]
    return mask


def _targets(deal: Deal, dates: tuple[dt.date, ...]) -> FloatArray:
    """(T, N) principal targets: schedule, then 0 from the expected maturity and in the last
    period; −1 where a tranche has none (pass-through and bullet before maturity)."""
    t_count, n = len(dates), len(deal.tranches)
    targets = np.full((t_count, n), -1.0)
    own = [t.expected_maturity_date or deal.dates.expected_maturity_date for t in deal.tranches]
    ranks = [CLASS_RANK[t.tranche_class] for t in deal.tranches]
    for i, tr in enumerate(deal.tranches):
        # A junior is never expected to mature before the classes senior to it.
        em = max([own[i]] + [own[j] for j in range(n) if ranks[j] < ranks[i]])
        if tr.principal_type is PrincipalType.SCHEDULED and tr.target_balances:
            tb = np.asarray(tr.target_balances, dtype=np.float64)
            col = np.full(t_count, tb[-1])
            m = min(len(tb), t_count)
            col[:m] = tb[:m]
            targets[:, i] = col
        targets[_first_on_or_after(dates, em) :, i] = 0.0
    targets[-1, :] = 0.0
    return targets


def _fee_arrays(deal: Deal, days: FloatArray) -> dict[str, Any]:
    t_count, f = len(days), len(deal.fees)
    mult = np.zeros((t_count, f))
    for j, fee in enumerate(deal.fees):
        if fee.fee_type is FeeType.TAX:
            mult[:, j] = fee.rate * (1.0 + fee.surcharge) / (1.0 + fee.rate)
        elif fee.fee_type is FeeType.PERCENTAGE:
            mult[:, j] = fee.rate * days / 365.0 * fee.pay_share
    return {
        "fee_is_tax": np.array([fee.fee_type is FeeType.TAX for fee in deal.fees], dtype=bool),
        "fee_is_fixed": np.array([fee.fee_type is FeeType.FIXED for fee in deal.fees], dtype=bool),
        "fee_amount": np.array([fee.amount for fee in deal.fees], dtype=np.float64),
        "fee_base": np.array([BASE_ORDER.index(fee.base) for fee in deal.fees], dtype=np.int64),
        "fee_mult": mult,
        "fee_cap": np.array(
            [ly.NO_CAP if fee.cap is None else fee.cap for fee in deal.fees], dtype=np.float64
        ),
    }


def _support_arrays(deal: Deal) -> dict[str, Any]:
    rs, sc, g = deal.reserve, deal.support.shortfall_commitment, deal.support.guarantee
    rules = tuple(ReserveTargetRule)
    out: dict[str, Any] = {
        "has_reserve": int(rs is not None),
        "reserve_initial": float(rs.initial_balance) if rs is not None else 0.0,
        "reserve_target_amount": float(rs.target_amount) if rs is not None else 0.0,
        "reserve_target_percent": float(rs.target_percent) if rs is not None else 0.0,
        "reserve_rule": rules.index(rs.target_rule) if rs is not None else 0,
        "reserve_covers": _covers(rs.covers) if rs is not None else 0,
    }
    for key, spec in (("commit", sc), ("guarantee", g)):
        out[f"has_{key}"] = int(spec is not None)
        cap_total = spec.cap_total if spec is not None else None
        cap_period = spec.cap_per_period if spec is not None else None
        out[f"{key}_cap_total"] = ly.NO_CAP if cap_total is None else float(cap_total)
        out[f"{key}_cap_period"] = ly.NO_CAP if cap_period is None else float(cap_period)
        out[f"{key}_covers"] = _covers(spec.covers) if spec is not None else 0
    return out


def _trigger_arrays(deal: Deal, dates: tuple[dt.date, ...]) -> dict[str, Any]:
    trs = deal.triggers
    return {
        "trig_cond": np.array([CONDITION_ORDER.index(t.condition) for t in trs], dtype=np.int64),
        "trig_threshold": np.array(
            [0.0 if t.threshold is None else t.threshold for t in trs], dtype=np.float64
        ),
        "trig_cure": np.array([t.cure for t in trs], dtype=bool),
        "trig_event": np.array([EVENT_ORDER.index(t.event) for t in trs], dtype=np.int64),
        "trig_from": np.array(
            [_first_on_or_after(dates, t.date) if t.date is not None else NEVER for t in trs],
            dtype=np.int64,
        ),
        "event_has": np.array([any(t.event is e for t in trs) for e in EVENT_ORDER], dtype=bool),
        "trig_periods": np.array([t.periods for t in trs], dtype=np.int64),
    }


def _revolving_arrays(deal: Deal, dates: tuple[dt.date, ...]) -> dict[str, Any]:
    """Revolving period (first period without purchases), lists and the kind band to hold."""
    rv = deal.revolving
    wf = effective_waterfall(deal)
    if rv is None:
        return {
            "has_revolving": 0,
            "rev_end": len(dates),  # a static deal's amortisation list runs only after the event
            "has_amort": int(wf.amortisation is not None),
            "keep_band": 0,
            "band_lo": 0,
            "band_hi": 1000,
            "account_rate": 0.0,
        }
    check_revolving(deal, dates)  # a deal built with model_copy skipped validation
    end = revolving_periods(rv, dates)
    lo, hi = kind_band(issued_kind(deal))
    return {
        "has_revolving": 1,
        "rev_end": end,
        "has_amort": int(wf.amortisation is not None),
        "keep_band": int(rv.keep_kind_band),
        "band_lo": lo,
        "band_hi": hi,
        "account_rate": float(rv.account_rate),
    }


def compile_deal(deal: Deal, collections: Collections, *, reference_rate: float) -> DealArrays:
    """``deal`` on the periods of ``collections`` (see :mod:`waterfall.params`).

    Raises
    ------
    WaterfallError
        The collections have no periods, a step needs an account the deal lacks, or a
        parameter is not finite (the deal field is named).
    """
    t_count = collections.n_periods
    if t_count < 1:
        raise WaterfallError(f"deal {deal.name}: collections have no periods")
    dates = tuple(collections.payment_dates)
    tr = deal.tranches
    seniors = [t.tranche_class is TrancheClass.SENIOR for t in tr]
    overdue = [
        _first_on_or_after(dates, t.expected_maturity_date or deal.dates.expected_maturity_date) + 1
        if seniors[i]
        else NEVER
        for i, t in enumerate(tr)
    ]
    steps, ops, start, end, step_float = _step_table(deal)
    revolving = _revolving_arrays(deal, dates)
    conv = deal.conventions
    days = np.asarray(collections.days, dtype=np.float64)
    fees = _fee_arrays(deal, days)
    support = _support_arrays(deal)
    triggers = _trigger_arrays(deal, dates)
    ints: dict[str, Any] = {
        "n_tranches": len(tr),
        "n_fees": len(deal.fees),
        "n_triggers": len(deal.triggers),
        "n_periods": t_count,
        "rank": [CLASS_RANK[t.tranche_class] for t in tr],
        "senior": seniors,
        "pass_through": [t.principal_type is PrincipalType.PASS_THROUGH for t in tr],
        "has_interest": [
            t.coupon.coupon_type is CouponType.FLOATING or t.coupon.rate > 0 for t in tr
        ],
        "coupon_float": [t.coupon.coupon_type is CouponType.FLOATING for t in tr],
        "overdue_from": overdue,
        "senior_through": seniors if any(seniors) else [i == 0 for i in range(len(tr))],
        "steps": steps,
        "ops": ops,
        "list_start": start,
        "list_end": end,
        "rounding": _ROUNDING[conv.rounding],
        "leftover": ly.LEFTOVER_LARGEST
        if conv.leftover is LeftoverRule.LARGEST
        else ly.LEFTOVER_FIRST,
        "ioi": conv.interest_on_unpaid_interest,
        "skip_settled": 1,
        "residual_of_list": _residual_of_lists(steps, ops, start, end),
        **{k: v for k, v in revolving.items() if k != "account_rate"},
        **{k: v for k, v in fees.items() if k in ("fee_is_tax", "fee_is_fixed", "fee_base")},
        **{k: v for k, v in support.items() if not isinstance(v, float)},
        **{k: v for k, v in triggers.items() if k != "trig_threshold"},
    }
    floats: dict[str, Any] = {
        "balance0": [t.balance for t in tr],
        "coupon_fixed": [t.coupon.rate for t in tr],
        "coupon_spread": [t.coupon.spread for t in tr],
        "coupon_floor": [-ly.NO_CAP if t.coupon.floor is None else t.coupon.floor for t in tr],
        "coupon_cap": [ly.NO_CAP if t.coupon.cap is None else t.coupon.cap for t in tr],
        "period_yield": [t.period_yield for t in tr],
        "targets": _targets(deal, dates),
        "issue_amount": float(deal.issue_amount),
        "year_fractions": np.asarray(collections.year_fractions, dtype=np.float64),
        "forecast": np.asarray(collections.forecast, dtype=np.float64),
        "times": analytics.year_times(deal.dates.closing_date, dates),
        "initial_pool_balance": float(collections.initial_pool_balance),
        "reference_rate": float(reference_rate),
        "trig_threshold": triggers["trig_threshold"],
        "step_float": step_float,
        "account_rate": revolving["account_rate"],
        **{k: v for k, v in fees.items() if k in ("fee_amount", "fee_mult", "fee_cap")},
        **{k: v for k, v in support.items() if isinstance(v, float)},
    }
    _check_finite(deal, floats)
    return pack(ints, floats)


#: Where a non-finite compiled value comes from in the deal file.
_FIELD = {
    "balance0": "tranches[].balance",
    "issue_amount": "tranches[].balance",
    "reserve_initial": "reserve.initial_balance",
    "reserve_target_amount": "reserve.target_amount",
    "reserve_target_percent": "reserve.target_percent",
    "commit_cap_total": "support.shortfall_commitment.cap_total",
    "commit_cap_period": "support.shortfall_commitment.cap_per_period",
    "guarantee_cap_total": "support.guarantee.cap_total",
    "guarantee_cap_period": "support.guarantee.cap_per_period",
    "initial_pool_balance": "collections.initial_pool_balance",
    "coupon_fixed": "tranches[].coupon.rate",
    "coupon_spread": "tranches[].coupon.spread",
    "coupon_floor": "tranches[].coupon.floor",
    "coupon_cap": "tranches[].coupon.cap",
    "period_yield": "tranches[].period_yield",
    "targets": "tranches[].target_balances",
    "fee_amount": "fees[].amount",
    "fee_mult": "fees[].rate / surcharge / pay_share",
    "fee_cap": "fees[].cap",
    "trig_threshold": "triggers[].threshold",
    "year_fractions": "collections.year_fractions",
    "forecast": "collections.forecast",
    "reference_rate": "assumptions.reference_rate",
    "step_float": "waterfall[].target_oc",
    "account_rate": "revolving.account_rate",
}


def _check_finite(deal: Deal, floats: dict[str, Any]) -> None:
    for name, value in floats.items():
        arr = np.asarray(value)
        if arr.dtype.kind != "f" or np.all(np.isfinite(arr)):
            continue
        where = _FIELD.get(name, name)
        bad = np.argwhere(~np.isfinite(arr))
        at = f" at index {tuple(int(i) for i in bad[0])}" if arr.ndim else ""
        raise WaterfallError(
            f"deal {deal.name}: {where} is not a finite number{at} ({arr[tuple(bad[0])]!r}); "
            "NaN and infinity are not amounts or rates"
        )


def scenario_inputs(
    deal: Deal,
    collections: Collections,
    *,
    rate_shift_bp: Any,
    originator_default: Any,
    guarantor_default: Any,
) -> ScenarioInputs:
    """The per-scenario arrays of a run (collections C-contiguous, factors one per scenario).

    Raises
    ------
    WaterfallError
        A factor has the wrong shape, or is not finite.
    """
    s = collections.n_scenarios
    t = collections.n_periods
    pur = collections.purchases
    if deal.revolving is not None and pur is None:
        pur = Purchases.none(t)
    if pur is not None and pur.n_periods != t:
        raise WaterfallError(
            f"deal {deal.name}: revolving purchase profiles have {pur.n_periods} periods, the "
            f"collections {t}"
        )
    if pur is None or deal.revolving is None:
        z2, z3 = np.zeros((1, 2, 0)), np.zeros((1, 2, 0, 0))
        p_parts = (z2, z3, z3, z3, z3)
        group = np.zeros(s, dtype=np.int64)
    else:
        p_parts = (pur.supply, pur.total, pur.income, pur.defaults, pur.balance)
        _check_horizon(deal, collections, pur)
        given = collections.purchase_group
        group = np.zeros(s, dtype=np.int64) if given is None else np.asarray(given, np.int64)
        if group.shape != (s,) or group.min() < 0 or group.max() >= pur.n_groups:
            raise WaterfallError(
                f"deal {deal.name}: collections.purchase_group must give each of the {s} "
                f"scenarios one of the {pur.n_groups} purchase sets"
            )
    data = collections.data_balance
    shift = _per_scenario("rate_shift_bp", rate_shift_bp, s, np.float64) / 1e4
    if not np.all(np.isfinite(shift)):
        raise WaterfallError(f"deal {deal.name}: rate_shift_bp must be finite; got {shift * 1e4}")
    return ScenarioInputs(
        total=np.ascontiguousarray(collections.total, dtype=np.float64),
        income=np.ascontiguousarray(collections.income, dtype=np.float64),
        defaults=np.ascontiguousarray(collections.defaults, dtype=np.float64),
        pool_balance=np.ascontiguousarray(collections.pool_balance, dtype=np.float64),
        rate_shift=shift,
        originator_default=_per_scenario("originator_default", originator_default, s, np.bool_),
        guarantor_default=_per_scenario("guarantor_default", guarantor_default, s, np.bool_),
        data_balance=np.zeros((0, 0))
        if data is None
        else np.ascontiguousarray(data, dtype=np.float64),
        p_group=np.ascontiguousarray(group),
        p_supply=p_parts[0],
        p_total=p_parts[1],
        p_income=p_parts[2],
        p_defaults=p_parts[3],
        p_balance=p_parts[4],
    )


def _check_horizon(deal: Deal, collections: Collections, pur: Purchases) -> None:
    """What an asset bought in the revolving period brings must arrive by the last payment
    date, and nothing of it may remain owed then (it would vanish from the run)."""
    assert deal.revolving is not None
    t_count = collections.n_periods
    n_rev = min(revolving_periods(deal.revolving, tuple(collections.payment_dates)), t_count)
    length = pur.total.shape[-1]
    for t in range(n_rev):
        if not (pur.supply[:, :, t] > 0.0).any():
            continue
        late = slice(t_count - t, length)
        beyond = max(
            float(np.abs(pur.total[:, :, t, late]).max(initial=0.0)),
            float(np.abs(pur.defaults[:, :, t, late]).max(initial=0.0)),
        )
        owed = (
            float(np.abs(pur.balance[:, :, t, t_count - 1 - t]).max(initial=0.0))
            if t_count - 1 - t < length
            else 0.0
        )
        if beyond > 1e-9 or owed > 1e-9:
            raise WaterfallError(
                f"deal {deal.name}: the assets offered in revolving period {t + 1} still pay "
                f"after the last payment date {collections.payment_dates[-1]} (per yuan: "
                f"{beyond:.6g} collected later, {owed:.6g} still owed); rule: a purchased "
                "asset matures by the last payment date"
            )


def _per_scenario(name: str, value: Any, s: int, dtype: type) -> npt.NDArray[Any]:
    arr: npt.NDArray[Any] = np.asarray(value, dtype=dtype)
    if arr.ndim == 0:
        return np.full(s, arr.item(), dtype=dtype)
    if arr.shape != (s,):
        raise WaterfallError(
            f"waterfall.run: {name} must be a scalar or an array of shape ({s},) "
            f"(one value per scenario); got shape {arr.shape}"
        )
    return np.ascontiguousarray(arr)
