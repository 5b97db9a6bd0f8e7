"""The dashboard in a real browser: Debian chromium driven by playwright (../shared/TESTING-UI.md).

Starts ``python -m streamlit run ui/app.py`` on a free port in its own process group, waits for
``/_stcore/health``, then walks a structurer's path: switch to the 如皋 example, upload its GBK
tape, see 贴标型 and 50.46%, visit every page (screenshots to ``docs/images/ui-<page>.png`` at
1280×1400), see the tranche table on the waterfall page, run a small Monte Carlo, and download
the filing workbook, which is opened with openpyxl. Every wait is on visible state (text, the
app's running indicator, drawn charts), never a fixed sleep. The server's process group is
stopped in ``finally``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
#: Where page screenshots go: ``docs/images`` when ``make screenshots`` sets DABS_SCREENSHOTS,
#: else a temporary folder (so an ordinary test run leaves the work tree clean).
IMAGES = Path(
    os.environ.get("DABS_SCREENSHOTS") or Path(tempfile.gettempdir()) / "dabs-screenshots"
)
TAPE = ROOT / "abs" / "examples" / "rugao-labelled" / "tape.csv"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 1400}
#: Generous limits: a cold first run imports the engine and compiles nothing else.
START_TIMEOUT_S = 90
STEP_TIMEOUT_MS = 90_000

#: Page title (navigation label) → screenshot name.
PAGE_SHOTS = {
    "资产池": "pool",
    "收入预测": "projection",
    "结构设计": "structure",
    "现金流": "waterfall",
    "压力测试": "stress",
    "导出": "export",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling interval of the health check, not a synchronisation
    pytest.fail(f"streamlit did not become healthy in {START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The dashboard served on a free local port; its process group is stopped afterwards."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "DABS_UI_DEAL"}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "ui" / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_healthy(url, proc, log)
            yield url, log
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium through playwright's sync API (no downloaded browser)."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (.ci/browser-deps.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _settled(page: object) -> None:
    """Wait until the script run is over and every chart on screen has been drawn.

    Call it after waiting for something the new run shows (a heading, a message): the app's
    ``data-test-script-state`` only says "not running" between runs.
    """
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    # the app root reports its script state; callers first wait for output of the new run
    app = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    expect(app).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=STEP_TIMEOUT_MS)
    charts = page.get_by_test_id("stPlotlyChart")
    drawn = page.locator('[data-testid="stPlotlyChart"] .main-svg')
    page.wait_for_function(
        """() => {
            const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
            return [...charts]
                .filter(c => c.offsetParent !== null)
                .every(c => c.querySelector('.js-plotly-plot .main-svg'));
        }""",
        timeout=STEP_TIMEOUT_MS,
    )
    if charts.count():
        expect(drawn.first).to_be_visible(timeout=STEP_TIMEOUT_MS)


def _no_failures(page: object) -> None:
    """No exception box and no error alert on the page."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)


def _type_choice(page: object, box: object, option: str) -> None:
    """Pick ``option`` in the selectbox ``box`` (a combobox locator) by typing it: exactly one
    option must match, and the box must show it afterwards."""
    from playwright.sync_api import Locator, Page, expect

    assert isinstance(page, Page) and isinstance(box, Locator)
    box.scroll_into_view_if_needed()
    box.click()
    page.keyboard.type(option)
    options = page.get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text(option)
    page.keyboard.press("Enter")
    expect(box).to_have_value(re.compile("^" + re.escape(option)))


def _shot(page: object, name: str, *, at_heading: str | None = None) -> Path:
    """Screenshot of the viewport: the page top, or scrolled so ``at_heading`` is at the top."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    IMAGES.mkdir(parents=True, exist_ok=True)
    path = IMAGES / f"ui-{name}.png"
    if at_heading is None:
        page.get_by_test_id("stMain").evaluate("el => el.scrollTo(0, 0)")
    else:
        page.get_by_role("heading", name=at_heading).first.evaluate(
            "el => el.scrollIntoView({block: 'start'})"
        )
    page.screenshot(path=str(path))
    return path


def _open_dashboard(browser: object, url: str) -> Any:
    """A new Chinese-locale page on the dashboard's first page (资产池), its run settled."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
    page.set_default_timeout(STEP_TIMEOUT_MS)
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    try:
        page.goto(url)
        expect(page.get_by_role("heading", name="资产池", level=1)).to_be_visible()
        _settled(page)
    except BaseException:
        page.close()
        raise
    return page


def _go(page: object, title: str, last: str) -> None:
    """Open a page from the sidebar and wait for its last section (``last``) to be drawn."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.get_by_role("heading", name=last).first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    _settled(page)


def test_structurer_walkthrough(server: tuple[str, Path], browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    url, log = server
    page = browser.new_page(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN")
    page.set_default_timeout(STEP_TIMEOUT_MS)
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    try:
        page.goto(url)
        expect(page.get_by_role("heading", name="资产池", level=1)).to_be_visible()
        _settled(page)
        expect(page.get_by_text("纯数据型").first).to_be_visible()  # qingdao-pure by default

        # pick the 如皋 structure, then upload its tape (GBK, Chinese headers)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="rugao-labelled").click()
        expect(page.get_by_text("平安-如皋第1期").first).to_be_visible()
        _settled(page)
        sidebar.locator('input[type="file"]').set_input_files(str(TAPE))
        expect(sidebar.get_by_text("已读取资产清单 tape.csv：10 笔资产")).to_be_visible()
        _settled(page)
        expect(page.get_by_text("贴标型").first).to_be_visible()
        expect(page.get_by_test_id("stMetricValue").get_by_text("50.46%")).to_be_visible()
        _no_failures(page)
        _shot(page, "pool")

        _go(page, "收入预测", "关键预测假设")
        _no_failures(page)
        _shot(page, "projection")

        _go(page, "结构设计", "触发事件")
        expect(page.get_by_text("实时检查")).to_be_visible()
        _no_failures(page)
        _shot(page, "structure")

        _go(page, "现金流", "证券兑付表")
        summary = page.get_by_test_id("stDataFrame").first
        cells = summary.locator('[role="gridcell"]')
        # st.dataframe draws on a canvas; its cells are kept as (hidden) gridcell elements
        expect(cells.filter(has_text="优先A")).not_to_have_count(0)
        expect(cells.filter(has_text="次级")).not_to_have_count(0)
        _no_failures(page)
        _shot(page, "waterfall")
        _shot(page, "waterfall-coverage", at_heading="现金流覆盖倍数")

        _go(page, "压力测试", "蒙特卡洛模拟")
        paths = page.get_by_label("路径数")
        paths.fill("500")
        paths.press("Enter")
        _settled(page)
        page.get_by_role("button", name="运行蒙特卡洛").click()
        expect(page.get_by_text("本金损失率分布").first).to_be_visible()
        _settled(page)
        _no_failures(page)
        _shot(page, "stress")
        _shot(page, "stress-mc", at_heading="蒙特卡洛模拟")

        _go(page, "导出", "保存与读取交易文件")
        _no_failures(page)
        _shot(page, "export")
        with page.expect_download() as download:
            page.get_by_role("button", name="下载申报工作簿（xlsx）").click()
        saved = tmp_path / "filing.xlsx"
        download.value.save_as(str(saved))
    except Exception as exc:
        shot = tmp_path / "failure.png"
        page.screenshot(path=str(shot))
        tail = log.read_text(errors="replace")[-4000:]
        raise AssertionError(f"{exc}\nscreenshot: {shot}\nserver log tail:\n{tail}") from exc
    finally:
        page.close()

    workbook = openpyxl.load_workbook(saved, read_only=True)
    assert {"产品概要", "证券兑付表", "现金流归集表"} <= set(workbook.sheetnames)
    texts = {
        str(cell)
        for row in workbook["证券兑付表"].iter_rows(values_only=True)
        for cell in row
        if cell is not None
    }
    assert "优先A" in texts and "次级" in texts
    summary_texts = " ".join(
        str(cell)
        for row in workbook["产品概要"].iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    assert "平安-如皋第1期" in summary_texts
    for name in [*PAGE_SHOTS.values(), "waterfall-coverage", "stress-mc"]:
        shot = IMAGES / f"ui-{name}.png"
        assert shot.is_file() and shot.stat().st_size > 20_000, shot
