"""Replay a board's actions into one timeline per card, as of any moment.

A card's timeline is a run of :class:`Segment` values: from each start time the
card sat in one list (with that list's role), or was off the board (``out``:
deleted, moved to another board, or in a list that was moved away). Only
actions dated at or before ``as_of`` change a timeline, so the state at
``as_of`` is the last segment, and a report as of last Friday is the same
whenever it is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from operator import itemgetter
from typing import NamedTuple

from .model import CARD_TYPES, CREATE_TYPES, LABEL_TYPES, MEMBER_TYPES, Action, BoardHistory, CardSnapshot, id_time

__all__ = ["OUT", "CardTimeline", "Segment", "replay"]

#: The pseudo-role of a card that is not on the board.
OUT = "out"
_DEFAULT_ROLE = "todo"
# Segment and CardTimeline values built with tuple.__new__, skipping NamedTuple's
# Python-level __new__: the replay builds one timeline per card and a few segments each.
_new = tuple.__new__
_by_created = itemgetter(2, 0)  # a timeline's (created, id)


class Segment(NamedTuple):
    """From ``start`` on, the card was in ``list_id``, whose role is ``role`` (or ``out``)."""

    start: datetime
    list_id: str | None
    role: str


class CardTimeline(NamedTuple):
    """One card's history up to the as-of moment, and the facts the report derives from it.

    ``created`` is its first creation action (createCard, copyCard,
    convertToCardFromCheckItem, emailCard or moveCardToBoard), or the time in
    its id when none is in the history (``created_from_id``). ``started`` is
    when it first entered an ``in_progress`` list. ``done`` is set when the card
    is in a ``done`` list at the as-of moment: the start of its final unbroken
    stretch in ``done`` lists. ``role``, ``list_id`` and ``on_board`` are the
    last segment's: where the card was at the as-of moment.

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
    archived_in_progress_at: tuple[datetime, ...] = ()
    role: str = OUT
    list_id: str | None = None
    on_board: bool = False


def replay(history: BoardHistory, roles: Mapping[str, str], *, as_of: datetime) -> list[CardTimeline]:
    """Every card that was on the board at some moment up to ``as_of``, in (created, id) order.

    ``roles`` maps list ids to roles (:func:`.roles.resolve_roles`); a list it
    does not know counts as ``todo``.
    """
    by_card: dict[str, list[Action]] = {}
    away: dict[str, list[tuple[datetime, bool]]] = {}
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
            away.setdefault(action.list_id, []).append((action.date, kind == "moveListFromBoard"))
    snapshots = {card.id: card for card in history.former_cards}
    snapshots.update((card.id, card) for card in history.cards)
    # Cards in the order their actions began, then those no action mentions: replaying
    # in roughly the order the actions were built keeps memory access local.
    timelines = []
    for card_id, events in by_card.items():
        timeline = _replay_card(card_id, events, snapshots.get(card_id), roles, as_of, away)
        if timeline is not None:
            timelines.append(timeline)
    for card_id, snapshot in snapshots.items():
        if card_id not in by_card:
            timeline = _replay_card(card_id, (), snapshot, roles, as_of, away)
            if timeline is not None:
                timelines.append(timeline)
    timelines.sort(key=_by_created)
    return timelines


def _replay_card(
    card_id: str,
    events: list[Action] | tuple[()],
    snapshot: CardSnapshot | None,
    roles: Mapping[str, str],
    as_of: datetime,
    away: Mapping[str, list[tuple[datetime, bool]]],
) -> CardTimeline | None:
    create = None
    for event in events:
        if event.type in CREATE_TYPES:
            create = event
            break
    created = create.date if create is not None else id_time(card_id)
    if created > as_of:
        return None
    role_of = roles.get
    first_list = create.list_id if create is not None else _earliest_list(events, snapshot)
    role = role_of(first_list, _DEFAULT_ROLE) if first_list else _DEFAULT_ROLE
    segments = [_new(Segment, (created, first_list, role))]
    # Cards are created open; only a card whose creation is not in the history may start archived.
    closed = False
    if create is None:
        closed = snapshot.closed if snapshot is not None else False
        for event in events:
            if event.closed is not None and event.type == "updateCard":
                closed = not event.closed
                break
    current = first_list
    on_board = True
    deleted_at = moved_away_at = None
    reopened: list[datetime] = []
    archived_in_progress: list[datetime] = []
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
        if moved:
            previous = role
            role = (role_of(current, _DEFAULT_ROLE) if current else _DEFAULT_ROLE) if on_board else OUT
            last = segments[-1]
            if role != previous or (on_board and current != last.list_id):
                if previous == "done" and role != "done" and role != OUT:
                    reopened.append(date)
                segments.append(_new(Segment, (date, current if on_board else last.list_id, role)))
        if closing is not None and kind == "updateCard":
            if closing and not closed and role == "in_progress":
                archived_in_progress.append(date)
            closed = closing
    if away:
        segments = _apply_away(segments, away, as_of)
    name = name if name is not None else _name_after(events, as_of, snapshot)
    started = None
    for segment in segments:
        if segment.role == "in_progress":
            started = segment.start
            break
    done = None
    if segments[-1].role == "done":
        index = len(segments) - 1
        while index > 0 and segments[index - 1].role == "done":
            index -= 1
        done = segments[index].start
    labels, members = _labels_and_members(events, snapshot, as_of)
    last = segments[-1]
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
        tuple(archived_in_progress),  # archived_in_progress_at
        last.role,  # role
        last.list_id,  # list_id
        last.role != OUT,  # on_board
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


def _apply_away(
    segments: list[Segment], away: Mapping[str, list[tuple[datetime, bool]]], as_of: datetime
) -> list[Segment]:
    """Split segments in lists that were moved to another board: the card was off the board meanwhile."""
    if not any(segment.list_id in away for segment in segments):
        return segments
    result: list[Segment] = []
    for index, segment in enumerate(segments):
        changes = away.get(segment.list_id) if segment.role != OUT and segment.list_id else None
        result.append(segment)
        if not changes:
            continue
        end = segments[index + 1].start if index + 1 < len(segments) else None
        # A list whose first recorded change is its arrival was on another board before.
        gone = not changes[0][1]
        for moment, leaving in changes:
            if moment > segment.start:
                break
            gone = leaving
        if gone:
            result[-1] = Segment(segment.start, segment.list_id, OUT)
        for moment, leaving in changes:
            if moment <= segment.start:
                continue
            if moment > as_of or (end is not None and moment >= end):
                break
            result.append(Segment(moment, segment.list_id, OUT if leaving else segment.role))
    merged: list[Segment] = []
    for segment in result:
        if merged and merged[-1].role == segment.role and merged[-1].list_id == segment.list_id:
            continue
        merged.append(segment)
    return merged
