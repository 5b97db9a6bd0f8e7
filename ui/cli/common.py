"""Shared CLI plumbing: input resolution, error → exit 2, JSON and table output."""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from abs.asset import Pool
from abs.deal import Deal
from abs.errors import DabsError
from abs.examples import EXAMPLES

F = TypeVar("F", bound=Callable[..., Any])

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

EXIT_BAD_INPUT = 2


def handle_errors(func: F) -> F:
    """Turn every :class:`DabsError` (and OS errors on user paths) into a message and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DabsError as exc:
            err_console.print(f"[bold red]错误 error:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
            err_console.print(
                f"[bold red]错误 error:[/] {exc.filename}: {exc.strerror}",
                markup=True,
                highlight=False,
            )
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


def is_deal_file(path_or_name: str) -> bool:
    """True for an example name or a ``.json`` path (a deal); otherwise a tape."""
    return path_or_name in EXAMPLES or path_or_name.lower().endswith(".json")


def print_deal_warnings(deal: Deal) -> None:
    """Warnings about a valid deal (``abs.io.deal_warnings``) on stderr; the exit code stays."""
    from abs.io import deal_warnings

    for issue in deal_warnings(deal):
        err_console.print(f"[bold yellow]警告 warning:[/] {issue}", markup=True, highlight=False)


def load_deal_arg(path_or_name: str, *, tape: str | None = None) -> Deal:
    """A deal from a path or example name, with its pool read (warnings go to stderr).

    ``tape`` (``--tape``) replaces the deal's pool with that tape, read on the deal's cut-off
    date: the structure of one deal applied to another pool, as the dashboard's upload does.
    """
    from abs.io import load_deal

    deal = load_deal(path_or_name, with_pool=tape is None)
    if tape is not None:
        from abs.tape import read_tape_report

        report = read_tape_report(tape, cutoff_date=deal.dates.cutoff_date)
        for warning in report.warnings:
            err_console.print(f"[bold yellow]警告 warning:[/] {warning}", highlight=False)
        deal = deal.model_copy(update={"pool": report.pool, "tape": None})
    print_deal_warnings(deal)
    return deal


def load_pool_arg(path_or_name: str) -> tuple[Pool, Deal | None]:
    """The pool (and the deal, if a deal was given) from a tape path, deal path or example."""
    from abs.io import load_deal, require_pool
    from abs.tape import read_tape

    if is_deal_file(path_or_name):
        deal = load_deal(path_or_name)
        print_deal_warnings(deal)
        return require_pool(deal), deal
    path = Path(path_or_name)
    if not path.exists():
        raise DabsError(f"{path_or_name}: no such file, and not an example ({', '.join(EXAMPLES)})")
    return read_tape(path), None


def _clean(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def print_json(data: Any) -> None:
    """Machine-readable output: UTF-8 JSON, Chinese unescaped, NaN/inf as null."""
    sys.stdout.write(json.dumps(_clean(data), ensure_ascii=False, indent=2, default=str) + "\n")


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    right_align_from: int = 1,
) -> None:
    """A human table; column headers are ``中文 English``."""
    table = Table(title=title, title_justify="left", header_style="bold")
    for i, col in enumerate(columns):
        table.add_column(col, justify="right" if i >= right_align_from else "left")
    for row in rows:
        table.add_row(*[str(c) for c in row])
    console.print(table)


def wan(amount: float) -> str:
    """Yuan → 万元 with two decimals and thousands separators."""
    return f"{amount / 1e4:,.2f}"


def pct(x: float, digits: int = 2) -> str:
    """Fraction → percentage string."""
    return f"{x * 100:.{digits}f}%"
