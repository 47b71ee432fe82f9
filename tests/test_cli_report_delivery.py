"""`trelloplan report` as cron runs it: HTML files, email through a real SMTP server, --eml, the lock,
and `trelloplan pull`; every failure is one stderr line, a non-zero exit, and no email."""

from __future__ import annotations

import email
import socket
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from trelloplan.board.apply import apply_plan
from trelloplan.board.state import PlanState, default_state_path
from trelloplan.cli import main
from trelloplan.client import Credentials, Trello
from trelloplan.client.ratelimit import Pacer, Window
from trelloplan.lock import board_lock
from trelloplan.plan.planfile import load_plan

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.sandbox(rate_limit=False)  # the board fixture alone sends ~100 requests
PLAN_TEXT = (ROOT / "plans" / "mlops-gcp-10-weeks.yaml").read_text().replace("start: 2027-01-04", "start: 2026-06-01")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox():
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def board(sandbox, tmp_path):
    """A plan applied to the sandbox, with three weeks of work done on it."""
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text(PLAN_TEXT)
    plan = load_plan(plan_path)
    sandbox.clock.freeze(plan.week(1).start.isoformat() + "T08:00:00Z")
    state = PlanState(path=default_state_path(plan_path))
    unpaced = Pacer(Window(10_000, 1.0), Window(10_000, 1.0))  # this sandbox has no rate limit to respect
    with Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url, pacer=unpaced) as trello:
        apply_plan(trello, plan, state)
        for week in plan.weeks[:3]:
            for i, task in enumerate(week.tasks):
                sandbox.clock.freeze(week.due - timedelta(hours=6 - i))
                trello.put(f"/cards/{state.cards[task.key]['id']}", {"idList": state.lists["done"]["id"]})
    sandbox.clock.freeze(plan.week(3).due)
    sandbox.rate_limits.reset()  # the CLI's pacer reads the X-Rate-Limit headers: start it with a fresh window
    return plan_path, state.board_id


def env(sandbox, **extra):
    return {**sandbox.env(), "TRELLOPLAN_SMTP_PASSWORD": "", "TRELLOPLAN_SMTP_USER": "", "TRELLOPLAN_SMTP_HOST": "",
            "TRELLOPLAN_SMTP_FROM": "", **extra}


def run(environment, *args):
    result = CliRunner().invoke(main, list(args), env=environment)
    return result.exit_code, result.stdout, result.stderr


def email_args(plan_path, board_id, port, *more):
    return ["report", "--board", board_id, "--plan", str(plan_path), "--week", "3", "--email-to", "team@example.com",
            "--email-from", "Reports <reports@example.com>", "--smtp-host", "127.0.0.1", "--smtp-port", str(port), *more]


def test_cron_emails_the_report_quietly(sandbox, board, inbox, tmp_path):
    plan_path, board_id = board
    code, out, err = run(env(sandbox), *email_args(plan_path, board_id, inbox.port, "--email-to", "lead@example.com"))
    assert (code, out, err) == (0, "", "")
    [message] = inbox.messages
    assert inbox.envelopes == [("reports@example.com", ["team@example.com", "lead@example.com"])]
    assert message["Subject"].startswith("MLOps on GCP: week 3 of 10, 25% done, ")
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "15 of 60" in plain or "15/60" in plain
    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert len(images) >= 3
    for image in images:
        assert f"cid:{image['Content-ID'].strip('<>')}" in html
    assert "<script" not in html


def test_eml_writes_the_message_instead_of_sending_it(sandbox, board, inbox, tmp_path):
    plan_path, board_id = board
    eml = tmp_path / "weekly.eml"
    code, out, err = run(env(sandbox), "report", "--board", board_id, "--plan", str(plan_path), "--week", "3",
                         "--email-to", "team@example.com", "--eml", str(eml))
    assert (code, out, err) == (0, "", "")
    assert inbox.messages == []
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "team@example.com" and "week 3 of 10" in message["Subject"]


def test_html_report_file(sandbox, board, tmp_path):
    plan_path, board_id = board
    out_file = tmp_path / "report.html"
    code, out, err = run(env(sandbox), "report", "--board", board_id, "--plan", str(plan_path), "--week", "3",
                         "--format", "html", "--out", str(out_file))
    assert (code, out, err) == (0, "", "")
    page = out_file.read_text()
    assert page.count('src="data:image/png;base64,') >= 3 and "MLOps on GCP" in page and "http://" not in page.split("<body")[0]


def test_an_smtp_server_that_is_gone_sends_nothing(sandbox, board):
    plan_path, board_id = board
    code, out, err = run(env(sandbox), *email_args(plan_path, board_id, free_port()))
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and "(hint: " in err


def test_trello_unreachable_means_no_email(sandbox, board, inbox):
    plan_path, board_id = board
    code, out, err = run(env(sandbox, TRELLO_API_URL=f"http://127.0.0.1:{free_port()}/1"),
                         *email_args(plan_path, board_id, inbox.port))
    assert code == 1 and inbox.messages == []
    assert len(err.splitlines()) == 1 and "could not connect" in err


def test_a_bad_address_fails_before_anything_is_fetched(sandbox, board, inbox):
    plan_path, board_id = board
    sandbox.counters.reset()
    args = email_args(plan_path, board_id, inbox.port)
    args[args.index("team@example.com")] = "team at example"
    code, out, err = run(env(sandbox), *args)
    assert code == 2 and inbox.messages == [] and sandbox.counters.snapshot()["requests"] == 0
    assert len(err.splitlines()) == 1 and "team at example" in err


def test_a_second_run_at_the_same_time_does_not_send(sandbox, board, inbox, tmp_path):
    plan_path, board_id = board
    with board_lock(board_id):
        code, out, err = run(env(sandbox), *email_args(plan_path, board_id, inbox.port))
    assert code == 1 and inbox.messages == []
    assert err.startswith("error: ") and "another run" in err.lower() or "lock" in err.lower()
    assert run(env(sandbox), *email_args(plan_path, board_id, inbox.port))[0] == 0
    assert len(inbox.messages) == 1


def test_missing_smtp_settings_are_a_usage_error(sandbox, board):
    plan_path, board_id = board
    code, out, err = run(env(sandbox), "report", "--board", board_id, "--email-to", "team@example.com")
    assert code == 2 and err.startswith("error: no SMTP server: pass --smtp-host or set TRELLOPLAN_SMTP_HOST")


def test_pull_fetches_only_what_is_new(sandbox, board, tmp_path):
    _, board_id = board
    store = tmp_path / "board.sqlite"
    code, out, err = run(env(sandbox), "pull", "--board", board_id, "--store", str(store))
    assert code == 0 and out.startswith("pulled ") and f"of board {board_id} into {store}" in out
    sandbox.counters.reset()
    code, out, _ = run(env(sandbox), "pull", "--board", board_id, "--store", str(store))
    assert code == 0 and out.startswith("pulled 0 new actions") and out.rstrip().endswith("1 request)")
    assert sandbox.counters.snapshot()["requests"] == 1
    code, out, err = run(env(sandbox), "pull", "--board", "a" * 24, "--store", str(tmp_path / "other.sqlite"))
    assert code == 2 and err.startswith(f"error: board {'a' * 24} does not exist, or this token cannot see it")
    assert not (tmp_path / "other.sqlite").exists()  # no empty store left behind
