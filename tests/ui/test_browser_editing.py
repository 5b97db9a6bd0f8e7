"""The structurer's edits in a real browser (Debian chromium + playwright, as test_browser.py).

On qingdao-pure: resize the fixed-schedule tranche 优先A1 in the tranche editor (its schedule
scales with it); then every tranche of every example, one edit after another in the same grid.
Reordering a step and a custom stress scenario are in test_browser_order_stress.py.

This proves the data editor's canvas cells in the browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.test_browser import (  # noqa: F401  (fixtures)
    _go,
    _no_failures,
    _open_dashboard,
    _settled,
    _type_choice,
    browser,
    server,
)

pytestmark = pytest.mark.browser

#: The grid's header and row height (px) in Streamlit's data editor at the default theme.
ROW_PX = 35
#: Clicks into a grid before giving up, and how long each waits for the grid's selection (ms).
CLICK_ATTEMPTS = 3
CLICK_WAIT_MS = 15_000


def _edit_cell(page: object, editor: object, row: int, right: int, value: str) -> None:
    """Type ``value`` into the editor cell ``right`` columns right of the first column.

    The data editor draws its cells on a canvas: click into its first row, walk to the cell
    with the arrow keys (from the top-left corner), open the cell editor with Enter, fill it
    and commit with Enter.
    """
    from playwright.sync_api import Locator, Page, expect

    assert isinstance(page, Page) and isinstance(editor, Locator)
    # the grid takes keys once a click has selected a cell; a click landing while the grid
    # is still being laid out (a loaded machine) selects nothing, so the walk starts over
    col, at_row = 1, 0
    first = editor.get_by_test_id(f"glide-cell-{col}-{at_row}")
    for attempt in range(CLICK_ATTEMPTS):
        editor.scroll_into_view_if_needed()
        box = editor.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 60, box["y"] + ROW_PX * 1.5)
        # from wherever the click or an earlier edit left the selection: top-left (column 0
        # is the row marker, so the first data column is 1)
        for _ in range(10):
            page.keyboard.press("ArrowUp")
            page.keyboard.press("ArrowLeft")
        try:
            expect(first).to_have_attribute("aria-selected", "true", timeout=CLICK_WAIT_MS)
            break
        except AssertionError:
            if attempt == CLICK_ATTEMPTS - 1:
                raise
    # then walk one key at a time, each step confirmed by the grid's accessible selection
    for key, times in (("ArrowDown", row), ("ArrowRight", right)):
        for _ in range(times):
            page.keyboard.press(key)
            col, at_row = (col, at_row + 1) if key == "ArrowDown" else (col + 1, at_row)
            expect(editor.get_by_test_id(f"glide-cell-{col}-{at_row}")).to_have_attribute(
                "aria-selected", "true"
            )
    page.keyboard.press("Enter")
    field = page.locator("#portal input, #portal textarea").first
    expect(field).to_be_visible()
    field.fill(value)
    field.press("Enter")


def _edit_log(page: object) -> str:
    """The sidebar's edit log, opened."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    sidebar = page.get_by_test_id("stSidebar")
    log = sidebar.get_by_test_id("stExpander").filter(has_text="本次修改")
    summary = log.locator("summary")
    if log.get_by_test_id("stExpanderDetails").count() == 0 or not (
        log.get_by_test_id("stExpanderDetails").is_visible()
    ):
        summary.click()
    return str(log.inner_text())


def test_resizing_a_schedule_tranche_scales_its_schedule(
    server: tuple[str, Path],  # noqa: F811
    browser: object,  # noqa: F811
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    url, _log = server
    page = _open_dashboard(browser, url)
    try:
        _go(page, "结构设计", "规模测算")

        # 1. resize 优先A1 (固定摊还) 20,000 → 5,000 万元: the schedule scales by 0.25
        tranches = page.get_by_test_id("stDataFrame").filter(has_text="优先A1").first
        _edit_cell(page, tranches, row=0, right=2, value="5000")
        expect(page.get_by_test_id("stSidebar").get_by_text("本次修改 (1)")).to_be_visible()
        _settled(page)
        log = _edit_log(page)
        assert "优先A1 规模 20,000.00 → 5,000.00 万元" in log, log
        assert "优先A1 摊还计划调整" in log, log
        # the schedule of 优先A1 was scaled with it
        page.get_by_text("固定摊还计划（目标余额）").click()
        schedule = page.get_by_test_id("stDataFrame").filter(has_text="目标余额（万元）").first
        # 17,000 → 4,250 万元 (an editable cell's accessible text is the raw number)
        cells = schedule.locator('[role="gridcell"]')
        expect(cells.filter(has_text="4250")).not_to_have_count(0)
        expect(cells.filter(has_text="17000")).to_have_count(0)
        _no_failures(page)

    finally:
        page.close()


def _pick_example(page: object, name: str) -> None:
    """Switch the sidebar's example to ``name`` by typing it, and wait for the deal to load."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.get_by_role("combobox", name="示例交易")
    if box.input_value() != name:  # typing the current value would list every option
        _type_choice(page, box, name)
    expect(box).to_have_value(name)
    expect(sidebar.get_by_text(f"来源：{name}")).to_be_visible()
    _settled(page)


def test_resizing_every_tranche_of_every_example(
    server: tuple[str, Path],  # noqa: F811
    browser: object,  # noqa: F811
) -> None:
    """Each tranche of each example takes a new size in the grid (100 万元 less), and the edit
    log names it; 固定摊还 tranches also log their rescaled schedule."""
    from playwright.sync_api import Browser, expect

    from abs.examples import example_deal_path, example_names
    from abs.io import load_deal

    assert isinstance(browser, Browser)
    url, _log = server
    page = _open_dashboard(browser, url)
    try:
        for example in example_names():
            deal = load_deal(example_deal_path(example))
            _pick_example(page, example)
            _go(page, "结构设计", "规模测算")
            grid = page.get_by_test_id("stDataFrame").filter(has_text=deal.tranches[0].name).first
            for row, tranche in enumerate(deal.tranches):
                old = tranche.balance / 10_000
                new = old - 100
                _edit_cell(page, grid, row=row, right=2, value=f"{new:.0f}")
                sidebar = page.get_by_test_id("stSidebar")
                # one log entry per edit (a schedule's rescaling is part of its entry)
                expect(sidebar.get_by_text(f"本次修改 ({row + 1})")).to_be_visible()
                _settled(page)
                log = _edit_log(page)
                assert f"{tranche.name} 规模 {old:,.2f} → {new:,.2f} 万元" in log, (example, log)
                if tranche.target_balances is not None:
                    assert f"{tranche.name} 摊还计划调整" in log, (example, log)
                _no_failures(page)
    finally:
        page.close()
