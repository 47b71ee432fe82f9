"""What apply would change: a pure three-way diff of plan, board and last-applied state.

Identity (how a planned item finds its Trello object):

- the board: the state file's board id, else ``--board``, else the open board
  whose description carries the plan's marker (found by apply; see
  :func:`trelloplan.board.apply.plan_changes`);
- a list: the id recorded in the state, else an open list with the plan's name;
- a label: the recorded id, else a label with the plan's name (``Week 3``, ``Demo``);
- a card: see :mod:`trelloplan.board.identity`. A task's default key is its
  name's slug, not its week, so moving a task to another week keeps its card
  (new week label and due date; list, position, members, checklist state and
  edits stay). Keys of boards made before 0.2 (``w3-…``) still match. A rename
  changes the default key: when a task disappears and a new one appears
  whose card would be orphaned, a ``renamed`` note says which ``key:`` to write.

For each field the plan owns (names, the description's text, the estimate,
due dates, week labels, members, checklist items) the diff compares three
values: what the plan wants, what is on the board, and what apply wrote last
time (the state file). A field is written only when the plan changed it and
the board still shows what apply wrote: what people did on the board is never
undone. When both changed, or when apply no longer knows what it wrote (the
state file is lost, or the board was adopted with ``--board``) and the board
differs from the plan, that is a conflict: the board's value stays unless
``--force``.

Lists and the archived state of cards are never touched, except ``--prune``
archiving the cards of tasks that left the plan; an archive of a card a
person moved out of To Do is *guarded*: it waits for a confirmation, or
``--force``.

The drift rule of ``plan --check`` is :attr:`Diff.drift`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..dates import format_date, parse_date
from ..plan.model import Plan, Task, key_stem
from .changes import Change, Diff, Note, text_diff
from .identity import guess_renames, match_cards
from .markers import compose_desc, retrail, split_desc
from .remote import (BoardState, RemoteCard, RemoteChecklist, RemoteLabel, RemoteList, board_instance, board_marker,
                     plan_fingerprint)
from .state import PlanState

__all__ = ["CHECKLIST_NAME", "UNKNOWN", "Change", "Diff", "Note", "desired_card", "diff_plan", "label_refs", "three_way"]

CHECKLIST_NAME = "Checklist"
POS_STEP = 16384
ROLES = ("todo", "in_progress", "done")


def label_refs(plan: Plan) -> dict[str, tuple[str, str | None]]:
    """Every label the plan owns: ref → (name, colour)."""
    refs = {f"week:{week.number}": (week.label, week.label_color) for week in plan.weeks}
    refs["demo"] = (plan.demo_label, plan.demo_label_color)
    return refs


def desired_card(plan: Plan, task: Task) -> dict[str, Any]:
    """The values of the plan-owned fields of a task's card, as apply writes them."""
    labels = [f"week:{task.week}"] + (["demo"] if task.demo else [])
    return {"name": task.name, "body": task.desc, "hours": task.hours, "desc": compose_desc(task.desc, task.hours, task.key),
            "due": format_date(plan.week(task.week).due), "labels": labels, "checklist": list(task.checklist),
            "members": list(task.members)}


UNKNOWN: Any = object()  # the value apply last wrote, when it never wrote one (None is a real value)


def three_way(desired: Any, actual: Any, base: Any) -> str:
    """same | update | kept (a person changed it, the plan did not) | conflict (both changed) | unknown (differs; base unknown)."""
    if actual == desired:
        return "same"
    if base is UNKNOWN:
        return "unknown"
    if actual == base:
        return "update"
    if desired == base:
        return "kept"
    return "conflict"


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if value is None:
        return "none"
    text = " ".join(str(value).split())
    return repr(text)


class _Differ:
    def __init__(self, plan: Plan, board: BoardState | None, state: PlanState, prune: bool, force: bool,
                 members: Mapping[str, str], creator: str | None) -> None:
        self.plan, self.board, self.state, self.prune, self.force = plan, board, state, prune, force
        self.members, self.creator = members, creator
        self.out = Diff()
        self.labels_by_id: dict[str, str] = {}
        self.old_label_names: dict[str, str] = {}

    def decide(self, what: str, label: str, desired: Any, actual: Any, base: Any, shown: tuple[str, str] | None = None) -> str:
        """write | keep | same, with a note for people when the board's value is kept."""
        verdict = three_way(desired, actual, base)
        if verdict == "same":
            return "same"
        if verdict == "update" or (verdict in ("conflict", "unknown") and self.force):
            return "write"
        ref = what.split(" ", 1)[-1]
        board_value, plan_value = shown or (_shown(actual), _shown(desired))
        if verdict == "kept":
            self.out.notes.append(Note("kept", ref, f"{what}: {label} was changed on the board; keeping it"))
        elif verdict == "conflict":
            self.out.notes.append(Note("conflict", ref, f"{what}: {label} changed both in the plan ({plan_value}) and on the board "
                                       f"({board_value}); keeping the board's", "use --force to take the plan's"))
        else:
            self.out.notes.append(Note("conflict", ref, f"{what}: {label} on the board ({board_value}) differs from the plan "
                                       f"({plan_value}) and the state file does not say what apply wrote; keeping the board's",
                                       "use --force to take the plan's, or change the plan to match"))
        return "keep"

    def run(self) -> Diff:
        self.board_changes()
        self.member_changes()
        self.list_changes()
        self.label_changes()
        self.card_changes()
        self.out.changes.sort(key=lambda c: c.phase)
        return self.out

    def board_changes(self) -> None:
        if self.board is None:
            marker = board_marker(self.state.instance, plan_fingerprint(self.plan.source), self.plan.project)
            self.out.changes.append(Change("create", "board", "board", {"name": self.plan.project, "desc": marker}, title=self.plan.project))
            return
        base = self.state.board.get("name", UNKNOWN) if self.state.board_id == self.board.id else UNKNOWN
        fields: dict[str, Any] = {}
        details: list[str] = []
        if self.decide("board", "name", self.plan.project, self.board.name, base) == "write":
            fields["name"] = self.plan.project
            details.append(f"name: {_shown(self.board.name)} → {_shown(self.plan.project)}")
        if board_instance(self.board.desc) is None:  # an adopted board: its marker lets apply find it without the state file
            fields["desc"] = f"{self.board.desc.rstrip()}\n\n{board_marker(self.state.instance, plan_fingerprint(self.plan.source), self.plan.project)}".lstrip()
            details.append("marker added to the description")
        if fields:
            self.out.changes.append(Change("update", "board", "board", fields, self.board.id, {"name": self.board.name},
                                           title=self.plan.project, details=tuple(details),
                                           record={"name": fields["name"]} if "name" in fields else {}))

    def member_changes(self) -> None:
        on_board = {m.username for m in self.board.members} if self.board else {self.creator} - {None}
        for username, member_id in self.members.items():
            self.out.ids[f"member:{username}"] = member_id
        for username in self.plan.members:
            if username not in on_board and username in self.members:
                self.out.changes.append(Change("create", "member", username, {"id": self.members[username], "type": "normal"},
                                               title=f"@{username}", details=("added to the board",)))

    def list_changes(self) -> None:
        names = dict(zip(ROLES, self.plan.lists.ordered()))
        lists = self.board.lists if self.board else ()
        top = max((l.pos for l in lists if not l.closed), default=0.0)
        matched: dict[str, RemoteList | None] = {}
        for role in ROLES:
            recorded = self.state.lists.get(role, {})
            found = next((l for l in lists if l.id == recorded.get("id")), None)
            found = found or next((l for l in lists if not l.closed and l.name == names[role]), None)
            matched[role] = found or next((l for l in lists if not l.closed and l.name.lower() == names[role].lower()), None)
        for role in ROLES:
            if matched[role] is None and not self.state.lists.get(role) and self.board is not None:
                matched[role] = self._renamed_list(role, matched)
        for index, role in enumerate(ROLES):
            recorded = self.state.lists.get(role, {})
            found = matched[role]
            if found is None:
                self.out.changes.append(Change("create", "list", role, {"name": names[role], "pos": top + POS_STEP * (index + 1)},
                                               title=names[role]))
                continue
            self.out.ids[f"list:{role}"] = found.id
            fields: dict[str, Any] = {}
            details: list[str] = []
            base = recorded.get("name", UNKNOWN) if recorded.get("id") == found.id else UNKNOWN
            if self.decide(f"list {role}", "name", names[role], found.name, base) == "write":
                fields["name"] = names[role]
                details.append(f"name: {_shown(found.name)} → {_shown(names[role])}")
            if found.closed:
                fields["closed"] = False
                details.append("reopened")
                self.out.notes.append(Note("reopened", role, f"list {found.name!r} was archived on the board; apply reopens it"))
            if fields:
                self.out.changes.append(Change("update", "list", role, fields, found.id, {"name": found.name, "closed": found.closed},
                                               title=found.name, details=tuple(details),
                                               record={"id": found.id, **({"name": fields.get("name", base)} if "name" in fields or base is not UNKNOWN else {})}))

    def _renamed_list(self, role: str, matched: Mapping[str, RemoteList | None]) -> RemoteList | None:
        """Without the state file, a list of the plan people renamed: the one open list, not matched to another
        role, between its neighbours' lists (apply makes the three in order); None when that is not one list."""
        assert self.board is not None
        index = ROLES.index(role)
        before = matched[ROLES[index - 1]] if index > 0 else None
        after = matched[ROLES[index + 1]] if index + 1 < len(ROLES) else None
        low = before.pos if before is not None else float("-inf")
        high = after.pos if after is not None else float("inf")
        if before is None and after is None:
            return None
        taken = {l.id for l in matched.values() if l is not None}
        between = [l for l in self.board.lists if not l.closed and l.id not in taken and low < l.pos < high]
        if len(between) != 1:
            return None
        self.out.notes.append(Note("kept", f"list {role}", f"list {between[0].name!r} is taken as the plan's "
                                   f"{self.plan.lists.ordered()[index]!r} list: it sits where apply made that list"))
        return between[0]

    def _renamed_label(self, ref: str, taken: set[str]) -> RemoteLabel | None:
        """Without the state file, a week label people renamed: the label most of that week's cards carry and
        the cards of other weeks mostly do not (cards recognised by their markers); None when none stands out."""
        assert self.board is not None
        if not ref.startswith("week:"):
            return None
        week = int(ref.split(":")[1])
        counts: dict[str, list[int]] = {}  # label id -> [cards of this week, cards of other weeks]
        for card in self.board.cards:
            task = self.plan.find_task(card.key) if card.key else None
            if task is None:
                continue
            for label_id in card.label_ids:
                counts.setdefault(label_id, [0, 0])[0 if task.week == week else 1] += 1
        best = [(mine, label_id) for label_id, (mine, others) in counts.items()
                if label_id not in taken and mine > others]
        if len(best) != 1:
            return None
        label = next((l for l in self.board.labels if l.id == best[0][1]), None)
        if label is not None:
            self.out.notes.append(Note("kept", f"label {ref}", f"label {label.name!r} is taken as week {week}'s: "
                                       "that week's cards carry it"))
        return label

    def label_changes(self) -> None:
        labels = self.board.labels if self.board else ()
        refs = label_refs(self.plan)
        matched: dict[str, RemoteLabel | None] = {}
        for ref, (name, _) in refs.items():
            recorded = self.state.labels.get(ref, {})
            matched[ref] = (next((l for l in labels if l.id == recorded.get("id")), None)
                            or next((l for l in labels if l.name == name), None))
        for ref in refs:
            if matched[ref] is None and not self.state.labels.get(ref) and self.board is not None:
                matched[ref] = self._renamed_label(ref, {l.id for l in matched.values() if l is not None})
        for ref, (name, color) in refs.items():
            recorded = self.state.labels.get(ref, {})
            found = matched[ref]
            if found is None:
                self.out.changes.append(Change("create", "label", ref, {"name": name, "color": color}, title=name,
                                               details=(f"colour {color or 'none'}",)))
                continue
            self.out.ids[f"label:{ref}"] = found.id
            fields: dict[str, Any] = {}
            details: list[str] = []
            same = recorded.get("id") == found.id
            for field, want, actual in (("name", name, found.name), ("color", color, found.color)):
                if self.decide(f"label {ref}", field, want, actual, recorded.get(field, UNKNOWN) if same else UNKNOWN) == "write":
                    fields[field] = want
                    details.append(f"{'colour' if field == 'color' else field}: {_shown(actual)} → {_shown(want)}")
            if fields:
                self.out.changes.append(Change("update", "label", ref, fields, found.id, {"name": found.name, "color": found.color},
                                               title=found.name, details=tuple(details), record=fields))

    # -- cards ----------------------------------------------------------------------------------

    def card_week(self, card: RemoteCard) -> int | None:
        weeks = [int(ref.split(":")[1]) for ref in (self.labels_by_id.get(i, "") for i in card.label_ids) if ref.startswith("week:")]
        return weeks[0] if len(weeks) == 1 else None

    def card_changes(self) -> None:
        self.labels_by_id = {self.out.ids[f"label:{ref}"]: ref for ref in label_refs(self.plan) if f"label:{ref}" in self.out.ids}
        on_board = {label.id: label for label in self.board.labels} if self.board else {}
        for ref, record in self.state.labels.items():  # a week label apply made for a week the plan no longer has
            label_id = str(record.get("id", "")) if isinstance(record, dict) else ""
            if ref.startswith("week:") and label_id in on_board and label_id not in self.labels_by_id:
                self.labels_by_id[label_id] = ref
                self.old_label_names[ref] = on_board[label_id].name
        cards = self.board.cards if self.board else ()
        matching = match_cards(self.plan, cards, self.state.cards, self.card_week)
        todo_id = self.out.ids.get("list:todo")
        pos = max((c.pos for c in cards if c.list_id == todo_id), default=0.0)
        created: list[Task] = []
        taken = {card.id for card in matching.cards.values()}
        for task in self.plan.tasks():
            want = desired_card(self.plan, task)
            card = matching.cards.get(task.key)
            record_key = matching.record_keys.get(task.key, task.key)
            recorded = self.state.cards.get(record_key)
            if card is None:
                pos += POS_STEP
                created.append(task)
                self.create_card(task, want, pos, recorded is not None and recorded.get("id") not in taken)
                continue
            if record_key != task.key:
                self.out.renamed[record_key] = task.key
            if task.key in matching.copies:
                self.out.notes.append(Note("duplicate", task.key, f"card {task.key}: {matching.copies[task.key]} copies on the board "
                                           "carry the same key; apply manages only the original"))
            self.out.ids[f"card:{task.key}"] = card.id
            base = recorded if recorded and recorded.get("id") == card.id else None
            if base is None and task.key in self.state.pending:
                base = {**self.state.pending[task.key], "id": card.id}  # apply made it, then died before recording it
            self.out.applied[task.key] = {"id": card.id}
            if card.closed:
                self.out.notes.append(Note("archived", task.key, f"card {task.key} is archived on the board; left alone"))
                continue
            if task.key in matching.by_name:
                self.out.notes.append(Note("adopted", task.key, f"card {task.key}: found by its name, {_shown(card.name)}, as it "
                                           "carries no marker; apply puts the marker back"))
            self.card_fields(task, card, want, base)
            self.checklist(task.key, card, want["checklist"], base)
        self.leftovers(matching.leftovers, created, todo_id)

    def create_card(self, task: Task, want: dict[str, Any], pos: float, recorded: bool) -> None:
        member_ids = [self.members[u] for u in task.members if u in self.members]
        fields = {"name": want["name"], "desc": want["desc"], "due": want["due"], "labels": want["labels"], "pos": pos,
                  "idMembers": member_ids}
        record = {k: want[k] for k in ("name", "desc", "hours", "due", "labels")} | {"members": member_ids}
        self.out.changes.append(Change("create", "card", task.key, fields, title=task.name, record=record,
                                       details=(f"week {task.week}",)))
        if recorded:
            self.out.notes.append(Note("recreated", task.key, f"card {task.key} was deleted on the board; apply creates it again"))
        if want["checklist"]:
            self.out.changes.append(Change("create", "checklist", task.key, {"name": CHECKLIST_NAME, "add": want["checklist"], "remove": []},
                                           title=task.name, details=(f"{len(want['checklist'])} items",)))

    def card_fields(self, task: Task, card: RemoteCard, want: dict[str, Any], base: dict[str, Any] | None) -> None:
        key = task.key
        what = f"card {key}"
        fields: dict[str, Any] = {}
        details: list[str] = []
        now: dict[str, Any] = {}  # what to record now; a written value is recorded once its write succeeded
        after: dict[str, Any] = {}

        def settle(name: str, verdict: str, desired: Any, base_value: Any) -> None:
            now[name] = desired if verdict == "same" else base_value
            after[name] = desired if verdict in ("same", "write") else base_value

        known = base or {}
        verdict = self.decide(what, "name", want["name"], card.name, known.get("name", UNKNOWN))
        if verdict == "write":
            fields["name"] = want["name"]
            details.append(f"name: {_shown(card.name)} → {_shown(want['name'])}")
        settle("name", verdict, want["name"], known.get("name", UNKNOWN))

        text = split_desc(card.desc)
        marker = text.key if text.key and (text.key == key or (task.slug is not None and key_stem(text.key) == task.slug)) else key
        base_body = split_desc(known["desc"]).body if "desc" in known else UNKNOWN
        body = self.decide(what, "description", want["body"], text.body, base_body, ("its text", "the plan's text"))
        hours = self.decide(what, "hours", want["hours"], text.hours, known.get("hours", UNKNOWN))
        settle("body", body, want["body"], base_body)
        settle("hours", hours, want["hours"], known.get("hours", UNKNOWN))
        if "write" in (body, hours) or text.key != marker:
            if text.key is None:
                details.append(f"key: (none) → {marker}")
            elif text.key != marker:
                details.append(f"key: {text.key} → {marker}")
            fields["desc"] = (compose_desc(want["body"], want["hours"] if hours == "write" else text.hours, marker) if body == "write"
                              else retrail(card.desc, want["hours"] if hours == "write" else None, marker))
            if hours == "write":
                details.append(f"hours: {_shown(text.hours)} → {_shown(want['hours'])}")
            if body == "write":
                details.append("description")
                details.extend(text_diff(text.body, want["body"]) or ["      (spaces only)"])

        actual_due = format_date(card.due) if card.due else None
        verdict = self.decide(what, "due date", want["due"], actual_due, known.get("due", UNKNOWN),
                              (self.when(actual_due), self.when(want["due"])))
        if verdict == "write":
            fields["due"] = want["due"]
            details.append(f"due: {self.when(actual_due)} → {self.when(want['due'])}")
        settle("due", verdict, want["due"], known.get("due", UNKNOWN))

        managed = sorted(self.labels_by_id[label] for label in card.label_ids if label in self.labels_by_id)
        base_labels = sorted(known["labels"]) if "labels" in known else UNKNOWN
        verdict = self.decide(what, "week label", sorted(want["labels"]), managed, base_labels,
                              (self.label_names(managed), self.label_names(want["labels"])))
        if verdict == "write":
            fields["labels"] = want["labels"]
            fields["keep_label_ids"] = [label for label in card.label_ids if label not in self.labels_by_id]
            details.append(f"labels: {self.label_names(managed)} → {self.label_names(want['labels'])}")
        settle("labels", verdict, want["labels"], base_labels)

        self.card_members(task, card, base, fields, details, now, after)
        record_now = self.out.applied[key]
        for name in ("name", "hours", "due", "labels", "members"):
            if name in now and now[name] is not UNKNOWN:
                record_now[name] = now[name]
        if now["body"] is not UNKNOWN:
            record_now["desc"] = compose_desc(now["body"], None, marker)
        if fields:
            record = {name: value for name, value in after.items() if value is not UNKNOWN and name != "body"}
            if after["body"] is not UNKNOWN:
                record["desc"] = compose_desc(after["body"], None, marker)
            self.out.changes.append(Change("update", "card", key, fields, card.id, {"name": card.name, "desc": card.desc, "due": actual_due},
                                           title=card.name, details=tuple(details), record=record))

    def card_members(self, task: Task, card: RemoteCard, base: dict[str, Any] | None, fields: dict[str, Any],
                     details: list[str], now: dict[str, Any], after: dict[str, Any]) -> None:
        """The task's members on the card: added unless a person removed them; those people added stay."""
        wanted = [self.members[u] for u in task.members if u in self.members]
        before = base.get("members") if base else None
        names = {member_id: username for username, member_id in self.members.items()}
        actual = list(card.member_ids)
        if before is None and any(m not in actual for m in wanted) and not self.force:  # apply never recorded them
            missing = ", ".join(f"@{names.get(m, m)}" for m in wanted if m not in actual)
            self.out.notes.append(Note("conflict", task.key, f"card {task.key}: the plan assigns {missing}, not on the card, and the "
                                       "state file does not say what apply wrote; keeping the card's members",
                                       "use --force to add them"))
            return
        add = [m for m in wanted if m not in actual and (before is None or m not in before)]
        remove = [m for m in (before or []) if m not in wanted and m in actual]
        for member_id in wanted:
            if before is not None and member_id in before and member_id not in actual:
                self.out.notes.append(Note("kept", task.key, f"card {task.key}: @{names.get(member_id, member_id)} was taken off "
                                           "the card on the board; keeping it off"))
        now["members"] = before if add or remove else wanted
        after["members"] = wanted
        if add or remove:
            fields["idMembers"] = [m for m in actual if m not in remove] + add
            change = [f"+@{names.get(m, m)}" for m in add] + [f"-@{names.get(m, m)}" for m in remove]
            details.append(f"members: {' '.join(change)}")

    def when(self, due: str | None) -> str:
        if not due:
            return "none"
        moment: datetime = parse_date(due).astimezone(self.plan.tzinfo)
        return moment.strftime("%a %Y-%m-%d %H:%M")

    def label_names(self, refs: list[str]) -> str:
        names = label_refs(self.plan)
        return ", ".join(names[ref][0] if ref in names else self.old_label_names.get(ref, ref) for ref in sorted(refs)) or "none"

    def checklist(self, key: str, card: RemoteCard, wanted: list[str], base: dict[str, Any] | None) -> None:
        recorded_id = (base or {}).get("checklist_id")
        checklist: RemoteChecklist | None = next((c for c in card.checklists if c.id == recorded_id), None) or next(
            (c for c in card.checklists if c.name == CHECKLIST_NAME), None)
        actual = [item.name for item in checklist.items] if checklist else []
        before = base.get("checklist") if base else None
        if base is None and any(item not in actual for item in wanted) and not self.force:
            self.out.notes.append(Note("conflict", key, f"card {key}: the checklist on the board lacks items of the plan, and the state "
                                       "file does not say what apply wrote; keeping the card's checklist", "use --force to add them"))
            if checklist is not None:
                self.out.applied[key]["checklist_id"] = checklist.id
            return
        add = [item for item in wanted if item not in actual and (before is None or item not in before)]
        remove = [item for item in (checklist.items if checklist else ()) if before is not None and item.name in before and item.name not in wanted]
        if before is not None:
            for item in wanted:
                if item in before and item not in actual:
                    self.out.notes.append(Note("kept", key, f"card {key}: checklist item {item!r} was removed on the board; keeping it removed"))
        recorded = before if add or remove else wanted
        if recorded is not None:
            self.out.applied[key]["checklist"] = recorded
        if checklist is not None:
            self.out.applied[key]["checklist_id"] = checklist.id
        if add or remove:
            top = max((item.pos for item in checklist.items), default=0.0) if checklist else 0.0
            details = tuple([f"+ {_shown(item)}" for item in add] + [f"- {_shown(item.name)}" for item in remove])
            self.out.changes.append(Change("update" if checklist else "create", "checklist", key,
                                           {"name": CHECKLIST_NAME, "add": add, "remove": [item.id for item in remove], "pos": top},
                                           checklist.id if checklist else None, title=card.name,
                                           details=tuple(f"      {line}" for line in details)))

    def leftovers(self, leftovers: list[tuple[str, RemoteCard]], created: list[Task], todo_id: str | None) -> None:
        """Cards of tasks no longer in the plan: likely renames, then prune or say so."""
        open_cards = [(key, card) for key, card in leftovers if not card.closed]
        renames = {card.id: task for task, _, card in guess_renames(created, open_cards, self.card_week)}
        for key, card in open_cards:
            where = self.board.list(card.list_id) if self.board else None
            in_list = f"in {where.name!r}" if where else "in no list apply knows"
            task = renames.get(card.id)
            if task is not None:
                line = self.plan.where(task)
                self.out.notes.append(Note("renamed", key, f"task {task.name!r} looks like a rename of card {key} ({card.name!r}, {in_list})",
                                           f"to keep that card, add `key: {key}` to the task ({line}); otherwise apply "
                                           "creates a new card and the old one is no longer in the plan"))
            if not self.prune and task is not None:
                continue
            moved = card.list_id != todo_id
            if not self.prune:
                self.out.notes.append(Note("removed", key, f"card {key} ({card.name!r}, {in_list}) is no longer in the plan",
                                           "archive or delete it on Trello, or run apply with --prune"
                                           + (" and confirm (a person moved it out of To Do)" if moved else "")))
                continue
            guarded = ""
            if not self.force and moved:
                guarded = f"a person moved it to {where.name!r}" if where else "a person moved it out of To Do"
            self.out.changes.append(Change("archive", "card", key, {"closed": True}, card.id, {"name": card.name},
                                           title=card.name, details=(in_list,), guarded=guarded))


def diff_plan(plan: Plan, board: BoardState | None, state: PlanState, *, prune: bool = False, force: bool = False,
              members: Mapping[str, str] | None = None, creator: str | None = None) -> Diff:
    """The changes that would make ``board`` match ``plan``, given what apply wrote last (``state``).

    Pure: reads nothing, writes nothing. ``board`` is None when the board does
    not exist yet; ``members`` maps the plan's usernames to Trello member ids;
    ``creator`` is the username of who creates a new board (its admin already,
    so never added again as a normal member).
    """
    return _Differ(plan, board, state, prune, force, members or {}, creator).run()
