"""Validation messages in the session language and the units the structurer typed.

The deal model (pydantic) states its rules in English and in model units (yuan, fractions):
"Input should be greater than 0", "less than or equal to 1". The editors show 万元 and percent,
so :func:`rule_text` rewords a rule by its code in the session language and converts the bound
into the column's unit: a coupon of 250% reads "须不超过 100.00%" / "must be at most 100.00%",
a size of −100 reads "须大于 0.00 万元" / "must be greater than 0.00 (CNY 10k)". The model's
cross-field rules (``abs.errors.rule_error``) are worded by code in :mod:`ui.rules`; a pydantic
code with no wording here reads "取值无效" in Chinese (never the model's English) and keeps the
model's wording in English.
"""

from __future__ import annotations

from typing import Any

from abs.errors import DabsError, Issue, TapeError

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
    "literal_error": ("不是可选值", "is not one of the options"),
    "union_tag_invalid": ("不是可选的步骤类型", "is not a step type"),
    "union_tag_not_found": ("缺少步骤类型", "needs a step type"),
    "extra_forbidden": ("不是可识别的字段", "is not a known field"),
    "bool_parsing": ("须为是或否", "must be yes or no"),
    "bool_type": ("须为是或否", "must be yes or no"),
    "string_type": ("须为文字", "must be text"),
    "int_type": ("须为整数", "must be a whole number"),
    "int_from_float": ("须为整数", "must be a whole number"),
    "date_from_datetime_inexact": ("须为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"),
    "tuple_type": ("须为列表", "must be a list"),
    "list_type": ("须为列表", "must be a list"),
    "dict_type": ("须为对象", "must be an object"),
    "model_type": ("须为对象", "must be an object"),
    "model_attributes_type": ("须为对象", "must be an object"),
}
#: Length rules: code → (context key, 中文, English).
_LENGTHS: dict[str, tuple[str, str, str]] = {
    "string_too_long": ("max_length", "不能超过 {n} 个字符", "must be at most {n} characters"),
    "too_long": ("max_length", "不能超过 {n} 项", "must have at most {n} items"),
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
    from ui.rules import RULES

    code = issue.code or ""
    if code in RULES:
        return RULES[code](issue.context or {}, lang)
    if code in _LENGTHS:
        key, zh, en = _LENGTHS[code]
        n = (issue.context or {}).get(key, "")
        return (zh if lang == "zh" else en).format(n=n)
    if code in _BOUNDS:
        key, zh, en = _BOUNDS[code]
        ctx = issue.context or {}
        if key in ctx:
            bound = _bound(ctx[key], kind, lang)
            return (zh if lang == "zh" else en).format(bound=bound)
    if code in _PLAIN:
        zh, en = _PLAIN[code]
        return zh if lang == "zh" else en
    if lang == "zh":
        return "取值无效"
    return issue.rule.removeprefix("Value error, ")


def wan_text(value: object, lang: str) -> str:
    """An amount in yuan as the editors show it: ``25,000.00 万元`` / ``25,000.00 (CNY 10k)``."""
    return _bound(value, "wan", lang)


def value_text(value: object, *, kind: str | None) -> str:
    """The offending value as the structurer typed it (万元 or percent for those columns)."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if kind == "wan":
            wan = float(value) / 10_000
            # a few yuan (a deal file holds yuan) would read 0.00: show them, not a rounded 0
            return f"{wan:,.2f}" if wan == 0 or abs(wan) >= 0.005 else f"{wan:.4g}"
        if kind == "pct":
            return f"{float(value) * 100:.2f}%"
        return f"{value:g}"
    return str(value)


def tape_issue_text(issue: Issue, lang: str) -> str:
    """A pool-tape finding in ``lang``: row, column (as the tape template names it), the rule
    and the value as typed (:mod:`ui.tape_rules`)."""
    from ui.tape_rules import issue_text

    return issue_text(issue, lang)


def tape_error_text(exc: TapeError, name: str, lang: str) -> str:
    """A rejected tape in ``lang``: ``资产清单 tape.csv 有 3 处问题…`` and one line per finding."""
    from ui.tape_rules import error_text

    return error_text(exc, name, lang)


class LocalisedError(DabsError):
    """An input error already worded in every language (``texts``: language → message).

    ``str()`` is the wording in the language it was raised in; :func:`error_message` picks the
    session's, so a rejected input recorded in one language reads right after a switch.
    """

    def __init__(self, texts: dict[str, str], lang: str) -> None:
        super().__init__(texts.get(lang) or next(iter(texts.values()), ""))
        self.texts = dict(texts)


def error_message(exc: BaseException, lang: str) -> str:
    """An engine error as the dashboard shows it: a tape's findings in ``lang``
    (:func:`tape_error_text`), a :class:`LocalisedError` in ``lang``, any other error with the
    engine's own message."""
    if isinstance(exc, LocalisedError) and lang in exc.texts:
        return exc.texts[lang]
    if isinstance(exc, TapeError):
        return tape_error_text(exc, exc.source, lang)
    return str(exc)
