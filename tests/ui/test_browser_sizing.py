"""Sizing to a coverage target in a real browser (Debian chromium + playwright).

On qingdao-pure (the dashboard's first example): 结构设计 → 规模测算, target minimum coverage
incl. principal 2.00× in the base case. The sized structure is shown before it is applied
(the deal is unchanged until then); applying it logs the edit and the page then shows the
sized seniors as the current sizes. The expected sizes are the solver's own
(``scenarios.sizing.largest_senior_size``, tested by hand in tests/scenarios/test_sizing.py),
formatted as the page formats them; every wait is for an element, never a sleep.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.test_browser import (  # noqa: F401  (fixtures)
    _go,
    _no_failures,
    _open_dashboard,
    _settled,
    _shot,
    browser,
    server,
)

pytestmark = pytest.mark.browser


def _expected_sizes() -> list[str]:
    """优先A1, 优先A2, 次级 after sizing qingdao-pure to ≥ 2.00× incl. principal (万元)."""
    from abs.io import load_deal
    from scenarios.sizing import largest_senior_size
    from ui import format as fmt

    deal = load_deal("qingdao-pure")
    r = largest_senior_size(
        deal,
        stress=deal.assumptions.stress,
        min_coverage=2.0,
        include_principal=True,
        assumptions=deal.assumptions,
    )
    assert r.status == "found"
    # base case 1.66× at 45,000万 of seniors: 2.00× needs less senior (about 37,200万)
    assert 30_000e4 < r.senior_total < 45_000e4
    return [fmt.wan(t.balance) for t in r.deal.tranches]


def test_sizing_qingdao_to_a_coverage_target_then_applying_it(
    server: tuple[str, Path],  # noqa: F811
    browser: object,  # noqa: F811
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    url, _log = server
    expected = _expected_sizes()
    page = _open_dashboard(browser, url)
    try:
        _go(page, "结构设计", "规模测算")
        page.get_by_role("heading", name="规模测算").first.scroll_into_view_if_needed()
        floor = page.get_by_label("目标最低覆盖倍数（倍）")
        floor.fill("2.00")
        floor.press("Enter")
        expect(floor).to_have_value("2.00")
        _settled(page)
        solve = page.get_by_role("switch", name="测算", exact=True)
        # the switch's input sits under its label, which takes the click
        page.get_by_test_id("stCheckbox").filter(has=solve).click()
        expect(solve).to_be_checked()
        status = page.get_by_text("已求得：测算结构的优先级最低覆盖倍数（含本金）")
        expect(status).to_be_visible()
        _settled(page)
        sizing = page.get_by_test_id("stDataFrame").filter(has_text="测算规模（万元）").first
        cells = sizing.locator('[role="gridcell"]')
        for shown in ("20,000.00", "25,000.00", "5,000.00", *expected):  # before | after
            expect(cells.filter(has_text=shown)).not_to_have_count(0)
        _shot(page, "sizing", at_heading="规模测算")
        # shown, not applied: the edit log is still empty
        expect(page.get_by_test_id("stSidebar").get_by_text("本次修改 (1)")).to_have_count(0)

        page.get_by_role("button", name="应用测算结构").click()
        expect(page.get_by_test_id("stSidebar").get_by_text("本次修改 (1)")).to_be_visible()
        _settled(page)
        sidebar = page.get_by_test_id("stSidebar")
        log = sidebar.get_by_test_id("stExpander").filter(has_text="本次修改")
        log.locator("summary").click()
        expect(log).to_contain_text("规模测算：最低覆盖倍数（含本金）≥ 2.00×")
        # the sizing section now starts from the applied structure: its current sizes are the
        # sized ones, and sizing again finds the same structure (no apply button)
        expect(status).to_be_visible()
        sizing = page.get_by_test_id("stDataFrame").filter(has_text="测算规模（万元）").first
        cells = sizing.locator('[role="gridcell"]')
        for shown in expected:
            expect(cells.filter(has_text=shown)).to_have_count(2)
        expect(cells.filter(has_text="25,000.00")).to_have_count(0)
        expect(page.get_by_role("button", name="应用测算结构")).to_have_count(0)
        _no_failures(page)
    finally:
        page.close()
