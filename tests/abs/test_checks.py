"""Structure checks (abs.checks): retention, the usual 次级 range, issue vs pool."""

from __future__ import annotations

import pytest

from abs.checks import RETENTION_MIN, structure_checks
from abs.deal import Deal, Support
from abs.io import load_deal


def _resized(name: str, sub: float, *, support: Support | None = None) -> Deal:
    deal = load_deal(name)
    tranches = tuple(
        t.model_copy(update={"balance": sub}) if t.name == "次级" else t for t in deal.tranches
    )
    update: dict[str, object] = {"tranches": tranches}
    if support is not None:
        update["support"] = support
    return deal.model_copy(update=update)


def test_rugao_shares_and_subordination() -> None:
    checks = structure_checks(load_deal("rugao-labelled"))
    # 优先A 12,300万 + 次级 700万 = 13,000万; 次级 700 / 13,000 = 5.3846%
    assert checks.issue_amount == pytest.approx(130_000_000.0)
    rows = checks.tranches.set_index("name")
    assert rows.loc["次级", "share"] == pytest.approx(700 / 13_000)
    assert rows.loc["优先A", "subordination"] == pytest.approx(700 / 13_000)
    assert checks.findings == []


def test_retention_below_5_percent_without_exemption() -> None:
    # 次级 300万 of 12,600万 = 2.38% < 5%, and no guarantee or 差额支付 once support is removed
    checks = structure_checks(_resized("rugao-labelled", 3_000_000.0, support=Support()))
    assert checks.findings == [("check.retention", {"share": pytest.approx(3 / 126)})]
    assert RETENTION_MIN == 0.05


def test_guarantee_exempts_retention_but_the_range_is_still_noted() -> None:
    checks = structure_checks(_resized("rugao-labelled", 3_000_000.0))
    assert [key for key, _ in checks.findings] == ["check.sub_typical"]
