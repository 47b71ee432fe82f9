"""`trelloplan report`: the weekly report from a board export, the local store, or the board itself."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from ..fsutil import atomic_write, output_folder
from ..history.roles import RoleRules
from ..history.weeks import WeekCalendar, load_zone
from ..plan.model import Plan
from ..render.formats import FORMATS

__all__ = ["COMMANDS", "parse_as_of", "pull_command", "report_command"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_as_of(text: str, tz: Any) -> datetime:
    """``--as-of``: a day (its end, in ``tz``) or an ISO date-time (in ``tz`` unless it has an offset)."""
    from ..dates import RANGE_TEXT, in_range, out_of_range

    value = text.strip()
    try:
        if _DATE.match(value):
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time(0), tzinfo=tz) + timedelta(days=1) - timedelta(microseconds=1)
        else:
            moment = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
        moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)
        moment.astimezone(timezone.utc)
    except ValueError:
        raise UsageError(
            f"--as-of {text!r} is not a date", hint="use a day (2027-02-12) or a date-time (2027-02-12T17:00 or with +01:00)"
        ) from None
    except OverflowError:
        moment = datetime.min.replace(tzinfo=timezone.utc)  # beyond what Python can hold: out of range below
    if not in_range(moment):
        raise UsageError(f"--as-of {out_of_range(text)}", hint=f"give a date from {RANGE_TEXT}")
    return moment


def _week_in_range(end_of_week: Callable[[], datetime], week: str) -> datetime:
    """The as-of moment of ``--week``, which must lie in the range of dates trelloplan handles."""
    from ..dates import RANGE_TEXT, in_range, out_of_range

    try:
        moment = end_of_week()
    except OverflowError:
        moment = datetime.max.replace(tzinfo=timezone.utc)
    if not in_range(moment):
        raise UsageError(f"--week {out_of_range(week)}", hint=f"give a week from {RANGE_TEXT}")
    return moment


def _parse_seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"--seed {text!r} is not a whole number", hint="use e.g. --seed 42") from None


def _load_plan(path: str) -> Plan:
    from ..plan.planfile import load_plan

    return load_plan(path)


def _say(message: str) -> None:
    """Progress for people: shown on a terminal or with -v, quiet under cron."""
    root = click.get_current_context().find_root()
    if sys.stderr.isatty() or root.params.get("verbose"):
        click.echo(message, err=True)


def _email_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--email-to", "email_to", multiple=True, metavar="ADDRESS",
                     help="Email the report to ADDRESS (repeatable). SMTP settings: options or TRELLOPLAN_SMTP_* variables."),
        click.option("--eml", "eml_path", metavar="FILE", help="Write the email to FILE instead of sending it (to check it)."),
        click.option("--email-from", "email_from", metavar="ADDRESS", help="The sender (default: TRELLOPLAN_SMTP_FROM)."),
        click.option("--smtp-host", metavar="HOST", help="SMTP server (default: TRELLOPLAN_SMTP_HOST)."),
        click.option("--smtp-port", metavar="PORT", help="SMTP port (default: TRELLOPLAN_SMTP_PORT, else by security: 587, 465, 25)."),
        click.option("--smtp-user", metavar="USER", help="SMTP user (default: TRELLOPLAN_SMTP_USER); the password is read "
                                                      "only from TRELLOPLAN_SMTP_PASSWORD."),
        click.option("--smtp-security", type=click.Choice(["starttls", "ssl", "none"]),
                     help="Default: TRELLOPLAN_SMTP_SECURITY, else ssl on port 465, none for localhost, starttls otherwise."),
    ]):
        command = option(command)
    return command


@click.command("report")
@click.option("--from-export", "exports", multiple=True, metavar="FILE",
              help="A Trello board JSON export (repeatable: overlapping exports are merged).")
@click.option("--store", "store_path", metavar="PATH", help="The local history store (SQLite) to read, or to pull into.")
@click.option("--board", "board_id", metavar="BOARD", help="Pull the board's new actions into its store first (its id, short link or "
              "URL; needs TRELLO_API_KEY and TRELLO_TOKEN). Default with --plan: the board in the plan's state file.")
@click.option("--plan", "plan_path", metavar="PLAN.yaml", help="The plan the board was made from: its weeks, labels, hours and demos; "
              "its state file names the board when no other source is given.")
@click.option("--week", metavar="N", help="Report on plan week N (or an ISO week like 2027-W05), as of its end "
                                          "(or now, if it has not ended).")
@click.option("--as-of", "as_of_text", metavar="DATE", help="Report as of this day's end or date-time (default: now; "
                                                            "with --from-export, the newest action in the exports).")
@click.option("--tz", "tz_name", metavar="ZONE", help="Time zone for weeks and dates (default: the plan's, else UTC).")
@click.option("--list-role", "list_roles", multiple=True, metavar="NAME=ROLE",
              help="Give lists of this name a role: todo, in_progress, done or ignore (repeatable). "
                   "Lists apply made (in the plan's state file) are known by id.")
@click.option("--archived", type=click.Choice(["dropped", "done"]), default="dropped", show_default=True,
              help="What a card archived outside a done list means: dropped (out of scope) or done.")
@click.option("--format", "fmt", metavar="FORMAT",
              help=f"One of: {', '.join(FORMATS)} (or md). Default: from the --out file's extension (.html, .md, .json, .csv, .txt; .pdf, .docx and such are refused), else text.")
@click.option("--out", "out_path", metavar="FILE",
              help="Write the report to FILE (atomically) instead of standard output; .html .md .json .csv .txt "
                   "choose the format.")
@click.option("--csv", "csv_table", type=click.Choice(["cards", "weeks"]),
              help="CSV rows: one per card (default) or one per week (plan numbers, throughput, burn-up).")
@click.option("--charts", "charts_dir", metavar="DIR", help="Also write the charts as PNG files into DIR.")
@click.option("--seed", "seed_text", default="0", show_default=True, metavar="N", help="Seed of the Monte Carlo forecast.")
@_email_options
def report_command(exports: tuple[str, ...], store_path: str | None, board_id: str | None, plan_path: str | None,
                   week: str | None, as_of_text: str | None, tz_name: str | None, list_roles: tuple[str, ...],
                   archived: str, fmt: str | None, out_path: str | None, csv_table: str | None, charts_dir: str | None,
                   seed_text: str, email_to: tuple[str, ...], eml_path: str | None,
                   email_from: str | None, smtp_host: str | None, smtp_port: str | None, smtp_user: str | None,
                   smtp_security: str | None) -> None:
    """Report a board's weekly progress from its card history; write it, or email it.

    Planned, done, in progress and to do for each plan week (by its "Week N"
    label), what was completed, carried over and added this week, cycle and
    lead times, throughput, work in progress, burn-up, cumulative flow, a
    Monte Carlo forecast, per-member counts and data-quality findings. Every
    number is computed as of one moment from the history alone, so a past
    week's report is the same whenever it is run; what the history does not
    show (before its first action) is reported as unknown, never guessed.
    From exports the report is as of their newest action unless --as-of says
    otherwise. Definitions: docs/metrics.md.

    With --email-to the report is emailed (HTML with inline charts and a
    plain-text part) and nothing is printed on success: made for cron
    (docs/cron.md). A failure prints one line on stderr, exits non-zero and
    sends nothing. Two runs for one board at once: the second fails.

    \b
    Example:
      trelloplan report --from-export board.json --plan plan.yaml --week 3
      trelloplan report --plan plan.yaml --out report.html --charts charts/
      trelloplan report --from-export board.json --plan plan.yaml --csv weeks --out weeks.csv
      trelloplan report --board https://trello.com/b/AbCd1234 --plan plan.yaml --email-to team@example.com
      trelloplan report --store ~/.cache/trelloplan/boards/ID.sqlite --as-of 2027-02-12 --format json --out week6.json
    """
    from contextlib import ExitStack

    from ..lock import board_lock
    from ..history.report import build_report
    from ..history.window import newest_action
    from ..reporting import deliver_email, load_history, plan_list_roles, plan_week_labels, resolve_board

    fmt = _output_format(fmt, out_path, csv_table)
    if out_path:
        output_folder(out_path)  # before a pull that may take minutes
    if week is not None and as_of_text is not None:
        raise UsageError("--week and --as-of cannot be used together: --week N reports as of the end of week N "
                         "(or now, if it has not ended)",
                         hint="pass --week N alone, or --as-of alone to report on the week holding that moment")
    emailing = bool(email_to or eml_path)
    if eml_path and not email_to:
        raise UsageError("--eml needs --email-to", hint="the email's To header needs at least one --email-to ADDRESS")
    settings, sender = _email_settings(email_to, eml_path, email_from, smtp_host, smtp_port, smtp_user, smtp_security)
    seed = _parse_seed(seed_text)
    rules = RoleRules.parse(list_roles)
    plan = _load_plan(plan_path) if plan_path else None
    zone = load_zone(tz_name) if tz_name else (plan.tzinfo if plan else load_zone("UTC"))
    calendar = WeekCalendar.for_plan(plan, zone) if plan else WeekCalendar.iso(zone)
    now = datetime.now(timezone.utc)
    chosen = calendar.parse_week(week) if week is not None else None
    if week is not None:
        _week_in_range(lambda: calendar.last_instant(calendar.parse_week(week)), week)
    given = parse_as_of(as_of_text, zone) if as_of_text is not None else None
    if board_id is None and plan_path and not exports and not store_path:
        board_id = _board_of_plan(plan_path)
    with ExitStack() as held:
        trello = None
        if board_id is not None and not exports:
            from ..client import Trello

            trello = held.enter_context(Trello.from_env())
            board_id = resolve_board(board_id, trello=trello)  # one board, one store, one lock
        if emailing and not eml_path and board_id:
            held.enter_context(board_lock(board_id))
        _say("pulling the board's new actions" if board_id else "reading the history")
        history = load_history(exports=exports, store_path=store_path, board_id=board_id, trello=trello)
        if emailing and not eml_path and not board_id and history.board is not None:
            held.enter_context(board_lock(history.board.id))
        # An export is a record of its moment: its "now" is its newest action, not today. A history
        # newer than the clock (a clock behind, the sandbox's own clock) is reported up to its end.
        _warn_if_another_board(plan_path, history)
        newest = newest_action(history)
        current = (newest or now) if exports else max(now, newest or now)
        if given is not None:
            as_of = given
        elif chosen is not None:
            as_of = min(calendar.last_instant(chosen), current)
        else:
            as_of = current
        report = build_report(history, as_of=as_of, plan=plan, week=week, tz=zone, archived=archived,
                              list_roles=plan_list_roles(plan_path, history, rules),
                              week_labels=plan_week_labels(plan_path, history), seed=seed)
        if out_path or not emailing or charts_dir:
            _write_outputs(report, fmt, out_path, csv_table, charts_dir, to_stdout=not out_path and not emailing)
        if emailing:
            deliver_email(report, recipients=email_to, sender=sender, sent_at=now, settings=settings, eml_path=eml_path)
            _say(f"wrote the email to {eml_path}" if eml_path else f"emailed the report to {', '.join(email_to)}")


def _output_format(fmt: str | None, out_path: str | None, csv_table: str | None) -> str:
    """The report's format: ``--format``, else the ``--out`` file's extension (else text); they must agree."""
    from ..render.formats import choose_format

    chosen = choose_format(fmt, out_path)
    if csv_table is not None and (chosen or "csv") != "csv":
        raise UsageError(f"--csv {csv_table} applies to CSV only, not to {chosen}",
                         hint="use --format csv (or an --out file ending in .csv) with --csv")
    return chosen or ("csv" if csv_table else "text")


def _warn_if_another_board(plan_path: str | None, history: Any) -> None:
    """One stderr line when the plan's state file records another board: a mistyped --board in a
    crontab would otherwise mail a report of the wrong board, silently, every week."""
    from ..board.resolve import recorded_board
    from ..board.state import default_state_path

    recorded = recorded_board(plan_path) if plan_path else None
    if plan_path and recorded and history.board is not None and history.board.id != recorded:
        click.echo(f"warning: {default_state_path(plan_path)} records board {recorded}, not {history.board.id}: "
                   f"the report takes {plan_path}'s weeks and tasks, not the lists and labels apply made", err=True)


def _board_of_plan(plan_path: str) -> str:
    """The board the plan's state file records (``--plan`` without ``--board``)."""
    from ..board.resolve import recorded_board
    from ..board.state import default_state_path

    board_id = recorded_board(plan_path)
    if board_id is None:
        raise UsageError(f"{default_state_path(plan_path)} records no board",
                         hint="apply the plan first (trelloplan apply PLAN), or pass --board BOARD (its id, short link or URL)")
    return board_id


def _write_outputs(report: Any, fmt: str, out_path: str | None, csv_table: str | None, charts_dir: str | None, *,
                   to_stdout: bool) -> None:
    """Render everything first, then write the charts and the report (to ``out_path`` and/or stdout):
    a charts folder that cannot be made fails before any output."""
    from ..render.formats import render_report
    from ..render.terminal import output_width

    text = ""
    if out_path or to_stdout:
        text = render_report(report, fmt, color=to_stdout and sys.stdout.isatty(), csv_table=csv_table or "cards",
                             width=output_width(sys.stdout) if to_stdout else None)
    charts: dict[str, bytes] = {}
    if charts_dir:
        from ..render.charts import render_charts

        folder = _charts_folder(charts_dir)
        charts = render_charts(report)
        for name, png in charts.items():
            atomic_write(folder / f"{name}.png", png)
    if out_path:
        atomic_write(out_path, text)
        _say(f"wrote the {fmt} report to {out_path}")
    elif to_stdout:
        click.echo(text, nl=False)


def _charts_folder(folder: str) -> Path:
    """The --charts folder, made if need be, before anything is written."""
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--charts {folder}: cannot make the folder ({exc.strerror})",
                         hint="give a folder you can write to") from None
    return target


def _email_settings(email_to: tuple[str, ...], eml_path: str | None, email_from: str | None, host: str | None,
                    port: str | None, user: str | None, security: str | None) -> tuple[Any, str]:
    """Check every email setting before any work is done: bad addresses or SMTP settings fail fast."""
    if not email_to:
        return None, ""
    import os

    from ..mail import ENV_FROM, smtp_settings
    from ..render.email import validate_address

    for address in email_to:
        validate_address(address)
    settings = None if eml_path else smtp_settings(host=host, port=port, security=security, user=user, sender=email_from)
    sender = email_from or (settings.sender if settings else None) or os.environ.get(ENV_FROM, "").strip()
    if not sender:
        if eml_path:
            sender = "trelloplan <trelloplan@localhost>"
        else:
            raise UsageError("no sender for the email", hint=f"pass --email-from ADDRESS or set {ENV_FROM}")
    validate_address(sender)
    return settings, sender


@click.command("pull")
@click.option("--board", "board_id", metavar="BOARD", help="The board to pull: its id, short link or URL.")
@click.option("--plan", "plan_path", metavar="PLAN.yaml", help="Pull the board the plan was applied to (named in its state file).")
@click.option("--store", "store_path", metavar="PATH", help="The store file (default: one per board in the user's cache).")
def pull_command(board_id: str | None, plan_path: str | None, store_path: str | None) -> None:
    """Fetch the board's new actions, cards and lists into its local store.

    The first pull fetches the whole history (about one request per 1,000
    actions); later pulls fetch only what is new: one request when nothing
    changed. Safe to interrupt: the next pull carries on.

    \b
    Example:
      trelloplan pull --board 5f1a2b3c4d5e6f7a8b9c0d1e
      trelloplan pull --plan plan.yaml
      trelloplan report --store ~/.cache/trelloplan/boards/5f1a2b3c4d5e6f7a8b9c0d1e.sqlite --format markdown
    """
    from ..render.formatting import plural
    from ..reporting import pull_board
    from ..store import default_store_path

    if board_id is None:
        if not plan_path:
            raise UsageError("say which board to pull", hint="pass --board BOARD (its id, short link or URL) or --plan PLAN")
        board_id = _board_of_plan(plan_path)
    result = pull_board(board_id, store_path=store_path)
    where = store_path or default_store_path(result.board_id)
    click.echo(f"pulled {plural(result.new_actions, 'new action')} of board {result.board_id} into {where} "
               f"({result.total_actions} in all, {plural(result.requests, 'request')})")


COMMANDS = [report_command, pull_command]
