"""Read-only tokens: reports and pulls work with one; apply refuses before any write, in one line."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from trelloplan.board.apply import apply_plan
from trelloplan.board.state import PlanState
from trelloplan.cli import main
from trelloplan.client import Credentials, RetryPolicy, Trello
from trelloplan.client.access import TokenAccess, require_write_access, token_access
from trelloplan.errors import ReadOnlyToken
from trelloplan.plan.planfile import load_plan
from trelloplan.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
PLAN_FILE = ROOT / "tests" / "plans" / "cassette-plan.yaml"
PLAN = load_plan(PLAN_FILE)
FAST = RetryPolicy(attempts=3, base=0.001, cap=0.01)
pytestmark = pytest.mark.sandbox(rate_limit=False)


class _Cassette(yaml.SafeLoader):
    pass


_Cassette.add_constructor("!binary", lambda loader, node: base64.b64decode(loader.construct_scalar(node)))


def test_the_recorded_token_answer_reads_as_read_and_write(trello_samples: Path) -> None:
    cassette = yaml.load((trello_samples / "ruby-trello" / "token_find_with_token_string.yml").read_text(), Loader=_Cassette)
    body = cassette["http_interactions"][0]["response"]["body"]["string"]
    access = TokenAccess.from_json(json.loads(body))
    assert (access.can_read, access.can_write, access.known, access.scope) == (True, True, True, "read,write")
    assert access.member_id == "5e679b808e6e8828784b30e1" and access.identifier == "Server Token"
    read_only = json.loads(body)
    for permission in read_only["permissions"]:
        permission["write"] = False
    assert TokenAccess.from_json(read_only).scope == "read"
    assert TokenAccess.from_json({"idMember": "x"}).known is False  # no permissions listed: unknown, not refused


def connect(sandbox: Sandbox, token: str) -> Trello:
    return Trello(Credentials(sandbox.key, token), api_url=sandbox.api_url, retry=FAST)


def test_apply_with_a_read_only_token_refuses_before_any_write(sandbox: Sandbox, tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    reader = sandbox.add_token(scope="read")
    state_path = tmp_path / "plan.state.json"
    with connect(sandbox, reader) as trello, caplog.at_level(logging.DEBUG, logger="trelloplan"):
        assert token_access(trello).scope == "read"
        with pytest.raises(ReadOnlyToken) as info:
            apply_plan(trello, PLAN, PlanState(path=state_path))
    assert info.value.exit_code == 2
    assert info.value.message == ("the Trello token (TRELLO_TOKEN) may only read (read scope); making changes to a board "
                                  "needs write access, so nothing was changed")
    assert set(sandbox.counters.snapshot()["byMethod"]) == {"GET"} and not state_path.exists()
    assert reader not in caplog.text and "/tokens/***" in caplog.text  # Trello wants the token in that path
    with connect(sandbox, sandbox.token) as trello:
        assert require_write_access(trello).can_write


def test_with_a_read_only_token_plan_pull_and_report_work_and_apply_is_one_line(sandbox: Sandbox, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN_FILE.read_text())
    env = {**sandbox.env(), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runner = CliRunner()
    made = runner.invoke(main, ["apply", str(plan), "--yes"], env=env)  # the board, made with the read-write token
    assert made.exit_code == 0, made.stderr
    board = json.loads((tmp_path / "plan.state.json").read_text())["board_id"]
    read_env = {**env, "TRELLO_TOKEN": sandbox.add_token(scope="read")}
    assert runner.invoke(main, ["plan", str(plan), "--check"], env=read_env).exit_code == 0
    pulled = runner.invoke(main, ["pull", "--board", board, "--store", str(tmp_path / "b.sqlite")], env=read_env)
    assert pulled.exit_code == 0, pulled.stderr
    report = runner.invoke(main, ["report", "--board", board, "--plan", str(plan), "--format", "json"], env=read_env)
    assert report.exit_code == 0 and json.loads(report.stdout)["totals"]["cards"] == len(list(PLAN.tasks()))
    assert runner.invoke(main, ["apply", str(plan), "--yes"], env=read_env).exit_code == 0  # nothing to change: no write
    plan.write_text(PLAN_FILE.read_text().replace("project: ", "project: Renamed ", 1))
    sandbox.counters.reset()
    refused = runner.invoke(main, ["apply", str(plan), "--yes"], env=read_env)
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("error: the Trello token (TRELLO_TOKEN) may only read (read scope); ")
    assert "(hint: make a token with read and write access (https://trello.com/1/authorize?" in refused.stderr
    assert set(sandbox.counters.snapshot()["byMethod"]) == {"GET"}
