"""``dabs ui`` and ``dabs demo``: arguments, the server command line, errors before launch."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ui.cli import app, ui_cmds
from ui.state import ENV_DEAL, MAX_UPLOAD_MB

runner = CliRunner()


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record server launches instead of starting Streamlit."""
    calls: list[dict[str, Any]] = []

    def fake_call(cmd: list[str], env: dict[str, str]) -> int:
        calls.append({"cmd": cmd, "env": env})
        return 0

    monkeypatch.setattr(ui_cmds.subprocess, "call", fake_call)
    return calls


def test_streamlit_command_line() -> None:
    cmd = ui_cmds.streamlit_command(port=8765, headless=True)
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(cmd[4]) == ui_cmds.APP_PATH and ui_cmds.APP_PATH.name == "app.py"
    assert ui_cmds.APP_PATH.is_file()
    pairs = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert pairs["--server.headless"] == "true"
    assert pairs["--server.port"] == "8765"
    assert pairs["--server.maxUploadSize"] == str(MAX_UPLOAD_MB)
    assert pairs["--browser.gatherUsageStats"] == "false"
    # this machine only by default, and no Deploy button / developer menu
    assert pairs["--server.address"] == "127.0.0.1"
    assert pairs["--client.toolbarMode"] == "viewer"
    assert "--server.port" not in ui_cmds.streamlit_command()


def test_ui_binds_loopback_unless_host_given(launched: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["ui", "rugao-labelled", "--no-browser"])
    assert result.exit_code == 0, result.output
    assert "WARNING" not in result.output
    cmd = launched[-1]["cmd"]
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    result = runner.invoke(app, ["ui", "rugao-labelled", "--no-browser", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    cmd = launched[-1]["cmd"]
    assert cmd[cmd.index("--server.address") + 1] == "0.0.0.0"
    assert "WARNING: the dashboard has no authentication; --host 0.0.0.0" in result.output
    assert "警告：看板没有登录验证" in result.output


def test_ui_launches_with_the_deal_preselected(
    launched: list[dict[str, Any]], tmp_path: Path
) -> None:
    from abs.io import load_deal, save_deal

    path = save_deal(load_deal("rugao-labelled"), tmp_path / "d.json")
    result = runner.invoke(app, ["ui", str(path), "--no-browser", "--port", "8600"])
    assert result.exit_code == 0, result.output
    (call,) = launched
    assert call["env"][ENV_DEAL] == str(path.resolve())
    assert "--server.headless" in call["cmd"] and "8600" in call["cmd"]


def test_ui_with_an_example_name(launched: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["ui", "tianfeng-enabled", "--no-browser"])
    assert result.exit_code == 0, result.output
    assert launched[0]["env"][ENV_DEAL] == "tianfeng-enabled"


def test_ui_bad_deal_exits_2_before_any_server(
    launched: list[dict[str, Any]], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x"}), encoding="utf-8")
    result = runner.invoke(app, ["ui", str(bad)])
    assert result.exit_code == 2
    assert "field 'dates'" in result.output and "Field required" in result.output
    missing = runner.invoke(app, ["ui", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    assert "deal file not found" in missing.output
    assert launched == []


def test_demo_summary_only(launched: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["demo", "--summary-only", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert set(rows) == {
        "qingdao-pure",
        "rugao-labelled",
        "tianfeng-enabled",
        "scf-revolving-labelled",
    }
    assert (
        rows["scf-revolving-labelled"]["kind"],
        rows["scf-revolving-labelled"]["data_share"],
    ) == (
        "labelled",
        "51.05%",
    )
    assert (rows["qingdao-pure"]["kind"], rows["qingdao-pure"]["pure_100"]) == ("pure", True)
    assert rows["qingdao-pure"]["data_share"] == "100.00%"
    assert (rows["rugao-labelled"]["kind"], rows["rugao-labelled"]["data_share"]) == (
        "labelled",
        "50.46%",
    )
    assert rows["tianfeng-enabled"]["kind"] == "enabled"
    for row in rows.values():
        assert row["seniors_paid_in_full"] is True
        assert row["senior_min_coverage"] >= 1.0
        assert sum(t["balance"] for t in row["tranches"]) > 0
    assert launched == []


def test_demo_human_output_then_launch(launched: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["demo", "--no-browser"])
    assert result.exit_code == 0, result.output
    for text in ("纯数据型", "贴标型", "赋能型", "50.46%", "100.00%", "优先A1", "20,000.00"):
        assert text in result.output
    (call,) = launched
    assert call["env"][ENV_DEAL] == "qingdao-pure"


def test_without_a_terminal_the_server_runs_headless(
    launched: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Streamlit's first-run e-mail prompt needs a terminal; piped, the server must not ask.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert ui_cmds.launch("rugao-labelled", port=8601, headless=False) == 0
    (call,) = launched
    pairs = dict(zip(call["cmd"][5::2], call["cmd"][6::2], strict=True))
    assert pairs["--server.headless"] == "true"


def test_with_a_terminal_the_browser_opens(
    launched: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    assert ui_cmds.launch("rugao-labelled", port=None, headless=False) == 0
    (call,) = launched
    pairs = dict(zip(call["cmd"][5::2], call["cmd"][6::2], strict=True))
    assert pairs["--server.headless"] == "false"
