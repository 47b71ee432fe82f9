"""Replay a board's actions into one timeline per card, as of any moment.

A card's timeline is a run of :class:`Segment` values: from each start time the
card sat in one list and was in one **state**: its list's role (``todo``,
``in_progress``, ``done``, ``ignore``), ``dropped`` (archived, or in an archived
list, while not in a done list) or ``out`` (deleted, moved to another board, or
in a list that was moved away). Only actions dated at or before ``as_of``
change a timeline, so the state at ``as_of`` is the last segment, and a report
as of last Friday is the same whenever it is built.

What the history does not show stays unknown: a card whose creation is not in
the history is first seen when the history begins, in the list its first
action shows; if it was in progress or done then, its start is unknown, and
if it has been done ever since, so is its done time (docs/metrics.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from operator import itemgetter
from typing import NamedTuple

from .model import CARD_TYPES, CREATE_TYPES, LABEL_TYPES, MEMBER_TYPES, Action, BoardHistory, CardSnapshot, id_time

__all__ = ["ARCHIVED_MEANINGS", "DROPPED", "OUT", "CardTimeline", "Segment", "replay"]

#: The pseudo-role of a card that is not on the board.
OUT = "out"
#: The state of a card archived (or in an archived list) while not in a done list.
DROPPED = "dropped"
#: What archiving a card that is not in a done list means: ``dropped`` (the default) or ``done``.
ARCHIVED_MEANINGS = ("dropped", "done")
_DEFAULT_ROLE = "todo"
# Segment and CardTimeline values built with tuple.__new__, skipping NamedTuple's
# Python-level __new__: the replay builds one timeline per card and a few segments each.
_new = tuple.__new__
_by_created = itemgetter(2, 0)  # a timeline's (created, id)
# A list's status at a moment: (moved to another board, archived).
_ListStatus = tuple[bool, bool]
_ListChanges = tuple[_ListStatus, list[tuple[datetime, _ListStatus]]]


class Segment(NamedTuple):
    """From ``start`` on, the card was in ``list_id`` and in state ``role`` (a list role, ``dropped`` or ``out``)."""

    start: datetime
    list_id: str | None
    role: str


class CardTimeline(NamedTuple):
    """One card's history up to the as-of moment, and the facts the report derives from it.

    ``created`` is its first creation action (createCard, copyCard,
    convertToCardFromCheckItem, emailCard or moveCardToBoard), or the time in
    its id when none is in the history (``created_from_id``); such a card's
    first segment starts when the history begins (or at its id time, if
    later), and ``before_history`` is its state then. ``started`` is when it
    first entered an ``in_progress`` list, None when the history does not show
    it (``start_unknown``: in progress or done when the history begins).
    ``done`` is set when the card is done at the as-of moment: the start of
    its final unbroken stretch in ``done``; None when that stretch began
    before the history (``done_unknown``). ``dropped_at`` is when its final
    ``dropped`` stretch began (None before the history), and
    ``dropped_from_progress`` is set when it was dropped from an in-progress
    list. ``role``, ``list_id`` and ``on_board`` are the last segment's (the
    card's state at the as-of moment); ``list_role`` is its list's role then.

    A ``NamedTuple`` like :class:`Segment` and :class:`~.model.Action`: one per
    card, built in the report's hot path, and as immutable as a frozen dataclass.
    """

    id: str
    name: str
    created: datetime
    created_from_id: bool
    segments: tuple[Segment, ...]
    started: datetime | None
    done: datetime | None
    closed: bool
    key: str | None = None
    url: str | None = None
    label_ids: tuple[str, ...] = ()
    member_ids: tuple[str, ...] = ()
    deleted_at: datetime | None = None
    moved_away_at: datetime | None = None
    reopened_at: tuple[datetime, ...] = ()
    dropped_at: datetime | None = None
    role: str = OUT
    list_id: str | None = None
    on_board: bool = False
    list_role: str = OUT
    before_history: str | None = None
    start_unknown: bool = False
    done_unknown: bool = False
    dropped_from_progress: datetime | None = None


def replay(
    history: BoardHistory, roles: Mapping[str, str], *, as_of: datetime, archived: str = "dropped"
) -> list[CardTimeline]:
    """Every card that was on the board at some moment up to ``as_of``, in (created, id) order.

    ``roles`` maps list ids to roles (:func:`.roles.resolve_roles`); a list it
    does not know counts as ``todo``. ``archived`` is the state of a card
    archived while not in a done list: ``dropped`` or ``done``.
    """
    if archived not in ARCHIVED_MEANINGS:
        raise ValueError(f"archived must be one of {ARCHIVED_MEANINGS}, not {archived!r}")
    by_card: dict[str, list[Action]] = {}
    list_events: dict[str, list[tuple[datetime, str, bool]]] = {}
    card_types = CARD_TYPES | LABEL_TYPES | MEMBER_TYPES
    for action in history.actions:
        kind = action.type
        if kind in card_types:
            card_id = action.card_id
            if card_id is not None:
                events = by_card.get(card_id)
                if events is None:
                    by_card[card_id] = [action]
                else:
                    events.append(action)
        elif (kind == "moveListFromBoard" or kind == "moveListToBoard") and action.list_id:
            list_events.setdefault(action.list_id, []).append((action.date, "away", kind == "moveListFromBoard"))
        elif kind == "updateList" and action.closed is not None and action.list_id:
            list_events.setdefault(action.list_id, []).append((action.date, "closed", action.closed))
    lists = _list_changes(list_events, {item.id for item in history.lists if item.closed})
    begins = history.actions[0].date if history.actions else None
    snapshots = {card.id: card for card in history.former_cards}
    snapshots.update((card.id, card) for card in history.cards)
    # Cards in the order their actions began, then those no action mentions: replaying
    # in roughly the order the actions were built keeps memory access local.
    timelines = []
    for card_id, events in by_card.items():
        timeline = _replay_card(card_id, events, snapshots.get(card_id), roles, as_of, lists, begins, archived)
        if timeline is not None:
            timelines.append(timeline)
    for card_id, snapshot in snapshots.items():
        if card_id not in by_card:
            timeline = _replay_card(card_id, (), snapshot, roles, as_of, lists, begins, archived)
            if timeline is not None:
                timelines.append(timeline)
    timelines.sort(key=_by_created)
    return timelines


def _list_changes(events: Mapping[str, list[tuple[datetime, str, bool]]], closed_now: set[str]) -> dict[str, _ListChanges]:
    """For each list that moved boards or was archived: its status before its first change, and after each change.

    A list whose first recorded move is its arrival was on another board
    before; one whose first archive change is a restore was archived before;
    one with no archive change in the history is as archived as the board
    shows it now.
    """
    result: dict[str, _ListChanges] = {}
    for list_id in set(events) | closed_now:
        changes = events.get(list_id, [])
        away = next((not value for _, what, value in changes if what == "away"), False)
        closed = next((not value for _, what, value in changes if what == "closed"), list_id in closed_now)
        initial = (away, closed)
        after = []
        for moment, what, value in changes:
            if what == "away":
                away = value
            else:
                closed = value
            after.append((moment, (away, closed)))
        result[list_id] = (initial, after)
    return result


def _replay_card(
    card_id: str,
    events: list[Action] | tuple[()],
    snapshot: CardSnapshot | None,
    roles: Mapping[str, str],
    as_of: datetime,
    lists: Mapping[str, _ListChanges],
    begins: datetime | None,
    archived: str,
) -> CardTimeline | None:
    create = None
    for event in events:
        if event.type in CREATE_TYPES:
            create = event
            break
    created = create.date if create is not None else id_time(card_id)
    # A card older than the history is first seen when the history begins.
    first_seen = begins if create is None and begins is not None and created < begins else created
    if first_seen > as_of:
        return None
    role_of = roles.get
    first_list = create.list_id if create is not None else _earliest_list(events, snapshot)
    list_role = role_of(first_list, _DEFAULT_ROLE) if first_list else _DEFAULT_ROLE
    # Cards are created open; only a card whose creation is not in the history may start archived.
    closed = False
    if create is None:
        closed = snapshot.closed if snapshot is not None else False
        for event in events:
            if event.closed is not None and event.type == "updateCard":
                closed = not event.closed
                break
    role = list_role if not closed or list_role == "done" or list_role == "ignore" else archived
    start_unknown = create is None and (list_role == "in_progress" or list_role == "done")
    segments = [_new(Segment, (first_seen, first_list, role))]
    current = first_list
    on_board = True
    deleted_at = moved_away_at = None
    reopened: list[datetime] = []
    name: str | None = None
    creating = CREATE_TYPES
    # Unpacking each action once keeps this loop, which sees every action, cheap.
    for event in events:
        _, kind, date, _, _, card_name, list_id, _, _, _, after_id, _, closing = event[:13]
        if date > as_of:
            break
        if card_name is not None:
            name = card_name
        if event is create or date < created:
            continue
        moved = True
        if kind in creating:
            on_board = True
            deleted_at = moved_away_at = None
            current = list_id or current
        elif after_id is not None:
            current = after_id
        elif kind == "deleteCard":
            on_board = False
            deleted_at = date
        elif kind == "moveCardFromBoard":
            on_board = False
            moved_away_at = date
        else:
            moved = False
        if closing is not None and kind == "updateCard" and closing != closed:
            closed = closing
            moved = True
        if moved:
            previous = role
            if on_board:
                list_role = role_of(current, _DEFAULT_ROLE) if current else _DEFAULT_ROLE
                role = list_role if not closed or list_role == "done" or list_role == "ignore" else archived
            else:
                role = OUT
            last = segments[-1]
            if role != previous or (on_board and current != last.list_id):
                if previous == "done" and role != "done" and role != OUT and role != DROPPED:
                    reopened.append(date)
                segments.append(_new(Segment, (date, current if on_board else last.list_id, role)))
    if lists:
        segments = _apply_lists(segments, lists, as_of, archived)
    before_history = segments[0].role if create is None else None
    name = name if name is not None else _name_after(events, as_of, snapshot)
    started = None
    if not start_unknown:
        for segment in segments:
            if segment.role == "in_progress":
                started = segment.start
                break
    last = segments[-1]
    final = last.role
    done = dropped_at = dropped_from_progress = None
    done_unknown = False
    if final == "done" or final == DROPPED:
        index = len(segments) - 1
        while index > 0 and segments[index - 1].role == final:
            index -= 1
        known = index > 0 or create is not None
        if final == "done":
            done = segments[index].start if known else None
            done_unknown = not known
        else:
            dropped_at = segments[index].start if known else None
            if index > 0 and segments[index - 1].role == "in_progress":
                dropped_from_progress = segments[index].start
    labels, members = _labels_and_members(events, snapshot, as_of)
    on = final != OUT
    return _new(CardTimeline, (
        card_id,  # id
        name,  # name
        created,  # created
        create is None,  # created_from_id
        tuple(segments),  # segments
        started,  # started
        done,  # done
        closed,  # closed
        snapshot.key if snapshot is not None else None,  # key
        snapshot.url if snapshot is not None else None,  # url
        labels,  # label_ids
        members,  # member_ids
        deleted_at,  # deleted_at
        moved_away_at,  # moved_away_at
        tuple(reopened),  # reopened_at
        dropped_at,  # dropped_at
        final,  # role
        last.list_id,  # list_id
        on,  # on_board
        (role_of(last.list_id, _DEFAULT_ROLE) if last.list_id else _DEFAULT_ROLE) if on else OUT,  # list_role
        before_history,  # before_history
        start_unknown,  # start_unknown
        done_unknown,  # done_unknown
        dropped_from_progress,  # dropped_from_progress
    ))


def _earliest_list(events: list[Action] | tuple[()], snapshot: CardSnapshot | None) -> str | None:
    """Where a card whose creation is not in the history sat before its first known action."""
    for event in events:
        if event.after_id is not None:
            return event.before_id
        if event.list_id is not None and event.type in CARD_TYPES:
            return event.list_id
    return snapshot.list_id if snapshot is not None else None


def _name_after(events: list[Action] | tuple[()], as_of: datetime, snapshot: CardSnapshot | None) -> str:
    """The name at ``as_of`` of a card no action up to then names: from the first action after it."""
    for event in events:
        if event.date > as_of and (event.old_name is not None or event.card_name is not None):
            if event.type == "updateCard" and event.old_name is not None:
                return event.old_name
            return event.card_name or ""
    return snapshot.name if snapshot is not None else ""


def _labels_and_members(
    events: list[Action] | tuple[()], snapshot: CardSnapshot | None, as_of: datetime
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The card's labels and members at ``as_of``.

    From the board as it is now, undoing the label and member actions dated
    after ``as_of``; for a card no longer on the board, from its actions alone.
    """
    if snapshot is not None:
        if not events or events[-1].date <= as_of:  # the usual case: nothing to undo
            return snapshot.label_ids, snapshot.member_ids
        labels, members = list(snapshot.label_ids), list(snapshot.member_ids)
        for event in reversed(events):
            if event.date <= as_of:
                break
            _toggle(event, labels, members, undo=True)
    else:
        labels, members = [], []
        for event in events:
            if event.date > as_of:
                break
            _toggle(event, labels, members, undo=False)
    return tuple(labels), tuple(members)


def _toggle(event: Action, labels: list[str], members: list[str], *, undo: bool) -> None:
    kind = event.type
    if kind in LABEL_TYPES and event.label_id:
        target, value, add = labels, event.label_id, kind == "addLabelToCard"
    elif kind in MEMBER_TYPES and event.target_member_id:
        target, value, add = members, event.target_member_id, kind == "addMemberToCard"
    else:
        return
    if add != undo:
        if value not in target:
            target.append(value)
    elif value in target:
        target.remove(value)


def _apply_lists(segments: list[Segment], lists: Mapping[str, _ListChanges], as_of: datetime, archived: str) -> list[Segment]:
    """Split segments in lists that moved boards or were archived.

    While its list is on another board the card is ``out``; while its list is
    archived a card that is not done (nor ignored) is ``archived`` (dropped,
    or done with ``--archived done``).
    """
    if not any(segment.list_id in lists for segment in segments):
        return segments

    def state(role: str, status: _ListStatus) -> str:
        if status[0]:
            return OUT
        if status[1] and (role == "todo" or role == "in_progress"):
            return archived
        return role

    result: list[Segment] = []
    for index, segment in enumerate(segments):
        info = lists.get(segment.list_id) if segment.role != OUT and segment.list_id else None
        if info is None:
            result.append(segment)
            continue
        end = segments[index + 1].start if index + 1 < len(segments) else None
        status, changes = info
        for moment, after in changes:
            if moment > segment.start:
                break
            status = after
        result.append(Segment(segment.start, segment.list_id, state(segment.role, status)))
        for moment, after in changes:
            if moment <= segment.start:
                continue
            if moment > as_of or (end is not None and moment >= end):
                break
            result.append(Segment(moment, segment.list_id, state(segment.role, after)))
    merged: list[Segment] = []
    for segment in result:
        if merged and merged[-1].role == segment.role and merged[-1].list_id == segment.list_id:
            continue
        merged.append(segment)
    return merged
