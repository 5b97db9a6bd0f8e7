"""Formula-injection neutralisation for text cells (CSV/xlsx injection, OWASP "CSV Injection").

Spreadsheet programs treat a cell typed as ``=…``, ``+…``, ``-…`` or ``@…`` as a formula, and
tab / carriage return at the start of a field are used to smuggle one past naive filters. A tape
is user input: an obligor called ``=HYPERLINK("http://…","点击")`` must arrive in the filing
workbook as that text, inert.

What the writers do, exactly
----------------------------
* A text cell is *risky* when its first character is one of :data:`FORMULA_TRIGGERS`
  (``=`` ``+`` ``-`` ``@`` tab ``\\t``, carriage return ``\\r``). Only text cells are examined;
  numbers, dates and empty cells are never touched (a negative amount stays a number).
* **xlsx**: every text cell is written with ``write_string`` (never ``write``/``write_formula``),
  so it is stored as a string, never a formula. A risky cell additionally gets the cell style
  ``quotePrefix`` — Excel's own record of a typed leading apostrophe (``'``): Excel and WPS show
  the text as is and keep it text when the cell is edited. The stored value is unchanged, so the
  text reads back identically.
* **CSV**: a risky cell is written with a leading apostrophe ``'`` prepended (the value read
  back is ``"'" + original``). So that the prefix can always be told apart from data, a text
  that itself starts with an apostrophe gets one more (``'abc`` → ``''abc``);
  :func:`unneutralise_csv` removes exactly one leading apostrophe and so restores the original.
  Nothing else is changed (quotes, commas and line breaks are handled by CSV quoting).
* **JSON** is data for programs, not for spreadsheets: text is written unchanged.

Every text cell is treated this way, whether it came from the tape or from the toolkit, so
nothing depends on knowing where a string came from.
"""

from __future__ import annotations

#: First characters that make a spreadsheet read a cell as a formula (or smuggle one in).
FORMULA_TRIGGERS: frozenset[str] = frozenset({"=", "+", "-", "@", "\t", "\r"})

#: Prefix written before a risky CSV cell.
CSV_PREFIX = "'"


def is_risky(text: str) -> bool:
    """True when ``text`` starts with a formula trigger character.

    Examples
    --------
    >>> is_risky("=SUM(A1:A9)"), is_risky("-2"), is_risky("青岛某银行"), is_risky("")
    (True, True, False, False)
    """
    return bool(text) and text[0] in FORMULA_TRIGGERS


def neutralise_csv(text: str) -> str:
    """CSV form of a text cell: ``'`` prepended when it is risky or starts with ``'``.

    Examples
    --------
    >>> neutralise_csv("@SUM(1,2)")
    "'@SUM(1,2)"
    >>> neutralise_csv("如皋城投")
    '如皋城投'
    >>> neutralise_csv("'abc")
    "''abc"
    """
    if is_risky(text) or text.startswith(CSV_PREFIX):
        return CSV_PREFIX + text
    return text


def unneutralise_csv(text: str) -> str:
    """Inverse of :func:`neutralise_csv` for a value read back from our CSV.

    Examples
    --------
    >>> unneutralise_csv("'=1+1")
    '=1+1'
    >>> unneutralise_csv("''abc")
    "'abc"
    >>> unneutralise_csv("如皋城投")
    '如皋城投'
    """
    return text[1:] if text.startswith(CSV_PREFIX) else text
