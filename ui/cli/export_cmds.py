"""``dabs export``: the exchange-filing workbook (xlsx), CSV folder and JSON document.

By default the export records itself in the deal library (docs/library.md): the deal file and
tape are saved as a version (or the newest version is reused when they are unchanged), the run
and every written file (SHA-256, a stored copy of the workbook) are recorded, and 模型说明
names the run (库运行编号) so ``dabs library verify`` can re-run it later. ``--no-record``
writes the files only.
"""

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
    tape: Annotated[
        str | None,
        typer.Option("--tape", help="资产清单 pool tape (CSV/XLSX) replacing the deal's pool"),
    ] = None,
    no_breakeven: Annotated[
        bool,
        typer.Option(
            "--no-breakeven",
            help="跳过临界值搜索（大资产池较慢）/ skip the break-even search (slow on big pools)",
        ),
    ] = False,
    record: Annotated[
        bool,
        typer.Option(
            "--record/--no-record",
            help="记录到交易库（默认）/ record version, run and files in the deal library",
        ),
    ] = True,
    name: Annotated[
        str | None,
        typer.Option("--name", help="交易在库中的名称 / library key (default: example or file)"),
    ] = None,
    message: Annotated[
        str | None,
        typer.Option("-m", "--message", help="若保存新版本，其说明 / message of a new version"),
    ] = None,
    author: Annotated[
        str | None, typer.Option("--author", help="作者 / author (default $DABS_AUTHOR)")
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="交易库URL / library URL (default $DABS_DB_URL)")
    ] = None,
) -> None:
    """导出申报表格 / write the filing workbook (9 Chinese sheets), optional CSV and JSON."""
    from abs.filing.csv_out import CSV_ENCODINGS
    from abs.io import resolve_deal_path
    from scenarios.filing_package import export_package

    if (mc is None) != (seed is None):
        raise ExportError("dabs export: --mc and --seed go together (give both or neither)")
    if output.suffix.lower() != ".xlsx":
        raise ExportError(f"{output}: the workbook name must end in .xlsx")
    if encoding not in CSV_ENCODINGS:
        raise ExportError(
            f"dabs export: --encoding must be one of {', '.join(CSV_ENCODINGS)}; got {encoding!r}"
        )
    if record:
        _export_recorded(
            deal,
            output=output,
            csv_dir=csv_dir,
            json_path=json_path,
            encoding=encoding,
            force=force,
            stress=stress,
            mc=mc,
            seed=seed,
            breakeven=not no_breakeven,
            name=name,
            message=message,
            author=author,
            db=db,
            tape=tape,
        )
        return
    loaded = load_deal_arg(deal, tape=tape)
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
        tape_path=tape,
        breakeven=not no_breakeven,
    )
    console.print(f"已导出 exported: {loaded.name}", highlight=False)
    for path in report.written:
        console.print(f"  {path}", highlight=False)


def _export_recorded(
    deal: str,
    *,
    output: Path,
    csv_dir: Path | None,
    json_path: Path | None,
    encoding: str,
    force: bool,
    stress: str | None,
    mc: int | None,
    seed: int | None,
    breakeven: bool,
    name: str | None,
    message: str | None,
    author: str | None,
    db: str | None,
    tape: str | None = None,
) -> None:
    """Save the deal as a library version (if changed), export from it, record everything.

    With ``tape`` the version saved is the deal file with that tape as its pool.
    """
    from abs.filing.files import FileOutput, FolderOutput, check_outputs
    from abs.io import parse_deal, resolve_deal_path
    from abs.library import Library
    from ui.cli.library_cmds import print_export
    from ui.library_service import export_version

    targets: list[FileOutput | FolderOutput] = [FileOutput(output, b"")]
    if csv_dir is not None:
        targets.append(FolderOutput(csv_dir, {}))
    if json_path is not None:
        targets.append(FileOutput(json_path, b""))
    check_outputs(targets, force=force)
    path = resolve_deal_path(deal)
    load_deal_arg(deal, tape=tape)  # validates deal and tape with the usual messages first
    parsed = parse_deal(path.read_bytes(), source=str(path))
    tape_label = None
    if tape is not None:
        tape_label = tape
    elif parsed.pool is None and parsed.tape is not None:
        own = Path(parsed.tape)
        tape_label = str(own if own.is_absolute() else path.parent / own)
    with Library.open(db) as lib:
        saved = lib.save_files(
            deal,
            tape_path=tape,
            key=name,
            message=message or "dabs export 自动保存 / saved by dabs export",
            author=author,
        )
        done = export_version(
            lib,
            saved.version,
            xlsx_path=output,
            csv_dir=csv_dir,
            json_path=json_path,
            csv_encoding=encoding,
            force=force,
            stress_set=stress,
            mc_paths=mc,
            seed=seed,
            breakeven=breakeven,
            author=author,
            deal_label=str(path),
            tape_label=tape_label,
        )
    if saved.created:
        console.print(f"已保存新版本 saved version {saved.version.ref}", highlight=False)
    print_export(done)
