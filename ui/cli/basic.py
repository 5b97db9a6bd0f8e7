"""``dabs examples`` and ``dabs schema``."""

from __future__ import annotations

import json

import typer

from abs.examples import EXAMPLES, example_deal_path
from ui.cli.app import app
from ui.cli.common import handle_errors, print_json, print_table


@app.command("examples")
@handle_errors
def examples_cmd(
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """列出内置示例 / list the shipped example deals."""
    rows = [(name, desc, str(example_deal_path(name))) for name, desc in EXAMPLES.items()]
    if as_json:
        print_json([{"name": n, "description": d, "deal": p} for n, d, p in rows])
        return
    print_table(
        "内置示例 Examples",
        ["名称 name", "说明 description", "交易文件 deal file"],
        rows,
        right_align_from=99,
    )


@app.command("schema")
@handle_errors
def schema_cmd() -> None:
    """打印交易文件的 JSON Schema / print the JSON Schema of a deal file."""
    from abs.io import deal_json_schema

    typer.echo(json.dumps(deal_json_schema(), ensure_ascii=False, indent=2))
