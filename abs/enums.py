"""Closed vocabularies of the toolkit, each member with its Chinese label.

Values are the English identifiers used in deal files and JSON; ``.zh`` is what a structurer
reads. :meth:`LabelledEnum.parse` accepts the English value, the Chinese label or a listed alias,
ignoring case and surrounding spaces, so tapes exported from Chinese systems read as they are.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese label and accepted aliases."""

    _labels: ClassVar[dict[str, str]]
    _aliases: ClassVar[dict[str, tuple[str, ...]]]

    @property
    def zh(self) -> str:
        """Chinese label shown to structurers."""
        return type(self)._labels[self.value]

    @property
    def label(self) -> str:
        """``中文 (english)`` for bilingual tables."""
        return f"{self.zh} ({self.value})"

    @classmethod
    def lookup(cls) -> dict[str, Self]:
        """Map every accepted spelling (lower-cased) to its member."""
        table: dict[str, Self] = {}
        for member in cls:
            table[member.value.lower()] = member
            table[member.name.lower()] = member
            table[cls._labels[member.value].lower()] = member
            for alias in cls._aliases.get(member.value, ()):
                table[alias.lower()] = member
        return table

    @classmethod
    def parse(cls, text: object) -> Self:
        """Return the member spelt ``text`` (English, Chinese or alias).

        Raises
        ------
        ValueError
            If ``text`` is not an accepted spelling; the message lists the allowed values.
        """
        if isinstance(text, cls):
            return text
        key = str(text).strip().lower()
        found = cls.lookup().get(key)
        if found is None:
            allowed = ", ".join(f"{m.value}/{m.zh}" for m in cls)
            raise ValueError(f"unknown {cls.__name__} {text!r}; allowed: {allowed}")
        return found

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        try:
            return cls.parse(value)
        except ValueError:
            return None


class AssetType(LabelledEnum):
    """Kind of pool asset (基础资产类型)."""

    RECEIVABLE = "receivable"
    DATA_LICENSE = "data_license"
    ALGORITHM_SERVICE = "algorithm_service"
    DATA_PRODUCT = "data_product"
    REVENUE_SHARE = "revenue_share"
    TOLL_RIGHT = "toll_right"
    LEASE = "lease"
    IP_LICENSE = "ip_license"


AssetType._labels = {
    "receivable": "应收账款",
    "data_license": "数据授权",
    "algorithm_service": "算法服务",
    "data_product": "数据产品/API",
    "revenue_share": "收益分成",
    "toll_right": "收费收益权",
    "lease": "租赁租金",
    "ip_license": "知识产权许可",
}
AssetType._aliases = {
    "receivable": ("应收款", "应收账款债权", "ar"),
    "data_license": ("数据许可", "数据授权许可", "data licence", "data_licence", "license"),
    "algorithm_service": ("算法", "算法服务费", "algorithm"),
    "data_product": ("数据产品", "api", "数据api", "按次计费", "usage"),
    "revenue_share": ("分成", "收入分成"),
    "toll_right": ("收费权", "收费收益", "toll"),
    "lease": ("租赁", "租金", "融资租赁"),
    "ip_license": ("知识产权", "ip", "ip licence", "ip_licence"),
}


class DataLink(LabelledEnum):
    """How an asset is linked to a data asset (数据资产关联)."""

    NONE = "none"
    PLEDGED = "pledged"
    DIRECT = "direct"


DataLink._labels = {"none": "无", "pledged": "质押", "direct": "直接"}
DataLink._aliases = {
    "none": ("否", "无关联", "no", "n", "-", "非数据"),
    "pledged": ("数据资产质押", "质押担保", "pledge"),
    "direct": ("直接产生", "数据资产直接", "数据资产"),
}


class DealKind(LabelledEnum):
    """Deal kind by data-linked share (DESIGN.md; seed 001 §三.四)."""

    ENABLED = "enabled"
    LABELLED = "labelled"
    PURE = "pure"
    NOT_DABS = "not_dabs"


DealKind._labels = {
    "enabled": "赋能型",
    "labelled": "贴标型",
    "pure": "纯数据型",
    "not_dabs": "非数据资产ABS",
}
DealKind._aliases = {
    "enabled": ("数据资产赋能型",),
    "labelled": ("数据资产贴标型", "混合型"),
    "pure": ("纯数据资产型", "主导型"),
    "not_dabs": ("非数据资产",),
}


class Frequency(LabelledEnum):
    """Payment frequency (还款/兑付频率)."""

    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    ONCE = "once"

    @property
    def months(self) -> int:
        """Months per period; ``0`` for a single payment at maturity."""
        return {"monthly": 1, "bimonthly": 2, "quarterly": 3, "semiannual": 6, "annual": 12}.get(
            self.value, 0
        )

    @property
    def per_year(self) -> int:
        """Periods per year; ``0`` for ``once``."""
        return 12 // self.months if self.months else 0


Frequency._labels = {
    "monthly": "按月",
    "bimonthly": "双月",
    "quarterly": "按季",
    "semiannual": "半年",
    "annual": "按年",
    "once": "到期一次",
}
Frequency._aliases = {
    "monthly": ("月", "每月", "month", "m"),
    "bimonthly": ("每两月", "两月", "bi-monthly"),
    "quarterly": ("季", "每季", "季度", "按季度", "quarter", "q"),
    "semiannual": ("半年度", "每半年", "semi-annual", "semiannually"),
    "annual": ("年", "每年", "年度", "annually", "yearly", "a"),
    "once": ("到期一次性", "一次性", "bullet", "到期"),
}


class Amortization(LabelledEnum):
    """How a receivable, lease or toll right repays principal (还本方式)."""

    BULLET = "bullet"
    LEVEL = "level"
    STRAIGHT_LINE = "straight_line"


Amortization._labels = {"bullet": "到期一次还本", "level": "等额本息", "straight_line": "等额本金"}
Amortization._aliases = {
    "bullet": ("到期还本", "一次还本"),
    "level": ("annuity", "等额"),
    "straight_line": ("linear", "straight-line"),
}


class CalendarName(LabelledEnum):
    """Holiday calendar for payment dates (QuantLib ``China``)."""

    SSE = "sse"
    IB = "ib"


CalendarName._labels = {"sse": "上交所/深交所交易日", "ib": "银行间市场工作日"}
CalendarName._aliases = {"sse": ("szse", "exchange", "交易所"), "ib": ("interbank", "银行间")}


class BusinessDayConvention(LabelledEnum):
    """Roll rule for dates that fall on holidays."""

    FOLLOWING = "following"
    MODIFIED_FOLLOWING = "modified_following"
    PRECEDING = "preceding"


BusinessDayConvention._labels = {
    "following": "顺延",
    "modified_following": "修正顺延",
    "preceding": "提前",
}
BusinessDayConvention._aliases = {
    "following": ("f",),
    "modified_following": ("mf", "modifiedfollowing"),
    "preceding": ("p",),
}


class DayCount(LabelledEnum):
    """Day-count basis (计息基准), per the 中债登 ABS registration table."""

    ACT_365F = "act_365f"
    A_365 = "a_365"
    ACT_ACT = "act_act"
    A_360 = "a_360"
    THIRTY_360 = "30_360"


DayCount._labels = {
    "act_365f": "实际/365F",
    "a_365": "A/365(不含闰日)",
    "act_act": "实际/实际",
    "a_360": "实际/360",
    "30_360": "30/360",
}
DayCount._aliases = {
    "act_365f": ("act/365f", "a/365f", "actual/365 fixed", "act365f"),
    "a_365": ("a/365", "act/365", "actual/365"),
    "act_act": ("act/act", "a/a", "actual/actual"),
    "a_360": ("a/360", "act/360", "actual/360"),
    "30_360": ("30/360", "thirty_360"),
}


class ProjectionMode(LabelledEnum):
    """Whether licences renew beyond their signed term in the projection."""

    CONTRACTED = "contracted"
    RENEWAL = "renewal"


ProjectionMode._labels = {"contracted": "仅已签约", "renewal": "含续约"}
ProjectionMode._aliases = {"contracted": ("签约",), "renewal": ("续约",)}


class TrancheClass(LabelledEnum):
    """Seniority class of a tranche."""

    SENIOR = "senior"
    MEZZANINE = "mezzanine"
    SUBORDINATED = "subordinated"


TrancheClass._labels = {"senior": "优先级", "mezzanine": "中间级", "subordinated": "次级"}
TrancheClass._aliases = {
    "senior": ("优先",),
    "mezzanine": ("夹层", "中间", "mezz"),
    "subordinated": ("次级档", "equity", "sub"),
}


class PrincipalType(LabelledEnum):
    """How a tranche repays principal (本金偿付方式)."""

    SCHEDULED = "scheduled"
    PASS_THROUGH = "pass_through"
    BULLET = "bullet"


PrincipalType._labels = {
    "scheduled": "固定摊还",
    "pass_through": "过手摊还",
    "bullet": "到期一次性",
}
PrincipalType._aliases = {
    "scheduled": ("固定还本",),
    "pass_through": ("过手", "pass-through"),
    "bullet": ("到期一次还本", "一次性"),
}


class CouponType(LabelledEnum):
    """Fixed or floating coupon."""

    FIXED = "fixed"
    FLOATING = "floating"


CouponType._labels = {"fixed": "固定利率", "floating": "浮动利率"}
CouponType._aliases = {"fixed": ("固定",), "floating": ("浮动",)}


class FeeType(LabelledEnum):
    """How a fee or tax is computed (DOMAIN.md fee formulas)."""

    TAX = "tax"
    PERCENTAGE = "percentage"
    FIXED = "fixed"


FeeType._labels = {"tax": "增值税及附加", "percentage": "按比例费用", "fixed": "固定费用"}
FeeType._aliases = {"tax": ("税",), "percentage": ("比例",), "fixed": ("固定",)}


class FeeBase(LabelledEnum):
    """Base a percentage fee or tax is charged on."""

    TOTAL_BALANCE = "total_balance"
    SENIOR_BALANCE = "senior_balance"
    ISSUE_AMOUNT = "issue_amount"
    PERIOD_COLLECTIONS = "period_collections"
    PERIOD_INCOME = "period_income"


FeeBase._labels = {
    "total_balance": "期初总剩余本金",
    "senior_balance": "期初优先级剩余本金",
    "issue_amount": "募集资金",
    "period_collections": "当期收入",
    "period_income": "当期利息收入",
}
FeeBase._aliases = {}


class ReserveTargetRule(LabelledEnum):
    """How fixed and percentage reserve targets combine."""

    FIXED = "fixed"
    PERCENT = "percent"
    MAX = "max"
    MIN = "min"


ReserveTargetRule._labels = {
    "fixed": "固定金额",
    "percent": "优先级余额比例",
    "max": "孰高",
    "min": "孰低",
}
ReserveTargetRule._aliases = {}


class SupportCover(LabelledEnum):
    """Waterfall items a reserve draw, 差额支付 or guarantee may cover."""

    TAXES = "taxes"
    FEES = "fees"
    SENIOR_INTEREST = "senior_interest"
    SENIOR_PRINCIPAL = "senior_principal"


SupportCover._labels = {
    "taxes": "税费",
    "fees": "费用",
    "senior_interest": "优先级利息",
    "senior_principal": "优先级应付本金",
}
SupportCover._aliases = {}


class SupportProvider(LabelledEnum):
    """An external support provider whose draws a ``reimburse_support`` step repays."""

    SHORTFALL_COMMITMENT = "shortfall_commitment"
    GUARANTEE = "guarantee"


SupportProvider._labels = {
    "shortfall_commitment": "差额支付承诺人",
    "guarantee": "保证人",
}
SupportProvider._aliases = {
    "shortfall_commitment": ("差额支付", "commitment"),
    "guarantee": ("担保", "担保人", "guarantor"),
}


class TriggerCondition(LabelledEnum):
    """What a trigger tests each period."""

    CUMULATIVE_DEFAULT_RATE_ABOVE = "cumulative_default_rate_above"
    OVERCOLLATERALISATION_BELOW = "overcollateralisation_below"
    COLLECTIONS_BELOW_FORECAST = "collections_below_forecast"
    SENIOR_INTEREST_UNPAID = "senior_interest_unpaid"
    PRINCIPAL_UNPAID_AT_EXPECTED_MATURITY = "principal_unpaid_at_expected_maturity"
    ORIGINATOR_EVENT = "originator_event"
    DATE_REACHED = "date_reached"
    REVOLVING_RATE_BELOW = "revolving_rate_below"
    POOL_YIELD_BELOW = "pool_yield_below"


TriggerCondition._labels = {
    "cumulative_default_rate_above": "累计违约率超过阈值",
    "overcollateralisation_below": "超额覆盖低于阈值",
    "collections_below_forecast": "回收款低于预测超过阈值",
    "senior_interest_unpaid": "优先级利息未足额兑付",
    "principal_unpaid_at_expected_maturity": "预期到期日本金未足额兑付",
    "originator_event": "原始权益人信用事件",
    "date_reached": "到达指定日期",
    "revolving_rate_below": "循环购买率低于阈值",
    "pool_yield_below": "资产池收益率低于阈值",
}
TriggerCondition._aliases = {}


class EventType(LabelledEnum):
    """Events a trigger switches on."""

    ACCELERATION = "acceleration"
    DEFAULT_EVENT = "default_event"
    SHORTFALL_SUPPORT_START = "shortfall_support_start"
    GUARANTEE_START = "guarantee_start"
    EARLY_AMORTISATION = "early_amortisation"


EventType._labels = {
    "acceleration": "加速清偿事件",
    "default_event": "违约事件",
    "shortfall_support_start": "差额支付启动事件",
    "guarantee_start": "担保启动事件",
    "early_amortisation": "提前摊还事件",
}
EventType._aliases = {"early_amortisation": ("提前结束循环期", "early_amortization")}


class AllocationMode(LabelledEnum):
    """How a step shares cash among several fees or tranches."""

    SEQUENTIAL = "sequential"
    PRO_RATA = "pro_rata"


AllocationMode._labels = {"sequential": "顺序", "pro_rata": "按比例"}
AllocationMode._aliases = {"pro_rata": ("pro-rata", "prorata", "同顺位")}


class Rounding(LabelledEnum):
    """How every computed amount is rounded (trustee convention; ``none`` = plain arithmetic)."""

    NONE = "none"
    HALF_UP_FEN = "half_up_fen"
    TRUNCATE_FEN = "truncate_fen"


Rounding._labels = {"none": "不取整", "half_up_fen": "四舍五入到分", "truncate_fen": "截位到分"}
Rounding._aliases = {
    "half_up_fen": ("四舍五入", "half_up", "round"),
    "truncate_fen": ("截位", "truncate", "舍去"),
}


class LeftoverRule(LabelledEnum):
    """Which line of a pro-rata split takes the fen left over by rounding each share."""

    FIRST = "first"
    LARGEST = "largest"


LeftoverRule._labels = {"first": "顺位第一项", "largest": "金额最大项"}
LeftoverRule._aliases = {}


class PayDateAdjustment(LabelledEnum):
    """Whether payment dates roll to business days (and interest accrues on the rolled dates)."""

    ADJUSTED = "adjusted"
    UNADJUSTED = "unadjusted"


PayDateAdjustment._labels = {"adjusted": "遇节假日顺延", "unadjusted": "按名义兑付日"}
PayDateAdjustment._aliases = {"adjusted": ("顺延", "调整"), "unadjusted": ("不调整", "名义")}
