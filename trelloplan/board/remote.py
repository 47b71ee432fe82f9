"""A board as it is on Trello: lists, labels, cards and checklists, read in one request."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..dates import parse_date
from ..errors import BoardError, NotFound, UsageError
from .markers import card_key

__all__ = [
    "BoardState",
    "RemoteCard",
    "RemoteCheckItem",
    "RemoteChecklist",
    "RemoteLabel",
    "RemoteList",
    "check_board_id",
    "find_board_by_marker",
        "parse_due",
    "read_board",
]

BOARD_MARKER = "trelloplan-board:"
_BOARD_ID = re.compile(r"^(?:[0-9a-fA-F]{24}|[0-9A-Za-z]{8})$")


def check_board_id(board_id: str) -> str:
    """``board_id`` if it can name a Trello board (a 24-hex id or an 8-character short link)."""
    if not _BOARD_ID.match(board_id.strip()):
        raise UsageError(f"`{board_id}` is not a Trello board id",
                         hint="use the board's id, or the 8 characters after /b/ in its URL (https://trello.com/b/AbCd1234/…)")
    return board_id.strip()


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
            )
            for c in data.get("cards") or []
        )
        return cls(
            id=data["id"], name=data.get("name") or "", desc=data.get("desc") or "", closed=bool(data.get("closed")),
            url=data.get("url") or "",
            lists=tuple(RemoteList(l["id"], l.get("name") or "", bool(l.get("closed")), float(l.get("pos") or 0)) for l in data.get("lists") or []),
            labels=tuple(RemoteLabel(l["id"], l.get("name") or "", l.get("color")) for l in data.get("labels") or []),
            cards=cards,
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
    "labels_limit": 1000,
    "cards": "all",
    "card_fields": "name,desc,due,idList,idLabels,closed,pos",
    "checklists": "all",
}


def read_board(trello: Getter, board_id: str) -> BoardState:
    """The board's lists, labels, cards (archived too) and checklists, in one request.

    This is a read-only operation.
    """
    board_id = check_board_id(board_id)
    try:
        data = trello.get(f"/boards/{board_id}", BOARD_QUERY)
    except NotFound:
        raise BoardError(f"board {board_id} does not exist, or this token cannot see it",
                         hint="check the board id (the part after /b/ in its URL), or remove the plan's state file to create a new board") from None
    return BoardState.from_json(data)


def board_marker(instance: str) -> str:
    return f"{BOARD_MARKER} {instance}"


def find_board_by_marker(trello: Getter, instance: str) -> str | None:
    """The id of the open board whose description carries this plan instance's marker."""
    marker = board_marker(instance)
    boards = trello.get("/members/me/boards", {"filter": "open", "fields": "name,desc"})
    matches = sorted(board["id"] for board in boards if marker in (board.get("desc") or ""))
    return matches[0] if matches else None
