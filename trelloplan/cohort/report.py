"""The cohort's weekly report: every team's board pulled (incrementally), its own report built, one overview.

:func:`pull_team` and :func:`team_report` are the one place each where a team's board is pulled
and its report is built, with the same calls ``trelloplan pull`` and ``report`` make for one
board. :func:`report_cohort` runs them for every team under one client (one pacer); a team that
fails gets an ``error`` row and the others go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..board.state import PlanState
from ..client import Trello
from ..errors import ReportError, TeamsFailed, TrelloplanError
from ..history.model import BoardHistory
from ..history.report import as_of_for_week, build_report
from ..history.window import newest_action
from ..history.roles import RoleRules
from ..history.schema import Report
from ..plan.model import Plan
from ..reporting import load_history
from .apply import RUN_WIDE, explained, teams_failed
from .model import Cohort, Team, team_plan
from .overview import Overview, TeamRow, build_overview, failed_row, team_row

__all__ = ["CohortReport", "TeamReport", "pull_team", "report_cohort", "team_report"]

log = logging.getLogger("trelloplan.cohort.report")


def pull_team(trello: Trello, board_id: str, *, store_dir: Path | None = None) -> BoardHistory:
    """The team's board pulled into its history store (one request when nothing is new), and its history.

    The store is the board's own (``trelloplan pull`` uses the same one) unless ``store_dir`` is given.
    """
    store_path = store_dir / f"{board_id}.sqlite" if store_dir is not None else None
    return load_history(board_id=board_id, store_path=store_path, trello=trello)


def team_report(history: BoardHistory, plan: Plan, state: PlanState, *, as_of: datetime, seed: int = 0) -> Report:
    """The team's own weekly report as of ``as_of``: its plan week holding that moment, its lists and week labels known by id."""
    return build_report(history, as_of=as_of, plan=plan, list_roles=RoleRules(applied=state.list_roles()),
                        week_labels=state.week_labels(), seed=seed)


@dataclass
class TeamReport:
    """One team's part of the cohort report: its plan, its own report, or why there is none."""

    team: Team
    plan: Plan
    state: PlanState
    report: Report | None = None
    error: TrelloplanError | None = None
    requests: int = 0

    @property
    def board_id(self) -> str | None:
        return self.state.board_id

    @property
    def board_url(self) -> str | None:
        return self.state.board_url


@dataclass
class CohortReport:
    """The overview and every team's own report, as of one moment."""

    cohort: Cohort
    as_of: datetime
    teams: list[TeamReport]
    overview: Overview
    seconds: float = 0.0
    requests: dict[str, int] = field(default_factory=dict)

    @property
    def failures(self) -> list[TeamReport]:
        return [team for team in self.teams if team.error is not None]

    def with_links(self, links: dict[str, str]) -> CohortReport:
        """The same report whose overview links each team (by key) to where its own report was written."""
        rows = [_row(self.cohort, team, links.get(team.team.key)) for team in self.teams]
        return CohortReport(self.cohort, self.as_of, self.teams, build_overview(self.cohort, self.as_of, rows),
                            self.seconds, self.requests)

    def error(self) -> TeamsFailed | None:
        """The error that names every team without a report (None when every team has one)."""
        failures = {t.team.name: t.error for t in self.teams if t.error is not None}
        return teams_failed(failures, f"{len(failures)} of {len(self.teams)} teams could not be reported on")


def _row(cohort: Cohort, team: TeamReport, link: str | None) -> TeamRow:
    if team.report is None:
        assert team.error is not None
        return failed_row(team.team, team.error, board_id=team.board_id, board_url=team.board_url)
    return team_row(team.team, team.plan, team.report, board_url=team.board_url, link=link)


def report_cohort(trello: Trello, cohort: Cohort, *, as_of: datetime | None = None, week: int | str | None = None,
                  now: datetime | None = None, store_dir: Path | None = None, seed: int = 0,
                  progress: Callable[[Team, int, int], None] | None = None) -> CohortReport:
    """Pull every team's board, then build its report and the overview, all as of one moment.

    That moment is ``as_of``; else the end of the shared plan's ``week`` (or now, if it has not
    ended); else now. "Now" is ``now`` (default: the clock), or the newest action pulled when a
    board's history is newer than that, as ``trelloplan report`` does. ``progress(team, index,
    teams)`` is told before each team is pulled. A team without a board yet, or whose board is
    gone, gets an ``error`` row; Trello refusing the token or its rate limit stops the pulls, and
    the teams not reached get an ``error`` row too.
    """
    if as_of is not None and (as_of.tzinfo is None or as_of.utcoffset() is None):
        raise ValueError("as_of must be timezone-aware")
    started = time.monotonic()
    before = trello.stats.as_dict()
    teams: list[TeamReport] = []
    histories: dict[int, BoardHistory] = {}
    stopped: TrelloplanError | None = None
    for index, team in enumerate(cohort.teams, start=1):
        entry = TeamReport(team, team_plan(cohort, team), PlanState(path=cohort.state_path(team)))
        teams.append(entry)
        if progress is not None:
            progress(team, index, len(cohort.teams))
        if stopped is not None:
            entry.error = type(stopped)(f"not reached: the pulls stopped at an earlier team ({stopped.message})", hint=stopped.hint)
            continue
        sent = trello.stats.requests
        try:
            entry.state = cohort.state(team)
            if entry.state.board_id is None:
                raise ReportError(f"team {team.name!r} has no board yet (no board in {cohort.state_path(team)})",
                                  hint="apply the cohort first: it makes every team's board")
            histories[index] = pull_team(trello, entry.state.board_id, store_dir=store_dir)
        except TrelloplanError as error:
            entry.error = explained(cohort, team, error, entry.state.board_id)
            stopped = error if isinstance(error, RUN_WIDE) else None
            log.info("cohort report: %s failed: %s", team.name, error.one_line())
        entry.requests = trello.stats.requests - sent
    moment = as_of if as_of is not None else _moment(cohort, week, now, histories.values())
    for index, entry in enumerate(teams, start=1):
        if index not in histories:
            continue
        try:
            entry.report = team_report(histories[index], entry.plan, entry.state, as_of=moment, seed=seed)
        except TrelloplanError as error:
            entry.error = explained(cohort, entry.team, error, entry.state.board_id)
            log.info("cohort report: %s failed: %s", entry.team.name, error.one_line())
    after = trello.stats.as_dict()
    rows = [_row(cohort, team, None) for team in teams]
    return CohortReport(cohort, moment, teams, build_overview(cohort, moment, rows), time.monotonic() - started,
                        {name: after[name] - before[name] for name in after})


def _moment(cohort: Cohort, week: int | str | None, now: datetime | None,
            histories: Iterable[BoardHistory]) -> datetime:
    """Now (or the newest action, when a history is newer than the clock), or the end of ``week`` when it came already."""
    current = now or datetime.now(timezone.utc)
    newest = [found for found in (newest_action(history) for history in histories) if found is not None]
    current = max([current, *newest])
    if week is None:
        return current
    return min(as_of_for_week(week, plan=cohort.plan), current)
