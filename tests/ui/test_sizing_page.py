"""结构设计 sizing section (AppTest): the break-even and indicative-grade targets.

The coverage target is tested in ``tests/ui/test_app.py``; these tests drive the target-kind
selector, show the sized structure before applying it, apply it to the edit log, explain the
statuses in the session language and refuse bad targets with ``st.error``.
"""

from __future__ import annotations

import re

import pytest

from tests.ui.test_app import assert_clean, current_deal, goto, markdown_text, start
from ui import state

_CJK = re.compile(r"[\u3400-\u9fff]")


def _sized_table(at):  # type: ignore[no-untyped-def]
    return next(df.value for df in at.dataframe if "测算规模（万元）" in df.value.columns)


def _wan(cell: object) -> float:
    return float(str(cell).replace(",", ""))


def test_breakeven_margin_shows_then_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "qingdao-pure"), "structure")
    at.radio(key="sizing_kind").set_value("breakeven").run()
    at.number_input(key="sizing_multiple").set_value(15.0)
    at.toggle(key="sizing_on").set_value(True).run()
    assert_clean(at)
    sized = _sized_table(at)
    assert sized["当前规模（万元）"].tolist() == ["20,000.00", "25,000.00", "5,000.00"]
    seniors = _wan(sized["测算规模（万元）"].iloc[0]) + _wan(sized["测算规模（万元）"].iloc[1])
    # 优先A2 has 18.65× at 45,000万 of seniors and 11.94× at the largest size: 15× binds between
    assert 45_000 < seniors < 50_000
    # the seniors keep their 20:25 split; 次级 takes the rest of the 50,000万 issue
    assert _wan(sized["测算规模（万元）"].iloc[0]) == pytest.approx(seniors * 20 / 45, abs=0.02)
    assert _wan(sized["测算规模（万元）"].iloc[2]) == pytest.approx(50_000 - seniors, abs=0.02)
    achieved = sized["临界违约率倍数"].tolist()
    assert achieved[1] == "15.00×" and achieved[2] == "—"  # A2 binds; 次级 is not a target
    assert float(achieved[0].rstrip("×")) >= 15.0
    text = markdown_text(at)
    assert "已求得：优先级合计" in text and "各优先档临界违约率倍数 ≥ 15.00×" in text
    assert current_deal(at).tranches[1].balance == 250_000_000.0  # shown, not yet applied
    at.button(key="sizing_apply").click().run()
    assert_clean(at)
    applied = current_deal(at)
    assert (applied.tranches[0].balance + applied.tranches[1].balance) / 1e4 == pytest.approx(
        seniors, abs=0.02
    )
    assert applied.issue_amount == 500_000_000.0
    log = state.edits(at.session_state)[-1]  # type: ignore[arg-type]
    assert log == "规模测算：各优先档临界违约率倍数 ≥ 15.00×"


def test_indicative_grade_that_does_not_bind_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "qingdao-pure"), "structure")
    at.radio(key="sizing_kind").set_value("rating").run()
    at.selectbox(key="sizing_grade").set_value("AAA")
    at.toggle(key="sizing_on").set_value(True).run()
    assert_clean(at)
    sized = _sized_table(at)
    # base CDR 2.35% × 5.0 = 11.76% for AAA; at 1 yuan of 次级, 优先A2 still survives 11.94×
    # (CDR 24.63%): the target does not bind
    assert sized["指示性评级"].tolist() == ["AAA", "AAA", "—"]
    text = markdown_text(at)
    assert "目标不构成约束" in text and "仅供参考" in text
    assert "各优先档指示性评级达到 AAA（临界累计违约率 ≥ 基准 2.35% × 5.00 = 11.76%" in text


def test_cdr_target_in_english_shows_one_language(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "qingdao-pure"), "structure")
    at.radio(key="sizing_kind").set_value("breakeven").run()
    at.selectbox(key="sizing_be_unit").set_value("cdr").run()
    at.number_input(key="sizing_cdr_pct").set_value(30.0)
    at.toggle(key="sizing_on").set_value(True).run()
    # switched last: AppTest cannot read a selectbox whose labels changed language in place
    at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    assert_clean(at)
    sized = next(df.value for df in at.dataframe if "Sized (CNY 10k)" in df.value.columns)
    assert list(sized.columns)[1:] == [
        "Current size (CNY 10k)",
        "Sized (CNY 10k)",
        sized.columns[3],
        "Break-even PD multiple",
        "Break-even CDR",
    ]
    cdrs = [c for c in sized["Break-even CDR"].tolist() if c != "—"]
    assert min(float(c.rstrip("%")) for c in cdrs) == pytest.approx(30.0, abs=0.01)
    # the page itself (the sidebar lists library versions whose messages are the users' own)
    text = "\n".join(str(m.value) for m in at.main.markdown)
    assert "Solved: seniors total" in text and "every senior's break-even CDR ≥ 30.00%" in text
    names = {"优先A1", "优先A2", "次级"}
    assert not _CJK.search(at.radio(key="sizing_kind").label)
    for name in (*names, current_deal(at).name):  # names the structurer gave stay as given
        text = text.replace(name, "")
    assert not _CJK.search(text), text
    for column in sized.columns:
        assert not _CJK.search(str(column))
    assert set(sized.iloc[:, 0]) == names


@pytest.mark.parametrize(
    ("lang", "setup", "expected"),
    [
        ("zh", ("sizing_multiple", 0.0), "目标临界违约率倍数 0 无效：须为大于 0 的有限数。"),
        ("en", ("sizing_multiple", -2.0), "Target break-even PD multiple -2 is invalid"),
        ("zh", ("sizing_cdr_pct", 150.0), "目标临界累计违约率 150% 无效：须大于 0% 且不超过 100%"),
        ("en", ("sizing_cdr_pct", 0.0), "Target break-even CDR 0% is invalid"),
    ],
)
def test_bad_targets_are_refused_with_an_error(
    monkeypatch: pytest.MonkeyPatch, lang: str, setup: tuple[str, float], expected: str
) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "structure")
    if lang == "en":
        at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    at.radio(key="sizing_kind").set_value("breakeven").run()
    key, value = setup
    if key == "sizing_cdr_pct":
        at.selectbox(key="sizing_be_unit").set_value("cdr").run()
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    messages = [str(e.value) for e in at.error]
    assert any(expected in m for m in messages), messages
    assert not any(t.key == "sizing_on" for t in at.toggle)  # nothing runs on a bad target


def test_schedule_editor_keeps_a_sized_schedule_exact() -> None:
    from ui.views.structure_page import schedule_frame, targets_from_frame

    # a sized 固定摊还 tranche: balance = first target = 265,176,749.37 (not whole 100 yuan);
    # shown as 26,517.67万 (rounded up to 265,176,700), it must not be written back as such
    targets = [265_176_749.37, 100_000_050.05, 0.0]
    frame = schedule_frame(targets, [])
    assert frame["target_wan"].tolist() == [26_517.67, 10_000.01, 0.0]
    assert targets_from_frame(frame, targets) == targets
    edited = frame.copy()
    edited.loc[1, "target_wan"] = 9_000.0  # the one cell the structurer changed
    assert targets_from_frame(edited, targets) == [265_176_749.37, 90_000_000.0, 0.0]


def test_sized_schedule_tranches_apply_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    # qingdao-pure's 优先A1/A2 are 固定摊还: the sized schedules scale and stay valid in the
    # editors after applying (no error, no rewrite of the targets)
    at = goto(start(monkeypatch, "qingdao-pure"), "structure")
    at.number_input(key="sizing_floor").set_value(2.0)
    at.toggle(key="sizing_on").set_value(True).run()
    assert_clean(at)
    at.button(key="sizing_apply").click().run()
    assert_clean(at)
    applied = current_deal(at)
    k = applied.tranches[0].balance / 200_000_000.0
    assert 0.5 < k < 1.0
    from abs.io import load_deal

    original = load_deal("qingdao-pure").tranches[0].target_balances
    assert original is not None
    assert applied.tranches[0].target_balances == tuple(b * k for b in original)


def test_split_to_a_breakeven_on_a1_shows_then_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    # qingdao-pure 优先A1 20,000万 / 优先A2 25,000万: a 20× break-even on A1 alone lets A1 grow
    # to 27,879.76万 (the CLI's figure); A2 keeps 18.97×, short of a 19× second target
    at = goto(start(monkeypatch, "qingdao-pure"), "structure")
    at.radio(key="sizing_kind").set_value("split").run()
    at.selectbox(key="sizing_split_first_kind").set_value("multiple").run()
    at.number_input(key="sizing_split_first_multiple").set_value(20.0)
    at.selectbox(key="sizing_split_second_kind").set_value("multiple").run()
    at.number_input(key="sizing_split_second_multiple").set_value(19.0)
    at.toggle(key="sizing_on").set_value(True).run()
    assert_clean(at)
    sized = _sized_table(at)
    assert sized["当前规模（万元）"].tolist() == ["20,000.00", "25,000.00", "5,000.00"]
    assert sized["测算规模（万元）"].tolist() == ["27,879.76", "17,120.24", "5,000.00"]
    achieved = sized["临界违约率倍数"].tolist()
    assert achieved == ["20.00×", "18.97×", "—"]
    text = markdown_text(at)
    assert "已求得：优先A1" in text and "优先A1 临界违约率倍数 ≥ 20.00×" in text
    assert "测算结构下优先A2 临界违约率倍数 ≥ 19.00×：不满足。" in text
    assert current_deal(at).tranches[0].balance == 200_000_000.0  # shown, not yet applied
    at.button(key="sizing_apply").click().run()
    assert_clean(at)
    applied = current_deal(at)
    assert applied.tranches[0].balance / 1e4 == pytest.approx(27_879.76, abs=0.01)
    assert applied.tranches[0].balance + applied.tranches[1].balance == pytest.approx(450e6)
    assert applied.issue_amount == 500_000_000.0
    log = state.edits(at.session_state)[-1]  # type: ignore[arg-type]
    assert log == "优先级内部分层：优先A1 临界违约率倍数 ≥ 20.00×"


def test_split_on_a_single_senior_deal_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    at = goto(start(monkeypatch, "rugao-labelled"), "structure")
    at.sidebar.radio(key=state.KEY_LANG).set_value("en").run()
    at.radio(key="sizing_kind").set_value("split").run()
    assert not at.exception
    assert any("This deal has one senior tranche" in str(i.value) for i in at.info)
    assert not any(x.key == "sizing_on" for x in at.toggle)
