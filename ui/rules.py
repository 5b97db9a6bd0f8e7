"""The deal spec's own rules, worded for the structurer in the session language.

Every rule a spec validator states (:func:`abs.errors.rule_error`) carries a code and its
numbers in model units; :data:`RULES` words each code in Chinese and English, with amounts in
万元, dates as typed, option codes as the editors label them (``scheduled`` → 固定摊还) and the
field named as the editor names it (封包日, 票面利率（%）, 正常分配 第3步 …). The CLI keeps the
model's English wording. ``tests/ui/test_rule_messages.py`` checks that every code raised in
``abs/`` has an entry here and that each entry reads in one language only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from abs.enums import (
    AssetType,
    EventType,
    Frequency,
    PrincipalType,
    SupportProvider,
    TriggerCondition,
)
from ui import localize
from ui.i18n import t

Context = Mapping[str, Any]
Wording = Callable[[Context, str], str]

#: Date fields of the deal terms → the term editor's label key.
DATE_LABELS = {
    "cutoff_date": "structure.term.cutoff",
    "closing_date": "structure.term.closing",
    "first_payment_date": "structure.term.first_payment",
    "expected_maturity_date": "structure.term.expected_maturity",
    "legal_maturity_date": "structure.term.legal_maturity",
}
#: Waterfall list codes → label key.
LIST_LABELS = {
    "normal": "order.normal",
    "accelerated": "order.accelerated",
    "amortisation": "order.amortisation",
}
#: What a step names, by field: (中文, English).
TARGET_WORDS = {
    "fees": ("税费", "fee"),
    "tranches": ("档位", "tranche"),
    "providers": ("增信提供方", "provider"),
}
#: Revolving fields → (中文, English).
REVOLVING_FIELDS = {
    "revolving.periods": ("循环期数", "revolving periods"),
    "revolving.end_date": ("循环期结束日", "revolving period end date"),
}


def _pick(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _names(values: object, lang: str) -> str:
    """Names the structurer gave, quoted: 「A」、「B」 / 'A', 'B'."""
    items = [str(v) for v in values] if isinstance(values, Sequence) else [str(values)]
    if isinstance(values, str):
        items = [values]
    if lang == "zh":
        return "、".join(f"「{v}」" for v in items)
    return ", ".join(f"'{v}'" for v in items)


def _option(enum: Any, code: object, lang: str) -> str:
    """An option code as the editors label it (固定摊还 / scheduled)."""
    try:
        return localize.enum_label(enum(str(code)), lang)
    except ValueError:
        return str(code)


def _options(enum: Any, codes: object, lang: str) -> str:
    if isinstance(codes, str):
        items: list[object] = [c.strip() for c in codes.split(",")]
    else:
        items = list(codes) if isinstance(codes, Sequence) else []
    return _names([_option(enum, c, lang) for c in items], lang)


def _date_field(field: str, lang: str, *, lower: bool = False) -> str:
    label = t(DATE_LABELS[field], lang)
    return _lower(label) if lower and lang == "en" else label


def _step_where(ctx: Context, lang: str) -> str:
    """``正常分配 第3步`` / ``Normal, step 3``."""
    name = t(LIST_LABELS.get(str(ctx.get("list")), "order.normal"), lang)
    nth = t("order.nth", lang, n=int(str(ctx.get("index", 0))) + 1)
    return f"{name} {nth}" if lang == "zh" else f"{name}, {nth}"


def _step_name(code: object, lang: str) -> str:
    text = t(f"order.step.{code}", lang)
    return f"「{text}」" if lang == "zh" else f"'{text}'"


def _dates(later: str, earlier: str, zh_rule: str, en_rule: str) -> Wording:
    def word(ctx: Context, lang: str) -> str:
        value, other = ctx.get("value"), ctx.get("other")
        if lang == "zh":
            return (
                f"{_date_field(later, lang)} {value} {zh_rule}{_date_field(earlier, lang)} {other}"
            )
        return (
            f"{_date_field(later, lang)} {value} {en_rule} the "
            f"{_date_field(earlier, lang, lower=True)} {other}"
        )

    return word


def _unique(zh_what: str, en_what: str) -> Wording:
    def word(ctx: Context, lang: str) -> str:
        names = _names(ctx.get("names", []), lang)
        return _pick(
            lang, f"{zh_what}不能重复：{names}", f"{en_what} must be unique; repeated: {names}"
        )

    return word


def _trigger_cond(ctx: Context, lang: str) -> str:
    label = _option(TriggerCondition, ctx.get("condition"), lang)
    return f"「{label}」" if lang == "zh" else f"'{label}'"


def _once(ctx: Context, lang: str) -> str:
    once = _option(Frequency, Frequency.ONCE.value, lang)
    label = t("structure.term.frequency", lang)
    return _pick(
        lang,
        f"{label}不能为「{once}」：证券须按期兑付",
        f"{label} cannot be '{once}': securities pay on a schedule",
    )


def _scheduled(ctx: Context, lang: str) -> str:
    scheduled = _option(PrincipalType, PrincipalType.SCHEDULED.value, lang)
    where = t("structure.schedules", lang)
    return _pick(
        lang,
        f"本金偿付方式为「{scheduled}」时须填写{where}",
        f"principal type '{scheduled}' needs an amortisation schedule ({_lower(where)})",
    )


def _schedule_target(ctx: Context, lang: str) -> str:
    from ui.messages import wan_text

    n = int(str(ctx.get("index", 0))) + 1
    value = wan_text(ctx.get("value"), lang)
    previous = wan_text(ctx.get("previous"), lang)
    return _pick(
        lang,
        f"摊还计划第{n}期目标余额 {value} 须在 0 与上一期目标 {previous} 之间（目标余额只减不增）",
        f"schedule period {n}: target balance {value} must be between 0 and the previous "
        f"target {previous} (targets never rise)",
    )


def _needs_threshold(ctx: Context, lang: str) -> str:
    label = t("structure.col.threshold", lang)
    return _pick(
        lang,
        f"条件{_trigger_cond(ctx, lang)}须填写{label}",
        f"condition {_trigger_cond(ctx, lang)} needs a {_lower(label)}",
    )


def _needs_date(ctx: Context, lang: str) -> str:
    label = t("structure.col.date", lang)
    cond = _option(TriggerCondition, TriggerCondition.DATE_REACHED.value, lang)
    return _pick(
        lang, f"条件「{cond}」须填写{label}", f"condition '{cond}' needs a {_lower(label)}"
    )


def _early_cure(ctx: Context, lang: str) -> str:
    event = _option(EventType, EventType.EARLY_AMORTISATION.value, lang)
    cure = t("structure.col.cure", lang)
    return _pick(
        lang,
        f"触发事件为「{event}」时不能勾选「{cure}」（提前摊还后循环期不再恢复）",
        f"'{cure}' must be off for event '{event}' (the revolving period ends for good)",
    )


def _periods(ctx: Context, lang: str) -> str:
    revolving = _option(TriggerCondition, TriggerCondition.REVOLVING_RATE_BELOW.value, lang)
    n = ctx.get("periods")
    return _pick(
        lang,
        f"连续期数 {n} 仅适用于条件「{revolving}」，当前条件为{_trigger_cond(ctx, lang)}",
        f"consecutive periods ({n}) apply to condition '{revolving}' only; the condition is "
        f"{_trigger_cond(ctx, lang)}",
    )


def _needs_revolving(ctx: Context, lang: str) -> str:
    name = _names([ctx.get("name", "")], lang)
    return _pick(
        lang,
        f"触发事件{name}的条件{_trigger_cond(ctx, lang)}需要循环购买安排，本交易没有",
        f"trigger {name}: condition {_trigger_cond(ctx, lang)} needs revolving terms; the deal "
        "has none",
    )


def _repeated(ctx: Context, lang: str) -> str:
    zh_what, en_what = TARGET_WORDS.get(str(ctx.get("field")), ("对象", "item"))
    names = ctx.get("names", [])
    shown = (
        _options(SupportProvider, names, lang)
        if ctx.get("field") == "providers"
        else _names(names, lang)
    )
    step = _step_name(ctx.get("step"), lang)
    return _pick(
        lang,
        f"{step}中每个{zh_what}只能列一次，重复：{shown}",
        f"{step} names each {en_what} once; named more than once: {shown}",
    )


def _providers_repeated(ctx: Context, lang: str) -> str:
    shown = _options(SupportProvider, ctx.get("providers", ""), lang)
    step = _step_name("reimburse_support", lang)
    return _pick(
        lang,
        f"{step}中的增信提供方不能重复：{shown}",
        f"{step}: providers must be distinct; got {shown}",
    )


def _kind_mix(ctx: Context, lang: str) -> str:
    kinds = _options(AssetType, [AssetType.RECEIVABLE.value, AssetType.DATA_LICENSE.value], lang)
    return _pick(
        lang,
        f"循环购买资产生成器的资产类型权重须大于 0，且仅限{kinds}",
        f"the revolving generator's asset-type weights must be > 0 and of {kinds} only",
    )


def _one_source(ctx: Context, lang: str) -> str:
    return _pick(
        lang,
        "循环购买的候选资产须二选一：候选资产清单或资产生成器",
        "revolving purchases: give either a candidate tape or a generator, not both or neither",
    )


def _period_one_of(ctx: Context, lang: str) -> str:
    periods, end = REVOLVING_FIELDS["revolving.periods"], REVOLVING_FIELDS["revolving.end_date"]
    return _pick(
        lang,
        f"循环期须二选一：{end[0]}或{periods[0]}",
        f"the revolving period needs exactly one of a {end[1]} and a number of {periods[1]}",
    )


def _tranche_order(ctx: Context, lang: str) -> str:
    from abs.enums import TrancheClass

    name, above = _names([ctx.get("name", "")], lang), _names([ctx.get("above", "")], lang)
    cls = _option(TrancheClass, ctx.get("tranche_class"), lang)
    return _pick(
        lang,
        f"档位须按优先级、夹层、次级的顺序排列：{name}（{cls}）排在了{above}之后",
        f"tranches are listed senior, then mezzanine, then subordinated: {name} ({cls}) comes "
        f"after {above}",
    )


def _revolve_without(ctx: Context, lang: str) -> str:
    step = _step_name("revolve", lang)
    return _pick(
        lang,
        f"{_step_where(ctx, lang)}{step}：本交易没有循环购买安排",
        f"{_step_where(ctx, lang)} {step}: the deal has no revolving terms",
    )


def _unknown(zh_what: str, en_what: str, step: str | None = None) -> Wording:
    def word(ctx: Context, lang: str) -> str:
        name = _step_name(step or ctx.get("step"), lang)
        missing = _names(ctx.get("missing", []), lang)
        known = _names(ctx.get("known", []), lang) if ctx.get("known") else "—"
        return _pick(
            lang,
            f"{_step_where(ctx, lang)}{name}列出了不存在的{zh_what} {missing}；"
            f"现有{zh_what}：{known}",
            f"{_step_where(ctx, lang)} {name} names unknown {en_what}(s) {missing}; "
            f"{en_what}s are {known}",
        )

    return word


def _unknown_providers(ctx: Context, lang: str) -> str:
    name = _step_name("reimburse_support", lang)
    missing = _options(SupportProvider, ctx.get("missing", []), lang)
    return _pick(
        lang,
        f"{_step_where(ctx, lang)}{name}列出了本交易没有的增信提供方 {missing}",
        f"{_step_where(ctx, lang)} {name} names provider(s) {missing} the deal does not have",
    )


def _no_revolve_step(ctx: Context, lang: str) -> str:
    step = _step_name("revolve", lang)
    normal = t("order.normal", lang)
    return _pick(
        lang,
        f"{normal}顺序中没有{step}步骤，循环购买不会买入任何资产：请添加该步骤或取消循环购买",
        f"the {_lower(normal)} list has no {step} step, so the revolving terms would buy "
        "nothing: add the step or drop the revolving terms",
    )


def _revolving_field(ctx: Context, lang: str) -> str:
    zh, en = REVOLVING_FIELDS.get(str(ctx.get("field")), ("循环期", "revolving period"))
    return _pick(lang, zh, en)


def _before_first(ctx: Context, lang: str) -> str:
    field, value, first = _revolving_field(ctx, lang), ctx.get("value"), ctx.get("first")
    return _pick(
        lang,
        f"{field} {value} 早于首个兑付日 {first}：循环期至少包含一个兑付日",
        f"{field} {value} is before the first payment date {first}: the revolving period "
        "covers at least one payment date",
    )


def _too_long(ctx: Context, lang: str) -> str:
    field, value, last = _revolving_field(ctx, lang), ctx.get("value"), ctx.get("last")
    dates = int(str(ctx.get("dates", 0)))
    used = ctx.get("used")
    return _pick(
        lang,
        f"{field} {value} 延续到最后一个兑付日 {last}（{dates} 个兑付日中 {used} 个在循环期）："
        f"循环期须在最后一个兑付日之前结束（至多 {dates - 1} 期）",
        f"{field} {value} reaches the last payment date {last} ({used} of {dates} payment "
        f"dates revolving): the revolving period ends before the last payment date (at most "
        f"{dates - 1} periods)",
    )


def _finite(ctx: Context, lang: str) -> str:
    return _pick(lang, "须为有限数字", "must be a finite number")


def _maturity(ctx: Context, lang: str) -> str:
    asset, value, other = ctx.get("asset_id"), ctx.get("value"), ctx.get("other")
    return _pick(
        lang,
        f"资产 {asset} 的到期日 {value} 早于起始日 {other}",
        f"asset {asset}: maturity date {value} is before the start date {other}",
    )


def _asset_id(ctx: Context, lang: str) -> str:
    asset = ctx.get("asset_id")
    return _pick(lang, f"资产编号 {asset} 重复", f"asset ID {asset} appears twice")


#: Rule code (``abs.errors.rule_error``) → wording in the session language.
RULES: dict[str, Wording] = {
    "dates_closing_before_cutoff": _dates("closing_date", "cutoff_date", "早于", "is before"),
    "dates_first_payment_not_after_closing": _dates(
        "first_payment_date", "closing_date", "须晚于", "must be after"
    ),
    "dates_expected_before_first_payment": _dates(
        "expected_maturity_date", "first_payment_date", "早于", "is before"
    ),
    "dates_legal_before_expected": _dates(
        "legal_maturity_date", "expected_maturity_date", "早于", "is before"
    ),
    "dates_frequency_once": _once,
    "tranche_scheduled_needs_targets": _scheduled,
    "schedule_target_out_of_range": _schedule_target,
    "trigger_needs_threshold": _needs_threshold,
    "trigger_needs_date": _needs_date,
    "trigger_early_amortisation_cure": _early_cure,
    "trigger_periods_not_revolving": _periods,
    "trigger_needs_revolving": _needs_revolving,
    "step_names_repeated": _repeated,
    "support_providers_repeated": _providers_repeated,
    "generator_kind_mix": _kind_mix,
    "replenishment_one_source": _one_source,
    "revolving_period_one_of": _period_one_of,
    "tranche_names_duplicate": _unique("档位名称", "tranche names"),
    "fee_names_duplicate": _unique("税费名称", "fee names"),
    "scenario_names_duplicate": _unique("自定义情景名称", "custom scenario names"),
    "tranche_order": _tranche_order,
    "step_revolve_without_revolving": _revolve_without,
    "step_unknown_fees": _unknown("税费", "fee", "pay_fees"),
    "step_unknown_providers": _unknown_providers,
    "step_unknown_tranches": _unknown("档位", "tranche"),
    "revolving_without_revolve_step": _no_revolve_step,
    "revolving_period_before_first": _before_first,
    "revolving_period_too_long": _too_long,
    "finite_number": _finite,
    "asset_maturity_before_start": _maturity,
    "asset_id_duplicate": _asset_id,
}
