"""Cohort → boards: every team's board created or updated, one team after another, under one pacer.

All teams share one token, so one :class:`~trelloplan.client.Trello` (one pacer, Trello's 100
requests per 10 s per token and 300 per key) carries the whole run. Each team has its own state
file, saved by apply as it goes, so a run that dies (a crash, Ctrl-C, a 429 storm) is resumed by
running it again: nothing is created twice. One team's failure does not stop the others; a
failure that concerns every team (the token refused, Trello's rate limit exhausted) stops the
run, and the teams not reached say so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..board.apply import apply_plan, plan_changes
from ..board.diff import Change, Diff
from ..board.remote import BoardState
from ..board.resolve import board_not_found
from ..board.state import PlanState
from ..board.workspace import FREE_OPEN_BOARDS, no_room, open_boards
from ..client import Trello
from ..errors import (AuthError, BoardError, BoardNotFound, NotFound, RateLimited, TeamsFailed, TrelloplanError,
                      WorkspaceError)
from ..plan.model import Plan
from ..render.formatting import plural
from .model import Cohort, Team, team_plan

__all__ = ["CohortApplyResult", "CohortProgress", "TeamOutcome", "TeamPlan", "apply_cohort", "plan_cohort", "teams_failed"]

log = logging.getLogger("trelloplan.cohort.apply")

#: Failures that would fail every later team the same way: the run stops there.
RUN_WIDE = (AuthError, RateLimited)


@dataclass
class TeamPlan:
    """What apply would do for one team: its plan, state and diff, or why it cannot."""

    team: Team
    plan: Plan
    state: PlanState
    diff: Diff | None = None
    board: BoardState | None = None
    error: TrelloplanError | None = None

    @property
    def writes(self) -> int:
        return self.diff.writes if self.diff is not None else 0

    @property
    def members(self) -> tuple[str, ...]:
        """The usernames apply adds to the board."""
        return tuple(c.ref for c in self.diff.changes if c.kind == "member" and c.action == "create") if self.diff else ()

    @property
    def new_board(self) -> bool:
        return self.diff is not None and any(c.kind == "board" and c.action == "create" for c in self.diff.changes)


@dataclass
class TeamOutcome:
    """What apply did for one team."""

    team: Team
    state_path: Path
    board_id: str | None = None
    board_url: str | None = None
    created: bool = False
    writes: int = 0
    members_added: tuple[str, ...] = ()
    error: TrelloplanError | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    def data(self) -> dict[str, Any]:
        return {"team": self.team.name, "key": self.team.key, "ok": self.ok, "board": {"id": self.board_id, "url": self.board_url},
                "created": self.created, "writes": self.writes, "members_added": list(self.members_added),
                "state": str(self.state_path), "seconds": round(self.seconds, 3),
                "error": {"message": self.error.message, "hint": self.error.hint, "kind": type(self.error).__name__}
                if self.error else None}


@dataclass
class CohortApplyResult:
    """What a cohort apply did: one outcome per team, in the cohort file's order."""

    teams: list[TeamOutcome]
    seconds: float = 0.0
    requests: dict[str, int] = field(default_factory=dict)

    @property
    def failures(self) -> list[TeamOutcome]:
        return [outcome for outcome in self.teams if outcome.error is not None]

    @property
    def writes(self) -> int:
        return sum(outcome.writes for outcome in self.teams)

    def data(self) -> dict[str, Any]:
        return {"teams": [outcome.data() for outcome in self.teams], "writes": self.writes, "failed": len(self.failures),
                "seconds": round(self.seconds, 3), "requests": self.requests}

    def raise_for_failures(self) -> None:
        """Raise :class:`TeamsFailed` naming every team that failed (after the others were done)."""
        failures = {o.team.name: o.error for o in self.teams if o.error is not None}
        error = teams_failed(failures, f"{len(failures)} of {len(self.teams)} teams failed to apply")
        if error is not None:
            raise error


def teams_failed(failures: dict[str, TrelloplanError], what: str) -> TeamsFailed | None:
    """The error that ends a cohort run in which ``failures`` happened, naming them after ``what``; None without any."""
    if not failures:
        return None
    return TeamsFailed(f"{what}: {', '.join(failures)}", failures=failures)


@dataclass(frozen=True)
class CohortProgress:
    """Where a cohort apply is: the team being applied, and the writes done of all planned."""

    team: Team
    index: int  # 1-based, of ``teams``
    teams: int
    writes_done: int
    writes_total: int
    change: Change | None = None


def explained(cohort: Cohort, team: Team, error: TrelloplanError, board_id: str | None = None) -> TrelloplanError:
    """``error`` in the words of a team's board: a board that is gone says so, with the team's state file to look at."""
    where = cohort.state_path(team)
    if isinstance(error, NotFound) and board_id and (error.path or "").startswith(f"/boards/{board_id}"):
        error = board_not_found(board_id)
    if isinstance(error, BoardNotFound):
        error.hint = (f"if the team's board was deleted, move its state file {where} away and apply the cohort again "
                      "to make a new board")
    elif isinstance(error, BoardError):
        error.hint = f"{error.hint} (the team's state file is {where})"
    elif isinstance(error, WorkspaceError) and cohort.workspace is None:
        error.hint = (f"add `workspace: NAME` (or its id) to the cohort file{f' {cohort.source}' if cohort.source else ''}: "
                      "every team's board goes there")
    return error


def plan_cohort(trello: Trello, cohort: Cohort) -> list[TeamPlan]:
    """What apply would do for every team. This is a read-only operation: what
    :func:`~trelloplan.board.apply.plan_changes` reads, for each team."""
    plans: list[TeamPlan] = []
    stopped: TrelloplanError | None = None
    for team in cohort.teams:
        planned = TeamPlan(team, team_plan(cohort, team), PlanState(path=cohort.state_path(team)))
        plans.append(planned)
        if stopped is not None:
            planned.error = _not_reached(stopped)
            continue
        try:
            planned.state = cohort.state(team)
            planned.diff, planned.board = plan_changes(trello, planned.plan, planned.state)
        except TrelloplanError as error:
            planned.error = explained(cohort, team, error)
            stopped = error if isinstance(error, RUN_WIDE) else None
    if stopped is None:
        _check_room(trello, plans)
    return plans


def _check_room(trello: Trello, plans: list[TeamPlan]) -> None:
    """Before any write: the teams whose new board a full free workspace would refuse fail now, by name.

    One request per free workspace that gets new boards; none for a paid workspace (no limit),
    so a cohort in a paid workspace costs what its boards cost.
    """
    by_workspace: dict[str, list[TeamPlan]] = {}
    for planned in plans:
        workspace = planned.diff.workspace if planned.diff is not None and planned.error is None else None
        if planned.new_board and workspace is not None and not workspace.paid:
            by_workspace.setdefault(workspace.id, []).append(planned)
    for waiting in by_workspace.values():
        workspace = waiting[0].diff.workspace if waiting[0].diff else None
        assert workspace is not None
        count = open_boards(trello, workspace)
        refused = no_room(workspace, count, len(waiting))
        room = len(waiting) - refused
        for planned in waiting[room:]:
            planned.error = WorkspaceError(
                f"no room for this team's board in workspace {workspace}: it holds {count} open boards, Trello's free "
                f"plan allows {FREE_OPEN_BOARDS}, and {plural(len(waiting), 'team')} need{'s' if len(waiting) == 1 else ''} a new one ({room} fit)",
                hint="close (archive) boards of that workspace, upgrade it, or give these teams another workspace "
                     "(the cohort's `workspace:`, or a cohort file per workspace)")


def _not_reached(cause: TrelloplanError) -> TrelloplanError:
    return type(cause)(f"not reached: the run stopped at an earlier team ({cause.message})", hint=cause.hint)


def apply_cohort(trello: Trello, cohort: Cohort, *, planned: list[TeamPlan] | None = None, workers: int = 8,
                 progress: Callable[[CohortProgress], None] | None = None) -> CohortApplyResult:
    """Make every team's board match its plan and hold its members; record each in its team's state file.

    ``planned`` is :func:`plan_cohort`'s result when the caller has shown it already. Teams go one
    after another (each team's writes go out concurrently, ``workers`` at a time), all through
    ``trello``'s one pacer. A team that fails is recorded and the next one goes on; call
    :meth:`CohortApplyResult.raise_for_failures` to end the run with the failures named.
    """
    started = time.monotonic()
    before = trello.stats.as_dict()
    plans = planned if planned is not None else plan_cohort(trello, cohort)
    total = sum(p.writes for p in plans if p.error is None)
    done = 0
    outcomes: list[TeamOutcome] = []
    stopped: TrelloplanError | None = None
    cohort.state_dir.mkdir(parents=True, exist_ok=True)
    for index, planned_team in enumerate(plans, start=1):
        team = planned_team.team
        outcome = TeamOutcome(team, cohort.state_path(team), error=planned_team.error)
        outcomes.append(outcome)
        if outcome.error is not None:
            continue
        if stopped is not None:
            outcome.error = _not_reached(stopped)
            continue
        base = done

        def on_write(change: Change, count: int, _total: int, team: Team = team, index: int = index, base: int = base) -> None:
            if progress is not None:
                progress(CohortProgress(team, index, len(plans), base + count, max(total, base + count), change))

        team_started = time.monotonic()
        if progress is not None:
            progress(CohortProgress(team, index, len(plans), done, total))
        try:
            _apply_team(trello, planned_team, outcome, workers, on_write)
        except TrelloplanError as error:
            outcome.error = explained(cohort, team, error)
            stopped = error if isinstance(error, RUN_WIDE) else None
            log.info("cohort apply: %s failed: %s", team.name, error.one_line())
        outcome.seconds = time.monotonic() - team_started
        done = base + planned_team.writes
    after = trello.stats.as_dict()
    return CohortApplyResult(outcomes, time.monotonic() - started, {name: after[name] - before[name] for name in after})


def _apply_team(trello: Trello, planned: TeamPlan, outcome: TeamOutcome, workers: int,
                on_write: Callable[[Change, int, int], None]) -> None:
    assert planned.diff is not None
    result = apply_plan(trello, planned.plan, planned.state, workers=workers, progress=on_write,
                        diff=(planned.diff, planned.board))
    outcome.board_id, outcome.board_url = result.board_id, result.board_url
    outcome.created, outcome.writes = planned.new_board, result.writes
    outcome.members_added = planned.members
