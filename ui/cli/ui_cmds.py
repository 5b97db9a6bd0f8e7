"""``dabs ui`` (launch the dashboard) and ``dabs demo`` (summary of the examples, then the app).

``dabs ui [DEAL]`` checks the deal first (a broken deal exits 2 with the usual message, before
any server starts), then runs ``python -m streamlit run ui/app.py`` with the deal preselected
through ``$DABS_UI_DEAL``. ``dabs demo`` prints a short bilingual summary of the three shipped
examples (kind, data-linked share, tranche sizes, base-case senior coverage) and launches the
dashboard on ``qingdao-pure``; ``--summary-only`` stops after the summary (scripts, CI).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from abs.examples import EXAMPLES
from ui.cli.app import app
from ui.cli.common import handle_errors, load_deal_arg, print_json, print_table, wan
from ui.state import DEFAULT_EXAMPLE, ENV_DEAL, MAX_UPLOAD_MB

if TYPE_CHECKING:
    from ui.engine import ExampleSummary

#: The Streamlit entry script.
APP_PATH = Path(__file__).resolve().parent.parent / "app.py"


def streamlit_command(*, port: int | None = None, headless: bool = False) -> list[str]:
    """The command line that starts the dashboard server.

    Parameters
    ----------
    port : int, optional
        Port to listen on (Streamlit's default 8501 when omitted).
    headless : bool
        Do not open a browser window (``--no-browser``).

    Examples
    --------
    >>> cmd = streamlit_command(port=8600, headless=True)
    >>> cmd[1:4], cmd[-2:]
    (['-m', 'streamlit', 'run'], ['--server.port', '8600'])
    """
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        "--server.headless",
        "true" if headless else "false",
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",
        str(MAX_UPLOAD_MB),
    ]
    if port is not None:
        cmd += ["--server.port", str(port)]
    return cmd


def deal_for_env(path_or_name: str) -> str:
    """What ``$DABS_UI_DEAL`` should hold: the example name, or the deal file's absolute path."""
    if path_or_name in EXAMPLES:
        return path_or_name
    return str(Path(path_or_name).resolve())


def launch(path_or_name: str, *, port: int | None, headless: bool) -> int:
    """Run the dashboard server on ``path_or_name`` until it stops; return its exit code."""
    env = {**os.environ, ENV_DEAL: deal_for_env(path_or_name)}
    cmd = streamlit_command(port=port, headless=headless)
    typer.echo(f"启动看板 / starting the dashboard: {path_or_name}")
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


@app.command("ui")
@handle_errors
def ui_cmd(
    deal: str = typer.Argument(
        DEFAULT_EXAMPLE, help="示例名或交易文件 / example name or deal file"
    ),
    port: int | None = typer.Option(None, "--port", help="端口 / port (default 8501)"),
    no_browser: bool = typer.Option(
        False, "--no-browser", help="不打开浏览器 / headless server only"
    ),
) -> None:
    """启动结构化看板 / launch the structuring dashboard on DEAL."""
    load_deal_arg(deal)  # a broken deal fails here with exit code 2, before any server starts
    code = launch(deal, port=port, headless=no_browser)
    if code:
        raise typer.Exit(code)


# --- demo -----------------------------------------------------------------------------------


def summarise(name: str) -> ExampleSummary:
    """Classify, project and run the base case of ``name`` (engine calls only)."""
    from ui.engine import deal_summary

    return deal_summary(name)


@app.command("demo")
@handle_errors
def demo_cmd(
    deal: str = typer.Argument(DEFAULT_EXAMPLE, help="启动看板的交易 / deal the dashboard opens"),
    summary_only: bool = typer.Option(
        False, "--summary-only", help="只打印摘要，不启动看板 / print the summary only"
    ),
    no_browser: bool = typer.Option(
        False, "--no-browser", help="不打开浏览器 / headless server only"
    ),
    port: int | None = typer.Option(None, "--port", help="端口 / port (default 8501)"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable summary"),
) -> None:
    """三个示例的摘要，然后启动看板 / summary of the three examples, then the dashboard."""
    summaries = [summarise(name) for name in EXAMPLES]
    if as_json:
        print_json([s.to_dict() for s in summaries])
    else:
        rows = [
            (
                s.name,
                f"{s.kind_zh} {s.kind}" + (" (100%)" if s.pure_100 else ""),
                s.data_share_text,
                wan(s.pool_total),
                " / ".join(f"{n} {wan(b)}" for n, b in s.tranches),
                f"{s.senior_min_coverage:.2f}×",
                "是 yes" if s.seniors_paid_in_full else "否 no",
            )
            for s in summaries
        ]
        print_table(
            "示例交易 Examples（金额：万元 amounts in 10k CNY）",
            [
                "示例 example",
                "类型 kind",
                "数据资产占比 data share",
                "入池金额 pool",
                "分档规模 tranches",
                "优先级最低覆盖倍数 min senior coverage",
                "优先级足额兑付 seniors paid",
            ],
            rows,
            right_align_from=2,
        )
    if summary_only:
        return
    load_deal_arg(deal)
    code = launch(deal, port=port, headless=no_browser)
    if code:
        raise typer.Exit(code)
