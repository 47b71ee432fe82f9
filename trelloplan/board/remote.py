"""A board as it is on Trello: lists, labels, members, cards and checklists, read in one request.

Trello nests at most 1,000 labels in a board read (``labels_limit``; its own
limit is 1,000 labels per board). Each card also carries its labels in full,
so a label on any card is known however many labels the board has; on a
board whose label read came back full, :func:`complete_labels` asks for the
few recorded labels still unseen by id.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from datetime import datetime
from typing import Any, Protocol

from ..dates import parse_date
from ..errors import BoardError, NotFound
from .markers import card_key
from .resolve import board_not_found, parse_board_ref

__all__ = [
    "BoardState",
    "RemoteCard",
    "RemoteCheckItem",
    "RemoteChecklist",
    "RemoteLabel",
    "RemoteList",
    "RemoteMember",
    "Found",
    "board_fingerprint",
    "board_project",
    "board_instance",
    "complete_labels",
    "find_plan_board",
    "parse_due",
    "plan_fingerprint",
    "project_digest",
    "read_board",
]

BOARD_MARKER = "trelloplan-board:"
LABELS_LIMIT = 1000
_BOARD_MARKER = re.compile(r"^trelloplan-board:[ \t]*(\S+)(?:[ \t]+plan=([0-9a-f]+))?(?:[ \t]+project=([0-9a-f]+))?[ \t]*$",
                           re.MULTILINE)


class Getter(Protocol):
    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any: ...


def parse_due(value: str | None) -> datetime | None:
    return parse_date(value) if value else None


@dataclass(frozen=True)
class RemoteList:
    id: str
    name: str
    closed: bool
    pos: float


@dataclass(frozen=True)
class RemoteLabel:
    id: str
    name: str
    color: str | None


@dataclass(frozen=True)
class RemoteMember:
    id: str
    username: str


@dataclass(frozen=True)
class RemoteCheckItem:
    id: str
    name: str
    state: str
    pos: float


@dataclass(frozen=True)
class RemoteChecklist:
    id: str
    name: str
    card_id: str
    pos: float
    items: tuple[RemoteCheckItem, ...]


@dataclass(frozen=True)
class RemoteCard:
    id: str
    name: str
    desc: str
    due: datetime | None
    list_id: str
    label_ids: tuple[str, ...]
    closed: bool
    pos: float
    checklists: tuple[RemoteChecklist, ...] = ()
    member_ids: tuple[str, ...] = ()

    @property
    def key(self) -> str | None:
        return card_key(self.desc)


@dataclass(frozen=True)
class BoardState:
    """Everything apply needs to know about a board, as plain values."""

    id: str
    name: str
    desc: str
    closed: bool
    url: str
    lists: tuple[RemoteList, ...]
    labels: tuple[RemoteLabel, ...]
    cards: tuple[RemoteCard, ...]
    members: tuple[RemoteMember, ...] = ()
    labels_complete: bool = True  # False when the label read came back full: there may be more

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BoardState:
        checklists: dict[str, list[RemoteChecklist]] = {}
        for item in data.get("checklists") or []:
            items = tuple(sorted(
                (RemoteCheckItem(i["id"], i.get("name") or "", i.get("state") or "incomplete", float(i.get("pos") or 0))
                 for i in item.get("checkItems") or []),
                key=lambda i: i.pos,
            ))
            checklist = RemoteChecklist(item["id"], item.get("name") or "", item.get("idCard") or "", float(item.get("pos") or 0), items)
            checklists.setdefault(checklist.card_id, []).append(checklist)
        cards = tuple(
            RemoteCard(
                id=c["id"], name=c.get("name") or "", desc=c.get("desc") or "", due=parse_due(c.get("due")),
                list_id=c.get("idList") or "", label_ids=tuple(c.get("idLabels") or ()), closed=bool(c.get("closed")),
                pos=float(c.get("pos") or 0), checklists=tuple(sorted(checklists.get(c["id"], []), key=lambda cl: cl.pos)),
                member_ids=tuple(c.get("idMembers") or ()),
            )
            for c in data.get("cards") or []
        )
        nested = data.get("labels") or []
        labels = {l["id"]: RemoteLabel(l["id"], l.get("name") or "", l.get("color")) for l in nested}
        for card in data.get("cards") or []:
            for l in card.get("labels") or []:
                if isinstance(l, dict) and l.get("id") and l["id"] not in labels:
                    labels[l["id"]] = RemoteLabel(l["id"], l.get("name") or "", l.get("color"))
        return cls(
            id=data["id"], name=data.get("name") or "", desc=data.get("desc") or "", closed=bool(data.get("closed")),
            url=data.get("url") or "",
            lists=tuple(RemoteList(l["id"], l.get("name") or "", bool(l.get("closed")), float(l.get("pos") or 0)) for l in data.get("lists") or []),
            labels=tuple(labels.values()), cards=cards,
            members=tuple(RemoteMember(m["id"], (m.get("username") or "").lower()) for m in data.get("members") or [] if m.get("id")),
            labels_complete=len(nested) < LABELS_LIMIT,
        )

    def list(self, list_id: str) -> RemoteList | None:
        return next((item for item in self.lists if item.id == list_id), None)

    def label(self, label_id: str) -> RemoteLabel | None:
        return next((item for item in self.labels if item.id == label_id), None)

    def card(self, card_id: str) -> RemoteCard | None:
        return next((item for item in self.cards if item.id == card_id), None)


BOARD_QUERY = {
    "fields": "name,desc,closed,url,shortLink",
    "lists": "all",
    "list_fields": "name,closed,pos",
    "labels": "all",
    "label_fields": "name,color",
    "labels_limit": LABELS_LIMIT,
    "members": "all",
    "member_fields": "username",
    "cards": "all",
    "card_fields": "name,desc,due,idList,idLabels,labels,idMembers,closed,pos",
    "checklists": "all",
}


def read_board(trello: Getter, board_ref: str, *, where: str = "") -> BoardState:
    """The board's lists, labels, members, cards (archived too) and checklists, in one request.

    ``board_ref`` is an id, short link or URL; ``where`` says where it came
    from, for the error (" (recorded in plan.state.json)"). Read-only.

    :raises BoardNotFound: when there is no such board.
    """
    ref = parse_board_ref(board_ref)
    try:
        data = trello.get(f"/boards/{ref}", BOARD_QUERY)
    except NotFound:
        raise board_not_found(ref, where) from None
    return BoardState.from_json(data)


def complete_labels(trello: Getter, board: BoardState, label_ids: set[str]) -> BoardState:
    """``board`` with the labels of ``label_ids`` it does not show yet, read by id (only after a full label read)."""
    if board.labels_complete:
        return board
    seen = {label.id for label in board.labels}
    found = []
    for label_id in sorted(label_ids - seen):
        try:
            data = trello.get(f"/labels/{label_id}", {"fields": "name,color,idBoard"})
        except NotFound:
            continue
        if isinstance(data, dict) and data.get("idBoard") in (None, board.id):
            found.append(RemoteLabel(label_id, data.get("name") or "", data.get("color")))
    return replace(board, labels=board.labels + tuple(found)) if found else board


def plan_fingerprint(source: str | None) -> str:
    """A short digest of the plan file's folder and name (``team-a/plan.yaml``), or "" for a plan without a file.

    It tells the boards of one plan applied from several folders apart (one per
    team) and stays the same when the project is cloned or moved elsewhere.
    """
    if not source:
        return ""
    path = Path(os.path.abspath(source))
    return hashlib.sha256(f"{path.parent.name}/{path.name}".encode()).hexdigest()[:12]


def project_digest(project: str) -> str:
    """A short digest of the name a board was made with (the plan's project, a cohort team's board name)."""
    return hashlib.sha256(project.encode("utf-8")).hexdigest()[:12]


def board_marker(instance: str, fingerprint: str = "", project: str = "") -> str:
    """The board description's marker line: the plan instance, the digest of the plan file's path, and the
    digest of the board's name when it was made, so that a board people renamed is still found without the
    state file (and a cohort's other boards, made from the same plan file under other names, are not)."""
    return (f"{BOARD_MARKER} {instance}" + (f" plan={fingerprint}" if fingerprint else "")
            + (f" project={project_digest(project)}" if project else ""))


def board_instance(desc: str) -> str | None:
    """The plan instance in a board description's marker, if it has one."""
    match = _BOARD_MARKER.search(desc or "")
    return match.group(1) if match else None


def board_fingerprint(desc: str) -> str:
    match = _BOARD_MARKER.search(desc or "")
    return (match.group(2) or "") if match else ""


def board_project(desc: str) -> str:
    """The digest of the name the board was made with, from its marker ("" for a board made before it was kept)."""
    match = _BOARD_MARKER.search(desc or "")
    return (match.group(3) or "") if match else ""


@dataclass(frozen=True)
class Found:
    """What :func:`find_plan_board` found: the plan's board, and boards of the project's name made from other plan files."""

    board_id: str | None
    others: tuple[tuple[str, str], ...] = ()  # (id, url)


def find_plan_board(trello: Getter, instance: str, project: str, fingerprint: str, *, by_name: bool) -> Found:
    """The open board made for this plan: one request to the member's boards.

    The board whose marker carries ``instance``; else, when ``by_name`` (no
    state file, so the instance is unknown), the trelloplan board named
    ``project`` whose marker names this plan file (``fingerprint``), or has no
    plan file in it (a board made before 0.2). A board of that name made from
    another plan file (another team's, say) is never taken: it is returned in
    ``others``, for a note.

    :raises BoardError: when several boards could be the plan's.
    """
    boards = trello.get("/members/me/boards", {"filter": "open", "fields": "name,desc,url"})
    marked = [b for b in boards if isinstance(b, dict) and board_instance(b.get("desc") or "")]
    mine = sorted(b["id"] for b in marked if board_instance(b.get("desc") or "") == instance)
    if mine or not by_name:
        return Found(mine[0] if mine else None)
    named = sorted((b for b in marked if (b.get("name") or "") == project), key=lambda b: b["id"])
    same = [b for b in named if board_fingerprint(b.get("desc") or "") in ("", fingerprint)]
    others = tuple((b["id"], b.get("url") or "") for b in named if b not in same)
    if len(same) > 1:
        listed = ", ".join(f"{b['id']} ({b.get('url') or 'no url'})" for b in same)
        raise BoardError(f"{len(same)} boards made by trelloplan are named {project!r}: {listed}",
                         hint="pass --board with the one this plan belongs to (its id, short link or URL)")
    if not same:  # renamed by people since: its marker still holds the name it was made with
        digest = project_digest(project)
        renamed = [b for b in marked if board_project(b.get("desc") or "") == digest
                   and board_fingerprint(b.get("desc") or "") in ("", fingerprint)]
        if len(renamed) > 1:
            listed = ", ".join(f"{b['id']} ({b.get('url') or 'no url'})" for b in renamed)
            raise BoardError(f"{len(renamed)} boards were made by trelloplan as {project!r}: {listed}",
                             hint="pass --board with the one this plan belongs to (its id, short link or URL)")
        same = renamed
    return Found(same[0]["id"] if same else None, others)
