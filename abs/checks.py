"""Domain checks of a structure against its pool and the market rules (no engine run).

Risk retention (SSE 挂牌指引2号 2.3.4), the usual 次级 range, issue size against the pool and a
senior tranche present. Streamlit-free: the dashboard's 结构设计 page shows these through a
cached wrapper (:func:`ui.engine.structure_checks`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from abs.deal import Deal
from abs.enums import TrancheClass


def _pool_amount(deal: Deal) -> float:
    from abs.io import require_pool

    return float(require_pool(deal).total_amount)


#: Risk retention: the originator keeps at least 5% (usually the 次级) unless a guarantee or
#: 差额支付 exempts it (SSE 挂牌指引2号 2.3.4; DOMAIN.md).
RETENTION_MIN = 0.05
#: Typical 次级 share of the issue (market practice, DOMAIN.md [I]).
SUB_TYPICAL = (0.05, 0.15)


@dataclass(frozen=True)
class StructureChecks:
    """Sizes of the structure against the pool and the retention rule.

    Attributes
    ----------
    tranches : DataFrame
        One row per tranche: ``name``, ``class`` (value), ``balance`` (yuan), ``share`` of the
        issue and ``subordination`` (share of the issue junior to it: its credit enhancement
        from subordination), all fractions.
    issue_amount, pool_amount : float
        募集资金 and 入池总金额 (yuan).
    findings : list of (str, dict)
        Label key and its fields, for the page to word in the session language.
    """

    tranches: pd.DataFrame
    issue_amount: float
    pool_amount: float
    findings: list[tuple[str, dict[str, object]]]


def structure_checks(deal: Deal) -> StructureChecks:
    """Shares of the issue, subordination below each tranche, and the size/retention rules.

    Sums of tranche sizes on the deal spec; the cash-flow measures come from
    :func:`scenarios.report.base_report` and the stress grid. Findings are label keys with
    their fields, for each surface to word in its own language.

    Raises
    ------
    DealSpecError
        The deal has no pool.
    """
    total = deal.issue_amount
    pool_amount = _pool_amount(deal)
    rows = []
    below = total
    for tr in deal.tranches:
        below -= tr.balance
        rows.append(
            {
                "name": tr.name,
                "class": tr.tranche_class.value,
                "balance": tr.balance,
                "share": tr.balance / total,
                "subordination": max(below, 0.0) / total,
            }
        )
    subs = sum(t.balance for t in deal.tranches if t.tranche_class is TrancheClass.SUBORDINATED)
    sub_share = subs / total
    exempt = deal.support.guarantee is not None or deal.support.shortfall_commitment is not None
    findings: list[tuple[str, dict[str, object]]] = []
    if total > pool_amount + 0.005:
        findings.append(("check.issue_above_pool", {"issue": total, "pool": pool_amount}))
    if not deal.seniors:
        findings.append(("check.no_senior", {}))
    if sub_share < RETENTION_MIN and not exempt:
        findings.append(("check.retention", {"share": sub_share}))
    elif not SUB_TYPICAL[0] <= sub_share <= SUB_TYPICAL[1]:
        findings.append(("check.sub_typical", {"share": sub_share}))
    return StructureChecks(
        tranches=pd.DataFrame(rows),
        issue_amount=total,
        pool_amount=pool_amount,
        findings=findings,
    )
