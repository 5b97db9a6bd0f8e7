"""Deal and collections builders for waterfall tests, and Hypothesis strategies of random deals.

Every test calls these to build its OWN deal; nothing here is shared mutable state.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
from hypothesis import strategies as st

from abs.cashflows import Collections, Purchases
from abs.deal import Deal
from abs.templates import default_waterfall, effective_waterfall

CLOSING = dt.date(2025, 1, 1)


def quarter_dates(n: int, *, start: dt.date = dt.date(2025, 4, 1)) -> tuple[dt.date, ...]:
    """``n`` payment dates three months apart from ``start`` (1st of the month)."""
    out = []
    y, m = start.year, start.month
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        m += 3
        if m > 12:
            m -= 12
            y += 1
    return tuple(out)


def make_deal(
    *,
    tranches: list[dict[str, Any]],
    n_periods: int,
    expected_period: int | None = None,
    fees: list[dict[str, Any]] | None = None,
    reserve: dict[str, Any] | None = None,
    support: dict[str, Any] | None = None,
    triggers: list[dict[str, Any]] | None = None,
    waterfall: dict[str, Any] | None = None,
    reference_rate: float = 0.03,
    conventions: dict[str, Any] | None = None,
    revolving: dict[str, Any] | None = None,
) -> Deal:
    """A deal with quarterly payment dates; expected maturity at period ``expected_period``."""
    dates = quarter_dates(n_periods)
    em = dates[(n_periods if expected_period is None else expected_period + 1) - 1]
    data: dict[str, Any] = {
        "name": "测试交易",
        "dates": {
            "cutoff_date": CLOSING.isoformat(),
            "closing_date": CLOSING.isoformat(),
            "first_payment_date": dates[0].isoformat(),
            "expected_maturity_date": em.isoformat(),
            "legal_maturity_date": dates[-1].isoformat(),
        },
        "tranches": tranches,
        "fees": fees or [],
        "reserve": reserve,
        "support": support or {},
        "triggers": triggers or [],
        "waterfall": waterfall,
        "assumptions": {"reference_rate": reference_rate},
        "conventions": conventions or {},
        "revolving": revolving,
    }
    return Deal.model_validate(data)


def make_collections(
    total: Any,
    *,
    income: Any = None,
    defaults: Any = None,
    pool_balance: Any = None,
    forecast: Any = None,
    initial_pool_balance: float | None = None,
    days: Any = None,
    purchases: Purchases | None = None,
    data_balance: Any = None,
) -> Collections:
    """Collections on the quarterly dates of :func:`make_deal` (year fraction = days/365)."""
    tot = np.atleast_2d(np.asarray(total, dtype=np.float64))
    t = tot.shape[1]
    dates = quarter_dates(t)
    starts = (CLOSING, *dates[:-1])
    d = (
        np.array([(b - a).days for a, b in zip(starts, dates, strict=True)], dtype=np.float64)
        if days is None
        else np.asarray(days, dtype=np.float64)
    )
    return Collections.from_arrays(
        payment_dates=dates,
        accrual_start=starts,
        year_fractions=d / 365.0,
        days=d,
        total=tot,
        income=income,
        defaults=defaults,
        pool_balance=pool_balance,
        forecast=forecast,
        initial_pool_balance=initial_pool_balance,
        purchases=purchases,
        data_balance=data_balance,
    )


# -- Hypothesis strategies ----------------------------------------------------------------------


def _fen(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Money in whole fen between ``lo`` and ``hi`` yuan."""
    return st.integers(round(lo * 100), round(hi * 100)).map(lambda c: c / 100.0)


_money = _fen(0.0, 2_000.0)
_rate = st.floats(min_value=0.0, max_value=0.08, allow_nan=False)
_covers = st.lists(
    st.sampled_from(["taxes", "fees", "senior_interest", "senior_principal"]),
    unique=True,
    max_size=4,
)


@st.composite
def tranche_specs(draw: st.DrawFn, *, n_periods: int) -> list[dict[str, Any]]:
    """1–2 seniors, 0–1 mezzanine, 0–1 subordinated, with random types and coupons."""
    dates = quarter_dates(n_periods)
    out: list[dict[str, Any]] = []
    plan = ["senior"] * draw(st.integers(1, 2))
    plan += ["mezzanine"] * draw(st.integers(0, 1))
    plan += ["subordinated"] * draw(st.integers(0, 1))
    for i, cls in enumerate(plan):
        bal = draw(_fen(50.0, 3_000.0))
        kind = draw(st.sampled_from(["scheduled", "pass_through", "bullet"]))
        spec: dict[str, Any] = {
            "name": f"{cls[:3]}{i}",
            "tranche_class": cls,
            "balance": bal,
            "principal_type": kind,
        }
        if kind == "scheduled":
            k = draw(st.integers(1, n_periods + 2))
            cuts = sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k)))
            spec["target_balances"] = [round(bal * (1.0 - c), 2) for c in cuts]
        if cls != "subordinated" or draw(st.booleans()):
            if draw(st.booleans()):
                spec["coupon"] = {"coupon_type": "fixed", "rate": draw(_rate)}
            else:
                spec["coupon"] = {
                    "coupon_type": "floating",
                    "spread": draw(st.floats(-0.02, 0.03)),
                    "floor": draw(st.one_of(st.none(), st.floats(0.0, 0.02))),
                    "cap": draw(st.one_of(st.none(), st.floats(0.03, 0.08))),
                }
        if cls == "subordinated" and draw(st.booleans()):
            spec["period_yield"] = draw(_rate)
        if draw(st.integers(0, 3)) == 0:
            spec["expected_maturity_date"] = draw(st.sampled_from(dates)).isoformat()
        out.append(spec)
    return out


@st.composite
def fee_specs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """0–4 taxes/fees with random bases and caps."""
    out: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["tax", "percentage", "fixed"]))
        spec: dict[str, Any] = {"name": f"费用{i}", "fee_type": kind}
        if kind == "fixed":
            spec["amount"] = draw(_fen(0.0, 30.0))
        else:
            spec["rate"] = draw(st.floats(0.0, 0.06))
            spec["base"] = draw(
                st.sampled_from(
                    [
                        "total_balance",
                        "senior_balance",
                        "issue_amount",
                        "period_collections",
                        "period_income",
                    ]
                )
            )
            if kind == "tax":
                spec["surcharge"] = draw(st.floats(0.0, 0.12))
            else:
                spec["pay_share"] = draw(st.floats(0.0, 1.0))
        if draw(st.booleans()):
            spec["cap"] = draw(_fen(0.0, 20.0))
        out.append(spec)
    return out


@st.composite
def trigger_specs(draw: st.DrawFn, *, n_periods: int) -> list[dict[str, Any]]:
    """0–3 triggers of any condition, pointing at any event."""
    dates = quarter_dates(n_periods)
    out: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 3))):
        cond = draw(
            st.sampled_from(
                [
                    "cumulative_default_rate_above",
                    "overcollateralisation_below",
                    "collections_below_forecast",
                    "senior_interest_unpaid",
                    "principal_unpaid_at_expected_maturity",
                    "originator_event",
                    "date_reached",
                    "revolving_rate_below",
                    "pool_yield_below",
                ]
            )
        )
        spec: dict[str, Any] = {
            "name": f"触发{i}",
            "condition": cond,
            "event": draw(
                st.sampled_from(
                    [
                        "acceleration",
                        "default_event",
                        "shortfall_support_start",
                        "guarantee_start",
                        "early_amortisation",
                    ]
                )
            ),
            "cure": draw(st.booleans()),
        }
        if spec["event"] == "early_amortisation":
            spec["cure"] = False  # 提前摊还事件 never cures (a spec error)
        if cond in {
            "cumulative_default_rate_above",
            "overcollateralisation_below",
            "collections_below_forecast",
            "revolving_rate_below",
            "pool_yield_below",
        }:
            spec["threshold"] = draw(st.floats(0.0, 1.5))
        if cond == "revolving_rate_below":
            spec["periods"] = draw(st.integers(1, 3))
        if cond == "date_reached":
            spec["date"] = draw(st.sampled_from(dates)).isoformat()
        out.append(spec)
    return out


@st.composite
def random_deals(
    draw: st.DrawFn,
    *,
    custom_waterfall: bool = True,
    revolving: bool = False,
    min_periods: int = 1,
) -> tuple[Deal, int]:
    """A random deal and its number of periods (``min_periods``–8); with ``revolving``, half
    of them (those of 2 periods or more) are revolving deals (:func:`revolving_structure`).
    A revolving-only trigger (``revolving_rate_below``) is kept only on a revolving deal."""
    n_periods = draw(st.integers(min_periods, 8))
    tranches = draw(tranche_specs(n_periods=n_periods))
    fees = draw(fee_specs())
    reserve = None
    if draw(st.booleans()):
        reserve = {
            "initial_balance": draw(_money),
            "target_amount": draw(_money),
            "target_percent": draw(st.floats(0.0, 0.2)),
            "target_rule": draw(st.sampled_from(["fixed", "percent", "max", "min"])),
            "covers": draw(_covers),
        }
    support: dict[str, Any] = {}
    if draw(st.booleans()):
        support["shortfall_commitment"] = {
            "provider": "原始权益人",
            "cap_per_period": draw(st.one_of(st.none(), _money)),
            "cap_total": draw(st.one_of(st.none(), _money)),
            "covers": draw(_covers),
            "reimbursed": draw(st.booleans()),
        }
    if draw(st.booleans()):
        support["guarantee"] = {
            "provider": "担保人",
            "cap_per_period": draw(st.one_of(st.none(), _money)),
            "cap_total": draw(st.one_of(st.none(), _money)),
            "covers": draw(_covers),
            "reimbursed": draw(st.booleans()),
        }
    drawn_triggers = draw(trigger_specs(n_periods=n_periods))
    triggers = [t for t in drawn_triggers if t["condition"] != "revolving_rate_below"]
    rev_triggers = [t for t in drawn_triggers if t["condition"] == "revolving_rate_below"]
    deal = make_deal(
        tranches=tranches,
        n_periods=n_periods,
        expected_period=draw(st.integers(0, n_periods - 1)),
        fees=fees,
        reserve=reserve,
        support=support,
        triggers=triggers,
        reference_rate=draw(st.floats(0.0, 0.05)),
        conventions={
            "rounding": draw(st.sampled_from(["none", "none", "half_up_fen", "truncate_fen"])),
            "leftover": draw(st.sampled_from(["first", "largest"])),
            "interest_on_unpaid_interest": draw(st.booleans()),
        },
    )
    if custom_waterfall and draw(st.booleans()):
        deal = deal.model_copy(update={"waterfall": draw(shuffled_waterfall(deal))})
    if revolving and draw(st.booleans()):
        deal = draw(revolving_structure(deal, n_periods, extra_triggers=rev_triggers))
    return deal, n_periods


@st.composite
def revolving_structure(
    draw: st.DrawFn,
    deal: Deal,
    n_periods: int,
    extra_triggers: list[dict[str, Any]] | None = None,
) -> Deal:
    """``deal`` made revolving: random terms (a revolving period ending at least one payment
    date before the last), a revolve step (and maybe a turbo_oc step) put anywhere in the
    normal list, maybe an amortisation list (with maybe a turbo_oc step), and
    ``extra_triggers``. A one-period deal cannot revolve: it comes back unchanged."""
    if n_periods < 2:
        return deal
    names = [t.name for t in deal.tranches]
    base = effective_waterfall(deal)

    def turbo() -> dict[str, Any]:
        chosen = draw(
            st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True)
        )
        return {"step": "turbo_oc", "tranches": chosen, "target_oc": draw(st.floats(0.0, 0.6))}

    def insert(steps: list[dict[str, Any]], step: dict[str, Any]) -> None:
        steps.insert(draw(st.integers(0, len(steps))), step)

    normal = [s.model_dump(mode="json") for s in base.normal]
    insert(normal, {"step": "revolve", "excess_spread": draw(st.booleans())})
    if draw(st.booleans()):
        insert(normal, turbo())
    if draw(st.booleans()):
        insert(normal, {"step": "revolve"})  # a second revolve step spends what is left
    amort = None
    if draw(st.booleans()):
        amort = [s.model_dump(mode="json") for s in base.accelerated]
        if draw(st.booleans()):
            insert(amort, turbo())
    terms: dict[str, Any] = {
        "purchase_price": draw(st.floats(0.8, 1.2)),
        "account_rate": draw(st.floats(0.0, 0.05)),
        "keep_kind_band": draw(st.booleans()),
        "issued_kind": draw(st.sampled_from(["pure", "labelled", "enabled", "not_dabs"])),
    }
    if draw(st.booleans()):
        terms["periods"] = draw(st.integers(1, n_periods - 1))
    else:
        terms["end_date"] = draw(st.sampled_from(quarter_dates(n_periods)[:-1])).isoformat()
    spec = deal.model_dump(mode="json")
    spec["revolving"] = terms
    spec["triggers"] = [*spec["triggers"], *(extra_triggers or [])]
    spec["waterfall"] = {
        "normal": normal,
        "accelerated": [s.model_dump(mode="json") for s in base.accelerated],
        "amortisation": amort,
    }
    return Deal.model_validate(spec)


@st.composite
def random_purchases(draw: st.DrawFn, *, n_periods: int) -> Purchases:
    """Random per-yuan purchase profiles (ages 0 … L − 1, L ≤ 4) and supply in whole fen."""
    length = draw(st.integers(1, 4))
    shape = (2, n_periods, length)
    size = 2 * n_periods * length

    def arr(lo: float, hi: float) -> np.ndarray:
        vals = draw(st.lists(st.floats(lo, hi), min_size=size, max_size=size))
        return np.array(vals).reshape(shape)

    total = arr(0.0, 1.2)
    total[:, :, 0] = 0.0
    income = total * arr(0.0, 0.3)
    defaults = arr(0.0, 0.2)
    balance = arr(0.0, 1.3)
    for t in range(n_periods):  # bought assets are paid off by the last payment date
        total[:, t, n_periods - t :] = 0.0
        income[:, t, n_periods - t :] = 0.0
        defaults[:, t, n_periods - t :] = 0.0
        balance[:, t, n_periods - 1 - t :] = 0.0
    supply = np.array(draw(st.lists(_money, min_size=2 * n_periods, max_size=2 * n_periods)))
    return Purchases(
        supply=supply.reshape(2, n_periods) / 4,
        total=total,
        income=income,
        defaults=defaults,
        balance=balance,
    )


@st.composite
def shuffled_waterfall(draw: st.DrawFn, deal: Deal) -> Any:
    """The default template with steps reordered, modes flipped and flags toggled."""
    base = default_waterfall(deal)

    def mutate(steps: tuple[Any, ...]) -> tuple[Any, ...]:
        out = []
        for s in draw(st.permutations(list(steps))):
            upd: dict[str, Any] = {}
            if s.step in {"pay_fees", "pay_principal"}:
                upd["mode"] = draw(st.sampled_from(["sequential", "pro_rata"]))
            if s.step == "pay_principal":
                upd["turbo"] = draw(st.booleans())
                upd["wait_for_seniors"] = draw(st.booleans())
            if s.step in {"pay_residual", "reimburse_support"}:
                upd["wait_for_seniors"] = draw(st.booleans())
            if s.step == "reimburse_support":
                upd["providers"] = draw(st.permutations(list(s.providers)))
            out.append(type(s).model_validate({**s.model_dump(), **upd}))
        return tuple(out)

    return type(base).model_validate(
        {"normal": mutate(base.normal), "accelerated": mutate(base.accelerated)}
    )


@st.composite
def random_collections(draw: st.DrawFn, *, n_periods: int, n_scenarios: int) -> Collections:
    """Random collections (S, T) with income ≤ total, defaults and a pool balance path."""
    shape = (n_scenarios, n_periods)
    flat = n_scenarios * n_periods
    tot = np.array(draw(st.lists(_money, min_size=flat, max_size=flat))).reshape(shape)
    share = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=flat, max_size=flat))).reshape(
        shape
    )
    dfl = np.array(draw(st.lists(_money, min_size=flat, max_size=flat))).reshape(shape) / 10
    pool = np.array(draw(st.lists(_money, min_size=flat, max_size=flat))).reshape(shape) * 2
    fc = np.array(draw(st.lists(_money, min_size=n_periods, max_size=n_periods)))
    linked = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=flat, max_size=flat)))
    sets = [draw(random_purchases(n_periods=n_periods)) for _ in range(draw(st.integers(1, 2)))]
    group = draw(
        st.lists(st.integers(0, len(sets) - 1), min_size=n_scenarios, max_size=n_scenarios)
    )
    coll = make_collections(
        tot,
        income=tot * share,
        defaults=dfl,
        pool_balance=pool,
        forecast=fc,
        initial_pool_balance=draw(_fen(100.0, 10_000.0)),
        purchases=sets[0] if len(sets) == 1 else Purchases.concat(sets),
        data_balance=pool * linked.reshape(shape) if draw(st.booleans()) else None,
    )
    return dataclasses.replace(coll, purchase_group=np.array(group, dtype=np.int64))
