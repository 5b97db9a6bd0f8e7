"""The issue-16 workflows in a real browser (Debian chromium + playwright, as test_browser.py):
editing a deal date moves the amortisation schedule, and two library versions are compared.

The server inherits the test run's throwaway ``DABS_DB_URL`` (tests/conftest.py), so versions
saved here never reach the user's library.
"""

from __future__ import annotations

import uuid
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

#: Library key of this test's versions: its own, whatever else the run saved.
KEY = f"browser-{uuid.uuid4().hex[:8]}"


def _grid_texts(page: object, index: int) -> list[str]:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    grid = page.get_by_test_id("stDataFrame").nth(index)
    return [str(t) for t in grid.locator('[role="gridcell"]').all_inner_texts()]


def _save_version(page: object, message: str, number: int) -> None:
    """On the library page: save the current deal under :data:`KEY` as version ``number``."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    key = page.get_by_label("交易编号（库中名称）")
    key.fill(KEY)
    key.press("Enter")
    _settled(page)
    page.get_by_label("版本说明").fill(message)
    page.get_by_label("版本说明").press("Enter")
    page.get_by_role("button", name="保存新版本").click()
    expect(page.get_by_text(f"已保存版本 {KEY}@{number}")).to_be_visible()
    _settled(page)


def test_dates_move_the_schedule_and_versions_compare(
    server: tuple[str, Path],  # noqa: F811
    browser: object,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    url, log = server
    page = _open_dashboard(browser, url)
    try:
        # save qingdao-pure as it ships, under a key of its own (the run's library is shared)
        _go(page, "交易库", "保存到交易库")
        _save_version(page, "原始结构", 1)

        # move the first payment date a month: the schedule's dates follow
        _go(page, "结构设计", "触发事件")
        page.get_by_text("固定摊还计划（目标余额）").click()
        schedule = page.get_by_test_id("stDataFrame").filter(has_text="目标余额（万元）").first
        expect(
            schedule.locator('[role="gridcell"]').filter(has_text="2026-09-28")
        ).not_to_have_count(0)
        # the date field is three segments (year, month, day): type the month, then leave
        month = page.get_by_role("spinbutton", name="month, 首个兑付日")
        month.click()
        page.keyboard.type("10")
        page.get_by_role("heading", name="产品要素").click()
        expect(
            schedule.locator('[role="gridcell"]').filter(has_text="2026-10-26")
        ).not_to_have_count(0)
        _settled(page)
        _no_failures(page)

        # save the edit, then compare @1 with @2
        _go(page, "交易库", "版本对比")
        _save_version(page, "首个兑付日后移一个月", 2)
        # A = the first version, B = the current edit (= the version just saved)
        page.get_by_test_id("stSelectbox").filter(has_text="对比基准 A").click()
        page.get_by_role("option", name=f"{KEY}@1").click()
        _settled(page)
        expect(page.get_by_text("结构变化（1 项）")).to_be_visible()
        changes = page.get_by_test_id("stDataFrame").filter(has_text="字段").first
        expect(
            changes.locator('[role="gridcell"]').filter(has_text="2026-10-26")
        ).not_to_have_count(0)
        expect(page.get_by_test_id("stPlotlyChart")).to_have_count(1)
        _no_failures(page)
        _shot(page, "library-compare", at_heading="版本对比")
    except Exception as exc:
        shot = tmp_path / "failure.png"
        page.screenshot(path=str(shot))
        tail = log.read_text(errors="replace")[-4000:]
        raise AssertionError(f"{exc}\nscreenshot: {shot}\nserver log tail:\n{tail}") from exc
    finally:
        page.close()
