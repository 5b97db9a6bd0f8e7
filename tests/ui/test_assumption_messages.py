"""The projection assumptions form words a rejected value in the session language.

The model's issue (field path ``assumptions.stress.pd_multiplier``, pydantic code) reads as the
form labels the field, the rule in the form's unit, and the value as typed.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from abs.io import deal_to_json, load_deal
from ui import engine
from ui.views.projection_page import assumption_issue_text

CJK = re.compile(r"[\u3400-\u9fff]")


def _issues(**changes: Any) -> list[Any]:
    data = json.loads(deal_to_json(load_deal("qingdao-pure")))
    data["assumptions"].update(changes)
    deal, issues = engine.validate_deal_data(data, source="assumptions")
    assert deal is None
    return issues


def test_a_negative_pd_multiplier_reads_in_each_language() -> None:
    (issue,) = _issues(stress={"pd_multiplier": -1.0})
    assert issue.column == "assumptions.stress.pd_multiplier"
    assert assumption_issue_text(issue, "zh") == "违约率倍数（×）：须不小于 0（-1）"
    assert assumption_issue_text(issue, "en") == "PD multiplier (×): must be at least 0 (-1)"


def test_a_per_kind_cell_names_the_kind_and_an_empty_cell_shows_no_nan() -> None:
    (issue,) = _issues(pd_by_type={"data_licence": float("nan")})
    assert assumption_issue_text(issue, "zh") == "数据授权 · 年违约率（%）：须为有限数字"
    assert (
        assumption_issue_text(issue, "en")
        == "data license · Annual PD (%): must be a finite number"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"stress": {"recovery_haircut": 1.5}},
        {"renewal_probability": -0.1},
        {"collection_delay": -2},
        {"recovery_by_type": {"data_licence": 2.0}},
    ],
)
def test_each_mode_shows_one_language(changes: dict[str, Any]) -> None:
    for issue in _issues(**changes):
        zh = assumption_issue_text(issue, "zh")
        en = assumption_issue_text(issue, "en")
        assert CJK.search(zh) and not re.search(r"[A-Za-z]{3,}", zh.replace("PD", "")), zh
        assert not CJK.search(en), en
        assert "assumptions." not in zh + en  # never the model's field path
