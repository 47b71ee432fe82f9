"""Which role each list plays: ``todo``, ``in_progress``, ``done`` or ``ignore``.

Lists are identified by id, never by name: names change and repeat. A list's
role is decided once per report, from (first match wins):

1. an explicit ``{list_id: role}`` mapping (``RoleRules.by_id``);
2. ``NAME=ROLE`` rules (``--list-role``), matched case-insensitively against the
   list's name as of the report's as-of moment, archived lists included;
3. the ids of the lists apply made (``RoleRules.applied``, from the plan's state file);
4. the plan's own list names (``lists:`` in the plan file), when a plan is given;
5. the default rules on that name (:data:`DONE_WORDS`, :data:`IN_PROGRESS_WORDS`;
   anything else is ``todo``).

Using the name the list had at the as-of moment keeps a past report the same
when a list is renamed later.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter

from ..errors import UsageError
from .model import ROLES, Action, BoardHistory

__all__ = [
    "DONE_WORDS",
    "IN_PROGRESS_WORDS",
    "RoleRules",
    "default_role",
    "list_names_as_of",
    "normalize_role",
    "parse_role_rule",
    "resolve_roles",
]

#: Words or phrases that make a list a ``done`` list (checked first).
DONE_WORDS = ("done", "complete", "completed", "finished", "shipped", "deployed", "released", "resolved", "delivered")
#: Words or phrases that make a list an ``in_progress`` list.
IN_PROGRESS_WORDS = (
    "doing", "in progress", "wip", "working", "started", "ongoing", "active",
    "review", "reviewing", "in review", "testing", "test", "qa", "verify", "verifying", "blocked",
)

_NON_WORD = re.compile(r"[^0-9a-z]+")
_date = itemgetter(2)  # an action's date
_ROLE_ALIASES = {
    "todo": "todo", "to do": "todo", "backlog": "todo",
    "in progress": "in_progress", "inprogress": "in_progress", "doing": "in_progress", "wip": "in_progress",
    "done": "done", "ignore": "ignore", "ignored": "ignore", "skip": "ignore",
}


def _words(name: str) -> str:
    """``name`` lower-cased, accents and punctuation dropped, padded with spaces for phrase search."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return f" {_NON_WORD.sub(' ', ascii_name).strip()} "


def _has_any(words: str, phrases: Iterable[str]) -> bool:
    return any(f" {phrase} " in words for phrase in phrases)


def default_role(name: str) -> str:
    """The role a list gets from its name alone: ``Done 🎉`` → done, ``Code Review`` → in_progress."""
    words = _words(name)
    if _has_any(words, DONE_WORDS):
        return "done"
    if _has_any(words, IN_PROGRESS_WORDS):
        return "in_progress"
    return "todo"


def normalize_role(text: str) -> str:
    """A role name as written by a person (``In Progress``, ``in-progress``) → the role id."""
    cleaned = " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())
    role = _ROLE_ALIASES.get(cleaned)
    if role is None:
        raise UsageError(
            f"unknown list role {text.strip()!r}",
            hint=f"use one of: {', '.join(ROLES)} (e.g. \"QA=in_progress\")",
        )
    return role


def parse_role_rule(text: str) -> tuple[str, str]:
    """``"NAME=ROLE"`` → ``(name, role)``; the last ``=`` separates them, so names may contain ``=``."""
    name, sep, role = text.rpartition("=")
    if not sep or not name.strip():
        raise UsageError(
            f"--list-role {text!r} is not NAME=ROLE",
            hint='write the list name, "=", then a role, e.g. "Code Review=in_progress"',
        )
    return name.strip(), normalize_role(role)


@dataclass(frozen=True)
class RoleRules:
    """How to map lists to roles: by list id, by name (case-insensitive), and by the ids apply recorded.

    ``applied`` is weaker than ``by_name``, so ``--list-role`` can still
    change the role of a list apply made.
    """

    by_id: Mapping[str, str] = field(default_factory=dict)
    by_name: Mapping[str, str] = field(default_factory=dict)
    applied: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for role in [*self.by_id.values(), *self.by_name.values(), *self.applied.values()]:
            if role not in ROLES:
                raise UsageError(f"unknown list role {role!r}", hint=f"use one of: {', '.join(ROLES)}")
        object.__setattr__(self, "by_name", {_fold(name): role for name, role in self.by_name.items()})

    @classmethod
    def parse(
        cls, rules: Iterable[str], *, by_id: Mapping[str, str] | None = None, applied: Mapping[str, str] | None = None
    ) -> RoleRules:
        """Rules from ``--list-role NAME=ROLE`` options (a later rule for the same name wins)."""
        return cls(by_id=dict(by_id or {}), by_name=dict(parse_role_rule(rule) for rule in rules),
                   applied=dict(applied or {}))


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def list_names_as_of(history: BoardHistory, as_of: datetime) -> dict[str, str]:
    """Each known list's name at ``as_of``, from its renames and the names actions recorded.

    Every action that mentions a list records its name at that moment; a
    rename also records the name before. The name at ``as_of`` is the latest
    one seen at or before it, or else the earliest one seen after it. Lists
    only known from the board as it is now keep their current name.
    """
    actions = history.actions
    cut = bisect_right(actions, as_of, key=_date)  # actions are in date order
    names = {item.id: item.name for item in history.lists}
    names.update(_earliest_names(actions[cut:]))
    names.update(_latest_names(actions[:cut]))
    return names


# Both scans keep the first name they meet for a list and never read the names they skip:
# each mention is a separate string object, so reading them all would cost a cache miss each.


def _earliest_names(actions: Sequence[Action]) -> dict[str, str]:
    """The first name ``actions`` record for each list (a rename records the name before, then after)."""
    names: dict[str, str] = {}
    for action in actions:
        if action.old_name is not None and action.type == "updateList":  # a rename
            list_id = action.list_id
            if list_id is not None and list_id not in names:
                names[list_id] = action.old_name
        elif action.after_id is not None:  # a move: the list it left, then the one it entered
            before_id, after_id = action.before_id, action.after_id
            if before_id is not None and before_id not in names and action.before_name is not None:
                names[before_id] = action.before_name
            if after_id not in names and action.after_name is not None:
                names[after_id] = action.after_name
        else:
            list_id = action.list_id
            if list_id is not None and list_id not in names and action.list_name is not None:
                names[list_id] = action.list_name
    return names


def _latest_names(actions: Sequence[Action]) -> dict[str, str]:
    """The last name ``actions`` record for each list: :func:`_earliest_names` read backwards."""
    names: dict[str, str] = {}
    for action in reversed(actions):
        if action.old_name is not None and action.type == "updateList":  # a rename: the new name, else the old
            list_id = action.list_id
            if list_id is not None and list_id not in names:
                names[list_id] = action.list_name if action.list_name is not None else action.old_name
        elif action.after_id is not None:  # a move: the list it entered, then the one it left
            before_id, after_id = action.before_id, action.after_id
            if after_id not in names and action.after_name is not None:
                names[after_id] = action.after_name
            if before_id is not None and before_id not in names and action.before_name is not None:
                names[before_id] = action.before_name
        else:
            list_id = action.list_id
            if list_id is not None and list_id not in names and action.list_name is not None:
                names[list_id] = action.list_name
    return names


def resolve_roles(
    history: BoardHistory,
    *,
    as_of: datetime,
    rules: RoleRules | None = None,
    plan_roles: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """``({list_id: role}, {list_id: name})`` for every list the history knows, as of ``as_of``.

    ``plan_roles`` maps the plan's list names to roles (``ListNames.roles()``).
    A list no action names and the board does not show is not in the result;
    callers treat it as ``todo`` (the role of a list with no telling name).
    """
    rules = rules or RoleRules()
    names = list_names_as_of(history, as_of)
    plan_by_name = {_fold(name): role for name, role in (plan_roles or {}).items()}
    roles: dict[str, str] = {}
    for list_id, name in names.items():
        folded = _fold(name)
        roles[list_id] = (
            rules.by_id.get(list_id)
            or rules.by_name.get(folded)
            or rules.applied.get(list_id)
            or plan_by_name.get(folded)
            or default_role(name)
        )
    for list_id, role in [*rules.applied.items(), *rules.by_id.items()]:
        if list_id not in names:
            roles[list_id] = role
    return roles, names
