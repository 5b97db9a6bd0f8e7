"""The deal spec's rules in the session language: every rule has a code, every code a wording.

* :func:`test_every_spec_rule_raises_a_code` reads the spec modules (AST): a validator that
  raises a bare ``ValueError`` (a rule without a code, so English in Chinese mode) fails it;
* :func:`test_every_code_is_worded_and_every_wording_is_used` ties the codes raised in ``abs/``
  to :data:`ui.rules.RULES`;
* :func:`test_each_rule_reads_in_one_language` breaks each rule on a real deal and reads its
  wording in both languages;
* the AppTest cases drive the rules a structurer can reach through the dashboard (structure
  and term editors, waterfall order, custom stress, deal upload) in both languages and read
  the error box: no English word in Chinese mode outside names and units, no CJK character in
  English mode outside the names the structurer gave.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import abs as abs_pkg
from abs.errors import Issue
from abs.io import deal_to_json, load_deal
from tests.ui.test_app import current_deal, goto, start
from ui import state
from ui.engine import validate_deal_data
from ui.messages import rule_text
from ui.rules import RULES

ABS_DIR = Path(abs_pkg.__file__).resolve().parent
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
_WORD = re.compile(r"[A-Za-z]{2,}")
_VALIDATORS = {"model_validator", "field_validator"}


# --- every rule has a code -----------------------------------------------------------------------


def _decorated(fn: ast.FunctionDef) -> bool:
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Name) and target.id in _VALIDATORS:
            return True
    return False


def _called_names(fn: ast.FunctionDef) -> set[str]:
    return {
        node.func.id
        for node in ast.walk(fn)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def _uncoded_raises(fn: ast.FunctionDef) -> list[str]:
    """``raise`` statements that state a rule without a code."""
    bad = []
    for node in ast.walk(fn):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        exc = node.exc
        if not isinstance(exc, ast.Call) or not isinstance(exc.func, ast.Name):
            continue  # re-raise of a caught error
        name = exc.func.id
        if name == "rule_error":
            continue
        if name == "DealSpecError" and any(k.arg == "code" for k in exc.keywords):
            continue
        bad.append(f"{fn.name}: line {node.lineno}: raise {name}(...) without a code")
    return bad


def _spec_modules() -> list[Path]:
    out = []
    for path in sorted(ABS_DIR.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if any(v in text for v in _VALIDATORS):
            out.append(path)
    return out


def test_every_spec_rule_raises_a_code() -> None:
    modules = _spec_modules()
    assert {p.name for p in modules} >= {"deal.py", "asset.py"}
    problems: list[str] = []
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        # validators, and the module's functions they call (one level: _distinct, check_revolving)
        checked = [f for f in functions.values() if _decorated(f)]
        called = set().union(*(_called_names(f) for f in checked)) if checked else set()
        checked += [functions[n] for n in sorted(called) if n in functions]
        for fn in checked:
            problems += [f"{path.name}: {p}" for p in _uncoded_raises(fn)]
    assert not problems, problems


def _raised_codes() -> set[str]:
    codes: set[str] = set()
    for path in sorted(ABS_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id == "rule_error" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    codes.add(first.value)
                else:  # the re-raise of a coded DealSpecError inside a validator
                    assert ast.unparse(first) == "exc.code", ast.unparse(node)
            if node.func.id == "DealSpecError":
                for kw in node.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant):
                        codes.add(str(kw.value.value))
    return codes


def test_every_code_is_worded_and_every_wording_is_used() -> None:
    raised = _raised_codes()
    assert len(raised) >= 25
    assert raised - set(RULES) == set(), "codes with no wording in ui/rules.py"
    assert set(RULES) - raised == set(), "wordings of codes nothing raises"


# --- each rule, broken on a real deal, reads in one language --------------------------------------

Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        keys = path.split(".")
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        last = keys[-1]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return edit


def _steps(data: dict[str, Any], *steps: dict[str, Any]) -> None:
    from ui.views.waterfall_order import current_lists

    lists = current_lists(load_deal(str(data["__example"]), with_pool=False))
    lists["normal"] = [*lists["normal"], *steps]
    data["waterfall"] = lists


def _trigger(**fields: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        base = {"name": "测试触发", "condition": "senior_interest_unpaid", "event": "acceleration"}
        data["triggers"] = [*data.get("triggers", []), {**base, **fields}]

    return edit


def _revolving(**fields: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["revolving"] = {**data["revolving"], **fields}

    return edit


def _generator(**fields: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        gen = {"seed": 1, "amount_per_period": 1e7, "asset_amount": 1e6, **fields}
        data["revolving"] = {**data["revolving"], "replenishment": {"generator": gen}}

    return edit


def _both_sources(data: dict[str, Any]) -> None:
    gen = {"seed": 1, "amount_per_period": 1e7, "asset_amount": 1e6}
    data["revolving"] = {**data["revolving"], "replenishment": {"tape": "x.csv", "generator": gen}}


def _drop_revolve(data: dict[str, Any]) -> None:
    from ui.views.waterfall_order import current_lists

    lists = current_lists(load_deal("scf-revolving-labelled", with_pool=False))
    lists["normal"] = [s for s in lists["normal"] if s["step"] != "revolve"]
    data["waterfall"] = lists


def _asset(**fields: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        assets = data["pool"]["assets"]
        assets[0] = {**assets[0], **fields}

    return edit


def _dup_asset(data: dict[str, Any]) -> None:
    assets = data["pool"]["assets"]
    assets[1] = {**assets[1], "asset_id": assets[0]["asset_id"]}


#: code → (example, edit that breaks exactly that rule). ``finite_number`` (the asset reader's
#: guard) sits behind pydantic's own non-finite check, so it is worded from its context below.
CASES: dict[str, tuple[str, Edit]] = {
    "dates_closing_before_cutoff": ("rugao-labelled", _set("dates.closing_date", "2025-01-01")),
    "dates_first_payment_not_after_closing": (
        "rugao-labelled",
        _set("dates.first_payment_date", "2025-04-25"),
    ),
    "dates_expected_before_first_payment": (
        "rugao-labelled",
        _set("dates.expected_maturity_date", "2025-05-01"),
    ),
    "dates_legal_before_expected": (
        "rugao-labelled",
        _set("dates.legal_maturity_date", "2026-01-01"),
    ),
    "dates_frequency_once": ("rugao-labelled", _set("dates.frequency", "once")),
    "tranche_scheduled_needs_targets": (
        "rugao-labelled",
        _set("tranches.0.principal_type", "scheduled"),
    ),
    "schedule_target_out_of_range": (
        "qingdao-pure",
        _set("tranches.0.target_balances.1", 250_000_000.0),
    ),
    "trigger_needs_threshold": (
        "rugao-labelled",
        _trigger(condition="cumulative_default_rate_above"),
    ),
    "trigger_needs_date": ("rugao-labelled", _trigger(condition="date_reached")),
    "trigger_early_amortisation_cure": (
        "scf-revolving-labelled",
        _trigger(event="early_amortisation", cure=True),
    ),
    "trigger_periods_not_revolving": ("rugao-labelled", _trigger(periods=3)),
    "trigger_needs_revolving": (
        "rugao-labelled",
        _trigger(condition="revolving_rate_below", threshold=0.5),
    ),
    "step_names_repeated": (
        "rugao-labelled",
        lambda d: _steps(d, {"step": "pay_interest", "tranches": ["优先A", "优先A"]}),
    ),
    "support_providers_repeated": (
        "rugao-labelled",
        lambda d: _steps(d, {"step": "reimburse_support", "providers": ["guarantee"] * 2}),
    ),
    "generator_kind_mix": ("scf-revolving-labelled", _generator(kind_mix={"receivable": 0.0})),
    "replenishment_one_source": ("scf-revolving-labelled", _both_sources),
    "revolving_period_one_of": ("scf-revolving-labelled", _revolving(end_date="2026-06-30")),
    "tranche_names_duplicate": ("rugao-labelled", _set("tranches.1.name", "优先A")),
    "fee_names_duplicate": ("rugao-labelled", _set("fees.1.name", "增值税及附加")),
    "scenario_names_duplicate": (
        "rugao-labelled",
        _set("stress_scenarios", [{"name": "自定", "stress": {}}] * 2),
    ),
    "tranche_order": (
        "rugao-labelled",
        lambda d: (
            _set("tranches.0.tranche_class", "subordinated")(d),
            _set("tranches.1.tranche_class", "senior")(d),
        ),
    ),
    "step_revolve_without_revolving": (
        "rugao-labelled",
        lambda d: _steps(d, {"step": "revolve"}),
    ),
    "step_unknown_fees": (
        "rugao-labelled",
        lambda d: _steps(d, {"step": "pay_fees", "fees": ["审计费"]}),
    ),
    "step_unknown_providers": (
        "rugao-labelled",
        lambda d: _steps(d, {"step": "reimburse_support", "providers": ["shortfall_commitment"]}),
    ),
    "step_unknown_tranches": (
        "rugao-labelled",
        lambda d: _steps(d, {"step": "pay_principal", "tranches": ["优先B"]}),
    ),
    "revolving_without_revolve_step": ("scf-revolving-labelled", _drop_revolve),
    "revolving_period_before_first": (
        "scf-revolving-labelled",
        _revolving(periods=None, end_date="2020-01-01"),
    ),
    "revolving_period_too_long": ("scf-revolving-labelled", _revolving(periods=600)),
    "asset_maturity_before_start": ("rugao-labelled", _asset(maturity_date="2000-01-01")),
    "asset_id_duplicate": ("rugao-labelled", _dup_asset),
}


def _deal_names(example: str) -> list[str]:
    """Every string of the example's deal file (names the structurer gave, tape values, dates),
    longest first: shown as given in either language."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.strip():
            found.add(node.strip())

    walk(json.loads(deal_to_json(load_deal(example))))
    found |= {"优先B", "审计费", "测试触发", "自定"}  # names the cases above give
    codes = re.compile(r"^[a-z][a-z0-9_]*$")  # option codes are not names: they are translated
    return sorted((s for s in found if not codes.match(s)), key=len, reverse=True)


def _offending(text: str, lang: str, names: list[str]) -> list[str]:
    for name in names:
        text = text.replace(name, " ")
    if lang == "en":
        return _CJK.findall(text)
    return _WORD.findall(text)


def _broken(code: str) -> tuple[str, Issue]:
    example, edit = CASES[code]
    data = json.loads(deal_to_json(load_deal(example)))
    data["__example"] = example
    edit(data)
    data.pop("__example")
    deal, issues = validate_deal_data(data, source="test")
    assert deal is None, f"{code}: the edit broke nothing"
    assert [i.code for i in issues] == [code], [(i.code, i.rule) for i in issues]
    return example, issues[0]


def test_every_rule_has_a_case() -> None:
    assert set(CASES) | {"finite_number"} == set(RULES)


@pytest.mark.parametrize("code", sorted(CASES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_rule_reads_in_one_language(code: str, lang: str) -> None:
    example, issue = _broken(code)
    text = rule_text(issue, kind=None, lang=lang)
    assert text and text != issue.rule
    assert not _offending(text, lang, _deal_names(example)), text


def test_rule_wording_hand_checked() -> None:
    _, issue = _broken("schedule_target_out_of_range")
    assert rule_text(issue, kind=None, lang="zh") == (
        "摊还计划第2期目标余额 25,000.00 万元 须在 0 与上一期目标 17,000.00 万元 之间"
        "（目标余额只减不增）"
    )
    _, issue = _broken("dates_closing_before_cutoff")
    assert rule_text(issue, kind=None, lang="zh") == "设立日 2025-01-01 早于封包日 2025-03-31"
    assert rule_text(issue, kind=None, lang="en") == (
        "Closing date 2025-01-01 is before the cut-off date 2025-03-31"
    )
    _, issue = _broken("step_unknown_tranches")
    assert rule_text(issue, kind=None, lang="zh") == (
        "正常分配 第9步「偿还本金」列出了不存在的档位 「优先B」；现有档位：「优先A」、「次级」"
    )
    finite = Issue("deal", "x", code="finite_number", context={"name": "amount", "value": "inf"})
    assert rule_text(finite, kind=None, lang="zh") == "须为有限数字"
    assert rule_text(finite, kind=None, lang="en") == "must be a finite number"


# --- through the dashboard, in both languages ---------------------------------------------------


def _lang(at: Any, lang: str) -> None:
    if lang == "en":
        at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()


def _errors(at: Any) -> list[str]:
    assert not at.exception, [e.value for e in at.exception]
    return [str(e.value) for e in at.error]


def _edit_rows(at: Any, section: str, rows: dict[int, dict[str, Any]], added: Any = ()) -> None:
    version = at.session_state[state.KEY_EDITOR_VERSION]
    at.session_state[f"structure_{section}_{version}"] = {
        "edited_rows": rows,
        "added_rows": list(added),
        "deleted_rows": [],
    }
    at.run()


def _structure(example: str, lang: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    at = goto(start(monkeypatch, example), "structure")
    _lang(at, lang)
    return at


def _dates(at: Any, field: str, value: dt.date) -> None:
    version = at.session_state[state.KEY_EDITOR_VERSION]
    at.date_input(key=f"term_{field}_{version}").set_value(value).run()


def _order_remove(at: Any, lang: str, step: str) -> None:
    deal = current_deal(at)
    from ui.views.waterfall_order import current_lists

    index = [s["step"] for s in current_lists(deal)["normal"]].index(step)
    picker = next(
        sb for sb in at.selectbox if str(sb.key).startswith(f"order_pick_normal_{lang}_")
    )  # keyed by the list's content
    picker.set_value(index).run()
    at.button(key="order_remove").click().run()


def _order_add(at: Any, lang: str, kind: str, targets: list[str]) -> None:
    at.selectbox(key=f"order_add_kind_{lang}").set_value(kind).run()
    at.multiselect(key=f"order_add_targets_{kind}").set_value(targets).run()
    at.button(key="order_add").click().run()


def _custom(at: Any, lang: str, name: str) -> None:
    at.text_input(key="custom_name").set_value(name)
    label = "添加情景" if lang == "zh" else "Add scenario"
    at.button(key=f"FormSubmitter:custom_form-{label}").click().run()


def _upload(at: Any, data: dict[str, Any]) -> None:
    at.sidebar.file_uploader[0].upload("bad.json", json.dumps(data).encode(), "application/json")
    at.run()


def _bad_upload(example: str) -> dict[str, Any]:
    data = json.loads(deal_to_json(load_deal(example)))
    data["fees"][1]["name"] = data["fees"][0]["name"]
    return data


#: (example, page, action, expected Chinese, expected English) per dashboard path.
DASHBOARD: dict[str, tuple[str, str, Callable[[Any, str], None], str, str]] = {
    "scheduled_without_schedule": (
        "rugao-labelled",
        "structure",
        lambda at, lang: _edit_rows(at, "tranches", {0: {"principal_type": "scheduled"}}),
        "第1行「优先A」：本金偿付方式为「固定摊还」时须填写固定摊还计划（目标余额）",
        "row 1 '优先A': principal type 'scheduled' needs an amortisation schedule",
    ),
    "tranche_names": (
        "rugao-labelled",
        "structure",
        lambda at, lang: _edit_rows(at, "tranches", {1: {"name": "优先A"}}),
        "交易：档位名称不能重复：「优先A」",
        "deal: tranche names must be unique; repeated: '优先A'",
    ),
    "tranche_order": (
        "rugao-labelled",
        "structure",
        lambda at, lang: _edit_rows(
            at,
            "tranches",
            {0: {"tranche_class": "subordinated"}, 1: {"tranche_class": "senior"}},
        ),
        "档位须按优先级、夹层、次级的顺序排列",
        "tranches are listed senior, then mezzanine, then subordinated",
    ),
    "trigger_threshold": (
        "rugao-labelled",
        "structure",
        lambda at, lang: _edit_rows(
            at, "triggers", {0: {"condition": "cumulative_default_rate_above"}}
        ),
        "条件「累计违约率超过阈值」须填写阈值",
        "row 1 '优先级利息未足额兑付': condition 'cumulative default rate above' needs a threshold",
    ),
    "trigger_cure": (
        "scf-revolving-labelled",
        "structure",
        lambda at, lang: _edit_rows(
            at,
            "triggers",
            {},
            added=[
                {
                    "name": "测试触发",
                    "condition": "senior_interest_unpaid",
                    "event": "early_amortisation",
                    "cure": True,
                }
            ],
        ),
        "不能勾选「可恢复」",
        "'Cure' must be off for event",
    ),
    "closing_before_cutoff": (
        "rugao-labelled",
        "structure",
        lambda at, lang: _dates(at, "closing_date", dt.date(2025, 1, 1)),
        "产品要素：设立日 2025-01-01 早于封包日 2025-03-31",
        "deal terms: Closing date 2025-01-01 is before the cut-off date 2025-03-31",
    ),
    "order_without_revolve": (
        "scf-revolving-labelled",
        "structure",
        lambda at, lang: _order_remove(at, lang, "revolve"),
        "正常分配顺序中没有「循环购买」步骤",
        "the normal list has no 'Revolve (buy new assets)' step",
    ),
    "order_unknown_provider": (
        "rugao-labelled",
        "structure",
        lambda at, lang: _order_add(at, lang, "reimburse_support", ["shortfall_commitment"]),
        "正常分配 第9步「返还增信垫款」列出了本交易没有的增信提供方 「差额支付承诺人」",
        "Normal, step 9 'Reimburse support draws' names provider(s) 'shortfall commitment' "
        "the deal does not have",
    ),
    "custom_name_clash": (
        "rugao-labelled",
        "stress",
        lambda at, lang: _custom(at, lang, "基准"),
        "情景名称「基准」与情景组中的情景重名",
        "The scenario name '基准' is already used by the scenario set",
    ),
    "custom_name_too_long": (
        "rugao-labelled",
        "stress",
        lambda at, lang: _custom(at, lang, "长" * 61),
        "不能超过 60 个字符",
        "must be at most 60 characters",
    ),
    "custom_factor_bound": (
        "rugao-labelled",
        "stress",
        lambda at, lang: (
            at.number_input(key="custom_revenue_haircut").set_value(150.0),
            _custom(at, lang, "过度"),
        ),
        "收入下降：须不超过 100.00%",
        "must be at most 100.00%",
    ),
    "upload_deal": (
        "rugao-labelled",
        "pool",
        lambda at, lang: _upload(at, _bad_upload("rugao-labelled")),
        "交易：税费名称不能重复：「增值税及附加」",
        "deal: fee names must be unique; repeated: '增值税及附加'",
    ),
}


@pytest.mark.parametrize("case", sorted(DASHBOARD))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard_shows_the_rule_in_the_session_language(
    monkeypatch: pytest.MonkeyPatch, case: str, lang: str
) -> None:
    example, page, action, zh, en = DASHBOARD[case]
    at = start(monkeypatch, example)
    _lang(at, lang)  # before the page: its widgets are built in the session language
    goto(at, page)
    before = at.session_state[state.KEY_DEAL_JSON]
    action(at, lang)
    messages = _errors(at)
    expected = zh if lang == "zh" else en
    assert any(expected in m for m in messages), messages
    names = [*_deal_names(example), "bad.json", "长" * 61, "基准", "过度"]  # names typed
    for m in messages:
        assert not _offending(m, lang, names), m
    assert at.session_state[state.KEY_DEAL_JSON] == before  # nothing applied
