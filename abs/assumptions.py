"""Projection assumptions (现金流预测假设) and the stress hooks applied to copies of them.

Units: probabilities and rates as annual fractions; shocks as fractions (−0.2 = 20% lower);
``renewal_change_pp`` in percentage points (−20 = renewal probability 20pp lower); delays and
lags in payment periods; ``rate_shift_bp`` in basis points.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from abs._base import Spec
from abs.enums import AssetType, ProjectionMode

#: A probability or rate between 0 and 1 (per-kind PD and recovery overrides).
Fraction = Annotated[float, Field(ge=0, le=1)]

#: Default annual PD by asset kind when the tape gives none (documented in docs/projection.md).
DEFAULT_PD: dict[AssetType, float] = {
    AssetType.RECEIVABLE: 0.01,
    AssetType.DATA_LICENSE: 0.02,
    AssetType.ALGORITHM_SERVICE: 0.02,
    AssetType.DATA_PRODUCT: 0.03,
    AssetType.REVENUE_SHARE: 0.03,
    AssetType.TOLL_RIGHT: 0.005,
    AssetType.LEASE: 0.015,
    AssetType.IP_LICENSE: 0.02,
}

#: Default recovery rate by asset kind when the tape gives none.
DEFAULT_RECOVERY: dict[AssetType, float] = {
    AssetType.RECEIVABLE: 0.40,
    AssetType.DATA_LICENSE: 0.10,
    AssetType.ALGORITHM_SERVICE: 0.10,
    AssetType.DATA_PRODUCT: 0.0,
    AssetType.REVENUE_SHARE: 0.0,
    AssetType.TOLL_RIGHT: 0.50,
    AssetType.LEASE: 0.40,
    AssetType.IP_LICENSE: 0.10,
}


class Stress(Spec):
    """Stress factors applied on top of the base assumptions (all zero/neutral = no stress).

    Every factor has its unit in the docstring of ``docs/scenarios.md``; the projection applies
    them to a copy of the assumptions, never in place.
    """

    revenue_haircut: float = Field(default=0.0, ge=0, le=1, description="收入下降 fraction")
    volume_shock: float = Field(default=0.0, ge=-1, description="调用量冲击 fraction (−0.3 = −30%)")
    price_decline_change: float = Field(default=0.0, description="单价年降幅增加 fraction")
    pd_multiplier: float = Field(default=1.0, ge=0, description="违约率倍数")
    recovery_haircut: float = Field(default=0.0, ge=0, le=1, description="回收率下降 fraction")
    collection_delay: int = Field(default=0, ge=0, description="回款延迟 (期)")
    renewal_change_pp: float = Field(default=0.0, ge=-100, le=100, description="续约概率变化 (pp)")
    rate_shift_bp: float = Field(default=0.0, description="利率平移 (bp) floating coupons/discount")
    originator_default: bool = Field(default=False, description="差额支付承诺人违约")
    guarantor_default: bool = Field(default=False, description="担保人违约")
    payment_rate_change: float = Field(
        default=0.0,
        ge=-0.9,
        le=1.0,
        description="资产池月回款率变化 pool payment rate change fraction (−0.2 = 20% slower "
        "principal): the initial pool and purchased assets",
    )
    revolving_yield_haircut: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="资产池收益率下降 pool yield haircut fraction: income (not principal) of "
        "the initial pool and purchased assets",
    )
    revolving_rate_haircut: float = Field(
        default=0.0, ge=0, le=1, description="循环购买率下降 fraction: eligible supply × (1 − x)"
    )
    data_supply_haircut: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="数据资产关联资产供给下降 fraction: data-linked eligible supply × (1 − x)",
    )

    @property
    def is_base(self) -> bool:
        """True when no factor moves anything."""
        return self == Stress()


class Assumptions(Spec):
    """What the projection assumes beyond the tape (deal file section ``assumptions``)."""

    mode: ProjectionMode = Field(
        default=ProjectionMode.CONTRACTED,
        description="contracted: no cash beyond signed terms (filing default); renewal: renewals",
    )
    pd_by_type: dict[AssetType, Fraction] = Field(
        default_factory=dict, description="annual PD by asset kind (overrides DEFAULT_PD)"
    )
    recovery_by_type: dict[AssetType, Fraction] = Field(
        default_factory=dict, description="recovery rate by asset kind (overrides defaults)"
    )
    recovery_lag: int = Field(default=6, ge=0, description="回收滞后 (periods) when tape has none")
    collection_delay: int = Field(default=0, ge=0, description="回款延迟 (periods)")
    renewal_probability: float = Field(default=0.7, ge=0, le=1, description="default renewal p")
    renewal_fee_change: float = Field(default=0.0, description="default renewal fee change")
    asset_correlation: float = Field(default=0.2, ge=0, lt=1, description="copula rho")
    usage_volatility: float = Field(default=0.2, ge=0, description="lognormal usage sigma (annual)")
    usage_default_correlation: float = Field(
        default=0.0, ge=-1, le=1, description="correlation of usage shock with systematic factor"
    )
    discount_rate: float = Field(default=0.08, ge=0, description="收益法折现率 r")
    data_attribution: float = Field(default=1.0, ge=0, le=1, description="收益法数据贡献率 K")
    reference_rate: float = Field(default=0.03, ge=0, description="floating reference (e.g. LPR)")
    stress: Stress = Field(default_factory=Stress, description="stress applied to this run")

    def stressed(self, stress: Stress) -> Assumptions:
        """Return a copy carrying ``stress`` (the base is never modified)."""
        return self.model_copy(update={"stress": stress})
