"""Builders of the nine filing sheets from plain inputs (DataFrames, dicts, the deal spec).

One function per sheet, in workbook order (see :data:`SHEETS`). The builders do no engine maths:
they take what the engine produced (tables of the waterfall result, the stratification, the
stress grid) and turn it into typed :class:`~abs.filing.model.FilingTable` sheets. ``abs`` never
imports ``waterfall`` or ``scenarios``; ``scenarios.filing_package`` runs the engine and calls
these.

Input contracts (column names of the DataFrames) are module constants below; each builder
names the sheet and the missing or unexpected column when an input does not match. Money in 元,
shares as fractions, dates as ``datetime.date`` (pandas timestamps are accepted).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from abs.asset import Asset, Pool
from abs.deal import Deal, Tranche
from abs.enums import CouponType, DataLink, TrancheClass
from abs.errors import ExportError
from abs.filing.model import Cell, Column, ColumnKind, FilingTable, TableBlock

TEXT = ColumnKind.TEXT
MONEY = ColumnKind.MONEY
PERCENT = ColumnKind.PERCENT
RATIO = ColumnKind.RATIO
DATE = ColumnKind.DATE
INTEGER = ColumnKind.INTEGER
NUMBER = ColumnKind.NUMBER

#: Sheets in workbook order: (key, 中文 sheet name, English name).
SHEETS: tuple[tuple[str, str, str], ...] = (
    ("deal_summary", "产品概要", "Deal summary"),
    ("pool_statistics", "基础资产统计", "Pool statistics"),
    ("top_obligors", "前二十大债务人", "Top 20 obligors"),
    ("asset_list", "入池资产明细", "Asset list"),
    ("pool_cashflows", "现金流归集表", "Pool cash-flow table"),
    ("tranche_payments", "证券兑付表", "Tranche payment table"),
    ("coverage", "现金流覆盖倍数", "Cash-flow coverage multiples"),
    ("stress_tests", "压力测试", "Stress tests"),
    ("model_notes", "模型说明", "Model notes"),
)
_SHEET = {key: (zh, en) for key, zh, en in SHEETS}

#: Header note shared by the sheets that show amounts.
UNIT_NOTE = "金额单位：万元（CSV/JSON 为元）；日期格式 YYYY-MM-DD；比例以百分比列示"
YES, NO = "是", "否"
#: Shown where a figure is undefined (a coverage multiple with nothing owed).
NO_OBLIGATION_NOTE = "空白：当期无应付税费、费用及优先级利息/本金，覆盖倍数无定义"

EXCHANGES = {"SSE": "上海证券交易所", "SZSE": "深圳证券交易所"}

# --- input contracts ---------------------------------------------------------------------

#: Distribution tables (基础资产统计): category, count, amount (元).
IN_CATEGORY = "分类"
IN_COUNT = "笔数"
IN_AMOUNT = "金额(元)"

#: Top-20 obligor table, DOMAIN.md columns (amount in 元, rate and share as fractions).
IN_TOP_CREDITOR = "债权人名称"
IN_TOP_OBLIGOR = "债务人名称"
IN_TOP_RATING = "债务人资信评级"
IN_TOP_BALANCE = "入池本金余额(元)"
IN_TOP_RATE = "利率"
IN_TOP_RELATED = "是否关联交易"
IN_TOP_ENHANCER = "增信机构及评级"
IN_TOP_ENHANCEMENT = "增信方式/担保物"
IN_TOP_SHADOW = "影子评级"

#: 现金流归集表 and 证券兑付表 input columns (the waterfall result's ``to_frame`` names).
IN_TRANCHE = "档位"
IN_PAYMENT_DATE = "兑付日"
IN_COLLECTION_DATE = "归集日"

#: Coverage input: one row per period, a payment-date column and one column per scenario.
IN_SCENARIO = "情景"


def _col(key: str, label: str, kind: ColumnKind = TEXT, **kw: Any) -> Column:
    return Column(key, label, kind, **kw)


# --- value conversion ---------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return False


def plain_cell(value: Any, kind: ColumnKind) -> Cell:
    """A DataFrame value as a model cell: NaN/NaT → empty, timestamps → dates, bools → 是/否.

    Non-finite numbers (±inf) become empty cells: a builder documents what that means.

    Examples
    --------
    >>> plain_cell(float("nan"), ColumnKind.MONEY) is None
    True
    >>> plain_cell(pd.Timestamp("2026-03-31"), ColumnKind.DATE)
    datetime.date(2026, 3, 31)
    >>> plain_cell(True, ColumnKind.TEXT)
    '是'
    """
    if _is_missing(value):
        return None
    if kind is TEXT:
        if isinstance(value, bool | np.bool_):
            return YES if value else NO
        return value if isinstance(value, str) else str(value)
    if kind is DATE:
        if isinstance(value, pd.Timestamp):
            return value.date()
        if isinstance(value, np.datetime64):
            return pd.Timestamp(value).date()
        return value  # type: ignore[no-any-return]
    if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()  # type: ignore[no-any-return]
    return value  # type: ignore[no-any-return]


def frame_block(
    frame: pd.DataFrame,
    *,
    key: str,
    title: str | None,
    columns: Sequence[Column],
    sources: Mapping[str, str] | None = None,
    sum_keys: Iterable[str] = (),
    notes: Sequence[str] = (),
    sheet: str,
) -> TableBlock:
    """A block from ``frame``: each column takes the frame column ``sources[key]`` (default: its
    label); ``sum_keys`` adds a totals row (see :meth:`TableBlock.with_sum_totals`).

    Raises
    ------
    ExportError
        Naming the sheet, the block and the missing frame column.
    """
    sources = dict(sources or {})
    data: list[list[Cell]] = []
    for c in columns:
        src = sources.get(c.key, c.label)
        if src not in frame.columns:
            raise ExportError(
                f"sheet {sheet!r}, table {key!r}: input has no column {src!r} "
                f"(for {c.label}); columns are {[str(x) for x in frame.columns]}"
            )
        data.append([plain_cell(v, c.kind) for v in frame[src].tolist()])
    rows = tuple(zip(*data, strict=True)) if data else ()
    block = TableBlock(key=key, title=title, columns=tuple(columns), rows=rows, notes=tuple(notes))
    keys = list(sum_keys)
    return block.with_sum_totals(keys) if keys else block


def _sheet(
    key: str, note: str, blocks: Sequence[TableBlock], notes: Sequence[str] = ()
) -> FilingTable:
    zh, en = _SHEET[key]
    return FilingTable(
        key=key, sheet=zh, sheet_en=en, note=note, blocks=tuple(blocks), notes=tuple(notes)
    )


def _fen(amount: float) -> int:
    return round(amount * 100)


def _share(part_fen: int, total_fen: int) -> float | None:
    return part_fen / total_fen if total_fen else None


# --- 1. 产品概要 ----------------------------------------------------------------------------

FACT_COLUMNS = (
    _col("item", "项目"),
    _col("value", "内容"),
)
DATE_COLUMNS = (
    _col("item", "日期项目"),
    _col("date", "日期", DATE),
)
TRANCHE_COLUMNS = (
    _col("tranche", "档位"),
    _col("tranche_class", "级别"),
    _col("balance", "发行规模", MONEY),
    _col("share", "占比", PERCENT),
    _col("coupon", "票面利率/期间收益率", PERCENT),
    _col("coupon_type", "利率类型"),
    _col("principal_type", "本金偿付方式"),
    _col("expected_maturity", "预期到期日", DATE),
    _col("legal_maturity", "法定到期日", DATE),
    _col("rating", "评级"),
    _col("wal", "加权平均期限", NUMBER, unit="年", decimals=2),
)
ENHANCEMENT_COLUMNS = (
    _col("measure", "增信措施"),
    _col("detail", "说明"),
    _col("amount", "金额", MONEY),
    _col("ratio", "比例", PERCENT),
)
DATA_ASSET_COLUMNS = (
    _col("registry", "登记机构"),
    _col("valuation_method", "评估方法"),
    _col("data_link", "关联方式"),
    _col("count", "笔数", INTEGER),
    _col("appraised_value", "评估价值", MONEY),
    _col("amount", "入池金额", MONEY),
    _col("registration_ids", "数据资产登记证书编号"),
    _col("licence_end", "最晚授权到期日", DATE),
    _col("pledge_registration", "质押登记信息"),
)


def _coupon(t: Tranche, reference_rate: float) -> tuple[float | None, str]:
    if t.tranche_class is TrancheClass.SUBORDINATED:
        if t.period_yield > 0:
            return t.period_yield, "次级期间收益"
        return None, "无票面利率（享有剩余收益）"
    c = t.coupon
    if c.coupon_type is CouponType.FIXED:
        return c.rate, c.coupon_type.zh
    spread_bp = round(c.spread * 10_000)
    return c.rate_for(reference_rate), f"浮动利率（基准利率{spread_bp:+d}bp）"


def _ids_text(ids: Sequence[str]) -> str:
    ids = [i for i in dict.fromkeys(ids) if i]
    if len(ids) <= 5:
        return "、".join(ids)
    return f"{ids[0]} 至 {ids[-1]} 等{len(ids)}个（逐笔见入池资产明细）"


def deal_summary_sheet(
    deal: Deal,
    *,
    classification: Mapping[str, Any],
    tranche_wal: Mapping[str, float] | None = None,
) -> FilingTable:
    """1. 产品概要: deal facts, key dates, tranche terms, credit enhancement, data-asset facts.

    Parameters
    ----------
    deal : Deal
        The deal spec (its pool, when present, feeds the data-asset block).
    classification : mapping
        ``Classification.to_dict()`` keys used: ``kind_zh``, ``data_share``, ``basis``,
        ``pure_100`` and optionally ``data_share_text``.
    tranche_wal : mapping, optional
        Tranche name → weighted average life (years) in the base case.

    Examples
    --------
    >>> from abs.io import load_deal
    >>> deal = load_deal("rugao-labelled", with_pool=False)
    >>> s = deal_summary_sheet(deal, classification={"kind_zh": "贴标型", "data_share": 0.5046,
    ...                                               "basis": "balance", "pure_100": False})
    >>> [b.key for b in s.blocks]
    ['facts', 'dates', 'tranches', 'enhancement']
    """
    key = "deal_summary"
    share = float(classification.get("data_share", 0.0))
    basis = "入池金额" if classification.get("basis", "balance") == "balance" else "现值"
    share_text = classification.get("data_share_text") or f"{share * 100:.2f}%"
    kind_text = f"{classification['kind_zh']}（数据资产关联占比 {share_text}，按{basis}口径）"
    if classification.get("pure_100"):
        kind_text += "；100%纯数据资产"
    enablement = deal.data_enablement
    d = deal.dates
    facts: list[tuple[str, str | None]] = [
        ("专项计划名称", deal.name),
        ("英文名称", deal.name_en),
        ("交易类型", kind_text),
        ("原始权益人", deal.originator),
        ("计划管理人", deal.manager),
        ("交易场所", EXCHANGES.get((deal.exchange or "").upper(), deal.exchange)),
        (
            "数据赋能声明",
            (YES + "：" + "、".join(enablement.uses)) if enablement.declared else NO,
        ),
        ("兑付频率", d.frequency.zh),
        ("兑付日规则", f"计算日后第{d.payment_lag_days}个工作日，节假日{d.convention.zh}"),
        ("节假日日历", d.calendar.zh),
        ("计息基准", d.day_count.zh),
    ]
    facts_block = TableBlock(key="facts", title="基本要素", columns=FACT_COLUMNS, rows=tuple(facts))
    dates_block = TableBlock(
        key="dates",
        title="关键日期",
        columns=DATE_COLUMNS,
        rows=(
            ("初始起算日/封包日", d.cutoff_date),
            ("设立日", d.closing_date),
            ("首个兑付日（未调整）", d.first_payment_date),
            ("预期到期日", d.expected_maturity_date),
            ("法定到期日", d.legal_maturity_date),
        ),
    )
    issue_fen = sum(_fen(t.balance) for t in deal.tranches)
    ref = deal.assumptions.reference_rate
    wal = dict(tranche_wal or {})
    tranche_rows = []
    for t in deal.tranches:
        coupon, coupon_type = _coupon(t, ref)
        tranche_rows.append(
            (
                t.name,
                t.tranche_class.zh,
                t.balance,
                _share(_fen(t.balance), issue_fen),
                coupon,
                coupon_type,
                t.principal_type.zh,
                t.expected_maturity_date or d.expected_maturity_date,
                t.legal_maturity_date or d.legal_maturity_date,
                t.rating,
                wal.get(t.name),
            )
        )
    tranches_block = TableBlock(
        key="tranches", title="证券要素", columns=TRANCHE_COLUMNS, rows=tuple(tranche_rows)
    ).with_sum_totals(["balance", "share"])
    blocks = [facts_block, dates_block, tranches_block, _enhancement_block(deal, issue_fen)]
    if deal.revolving is not None:
        blocks.append(revolving_block(deal))
    if deal.pool is not None:
        data_block = _data_asset_block(deal.pool)
        if data_block is not None:
            blocks.append(data_block)
    return _sheet(key, UNIT_NOTE, blocks)


def _months_text(months: float | None) -> str | None:
    return None if months is None else f"{months:g}个月"


def revolving_block(deal: Deal) -> TableBlock:
    """产品概要 · 循环购买: the revolving period, price, idle cash, 合格标准, early amortisation
    events and the kind the deal must hold over its life (``docs/revolving.md``)."""
    from abs.kind_over_life import issued_kind

    rv = deal.revolving
    if rv is None:
        raise ExportError(f"deal {deal.name}: no revolving terms for the 循环购买 section")
    el = rv.eligibility
    if rv.periods is not None:
        period = f"首个兑付日起{rv.periods}期"
    else:
        period = f"至{rv.end_date}（循环期结束日）"
    rep = rv.replenishment
    if rep is None:
        supply = "未设定（无可购买资产）"
    elif rep.generator is not None:
        g = rep.generator
        supply = (
            f"资产生成假设：每期{g.amount_per_period / 1e4:,.2f}万元，期限{g.term_months}个月，"
            f"收益率{g.rate:.2%}，年违约率{g.pd:.2%}，数据资产关联占比{g.data_link_share:.2%}"
            f"（随机种子{g.seed}）"
        )
    else:
        n = len(rep.pool.assets) if rep.pool is not None else 0
        supply = f"候选资产清单{('：' + rep.tape) if rep.tape else ''}（{n}笔）"
    events = [
        f"{t.name}（{t.condition.zh}）"
        for t in deal.triggers
        if t.event.value == "early_amortisation"
    ]
    kinds = "、".join(k.zh for k in el.allowed_kinds) or "不限"
    kind = issued_kind(deal)
    rows: list[tuple[str, str | None]] = [
        ("循环期", period),
        ("循环购买价格", f"按面值的{rv.purchase_price:.2%}"),
        ("闲置资金收益率", f"{rv.account_rate:.2%}/年"),
        ("可购买资产", supply),
        ("合格标准·资产类型", kinds),
        ("合格标准·数据资产关联", YES if el.data_linked_only else "不要求"),
        (
            "合格标准·单一债务人占比上限",
            None
            if el.max_obligor_share is None
            else f"{el.max_obligor_share:.2%}（按购买日未偿余额）",
        ),
        ("合格标准·最短剩余期限", _months_text(el.min_remaining_months)),
        ("合格标准·最长合同期限", _months_text(el.max_term_months)),
        ("合格标准·行业", "、".join(el.industries) or "不限"),
        ("合格标准·地区", "、".join(el.regions) or "不限"),
        ("提前摊还事件", "；".join(events) or "无"),
        (
            "存续期产品类型要求",
            f"维持{kind.zh}（数据资产关联占比按每期购买后的资产池余额逐期计算）",
        ),
        ("购买时维持产品类型", YES if rv.keep_kind_band else NO),
    ]
    return TableBlock(key="revolving", title="循环购买", columns=FACT_COLUMNS, rows=tuple(rows))


def _enhancement_block(deal: Deal, issue_fen: int) -> TableBlock:
    rows: list[tuple[Cell, ...]] = []
    tranches = deal.tranches
    for i, t in enumerate(tranches):
        if t.tranche_class is TrancheClass.SUBORDINATED:
            continue
        junior = tranches[i + 1 :]
        junior_fen = sum(_fen(j.balance) for j in junior)
        if junior_fen:
            rows.append(
                (
                    f"优先/次级结构（{t.name}）",
                    "劣后于" + t.name + "的档位：" + "、".join(j.name for j in junior),
                    junior_fen / 100,
                    _share(junior_fen, issue_fen),
                )
            )
    if deal.pool is not None:
        pool_fen = sum(a.amount_fen for a in deal.pool.assets)
        rows.append(
            (
                "超额抵押",
                "入池资产总额超出证券发行规模的部分（负数表示不足）",
                (pool_fen - issue_fen) / 100,
                _share(pool_fen - issue_fen, issue_fen),
            )
        )
    reserve = deal.reserve
    if reserve is not None:
        target = f"目标：{reserve.target_rule.zh}"
        if reserve.target_amount:
            target += f"，固定金额{reserve.target_amount / 1e4:,.2f}万元"
        if reserve.target_percent:
            target += f"，优先级余额的{reserve.target_percent * 100:.2f}%"
        covers = "、".join(c.zh for c in reserve.covers)
        rows.append(
            (
                "储备金账户",
                f"设立时存入（金额列）；{target}；用于弥补{covers}",
                reserve.initial_balance,
                _share(_fen(reserve.initial_balance), issue_fen),
            )
        )
    sc = deal.support.shortfall_commitment
    if sc is not None:
        caps = []
        if sc.cap_per_period is not None:
            caps.append(f"单期上限{sc.cap_per_period / 1e4:,.2f}万元")
        caps.append(
            f"累计上限{sc.cap_total / 1e4:,.2f}万元" if sc.cap_total is not None else "累计无上限"
        )
        rating = f"（{sc.rating}）" if sc.rating else ""
        rows.append(
            (
                "差额支付承诺",
                f"{sc.provider}{rating}；弥补{'、'.join(c.zh for c in sc.covers)}；"
                + "，".join(caps)
                + _REPAID[sc.reimbursed],
                sc.cap_total,
                None if sc.cap_total is None else _share(_fen(sc.cap_total), issue_fen),
            )
        )
    g = deal.support.guarantee
    if g is not None:
        rating = f"（{g.rating}）" if g.rating else ""
        cap = f"担保上限{g.cap_total / 1e4:,.2f}万元" if g.cap_total is not None else "全额无条件"
        rows.append(
            (
                "保证担保",
                f"{g.provider}{rating}；担保{'、'.join(c.zh for c in g.covers)}；{cap}"
                + _REPAID[g.reimbursed],
                g.cap_total,
                None if g.cap_total is None else _share(_fen(g.cap_total), issue_fen),
            )
        )
    for trig in deal.triggers:
        threshold = "" if trig.threshold is None else f"（阈值{trig.threshold * 100:.2f}%）"
        when = "" if trig.date is None else f"（{trig.date.isoformat()}）"
        cure = "，可恢复" if trig.cure else ""
        rows.append(
            (
                f"触发事件：{trig.name}",
                f"{trig.condition.zh}{threshold}{when} → {trig.event.zh}{cure}",
                None,
                None,
            )
        )
    if not rows:
        rows.append(("无", "本交易未设置内外部增信措施", None, None))
    return TableBlock(
        key="enhancement", title="信用增级", columns=ENHANCEMENT_COLUMNS, rows=tuple(rows)
    )


#: How support draws are treated, appended to the 增信 description.
_REPAID = {
    True: "；垫付款项于优先级清偿后从回收款中返还，先于次级本金及超额收益",
    False: "；垫付款项不从专项计划财产中返还",
}


def _data_asset_block(pool: Pool) -> TableBlock | None:
    groups: dict[tuple[str, str, str], list[Asset]] = {}
    for a in pool.assets:
        if not a.is_data_linked:
            continue
        k = (a.registry or "未披露", a.valuation_method or "未披露", a.data_link.zh)
        groups.setdefault(k, []).append(a)
    if not groups:
        return None
    rows = []
    for (registry, method, link), assets in groups.items():
        appraised = [a.appraised_value for a in assets if a.appraised_value is not None]
        licence_ends = [a.maturity_date for a in assets]
        pledges = [a.pledge_registration or "" for a in assets]
        rows.append(
            (
                registry,
                method,
                link,
                len(assets),
                math.fsum(appraised) if appraised else None,
                sum(a.amount_fen for a in assets) / 100,
                _ids_text([a.registration_id or "" for a in assets]) or "未披露",
                max(licence_ends),
                _ids_text(pledges) or None,
            )
        )
    return TableBlock(
        key="data_assets",
        title="数据资产要素",
        columns=DATA_ASSET_COLUMNS,
        rows=tuple(rows),
        notes=("评估价值为评估报告结论，不入账（财会〔2025〕33号）；逐笔信息见入池资产明细",),
    ).with_sum_totals(["count", "appraised_value", "amount"])


# --- 2. 基础资产统计 ------------------------------------------------------------------------

SUMMARY_ITEM_COLUMNS = (
    _col("item", "项目"),
    _col("amount", "金额", MONEY),
    _col("count", "数量", INTEGER),
    _col("ratio", "比例", PERCENT),
    _col("years", "期限", NUMBER, unit="年", decimals=2),
    _col("text", "说明"),
)
#: Pool summary items: input key (``PoolSummary.to_dict()``), label, value column.
SUMMARY_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("total_amount", "资产池总金额", "amount"),
    ("asset_count", "资产笔数", "count"),
    ("obligor_count", "债务人数量", "count"),
    ("originator_count", "债权人（原始权益人）数量", "count"),
    ("average_amount", "平均单笔金额", "amount"),
    ("max_amount", "最大单笔金额", "amount"),
    ("max_asset_share", "最大单笔占比", "ratio"),
    ("wa_rate", "加权平均利率", "ratio"),
    ("rate_coverage", "利率披露覆盖率", "ratio"),
    ("wa_remaining_years", "加权平均剩余期限", "years"),
    ("wa_seasoning_years", "加权平均账龄", "years"),
    ("top1_share", "第一大债务人集中度", "ratio"),
    ("top5_share", "前五大债务人集中度", "ratio"),
    ("top10_share", "前十大债务人集中度", "ratio"),
    ("top1_obligor", "第一大债务人", "text"),
    ("as_of", "统计基准日", "text"),
)
DISTRIBUTION_COLUMNS = (
    _col("category", "分类"),
    _col("count", "笔数", INTEGER),
    _col("count_share", "笔数占比", PERCENT),
    _col("amount", "金额", MONEY),
    _col("amount_share", "金额占比", PERCENT),
)
LINK_COLUMNS = (
    _col("data_link", "数据资产关联方式"),
    _col("count", "笔数", INTEGER),
    _col("amount", "入池金额", MONEY),
    _col("share", "占比", PERCENT),
)


def distribution_block(
    frame: pd.DataFrame, *, key: str, title: str, sheet: str = "基础资产统计"
) -> TableBlock:
    """A distribution table (分类, 笔数, 笔数占比, 金额, 金额占比) with a totals row.

    Shares are recomputed here from the counts and from the amounts in integer fen, so they add
    up to 100% (to float rounding) whatever the input carried.

    Raises
    ------
    ExportError
        If ``frame`` lacks :data:`IN_CATEGORY`, :data:`IN_COUNT` or :data:`IN_AMOUNT`.
    """
    for col in (IN_CATEGORY, IN_COUNT, IN_AMOUNT):
        if col not in frame.columns:
            raise ExportError(
                f"sheet {sheet!r}, table {key!r}: input has no column {col!r}; "
                f"columns are {[str(x) for x in frame.columns]}"
            )
    cats = [plain_cell(v, TEXT) for v in frame[IN_CATEGORY].tolist()]
    counts = [int(v) for v in frame[IN_COUNT].tolist()]
    fens = [_fen(float(v)) for v in frame[IN_AMOUNT].tolist()]
    n, total = sum(counts), sum(fens)
    rows = tuple(
        (cat, c, _share(c, n), f / 100, _share(f, total))
        for cat, c, f in zip(cats, counts, fens, strict=True)
    )
    return TableBlock(
        key=key, title=title, columns=DISTRIBUTION_COLUMNS, rows=rows
    ).with_sum_totals(["count", "count_share", "amount", "amount_share"])


def pool_statistics_sheet(
    *,
    summary: Mapping[str, Any],
    link_rows: Sequence[tuple[str, int, float]],
    distributions: Sequence[tuple[str, str, pd.DataFrame]],
    classification_note: str,
) -> FilingTable:
    """2. 基础资产统计: summary figures, the data-linked share computation, distributions.

    Parameters
    ----------
    summary : mapping
        ``PoolSummary.to_dict()`` (keys of :data:`SUMMARY_ITEMS`; missing keys are skipped).
    link_rows : sequence of (label, count, amount)
        Per data link (直接/质押/无): number of assets and 入池金额 (元).
    distributions : sequence of (key, title, DataFrame)
        Each distribution table (columns :data:`IN_CATEGORY`, :data:`IN_COUNT`,
        :data:`IN_AMOUNT`), in display order; ``key`` is a snake_case id.
    classification_note : str
        How the kind follows from the share (the classifier's explanation).
    """
    sheet = _SHEET["pool_statistics"][0]
    slots = {c.key: i for i, c in enumerate(SUMMARY_ITEM_COLUMNS)}
    items = []
    for key, label, slot in SUMMARY_ITEMS:
        if key not in summary:
            continue
        row: list[Cell] = [None] * len(SUMMARY_ITEM_COLUMNS)
        row[0] = label
        value = summary[key]
        row[slots[slot]] = plain_cell(value, TEXT if slot == "text" else NUMBER)
        if key == "wa_rate" and value is None:
            row[slots["text"]] = "资产均未披露利率"
        items.append(tuple(row))
    blocks = [
        TableBlock(
            key="summary", title="资产池概况", columns=SUMMARY_ITEM_COLUMNS, rows=tuple(items)
        )
    ]
    total_fen = sum(_fen(a) for _, _, a in link_rows)
    linked_fen = sum(_fen(a) for label, _, a in link_rows if label != DataLink.NONE.zh)
    link_block = TableBlock(
        key="data_link_share",
        title="数据资产关联占比计算",
        columns=LINK_COLUMNS,
        rows=tuple(
            (label, count, _fen(amount) / 100, _share(_fen(amount), total_fen))
            for label, count, amount in link_rows
        ),
        notes=(
            "数据资产关联占比 = (直接 + 质押) 入池金额 / 入池总金额 = "
            f"{linked_fen / 100:,.2f} / {total_fen / 100:,.2f} 元"
            + (f" = {linked_fen / total_fen * 100:.2f}%" if total_fen else ""),
            "判定规则（整数分比较）：≥70% 纯数据型；50%–70% 贴标型；>0 或声明数据赋能 赋能型",
            classification_note,
        ),
    ).with_sum_totals(["count", "amount", "share"])
    blocks.append(link_block)
    for key, title, frame in distributions:
        blocks.append(distribution_block(frame, key=key, title=title, sheet=sheet))
    return _sheet("pool_statistics", UNIT_NOTE, blocks)


# --- 3. 前二十大债务人 ----------------------------------------------------------------------

TOP20_COLUMNS = (
    _col("rank", "序号", INTEGER),
    _col("creditor", "债权人名称"),
    _col("obligor", "债务人名称"),
    _col("obligor_rating", "债务人资信评级"),
    _col("balance", "入池本金余额", MONEY),
    _col("rate", "利率", PERCENT),
    _col("share", "占比", PERCENT),
    _col("related_party", "是否关联交易"),
    _col("enhancer", "增信机构及评级"),
    _col("enhancement", "增信方式/担保物"),
    _col("shadow_rating", "影子评级"),
)
_TOP20_SOURCES = {
    "creditor": IN_TOP_CREDITOR,
    "obligor": IN_TOP_OBLIGOR,
    "obligor_rating": IN_TOP_RATING,
    "balance": IN_TOP_BALANCE,
    "rate": IN_TOP_RATE,
    "related_party": IN_TOP_RELATED,
    "enhancer": IN_TOP_ENHANCER,
    "enhancement": IN_TOP_ENHANCEMENT,
    "shadow_rating": IN_TOP_SHADOW,
}
#: Rule for omitting the table [S: SSE 挂牌指引1号 4.1.2].
TOP20_OMIT_NOTE = (
    "入池资产单笔占比均不超过1%，依据上交所挂牌指引1号4.1.2可不披露前二十大债务人；本表仅供参考"
)


def top_obligors_sheet(
    frame: pd.DataFrame, *, total_amount: float, may_be_omitted: bool
) -> FilingTable:
    """3. 前二十大债务人: the 20 largest obligors, largest first, with totals.

    Rows are sorted by 入池本金余额 (descending; ties by name) and cut at 20 whatever the input
    order; 占比 is recomputed against ``total_amount`` in integer fen.

    Parameters
    ----------
    frame : DataFrame
        Top obligor rows with the DOMAIN.md columns (``IN_TOP_*`` constants).
    total_amount : float
        Pool total (元), denominator of 占比.
    may_be_omitted : bool
        Every asset is at most 1% of the pool; a note then says the table may be omitted.
    """
    sheet = _SHEET["top_obligors"][0]
    if IN_TOP_BALANCE not in frame.columns or IN_TOP_OBLIGOR not in frame.columns:
        raise ExportError(
            f"sheet {sheet!r}: input needs columns {IN_TOP_OBLIGOR!r} and {IN_TOP_BALANCE!r}; "
            f"columns are {[str(x) for x in frame.columns]}"
        )
    ordered = frame.assign(_fen=[_fen(float(v)) for v in frame[IN_TOP_BALANCE].tolist()])
    ordered = ordered.sort_values(
        ["_fen", IN_TOP_OBLIGOR], ascending=[False, True], kind="stable"
    ).head(20)
    total_fen = _fen(total_amount)
    shares = [float("nan") if not total_fen else int(f) / total_fen for f in ordered["_fen"]]
    ordered = ordered.assign(_share=shares, _rank=range(1, len(ordered) + 1))
    block = frame_block(
        ordered.reset_index(drop=True),
        key="top20",
        title=None,
        columns=TOP20_COLUMNS,
        sources={**_TOP20_SOURCES, "share": "_share", "rank": "_rank"},
        sheet=sheet,
    ).with_sum_totals(["balance", "share"], label="前二十大合计" if len(ordered) >= 20 else "合计")
    notes = [TOP20_OMIT_NOTE] if may_be_omitted else []
    note = UNIT_NOTE + "；按入池本金余额从大到小排列，占比为占资产池总额比例"
    return _sheet("top_obligors", note, [block], notes)


# --- 4. 入池资产明细 ------------------------------------------------------------------------

ASSET_COLUMNS = (
    _col("rank", "序号", INTEGER),
    _col("asset_id", "资产编号"),
    _col("obligor", "债务人"),
    _col("originator", "原始权益人/债权人"),
    _col("asset_type", "资产类型"),
    _col("data_link", "数据资产关联"),
    _col("amount", "入池金额", MONEY),
    _col("share", "占比", PERCENT),
    _col("start_date", "起始日", DATE),
    _col("maturity_date", "到期日", DATE),
    _col("remaining_years", "剩余期限", NUMBER, unit="年", decimals=2),
    _col("rate", "利率", PERCENT),
    _col("payment_frequency", "还款频率"),
    _col("region", "地区"),
    _col("industry", "行业"),
    _col("related_party", "是否关联交易"),
    _col("obligor_rating", "债务人资信评级"),
    _col("guarantor", "增信机构"),
    _col("registration_id", "数据资产登记证书编号"),
    _col("registry", "登记机构"),
    _col("valuation_method", "评估方法"),
    _col("appraised_value", "评估价值", MONEY),
    _col("pledge_registration", "质押登记信息"),
)


def asset_list_sheet(pool: Pool, *, as_of: dt.date) -> FilingTable:
    """4. 入池资产明细: one row per asset in tape order, with totals.

    Parameters
    ----------
    pool : Pool
        The pool.
    as_of : datetime.date
        Date the remaining term (years, ACT/365F, 0 when matured) is measured from.
    """
    total_fen = sum(a.amount_fen for a in pool.assets)
    rows = []
    for i, a in enumerate(pool.assets, start=1):
        rows.append(
            (
                i,
                a.asset_id,
                a.obligor,
                a.originator,
                a.asset_type.zh,
                a.data_link.zh,
                a.amount_fen / 100,
                _share(a.amount_fen, total_fen),
                a.start_date,
                a.maturity_date,
                max((a.maturity_date - as_of).days, 0) / 365.0,
                a.rate,
                None if a.payment_frequency is None else a.payment_frequency.zh,
                a.region,
                a.industry,
                YES if a.related_party else NO,
                a.obligor_rating,
                a.guarantor,
                a.registration_id,
                a.registry,
                a.valuation_method,
                a.appraised_value,
                a.pledge_registration,
            )
        )
    block = TableBlock(
        key="assets", title=None, columns=ASSET_COLUMNS, rows=tuple(rows)
    ).with_sum_totals(["amount", "share", "appraised_value"])
    note = f"{UNIT_NOTE}；剩余期限自 {as_of.isoformat()} 起算（实际/365）"
    return _sheet("asset_list", note, [block])


# --- 5. 现金流归集表 ------------------------------------------------------------------------

#: 现金流归集表 columns in display order: (key, input label, kind, summed in totals).
POOL_CASHFLOW_SPEC: tuple[tuple[str, str, ColumnKind, bool], ...] = (
    ("collection_date", "归集日", DATE, False),
    ("payment_date", "兑付日", DATE, False),
    ("opening_balance", "期初本金余额", MONEY, False),
    ("scheduled_principal", "本期应收本金", MONEY, True),
    ("scheduled_income", "本期应收利息", MONEY, True),
    ("closing_balance", "期末本金余额", MONEY, False),
    ("defaults", "违约金额", MONEY, True),
    ("recoveries", "回收金额", MONEY, True),
    ("prepayments", "早偿金额", MONEY, True),
    ("collections", "回收款合计", MONEY, True),
    ("tax_due", "应缴税费", MONEY, True),
    ("tax_paid", "实缴税费", MONEY, True),
    ("purchases", "本期循环购买支出", MONEY, True),
    ("revolving", "是否循环期", TEXT, False),
)


def pool_cashflow_sheet(frame: pd.DataFrame, *, basis_note: str = "基准情景") -> FilingTable:
    """5. 现金流归集表: pool collections per period, with totals of the flow columns.

    ``frame`` has one row per period and a subset of the :data:`POOL_CASHFLOW_SPEC` labels
    (归集日 required); the sheet shows the present ones in that order after a 期数 column.

    Raises
    ------
    ExportError
        If 归集日 is missing or the frame has a column this sheet does not know.
    """
    sheet = _SHEET["pool_cashflows"][0]
    known = {label for _, label, _, _ in POOL_CASHFLOW_SPEC}
    unknown = [str(c) for c in frame.columns if c not in known]
    if unknown or IN_COLLECTION_DATE not in frame.columns:
        raise ExportError(
            f"sheet {sheet!r}: input columns must include {IN_COLLECTION_DATE!r} and be among "
            f"{[label for _, label, _, _ in POOL_CASHFLOW_SPEC]}; unexpected: {unknown}"
        )
    cols = [Column("period", "期数", INTEGER)]
    sums = []
    for key, label, kind, summed in POOL_CASHFLOW_SPEC:
        if label in frame.columns:
            cols.append(Column(key, label, kind))
            if summed:
                sums.append(key)
    work = frame.reset_index(drop=True).assign(期数=range(1, len(frame) + 1))
    block = dataclasses.replace(
        frame_block(work, key="collections", title=None, columns=cols, sum_keys=sums, sheet=sheet),
        running=True,
    )
    note = f"{UNIT_NOTE}；{basis_note}"
    return _sheet("pool_cashflows", note, [block])


# --- 6. 证券兑付表 ------------------------------------------------------------------------

#: 证券兑付表 columns in display order: (key, input label, kind, summed in totals).
TRANCHE_PAYMENT_SPEC: tuple[tuple[str, str, ColumnKind, bool], ...] = (
    ("payment_date", "兑付日", DATE, False),
    ("opening_balance", "期初本金", MONEY, False),
    ("principal", "本金", MONEY, True),
    ("interest", "利息", MONEY, True),
    ("excess", "超额收益", MONEY, True),
    ("cashflow", "现金流", MONEY, True),
    ("closing_balance", "期末本金", MONEY, False),
    ("support", "补充支付", MONEY, True),
)


def tranche_payments_sheet(frame: pd.DataFrame, *, basis_note: str = "基准情景") -> FilingTable:
    """6. 证券兑付表: one block per tranche (in input order), one row per period, totals.

    Trailing periods after a tranche is fully repaid with no payment at all are left out (the
    schedule runs to the legal maturity); the totals are unaffected since those rows are zero.

    Parameters
    ----------
    frame : DataFrame
        Long table: :data:`IN_TRANCHE` plus labels of :data:`TRANCHE_PAYMENT_SPEC` (兑付日,
        期初本金, 本金, 利息, 现金流, 期末本金 required; 超额收益, 补充支付 optional).

    Raises
    ------
    ExportError
        On a missing required or an unknown column.
    """
    sheet = _SHEET["tranche_payments"][0]
    required = {"兑付日", "期初本金", "本金", "利息", "现金流", "期末本金", IN_TRANCHE}
    known = {label for _, label, _, _ in TRANCHE_PAYMENT_SPEC} | {IN_TRANCHE}
    missing = sorted(required - set(frame.columns))
    unknown = [str(c) for c in frame.columns if c not in known]
    if missing or unknown:
        raise ExportError(f"sheet {sheet!r}: input columns missing {missing}, unexpected {unknown}")
    cols = [Column("period", "期数", INTEGER)]
    sums = []
    for key, label, kind, summed in TRANCHE_PAYMENT_SPEC:
        if label in frame.columns:
            cols.append(Column(key, label, kind))
            if summed:
                sums.append(key)
    flows = [label for _, label, kind, summed in TRANCHE_PAYMENT_SPEC if summed and label in frame]
    blocks = []
    names = list(dict.fromkeys(frame[IN_TRANCHE].tolist()))
    for i, name in enumerate(names):
        part = frame[frame[IN_TRANCHE] == name].reset_index(drop=True)
        part = part.assign(期数=range(1, len(part) + 1))
        active = (part["期初本金"].abs() > 0.005) | (part[flows].abs() > 0.005).any(axis=1)
        last = int(np.flatnonzero(active.to_numpy())[-1]) + 1 if active.any() else 1
        part = part.iloc[:last]
        block = frame_block(
            part, key=f"tranche_{i + 1}", title=str(name), columns=cols, sum_keys=sums, sheet=sheet
        )
        present = {c.key for c in cols}
        parts = tuple(k for k in ("principal", "interest", "excess") if k in present)
        blocks.append(
            dataclasses.replace(
                block,
                running=True,
                derived=(("cashflow", parts),),
                balances=(("opening_balance", "principal", "closing_balance"),),
            )
        )
    if not blocks:
        raise ExportError(f"sheet {sheet!r}: input has no rows")
    note = f"{UNIT_NOTE}；{basis_note}；现金流 = 本金 + 利息 + 超额收益"
    return _sheet("tranche_payments", note, blocks)


# --- 7. 现金流覆盖倍数 ----------------------------------------------------------------------

COVERAGE_SUMMARY_COLUMNS = (
    _col("scenario", "情景"),
    _col("min_coverage_interest", "最低覆盖倍数（仅利息）", RATIO),
    _col("life_coverage_interest", "全周期覆盖倍数（仅利息）", RATIO),
    _col("min_coverage", "最低覆盖倍数（含本金）", RATIO),
    _col("life_coverage", "全周期覆盖倍数（含本金）", RATIO),
)


def _scenario_block(
    frame: pd.DataFrame, *, key: str, title: str, scenarios: Sequence[str], sheet: str
) -> TableBlock:
    cols = [Column("period", "期数", INTEGER), Column("payment_date", "兑付日", DATE)]
    cols += [Column(f"s{i}", name, RATIO) for i, name in enumerate(scenarios)]
    values = frame[list(scenarios)].to_numpy(dtype=float)
    keep = np.isfinite(values).any(axis=1)
    work = frame.reset_index(drop=True).assign(期数=range(1, len(frame) + 1))[keep]
    sources = {f"s{i}": name for i, name in enumerate(scenarios)}
    return frame_block(work, key=key, title=title, columns=cols, sources=sources, sheet=sheet)


def coverage_sheet(
    *,
    coverage: pd.DataFrame,
    coverage_principal: pd.DataFrame | None,
    summary: pd.DataFrame,
    scenarios: Sequence[str],
) -> FilingTable:
    """7. 现金流覆盖倍数: per period for the base case and each stress scenario, and a summary.

    Parameters
    ----------
    coverage : DataFrame
        One row per period: :data:`IN_PAYMENT_DATE` and one column per scenario name holding
        可分配现金流 / (应付税金 + 费用 + 优先级预期收益) [S: SSE 挂牌指引1号 4.2, 5.2.1];
        NaN or ±inf where nothing was owed.
    coverage_principal : DataFrame or None
        The same including scheduled senior principal due [I].
    summary : DataFrame
        One row per scenario: :data:`IN_SCENARIO` and the labels of
        :data:`COVERAGE_SUMMARY_COLUMNS` (the 含本金 pair optional).
    scenarios : sequence of str
        Scenario names in display order (base case first).

    Raises
    ------
    ExportError
        If a scenario column or the payment date is missing.
    """
    sheet = _SHEET["coverage"][0]
    for name, fr in (("coverage", coverage), ("coverage_principal", coverage_principal)):
        if fr is None:
            continue
        missing = [c for c in (IN_PAYMENT_DATE, *scenarios) if c not in fr.columns]
        if missing:
            raise ExportError(f"sheet {sheet!r}, table {name!r}: input has no column(s) {missing}")
    blocks = [
        frame_block(
            summary,
            key="summary",
            title="覆盖倍数汇总（最低值与全周期值）",
            columns=[c for c in COVERAGE_SUMMARY_COLUMNS if c.label in summary.columns],
            sheet=sheet,
            notes=(
                "全周期覆盖倍数（仅利息）= 各期可分配现金流之和 / "
                "各期应付税费、费用及优先级利息之和；（含本金）另加优先级应付本金",
            ),
        ),
        _scenario_block(
            coverage,
            key="per_period",
            title="各期现金流覆盖倍数：可分配现金流 /（税费 + 费用 + 优先级利息）",
            scenarios=scenarios,
            sheet=sheet,
        ),
    ]
    if coverage_principal is not None:
        blocks.append(
            _scenario_block(
                coverage_principal,
                key="per_period_principal",
                title=(
                    "各期覆盖倍数（含优先级应付本金）：可分配现金流 /"
                    "（税费 + 费用 + 优先级利息 + 应付本金）"
                ),
                scenarios=scenarios,
                sheet=sheet,
            )
        )
    note = "倍数以“倍”列示；" + NO_OBLIGATION_NOTE
    return _sheet(
        "coverage",
        note,
        blocks,
        notes=("评级实践：AAA 优先级基准情景通常不低于1.2–1.3倍，最严重压力情景不低于1.0倍",),
    )


# --- 8. 压力测试 ------------------------------------------------------------------------


def stress_sheet(blocks: Sequence[TableBlock], *, note: str) -> FilingTable:
    """8. 压力测试: the stress grid and the break-even table (and Monte Carlo, when run).

    The grid and break-even tables depend on the scenario set and the deal's tranches, so the
    caller builds the blocks (e.g. with :func:`frame_block`) and this function assembles them.
    """
    if not blocks:
        raise ExportError("sheet '压力测试': needs at least the stress grid table")
    return _sheet("stress_tests", note, blocks)


# --- 9. 模型说明 ------------------------------------------------------------------------

RUN_COLUMNS = (_col("item", "项目"), _col("value", "内容"))
ASSUMPTION_COLUMNS = (_col("parameter", "参数"), _col("value", "取值"), _col("meaning", "说明"))
SCENARIO_DEF_COLUMNS = (
    _col("scenario", "情景"),
    _col("factor", "压力因子"),
    _col("value", "取值"),
    _col("source", "依据"),
)


def model_notes_sheet(
    *,
    run_facts: Sequence[tuple[str, str]],
    assumptions: Sequence[tuple[str, str, str]],
    scenario_definitions: Sequence[tuple[str, str, str, str]],
    notes: Sequence[str] = (),
) -> FilingTable:
    """9. 模型说明: run facts (version, hashes, timestamp, seed), assumptions, scenarios.

    Everything is text: the values are shown as an auditor reads them (e.g. ``8.00%``).
    """
    blocks = [
        TableBlock(key="run", title="运行信息", columns=RUN_COLUMNS, rows=tuple(run_facts)),
        TableBlock(
            key="assumptions",
            title="现金流预测假设",
            columns=ASSUMPTION_COLUMNS,
            rows=tuple(assumptions),
        ),
    ]
    if scenario_definitions:
        blocks.append(
            TableBlock(
                key="scenarios",
                title="压力情景定义",
                columns=SCENARIO_DEF_COLUMNS,
                rows=tuple(scenario_definitions),
            )
        )
    return _sheet(
        "model_notes",
        "复现本表格所需的软件版本、输入文件指纹（SHA-256）、运行时间、随机种子与全部假设",
        blocks,
        notes,
    )
