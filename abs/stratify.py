"""Pool stratification (资产池统计与分布): summary, distribution tables and the top-20 obligors.

The tables follow the disclosure tables of the 计划说明书 (SSE 挂牌指引1号 4.1.2; DOMAIN.md):
a summary (总金额, 笔数, 债务人/债权人数量, 加权平均利率, 加权平均剩余期限, 集中度), distributions
by obligor, originator, region, industry, remaining term, seasoning, single-asset amount,
asset kind, data link, rate, rating and related party, and the top-20 obligor table (which
may be omitted when every asset is at most 1% of the pool).

Every table is a pandas DataFrame with Chinese column names fixed by the module constants below,
so exports and the dashboard render them without renaming. Amounts are yuan (元); shares are
fractions (0.25 = 25%); terms are years (ACT/365F) measured from ``as_of``.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import itertools
import sys
import types
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from abs.asset import Asset, Pool
from abs.deal import Deal
from abs.enums import AssetType, DataLink

__all__ = [
    "AMOUNT_EDGES_YUAN",
    "COL_AMOUNT",
    "COL_AMOUNT_SHARE",
    "COL_CATEGORY",
    "COL_COUNT",
    "COL_COUNT_SHARE",
    "COL_ITEM",
    "COL_ITEM_EN",
    "COL_UNIT",
    "COL_VALUE",
    "DIMENSIONS",
    "DIM_AMOUNT",
    "DIM_INDUSTRY",
    "DIM_KIND",
    "DIM_LINK",
    "DIM_OBLIGOR",
    "DIM_ORIGINATOR",
    "DIM_RATE",
    "DIM_RATING",
    "DIM_REGION",
    "DIM_RELATED",
    "DIM_SEASONING",
    "DIM_TERM",
    "DISTRIBUTION_COLUMNS",
    "NOT_DISCLOSED",
    "RATE_EDGES",
    "SUMMARY_COLUMNS",
    "TERM_EDGES_YEARS",
    "TOP20_COLUMNS",
    "TOP_BALANCE",
    "TOP_CREDITOR",
    "TOP_ENHANCEMENT",
    "TOP_ENHANCER",
    "TOP_OBLIGOR",
    "TOP_RANK",
    "TOP_RATE",
    "TOP_RATING",
    "TOP_RELATED",
    "TOP_SHADOW_RATING",
    "TOP_SHARE",
    "PoolSummary",
    "Stratification",
    "stratify",
    "stratify_deal",
]

# distribution tables -------------------------------------------------------------------------
COL_CATEGORY = "分类"
COL_COUNT = "笔数"
COL_COUNT_SHARE = "笔数占比"
COL_AMOUNT = "金额(元)"
COL_AMOUNT_SHARE = "金额占比"
#: Columns of every distribution table, in order.
DISTRIBUTION_COLUMNS: tuple[str, ...] = (
    COL_CATEGORY,
    COL_COUNT,
    COL_COUNT_SHARE,
    COL_AMOUNT,
    COL_AMOUNT_SHARE,
)

# summary table -------------------------------------------------------------------------------
COL_ITEM = "项目"
COL_ITEM_EN = "item"
COL_VALUE = "数值"
COL_UNIT = "单位"
#: Columns of the summary table.
SUMMARY_COLUMNS: tuple[str, ...] = (COL_ITEM, COL_ITEM_EN, COL_VALUE, COL_UNIT)

# top-20 table (DOMAIN.md "Disclosure tables") ------------------------------------------------
TOP_RANK = "序号"
TOP_CREDITOR = "债权人名称"
TOP_OBLIGOR = "债务人名称"
TOP_RATING = "债务人资信评级"
TOP_BALANCE = "入池本金余额(元)"
TOP_RATE = "利率"
TOP_SHARE = "占比"
TOP_RELATED = "是否关联交易"
TOP_ENHANCER = "增信机构及评级"
TOP_ENHANCEMENT = "增信方式/担保物"
TOP_SHADOW_RATING = "影子评级"
#: Columns of the top-20 obligor table, in order.
TOP20_COLUMNS: tuple[str, ...] = (
    TOP_RANK,
    TOP_CREDITOR,
    TOP_OBLIGOR,
    TOP_RATING,
    TOP_BALANCE,
    TOP_RATE,
    TOP_SHARE,
    TOP_RELATED,
    TOP_ENHANCER,
    TOP_ENHANCEMENT,
    TOP_SHADOW_RATING,
)

# dimensions ----------------------------------------------------------------------------------
DIM_OBLIGOR = "债务人"
DIM_ORIGINATOR = "债权人"
DIM_REGION = "债务人地区"
DIM_INDUSTRY = "债务人行业"
DIM_TERM = "剩余期限"
DIM_SEASONING = "账龄"
DIM_AMOUNT = "单笔入池金额"
DIM_KIND = "资产类型"
DIM_LINK = "数据资产关联"
DIM_RATE = "利率"
DIM_RATING = "债务人资信评级"
DIM_RELATED = "关联交易"
#: Distribution dimension (Chinese table title) → English name, in display order.
DIMENSIONS: dict[str, str] = {
    DIM_OBLIGOR: "obligor",
    DIM_ORIGINATOR: "originator",
    DIM_REGION: "region",
    DIM_INDUSTRY: "industry",
    DIM_TERM: "remaining term",
    DIM_SEASONING: "seasoning",
    DIM_AMOUNT: "amount",
    DIM_KIND: "asset kind",
    DIM_LINK: "data link",
    DIM_RATE: "rate",
    DIM_RATING: "obligor rating",
    DIM_RELATED: "related party",
}

#: Label for a value the tape leaves empty.
NOT_DISCLOSED = "未披露"
#: Remaining-term and seasoning bucket edges (years).
TERM_EDGES_YEARS: tuple[float, ...] = (0.5, 1.0, 2.0, 3.0, 5.0)
#: Single-asset amount bucket edges (yuan).
AMOUNT_EDGES_YUAN: tuple[int, ...] = (
    1_000_000,
    5_000_000,
    10_000_000,
    30_000_000,
    50_000_000,
    100_000_000,
)
#: Rate bucket edges (fractions).
RATE_EDGES: tuple[float, ...] = (0.03, 0.04, 0.05, 0.06)

_YEAR_DAYS = 365.0
_CREDITOR_LIMIT = 3  # creditors named per top-20 row before "等N家"
_MATURED = "已到期"
_NOT_STARTED = "尚未起始"


def _num(x: float) -> str:
    return f"{x:g}"


def _term_labels(*, closed_low: bool) -> list[str]:
    edges = TERM_EDGES_YEARS
    first = f"[0,{_num(edges[0])}]年" if closed_low else f"(0,{_num(edges[0])}]年"
    middle = [f"({_num(lo)},{_num(hi)}]年" for lo, hi in itertools.pairwise(edges)]
    return [first, *middle, f">{_num(edges[-1])}年"]


def _term_bucket(years: float, labels: Sequence[str]) -> str:
    """Label of the bucket (lo, hi] holding ``years``."""
    return labels[bisect.bisect_left(TERM_EDGES_YEARS, years)]


_TERM_LABELS = _term_labels(closed_low=False)
_SEASONING_LABELS = _term_labels(closed_low=True)


def _amount_labels() -> list[str]:
    wan = [e // 10_000 for e in AMOUNT_EDGES_YUAN]
    first = f"(0,{wan[0]}]万元"
    middle = [f"({lo},{hi}]万元" for lo, hi in itertools.pairwise(wan)]
    return [first, *middle, f">{wan[-1]}万元"]


_AMOUNT_LABELS = _amount_labels()


_AMOUNT_EDGES_FEN = [e * 100 for e in AMOUNT_EDGES_YUAN]


def _amount_bucket(fen: int) -> str:
    """Label of the bucket (lo, hi] holding ``fen``."""
    return _AMOUNT_LABELS[bisect.bisect_left(_AMOUNT_EDGES_FEN, fen)]


def _pct(x: float) -> str:
    return f"{x * 100:g}%"


def _rate_labels() -> list[str]:
    e = RATE_EDGES
    middle = [f"[{_pct(lo)},{_pct(hi)})" for lo, hi in itertools.pairwise(e)]
    return [f"[0,{_pct(e[0])})", *middle, f"≥{_pct(e[-1])}"]


_RATE_LABELS = _rate_labels()
_RATE_EDGES_MICRO = [round(e * 1_000_000) for e in RATE_EDGES]


def _rate_bucket(rate: float | None) -> str:
    if rate is None:
        return NOT_DISCLOSED
    micro = round(rate * 1_000_000)  # exact on the micro-rate grid: 4% is never 3.9999...%
    return _RATE_LABELS[bisect.bisect_right(_RATE_EDGES_MICRO, micro)]  # bucket [lo, hi)


@dataclass(frozen=True)
class PoolSummary:
    """Pool summary (资产池概况) as of a date.

    Attributes
    ----------
    as_of : datetime.date
        Date remaining terms and seasoning are measured from.
    as_of_source : str
        Where ``as_of`` came from: ``argument``, ``pool cutoff``, ``deal cutoff`` or
        ``latest start date`` (a bare tape without a cut-off date).
    total_amount : float
        总金额 (元).
    asset_count, obligor_count, originator_count : int
        笔数, 债务人数量, 债权人数量 (distinct names; assets without originator not counted).
    average_amount, max_amount : float
        平均/最大单笔金额 (元).
    max_asset_share : float
        Largest single asset as a share of the pool.
    wa_rate : float or None
        加权平均利率 over assets with a rate (weights: amount); ``None`` when no asset has one.
    rate_coverage : float
        Share of the pool amount that has a rate.
    wa_remaining_years, wa_seasoning_years : float
        加权平均剩余期限 and 加权平均账龄 (years, ACT/365F, weights: amount; matured count 0).
    top1_share, top5_share, top10_share : float
        Share of the pool owed by the largest 1/5/10 obligors.
    top1_obligor : str
        The largest obligor.
    """

    as_of: dt.date
    as_of_source: str
    total_amount: float
    asset_count: int
    obligor_count: int
    originator_count: int
    average_amount: float
    max_amount: float
    max_asset_share: float
    wa_rate: float | None
    rate_coverage: float
    wa_remaining_years: float
    wa_seasoning_years: float
    top1_share: float
    top5_share: float
    top10_share: float
    top1_obligor: str

    def rows(self) -> list[tuple[str, str, Any, str]]:
        """(项目, item, 数值, 单位) rows, in display order."""
        return [
            ("统计基准日", "as of", self.as_of.isoformat(), self.as_of_source),
            ("总金额", "total amount", self.total_amount, "元"),
            ("笔数", "asset count", self.asset_count, "笔"),
            ("债务人数量", "obligors", self.obligor_count, "户"),
            ("债权人数量", "originators", self.originator_count, "户"),
            ("平均单笔金额", "average amount", self.average_amount, "元"),
            ("最大单笔金额", "largest amount", self.max_amount, "元"),
            ("最大单笔占比", "largest asset share", self.max_asset_share, "fraction"),
            ("加权平均利率", "WA rate", self.wa_rate, "fraction"),
            ("利率披露覆盖率", "rate coverage", self.rate_coverage, "fraction"),
            ("加权平均剩余期限", "WA remaining term", self.wa_remaining_years, "年"),
            ("加权平均账龄", "WA seasoning", self.wa_seasoning_years, "年"),
            ("第一大债务人占比", "top-1 obligor share", self.top1_share, "fraction"),
            ("前五大债务人占比", "top-5 obligor share", self.top5_share, "fraction"),
            ("前十大债务人占比", "top-10 obligor share", self.top10_share, "fraction"),
            ("第一大债务人", "top-1 obligor", self.top1_obligor, ""),
        ]

    def to_frame(self) -> pd.DataFrame:
        """The summary as a table with :data:`SUMMARY_COLUMNS`."""
        return pd.DataFrame(self.rows(), columns=list(SUMMARY_COLUMNS), dtype=object)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with English keys."""
        return {
            "as_of": self.as_of.isoformat(),
            "as_of_source": self.as_of_source,
            "total_amount": self.total_amount,
            "asset_count": self.asset_count,
            "obligor_count": self.obligor_count,
            "originator_count": self.originator_count,
            "average_amount": self.average_amount,
            "max_amount": self.max_amount,
            "max_asset_share": self.max_asset_share,
            "wa_rate": self.wa_rate,
            "rate_coverage": self.rate_coverage,
            "wa_remaining_years": self.wa_remaining_years,
            "wa_seasoning_years": self.wa_seasoning_years,
            "top1_share": self.top1_share,
            "top5_share": self.top5_share,
            "top10_share": self.top10_share,
            "top1_obligor": self.top1_obligor,
        }


@dataclass(frozen=True)
class Stratification:
    """Summary, distribution tables and the top-20 obligor table of a pool.

    Attributes
    ----------
    summary : PoolSummary
    distributions : dict of str to DataFrame
        Keyed by the Chinese dimension names of :data:`DIMENSIONS`, each with
        :data:`DISTRIBUTION_COLUMNS`; category rows by amount (largest first) or by bucket order.
    top20 : DataFrame
        The 20 largest obligors with :data:`TOP20_COLUMNS`, largest first.
    top20_may_be_omitted : bool
        Every asset is at most 1% of the pool, so the filing may omit the top-20 table.
    """

    summary: PoolSummary
    distributions: dict[str, pd.DataFrame]
    top20: pd.DataFrame
    top20_may_be_omitted: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``dabs pool --json``): summary, distributions and top-20 as records."""
        return {
            "summary": self.summary.to_dict(),
            "distributions": {
                name: {"dimension": DIMENSIONS[name], "rows": _records(frame)}
                for name, frame in self.distributions.items()
            },
            "top20": _records(self.top20),
            "top20_may_be_omitted": self.top20_may_be_omitted,
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in frame.itertuples(index=False, name=None):
        record: dict[str, Any] = {}
        for col, value in zip(frame.columns, row, strict=True):
            record[str(col)] = None if value is None or value != value else _plain(value)
        out.append(record)
    return out


def _plain(value: Any) -> Any:
    """numpy scalars → Python numbers for JSON."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _distribution(
    labels: Sequence[str],
    fen: Sequence[int],
    total_fen: int,
    *,
    order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Count, amount and shares per label (one label per asset, amounts in fen)."""
    count = Counter(labels)
    amount: dict[str, int] = dict.fromkeys(count, 0)
    for label, f in zip(labels, fen, strict=True):
        amount[label] += f
    if order is not None:
        rank = {label: i for i, label in enumerate(order)}
        ordered = sorted(amount, key=lambda lb: (rank.get(lb, len(rank)), lb))
    else:
        ordered = sorted(amount, key=lambda lb: (-amount[lb], lb))
    n = len(labels)
    return pd.DataFrame(
        {
            COL_CATEGORY: pd.Series(ordered, dtype=object),
            COL_COUNT: [count[lb] for lb in ordered],
            COL_COUNT_SHARE: [count[lb] / n for lb in ordered],
            COL_AMOUNT: [amount[lb] / 100 for lb in ordered],
            COL_AMOUNT_SHARE: [amount[lb] / total_fen for lb in ordered],
        },
        columns=list(DISTRIBUTION_COLUMNS),
    )


def _years(start: dt.date, end: dt.date) -> float:
    return (end - start).days / _YEAR_DAYS


def _join(values: Sequence[str], sep: str = "、", *, limit: int | None = None) -> str:
    seen = list(dict.fromkeys(v for v in values if v))
    if limit is not None and len(seen) > limit:
        return sep.join(seen[:limit]) + f"等{len(seen)}家"
    return sep.join(seen)


def _top20(
    assets: Sequence[Asset],
    total_fen: int,
    guarantor_ratings: Mapping[str, str],
) -> pd.DataFrame:
    groups: dict[str, list[Asset]] = {}
    for a in assets:
        groups.setdefault(a.obligor, []).append(a)
    fen = {name: sum(a.amount_fen for a in group) for name, group in groups.items()}
    ranked = sorted(groups, key=lambda name: (-fen[name], name))[:20]
    rows: list[list[Any]] = []
    for rank, name in enumerate(ranked, start=1):
        group = groups[name]
        rated = [a for a in group if a.rate is not None]
        rated_fen = sum(a.amount_fen for a in rated)
        rate = sum(a.amount_fen * (a.rate or 0.0) for a in rated) / rated_fen if rated_fen else None
        rating = _join([a.obligor_rating or "" for a in group], "/") or NOT_DISCLOSED
        enhancers = []
        for g in dict.fromkeys(a.guarantor for a in group if a.guarantor):
            grade = guarantor_ratings.get(g)
            enhancers.append(f"{g}({grade})" if grade else g)
        methods: list[str] = []
        if any(a.guarantor for a in group):
            methods.append("保证担保")
        pledges = [a for a in group if a.data_link is DataLink.PLEDGED]
        if pledges:
            registered = _join([a.pledge_registration or "" for a in pledges])
            methods.append(f"数据资产质押({registered})" if registered else "数据资产质押")
        rows.append(
            [
                rank,
                _join([a.originator or "" for a in group], limit=_CREDITOR_LIMIT) or NOT_DISCLOSED,
                name,
                rating,
                fen[name] / 100,
                rate,
                fen[name] / total_fen,
                "是" if any(a.related_party for a in group) else "否",
                "、".join(enhancers) or "无",
                "；".join(methods) or "无",
                rating,
            ]
        )
    frame = pd.DataFrame(rows, columns=list(TOP20_COLUMNS))
    return frame.astype({TOP_RATE: "float64"}) if len(frame) else frame


def _resolve_as_of(pool: Pool, as_of: dt.date | None) -> tuple[dt.date, str]:
    if as_of is not None:
        return as_of, "argument"
    if pool.cutoff_date is not None:
        return pool.cutoff_date, "pool cutoff"
    return max(a.start_date for a in pool.assets), "latest start date"


def stratify(
    pool: Pool,
    *,
    as_of: dt.date | None = None,
    guarantor_ratings: Mapping[str, str] | None = None,
) -> Stratification:
    """Summary, distributions and top-20 obligors of a pool.

    Parameters
    ----------
    pool : Pool
        The pool.
    as_of : datetime.date, optional
        Date terms are measured from; default the pool's cut-off date, else the latest contract
        start date in the pool (reported in ``summary.as_of_source``).
    guarantor_ratings : mapping, optional
        Guarantor name → rating, shown in the top-20 column 增信机构及评级.

    Returns
    -------
    Stratification

    Examples
    --------
    >>> import datetime as dt
    >>> from abs.asset import Asset, Pool
    >>> pool = Pool(assets=tuple(
    ...     Asset(asset_id=f"A{i}", obligor=f"O{i % 2}", asset_type="receivable",
    ...           data_link="none", amount=100.0 * (i + 1), start_date=dt.date(2025, 1, 1),
    ...           maturity_date=dt.date(2026, 1, 1)) for i in range(3)))
    >>> s = stratify(pool, as_of=dt.date(2025, 7, 2))
    >>> s.summary.obligor_count, round(s.summary.top1_share, 4)
    (2, 0.6667)
    """
    assets = pool.assets
    date, source = _resolve_as_of(pool, as_of)
    fen = [a.amount_fen for a in assets]
    total = sum(fen)
    n = len(assets)

    remaining = [max(0.0, _years(date, a.maturity_date)) for a in assets]
    seasoning = [max(0.0, _years(a.start_date, date)) for a in assets]
    rated_fen = sum(f for a, f in zip(assets, fen, strict=True) if a.rate is not None)
    wa_rate = (
        sum(f * (a.rate or 0.0) for a, f in zip(assets, fen, strict=True)) / rated_fen
        if rated_fen
        else None
    )
    by_obligor: dict[str, int] = {}
    for a, f in zip(assets, fen, strict=True):
        by_obligor[a.obligor] = by_obligor.get(a.obligor, 0) + f
    ranked = sorted(by_obligor.items(), key=lambda kv: (-kv[1], kv[0]))
    top = [f for _, f in ranked]
    summary = PoolSummary(
        as_of=date,
        as_of_source=source,
        total_amount=total / 100,
        asset_count=n,
        obligor_count=len(by_obligor),
        originator_count=len({a.originator for a in assets if a.originator}),
        average_amount=total / 100 / n,
        max_amount=max(fen) / 100,
        max_asset_share=max(fen) / total,
        wa_rate=wa_rate,
        rate_coverage=rated_fen / total,
        wa_remaining_years=sum(f * y for f, y in zip(fen, remaining, strict=True)) / total,
        wa_seasoning_years=sum(f * y for f, y in zip(fen, seasoning, strict=True)) / total,
        top1_share=sum(top[:1]) / total,
        top5_share=sum(top[:5]) / total,
        top10_share=sum(top[:10]) / total,
        top1_obligor=ranked[0][0],
    )

    def term_label(a: Asset) -> str:
        if a.maturity_date <= date:
            return _MATURED
        return _term_bucket(_years(date, a.maturity_date), _TERM_LABELS)

    def seasoning_label(a: Asset) -> str:
        if a.start_date > date:
            return _NOT_STARTED
        return _term_bucket(_years(a.start_date, date), _SEASONING_LABELS)

    kind_labels = {k: k.label for k in AssetType}
    link_labels = {k: k.label for k in DataLink}

    def table(labels: list[str], order: Sequence[str] | None = None) -> pd.DataFrame:
        return _distribution(labels, fen, total, order=order)

    distributions = {
        DIM_OBLIGOR: table([a.obligor for a in assets]),
        DIM_ORIGINATOR: table([a.originator or NOT_DISCLOSED for a in assets]),
        DIM_REGION: table([a.region or NOT_DISCLOSED for a in assets]),
        DIM_INDUSTRY: table([a.industry or NOT_DISCLOSED for a in assets]),
        DIM_TERM: table([term_label(a) for a in assets], [_MATURED, *_TERM_LABELS]),
        DIM_SEASONING: table(
            [seasoning_label(a) for a in assets], [_NOT_STARTED, *_SEASONING_LABELS]
        ),
        DIM_AMOUNT: table([_amount_bucket(f) for f in fen], _AMOUNT_LABELS),
        DIM_KIND: table([kind_labels[a.asset_type] for a in assets]),
        DIM_LINK: table([link_labels[a.data_link] for a in assets]),
        DIM_RATE: table([_rate_bucket(a.rate) for a in assets], [*_RATE_LABELS, NOT_DISCLOSED]),
        DIM_RATING: table([a.obligor_rating or NOT_DISCLOSED for a in assets]),
        DIM_RELATED: table(["是" if a.related_party else "否" for a in assets], ["是", "否"]),
    }
    top20 = _top20(assets, total, guarantor_ratings or {})
    omit = all(100 * f <= total for f in fen)
    return Stratification(
        summary=summary, distributions=distributions, top20=top20, top20_may_be_omitted=omit
    )


def stratify_deal(deal: Deal, *, as_of: dt.date | None = None) -> Stratification:
    """Stratify a deal's pool as of the deal's cut-off date, with its guarantors' ratings.

    Raises
    ------
    DealSpecError
        If the deal has no pool.
    """
    from abs.io import require_pool

    pool = require_pool(deal)
    ratings: dict[str, str] = {}
    support = deal.support
    for provider in (support.guarantee, support.shortfall_commitment):
        if provider is not None and provider.rating:
            ratings[provider.provider] = provider.rating
    if as_of is not None:
        return stratify(pool, as_of=as_of, guarantor_ratings=ratings)
    result = stratify(pool, as_of=deal.dates.cutoff_date, guarantor_ratings=ratings)
    summary = dataclasses.replace(result.summary, as_of_source="deal cutoff")
    return dataclasses.replace(result, summary=summary)


class _CallableModule(types.ModuleType):
    """``abs.stratify`` is both this module and the function the package exports lazily.

    Once the module is imported, the package attribute ``abs.stratify`` is the module; making it
    callable keeps ``abs.stratify(pool)`` working whatever was imported first.
    """

    def __call__(self, pool: Pool, **kwargs: Any) -> Stratification:
        return stratify(pool, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
