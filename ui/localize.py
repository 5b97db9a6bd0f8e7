"""One language per session for what the engine builds: table headers, cell labels, charts.

The engine's tables carry Chinese headers (``期初本金``), bilingual headers (``情景 scenario``,
``短缺金额(元) shortfall``), factor labels (``违约率倍数 (pd_multiplier)``), enum labels
(``数据授权 (data_license)``) and scenario names (``基准``, ``轻度`` ...). The engine, the CLI and
the workbook keep them; the dashboard shows each in the session language through this module,
so a page never has to rename a column itself. The English names live in one table here
(:data:`COLUMNS_EN`), next to the dashboard's own labels in :mod:`ui.i18n`.

Names the structurer gave (deal, originator, tranches, custom scenarios) and tape values
(obligors, provinces, industries) are data, shown as given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import pandas as pd

#: Chinese engine header → English (headers that are bilingual already split by themselves).
COLUMNS_EN: dict[str, str] = {
    # waterfall tables
    "档位": "Tranche",
    "级别": "Class",
    "期初本金": "Opening principal",
    "本金": "Principal",
    "利息": "Interest",
    "超额收益": "Residual",
    "现金流": "Cash flow",
    "期末本金": "Closing principal",
    "补充支付": "Support paid",
    "应缴税费": "Tax due",
    "实缴税费": "Tax paid",
    "本期循环购买支出": "Revolving purchases",
    "是否循环期": "Revolving period",
    "发行规模": "Issue size",
    "利息合计": "Total interest",
    "本金合计": "Total principal",
    "期间收益合计": "Total period yield",
    "超额收益合计": "Total residual",
    "未付合计": "Total unpaid",
    "本金损失": "Principal loss",
    "补充支付合计": "Total support",
    "加权平均期限(年)": "WAL (years)",
    "首次还本日": "First principal date",
    "末次还本日": "Last principal date",
    "预期到期日": "Expected maturity",
    "实际到期日": "Actual maturity",
    "收益率": "Yield",
    "内部收益率": "IRR",
    "最低覆盖倍数（含本金）": "Min coverage incl. principal",
    # revolving
    "可用于循环购买资金": "Available for purchases",
    "循环购买金额": "Purchases",
    "其中数据资产": "Of which data assets",
    "循环购买率": "Purchase rate",
    "闲置资金": "Idle cash",
    "闲置资金利息": "Interest on idle cash",
    "负利差": "Negative carry",
    "资产池余额": "Pool balance",
    "数据资产余额": "Data-asset balance",
    "数据资产占比": "Data-asset share",
    "产品类型": "Deal kind",
    "是否维持发行类型": "Kind kept",
    "供给期数": "Offered in period",
    "购买日余额": "Balance at purchase",
    "是否合格": "Eligible",
    "不合格原因": "Reason ineligible",
    "是否数据资产关联": "Data-linked",
    # calendar and projection
    "期数": "Period",
    "名义兑付日": "Unadjusted payment date",
    "兑付日": "Payment date",
    "计算日/归集日": "Collection date",
    "归集日": "Collection date",
    "归集期起始日(不含)": "Collection period start (excl.)",
    "计息起始日": "Accrual start",
    "计息天数": "Accrual days",
    "计息年化因子": "Year fraction",
    "资产编号": "Asset ID",
    "债务人": "Obligor",
    "资产类型": "Asset type",
    "现金流模型": "Cash-flow model",
    "入池金额": "Pool amount",
    "期初余额": "Opening balance",
    "期末余额": "Closing balance",
    "期初本金余额": "Opening principal balance",
    "期末本金余额": "Closing principal balance",
    "本期应收收入": "Income due",
    "本期应收利息": "Interest due",
    "本期应收本金": "Principal due",
    "违约金额": "Defaults",
    "回收金额": "Recoveries",
    "早偿金额": "Prepayments",
    "减记金额": "Write-downs",
    "回收款合计": "Total collections",
    "合同现金流合计": "Contractual cash flow",
    "合同现金流现值": "PV of contractual cash flow",
    "预期现金流合计": "Expected cash flow",
    "法定到期后现金流": "Cash flow after legal maturity",
    "评估价值": "Appraised value",
    "评估方法": "Appraisal method",
    "收益法价值": "Income-approach value",
    "差异": "Difference",
    "差异率": "Difference (%)",
    # stratification
    "分类": "Category",
    "笔数": "Count",
    "笔数占比": "Count share",
    "金额(元)": "Amount (CNY)",
    "金额占比": "Amount share",
    "项目": "Item",
    "金额": "Amount",
    "数值": "Value",
    "单位": "Unit",
    "入池本金余额(万元)": "Pool principal (CNY 10k)",
    # bilingual engine headers whose English half needs its unit
    "短缺金额(元) shortfall": "Shortfall (CNY)",
    "短缺金额(万元) shortfall": "Shortfall (CNY 10k)",
    "加权平均期限(年) WAL": "WAL (years)",
    "平均WAL(年) mean WAL": "Mean WAL (years)",
}

#: English-only engine headers → Chinese.
COLUMNS_ZH: dict[str, str] = {
    "加权平均期限(年) WAL": "加权平均期限(年)",
    "WAL P5": "加权平均期限(年) P5",
    "WAL P50": "加权平均期限(年) P50",
    "WAL P95": "加权平均期限(年) P95",
}

#: The projection's cash-flow models (``abs.projection.inputs.MODEL_ZH``) → (中文, English).
MODELS: dict[str, tuple[str, str]] = {
    "固定许可费": ("固定许可费", "Fixed licence fee"),
    "按量计费": ("按量计费", "Usage-based"),
    "订阅+按量": ("订阅+按量", "Subscription + usage"),
    "收益分成": ("收益分成", "Revenue share"),
    "入池金额均摊": ("入池金额均摊", "Pool amount spread evenly"),
    "本息摊还": ("本息摊还", "Amortising"),
}

#: Unit suffixes kept when a header is translated: Chinese form → English form.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("(万元)", "(CNY 10k)"),
    ("（万元）", "(CNY 10k)"),
    ("(元)", "(CNY)"),
    ("(%)", "(%)"),
    ("（%）", "(%)"),
    ("(年)", "(years)"),
)
_EN_SUFFIXES = {en: zh for zh, en in _SUFFIXES}

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: ``中文 (code)`` / ``中文 (code) [unit]`` labels of enums and stress factors.
_CODED = re.compile(r"^(?P<zh>[^()\[\]]+?) \((?P<code>[a-z0-9_]+)\)(?: \[(?P<unit>.*)\])?$")


_LOWER_WORD = re.compile(r"[a-z]{2,}")


def _split(text: str) -> tuple[str, str] | None:
    """``中文 english`` → (中文, english): the English half is the longest tail without CJK
    that starts with a lower-case word (``最低覆盖倍数 P5 min coverage P5``), else the longest
    such tail holding one (``发生短缺概率 P(shortfall)``); ``None`` when there is none.
    """
    tokens = text.split(" ")
    tails = [
        i
        for i in range(1, len(tokens))
        if has_cjk(" ".join(tokens[:i])) and not has_cjk(" ".join(tokens[i:]))
    ]
    for pick in (
        [i for i in tails if tokens[i][:1].islower()],
        [i for i in tails if _LOWER_WORD.search(" ".join(tokens[i:]))],
    ):
        if pick:
            i = pick[0]
            return " ".join(tokens[:i]), " ".join(tokens[i:])
    return None


def has_cjk(text: str) -> bool:
    """True when ``text`` holds a CJK character (or full-width punctuation)."""
    return bool(_CJK.search(text))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@cache
def _factor_names() -> dict[str, tuple[str, str]]:
    from scenarios.factors import FACTOR_BY_ID

    return {fid: (f.zh, _cap(f.en)) for fid, f in FACTOR_BY_ID.items()}


@cache
def _enum_labels() -> dict[str, tuple[str, str]]:
    """Every enum member's Chinese label (and ``中文 (code)`` form) → (中文, English)."""
    from abs import enums

    out: dict[str, tuple[str, str]] = {}
    for obj in vars(enums).values():
        if not isinstance(obj, type) or not issubclass(obj, enums.LabelledEnum):
            continue
        if obj is not enums.LabelledEnum:
            labels = getattr(obj, "_labels", None)
            if not isinstance(labels, Mapping):
                continue
            for member in obj:
                pair = (member.zh, _cap(member.value.replace("_", " ")))
                out[f"{member.zh} ({member.value})"] = pair
                out.setdefault(member.zh, pair)
    return out


@cache
def _scenario_names() -> dict[str, tuple[str, str]]:
    """Built-in scenario names (基准, 轻度 ...) → (中文, English)."""
    from scenarios.sets import builtin_sets

    out: dict[str, tuple[str, str]] = {}
    for scenario_set in builtin_sets().values():
        for sc in scenario_set.scenarios:
            if sc.en:
                out[sc.name] = (sc.name, _cap(sc.en))
    return out


@cache
def _tape_headers() -> dict[str, str]:
    """The tape's Chinese headers → English (from the asset field names)."""
    from abs.tape import ZH_HEADERS

    return {zh: _cap(field.replace("_", " ")) for field, zh in ZH_HEADERS.items()}


#: Factor units (bilingual in the catalogue) → (中文, English).
def unit_label(unit: str, lang: str) -> str:
    """One language of a factor unit such as ``periods 期`` or ``fraction 比例 (0.2 = −20%)``."""
    m = re.match(r"^(?P<en>[^\u3400-\u9fff]*?) (?P<zh>[\u3400-\u9fff/]+)(?P<rest>.*)$", unit)
    if m is None:
        return unit
    rest = m.group("rest")
    if lang == "en":
        return m.group("en") + (rest if not has_cjk(rest) else "")
    if has_cjk(rest) or not rest:
        return m.group("zh") + rest
    # "× 倍 (1 = base)": the example is English; keep the Chinese unit only
    return m.group("zh")


def column_label(name: object, lang: str) -> str:
    """A table header in ``lang`` (the header itself when it holds no other language)."""
    text = str(name)
    if lang == "zh":
        return _zh(text)
    if text in COLUMNS_EN:
        return COLUMNS_EN[text]
    if not has_cjk(text):
        return text
    return _en(text)


def _zh(text: str) -> str:
    if text in COLUMNS_ZH:
        return COLUMNS_ZH[text]
    for en, zh in _EN_SUFFIXES.items():
        if text.endswith(" " + en):
            return text[: -len(en) - 1] + zh
    coded = _CODED.match(text)
    if coded is not None:
        unit = coded.group("unit")
        return coded.group("zh") + (f"（{unit_label(unit, 'zh')}）" if unit else "")
    halves = _split(text)
    return text if halves is None else halves[0]


def _en(text: str) -> str:
    for zh, en in _SUFFIXES:
        if text.endswith(zh) and text != zh:
            base = text[: -len(zh)].rstrip()
            return f"{column_label(base, 'en')} {en}"
    for en in _EN_SUFFIXES:
        if text.endswith(" " + en):
            base = text[: -len(en) - 1]
            return f"{column_label(base, 'en')} {en}"
    percentile = re.match(r"^(?P<base>.+) (?P<p>P\d+)$", text)
    if percentile is not None and has_cjk(percentile.group("base")):
        return f"{column_label(percentile.group('base'), 'en')} {percentile.group('p')}"
    coded = _CODED.match(text)
    if coded is not None:
        code, unit = coded.group("code"), coded.group("unit")
        name = _factor_names().get(code, (None, _cap(code.replace("_", " "))))[1]
        return name + (f" ({unit_label(unit, 'en')})" if unit else "")
    halves = _split(text)
    if halves is not None:
        return _cap(halves[1])
    if text in _tape_headers():
        return _tape_headers()[text]
    value = value_label(text, "en")
    return value if isinstance(value, str) else text


#: Stratification buckets such as ``(3,5]年``.
_YEAR_BUCKET = re.compile(r"^(?P<range>[(\[][^()\[\]]*[)\]])年$")


def enum_label(member: Any, lang: str) -> str:
    """An enum member (``LabelledEnum``) as the structurer reads it: its Chinese label, or its
    code in words in English (``pass_through`` → ``pass through``)."""
    return str(member.zh) if lang == "zh" else str(member.value).replace("_", " ")


def scenario_label(value: Any, lang: str) -> Any:
    """A built-in scenario's name (基准, 轻度 ...) in ``lang``; anything else unchanged."""
    pair = _scenario_names().get(value) if isinstance(value, str) else None
    return value if pair is None else pair[0 if lang == "zh" else 1]


def value_label(value: Any, lang: str) -> Any:
    """A label cell in ``lang``: enum labels, scenario names; anything else unchanged."""
    if not isinstance(value, str):
        return value
    bucket = _YEAR_BUCKET.match(value)
    if bucket is not None:
        return value if lang == "zh" else f"{bucket.group('range')} years"
    pair = _enum_labels().get(value) or _scenario_names().get(value) or MODELS.get(value)
    if pair is None:
        coded = _CODED.match(value)
        if coded is not None and coded.group("code") in _factor_names():
            pair = _factor_names()[coded.group("code")]
    if pair is None:
        return value
    return pair[0] if lang == "zh" else pair[1]


#: Columns whose cells are labels (enum labels, scenario names), not names the user gave: a
#: tranche may well be called 次级, so only these columns are translated cell by cell.
LABEL_COLUMNS = frozenset(
    {"级别", "情景 scenario", "情景", "资产类型", "分类", "产品类型", "现金流模型", "评估方法"}
    | {"因子 factor", "数据资产关联", "类别"}
)


def _is_text(values: pd.Series | pd.Index) -> bool:
    dtype = values.dtype
    return not (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
    )


def frame(table: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """``table`` with headers, index and label cells in ``lang``; also the header renames."""
    renames = {str(c): column_label(c, lang) for c in table.columns}
    counts: dict[str, int] = {}
    for new in renames.values():
        counts[new] = counts.get(new, 0) + 1
    # two headers that read the same in one language keep their engine names
    renames = {old: (new if counts[new] == 1 else old) for old, new in renames.items()}
    out = table.copy()
    out.columns = [renames[str(c)] for c in table.columns]
    for i, name in enumerate(table.columns):
        column = out.iloc[:, i]
        if str(name) in LABEL_COLUMNS and _is_text(column):
            out.isetitem(i, [value_label(v, lang) for v in column.tolist()])
    if out.index.name is not None:
        out.index = out.index.rename(column_label(out.index.name, lang))
    if str(table.index.name) in LABEL_COLUMNS and _is_text(out.index):
        out.index = out.index.astype(object).map(lambda v: value_label(v, lang))
    return out, renames
