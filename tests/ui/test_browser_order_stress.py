"""Reordering a waterfall step and adding a custom stress scenario, in a real browser (Debian
chromium + playwright, as test_browser.py), on qingdao-pure.

Streamlit's selectbox is a combobox: the step is chosen by typing its label and pressing Enter
(the option list is filtered to that one step first), which does not depend on where a
dropdown happens to open on a loaded machine. Every wait is on visible state.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.ui.test_browser import (  # noqa: F401  (fixtures)
    _go,
    _no_failures,
    _open_dashboard,
    _settled,
    _shot,
    _type_choice,
    browser,
    server,
)
from tests.ui.test_browser_editing import _edit_log

pytestmark = pytest.mark.browser


def _choose(page: object, label: str, option: str) -> None:
    """Pick ``option`` in the main area's selectbox ``label`` by typing it."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    _type_choice(page, page.get_by_test_id("stMain").get_by_label(label), option)


def test_moving_a_waterfall_step_up(
    server: tuple[str, Path],  # noqa: F811
    browser: object,  # noqa: F811
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    url, _log = server
    page = _open_dashboard(browser, url)
    try:
        _go(page, "结构设计", "现金流分配顺序")
        main = page.get_by_test_id("stMain")
        _choose(page, "选择步骤", "4. 支付利息")
        _settled(page)
        main.get_by_role("button", name="上移").click()
        expect(page.get_by_test_id("stSidebar").get_by_text("本次修改 (1)")).to_be_visible()
        _settled(page)
        # the step kept its place in the selector: it is now the third step (this run's output)
        expect(main.get_by_label("选择步骤")).to_have_value(re.compile("^3. 支付利息"))
        _settled(page)
        log = _edit_log(page)
        assert "分配顺序（正常分配）：4. 支付利息 上移" in log, log
        # the order table: 支付利息 now comes before the third 支付税费 (资产服务机构报酬); the
        # grid's accessible cells follow its redraw, so wait for them rather than read once
        order = page.get_by_test_id("stDataFrame").filter(has_text="资产服务机构报酬").first
        page.wait_for_function(
            """(el) => {
                const cells = [...el.querySelectorAll('[role="gridcell"]')].map(c => c.innerText);
                const pay = cells.indexOf("支付利息"), fee = cells.indexOf("资产服务机构报酬");
                return pay >= 0 && fee >= 0 && pay < fee;
            }""",
            arg=order.element_handle(),
        )
        _shot(page, "order", at_heading="现金流分配顺序")
        _no_failures(page)
    finally:
        page.close()


def test_adding_a_custom_stress_scenario(
    server: tuple[str, Path],  # noqa: F811
    browser: object,  # noqa: F811
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    url, _log = server
    page = _open_dashboard(browser, url)
    try:
        _go(page, "压力测试", "自定义情景")
        main = page.get_by_test_id("stMain")
        form = main.get_by_test_id("stForm")
        form.get_by_label("情景名称").fill("违约三倍")
        multiple = form.get_by_label(re.compile(r"^违约率倍数"))
        multiple.fill("3")
        multiple.press("Tab")
        form.get_by_role("button", name="添加情景").click()
        expect(page.get_by_test_id("stSidebar").get_by_text("本次修改 (1)")).to_be_visible()
        _settled(page)
        assert "新增自定义情景 违约三倍" in _edit_log(page)
        # listed with its factor, and run with the set: a row of the results table
        custom = main.get_by_test_id("stDataFrame").filter(has_text="违约率倍数 3").first
        expect(custom).to_contain_text("违约三倍")
        results = main.get_by_test_id("stDataFrame").filter(has_text="重度").first
        expect(results.locator('[role="gridcell"]').filter(has_text="违约三倍")).not_to_have_count(
            0
        )
        _shot(page, "custom-stress", at_heading="自定义情景")
        _no_failures(page)
    finally:
        page.close()
