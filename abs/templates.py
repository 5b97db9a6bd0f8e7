"""Default payment orders (现金流分配顺序) built from a deal's tranches and fees.

The templates follow DOMAIN.md ("Waterfall"). Before 加速清偿/违约事件::

    税费 → 有上限的优先费用 (pro rata) → 其他费用 (资产服务机构报酬 …, in order)
    → 优先级利息 (pro rata across all seniors) → 中间级利息 (each, in order)
    → 优先级本金 (sequential: scheduled/bullet amounts due, pass-through from what is left)
    → 中间级本金 → 储备金补足 → 返还增信垫付款 (差额支付, then guarantee; providers with
      ``reimbursed``) → (次级利息, if it has a coupon) → 次级期间收益 → 次级本金
    → 剩余资金归次级
      (kept in the account, 转入下一期, while a senior tranche is outstanding)

After 加速清偿 or 违约事件 (fees uncapped; seniors turbo)::

    税费 → 费用 → 优先级利息 (pro rata) → 优先级本金 (turbo, sequential)
    → 中间级利息 → 中间级本金 (turbo) → 返还增信垫付款 → (次级利息) → 次级本金 (turbo)
    → 剩余资金归次级

A fee is "capped" when its ``cap`` is set; fees without a cap (typically the base servicer fee)
come after the capped group. A deal's own ``waterfall`` always wins over the template.
"""

from __future__ import annotations

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
    Step,
    Tranche,
    Waterfall,
)
from abs.enums import AllocationMode, CouponType, FeeType, SupportProvider, TrancheClass


def _fee_steps(deal: Deal) -> list[Step]:
    taxes = tuple(f.name for f in deal.fees if f.fee_type is FeeType.TAX)
    capped = tuple(f.name for f in deal.fees if f.fee_type is not FeeType.TAX and f.cap is not None)
    others = tuple(f.name for f in deal.fees if f.fee_type is not FeeType.TAX and f.cap is None)
    steps: list[Step] = []
    if taxes:
        steps.append(PayFees(fees=taxes, mode=AllocationMode.SEQUENTIAL))
    if capped:
        steps.append(PayFees(fees=capped, mode=AllocationMode.PRO_RATA))
    if others:
        steps.append(PayFees(fees=others, mode=AllocationMode.SEQUENTIAL))
    return steps


def _has_coupon(tranche: Tranche) -> bool:
    c = tranche.coupon
    return c.coupon_type is CouponType.FLOATING or c.rate > 0


def _names(deal: Deal, cls: TrancheClass) -> tuple[str, ...]:
    return tuple(t.name for t in deal.tranches if t.tranche_class is cls)


def _reimburse_steps(deal: Deal) -> list[Step]:
    """One ``reimburse_support`` step for the providers whose draws are repaid, if any."""
    sup = deal.support
    providers = []
    if sup.shortfall_commitment is not None and sup.shortfall_commitment.reimbursed:
        providers.append(SupportProvider.SHORTFALL_COMMITMENT)
    if sup.guarantee is not None and sup.guarantee.reimbursed:
        providers.append(SupportProvider.GUARANTEE)
    return [ReimburseSupport(providers=tuple(providers))] if providers else []


def default_waterfall(deal: Deal) -> Waterfall:
    """The DOMAIN.md default step lists for ``deal`` (before and after acceleration).

    Parameters
    ----------
    deal : Deal
        The deal whose tranches and fees name the steps. Its own ``waterfall`` is ignored.

    Returns
    -------
    Waterfall
        ``normal`` and ``accelerated`` step lists; for a deal with ``revolving`` terms the
        normal list is the revolving period's (interest only, ``revolve``, excess spread to the
        次级) and ``amortisation`` the static normal order.

    Examples
    --------
    >>> from abs.io import load_deal
    >>> wf = default_waterfall(load_deal("qingdao-pure", with_pool=False))
    >>> [s.step for s in wf.normal][:3]
    ['pay_fees', 'pay_fees', 'pay_fees']
    """
    seniors = _names(deal, TrancheClass.SENIOR)
    mezz = _names(deal, TrancheClass.MEZZANINE)
    subs = _names(deal, TrancheClass.SUBORDINATED)
    fee_steps = _fee_steps(deal)

    normal: list[Step] = list(fee_steps)
    if seniors:
        normal.append(PayInterest(tranches=seniors))
    normal.extend(PayInterest(tranches=(m,)) for m in mezz)
    if seniors:
        normal.append(PayPrincipal(tranches=seniors, mode=AllocationMode.SEQUENTIAL))
    if mezz:
        normal.append(PayPrincipal(tranches=mezz, mode=AllocationMode.SEQUENTIAL))
    if deal.reserve is not None:
        normal.append(FundReserve())
    normal.extend(_reimburse_steps(deal))
    by_name = {t.name: t for t in deal.tranches}
    sub_coupons = [s for s in subs if _has_coupon(by_name[s])]
    normal.extend(PayInterest(tranches=(s,)) for s in sub_coupons)
    normal.extend(PaySubYield(tranche=s) for s in subs if by_name[s].period_yield > 0)
    if subs:
        normal.append(PayPrincipal(tranches=subs, mode=AllocationMode.SEQUENTIAL))
        normal.append(PayResidual(tranche=subs[-1], wait_for_seniors=True))

    accelerated: list[Step] = list(fee_steps)
    if seniors:
        accelerated.append(PayInterest(tranches=seniors))
        accelerated.append(
            PayPrincipal(tranches=seniors, mode=AllocationMode.SEQUENTIAL, turbo=True)
        )
    for m in mezz:
        accelerated.append(PayInterest(tranches=(m,)))
    if mezz:
        accelerated.append(PayPrincipal(tranches=mezz, mode=AllocationMode.SEQUENTIAL, turbo=True))
    accelerated.extend(_reimburse_steps(deal))
    accelerated.extend(PayInterest(tranches=(s,)) for s in sub_coupons)
    if subs:
        accelerated.append(PayPrincipal(tranches=subs, mode=AllocationMode.SEQUENTIAL, turbo=True))
        accelerated.append(PayResidual(tranche=subs[-1]))
    if deal.revolving is None:
        return Waterfall(normal=tuple(normal), accelerated=tuple(accelerated))
    # 循环期: interest-only notes; principal collections and idle cash buy new assets, excess
    # spread goes to the 次级 (期间收益, then the rest); 摊还期: the static order above.
    revolving: list[Step] = list(fee_steps)
    if seniors:
        revolving.append(PayInterest(tranches=seniors))
    revolving.extend(PayInterest(tranches=(m,)) for m in mezz)
    revolving.append(Revolve())
    if deal.reserve is not None:
        revolving.append(FundReserve())
    revolving.extend(_reimburse_steps(deal))
    revolving.extend(PayInterest(tranches=(s,)) for s in sub_coupons)
    revolving.extend(PaySubYield(tranche=s) for s in subs if by_name[s].period_yield > 0)
    if subs:
        revolving.append(PayResidual(tranche=subs[-1]))
    return Waterfall(
        normal=tuple(revolving), accelerated=tuple(accelerated), amortisation=tuple(normal)
    )


def effective_waterfall(deal: Deal) -> Waterfall:
    """The step lists the engine runs: the deal's own ``waterfall``, else the default template.

    Parameters
    ----------
    deal : Deal
        Any deal.

    Returns
    -------
    Waterfall
        ``deal.waterfall`` when set, otherwise :func:`default_waterfall`.
    """
    return deal.waterfall if deal.waterfall is not None else default_waterfall(deal)
