"""Indicative rating view: multiples table, implied grade, labels."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from abs.errors import ScenarioError
from scenarios import rating
from scenarios.breakeven import breakeven
from tests.scenarios import handdeal as hd


def test_builtin_multiples_match_domain_md() -> None:
    table = rating.load_multiples()
    assert [(g.grade, g.multiple) for g in table.grades] == [
        ("AAA", 5.0),
        ("AA+", 4.5),
        ("AA", 4.1),
        ("AA-", 3.7),
        ("A+", 3.3),
        ("A", 3.0),
        ("A-", 2.7),
        ("BBB+", 2.5),
        ("BBB", 2.3),
        ("BBB-", 2.0),
    ]
    assert all(g.target_default_rate is None for g in table.grades)
    assert "仅供参考" in table.disclaimer


@pytest.mark.parametrize(
    ("breakeven_cdr", "base_cdr", "grade"),
    [
        (0.10, 0.02, "AAA"),  # 0.02 × 5.0 = 0.100 ≤ 0.10
        (0.0999, 0.02, "AA+"),  # 0.02 × 4.5 = 0.090
        (0.082, 0.02, "AA"),  # 0.02 × 4.1 = 0.082
        (0.0819, 0.02, "AA-"),  # 0.02 × 3.7 = 0.074
        (0.046, 0.02, "BBB"),  # 0.02 × 2.3 = 0.046
        (0.04, 0.02, "BBB-"),  # 0.02 × 2.0 = 0.040
        (0.0399, 0.02, None),
        (math.nan, 0.02, None),
        (0.0, 0.0, "AAA"),  # base CDR 0: every requirement is 0
    ],
)
def test_implied_grade(breakeven_cdr: float, base_cdr: float, grade: str | None) -> None:
    got = rating.implied_grade(breakeven_cdr, base_cdr)
    assert (got.grade if got is not None else None) == grade


def test_fixed_target_rates_override_the_base(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps(
            {
                "schema_version": "1",
                "grades": [
                    {"grade": "AAA", "multiple": 5.0, "target_default_rate": 0.05},
                    {"grade": "A", "multiple": 3.0},
                ],
            }
        ),
        encoding="utf-8",
    )
    table = rating.load_multiples(path)
    # AAA needs 0.05 × 5 = 0.25 regardless of the base; A needs base × 3 = 0.06
    assert rating.implied_grade(0.25, 0.02, table=table).grade == "AAA"  # type: ignore[union-attr]
    assert rating.implied_grade(0.2, 0.02, table=table).grade == "A"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", r"m\.json: not valid JSON"),
        ('{"grades": 1}', r"expected an object with a 'grades' list"),
        ('{"grades": [], "schema_version": "2"}', r"schema_version '2' is not supported"),
        ('{"grades": []}', r"the 'grades' list is empty"),
        ('{"grades": [1]}', r"grades\[0\]: must be an object; got 1"),
        ('{"grades": [{"multiple": 2}]}', r"grades\[0\]\.grade: needs a grade name; got None"),
        (
            '{"grades": [{"grade": "A", "multiple": 0}]}',
            r"grades\[0\]\.multiple: must be a number > 0; got 0",
        ),
        (
            '{"grades": [{"grade": "A", "multiple": 2, "target_default_rate": 2}]}',
            r"target_default_rate: must be null or a fraction in \[0, 1\]; got 2",
        ),
        (
            '{"grades": [{"grade": "A", "multiple": 2}, {"grade": "A", "multiple": 1}]}',
            r"grades\[1\]\.grade: grade 'A' listed twice",
        ),
        (
            '{"grades": [{"grade": "A", "multiple": 2}, {"grade": "B", "multiple": 3}]}',
            r"multiples must not rise; B has 3 after A 2\.0",
        ),
    ],
)
def test_multiples_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        rating.load_multiples(path)


def test_missing_multiples_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nope\.json: rating multiples file not found"):
        rating.load_multiples(tmp_path / "nope.json")


def test_rating_view_on_the_hand_deal() -> None:
    # pd_projector: CDR = 0.12·m, base (m = 1) 0.12; 优先A passes while m ≤ 13/3 → CDR 0.52.
    # Requirements: AAA 0.60, AA+ 0.54, AA 0.492 ≤ 0.52 → AA.  次级: 156 − 12m ≥ 114 ⇔
    # m ≤ 3.5 → CDR 0.42: A+ 0.396 ≤ 0.42 < AA− 0.444 → A+.
    deal = hd.bullet_deal()
    res = [
        breakeven(deal, tranche=n, factor="pd_multiplier", projector=hd.pd_projector)
        for n in ("优先A", "次级")
    ]
    view = rating.rating_view(deal, results=res, projector=hd.pd_projector)
    assert list(view.columns) == list(rating.RATING_COLUMNS)
    assert list(view[rating.COL_GRADE]) == ["AA", "A+"]
    assert view[rating.COL_BASE_CDR].iloc[0] == pytest.approx(0.12)
    assert view[rating.COL_BREAKEVEN_CDR].iloc[0] == pytest.approx(0.52, abs=1e-6)
    assert view[rating.COL_COVERAGE_MULT].iloc[0] == pytest.approx(13 / 3, abs=1e-5)
    assert view[rating.COL_REQUIRED].iloc[0] == pytest.approx(0.12 * 4.1)
    assert view[rating.COL_NOTE].str.contains("仅供参考").all()


def test_rating_view_searches_when_not_given_and_flags_failures() -> None:
    # Base CDR 0.12 × 2.0 = 0.24 needed for BBB−; a deal that fails at m = 0 has no grade.
    deal = hd.bullet_deal(
        tranches=[
            {
                "name": "优先A",
                "tranche_class": "senior",
                "balance": 200 * hd.M,
                "coupon": {"rate": 0.04},
                "principal_type": "bullet",
            },
            {"name": "次级", "tranche_class": "subordinated", "balance": 10 * hd.M},
        ]
    )
    view = rating.rating_view(deal, tranches=["优先A"], projector=hd.pd_projector)
    assert view[rating.COL_GRADE].tolist() == [rating.BELOW_TABLE]
    assert view[rating.COL_STATUS].tolist() == ["fails_at_lo"]
