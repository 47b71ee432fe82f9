"""Trello JSON (actions, cards, lists, labels, members, board exports) → :mod:`.model` values.

Parsing is tolerant of the keys Trello adds over time and of the ones older
responses lack; it is strict only about what a report cannot do without (an
action's id, type and date; a card's or list's id) and about the types of the
values it keeps (ids are strings, label and member ids lists of strings, dates
in :data:`~trelloplan.dates.EARLIEST` .. :data:`~trelloplan.dates.LATEST`).
Anything else raises :class:`ShapeError`, a ``ValueError`` that says where in
the JSON (``actions[12].date``) and what was expected. It is written for
speed: one dictionary walk per action, no regular expressions on that path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from operator import itemgetter
from typing import Any

from ..board.markers import card_key
from ..dates import EARLIEST, LATEST, out_of_range
from .gcpause import gc_paused
from .model import (
    LABEL_TYPES,
    MEMBER_TYPES,
    RELEVANT_TYPES,
    Action,
    BoardHistory,
    BoardInfo,
    CardSnapshot,
    LabelInfo,
    ListInfo,
    MemberInfo,
)

__all__ = [
    "ShapeError",
    "history_from_actions",
    "history_from_board_json",
    "make_history",
    "merge_histories",
    "parse_action",
    "parse_actions",
    "parse_card",
    "parse_date",
    "parse_label",
    "parse_list",
    "parse_member",
]

_EMPTY: Mapping[str, Any] = {}


_fromisoformat = datetime.fromisoformat
_UTC = timezone.utc
_new_action = tuple.__new__  # an Action without NamedTuple's Python-level __new__: parsing is the hot path
# Each relevant action type as one string object (the model's), not json.loads's copy per
# action: later stages compare types all the time, and one object is an identity check.
_KINDS: dict[Any, str] = {kind: kind for kind in RELEVANT_TYPES}
_CARD_ID = re.compile(r"[0-9a-fA-F]{8}")  # a card's creation time is read from its id's first 8 hex digits
_TEXT_TYPES = (str, type(None))
_ACTION_FIELDS = ("idMemberCreator", "data.card.name", "data.list.id", "data.list.name", "data.listBefore.id",
                  "data.listBefore.name", "data.listAfter.id", "data.listAfter.name", "data.label.id", "data.label.name",
                  "data.idMember")


class ShapeError(ValueError):
    """JSON that is not shaped like Trello's: ``path`` says where (``actions[12].date``), the message what was expected."""

    def __init__(self, path: str, expected: str, found: Any = None, *, detail: str | None = None) -> None:
        self.path = path
        self.expected = expected
        self.detail = detail or f"expected {expected}, found {describe(found)}"
        super().__init__(f"{path}: {self.detail}" if path else self.detail)

    def within(self, prefix: str) -> ShapeError:
        """The same error, located one level further out (``cards[3]`` + ``.idLabels[0]``)."""
        path = prefix + (self.path if self.path.startswith("[") or not self.path else "." + self.path)
        return ShapeError(path, self.expected, detail=self.detail)


def describe(value: Any) -> str:
    """What a JSON value is, in a few words: ``an object``, ``the number 3``, ``the text 'x'``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}" + ("…" if len(value) > 40 else "")
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def parse_date(text: str) -> datetime:
    """A Trello date (``2026-01-05T09:00:00.000Z``) as an aware UTC datetime.

    Raises ``ValueError`` for text that is no date, and for dates outside
    :data:`~trelloplan.dates.EARLIEST` .. :data:`~trelloplan.dates.LATEST`.
    """
    try:
        moment = _fromisoformat(text)
    except ValueError:
        if not text.endswith("Z"):
            raise
        moment = _fromisoformat(text[:-1] + "+00:00")  # Python 3.10 does not read "Z"
    zone = moment.tzinfo
    if zone is None:
        moment = moment.replace(tzinfo=_UTC)
    elif zone is not _UTC:
        try:
            moment = moment.astimezone(_UTC)
        except OverflowError:
            raise ValueError(out_of_range(text)) from None
    if not EARLIEST <= moment <= LATEST:
        raise ValueError(out_of_range(text))
    return moment


def _text_or_none(value: Any, path: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ShapeError(path, "a text or null", value)


def _ids(value: Any, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ShapeError(path, "a list of ids", value)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ShapeError(f"{path}[{index}]", "an id (a text)", item)
    return tuple(value)


def parse_action(raw: Mapping[str, Any]) -> Action | None:
    """One action, or None when its type does not matter to reports.

    Raises ``ValueError`` when a relevant action lacks its id or date, or is
    not shaped like an action.
    """
    kind = _KINDS.get(raw.get("type"))
    if kind is None:
        return None
    action_id = raw.get("id")
    date = raw.get("date")
    if not isinstance(action_id, str):
        raise ShapeError("id", f"the id of a {kind} action (a text)", action_id)
    if not isinstance(date, str):
        raise ShapeError("date", f"the date of a {kind} action (a text such as 2026-01-05T09:00:00.000Z)", date)
    try:
        moment = parse_date(date)
    except ValueError as exc:
        raise ShapeError("date", "a date", detail=str(exc) if "outside" in str(exc) else
                         f"expected a date such as 2026-01-05T09:00:00.000Z, found {describe(date)}") from None
    try:
        data = raw.get("data") or _EMPTY
        card = data.get("card") or _EMPTY
        lst = data.get("list") or _EMPTY
        before_id = before_name = after_id = after_name = closed = old_name = None
        label_id = label_name = target = None
        if kind == "updateCard" or kind == "updateList":
            old = data.get("old") or _EMPTY
            after = data.get("listAfter")
            if after:
                before = data.get("listBefore") or _EMPTY
                after_id, after_name = after.get("id"), after.get("name")
                before_id, before_name = before.get("id") or old.get("idList"), before.get("name")
            elif "idList" in old and kind == "updateCard":
                after_id, before_id = card.get("idList"), old.get("idList")
            if "closed" in old:
                new = (card if kind == "updateCard" else lst).get("closed")
                closed = bool(new) if new is not None else not old.get("closed")
            if "name" in old and isinstance(old["name"], str):
                old_name = old["name"]
        elif kind in LABEL_TYPES:
            label = data.get("label") or _EMPTY
            label_id = label.get("id") or data.get("idLabel")
            label_name = label.get("name")
        elif kind in MEMBER_TYPES:
            target = data.get("idMember") or (data.get("member") or _EMPTY).get("id")
        card_id = card.get("id")
        if card_id is not None and not (type(card_id) is str and _CARD_ID.match(card_id)):
            raise ShapeError("data.card.id", "a card id (24 hexadecimal digits)", card_id)
        values = (raw.get("idMemberCreator"), card.get("name"), lst.get("id"), lst.get("name"), before_id, before_name,
                  after_id, after_name, label_id, label_name, target)
        for index, value in enumerate(values):
            if type(value) not in _TEXT_TYPES:
                raise ShapeError(_ACTION_FIELDS[index], "a text", value)
        return _new_action(Action, (
            action_id,
            kind,
            moment,
            raw.get("idMemberCreator"),
            card.get("id"),
            card.get("name"),
            lst.get("id"),
            lst.get("name"),
            before_id,
            before_name,
            after_id,
            after_name,
            closed,
            old_name,
            label_id,
            label_name,
            target,
        ))
    except AttributeError:
        raise ShapeError("data", f"the data of a {kind} action: objects for card, list, old, listBefore, listAfter",
                         detail=f"action {action_id} ({kind}) is not shaped like a Trello action") from None


def parse_actions(raw_actions: Iterable[Mapping[str, Any]]) -> list[Action]:
    """The relevant actions of ``raw_actions``, in the order given."""
    parsed: list[Action] = []
    append = parsed.append
    with gc_paused():
        for index, raw in enumerate(raw_actions):
            if not isinstance(raw, dict):
                raise ShapeError(f"[{index}]", "an action (an object)", detail=f"not a JSON object but {describe(raw)}")
            try:
                action = parse_action(raw)
            except ShapeError as exc:
                raise exc.within(f"[{index}]") from None
            if action is not None:
                append(action)
    return parsed


def _required_id(raw: Any, what: str) -> str:
    if not isinstance(raw, dict):
        raise ShapeError("", f"a {what} (an object)", raw)
    if not isinstance(raw.get("id"), str):
        raise ShapeError("id", f"the {what}'s id (a text)", raw.get("id"), detail=f"a {what} has no id")
    return str(raw["id"])


def parse_card(raw: Mapping[str, Any]) -> CardSnapshot:
    card_id = _required_id(raw, "card")
    if not _CARD_ID.match(card_id):
        raise ShapeError("id", "a card id (24 hexadecimal digits)", card_id)
    if "idLabels" in raw and raw["idLabels"] is not None:
        label_ids = _ids(raw["idLabels"], "idLabels")
    else:
        label_ids = tuple(label["id"] for label in _list(raw.get("labels"), "labels")
                          if isinstance(label, dict) and isinstance(label.get("id"), str))
    url = raw.get("shortUrl") or raw.get("url")
    return CardSnapshot(  # positional, in field order: one of these per card
        card_id,
        _text_or_none(raw.get("name"), "name") or "",
        _text_or_none(raw.get("idList"), "idList"),
        bool(raw.get("closed")),
        label_ids,
        _ids(raw.get("idMembers"), "idMembers"),
        card_key(_text_or_none(raw.get("desc"), "desc")),
        _text_or_none(url, "shortUrl"),
    )


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ShapeError(path, "a list", value)
    return value


def parse_list(raw: Mapping[str, Any]) -> ListInfo:
    list_id = _required_id(raw, "list")
    pos = raw.get("pos")
    return ListInfo(
        id=list_id,
        name=_text_or_none(raw.get("name"), "name") or "",
        closed=bool(raw.get("closed")),
        pos=float(pos) if isinstance(pos, (int, float)) and abs(pos) < 1e300 else 0.0,
    )


def parse_label(raw: Mapping[str, Any]) -> LabelInfo:
    return LabelInfo(id=_required_id(raw, "label"), name=_text_or_none(raw.get("name"), "name") or "",
                     color=_text_or_none(raw.get("color"), "color"))


def parse_member(raw: Mapping[str, Any]) -> MemberInfo:
    return MemberInfo(
        id=_required_id(raw, "member"),
        full_name=_text_or_none(raw.get("fullName"), "fullName") or _text_or_none(raw.get("username"), "username") or raw["id"],
        username=_text_or_none(raw.get("username"), "username"),
    )


_order = itemgetter(2, 0)  # an action's (date, id)
_action_id = itemgetter(0)


def make_history(
    actions: Iterable[Action],
    *,
    board: BoardInfo | None = None,
    cards: Iterable[CardSnapshot] = (),
    lists: Iterable[ListInfo] = (),
    labels: Iterable[LabelInfo] = (),
    members: Iterable[MemberInfo] = (),
    snapshot: bool = False,
    former_cards: Iterable[CardSnapshot] = (),
) -> BoardHistory:
    """A :class:`BoardHistory` with its actions de-duplicated by id and sorted by (date, id).

    Sorting by date then id makes the result independent of the order the
    actions arrived in (pages, several exports, a shuffled list).
    """
    with gc_paused():
        given = actions if isinstance(actions, list) else list(actions)
        if len(set(map(_action_id, given))) < len(given):  # checked in C: usually every id is new
            unique: dict[str, Action] = {}
            for action in given:
                unique.setdefault(action.id, action)
            given = list(unique.values())
        ordered = sorted(given, key=_order)
    current = _by_id(cards)
    on_board = {card.id for card in current}
    return BoardHistory(
        actions=tuple(ordered),
        board=board,
        cards=tuple(current),
        lists=tuple(_by_id(lists)),
        labels=tuple(_by_id(labels)),
        members=tuple(_by_id(members)),
        snapshot=snapshot,
        former_cards=tuple(card for card in _by_id(former_cards) if card.id not in on_board),
    )


def _by_id(items: Iterable[Any]) -> list[Any]:
    """Items with the last one winning for a repeated id, sorted by id for determinism."""
    merged = {item.id: item for item in items}
    return [merged[key] for key in sorted(merged)]


def history_from_actions(raw_actions: Iterable[Mapping[str, Any]], *, board: BoardInfo | None = None) -> BoardHistory:
    """A history from a bare list of actions (a page of ``GET /boards/{id}/actions``)."""
    return make_history(parse_actions(raw_actions), board=board)


def _items(raw: Mapping[str, Any], key: str) -> list[Any]:
    return _list(raw.get(key), key)


def _each(raw: Mapping[str, Any], key: str, parse: Any) -> list[Any]:
    """``parse`` applied to every item of ``raw[key]``, a :class:`ShapeError` saying which item is wrong."""
    parsed = []
    for index, item in enumerate(_items(raw, key)):
        try:
            parsed.append(parse(item))
        except ShapeError as exc:
            raise exc.within(f"{key}[{index}]") from None
    return parsed


def history_from_board_json(raw: Mapping[str, Any], *, extra_actions: Iterable[Mapping[str, Any]] = ()) -> BoardHistory:
    """A history from a board export, or from ``GET /boards/{id}`` with nested resources.

    ``extra_actions`` are actions fetched separately (paged board actions).
    Raises ``ValueError`` when ``raw`` is not a board.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise ShapeError("", "a Trello board (an object with the board's id at the top)", raw,
                         detail="the JSON is not a Trello board (no board id at the top)")
    if not any(key in raw for key in ("actions", "cards", "lists")):
        raise ShapeError("", "a board with actions, cards or lists", detail="the JSON has no actions, cards or lists")
    board = BoardInfo(id=raw["id"], name=_text_or_none(raw.get("name"), "name") or "",
                      url=_text_or_none(raw.get("shortUrl") or raw.get("url"), "shortUrl"))
    with gc_paused():
        try:
            actions = parse_actions(_items(raw, "actions"))
        except ShapeError as exc:
            raise exc.within("actions") from None
        actions.extend(parse_actions(extra_actions))
        return make_history(
            actions,
            board=board,
            cards=_each(raw, "cards", parse_card),
            lists=_each(raw, "lists", parse_list),
            labels=_each(raw, "labels", parse_label),
            members=_each(raw, "members", parse_member),
            snapshot="cards" in raw and "lists" in raw,
        )


def merge_histories(histories: Sequence[BoardHistory]) -> BoardHistory:
    """One history from several of the same board (overlapping exports are common).

    Actions are merged by id. The board as it is now comes from the newest
    history (the one whose newest action is latest; the later one on a tie):
    its cards are the cards, and lists, labels and members are merged by id
    with the newest winning, so lists known only from older exports keep their
    names. Cards only the older histories show become ``former_cards`` (their
    last known labels and key). Raises ``ValueError`` for histories of
    different boards.
    """
    if not histories:
        raise ValueError("no history to merge")
    boards = {h.board.id for h in histories if h.board is not None}
    if len(boards) > 1:
        raise ValueError(f"the files are exports of {len(boards)} different boards ({', '.join(sorted(boards))})")
    ranked = sorted(
        enumerate(histories),
        key=lambda pair: (pair[1].last_action.date if pair[1].last_action else datetime.min.replace(tzinfo=timezone.utc), pair[0]),
    )
    ordered = [h for _, h in ranked]
    newest = ordered[-1]
    with_snapshot = [h for h in ordered if h.snapshot]
    current = with_snapshot[-1] if with_snapshot else newest
    return make_history(
        (action for h in ordered for action in h.actions),
        board=next((h.board for h in reversed(ordered) if h.board is not None), None),
        cards=current.cards,
        lists=[item for h in ordered for item in h.lists],
        labels=[item for h in ordered for item in h.labels],
        members=[item for h in ordered for item in h.members],
        snapshot=current.snapshot,
        former_cards=[card for h in ordered if h is not current for card in (*h.former_cards, *h.cards)],
    )
