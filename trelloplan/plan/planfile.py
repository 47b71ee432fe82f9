"""Plan files: YAML in, a :class:`~trelloplan.plan.Plan` out, or every problem at once.

The loader keeps the ``line:column`` of every YAML node so that each problem
points at the exact spot in the file, the way a compiler does. It never stops
at the first problem: a plan with five mistakes reports five lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
import math
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ..dates import EARLIEST, LATEST, in_range
from ..errors import PlanError, PlanProblem
from .model import (
    LABEL_COLORS,
    ListNames,
    Plan,
    Task,
    Week,
    default_demo_color,
    demo_key,
    derive_key,
    week_color,
    week_dates,
    week_key,
)

__all__ = [
    "MAX_PLAN_BYTES", "MAX_TEXT", "Checker", "FileKind", "ValidationResult", "describe_value", "load_plan", "load_plan_text",
    "read_located_yaml", "read_start", "validate_added_tasks", "validate_plan",
]

MAX_PLAN_BYTES = 1_000_000
MAX_TEXT = 16_384  # Trello's limit for names and descriptions
MAX_CHECKLIST_ITEMS = 200  # Trello's checkItems.perChecklist
_MAX_NODES = 200_000  # guards against alias bombs that expand a small file into a huge tree
_MAX_WEEKS = 1_000  # a start date leaves room for this many weeks before the end of the dates handled
LATEST_START = LATEST.date() - timedelta(days=7 * _MAX_WEEKS)

TOP_KEYS = (
    "project", "start", "timezone", "hours_per_task", "lists", "workdays", "due_time",
    "demo_label", "demo_label_color", "workspace", "weeks", "members",
)
LIST_KEYS = ("todo", "in_progress", "done")
WEEK_KEYS = ("week", "milestone", "demo", "tasks", "label_color")
TASK_KEYS = ("name", "hours", "desc", "checklist", "key", "members")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEMO_HOURS = 1.0
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_USERNAME_RE = re.compile(r"^[a-z0-9_]{1,100}$")  # Trello usernames: lower-case letters, digits and _

Path_ = tuple[str | int, ...]


def _path_text(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass
class ValidationResult:
    """What :func:`validate_plan` found: the plan (when valid), errors and warnings."""

    file: str
    plan: Plan | None
    errors: list[PlanProblem] = field(default_factory=list)
    warnings: list[PlanProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Tree:
    """YAML converted to plain Python, with the position of every node and key."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.value_marks: dict[Path_, tuple[int, int]] = {}
        self.key_marks: dict[Path_, tuple[int, int]] = {}
        self.duplicates: list[tuple[Path_, tuple[int, int]]] = []
        self.plain: dict[Path_, str] = {}  # unquoted scalars YAML 1.1 read as something else than text
        self._nodes = 0
        self._constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node, path: Path_) -> Any:
        self._nodes += 1
        if self._nodes > _MAX_NODES:
            raise _TooBig()
        self.value_marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)[:40]
                key = key if isinstance(key, (str, int)) else str(key)
                child = path + (key,)
                mark = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if key in result:
                    self.duplicates.append((child, mark))
                self.key_marks[child] = mark
                result[key] = self.convert(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode) and not node.style and node.tag != "tag:yaml.org,2002:str":
            self.plain[path] = str(node.value)
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError):
            # e.g. 2026-02-30 resolves as a timestamp but is no date; keep the text for the validator
            return node.value


class _TooBig(Exception):
    pass


class _Checker:
    """Collects every problem of one plan file while building the Plan."""

    def __init__(self, tree: _Tree) -> None:
        self.tree = tree
        self.errors: list[PlanProblem] = []
        self.warnings: list[PlanProblem] = []

    def _where(self, path: Path_, key: bool) -> tuple[int, int]:
        marks = self.tree.key_marks if key else self.tree.value_marks
        probe = path
        while probe:
            if probe in marks:
                return marks[probe]
            if probe in self.tree.value_marks:
                return self.tree.value_marks[probe]
            probe = probe[:-1]
        return self.tree.value_marks.get((), (1, 1))

    def error(self, path: Path_, message: str, hint: str, *, at_key: bool = False) -> None:
        line, column = self._where(path, at_key)
        self.errors.append(PlanProblem(self.tree.file, line, column, _path_text(path), message, hint))

    def where(self, path: Path_) -> str:
        """``file:line:column`` of the value at ``path``."""
        line, column = self._where(path, False)
        return f"{self.tree.file}:{line}:{column}"

    def warn(self, path: Path_, message: str, hint: str) -> None:
        line, column = self._where(path, False)
        self.warnings.append(PlanProblem(self.tree.file, line, column, _path_text(path), message, hint, "warning"))

    # -- field checkers; each returns a usable value or None after recording the problem

    def mapping(self, value: Any, path: Path_, what: str, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"{what} must be a mapping (key: value lines), got {_kind(value)}",
                       f"write {what} as `key: value` lines; known keys: {', '.join(allowed)}")
            return None
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f"did you mean `{close[0]}`?" if close else f"known keys here: {', '.join(allowed)}"
                self.error(path + (key,), f"unknown key `{key}`", hint, at_key=True)
        return value

    def required(self, mapping: dict[str, Any], key: str, path: Path_, example: str) -> Any:
        if key not in mapping or mapping[key] is None:
            self.error(path, f"missing required key `{key}`", f"add `{key}: {example}`")
            return None
        return mapping[key]

    def text(self, value: Any, path: Path_, what: str, *, allow_empty: bool = False) -> str | None:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            self.error(path, f"{what} must be text, got {_kind(value)}", f"write {what} as plain text, quoted if it has a colon")
            return None
        text = str(value).strip() if not isinstance(value, str) else value.strip()
        if not text and not allow_empty:
            self.error(path, f"{what} is empty", f"give {what} a short, descriptive text")
            return None
        if len(text) > MAX_TEXT:
            self.error(path, f"{what} is {len(text):,} characters long; Trello accepts at most {MAX_TEXT:,}",
                       "shorten it, or move the detail into the task's `desc` or checklist")
            return None
        return text

    def hours(self, value: Any, path: Path_) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or isinstance(value, float) and not math.isfinite(value):
            self.error(path, f"hours must be a number, got {_kind(value)}", "write the estimate in hours, e.g. `hours: 4`")
            return None
        if value <= 0:
            self.error(path, f"hours must be positive, got {value}", "estimate the task in hours, e.g. `hours: 4`")
            return None
        return float(value)

    def color(self, value: Any, path: Path_) -> tuple[bool, str | None]:
        if value is None or (isinstance(value, str) and value.lower() in ("none", "null")):
            return True, None
        if isinstance(value, str) and value in LABEL_COLORS:
            return True, value
        close = difflib.get_close_matches(str(value), sorted(LABEL_COLORS), n=1, cutoff=0.6)
        suggestion = f"did you mean `{close[0]}`? " if close else ""
        self.error(path, f"`{value}` is not a Trello label colour",
                   f"{suggestion}use one of green, yellow, orange, red, purple, blue, sky, lime, pink, black "
                   "(or their _light/_dark variants), or null for no colour")
        return False, None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a true/false value ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, (date, datetime)):
        return f"the date {value}"
    text = str(value)
    return f"the text {text[:40]!r}" + ("…" if len(text) > 40 else "")


@dataclass(frozen=True)
class FileKind:
    """How file-level problems name the file: a plan, or another YAML file read the same way (a cohort)."""

    noun: str = "plan"
    empty_hint: str = "start from a template: `trelloplan init plan.yaml`"
    size_hint: str = "check that this is the right file; a 12-week plan is a few kilobytes"
    missing_hint: str = "check the path, or create a plan with `trelloplan init`"


PLAN_FILE = FileKind()


def _decode(data: bytes, file: str, kind: FileKind = PLAN_FILE) -> tuple[str | None, PlanProblem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, PlanProblem(file, line, column, "", f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                                 f"save the {kind.noun} as UTF-8 in your editor")


def _parse(text: str, file: str, kind: FileKind = PLAN_FILE) -> tuple[_Tree | None, Any, PlanProblem | None]:
    noun = kind.noun
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        return None, None, PlanProblem(file, line, column, "", f"YAML syntax error: {what}",
                                       "check the indentation and quoting around this spot")
    except yaml.YAMLError as exc:
        return None, None, PlanProblem(file, 1, 1, "", f"YAML error: {' '.join(str(exc).split())}", f"check the file is a YAML {noun}")
    except RecursionError:
        return None, None, PlanProblem(file, 1, 1, "", "the YAML is nested too deeply", f"a {noun} needs only a few levels of nesting")
    if node is None:
        return None, None, PlanProblem(file, 1, 1, "", f"the {noun} file is empty", kind.empty_hint)
    tree = _Tree(file)
    try:
        value = tree.convert(node, ())
    except (_TooBig, RecursionError):
        return None, None, PlanProblem(file, 1, 1, "", f"the {noun} expands to too many values (anchors or nesting)",
                                       f"write the {noun} without deep YAML anchors; a {noun} has a few hundred values")
    return tree, value, None


def _too_big(file: str, size: int, kind: FileKind = PLAN_FILE) -> PlanProblem:
    return PlanProblem(file, 1, 1, "", f"the {kind.noun} file is {size / 1e6:.1f} MB; {kind.noun}s are at most {MAX_PLAN_BYTES / 1e6:.0f} MB",
                       kind.size_hint)


def _located(text: str | bytes, file: str, kind: FileKind) -> tuple[_Checker | None, Any, list[PlanProblem]]:
    """The YAML ``text`` as plain values and a checker that knows where each one is (duplicate keys already
    reported), or the problems that stop it being read at all."""
    if len(text) > MAX_PLAN_BYTES:
        return None, None, [_too_big(file, len(text), kind)]
    if isinstance(text, bytes):
        decoded, problem = _decode(text, file, kind)
        if problem:
            return None, None, [problem]
        text = decoded or ""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, None, [PlanProblem(file, line, 1, "", f"the file contains NUL characters; it is not a text {kind.noun}",
                                        "check that this is the right file")]
    tree, value, problem = _parse(text, file, kind)
    if problem or tree is None:
        return None, None, [problem] if problem else []
    checker = _Checker(tree)
    for path, mark in tree.duplicates:
        tree.key_marks[path] = mark
        checker.error(path, f"key `{path[-1]}` appears twice here", "keep one of them; YAML would silently use the last", at_key=True)
    _check_characters(checker, value, ())
    return checker, value, []


def _read(path: str | Path, kind: FileKind) -> tuple[bytes | None, list[PlanProblem]]:
    file = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_PLAN_BYTES + 1)
            if len(data) > MAX_PLAN_BYTES:
                return None, [_too_big(file, os.fstat(handle.fileno()).st_size, kind)]
    except FileNotFoundError:
        return None, [PlanProblem(file, 1, 1, "", "no such file", kind.missing_hint)]
    except IsADirectoryError:
        return None, [PlanProblem(file, 1, 1, "", f"this is a directory, not a {kind.noun} file",
                                  f"give the path of a .yaml {kind.noun} file")]
    except OSError as exc:
        return None, [PlanProblem(file, 1, 1, "", f"cannot read the file: {exc.strerror}", "check the path and its permissions")]
    return data, []


def read_located_yaml(path: str | Path, kind: FileKind) -> tuple[Checker | None, Any, list[PlanProblem]]:
    """Read a YAML file the way plans are read, for files that are not plans (a cohort file).

    Returns a :class:`Checker` (every problem located ``file:line:column``; duplicate keys
    already reported) and the plain values, or ``(None, None, problems)`` when the file cannot
    be read as YAML at all.
    """
    data, problems = _read(path, kind)
    if data is None:
        return None, None, problems
    return _located(data, str(path), kind)


def validate_plan_text(text: str | bytes, file: str = "<plan>") -> ValidationResult:
    """Validate plan ``text``; never raises for bad input, reports every problem instead."""
    checker, value, problems = _located(text, file, PLAN_FILE)
    if checker is None:
        return ValidationResult(file, None, problems)
    surprises = _yaml11_surprises(checker, checker.tree, value)
    plan = _build(checker, value)
    _drop_echoes(checker, surprises)
    if checker.errors:
        return ValidationResult(file, None, checker.errors, checker.warnings)
    return ValidationResult(file, plan, [], checker.warnings)


def validate_plan(path: str | Path) -> ValidationResult:
    """Validate the plan file at ``path``; unreadable files are reported as problems too."""
    file = str(path)
    data, problems = _read(path, PLAN_FILE)
    if data is None:
        return ValidationResult(file, None, problems)
    result = validate_plan_text(data, file)
    if result.plan is not None:
        result.plan = replace(result.plan, source=file)
    return result


def load_plan(path: str | Path) -> Plan:
    """Load and validate the plan at ``path``.

    :raises PlanError: listing every problem, each with ``file:line:column``.
    """
    result = validate_plan(path)
    if result.plan is None:
        raise PlanError(result.errors, warnings=result.warnings)
    return result.plan


def load_plan_text(text: str | bytes, file: str = "<plan>") -> Plan:
    """Load and validate a plan from text (the file name is used in messages only)."""
    result = validate_plan_text(text, file)
    if result.plan is None:
        raise PlanError(result.errors, warnings=result.warnings)
    return result.plan


TASKS_FILE = FileKind(
    noun="tasks",
    empty_hint="list the team's own tasks under `weeks:`, e.g. `weeks: [{week: 3, tasks: [Port the model]}]`",
    size_hint="check that this is the right file; a team's own tasks are a few lines",
    missing_hint="check the path of the team's tasks file (relative to the cohort file's folder)",
)
ADDED_WEEK_KEYS = ("week", "tasks")


def validate_added_tasks(path: str | Path, plan: Plan) -> ValidationResult:
    """``plan`` with the tasks of the file at ``path`` added to its weeks (a cohort team's own tasks).

    The file holds ``weeks:``, each ``{week: N, tasks: [...]}`` for a week of ``plan``, the tasks
    written as in a plan. The plan's own tasks keep their keys (the same cards on every board); an
    added task whose name's slug the plan already uses gets the week-qualified key. Never raises
    for bad input: every problem is located in that file.
    """
    file = str(path)
    data, problems = _read(path, TASKS_FILE)
    if data is None:
        return ValidationResult(file, None, problems)
    c, value, problems = _located(data, file, TASKS_FILE)
    if c is None:
        return ValidationResult(file, None, problems)
    surprises = _yaml11_surprises(c, c.tree, value)
    added = _added_tasks(c, value, plan, file)
    _drop_echoes(c, surprises)
    c.errors.sort(key=lambda p: (p.line, p.column))
    c.warnings.sort(key=lambda p: (p.line, p.column))
    if c.errors or added is None:
        return ValidationResult(file, None, c.errors, c.warnings)
    weeks = tuple(replace(week, tasks=week.tasks + tuple(added.get(week.number, ()))) for week in plan.weeks)
    return ValidationResult(file, replace(plan, weeks=weeks), [], c.warnings)


def _added_tasks(c: _Checker, value: Any, plan: Plan, file: str) -> dict[int, list[Task]] | None:
    if isinstance(value, dict) and "project" in value:
        c.error(("project",), "this is a whole plan, not a team's own tasks",
                "keep only `weeks:`, each with its `week:` number and the team's own `tasks:` (docs/cohort.md)", at_key=True)
        return None
    top = c.mapping(value, (), "the team's tasks", ("weeks",))
    if top is None:
        return None
    items = c.required(top, "weeks", (), "[{week: 3, tasks: [Port the model to the lab's cluster]}]")
    if items is None:
        return None
    if not isinstance(items, list):
        c.error(("weeks",), f"weeks must be a list, got {_kind(items)}", "write each week as a `- week: N` item with its `tasks:`")
        return None
    planned = {task.key: task for task in plan.tasks()}
    slugs = {task.slug for task in plan.tasks() if task.slug} | set(planned)
    keys: dict[str, Path_] = {}
    derived: list[tuple[Task, Path_]] = []
    added: dict[int, list[Task]] = {}
    for index, path, mapping, number in _week_items(c, items, ADDED_WEEK_KEYS):
        if number is not None and not 1 <= number <= len(plan.weeks):
            c.error(path + ("week",), f"week {number} is not a week of the plan (it has weeks 1–{len(plan.weeks)})",
                    "add tasks to the plan's weeks; a team cannot add a week")
            continue
        tasks = _tasks(c, mapping, path, number or index + 1, plan.hours_per_task, keys, derived)
        if number is not None:
            added.setdefault(number, []).extend(tasks)
    for key, where in keys.items():
        if key in planned:
            c.error(where, f"task key `{key}` is already the plan's task {planned[key].name!r}",
                    "give the team's task another `key:`; the plan's tasks are every team's")
    assigned: dict[int, str] = {}
    counts: dict[str, int] = {}
    for task, _ in derived:
        counts[task.slug or ""] = counts.get(task.slug or "", 0) + 1
    for task, where in derived:
        slug = task.slug or derive_key(task.name)
        key = slug if counts[slug] == 1 and slug not in keys and slug not in slugs else week_key(task.week, task.name)
        if key in keys or key in planned:
            c.error(where, f"task key `{key}` is used twice (also {_path_text(keys[key]) if key in keys else 'in the plan'})",
                    "give one of the tasks a different name or an explicit `key:`")
            continue
        keys[key] = where
        assigned[id(task)] = key
    return {number: [replace(task, key=assigned.get(id(task), task.key), file=file) for task in tasks]
            for number, tasks in added.items()}


def _check_characters(c: _Checker, value: Any, path: Path_) -> None:
    """Every text of the plan is free of control and bidi-override characters (a description may hold line breaks).

    Names end up in terminals, spreadsheets and email subjects; a line break or
    an escape sequence in one would break or forge them (:mod:`trelloplan.render.safe`).
    """
    from ..render.safe import unsafe_character

    if isinstance(value, dict):
        for key, item in value.items():
            _check_characters(c, item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_characters(c, item, path + (index,))
    elif isinstance(value, str):
        in_desc = "desc" in path
        found = unsafe_character(value, allow="\n\t" if in_desc else "")
        if found:
            c.error(path, f"the text contains the control character {found}",
                    "remove it: names are one line of plain text (only a `desc` may have line breaks and tabs)")


# -- building the Plan ---------------------------------------------------------------------------


def _build(c: _Checker, value: Any) -> Plan | None:
    top = c.mapping(value, (), "the plan", TOP_KEYS)
    if top is None:
        return None
    project = c.required(top, "project", (), "My Project")
    project = c.text(project, ("project",), "project") if project is not None else None
    start = _start(c, top)
    tz_name = _timezone(c, top)
    hours_per_task = 4.0
    if "hours_per_task" in top:
        hours_per_task = c.hours(top["hours_per_task"], ("hours_per_task",)) or 4.0
    lists = _lists(c, top)
    workdays = _workdays(c, top)
    due_time = _due_time(c, top)
    demo_label = "Demo"
    if "demo_label" in top:
        demo_label = c.text(top["demo_label"], ("demo_label",), "demo_label") or "Demo"
    demo_color: str | None = None
    if "demo_label_color" in top:
        _, demo_color = c.color(top["demo_label_color"], ("demo_label_color",))
    workspace = c.text(top["workspace"], ("workspace",), "workspace") if top.get("workspace") is not None else None
    weeks_value = c.required(top, "weeks", (), "[...]  (see docs/plan-format.md)")
    if weeks_value is not None and not isinstance(weeks_value, list):
        c.error(("weeks",), f"weeks must be a list, got {_kind(weeks_value)}", "write each week as a `- week: N` item")
        weeks_value = None
    tz = ZoneInfo(tz_name) if tz_name else None
    weeks = _weeks(c, weeks_value or [], start, tz, hours_per_task, workdays, due_time)
    if "demo_label_color" not in top:
        demo_color = default_demo_color(week.label_color for week in weeks)
    member_lines: dict[str, str] = {}
    members = _members(c, top["members"], ("members",), member_lines) if "members" in top else ()
    if weeks_value is not None and len(weeks) == len(weeks_value):  # every week read: the count is known, errors or not
        count = len(weeks)
        if count == 0:
            c.error(("weeks",), "the plan has no weeks", "add weeks 1..N, each with a milestone, a demo and tasks")
        elif count < 10 or count > 12:
            c.warn(("weeks",), f"the plan has {count} week{'s' if count != 1 else ''}; the method plans 10 to 12",
                   "split or merge milestones so the project spans 10–12 weeks" if count < 10 else "trim the scope to at most 12 weeks")
    c.errors.sort(key=lambda p: (p.line, p.column))
    c.warnings.sort(key=lambda p: (p.line, p.column))
    if c.errors or project is None or start is None or tz_name is None:
        return None
    return Plan(
        project=project, start=start, timezone=tz_name, hours_per_task=hours_per_task, lists=lists,
        weeks=tuple(weeks), demo_label=demo_label, demo_label_color=demo_color, workdays=workdays,
        due_time=due_time, workspace=workspace, warnings=tuple(c.warnings), members=members or (),
        member_lines=member_lines,
    )


def _start(c: _Checker, top: dict[str, Any]) -> date | None:
    value = c.required(top, "start", (), "2026-01-05  (the first day of week 1)")
    if value is None:
        return None
    return read_start(c, value, ("start",), "write the first day of week 1 as YYYY-MM-DD, e.g. `start: 2026-01-05`")


def read_start(c: _Checker, value: Any, path: Path_, hint: str) -> date | None:
    """A first day of week 1 (a plan's ``start``, a cohort team's): a date in the range every date path handles."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            c.error(path, f"`{text[:40]}` is not a valid date", hint)
            return None
    if not in_range(day) or day > LATEST_START:
        c.error(path, f"start {day.isoformat()} is out of range: a plan starts between "
                f"{EARLIEST.date().isoformat()} and {LATEST_START.isoformat()}", hint)
        return None
    return day


def _timezone(c: _Checker, top: dict[str, Any]) -> str | None:
    value = top.get("timezone", "UTC")
    if not isinstance(value, str) or not value.strip():
        c.error(("timezone",), f"timezone must be an IANA name, got {_kind(value)}", "write e.g. `timezone: Europe/Berlin` or `timezone: UTC`")
        return None
    try:
        ZoneInfo(value.strip())
        return value.strip()
    except (ZoneInfoNotFoundError, ValueError, OSError):
        c.error(("timezone",), f"`{value}` is not a known time zone", "use an IANA name such as `Europe/Berlin`, `America/New_York` or `UTC`")
        return None


def _lists(c: _Checker, top: dict[str, Any]) -> ListNames:
    if "lists" not in top:
        return ListNames()
    mapping = c.mapping(top["lists"], ("lists",), "lists", LIST_KEYS)
    if mapping is None:
        return ListNames()
    defaults = ListNames()
    names = {key: getattr(defaults, key) for key in LIST_KEYS}
    for key in LIST_KEYS:
        if key in mapping:
            names[key] = c.text(mapping[key], ("lists", key), f"the {key} list name") or names[key]
    seen: dict[str, str] = {}
    for key in LIST_KEYS:
        if names[key].lower() in seen:
            c.error(("lists", key), f"the {key} list has the same name as the {seen[names[key].lower()]} list",
                    "give the three lists different names")
        seen[names[key].lower()] = key
    return ListNames(**names)


def _workdays(c: _Checker, top: dict[str, Any]) -> tuple[int, ...]:
    value = top.get("workdays", ["mon", "tue", "wed", "thu", "fri"])
    if not isinstance(value, list) or not value:
        c.error(("workdays",), f"workdays must be a non-empty list of days, got {_kind(value)}", "write e.g. `workdays: [mon, tue, wed, thu, fri]`")
        return (0, 1, 2, 3, 4)
    days: list[int] = []
    for i, day in enumerate(value):
        name = str(day).strip().lower()[:3]
        if name not in DAY_NAMES:
            c.error(("workdays", i), f"`{day}` is not a day of the week", "use mon, tue, wed, thu, fri, sat or sun")
        else:
            days.append(DAY_NAMES.index(name))
    return tuple(sorted(set(days))) or (0, 1, 2, 3, 4)


def _due_time(c: _Checker, top: dict[str, Any]) -> time:
    if "due_time" not in top:
        return time(17, 0)
    value = top["due_time"]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)  # YAML 1.1 reads 17:00 as the sexagesimal number 1020
    try:
        return time.fromisoformat(re.sub(r"^([0-9]):", r"0\1:", str(value).strip()))  # 9:05 is 09:05
    except ValueError:
        c.error(("due_time",), f"`{value}` is not a time of day", "write the due time as HH:MM, e.g. `due_time: \"17:00\"`")
        return time(17, 0)


def _weeks(c: _Checker, items: list[Any], start: date | None, tz: ZoneInfo | None, hours_per_task: float,
           workdays: tuple[int, ...], due_time: time) -> list[Week]:
    weeks: list[Week] = []
    keys: dict[str, Path_] = {}
    derived: list[tuple[Task, Path_]] = []
    numbers: dict[int, int] = {}
    for index, path, mapping, number in _week_items(c, items, WEEK_KEYS, numbers):
        raw_milestone = c.required(mapping, "milestone", path, "Set up the data pipeline")
        milestone = c.text(raw_milestone, path + ("milestone",), "the milestone") if raw_milestone is not None else None
        label_color: str | None = week_color(number or index + 1)
        if "label_color" in mapping:
            _, label_color = c.color(mapping["label_color"], path + ("label_color",))
        tasks = _tasks(c, mapping, path, number or index + 1, hours_per_task, keys, derived)
        demo = _demo(c, mapping, path, number or index + 1, milestone or "", keys)
        if None in (number, milestone, demo, start, tz):
            continue
        assert number is not None and demo is not None and start is not None and tz is not None
        first, last, due = week_dates(start, number, workdays, due_time, tz)
        weeks.append(Week(number=number, milestone=milestone or "", demo=demo, tasks=tuple(tasks),
                          label=f"Week {number}", label_color=label_color, start=first, end=last, due=due))
    _check_numbering(c, items, numbers)
    weeks.sort(key=lambda week: week.number)
    return _assign_keys(c, weeks, keys, derived)


def _week_items(c: _Checker, items: list[Any], allowed: tuple[str, ...], numbers: dict[int, int] | None = None
                ) -> Iterator[tuple[int, Path_, dict[str, Any], int | None]]:
    """Each week item that is a mapping: its index, path, keys and number (None when the number is wrong);
    ``numbers`` collects the numbers seen (week → index)."""
    numbers = {} if numbers is None else numbers
    for index, item in enumerate(items):
        path: Path_ = ("weeks", index)
        mapping = c.mapping(item, path, f"week item {index + 1}", allowed)
        if mapping is not None:
            yield index, path, mapping, _week_number(c, mapping, path, index, numbers)


def _assign_keys(c: _Checker, weeks: list[Week], keys: dict[str, Path_], derived: list[tuple[Task, Path_]]) -> list[Week]:
    """Give each task without a `key:` its default key: its name's slug, or ``w<N>-slug``
    when another task of the plan has the same slug (or a `key:` or demo key equal to it)."""
    counts: dict[str, int] = {}
    for task, _ in derived:
        counts[task.slug or ""] = counts.get(task.slug or "", 0) + 1
    assigned: dict[int, str] = {}
    for task, path in derived:
        slug = task.slug or derive_key(task.name)
        key = slug if counts[slug] == 1 and slug not in keys else week_key(task.week, task.name)
        if key in keys:
            c.error(path, f"task key `{key}` is used twice (also at {_path_text(keys[key])})",
                    "give one of the tasks a different name or an explicit `key:`")
            continue
        keys[key] = path
        assigned[id(task)] = key
    return [replace(week, tasks=tuple(replace(task, key=assigned.get(id(task), task.key)) for task in week.tasks))
            for week in weeks]


def _week_number(c: _Checker, mapping: dict[str, Any], path: Path_, index: int, numbers: dict[int, int]) -> int | None:
    value = c.required(mapping, "week", path, str(index + 1))
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        c.error(path + ("week",), f"the week number must be a whole number, got {_kind(value)}", f"write `week: {index + 1}`")
        return None
    if not 1 <= value <= _MAX_WEEKS:
        c.error(path + ("week",), f"week number {value} is out of range", f"number the weeks 1, 2, 3, … (at most {_MAX_WEEKS})")
        return None
    if value in numbers:
        c.error(path + ("week",), f"week {value} appears twice (also weeks[{numbers[value]}])",
                "number the weeks 1, 2, 3, … once each")
        return None
    numbers[value] = index
    return value


def _check_numbering(c: _Checker, items: list[Any], numbers: dict[int, int]) -> None:
    if not numbers:
        return
    expected = set(range(1, len(items) + 1))
    missing = sorted(expected - set(numbers))
    hint = f"weeks must be numbered 1..{len(items)} without gaps" + (f"; week {missing[0]} is missing" if missing else "")
    strays = [(number, index) for number, index in sorted(numbers.items()) if number not in expected]
    for number, index in strays:
        c.error(("weeks", index, "week"), f"week number {number} is out of sequence", hint)
    if missing and not strays and len(numbers) == len(items):
        c.error(("weeks",), f"week {missing[0]} is missing", hint)


def _tasks(c: _Checker, mapping: dict[str, Any], path: Path_, week: int, hours_per_task: float,
           keys: dict[str, Path_], derived: list[tuple[Task, Path_]]) -> list[Task]:
    value = mapping.get("tasks")
    if value is None:
        if "tasks" not in mapping:
            c.error(path, "missing required key `tasks`", "add `tasks:` with the week's four-hour tasks (or `tasks: []`)")
            return []
        value = []
    if not isinstance(value, list):
        c.error(path + ("tasks",), f"tasks must be a list, got {_kind(value)}", "write each task as a `- ` item")
        return []
    if not value:
        c.warn(path + ("tasks",), f"week {week} has no tasks", "break the milestone into tasks of about four hours")
    tasks = []
    for i, item in enumerate(value):
        task = _task(c, item, path + ("tasks", i), week, hours_per_task, keys)
        if task is not None:
            tasks.append(task)
            if task.slug is not None:
                derived.append((task, path + ("tasks", i)))
    return tasks


def _task(c: _Checker, item: Any, path: Path_, week: int, hours_per_task: float, keys: dict[str, Path_],
          demo: bool = False, default_hours: float | None = None) -> Task | None:
    default_hours = hours_per_task if default_hours is None else default_hours
    if isinstance(item, dict):
        mapping = c.mapping(item, path, "a task", TASK_KEYS)
        if mapping is None:
            return None
        name_value = c.required(mapping, "name", path, "Write the ingestion job")
        name = c.text(name_value, path + ("name",), "the task name") if name_value is not None else None
        hours = c.hours(mapping["hours"], path + ("hours",)) if "hours" in mapping else default_hours
        desc = c.text(mapping.get("desc", ""), path + ("desc",), "desc", allow_empty=True) if "desc" in mapping else ""
        checklist = _checklist(c, mapping, path)
        key = _key(c, mapping, path)
        members = _members(c, mapping["members"], path + ("members",)) if "members" in mapping else ()
    else:
        name = c.text(item, path, "the task")
        hours, desc, checklist, key, members = default_hours, "", (), None, ()
    if name is None and key is None:
        return None
    key = key or (demo_key(week) if demo else None)  # a derived key waits for the whole plan (_assign_keys)
    if key is not None and key in keys:
        c.error(path, f"task key `{key}` is used twice (also at {_path_text(keys[key])})",
                "give one of the tasks a different name or an explicit `key:`")
        return None
    if key is not None:
        keys[key] = path
    if name is None or hours is None or desc is None or checklist is None or members is None:
        return None
    if not demo and hours > hours_per_task:
        chunks = math.ceil(hours / hours_per_task)
        c.warn(path, f"task `{name[:60]}` is {hours:g} hours, longer than hours_per_task ({hours_per_task:g})",
               f"split it into {chunks} tasks of about {hours / chunks:.3g} hours each")
    return Task(key=key or "", name=name, week=week, hours=hours, desc=desc, checklist=checklist, demo=demo,
                members=members, slug=None if key else derive_key(name), line=c._where(path, False)[0])


def _demo(c: _Checker, mapping: dict[str, Any], path: Path_, week: int, milestone: str, keys: dict[str, Path_]) -> Task | None:
    value = c.required(mapping, "demo", path, "Show the pipeline loading one day of data")
    if value is None:
        return None
    task = _task(c, value, path + ("demo",), week, DEMO_HOURS, keys, demo=True, default_hours=DEMO_HOURS)
    if task is None:
        return None
    intro = f"Milestone: {milestone}\n\nDemo: record a 30-second video that shows: {task.name}"
    desc = f"{intro}\n\n{task.desc}" if task.desc else intro
    return replace(task, name=f"Demo: {task.name}", desc=desc[:MAX_TEXT])


def _checklist(c: _Checker, mapping: dict[str, Any], path: Path_) -> tuple[str, ...] | None:
    if "checklist" not in mapping or mapping["checklist"] is None:
        return ()
    value = mapping["checklist"]
    if not isinstance(value, list):
        c.error(path + ("checklist",), f"checklist must be a list of items, got {_kind(value)}", "write each checklist item as a `- ` line")
        return None
    if len(value) > MAX_CHECKLIST_ITEMS:
        c.error(path + ("checklist",), f"checklist has {len(value)} items; Trello allows {MAX_CHECKLIST_ITEMS}", "split the task")
        return None
    items = [c.text(item, path + ("checklist", i), "a checklist item") for i, item in enumerate(value)]
    return None if None in items else tuple(item for item in items if item)


def _key(c: _Checker, mapping: dict[str, Any], path: Path_) -> str | None:
    if "key" not in mapping:
        return None
    value = mapping["key"]
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not _KEY_RE.match(str(value)):
        c.error(path + ("key",), f"key `{value}` is not a valid task key",
                "use letters, digits, `.`, `_` and `-` (up to 100 characters), e.g. `key: w3-bq-schema`")
        return None
    return str(value)


def _members(c: _Checker, value: Any, path: Path_, lines: dict[str, str] | None = None) -> tuple[str, ...] | None:
    """``members:``: Trello usernames (``alice`` or ``@alice``), each once; ``lines`` gets where each is written."""
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value] if isinstance(value, str) else value
    if not isinstance(value, list):
        c.error(path, f"members must be a list of Trello usernames, got {_kind(value)}", "write e.g. `members: [alice, bob]`")
        return None
    names: list[str] = []
    ok = True
    for i, item in enumerate(value):
        name = str(item).strip().lstrip("@").lower() if isinstance(item, (str, int)) and not isinstance(item, bool) else ""
        if not _USERNAME_RE.match(name):
            c.error(path + (i,), f"`{item}` is not a Trello username",
                    "write the username from the member's Trello profile (letters, digits and _), e.g. `alice`")
            ok = False
        elif name in names:
            c.warn(path + (i,), f"member `{name}` is listed twice", "list each member once")
        else:
            names.append(name)
            if lines is not None:
                lines[name] = c.where(path + (i,))
    return tuple(names) if ok else None


# -- YAML 1.1 surprises ---------------------------------------------------------------------------------
#
# YAML 1.1 (PyYAML's, and most tools') reads some unquoted values as something else than what a plan
# means there: `due_time: 25:00` is the base-60 number 1500, `name: 1:30` the number 90, `name: yes`
# true, `name: 010` the octal 8, `name: 3.10` the number 3.1. Where the plan means text or a time of
# day, such a value is an error that says what YAML read and how to quote it, unless it reads back as
# the very same text (`name: 42`, `key: 2027-01-04`); so are numbers it reads otherwise than written
# (`hours: 1:30`, `week: 010`). A surprising value is then checked as the text it was written as, so
# no second error follows from YAML's reading of it.

_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_TIME_TEXT = re.compile(r"^([0-9]{1,2}):([0-5][0-9])(?::([0-5][0-9]))?$")
_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")
_ANY = "*"
#: What the plan means at each place (``*`` for any list index or mapping key).
_MEANT: dict[Path_, str] = {
    **{(key,): "text" for key in ("project", "timezone", "demo_label", "workspace")},
    ("demo_label_color",): "colour", ("lists", _ANY): "text", ("workdays", _ANY): "text", ("members", _ANY): "text",
    ("weeks", _ANY, "tasks", _ANY, "members", _ANY): "text",
    ("due_time",): "time", ("hours_per_task",): "number",
    ("weeks", _ANY, "week"): "number", ("weeks", _ANY, "milestone"): "text", ("weeks", _ANY, "label_color"): "colour",
    ("weeks", _ANY, "demo"): "text", ("weeks", _ANY, "tasks", _ANY): "text",
    **{("weeks", _ANY, *where, key): "text" for where in (("demo",), ("tasks", _ANY)) for key in ("name", "desc", "key")},
    **{("weeks", _ANY, *where, "hours"): "number" for where in (("demo",), ("tasks", _ANY))},
    **{("weeks", _ANY, *where, "checklist", _ANY): "text" for where in (("demo",), ("tasks", _ANY))},
}


def _meant(path: Path_) -> str | None:
    for pattern, kind in _MEANT.items():
        if len(pattern) == len(path) and all(want in (_ANY, got) for want, got in zip(pattern, path)):
            return kind
    return None


def _read_as(text: str, value: Any) -> str:
    """What YAML 1.1 made of ``text``, in words."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a true/false value)"
    if isinstance(value, (int, float)) and _SEXAGESIMAL.match(text):
        return f"the number {value} (base 60)"
    if isinstance(value, int) and _OCTAL.match(text):
        return f"the number {value} (octal, because of the leading 0)"
    if isinstance(value, datetime):
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    return f"the number {value}"


def _quoted(path: Path_, text: str) -> str:
    where = f"{path[-1]}: " if isinstance(path[-1], str) else "- "
    return f'{where}"{text}"'


def _yaml11_surprises(c: _Checker, tree: _Tree, value: Any) -> dict[str, PlanProblem]:
    """Report each surprise, put the written text in its place in ``value``; returns them by path."""
    found: dict[str, PlanProblem] = {}
    for path, text in tree.plain.items():
        kind = _meant(path)
        parent = _lookup(value, path[:-1])
        if kind is None or not isinstance(parent, (dict, list)):
            continue
        read = parent[path[-1]]  # type: ignore[index]
        if read is None:
            continue
        problem = _surprise(kind, path, text, read)
        if problem or kind == "time" or isinstance(read, date):  # `key: 2027-01-04` is that text
            parent[path[-1]] = text  # type: ignore[index]
        if problem:
            c.error(path, *problem)
            found[_path_text(path)] = c.errors[-1]
    return found


def _surprise(kind: str, path: Path_, text: str, read: Any) -> tuple[str, str] | None:
    """(message, hint) when YAML's reading of the unquoted ``text`` is not what the plan means."""
    read_as = _read_as(text, read)
    said = f"YAML 1.1 reads the unquoted `{text}` as {read_as}"
    if kind == "number":
        if isinstance(read, bool) or not (_SEXAGESIMAL.match(text) or _OCTAL.match(text)):
            return None
        if _OCTAL.match(text) and int(text.replace("_", "")) == read:
            return None  # `week: 01` is 1 either way
        example = f"week: {int(text.replace('_', ''))}" if path[-1] == "week" else f"{path[-1]}: 1.5"
        return said, f"write it as a plain decimal number, e.g. `{example}`"
    if kind == "time":
        clock = _TIME_TEXT.match(text)
        if clock and int(clock.group(1)) < 24:
            return None  # 17:00 unquoted: YAML's number, read back as the clock time it was written as
        return (f"`{text}` is not a time of day; unquoted, YAML 1.1 reads it as {read_as}",
                'write a time from 00:00 to 23:59 in quotes, e.g. `due_time: "17:00"`')
    if not isinstance(read, bool) and str(read) == text:
        return None  # `name: 42`, `key: 2027-01-04`: YAML's reading gives back the same text
    if kind == "colour":
        return said, "write `null` for no colour, or one of Trello's colour names (green, yellow, …)"
    return f"{said}, not as text", f"put it in quotes: `{_quoted(path, text)}`"


def _lookup(value: Any, path: Path_) -> Any:
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _drop_echoes(c: _Checker, surprises: dict[str, PlanProblem]) -> None:
    """Other checks' errors about a value already reported as a surprise say the same thing again."""
    c.errors = [p for p in c.errors if p.path not in surprises or p is surprises[p.path]]


#: The located-YAML checker and the words for a value, for other YAML files read like plans (cohort files).
Checker = _Checker
describe_value = _kind
