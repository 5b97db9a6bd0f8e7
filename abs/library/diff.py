"""Compare two deal versions field by field, in Chinese with the English path beside.

Money fields are shown in 万元, rates as percentages; named items (tranches, fees, triggers)
are matched by name, waterfall steps by position; the pool is compared asset by asset (ids
added, removed, changed) with its totals in 万元. Key measures are compared by
:func:`measure_changes` from two runs' measure tables.

Examples
--------
>>> from abs.io import load_deal
>>> a = load_deal("qingdao-pure", with_pool=False)
>>> t = a.tranches[0].model_copy(update={"balance": 210_000_000.0})
>>> b = a.model_copy(update={"tranches": (t, *a.tranches[1:])})
>>> d = diff_deals(a, b)
>>> c = d.changes[0]
>>> (c.path, c.label_zh)
('tranches[优先A1].balance', '档位 优先A1 发行规模')
>>> (c.old_text, c.new_text, c.delta_text)
('20,000.00 万元', '21,000.00 万元', '+1,000.00 万元')
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from abs.asset import Pool
from abs.deal import Deal

#: Field name → Chinese label (the deal file's vocabulary, docs/deal-format.md).
FIELD_ZH: dict[str, str] = {
    "schema_version": "格式版本",
    "name": "名称",
    "name_en": "英文名称",
    "description": "说明",
    "originator": "原始权益人",
    "manager": "计划管理人",
    "exchange": "交易场所",
    "data_enablement": "数据赋能",
    "declared": "已声明",
    "uses": "用途",
    "tape": "资产清单文件",
    "dates": "日期",
    "cutoff_date": "初始起算日",
    "closing_date": "设立日",
    "first_payment_date": "首个兑付日",
    "frequency": "兑付频率",
    "payment_lag_days": "兑付日滞后(工作日)",
    "expected_maturity_date": "预期到期日",
    "legal_maturity_date": "法定到期日",
    "calendar": "日历",
    "convention": "营业日准则",
    "day_count": "计息基准",
    "extra_holidays": "额外节假日",
    "tranches": "档位",
    "tranche_class": "档位类别",
    "balance": "发行规模",
    "coupon": "票面",
    "coupon_type": "利率类型",
    "rate": "费率",
    "spread": "利差",
    "floor": "利率下限",
    "principal_type": "还本方式",
    "target_balances": "目标余额",
    "period_yield": "期间收益率",
    "rating": "评级",
    "fees": "费用",
    "fee_type": "费用类型",
    "surcharge": "附加税费比例",
    "base": "计费基数",
    "amount": "固定金额",
    "pay_share": "支付比例",
    "cap": "上限",
    "reserve": "储备金",
    "initial_balance": "初始余额",
    "target_amount": "目标金额",
    "target_percent": "目标比例",
    "target_rule": "目标规则",
    "covers": "覆盖范围",
    "support": "增信",
    "shortfall_commitment": "差额支付承诺",
    "guarantee": "保证担保",
    "provider": "提供方",
    "cap_per_period": "每期上限",
    "cap_total": "总上限",
    "default_probability": "违约概率",
    "reimbursed": "返还垫付",
    "triggers": "触发事件",
    "condition": "条件",
    "threshold": "阈值",
    "date": "日期",
    "event": "事件",
    "cure": "可恢复",
    "waterfall": "分配顺序",
    "normal": "正常",
    "accelerated": "加速清偿",
    "assumptions": "预测假设",
    "mode": "口径",
    "pd_by_type": "违约率(按类型)",
    "recovery_by_type": "回收率(按类型)",
    "recovery_lag": "回收滞后(期)",
    "collection_delay": "回款延迟(期)",
    "renewal_probability": "续约概率",
    "renewal_fee_change": "续约费率变化",
    "asset_correlation": "资产相关性",
    "usage_volatility": "用量波动率",
    "usage_default_correlation": "用量与违约相关性",
    "discount_rate": "折现率",
    "data_attribution": "数据贡献率",
    "reference_rate": "参考利率",
    "stress": "压力",
    "revenue_haircut": "收入下降",
    "volume_shock": "调用量冲击",
    "price_decline_change": "单价年降幅增加",
    "pd_multiplier": "违约率倍数",
    "recovery_haircut": "回收率下降",
    "renewal_change_pp": "续约概率变化(pp)",
    "rate_shift_bp": "利率平移(bp)",
    "originator_default": "差额支付承诺人违约",
    "guarantor_default": "担保人违约",
    "tranches.order": "档位顺序",
    "fees.order": "费用顺序",
    "triggers.order": "触发事件顺序",
    "stress_scenarios.order": "自定义情景顺序",
    "stress_scenarios": "自定义压力情景",
    "conventions": "计算惯例",
    "rounding": "舍入规则",
    "leftover": "尾差归属",
    "interest_on_unpaid_interest": "欠付利息计息",
    "pay_date_adjustment": "兑付日调整",
    "amortisation": "摊还期",
    "revolving": "循环购买",
    "end_date": "循环期结束日",
    "periods": "期数",
    "purchase_price": "购买价格",
    "account_rate": "账户利率",
    "keep_kind_band": "维持产品类型",
    "issued_kind": "发行类型",
    "eligibility": "合格标准",
    "max_obligor_share": "单一债务人占比上限",
    "min_remaining_months": "剩余期限下限(月)",
    "max_term_months": "合同期限上限(月)",
    "allowed_kinds": "允许的资产类型",
    "data_linked_only": "只购买数据资产关联资产",
    "industries": "允许的行业",
    "regions": "允许的地区",
    "replenishment": "候选资产",
    "generator": "资产生成器",
    "seed": "随机种子",
    "amount_per_period": "每期可购买金额",
    "asset_amount": "单笔资产金额",
    "kind_mix": "资产类型权重",
    "data_link_share": "数据资产关联占比",
    "term_months": "资产期限(月)",
    "pd": "年违约概率",
    "recovery_rate": "回收率",
    "region": "地区",
    "industry": "行业",
    "pool": "资产池",
    "assets": "资产",
    "source": "来源",
    "step": "步骤",
    "providers": "增信提供方",
    "tranche": "档位",
    "turbo": "加速偿还",
    "wait_for_seniors": "待优先级偿清",
    "excess_spread": "含超额利差",
    "target_oc": "超额抵押目标",
    "payment_rate_change": "资产池月回款率变化",
    "revolving_yield_haircut": "资产池收益率下降",
    "revolving_rate_haircut": "循环购买率下降",
    "data_supply_haircut": "数据资产关联资产供给下降",
}
#: Two-segment labels that read better than their parts.
PAIR_ZH: dict[tuple[str, str], str] = {
    ("coupon", "rate"): "票面利率",
    ("coupon", "spread"): "票面利差",
    ("coupon", "cap"): "票面利率上限",
    ("coupon", "floor"): "票面利率下限",
    ("coupon", "coupon_type"): "票面利率类型",
}
#: Fields holding money in yuan (shown in 万元), unless under ``coupon``.
MONEY_FIELDS = frozenset(
    {
        "balance",
        "amount",
        "cap",
        "initial_balance",
        "target_amount",
        "cap_per_period",
        "cap_total",
        "target_balances",
    }
)
#: Fields holding fractions (shown as percentages).
PERCENT_FIELDS = frozenset(
    {
        "rate",
        "spread",
        "floor",
        "surcharge",
        "pay_share",
        "target_percent",
        "period_yield",
        "default_probability",
        "threshold",
        "renewal_probability",
        "renewal_fee_change",
        "asset_correlation",
        "usage_volatility",
        "discount_rate",
        "data_attribution",
        "reference_rate",
        "revenue_haircut",
        "volume_shock",
        "price_decline_change",
        "recovery_haircut",
        "pd_by_type",
        "recovery_by_type",
    }
)
#: English labels where the field name alone reads poorly (others: the name in words).
FIELD_EN: dict[str, str] = {
    "tranches": "tranche",
    "fees": "fee",
    "triggers": "trigger",
    "normal": "normal list",
    "accelerated": "accelerated list",
    "amortisation": "amortisation list",
    "tape": "tape file",
    "cure": "cure",
    "pd_by_type": "PD by asset type",
    "recovery_by_type": "recovery by asset type",
    "renewal_change_pp": "renewal probability change (pp)",
    "rate_shift_bp": "rate shift (bp)",
    "payment_lag_days": "payment lag (business days)",
    "extra_holidays": "extra holidays",
}
#: Waterfall step kinds → (中文, English), as the dashboard's order editor names them.
STEP_LABELS: dict[str, tuple[str, str]] = {
    "pay_fees": ("支付税费", "Pay taxes/fees"),
    "pay_interest": ("支付利息", "Pay interest"),
    "pay_principal": ("偿还本金", "Pay principal"),
    "fund_reserve": ("补足储备金", "Fund the reserve"),
    "pay_sub_yield": ("支付次级期间收益", "Pay subordinated period yield"),
    "pay_residual": ("剩余资金归次级", "Residual to subordinated"),
    "reimburse_support": ("返还增信垫款", "Reimburse support draws"),
    "revolve": ("循环购买", "Revolve (buy new assets)"),
    "turbo_oc": ("超额抵押加速偿还", "Turbo to the OC target"),
}
#: Change kinds → (中文, English); :attr:`FieldChange.change` keeps the bilingual form.
CHANGE_LABELS: dict[str, tuple[str, str]] = {
    "added": ("新增", "added"),
    "removed": ("删除", "removed"),
    "changed": ("修改", "changed"),
}
#: Column codes of :meth:`StructureDiff.table` (the page names them in its language).
CHANGE_COLUMNS = ("field", "change", "old", "new", "delta")


def _enum_for(name: str) -> Any:
    """The enum of a field holding option codes (``principal_type`` → PrincipalType)."""
    from abs import enums

    table = {
        "tranche_class": enums.TrancheClass,
        "coupon_type": enums.CouponType,
        "principal_type": enums.PrincipalType,
        "fee_type": enums.FeeType,
        "base": enums.FeeBase,
        "condition": enums.TriggerCondition,
        "event": enums.EventType,
        "frequency": enums.Frequency,
        "target_rule": enums.ReserveTargetRule,
        "covers": enums.SupportCover,
        "providers": enums.SupportProvider,
        "calendar": enums.CalendarName,
        "convention": enums.BusinessDayConvention,
        "day_count": enums.DayCount,
        "mode": enums.ProjectionMode,
        "rounding": enums.Rounding,
        "leftover": enums.LeftoverRule,
        "pay_date_adjustment": enums.PayDateAdjustment,
    }
    return table.get(name)


#: Measures compared by :func:`measure_changes`: key → (中文, English, unit).
KEY_MEASURES: dict[str, tuple[str, str, str]] = {
    "wal_years": ("加权平均期限", "WAL", "年"),
    "yield": ("收益率", "yield", "%"),
    "loss": ("本金损失率", "loss", "%"),
    "min_coverage": ("最低覆盖倍数（含本金）", "min coverage incl. principal", "×"),
    "min_coverage_interest": ("最低覆盖倍数（仅利息）", "min coverage, interest only", "×"),
    "breakeven": ("临界值", "break-even", ""),
}


@dataclass(frozen=True)
class FieldChange:
    """One changed field: where, what it is called, old and new value as shown."""

    path: str
    label_zh: str
    change: str
    old: Any
    new: Any
    old_text: str
    new_text: str
    delta_text: str
    parts: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """``added``, ``removed`` or ``changed`` (a code; :data:`CHANGE_LABELS` words it)."""
        if self.old is None:
            return "added"
        return "removed" if self.new is None else "changed"

    def label(self, lang: str) -> str:
        """The field in ``lang`` (``档位 优先A1 发行规模`` / ``tranche 优先A1 · balance``)."""
        return field_label(self.parts, lang)

    def texts(self, lang: str) -> tuple[str, str, str]:
        """Old value, new value and the change, as shown in ``lang``."""
        return (
            _format(self.old, self.parts, lang),
            _format(self.new, self.parts, lang),
            _delta(self.old, self.new, self.parts, lang),
        )


@dataclass(frozen=True)
class PoolChange:
    """How the pool changed: assets added, removed or changed, and the totals."""

    old_count: int | None
    new_count: int | None
    old_amount_fen: int | None
    new_amount_fen: int | None
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def unchanged(self) -> bool:
        """True when the pools hold the same assets with the same terms."""
        return (
            not self.added
            and not self.removed
            and not self.changed
            and self.old_count == self.new_count
        )


@dataclass(frozen=True)
class StructureDiff:
    """Field-by-field changes between two deals, and the pool comparison."""

    a: str
    b: str
    changes: tuple[FieldChange, ...]
    pool: PoolChange

    @property
    def unchanged(self) -> bool:
        """True when nothing differs."""
        return not self.changes and self.pool.unchanged

    def table(self, lang: str) -> pd.DataFrame:
        """One row per changed field in ``lang``, columns :data:`CHANGE_COLUMNS` (codes: a
        surface names them in its own language; ``old`` is side A, ``new`` side B)."""
        rows = []
        for c in self.changes:
            old, new, delta = c.texts(lang)
            zh, en = CHANGE_LABELS[c.kind]
            rows.append(
                {
                    "field": c.label(lang),
                    "change": zh if lang == "zh" else en,
                    "old": old,
                    "new": new,
                    "delta": delta,
                }
            )
        return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))

    def to_frame(self) -> pd.DataFrame:
        """One row per changed field (中文 label, path, old, new, change)."""
        return pd.DataFrame(
            [
                {
                    "字段": c.label_zh,
                    "field": c.path,
                    "change": c.change,
                    self.a: c.old_text,
                    self.b: c.new_text,
                    "变化 delta": c.delta_text,
                }
                for c in self.changes
            ],
            columns=["字段", "field", "change", self.a, self.b, "变化 delta"],
        )


def _is_money(path: Sequence[str]) -> bool:
    name = path[-1].split("[")[0]
    return name in MONEY_FIELDS and "coupon" not in path


def _is_percent(path: Sequence[str]) -> bool:
    name = path[-1].split("[")[0]
    return name in PERCENT_FIELDS or (name == "cap" and "coupon" in path)


def format_value(value: Any, path: Sequence[str], lang: str | None = None) -> str:
    """A value as a structurer reads it: 万元 for money, % for fractions.

    ``lang`` ``zh`` or ``en`` words it in one language (option codes as their labels, yes/no,
    money in 万元 / CNY 10k); ``None`` keeps the bilingual form the CLI prints.

    Examples
    --------
    >>> format_value(250_000_000, ["tranches[优先A2]", "balance"])
    '25,000.00 万元'
    >>> format_value(0.0225, ["tranches[优先A2]", "coupon", "rate"])
    '2.25%'
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        if lang is None:
            return "是 yes" if value else "否 no"
        return _pick(lang, "是" if value else "否", "yes" if value else "no")
    if isinstance(value, int | float):
        if _is_money(path):
            wan = f"{float(value) / 1e4:,.2f}"
            return f"{wan} (CNY 10k)" if lang == "en" else f"{wan} 万元"
        if _is_percent(path):
            return f"{float(value) * 100:.4g}%"
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        if lang is None:
            return "；".join(f"{k}: {format_value(v, [*path, str(k)])}" for k, v in value.items())
        sep, colon = _pick(lang, "；", "; "), _pick(lang, "：", ": ")
        return sep.join(
            f"{field_label([str(k)], lang)}{colon}{format_value(v, [*path, str(k)], lang)}"
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], Mapping) and "step" in value[0]:
            return " → ".join(_step_text(v, lang) for v in value)
        return "[" + ", ".join(format_value(v, path, lang) for v in value) + "]"
    if lang is not None and path:
        enum = _enum_for(_name(path[-1]))
        if enum is not None:
            try:
                member = enum(value)
            except ValueError:
                return str(value)
            return str(member.zh) if lang == "zh" else str(member.value).replace("_", " ")
    return str(value)


def _pick(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _name(segment: str) -> str:
    return segment.split("[")[0]


def _delta(old: Any, new: Any, path: Sequence[str], lang: str | None = None) -> str:
    if isinstance(old, bool) or isinstance(new, bool):
        return ""
    if not isinstance(old, int | float) or not isinstance(new, int | float):
        return ""
    d = float(new) - float(old)
    if _is_money(path):
        return f"{d / 1e4:+,.2f} (CNY 10k)" if lang == "en" else f"{d / 1e4:+,.2f} 万元"
    if _is_percent(path):
        return f"{d * 1e4:+.4g} 基点" if lang == "zh" else f"{d * 1e4:+.4g} bp"
    return f"{d:+g}"


def _step_text(step: Mapping[str, Any], lang: str | None = None) -> str:
    kind = str(step.get("step", "?"))
    names = step.get("tranches") or step.get("fees") or step.get("providers")
    if names is None and "tranche" in step:
        names = [step["tranche"]]
    if lang is not None:
        label = STEP_LABELS.get(kind, (kind, kind))
        kind = label[0] if lang == "zh" else label[1]
        if step.get("providers"):
            names = [format_value(p, ["providers"], lang) for p in step["providers"]]
    return f"{kind}({', '.join(map(str, names))})" if names else kind


def field_label(path: Sequence[str], lang: str) -> str:
    """A field path (``tranches[优先A1]``, ``coupon``, ``rate``) as the structurer reads it:
    ``档位 优先A1 票面利率`` / ``tranche 优先A1 · coupon rate``."""
    if lang == "zh":
        return _label(path)
    parts: list[str] = []
    for seg in path:
        name, _, rest = seg.partition("[")
        words = FIELD_EN.get(name, name.replace("_", " ").replace(".", " "))
        if rest:
            item = rest.rstrip("]")
            if item.isdigit():
                unit = "period" if name == "target_balances" else "step"
                words += f" {unit} {int(item) + 1}"
            else:
                words += f" {item}"
        parts.append(words)
    return " · ".join(parts)


def _label(path: Sequence[str]) -> str:
    parts: list[str] = []
    i = 0
    while i < len(path):
        seg = path[i]
        name, _, rest = seg.partition("[")
        pair = PAIR_ZH.get((name, path[i + 1])) if i + 1 < len(path) else None
        if pair is not None:
            parts.append(pair)
            i += 2
            continue
        parts.append(FIELD_ZH.get(name, name))
        if rest:
            item = rest.rstrip("]")
            if item.isdigit():  # a schedule's period, or a waterfall list's step
                unit = "期" if name == "target_balances" else "步"
                parts.append(f"第{int(item) + 1}{unit}")
            else:
                parts.append(item)
        i += 1
    return " ".join(parts)


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(x, Mapping) and "name" in x for x in items)


def _walk(old: Any, new: Any, path: list[str], out: list[tuple[list[str], Any, Any]]) -> None:
    if old == new:
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping) and not _is_percent(path or [""]):
        for k in list(old) + [k for k in new if k not in old]:
            _walk(old.get(k), new.get(k), [*path, str(k)], out)
        return
    if isinstance(old, list) and isinstance(new, list) and path:
        head = path[-1]
        if _named(old) and _named(new):
            old_by = {x["name"]: x for x in old}
            new_by = {x["name"]: x for x in new}
            for name in list(old_by) + [n for n in new_by if n not in old_by]:
                _walk(old_by.get(name), new_by.get(name), [*path[:-1], f"{head}[{name}]"], out)
            if [x["name"] for x in old if x["name"] in new_by] != [
                x["name"] for x in new if x["name"] in old_by
            ]:
                out.append(
                    (
                        [*path[:-1], f"{head}.order"],
                        [x["name"] for x in old],
                        [x["name"] for x in new],
                    )
                )
            return
        steps = (old and isinstance(old[0], Mapping) and "step" in old[0]) or (
            new and isinstance(new[0], Mapping) and "step" in new[0]
        )
        if steps or (len(old) == len(new) and all(_is_number(x) for x in old + new)):
            for i in range(max(len(old), len(new))):
                a = old[i] if i < len(old) else None
                b = new[i] if i < len(new) else None
                if a != b:
                    out.append(([*path[:-1], f"{head}[{i}]"], a, b))
            return
    out.append((path, old, new))


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _change(old: Any, new: Any) -> str:
    if old is None:
        return "新增 added"
    if new is None:
        return "删除 removed"
    return "修改 changed"


def _format(value: Any, path: Sequence[str], lang: str | None = None) -> str:
    if isinstance(value, Mapping) and "step" in value:
        return _step_text(value, lang)
    return format_value(value, path, lang)


def pool_changes(old: Pool | None, new: Pool | None) -> PoolChange:
    """Assets added, removed and changed (by asset id), and the pool totals."""
    a = {x.asset_id: x for x in old.assets} if old is not None else {}
    b = {x.asset_id: x for x in new.assets} if new is not None else {}
    return PoolChange(
        old_count=None if old is None else old.asset_count,
        new_count=None if new is None else new.asset_count,
        old_amount_fen=None if old is None else sum(x.amount_fen for x in old.assets),
        new_amount_fen=None if new is None else sum(x.amount_fen for x in new.assets),
        added=tuple(k for k in b if k not in a),
        removed=tuple(k for k in a if k not in b),
        changed=tuple(k for k in a if k in b and a[k] != b[k]),
    )


def diff_deals(old: Deal, new: Deal, *, a: str = "A", b: str = "B") -> StructureDiff:
    """Field-by-field differences from ``old`` to ``new`` (pools compared by asset).

    ``tape`` (the file name) is left out: what matters is the pool read from it.
    """
    exclude = {"pool", "tape"}
    raw: list[tuple[list[str], Any, Any]] = []
    _walk(
        old.model_dump(mode="json", exclude=exclude),
        new.model_dump(mode="json", exclude=exclude),
        [],
        raw,
    )
    changes = tuple(
        FieldChange(
            path=_path_text(path),
            label_zh=_label(path),
            change=_change(o, n),
            old=o,
            new=n,
            old_text=_format(o, path),
            new_text=_format(n, path),
            delta_text=_delta(o, n, path),
            parts=tuple(path),
        )
        for path, o, n in raw
    )
    return StructureDiff(a=a, b=b, changes=changes, pool=pool_changes(old.pool, new.pool))


def _path_text(path: Sequence[str]) -> str:
    return ".".join(path)


def measure_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Key measures per tranche side by side: 档位, 指标, old, new, 变化.

    ``old``/``new`` are measure tables (:meth:`Library.measures`); the ``base`` section gives
    WAL, yield, loss and minimum coverage, the ``breakeven`` section the break-evens.
    """
    rows = []

    def pick(frame: pd.DataFrame) -> dict[tuple[str, str], float | None]:
        out: dict[tuple[str, str], float | None] = {}
        for r in frame.itertuples(index=False):
            if r.section == "base" and r.measure in KEY_MEASURES:
                out[(str(r.tranche), str(r.measure))] = _value(r.value)
            elif r.section == "breakeven" and r.measure == "breakeven":
                out[(str(r.tranche), f"breakeven:{r.scenario}")] = _value(r.value)
        return out

    a, b = pick(old), pick(new)
    for key in list(a) + [k for k in b if k not in a]:
        tranche, measure = key
        base_key = measure.split(":")[0]
        zh, en, unit = KEY_MEASURES[base_key]
        if ":" in measure:
            zh, en = f"{zh}（{measure.split(':', 1)[1]}）", f"{en} ({measure.split(':', 1)[1]})"
        va, vb = a.get(key), b.get(key)
        rows.append(
            {
                "档位 tranche": tranche,
                "指标 measure": f"{zh} {en}",
                "old": va,
                "new": vb,
                "变化 delta": None if va is None or vb is None else vb - va,
                "unit": unit,
            }
        )
    return pd.DataFrame(
        rows, columns=["档位 tranche", "指标 measure", "old", "new", "变化 delta", "unit"]
    )


def _value(x: Any) -> float | None:
    if x is None:
        return None
    v = float(x)
    return None if math.isnan(v) else v
