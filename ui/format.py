"""Number formatting for the dashboard: 万元/亿元 with two decimals, percentages, multiples.

The engine works in yuan (元) as float64; structurers read 万元 (10^4 元) and 亿元 (10^8 元).
These helpers only change units and text; they never compute deal figures. Missing or
non-finite values show as an em dash so a table never prints ``nan``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

#: Yuan per 万元.
WAN = 1e4
#: Yuan per 亿元.
YI = 1e8
#: Text shown for a missing or non-finite number.
MISSING = "—"

#: Unit labels by language.
UNIT_LABELS: dict[str, dict[str, str]] = {
    "wan": {"zh": "万元", "en": "CNY 10k"},
    "yi": {"zh": "亿元", "en": "CNY 100m"},
    "yuan": {"zh": "元", "en": "CNY"},
}


def _finite(x: float | int | None) -> bool:
    return x is not None and isinstance(x, int | float) and math.isfinite(float(x))


def unit_label(unit: str, lang: str = "zh") -> str:
    """Label of ``unit`` (``"wan"``, ``"yi"`` or ``"yuan"``) in ``lang``.

    Examples
    --------
    >>> unit_label("wan")
    '万元'
    >>> unit_label("yi", "en")
    'CNY 100m'
    """
    return UNIT_LABELS[unit]["en" if lang == "en" else "zh"]


def wan(yuan: float | None) -> str:
    """Yuan → 万元, two decimals, thousands separators, no unit.

    Examples
    --------
    >>> wan(123_456_789.0)
    '12,345.68'
    >>> wan(float("nan"))
    '—'
    """
    if not _finite(yuan):
        return MISSING
    return f"{float(yuan) / WAN:,.2f}"  # type: ignore[arg-type]


def yi(yuan: float | None) -> str:
    """Yuan → 亿元, two decimals, no unit.

    Examples
    --------
    >>> yi(512_000_000.0)
    '5.12'
    """
    if not _finite(yuan):
        return MISSING
    return f"{float(yuan) / YI:,.2f}"  # type: ignore[arg-type]


def money(yuan: float | None, *, lang: str = "zh", unit: str = "auto") -> str:
    """Yuan as text with its unit: 亿元 from one 亿 up (``unit="auto"``), else 万元.

    Parameters
    ----------
    yuan : float or None
        Amount in yuan.
    lang : str
        ``"zh"`` or ``"en"`` (unit label language).
    unit : str
        ``"auto"``, ``"wan"`` or ``"yi"``.

    Examples
    --------
    >>> money(130_000_000.0)
    '1.30 亿元'
    >>> money(7_000_000.0)
    '700.00 万元'
    >>> money(7_000_000.0, lang="en")
    '700.00 CNY 10k'
    """
    if not _finite(yuan):
        return MISSING
    value = float(yuan)  # type: ignore[arg-type]
    chosen = unit
    if unit == "auto":
        chosen = "yi" if abs(value) >= YI else "wan"
    text = yi(value) if chosen == "yi" else wan(value)
    return f"{text} {unit_label(chosen, lang)}"


def pct(fraction: float | None, digits: int = 2) -> str:
    """Fraction → percentage text.

    Examples
    --------
    >>> pct(0.5046)
    '50.46%'
    >>> pct(0.024, 1)
    '2.4%'
    """
    if not _finite(fraction):
        return MISSING
    return f"{float(fraction) * 100:.{digits}f}%"  # type: ignore[arg-type]


def ratio(x: float | None, digits: int = 2) -> str:
    """A multiple such as 现金流覆盖倍数, e.g. ``1.35×``.

    Examples
    --------
    >>> ratio(1.3456)
    '1.35×'
    >>> ratio(float("inf"))
    '—'
    """
    if not _finite(x):
        return MISSING
    return f"{float(x):.{digits}f}×"  # type: ignore[arg-type]


def years(x: float | None) -> str:
    """Years with two decimals, e.g. a WAL.

    Examples
    --------
    >>> years(2.345)
    '2.35'
    """
    if not _finite(x):
        return MISSING
    return f"{float(x):.2f}"  # type: ignore[arg-type]


def frame_to_wan(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` with the given yuan columns converted to 万元 (rounded to 2 dp).

    Columns not present are ignored; the input frame is not modified.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [12_345.0, 1.0], "b": ["x", "y"]})
    >>> frame_to_wan(df, ["a"])["a"].tolist()
    [1.23, 0.0]
    """
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = (pd.to_numeric(out[col], errors="coerce") / WAN).round(2)
    return out


def frame_to_pct(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` with the given fraction columns converted to percent (2 dp).

    Examples
    --------
    >>> frame_to_pct(pd.DataFrame({"s": [0.5046]}), ["s"])["s"].tolist()
    [50.46]
    """
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = (pd.to_numeric(out[col], errors="coerce") * 100).round(2)
    return out


def one_language(text: str, lang: str = "zh") -> str:
    """The ``lang`` half of a bilingual ``中文 / English`` message (the text itself otherwise).

    The engine writes findings in both languages, Chinese first; the dashboard shows one
    language. The split is the first " / " (or "）/ ") with Chinese before it and an English word
    after it, so a " / " inside either half is kept.

    Examples
    --------
    >>> one_language("许可早于到期日：QD001 / licences ending early: QD001", "en")
    'licences ending early: QD001'
    >>> one_language("登记编号 / 估值缺失：QD002 / registration id or valuation missing", "zh")
    '登记编号 / 估值缺失：QD002'
    >>> one_language("缺少登记编号：R1（1笔）/ no registration id: R1 (1 asset)", "zh")
    '缺少登记编号：R1（1笔）'
    >>> one_language("plain English only", "zh")
    'plain English only'
    """
    start = 0
    while True:
        i = text.find("/ ", start)
        if i < 0:
            return text
        start = i + 2
        left, right = text[:i], text[i + 2 :]
        if not left.endswith((" ", "）")):  # "a/ b" inside a half is not the split
            continue
        left = left.rstrip()
        has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in left)
        if has_cjk and right[:1].isascii() and right[:1].isalpha():
            return left if lang == "zh" else right
