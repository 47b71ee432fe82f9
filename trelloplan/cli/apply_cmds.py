"""`trelloplan plan` and `trelloplan apply`: the plan as code, on a Trello board."""

from __future__ import annotations

import json
import sys
import textwrap
import threading
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..board.apply import ApplyResult, apply_plan, plan_changes
from ..board.changes import DRIFT_NOTES
from ..board.diff import Change, Diff
from ..board.remote import BoardState
from ..board.state import PlanState, default_state_path
from ..client import Trello
from ..errors import UsageError
from ..plan.model import Plan
from ..plan.planfile import load_plan
from ..render.formatting import plural
from ..render.terminal import UNLIMITED, fit_lines, output_width
from . import EXIT_DRIFT

KIND_TITLES = {"board": "board", "member": "members", "list": "lists", "label": "labels", "card": "cards", "checklist": "checklists"}


def render_diff(diff: Diff, board: BoardState | None, plan: Plan, api_url: str, *, width: int | None = None) -> str:
    """The plan of work for people: what is written, by kind, then what is left alone and why.

    Lines fit ``width`` columns (a terminal's); with None (a pipe, a file) nothing is wrapped or cut.
    """
    where = f"board {board.name!r} ({board.id})" if board else f"a new board {plan.project!r}"
    counts = diff.counts()
    shown = ", ".join(f"{action} {n}" for action, n in counts.items() if n or action != "delete")
    lines = [f"Plan for {where} on {api_url}:", f"  {plural(diff.writes, 'write')}: {shown}"]
    for kind, title in KIND_TITLES.items():
        changes = [c for c in diff.changes if c.kind == kind]
        if changes:
            lines.append(f"  {title} ({len(changes)}):")
            for change in changes:
                first, *rest = change.lines(width - 4 if width else UNLIMITED)
                lines.append(f"    {first}" + (f"  [waits for confirmation: {change.guarded}]" if change.guarded else ""))
                lines.extend(f"    {line}" for line in rest)
    if diff.notes:
        wrap = width or UNLIMITED
        lines.append(f"  notes ({len(diff.notes)}):")
        for note in diff.notes:
            mark = "!" if note.kind in DRIFT_NOTES else "·"
            lines.extend(textwrap.wrap(note.message, wrap, initial_indent=f"    {mark} ", subsequent_indent="      ", break_on_hyphens=False))
            lines.extend(textwrap.wrap(note.hint, wrap, initial_indent="      hint: ", subsequent_indent="      ", break_on_hyphens=False) if note.hint else [])
    if diff.empty and not diff.drift:
        lines.append("  the board matches the plan: nothing to do")
    elif diff.empty:
        lines.append("  nothing to write, but the board differs from the plan: see the notes marked !")
    return "\n".join(lines)


def board_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--board", "board_id", metavar="BOARD", help="The board: its id, short link or URL. Default: the one in the "
                     "state file, else the board that carries this plan's marker."),
        click.option("--state", "state_path", metavar="PATH", type=click.Path(dir_okay=False),
                     help="The state file. Default: next to the plan, PLAN.state.json."),
        click.option("--prune", is_flag=True, help="Archive cards of tasks removed from the plan (never deletes). Cards people moved "
                     "out of To Do wait for a confirmation (or --force)."),
        click.option("--force", is_flag=True, help="Take the plan's value where a field changed both in the plan and on the board, "
                     "or differs while the state file is lost; with --prune, archive without asking."),
        click.option("--workspace", metavar="ID|NAME", help="The Trello workspace a new board goes into (default: the plan's "
                     "`workspace:`, else your only one); unused when the board exists."),
        click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary."),
    ]):
        command = option(command)
    return command


def open_state(plan_path: str, state_path: str | None) -> PlanState:
    return PlanState.load(state_path or default_state_path(plan_path))


@click.command("plan")
@click.argument("plan_path", metavar="PLAN", type=click.Path(dir_okay=False))
@board_options
@click.option("--check", is_flag=True, help=f"Exit with code {EXIT_DRIFT} when the board differs from the plan: apply would write, "
              "a removed task's card is open, a likely rename or a conflict waits.")
def plan_command(plan_path: str, board_id: str | None, state_path: str | None, prune: bool, force: bool,
                 workspace: str | None, as_json: bool, check: bool) -> None:
    """Show what apply would change on the board, touching nothing.

    Reads the board in one request (two when there is no state file: the
    board is found by the marker in its description).

    \b
    Example:
      trelloplan plan plans/mlops-gcp-10-weeks.yaml --check
    """
    plan = load_plan(plan_path)
    state = open_state(plan_path, state_path)
    with Trello.from_env() as trello:
        diff, board = plan_changes(trello, plan, state, board_id=board_id, prune=prune, force=force, workspace=workspace)
        if as_json:
            click.echo(json.dumps({"board": board.id if board else None, **diff.data()}, indent=2))
        else:
            width = output_width(sys.stdout)
            click.echo(fit_lines(render_diff(diff, board, plan, trello.api_url, width=width), width))
    if check and diff.drift:
        sys.exit(EXIT_DRIFT)


@click.command("apply")
@click.argument("plan_path", metavar="PLAN", type=click.Path(dir_okay=False))
@board_options
@click.option("-y", "--yes", is_flag=True, help="Apply without asking for confirmation (for scripts and cron).")
@click.option("--workers", default=8, show_default=True, type=click.IntRange(1, 32), help="Concurrent writes.")
def apply_command(plan_path: str, board_id: str | None, state_path: str | None, prune: bool, force: bool,
                  workspace: str | None, as_json: bool, yes: bool, workers: int) -> None:
    """Make the board match the plan: create it, or update only what the plan changed.

    Creates the board (lists To Do / In Progress / Done, a label per week and a
    Demo label, a card per task with its label and due date, checklists) when
    there is none. A second run makes no writes. Cards people moved or edited
    on the board keep their list and their edits. The board is recorded in the
    state file next to the plan (PLAN.state.json).

    \b
    Example:
      trelloplan apply plans/mlops-gcp-10-weeks.yaml --yes
    """
    plan = load_plan(plan_path)
    state = open_state(plan_path, state_path)
    with Trello.from_env() as trello:
        diff, board = plan_changes(trello, plan, state, board_id=board_id, prune=prune, force=force, workspace=workspace)
        if not as_json:
            width = output_width(sys.stdout)
            click.echo(fit_lines(render_diff(diff, board, plan, trello.api_url, width=width), width))
        interactive = interactive_terminal(yes)
        if not diff.empty and not yes and not interactive:
            raise UsageError("apply needs confirmation", hint="pass --yes to apply without a terminal (scripts, cron)")
        diff, confirmed = confirm_guarded(diff, interactive, quiet=as_json)
        if not diff.empty and interactive and not click.confirm(f"Apply {plural(diff.writes, 'write')}?", default=False):
            raise click.Abort()
        result = run_with_progress(trello, plan, state, diff, board, prune=prune, force=force, workers=workers, quiet=as_json,
                                   archive_guarded=confirmed)
    if as_json:
        click.echo(json.dumps({**result.data(), "state": str(state.path)}, indent=2))
    elif not diff.empty:
        click.echo(f"Applied {plural(result.writes, 'write')} in {result.seconds:.1f} s to {result.board_url or result.board_id}; "
                   f"state saved in {state.path}.")


def interactive_terminal(yes: bool) -> bool:
    """Whether apply asks before writing: on a terminal, without --yes."""
    return sys.stdin.isatty() and not yes


def confirm_guarded(diff: Diff, interactive: bool, *, quiet: bool) -> tuple[Diff, bool]:
    """Ask before archiving cards people moved out of To Do; --yes alone never archives them.

    Returns the diff to apply and whether those archives were confirmed.
    """
    guarded = diff.guarded
    if not guarded:
        return diff, False
    if interactive:
        width = output_width(sys.stdout)
        click.echo(fit_lines("\n".join(f"  {change.ref} ({change.title!r}): {change.guarded}" for change in guarded), width))
        if click.confirm("Archive this card too?" if len(guarded) == 1 else f"Archive these {len(guarded)} cards too?", default=False):
            return diff, True
    elif not quiet:
        click.echo(f"keeping {plural(len(guarded), 'card')} open that people moved out of To Do "
                   "(pass --prune --force to archive them)", err=True)
    return diff.without_guarded(), False


def run_with_progress(trello: Trello, plan: Plan, state: PlanState, diff: Diff, board: BoardState | None, *,
                      prune: bool, force: bool, workers: int, quiet: bool, archive_guarded: bool = False) -> ApplyResult:
    """Apply with a progress bar on a terminal, a plain line per write otherwise (cron), nothing when quiet."""
    with ExitStack() as stack:
        progress = None
        if not quiet and not diff.empty and sys.stderr.isatty():
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            bar = stack.enter_context(Progress(*columns, console=Console(stderr=True), transient=True))
            task = bar.add_task("Applying", total=diff.writes)

            def progress(change: Change, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=f"Applying {change.kind}s")
        elif not quiet:
            printed = threading.Lock()
            count = [0]
            written: dict[int, int] = {}

            def progress(change: Change, done: int, total: int) -> None:
                # writes finish on several threads: count and print under one lock, so the numbers go up;
                # a change of several writes (a checklist and its items) is one line, once all are written
                with printed:
                    count[0] += 1
                    written[id(change)] = written.get(id(change), 0) + 1
                    if written[id(change)] == max(change.writes, 1):
                        click.echo(f"[{count[0]}/{total}] {change}", err=True)
        return apply_plan(trello, plan, state, prune=prune, force=force, workers=workers, progress=progress,
                          diff=(diff, board), archive_guarded=archive_guarded)


COMMANDS = [plan_command, apply_command]
