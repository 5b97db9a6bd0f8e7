"""Pool assets and the pool (基础资产与资产池).

Units: money in CNY yuan (元); rates, growth and probabilities as annual fractions
(0.025 = 2.5%); volumes per month; unit prices in 元 per unit; terms in years.
"""

from __future__ import annotations

import datetime as dt
import math

from pydantic import Field, field_validator, model_validator

from abs._base import Spec
from abs.enums import Amortization, AssetType, DataLink, Frequency
from abs.errors import rule_error

#: Asset kinds whose cash flow comes from a data asset itself when linked ``direct``.
DATA_REVENUE_TYPES: frozenset[AssetType] = frozenset(
    {
        AssetType.DATA_LICENSE,
        AssetType.ALGORITHM_SERVICE,
        AssetType.DATA_PRODUCT,
        AssetType.REVENUE_SHARE,
    }
)


def _finite(name: str, value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise rule_error(
            "finite_number", "{name} must be a finite number, got {value}", name=name, value=value
        )
    return value


class Asset(Spec):
    """One pool asset (one tape row).

    The first block is the tape's required columns, the second the optional disclosure columns,
    the third the revenue and credit parameters the projection uses. Parameters left empty take
    the documented defaults of their asset kind (``docs/projection.md``).

    Examples
    --------
    >>> import datetime as dt
    >>> a = Asset(asset_id="R1", obligor="如皋城投", asset_type="receivable", data_link="pledged",
    ...           amount=1_000_000.0, start_date=dt.date(2025, 1, 1),
    ...           maturity_date=dt.date(2026, 1, 1))
    >>> a.is_data_linked
    True
    """

    # required (tape columns)
    asset_id: str = Field(min_length=1, description="资产编号 asset id, unique in the pool")
    obligor: str = Field(min_length=1, description="债务人/被许可方 obligor or licensee")
    asset_type: AssetType = Field(description="资产类型 asset kind")
    data_link: DataLink = Field(description="数据资产关联 link to a data asset")
    amount: float = Field(
        gt=0, description="入池金额 (元): balance or contracted amount in the pool"
    )
    start_date: dt.date = Field(description="起始日 contract start")
    maturity_date: dt.date = Field(description="到期日 contract maturity / licence end")

    # optional disclosure columns
    originator: str | None = Field(default=None, description="原始权益人/债权人 originator")
    region: str | None = Field(default=None, description="地区 obligor region")
    industry: str | None = Field(default=None, description="行业 obligor industry")
    rate: float | None = Field(default=None, ge=0, le=1, description="利率 annual interest rate")
    payment_frequency: Frequency | None = Field(default=None, description="还款频率")
    amortization: Amortization | None = Field(default=None, description="还本方式")
    registration_id: str | None = Field(default=None, description="数据资产登记编号")
    registry: str | None = Field(default=None, description="登记机构")
    valuation_method: str | None = Field(default=None, description="评估方法 收益法/成本法/市场法")
    appraised_value: float | None = Field(default=None, ge=0, description="评估价值 (元)")
    related_party: bool = Field(default=False, description="是否关联交易")
    obligor_rating: str | None = Field(default=None, description="债务人资信评级/影子评级")
    guarantor: str | None = Field(default=None, description="增信机构 credit enhancer")
    pledge_registration: str | None = Field(default=None, description="质押登记信息")
    booked: bool | None = Field(default=None, description="是否入表 data on the balance sheet")

    # revenue parameters (projection); None = derive from amount / kind default
    annual_fee: float | None = Field(default=None, ge=0, description="年许可费 (元/年)")
    escalator: float | None = Field(default=None, description="年费递增率 annual escalator")
    renewal_probability: float | None = Field(default=None, ge=0, le=1, description="续约概率")
    renewal_fee_change: float | None = Field(default=None, description="续约费率变化 fraction")
    renewal_term_years: float | None = Field(default=None, gt=0, description="续约期限 (年)")
    volume: float | None = Field(default=None, ge=0, description="月调用量/使用量 (次/月)")
    unit_price: float | None = Field(default=None, ge=0, description="单价 (元/次)")
    volume_growth: float | None = Field(default=None, description="调用量年增长率")
    price_decline: float | None = Field(default=None, description="单价年降幅")
    churn: float | None = Field(default=None, ge=0, le=1, description="年流失率 annual churn")
    minimum_fee: float | None = Field(default=None, ge=0, description="年保底费用 (元/年)")
    fee_cap: float | None = Field(default=None, ge=0, description="年费用上限 (元/年)")
    subscription_fee: float | None = Field(default=None, ge=0, description="月订阅费 (元/月)")
    counterparty_revenue: float | None = Field(default=None, ge=0, description="对手方年收入 (元)")
    revenue_share: float | None = Field(default=None, ge=0, le=1, description="分成比例")
    revenue_growth: float | None = Field(default=None, description="对手方收入年增长率")
    pd: float | None = Field(default=None, ge=0, le=1, description="年违约概率 annual PD")
    recovery_rate: float | None = Field(default=None, ge=0, le=1, description="回收率")
    recovery_lag: int | None = Field(default=None, ge=0, description="回收滞后 (期)")

    @field_validator(
        "amount",
        "rate",
        "appraised_value",
        "annual_fee",
        "escalator",
        "volume",
        "unit_price",
        "volume_growth",
        "price_decline",
        "minimum_fee",
        "fee_cap",
        "subscription_fee",
        "counterparty_revenue",
        "revenue_growth",
        "renewal_fee_change",
        "renewal_term_years",
    )
    @classmethod
    def _check_finite(cls, value: float | None, info: object) -> float | None:
        return _finite(getattr(info, "field_name", "value"), value)

    @model_validator(mode="after")
    def _check_dates(self) -> Asset:
        if self.maturity_date < self.start_date:
            raise rule_error(
                "asset_maturity_before_start",
                "asset {asset_id}: maturity_date {value} is before start_date {other}",
                asset_id=self.asset_id,
                value=self.maturity_date.isoformat(),
                other=self.start_date.isoformat(),
            )
        return self

    @property
    def is_data_linked(self) -> bool:
        """True for ``pledged`` and ``direct`` data links (counts toward the data share)."""
        return self.data_link is not DataLink.NONE

    @property
    def amount_fen(self) -> int:
        """入池金额 in integer fen (分), for exact share comparisons."""
        return round(self.amount * 100)

    @property
    def term_years(self) -> float:
        """Contract term from start to maturity in years (ACT/365F)."""
        return (self.maturity_date - self.start_date).days / 365.0


class Pool(Spec):
    """A pool of assets read from a tape (资产池). Asset ids are unique."""

    assets: tuple[Asset, ...] = Field(min_length=1)
    source: str | None = Field(default=None, description="tape file the pool was read from")
    cutoff_date: dt.date | None = Field(default=None, description="封包日 of the tape, if known")

    @model_validator(mode="after")
    def _unique_ids(self) -> Pool:
        seen: set[str] = set()
        for asset in self.assets:
            if asset.asset_id in seen:
                raise rule_error(
                    "asset_id_duplicate",
                    "duplicate asset_id {asset_id} in pool",
                    asset_id=repr(asset.asset_id),
                )
            seen.add(asset.asset_id)
        return self

    @property
    def total_amount(self) -> float:
        """入池总金额 (元)."""
        return sum(a.amount_fen for a in self.assets) / 100.0

    @property
    def asset_count(self) -> int:
        """笔数."""
        return len(self.assets)

    def __len__(self) -> int:
        return len(self.assets)
