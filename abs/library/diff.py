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


def format_value(value: Any, path: Sequence[str]) -> str:
    """A value as a structurer reads it: 万元 for money, % for fractions.

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
        return "是 yes" if value else "否 no"
    if isinstance(value, int | float):
        if _is_money(path):
            return f"{float(value) / 1e4:,.2f} 万元"
        if _is_percent(path):
            return f"{float(value) * 100:.4g}%"
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "；".join(f"{k}: {format_value(v, [*path, str(k)])}" for k, v in value.items())
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], Mapping) and "step" in value[0]:
            return " → ".join(_step_text(v) for v in value)
        return "[" + ", ".join(format_value(v, path) for v in value) + "]"
    return str(value)


def _delta(old: Any, new: Any, path: Sequence[str]) -> str:
    if isinstance(old, bool) or isinstance(new, bool):
        return ""
    if not isinstance(old, int | float) or not isinstance(new, int | float):
        return ""
    d = float(new) - float(old)
    if _is_money(path):
        return f"{d / 1e4:+,.2f} 万元"
    if _is_percent(path):
        return f"{d * 1e4:+.4g} bp"
    return f"{d:+g}"


def _step_text(step: Mapping[str, Any]) -> str:
    kind = str(step.get("step", "?"))
    names = step.get("tranches") or step.get("fees") or step.get("providers")
    if names is None and "tranche" in step:
        names = [step["tranche"]]
    return f"{kind}({', '.join(map(str, names))})" if names else kind


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
            parts.append(f"第{int(item) + 1}步" if item.isdigit() else item)
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


def _format(value: Any, path: Sequence[str]) -> str:
    if isinstance(value, Mapping) and "step" in value:
        return _step_text(value)
    return format_value(value, path)


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
