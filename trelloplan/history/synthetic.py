"""Build Trello-shaped board histories in memory: for tests, benchmarks and demos.

:class:`BoardBuilder` writes the same JSON Trello does (ids that carry their
creation second, actions with ``data.list``/``listBefore``/``listAfter``/
``old``, ``memberCreator`` objects) and keeps the board's state as it goes, so
:meth:`BoardBuilder.export` is a consistent board export: actions newest
first, cards where their last action left them. :func:`generate_board` makes a
large random one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..board.markers import with_marker

__all__ = ["BoardBuilder", "generate_board", "object_id"]


def object_id(moment: datetime, counter: int) -> str:
    """A Trello-like id: 8 hex digits of Unix seconds, then 16 of ``counter``."""
    return f"{int(moment.timestamp()):08x}{counter:016x}"


def _date(moment: datetime) -> str:
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@dataclass
class _Card:
    id: str
    name: str
    short: str
    id_short: int
    list_id: str
    desc: str = ""
    closed: bool = False
    labels: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    on_board: bool = True


class BoardBuilder:
    """A board that records a Trello action for every change made through it.

    Every method takes the moment of the change (aware datetime); moments must
    not go backwards for one card. Ids are unique and start with the moment.
    """

    def __init__(self, name: str = "Board", *, created: datetime | None = None, member: str = "Ada Lovelace") -> None:
        self._counter = 0
        self.created = created or datetime(2026, 1, 1, tzinfo=timezone.utc)
        self.id = self._id(self.created)
        self.name = name
        self.short = f"b{self._counter:07d}"
        self.actions: list[dict[str, Any]] = []
        self.lists: dict[str, dict[str, Any]] = {}
        self.labels: dict[str, dict[str, Any]] = {}
        self.members: dict[str, dict[str, Any]] = {}
        self.cards: dict[str, _Card] = {}
        self.member = self.add_member(member)
        self._act("createBoard", self.created, {})

    def _id(self, moment: datetime) -> str:
        self._counter += 1
        return object_id(moment, self._counter)

    def add_member(self, full_name: str) -> str:
        member_id = self._id(self.created)
        username = "".join(ch for ch in full_name.lower() if ch.isalnum()) or "member"
        self.members[member_id] = {"id": member_id, "fullName": full_name, "username": username,
                                   "initials": "".join(w[0] for w in full_name.split()).upper()}
        return member_id

    def _act(self, kind: str, moment: datetime, data: dict[str, Any], *, by: str | None = None, **extra: Any) -> dict[str, Any]:
        who = by or self.member
        member = self.members[who]
        action = {
            "id": self._id(moment),
            "idMemberCreator": who,
            "data": {**data, "board": {"id": self.id, "name": self.name, "shortLink": self.short}},
            "appCreator": None,
            "type": kind,
            "date": _date(moment),
            "limits": {},
            "memberCreator": {"id": who, "activityBlocked": False, "avatarHash": None, "avatarUrl": None,
                              "fullName": member["fullName"], "idMemberReferrer": None, "initials": member["initials"],
                              "nonPublic": {}, "nonPublicAvailable": True, "username": member["username"]},
            **extra,
        }
        self.actions.append(action)
        return action

    def _list_ref(self, list_id: str) -> dict[str, str]:
        return {"id": list_id, "name": self.lists[list_id]["name"]}

    def _card_ref(self, card: _Card, **more: Any) -> dict[str, Any]:
        return {"id": card.id, "name": card.name, "idShort": card.id_short, "shortLink": card.short, **more}

    # -- lists and labels -----------------------------------------------------

    def add_list(self, name: str, moment: datetime | None = None) -> str:
        moment = moment or self.created
        list_id = self._id(moment)
        self.lists[list_id] = {"id": list_id, "name": name, "closed": False, "pos": 16384.0 * (len(self.lists) + 1),
                               "idBoard": self.id, "subscribed": False}
        self._act("createList", moment, {"list": self._list_ref(list_id)})
        return list_id

    def rename_list(self, list_id: str, name: str, moment: datetime) -> None:
        old = self.lists[list_id]["name"]
        self.lists[list_id]["name"] = name
        self._act("updateList", moment, {"list": self._list_ref(list_id), "old": {"name": old}})

    def archive_list(self, list_id: str, moment: datetime, closed: bool = True) -> None:
        self.lists[list_id]["closed"] = closed
        self._act("updateList", moment, {"list": {**self._list_ref(list_id), "closed": closed}, "old": {"closed": not closed}})

    def add_label(self, name: str, color: str | None = "green") -> str:
        label_id = self._id(self.created)
        self.labels[label_id] = {"id": label_id, "idBoard": self.id, "name": name, "color": color}
        return label_id

    # -- cards ----------------------------------------------------------------

    def add_card(
        self, name: str, list_id: str, moment: datetime, *, labels: tuple[str, ...] = (), members: tuple[str, ...] = (),
        key: str | None = None, kind: str = "createCard", by: str | None = None,
    ) -> str:
        card_id = self._id(moment)
        card = _Card(id=card_id, name=name, short=f"c{self._counter:07d}", id_short=len(self.cards) + 1, list_id=list_id,
                     desc=with_marker("", key) if key else "", labels=list(labels), members=list(members))
        self.cards[card_id] = card
        data: dict[str, Any] = {"card": self._card_ref(card), "list": self._list_ref(list_id)}
        if kind == "copyCard":
            data["cardSource"] = {"id": self._id(moment), "name": name, "idShort": 1, "shortLink": "src00000"}
        if kind == "moveCardToBoard":
            data["boardSource"] = {"id": self._id(moment), "name": "Elsewhere"}
        self._act(kind, moment, data, by=by)
        return card_id

    def move(self, card_id: str, list_id: str, moment: datetime, *, by: str | None = None) -> None:
        card = self.cards[card_id]
        before = card.list_id
        card.list_id = list_id
        self._act("updateCard", moment, {"listAfter": self._list_ref(list_id), "listBefore": self._list_ref(before),
                                         "card": self._card_ref(card, idList=list_id), "old": {"idList": before}}, by=by)

    def archive(self, card_id: str, moment: datetime, closed: bool = True) -> None:
        card = self.cards[card_id]
        card.closed = closed
        self._act("updateCard", moment, {"list": self._list_ref(card.list_id), "card": self._card_ref(card, closed=closed),
                                         "old": {"closed": not closed}})

    def rename_card(self, card_id: str, name: str, moment: datetime) -> None:
        card = self.cards[card_id]
        old = card.name
        card.name = name
        self._act("updateCard", moment, {"list": self._list_ref(card.list_id), "card": self._card_ref(card), "old": {"name": old}})

    def touch(self, card_id: str, moment: datetime) -> None:
        """A change that does not move the card (its position), as Trello logs when cards are sorted."""
        card = self.cards[card_id]
        self._act("updateCard", moment, {"list": self._list_ref(card.list_id), "card": self._card_ref(card, pos=1024.5),
                                         "old": {"pos": 2049}})

    def delete(self, card_id: str, moment: datetime) -> None:
        card = self.cards[card_id]
        card.on_board = False
        self._act("deleteCard", moment, {"list": self._list_ref(card.list_id),
                                         "card": {"id": card.id, "idShort": card.id_short, "shortLink": card.short}})

    def move_to_other_board(self, card_id: str, moment: datetime) -> None:
        card = self.cards[card_id]
        card.on_board = False
        self._act("moveCardFromBoard", moment, {"list": self._list_ref(card.list_id), "card": {"id": card.id, "name": card.name},
                                                "boardTarget": {"id": "f" * 24, "name": "Elsewhere"}})

    def label_card(self, card_id: str, label_id: str, moment: datetime, *, add: bool = True) -> None:
        card = self.cards[card_id]
        if add and label_id not in card.labels:
            card.labels.append(label_id)
        elif not add and label_id in card.labels:
            card.labels.remove(label_id)
        label = self.labels[label_id]
        self._act("addLabelToCard" if add else "removeLabelFromCard", moment,
                  {"card": self._card_ref(card), "label": {"id": label_id, "name": label["name"], "color": label["color"]},
                   "text": label["name"]})

    def assign(self, card_id: str, member_id: str, moment: datetime) -> None:
        card = self.cards[card_id]
        if member_id not in card.members:
            card.members.append(member_id)
        self._act("addMemberToCard", moment, {"card": self._card_ref(card), "idMember": member_id,
                                              "member": {"id": member_id, "name": self.members[member_id]["fullName"]}},
                  member=self.members[member_id])

    # -- output ---------------------------------------------------------------

    def card_json(self, card: _Card) -> dict[str, Any]:
        return {"id": card.id, "name": card.name, "idList": card.list_id, "idBoard": self.id, "closed": card.closed,
                "desc": card.desc, "idLabels": list(card.labels), "idMembers": list(card.members),
                "idShort": card.id_short, "shortLink": card.short, "shortUrl": f"https://trello.com/c/{card.short}",
                "labels": [self.labels[label] for label in card.labels], "pos": 16384}

    def export(self) -> dict[str, Any]:
        """The board as Trello's JSON export shapes it (actions newest first)."""
        newest_first = sorted(self.actions, key=lambda a: (a["date"], a["id"]), reverse=True)
        return {
            "id": self.id,
            "name": self.name,
            "shortLink": self.short,
            "shortUrl": f"https://trello.com/b/{self.short}",
            "closed": False,
            "actions": newest_first,
            "cards": [self.card_json(card) for card in self.cards.values() if card.on_board],
            "lists": list(self.lists.values()),
            "labels": list(self.labels.values()),
            "members": list(self.members.values()),
        }


def generate_board(
    actions: int, *, seed: int = 0, start: datetime | None = None, weeks: int = 12, members: int = 4
) -> dict[str, Any]:
    """A random board export of about ``actions`` actions over ``weeks`` weeks.

    Cards are created in To Do, worked through In Progress and Review to Done,
    sometimes reopened, archived, renamed, re-sorted or deleted, by several
    members, with a "Week N" label each: the mix a real project board has.
    """
    rng = random.Random(seed)
    start = start or datetime(2026, 1, 5, tzinfo=timezone.utc)
    board = BoardBuilder("Generated", created=start - timedelta(days=1))
    people = [board.member] + [board.add_member(f"Member {n}") for n in range(1, members)]
    todo, doing, review = board.add_list("To Do"), board.add_list("In Progress"), board.add_list("Review")
    done = board.add_list("Done")
    week_labels = [board.add_label(f"Week {n}") for n in range(1, weeks + 1)]
    span = timedelta(weeks=weeks).total_seconds()
    while len(board.actions) < actions:
        moment = start + timedelta(seconds=rng.random() * span * 0.9)
        week = min(weeks, int((moment - start).total_seconds() // (7 * 86400)) + rng.choice((0, 0, 1)) + 1)
        who = rng.choice(people)
        card = board.add_card(f"Task {len(board.cards) + 1}", todo, moment, labels=(week_labels[week - 1],),
                              members=(who,), by=who)

        def later(hours: float) -> datetime:
            nonlocal moment
            moment = moment + timedelta(hours=rng.expovariate(1 / hours))
            return moment

        board.touch(card, later(2))
        if rng.random() < 0.85:
            board.move(card, doing, later(24), by=who)
            if rng.random() < 0.6:
                board.move(card, review, later(12), by=who)
            if rng.random() < 0.75:
                board.move(card, done, later(24), by=who)
                if rng.random() < 0.1:
                    board.move(card, doing, later(12), by=who)
                    board.move(card, done, later(12), by=who)
                if rng.random() < 0.2:
                    board.archive(card, later(48))
        if rng.random() < 0.05:
            board.rename_card(card, f"Task {len(board.cards)} (renamed)", later(4))
        if rng.random() < 0.02:
            board.delete(card, later(24))
    return board.export()
