"""`trelloplan doctor`: check the settings, Trello, SMTP and the local folders, one line per check."""

from __future__ import annotations

import json
import sys
import textwrap

import click

from ..doctor import Check
from ..render.safe import terminal_text
from ..render.terminal import output_width

_MARKS = {"ok": "ok", "warn": "warn", "fail": "FAIL", "skip": "skip"}
_WIDTH = max(len(name) for name in ("settings", "api", "token", "access", "workspaces", "rate limit", "smtp", "cache", "store"))


def check_line(check: Check, width: int | None = None) -> str:
    """One check as a line; in a terminal ``width`` columns wide, wrapped under its detail."""
    hint = f" (hint: {check.hint})" if check.hint and check.status in ("warn", "fail") else ""
    line = terminal_text(f"{_MARKS[check.status]:<4}  {check.name:<{_WIDTH}}  {check.detail}{hint}")
    if width is None or len(line) <= width:
        return line
    return "\n".join(textwrap.wrap(line, width, subsequent_indent=" " * (_WIDTH + 8), break_on_hyphens=False,
                                   break_long_words=False))


@click.command()
@click.option("--smtp-host", metavar="HOST", help="SMTP server to check (default: TRELLOPLAN_SMTP_HOST; none: skipped).")
@click.option("--smtp-port", metavar="PORT", help="SMTP port (default: TRELLOPLAN_SMTP_PORT, else by security).")
@click.option("--smtp-user", metavar="USER", help="SMTP user (default: TRELLOPLAN_SMTP_USER; password: TRELLOPLAN_SMTP_PASSWORD).")
@click.option("--smtp-security", type=click.Choice(["starttls", "ssl", "none"]), help="TLS mode (default: by port).")
@click.option("--store", "store_path", metavar="PATH", type=click.Path(dir_okay=False),
              help="A store file you use: check its folder (default: the user's cache).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def doctor(smtp_host: str | None, smtp_port: str | None, smtp_user: str | None, smtp_security: str | None,
           store_path: str | None, as_json: bool) -> None:
    """Check that trelloplan can work here; run it first.

    One line per check: the settings (TRELLO_API_URL, TRELLO_API_KEY, TRELLO_TOKEN),
    the API (reachable; Trello or a sandbox), the key and token (accepted; whose),
    what the token may do (write for apply, read for reports), the workspaces it
    sees, the rate-limit headroom, the SMTP server when one is set (connects and
    logs in, sends nothing), and the cache and store folders (writable). It only
    reads; it prints no key, token or password. Exit status 0 when no check fails,
    2 when a setting must be fixed, 1 otherwise.

    \b
    Example:
      trelloplan doctor
      trelloplan doctor --smtp-host smtp.example.com --smtp-user reports
    """
    from pathlib import Path

    from ..doctor import run_doctor

    smtp = {name: value for name, value in (("host", smtp_host), ("port", smtp_port), ("user", smtp_user),
                                            ("security", smtp_security)) if value}
    store_dir = Path(store_path).expanduser().resolve().parent if store_path else None
    report = run_doctor(smtp=smtp, store_dir=store_dir,
                        progress=None if as_json else lambda check: click.echo(check_line(check, output_width(sys.stdout))))
    if as_json:
        click.echo(json.dumps(report.data(), indent=2))
    else:
        counts = report.counts()
        verdict = "ready" if report.ok else "not ready: fix the FAIL lines above"
        warnings = f"{counts['warn']} warning" + ("" if counts["warn"] == 1 else "s")
        click.echo(f"{counts['ok']} ok, {warnings}, {counts['fail']} failed, {counts['skip']} skipped: {verdict}")
    sys.exit(report.exit_code)


COMMANDS = [doctor]
