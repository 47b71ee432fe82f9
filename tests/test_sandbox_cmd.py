"""``trelloplan sandbox``: starts, prints what to export, serves, and stops on Ctrl-C with its state."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from click.testing import CliRunner

from trelloplan.cli import main
from trelloplan.sandbox import Sandbox


def start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "trelloplan", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.strip().startswith("export "):
            found = dict(re.findall(r"(TRELLO_\w+)=(\S+)", line))
            secret = re.search(r"secret\s+(\S+)", "".join(lines))
            return process, {**found, "output": "".join(lines), "secret": secret.group(1) if secret else ""}
    process.kill()
    raise AssertionError("no export line: " + "".join(lines) + (process.stderr.read() if process.stderr else ""))


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    return process.returncode, err


def test_the_command_serves_until_ctrl_c_and_keeps_its_state(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    process, env = start("--db", str(db))
    try:
        url, key, token = env["TRELLO_API_URL"], env["TRELLO_API_KEY"], env["TRELLO_TOKEN"]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/1", url)
        assert re.fullmatch(r"[0-9a-f]{32}", key) and re.fullmatch(r"[0-9a-f]{64}", token)
        assert f"key       {key}" in env["output"] and str(db) in env["output"]
        made = requests.post(
            url + "/boards", params={"key": key, "token": token}, json={"name": "Survives"}, timeout=10
        )
        assert made.status_code == 200
    finally:
        code, err = stop(process)
    assert code == 0, err
    assert f"sandbox stopped; state saved in {db}" in err and "Traceback" not in err
    with Sandbox(db=db) as again:
        assert (again.key, again.token) == (key, token)
        boards = requests.get(again.api_url + "/members/me/boards", params=again.auth(), timeout=10).json()
        assert [board["name"] for board in boards] == ["Survives"]


def test_fault_and_rate_limit_options_apply() -> None:
    process, env = start("--latency-ms", "1", "--fault-rate", "1", "--seed", "3", "--no-rate-limit")
    try:
        url, key, token = env["TRELLO_API_URL"], env["TRELLO_API_KEY"], env["TRELLO_TOKEN"]
        assert "in memory" in env["output"]
        answered = requests.get(url + "/members/me", params={"key": key, "token": token}, timeout=10)
        assert answered.status_code in {429, 500, 502, 503}  # every request is faulted
        control = url.removesuffix("/1") + "/_sandbox"
        secret = {"X-Sandbox-Secret": env["secret"]}
        faults = requests.get(control + "/faults", headers=secret, timeout=10).json()
        assert (faults["latencyMs"], faults["errorRate"], faults["seed"]) == (1.0, 1.0, 3)
        assert requests.get(control + "/ratelimit", headers=secret, timeout=10).json()["enabled"] is False
        assert requests.get(control + "/faults", timeout=10).status_code == 401  # no secret, no control
    finally:
        code, err = stop(process)
    assert code == 0, err
    assert err.strip() == "sandbox stopped"


def test_errors_are_one_clean_line(tmp_path: Path) -> None:
    runner = CliRunner()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        port = busy.getsockname()[1]
        result = runner.invoke(main, ["sandbox", "--port", str(port)])
    finally:
        busy.close()
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: port {port} on 127.0.0.1 is already in use (hint: choose another --port, or stop the program using it)"
    )
    missing = runner.invoke(main, ["sandbox", "--port", "0", "--db", str(tmp_path / "nope" / "x.db")])
    assert missing.exit_code == 1 and missing.output.count("\n") == 1 and "is not a directory" in missing.output
    bad_rate = runner.invoke(main, ["sandbox", "--fault-rate", "2"])
    assert bad_rate.exit_code == 2


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["sandbox", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "trelloplan sandbox --db sandbox.db" in result.output
    for option in ("--host", "--port", "--db", "--latency-ms", "--fault-rate", "--seed", "--no-rate-limit"):
        assert option in result.output
