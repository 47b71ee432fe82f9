"""Plain values for a board's history: actions, and the board as it is now.

Everything here is frozen and holds only what the reports need, so a history
of 100,000 actions stays small. :mod:`.parse` builds these from Trello JSON;
nothing here reads files or the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NamedTuple

__all__ = [
    "CARD_TYPES",
    "CREATE_TYPES",
    "LABEL_TYPES",
    "LIST_TYPES",
    "MEMBER_TYPES",
    "RELEVANT_TYPES",
    "ROLES",
    "Action",
    "BoardHistory",
    "BoardInfo",
    "CardSnapshot",
    "LabelInfo",
    "ListInfo",
    "MemberInfo",
    "id_time",
]

#: The roles a list can play. ``ignore`` lists are left out of every count.
ROLES = ("todo", "in_progress", "done", "ignore")

#: Action types that put a card on the board (the issue's definition of ``created``).
CREATE_TYPES = frozenset({"createCard", "copyCard", "convertToCardFromCheckItem", "emailCard", "moveCardToBoard"})
#: Every action type that changes where a card is, or whether it is on the board.
CARD_TYPES = CREATE_TYPES | frozenset({"updateCard", "deleteCard", "moveCardFromBoard"})
#: List lifecycle: names over time, and whole lists leaving or joining the board.
LIST_TYPES = frozenset({"createList", "updateList", "moveListFromBoard", "moveListToBoard"})
LABEL_TYPES = frozenset({"addLabelToCard", "removeLabelFromCard"})
MEMBER_TYPES = frozenset({"addMemberToCard", "removeMemberFromCard"})
#: The action types a report reads; the others are dropped when parsing.
#: ``createBoard`` tells whether the history reaches back to the board's start.
RELEVANT_TYPES = CARD_TYPES | LIST_TYPES | LABEL_TYPES | MEMBER_TYPES | frozenset({"createBoard"})


def id_time(object_id: str) -> datetime:
    """The creation time in a Trello id: its first 8 hex digits are Unix seconds."""
    return datetime.fromtimestamp(int(object_id[:8], 16), tz=timezone.utc)


class Action(NamedTuple):
    """One Trello action, reduced to the fields that move cards and name lists.

    ``list_id``/``list_name`` is ``data.list`` (where a card was created, archived
    or deleted; the list an ``updateList`` changed). A list move has no
    ``data.list``: it has ``before_*`` and ``after_*``. ``closed`` is the new
    archived state when the action changed it. ``old_name`` is the previous name
    of a renamed card or list. ``label_*`` and ``target_member_id`` are set by
    the label and member actions.

    A ``NamedTuple`` rather than a frozen dataclass: just as immutable, but
    built several times faster, and a history holds 100,000 of them.
    """

    id: str
    type: str
    date: datetime
    member_id: str | None = None
    card_id: str | None = None
    card_name: str | None = None
    list_id: str | None = None
    list_name: str | None = None
    before_id: str | None = None
    before_name: str | None = None
    after_id: str | None = None
    after_name: str | None = None
    closed: bool | None = None
    old_name: str | None = None
    label_id: str | None = None
    label_name: str | None = None
    target_member_id: str | None = None

    @property
    def is_move(self) -> bool:
        return self.after_id is not None


@dataclass(frozen=True, slots=True)
class CardSnapshot:
    """A card as the board shows it now (open or archived)."""

    id: str
    name: str
    list_id: str | None
    closed: bool = False
    label_ids: tuple[str, ...] = ()
    member_ids: tuple[str, ...] = ()
    key: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ListInfo:
    id: str
    name: str
    closed: bool = False
    pos: float = 0.0


@dataclass(frozen=True, slots=True)
class LabelInfo:
    id: str
    name: str
    color: str | None = None


@dataclass(frozen=True, slots=True)
class MemberInfo:
    id: str
    full_name: str
    username: str | None = None


@dataclass(frozen=True, slots=True)
class BoardInfo:
    id: str
    name: str
    url: str | None = None


@dataclass(frozen=True)
class BoardHistory:
    """A board's actions (oldest first, one per id) and, when known, its state now.

    ``snapshot`` says whether ``cards`` and ``lists`` describe the whole board
    (a board export or a pull) or are empty because only actions were given.
    ``former_cards`` are cards seen on the board earlier (an older export, an
    earlier pull) and gone since: their last known labels, members and key,
    which Trello's actions do not always record. Build one with
    :func:`trelloplan.history.parse.make_history`, which sorts and de-duplicates.
    """

    actions: tuple[Action, ...]
    board: BoardInfo | None = None
    cards: tuple[CardSnapshot, ...] = ()
    lists: tuple[ListInfo, ...] = ()
    labels: tuple[LabelInfo, ...] = ()
    members: tuple[MemberInfo, ...] = ()
    snapshot: bool = False
    former_cards: tuple[CardSnapshot, ...] = ()

    @property
    def first_action(self) -> Action | None:
        return self.actions[0] if self.actions else None

    @property
    def last_action(self) -> Action | None:
        return self.actions[-1] if self.actions else None
