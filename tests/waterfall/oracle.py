"""Scalar reference waterfall: ONE scenario, plain Python floats and loops, no numpy.

Written from the rules in ``docs/waterfall.md`` and independently of ``waterfall/``: it reads
the deal spec and the step lists directly (``abs.templates.effective_waterfall``) and keeps
every amount in dicts keyed by line name. Tests compare the vectorised engine with it line by
line; the benchmark times it as the baseline the engine must beat.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from abs.cashflows import Collections
from abs.deal import (
    Deal,
    FundReserve,
    PayFees,
    PayInterest,
    PayPrincipal,
    PayResidual,
    PaySubYield,
    ReimburseSupport,
    Revolve,
    TurboOC,
)
from abs.enums import (
    AllocationMode,
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
from abs.templates import effective_waterfall

EPS = 0.005
RANK = {TrancheClass.SENIOR: 0, TrancheClass.MEZZANINE: 1, TrancheClass.SUBORDINATED: 2}


@dataclass
class OracleResult:
    """Per-period lists for one scenario (every list has one entry per period)."""

    fee_due: dict[str, list[float]] = field(default_factory=dict)
    fee_paid: dict[str, list[float]] = field(default_factory=dict)
    fee_support: dict[str, list[float]] = field(default_factory=dict)
    int_due: dict[str, list[float]] = field(default_factory=dict)
    int_paid: dict[str, list[float]] = field(default_factory=dict)
    int_support: dict[str, list[float]] = field(default_factory=dict)
    ioi_paid: dict[str, list[float]] = field(default_factory=dict)
    prin_due: dict[str, list[float]] = field(default_factory=dict)
    prin_paid: dict[str, list[float]] = field(default_factory=dict)
    prin_support: dict[str, list[float]] = field(default_factory=dict)
    yield_due: dict[str, list[float]] = field(default_factory=dict)
    yield_paid: dict[str, list[float]] = field(default_factory=dict)
    residual: dict[str, list[float]] = field(default_factory=dict)
    balance: dict[str, list[float]] = field(default_factory=dict)  # T + 1 entries
    reserve_balance: list[float] = field(default_factory=list)  # T + 1 entries
    reserve_deposit: list[float] = field(default_factory=list)
    reserve_release: list[float] = field(default_factory=list)
    draws: dict[str, list[float]] = field(default_factory=dict)
    reimbursed: dict[str, list[float]] = field(default_factory=dict)
    carried_out: list[float] = field(default_factory=list)
    accelerated: list[bool] = field(default_factory=list)
    events: dict[str, list[bool]] = field(default_factory=dict)
    triggers: dict[str, list[bool]] = field(default_factory=dict)
    purchases: list[float] = field(default_factory=list)
    purchases_data: list[float] = field(default_factory=list)
    set_aside: list[float] = field(default_factory=list)
    idle: list[float] = field(default_factory=list)
    idle_interest: list[float] = field(default_factory=list)
    pool_balance: list[float] = field(default_factory=list)
    data_balance: list[float] = field(default_factory=list)
    revolving: list[bool] = field(default_factory=list)
    purchased_collections: list[float] = field(default_factory=list)


@dataclass
class _Books:
    """Running amounts of the oracle: cash in hand, the reserve and support usage."""

    avail: float = 0.0
    reserve: float = 0.0
    commit_used: float = 0.0
    guar_used: float = 0.0
    commit_on: bool = True
    guar_on: bool = True
    rounding: Rounding = Rounding.NONE
    leftover: LeftoverRule = LeftoverRule.FIRST
    drawn: dict[str, float] = field(default_factory=dict)
    owed: dict[str, float] = field(
        default_factory=lambda: {"shortfall_commitment": 0.0, "guarantee": 0.0}
    )


def _amt(b: _Books, x: float) -> float:
    """A computed amount under the deal's rounding convention (docs/waterfall.md): the decimal
    amount ``x`` stands for, half-up or truncated to the fen; within 1e-6 fen of a boundary
    counts as on it (binary representation error)."""
    if b.rounding is Rounding.NONE:
        return x
    fen = x * 100.0
    whole = math.floor(fen)
    if b.rounding is Rounding.HALF_UP_FEN:
        return (whole + (1 if fen - whole >= 0.5 - 1e-6 else 0)) / 100.0
    return math.floor(fen + 1e-6) / 100.0


def _cash(b: _Books, x: float) -> float:
    """Cash that can be paid out: whole fen, rounded down, when the deal rounds."""
    return x if b.rounding is Rounding.NONE else math.floor(x * 100.0 + 1e-6) / 100.0


def _fen(x: float) -> int:
    return math.floor(x * 100.0 + 0.5)


def _whole_fen_shares(
    b: _Books, shares: dict[str, float], caps: dict[str, float], total: float
) -> dict[str, float]:
    """Round each share, then move the fen the rounding left over (or took too many) to the
    first line (or the largest cap first), each share within 0 and its cap."""
    if b.rounding is Rounding.NONE:
        return shares
    fen = {k: min(max(_fen(_amt(b, v)), 0), _fen(caps[k])) for k, v in shares.items()}
    left = _fen(total) - sum(fen.values())
    order = list(caps)
    if b.leftover is LeftoverRule.LARGEST:
        order = sorted(order, key=lambda k: -caps[k])
    while left != 0:
        for k in order:
            room = _fen(caps[k]) - fen[k] if left > 0 else fen[k]
            if room > 0:
                move = min(abs(left), room) * (1 if left > 0 else -1)
                fen[k] += move
                left -= move
                break
        else:
            break
    return {k: v / 100.0 for k, v in fen.items()}


def _share_out(b: _Books, drawn: float, shorts: dict[str, float]) -> dict[str, float]:
    """A support draw shared in proportion to each line's shortfall."""
    tot = sum(shorts.values())
    exact = {k: sh / tot * drawn for k, sh in shorts.items()}
    return _whole_fen_shares(b, exact, shorts, drawn)


def _cover(b: _Books, deal: Deal, short: float, kind: SupportCover) -> float:
    """Reserve, then 差额支付, then guarantee, for a shortfall of ``short``."""
    got = 0.0
    if short <= 0.0:
        return 0.0
    if deal.reserve is not None and kind in deal.reserve.covers:
        d = min(short, b.reserve)
        b.reserve -= d
        b.drawn["reserve"] += d
        short -= d
        got += d
    commit = deal.support.shortfall_commitment
    if commit is not None and kind in commit.covers:
        room = short if b.commit_on else 0.0
        if commit.cap_total is not None:
            room = min(room, commit.cap_total - b.commit_used)
        if commit.cap_per_period is not None:
            room = min(room, commit.cap_per_period - b.drawn["shortfall_commitment"])
        d = _cash(b, max(min(short, room), 0.0))
        b.commit_used += d
        b.drawn["shortfall_commitment"] += d
        b.owed["shortfall_commitment"] += d
        short -= d
        got += d
    guar = deal.support.guarantee
    if guar is not None and kind in guar.covers:
        room = short if b.guar_on else 0.0
        if guar.cap_total is not None:
            room = min(room, guar.cap_total - b.guar_used)
        if guar.cap_per_period is not None:
            room = min(room, guar.cap_per_period - b.drawn["guarantee"])
        d = _cash(b, max(min(short, room), 0.0))
        b.guar_used += d
        b.drawn["guarantee"] += d
        b.owed["guarantee"] += d
        short -= d
        got += d
    return got


def _eligible(bal: dict[str, float], seniors_of: list[str], wait: bool) -> bool:
    """A tranche may take pass-through/turbo principal once its seniors are repaid."""
    return not wait or all(bal[m] <= EPS for m in seniors_of)


def _pay_group(b: _Books, needs: dict[str, float]) -> dict[str, float]:
    """Pay ``needs`` pro rata from the cash in hand; return what each got."""
    tot = sum(needs.values())
    got_all = _cash(b, min(tot, b.avail))
    ratio = got_all / tot if tot > 0 else 0.0
    b.avail -= got_all
    return _whole_fen_shares(b, {k: v * ratio for k, v in needs.items()}, needs, got_all)


def _largest_in_band(p0: float, data: float, pool: float, face0: float, lo: int) -> float:
    """``p0`` if buying it keeps 100·data ≥ lo·pool (integer fen), else the largest whole-fen
    amount below it that does (bisection: the test only fails more as the amount grows)."""

    def ok(amount: float) -> bool:
        return 100 * _fen(data) >= lo * _fen(pool + amount * face0)

    if ok(p0):
        return p0
    lo_c, hi_c = -1, math.floor(p0 * 100.0)  # ok(lo_c) holds (−1: nothing at all), hi_c unknown
    if hi_c >= 0 and ok(hi_c / 100.0):
        return hi_c / 100.0
    while hi_c - lo_c > 1:
        mid = (lo_c + hi_c) // 2
        if mid >= 0 and ok(mid / 100.0):
            lo_c = mid
        else:
            hi_c = mid
    return max(lo_c, 0) / 100.0


def _expected_index(dates: tuple[dt.date, ...], when: dt.date) -> int:
    i = 0
    while i < len(dates) and dates[i] < when:
        i += 1
    return i


def run_oracle(
    deal: Deal,
    coll: Collections,
    scenario: int = 0,
    *,
    rate_shift_bp: float = 0.0,
    originator_default: bool = False,
    guarantor_default: bool = False,
    reference_rate: float | None = None,
) -> OracleResult:
    """Run ``deal`` on scenario ``scenario`` of ``coll`` with scalar code."""
    wf = effective_waterfall(deal)
    dates = coll.payment_dates
    n_periods = len(dates)
    tranches = list(deal.tranches)
    names = [tr.name for tr in tranches]
    by_name = {tr.name: tr for tr in tranches}
    fees = {f.name: f for f in deal.fees}
    seniors = [tr.name for tr in tranches if tr.tranche_class is TrancheClass.SENIOR]
    ref = deal.assumptions.reference_rate if reference_rate is None else reference_rate

    def coupon(tr_name: str) -> float:
        c = by_name[tr_name].coupon
        if c.coupon_type is CouponType.FIXED:
            return c.rate
        r = ref + rate_shift_bp / 10000.0 + c.spread
        if c.floor is not None and r < c.floor:
            r = c.floor
        if c.cap is not None and r > c.cap:
            r = c.cap
        return r if r > 0 else 0.0

    seniors_of = {
        tr.name: [o.name for o in tranches if RANK[o.tranche_class] < RANK[tr.tranche_class]]
        for tr in tranches
    }

    def more_senior(tr_name: str) -> list[str]:
        return seniors_of[tr_name]

    # First period whose payment date is on/after each tranche's expected maturity (a junior is
    # never expected to mature before its seniors).
    em_index = {}
    for tr in tranches:
        em = tr.expected_maturity_date or deal.dates.expected_maturity_date
        for m in seniors_of[tr.name]:
            em = max(em, by_name[m].expected_maturity_date or deal.dates.expected_maturity_date)
        em_index[tr.name] = _expected_index(dates, em)

    def target(tr_name: str, t: int) -> float:
        tr = by_name[tr_name]
        if t == n_periods - 1 or t >= em_index[tr_name]:
            return 0.0
        if tr.principal_type is PrincipalType.SCHEDULED and tr.target_balances:
            tb = tr.target_balances
            return tb[t] if t < len(tb) else tb[-1]
        return math.inf

    out = OracleResult()
    for name in fees:
        out.fee_due[name], out.fee_paid[name], out.fee_support[name] = [], [], []
    for name in names:
        for d in (
            out.int_due,
            out.int_paid,
            out.ioi_paid,
            out.int_support,
            out.prin_due,
            out.prin_paid,
            out.prin_support,
            out.yield_due,
            out.yield_paid,
            out.residual,
        ):
            d[name] = []
        out.balance[name] = [tr_bal for tr_bal in [by_name[name].balance]]
    for src in ("reserve", "shortfall_commitment", "guarantee"):
        out.draws[src] = []
    for src in ("shortfall_commitment", "guarantee"):
        out.reimbursed[src] = []
    for ev in EventType:
        out.events[ev.value] = []
    for trg in deal.triggers:
        out.triggers[trg.name] = []

    bal = {n: by_name[n].balance for n in names}
    fee_arrears = dict.fromkeys(fees, 0.0)
    int_arrears = dict.fromkeys(names, 0.0)
    ioi_arrears = dict.fromkeys(names, 0.0)
    ioi_on = deal.conventions.interest_on_unpaid_interest
    b = _Books(rounding=deal.conventions.rounding, leftover=deal.conventions.leftover)
    b.reserve = deal.reserve.initial_balance if deal.reserve is not None else 0.0
    out.reserve_balance.append(b.reserve)
    carry = 0.0
    latch = {trg.name: False for trg in deal.triggers}
    senior_interest_unpaid = False
    cum_defaults = 0.0
    b.commit_used = 0.0
    b.guar_used = 0.0
    # revolving: what bought assets bring later (period → amount), idle cash, 循环购买率
    rv = deal.revolving
    pur = coll.purchases
    grp = 0 if coll.purchase_group is None else int(coll.purchase_group[scenario])
    # docs/revolving.md: purchases on the first `periods` payment dates, or those on/before
    # `end_date`; the period ends at least one payment date before the last
    if rv is not None:
        rev_end = (
            rv.periods
            if rv.periods is not None
            else sum(1 for d in dates if rv.end_date is not None and d <= rv.end_date)
        )
        assert 1 <= rev_end <= n_periods - 1, f"revolving period of {rev_end} / {n_periods}"
    else:
        rev_end = n_periods
    # what bought assets bring, by absolute period (no horizon: anything booked at or past
    # n_periods would be stranded, and the oracle says so at the end)
    later: dict[str, defaultdict[int, float]] = {
        k: defaultdict(float) for k in ("total", "income", "defaults", "bal", "data")
    }
    rates: list[float | None] = [None] * n_periods
    idle = 0.0
    early_amortised = False
    pool_open = coll.initial_pool_balance
    if rv is not None:
        from abs.kind_over_life import issued_kind, kind_band

        band_lo = kind_band(issued_kind(deal))[0]

    for t in range(n_periods):
        last = t == n_periods - 1
        total = float(coll.total[scenario, t])
        income = float(coll.income[scenario, t])
        defaults_t = float(coll.defaults[scenario, t])
        pool_t = float(coll.pool_balance[scenario, t])
        data_t = float(coll.data_balance[scenario, t]) if coll.data_balance is not None else 0.0
        if rv is not None:
            total += later["total"][t]
            income += later["income"][t]
            defaults_t += later["defaults"][t]
            pool_t += later["bal"][t]
            data_t += later["data"][t]
        cum_defaults += defaults_t
        yf = float(coll.year_fractions[t])
        days = float(coll.days[t])
        sec = sum(bal.values())
        sen = sum(bal[n] for n in seniors)

        # triggers and events
        for trg in deal.triggers:
            c = trg.condition
            x = trg.threshold if trg.threshold is not None else 0.0
            if c is TriggerCondition.CUMULATIVE_DEFAULT_RATE_ABOVE:
                init = coll.initial_pool_balance
                holds = init > 0 and cum_defaults / init > x
            elif c is TriggerCondition.OVERCOLLATERALISATION_BELOW:
                holds = sec > EPS and pool_t < x * sec
            elif c is TriggerCondition.COLLECTIONS_BELOW_FORECAST:
                fc = float(coll.forecast[t])
                holds = fc > 0 and (fc - total) / fc > x
            elif c is TriggerCondition.SENIOR_INTEREST_UNPAID:
                holds = senior_interest_unpaid
            elif c is TriggerCondition.PRINCIPAL_UNPAID_AT_EXPECTED_MATURITY:
                holds = False
                if t >= 1:
                    for n in seniors:
                        em = by_name[n].expected_maturity_date or deal.dates.expected_maturity_date
                        if dates[t - 1] >= em and bal[n] > EPS:
                            holds = True
            elif c is TriggerCondition.ORIGINATOR_EVENT:
                holds = originator_default
            elif c is TriggerCondition.REVOLVING_RATE_BELOW:
                seen = [r for r in rates[:t] if r is not None][-trg.periods :]
                holds = (
                    sec > EPS
                    and rv is not None
                    and len(seen) == trg.periods
                    and all(r < x for r in seen)
                )
            elif c is TriggerCondition.POOL_YIELD_BELOW:
                yf_t = float(coll.year_fractions[t])
                holds = sec > EPS and pool_open > EPS and yf_t > 0 and income / pool_open / yf_t < x
            else:
                holds = trg.date is not None and dates[t] >= trg.date
            latch[trg.name] = holds if trg.cure else (latch[trg.name] or holds)
            out.triggers[trg.name].append(latch[trg.name])
        event_on = {ev: False for ev in EventType}
        event_has = {ev: False for ev in EventType}
        for trg in deal.triggers:
            event_has[trg.event] = True
            if latch[trg.name]:
                event_on[trg.event] = True
        for ev in EventType:
            out.events[ev.value].append(event_on[ev])
        accelerated = event_on[EventType.ACCELERATION] or event_on[EventType.DEFAULT_EVENT]
        out.accelerated.append(accelerated)
        # 提前摊还事件 ends the revolving period for good, even if its trigger cures
        early_amortised = early_amortised or event_on[EventType.EARLY_AMORTISATION]
        ended = t >= rev_end or early_amortised
        revolving_now = rv is not None and not accelerated and not ended and sec > EPS
        b.commit_on = (
            not event_has[EventType.SHORTFALL_SUPPORT_START]
            or event_on[EventType.SHORTFALL_SUPPORT_START]
        ) and not originator_default
        b.guar_on = (
            not event_has[EventType.GUARANTEE_START] or event_on[EventType.GUARANTEE_START]
        ) and not guarantor_default

        # reserve release
        release = 0.0
        reserve_open = True
        if deal.reserve is not None and (last or sen <= EPS):
            release = b.reserve
            b.reserve = 0.0
            reserve_open = False
        out.reserve_release.append(release)
        idle_release = idle
        idle_interest = 0.0
        if rv is not None:
            idle_interest = _amt(b, idle * rv.account_rate * float(coll.year_fractions[t]))
        idle = 0.0
        b.avail = total + carry + release + idle_release + idle_interest
        cash_in = b.avail
        pool_now, data_now = pool_t, data_t
        buy = [0.0, 0.0]
        set_aside = 0.0
        supply = [0.0, 0.0]
        face = [0.0, 0.0]
        if rv is not None and pur is not None:
            supply = [float(pur.supply[grp, c, t]) for c in (0, 1)]
            face = [float(pur.balance[grp, c, t, 0]) for c in (0, 1)]

        # dues
        alive = 1.0 if sec > EPS else 0.0
        fee_due: dict[str, float] = {}
        payable: dict[str, float] = {}
        for name, fee in fees.items():
            if fee.fee_type is FeeType.FIXED:
                current = fee.amount * alive
            else:
                base = {
                    FeeBase.TOTAL_BALANCE: sec,
                    FeeBase.SENIOR_BALANCE: sen,
                    FeeBase.ISSUE_AMOUNT: deal.issue_amount,
                    FeeBase.PERIOD_COLLECTIONS: total,
                    FeeBase.PERIOD_INCOME: income,
                }[fee.base]
                if fee.fee_type is FeeType.TAX:
                    current = fee.rate * base * (1 + fee.surcharge) / (1 + fee.rate) * alive
                else:
                    current = base * fee.rate * days / 365.0 * fee.pay_share * alive
            fee_due[name] = fee_arrears[name] + _amt(b, current)
            if fee.cap is not None and not accelerated:
                payable[name] = min(fee_due[name], fee.cap)
            else:
                payable[name] = fee_due[name]
        int_due = {n: int_arrears[n] + _amt(b, bal[n] * coupon(n) * yf) for n in names}
        # interest on unpaid interest (not on earlier IoI), owed before the interest due
        ioi_due = {
            n: ioi_arrears[n] + (_amt(b, int_arrears[n] * coupon(n) * yf) if ioi_on else 0.0)
            for n in names
        }
        hard_due = {}
        for n in names:
            tgt = target(n, t)
            hard_due[n] = 0.0 if math.isinf(tgt) else _amt(b, max(bal[n] - tgt, 0.0))
        yield_full = {n: _amt(b, bal[n] * by_name[n].period_yield * yf) for n in names}

        fee_paid = dict.fromkeys(fees, 0.0)
        fee_support = dict.fromkeys(fees, 0.0)
        int_paid = dict.fromkeys(names, 0.0)
        int_support = dict.fromkeys(names, 0.0)
        hard_paid = dict.fromkeys(names, 0.0)
        soft_paid = dict.fromkeys(names, 0.0)
        prin_support = dict.fromkeys(names, 0.0)
        yield_paid = dict.fromkeys(names, 0.0)
        yield_ran = dict.fromkeys(names, False)
        residual = dict.fromkeys(names, 0.0)
        deposit = 0.0
        b.drawn = {"reserve": 0.0, "shortfall_commitment": 0.0, "guarantee": 0.0}
        repaid = {"shortfall_commitment": 0.0, "guarantee": 0.0}

        if accelerated:
            steps = wf.accelerated
        elif ended and wf.amortisation is not None:
            steps = wf.amortisation
        else:
            steps = wf.normal
        for step in steps:
            if isinstance(step, PayFees):
                if step.mode is AllocationMode.SEQUENTIAL or len(step.fees) == 1:
                    for name in step.fees:
                        need = payable[name] - fee_paid[name]
                        x = _cash(b, min(need, b.avail))
                        fee_paid[name] += x
                        b.avail -= x
                        kind = (
                            SupportCover.TAXES
                            if fees[name].fee_type is FeeType.TAX
                            else SupportCover.FEES
                        )
                        d = _cover(b, deal, need - x, kind)
                        fee_paid[name] += d
                        fee_support[name] += d
                else:
                    needs = {name: payable[name] - fee_paid[name] for name in step.fees}
                    got = _pay_group(b, needs)
                    for name, g in got.items():
                        fee_paid[name] += g
                    for kind in (SupportCover.TAXES, SupportCover.FEES):
                        group = [
                            name
                            for name in step.fees
                            if (fees[name].fee_type is FeeType.TAX) == (kind is SupportCover.TAXES)
                        ]
                        shorts = {name: needs[name] - got[name] for name in group}
                        tot_short = sum(shorts.values())
                        if not group or tot_short <= 0:
                            continue
                        d = _cover(b, deal, tot_short, kind)
                        for name, share in _share_out(b, d, shorts).items():
                            fee_paid[name] += share
                            fee_support[name] += share
            elif isinstance(step, PayInterest):
                group = [
                    n
                    for n in step.tranches
                    if by_name[n].coupon.coupon_type is CouponType.FLOATING
                    or by_name[n].coupon.rate > 0
                ]
                if not group:
                    continue
                needs = {n: int_due[n] + ioi_due[n] - int_paid[n] for n in group}
                got = _pay_group(b, needs)
                for n, g in got.items():
                    int_paid[n] += g
                shorts = {n: needs[n] - got[n] for n in group if n in seniors}
                tot_short = sum(shorts.values())
                if tot_short > 0:
                    d = _cover(b, deal, tot_short, SupportCover.SENIOR_INTEREST)
                    for n, share in _share_out(b, d, shorts).items():
                        int_paid[n] += share
                        int_support[n] += share
            elif isinstance(step, PayPrincipal):
                live = [n for n in step.tranches if not math.isinf(target(n, t))]
                if step.mode is AllocationMode.SEQUENTIAL or len(step.tranches) == 1:
                    for n in live:
                        need = hard_due[n] - hard_paid[n]
                        x = _cash(b, min(need, b.avail))
                        b.avail -= x
                        hard_paid[n] += x
                        bal[n] -= x
                        if n in seniors:
                            d = _cover(b, deal, need - x, SupportCover.SENIOR_PRINCIPAL)
                            hard_paid[n] += d
                            prin_support[n] += d
                            bal[n] -= d
                    for n in step.tranches:
                        soft = step.turbo or by_name[n].principal_type is PrincipalType.PASS_THROUGH
                        if not soft or not _eligible(bal, more_senior(n), step.wait_for_seniors):
                            continue
                        x = _cash(b, min(bal[n], b.avail))
                        b.avail -= x
                        soft_paid[n] += x
                        bal[n] -= x
                else:
                    needs = {n: hard_due[n] - hard_paid[n] for n in live}
                    got = _pay_group(b, needs) if needs else {}
                    for n, g in got.items():
                        hard_paid[n] += g
                        bal[n] -= g
                    shorts = {n: needs[n] - got[n] for n in live if n in seniors}
                    tot_short = sum(shorts.values())
                    if tot_short > 0:
                        d = _cover(b, deal, tot_short, SupportCover.SENIOR_PRINCIPAL)
                        for n, share in _share_out(b, d, shorts).items():
                            hard_paid[n] += share
                            prin_support[n] += share
                            bal[n] -= share
                    caps = {}
                    for n in step.tranches:
                        soft = step.turbo or by_name[n].principal_type is PrincipalType.PASS_THROUGH
                        if soft:
                            caps[n] = (
                                bal[n]
                                if _eligible(bal, more_senior(n), step.wait_for_seniors)
                                else 0.0
                            )
                    if caps:
                        got = _pay_group(b, caps)
                        for n, g in got.items():
                            soft_paid[n] += g
                            bal[n] -= g
            elif isinstance(step, FundReserve):
                rs = deal.reserve
                if rs is None:
                    raise AssertionError("deal has no reserve")
                sen_now = sum(bal[n] for n in seniors)
                pct = _amt(b, rs.target_percent * sen_now)
                tgt = {
                    ReserveTargetRule.FIXED: rs.target_amount,
                    ReserveTargetRule.PERCENT: pct,
                    ReserveTargetRule.MAX: max(pct, rs.target_amount),
                    ReserveTargetRule.MIN: min(pct, rs.target_amount),
                }[rs.target_rule]
                if not reserve_open:
                    tgt = 0.0
                x = _cash(b, min(max(tgt - b.reserve, 0.0), b.avail))
                b.reserve += x
                deposit += x
                b.avail -= x
            elif isinstance(step, PaySubYield):
                n = step.tranche
                if by_name[n].period_yield <= 0:
                    continue
                yield_ran[n] = True
                x = _cash(b, min(yield_full[n] - yield_paid[n], b.avail))
                yield_paid[n] += x
                b.avail -= x
            elif isinstance(step, ReimburseSupport):
                if step.wait_for_seniors and any(bal[n] > EPS for n in seniors):
                    continue
                for provider in step.providers:
                    x = _cash(b, min(b.owed[provider.value], b.avail))
                    b.owed[provider.value] -= x
                    repaid[provider.value] += x
                    b.avail -= x
            elif isinstance(step, Revolve):
                if not revolving_now:
                    continue
                if step.excess_spread:
                    budget = b.avail
                else:
                    principal_cash = max(total - income, 0.0)
                    budget = min(b.avail, principal_cash + idle_release - set_aside)
                budget = _cash(b, max(budget, 0.0))
                offered = supply[0] + supply[1]
                p0 = p1 = 0.0
                if rv is not None and rv.keep_kind_band and band_lo > 0:
                    # docs: data-linked first, within the budget; then the largest whole-fen
                    # plain amount (within supply and what is left) that keeps the band
                    p1 = _cash(b, min(supply[1], budget))
                    room = _cash(b, max(min(supply[0], budget - p1), 0.0))
                    p0 = _largest_in_band(
                        room, data_now + p1 * face[1], pool_now + p1 * face[1], face[0], band_lo
                    )
                elif offered > 0 and budget > 0:
                    # docs: spend min(budget, offered), split as the offer is split
                    spend = min(budget, offered)
                    p1 = _cash(b, min(spend * supply[1] / offered, budget))
                    p0 = _cash(b, max(min(spend * supply[0] / offered, budget - p1), 0.0))
                supply = [supply[0] - p0, supply[1] - p1]
                buy = [buy[0] + p0, buy[1] + p1]
                set_aside += budget
                pool_now += p0 * face[0] + p1 * face[1]
                data_now += p1 * face[1]
                idle += budget - p0 - p1
                b.avail -= budget
            elif isinstance(step, TurboOC):
                covered = max(RANK[by_name[n].tranche_class] for n in step.tranches)
                keep = _amt(b, (1.0 - step.target_oc) * max(pool_now, 0.0))
                need = sum(bal[n] for n in names if RANK[by_name[n].tranche_class] <= covered)
                need -= keep
                for n in step.tranches:
                    if need <= 0:
                        break
                    x = _cash(b, min(need, bal[n], b.avail))
                    b.avail -= x
                    scheduled = 0.0 if math.isinf(target(n, t)) else hard_due[n] - hard_paid[n]
                    part = min(x, max(scheduled, 0.0))
                    hard_paid[n] += part
                    soft_paid[n] += x - part
                    bal[n] -= x
                    need -= x
            elif isinstance(step, PayResidual):
                n = step.tranche
                if _eligible(bal, more_senior(n), step.wait_for_seniors):
                    x = _cash(b, b.avail)
                    residual[n] += x
                    b.avail -= x

        carry = b.avail
        if rv is not None:
            if revolving_now and set_aside > EPS:
                rates[t] = (buy[0] + buy[1]) / set_aside
            if pur is not None and buy[0] + buy[1] > 0:
                for a in range(1, pur.total.shape[3]):
                    u = t + a
                    for c in (0, 1):
                        later["total"][u] += buy[c] * float(pur.total[grp, c, t, a])
                        later["income"][u] += buy[c] * float(pur.income[grp, c, t, a])
                        later["defaults"][u] += buy[c] * float(pur.defaults[grp, c, t, a])
                        later["bal"][u] += buy[c] * float(pur.balance[grp, c, t, a])
                    later["data"][u] += buy[1] * float(pur.balance[grp, 1, t, a])
        pool_open = pool_now
        out.purchases.append(buy[0] + buy[1])
        out.purchases_data.append(buy[1])
        out.set_aside.append(set_aside)
        out.idle.append(idle)
        out.idle_interest.append(idle_interest)
        out.pool_balance.append(pool_now)
        out.data_balance.append(data_now)
        out.revolving.append(revolving_now)
        out.purchased_collections.append(later["total"][t] if rv is not None else 0.0)
        for name in fees:
            out.fee_due[name].append(fee_due[name])
            out.fee_paid[name].append(fee_paid[name])
            out.fee_support[name].append(fee_support[name])
            fee_arrears[name] = fee_due[name] - fee_paid[name]
        for n in names:
            has_int = by_name[n].coupon.coupon_type is CouponType.FLOATING or (
                by_name[n].coupon.rate > 0
            )
            out.int_due[n].append(int_due[n] + ioi_due[n] if has_int else 0.0)
            out.int_paid[n].append(int_paid[n])
            out.int_support[n].append(int_support[n])
            ioi_paid = min(int_paid[n], ioi_due[n])  # interest on interest is paid first
            out.ioi_paid[n].append(ioi_paid)
            ioi_arrears[n] = (ioi_due[n] - ioi_paid) if has_int else 0.0
            int_arrears[n] = (int_due[n] - (int_paid[n] - ioi_paid)) if has_int else 0.0
            out.prin_due[n].append(hard_due[n] + soft_paid[n])
            out.prin_paid[n].append(hard_paid[n] + soft_paid[n])
            out.prin_support[n].append(prin_support[n])
            out.yield_due[n].append(yield_full[n] if yield_ran[n] else 0.0)
            out.yield_paid[n].append(yield_paid[n])
            out.residual[n].append(residual[n])
            out.balance[n].append(bal[n])
        senior_interest_unpaid = any(int_arrears[n] + ioi_arrears[n] > EPS for n in seniors)
        out.reserve_balance.append(b.reserve)
        out.reserve_deposit.append(deposit)
        out.carried_out.append(carry)
        for src, v in b.drawn.items():
            out.draws[src].append(v)
        for src, v in repaid.items():
            out.reimbursed[src].append(v)

        # the oracle checks its own books too
        paid_out = (
            sum(fee_paid.values())
            + sum(int_paid.values())
            + sum(hard_paid.values())
            + sum(soft_paid.values())
            + sum(yield_paid.values())
            + sum(residual.values())
            + deposit
            + sum(repaid.values())
            + carry
            + buy[0]
            + buy[1]
            + idle
        )
        gap = cash_in + sum(b.drawn.values()) - paid_out
        if abs(gap) > 0.01:
            raise AssertionError(f"oracle not conserved at period {t}: {gap}")
    if rv is not None:  # nothing stranded: no idle cash, nothing owed or paid after the end
        stranded = [
            (k, u, v) for k, by_u in later.items() for u, v in by_u.items() if u >= n_periods and v
        ]
        if idle > 0.005 or stranded:
            raise AssertionError(f"oracle: cash stranded at the end: idle {idle}, {stranded[:3]}")
    return out
