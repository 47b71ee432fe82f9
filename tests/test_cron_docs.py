"""docs/cron.md works as written: its lines are taken from the file itself and run.

* step 1 (make the env file) runs under ``sh``; the file it makes is sourced by ``dash`` and ``bash``
  started with ``env -i`` (nothing inherited), and every value comes out as written;
* the crontab line runs with cron's minimal environment (HOME, LOGNAME, PATH=/usr/bin:/bin,
  SHELL=/bin/sh and nothing else) against the sandbox and a real SMTP server on loopback: it sends
  the report, and prints nothing.
"""

from __future__ import annotations

import email
import re
from datetime import date, timedelta
import shutil
import socket
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from trelloplan.cli import main
from trelloplan.sandbox import Sandbox

pytestmark = [
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
    pytest.mark.skipif(not Path("/bin/dash").exists() or not shutil.which("bash"), reason="needs dash and bash"),
]
ROOT = Path(__file__).resolve().parent.parent
CRON_DOC = (ROOT / "docs" / "cron.md").read_text(encoding="utf-8")
PASSWORD = "app-password-here"


def blocks() -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", CRON_DOC, flags=re.S | re.M)


def step_one() -> str:
    """The documented commands that write the env file."""
    return next(block for block in blocks() if "install -m 600" in block)


def env_lines() -> list[str]:
    block = step_one()
    return block.split("<<'EOF'\n", 1)[1].split("\nEOF", 1)[0].splitlines()


def crontab_command() -> str:
    line = next(line for line in CRON_DOC.splitlines() if re.match(r"^\s*0 16\s+\*\s+\*\s+5\s", line))
    return re.split(r"\s+", line.strip(), maxsplit=5)[5]


def cron_env(home: Path) -> dict[str, str]:
    return {"HOME": str(home), "LOGNAME": "tester", "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"}


def sourced(shell: str, env_file: Path) -> dict[str, str]:
    """The variables ``shell`` sees after ``set -a; . FILE; set +a``, started with ``env -i``."""
    script = f'set -a; . "{env_file}"; set +a; env'
    done = subprocess.run(["env", "-i", shell, "-c", script], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and not done.stderr, (shell, done.stderr)
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def test_step_one_makes_a_private_env_file_that_dash_and_bash_read_as_written(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    made = subprocess.run(["env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin", "/bin/sh", "-c", step_one()],
                          capture_output=True, text=True, timeout=30)
    assert made.returncode == 0, made.stderr
    env_file = home / ".config" / "trelloplan" / "env"
    assert env_file.stat().st_mode & 0o777 == 0o600
    for shell in ("/bin/dash", "bash"):
        seen = sourced(shell, env_file)
        assert seen["TRELLOPLAN_SMTP_FROM"] == "Project reports <reports@example.com>"
        assert seen["TRELLOPLAN_SMTP_PORT"] == "587" and seen["TRELLOPLAN_SMTP_PASSWORD"] == PASSWORD
        assert {name for name in seen if name.startswith(("TRELLO_", "TRELLOPLAN_"))} == {
            line.split("=", 1)[0] for line in env_lines()}


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    def authenticate(self, server: object, session: object, envelope: object, mechanism: str, auth_data: object) -> AuthResult:
        return AuthResult(success=isinstance(auth_data, LoginPassword) and auth_data.password.decode() == PASSWORD,
                          handled=False)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[attr-defined]
        self.recipients.append(list(envelope.rcpt_tos))  # type: ignore[attr-defined]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.sandbox(rate_limit=False)
def test_the_crontab_line_sends_the_report_in_crons_environment(sandbox: Sandbox, tmp_path: Path) -> None:
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=inbox.authenticate,
                      auth_require_tls=False)
    smtp.start()
    try:
        project, home = tmp_path / "project", tmp_path / "home"
        (project / ".venv" / "bin").mkdir(parents=True)
        (project / ".venv" / "bin" / "trelloplan").symlink_to(Path(sys.executable).parent / "trelloplan")
        monday = date.today() - timedelta(days=date.today().weekday())  # the plan runs now, as cron's report does
        plan_text = (ROOT / "tests" / "plans" / "cassette-plan.yaml").read_text()
        (project / "plan.yaml").write_text(re.sub(r"^start: .*$", f"start: {monday.isoformat()}", plan_text, flags=re.M))
        applied = CliRunner().invoke(main, ["apply", str(project / "plan.yaml"), "--yes"], env=sandbox.env())
        assert applied.exit_code == 0, applied.output
        board_id = sandbox.state.db.all("SELECT id FROM boards")[0]["id"]

        # the documented env file, with this machine's values in the documented form (quotes kept)
        values = {"TRELLO_API_KEY": sandbox.key, "TRELLO_TOKEN": sandbox.token, "TRELLOPLAN_SMTP_HOST": "127.0.0.1",
                  "TRELLOPLAN_SMTP_PORT": str(smtp.port), "TRELLOPLAN_SMTP_USER": "reports@example.com"}
        lines = [f"{line.split('=', 1)[0]}={values[line.split('=', 1)[0]]}" if line.split("=", 1)[0] in values else line
                 for line in env_lines()]
        env_file = home / ".config" / "trelloplan" / "env"
        env_file.parent.mkdir(parents=True)
        env_file.write_text("\n".join([*lines, f"TRELLO_API_URL={sandbox.api_url}"]) + "\n")

        command = crontab_command().replace("/path/to/project", str(project)).replace("BOARD_ID", board_id)
        assert "$HOME/.config/trelloplan/env" in command and command.endswith("--email-to team@example.com")
        ran = subprocess.run(["env", "-i", *(f"{k}={v}" for k, v in cron_env(home).items()), "/bin/sh", "-c", command],
                             capture_output=True, text=True, timeout=120, cwd="/")
        assert (ran.returncode, ran.stdout, ran.stderr) == (0, "", "")  # cron mails nothing on success
        assert inbox.recipients == [["team@example.com"]]
        sent = inbox.messages[0]
        assert sent["From"] == "Project reports <reports@example.com>" and sent["Subject"].startswith("trelloplan cassette recording: week 1 of 2")
        assert (home / ".cache" / "trelloplan" / "boards" / f"{board_id}.sqlite").is_file()  # the store, in cron's HOME

        verbose = subprocess.run(["env", "-i", *(f"{k}={v}" for k, v in cron_env(home).items()), "/bin/sh", "-c",
                                  command + " -v"], capture_output=True, text=True, timeout=120, cwd="/")
        assert verbose.returncode == 0 and "emailed the report to team@example.com" in verbose.stderr  # -v after the command

        logged = next(line for line in CRON_DOC.splitlines() if "cron.log" in line and re.match(r"^\s*0 16\s", line))
        logged = re.split(r"\s+", logged.strip(), maxsplit=5)[5].replace("/path/to/project", str(project))
        (home / ".cache" / "trelloplan").mkdir(parents=True, exist_ok=True)
        for board in (board_id, "0" * 24):  # a good run, then one of a board that does not exist
            ran = subprocess.run(["env", "-i", *(f"{k}={v}" for k, v in cron_env(home).items()), "/bin/sh", "-c",
                                  logged.replace("BOARD_ID", board)], capture_output=True, text=True, timeout=120, cwd="/")
            assert (ran.returncode != 0, ran.stdout, ran.stderr) == (board != board_id, "", "")
        log = (home / ".cache" / "trelloplan" / "cron.log").read_text().splitlines()
        starts = [i for i, line in enumerate(log) if re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", line)]
        assert len(starts) == 2 and starts[0] == 0  # each run begins with its date
        assert any("emailed the report" in line for line in log[:starts[1]])
        assert log[-1].startswith("error: board 000000000000000000000000") and "Traceback" not in "\n".join(log)
    finally:
        smtp.stop()
