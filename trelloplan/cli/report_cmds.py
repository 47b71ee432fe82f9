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
from ..fsutil import atomic_write
from ..history.fetch import Getter, pull_history
from ..history.model import BoardHistory
from ..history.report import build_report
from ..history.roles import RoleRules
from ..history.weeks import WeekCalendar, load_zone
from ..plan import Plan
from ..render.formats import FORMATS, render_report

__all__ = ["COMMANDS", "parse_as_of", "report_command"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_as_of(text: str, tz: Any) -> datetime:
    """``--as-of``: a day (its end, in ``tz``) or an ISO date-time (in ``tz`` unless it has an offset)."""
    value = text.strip()
    try:
        if _DATE.match(value):
            day = date.fromisoformat(value)
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz) - timedelta(microseconds=1)
        moment = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    except ValueError:
        raise UsageError(
            f"--as-of {text!r} is not a date", hint="use a day (2027-02-12) or a date-time (2027-02-12T17:00 or with +01:00)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _parse_seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"--seed {text!r} is not a whole number", hint="use e.g. --seed 42") from None


def _load_plan(path: str) -> Plan:
    from ..planfile import load_plan

    return load_plan(path)


def _applied_lists(plan_path: str) -> tuple[str | None, dict[str, str]]:
    """The board and ``{list_id: role}`` apply recorded in the plan's state file, if there is one."""
    from ..state import PlanState, default_state_path

    path = default_state_path(plan_path)
    if not path.is_file():
        return None, {}
    state = PlanState.load(path)
    lists = {info["id"]: role for role, info in state.lists.items()
             if role in ("todo", "in_progress", "done") and isinstance(info, dict) and isinstance(info.get("id"), str)}
    return state.board_id, lists


def _trello_get() -> tuple[Getter, Callable[[], None]]:
    """A ``get`` through the Trello client configured from the environment, and how to close it."""
    from ..client import Trello

    trello = Trello.from_env()
    return trello.get, trello.close


def _history(exports: tuple[str, ...], store_path: str | None, board_id: str | None) -> BoardHistory:
    from ..store import HistoryStore

    if exports:
        if store_path or board_id:
            raise UsageError("--from-export cannot be combined with --store or --board",
                             hint="report from export files, or from a store, or from a board")
        from ..history.export import load_exports

        return load_exports(exports)
    if board_id:
        with HistoryStore.for_board(board_id, store_path) as store:
            get, close = _trello_get()
            try:
                pull_history(get, store, board_id)
            finally:
                close()
            return store.load_history()
    if store_path:
        if not Path(store_path).is_file():
            raise UsageError(f"{store_path}: no such history store",
                             hint="check the --store path, or pass --board ID to pull the board into it")
        with HistoryStore(store_path, create=False) as store:
            return store.load_history()
    raise UsageError("say where the history comes from", hint="pass --from-export FILE, --store PATH or --board ID")


@click.command("report")
@click.option("--from-export", "exports", multiple=True, metavar="FILE",
              help="A Trello board JSON export (repeatable: overlapping exports are merged).")
@click.option("--store", "store_path", metavar="PATH", help="The local history store (SQLite) to read, or to pull into.")
@click.option("--board", "board_id", metavar="ID", help="Pull the board's new actions into its store first (needs TRELLO_API_KEY and TRELLO_TOKEN).")
@click.option("--plan", "plan_path", metavar="PLAN.yaml", help="The plan the board was made from: its weeks, labels, hours and demos.")
@click.option("--week", metavar="N", help="Report on plan week N (or an ISO week like 2027-W05), as of its end.")
@click.option("--as-of", "as_of_text", metavar="DATE", help="Report as of this day's end or date-time (default: now).")
@click.option("--tz", "tz_name", metavar="ZONE", help="Time zone for weeks and dates (default: the plan's, else UTC).")
@click.option("--list-role", "list_roles", multiple=True, metavar="NAME=ROLE",
              help="Give lists of this name a role: todo, in_progress, done or ignore (repeatable). "
                   "Lists apply made (in the plan's state file) are known by id.")
@click.option("--format", "fmt", default="text", show_default=True, metavar="FORMAT", help=f"One of: {', '.join(FORMATS)}.")
@click.option("--out", "out_path", metavar="FILE", help="Write the report to FILE (atomically) instead of standard output.")
@click.option("--seed", "seed_text", default="0", show_default=True, metavar="N", help="Seed of the Monte Carlo forecast.")
def report_command(exports: tuple[str, ...], store_path: str | None, board_id: str | None, plan_path: str | None,
                   week: str | None, as_of_text: str | None, tz_name: str | None, list_roles: tuple[str, ...], fmt: str,
                   out_path: str | None, seed_text: str) -> None:
    """Report a board's weekly progress from its card history.

    Planned, done, in progress and to do for each plan week (by its "Week N"
    label), what was completed, carried over and added this week, cycle and
    lead times, throughput, work in progress, burn-up, cumulative flow, a
    Monte Carlo forecast, per-member counts and data-quality findings. Every
    number is computed as of one moment from the history alone, so a past
    week's report is the same whenever it is run. Definitions: docs/metrics.md.

    \b
    Example:
      trelloplan report --from-export board.json --plan plan.yaml --week 3
      trelloplan report --store ~/.cache/trelloplan/boards/ID.sqlite --as-of 2027-02-12 --format json --out week6.json
      trelloplan report --board 5f1a2b3c4d5e6f7a8b9c0d1e --list-role "QA=in_progress" --format markdown
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    if week is not None and as_of_text is not None:
        raise UsageError("--week and --as-of cannot be used together", hint="a week report is as of the week's end")
    seed = _parse_seed(seed_text)
    rules = RoleRules.parse(list_roles)
    plan = _load_plan(plan_path) if plan_path else None
    zone = load_zone(tz_name) if tz_name else (plan.tzinfo if plan else load_zone("UTC"))
    calendar = WeekCalendar.for_plan(plan, zone) if plan else WeekCalendar.iso(zone)
    now = datetime.now(timezone.utc)
    if week is not None:
        as_of = min(calendar.last_instant(calendar.parse_week(week)), now)
    elif as_of_text is not None:
        as_of = parse_as_of(as_of_text, zone)
    else:
        as_of = now
    history = _history(exports, store_path, board_id)
    if plan_path:
        applied_board, applied = _applied_lists(plan_path)
        if applied and history.board is not None and history.board.id == applied_board:
            rules = RoleRules(by_id=rules.by_id, by_name=rules.by_name, applied=applied)
    report = build_report(history, as_of=as_of, plan=plan, week=week, tz=zone, list_roles=rules, seed=seed)
    if out_path:
        text = render_report(report, fmt)
        atomic_write(out_path, text)
        click.echo(f"wrote the {fmt} report to {out_path}", err=True)
    else:
        click.echo(render_report(report, fmt, color=sys.stdout.isatty()), nl=False)


COMMANDS = [report_command]
