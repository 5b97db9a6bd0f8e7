"""One language per mode, in a real browser (Debian chromium + playwright, as test_browser.py).

Every page of an example is visited (expanders opened) in English mode and in Chinese mode,
and all visible text is read, chart text and table headers included:

* English mode shows no CJK character outside the names the structurer gave (deal, originator,
  tranches) and the tape's own values (obligors, provinces, industries);
* Chinese mode shows no English word outside those names and a small allow-list of units and
  codes (:data:`ZH_ALLOWED_WORDS`) and Streamlit's own uploader strings, which Streamlit does
  not let an app translate (:data:`STREAMLIT_OWN`).

Both modes allow the language switcher's own label and options: a reader who cannot read the
current language must still find the way back.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.test_browser import (  # noqa: F401  (fixtures)
    _go,
    _no_failures,
    _open_dashboard,
    _settled,
    browser,
    server,
)

pytestmark = pytest.mark.browser


#: The two versions saved before the server starts: messages and author are names the
#: structurer gave (shown as given in either language).
SAVED_MESSAGES = ("v1", "v2")
AUTHOR = "张伟"
#: Tables the library page draws for them: the history, the field changes, the measures.
LIBRARY_TABLES = 3


def _edited(deal: Any) -> Any:
    """qingdao-pure with what a structurer changes in a day: 优先A1 resized (its schedule
    scaled), 优先A2 switched to pass-through, a fee added, the coupon of 优先A2 raised."""
    from abs.deal import Fee
    from abs.enums import PrincipalType

    a1, a2, *rest = deal.tranches
    scale = 0.75
    a1 = a1.model_copy(
        update={
            "balance": a1.balance * scale,
            "target_balances": tuple(round(b * scale, 2) for b in a1.target_balances or ()),
        }
    )
    a2 = a2.model_copy(
        update={
            "principal_type": PrincipalType.PASS_THROUGH,
            "target_balances": None,
            "coupon": a2.coupon.model_copy(update={"rate": a2.coupon.rate + 0.0015}),
        }
    )
    fees = (*deal.fees, Fee(name="审计费", fee_type="fixed", amount=30_000.0))
    return deal.model_copy(update={"tranches": (a1, a2, *rest), "fees": fees})


@pytest.fixture(scope="module", autouse=True)
def _library_with_two_versions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """This module's server gets a library of its own holding two versions of the example
    (the shipped one, then an edited one), so the library page shows its history, the field
    changes and the measures of the latest version against the current edit. What other tests
    saved in the run's library never decides what the page shows."""
    from abs.io import load_deal
    from abs.library import Library

    folder = tmp_path_factory.mktemp("language-library")
    before = os.environ.get("DABS_DB_URL")
    os.environ["DABS_DB_URL"] = f"sqlite:///{folder / 'library.sqlite'}"
    deal = load_deal("qingdao-pure")
    with Library.open() as lib:
        for version, message in zip((deal, _edited(deal)), SAVED_MESSAGES, strict=True):
            saved = lib.save_deal("qingdao-pure", version, message=message, author=AUTHOR)
            assert saved.created
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("DABS_DB_URL", None)
        else:
            os.environ["DABS_DB_URL"] = before


#: (navigation title, last heading) per page, by language.
PAGES = {
    "zh": (
        ("资产池", "资产池分层统计"),
        ("收入预测", "收入预测"),
        ("结构设计", "结构设计"),
        ("现金流", "现金流"),
        ("压力测试", "压力测试"),
        ("导出", "导出"),
        ("交易库", "版本对比"),
    ),
    "en": (
        ("Pool", "Pool stratification"),
        ("Projection", "Projection"),
        ("Structure", "Structure"),
        ("Waterfall", "Waterfall"),
        ("Stress", "Stress"),
        ("Export", "Export"),
        ("Library", "Compare versions"),
    ),
}

#: The language switcher: its label and options are shown in both languages on purpose.
SWITCHER = ("语言 / Language", "中文", "English")
#: Units and codes a Chinese page may show in Latin letters: file formats and encodings
#: (CSV, XLSX, JSON, UTF-8, BOM, GBK, zip, Excel), size units (MB), the API of 数据产品/API,
#: rating grades (AAA … BBB−), the cluster's product name (Dask) and the time standard (UTC).
ZH_ALLOWED_WORDS = frozenset(
    {"CSV", "XLSX", "xlsx", "JSON", "UTF", "BOM", "GBK", "zip", "Excel", "MB", "API", "AAA"}
    | {"BBB", "Dask", "UTC"}
)
#: Streamlit's own strings, fixed by Streamlit (file uploader button and limit line, the
#: screen-reader skip link): no app setting translates them.
STREAMLIT_OWN = ("Skip to main content", "Upload", "per file")

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
_WORD = re.compile(r"[A-Za-z]{2,}")
#: A code value of the deal file (``pass_through``, ``act_365f``): never shown as such.
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

#: Every visible text node (icon ligatures excluded), plus the data grids' headers and read-only
#: cells, which the grid keeps as accessible elements beside its canvas. An editor's editable
#: cells are left out: a choice column's accessible cell holds the option's code while the
#: canvas draws its label (``format_func``), so those cells say nothing about what is shown.
_VISIBLE_TEXT = """() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const el = node.parentElement;
        if (!el || el.closest('[data-testid="stIconMaterial"], script, style, noscript')) continue;
        if (el.checkVisibility && !el.checkVisibility()) continue;
        const text = node.textContent.trim();
        if (text) out.push(text);
    }
    const cells = '[role="columnheader"], [role="gridcell"][aria-readonly="true"]';
    for (const el of document.querySelectorAll(cells)) {
        const text = el.textContent.trim();
        if (text) out.push(text);
    }
    return out;
}"""


def _names(example: str, lang: str) -> list[str]:
    """What the deal file and its tape call things (deal, originator, tranches, fees, providers,
    obligors, regions ...): shown as given in either language. In Chinese mode code values of
    the file (``pass_through``, ``data_license``) are not names: they must be translated.
    """
    import json

    from abs.examples import example_names
    from abs.io import deal_to_json, load_deal

    found: set[str] = set(example_names())

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.strip():
            found.add(node.strip())

    walk(json.loads(deal_to_json(load_deal(example))))
    if lang == "zh":
        found = {s for s in found if not _CODE.match(s)}
    return sorted(found, key=len, reverse=True)


def _strip(texts: list[str], allowed: list[str]) -> list[str]:
    """Each text with every allowed string blanked out."""
    out = []
    for text in texts:
        for name in allowed:
            if name in text:
                text = text.replace(name, " ")
        out.append(text)
    return out


def _page_texts(page: object) -> list[str]:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    for summary in page.locator('[data-testid="stExpander"] summary').all():
        if summary.is_visible():
            summary.click()
    _settled(page)
    texts = page.evaluate(_VISIBLE_TEXT)
    assert isinstance(texts, list)
    return [str(t) for t in texts]


def _visit_all(page: object, lang: str) -> dict[str, list[str]]:
    """Every page's visible text, after a check that it rendered without an error."""
    from playwright.sync_api import expect

    seen: dict[str, list[str]] = {}
    for title, last in PAGES[lang]:
        _go(page, title, last)
        if title == PAGES[lang][-1][0]:  # the library: history, field changes and measures
            grids = page.locator('[data-testid="stDataFrame"]')
            expect(grids.nth(LIBRARY_TABLES - 1)).to_be_visible()
            expect(
                grids.nth(LIBRARY_TABLES - 1).locator('[role="gridcell"]').first
            ).to_be_attached()
            _settled(page)
        _no_failures(page)
        seen[title] = _page_texts(page)
    return seen


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_mode_shows_one_language(
    server: tuple[str, Path],  # noqa: F811
    browser: object,  # noqa: F811
    lang: str,
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    url, _log = server
    page = _open_dashboard(browser, url)
    try:
        if lang == "en":
            page.get_by_test_id("stSidebar").get_by_text("English").click()
            expect(page.get_by_role("heading", name="Pool", level=1)).to_be_visible()
            _settled(page)
        seen = _visit_all(page, lang)
    finally:
        page.close()

    # the library page shows the saved versions' field changes and measures (not "empty")
    library = seen[PAGES[lang][-1][0]]
    expected = (
        ("档位 优先A1 发行规模", "过手摊还", "收益率")
        if lang == "zh"
        else ("tranche 优先A1 · balance", "pass through", "Yield")
    )
    for text in expected:
        assert any(text in t for t in library), (text, [t for t in library if len(t) > 3])
    allowed = [
        *_names("qingdao-pure", lang),
        "审计费",
        *SAVED_MESSAGES,
        AUTHOR,
        *SWITCHER,
        *STREAMLIT_OWN,
    ]
    offenders: dict[str, list[str]] = {}
    for title, texts in seen.items():
        assert len(texts) > 20, f"{title}: almost nothing read ({texts})"
        for raw, text in zip(texts, _strip(texts, allowed), strict=True):
            if lang == "en":
                bad = bool(_CJK.search(text))
            else:
                bad = any(w not in ZH_ALLOWED_WORDS for w in _WORD.findall(text))
            if bad:
                offenders.setdefault(title, []).append(raw)
    assert not offenders, f"{lang} mode shows the other language: {offenders}"
