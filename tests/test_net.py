"""The deadline policy (trelloplan/net.py) and what plan, apply, pull and report say when a server misbehaves.

Every misbehaving server is a real one on loopback (tests/misbehaving.py): a proxy's login page, JSON of
the wrong shape, a body cut off, a redirect, something that is not HTTP, one byte every few tenths of a
second. Each ends in one stderr line naming the request and what came back (or the server and the
deadline), exit 1, no traceback, within the deadline.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from misbehaving import MisbehavingServer, Reply

from trelloplan.cli import main
from trelloplan.client import Credentials, OutcomeUnknown, RetryPolicy, Trello
from trelloplan.errors import ConfigError, DeadlineExceeded, EmailError, UnexpectedResponse
from trelloplan.mail import SmtpSettings, send_email
from trelloplan.net import DEFAULT_DEADLINE, deadline, deadline_from_env, shut_down

ROOT = Path(__file__).resolve().parent.parent
BOARD = "5f1a2b3c4d5e6f7a8b9c0d1e"
KEY, TOKEN = "3f9c2a7be1d04c58a6b7e9f0d1c2b3a4", "c4d19e07b2f3a8651d0e9c7b4a2f6e8d13b5c7a9e0f2d4b6a8c0e1f3d5b7a9c2"
SLOW = b'{"id": "' + BOARD.encode() + b'", "name": "slow", "lists": [], "cards": [], "labels": []}'

REPLIES: dict[str, tuple[Any, str]] = {
    "login page": (Reply(200, b"<!DOCTYPE html><html><title>Sign in - Corp Proxy</title></html>", "text/html"),
                   "answered 200 text/html, not JSON: '<!DOCTYPE html><html><title>Sign in - Corp Proxy"),
    "list for an object": (Reply(200, b"[1, 2]"), "answered 200 with JSON of another shape:"),
    "sign-in page as 401": (Reply(401, b"<!DOCTYPE html><title>Corporate SSO - Sign in</title><form>Login</form>", "text/html"),
                            "answered 401 text/html, not JSON: '<!DOCTYPE html><title>Corporate SSO - Sign in"),
    "web server's 404": (Reply(404, b"<html><body><h1>Not Found</h1></body></html>", "text/html"),
                         "answered 404 text/html, not JSON: '<html><body><h1>Not Found</h1>"),
    "idLabels of objects": (lambda method, path: Reply(200, b"[]") if path.endswith("/actions") else Reply(
        200, b'{"id": "' + BOARD.encode() + b'", "cards": [{"id": "5f1a2b3c4d5e6f7a8b9c0d1f", "idLabels": [{"id": "x"}]}]}'),
        "cards[0].idLabels"),
    "cut off": (Reply(200, SLOW, cut=20), "cut off"),
    "redirect": (Reply(302, b"", "text/html", headers=(("Location", "https://login.example.com/sso"),)),
                 "answered 302, a redirect to https://login.example.com/sso"),
    "not HTTP": (Reply(raw=b"SSH-2.0-OpenSSH_9.6\r\n"), "answered something that is not HTTP: 'SSH-2.0-OpenSSH_9.6'"),
    "too deep": (Reply(200, b"[" * 200_000 + b"]" * 200_000), "JSON nested too deeply"),
    "one byte at a time": (Reply(200, SLOW, drip=0.1), "did not answer GET /"),
}
COMMANDS = {
    "plan": ["plan", "PLAN", "--board", BOARD],
    "apply": ["apply", "PLAN", "--board", BOARD, "--yes"],
    "pull": ["pull", "--board", BOARD, "--store", "STORE"],
    "report": ["report", "--board", BOARD, "--store", "STORE", "--plan", "PLAN"],
}


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries happen as in production, without the waits between them (the backoff is tested in test_client)."""
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt: 0.0)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", REPLIES)
def test_a_misbehaving_server_is_one_line_and_exit_1(case: str, command: str, tmp_path: Path) -> None:
    reply, expected = REPLIES[case]
    plan = tmp_path / "plan.yaml"
    plan.write_text((ROOT / "tests" / "plans" / "cassette-plan.yaml").read_text())
    args = [str(plan) if a == "PLAN" else str(tmp_path / "s.sqlite") if a == "STORE" else a for a in COMMANDS[command]]
    with MisbehavingServer(reply) as server:
        env = {"TRELLO_API_URL": server.api_url, "TRELLO_API_KEY": KEY, "TRELLO_TOKEN": TOKEN, "TRELLOPLAN_TIMEOUT": "1"}
        started = time.monotonic()
        result = CliRunner().invoke(main, args, env=env)
        took = time.monotonic() - started
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.stdout == "" or command in ("plan", "apply")  # nothing printed as if it had worked
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.stderr, result.stderr
    assert expected in lines[0] and "(hint: " in lines[0]
    assert KEY not in result.output + result.stderr and TOKEN[:16] not in result.output + result.stderr
    if case == "one byte at a time":
        assert f"127.0.0.1:{server.port} did not answer" in lines[0] and "within the 1 s deadline" in lines[0]
        assert "TRELLOPLAN_TIMEOUT" in lines[0] and took < 6
    if case in ("login page", "redirect", "not HTTP", "list for an object", "sign-in page as 401", "web server's 404"):
        assert "TRELLO_API_URL" in lines[0]


def test_a_write_past_its_deadline_may_have_happened() -> None:
    with MisbehavingServer(Reply(200, b'{"id": "5f1a2b3c4d5e6f7a8b9c0d1f"}', drip=0.2)) as server:
        with Trello(Credentials(KEY, TOKEN), api_url=server.api_url, deadline=0.5) as trello:
            started = time.monotonic()
            with pytest.raises(OutcomeUnknown, match="within the 0.5 s deadline; Trello may or may not"):
                trello.post("/cards", {"name": "x"})
            assert time.monotonic() - started < 2
            assert len(server.seen) == 1  # a write of unknown outcome is never sent again blindly
            with pytest.raises(DeadlineExceeded, match="did not answer GET /members/me within the 0.5 s deadline"):
                trello.me()


def test_a_silent_server_gets_one_deadline_for_all_the_tries_of_a_request() -> None:
    # the read timeout (0.3 s) ends each try long before the deadline; the tries together get the deadline once
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # connections complete in the backlog; nothing ever answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/1"
        with Trello(Credentials(KEY, TOKEN), api_url=url, deadline=1.0, timeout=(1.0, 0.3),
                    retry=RetryPolicy(attempts=20, base=0.0, cap=0.0)) as trello:
            started = time.monotonic()
            with pytest.raises(DeadlineExceeded, match="did not answer GET /members/me within the 1 s deadline"):
                trello.me()
            assert 0.9 < time.monotonic() - started < 2.5


def test_apply_stops_at_the_first_write_the_server_leaves_past_the_deadline(tmp_path: Path) -> None:
    def reply(method: str, path: str) -> Reply:
        if method == "POST":
            return Reply(200, b'{"id": "5f1a2b3c4d5e6f7a8b9c0d1f"}', drip=0.5)  # never whole within the deadline
        if path.startswith("/1/members/me/organizations"):
            return Reply(200, b'[{"id": "5f1a2b3c4d5e6f7a8b9c0d2a", "name": "w", "displayName": "W"}]')
        if path.startswith("/1/members/me/boards") or path.startswith("/1/organizations"):
            return Reply(200, b"[]")
        return Reply(200, b'{"id": "5f1a2b3c4d5e6f7a8b9c0d2b", "username": "me", "fullName": "Me"}')

    plan = tmp_path / "plan.yaml"
    plan.write_text((ROOT / "tests" / "plans" / "cassette-plan.yaml").read_text())
    with MisbehavingServer(reply) as server:
        env = {"TRELLO_API_URL": server.api_url, "TRELLO_API_KEY": KEY, "TRELLO_TOKEN": TOKEN, "TRELLOPLAN_TIMEOUT": "1"}
        started = time.monotonic()
        result = CliRunner().invoke(main, ["apply", str(plan), "--yes"], env=env)
        took = time.monotonic() - started
        posts = [seen for seen in server.seen if seen.method == "POST"]
    assert result.exit_code == 1, (result.output, result.exception)
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: 127.0.0.1:{server.port} did not answer POST /boards within the 1 s deadline")
    assert "run the same command again" in last and "TRELLOPLAN_TIMEOUT" in last
    assert len(posts) == 1 and took < 5  # not a round of writes again and again, each waiting its deadline


def test_the_deadline_bounds_the_whole_answer_not_each_byte() -> None:
    # each byte comes well within the 30 s read timeout; only the overall deadline can stop this
    with MisbehavingServer(Reply(200, b'{"id": "' + b"a" * 200 + b'"}', drip=0.05)) as server:
        with Trello(Credentials(KEY, TOKEN), api_url=server.api_url, deadline=1.0) as trello:
            started = time.monotonic()
            with pytest.raises(DeadlineExceeded):
                trello.me()
            assert 0.9 < time.monotonic() - started < 3


def test_an_answer_within_the_deadline_is_untouched() -> None:
    with MisbehavingServer(Reply(200, b'{"id": "abc", "username": "u", "fullName": "U"}')) as server:
        with Trello(Credentials(KEY, TOKEN), api_url=server.api_url, deadline=5) as trello:
            for _ in range(20):  # connections reused, deadlines set and cleared
                assert trello.me()["id"] == "abc"
            assert server.seen[0].headers["authorization"].startswith("OAuth ")


def test_unexpected_answers_are_typed_errors_of_the_library() -> None:
    with MisbehavingServer(Reply(200, b"<html>nope</html>", "text/html")) as server:
        with Trello(Credentials(KEY, TOKEN), api_url=server.api_url) as trello:
            with pytest.raises(UnexpectedResponse) as caught:
                trello.get(f"/boards/{BOARD}")
    assert caught.value.exit_code == 1 and caught.value.path == f"/boards/{BOARD}" and caught.value.status == 200


def test_a_short_placeholder_token_is_masked_without_garbling_the_message() -> None:
    with MisbehavingServer(Reply(200, b"<html>token=t, please log in</html>", "text/html")) as server:
        with Trello(Credentials("k", "t"), api_url=server.api_url) as trello:
            with pytest.raises(UnexpectedResponse) as caught:
                trello.get(f"/boards/{BOARD}")
    message = str(caught.value)
    assert "200 text/html, not JSON" in message and "token=***, please log in" in message


def test_the_deadline_setting() -> None:
    assert deadline_from_env({}) == DEFAULT_DEADLINE == 60.0
    assert deadline_from_env({"TRELLOPLAN_TIMEOUT": "2.5"}) == 2.5
    for bad in ("0", "-1", "soon", "nan", "inf"):
        with pytest.raises(ConfigError, match="TRELLOPLAN_TIMEOUT"):
            deadline_from_env({"TRELLOPLAN_TIMEOUT": bad})
    result = CliRunner().invoke(main, ["pull", "--board", BOARD], env={"TRELLO_API_KEY": KEY, "TRELLO_TOKEN": TOKEN,
                                                                       "TRELLOPLAN_TIMEOUT": "soon"})
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "TRELLOPLAN_TIMEOUT='soon'" in result.stderr


def test_a_deadline_reached_while_connecting_shuts_the_socket_once_there_is_one() -> None:
    a, b = socket.socketpair()
    holder: dict[str, socket.socket] = {}
    with deadline(0.1) as guard:
        guard.track(lambda: shut_down(holder.get("sock")))
        time.sleep(0.3)  # the deadline passes with nothing to shut yet
        assert guard.expired
        holder["sock"] = a  # the connection appears late; the watchdog is still looking
        a.settimeout(5)
        started = time.monotonic()
        assert a.recv(1) == b""  # shut down by the watchdog, not the 5 s timeout
        assert time.monotonic() - started < 2
    a.close()
    b.close()


def test_a_dripping_smtp_server_cannot_hold_the_report() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            for byte in b"220 slow.example ESMTP ready\r\n" * 50:
                if stop.wait(0.05):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    threading.Thread(target=drip, daemon=True).start()
    settings = SmtpSettings(host="127.0.0.1", port=listener.getsockname()[1], security="none", deadline=1.0)
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "x"
    message.set_content("x")
    started = time.monotonic()
    try:
        with pytest.raises(EmailError, match=r"127.0.0.1:\d+ did not finish the SMTP exchange within the 1 s deadline"):
            send_email(message, settings)
        assert time.monotonic() - started < 4
    finally:
        stop.set()
        listener.close()
