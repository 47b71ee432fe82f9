"""What apply would change: a pure three-way diff of plan, board and last-applied state.

Identity (how a planned item finds its Trello object):

- the board: the state file's board id, else the one passed with ``--board``;
- a list: the id recorded in the state, else an open list with the plan's name;
- a label: the recorded id, else a label with the plan's name (``Week 3``, ``Demo``);
- a card: the recorded id, else the card whose description ends with the task's
  ``trelloplan-key:`` line (the oldest one, when a person copied the card).

For each field the plan owns (names, descriptions, due dates, week labels,
checklist items) the diff compares three values: what the plan wants, what is
on the board, and what apply wrote last time. A field is written only when the
plan changed it and the board still shows what apply wrote (or apply never
wrote it): what people did on the board is never undone. Lists and archived
state of cards are never touched, except ``--prune`` archiving cards of tasks
that left the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..dates import format_date
from ..plan.model import Plan, Task
from .markers import with_marker
from .remote import BoardState, RemoteCard, RemoteChecklist, board_marker
from .state import PlanState

__all__ = ["CHECKLIST_NAME", "Change", "Diff", "Note", "diff_plan", "label_refs"]

CHECKLIST_NAME = "Checklist"
POS_STEP = 16384
ROLES = ("todo", "in_progress", "done")
PHASES = {"board": 0, "list": 1, "label": 1, "card": 2, "checklist": 3}


@dataclass(frozen=True)
class Change:
    """One write apply will make (or a few, for a checklist's items)."""

    action: str  # create | update | archive
    kind: str  # board | list | label | card | checklist
    ref: str  # "board", a list role, a label ref ("week:3", "demo") or a task key
    fields: Mapping[str, Any]
    id: str | None = None
    old: Mapping[str, Any] = field(default_factory=dict)

    @property
    def phase(self) -> int:
        return PHASES[self.kind]

    @property
    def writes(self) -> int:
        """The number of requests this change takes."""
        if self.kind != "checklist":
            return 1
        return (self.id is None) + len(self.fields.get("add", ())) + len(self.fields.get("remove", ()))

    def __str__(self) -> str:
        sign = {"create": "+", "update": "~", "archive": "-"}[self.action]
        title = self.fields.get("name") or self.old.get("name") or ""
        if self.kind == "checklist":
            parts = [f"+{len(self.fields['add'])} items" if self.fields.get("add") else "",
                     f"-{len(self.fields['remove'])} items" if self.fields.get("remove") else ""]
            return f"{sign} checklist of {self.ref}: {' '.join(p for p in parts if p)}"
        if self.action == "update":
            changed = ", ".join(f"{name}: {_short(self.old.get(name))} → {_short(value)}" for name, value in self.fields.items())
            return f"{sign} {self.kind} {self.ref}: {changed}"
        return f"{sign} {self.kind} {self.ref}: {title}".rstrip(": ")

    def data(self) -> dict[str, Any]:
        return {"action": self.action, "kind": self.kind, "ref": self.ref, "id": self.id,
                "fields": dict(self.fields), "old": dict(self.old)}


def _short(value: Any) -> str:
    text = ",".join(value) if isinstance(value, (list, tuple)) else str(value)
    text = " ".join(text.split())
    return repr(text[:40] + ("…" if len(text) > 40 else ""))


@dataclass(frozen=True)
class Note:
    """Something the user should know that is not a write (kept edits, conflicts, removed tasks)."""

    kind: str  # kept | conflict | removed | archived | duplicate | recreated | reopened
    ref: str
    message: str

    def __str__(self) -> str:
        return f"! {self.message}" if self.kind in ("conflict", "removed") else f"· {self.message}"

    def data(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref, "message": self.message}


@dataclass
class Diff:
    """The changes apply would make, in the order it makes them, and what it would leave alone."""

    changes: list[Change] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # "list:todo", "label:week:3", "card:KEY" → existing id
    applied: dict[str, dict[str, Any]] = field(default_factory=dict)  # card key → values to record as applied

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "archive": 0}
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def writes(self) -> int:
        return sum(change.writes for change in self.changes)

    @property
    def empty(self) -> bool:
        return not self.changes

    def data(self) -> dict[str, Any]:
        return {"counts": self.counts(), "writes": self.writes, "changes": [c.data() for c in self.changes],
                "notes": [n.data() for n in self.notes]}


def label_refs(plan: Plan) -> dict[str, tuple[str, str | None]]:
    """Every label the plan owns: ref → (name, colour)."""
    refs = {f"week:{week.number}": (week.label, week.label_color) for week in plan.weeks}
    refs["demo"] = (plan.demo_label, plan.demo_label_color)
    return refs


def desired_card(plan: Plan, task: Task) -> dict[str, Any]:
    """The values of the plan-owned fields of a task's card, as apply writes them."""
    labels = [f"week:{task.week}"] + (["demo"] if task.demo else [])
    return {"name": task.name, "desc": with_marker(task.desc, task.key), "due": format_date(plan.week(task.week).due),
            "labels": labels, "checklist": list(task.checklist)}


UNKNOWN: Any = object()  # the value apply last wrote, when it never wrote one (None is a real value)


def remember(record: dict[str, Any], name: str, value: Any) -> None:
    if value is UNKNOWN or value is None and name == "checklist":
        record.pop(name, None)
    else:
        record[name] = value


def three_way(desired: Any, actual: Any, base: Any) -> str:
    """same | update | kept (a person changed it, the plan did not) | conflict (both changed)."""
    if actual == desired:
        return "same"
    if base is UNKNOWN or actual == base:
        return "update"
    if desired == base:
        return "kept"
    return "conflict"


class _Differ:
    def __init__(self, plan: Plan, board: BoardState | None, state: PlanState, prune: bool, force: bool) -> None:
        self.plan, self.board, self.state, self.prune, self.force = plan, board, state, prune, force
        self.out = Diff()

    def field(self, kind: str, ref: str, name: str, desired: Any, actual: Any, base: Any,
              fields: dict[str, Any], old: dict[str, Any]) -> Any:
        """Decide one field; return the value to remember as last applied."""
        verdict = three_way(desired, actual, base)
        if verdict == "update" or (verdict == "conflict" and self.force):
            fields[name], old[name] = desired, actual
            return base  # what was last applied stays recorded until the write succeeds
        elif verdict == "kept":
            self.out.notes.append(Note("kept", ref, f"{kind} {ref}: {name} was changed on the board; keeping it"))
            return base
        elif verdict == "conflict":
            self.out.notes.append(Note("conflict", ref, f"{kind} {ref}: {name} changed both in the plan and on the board; "
                                       "keeping the board's (use --force to take the plan's)"))
            return base
        return desired

    def run(self) -> Diff:
        self.board_changes()
        self.list_changes()
        self.label_changes()
        self.card_changes()
        self.out.changes.sort(key=lambda c: c.phase)
        return self.out

    def board_changes(self) -> None:
        if self.board is None:
            self.out.changes.append(Change("create", "board", "board", {"name": self.plan.project, "desc": board_marker(self.state.instance)}))
            return
        fields: dict[str, Any] = {}
        old: dict[str, Any] = {}
        base = self.state.board.get("name", UNKNOWN) if self.state.board_id == self.board.id else UNKNOWN
        self.field("board", "board", "name", self.plan.project, self.board.name, base, fields, old)
        if fields:
            self.out.changes.append(Change("update", "board", "board", fields, self.board.id, old))

    def list_changes(self) -> None:
        names = dict(zip(ROLES, self.plan.lists.ordered()))
        lists = self.board.lists if self.board else ()
        top = max((l.pos for l in lists if not l.closed), default=0.0)
        for index, role in enumerate(ROLES):
            recorded = self.state.lists.get(role, {})
            found = next((l for l in lists if l.id == recorded.get("id")), None)
            found = found or next((l for l in lists if not l.closed and l.name == names[role]), None)
            found = found or next((l for l in lists if not l.closed and l.name.lower() == names[role].lower()), None)
            if found is None:
                self.out.changes.append(Change("create", "list", role, {"name": names[role], "pos": top + POS_STEP * (index + 1)}))
                continue
            self.out.ids[f"list:{role}"] = found.id
            fields: dict[str, Any] = {}
            old: dict[str, Any] = {}
            base = recorded.get("name", UNKNOWN) if recorded.get("id") == found.id else UNKNOWN
            self.field("list", role, "name", names[role], found.name, base, fields, old)
            if found.closed:
                fields["closed"], old["closed"] = False, True
                self.out.notes.append(Note("reopened", role, f"list {found.name!r} was archived on the board; apply reopens it"))
            if fields:
                self.out.changes.append(Change("update", "list", role, fields, found.id, old))

    def label_changes(self) -> None:
        labels = self.board.labels if self.board else ()
        for ref, (name, color) in label_refs(self.plan).items():
            recorded = self.state.labels.get(ref, {})
            found = next((l for l in labels if l.id == recorded.get("id")), None) or next((l for l in labels if l.name == name), None)
            if found is None:
                self.out.changes.append(Change("create", "label", ref, {"name": name, "color": color}))
                continue
            self.out.ids[f"label:{ref}"] = found.id
            fields: dict[str, Any] = {}
            old: dict[str, Any] = {}
            same = recorded.get("id") == found.id
            self.field("label", ref, "name", name, found.name, recorded.get("name", UNKNOWN) if same else UNKNOWN, fields, old)
            self.field("label", ref, "color", color, found.color, recorded.get("color", UNKNOWN) if same else UNKNOWN, fields, old)
            if fields:
                self.out.changes.append(Change("update", "label", ref, fields, found.id, old))

    def match_cards(self) -> dict[str, RemoteCard]:
        cards = self.board.cards if self.board else ()
        by_id = {card.id: card for card in cards}
        by_key: dict[str, list[RemoteCard]] = {}
        for remote in cards:
            if remote.key:
                by_key.setdefault(remote.key, []).append(remote)
        matched: dict[str, RemoteCard] = {}
        for task in self.plan.tasks():
            recorded = by_id.get(self.state.cards.get(task.key, {}).get("id", ""))
            candidates = sorted(by_key.get(task.key, []), key=lambda c: c.id)
            card = recorded or (candidates[0] if candidates else None)
            if card is None:
                continue
            matched[task.key] = card
            if len(candidates) > 1:
                self.out.notes.append(Note("duplicate", task.key, f"card {task.key}: {len(candidates) - 1} copies on the board carry "
                                           "the same key; apply manages only the original"))
        self.leftovers = [card for key, group in by_key.items() if key not in matched for card in group
                          if key not in {t.key for t in self.plan.tasks()}]
        return matched

    def card_changes(self) -> None:
        matched = self.match_cards()
        labels_by_id = {self.out.ids[f"label:{ref}"]: ref for ref in label_refs(self.plan) if f"label:{ref}" in self.out.ids}
        todo_id = self.out.ids.get("list:todo")
        cards = self.board.cards if self.board else ()
        pos = max((c.pos for c in cards if c.list_id == todo_id), default=0.0)
        for task in self.plan.tasks():
            want = desired_card(self.plan, task)
            card = matched.get(task.key)
            recorded = self.state.cards.get(task.key)
            if card is None:
                pos += POS_STEP
                self.out.changes.append(Change("create", "card", task.key, {**want, "pos": pos}))
                if recorded:
                    self.out.notes.append(Note("recreated", task.key, f"card {task.key} was deleted on the board; apply creates it again"))
                if want["checklist"]:
                    self.out.changes.append(Change("create", "checklist", task.key, {"name": CHECKLIST_NAME, "add": want["checklist"], "remove": []}))
                continue
            self.out.ids[f"card:{task.key}"] = card.id
            base = recorded if recorded and recorded.get("id") == card.id else None
            self.out.applied[task.key] = {"id": card.id}
            if card.closed:
                self.out.notes.append(Note("archived", task.key, f"card {task.key} is archived on the board; left alone"))
                continue
            self.card_fields(task.key, card, want, base, labels_by_id)
            self.checklist(task.key, card, want["checklist"], base)
        for card in self.leftovers:
            if card.closed:
                continue
            if self.prune:
                self.out.changes.append(Change("archive", "card", card.key or card.id, {"closed": True}, card.id, {"name": card.name}))
            else:
                self.out.notes.append(Note("removed", card.key or card.id, f"card {card.key} ({card.name!r}) is no longer in the plan; "
                                           "use --prune to archive it"))

    def card_fields(self, key: str, card: RemoteCard, want: dict[str, Any], base: dict[str, Any] | None,
                    labels_by_id: Mapping[str, str]) -> None:
        fields: dict[str, Any] = {}
        old: dict[str, Any] = {}
        applied = self.out.applied[key]
        actual_due = format_date(card.due) if card.due else None
        for name, actual in (("name", card.name), ("desc", card.desc), ("due", actual_due)):
            remember(applied, name, self.field("card", key, name, want[name], actual, (base or {}).get(name, UNKNOWN), fields, old))
        managed = sorted(labels_by_id[label] for label in card.label_ids if label in labels_by_id)
        recorded = self.field("card", key, "labels", sorted(want["labels"]), managed,
                              sorted(base["labels"]) if base and "labels" in base else UNKNOWN, fields, old)
        remember(applied, "labels", recorded)
        if "labels" in fields:
            fields["labels"] = want["labels"]
            fields["keep_label_ids"] = [label for label in card.label_ids if label not in labels_by_id]
        if fields:
            self.out.changes.append(Change("update", "card", key, fields, card.id, old))

    def checklist(self, key: str, card: RemoteCard, wanted: list[str], base: dict[str, Any] | None) -> None:
        recorded_id = (base or {}).get("checklist_id")
        checklist: RemoteChecklist | None = next((c for c in card.checklists if c.id == recorded_id), None) or next(
            (c for c in card.checklists if c.name == CHECKLIST_NAME), None)
        actual = [item.name for item in checklist.items] if checklist else []
        before = base.get("checklist") if base else None
        add = [item for item in wanted if item not in actual and (before is None or item not in before)]
        remove = [item.id for item in (checklist.items if checklist else ()) if before is not None and item.name in before and item.name not in wanted]
        if before is not None:
            kept = [item for item in wanted if item in before and item not in actual]
            for item in kept:
                self.out.notes.append(Note("kept", key, f"card {key}: checklist item {item!r} was removed on the board; keeping it removed"))
        remember(self.out.applied[key], "checklist", before if add or remove else wanted)
        if checklist is not None:
            self.out.applied[key]["checklist_id"] = checklist.id
        if add or remove:
            top = max((item.pos for item in checklist.items), default=0.0) if checklist else 0.0
            self.out.changes.append(Change("update" if checklist else "create", "checklist", key,
                                           {"name": CHECKLIST_NAME, "add": add, "remove": remove, "pos": top},
                                           checklist.id if checklist else None))


def diff_plan(plan: Plan, board: BoardState | None, state: PlanState, *, prune: bool = False, force: bool = False) -> Diff:
    """The changes that would make ``board`` match ``plan``, given what apply wrote last (``state``).

    Pure: reads nothing, writes nothing. ``board`` is None when the board does not exist yet.
    """
    return _Differ(plan, board, state, prune, force).run()

