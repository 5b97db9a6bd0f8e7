"""The waterfall order editor on 结构设计: the two step lists (before and after 加速清偿/违约事件)
as tables with each step's rule, and controls to move a step up or down, remove it, or add one
from the typed step catalogue (``abs.deal.Step``).

A deal without its own ``waterfall`` runs the DOMAIN.md template (``abs.templates``); the first
change here stores the edited lists with the deal. Every change is validated with the deal model
before it becomes current (an invalid list is reported in the session language and not applied).
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from abs.deal import Deal
from abs.enums import AllocationMode, SupportProvider
from ui import engine, localize, state
from ui.i18n import t
from ui.views._shared import table

#: The step catalogue: kind → what it names (``fees``, ``tranches``, ``tranche``, nothing).
STEP_TARGETS: dict[str, str] = {
    "pay_fees": "fees",
    "pay_interest": "tranches",
    "pay_principal": "tranches",
    "fund_reserve": "",
    "pay_sub_yield": "tranche",
    "pay_residual": "tranche",
    "reimburse_support": "providers",
    "revolve": "",
    "turbo_oc": "tranches",
}
#: Steps that need parameters the add form does not ask for (edit them in the deal file).
NOT_ADDABLE = frozenset({"turbo_oc"})
#: Session key carrying the step to select after a change (the moved, added or next step).
KEY_NEXT_PICK = "order_pick_next"
#: The lists: deal field → label key (``amortisation`` only for a revolving deal that has it).
LISTS: dict[str, str] = {
    "normal": "order.normal",
    "accelerated": "order.accelerated",
    "amortisation": "order.amortisation",
}


def current_lists(deal: Deal) -> dict[str, list[dict[str, Any]]]:
    """The step lists the engine runs (the deal's own, else the template), as JSON dicts."""
    from abs.templates import effective_waterfall

    wf = effective_waterfall(deal)
    lists = {
        "normal": [s.model_dump(mode="json") for s in wf.normal],
        "accelerated": [s.model_dump(mode="json") for s in wf.accelerated],
    }
    if wf.amortisation is not None:
        lists["amortisation"] = [s.model_dump(mode="json") for s in wf.amortisation]
    return lists


def step_targets(step: dict[str, Any], lang: str | None = None) -> list[str]:
    """The fees, tranches or providers a step names (providers as words when ``lang`` is given)."""
    if "providers" in step:
        if lang is None:
            return [str(v) for v in step["providers"]]
        return [localize.enum_label(SupportProvider(str(v)), lang) for v in step["providers"]]
    for key in ("fees", "tranches"):
        if key in step:
            return [str(v) for v in step[key]]
    return [str(step["tranche"])] if "tranche" in step else []


def targets_text(step: dict[str, Any], lang: str) -> str:
    """What a step pays, listed as the language lists (``、`` or ``, ``)."""
    return ("、" if lang == "zh" else ", ").join(step_targets(step, lang))


def step_name(step: dict[str, Any], lang: str) -> str:
    """The step's name in ``lang``."""
    kind = str(step["step"])
    return t(f"order.step.{kind}", lang)


def step_rule(step: dict[str, Any], lang: str) -> str:
    """The rule of a step in words (mode, turbo, waiting for seniors)."""
    parts = [t(f"order.rule.{step['step']}", lang)]
    if step.get("mode") == AllocationMode.PRO_RATA.value:
        parts.append(t("order.rule.pro_rata", lang))
    if step.get("turbo"):
        parts.append(t("order.rule.turbo", lang))
    if step.get("wait_for_seniors") and step["step"] in ("pay_residual", "reimburse_support"):
        parts.append(t("order.rule.wait", lang))
    return ("；" if lang == "zh" else "; ").join(parts)


def steps_frame(steps: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """One row per step: order, step, what it names, its rule."""
    return pd.DataFrame(
        [
            {
                t("order.col.n", lang): i + 1,
                t("order.col.step", lang): t(f"order.step.{s['step']}", lang),
                t("order.col.targets", lang): targets_text(s, lang) or "—",
                t("order.col.rule", lang): step_rule(s, lang),
            }
            for i, s in enumerate(steps)
        ]
    )


def moved(steps: list[dict[str, Any]], index: int, delta: int) -> list[dict[str, Any]]:
    """``steps`` with step ``index`` moved ``delta`` places (clamped to the list)."""
    out = copy.deepcopy(steps)
    target = min(max(index + delta, 0), len(out) - 1)
    out.insert(target, out.pop(index))
    return out


def new_step(kind: str, targets: list[str]) -> dict[str, Any]:
    """A step of ``kind`` naming ``targets`` (JSON form; the model checks it)."""
    field = STEP_TARGETS[kind]
    step: dict[str, Any] = {"step": kind}
    if field in ("fees", "tranches", "providers"):
        step[field] = list(targets)
    elif field == "tranche":
        step[field] = targets[0] if targets else ""
    return step


def pick_key(which: str, labels: list[str], lang: str) -> str:
    """Key of the step selector: a new widget whenever the list's labels change.

    Streamlit keeps a selectbox's value as its label text; after a move the same label names a
    different position (or none), so a selector that outlived the change would select a step
    other than the one it shows. A key per list content starts it afresh on the step chosen
    by :data:`KEY_NEXT_PICK`.
    """
    digest = hashlib.sha256("\n".join(labels).encode("utf-8")).hexdigest()[:12]
    return f"order_pick_{which}_{lang}_{digest}"


def _issue_text(issue: Any) -> str:
    """``正常分配 第9步：至少需要一项`` from a model issue at ``waterfall.normal.8.…``."""
    from ui.messages import rule_text

    lang = state.language()
    loc = str(issue.column or "").split(".")
    rule = rule_text(issue, kind=None, lang=lang)
    if len(loc) >= 3 and loc[0] == "waterfall" and loc[1] in LISTS and loc[2].isdigit():
        where = t(LISTS[loc[1]], lang) + " " + t("order.nth", lang, n=int(loc[2]) + 1)
        return f"{where}：{rule}" if lang == "zh" else f"{where}: {rule}"
    return rule  # a rule of the deal as a whole names the list and step itself


def _apply(deal_json: str, lists: dict[str, list[dict[str, Any]]], edit: str) -> None:
    data = copy.deepcopy(engine.deal_from_json(deal_json).model_dump(mode="json"))
    data["waterfall"] = lists
    new_deal, issues = engine.validate_deal_data(data, source=t("where.structure"))
    if new_deal is None:
        st.session_state["order_error"] = "；".join(_issue_text(i) for i in issues)
        st.rerun()  # show it at the top of the section
    state.set_current(engine.deal_to_json(new_deal), source_label=state.source(), edit=edit)
    st.session_state.pop("order_error", None)
    st.rerun()


def render_order(deal_json: str, lang: str) -> None:
    """The two step lists and the controls."""
    deal = engine.deal_from_json(deal_json)
    lists = current_lists(deal)
    st.subheader(t("order.title"))
    st.caption(t("order.note" if deal.waterfall is None else "order.note_own"))
    error = st.session_state.get("order_error")
    if error:
        st.error(t("order.invalid", detail=str(error)))
    names = list(lists)
    which = str(
        st.selectbox(
            t("order.list"),
            names,
            format_func=lambda k: t(LISTS[k], lang),
            key=f"order_list_{lang}",  # labels change with the language
        )
    )
    steps = lists[which]
    table(steps_frame(steps, lang), key=f"order_table_{which}")
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    labels = [
        f"{i + 1}. {step_name(step, lang)} " + targets_text(step, lang)
        for i, step in enumerate(steps)
    ]
    start = st.session_state.pop(KEY_NEXT_PICK, 0)
    pick = int(
        c1.selectbox(
            t("order.pick"),
            list(range(len(steps))),
            index=min(max(int(start), 0), len(steps) - 1),
            format_func=lambda i: labels[i],
            key=pick_key(which, labels, lang),  # labels change with the list and the language
        )
    )
    label = f"{pick + 1}. {step_name(steps[pick], lang)}"
    list_name = t(LISTS[which], lang)
    if c2.button(t("order.up"), key="order_up", disabled=pick == 0):
        new = dict(lists, **{which: moved(steps, pick, -1)})
        st.session_state[KEY_NEXT_PICK] = pick - 1  # the moved step stays selected
        _apply(deal_json, new, t("order.log.up", lang, list=list_name, step=label))
    if c3.button(t("order.down"), key="order_down", disabled=pick == len(steps) - 1):
        new = dict(lists, **{which: moved(steps, pick, 1)})
        st.session_state[KEY_NEXT_PICK] = pick + 1
        _apply(deal_json, new, t("order.log.down", lang, list=list_name, step=label))
    if c4.button(t("order.remove"), key="order_remove", disabled=len(steps) <= 1):
        rest = [s for i, s in enumerate(steps) if i != pick]
        st.session_state[KEY_NEXT_PICK] = min(pick, len(rest) - 1)  # the step that took its place
        _apply(
            deal_json,
            dict(lists, **{which: rest}),
            t("order.log.remove", lang, list=list_name, step=label),
        )

    c1, c2, c3 = st.columns([1, 2, 1])
    kind = str(
        c1.selectbox(
            t("order.add_kind"),
            [k for k in STEP_TARGETS if k not in NOT_ADDABLE],
            format_func=lambda k: t(f"order.step.{k}", lang),
            key=f"order_add_kind_{lang}",
        )
    )
    field = STEP_TARGETS[kind]
    options: list[str] = []
    if field == "fees":
        options = [f.name for f in deal.fees]
    elif field in ("tranches", "tranche"):
        options = [tr.name for tr in deal.tranches]
    elif field == "providers":
        options = [p.value for p in SupportProvider]
    targets = (
        c2.multiselect(
            t("order.add_targets"),
            options,
            key=f"order_add_targets_{kind}",
            placeholder=t("common.choose"),
        )
        if options
        else []
    )
    c3.caption(t(f"order.rule.{kind}"))
    if c3.button(t("order.add"), key="order_add"):
        added = [*steps, new_step(kind, [str(x) for x in targets])]
        st.session_state[KEY_NEXT_PICK] = len(added) - 1
        _apply(
            deal_json,
            dict(lists, **{which: added}),
            t("order.log.add", lang, list=list_name, step=t(f"order.step.{kind}", lang)),
        )
