"""Cohort files: YAML in, a :class:`~trelloplan.cohort.model.Cohort` out, or every problem at once.

Read like plans (:func:`trelloplan.plan.planfile.read_located_yaml`): every problem points at
its ``file:line:column``, in the cohort file or in a plan it names, and none stops the others
from being found. The format is documented in docs/cohort.md.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import CohortFileError, EmailError, PlanProblem
from ..plan.model import Plan
from ..plan.planfile import Checker, FileKind, describe_value, read_located_yaml, read_start, validate_added_tasks, validate_plan
from ..render.email import validate_address
from .model import DEFAULT_BOARD_NAME, Cohort, Team, team_key

__all__ = ["COHORT_KEYS", "TEAM_KEYS", "CohortValidation", "load_cohort", "validate_cohort"]

COHORT_KEYS = ("name", "plan", "workspace", "board_name", "state", "teams", "report_to")
TEAM_KEYS = ("name", "key", "members", "email", "start", "plan")
PLACEHOLDERS = ("project", "team")
COHORT_FILE = FileKind(
    noun="cohort",
    empty_hint="start from the example in docs/cohort.md: `plan:` and a list of `teams:`",
    size_hint="check that this is the right file; a cohort of 30 teams is a few kilobytes",
    missing_hint="check the path of the cohort file (docs/cohort.md has an example)",
)
_USERNAME = re.compile(r"^[a-z0-9_]{1,100}$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")

Path_ = tuple[str | int, ...]


@dataclass
class CohortValidation:
    """What :func:`validate_cohort` found: the cohort (when valid), errors and warnings."""

    file: str
    cohort: Cohort | None
    errors: list[PlanProblem] = field(default_factory=list)
    warnings: list[PlanProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_cohort(path: str | Path) -> CohortValidation:
    """Validate the cohort file at ``path`` and the plans it names; never raises for bad input."""
    file = str(path)
    checker, value, problems = read_located_yaml(path, COHORT_FILE)
    if checker is None:
        return CohortValidation(file, None, problems)
    reader = _Reader(checker, Path(path))
    cohort = reader.cohort(value)
    errors = sorted(checker.errors, key=lambda p: (p.file != file, p.file, p.line, p.column)) + reader.plan_errors
    warnings = sorted(checker.warnings, key=lambda p: (p.line, p.column)) + reader.plan_warnings
    if errors or cohort is None:
        return CohortValidation(file, None, errors, warnings)
    return CohortValidation(file, cohort, [], warnings)


def load_cohort(path: str | Path) -> Cohort:
    """Load and validate the cohort file at ``path`` and the plans it names.

    :raises CohortFileError: listing every problem, each with ``file:line:column``.
    """
    result = validate_cohort(path)
    if result.cohort is None:
        raise CohortFileError(result.errors, warnings=result.warnings)
    return result.cohort


class _Reader:
    """Builds the Cohort from the plain values, recording every problem on the checker."""

    def __init__(self, checker: Checker, path: Path) -> None:
        self.c = checker
        self.path = path
        self.folder = path.parent
        self.stem = path.stem
        self.plans: dict[Path, Plan | None] = {}
        self.shared: Plan | None = None
        self.plan_errors: list[PlanProblem] = []
        self.plan_warnings: list[PlanProblem] = []

    def cohort(self, value: Any) -> Cohort | None:
        c = self.c
        top = c.mapping(value, (), "the cohort", COHORT_KEYS)
        if top is None:
            return None
        raw_plan = c.required(top, "plan", (), "plan.yaml  (the plan every team's board is made from)")
        plan = self.shared = self.plan(raw_plan, ("plan",)) if raw_plan is not None else None
        name = self.text(top["name"], ("name",), "name") if top.get("name") is not None else None
        workspace = self.text(top["workspace"], ("workspace",), "workspace") if top.get("workspace") is not None else None
        template = self.board_name(top.get("board_name", DEFAULT_BOARD_NAME))
        state_text = self.text(top["state"], ("state",), "state") if top.get("state") is not None else None
        state_dir = self.folder / (state_text or f"{self.stem}.state")
        report_to = self.addresses(top.get("report_to"), ("report_to",), "report_to")
        teams, team_plans = self.teams(c.required(top, "teams", (), "[{name: Team Ada, members: [ada, grace]}]"))
        if c.errors or self.plan_errors or plan is None or teams is None or template is None:
            return None
        return Cohort(source=self.path, plan=plan, teams=tuple(teams),
                      state_dir=state_dir, name=name, workspace=workspace, board_name=template, report_to=report_to,
                      team_plans=team_plans, warnings=tuple(self.c.warnings + self.plan_warnings))

    # -- values -------------------------------------------------------------------------------

    def text(self, value: Any, path: Path_, what: str) -> str | None:
        """Text, also when YAML read an unquoted value as something else (``name: yes``, ``name: 010``)."""
        written = self.c.tree.plain.get(path)
        if written is not None and not isinstance(value, str) and value is not None:
            if isinstance(value, bool) or str(value) != written:
                where = f"{path[-1]}: " if isinstance(path[-1], str) else "- "
                self.c.error(path, f"YAML reads the unquoted `{written}` as {describe_value(value)}, not as text",
                             f'put it in quotes: `{where}"{written}"`')
                return None
            value = written
        return self.c.text(value, path, what)

    def items(self, value: Any, path: Path_, what: str) -> list[tuple[Path_, Any]]:
        """A list's items with their paths; one value alone counts as a list of one."""
        if value is None:
            return []
        if isinstance(value, list):
            return [(path + (i,), item) for i, item in enumerate(value)]
        if isinstance(value, dict):
            self.c.error(path, f"{what} must be a list, got {describe_value(value)}", f"write `{what}: [a, b]` or one `- ` item per line")
            return []
        return [(path, value)]

    def addresses(self, value: Any, path: Path_, what: str) -> tuple[str, ...]:
        found: list[str] = []
        for where, item in self.items(value, path, what):
            text = self.text(item, where, "an email address")
            if text is None:
                continue
            try:
                found.append(validate_address(text))
            except EmailError as error:
                self.c.error(where, error.message, "write one address per item, like ada@example.edu")
        return tuple(found)

    def usernames(self, value: Any, path: Path_, lines: dict[str, str]) -> tuple[str, ...]:
        found: list[str] = []
        for where, item in self.items(value, path, "members"):
            text = self.text(item, where, "a Trello username")
            if text is None:
                continue
            username = text.lstrip("@").lower()
            if not _USERNAME.match(username):
                self.c.error(where, f"`{text[:60]}` is not a Trello username",
                             "write the username from the person's Trello profile (trello.com/USERNAME): "
                             "lowercase letters, digits and _")
            elif username in found:
                self.c.warn(where, f"member `{username}` is listed twice", "list each member once")
            else:
                found.append(username)
                lines[username] = self.c.where(where)
        return tuple(found)

    def start(self, value: Any, path: Path_) -> date | None:
        return read_start(self.c, value, path, "write the team's first day of week 1 as YYYY-MM-DD, e.g. `start: 2027-01-11`")

    def board_name(self, value: Any) -> str | None:
        path: Path_ = ("board_name",)
        text = self.text(value, path, "board_name")
        if text is None:
            return None
        hint = "use {project} and {team}, e.g. `board_name: \"{project} — {team}\"`; write {{ or }} for a brace"
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
        except ValueError:
            self.c.error(path, "board_name has an unmatched `{` or `}`", hint)
            return None
        unknown = [name for name in names if name not in PLACEHOLDERS]
        if unknown:
            self.c.error(path, f"board_name has an unknown placeholder `{{{unknown[0]}}}`", hint)
            return None
        if "team" not in names:
            self.c.error(path, "board_name has no {team}, so every team's board would have the same name", hint)
            return None
        try:
            text.format(project="p", team="t")
        except (ValueError, IndexError, KeyError):
            self.c.error(path, "board_name is not a valid name template", hint)
            return None
        return text

    # -- plans --------------------------------------------------------------------------------

    def file(self, value: Any, path: Path_, what: str) -> Path | None:
        """The file named by ``value``, relative to the cohort file's folder; None (and an error) when there is none."""
        text = self.text(value, path, f"the {what}'s path")
        if text is None:
            return None
        target = self.folder / text if not Path(text).is_absolute() else Path(text)
        if not target.is_file():
            found = "a folder, not a file" if target.is_dir() else "no such file"
            self.c.error(path, f"the {what} `{text}`: {found}", f"give the {what}'s path relative to the cohort file's folder")
            return None
        return target

    def plan(self, value: Any, path: Path_) -> Plan | None:
        """The plan file ``value`` (relative to the cohort file), validated; its problems are the cohort's."""
        target = self.file(value, path, "plan")
        if target is None:
            return None
        known = target.resolve()
        if known in self.plans:
            return self.plans[known]
        result = validate_plan(target)
        self.plan_errors += result.errors
        self.plan_warnings += [w for w in result.warnings if w not in self.plan_warnings]
        self.plans[known] = result.plan
        return result.plan

    def added_tasks(self, value: Any, path: Path_) -> tuple[Path, Plan] | None:
        """The shared plan with a team's own tasks (the file ``value``) added; its problems are the cohort's."""
        target = self.file(value, path, "tasks file")
        if target is None or self.shared is None:
            return None
        result = validate_added_tasks(target, self.shared)
        self.plan_errors += result.errors
        self.plan_warnings += [w for w in result.warnings if w not in self.plan_warnings]
        return (target, result.plan) if result.plan is not None else None

    # -- teams --------------------------------------------------------------------------------

    def teams(self, value: Any) -> tuple[list[Team] | None, dict[str, Plan]]:
        c = self.c
        if value is None:
            return None, {}
        if not isinstance(value, list) or not value:
            c.error(("teams",), f"teams must be a non-empty list, got {describe_value(value)}",
                    "write each team as a `- name: Team Ada` item")
            return None, {}
        teams: list[Team] = []
        plans: dict[str, Plan] = {}
        names: dict[str, int] = {}
        keys: dict[str, int] = {}
        for index, item in enumerate(value):
            path: Path_ = ("teams", index)
            team, plan = self.team(item, path)
            if team is None:
                continue
            folded = team.name.casefold()
            if folded in names:
                c.error(path + ("name",) if isinstance(item, dict) else path,
                        f"team `{team.name}` appears twice (also teams[{names[folded]}])", "give every team its own name")
                continue
            if team.key in keys:
                c.error(path, f"team `{team.name}` would share the state file {team.key}.state.json with item {keys[team.key] + 1}",
                        "give one of the two teams its own `key:`")
                continue
            names[folded], keys[team.key] = index, index
            teams.append(team)
            if plan is not None:
                plans[team.key] = plan
        return teams, plans

    def team(self, item: Any, path: Path_) -> tuple[Team | None, Plan | None]:
        c = self.c
        if not isinstance(item, dict):
            name = self.text(item, path, "the team's name")
            return (Team(name=name, key=team_key(name)) if name else None), None
        mapping = c.mapping(item, path, "a team", TEAM_KEYS)
        if mapping is None:
            return None, None
        raw_name = c.required(mapping, "name", path, "Team Ada")
        name = self.text(raw_name, path + ("name",), "the team's name") if raw_name is not None else None
        key = self.key(mapping["key"], path + ("key",)) if "key" in mapping else (team_key(name) if name else None)
        member_lines: dict[str, str] = {}
        members = self.usernames(mapping.get("members"), path + ("members",), member_lines)
        email = self.addresses(mapping.get("email"), path + ("email",), "email")
        start = self.start(mapping["start"], path + ("start",)) if mapping.get("start") is not None else None
        own = self.added_tasks(mapping["plan"], path + ("plan",)) if mapping.get("plan") is not None else None
        if name is None or key is None or (own is None and mapping.get("plan") is not None):
            return None, None
        return Team(name=name, key=key, members=members, member_lines=member_lines, email=email, start=start,
                    tasks_path=own[0] if own else None), (own[1] if own else None)

    def key(self, value: Any, path: Path_) -> str | None:
        text = self.text(value, path, "the team's key")
        if text is None:
            return None
        if not _KEY.match(text):
            self.c.error(path, f"key `{text[:60]}` is not a valid team key",
                         "use lowercase letters, digits, `.`, `_` and `-` (up to 60), e.g. `key: ada`; it names the team's state file")
            return None
        return text
