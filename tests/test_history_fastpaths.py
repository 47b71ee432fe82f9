"""The report's fast paths give the same values as the plain code they replace.

``new_frozen`` builds report rows without the frozen ``__init__``; list names are
found by two scans that keep the first name met (one of them backwards);
``role_counts_at`` bisects; ``make_history`` skips de-duplication when every id
is new. Each is checked here against a direct, slow version of its definition.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta, timezone

import pytest

from trelloplan.history.metrics import FLOW_ROLES, role_at, role_counts_at
from trelloplan.history.model import Action, CardSnapshot
from trelloplan.history.parse import history_from_board_json, make_history
from trelloplan.history.replay import replay
from trelloplan.history.roles import list_names_as_of, resolve_roles
from trelloplan.history.schema import CardRef, CardRow, Finding, WipCard, new_frozen
from trelloplan.history.synthetic import BoardBuilder, generate_board

T0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)


def test_new_frozen_equals_the_constructor_and_is_as_frozen() -> None:
    row = CardRow("c1", "Card", "done", "Done", "l1", 2, "w2-x", ("Week 2",), ("m1",), False, T0, False,
                  T0 + timedelta(days=1), T0 + timedelta(days=2), "Week 2", 1.0, 2.0, None, 4.0, False, "https://t/c")
    fast = new_frozen(CardRow, *dataclasses.astuple(row))
    assert fast == row and hash(fast) == hash(row) and repr(fast) == repr(row)
    assert dataclasses.asdict(fast) == dataclasses.asdict(row)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.name = "other"  # type: ignore[misc]
    assert dataclasses.replace(fast, name="B") == dataclasses.replace(row, name="B")
    assert new_frozen(CardRef, "c1", "Card", None, "todo", None, False) == CardRef(id="c1", name="Card", week=None, role="todo",
                                                                                   done=None)
    assert new_frozen(WipCard, "c", "n", "Doing", T0, 1.5, True, None) == WipCard("c", "n", "Doing", T0, 1.5, True)
    assert new_frozen(Finding, "deleted", "c", "n", T0, "gone") == Finding("deleted", "c", "n", T0, "gone")


def test_new_frozen_wants_every_field_of_a_frozen_dataclass_with_a_dict() -> None:
    with pytest.raises(TypeError, match="6 fields, 5 values"):
        new_frozen(CardRef, "c1", "Card", None, "todo", None)
    with pytest.raises(TypeError, match="not a frozen dataclass"):
        new_frozen(CardSnapshot, "c", "n", None)  # slots
    with pytest.raises(TypeError, match="not a frozen dataclass"):
        new_frozen(dataclasses.make_dataclass("Open", ["a"]), 1)
    with pytest.raises(TypeError, match="not a frozen dataclass"):
        new_frozen(dict, 1)


def _names_by_definition(history, as_of: datetime) -> dict[str, str]:
    """docs/metrics.md, word for word: the latest name seen at or before as_of, else the earliest after."""
    sightings = []
    for action in history.actions:
        if action.type == "updateList" and action.old_name is not None:
            seen = [(action.list_id, action.old_name), (action.list_id, action.list_name)]
        elif action.after_id is not None:
            seen = [(action.before_id, action.before_name), (action.after_id, action.after_name)]
        else:
            seen = [(action.list_id, action.list_name)]
        sightings += [(action.date, list_id, name) for list_id, name in seen if list_id is not None and name is not None]
    names = {item.id: item.name for item in history.lists}
    for list_id in {list_id for _, list_id, _ in sightings}:
        before = [name for date, seen_id, name in sightings if seen_id == list_id and date <= as_of]
        after = [name for date, seen_id, name in sightings if seen_id == list_id and date > as_of]
        names[list_id] = before[-1] if before else after[0]
    return names


@pytest.mark.parametrize("seed", range(6))
def test_list_names_as_of_follow_the_definition(seed: int) -> None:
    rng = random.Random(seed)
    b = BoardBuilder("Names", created=T0 - timedelta(days=1))
    lists = [b.add_list(name) for name in ("To Do", "Doing", "Review", "Done")]
    cards = []
    moment = T0
    for _ in range(60):
        moment += timedelta(hours=rng.randint(1, 30))
        roll = rng.random()
        if roll < 0.15:
            b.rename_list(rng.choice(lists), rng.choice(("Doing", "Review", "QA", "Done", "Shipped", "Later")), moment)
        elif roll < 0.4 or not cards:
            cards.append(b.add_card(f"Card {len(cards)}", rng.choice(lists), moment))
        elif roll < 0.9:
            b.move(rng.choice(cards), rng.choice(lists), moment)
        else:
            b.archive(rng.choice(cards), moment)
    export = b.export()
    if seed % 2:  # lists known only from actions
        export["lists"] = export["lists"][:1]
    history = history_from_board_json(export)
    for hours in range(-24, 60 * 30 + 48, 7):
        as_of = T0 + timedelta(hours=hours)
        assert list_names_as_of(history, as_of) == _names_by_definition(history, as_of)


def test_list_names_as_of_follow_the_definition_on_odd_actions() -> None:
    """Moves within one list that record two names, renames without the new name, lists that appear late."""
    def at(hours: int) -> datetime:
        return T0 + timedelta(hours=hours)

    actions = [
        Action("a1", "updateCard", at(1), card_id="c", before_id="L", before_name="Old", after_id="L", after_name="New"),
        Action("a2", "updateList", at(2), list_id="L", list_name=None, old_name="Renamed from"),
        Action("a3", "updateCard", at(3), card_id="c", before_id="M", before_name=None, after_id="L", after_name="Later"),
        Action("a4", "createCard", at(4), card_id="d", list_id="M", list_name="Mid"),
        Action("a5", "updateList", at(5), list_id="M", list_name="Mid 2", old_name="Mid 1"),
        Action("a6", "updateCard", at(6), card_id="d", before_id="M", before_name="Mid 3", after_id="M", after_name="Mid 4"),
    ]
    history = make_history(actions)
    for hours in range(8):
        assert list_names_as_of(history, at(hours)) == _names_by_definition(history, at(hours))


def test_role_counts_at_equal_the_role_of_every_card_at_every_boundary() -> None:
    history = history_from_board_json(generate_board(1500, seed=4))
    as_of = datetime(2026, 3, 20, tzinfo=timezone.utc)
    roles, _ = resolve_roles(history, as_of=as_of)
    timelines = replay(history, roles, as_of=as_of)
    start = datetime(2026, 1, 3, tzinfo=timezone.utc)
    boundaries = [start + timedelta(hours=13 * n) for n in range(160)] + [as_of, as_of]
    expected = []
    for boundary in boundaries:
        at = [role_at(t, boundary) for t in timelines]
        expected.append({role: at.count(role) for role in FLOW_ROLES})
    assert role_counts_at(timelines, boundaries) == expected


def test_make_history_keeps_the_first_of_repeated_ids_in_any_order() -> None:
    def action(action_id: str, hours: int, name: str) -> Action:
        return Action(action_id, "updateCard", T0 + timedelta(hours=hours), card_id="c", card_name=name)

    given = [action("b", 2, "first b"), action("a", 1, "a"), action("b", 0, "second b, earlier"), action("c", 2, "c")]
    assert [(a.id, a.card_name) for a in make_history(given).actions] == [("a", "a"), ("b", "first b"), ("c", "c")]
    assert make_history(iter(given)) == make_history(given)  # any iterable
    unique = [action(str(n), n % 5, "x") for n in range(20)]
    assert [a.id for a in make_history(reversed(unique)).actions] == [a.id for a in sorted(unique, key=lambda a: (a.date, a.id))]
