"""`trelloplan cohort apply` and `cohort report`: a class of teams on one plan, a board each, one overview."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from ..errors import TrelloplanError, UsageError
from ..render.formatting import plural
from ..render.terminal import fit_lines, output_width

__all__ = ["COMMANDS", "cohort_group"]


def _say(message: str) -> None:
    """Progress for people: shown on a terminal or with -v, quiet under cron."""
    root = click.get_current_context().find_root()
    if sys.stderr.isatty() or root.params.get("verbose"):
        click.echo(message, err=True)


def _load(path: str) -> Any:
    from ..cohort.cohortfile import load_cohort

    cohort = load_cohort(path)
    for warning in cohort.warnings:
        _say(str(warning))
    return cohort


def _failure_lines(failures: dict[str, TrelloplanError]) -> None:
    from . import cli_hint

    for name, error in failures.items():
        click.echo(f"error: {name}: {' '.join(error.message.split())} (hint: {cli_hint(error)})", err=True)


@click.group("cohort")
def cohort_group() -> None:
    """A class of teams on one plan: a board per team, one weekly overview.

    The cohort file names the shared plan and the teams (their Trello
    usernames, their email addresses, a later start or a plan of their own);
    docs/cohort.md has a full example.

    \b
    Example:
      trelloplan cohort apply cohort.yaml --yes
      trelloplan cohort report cohort.yaml --format html --out cohort.html
      trelloplan cohort report cohort.yaml --email
    """


# -- apply --------------------------------------------------------------------------------------


def _plan_line(planned: Any, width: int) -> str:
    from ..render.formatting import plural

    name = planned.team.name.ljust(width)
    if planned.error is not None:
        return f"  {name}  cannot apply: {' '.join(planned.error.message.split())}"
    board = planned.board
    where = f"new board {planned.plan.project!r}" if board is None else f"board {board.name!r} ({board.id})"
    if not planned.writes:
        return f"  {name}  {where}: nothing to do"
    members = f", adds {', '.join(planned.members)}" if planned.members else ""
    if board is None:
        return f"  {name}  {where}: {plural(planned.writes, 'write')}{members}"
    counts = planned.diff.counts()
    parts = [f"{verb} {counts[verb]}" for verb in ("create", "update", "archive") if counts.get(verb)]
    return f"  {name}  {where}: {plural(planned.writes, 'write')}{' (' + ', '.join(parts) + ')' if parts else ''}{members}"


@contextmanager
def _apply_progress(total: int, quiet: bool) -> Iterator[Callable[[Any], None] | None]:
    """A progress bar across teams on a terminal; nothing under cron."""
    if quiet or not total or not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Applying", total=total)

        def progress(event: Any) -> None:
            bar.update(task, completed=event.writes_done, total=event.writes_total,
                       description=f"{event.team.name} ({event.index}/{event.teams})")

        yield progress


def _outcome_line(outcome: Any) -> str:
    from ..render.formatting import plural

    if outcome.error is not None:
        return f"{outcome.team.name}: failed"
    where = outcome.board_url or outcome.board_id
    if not outcome.writes:
        return f"{outcome.team.name}: unchanged, {where}"
    added = f", added {', '.join(outcome.members_added)}" if outcome.members_added else ""
    return f"{outcome.team.name}: {'created' if outcome.created else 'updated'} {where} ({plural(outcome.writes, 'write')}{added})"


@cohort_group.command("apply")
@click.argument("cohort_path", metavar="COHORT.yaml", type=click.Path(dir_okay=False))
@click.option("-y", "--yes", is_flag=True, help="Apply without asking for confirmation (for scripts and cron).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.option("--workers", default=8, show_default=True, type=click.IntRange(1, 32), help="Concurrent writes per board.")
def cohort_apply(cohort_path: str, yes: bool, as_json: bool, workers: int) -> None:
    """Create or update every team's board from the shared plan, and add each team's members.

    Each team's board is applied as `trelloplan apply` would (a second run
    writes nothing), its state kept in its own file under COHORT.state/ next
    to the cohort file. The teams share one token and one pacer under Trello's
    limits. A run that stops (a crash, Ctrl-C, Trello's rate limit) is resumed
    by running it again. One team's failure does not stop the others; the run
    then ends with exit code 1, naming it.

    \b
    Example:
      trelloplan cohort apply cohort.yaml
      trelloplan cohort apply cohort.yaml --yes --json
    """
    from ..client import Trello
    from ..cohort.apply import apply_cohort, plan_cohort

    cohort = _load(cohort_path)
    with Trello.from_env(pool_size=max(16, workers)) as trello:
        planned = plan_cohort(trello, cohort)
        writes = sum(p.writes for p in planned if p.error is None)
        if not as_json:
            width = max(len(p.team.name) for p in planned)
            lines = [f"Cohort {cohort.title!r}: {plural(len(planned), 'team')} on {trello.api_url}"]
            lines += [_plan_line(p, width) for p in planned]
            for stray in cohort.stray_states():
                key = stray.name[: -len(".state.json")]
                lines.append(f"  note: {stray} belongs to no team of the cohort; if a team was renamed, "
                             f"give it `key: {key}` to keep its board")
            boards = sum(1 for p in planned if p.error is None and p.writes)
            failing = sum(1 for p in planned if p.error is not None)
            if writes:
                lines.append(f"{plural(writes, 'write')} to {plural(boards, 'board')}.")
            elif failing == len(planned):
                lines.append("No team can apply: see the lines above.")
            else:
                lines.append("Every board that can apply matches the plan: nothing to do." if failing
                             else "Every board matches the plan: nothing to do.")
            click.echo(fit_lines("\n".join(lines), output_width(sys.stdout)))
        if writes and not yes:
            if not sys.stdin.isatty():
                raise UsageError("cohort apply needs confirmation", hint="pass --yes to apply without a terminal (scripts, cron)")
            if not click.confirm(f"Apply {writes} writes?", default=False):
                raise click.Abort()
        with _apply_progress(writes, as_json) as progress:
            result = apply_cohort(trello, cohort, planned=planned, workers=workers, progress=progress)
    if as_json:
        click.echo(json.dumps({**result.data(), "state_dir": str(cohort.state_dir)}, indent=2))
    else:
        lines = [_outcome_line(outcome) for outcome in result.teams if outcome.writes or outcome.error is not None]
        if result.writes:
            lines.append(f"Applied {result.writes} writes in {result.seconds:.1f} s; state files in {cohort.state_dir}.")
        if lines:
            click.echo(fit_lines("\n".join(lines), output_width(sys.stdout)))
    _failure_lines({o.team.name: o.error for o in result.failures if o.error is not None})
    result.raise_for_failures()


# -- report -------------------------------------------------------------------------------------


def _as_of(plan: Any, week: str | None, as_of_text: str | None) -> datetime | None:
    """``--as-of`` (None: the cohort report takes now, or the end of ``--week`` when it came already)."""
    from .report_cmds import parse_as_of

    if week is not None and as_of_text is not None:
        raise UsageError("--week and --as-of cannot be used together: --week N reports as of the end of week N "
                         "(or now, if it has not ended)",
                         hint="pass --week N alone, or --as-of alone to report on the week holding that moment")
    return parse_as_of(as_of_text, plan.tzinfo) if as_of_text is not None else None


def _smtp(cohort: Any, email: bool, eml_dir: str | None, email_from: str | None, host: str | None, port: str | None,
          user: str | None, security: str | None) -> tuple[Any, str]:
    """Every email setting checked before anything is pulled: bad settings fail fast, nothing half-sent."""
    if not email and not eml_dir:
        return None, ""
    import os

    from ..mail import ENV_FROM, smtp_settings
    from ..render.email import validate_address

    if not cohort.report_to and not any(team.email for team in cohort.teams):
        raise UsageError("nothing to email: no team has `email:` and the cohort has no `report_to:`",
                         hint="add the addresses to the cohort file (docs/cohort.md)")
    settings = None if eml_dir else smtp_settings(host=host, port=port, security=security, user=user, sender=email_from)
    sender = email_from or (settings.sender if settings else None) or os.environ.get(ENV_FROM, "").strip()
    if not sender:
        if not eml_dir:
            raise UsageError("no sender for the emails", hint=f"pass --email-from ADDRESS or set {ENV_FROM}")
        sender = "trelloplan <trelloplan@localhost>"
    return settings, validate_address(sender)


def _pull_progress() -> Callable[[Any, int, int], None] | None:
    if not sys.stderr.isatty():
        return None
    console = Console(stderr=True)

    def progress(team: Any, index: int, teams: int) -> None:
        console.print(Text(f"Pulling {team.name} ({index}/{teams})"), style="dim")

    return progress


@cohort_group.command("report")
@click.argument("cohort_path", metavar="COHORT.yaml", type=click.Path(dir_okay=False))
@click.option("--week", metavar="N", help="Report as of the end of week N of the shared plan (or an ISO week like 2027-W05).")
@click.option("--as-of", "as_of_text", metavar="DATE", help="Report as of this day's end or date-time (default: now).")
@click.option("--format", "fmt", metavar="FORMAT", help="One of: text, json, markdown (or md), html. Default: from the --out "
              "file's extension, else text.")
@click.option("--out", "out_path", metavar="FILE", help="Write the overview to FILE, and each team's own report into FILE's "
              "stem + .teams/ beside it, linked from the overview.")
@click.option("--email", is_flag=True, help="Email each team its own report (its `email:`) and the overview to `report_to:`.")
@click.option("--eml", "eml_dir", metavar="FOLDER", help="Write the emails into FOLDER as .eml files instead of sending them.")
@click.option("--email-from", "email_from", metavar="ADDRESS", help="The sender (default: TRELLOPLAN_SMTP_FROM).")
@click.option("--smtp-host", metavar="HOST", help="SMTP server (default: TRELLOPLAN_SMTP_HOST).")
@click.option("--smtp-port", metavar="PORT", help="SMTP port (default: TRELLOPLAN_SMTP_PORT, else by security: 587, 465, 25).")
@click.option("--smtp-user", metavar="USER", help="SMTP user (default: TRELLOPLAN_SMTP_USER); the password is read only "
              "from TRELLOPLAN_SMTP_PASSWORD.")
@click.option("--smtp-security", type=click.Choice(["starttls", "ssl", "none"]),
              help="Default: TRELLOPLAN_SMTP_SECURITY, else ssl on port 465, none for localhost, starttls otherwise.")
@click.option("--seed", "seed", default=0, show_default=True, type=int, help="Seed of the Monte Carlo forecasts.")
def cohort_report(cohort_path: str, week: str | None, as_of_text: str | None, fmt: str | None, out_path: str | None, email: bool,
                  eml_dir: str | None, email_from: str | None, smtp_host: str | None, smtp_port: str | None,
                  smtp_user: str | None, smtp_security: str | None, seed: int) -> None:
    """Pull every team's board and write the overview: one row per team, most in need first.

    Each row: the team's share of planned cards done, this week's milestone
    and demo (done, not done, not yet due), cards finished this week, aging
    work, the 85% forecast against the plan's last day, and a status (on
    track, at risk, behind: the rule of each team's own report, in
    docs/cohort.md). Pulls are incremental: one request per board when
    nothing is new.

    With --email, each team gets its own weekly report and `report_to` the
    overview, and nothing is printed on success: one cron line. A team that
    cannot be reported on, or an email that fails, does not stop the others;
    the run then ends with exit code 1, naming them.

    \b
    Example:
      trelloplan cohort report cohort.yaml
      trelloplan cohort report cohort.yaml --week 5 --out cohort.html
      trelloplan cohort report cohort.yaml --email --email-from "CS 512 <cs512@example.edu>"
    """
    from contextlib import ExitStack

    from ..client import Trello
    from ..cohort.apply import teams_failed
    from ..cohort.delivery import OVERVIEW, deliver_cohort, write_cohort_report
    from ..cohort.report import report_cohort
    from ..lock import board_lock
    from ..render.cohort import OVERVIEW_FORMATS, render_overview

    from ..render.formats import choose_format

    fmt = choose_format(fmt, out_path, OVERVIEW_FORMATS, what="overview") or "text"
    if out_path:
        from ..fsutil import output_folder

        output_folder(out_path)  # before every board is pulled
    cohort = _load(cohort_path)
    now = datetime.now(timezone.utc)
    as_of = _as_of(cohort.plan, week, as_of_text)
    if week is not None:
        from ..history.report import as_of_for_week

        as_of_for_week(week, plan=cohort.plan)  # a week the plan does not have fails before any request
    emailing = email or bool(eml_dir)
    settings, sender = _smtp(cohort, email, eml_dir, email_from, smtp_host, smtp_port, smtp_user, smtp_security)
    with ExitStack() as held:
        if email and not eml_dir:
            held.enter_context(board_lock(str(Path(cohort_path).resolve()), purpose="cohort"))
        with Trello.from_env() as trello:
            result = report_cohort(trello, cohort, as_of=as_of, week=week, now=now, seed=seed, progress=_pull_progress())
        if out_path:
            result = write_cohort_report(result, out_path, fmt)
            _say(f"wrote the {fmt} overview to {out_path}")
        elif not emailing:
            click.echo(render_overview(result.overview, fmt, color=sys.stdout.isatty(), width=output_width(sys.stdout)), nl=False)
        deliveries = deliver_cohort(result, sender=sender, sent_at=now, settings=settings, eml_dir=eml_dir) if emailing else []
    for delivery in deliveries:
        if delivery.ok:
            _say(f"wrote {delivery.path}" if delivery.path else f"emailed {delivery.name} to {', '.join(delivery.recipients)}")
    failures: dict[str, TrelloplanError] = {t.team.name: t.error for t in result.failures if t.error is not None}
    failures.update({"the overview's email" if d.name == OVERVIEW else f"the email to {d.name}": d.error
                     for d in deliveries if d.error is not None})
    _failure_lines(failures)
    error = teams_failed(failures, f"the cohort report had {len(failures)} failure{'s' if len(failures) != 1 else ''}")
    if error is not None:
        raise error


COMMANDS = [cohort_group]
