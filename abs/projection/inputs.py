"""Per-asset inputs of the pool model: tape values and their documented defaults, as arrays.

Read once per pool and assumptions, with no stress applied: a stress is applied when a case is
derived from the model (:meth:`abs.projection.PoolModel.case`). Every value is one entry per
asset, in pool order. Money in yuan, rates as annual fractions, lags in periods.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from abs import revenue as rv
from abs.asset import DATA_REVENUE_TYPES, Asset
from abs.assumptions import DEFAULT_PD, DEFAULT_RECOVERY, Assumptions
from abs.deal import Deal
from abs.enums import Amortization, AssetType, DataLink, Frequency, ProjectionMode
from abs.errors import ProjectionError
from abs.io import require_pool

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Payment frequency of an asset whose tape gives none (bullet receivables: ``once``).
DEFAULT_PAYMENT_FREQUENCY = Frequency.QUARTERLY

#: Kinds whose contracts may renew at term end in ``renewal`` mode.
RENEWABLE_TYPES: frozenset[AssetType] = DATA_REVENUE_TYPES | {AssetType.IP_LICENSE}

#: Default amortisation by balance-type kind when the tape gives none.
DEFAULT_AMORTIZATION: dict[AssetType, Amortization] = {
    AssetType.RECEIVABLE: Amortization.BULLET,
    AssetType.LEASE: Amortization.LEVEL,
    AssetType.TOLL_RIGHT: Amortization.LEVEL,
}

# cash-flow models (abs.revenue), in the order the model code indexes them
MODEL_LICENCE = "licence"
MODEL_USAGE = "usage"
MODEL_ALGORITHM = "algorithm_service"
MODEL_SHARE = "revenue_share"
MODEL_EVEN = "even"
MODEL_AMORTIZING = "amortizing"
#: Every cash-flow model; ``AssetInputs.model_code`` indexes this tuple.
MODELS = (MODEL_LICENCE, MODEL_USAGE, MODEL_ALGORITHM, MODEL_SHARE, MODEL_EVEN, MODEL_AMORTIZING)
#: Models whose cash moves with the usage stresses (volume shock, price decline change).
USAGE_MODELS = frozenset({MODEL_USAGE, MODEL_ALGORITHM, MODEL_SHARE})
#: Chinese names of the models (shown in the asset table).
MODEL_ZH: dict[str, str] = {
    MODEL_LICENCE: "固定许可费",
    MODEL_USAGE: "按量计费",
    MODEL_ALGORITHM: "订阅+按量",
    MODEL_SHARE: "收益分成",
    MODEL_EVEN: "入池金额均摊",
    MODEL_AMORTIZING: "本息摊还",
}

#: Revenue parameters read from the tape: field → default when empty.
PARAM_DEFAULTS: dict[str, float] = {
    "rate": 0.0,
    "annual_fee": 0.0,
    "escalator": 0.0,
    "volume": 0.0,
    "unit_price": 0.0,
    "volume_growth": 0.0,
    "price_decline": 0.0,
    "churn": 0.0,
    "minimum_fee": 0.0,
    "fee_cap": math.inf,
    "subscription_fee": 0.0,
    "counterparty_revenue": 0.0,
    "revenue_share": 0.0,
    "revenue_growth": 0.0,
}

#: Growth-type parameters and the rule they must satisfy (value > −1 or ≤ 1).
_GROWTH_RULES: tuple[tuple[str, str], ...] = (
    ("escalator", "must be > -1 (a fee cannot fall by 100% or more)"),
    ("volume_growth", "must be > -1 (volume cannot fall by 100% or more a year)"),
    ("revenue_growth", "must be > -1 (revenue cannot fall by 100% or more a year)"),
    ("price_decline", "must be <= 1 (a unit price cannot fall below zero)"),
)

#: Optional tape fields read as arrays (None → NaN) besides the revenue parameters.
_OPTIONAL = (
    "pd",
    "recovery_rate",
    "recovery_lag",
    "renewal_probability",
    "renewal_fee_change",
    "renewal_term_years",
    "appraised_value",
)


@dataclass(frozen=True, eq=False)
class AssetInputs:
    """Per-asset arrays after the kind defaults, before any stress.

    Attributes
    ----------
    ids, obligors : tuple of str
        资产编号 and 债务人 in pool order.
    kinds : tuple of AssetType
        Asset kind of each asset.
    kind_code : ndarray of int (N,)
        Index of each asset's kind in ``kind_values``.
    kind_values : tuple of str
        Kinds present in the pool, in :class:`~abs.enums.AssetType` order.
    model_code : ndarray of int (N,)
        Index of each asset's cash-flow model in :data:`MODELS`.
    methods : ndarray of Amortization (N,)
        Amortisation of balance-type assets (tape value, else the kind's default).
    amount : ndarray (N,)
        入池金额 (yuan).
    start, maturity : ndarray of datetime64[D] (N,)
        Contract start and maturity.
    period_months : ndarray of int (N,)
        Months between contract payments (0 = a single payment at maturity).
    params : dict of str to ndarray (N,)
        Revenue parameters (:data:`PARAM_DEFAULTS` where the tape is empty).
    pd, recovery : ndarray (N,)
        Annual PD and recovery rate (tape, else the assumptions' kind value, else the default).
    lag : ndarray of int (N,)
        Recovery lag in periods.
    renewal_p : ndarray (N,)
        Renewal probability in ``renewal`` mode for renewable kinds, else 0.
    renewal_change : ndarray (N,)
        Fee change on renewal (fraction).
    renewal_months : ndarray of int (N,)
        Term of a renewed contract in months (tape, else the original term).
    direct : ndarray of bool (N,)
        ``data_link`` is ``direct`` (the income-approach value table lists these).
    valuation_method : tuple of (str or None)
        评估方法 from the tape.
    appraised_value : ndarray (N,)
        评估价值 from the tape (NaN when empty).
    """

    ids: tuple[str, ...]
    obligors: tuple[str, ...]
    kinds: tuple[AssetType, ...]
    kind_code: IntArray
    kind_values: tuple[str, ...]
    model_code: IntArray
    methods: npt.NDArray[np.object_]
    amount: FloatArray
    start: npt.NDArray[np.datetime64]
    maturity: npt.NDArray[np.datetime64]
    period_months: IntArray
    params: dict[str, FloatArray]
    pd: FloatArray
    recovery: FloatArray
    lag: IntArray
    renewal_p: FloatArray
    renewal_change: FloatArray
    renewal_months: IntArray
    direct: BoolArray
    valuation_method: tuple[str | None, ...]
    appraised_value: FloatArray

    @property
    def n_assets(self) -> int:
        """N."""
        return int(self.amount.shape[0])

    def model_rows(self, model: str) -> IntArray:
        """Indices of the assets projected with ``model`` (one of :data:`MODELS`)."""
        return np.flatnonzero(self.model_code == MODELS.index(model)).astype(np.int64)


#: ``date.toordinal()`` of 1970-01-01 (day 0 of datetime64[D]).
_EPOCH_ORDINAL = 719_163


def _column(fields: list[dict[str, Any]], name: str) -> FloatArray:
    """One optional numeric field of every asset as floats (None → NaN)."""
    nan = math.nan
    return np.array([nan if (v := f[name]) is None else v for f in fields], dtype=np.float64)


def _dates(fields: list[dict[str, Any]], name: str) -> npt.NDArray[np.datetime64]:
    """A date field of every asset as datetime64[D] (through day ordinals: fast)."""
    days = np.fromiter((f[name].toordinal() for f in fields), np.int64, count=len(fields))
    return (days - _EPOCH_ORDINAL).astype("datetime64[D]")


def _check(
    deal: Deal,
    assets: tuple[Asset, ...],
    raw: dict[str, FloatArray],
    maturity: npt.NDArray[np.datetime64],
) -> None:
    """The first asset (pool order) breaking a growth rule or maturing by the cut-off."""
    cutoff = np.datetime64(deal.dates.cutoff_date, "D")
    bad = {
        name: (raw[name] > 1) if name == "price_decline" else (raw[name] <= -1)
        for name, _ in _GROWTH_RULES
    }
    matured = maturity <= cutoff
    any_bad = matured.copy()
    for mask in bad.values():
        any_bad |= mask
    if not any_bad.any():
        return
    i = int(np.argmax(any_bad))
    a = assets[i]
    who = f"deal {deal.name}: pool asset {a.asset_id}"
    for name, rule in _GROWTH_RULES:
        if bad[name][i]:
            raise ProjectionError(f"{who}: field '{name}' {rule}; got {getattr(a, name)!r}")
    raise ProjectionError(
        f"{who}: field 'maturity_date' must be after the deal's cutoff_date "
        f"{deal.dates.cutoff_date} (nothing left to collect); got {a.maturity_date}"
    )


def _models(kind: npt.NDArray[np.object_], raw: dict[str, FloatArray]) -> IntArray:
    """Cash-flow model of each asset from its kind and the parameters its tape row gives."""

    def given(name: str) -> BoolArray:
        return ~np.isnan(raw[name])

    def is_(*kinds: AssetType) -> BoolArray:
        return np.isin(kind, np.array(kinds, dtype=object))

    has_usage = given("volume") & given("unit_price")
    code = np.full(kind.shape[0], MODELS.index(MODEL_AMORTIZING), dtype=np.int64)

    def put(mask: BoolArray, model: str) -> None:
        code[mask] = MODELS.index(model)

    lic = is_(AssetType.DATA_LICENSE, AssetType.IP_LICENSE)
    put(lic, MODEL_EVEN)
    put(lic & given("annual_fee"), MODEL_LICENCE)
    prod = is_(AssetType.DATA_PRODUCT)
    put(prod, MODEL_EVEN)
    put(prod & (has_usage | given("minimum_fee")), MODEL_USAGE)
    algo = is_(AssetType.ALGORITHM_SERVICE)
    put(algo, MODEL_EVEN)
    put(algo & (given("subscription_fee") | has_usage | given("minimum_fee")), MODEL_ALGORITHM)
    share = is_(AssetType.REVENUE_SHARE)
    put(share, MODEL_EVEN)
    put(share & given("counterparty_revenue") & given("revenue_share"), MODEL_SHARE)
    toll = is_(AssetType.TOLL_RIGHT)
    put(toll & has_usage, MODEL_USAGE)
    put(toll & given("annual_fee"), MODEL_LICENCE)
    return code


def asset_inputs(deal: Deal, assumptions: Assumptions) -> AssetInputs:
    """The pool's per-asset arrays under ``assumptions`` (its ``stress`` is not applied).

    Raises
    ------
    ProjectionError
        A growth parameter out of range or an asset maturing by the cut-off (first such asset
        in pool order, named with its field, rule and value).
    DealSpecError
        The deal has no pool.
    """
    pool = require_pool(deal)
    assets = pool.assets
    fields = [a.__dict__ for a in assets]
    raw = {name: _column(fields, name) for name in (*PARAM_DEFAULTS, *_OPTIONAL)}
    start = _dates(fields, "start_date")
    maturity = _dates(fields, "maturity_date")
    _check(deal, assets, raw, maturity)
    kinds = tuple(f["asset_type"] for f in fields)
    kind_obj = np.array(kinds, dtype=object)
    present = set(kinds)
    order = [k for k in AssetType if k in present]
    code_of = {k: i for i, k in enumerate(order)}
    a_ = assumptions
    pd_kind = {k: a_.pd_by_type.get(k, DEFAULT_PD[k]) for k in order}
    rec_kind = {k: a_.recovery_by_type.get(k, DEFAULT_RECOVERY[k]) for k in order}
    pd_default = np.array([pd_kind[k] for k in kinds], dtype=np.float64)
    rec_default = np.array([rec_kind[k] for k in kinds], dtype=np.float64)
    params = {
        name: np.where(np.isnan(raw[name]), default, raw[name])
        for name, default in PARAM_DEFAULTS.items()
    }
    renewable = np.array([k in RENEWABLE_TYPES for k in kinds], dtype=bool)
    if a_.mode is ProjectionMode.RENEWAL:
        p_tape = raw["renewal_probability"]
        renewal_p = np.where(
            renewable, np.where(np.isnan(p_tape), a_.renewal_probability, p_tape), 0.0
        )
    else:
        renewal_p = np.zeros(len(assets))
    term = rv.months_between(start, maturity)
    ren_years = raw["renewal_term_years"]
    ren_months = np.where(np.isnan(ren_years), 0, np.round(np.nan_to_num(ren_years) * 12.0))
    ren_months = np.where(ren_months > 0, ren_months, np.maximum(np.round(term), 1))
    freq = [
        f["payment_frequency"]
        if f["payment_frequency"] is not None
        else (
            Frequency.ONCE
            if f["asset_type"] is AssetType.RECEIVABLE
            and f["amortization"] in (None, Amortization.BULLET)
            else DEFAULT_PAYMENT_FREQUENCY
        )
        for f in fields
    ]
    months_of = {fr: fr.months for fr in set(freq)}
    lag = raw["recovery_lag"]
    change = raw["renewal_fee_change"]
    return AssetInputs(
        ids=tuple(f["asset_id"] for f in fields),
        obligors=tuple(f["obligor"] for f in fields),
        kinds=kinds,
        kind_code=np.array([code_of[k] for k in kinds], dtype=np.int64),
        kind_values=tuple(k.value for k in order),
        model_code=_models(kind_obj, raw),
        methods=np.array(
            [
                f["amortization"] or DEFAULT_AMORTIZATION.get(f["asset_type"], Amortization.BULLET)
                for f in fields
            ],
            dtype=object,
        ),
        amount=np.array([f["amount"] for f in fields], dtype=np.float64),
        start=start,
        maturity=maturity,
        period_months=np.array([months_of[fr] for fr in freq], dtype=np.int64),
        params=params,
        pd=np.where(np.isnan(raw["pd"]), pd_default, raw["pd"]),
        recovery=np.where(np.isnan(raw["recovery_rate"]), rec_default, raw["recovery_rate"]),
        lag=np.where(np.isnan(lag), a_.recovery_lag, lag).astype(np.int64),
        renewal_p=np.asarray(renewal_p, dtype=np.float64),
        renewal_change=np.where(np.isnan(change), a_.renewal_fee_change, change),
        renewal_months=ren_months.astype(np.int64),
        direct=np.array([f["data_link"] is DataLink.DIRECT for f in fields], dtype=bool),
        valuation_method=tuple(f["valuation_method"] for f in fields),
        appraised_value=raw["appraised_value"],
    )
