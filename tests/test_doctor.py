"""`trelloplan doctor` on the sandbox and a real aiosmtpd server: healthy, wrong token, read-only token,
unreachable URL, an answer that is not Trello's, SMTP down or refusing the login, unwritable folders."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from trelloplan.cli import main
from trelloplan.doctor import DoctorReport, run_doctor
from trelloplan.sandbox import Sandbox

pytestmark = [
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning"),
    pytest.mark.sandbox(rate_limit=True),
]
PASSWORD = "Doctor-Pa55-wd-91f3"
NAMES = ["settings", "api", "token", "access", "workspaces", "rate limit", "smtp", "cache", "store"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """Accepts the login ``reports`` / PASSWORD; counts what would be delivered (doctor delivers nothing)."""

    def __init__(self) -> None:
        self.delivered = 0
        self.logins = 0

    def authenticate(self, server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
        self.logins += 1
        ok = isinstance(data, LoginPassword) and data.login == b"reports" and data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.delivered += 1
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Mailbox]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), authenticator=mailbox.authenticate,
                            auth_require_tls=False)
    controller.start()
    yield controller, mailbox
    controller.stop()


def environment(sandbox: Sandbox, tmp_path: Path, **changes: str) -> dict[str, str]:
    env = {**sandbox.env(), "TRELLOPLAN_SMTP_HOST": "", "TRELLOPLAN_SMTP_PORT": "", "TRELLOPLAN_SMTP_USER": "",
           "TRELLOPLAN_SMTP_PASSWORD": "", "TRELLOPLAN_SMTP_SECURITY": "", "TRELLOPLAN_SMTP_FROM": ""}
    env.update(changes)
    return env


def doctor(sandbox: Sandbox, tmp_path: Path, **changes: str) -> DoctorReport:
    return run_doctor(environ=environment(sandbox, tmp_path, **changes), cache_dir=tmp_path / "cache")


def statuses(report: DoctorReport) -> dict[str, str]:
    return {check.name: check.status for check in report.checks}


def test_a_healthy_setup_passes_every_check(sandbox: Sandbox, tmp_path: Path, smtp: tuple[Controller, Mailbox]) -> None:
    controller, mailbox = smtp
    report = doctor(sandbox, tmp_path, TRELLOPLAN_SMTP_HOST="127.0.0.1", TRELLOPLAN_SMTP_PORT=str(controller.port),
                    TRELLOPLAN_SMTP_USER="reports", TRELLOPLAN_SMTP_PASSWORD=PASSWORD)
    assert [check.name for check in report.checks] == NAMES
    assert set(statuses(report).values()) == {"ok"} and report.ok and report.exit_code == 0
    assert report.check("api").detail == f"{sandbox.api_url} answers: a trelloplan sandbox (version 1.2126.1-sandbox)"
    assert report.check("token").detail == "key and token accepted: the token of @sandbox (Sandbox User)"
    assert report.check("access").detail == "read and write: apply, pull and report all work"
    assert report.check("workspaces").detail == "1: \"Sandbox User's workspace\" (0 of 10 open boards)"
    assert report.check("rate limit").detail.startswith("requests left in this 10 s window: 9")
    assert "of 100 for the token, 29" in report.check("rate limit").detail and "of 300 for the key" in report.check("rate limit").detail
    assert report.check("smtp").detail == f"127.0.0.1:{controller.port} (none): logged in as reports; nothing was sent"
    assert (mailbox.logins, mailbox.delivered) == (1, 0)
    assert (tmp_path / "cache" / "boards").is_dir() and not list((tmp_path / "cache" / "boards").iterdir())
    assert "POST" not in sandbox.counters.snapshot()["byMethod"] and "PUT" not in sandbox.counters.snapshot()["byMethod"]


def test_a_wrong_token_fails_with_exit_2_and_skips_what_needs_it(sandbox: Sandbox, tmp_path: Path) -> None:
    report = doctor(sandbox, tmp_path, TRELLO_TOKEN="0" * 64)
    assert statuses(report) == {"settings": "ok", "api": "ok", "token": "fail", "access": "skip", "workspaces": "skip",
                                "rate limit": "skip", "smtp": "skip", "cache": "ok", "store": "ok"}
    assert report.check("token").detail == "Trello refused the credentials (401 invalid token) for GET /members/me"
    assert report.exit_code == 2


def test_a_read_only_token_is_a_warning_that_apply_will_refuse(sandbox: Sandbox, tmp_path: Path) -> None:
    report = doctor(sandbox, tmp_path, TRELLO_TOKEN=sandbox.add_token(scope="read"))
    access = report.check("access")
    assert (access.status, access.detail) == ("warn", "read only: pull and report work, apply will refuse to change boards")
    assert "scope=read,write" in (access.hint or "") and report.ok and report.exit_code == 0


def test_an_unreachable_url_fails_fast_with_exit_1(sandbox: Sandbox, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/1"
    report = doctor(sandbox, tmp_path, TRELLO_API_URL=dead)
    assert report.check("api").status == "fail" and report.check("api").detail.startswith(f"cannot reach {dead}: ")
    assert [c.status for c in report.checks[2:6]] == ["skip"] * 4 and report.exit_code == 1


def test_a_server_that_is_not_trellos_api_is_named_so(sandbox: Sandbox, tmp_path: Path) -> None:
    report = doctor(sandbox, tmp_path, TRELLO_API_URL=sandbox.base_url + "/_sandbox")  # answers, but HTML 404s
    api = report.check("api")
    assert (api.status, api.exit_code) == ("fail", 2)
    assert api.detail == f"{sandbox.base_url}/_sandbox is not Trello's API (GET /members/me answered 404 with a web page)"
    assert api.hint == "TRELLO_API_URL is the API's base URL, e.g. https://api.trello.com/1"


def test_missing_settings_fail_first(sandbox: Sandbox, tmp_path: Path) -> None:
    report = doctor(sandbox, tmp_path, TRELLO_TOKEN="")
    assert report.check("settings").detail == "TRELLO_TOKEN is not set" and report.exit_code == 2
    assert [c.status for c in report.checks[1:6]] == ["skip"] * 5


def test_the_deadline_setting_is_checked_and_used(sandbox: Sandbox, tmp_path: Path) -> None:
    bad = doctor(sandbox, tmp_path, TRELLOPLAN_TIMEOUT="abc")
    assert bad.check("settings").status == "fail" and "TRELLOPLAN_TIMEOUT='abc'" in bad.check("settings").detail
    assert bad.exit_code == 2
    with socket.socket() as silent:  # accepts, never answers: the deadline, not the 15 s read timeout, ends it
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        started = time.monotonic()
        report = doctor(sandbox, tmp_path, TRELLOPLAN_TIMEOUT="1", TRELLO_API_URL=f"http://127.0.0.1:{silent.getsockname()[1]}/1")
        assert time.monotonic() - started < 5
    assert report.check("api").status == "fail" and "within the 1 s deadline" in report.check("api").detail


def test_smtp_down_or_refusing_the_login_fails(sandbox: Sandbox, tmp_path: Path, smtp: tuple[Controller, Mailbox]) -> None:
    down = doctor(sandbox, tmp_path, TRELLOPLAN_SMTP_HOST="127.0.0.1", TRELLOPLAN_SMTP_PORT=str(free_port()))
    assert down.check("smtp").status == "fail" and "no SMTP server is listening there" in down.check("smtp").detail
    assert down.exit_code == 1
    controller, mailbox = smtp
    refused = doctor(sandbox, tmp_path, TRELLOPLAN_SMTP_HOST="127.0.0.1", TRELLOPLAN_SMTP_PORT=str(controller.port),
                     TRELLOPLAN_SMTP_USER="reports", TRELLOPLAN_SMTP_PASSWORD="wrong-" + PASSWORD)
    smtp_check = refused.check("smtp")
    assert smtp_check.status == "fail" and "refused the login for user 'reports'" in smtp_check.detail
    assert PASSWORD not in json.dumps(refused.data()) and mailbox.delivered == 0


def test_an_unwritable_cache_folder_fails(sandbox: Sandbox, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    report = run_doctor(environ=environment(sandbox, tmp_path), cache_dir=blocker)
    assert report.check("cache").status == "fail" and report.check("cache").detail.startswith(f"cannot write in {blocker}")
    assert report.check("store").status == "fail" and report.exit_code == 1


def test_a_busy_rate_limit_or_none_reported_is_a_warning() -> None:
    from trelloplan.doctor import _rate_limit

    recorded = {"X-Rate-Limit-Api-Token-Interval-Ms": "10000", "X-Rate-Limit-Api-Token-Max": "100",  # as recorded (2020)
                "X-Rate-Limit-Api-Token-Remaining": "99", "X-Rate-Limit-Api-Key-Interval-Ms": "10000",
                "X-Rate-Limit-Api-Key-Max": "300", "X-Rate-Limit-Api-Key-Remaining": "299"}
    fine = _rate_limit(recorded)
    assert (fine.status, fine.detail) == ("ok", "requests left in this 10 s window: 99 of 100 for the token, 299 of 300 for the key")
    busy = _rate_limit({**recorded, "X-Rate-Limit-Api-Token-Remaining": "3"})
    assert busy.status == "warn" and busy.detail.endswith("3 of 100 for the token, 299 of 300 for the key; another program is using most of it")
    assert _rate_limit({"Content-Type": "application/json"}).status == "warn"


def test_a_full_free_workspace_is_a_warning(sandbox: Sandbox, tmp_path: Path) -> None:
    client = sandbox.app.test_client()
    (workspace,) = client.get("/1/members/me/organizations", query_string=sandbox.auth()).get_json()
    for i in range(10):
        client.post("/1/boards", query_string=sandbox.auth(), json={"name": f"B{i}", "idOrganization": workspace["id"]})
    check = doctor(sandbox, tmp_path).check("workspaces")
    assert check.status == "warn" and check.detail == "1: \"Sandbox User's workspace\" (full: 10 of 10 open boards)"
    sandbox.add_workspace("Paid team", premium=True)
    check = doctor(sandbox, tmp_path).check("workspaces")
    assert check.status == "ok" and '"Paid team" (0 open boards)' in check.detail and "`workspace:`" in check.detail


def test_the_cli_prints_one_line_per_check_and_exits_with_the_worst(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {**environment(sandbox, tmp_path), "XDG_CACHE_HOME": str(tmp_path / "xdg"), "COLUMNS": "200"}
    result = CliRunner().invoke(main, ["doctor"], env=env)
    lines = result.stdout.splitlines()
    narrow = CliRunner().invoke(main, ["doctor"], env={**env, "COLUMNS": "80"}).stdout.splitlines()
    assert len(narrow) > len(lines)  # in 80 columns a long check wraps under its detail; a path is never split
    assert all(len(line) <= 80 or len(line.split()) == 1 for line in narrow)
    assert all(line.startswith(" " * 18) and line[18] != " " for line in narrow if line[:1] == " ")
    words = [re.sub(r"\d+ of", "N of", " ".join(" ".join(text).split())) for text in (narrow, lines)]
    assert words[0] == words[1]
    assert result.exit_code == 0 and len(lines) == len(NAMES) + 1
    assert [line.split()[0] for line in lines[:-1]] == ["ok"] * 6 + ["skip"] + ["ok"] * 2
    assert lines[1] == f"ok    api         {sandbox.api_url} answers: a trelloplan sandbox (version 1.2126.1-sandbox)"
    assert lines[-1] == "8 ok, 0 warnings, 0 failed, 1 skipped: ready"
    assert str(tmp_path / "xdg" / "trelloplan" / "boards") in lines[-2]
    failed = CliRunner().invoke(main, ["doctor", "--json"], env={**env, "TRELLO_TOKEN": "1" * 64})
    data = json.loads(failed.stdout)
    assert failed.exit_code == 2 and data["ok"] is False and data["exit_code"] == 2
    assert [c["name"] for c in data["checks"]] == NAMES and data["checks"][2]["status"] == "fail"


def test_a_server_answering_html_pages_is_not_taken_for_trello(sandbox: Sandbox, tmp_path: Path) -> None:
    """A captive portal or a web server at TRELLO_API_URL: 200, but an HTML page."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Portal(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = b"<html><body>Please log in to the Wi-Fi</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/1"
        report = doctor(sandbox, tmp_path, TRELLO_API_URL=url)
    finally:
        server.shutdown()
        server.server_close()
    api = report.check("api")
    assert (api.status, api.exit_code) == ("fail", 2)
    assert api.detail.startswith(f"{url} answers, but not as Trello does: GET /members/me") and "answered 200 text/html, not JSON" in api.detail
    assert [c.status for c in report.checks[2:6]] == ["skip"] * 4
