"""What a diff is made of: the writes apply would make (:class:`Change`), what it leaves alone
(:class:`Note`), and the whole plan of work (:class:`Diff`), each readable by people.

A change keeps apart what is sent (``fields``), what people are shown
(``title`` and ``details``: names, weeks, hours, description lines; never ids or
internal values), and what the state file records once the write succeeded
(``record``), so the executor needs no knowledge of the fields' meaning.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .workspace import Workspace

__all__ = ["DRIFT_NOTES", "Change", "Diff", "Note", "text_diff"]

PHASES = {"board": 0, "member": 1, "list": 1, "label": 1, "card": 2, "checklist": 3}
SIGNS = {"create": "+", "update": "~", "archive": "-"}
#: Notes that mean the board and the plan disagree although apply writes nothing for them.
DRIFT_NOTES = frozenset({"conflict", "removed", "renamed"})


@dataclass(frozen=True)
class Change:
    """One write apply will make (or a few, for a checklist's items)."""

    action: str  # create | update | archive
    kind: str  # board | member | list | label | card | checklist
    ref: str  # "board", a username, a list role, a label ref ("week:3", "demo") or a task key
    fields: Mapping[str, Any]  # what is sent
    id: str | None = None
    old: Mapping[str, Any] = field(default_factory=dict)  # the board's values before, for --json
    title: str = ""  # what people call the object: a card's name, a label's name
    details: tuple[str, ...] = ()  # what changes, for people, one line each
    record: Mapping[str, Any] = field(default_factory=dict)  # what the state file records after the write
    guarded: str = ""  # why this archive waits for a confirmation (or --force); empty when it does not

    @property
    def phase(self) -> int:
        return PHASES[self.kind]

    @property
    def writes(self) -> int:
        """The number of requests this change takes."""
        if self.kind != "checklist":
            return 1
        return (self.id is None) + len(self.fields.get("add", ())) + len(self.fields.get("remove", ()))

    def write_counts(self) -> dict[str, int]:
        """Its writes by action; a checklist's items count as created or deleted, so the counts add up to :attr:`writes`."""
        if self.kind != "checklist":
            return {self.action: 1}
        return {"create": (self.id is None) + len(self.fields.get("add", ())), "delete": len(self.fields.get("remove", ()))}

    @property
    def head(self) -> str:
        sign = SIGNS[self.action]
        if self.kind == "checklist":
            return f"{sign} checklist of card: {self.title or self.ref}"
        return f"{sign} {self.kind}: {self.title or self.ref}"

    def __str__(self) -> str:
        """One line: what is written, and to what (for progress lines and logs)."""
        inline = [line for line in self.details if not line.startswith(" ")]
        return f"{self.head} ({'; '.join(inline)})" if inline else self.head

    def lines(self, width: int = 76) -> list[str]:
        """For people: :meth:`__str__` when it fits in ``width``, else the head and a line per detail;
        then the indented lines (a description's changed lines)."""
        inline = [line for line in self.details if not line.startswith(" ")]
        below = [line for line in self.details if line.startswith(" ")]
        if len(str(self)) <= width and not below:
            return [str(self)]
        return [self.head] + [f"    {line}" for line in inline] + below

    def data(self) -> dict[str, Any]:
        return {"action": self.action, "kind": self.kind, "ref": self.ref, "id": self.id, "title": self.title,
                "fields": dict(self.fields), "old": dict(self.old), "details": [d.strip() for d in self.details],
                "writes": self.writes, **({"guarded": self.guarded} if self.guarded else {})}


@dataclass(frozen=True)
class Note:
    """Something the user should know that is not a write (kept edits, conflicts, removed tasks)."""

    kind: str  # kept | conflict | removed | renamed | archived | duplicate | recreated | reopened | adopted | other
    ref: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        mark = "!" if self.kind in DRIFT_NOTES else "·"
        return f"{mark} {self.message}" + (f"\n      {self.hint}" if self.hint else "")

    def data(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref, "message": self.message, **({"hint": self.hint} if self.hint else {})}


@dataclass
class Diff:
    """The changes apply would make, in the order it makes them, and what it would leave alone."""

    changes: list[Change] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # "list:todo", "label:week:3", "card:KEY", "member:NAME" → id
    applied: dict[str, dict[str, Any]] = field(default_factory=dict)  # card key → values to record as applied
    renamed: dict[str, str] = field(default_factory=dict)  # state-file key → the task key its card now belongs to
    workspace: Workspace | None = None  # where the board this diff creates goes (None: outside any, or no new board)

    def counts(self) -> dict[str, int]:
        """Writes by action (create, update, archive, delete); they add up to :attr:`writes`."""
        counts = {"create": 0, "update": 0, "archive": 0, "delete": 0}
        for change in self.changes:
            for action, n in change.write_counts().items():
                counts[action] += n
        return counts

    @property
    def writes(self) -> int:
        return sum(change.writes for change in self.changes)

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def guarded(self) -> list[Change]:
        """Archives that wait for a confirmation: cards people moved out of To Do."""
        return [change for change in self.changes if change.guarded]

    @property
    def drift(self) -> bool:
        """True when the board differs from the plan: ``plan --check`` exits 3.

        That is: apply would write anything (a task's card missing is a create),
        a removed task's card is still open, a likely rename waits for the
        plan's `key:`, or a field changed both in the plan and on the board.
        """
        return bool(self.changes) or any(note.kind in DRIFT_NOTES for note in self.notes)

    def without_guarded(self) -> Diff:
        """This diff minus the guarded archives, each left as a note saying why and how to archive it."""
        kept = [Note("removed", c.ref, f"card {c.ref} ({c.title!r}) is no longer in the plan but stays open: {c.guarded}",
                     "confirm the archive when apply asks, or pass --prune --force") for c in self.guarded]
        return replace(self, changes=[c for c in self.changes if not c.guarded], notes=self.notes + kept)

    def place_new_board(self, workspace: Workspace | None) -> None:
        """Say which workspace the board this diff creates goes into (``None``: outside any)."""
        self.workspace = workspace
        for index, change in enumerate(self.changes):
            if change.kind == "board" and change.action == "create":
                where = f"in workspace {workspace}" if workspace else "outside any workspace"
                self.changes[index] = replace(change, fields={**change.fields, "idOrganization": workspace.id if workspace else None},
                                              details=(*change.details, where),
                                              record={**change.record, "workspace": workspace.display_name if workspace else None})

    def data(self) -> dict[str, Any]:
        return {"counts": self.counts(), "writes": self.writes, "drift": self.drift,
                "changes": [c.data() for c in self.changes], "notes": [n.data() for n in self.notes]}


def text_diff(old: str, new: str, indent: str = "      ") -> list[str]:
    """The lines that differ between two texts, ``- old`` / ``+ new``, for people (no headers, no context)."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        lines.append(f"{indent}{line[0]} {line[1:]}")
    return lines
