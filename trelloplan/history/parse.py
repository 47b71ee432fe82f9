"""Trello JSON (actions, cards, lists, labels, members, board exports) → :mod:`.model` values.

Parsing is tolerant of the keys Trello adds over time and of the ones older
responses lack; it is strict only about what a report cannot do without (an
action's id, type and date; a card's or list's id). It is written for speed:
one dictionary walk per action, no regular expressions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from operator import itemgetter
from typing import Any

from ..board.markers import card_key
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


def parse_date(text: str) -> datetime:
    """A Trello date (``2026-01-05T09:00:00.000Z``) as an aware UTC datetime."""
    try:
        moment = _fromisoformat(text)
    except ValueError:
        if not text.endswith("Z"):
            raise
        moment = _fromisoformat(text[:-1] + "+00:00")  # Python 3.10 does not read "Z"
    zone = moment.tzinfo
    if zone is _UTC:
        return moment
    if zone is None:
        return moment.replace(tzinfo=_UTC)
    return moment.astimezone(_UTC)


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
    if not isinstance(action_id, str) or not isinstance(date, str):
        raise ValueError(f"a {kind} action has no id or no date")
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
        return _new_action(Action, (
            action_id,
            kind,
            parse_date(date),
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
        raise ValueError(f"action {action_id} ({kind}) is not shaped like a Trello action") from None


def parse_actions(raw_actions: Iterable[Mapping[str, Any]]) -> list[Action]:
    """The relevant actions of ``raw_actions``, in the order given."""
    parsed: list[Action] = []
    append = parsed.append
    with gc_paused():
        for index, raw in enumerate(raw_actions):
            if not isinstance(raw, dict):
                raise ValueError(f"action #{index + 1} is not a JSON object")
            action = parse_action(raw)
            if action is not None:
                append(action)
    return parsed


def _required_id(raw: Any, what: str) -> str:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise ValueError(f"a {what} has no id")
    return str(raw["id"])


def parse_card(raw: Mapping[str, Any]) -> CardSnapshot:
    card_id = _required_id(raw, "card")
    label_ids = raw.get("idLabels")
    if label_ids is None:
        label_ids = [label["id"] for label in raw.get("labels") or () if isinstance(label, dict) and "id" in label]
    return CardSnapshot(  # positional, in field order: one of these per card
        card_id,
        str(raw.get("name") or ""),
        raw.get("idList"),
        bool(raw.get("closed")),
        tuple(label_ids),
        tuple(raw.get("idMembers") or ()),
        card_key(raw.get("desc")),
        raw.get("shortUrl") or raw.get("url"),
    )


def parse_list(raw: Mapping[str, Any]) -> ListInfo:
    pos = raw.get("pos")
    return ListInfo(
        id=_required_id(raw, "list"),
        name=str(raw.get("name") or ""),
        closed=bool(raw.get("closed")),
        pos=float(pos) if isinstance(pos, (int, float)) else 0.0,
    )


def parse_label(raw: Mapping[str, Any]) -> LabelInfo:
    return LabelInfo(id=_required_id(raw, "label"), name=str(raw.get("name") or ""), color=raw.get("color"))


def parse_member(raw: Mapping[str, Any]) -> MemberInfo:
    return MemberInfo(
        id=_required_id(raw, "member"),
        full_name=str(raw.get("fullName") or raw.get("username") or raw["id"]),
        username=raw.get("username"),
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
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"`{key}` is not a list")
    return value


def history_from_board_json(raw: Mapping[str, Any], *, extra_actions: Iterable[Mapping[str, Any]] = ()) -> BoardHistory:
    """A history from a board export, or from ``GET /boards/{id}`` with nested resources.

    ``extra_actions`` are actions fetched separately (paged board actions).
    Raises ``ValueError`` when ``raw`` is not a board.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise ValueError("the JSON is not a Trello board (no board id at the top)")
    if not any(key in raw for key in ("actions", "cards", "lists")):
        raise ValueError("the JSON has no actions, cards or lists")
    board = BoardInfo(id=raw["id"], name=str(raw.get("name") or ""), url=raw.get("shortUrl") or raw.get("url"))
    with gc_paused():
        actions = parse_actions(_items(raw, "actions"))
        actions.extend(parse_actions(extra_actions))
        return make_history(
            actions,
            board=board,
            cards=[parse_card(card) for card in _items(raw, "cards")],
            lists=[parse_list(item) for item in _items(raw, "lists")],
            labels=[parse_label(item) for item in _items(raw, "labels")],
            members=[parse_member(item) for item in _items(raw, "members")],
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
