"""The structure editors' mapping between deal sections and editor tables (no Streamlit run)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from abs.errors import Issue
from ui.views import structure_page as sp

TRANCHES: list[dict[str, Any]] = [
    {
        "name": "优先A",
        "tranche_class": "senior",
        "balance": 123_000_000.0,
        "coupon": {"coupon_type": "fixed", "rate": 0.024, "spread": 0.0},
        "principal_type": "scheduled",
        "target_balances": [100_000_000.0, 50_000_000.0, 0.0],
        "period_yield": 0.0,
        "rating": "AAAsf",
        "expected_maturity_date": "2027-04-26",
    },
    {
        "name": "次级",
        "tranche_class": "subordinated",
        "balance": 7_000_000.0,
        "coupon": {"coupon_type": "fixed", "rate": 0.0, "spread": 0.0},
        "principal_type": "pass_through",
        "period_yield": 0.0,
        "rating": None,
        "expected_maturity_date": None,
    },
]


def test_frame_shows_units_the_structurer_reads() -> None:
    frame = sp.section_frame(TRANCHES, sp.TRANCHE_FIELDS)
    assert frame[sp.ROW_ID].tolist() == [0, 1]
    # 123,000,000 元 = 12,300 万元; 0.024 = 2.4 %
    assert frame["balance_wan"].tolist() == [12_300.0, 700.0]
    assert frame["rate_pct"].tolist() == [2.4, 0.0]
    assert frame["expected_maturity_date"].iloc[0] == dt.date(2027, 4, 26)


def test_no_edit_changes_nothing_and_hidden_fields_survive() -> None:
    base = sp.section_frame(TRANCHES, sp.TRANCHE_FIELDS)
    out = sp.apply_section_edits(
        TRANCHES, base, base.copy(), sp.TRANCHE_FIELDS, new_item=sp.NEW_TRANCHE
    )
    assert out == TRANCHES
    assert out is not TRANCHES and out[0] is not TRANCHES[0]  # copies, input untouched


def test_edit_add_delete() -> None:
    base = sp.section_frame(TRANCHES, sp.TRANCHE_FIELDS)
    edited = base.copy()
    edited.loc[0, "balance_wan"] = 11_000.0  # → 110,000,000 元
    edited.loc[0, "rate_pct"] = 2.15  # → 0.0215
    edited = edited.drop(index=1)
    added = pd.DataFrame(
        [
            {
                sp.ROW_ID: None,
                "name": "次级B",
                "tranche_class": "subordinated",
                "balance_wan": 1_000.0,
            }
        ]
    )
    edited = pd.concat([edited, added], ignore_index=True)
    out = sp.apply_section_edits(TRANCHES, base, edited, sp.TRANCHE_FIELDS, new_item=sp.NEW_TRANCHE)
    assert [x["name"] for x in out] == ["优先A", "次级B"]
    assert out[0]["balance"] == 110_000_000.0
    assert out[0]["coupon"]["rate"] == 0.0215
    assert out[0]["target_balances"] == [100_000_000.0, 50_000_000.0, 0.0]
    # a new row takes the defaults for the cells left empty
    assert out[1] == {
        "coupon": {"coupon_type": "fixed", "rate": 0.0},
        "name": "次级B",
        "tranche_class": "subordinated",
        "balance": 10_000_000.0,
    }


def test_empty_added_row_is_ignored() -> None:
    base = sp.section_frame(TRANCHES, sp.TRANCHE_FIELDS)
    blank = pd.DataFrame([{sp.ROW_ID: None}])
    edited = pd.concat([base, blank], ignore_index=True)
    out = sp.apply_section_edits(TRANCHES, base, edited, sp.TRANCHE_FIELDS, new_item=sp.NEW_TRANCHE)
    assert out == TRANCHES


def test_issue_lines_name_row_and_column() -> None:
    issues = [
        Issue(
            source="结构设计",
            rule="Input should be greater than 0",
            column="tranches.1.balance",
            value=0.0,
            code="greater_than",
            context={"gt": 0.0},
        ),
        Issue(
            source="结构设计",
            rule="Input should be a valid number",
            column="tranches.0.coupon.rate",
            value="x",
            code="float_parsing",
        ),
        Issue(source="结构设计", rule="Field required", column="fees.0.fee_type", code="missing"),
        Issue(  # a cross-field rule of the model: worded by its code
            source="结构设计",
            rule="tranche 优先A: principal_type 'scheduled' needs target_balances",
            column="tranches.0",
            code="tranche_scheduled_needs_targets",
            context={"name": "优先A"},
        ),
        Issue(  # a rule without a wording here: never the model's English in Chinese mode
            source="结构设计",
            rule="Value error, something new",
            column="tranches.1",
            code="value_error",
        ),
    ]
    lines = sp.issue_lines(
        issues, section="tranches", fields=sp.TRANCHE_FIELDS, names=["优先A", "次级"], lang="zh"
    )
    # the rule in the session language, bound and value in the column's unit (万元, %)
    assert lines == [
        "第2行「次级」 · 规模（万元）：须大于 0.00 万元（输入 0.00）",
        "第1行「优先A」 · 票面利率（%）：须为数字（输入 x）",
        "第1行「优先A」：本金偿付方式为「固定摊还」时须填写固定摊还计划（目标余额）",
        "第2行「次级」：取值无效",
    ]
    en = sp.issue_lines(issues, section="fees", fields=sp.FEE_FIELDS, names=["税"], lang="en")
    assert en == ["row 1 '税' · Type: required"]


names = st.text(alphabet="优先次级ABC123", min_size=1, max_size=6)
money = st.floats(min_value=0.01, max_value=1e10, allow_nan=False).map(lambda x: round(x, 2))
rates = st.floats(min_value=0, max_value=1, allow_nan=False).map(lambda x: round(x, 8))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "name": names,
                "tranche_class": st.sampled_from(["senior", "mezzanine", "subordinated"]),
                "balance": money,
                "coupon": st.fixed_dictionaries(
                    {"coupon_type": st.sampled_from(["fixed", "floating"]), "rate": rates}
                ),
                "principal_type": st.sampled_from(["pass_through", "bullet"]),
                "period_yield": rates,
            }
        ),
        min_size=1,
        max_size=5,
    )
)
def test_round_trip_without_edits_is_identity(items: list[dict[str, Any]]) -> None:
    base = sp.section_frame(items, sp.TRANCHE_FIELDS)
    out = sp.apply_section_edits(items, base, base.copy(), sp.TRANCHE_FIELDS, new_item={})
    assert out == items
