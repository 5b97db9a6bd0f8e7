"""The replenishment model (循环购买资产供给): what can be bought each revolving period.

The assets offered — a candidate tape (real assets, each offered on the first payment date
on/after its start date, in tape order) or a seeded generator — are screened by the deal's
合格标准 (:class:`abs.deal.Eligibility`) and projected by the same asset models as the initial
pool (:mod:`abs.projection`, expected case, the deal's assumptions and the run's stress). Per
period and class (not data-linked, data-linked) this gives the eligible supply and what one
yuan spent brings in each later period (:class:`abs.cashflows.Purchases`); the waterfall
scales that by what the scenario spends (``docs/revolving.md``).

A purchase takes the same fraction of every eligible asset of its class offered that period,
so the per-yuan profile of the class is exact for it. Credit: an asset's expected flows carry
its survival from the cut-off; dividing by its balance at the purchase date conditions them on
survival to that date. The pool's payment-rate change and yield haircut reach purchased assets
through that projection (the stressed case, :mod:`abs.projection.model`, with each asset's
clock starting at its offer period), as they reach the initial pool, and are not applied again
here; ``revolving_rate_haircut`` cuts the eligible supply and ``data_supply_haircut`` its
data-linked part.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from abs.asset import Asset, Pool
from abs.assumptions import Assumptions, Stress
from abs.cashflows import Collections, Purchases
from abs.deal import Deal, Eligibility, Generator, check_revolving, revolving_periods
from abs.enums import AssetType, DataLink

FloatArray = npt.NDArray[np.float64]

#: Columns of :attr:`Candidates.table` (候选资产筛选表).
COL_ASSET_ID = "资产编号"
COL_OBLIGOR = "债务人"
COL_KIND = "资产类型"
COL_DATA_LINKED = "是否数据资产关联"
COL_OFFER_PERIOD = "供给期数"
COL_BALANCE = "购买日余额"
COL_ELIGIBLE = "是否合格"
COL_REASON = "不合格原因"


@dataclass(frozen=True)
class Candidates:
    """The candidate stream of a run: the supply profiles and the screening table."""

    purchases: Purchases
    table: pd.DataFrame


def _months(a: dt.date, b: dt.date) -> float:
    return (b - a).days / (365.0 / 12.0)


def offer_periods(pool: Pool, payment_dates: tuple[dt.date, ...]) -> list[int]:
    """Period each candidate is offered in: the first payment date on/after its start date."""
    out = []
    for a in pool.assets:
        t = 0
        while t < len(payment_dates) and payment_dates[t] < a.start_date:
            t += 1
        out.append(t)
    return out


def licence_annual_fee(size: float, rate: float, months: int) -> float:
    """Annual fee of a generated data licence of ``size`` yuan over ``months``: twelve level
    monthly fees that repay ``size`` as an annuity at ``rate`` / 12 (``rate`` annual, as for
    receivables), to the fen."""
    r = rate / 12.0
    monthly = size / months if r == 0.0 else size * r / (1.0 - (1.0 + r) ** -months)
    return round(12.0 * monthly, 2)


def generate(gen: Generator, deal: Deal, payment_dates: tuple[dt.date, ...], n: int) -> Pool:
    """Candidates of a :class:`Generator` for the first ``n`` periods (same seed, same pool).

    Each period offers assets totalling ``amount_per_period``, each of lognormal size around
    ``asset_amount`` (σ = 0.3), kinds drawn by ``kind_mix``; a receivable is data-linked
    (``pledged``) while the period's data-linked amount is below ``data_link_share`` of what
    was offered so far (data licences are data-linked by nature: ``direct``), so each period's
    offer holds the stated share to within one asset. Assets start the day after the previous
    payment date (offered on the next) and mature ``term_months`` later (a receivable: bullet,
    at the annual ``rate``; a licence: a level monthly fee, the annuity that repays its size at
    ``rate`` / 12 a month, :func:`licence_annual_fee`).
    """
    rng = np.random.default_rng(gen.seed)
    kinds = list(gen.kind_mix)
    weights = np.array([gen.kind_mix[k] for k in kinds], dtype=np.float64)
    weights /= weights.sum()
    assets: list[Asset] = []
    starts = (deal.dates.cutoff_date, *payment_dates[:-1])
    for t in range(n):
        offered = 0.0
        linked_amount = 0.0
        start = starts[t] + dt.timedelta(days=1)
        j = 0
        while offered < gen.amount_per_period:
            size = float(gen.asset_amount * rng.lognormal(-0.045, 0.3))
            size = round(min(size, gen.amount_per_period - offered) + 0.0, 2)
            if size < 0.01:
                break
            kind = kinds[int(rng.choice(len(kinds), p=weights))]
            linked = kind is AssetType.DATA_LICENSE or (
                linked_amount + size / 2.0 <= gen.data_link_share * (offered + size)
            )
            months = gen.term_months
            y, m = divmod(start.month - 1 + months, 12)
            maturity = dt.date(start.year + y, m + 1, min(start.day, 28))
            spec: dict[str, object] = {
                "asset_id": f"G{t + 1:03d}-{j + 1:04d}",
                "obligor": f"生成债务人{t + 1:03d}-{j + 1:04d}",
                "asset_type": kind,
                "data_link": (
                    DataLink.DIRECT
                    if kind is AssetType.DATA_LICENSE
                    else DataLink.PLEDGED
                    if linked
                    else DataLink.NONE
                ),
                "amount": size,
                "start_date": start,
                "maturity_date": maturity,
                "rate": gen.rate,
                "pd": gen.pd,
                "recovery_rate": gen.recovery_rate,
                "region": gen.region,
                "industry": gen.industry,
            }
            if kind is AssetType.DATA_LICENSE:
                spec["annual_fee"] = licence_annual_fee(size, gen.rate, months)
                spec["payment_frequency"] = "monthly"
            else:
                spec["amortization"] = "bullet"
            assets.append(Asset.model_validate(spec))
            offered += size
            linked_amount += size if linked else 0.0
            j += 1
    return Pool(assets=tuple(assets), cutoff_date=deal.dates.cutoff_date)


def _screen(
    pool: Pool,
    offer: list[int],
    balance_at_offer: FloatArray,
    rules: Eligibility,
    initial: Pool | None,
    payment_dates: tuple[dt.date, ...],
    n_revolving: int,
    last_date: dt.date,
    closing: FloatArray,
    initial_closing: FloatArray,
) -> list[str]:
    """Why each candidate is not eligible ('' = eligible), in tape order.

    An asset must mature by ``last_date`` (the last payment date, or the legal maturity when
    earlier) and be paid off by the last period (its projected balance ``closing`` (n, T)):
    what it still owed would be lost. The single-obligor limit is measured on outstanding
    balances at the purchase date: the obligor's projected balance in the initial pool
    (``initial_closing`` (n_initial, T)) and in the candidates accepted so far, plus this
    candidate's, against the pool's projected balance then (initial pool + accepted
    candidates + this one), as if each were bought in full.
    """
    t_count = len(payment_dates)
    owed: dict[str, FloatArray] = {}  # obligor → projected balance per period
    pool_owed = np.zeros(t_count)
    if initial is not None and initial_closing.shape[0] == len(initial.assets):
        for k, a in enumerate(initial.assets):
            row = owed.setdefault(a.obligor, np.zeros(t_count))
            row += initial_closing[k]
            pool_owed += initial_closing[k]
    reasons = []
    for i, a in enumerate(pool.assets):
        t = offer[i]
        why = ""
        if t >= n_revolving:
            why = "循环期外 offered after the revolving period"
        elif not balance_at_offer[i] > 0.005:
            why = "购买日余额为0 nothing outstanding at the purchase date"
        elif a.maturity_date > last_date or closing[i, t_count - 1] > 0.005:
            why = f"到期日 {a.maturity_date} 晚于最后兑付日/法定到期日 {last_date}"
        elif rules.allowed_kinds and a.asset_type not in rules.allowed_kinds:
            why = f"资产类型 {a.asset_type.zh} not allowed"
        elif rules.data_linked_only and a.data_link is DataLink.NONE:
            why = "非数据资产关联 not data-linked"
        elif rules.industries and (a.industry or "") not in rules.industries:
            why = f"行业 {a.industry} not allowed"
        elif rules.regions and (a.region or "") not in rules.regions:
            why = f"地区 {a.region} not allowed"
        elif (
            rules.max_term_months is not None
            and _months(a.start_date, a.maturity_date) > rules.max_term_months + 1e-9
        ):
            term = _months(a.start_date, a.maturity_date)
            why = f"合同期限 {term:.1f} 月 > {rules.max_term_months}"
        elif (
            rules.min_remaining_months is not None
            and _months(payment_dates[t], a.maturity_date) < rules.min_remaining_months - 1e-9
        ):
            left = _months(payment_dates[t], a.maturity_date)
            why = f"剩余期限 {left:.1f} 月 < {rules.min_remaining_months}"
        elif rules.max_obligor_share is not None:
            mine = owed[a.obligor][t] if a.obligor in owed else 0.0
            after = mine + balance_at_offer[i]
            pool_then = pool_owed[t] + balance_at_offer[i]
            if pool_then > 0 and after > rules.max_obligor_share * pool_then + 0.005:
                why = f"单一债务人 {after / pool_then:.2%} > {rules.max_obligor_share:.2%}"
        if not why:
            owed.setdefault(a.obligor, np.zeros(t_count))
            owed[a.obligor] += closing[i]
            pool_owed += closing[i]
        reasons.append(why)
    return reasons


def build(
    deal: Deal,
    payment_dates: tuple[dt.date, ...],
    *,
    assumptions: Assumptions | None = None,
    stress: Stress | None = None,
) -> Candidates | None:
    """The candidate stream of ``deal``'s replenishment model on its payment dates (None: the
    deal is not revolving or has no replenishment model)."""
    from abs.projection import pool_model

    rv = deal.revolving
    if rv is None or rv.replenishment is None:
        return None
    rep = rv.replenishment
    t_count = len(payment_dates)
    check_revolving(deal, payment_dates)
    n_rev = revolving_periods(rv, payment_dates)
    if rep.generator is not None:
        pool = generate(rep.generator, deal, payment_dates, n_rev)
    elif rep.pool is not None:
        pool = rep.pool
    else:  # a tape not read yet (abs.io.read_replenishment reads it with the deal)
        from abs.errors import DealSpecError

        raise DealSpecError(
            f"deal {deal.name}: revolving.replenishment.tape {rep.tape!r} was not read; load the "
            "deal with abs.load_deal (or pass --replenishment TAPE)"
        )
    st = stress if stress is not None else (assumptions or deal.assumptions).stress
    # the same asset models as the initial pool: a deal holding the candidates as its pool
    cand_deal = deal.model_copy(update={"pool": pool, "tape": None, "revolving": None})
    flows = pool_model(cand_deal, assumptions).case(st).asset_flows()
    n = len(pool.assets)
    offer = offer_periods(pool, payment_dates)
    at_offer = np.array(
        [flows.closing[i, offer[i]] if offer[i] < t_count else 0.0 for i in range(n)]
    )
    last_date = min(payment_dates[-1], deal.dates.legal_maturity_date)
    initial_closing = (
        pool_model(deal, assumptions).case(st).asset_flows().closing
        if deal.pool is not None and rv.eligibility.max_obligor_share is not None
        else np.zeros((0, t_count))
    )
    reasons = _screen(
        pool,
        offer,
        at_offer,
        rv.eligibility,
        deal.pool,
        payment_dates,
        n_rev,
        last_date,
        flows.closing if n else np.zeros((0, t_count)),
        initial_closing,
    )
    length = max([t_count - offer[i] for i in range(n) if not reasons[i]] + [1])
    price = rv.purchase_price
    supply = np.zeros((2, t_count))
    tot = np.zeros((2, t_count, length))
    inc = np.zeros((2, t_count, length))
    dfl = np.zeros((2, t_count, length))
    bal = np.zeros((2, t_count, length))
    for i, a in enumerate(pool.assets):
        if reasons[i]:
            continue
        t = offer[i]
        c = 0 if a.data_link is DataLink.NONE else 1
        span = t_count - t
        supply[c, t] += price * at_offer[i]
        tot[c, t, 1:span] += flows.total[i, t + 1 :]
        inc[c, t, 1:span] += flows.income[i, t + 1 :]
        dfl[c, t, 1:span] += flows.defaults[i, t + 1 :]
        bal[c, t, :span] += flows.closing[i, t:]
    with np.errstate(invalid="ignore", divide="ignore"):
        per = np.where(supply > 0, 1.0 / supply, 0.0)[:, :, None]
    tot, inc, dfl, bal = tot * per, inc * per, dfl * per, bal * per
    # the payment-rate change and the yield haircut are already in ``flows`` (the stressed
    # case of the projection, each asset's clock starting at its offer period): not again here
    supply = supply * (1.0 - st.revolving_rate_haircut)
    supply[1] *= 1.0 - st.data_supply_haircut
    purchases = Purchases(
        supply=supply,
        total=(tot - inc) + inc,
        income=inc,
        defaults=dfl,
        balance=np.maximum(bal, 0.0),
    )
    table = pd.DataFrame(
        {
            COL_ASSET_ID: [a.asset_id for a in pool.assets],
            COL_OBLIGOR: [a.obligor for a in pool.assets],
            COL_KIND: [a.asset_type.zh for a in pool.assets],
            COL_DATA_LINKED: [a.data_link is not DataLink.NONE for a in pool.assets],
            COL_OFFER_PERIOD: [t + 1 for t in offer],
            COL_BALANCE: at_offer,
            COL_ELIGIBLE: [not r for r in reasons],
            COL_REASON: reasons,
        }
    )
    return Candidates(purchases=purchases, table=table)


def data_balance(deal: Deal, collections: Collections, flows_closing: FloatArray) -> FloatArray:
    """(S, T) data-linked balance of the initial pool: the expected data-linked share of each
    period applied to every scenario's pool balance (stochastic paths keep only pool totals)."""
    if deal.pool is None:
        return np.zeros_like(collections.pool_balance)
    linked = np.array([a.data_link is not DataLink.NONE for a in deal.pool.assets])
    data = flows_closing[linked].sum(axis=0)
    total = flows_closing.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, data / np.where(total > 0, total, 1.0), 0.0)
    if collections.seed is None and collections.n_scenarios == 1:
        return np.asarray(data[np.newaxis, :], dtype=np.float64)
    return np.asarray(collections.pool_balance * share[np.newaxis, :], dtype=np.float64)


def attach(
    deal: Deal,
    collections: Collections,
    *,
    assumptions: Assumptions | None = None,
    stress: Stress | None = None,
) -> Collections:
    """``collections`` with the revolving purchase profiles and the initial pool's data-linked
    balance (a static deal's collections come back unchanged)."""
    if deal.revolving is None or deal.pool is None:
        return collections
    from abs.projection import pool_model

    st = stress if stress is not None else (assumptions or deal.assumptions).stress
    cands = build(deal, collections.payment_dates, assumptions=assumptions, stress=st)
    closing = pool_model(deal, assumptions).case(st).asset_flows().closing
    return dataclasses.replace(
        collections,
        purchases=cands.purchases if cands is not None else Purchases.none(collections.n_periods),
        data_balance=data_balance(deal, collections, closing),
    )
