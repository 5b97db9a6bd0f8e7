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
from dataclasses import dataclass
from pathlib import Path

import typer

from abs.examples import EXAMPLES
from ui.cli.app import app
from ui.cli.common import handle_errors, load_deal_arg, print_json, print_table, wan
from ui.state import DEFAULT_EXAMPLE, ENV_DEAL, MAX_UPLOAD_MB

#: The Streamlit entry script.
APP_PATH = Path(__file__).resolve().parent.parent / "app.py"


#: Address the dashboard listens on unless ``--host`` says otherwise: this machine only. The
#: dashboard has no authentication, so it is never offered to the network by default.
DEFAULT_HOST = "127.0.0.1"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def streamlit_command(
    *, port: int | None = None, headless: bool = False, host: str = DEFAULT_HOST
) -> list[str]:
    """The command line that starts the dashboard server.

    Bound to ``host`` (loopback by default), with the toolbar in viewer mode (no Deploy
    button, no developer menu) and the upload limit of :data:`ui.state.MAX_UPLOAD_MB`.

    Parameters
    ----------
    port : int, optional
        Port to listen on (Streamlit's default 8501 when omitted).
    headless : bool
        Do not open a browser window (``--no-browser``).
    host : str
        Address to listen on (``--host``); ``0.0.0.0`` opens it to every network interface.

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
        "--server.address",
        host,
        "--client.toolbarMode",
        "viewer",
    ]
    if port is not None:
        cmd += ["--server.port", str(port)]
    return cmd


def deal_for_env(path_or_name: str) -> str:
    """What ``$DABS_UI_DEAL`` should hold: the example name, or the deal file's absolute path."""
    if path_or_name in EXAMPLES:
        return path_or_name
    return str(Path(path_or_name).resolve())


def launch(path_or_name: str, *, port: int | None, headless: bool, host: str = DEFAULT_HOST) -> int:
    """Run the dashboard server on ``path_or_name`` until it stops; return its exit code.

    Without a terminal on standard input (a pipe, a script, CI) the server always runs
    headless: nobody could answer Streamlit's first-run e-mail prompt, which would otherwise
    end the server at once; open the printed address in a browser.
    """
    env = {**os.environ, ENV_DEAL: deal_for_env(path_or_name)}
    if host not in LOOPBACK:
        typer.echo(
            f"警告：看板没有登录验证，--host {host} 让网络上的任何人都能打开它并读取交易数据。"
            f"仅在可信网络中使用。 / WARNING: the dashboard has no authentication; --host {host} "
            "lets anyone who can reach this machine open it and read the deal. Use it on a "
            "trusted network only.",
            err=True,
        )
    if not headless and not sys.stdin.isatty():
        headless = True
        typer.echo(
            f"无终端输入：以无界面方式启动，请在浏览器打开 http://localhost:{port or 8501} / "
            f"no terminal on stdin: headless server, open http://localhost:{port or 8501}"
        )
    cmd = streamlit_command(port=port, headless=headless, host=host)
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
    host: str = typer.Option(
        DEFAULT_HOST,
        "--host",
        help="监听地址 / address to listen on (default this machine only; 0.0.0.0 = every "
        "interface, no authentication)",
    ),
) -> None:
    """启动结构化看板 / launch the structuring dashboard on DEAL."""
    load_deal_arg(deal)  # a broken deal fails here with exit code 2, before any server starts
    code = launch(deal, port=port, headless=no_browser, host=host)
    if code:
        raise typer.Exit(code)


# --- demo -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExampleSummary:
    """What ``dabs demo`` prints for one deal: kind, share, sizes and base-case coverage.

    Attributes
    ----------
    name : str
        Example name (or deal path) as given.
    deal_name : str
        专项计划名称.
    kind, kind_zh : str
        Deal kind value and its Chinese label.
    data_share_text : str
        Data-linked share as the classifier prints it.
    pure_100 : bool
        Every fen of the pool is data-linked.
    pool_total : float
        入池总金额 (yuan).
    tranches : tuple of (str, float)
        Tranche names and sizes (yuan).
    senior_min_coverage : float
        Lowest senior 现金流覆盖倍数 of the base case (scheduled principal included).
    seniors_paid_in_full : bool
        Every senior tranche is paid in full in the base case.
    """

    name: str
    deal_name: str
    kind: str
    kind_zh: str
    data_share_text: str
    pure_100: bool
    pool_total: float
    tranches: tuple[tuple[str, float], ...]
    senior_min_coverage: float
    seniors_paid_in_full: bool

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "deal_name": self.deal_name,
            "kind": self.kind,
            "kind_zh": self.kind_zh,
            "data_share": self.data_share_text,
            "pure_100": self.pure_100,
            "pool_total": self.pool_total,
            "tranches": [{"name": n, "balance": b} for n, b in self.tranches],
            "senior_min_coverage": self.senior_min_coverage,
            "seniors_paid_in_full": self.seniors_paid_in_full,
        }


def summarise(path_or_name: str) -> ExampleSummary:
    """Classify, project and run the base case of a deal (no Streamlit cache; for the CLI)."""
    from abs.classify import classify_deal, format_share
    from abs.io import load_deal
    from scenarios.report import base_report

    deal = load_deal(path_or_name)
    cls = classify_deal(deal)
    rep = base_report(deal)
    return ExampleSummary(
        name=str(path_or_name),
        deal_name=deal.name,
        kind=cls.kind.value,
        kind_zh=cls.kind_zh,
        data_share_text=format_share(cls.linked_fen, cls.total_fen),
        pure_100=cls.pure_100,
        pool_total=cls.total_amount,
        tranches=tuple((tr.name, tr.balance) for tr in deal.tranches),
        senior_min_coverage=rep.senior_min_coverage,
        seniors_paid_in_full=rep.seniors_paid,
    )


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
    host: str = typer.Option(
        DEFAULT_HOST, "--host", help="监听地址 / address to listen on (see dabs ui --help)"
    ),
) -> None:
    """三个示例的摘要，然后启动看板 / summary of the three examples, then the dashboard."""
    summaries = [summarise(name) for name in EXAMPLES]
    if as_json:
        print_json([s.to_dict() for s in summaries])
    else:
        print_table(
            "示例交易 Examples（金额：万元 / 10k CNY）",
            ["示例 example", "类型 kind", "占比 share", "入池 pool", "覆盖 cov.", "兑付 paid"],
            [
                (
                    s.name,
                    f"{s.kind_zh} {s.kind}" + (" 100%" if s.pure_100 else ""),
                    s.data_share_text,
                    wan(s.pool_total),
                    f"{s.senior_min_coverage:.2f}×",
                    "是 yes" if s.seniors_paid_in_full else "否 no",
                )
                for s in summaries
            ],
            right_align_from=2,
        )
        print_table(
            "分档规模 Tranches（万元 / 10k CNY）",
            ["示例 example", "档位 tranche", "规模 size"],
            [(s.name, name, wan(size)) for s in summaries for name, size in s.tranches],
            right_align_from=2,
        )
        typer.echo(
            "覆盖 = 基准情景优先级最低现金流覆盖倍数（含应付本金）; "
            "cov. = lowest base-case senior cash-flow coverage (scheduled principal included)"
        )
    if summary_only:
        return
    load_deal_arg(deal)
    code = launch(deal, port=port, headless=no_browser, host=host)
    if code:
        raise typer.Exit(code)
