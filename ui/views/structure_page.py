"""结构设计 Structure: tranches, fees, reserve, 差额支付/guarantee, triggers — edited in place.

The editors are seeded from a snapshot of the deal (see :func:`ui.state.editor_base`); every
edit builds a candidate deal from that snapshot and validates it with the engine's own model.
A valid candidate becomes the current deal at once (so the base case and the stress set rerun
from the cache-keyed JSON); an invalid one is listed field by field right under its editor,
and the last good deal stays current.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from abs.deal import Deal
from abs.enums import (
    CouponType,
    EventType,
    FeeBase,
    FeeType,
    Frequency,
    LabelledEnum,
    PrincipalType,
    ReserveTargetRule,
    TrancheClass,
    TriggerCondition,
)
from abs.errors import DabsError, Issue
from ui import engine, localize, state
from ui import format as fmt
from ui.i18n import LABELS, set_label, t
from ui.messages import rule_text, value_text
from ui.views._shared import guarded, header, table
from ui.views.waterfall_order import render_order

_T = TypeVar("_T")

#: Hidden column carrying each editor row's position in the snapshot (None for added rows).
ROW_ID = "_row"

#: Tranche editor columns → (deal field path inside a tranche, kind). Kinds: text, enum,
#: wan (万元 ↔ 元), pct (% ↔ fraction), date.
TRANCHE_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "name": (("name",), "text"),
    "tranche_class": (("tranche_class",), "enum"),
    "balance_wan": (("balance",), "wan"),
    "coupon_type": (("coupon", "coupon_type"), "enum"),
    "rate_pct": (("coupon", "rate"), "pct"),
    "spread_pct": (("coupon", "spread"), "pct"),
    "principal_type": (("principal_type",), "enum"),
    "period_yield_pct": (("period_yield",), "pct"),
    "rating": (("rating",), "text"),
    "expected_maturity_date": (("expected_maturity_date",), "date"),
}
FEE_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "name": (("name",), "text"),
    "fee_type": (("fee_type",), "enum"),
    "rate_pct": (("rate",), "pct"),
    "surcharge_pct": (("surcharge",), "pct"),
    "base": (("base",), "enum"),
    "amount_wan": (("amount",), "wan"),
    "pay_share_pct": (("pay_share",), "pct"),
    "cap_wan": (("cap",), "wan"),
}
TRIGGER_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "name": (("name",), "text"),
    "condition": (("condition",), "enum"),
    "threshold": (("threshold",), "number"),
    "date": (("date",), "date"),
    "event": (("event",), "enum"),
    "cure": (("cure",), "bool"),
}
#: Labels of fields edited outside a section's table (field → label key).
EXTRA_FIELD_LABELS: dict[str, str] = {"target_balances": "structure.sched.target"}
#: Units of the reserve and support fields edited outside the tables (field → kind).
SECTION_KINDS: dict[str, str] = {
    "initial_balance": "wan",
    "target_amount": "wan",
    "target_percent": "pct",
    "cap_per_period": "wan",
    "cap_total": "wan",
}
#: Defaults of a row the structurer adds (fields the editor does not show).
NEW_TRANCHE: dict[str, Any] = {"coupon": {"coupon_type": "fixed", "rate": 0.0}}
NEW_FEE: dict[str, Any] = {}
NEW_TRIGGER: dict[str, Any] = {}

#: Editor column → label key.
COLUMN_LABELS: dict[str, str] = {
    "name": "structure.col.name",
    "tranche_class": "structure.col.class",
    "balance_wan": "structure.col.balance",
    "coupon_type": "structure.col.coupon_type",
    "rate_pct": "structure.col.rate",
    "spread_pct": "structure.col.spread",
    "principal_type": "structure.col.principal_type",
    "period_yield_pct": "structure.col.period_yield",
    "rating": "structure.col.rating",
    "expected_maturity_date": "structure.col.expected_maturity",
    "fee_type": "structure.col.fee_type",
    "surcharge_pct": "structure.col.surcharge",
    "base": "structure.col.base",
    "amount_wan": "structure.col.amount",
    "pay_share_pct": "structure.col.pay_share",
    "cap_wan": "structure.col.cap",
    "condition": "structure.col.condition",
    "threshold": "structure.col.threshold",
    "date": "structure.col.date",
    "event": "structure.col.event",
    "cure": "structure.col.cure",
}


# --- deal ↔ editor tables (pure; no Streamlit) -------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[path[-1]] = value


def _to_cell(value: Any, kind: str) -> Any:
    """A deal field value (JSON form) as an editor cell."""
    if value is None:
        return None
    if kind == "wan":
        return round(float(value) / fmt.WAN, 6)
    if kind == "pct":
        return round(float(value) * 100, 8)
    if kind == "date":
        return dt.date.fromisoformat(str(value))
    return value


def _from_cell(value: Any, kind: str) -> Any:
    """An editor cell as a deal field value (JSON form; ``None`` when empty)."""
    if _missing(value):
        return False if kind == "bool" else None
    if kind == "text":
        return str(value).strip()
    if kind == "bool":
        return bool(value)
    if kind == "date":
        if isinstance(value, pd.Timestamp | dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value  # let the model report the bad value with its field path
    if kind == "wan":
        return round(number * fmt.WAN, 2)
    if kind == "pct":
        return round(number / 100, 12)
    return number


def _same(a: Any, b: Any) -> bool:
    if _missing(a) and _missing(b):
        return True
    if _missing(a) or _missing(b):
        return False
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)
    if isinstance(a, pd.Timestamp | dt.datetime):
        a = a.date()
    if isinstance(b, pd.Timestamp | dt.datetime):
        b = b.date()
    return bool(a == b)


def section_frame(
    items: list[dict[str, Any]], fields: dict[str, tuple[tuple[str, ...], str]]
) -> pd.DataFrame:
    """Editor table of a deal section (list of JSON dicts), with the hidden row-id column."""
    rows = []
    for i, item in enumerate(items):
        row: dict[str, Any] = {ROW_ID: i}
        for col, (path, kind) in fields.items():
            row[col] = _to_cell(_get(item, path), kind)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[ROW_ID, *fields])
    for col, (_, kind) in fields.items():
        if kind in ("wan", "pct", "number"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        elif kind == "bool":
            frame[col] = frame[col].fillna(False).astype(bool)
        else:  # text, enum, date: plain objects (None stays None)
            frame[col] = frame[col].astype("object")
    return frame


def apply_section_edits(
    items: list[dict[str, Any]],
    base: pd.DataFrame,
    edited: pd.DataFrame,
    fields: dict[str, tuple[tuple[str, ...], str]],
    *,
    new_item: dict[str, Any],
    adjust: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """The section's JSON dicts after the editor's changes (rows kept, edited, added, deleted).

    A field is rewritten only where the cell differs from the snapshot, so untouched values
    (and fields the editor does not show, such as ``target_balances``) survive unchanged;
    ``adjust(original, edited)`` then updates dependent fields of an edited row (a tranche's
    amortisation schedule follows its size: :func:`rescale_schedule`).
    """
    by_id = {int(r[ROW_ID]): r for _, r in base.iterrows()}
    out: list[dict[str, Any]] = []
    for _, row in edited.iterrows():
        raw_id: Any = row.get(ROW_ID)
        row_id = None if _missing(raw_id) else int(raw_id)
        original = None if row_id is None else by_id.get(row_id)
        if original is not None and row_id is not None:
            item = copy.deepcopy(items[row_id])
        else:
            item = copy.deepcopy(new_item)
        if original is None and all(_missing(row.get(c)) for c in fields):
            continue  # an added row the structurer left empty
        for col, (path, kind) in fields.items():
            value = row.get(col)
            if original is None and _missing(value):
                continue  # a new row's empty cell: the model's default applies
            if original is not None and _same(value, original.get(col)):
                continue
            _set(item, path, _from_cell(value, kind))
        if adjust is not None and original is not None and row_id is not None:
            adjust(items[row_id], item)
        out.append(item)
    return out


def rescale_schedule(original: dict[str, Any], edited: dict[str, Any]) -> None:
    """Scale a tranche's 固定摊还 targets with its size (in place on ``edited``).

    Resizing 优先A1 from 20,000万 to 5,000万 multiplies every target balance by 0.25 (rounded to
    the fen), so the schedule keeps its shape and stays between 0 and the new size; the page
    says so and the edit log records it. A schedule the structurer edited in the same step, a
    size that is not a positive number, or a tranche without targets is left alone (the model
    then reports any inconsistency).
    """
    targets = edited.get("target_balances")
    old, new = original.get("balance"), edited.get("balance")
    if not targets or targets != original.get("target_balances"):
        return
    if not isinstance(old, int | float) or not isinstance(new, int | float):
        return
    if old <= 0 or new <= 0 or math.isclose(old, new, rel_tol=0, abs_tol=0.005):
        return
    factor = float(new) / float(old)
    edited["target_balances"] = [min(round(float(b) * factor, 2), float(new)) for b in targets]


def describe_changes(old: Deal, new: Deal, lang: str) -> str:
    """One line for the edit log naming what changed between two deals."""
    parts: list[str] = []
    old_t = {tr.name: tr for tr in old.tranches}
    for tr in new.tranches:
        prev = old_t.get(tr.name)
        if prev is None:
            parts.append(t("structure.log.added", lang, name=tr.name))
            continue
        if not math.isclose(prev.balance, tr.balance, abs_tol=0.005):
            parts.append(
                t(
                    "structure.log.balance",
                    lang,
                    name=tr.name,
                    old=fmt.wan(prev.balance),
                    new=fmt.wan(tr.balance),
                )
            )
        if prev.coupon != tr.coupon:
            parts.append(
                t(
                    "structure.log.coupon",
                    lang,
                    name=tr.name,
                    old=fmt.pct(prev.coupon.rate, 3),
                    new=fmt.pct(tr.coupon.rate, 3),
                )
            )
        if prev.target_balances != tr.target_balances and tr.target_balances:
            parts.append(t("structure.log.schedule", lang, name=tr.name))
        if prev.principal_type != tr.principal_type:
            parts.append(
                t(
                    "structure.log.principal_type",
                    lang,
                    name=tr.name,
                    value=_enum_label(tr.principal_type, lang),
                )
            )
    removed = set(old_t) - {tr.name for tr in new.tranches}
    parts.extend(t("structure.log.removed", lang, name=name) for name in sorted(removed))
    for section in ("fees", "reserve", "support", "triggers"):
        if getattr(old, section) != getattr(new, section):
            parts.append(t(f"structure.log.{section}", lang))
    return "；".join(parts) if lang == "zh" else "; ".join(parts) or t("structure.log.other", lang)


def _enum_label(member: LabelledEnum, lang: str) -> str:
    return member.zh if lang == "zh" else member.value


def section_label(section: str, lang: str) -> str:
    """The editor section a field path starts with (分档, 税费 …); 交易 for the others."""
    key = f"structure.section.{section}"
    return t(key if key in LABELS else "structure.section.(root)", lang)


def other_issue_lines(issues: Iterable[Issue], *, shown_sections: set[str], lang: str) -> list[str]:
    """Lines for the issues of sections no editor slot shows (the deal as a whole, the
    waterfall, revolving terms …), each in the session language."""
    sections = {(i.column or "(root)").split(".")[0] for i in issues} - shown_sections
    lines: list[str] = []
    for section in sorted(sections):
        lines.extend(issue_lines(issues, section=section, fields=None, names=[], lang=lang))
    return lines


def deal_issue_lines(issues: list[Issue], data: dict[str, Any], lang: str) -> list[str]:
    """Every issue of an edited or uploaded deal (JSON form ``data``), section by section, in
    the session language: rows and columns as the editors name them."""
    sections: list[tuple[str, dict[str, tuple[tuple[str, ...], str]] | None]] = [
        ("tranches", TRANCHE_FIELDS),
        ("fees", FEE_FIELDS),
        ("reserve", None),
        ("support", None),
        ("triggers", TRIGGER_FIELDS),
        ("dates", None),
        ("name", None),
    ]
    lines: list[str] = []
    for section, fields in sections:
        items = data.get(section) if isinstance(data, dict) else None
        names = (
            [str(x.get("name") or "") if isinstance(x, dict) else "" for x in items]
            if isinstance(items, list)
            else []
        )
        lines.extend(issue_lines(issues, section=section, fields=fields, names=names, lang=lang))
    lines.extend(other_issue_lines(issues, shown_sections={s for s, _ in sections}, lang=lang))
    return list(dict.fromkeys(lines))


def issue_lines(
    issues: Iterable[Issue],
    *,
    section: str,
    fields: dict[str, tuple[tuple[str, ...], str]] | None,
    names: list[str],
    lang: str,
) -> list[str]:
    """Readable lines for the validation issues of one section (row, column label, rule, value)."""
    lines: list[str] = []
    for issue in issues:
        loc = (issue.column or "").split(".")
        if not loc or loc[0] != section:
            continue
        where = section_label(section, lang)
        kind: str | None = None
        if len(loc) > 1 and loc[1].isdigit() and fields is not None:
            idx = int(loc[1])
            label = names[idx] if idx < len(names) and names[idx] else ""
            where = t("structure.row", lang, row=idx + 1, name=label)
            sub = tuple(p for p in loc[2:] if not p.isdigit())
            for col, (path, col_kind) in fields.items():
                if sub[: len(path)] == path:
                    where += " · " + t(COLUMN_LABELS[col], lang)
                    kind = col_kind
                    break
            else:
                if sub and sub[0] in EXTRA_FIELD_LABELS:
                    where += " · " + t(EXTRA_FIELD_LABELS[sub[0]], lang)
                    kind = "wan"
                    index = [p for p in loc[2:] if p.isdigit()]
                    if index:
                        where += t("structure.sched.nth", lang, n=int(index[0]) + 1)
                elif sub:
                    where += " · " + ".".join(sub)
        elif len(loc) > 1:
            where += " · " + ".".join(loc[1:])
            kind = SECTION_KINDS.get(loc[-1])
        rule = rule_text(issue, kind=kind, lang=lang)
        value = value_text(issue.value, kind=kind)
        if lang == "zh":
            shown = f"（输入 {value}）" if value else ""
            lines.append(f"{where}：{rule}{shown}")
        else:
            shown = f" (entered {value})" if value else ""
            lines.append(f"{where}: {rule}{shown}")
    return lines


# --- rendering ---------------------------------------------------------------------------------


def _enum_column(label_key: str, enum: type[LabelledEnum], lang: str) -> Any:
    return st.column_config.SelectboxColumn(
        t(label_key),
        options=[m.value for m in enum],
        format_func=lambda v: localize.enum_label(enum(str(v)), lang),
        required=True,
    )


def _tranche_config(lang: str) -> dict[str, Any]:
    return {
        ROW_ID: None,
        "name": st.column_config.TextColumn(t("structure.col.name"), required=True),
        "tranche_class": _enum_column("structure.col.class", TrancheClass, lang),
        "balance_wan": st.column_config.NumberColumn(
            t("structure.col.balance"), format="accounting", step=0.01
        ),
        "coupon_type": _enum_column("structure.col.coupon_type", CouponType, lang),
        "rate_pct": st.column_config.NumberColumn(t("structure.col.rate"), format="%.3f"),
        "spread_pct": st.column_config.NumberColumn(t("structure.col.spread"), format="%.3f"),
        "principal_type": _enum_column("structure.col.principal_type", PrincipalType, lang),
        "period_yield_pct": st.column_config.NumberColumn(
            t("structure.col.period_yield"), format="%.3f"
        ),
        "rating": st.column_config.TextColumn(t("structure.col.rating")),
        "expected_maturity_date": st.column_config.DateColumn(
            t("structure.col.expected_maturity"), format="YYYY-MM-DD"
        ),
    }


def _fee_config(lang: str) -> dict[str, Any]:
    return {
        ROW_ID: None,
        "name": st.column_config.TextColumn(t("structure.col.name"), required=True),
        "fee_type": _enum_column("structure.col.fee_type", FeeType, lang),
        "rate_pct": st.column_config.NumberColumn(t("structure.col.fee_rate"), format="%.4f"),
        "surcharge_pct": st.column_config.NumberColumn(t("structure.col.surcharge"), format="%.2f"),
        "base": _enum_column("structure.col.base", FeeBase, lang),
        "amount_wan": st.column_config.NumberColumn(t("structure.col.amount"), format="accounting"),
        "pay_share_pct": st.column_config.NumberColumn(t("structure.col.pay_share"), format="%.1f"),
        "cap_wan": st.column_config.NumberColumn(t("structure.col.cap"), format="accounting"),
    }


def _trigger_config(lang: str) -> dict[str, Any]:
    return {
        ROW_ID: None,
        "name": st.column_config.TextColumn(t("structure.col.name"), required=True),
        "condition": _enum_column("structure.col.condition", TriggerCondition, lang),
        "threshold": st.column_config.NumberColumn(
            t("structure.col.threshold"), help=t("structure.threshold_help"), format="%.4f"
        ),
        "date": st.column_config.DateColumn(t("structure.col.date"), format="YYYY-MM-DD"),
        "event": _enum_column("structure.col.event", EventType, lang),
        "cure": st.column_config.CheckboxColumn(t("structure.col.cure")),
    }


def editor_key(section: str, version: int) -> str:
    """Widget key of a section editor for the current editor version."""
    return f"structure_{section}_{version}"


def _section_editor(
    section: str,
    items: list[dict[str, Any]],
    fields: dict[str, tuple[tuple[str, ...], str]],
    config: dict[str, Any],
    *,
    version: int,
    new_item: dict[str, Any],
    adjust: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    base = section_frame(items, fields)
    edited = st.data_editor(
        base,
        key=editor_key(section, version),
        column_config=config,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
    )
    return apply_section_edits(items, base, edited, fields, new_item=new_item, adjust=adjust)


def _money_input(label_key: str, value: float | None, *, key: str) -> float | None:
    shown = None if value is None else round(value / fmt.WAN, 2)
    # no bounds: a typed −100 must reach the model and be reported, never become 100
    out = st.number_input(t(label_key), value=shown, step=10.0, key=key)
    return None if out is None else round(float(out) * fmt.WAN, 2)


def _reserve_editor(reserve: dict[str, Any] | None, *, version: int) -> dict[str, Any] | None:
    on = st.toggle(
        t("structure.reserve.enable"), value=reserve is not None, key=f"res_on_{version}"
    )
    if not on:
        return None
    data = copy.deepcopy(reserve) if reserve else {}
    cols = st.columns(4)
    with cols[0]:
        data["initial_balance"] = (
            _money_input(
                "structure.reserve.initial",
                data.get("initial_balance", 0.0),
                key=f"res_i_{version}",
            )
            or 0.0
        )
    with cols[1]:
        data["target_amount"] = (
            _money_input(
                "structure.reserve.target", data.get("target_amount", 0.0), key=f"res_t_{version}"
            )
            or 0.0
        )
    with cols[2]:
        pct = st.number_input(
            t("structure.reserve.percent"),
            value=round(float(data.get("target_percent", 0.0)) * 100, 4),
            key=f"res_p_{version}",
        )
        data["target_percent"] = round(float(pct) / 100, 10)
    with cols[3]:
        rules = [m.value for m in ReserveTargetRule]
        current = str(data.get("target_rule", ReserveTargetRule.FIXED.value))
        data["target_rule"] = st.selectbox(
            t("structure.reserve.rule"),
            rules,
            index=rules.index(current) if current in rules else 0,
            format_func=lambda v: localize.enum_label(ReserveTargetRule(v), state.language()),
            key=f"res_r_{version}",
        )
    return data


def _support_editor(
    block: dict[str, Any] | None, *, kind: str, version: int
) -> dict[str, Any] | None:
    on = st.toggle(t(f"structure.{kind}.enable"), value=block is not None, key=f"{kind}_{version}")
    if not on:
        return None
    data = copy.deepcopy(block) if block else {}
    cols = st.columns(3)
    with cols[0]:
        data["provider"] = st.text_input(
            t(f"structure.{kind}.provider"),
            value=str(data.get("provider") or ""),
            key=f"{kind}_p_{version}",
        ).strip()
    with cols[1]:
        data["cap_per_period"] = _money_input(
            "structure.cap_per_period", data.get("cap_per_period"), key=f"{kind}_cp_{version}"
        )
    with cols[2]:
        data["cap_total"] = _money_input(
            "structure.cap_total", data.get("cap_total"), key=f"{kind}_ct_{version}"
        )
    return data


#: Deal terms edited at the top of the page: field → label key (text fields).
TERM_TEXT_FIELDS: dict[str, str] = {
    "name": "structure.term.name",
    "originator": "structure.term.originator",
    "manager": "structure.term.manager",
}
#: Dates edited at the top of the page: field of ``dates`` → label key.
TERM_DATE_FIELDS: dict[str, str] = {
    "cutoff_date": "structure.term.cutoff",
    "closing_date": "structure.term.closing",
    "first_payment_date": "structure.term.first_payment",
    "expected_maturity_date": "structure.term.expected_maturity",
    "legal_maturity_date": "structure.term.legal_maturity",
}


def _terms_editor(data: dict[str, Any], *, version: int, lang: str) -> dict[str, Any]:
    """Deal name, originator, manager, dates and frequency; returns the updated fields."""
    out: dict[str, Any] = {}
    cols = st.columns(len(TERM_TEXT_FIELDS))
    for col, (field, label_key) in zip(cols, TERM_TEXT_FIELDS.items(), strict=True):
        text = col.text_input(
            t(label_key), value=str(data.get(field) or ""), key=f"term_{field}_{version}"
        ).strip()
        out[field] = text if text or field == "name" else None
    dates = dict(data["dates"])
    cols = st.columns(len(TERM_DATE_FIELDS) + 1)
    for col, (field, label_key) in zip(cols, TERM_DATE_FIELDS.items(), strict=False):
        picked = col.date_input(
            t(label_key),
            value=dt.date.fromisoformat(str(dates[field])),
            min_value=dt.date(2000, 1, 1),
            max_value=dt.date(2100, 12, 31),
            format="YYYY-MM-DD",
            key=f"term_{field}_{version}",
        )
        if isinstance(picked, dt.date):
            dates[field] = picked.isoformat()
    freqs = [m.value for m in Frequency]
    current = str(dates.get("frequency", Frequency.QUARTERLY.value))
    dates["frequency"] = cols[-1].selectbox(
        t("structure.term.frequency"),
        freqs,
        index=freqs.index(current) if current in freqs else 0,
        format_func=lambda v: localize.enum_label(Frequency(v), lang),
        key=f"term_frequency_{version}",
    )
    out["dates"] = dates
    return out


def schedule_frame(targets: list[float], payment_dates: list[dt.date]) -> pd.DataFrame:
    """A 固定摊还 schedule as an editor table: period, payment date, target balance (万元)."""
    n = len(targets) or len(payment_dates)
    return pd.DataFrame(
        {
            "period": list(range(1, n + 1)),
            "payment_date": [
                payment_dates[i].isoformat() if i < len(payment_dates) else "—" for i in range(n)
            ],
            "target_wan": [
                round(float(targets[i]) / fmt.WAN, 2) if i < len(targets) else None
                for i in range(n)
            ],
        }
    )


def targets_from_frame(
    frame: pd.DataFrame, original: list[float] | None = None
) -> list[float | None]:
    """Target balances (yuan) from the schedule editor; an empty cell stays ``None``.

    A cell still showing its original target (shown to 0.01万元) keeps the exact original
    value: the editor's display rounding never rewrites a schedule (a sized tranche's targets
    are not whole 100 yuan, and rounding them could lift a target above the balance).
    """
    shown = schedule_frame(original, [])["target_wan"].tolist() if original else []
    out: list[float | None] = []
    for i, v in enumerate(frame["target_wan"].tolist()):
        if _missing(v):
            out.append(None)
        elif original is not None and i < len(original) and v == shown[i]:
            out.append(original[i])
        else:
            out.append(round(float(v) * fmt.WAN, 2))
    return out


def _schedule_editors(
    tranches: list[dict[str, Any]], dates: dict[str, Any], *, version: int, lang: str
) -> list[dict[str, Any]]:
    """One editable schedule per 固定摊还 tranche (payment dates follow the deal's dates)."""
    scheduled = [i for i, tr in enumerate(tranches) if tr.get("principal_type") == "scheduled"]
    if not scheduled:
        return tranches
    try:
        from abs.calendar import build_schedule
        from abs.deal import DealDates

        payment_dates = list(build_schedule(DealDates.model_validate(dates)).payment_dates)
    except Exception:  # invalid dates are reported with the terms; show periods only
        payment_dates = []
    out = [dict(tr) for tr in tranches]
    with st.expander(t("structure.schedules"), expanded=False):
        st.caption(t("structure.schedules_note", n=len(payment_dates)))
        for i in scheduled:
            tr = out[i]
            targets = [float(b) for b in (tr.get("target_balances") or [])]
            frame = schedule_frame(targets, payment_dates)
            st.markdown(f"**{tr.get('name') or ''}**")
            edited = st.data_editor(
                frame,
                key=f"schedule_{i}_{version}",
                column_config={
                    "period": st.column_config.NumberColumn(
                        t("structure.sched.period"), disabled=True, format="%d"
                    ),
                    "payment_date": st.column_config.TextColumn(
                        t("structure.sched.date"), disabled=True
                    ),
                    "target_wan": st.column_config.NumberColumn(
                        t("structure.sched.target"), format="accounting"
                    ),
                },
                num_rows="dynamic",
                hide_index=True,
            )
            new_targets = targets_from_frame(edited, targets)
            # a schedule still blank is not one: the model then asks for the schedule once
            # (固定摊还 needs target balances), not once per empty cell
            blank = all(v is None for v in new_targets)
            if new_targets != targets and not blank:
                tr["target_balances"] = new_targets
    return out


def _show_issues(lines: list[str]) -> None:
    if lines:
        st.error("\n".join(f"- {line}" for line in lines), title=t("structure.invalid"))


def render() -> None:
    """Draw the page."""
    header("page.structure")
    lang = state.language()
    base_json, version = state.editor_base()
    data: dict[str, Any] = json.loads(base_json)
    st.caption(t("structure.intro"))

    st.subheader(t("structure.terms"))
    terms = _terms_editor(data, version=version, lang=lang)
    terms_slot = st.container()

    st.subheader(t("structure.tranches"))
    tranches = _section_editor(
        "tranches",
        list(data["tranches"]),
        TRANCHE_FIELDS,
        _tranche_config(lang),
        version=version,
        new_item=NEW_TRANCHE,
        adjust=rescale_schedule,
    )
    tranches = _schedule_editors(tranches, terms["dates"], version=version, lang=lang)
    tranche_slot = st.container()
    checks_slot = st.container()

    st.subheader(t("structure.fees"))
    fees = _section_editor(
        "fees",
        list(data.get("fees") or []),
        FEE_FIELDS,
        _fee_config(lang),
        version=version,
        new_item=NEW_FEE,
    )
    fee_slot = st.container()

    st.subheader(t("structure.support"))
    reserve = _reserve_editor(data.get("reserve"), version=version)
    support_in = dict(data.get("support") or {})
    shortfall = _support_editor(
        support_in.get("shortfall_commitment"), kind="shortfall", version=version
    )
    guarantee = _support_editor(support_in.get("guarantee"), kind="guarantee", version=version)
    support_slot = st.container()

    st.subheader(t("structure.triggers"))
    triggers = _section_editor(
        "triggers",
        list(data.get("triggers") or []),
        TRIGGER_FIELDS,
        _trigger_config(lang),
        version=version,
        new_item=NEW_TRIGGER,
    )
    trigger_slot = st.container()

    candidate = dict(data)
    candidate.update(terms)
    candidate.update(
        tranches=tranches,
        fees=fees,
        reserve=reserve,
        support={"shortfall_commitment": shortfall, "guarantee": guarantee},
        triggers=triggers,
    )
    new_deal, issues = engine.validate_deal_data(candidate, source=t("where.structure"))
    names = {
        "tranches": [str(x.get("name") or "") for x in tranches],
        "fees": [str(x.get("name") or "") for x in fees],
        "triggers": [str(x.get("name") or "") for x in triggers],
    }
    slots: list[tuple[Any, str, dict[str, tuple[tuple[str, ...], str]] | None]] = [
        (tranche_slot, "tranches", TRANCHE_FIELDS),
        (fee_slot, "fees", FEE_FIELDS),
        (support_slot, "reserve", None),
        (support_slot, "support", None),
        (trigger_slot, "triggers", TRIGGER_FIELDS),
        (terms_slot, "dates", None),
        (terms_slot, "name", None),
    ]
    shown: set[str] = set()
    for slot, section, fields in slots:
        lines = issue_lines(
            issues, section=section, fields=fields, names=names.get(section, []), lang=lang
        )
        shown.update(lines)
        with slot:
            _show_issues(lines)
    other = [
        line
        for line in other_issue_lines(
            issues, shown_sections={section for _, section, _ in slots}, lang=lang
        )
        if line not in shown
    ]
    if other:
        with tranche_slot:
            _show_issues(other)

    if new_deal is not None:
        new_json = engine.deal_to_json(new_deal)
        if new_json != state.current_json():
            previous = engine.deal_from_json(state.current_json())
            state.set_current(
                new_json,
                source_label=state.source(),
                edit=describe_changes(previous, new_deal, lang),
                from_editors=True,
            )
            st.rerun()  # so the sidebar (undo, edit log) and every figure show the new deal
    else:
        with tranche_slot:
            st.warning(t("structure.kept_last_good"))
    with checks_slot:
        render_checks(state.current_json())
    render_order(state.current_json(), lang)
    render_sizing(state.current_json(), lang)


def checks_table(deal_json: str, lang: str) -> pd.DataFrame:
    """Per tranche: size, share, subordination, and each stress scenario's outcome."""
    checks = engine.structure_checks(deal_json)
    stress = engine.stress_grid(deal_json, engine.default_set_name(deal_json))
    rows = []
    for _, tr in checks.tranches.iterrows():
        name = str(tr["name"])
        row: dict[str, Any] = {
            t("structure.col.name", lang): name,
            t("structure.col.class", lang): _enum_label(TrancheClass(tr["class"]), lang),
            t("structure.col.balance", lang): fmt.wan(float(tr["balance"])),
            t("structure.check.share", lang): fmt.pct(float(tr["share"])),
            t("structure.check.subordination", lang): fmt.pct(float(tr["subordination"])),
        }
        for scenario in stress.scenarios:
            if not bool(stress.paid.loc[scenario, name]):
                mark = "✗"
            elif float(stress.support_drawn.loc[scenario]) > 0.005:
                mark = "⚠"  # paid in full only with reserve / 差额支付 / guarantee draws
            else:
                mark = "✓"
            value: Any = stress.min_coverage_principal.loc[scenario, name]
            cov = fmt.ratio(float(value))
            row[scenario] = f"{mark} {cov}"
        rows.append(row)
    return pd.DataFrame(rows)


def render_checks(deal_json: str) -> None:
    """Live checks of the current (valid) structure: sizes, subordination, coverage, stress."""
    lang = state.language()
    st.subheader(t("structure.checks"))
    started = time.perf_counter()
    checks = engine.structure_checks(deal_json)
    checks_frame = checks_table(deal_json, lang)
    base = engine.base_case(deal_json)
    elapsed = time.perf_counter() - started
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("structure.check.issue"), fmt.money(checks.issue_amount, lang=lang))
    c2.metric(t("structure.check.pool"), fmt.money(checks.pool_amount, lang=lang))
    c3.metric(
        t("structure.check.pool_over_issue"), fmt.ratio(checks.pool_amount / checks.issue_amount)
    )
    c4.metric(
        t("structure.check.base_cov"),
        fmt.ratio(base.senior_min_coverage),
        help=t("structure.check.base_cov_help"),
    )
    st.caption(
        t(
            "structure.check.base_cov_interest",
            value=fmt.ratio(base.senior_min_coverage_interest),
        )
    )
    if base.support_needed:
        st.warning(
            t(
                "check.support_needed",
                draws=fmt.money(sum(base.support_draws.values()), lang=lang),
            )
        )
    table(checks_frame, key="structure_checks")
    st.caption(
        t(
            "structure.check.caption",
            set=set_label(engine.default_set_name(deal_json), lang),
            seconds=f"{elapsed:.2f}",
        )
    )
    for key, fields in checks.findings:
        shown = {
            k: (fmt.money(float(v), lang=lang) if k in ("issue", "pool") else fmt.pct(float(v)))  # type: ignore[arg-type]
            for k, v in fields.items()
        }
        st.warning(t(key, **shown))


#: Sizing targets (覆盖倍数 / 盈亏平衡倍数 / 指示性评级), in the selector's order.
SIZING_KINDS: tuple[str, ...] = ("coverage", "breakeven", "rating", "split")


def _solved(solve: Callable[[], _T]) -> _T | None:
    """``solve()``, or None after showing its error: a spec or scenario error names the rule
    (``st.error``); anything else is a bug and propagates to :func:`guarded`."""
    try:
        return solve()
    except DabsError as exc:
        st.error(str(exc))
        return None


def render_sizing(deal_json: str, lang: str) -> None:
    """Size the seniors to a target; show the resulting structure before applying it."""
    st.subheader(t("sizing.title"))
    kind = str(
        st.radio(
            t("sizing.kind"),
            SIZING_KINDS,
            format_func=lambda k: t(f"sizing.kind.{k}", lang),
            horizontal=True,
            key="sizing_kind",
        )
    )
    if kind == "coverage":
        render_coverage_sizing(deal_json, lang)
    elif kind == "split":
        render_split_sizing(deal_json, lang)
    else:
        render_breakeven_sizing(deal_json, lang, kind)


def render_coverage_sizing(deal_json: str, lang: str) -> None:
    """Size the seniors to a coverage floor in a chosen scenario."""
    st.caption(t("sizing.note"))
    c1, c2, c3 = st.columns(3)
    floor = float(c1.number_input(t("sizing.floor"), value=1.3, step=0.05, key="sizing_floor"))
    with_principal = c2.toggle(
        t("sizing.basis_principal"), value=True, help=t("sizing.basis_help"), key="sizing_basis"
    )
    basis = "principal" if with_principal else "interest"
    stress = engine.stress_grid(deal_json, engine.default_set_name(deal_json))
    scenario = str(c3.selectbox(t("sizing.scenario"), stress.scenarios, key="sizing_scenario"))
    if not floor >= 0:
        st.error(t("sizing.bad_floor", value=f"{floor:g}"))
        return
    if not st.toggle(t("sizing.run"), key="sizing_on"):
        return
    view = _solved(
        lambda: engine.sizing(
            deal_json, floor=floor, include_principal=basis == "principal", scenario=scenario
        )
    )
    if view is None:
        return
    before = engine.deal_from_json(deal_json)
    after = engine.deal_from_json(view.deal_json)
    rows = [
        {
            t("structure.col.name"): a.name,
            t("sizing.col.before"): fmt.wan(b.balance),
            t("sizing.col.after"): fmt.wan(a.balance),
            t("structure.check.share"): fmt.pct(a.balance / after.issue_amount),
        }
        for b, a in zip(before.tranches, after.tranches, strict=True)
    ]
    table(pd.DataFrame(rows), key="sizing_table")
    sized = engine.base_case(view.deal_json)
    st.markdown(
        t(
            f"sizing.status.{view.status}",
            cov=fmt.ratio(sized.senior_min_coverage),
            cov_interest=fmt.ratio(sized.senior_min_coverage_interest),
        )
    )
    if view.deal_json != deal_json and st.button(t("sizing.apply"), key="sizing_apply"):
        state.set_current(
            view.deal_json,
            source_label=state.source(),
            edit=t(
                "sizing.log",
                lang,
                floor=f"{floor:.2f}×",
                basis=t(f"sizing.basis.{basis}", lang),
                scenario=scenario,
            ),
        )
        st.rerun()


def _sizing_target_text(
    kind: str, view: engine.TargetSizingView, value: float, grade: str, lang: str
) -> str:
    """The target as a sentence part, in ``lang`` (also the edit log's wording)."""
    if kind == "multiple":
        return t("sizing.target.multiple", lang, value=f"{value:.2f}×")
    if kind == "cdr":
        return t("sizing.target.cdr", lang, value=fmt.pct(value))
    from scenarios.rating import load_multiples

    multiple = next(g.multiple for g in load_multiples().grades if g.grade == grade)
    return t(
        "sizing.target.grade",
        lang,
        grade=grade,
        base=fmt.pct(view.base_cdr),
        multiple=f"{multiple:.2f}",
        cdr=fmt.pct(view.target_cdr),
    )


def _sizing_inputs(kind: str, lang: str) -> tuple[str, float, str] | None:
    """(engine kind, value, grade) from the break-even/grade inputs; None after an st.error."""
    from scenarios.rating import load_multiples

    if kind == "rating":
        grades = [g.grade for g in load_multiples().grades]
        grade = str(st.selectbox(t("sizing.grade"), grades, index=1, key="sizing_grade"))
        st.caption(t("sizing.grade_note"))
        if grade not in grades:  # a stale session value: never a silent fallback
            st.error(t("sizing.bad_grade", grade=grade, grades="、".join(grades)))
            return None
        return "grade", 0.0, grade
    c1, c2 = st.columns(2)
    unit = str(
        c1.selectbox(
            t("sizing.be_unit"),
            ("multiple", "cdr"),
            format_func=lambda u: t(f"sizing.be_unit.{u}", lang),
            key="sizing_be_unit",
        )
    )
    if unit == "multiple":
        value = float(
            c2.number_input(t("sizing.be_multiple"), value=3.0, step=0.5, key="sizing_multiple")
        )
        if not (math.isfinite(value) and value > 0):
            st.error(t("sizing.bad_multiple", value=f"{value:g}"))
            return None
        return "multiple", value, ""
    pct_value = float(
        c2.number_input(t("sizing.be_cdr"), value=20.0, step=1.0, key="sizing_cdr_pct")
    )
    if not (math.isfinite(pct_value) and 0 < pct_value <= 100):
        st.error(t("sizing.bad_cdr", value=f"{pct_value:g}"))
        return None
    return "cdr", pct_value / 100.0, ""


def render_breakeven_sizing(deal_json: str, lang: str, kind: str) -> None:
    """Size the seniors to a break-even margin or an indicative grade (仅供参考)."""
    from scenarios.breakeven import format_breakeven
    from scenarios.factors import get_factor
    from scenarios.rating import BELOW_TABLE

    st.caption(t("sizing.be_note"))
    inputs = _sizing_inputs(kind, lang)
    if inputs is None or not st.toggle(t("sizing.run"), key="sizing_on"):
        return
    target_kind, value, grade = inputs
    view = _solved(
        lambda: engine.sizing_target(deal_json, kind=target_kind, value=value, grade=grade)
    )
    if view is None:
        return
    before = engine.deal_from_json(deal_json)
    after = engine.deal_from_json(view.deal_json)
    achieved = {name: (v, status, cdr) for name, v, status, cdr in view.breakevens}
    grades = dict(zip((b[0] for b in view.breakevens), view.grades, strict=False))
    rows = []
    for b, a in zip(before.tranches, after.tranches, strict=True):
        row = {
            t("structure.col.name"): a.name,
            t("sizing.col.before"): fmt.wan(b.balance),
            t("sizing.col.after"): fmt.wan(a.balance),
            t("structure.check.share"): fmt.pct(a.balance / after.issue_amount),
        }
        got = achieved.get(a.name)
        row[t("sizing.col.breakeven")] = (
            format_breakeven("pd_multiplier", got[0], got[1], lang=lang) if got else "—"
        )
        if target_kind != "multiple":
            row[t("sizing.col.cdr")] = fmt.pct(got[2]) if got and got[2] is not None else "—"
        if target_kind == "grade":
            g = grades.get(a.name)
            row[t("sizing.col.grade")] = (
                "—" if g is None else t("sizing.below_table") if g == BELOW_TABLE else g
            )
        rows.append(row)
    table(pd.DataFrame(rows), key="sizing_table")
    target = _sizing_target_text(target_kind, view, value, grade, lang)
    st.markdown(
        t(
            f"sizing.target.status.{view.status}",
            senior=fmt.money(view.senior_total, lang=lang),
            share=fmt.pct(view.senior_share),
            target=target,
        )
    )
    if not math.isfinite(view.threshold):
        hi = get_factor("pd_multiplier").search_max
        st.warning(t("sizing.target.unreachable", cdr=fmt.pct(view.target_cdr), hi=f"{hi:g}×"))
    if view.deal_json != deal_json and st.button(t("sizing.apply"), key="sizing_apply"):
        state.set_current(
            view.deal_json,
            source_label=state.source(),
            edit=t("sizing.log_target", lang, target=target),
        )
        st.rerun()


def _split_target_input(
    slot: str, label: str, lang: str, *, optional: bool
) -> tuple[str, float, str, bool] | str | None:
    """(kind, value, grade, incl. principal) of one class target; None for "none"; "bad"
    after an st.error."""
    from scenarios.rating import load_multiples
    from scenarios.sizing import SPLIT_KINDS

    kinds = (("none",) if optional else ()) + SPLIT_KINDS
    c1, c2 = st.columns(2)
    kind = str(
        c1.selectbox(
            label,
            kinds,
            format_func=lambda k: t(f"sizing.split.kind.{k}", lang),
            key=f"sizing_split_{slot}_kind",
        )
    )
    if kind == "none":
        return None
    if kind == "grade":
        grades = [g.grade for g in load_multiples().grades]
        grade = str(c2.selectbox(t("sizing.grade"), grades, key=f"sizing_split_{slot}_grade"))
        return "grade", math.nan, grade, False
    default = {"coverage": 1.3, "multiple": 3.0, "cdr": 20.0}[kind]
    value = float(
        c2.number_input(t("sizing.split.value"), value=default, key=f"sizing_split_{slot}_{kind}")
    )
    if kind == "coverage":
        if not value >= 0:
            st.error(t("sizing.bad_floor", value=f"{value:g}"))
            return "bad"
        return "coverage", value, "", True
    if kind == "multiple":
        if not (math.isfinite(value) and value > 0):
            st.error(t("sizing.bad_multiple", value=f"{value:g}"))
            return "bad"
        return "multiple", value, "", False
    if not (math.isfinite(value) and 0 < value <= 100):
        st.error(t("sizing.bad_cdr", value=f"{value:g}"))
        return "bad"
    return "cdr", value / 100.0, "", False


def _split_target_text(name: str, target: tuple[str, float, str, bool], lang: str) -> str:
    kind, value, grade, _principal = target
    shown = {
        "coverage": f"{value:.2f}×",
        "multiple": f"{value:.2f}×",
        "cdr": fmt.pct(value),
        "grade": "",
    }[kind]
    return t(
        f"sizing.split.target.{kind}",
        lang,
        name=name,
        value=shown,
        grade=grade,
        basis=t("sizing.basis.principal", lang),
    )


def render_split_sizing(deal_json: str, lang: str) -> None:
    """Size the split between the senior classes (A1/A2) to a target on A1."""
    from abs.enums import TrancheClass
    from scenarios.breakeven import format_breakeven
    from scenarios.rating import BELOW_TABLE

    st.caption(t("sizing.split.note"))
    before = engine.deal_from_json(deal_json)
    seniors = [x.name for x in before.tranches if x.tranche_class is TrancheClass.SENIOR]
    if len(seniors) < 2:
        classes = ("、" if lang == "zh" else ", ").join(x.name for x in before.tranches)
        st.info(t("sizing.split.one_senior", classes=classes))
        return
    first = _split_target_input(
        "first", t("sizing.split.first", name=seniors[0]), lang, optional=False
    )
    second = _split_target_input(
        "second", t("sizing.split.second", names="/".join(seniors[1:])), lang, optional=True
    )
    if first is None or isinstance(first, str) or isinstance(second, str):
        return
    if not st.toggle(t("sizing.run"), key="sizing_on"):
        return
    view = _solved(lambda: engine.sizing_split(deal_json, target=first, second=second))
    if view is None:
        return
    after = engine.deal_from_json(view.deal_json)
    measures = {m[0]: m for m in view.measures}
    breakeven_kinds = {first[0], second[0] if second else "coverage"} != {"coverage"}
    rows = []
    for b, a in zip(before.tranches, after.tranches, strict=True):
        row = {
            t("structure.col.name"): a.name,
            t("sizing.col.before"): fmt.wan(b.balance),
            t("sizing.col.after"): fmt.wan(a.balance),
            t("structure.check.share"): fmt.pct(a.balance / after.issue_amount),
        }
        m = measures.get(a.name)
        row[t("sizing.split.col.coverage")] = f"{fmt.ratio(m[3])} / {fmt.ratio(m[2])}" if m else "—"
        if breakeven_kinds:
            row[t("sizing.col.breakeven")] = (
                format_breakeven("pd_multiplier", m[4], m[5] or "", lang=lang)
                if m and m[4] is not None
                else "—"
            )
            row[t("sizing.col.cdr")] = fmt.pct(m[6]) if m and m[6] is not None else "—"
        if "grade" in (first[0], second[0] if second else ""):
            g = m[7] if m else None
            row[t("sizing.col.grade")] = (
                "—" if g is None else t("sizing.below_table") if g == BELOW_TABLE else g
            )
        rows.append(row)
    table(pd.DataFrame(rows), key="sizing_table")
    target = _split_target_text(view.first, first, lang)
    st.markdown(
        t(
            f"sizing.split.status.{view.status}",
            first=view.first,
            size=fmt.money(view.first_size, lang=lang),
            share=fmt.pct(view.first_share),
            target=target,
        )
    )
    if second is not None:
        aim = _split_target_text("/".join(view.others), second, lang)
        key = "sizing.split.second_meets" if view.second_meets else "sizing.split.second_fails"
        st.markdown(t(key, target=aim))
    if view.non_monotone:
        pairs = ", ".join(f"{fmt.wan(x)} → {fmt.wan(y)}" for x, y in view.non_monotone)
        st.warning(t("sizing.split.non_monotone", pairs=pairs))
    if view.deal_json != deal_json and st.button(t("sizing.apply"), key="sizing_apply"):
        state.set_current(
            view.deal_json,
            source_label=state.source(),
            edit=t("sizing.split.log", lang, target=target),
        )
        st.rerun()


if __name__ == "__main__":
    guarded(render)
