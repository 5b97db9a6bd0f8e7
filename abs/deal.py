"""The deal spec (交易结构): dates, tranches, fees, accounts, support, triggers, waterfall.

A deal file is this model as JSON (``dabs schema`` prints its JSON Schema). Units: money in
yuan, rates as annual fractions, dates ISO ``YYYY-MM-DD``. The deal is immutable: a scenario is
``deal.model_copy(update=...)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field, model_validator

from abs._base import Spec
from abs.asset import Pool
from abs.assumptions import Assumptions, Stress
from abs.enums import (
    AllocationMode,
    AssetType,
    BusinessDayConvention,
    CalendarName,
    CouponType,
    DayCount,
    DealKind,
    EventType,
    FeeBase,
    FeeType,
    Frequency,
    LeftoverRule,
    PayDateAdjustment,
    PrincipalType,
    ReserveTargetRule,
    Rounding,
    SupportCover,
    SupportProvider,
    TrancheClass,
    TriggerCondition,
)
from abs.errors import DealSpecError, rule_error

SCHEMA_VERSION = "1.0"
#: Money fields stay below 1e13 元 (10万亿元), where float64 still carries 0.01 元 (as tapes).
MAX_YUAN = 1e13


class DealDates(Spec):
    """Key dates and conventions of the securities (日期与计息规则)."""

    cutoff_date: dt.date = Field(description="初始起算日/封包日 pool cut-off")
    closing_date: dt.date = Field(description="设立日 closing; interest accrues from here")
    first_payment_date: dt.date = Field(description="首个兑付日 (unadjusted)")
    frequency: Frequency = Field(default=Frequency.QUARTERLY, description="兑付频率")
    payment_lag_days: int = Field(
        default=10, ge=0, le=366, description="计算日 → 兑付日 lag in business days"
    )
    expected_maturity_date: dt.date = Field(description="预期到期日")
    legal_maturity_date: dt.date = Field(description="法定到期日")
    calendar: CalendarName = Field(default=CalendarName.SSE, description="节假日日历")
    convention: BusinessDayConvention = Field(default=BusinessDayConvention.FOLLOWING)
    day_count: DayCount = Field(default=DayCount.ACT_365F, description="计息基准")
    extra_holidays: tuple[dt.date, ...] = Field(
        default=(),
        description="holidays to add to the QuantLib calendar (years it does not yet know)",
    )
    pay_date_adjustment: PayDateAdjustment = Field(
        default=PayDateAdjustment.ADJUSTED,
        description="adjusted: pay and accrue on dates rolled by the convention on the calendar; "
        "unadjusted: pay and accrue on the scheduled (名义) dates",
    )

    @model_validator(mode="after")
    def _order(self) -> DealDates:
        cutoff, closing = self.cutoff_date, self.closing_date
        first, expected, legal = (
            self.first_payment_date,
            self.expected_maturity_date,
            self.legal_maturity_date,
        )
        if closing < cutoff:
            raise rule_error(
                "dates_closing_before_cutoff",
                "dates.closing_date {value} is before cutoff_date {other}",
                value=closing.isoformat(),
                other=cutoff.isoformat(),
            )
        if first <= closing:
            raise rule_error(
                "dates_first_payment_not_after_closing",
                "dates.first_payment_date {value} must be after closing_date {other}",
                value=first.isoformat(),
                other=closing.isoformat(),
            )
        if expected < first:
            raise rule_error(
                "dates_expected_before_first_payment",
                "dates.expected_maturity_date {value} is before first_payment_date {other}",
                value=expected.isoformat(),
                other=first.isoformat(),
            )
        if legal < expected:
            raise rule_error(
                "dates_legal_before_expected",
                "dates.legal_maturity_date {value} is before expected_maturity_date {other}",
                value=legal.isoformat(),
                other=expected.isoformat(),
            )
        if self.frequency is Frequency.ONCE:
            raise rule_error(
                "dates_frequency_once",
                "dates.frequency 'once' is not a payment frequency for securities",
            )
        return self


class Coupon(Spec):
    """Tranche coupon: fixed, or floating = reference + spread within [floor, cap]."""

    coupon_type: CouponType = CouponType.FIXED
    rate: float = Field(default=0.0, ge=0, le=1, description="fixed rate (fraction)")
    spread: float = Field(default=0.0, ge=-1, le=1, description="floating spread over reference")
    floor: float | None = Field(default=None, ge=0, le=1, description="floating floor")
    cap: float | None = Field(default=None, ge=0, le=1, description="floating cap")

    def rate_for(self, reference_rate: float) -> float:
        """Annual coupon rate given the reference rate (after any rate shift)."""
        if self.coupon_type is CouponType.FIXED:
            return self.rate
        r = reference_rate + self.spread
        if self.floor is not None:
            r = max(r, self.floor)
        if self.cap is not None:
            r = min(r, self.cap)
        return r


class Tranche(Spec):
    """One class of securities (优先A1, 优先A2, 次级 ...)."""

    name: str = Field(min_length=1, description="档位名称, unique")
    tranche_class: TrancheClass
    balance: float = Field(gt=0, lt=MAX_YUAN, description="发行规模 original balance (元)")
    coupon: Coupon = Field(default_factory=Coupon, description="票面利率 (次级: none)")
    principal_type: PrincipalType = PrincipalType.PASS_THROUGH
    target_balances: tuple[float, ...] | None = Field(
        default=None,
        description="固定摊还: balance after each payment date (one per period; last 0)",
    )
    period_yield: float = Field(
        default=0.0, ge=0, le=1, description="次级期间收益 annual rate on 期初 balance"
    )
    expected_maturity_date: dt.date | None = Field(default=None, description="default: deal's")
    legal_maturity_date: dt.date | None = Field(default=None, description="default: deal's")
    rating: str | None = Field(default=None, description="评级 (e.g. AAAsf)")

    @model_validator(mode="after")
    def _check(self) -> Tranche:
        if self.principal_type is PrincipalType.SCHEDULED and not self.target_balances:
            raise rule_error(
                "tranche_scheduled_needs_targets",
                "tranche {name}: principal_type 'scheduled' needs target_balances",
                name=self.name,
            )
        if self.target_balances is not None:
            prev = self.balance
            for i, b in enumerate(self.target_balances):
                if b < 0 or b > prev + 1e-9:
                    # a typed error (code and numbers), so a surface can word it in its own
                    # language and units (the dashboard: 万元, 第n期)
                    raise rule_error(
                        "schedule_target_out_of_range",
                        "tranche {name}: target_balances[{index}] = {value} must be between 0 "
                        "and the previous target {previous} (targets never rise)",
                        name=self.name,
                        index=i,
                        value=b,
                        previous=prev,
                    )
                prev = b
        return self


class Fee(Spec):
    """A tax or fee line (DOMAIN.md formulas).

    * ``tax``: rate × base × (1 + surcharge) / (1 + rate) each period.
    * ``percentage``: base × rate × days / 365 × pay_share (servicer, trustee, custodian ...).
    * ``fixed``: ``amount`` each period (rating, audit, registration fees ...).
    """

    name: str = Field(min_length=1, description="费用名称 (托管费, 管理人报酬 ...), unique")
    fee_type: FeeType
    rate: float = Field(default=0.0, ge=0, le=1)
    surcharge: float = Field(default=0.0, ge=0, le=1, description="附加税费 share of VAT")
    base: FeeBase = FeeBase.TOTAL_BALANCE
    amount: float = Field(
        default=0.0, ge=0, lt=MAX_YUAN, description="fixed amount per period (元)"
    )
    pay_share: float = Field(default=1.0, ge=0, le=1, description="share of fee paid here")
    cap: float | None = Field(
        default=None,
        ge=0,
        lt=MAX_YUAN,
        description="per-period cap before acceleration (元); none after",
    )


class ReserveAccount(Spec):
    """储备金账户 with a target, funded at closing and/or from the waterfall."""

    initial_balance: float = Field(
        default=0.0, ge=0, lt=MAX_YUAN, description="funded at closing (元)"
    )
    target_amount: float = Field(default=0.0, ge=0, lt=MAX_YUAN, description="fixed target (元)")
    target_percent: float = Field(default=0.0, ge=0, le=1, description="% of senior balance")
    target_rule: ReserveTargetRule = ReserveTargetRule.FIXED
    covers: tuple[SupportCover, ...] = Field(
        default=(SupportCover.TAXES, SupportCover.FEES, SupportCover.SENIOR_INTEREST),
        description="shortfalls the reserve is drawn for",
    )


class ShortfallCommitment(Spec):
    """差额支付承诺: the originator tops up shortfalls, up to caps."""

    provider: str = Field(min_length=1, description="差额支付承诺人")
    cap_per_period: float | None = Field(
        default=None, ge=0, lt=MAX_YUAN, description="per-period cap (元)"
    )
    cap_total: float | None = Field(
        default=None, ge=0, lt=MAX_YUAN, description="life-of-deal cap (元)"
    )
    covers: tuple[SupportCover, ...] = Field(
        default=(
            SupportCover.TAXES,
            SupportCover.FEES,
            SupportCover.SENIOR_INTEREST,
            SupportCover.SENIOR_PRINCIPAL,
        )
    )
    default_probability: float = Field(
        default=0.0, ge=0, le=1, description="annual PD of the provider (Monte Carlo)"
    )
    rating: str | None = None
    reimbursed: bool = Field(
        default=True,
        description="the default template repays draws from later collections (返还差额支付款项) "
        "by a reimburse_support step, before 次级 principal and excess return",
    )


class Guarantee(Spec):
    """保证担保: the guarantor pays what remains after reserve and 差额支付, up to a cap."""

    provider: str = Field(min_length=1, description="担保人")
    cap_total: float | None = Field(default=None, ge=0, lt=MAX_YUAN, description="担保上限 (元)")
    cap_per_period: float | None = Field(default=None, ge=0, lt=MAX_YUAN)
    covers: tuple[SupportCover, ...] = Field(
        default=(SupportCover.SENIOR_INTEREST, SupportCover.SENIOR_PRINCIPAL)
    )
    rating: str | None = None
    reimbursed: bool = Field(
        default=True,
        description="the default template repays the guarantor's payments from later "
        "collections (追偿) by a reimburse_support step, before 次级 principal and excess return",
    )


class Support(Spec):
    """Credit support beyond subordination and the reserve."""

    shortfall_commitment: ShortfallCommitment | None = None
    guarantee: Guarantee | None = None


class Trigger(Spec):
    """A test run each period; when it holds, ``event`` switches on (and stays on unless cure)."""

    name: str = Field(min_length=1)
    condition: TriggerCondition
    threshold: float | None = Field(
        default=None, ge=0, le=10, description="rate/ratio threshold (fraction, 0 to 10)"
    )
    date: dt.date | None = Field(default=None, description="for date_reached")
    event: EventType
    cure: bool = Field(default=False, description="event switches off when condition clears")
    periods: int = Field(
        default=1,
        ge=1,
        le=120,
        description="revolving_rate_below: the rate must be below threshold in this many "
        "consecutive revolving periods",
    )

    @model_validator(mode="after")
    def _check(self) -> Trigger:
        needs_threshold = {
            TriggerCondition.CUMULATIVE_DEFAULT_RATE_ABOVE,
            TriggerCondition.OVERCOLLATERALISATION_BELOW,
            TriggerCondition.COLLECTIONS_BELOW_FORECAST,
            TriggerCondition.REVOLVING_RATE_BELOW,
            TriggerCondition.POOL_YIELD_BELOW,
        }
        if self.condition in needs_threshold and self.threshold is None:
            raise rule_error(
                "trigger_needs_threshold",
                "trigger {name}: condition {condition} needs threshold",
                name=self.name,
                condition=self.condition.value,
            )

        if self.condition is TriggerCondition.DATE_REACHED and self.date is None:
            raise rule_error(
                "trigger_needs_date",
                "trigger {name}: condition date_reached needs date",
                name=self.name,
            )
        if self.event is EventType.EARLY_AMORTISATION and self.cure:
            raise rule_error(
                "trigger_early_amortisation_cure",
                "trigger {name}: field 'cure' must be false for event early_amortisation "
                "(提前摊还事件 ends the revolving period for good); got cure=True",
                name=self.name,
            )
        if self.periods != 1 and self.condition is not TriggerCondition.REVOLVING_RATE_BELOW:
            raise rule_error(
                "trigger_periods_not_revolving",
                "trigger {name}: field 'periods' applies to condition revolving_rate_below "
                "only; got periods={periods} with condition {condition}",
                name=self.name,
                periods=self.periods,
                condition=self.condition.value,
            )
        return self


def _distinct(step: str, field: str, names: tuple[str, ...]) -> None:
    """A step names each fee or tranche at most once (twice would pay it twice)."""
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise rule_error(
            "step_names_repeated",
            "{step}: each of '{field}' may be named once; named more than once: {names}",
            step=step,
            field=field,
            names=twice,
        )


# --- waterfall steps (typed, a discriminated union on ``step``) -----------------------------


class PayFees(Spec):
    """Pay the named taxes/fees (sequential or pro rata)."""

    step: Literal["pay_fees"] = "pay_fees"
    fees: tuple[str, ...] = Field(min_length=1)
    mode: AllocationMode = AllocationMode.SEQUENTIAL

    @model_validator(mode="after")
    def _once(self) -> PayFees:
        _distinct("pay_fees", "fees", self.fees)
        return self


class PayInterest(Spec):
    """Pay interest due on one tranche or pro rata across a group."""

    step: Literal["pay_interest"] = "pay_interest"
    tranches: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _once(self) -> PayInterest:
        _distinct("pay_interest", "tranches", self.tranches)
        return self


class PayPrincipal(Spec):
    """Pay principal: due by each tranche's principal type, or everything (``turbo``)."""

    step: Literal["pay_principal"] = "pay_principal"
    tranches: tuple[str, ...] = Field(min_length=1)
    mode: AllocationMode = AllocationMode.SEQUENTIAL
    turbo: bool = Field(default=False, description="pay all available cash until balances are 0")
    wait_for_seniors: bool = Field(
        default=True,
        description="pass-through/turbo principal reaches a tranche only once every tranche of "
        "a more senior class is repaid (scheduled/bullet amounts due are paid regardless)",
    )

    @model_validator(mode="after")
    def _once(self) -> PayPrincipal:
        _distinct("pay_principal", "tranches", self.tranches)
        return self


class FundReserve(Spec):
    """Top the reserve account up to its target."""

    step: Literal["fund_reserve"] = "fund_reserve"


class PaySubYield(Spec):
    """Pay 次级期间收益 (the sub tranche's period_yield on its 期初 balance)."""

    step: Literal["pay_sub_yield"] = "pay_sub_yield"
    tranche: str


class PayResidual(Spec):
    """Pay everything left to the named (次级) tranche as excess return."""

    step: Literal["pay_residual"] = "pay_residual"
    tranche: str
    wait_for_seniors: bool = Field(
        default=False,
        description="while a tranche of a more senior class is outstanding, keep what is left "
        "in the account for the next period (转入下一期) instead of paying it out",
    )


class ReimburseSupport(Spec):
    """Repay 差额支付/guarantee draws not yet repaid (返还垫付款项), provider by provider."""

    step: Literal["reimburse_support"] = "reimburse_support"
    providers: tuple[SupportProvider, ...] = Field(
        default=(SupportProvider.SHORTFALL_COMMITMENT, SupportProvider.GUARANTEE),
        min_length=1,
        description="order of repayment; each provider named must exist in 'support'",
    )
    wait_for_seniors: bool = Field(
        default=True,
        description="repay only once every senior (优先级) tranche is repaid (until then what "
        "is left stays in the account for the seniors); false repays from any excess",
    )

    @model_validator(mode="after")
    def _distinct(self) -> ReimburseSupport:
        if len(set(self.providers)) != len(self.providers):
            raise rule_error(
                "support_providers_repeated",
                "reimburse_support: providers must be distinct; got {providers}",
                providers=", ".join(p.value for p in self.providers),
            )
        return self


class Revolve(Spec):
    """循环购买: spend the period's principal collections (and idle cash) on new eligible assets
    during the revolving period; what finds no eligible asset is kept as 闲置资金."""

    step: Literal["revolve"] = "revolve"
    excess_spread: bool = Field(
        default=False,
        description="also spend excess spread (all cash left at this point), not only "
        "principal collections and idle cash",
    )


class TurboOC(Spec):
    """Pay principal (in the order listed) until the securities it covers (every tranche of a
    class as senior as the most junior one listed) are at most (1 − target_oc) × the pool
    balance (超额抵押目标); placed before the residual, it traps excess spread."""

    step: Literal["turbo_oc"] = "turbo_oc"
    tranches: tuple[str, ...] = Field(min_length=1)
    target_oc: float = Field(
        ge=0, lt=1, description="超额抵押目标: (pool − securities) / pool balance to reach"
    )

    @model_validator(mode="after")
    def _once(self) -> TurboOC:
        _distinct("turbo_oc", "tranches", self.tranches)
        return self


Step = Annotated[
    PayFees
    | PayInterest
    | PayPrincipal
    | FundReserve
    | PaySubYield
    | PayResidual
    | ReimburseSupport
    | Revolve
    | TurboOC,
    Field(discriminator="step"),
]


class Waterfall(Spec):
    """The ordered step lists (现金流分配顺序): ``normal`` (the revolving period for a revolving
    deal), ``accelerated`` (after 加速清偿/违约事件) and, for a revolving deal, ``amortisation``
    (摊还期: after the revolving period ends or an early amortisation event)."""

    normal: tuple[Step, ...] = Field(min_length=1)
    accelerated: tuple[Step, ...] = Field(min_length=1)
    amortisation: tuple[Step, ...] | None = Field(
        default=None,
        description="摊还期 list: runs once the revolving period is over (its end, or "
        "提前摊还事件); none = the normal list runs on, its revolve steps idle",
    )


class Eligibility(Spec):
    """合格标准 of revolving purchases, applied when the candidate stream is built."""

    max_obligor_share: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="单一债务人占比上限: an obligor's outstanding balance at the purchase date "
        "(initial pool + accepted candidates, projected) over the pool balance then",
    )
    min_remaining_months: float | None = Field(
        default=None, ge=0, description="剩余期限下限 (月) at the purchase date"
    )
    max_term_months: float | None = Field(
        default=None, gt=0, description="合同期限上限 (月): start to maturity"
    )
    allowed_kinds: tuple[AssetType, ...] = Field(
        default=(), description="允许的资产类型 (empty: any)"
    )
    data_linked_only: bool = Field(default=False, description="只购买数据资产关联资产")
    industries: tuple[str, ...] = Field(default=(), description="允许的行业 (empty: any)")
    regions: tuple[str, ...] = Field(default=(), description="允许的地区 (empty: any)")


class Generator(Spec):
    """A seeded generator of new assets offered in each revolving period (替代候选资产清单)."""

    seed: int = Field(ge=0, description="same seed, same assets")
    amount_per_period: float = Field(gt=0, lt=MAX_YUAN, description="每期可购买资产金额 (元)")
    asset_amount: float = Field(gt=0, lt=MAX_YUAN, description="单笔资产平均金额 (元)")
    kind_mix: dict[AssetType, float] = Field(
        default_factory=lambda: {AssetType.RECEIVABLE: 1.0},
        description="资产类型权重 (receivable, data_license)",
    )
    data_link_share: float = Field(
        default=0.0, ge=0, le=1, description="数据资产关联资产的金额占比 (pledged receivables)"
    )
    rate: float = Field(default=0.0, ge=0, le=1, description="资产收益率 (annual)")
    term_months: int = Field(default=6, ge=1, le=120, description="资产期限 (月)")
    pd: float = Field(default=0.0, ge=0, le=1, description="年违约概率")
    recovery_rate: float = Field(default=0.0, ge=0, le=1)
    region: str | None = None
    industry: str | None = None

    @model_validator(mode="after")
    def _mix(self) -> Generator:
        allowed = {AssetType.RECEIVABLE, AssetType.DATA_LICENSE}
        bad = [k.value for k in self.kind_mix if k not in allowed]
        if bad or not self.kind_mix or sum(self.kind_mix.values()) <= 0:
            raise rule_error(
                "generator_kind_mix",
                "revolving.replenishment.generator.kind_mix: weights > 0 of receivable and "
                "data_license only; got {mix}",
                mix={k.value: v for k, v in self.kind_mix.items()},
            )
        return self


class Replenishment(Spec):
    """What is offered for purchase each period: a candidate tape or a generator."""

    tape: str | None = Field(
        default=None,
        description="候选资产清单 (tape format, relative to the deal file); an asset is offered "
        "on the first payment date on/after its start date",
    )
    generator: Generator | None = None
    pool: Pool | None = Field(default=None, description="the candidate tape, read (saved deal)")

    @model_validator(mode="after")
    def _one(self) -> Replenishment:
        if (self.tape is None and self.pool is None) == (self.generator is None):
            raise rule_error(
                "replenishment_one_source",
                "revolving.replenishment: give exactly one of tape and generator",
            )
        return self


class Revolving(Spec):
    """循环购买 terms: the revolving period and what the purchases must satisfy."""

    end_date: dt.date | None = Field(
        default=None, description="循环期结束日: purchases on payment dates up to this date"
    )
    periods: int | None = Field(
        default=None, ge=1, le=600, description="or: purchases on the first n payment dates"
    )
    purchase_price: float = Field(
        default=1.0, gt=0, le=2, description="price per 1 yuan of face (折价率 < 1, premium > 1)"
    )
    account_rate: float = Field(
        default=0.0, ge=0, le=0.2, description="rate 闲置资金 earns in the plan account (annual)"
    )
    keep_kind_band: bool = Field(
        default=False,
        description="buy only what keeps the data-linked share at or above the issued kind's "
        "floor (50% 贴标型, 70% 纯数据型); the rest stays idle",
    )
    issued_kind: DealKind | None = Field(
        default=None, description="the kind to hold over the life; default: the pool's kind"
    )
    eligibility: Eligibility = Field(default_factory=Eligibility, description="合格标准")
    replenishment: Replenishment | None = Field(
        default=None, description="assets offered each period; none: nothing is offered"
    )

    @model_validator(mode="after")
    def _period(self) -> Revolving:
        if (self.end_date is None) == (self.periods is None):
            raise rule_error(
                "revolving_period_one_of",
                "revolving: give exactly one of end_date (循环期结束日) and periods; got "
                "end_date={end_date}, periods={periods}",
                end_date=None if self.end_date is None else self.end_date.isoformat(),
                periods=self.periods,
            )
        return self


class Conventions(Spec):
    """Conventions a trustee's payment report follows (defaults: plain arithmetic)."""

    rounding: Rounding = Field(
        default=Rounding.NONE,
        description="every computed amount (interest, fee, tax, 期间收益, reserve target, each "
        "pro-rata share) rounded half-up or truncated to the fen; none = no rounding",
    )
    leftover: LeftoverRule = Field(
        default=LeftoverRule.FIRST,
        description="the line of a pro-rata split that takes the fen left over by rounding",
    )
    interest_on_unpaid_interest: bool = Field(
        default=False,
        description="accrue interest on interest brought forward unpaid (not on earlier IoI), "
        "paid before the period's interest due",
    )


class CustomScenario(Spec):
    """A stress scenario the structurer defined (自定义压力情景), saved with the deal.

    The stress grid runs it after the built-in set's scenarios. ``stress`` holds the factor
    values (the factor catalogue of ``scenarios.factors``; neutral values stress nothing).
    """

    name: str = Field(min_length=1, max_length=60, description="情景名称")
    stress: Stress


class DataEnablement(Spec):
    """How a deal declares the use of data (赋能): risk assessment, pricing, monitoring."""

    declared: bool = False
    uses: tuple[str, ...] = Field(default=(), description="e.g. 定价, 风险评估, 存续期监测")


class Deal(Spec):
    """A whole deal: the pool (or a tape reference), the structure and the assumptions."""

    schema_version: str = SCHEMA_VERSION
    name: str = Field(min_length=1, description="专项计划名称")
    name_en: str | None = None
    description: str | None = None
    originator: str | None = Field(default=None, description="原始权益人")
    manager: str | None = Field(default=None, description="计划管理人")
    exchange: str | None = Field(default=None, description="SSE/SZSE")
    data_enablement: DataEnablement = Field(default_factory=DataEnablement)
    tape: str | None = Field(default=None, description="tape path, relative to the deal file")
    pool: Pool | None = Field(default=None, description="embedded pool (a saved deal)")
    dates: DealDates
    tranches: tuple[Tranche, ...] = Field(min_length=1)
    fees: tuple[Fee, ...] = ()
    reserve: ReserveAccount | None = None
    support: Support = Field(default_factory=Support)
    triggers: tuple[Trigger, ...] = ()
    revolving: Revolving | None = Field(default=None, description="循环购买 (revolving deal)")
    waterfall: Waterfall | None = Field(
        default=None, description="step lists; default: the DOMAIN.md template"
    )
    conventions: Conventions = Field(
        default_factory=Conventions, description="rounding and interest conventions"
    )
    assumptions: Assumptions = Field(default_factory=Assumptions)
    stress_scenarios: tuple[CustomScenario, ...] = Field(
        default=(), description="自定义压力情景: run after the built-in set, saved with the deal"
    )

    @model_validator(mode="after")
    def _check(self) -> Deal:
        names = [t.name for t in self.tranches]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise rule_error(
                "tranche_names_duplicate",
                "tranche names must be unique; duplicated: {names}",
                names=sorted(dup),
            )
        fee_names = [f.name for f in self.fees]
        dupf = {n for n in fee_names if fee_names.count(n) > 1}
        if dupf:
            raise rule_error(
                "fee_names_duplicate",
                "fee names must be unique; duplicated: {names}",
                names=sorted(dupf),
            )
        custom = [s.name for s in self.stress_scenarios]
        dups = {n for n in custom if custom.count(n) > 1}
        if dups:
            raise rule_error(
                "scenario_names_duplicate",
                "stress scenario names must be unique; duplicated: {names}",
                names=sorted(dups),
            )
        order = {TrancheClass.SENIOR: 0, TrancheClass.MEZZANINE: 1, TrancheClass.SUBORDINATED: 2}
        ranks = [order[t.tranche_class] for t in self.tranches]
        if ranks != sorted(ranks):
            first = next(i for i in range(1, len(ranks)) if ranks[i] < ranks[i - 1])
            raise rule_error(
                "tranche_order",
                "tranches must be listed senior first, then mezzanine, then subordinated; got "
                "{got}",
                got=", ".join(f"{t.name}={t.tranche_class.value}" for t in self.tranches),
                name=self.tranches[first].name,
                tranche_class=self.tranches[first].tranche_class.value,
                above=self.tranches[first - 1].name,
            )
        if self.waterfall is not None:
            for label, steps in (
                ("normal", self.waterfall.normal),
                ("accelerated", self.waterfall.accelerated),
                ("amortisation", self.waterfall.amortisation or ()),
            ):
                for i, step in enumerate(steps):
                    refs: tuple[str, ...] = ()
                    if isinstance(step, Revolve):
                        if self.revolving is None:
                            raise rule_error(
                                "step_revolve_without_revolving",
                                "waterfall.{list}[{index}] revolve: the deal has no revolving "
                                "terms (field 'revolving')",
                                list=label,
                                index=i,
                            )
                        continue
                    if isinstance(step, PayFees):
                        missing = [f for f in step.fees if f not in fee_names]
                        if missing:
                            raise rule_error(
                                "step_unknown_fees",
                                "waterfall.{list}[{index}] pay_fees names unknown fee(s) "
                                "{missing}; fees are {known}",
                                list=label,
                                index=i,
                                missing=missing,
                                known=fee_names,
                            )
                        continue
                    if isinstance(step, ReimburseSupport):
                        have = {
                            SupportProvider.SHORTFALL_COMMITMENT: (
                                self.support.shortfall_commitment is not None
                            ),
                            SupportProvider.GUARANTEE: self.support.guarantee is not None,
                        }
                        absent = [p.value for p in step.providers if not have[p]]
                        if absent:
                            raise rule_error(
                                "step_unknown_providers",
                                "waterfall.{list}[{index}] reimburse_support names provider(s) "
                                "{missing} the deal does not have (field 'support')",
                                list=label,
                                index=i,
                                missing=absent,
                            )
                        continue
                    if isinstance(step, PayInterest | PayPrincipal | TurboOC):
                        refs = step.tranches
                    elif isinstance(step, PaySubYield | PayResidual):
                        refs = (step.tranche,)
                    missing = [t for t in refs if t not in names]
                    if missing:
                        raise rule_error(
                            "step_unknown_tranches",
                            "waterfall.{list}[{index}] {step} names unknown tranche(s) "
                            "{missing}; tranches are {known}",
                            list=label,
                            index=i,
                            step=step.step,
                            missing=missing,
                            known=names,
                        )
        try:
            check_revolving(self)
        except DealSpecError as exc:
            if exc.code is None:
                raise
            raise rule_error(exc.code, str(exc), **exc.context) from None
        return self

    @property
    def issue_amount(self) -> float:
        """募集资金: sum of tranche balances (元)."""
        return sum(t.balance for t in self.tranches)

    @property
    def seniors(self) -> tuple[str, ...]:
        """Names of the senior tranches."""
        return tuple(t.name for t in self.tranches if t.tranche_class is TrancheClass.SENIOR)

    def tranche(self, name: str) -> Tranche:
        """The tranche called ``name``.

        Raises
        ------
        DealSpecError
            If no tranche has that name.
        """
        for t in self.tranches:
            if t.name == name:
                return t
        raise DealSpecError(
            f"deal {self.name}: no tranche named {name!r}; tranches are "
            f"{[t.name for t in self.tranches]}"
        )


#: Trigger conditions that read the revolving period's state (a static deal has none).
REVOLVING_CONDITIONS = (TriggerCondition.REVOLVING_RATE_BELOW,)


def revolving_periods(rv: Revolving, payment_dates: Sequence[dt.date]) -> int:
    """Payment dates with purchases: ``periods``, or the dates on/before ``end_date``."""
    if rv.periods is not None:
        return rv.periods
    return sum(1 for d in payment_dates if rv.end_date is not None and d <= rv.end_date)


def check_revolving(deal: Deal, payment_dates: Sequence[dt.date] | None = None) -> None:
    """The revolving terms fit the deal: a ``revolve`` step in the normal list, a revolving
    period of at least one payment date that ends at least one payment date before the last
    (the 摊还期 pays out what the last purchases bring and the idle cash), and no
    revolving-only trigger condition on a static deal.

    ``payment_dates``: the deal's (adjusted) payment dates; none: the unadjusted schedule
    from ``dates.first_payment_date`` to ``dates.legal_maturity_date`` (spec validation).

    Raises
    ------
    DealSpecError
        Naming the field and the value.
    """
    rv = deal.revolving
    if rv is None:
        for t in deal.triggers:
            if t.condition in REVOLVING_CONDITIONS:
                raise DealSpecError(
                    f"deal {deal.name}: trigger {t.name}: condition {t.condition.value} needs "
                    "revolving terms (field 'revolving'); the deal has none",
                    code="trigger_needs_revolving",
                    context={"name": t.name, "condition": t.condition.value},
                )
        return
    if deal.waterfall is not None and not any(
        isinstance(s, Revolve) for s in deal.waterfall.normal
    ):
        raise DealSpecError(
            f"deal {deal.name}: field 'waterfall.normal' has no revolve step, so the revolving "
            'terms (field \'revolving\') would buy nothing; add {"step": "revolve"} or '
            "drop 'revolving'",
            code="revolving_without_revolve_step",
        )
    if payment_dates is None:
        from abs.qladapter.schedule import unadjusted_dates

        dd = deal.dates
        payment_dates = unadjusted_dates(
            dd.first_payment_date, dd.legal_maturity_date, dd.frequency.months
        )
    n = len(payment_dates)
    n_rev = revolving_periods(rv, payment_dates)
    field = "revolving.periods" if rv.periods is not None else "revolving.end_date"
    value = rv.periods if rv.periods is not None else rv.end_date
    if n_rev < 1:
        raise DealSpecError(
            f"deal {deal.name}: field '{field}' = {value} is before the first payment date "
            f"{payment_dates[0]}; rule: the revolving period covers at least one payment date",
            code="revolving_period_before_first",
            context={"field": field, "value": str(value), "first": payment_dates[0].isoformat()},
        )
    if n_rev > n - 1:
        raise DealSpecError(
            f"deal {deal.name}: field '{field}' = {value} reaches the last payment date "
            f"{payment_dates[-1]} (revolving on {n_rev} of {n} payment dates); rule: the "
            f"revolving period ends at least one payment date before the last (at most "
            f"{n - 1} periods, or an end date before {payment_dates[-1]})",
            code="revolving_period_too_long",
            context={
                "field": field,
                "value": str(value),
                "last": payment_dates[-1].isoformat(),
                "used": n_rev,
                "dates": n,
            },
        )
