"""The typer application every ``dabs`` command registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="dabs",
    help="数据资产ABS结构化工具 / structuring toolkit for Chinese data-asset ABS.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
