"""Plan → board: read the board, diff, and make the writes, concurrently and safely.

Writes go out phase by phase (board; lists and labels; cards; checklists),
each phase concurrently up to what the rate limit allows. The state file is
saved before the board is created and after every phase, and every card
carries its task key, so a run that dies at any point, or a write whose
outcome is unknown, is reconciled by reading the board again and diffing
anew: nothing is created twice.

Without a state file (never applied, or lost), apply looks for the plan's
board among the member's open boards (one request): the board whose marker
carries the state's instance, else the one trelloplan board named like the
project and made from a plan file of the same folder and name
(:func:`.remote.find_plan_board`). Its cards are then recognised by their
markers; what apply wrote last is unknown, so every difference is a conflict
(:mod:`.diff`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from trello.board import Board
from trello.label import Label
from trello.member import Member
from trello.trellolist import List

from ..client import OutcomeUnknown, Trello, WriteDeadlineExceeded
from ..client.access import require_write_access
from ..errors import AuthError, BadRequest, BoardError, BoardNotFound, NotFound, TransportFailed, UsageError
from ..plan.model import Plan
from .changes import Note
from .diff import POS_STEP, Change, Diff, diff_plan, label_refs
from .remote import BoardState, Found, board_instance, complete_labels, find_plan_board, plan_fingerprint, read_board
from .resolve import parse_board_ref
from .state import PlanState
from .workspace import refused_board, resolve_workspace

__all__ = ["ApplyResult", "apply_plan", "plan_changes"]

log = logging.getLogger("trelloplan.board.apply")
MAX_STALLED = 8  # rounds in a row in which writes of unknown outcome left as much to do as before
MAX_ROUNDS = 40
Progress = Callable[[Change, int, int], None]


@dataclass
class ApplyResult:
    """What an apply did."""

    board_id: str
    board_url: str
    diff: Diff
    writes: int = 0
    reconciled: int = 0
    seconds: float = 0.0
    requests: dict[str, int] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        return {"board": {"id": self.board_id, "url": self.board_url}, "counts": self.diff.counts(),
                "writes": self.writes, "reconciled": self.reconciled, "seconds": round(self.seconds, 3),
                "requests": self.requests, "notes": [n.data() for n in self.diff.notes]}


def locate_board(trello: Trello, plan: Plan, state: PlanState, board_ref: str | None) -> tuple[BoardState | None, str, Found]:
    """The plan's board (None: there is none yet), how it was found ("given", "recorded", "marker" or "new"),
    and what the search of the member's boards found."""
    ref = parse_board_ref(board_ref) if board_ref is not None else None
    if state.api_url and state.api_url != trello.api_url and ref is None:
        raise BoardError(f"the state file {state.path} belongs to a board on {state.api_url}, not on {trello.api_url}",
                         hint="set TRELLO_API_URL to the server the board lives on, or pass --state NEW.json to start a new board")
    found = Found(None)
    if ref is not None:
        board, how = read_board(trello, ref), "given"
        if state.board_id and board.id != state.board_id.lower():  # --board may be a short link or URL: compare ids
            raise BoardError(f"the state file {state.path} records board {state.board_id}, not {board.id}",
                             hint="drop --board to use the recorded board, or pass --state NEW.json to adopt the other one")
    elif state.board_id:
        try:
            board, how = read_board(trello, state.board_id, where=f" (recorded in {state.path})"), "recorded"
        except BoardNotFound as error:
            error.hint = "the board was deleted or this token cannot see it; pass --board to use another, or --state NEW.json to create a new board"
            raise
    else:
        found = find_plan_board(trello, state.instance, plan.project, plan_fingerprint(plan.source), by_name=not state.known_instance)
        if found.board_id is None:
            return None, "new", found
        board, how = read_board(trello, found.board_id), "marker"
    if board.closed:
        raise BoardError(f"board {board.name!r} ({board.id}) is archived on Trello",
                         hint="reopen it in Trello (Menu → More → Closed boards), or pass --state NEW.json to create a new board")
    recorded_labels = {str(info.get("id")) for info in state.labels.values() if isinstance(info, dict) and info.get("id")}
    return complete_labels(trello, board, recorded_labels), how, found


def lookup_members(trello: Trello, plan: Plan, board: BoardState | None) -> tuple[dict[str, str], str | None]:
    """Trello member ids of the plan's usernames, and (for a new board) the username of the token's
    member, who creates it. A username Trello does not know, or a task member who is neither on
    the board nor in the plan's ``members:``, is an error before any write."""
    assigned = {u: task for task in plan.tasks() for u in task.members}
    if not plan.members and not assigned:
        return {}, None
    known = {m.username: m.id for m in board.members} if board else {}
    creator = None
    if board is None:
        me = trello.me()
        creator = str(me.get("username", "")).lower()
        known[creator] = str(me["id"])
    for username, task in sorted(assigned.items()):
        if username not in known and username not in plan.members:
            raise UsageError(f"{plan.where(task)}: task {task.name!r} assigns @{username}, who is not a member of the board",
                             hint=f"add `{username}` to the plan's top-level `members:` (apply adds them to the board), or invite them on Trello")
    for username in plan.members:
        if username in known:
            continue
        try:
            member = trello.get(f"/members/{username}", {"fields": "id,username"})
        except NotFound:
            raise UsageError(f"{plan.member_where(username)}: `{username}` in members is not a Trello username",
                             hint="check the spelling against the person's Trello profile (trello.com/u/USERNAME)") from None
        known[username] = str(member["id"])
    return {u: known[u] for u in set(plan.members) | set(assigned) if u in known}, creator


def plan_changes(trello: Trello, plan: Plan, state: PlanState, *, board_id: str | None = None,
                 prune: bool = False, force: bool = False, workspace: str | None = None) -> tuple[Diff, BoardState | None]:
    """The changes apply would make. Read-only: one request to read the board, one more to find it
    when there is no state file, one per plan member not on the board yet, and, when the board is
    new, one to choose its workspace (``workspace``, else the plan's, else the member's only one).

    ``board_id`` is ``--board``: an id, short link or URL (empty is an error).
    """
    board, how, found = locate_board(trello, plan, state, board_id)
    members, creator = lookup_members(trello, plan, board)
    diff = diff_plan(plan, board, state, prune=prune, force=force, members=members, creator=creator)
    if board is None:
        chosen = resolve_workspace(trello, workspace if workspace is not None else plan.workspace)
        diff.place_new_board(chosen)
    if how == "marker" and board is not None:
        diff.notes.insert(0, Note("adopted", "board", f"no board in the state file: using board {board.name!r} ({board.id}), which "
                                  "carries this plan's marker; cards are recognised by their markers"))
    for other_id, url in found.others:
        diff.notes.insert(0, Note("other", "board", f"board {plan.project!r} ({other_id}, {url}) was made from another plan file; "
                                  "not using it", "pass --board to use it (if this plan's state file was lost after a move)"))
    return diff, board


class _Executor:
    def __init__(self, trello: Trello, plan: Plan, state: PlanState, diff: Diff, board: BoardState | None,
                 prune: bool, force: bool, workers: int, progress: Progress | None, archive_guarded: bool,
                 members: dict[str, str]) -> None:
        self.trello, self.plan, self.state = trello, plan, state
        self.prune, self.force, self.workers, self.progress = prune, force, workers, progress
        self.archive_guarded, self.members = archive_guarded, members
        self.diff, self.board = diff, board
        self.workspace = diff.workspace
        self.ids = dict(diff.ids)
        self.lock = threading.Lock()
        self.writes = 0
        self.reconciled = 0
        self.done = 0
        self.total = diff.writes
        self.too_slow: WriteDeadlineExceeded | None = None  # a write the server did not answer within the deadline

    # -- the loop ---------------------------------------------------------------------------------

    def run(self) -> None:
        self.record_matched(self.diff)
        for phase in range(4):
            pending = [c for c in self.diff.changes if c.phase == phase]
            rounds = stalled = 0
            while pending:  # each round writes what the last reading of the board says is still to do
                if stalled == MAX_STALLED or rounds == MAX_ROUNDS:
                    raise TransportFailed(f"apply could not confirm {len(pending)} write{'s' if len(pending) != 1 else ''} after {rounds} attempts",
                                          hint="check the connection to Trello and run apply again; nothing is duplicated by re-running")
                rounds += 1
                self.mark_pending(pending)
                uncertain = self.execute_all(pending)
                self.state.save()
                if self.too_slow is not None:  # re-reading and writing again would only wait as long once more
                    raise self.too_slow
                if not uncertain:
                    break
                self.reconciled += len(uncertain)
                log.info("apply: %d writes may or may not have happened; reading the board again", len(uncertain))
                before = sum(c.writes for c in pending)
                pending = [c for c in self.rediff().changes if c.phase == phase]
                stalled = stalled + 1 if sum(c.writes for c in pending) >= before else 0

    def execute_all(self, changes: list[Change]) -> list[Change]:
        uncertain: list[Change] = []

        def one(change: Change) -> None:
            if self.too_slow is not None:
                return
            try:
                self.execute(change)
            except OutcomeUnknown as error:
                with self.lock:
                    uncertain.append(change)
                    if isinstance(error, WriteDeadlineExceeded) and self.too_slow is None:
                        self.too_slow = error

        if len(changes) == 1 or self.workers <= 1:
            for change in changes:
                one(change)
        else:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                for future in [pool.submit(one, change) for change in changes]:
                    future.result()
        return uncertain

    def rediff(self) -> Diff:
        if self.state.board_id is None:
            found = find_plan_board(self.trello, self.state.instance, self.plan.project, "", by_name=False).board_id
            if found:
                self.record_board(found, "")
        self.board = read_board(self.trello, self.state.board_id) if self.state.board_id else None
        diff = diff_plan(self.plan, self.board, self.state, prune=self.prune, force=self.force, members=self.members)
        if self.board is None:  # the board's creation went unconfirmed and it is not there: it goes where it was to go
            diff.place_new_board(self.workspace)
        if not self.archive_guarded:
            diff = diff.without_guarded()
        self.ids.update(diff.ids)
        self.record_matched(diff)
        return diff

    def wrote(self, change: Change, count: int = 1) -> None:
        with self.lock:
            self.writes += count
            self.done += count
            done = self.done
        log.info("apply: %s", change)
        if self.progress:
            self.progress(change, done, max(self.total, done))

    # -- state records ----------------------------------------------------------------------------

    def record_matched(self, diff: Diff) -> None:
        with self.lock:
            # a card found under another key (its other form, or a demo's old week): filed under the task's, all at
            # once, since a week inserted moves every later demo's record one key on
            moved = {new: self.state.cards[old] for old, new in diff.renamed.items() if old in self.state.cards}
            for old in diff.renamed:
                self.state.cards.pop(old, None)
            self.state.cards.update(moved)
            for key, applied in diff.applied.items():
                record = self.state.cards.setdefault(key, {})
                if record.get("id") != applied["id"]:
                    record.clear()
                record.update(applied)
                for other in [k for k, r in self.state.cards.items() if k != key and r.get("id") == applied["id"]]:
                    del self.state.cards[other]

    def mark_pending(self, changes: list[Change]) -> None:
        creates = {c.ref: dict(c.record) for c in changes if c.kind == "card" and c.action == "create"}
        if creates:
            self.state.pending.update(creates)
            self.state.save()

    def record_board(self, board_id: str, url: str) -> None:
        self.state.board_id, self.state.board_url = board_id, url or self.state.board_url
        self.state.api_url = self.trello.api_url
        self.state.board = {"name": self.plan.project}
        self.state.save()

    # -- one change ----------------------------------------------------------------------------

    def execute(self, change: Change) -> None:
        getattr(self, f"{change.action}_{change.kind}")(change)

    def create_board(self, change: Change) -> None:
        self.state.api_url = self.trello.api_url
        self.state.save()  # the instance marker must be on disk before the board can exist
        body = {"name": change.fields["name"], "desc": change.fields["desc"], "defaultLists": False,
                "defaultLabels": False, "prefs_permissionLevel": "private"}
        workspace = self.workspace
        try:
            data = self.trello.post("/boards", {**body, **({"idOrganization": workspace.id} if workspace else {})})
        except (AuthError, BadRequest) as error:
            raise refused_board(error, workspace, change.fields["name"]) from None
        self.record_board(data["id"], data.get("url", ""))
        self.wrote(change)

    def update_board(self, change: Change) -> None:
        self.trello.put(f"/boards/{change.id}", dict(change.fields))
        self.state.board.update(change.record)
        self.wrote(change)

    def create_member(self, change: Change) -> None:
        self.trello.put(f"/boards/{self.state.board_id}/members/{change.fields['id']}", {"type": change.fields["type"]})
        self.wrote(change)

    def py_board(self) -> Board:
        return Board(client=self.trello.py, board_id=self.state.board_id)

    def create_list(self, change: Change) -> None:
        created = self.py_board().add_list(change.fields["name"], change.fields["pos"])
        with self.lock:
            self.ids[f"list:{change.ref}"] = created.id
            self.state.lists[change.ref] = {"id": created.id, "name": change.fields["name"]}
        self.wrote(change)

    def update_list(self, change: Change) -> None:
        self.trello.put(f"/lists/{change.id}", dict(change.fields))
        with self.lock:
            self.state.lists[change.ref] = dict(change.record)
        self.wrote(change)

    def create_label(self, change: Change) -> None:
        created = self.py_board().add_label(change.fields["name"], change.fields["color"])
        with self.lock:
            self.ids[f"label:{change.ref}"] = created.id
            self.state.labels[change.ref] = {"id": created.id, **change.fields}
        self.wrote(change)

    def update_label(self, change: Change) -> None:
        self.trello.put(f"/labels/{change.id}", dict(change.fields))
        with self.lock:
            self.state.labels.setdefault(change.ref, {"id": change.id}).update(change.record)
        self.wrote(change)

    def label_ids(self, refs: list[str]) -> list[str]:
        return [self.ids[f"label:{ref}"] for ref in refs]

    def create_card(self, change: Change) -> None:
        fields = change.fields
        todo = List(self.py_board(), self.ids["list:todo"])
        labels = [Label(self.trello.py, label_id, "") for label_id in self.label_ids(fields["labels"])]
        assign = [Member(self.trello.py, member_id) for member_id in fields["idMembers"]]
        card = todo.add_card(fields["name"], desc=fields["desc"], labels=labels, due=fields["due"], position=fields["pos"],
                             assign=assign or None)
        with self.lock:
            self.ids[f"card:{change.ref}"] = card.id
            self.state.cards[change.ref] = {"id": card.id, **change.record}
            self.state.pending.pop(change.ref, None)
        self.wrote(change)

    def update_card(self, change: Change) -> None:
        body: dict[str, Any] = {name: change.fields[name] for name in ("name", "desc", "due") if name in change.fields}
        if "labels" in change.fields:
            body["idLabels"] = ",".join(list(change.fields["keep_label_ids"]) + self.label_ids(change.fields["labels"]))
        if "idMembers" in change.fields:
            body["idMembers"] = ",".join(change.fields["idMembers"])
        self.trello.put(f"/cards/{change.id}", body)
        with self.lock:
            record = self.state.cards.setdefault(change.ref, {"id": change.id})
            record.update(change.record)
        self.wrote(change)

    def archive_card(self, change: Change) -> None:
        self.trello.put(f"/cards/{change.id}", {"closed": True})
        with self.lock:
            if (self.state.cards.get(change.ref) or {}).get("id") in (change.id, None):  # not a demo's that moved in
                self.state.cards.pop(change.ref, None)
        self.wrote(change)

    def create_checklist(self, change: Change) -> None:
        card_id = self.ids[f"card:{change.ref}"]
        checklist = self.trello.post(f"/cards/{card_id}/checklists", {"name": change.fields["name"], "pos": "bottom"})
        with self.lock:
            self.state.cards[change.ref]["checklist_id"] = checklist["id"]
        self.wrote(change)
        self.sync_items(change, checklist["id"])

    def update_checklist(self, change: Change) -> None:
        assert change.id is not None
        self.sync_items(change, change.id)

    def sync_items(self, change: Change, checklist_id: str) -> None:
        top = float(change.fields.get("pos", 0))
        for index, name in enumerate(change.fields["add"]):
            self.trello.post(f"/checklists/{checklist_id}/checkItems", {"name": name, "pos": top + POS_STEP * (index + 1), "checked": False})
            self.wrote(change)
        for item_id in change.fields["remove"]:
            self.trello.delete(f"/checklists/{checklist_id}/checkItems/{item_id}")
            self.wrote(change)
        with self.lock:
            record = self.state.cards[change.ref]
            record["checklist_id"] = checklist_id
            record["checklist"] = list(self.plan.task(change.ref).checklist)


def apply_plan(trello: Trello, plan: Plan, state: PlanState, *, board_id: str | None = None, prune: bool = False,
               force: bool = False, workers: int = 8, progress: Progress | None = None,
               diff: tuple[Diff, BoardState | None] | None = None, archive_guarded: bool = False,
               workspace: str | None = None) -> ApplyResult:
    """Make the board match the plan, and record what was done in ``state``.

    ``diff`` is the result of :func:`plan_changes` when the caller has shown it
    already (it is computed otherwise; ``workspace`` is passed on to it). Guarded
    archives (with ``prune``: cards people moved out of To Do) are made only when
    ``archive_guarded`` says the user confirmed them, or with ``force``.
    Before its first write, apply checks that the token may write
    (:class:`~trelloplan.errors.ReadOnlyToken` otherwise).
    A second apply with an unchanged plan makes no writes.
    """
    started = time.monotonic()
    before = trello.stats.as_dict()
    changes, board = diff or plan_changes(trello, plan, state, board_id=board_id, prune=prune, force=force, workspace=workspace)
    if not changes.empty:
        require_write_access(trello)
    if not archive_guarded and not force:
        changes = changes.without_guarded()
    if board is not None and state.board_id != board.id:
        state.board_id, state.board_url, state.api_url = board.id, board.url, trello.api_url
        state.instance, state.known_instance = board_instance(board.desc) or state.instance, True
    members = {key.split(":", 1)[1]: member_id for key, member_id in changes.ids.items() if key.startswith("member:")}
    executor = _Executor(trello, plan, state, changes, board, prune, force, workers, progress, archive_guarded or force, members)
    executor.run()
    with executor.lock:
        for role in ("todo", "in_progress", "done"):
            if f"list:{role}" in executor.ids:
                state.lists.setdefault(role, {"id": executor.ids[f"list:{role}"], "name": getattr(plan.lists, role)})
        for ref in label_refs(plan):  # found without the state file: known from now on, as a week may leave the plan
            if f"label:{ref}" in executor.ids:
                state.labels.setdefault(ref, {"id": executor.ids[f"label:{ref}"]})
        state.board.setdefault("name", plan.project)
        state.api_url = trello.api_url
        state.pending.clear()
    state.save()
    after = trello.stats.as_dict()
    assert state.board_id is not None
    return ApplyResult(
        board_id=state.board_id, board_url=state.board_url or "", diff=changes, writes=executor.writes,
        reconciled=executor.reconciled, seconds=time.monotonic() - started,
        requests={name: after[name] - before[name] for name in after},
    )
