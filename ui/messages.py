"""Validation messages in the session language and the units the structurer typed.

The deal model (pydantic) states its rules in English and in model units (yuan, fractions):
"Input should be greater than 0", "less than or equal to 1". The editors show 万元 and percent,
so :func:`rule_text` rewords a rule by its code in the session language and converts the bound
into the column's unit: a coupon of 250% reads "须不超过 100.00%" / "must be at most 100.00%",
a size of −100 reads "须大于 0.00 万元" / "must be greater than 0.00 (CNY 10k)". Rules with no
code of their own (the model's cross-field checks) keep the model's wording.
"""

from __future__ import annotations

from typing import Any

from abs.errors import Issue

#: Bound rules: pydantic code → (context key, 中文, English).
_BOUNDS: dict[str, tuple[str, str, str]] = {
    "greater_than": ("gt", "须大于 {bound}", "must be greater than {bound}"),
    "greater_than_equal": ("ge", "须不小于 {bound}", "must be at least {bound}"),
    "less_than": ("lt", "须小于 {bound}", "must be less than {bound}"),
    "less_than_equal": ("le", "须不超过 {bound}", "must be at most {bound}"),
}
#: Rules without a bound: code → (中文, English).
_PLAIN: dict[str, tuple[str, str]] = {
    "missing": ("必填", "required"),
    "float_parsing": ("须为数字", "must be a number"),
    "float_type": ("须为数字", "must be a number"),
    "int_parsing": ("须为整数", "must be a whole number"),
    "date_from_datetime_parsing": ("须为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"),
    "date_parsing": ("须为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"),
    "date_type": ("须为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"),
    "string_too_short": ("不能为空", "must not be empty"),
    "too_short": ("至少需要一项", "needs at least one item"),
    "enum": ("不是可选值", "is not one of the options"),
    "finite_number": ("须为有限数字", "must be a finite number"),
}


def _bound(value: Any, kind: str | None, lang: str) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if kind == "wan":
        shown = f"{number / 10_000:,.2f}"
        return f"{shown} 万元" if lang == "zh" else f"{shown} (CNY 10k)"
    if kind == "pct":
        return f"{number * 100:.2f}%"
    return f"{number:g}"


def rule_text(issue: Issue, *, kind: str | None, lang: str) -> str:
    """The rule ``issue`` breaks, worded in ``lang`` with its bound in the column's unit.

    Parameters
    ----------
    issue : Issue
        A validation finding (``code`` and ``context`` from the model).
    kind : str or None
        The editor column's kind: ``wan`` (万元 ↔ 元), ``pct`` (% ↔ fraction), others as is.
    lang : str
        ``zh`` or ``en``.

    Examples
    --------
    >>> from abs.errors import Issue
    >>> rule_text(
    ...     Issue("deal", "Input should be less than or equal to 1", code="less_than_equal",
    ...           context={"le": 1.0}), kind="pct", lang="zh")
    '须不超过 100.00%'
    """
    code = issue.code or ""
    if code in _BOUNDS:
        key, zh, en = _BOUNDS[code]
        ctx = issue.context or {}
        if key in ctx:
            bound = _bound(ctx[key], kind, lang)
            return (zh if lang == "zh" else en).format(bound=bound)
    if code == "schedule_target_out_of_range":
        ctx = issue.context or {}
        n = int(str(ctx.get("index", 0))) + 1
        value = _bound(ctx.get("value"), "wan", lang)
        previous = _bound(ctx.get("previous"), "wan", lang)
        if lang == "zh":
            return (
                f"摊还计划第{n}期目标余额 {value} 须在 0 与上一期目标 {previous} 之间"
                "（目标余额只减不增）"
            )
        return (
            f"schedule period {n}: target balance {value} must be between 0 and the previous "
            f"target {previous} (targets never rise)"
        )
    if code in _PLAIN:
        zh, en = _PLAIN[code]
        return zh if lang == "zh" else en
    rule = issue.rule.removeprefix("Value error, ")
    return rule


def value_text(value: object, *, kind: str | None) -> str:
    """The offending value as the structurer typed it (万元 or percent for those columns)."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if kind == "wan":
            return f"{float(value) / 10_000:,.2f}"
        if kind == "pct":
            return f"{float(value) * 100:.2f}%"
        return f"{value:g}"
    return str(value)
