"""The named stress factors (压力因子): meaning, unit, range and where each one is applied.

Every factor is a field of :class:`abs.assumptions.Stress`. Projection factors change the
expected (or simulated) pool collections; engine factors are handed to the waterfall as (S,)
arrays so that many scenarios run in one engine call. Units:

========================  ==========================  =========================================
factor                    unit                        applied by
========================  ==========================  =========================================
revenue_haircut           fraction (0.2 = −20%)       projection: collections × (1 − h)
volume_shock              fraction (−0.3 = −30%)      projection: usage volumes × (1 + v)
price_decline_change      fraction a year             projection: unit-price decline + Δ
pd_multiplier             × (1 = base)                projection: annual PD × m (capped at 1)
recovery_haircut          fraction                    projection: recovery rate × (1 − h)
collection_delay          payment periods             projection: cash arrives k periods later
renewal_change_pp         percentage points           projection: renewal probability + Δpp
rate_shift_bp             basis points                engine: floating coupons/reference rate
originator_default        on/off                      engine: 差额支付 unavailable
guarantor_default         on/off                      engine: guarantee unavailable
payment_rate_change       fraction (−0.2 = 20% slower)  projection: pool principal (initial
                                                      pool and purchases) collected at (1 + c) ×
                                                      the speed
revolving_yield_haircut   fraction                    projection: pool income (initial pool and
                                                      purchases) × (1 − h)
revolving_rate_haircut    fraction                    replenishment: eligible supply × (1 − h)
data_supply_haircut       fraction                    replenishment: data-linked supply × (1 − h)
========================  ==========================  =========================================

``collection_delay_months`` is a convenience alias used by the built-in sets: a delay in
months, converted to whole payment periods of the deal (rounded up) by :func:`months_to_periods`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from abs.assumptions import Stress
from abs.errors import ScenarioError

#: Name of the alias factor whose unit is months (converted to periods per deal).
DELAY_MONTHS = "collection_delay_months"


class Applied(StrEnum):
    """Where a factor acts."""

    PROJECTION = "projection"
    ENGINE = "engine"


class ValueKind(StrEnum):
    """Type of a factor's value."""

    FLOAT = "float"
    INT = "int"
    BOOL = "bool"


@dataclass(frozen=True)
class Factor:
    """One named stress factor.

    Attributes
    ----------
    id : str
        English identifier, equal to the :class:`~abs.assumptions.Stress` field name.
    zh : str
        Chinese name shown to structurers.
    en : str
        English name.
    unit : str
        Unit of the value (bilingual).
    applied : Applied
        ``projection`` (changes collections) or ``engine`` (passed to the waterfall).
    kind : ValueKind
        float, int (whole periods) or bool (on/off).
    neutral : float
        Value that stresses nothing.
    lo, hi : float
        Allowed range of the value (``math.inf`` when open).
    direction : int
        +1 when a larger value is a harsher stress, −1 when a smaller value is.
    search_max : float
        Default far end of a break-even search (the harshest value tried).
    search_min : float
        Default near end of a break-even search (the mildest value tried).
    description : str
        How the factor is applied (one sentence).
    aliases : tuple of str
        Other accepted spellings (Chinese short names).
    """

    id: str
    zh: str
    en: str
    unit: str
    applied: Applied
    kind: ValueKind
    neutral: float
    lo: float
    hi: float
    direction: int
    search_max: float
    search_min: float
    description: str
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``中文 (id)`` for tables."""
        return f"{self.zh} ({self.id})"

    @property
    def searchable(self) -> bool:
        """True when a break-even search over this factor makes sense (not on/off)."""
        return self.kind is not ValueKind.BOOL

    def check(self, value: Any, *, where: str = "stress") -> float | int | bool:
        """Validate and convert one value of this factor.

        Parameters
        ----------
        value : object
            Value as received (number, numeric string, or bool/"on"/"off" for switches).
        where : str
            Where the value comes from (file, row, field path), named in errors.

        Returns
        -------
        float, int or bool
            The value in the factor's type.

        Raises
        ------
        ScenarioError
            If the value is not a number (or switch) or lies outside ``[lo, hi]``.
        """
        if self.kind is ValueKind.BOOL:
            return _as_bool(value, where=f"{where}: factor '{self.id}'")
        try:
            if isinstance(value, bool):
                raise TypeError
            number = float(value)
        except (TypeError, ValueError):
            raise ScenarioError(
                f"{where}: factor '{self.id}' ({self.zh}) needs a number in {self.unit}; "
                f"got {value!r}"
            ) from None
        if not math.isfinite(number) or number < self.lo or number > self.hi:
            raise ScenarioError(
                f"{where}: factor '{self.id}' ({self.zh}) must lie in "
                f"[{_fmt(self.lo)}, {_fmt(self.hi)}] {self.unit}; got {value!r}"
            )
        if self.kind is ValueKind.INT:
            if number != math.floor(number):
                raise ScenarioError(
                    f"{where}: factor '{self.id}' ({self.zh}) must be a whole number of "
                    f"{self.unit}; got {value!r}"
                )
            return int(number)
        return number


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:g}"


_TRUE = {"true", "on", "yes", "y", "1", "是", "违约", "开"}
_FALSE = {"false", "off", "no", "n", "0", "否", "正常", "关", ""}


def _as_bool(value: Any, *, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ScenarioError(f"{where}: needs on/off (true/false, 1/0, 是/否); got {value!r}")


_INF = math.inf

#: Every named factor, in display order.
FACTORS: tuple[Factor, ...] = (
    Factor(
        id="revenue_haircut",
        zh="收入下降",
        en="revenue haircut",
        unit="fraction 比例 (0.2 = −20%)",
        applied=Applied.PROJECTION,
        kind=ValueKind.FLOAT,
        neutral=0.0,
        lo=0.0,
        hi=1.0,
        direction=1,
        search_max=1.0,
        search_min=0.0,
        description="every period's collections × (1 − h); for receivables a loss of collections",
        aliases=("收入降幅", "收入折扣", "revenue"),
    ),
    Factor(
        id="volume_shock",
        zh="调用量冲击",
        en="volume shock",
        unit="fraction 比例 (−0.3 = −30%)",
        applied=Applied.PROJECTION,
        kind=ValueKind.FLOAT,
        neutral=0.0,
        lo=-1.0,
        hi=_INF,
        direction=-1,
        search_max=-1.0,
        search_min=0.0,
        description="usage/per-call volumes × (1 + v) on usage-priced contracts",
        aliases=("调用量", "使用量冲击", "volume"),
    ),
    Factor(
        id="price_decline_change",
        zh="单价降幅增加",
        en="price decline change",
        unit="fraction a year 年比例",
        applied=Applied.PROJECTION,
        kind=ValueKind.FLOAT,
        neutral=0.0,
        lo=-1.0,
        hi=1.0,
        direction=1,
        search_max=1.0,
        search_min=0.0,
        description="annual unit-price decline of usage contracts + Δ",
        aliases=("单价降幅", "价格下降", "price"),
    ),
    Factor(
        id="pd_multiplier",
        zh="违约率倍数",
        en="PD multiplier",
        unit="× 倍 (1 = base)",
        applied=Applied.PROJECTION,
        kind=ValueKind.FLOAT,
        neutral=1.0,
        lo=0.0,
        hi=_INF,
        direction=1,
        search_max=50.0,
        search_min=0.0,
        description="every obligor's/licensee's annual PD × m (capped at 1)",
        aliases=("违约倍数", "违约率", "临界违约率", "pd", "default"),
    ),
    Factor(
        id="recovery_haircut",
        zh="回收率下降",
        en="recovery haircut",
        unit="fraction 比例",
        applied=Applied.PROJECTION,
        kind=ValueKind.FLOAT,
        neutral=0.0,
        lo=0.0,
        hi=1.0,
        direction=1,
        search_max=1.0,
        search_min=0.0,
        description="every recovery rate × (1 − h)",
        aliases=("回收率", "回收下降", "recovery"),
    ),
    Factor(
        id="collection_delay",
        zh="回款延迟",
        en="collection delay",
        unit="periods 期",
        applied=Applied.PROJECTION,
        kind=ValueKind.INT,
        neutral=0.0,
        lo=0.0,
        hi=600.0,
        direction=1,
        search_max=8.0,
        search_min=0.0,
        description="all pool cash arrives k payment periods later (tail lands in the last period)",
        aliases=("回款延迟期数", "延迟", "delay"),
    ),
    Factor(
        id="renewal_change_pp",
        zh="续约概率变化",
        en="renewal probability change",
        unit="percentage points 百分点 (−20 = −20pp)",
        applied=Applied.PROJECTION,
        kind=ValueKind.FLOAT,
        neutral=0.0,
        lo=-100.0,
        hi=100.0,
        direction=-1,
        search_max=-100.0,
        search_min=0.0,
        description="renewal probability + Δpp (renewal mode only; contracted mode has none)",
        aliases=("续约概率", "续约", "renewal"),
    ),
    Factor(
        id="rate_shift_bp",
        zh="利率上行",
        en="rate shift",
        unit="basis points 基点",
        applied=Applied.ENGINE,
        kind=ValueKind.FLOAT,
        neutral=0.0,
        lo=-10_000.0,
        hi=10_000.0,
        direction=1,
        search_max=1000.0,
        search_min=0.0,
        description="reference rate + Δbp for floating coupons (fixed coupons unaffected)",
        aliases=("利率平移", "票面利率上行", "rate", "coupon"),
    ),
    Factor(
        id="originator_default",
        zh="差额支付承诺人违约",
        en="originator default",
        unit="on/off 是/否",
        applied=Applied.ENGINE,
        kind=ValueKind.BOOL,
        neutral=0.0,
        lo=0.0,
        hi=1.0,
        direction=1,
        search_max=1.0,
        search_min=0.0,
        description="the 差额支付 commitment pays nothing",
        aliases=("原始权益人违约", "差额支付违约", "originator"),
    ),
    Factor(
        id="guarantor_default",
        zh="担保人违约",
        en="guarantor default",
        unit="on/off 是/否",
        applied=Applied.ENGINE,
        kind=ValueKind.BOOL,
        neutral=0.0,
        lo=0.0,
        hi=1.0,
        direction=1,
        search_max=1.0,
        search_min=0.0,
        description="the guarantee pays nothing",
        aliases=("保证人违约", "担保违约", "guarantor"),
    ),
    Factor(
        id="payment_rate_change",
        zh="资产池月回款率变化",
        en="pool payment rate change",
        unit="fraction 比例 (−0.2 = 慢20%)",
        applied=Applied.PROJECTION,
        kind=ValueKind.FLOAT,
        neutral=0.0,
        lo=-0.9,
        hi=1.0,
        direction=-1,
        search_max=-0.9,
        search_min=0.0,
        description="the pool's monthly payment rate: principal of the initial pool and of "
        "purchased assets collected (1 + c) times as fast, a time stretch from the cut-off / the "
        "purchase date, in full by the last payment date (docs/revolving.md)",
        aliases=("回款率", "月回款率", "payment rate", "循环购买资产月回款率变化"),
    ),
    Factor(
        id="revolving_yield_haircut",
        zh="资产池收益率下降",
        en="pool yield haircut",
        unit="fraction 比例 (0.3 = −30%)",
        applied=Applied.PROJECTION,
        kind=ValueKind.FLOAT,
        neutral=0.0,
        lo=0.0,
        hi=1.0,
        direction=1,
        search_max=1.0,
        search_min=0.0,
        description="the pool's yield: income (interest, fee, discount income; not "
        "principal) of the initial pool and of purchased assets × (1 − h)",
        aliases=(
            "收益率下降",
            "循环收益率",
            "revolving yield",
            "pool yield",
            "循环购买资产收益率下降",
        ),
    ),
    Factor(
        id="revolving_rate_haircut",
        zh="循环购买率下降",
        en="revolving rate haircut",
        unit="fraction 比例 (0.5 = −50%)",
        applied=Applied.PROJECTION,
        kind=ValueKind.FLOAT,
        neutral=0.0,
        lo=0.0,
        hi=1.0,
        direction=1,
        search_max=1.0,
        search_min=0.0,
        description="revolving purchases: eligible supply × (1 − h); cash left unspent is idle",
        aliases=("循环购买率", "revolving rate"),
    ),
    Factor(
        id="data_supply_haircut",
        zh="数据资产供给下降",
        en="data-linked supply haircut",
        unit="fraction 比例",
        applied=Applied.PROJECTION,
        kind=ValueKind.FLOAT,
        neutral=0.0,
        lo=0.0,
        hi=1.0,
        direction=1,
        search_max=1.0,
        search_min=0.0,
        description="revolving purchases: data-linked eligible supply × (1 − h) (the deal kind "
        "over the life)",
        aliases=("数据资产供给", "data supply"),
    ),
)

#: Factor id → factor.
FACTOR_BY_ID: dict[str, Factor] = {f.id: f for f in FACTORS}

#: Ids of the factors the projection applies (collections change).
PROJECTION_FACTORS: tuple[str, ...] = tuple(
    f.id for f in FACTORS if f.applied is Applied.PROJECTION
)

#: Ids of the factors the waterfall engine applies per scenario.
ENGINE_FACTORS: tuple[str, ...] = tuple(f.id for f in FACTORS if f.applied is Applied.ENGINE)


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for f in FACTORS:
        for spelling in (f.id, f.zh, f.en, f.en.replace(" ", "_"), *f.aliases):
            table[spelling.strip().lower()] = f.id
    table[DELAY_MONTHS] = DELAY_MONTHS
    table["回款延迟(月)"] = DELAY_MONTHS
    table["回款延迟月数"] = DELAY_MONTHS
    return table


_LOOKUP = _lookup()


def factor_id(name: str, *, where: str = "stress") -> str:
    """Canonical factor id for an English id, Chinese name or alias.

    ``collection_delay_months`` (回款延迟(月)) is returned as itself; convert it with
    :func:`months_to_periods` once the deal's frequency is known.

    Raises
    ------
    ScenarioError
        If ``name`` is not a known factor (the message lists the factors).
    """
    found = _LOOKUP.get(str(name).strip().lower())
    if found is None:
        allowed = ", ".join(f"{f.id}/{f.zh}" for f in FACTORS)
        raise ScenarioError(
            f"{where}: unknown stress factor {name!r}; factors are {allowed}, {DELAY_MONTHS}"
        )
    return found


def get_factor(name: str) -> Factor:
    """The :class:`Factor` called ``name`` (id, Chinese name or alias).

    Raises
    ------
    ScenarioError
        If unknown, or if ``name`` is the months alias (not a Stress field).
    """
    fid = factor_id(name)
    if fid == DELAY_MONTHS:
        return FACTOR_BY_ID["collection_delay"]
    return FACTOR_BY_ID[fid]


def months_to_periods(months: float, months_per_period: int) -> int:
    """A delay in months as whole payment periods, rounded up (3 months quarterly → 1).

    Raises
    ------
    ScenarioError
        If ``months`` is negative or not finite, or the period length is not positive.
    """
    if not math.isfinite(months) or months < 0:
        raise ScenarioError(f"{DELAY_MONTHS} must be a number of months ≥ 0; got {months!r}")
    if months_per_period <= 0:
        raise ScenarioError(f"months per payment period must be > 0; got {months_per_period!r}")
    return math.ceil(months / months_per_period - 1e-12)


def normalise(
    values: Mapping[str, Any],
    *,
    months_per_period: int | None = None,
    where: str = "stress",
) -> dict[str, float | int | bool]:
    """Canonical ids and checked values for a factor mapping.

    Parameters
    ----------
    values : mapping
        Factor name (id, Chinese name or alias) → value.
    months_per_period : int, optional
        Length of the deal's payment period; needed only for ``collection_delay_months``.
    where : str
        Source named in errors.

    Raises
    ------
    ScenarioError
        Unknown factor, bad value, the same factor given twice, or a months delay without a
        period length.
    """
    out: dict[str, float | int | bool] = {}
    for raw_name, raw_value in values.items():
        fid = factor_id(raw_name, where=where)
        value: float | int | bool
        if fid == DELAY_MONTHS:
            if months_per_period is None:
                raise ScenarioError(
                    f"{where}: factor '{DELAY_MONTHS}' needs the deal's payment frequency to "
                    f"convert {raw_value!r} months into periods"
                )
            months = FACTOR_BY_ID["collection_delay"].check(raw_value, where=where)
            fid, value = "collection_delay", months_to_periods(float(months), months_per_period)
        else:
            value = FACTOR_BY_ID[fid].check(raw_value, where=where)
        if fid in out:
            raise ScenarioError(f"{where}: factor '{fid}' given more than once (as {raw_name!r})")
        out[fid] = value
    return out


def apply(base_stress: Stress | None = None, /, **values: Any) -> Stress:
    """A new :class:`Stress` equal to ``base_stress`` with the given factors set.

    The base is never modified (a validated copy is returned).

    Parameters
    ----------
    base_stress : Stress, optional
        Starting point (default: no stress).
    **values
        Factor id → value, e.g. ``revenue_haircut=0.3, pd_multiplier=2``.

    Returns
    -------
    Stress

    Raises
    ------
    ScenarioError
        Unknown factor or a value outside the factor's range.

    Examples
    --------
    >>> s = apply(revenue_haircut=0.3, pd_multiplier=2.0)
    >>> (s.revenue_haircut, s.pd_multiplier, s.collection_delay)
    (0.3, 2.0, 0)
    """
    base = base_stress if base_stress is not None else Stress()
    checked = normalise(values, where="apply")
    data = base.model_dump()
    data.update(checked)
    try:
        return Stress.model_validate(data)
    except ValidationError as exc:  # a range the Stress model knows and the factor table not
        raise ScenarioError(f"apply: invalid stress {checked}: {exc.errors()[0]['msg']}") from None


def stress_values(stress: Stress) -> dict[str, float | int | bool]:
    """Factor id → value of every factor in ``stress`` (display order)."""
    return {f.id: getattr(stress, f.id) for f in FACTORS}


def changed_factors(stress: Stress) -> dict[str, float | int | bool]:
    """Only the factors of ``stress`` that differ from neutral."""
    return {k: v for k, v in stress_values(stress).items() if float(v) != FACTOR_BY_ID[k].neutral}


def projection_key(stress: Stress) -> tuple[float | int | bool, ...]:
    """The projection factors of ``stress`` as a hashable key (equal keys → equal collections)."""
    return tuple(getattr(stress, fid) for fid in PROJECTION_FACTORS)


def projection_part(stress: Stress) -> Stress:
    """A copy of ``stress`` with the engine factors reset to neutral."""
    return stress.model_copy(
        update={"rate_shift_bp": 0.0, "originator_default": False, "guarantor_default": False}
    )
