"""The user's Trello key and token, and the SMTP password, never appear in anything the CLI prints or writes.

Every command runs through its success and error paths (the table
``INVOCATIONS``; a test fails when a command has no entry, so a new command
cannot slip through) with a known fake key and token in the environment. The
sandbox accepts exactly that key, and a member of it has exactly that token,
so the success paths really use them; the error paths include Trello refusing
them (a server with another key), a board the token may not see, a board that
does not exist and a server that is not there. Each invocation runs plainly and
with ``-vv --debug`` (every log line on stderr, tracebacks instead of one-line
errors), and afterwards stdout, stderr, the traceback and every file under the
test's folder (the working directory, the user's cache with stores and locks,
reports, exports, .eml files, decoded part by part) are searched for any 16
consecutive characters of the key or the token.

``trelloplan sandbox`` prints a key and token by design: its own, freshly made,
which is what users export. The user's must still not appear.
"""

from __future__ import annotations

import email
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from trelloplan.board.apply import apply_plan
from trelloplan.board.state import PlanState, default_state_path
from trelloplan.cli import main
from trelloplan.client import Credentials, RetryPolicy, Trello
from trelloplan.cohort.apply import apply_cohort
from trelloplan.cohort.cohortfile import load_cohort
from trelloplan.history.fetch import pull_history
from trelloplan.plan.planfile import load_plan
from trelloplan.render.formats import FORMATS
from trelloplan.sandbox import Sandbox
from trelloplan.store import HistoryStore

pytestmark = [  # aiosmtpd warns when AUTH runs without TLS, which is what a loopback test server does
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning"),
]
ROOT = Path(__file__).resolve().parent.parent
PLAN_FILE = ROOT / "tests" / "plans" / "cassette-plan.yaml"
# Random-looking, so a leak of any part of them is unmistakable.
FAKE_KEY = "3f9c2a7be1d04c58a6b7e9f0d1c2b3a4"
FAKE_TOKEN = "c4d19e07b2f3a8651d0e9c7b4a2f6e8d13b5c7a9e0f2d4b6a8c0e1f3d5b7a9c2"
FAKE_SMTP_PASSWORD = "Smtp-Pa55word-7e1d0b9c4a"
WINDOW = 16
VARIANTS = {"plain": [], "debug": ["-vv", "--debug"]}


def leaks(text: str) -> list[str]:
    """The fake secrets of which some ``WINDOW`` consecutive characters occur in ``text``."""
    lowered = text.lower()
    secrets = (("key", FAKE_KEY), ("token", FAKE_TOKEN), ("SMTP password", FAKE_SMTP_PASSWORD.lower()))
    return [name for name, secret in secrets
            if any(secret[i:i + WINDOW] in lowered for i in range(len(secret) - WINDOW + 1))]


def file_texts(path: Path) -> Iterator[str]:
    """A file's bytes as text, and for an e-mail each part decoded (base64 and quoted-printable hide text)."""
    data = path.read_bytes()
    yield data.decode("latin-1")
    if path.suffix == ".eml":
        for part in email.message_from_bytes(data, policy=policy.default).walk():
            payload = part.get_payload(decode=True)
            if payload:
                yield payload.decode("latin-1")


# -- the table -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invocation:
    label: str
    args: tuple[str, ...]
    ok: bool
    server: str = "sandbox"  # sandbox | stranger (refuses our key) | dead (nothing listens)
    process: bool = False  # run as a real process and stop it with Ctrl-C (a server)


def ok(label: str, *args: str, **options: object) -> Invocation:
    return Invocation(label, args, True, **options)  # type: ignore[arg-type]


def err(label: str, *args: str, **options: object) -> Invocation:
    return Invocation(label, args, False, **options)  # type: ignore[arg-type]


STORE_REPORT = ("report", "--store", "board.sqlite", "--plan", "plan.yaml", "--week", "1")
EMAIL = ("--email-to", "team@example.com", "--email-from", "reports@example.com", "--smtp-host", "127.0.0.1")

INVOCATIONS: dict[str, list[Invocation]] = {
    "init": [
        ok("from a template", "init", "new-plan.yaml", "--template", "blank-12-weeks"),
        err("unknown template", "init", "other.yaml", "--template", "no-such-template"),
        err("file exists", "init", "plan.yaml"),
    ],
    "validate": [ok("valid", "validate", "plan.yaml"), err("broken", "validate", "broken.yaml")],
    "show": [ok("plan", "show", "plan.yaml"), err("missing", "show", "missing.yaml")],
    "plan": [
        ok("applied board", "plan", "plan.yaml"),
        ok("json", "plan", "plan.yaml", "--json"),
        err("key refused", "plan", "fresh.yaml", "--board", "{board}", server="stranger"),
        err("no server", "plan", "fresh.yaml", "--board", "{board}", server="dead"),
        err("state of another server", "plan", "plan.yaml", server="stranger"),
        err("board of someone else", "plan", "fresh.yaml", "--board", "{foreign}"),
        err("no such board", "plan", "fresh.yaml", "--board", "{missing}"),
    ],
    "apply": [
        ok("new board", "apply", "fresh.yaml", "--yes", "--workers", "1"),
        ok("no-op, json", "apply", "plan.yaml", "--yes", "--json"),
        err("key refused", "apply", "fresh.yaml", "--yes", server="stranger"),
        err("no server", "apply", "fresh.yaml", "--yes", server="dead"),
        err("board of someone else", "apply", "fresh.yaml", "--yes", "--board", "{foreign}"),
        err("no confirmation", "apply", "unapplied.yaml"),
    ],
    "report": [
        *[ok(f"store as {fmt}", *STORE_REPORT, "--format", fmt) for fmt in FORMATS],
        ok("html file", *STORE_REPORT, "--format", "html", "--out", "report.html"),
        ok("export", "report", "--from-export", "export.json", "--format", "markdown"),
        ok("board, default store", "report", "--board", "{board}", "--plan", "plan.yaml", "--week", "1"),
        ok("board into a store", "report", "--board", "{board}", "--store", "pulled.sqlite", "--format", "json"),
        ok("eml", *STORE_REPORT, "--email-to", "team@example.com", "--eml", "weekly.eml"),
        ok("smtp", "report", "--board", "{board}", "--plan", "plan.yaml", *EMAIL, "--smtp-port", "{smtp_port}"),
        err("key refused", "report", "--board", "{board}", server="stranger"),
        err("no server", "report", "--board", "{board}", "--plan", "plan.yaml", *EMAIL, "--smtp-port", "{smtp_port}", server="dead"),
        err("board of someone else", "report", "--board", "{foreign}", "--store", "foreign.sqlite"),
        err("no such board", "report", "--board", "{missing}", "--store", "missing.sqlite"),
        err("unknown format", *STORE_REPORT, "--format", "pdf"),
        err("smtp down", *STORE_REPORT, *EMAIL, "--smtp-port", "{dead_port}"),
        err("smtp login refused", *STORE_REPORT, *EMAIL, "--smtp-port", "{refusing_port}"),
    ],
    "pull": [
        ok("into a store", "pull", "--board", "{board}", "--store", "pulled.sqlite"),
        ok("default store", "pull", "--board", "{board}"),
        err("key refused", "pull", "--board", "{board}", server="stranger"),
        err("no server", "pull", "--board", "{board}", server="dead"),
        err("board of someone else", "pull", "--board", "{foreign}", "--store", "foreign.sqlite"),
        err("no such board", "pull", "--board", "{missing}", "--store", "missing.sqlite"),
    ],
    "demo": [
        ok("week 2", "demo", "demo-out", "--week", "2"),
        err("week out of range", "demo", "demo-out", "--week", "99"),
        err("folder is a file", "demo", "plan.yaml"),
    ],
    "doctor": [
        ok("healthy", "doctor"),
        ok("smtp login", "doctor", "--smtp-host", "127.0.0.1", "--smtp-port", "{smtp_port}"),
        ok("json", "doctor", "--json", "--store", "board.sqlite"),
        err("key refused", "doctor", server="stranger"),
        err("no server", "doctor", server="dead"),
        err("smtp down", "doctor", "--smtp-host", "127.0.0.1", "--smtp-port", "{dead_port}"),
        err("smtp login refused", "doctor", "--smtp-host", "127.0.0.1", "--smtp-port", "{refusing_port}"),
    ],
    "cohort": [
        ok("new boards", "cohort", "apply", "fresh-cohort.yaml", "--yes"),
        ok("no-op, json", "cohort", "apply", "cohort.yaml", "--yes", "--json"),
        ok("overview", "cohort", "report", "cohort.yaml", "--format", "json"),
        ok("html files", "cohort", "report", "cohort.yaml", "--format", "html", "--out", "cohort.html"),
        ok("eml", "cohort", "report", "cohort.yaml", "--eml", "mail"),
        ok("smtp", "cohort", "report", "cohort.yaml", "--email", "--email-from", "reports@example.com", "--smtp-host",
           "127.0.0.1", "--smtp-port", "{smtp_port}"),
        err("key refused", "cohort", "report", "cohort.yaml", server="stranger"),
        err("no server", "cohort", "apply", "fresh-cohort.yaml", "--yes", server="dead"),
        err("bad cohort file", "cohort", "apply", "broken.yaml", "--yes"),
        err("smtp login refused", "cohort", "report", "cohort.yaml", "--email", "--email-from", "reports@example.com",
            "--smtp-host", "127.0.0.1", "--smtp-port", "{refusing_port}"),
    ],
    "sandbox": [
        ok("serves until Ctrl-C", "sandbox", "--port", "0", "--db", "sandbox.db", process=True),
        err("port in use", "sandbox", "--port", "{busy_port}"),
    ],
}


def test_every_command_has_success_and_error_invocations() -> None:
    assert set(INVOCATIONS) == set(main.commands), "add the new command's invocations to INVOCATIONS"
    for command, invocations in INVOCATIONS.items():
        assert {i.ok for i in invocations} == {True, False}, f"{command} needs a success and an error path"
        assert all(i.args[0] == command for i in invocations), command


def test_the_leak_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    assert leaks(f"x {FAKE_KEY[5:21]} y") == ["key"] and leaks(FAKE_TOKEN.upper()) == ["token"]
    assert leaks(f"{FAKE_KEY[:15]} {FAKE_TOKEN[-15:]}") == []
    assert leaks(f"pass={FAKE_SMTP_PASSWORD}") == ["SMTP password"]
    message = email.message.EmailMessage()
    message.set_content(f"token {FAKE_TOKEN}", cte="base64")
    (tmp_path / "m.eml").write_bytes(message.as_bytes())
    assert FAKE_TOKEN not in (tmp_path / "m.eml").read_text() and any(leaks(t) for t in file_texts(tmp_path / "m.eml"))


# -- the world the commands run in ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """Accepts mail after a login with the fake SMTP password (or refuses every login, with ``refuse``)."""

    def __init__(self, refuse: bool = False) -> None:
        self.count = 0
        self.refuse = refuse

    def authenticate(self, server: object, session: object, envelope: object, mechanism: str, auth_data: object) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == FAKE_SMTP_PASSWORD
        return AuthResult(success=good and not self.refuse, handled=False)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 (aiosmtpd's name)
        self.count += 1
        return "250 OK"


@dataclass
class World:
    sandbox: Sandbox
    stranger: Sandbox
    seed: Path
    values: dict[str, str] = field(default_factory=dict)

    def url(self, server: str) -> str:
        if server == "dead":
            return f"http://127.0.0.1:{self.values['dead_port']}/1"
        return (self.stranger if server == "stranger" else self.sandbox).api_url


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    seed = tmp_path_factory.mktemp("seed")
    shutil.copyfile(PLAN_FILE, seed / "plan.yaml")
    for name in ("fresh", "unapplied"):  # boards of their own: without a state file, apply would find plan.yaml's by name
        (seed / f"{name}.yaml").write_text(PLAN_FILE.read_text().replace("project: ", f"project: {name} ", 1))
    (seed / "broken.yaml").write_text("project: Broken\nstart: 2027-13-40\nweeks: 3\n")
    plan = load_plan(seed / "plan.yaml")
    inbox, refusing = Inbox(), Inbox(refuse=True)
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=inbox.authenticate, auth_require_tls=False)
    strict = Controller(refusing, hostname="127.0.0.1", port=free_port(), authenticator=refusing.authenticate,
                        auth_require_tls=False)
    smtp.start()
    strict.start()
    try:
        with Sandbox(key=FAKE_KEY, rate_limit=False, start="2027-01-04T08:00:00Z", frozen=True) as sandbox, \
                Sandbox(rate_limit=False) as stranger:
            sandbox.state.add_member("user", "Fake User", token=FAKE_TOKEN)
            foreign = Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url)
            foreign_board = foreign.post("/boards", {"name": "Not yours"})["id"]
            foreign.close()
            state = PlanState(path=default_state_path(seed / "plan.yaml"))
            with Trello(Credentials(FAKE_KEY, FAKE_TOKEN), api_url=sandbox.api_url) as trello:
                applied = apply_plan(trello, plan, state)
                for key in [t.key for t in plan.tasks()][:2]:
                    sandbox.clock.advance(hours=3)
                    trello.put(f"/cards/{state.cards[key]['id']}", {"idList": state.lists["done"]["id"]})
                with HistoryStore(seed / "board.sqlite", board_id=applied.board_id) as store:
                    pull_history(trello.get, store, applied.board_id)
                export = trello.get(f"/boards/{applied.board_id}", {"actions": "all", "cards": "all", "lists": "all",
                                                                    "labels": "all", "checklists": "all"})
            (seed / "export.json").write_text(json.dumps(export))
            teams = "teams:\n  - name: Team A\n    email: [team@example.com]\n"
            (seed / "cohort.yaml").write_text(f"plan: plan.yaml\n{teams}report_to: [lead@example.com]\n")
            (seed / "fresh-cohort.yaml").write_text(f"plan: fresh.yaml\n{teams}")
            with Trello(Credentials(FAKE_KEY, FAKE_TOKEN), api_url=sandbox.api_url) as trello:
                apply_cohort(trello, load_cohort(seed / "cohort.yaml")).raise_for_failures()
            sandbox.clock.advance(days=2)
            yield World(sandbox, stranger, seed, {
                "board": applied.board_id, "foreign": foreign_board, "missing": "5" + "0" * 23,
                "smtp_port": str(smtp.port), "dead_port": str(free_port()), "busy_port": str(sandbox.port),
                "refusing_port": str(strict.port),
            })
    finally:
        smtp.stop()
        strict.stop()


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """``trelloplan -vv`` points the "trelloplan" logger at the runner's stderr; put it back afterwards."""
    logger = logging.getLogger("trelloplan")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate


def environment(world: World, home: Path, server: str) -> dict[str, str]:
    return {
        "TRELLO_API_KEY": FAKE_KEY, "TRELLO_TOKEN": FAKE_TOKEN, "TRELLO_API_URL": world.url(server),
        "XDG_CACHE_HOME": str(home / "cache"), "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"), "HOME": str(home),
        "TRELLOPLAN_SMTP_HOST": "", "TRELLOPLAN_SMTP_PORT": "", "TRELLOPLAN_SMTP_USER": "reports",
        "TRELLOPLAN_SMTP_PASSWORD": FAKE_SMTP_PASSWORD, "TRELLOPLAN_SMTP_FROM": "", "TRELLOPLAN_SMTP_SECURITY": "",
        "COLUMNS": "120",
    }


def run_process(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """Start a server command, wait until it says how to use it, then press Ctrl-C."""
    process = subprocess.Popen([sys.executable, "-m", "trelloplan", *args], cwd=cwd, env={**os.environ, **env},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "export " in line:
            break
    process.send_signal(signal.SIGINT)
    out, error = process.communicate(timeout=30)
    return process.returncode, "".join(lines) + out, error


CASES = [(command, invocation, variant) for command, invocations in INVOCATIONS.items()
         for invocation in invocations for variant in VARIANTS]


@pytest.mark.parametrize(("command", "invocation", "variant"), CASES,
                         ids=[f"{c}-{i.label.replace(' ', '_')}-{v}" for c, i, v in CASES])
def test_no_command_leaks_the_key_or_token(world: World, tmp_path: Path, command: str, invocation: Invocation,
                                           variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    shutil.copytree(world.seed, work)
    args = [*VARIANTS[variant], *(arg.format(**world.values) for arg in invocation.args)]
    env = environment(world, tmp_path / "home", invocation.server)
    monkeypatch.chdir(work)
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt: 0.001)  # "no server" retries, without the wait
    if invocation.process:
        code, out, error = run_process(args, env, work)
        texts = {"stdout": out, "stderr": error}
        assert "export TRELLO_API_URL=" in out  # the sandbox's own key and token, printed on purpose
    else:
        result = CliRunner().invoke(main, args, env=env)
        code, texts = result.exit_code, {"stdout": result.stdout, "stderr": result.stderr}
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            texts["traceback"] = "".join(traceback.format_exception(result.exception))
    assert (code == 0) == invocation.ok, f"exit {code}\n{texts}"
    if variant == "debug" and invocation.server == "sandbox" and command not in ("init", "validate", "show", "demo", "sandbox"):
        assert texts["stderr"] or texts.get("traceback"), "-vv logs on stderr"
    for name, text in texts.items():
        assert not leaks(text), f"{name} shows the {leaks(text)}:\n{text}"
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files
    for path in files:
        for text in file_texts(path):
            assert not leaks(text), f"{path.relative_to(tmp_path)} holds the {leaks(text)}"
