"""``dabs export``: the exchange-filing workbook (xlsx), CSV folder and JSON document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from abs.errors import ExportError
from ui.cli.app import app
from ui.cli.common import console, handle_errors, load_deal_arg


@app.command("export")
@handle_errors
def export_cmd(
    deal: Annotated[str, typer.Argument(help="交易文件路径或示例名 / deal file or example name")],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="输出工作簿 / output workbook (.xlsx)", dir_okay=False),
    ],
    csv_dir: Annotated[
        Path | None,
        typer.Option("--csv", help="同时输出 CSV 到此文件夹 / also write one CSV per sheet here"),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="同时输出 JSON 文档 / also write the JSON document here"),
    ] = None,
    stress: Annotated[
        str | None,
        typer.Option(
            "--stress", help="压力情景集：data / receivable 或 JSON/CSV 文件 / stress set or file"
        ),
    ] = None,
    mc: Annotated[
        int | None,
        typer.Option("--mc", min=1, help="蒙特卡洛路径数（需 --seed）/ Monte Carlo paths"),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="随机种子 / seed for --mc")] = None,
    encoding: Annotated[
        str,
        typer.Option(
            "--encoding", help="CSV 编码 / CSV encoding: utf-8-sig (BOM), utf-8, gbk, gb18030"
        ),
    ] = "utf-8-sig",
    force: Annotated[
        bool, typer.Option("--force", help="覆盖已有文件 / overwrite existing files")
    ] = False,
    no_breakeven: Annotated[
        bool,
        typer.Option(
            "--no-breakeven",
            help="跳过临界值搜索（大资产池较慢）/ skip the break-even search (slow on big pools)",
        ),
    ] = False,
) -> None:
    """导出申报表格 / write the filing workbook (9 Chinese sheets), optional CSV and JSON."""
    from abs.filing.csv_out import CSV_ENCODINGS
    from abs.io import resolve_deal_path
    from ui.filing_package import export_package

    if (mc is None) != (seed is None):
        raise ExportError("dabs export: --mc and --seed go together (give both or neither)")
    if output.suffix.lower() != ".xlsx":
        raise ExportError(f"{output}: the workbook name must end in .xlsx")
    if encoding not in CSV_ENCODINGS:
        raise ExportError(
            f"dabs export: --encoding must be one of {', '.join(CSV_ENCODINGS)}; got {encoding!r}"
        )
    loaded = load_deal_arg(deal)
    report = export_package(
        loaded,
        xlsx_path=output,
        csv_dir=csv_dir,
        json_path=json_path,
        csv_encoding=encoding,
        force=force,
        stress_set=stress,
        mc_paths=mc,
        seed=seed,
        deal_path=resolve_deal_path(deal),
        breakeven=not no_breakeven,
    )
    console.print(f"已导出 exported: {loaded.name}", highlight=False)
    for path in report.written:
        console.print(f"  {path}", highlight=False)
