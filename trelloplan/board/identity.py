"""Which card is which task's: the matching of a board's cards to the plan's tasks (pure).

A task's key is its identity (:mod:`trelloplan.plan.model`: the name's slug
by default, so a task keeps its card when it moves to another week). A card
is a task's when, in this order:

1. the state file records the card's id under the task's key, or the card's
   ``trelloplan-key:`` marker is the task's key (the oldest such card; later
   copies are duplicates, left to people);
2. for a task whose key was derived from its name, the card's marker (or its
   state-file key) is the other form of the same slug: ``w3-set-up-bigquery``
   for ``set-up-bigquery`` and back. This is how boards made before 0.2 (week
   in every key) keep their cards, and how a task whose key had to be
   week-qualified (two tasks with one name) keeps its card when it moves.
   When several tasks could take one card, the task in the card's current
   week (by its week label) wins, then the task in the week its key names.
3. for a task still without a card, an open card with no marker that no
   state-file record names, whose name is exactly the task's: a card whose
   marker a person deleted with the rest of its description (found again
   when the state file is lost too), or one made by hand for the task.
   The task's week wins, then the oldest card.

Before both, a week's demo follows its name when weeks are renumbered (a week
inserted or removed): its key names its week, so without this the card of
week 3's demo would become the new week 3's demo, list and history included.

Cards of tasks no longer in the plan are *leftovers*. A leftover and a new
task are a *likely rename* when they are in the same week or their names are
alike; the differ then says which ``key:`` to write to keep the card.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..plan.model import Plan, Task, key_stem, key_week
from .remote import RemoteCard

__all__ = ["Matching", "guess_renames", "match_cards"]

RENAME_SIMILARITY = 0.6  # difflib ratio of two names from which a rename is likely, whatever the weeks


@dataclass
class Matching:
    """The result of :func:`match_cards`."""

    cards: dict[str, RemoteCard] = field(default_factory=dict)  # task key → its card
    record_keys: dict[str, str] = field(default_factory=dict)  # task key → the other state-file key its card was under
    copies: dict[str, int] = field(default_factory=dict)  # task key → copies of its card that carry its key
    by_name: set[str] = field(default_factory=set)  # task keys whose card was found by its name alone (3.)
    leftovers: list[tuple[str, RemoteCard]] = field(default_factory=list)  # (key, card) of cards of tasks gone


def match_cards(plan: Plan, cards: tuple[RemoteCard, ...], recorded: Mapping[str, Mapping[str, Any]],
                card_week: Callable[[RemoteCard], int | None]) -> Matching:
    """Match ``cards`` (archived ones too) to ``plan``'s tasks; ``recorded`` is the state file's cards by key."""
    out = Matching()
    by_id = {card.id: card for card in cards}
    by_marker: dict[str, list[RemoteCard]] = {}
    for remote in sorted(cards, key=lambda c: c.id):
        if remote.key:
            by_marker.setdefault(remote.key, []).append(remote)
    tasks = list(plan.tasks())
    plan_keys = {task.key for task in tasks}
    claimed: set[str] = set()
    moved = _renumbered_demos(tasks, cards, by_id, by_marker, recorded)
    for key, (demo_card, record_key) in moved.items():
        out.cards[key] = demo_card
        claimed.add(demo_card.id)
        if record_key is not None:
            out.record_keys[key] = record_key

    for task in tasks:  # 1. by the state file, then by the marker
        if task.key in out.cards:
            continue
        record = recorded.get(task.key) or {}
        marked = by_marker.get(task.key, [])
        card = by_id.get(str(record.get("id", ""))) or next(iter(marked), None)
        if card is None or card.id in claimed:
            continue
        if task.demo and card.closed and not record and card.name != task.name:
            continue  # an archived demo of a week removed earlier, not the demo the week has now
        out.cards[task.key] = card
        claimed.add(card.id)
        if len(marked) > (card in marked):
            out.copies[task.key] = len(marked) - (card in marked)

    # 2. the other form of a derived key: cards whose marker, or state-file key, is not a plan key
    pool: dict[str, tuple[RemoteCard, set[str]]] = {}
    for key, group in by_marker.items():
        if key not in plan_keys:
            for remote in group:
                if remote.id not in claimed:
                    pool.setdefault(remote.id, (remote, set()))[1].add(key)
    for key, record in recorded.items():
        found = by_id.get(str(record.get("id", "")))
        if key not in plan_keys and found is not None and found.id not in claimed and found.key not in plan_keys:
            pool.setdefault(found.id, (found, set()))[1].add(key)
    pairs = []
    for index, task in enumerate(tasks):
        if task.key in out.cards or task.slug is None:
            continue
        for card, keys in pool.values():
            alias = sorted(k for k in keys if key_stem(k) == task.slug)
            if alias:
                same_now = card_week(card) == task.week
                same_key = any(key_week(k) == task.week for k in alias)
                pairs.append(((not same_now, not same_key, index, card.id), task, card, alias))
    for _, task, card, alias in sorted(pairs, key=lambda p: p[0]):
        if task.key in out.cards or card.id in claimed:
            continue
        out.cards[task.key] = card
        claimed.add(card.id)
        record_key = next((k for k in alias if str((recorded.get(k) or {}).get("id", "")) == card.id), None)
        if record_key is not None:
            out.record_keys[task.key] = record_key

    known_ids = {str(record.get("id", "")) for record in recorded.values()}
    unmarked = [c for c in sorted(cards, key=lambda c: c.id) if not c.key and not c.closed and c.id not in claimed and c.id not in known_ids]
    for task in tasks:  # 3. by the name alone
        if task.key in out.cards:
            continue
        named = sorted((c for c in unmarked if c.name == task.name and c.id not in claimed), key=lambda c: card_week(c) != task.week)
        if named:
            out.cards[task.key] = named[0]
            out.by_name.add(task.key)
            claimed.add(named[0].id)

    seen: set[str] = set()
    for key, group in by_marker.items():
        if key not in plan_keys:
            for remote in group:
                if remote.id not in claimed and remote.id not in seen:
                    out.leftovers.append((key, remote))
                    seen.add(remote.id)
    for key, record in recorded.items():
        found = by_id.get(str(record.get("id", "")))
        if key not in plan_keys and found is not None and found.id not in claimed and found.id not in seen and not found.key:
            out.leftovers.append((key, found))
            seen.add(found.id)
    for key in moved:  # the card a demo moved in on: its week's demo is another card now, or no longer in the plan
        owner = by_id.get(str((recorded.get(key) or {}).get("id", "")))
        for remote in [*([owner] if owner is not None else []), *by_marker.get(key, [])[:1]]:
            if remote.id not in claimed and remote.id not in seen:
                out.leftovers.append((key, remote))
                seen.add(remote.id)
    return out


def _renumbered_demos(tasks: list[Task], cards: tuple[RemoteCard, ...], by_id: Mapping[str, RemoteCard],
                      by_marker: Mapping[str, list[RemoteCard]], recorded: Mapping[str, Mapping[str, Any]]
                      ) -> dict[str, tuple[RemoteCard, str | None]]:
    """Demo cards that follow their demo to another week: ``{task key: (card, its state-file key or None)}``.

    A demo's key names its week (``w3-demo``), so when a week is inserted or removed every later
    demo would take the card of the demo that used to have its number, with that card's list and
    history. A demo card whose name (on the board, or as apply last wrote it) is no longer its
    week's demo but is exactly one other week's is that week's demo's card, unless that week's own
    card still carries its name.
    """
    demos: dict[str, list[Task]] = {}
    for task in tasks:
        if task.demo:
            demos.setdefault(task.name, []).append(task)
    by_key = {task.key: task for task in tasks}
    record_of = {str(record.get("id", "")): key for key, record in recorded.items() if key_stem(key) is None}

    def own_card(key: str) -> RemoteCard | None:
        return by_id.get(str((recorded.get(key) or {}).get("id", ""))) or next(iter(by_marker.get(key, [])), None)

    moved: dict[str, tuple[RemoteCard, str | None]] = {}
    for card in sorted(cards, key=lambda c: (c.id not in record_of, c.id)):
        record_key = record_of.get(card.id)
        old_key = record_key or card.key
        if old_key is None or key_stem(old_key) is not None:
            continue
        names = {card.name, str((recorded.get(record_key) or {}).get("name", card.name)) if record_key else card.name}
        current = by_key.get(old_key)
        if current is not None and current.name in names:
            continue
        targets = {t.key: t for name in names for t in demos.get(name, [])}
        if len(targets) != 1:
            continue
        target = next(iter(targets.values()))
        home = own_card(target.key)
        if target.key == old_key or target.key in moved or (home is not None and home.id != card.id and home.name == target.name):
            continue
        moved[target.key] = (card, record_key)
    return moved


def guess_renames(new: list[Task], leftovers: list[tuple[str, RemoteCard]],
                  card_week: Callable[[RemoteCard], int | None]) -> list[tuple[Task, str, RemoteCard]]:
    """Likely renames: (new task, the leftover card's key, the card), each task and card at most once.

    A pair is likely when the names are alike (difflib ratio ≥ 0.6), or when
    the card's week is the task's week and each is the only one of its kind there.
    """
    alone_new = {t.week for t in new if sum(1 for o in new if o.week == t.week) == 1}
    weeks = [card_week(card) for _, card in leftovers]
    alone_old = {w for w in weeks if w is not None and weeks.count(w) == 1}
    pairs = []
    for task in new:
        for key, card in leftovers:
            ratio = difflib.SequenceMatcher(None, task.name.lower(), card.name.lower()).ratio()
            same_week = card_week(card) == task.week
            if ratio >= RENAME_SIMILARITY or (same_week and task.week in alone_new and task.week in alone_old):
                pairs.append((-(ratio + same_week), task.key, key, task, card))
    result: list[tuple[Task, str, RemoteCard]] = []
    used_tasks: set[str] = set()
    used_cards: set[str] = set()
    for _, _, key, task, card in sorted(pairs, key=lambda p: p[:3]):
        if task.key not in used_tasks and card.id not in used_cards:
            result.append((task, key, card))
            used_tasks.add(task.key)
            used_cards.add(card.id)
    return result
