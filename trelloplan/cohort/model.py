"""A cohort: one shared plan, a board per team, as frozen values.

A :class:`Cohort` is what a validated cohort file means (:mod:`.cohortfile` builds it).
:func:`team_plan` is the one place that turns a (cohort, team) into the plan of that team's
board: the shared plan with the team's own tasks, the team's start, the board's name and
the team's members.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType

from ..board.state import PlanState
from ..errors import PlanProblem
from ..plan.model import Plan, week_dates

__all__ = ["DEFAULT_BOARD_NAME", "Cohort", "Team", "board_name", "team_key", "team_plan", "with_members"]

#: The board name of a team unless the cohort file says otherwise.
DEFAULT_BOARD_NAME = "{project} — {team}"


def team_key(name: str) -> str:
    """A team's default key (its state file's name): ``Team Ada`` → ``team-ada``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].rstrip("-")
    return slug or "team"


@dataclass(frozen=True)
class Team:
    """One team of a cohort: its board gets the team's name, members and, optionally, its own start and tasks."""

    name: str
    key: str
    members: tuple[str, ...] = ()  # Trello usernames
    member_lines: Mapping[str, str] = field(default_factory=dict, compare=False)  # username → where the cohort file has it
    email: tuple[str, ...] = ()  # where the team's own weekly report goes
    start: date | None = None  # overrides the plan's start (a team that begins late)
    tasks_path: Path | None = None  # the team's own tasks, added to the shared plan's weeks


@dataclass(frozen=True)
class Cohort:
    """A validated cohort file: the shared plan, the teams, where their state files live, who gets the overview."""

    source: Path | None
    plan: Plan
    teams: tuple[Team, ...]
    state_dir: Path
    name: str | None = None
    workspace: str | None = None
    board_name: str = DEFAULT_BOARD_NAME
    report_to: tuple[str, ...] = ()
    team_plans: Mapping[str, Plan] = field(default_factory=lambda: MappingProxyType({}))  # by team key: the plan with a team's own tasks
    warnings: tuple[PlanProblem, ...] = field(default=(), compare=False)

    @property
    def title(self) -> str:
        """The overview's title: the cohort's name, else the shared plan's project."""
        return self.name or self.plan.project

    def team(self, name_or_key: str) -> Team:
        for team in self.teams:
            if name_or_key in (team.name, team.key):
                return team
        raise KeyError(name_or_key)

    def state_path(self, team: Team) -> Path:
        """The team's own state file (what apply knows of its board)."""
        return self.state_dir / f"{team.key}.state.json"

    def state(self, team: Team) -> PlanState:
        return PlanState.load(self.state_path(team))

    def stray_states(self) -> list[Path]:
        """State files in the state folder that belong to no team of the cohort (a team renamed, or removed)."""
        keys = {f"{team.key}.state.json" for team in self.teams}
        if not self.state_dir.is_dir():
            return []
        return sorted(path for path in self.state_dir.glob("*.state.json") if path.name not in keys)


def board_name(template: str, *, project: str, team: str) -> str:
    """The board name from the cohort's ``board_name`` (placeholders ``{project}`` and ``{team}``)."""
    return template.format(project=project, team=team).strip()


def with_members(plan: Plan, usernames: tuple[str, ...], lines: Mapping[str, str] | None = None) -> Plan:
    """The plan of a board that ``usernames`` (written at ``lines``) belong to, besides the plan's own
    ``members:`` (apply adds them to the board, and checks every username before any write)."""
    return replace(plan, members=tuple(dict.fromkeys((*plan.members, *usernames))),
                   member_lines={**(lines or {}), **plan.member_lines})


def _starting(plan: Plan, start: date) -> Plan:
    """The plan moved to begin on ``start``: every week's dates and due moment follow."""
    weeks = []
    for week in plan.weeks:
        first, last, due = week_dates(start, week.number, plan.workdays, plan.due_time, plan.tzinfo)
        weeks.append(replace(week, start=first, end=last, due=due))
    return replace(plan, start=start, weeks=tuple(weeks))


def team_plan(cohort: Cohort, team: Team) -> Plan:
    """The plan of ``team``'s board: the shared plan with the team's own tasks, from its own start, named for the team."""
    plan = cohort.team_plans.get(team.key, cohort.plan)
    if team.start is not None and team.start != plan.start:
        plan = _starting(plan, team.start)
    named = replace(plan, project=board_name(cohort.board_name, project=plan.project, team=team.name),
                    workspace=cohort.workspace or plan.workspace)
    return with_members(named, team.members, team.member_lines)
