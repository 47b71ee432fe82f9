"""Card timelines: every definition of docs/metrics.md on hand-built histories, and the self-check on real data."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from trelloplan.history.model import RELEVANT_TYPES, id_time
from trelloplan.history.parse import history_from_actions, history_from_board_json
from trelloplan.history.replay import OUT, replay
from trelloplan.history.roles import resolve_roles
from trelloplan.history.synthetic import BoardBuilder, object_id

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "trello-samples"
MONDAY = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)
FAR = datetime(2030, 1, 1, tzinfo=timezone.utc)


def at(days: float) -> datetime:
    return MONDAY + timedelta(days=days)


def board() -> tuple[BoardBuilder, str, str, str]:
    b = BoardBuilder("Test", created=MONDAY - timedelta(days=7))
    return b, b.add_list("To Do"), b.add_list("In Progress"), b.add_list("Done")


def timelines(b: BoardBuilder, as_of: datetime = FAR, export: dict | None = None) -> dict:
    history = history_from_board_json(export or b.export())
    roles, _ = resolve_roles(history, as_of=as_of)
    return {t.id: t for t in replay(history, roles, as_of=as_of)}


def test_created_started_done_follow_the_definitions() -> None:
    b, todo, doing, done = board()
    card = b.add_card("A", todo, at(0))
    b.move(card, doing, at(1))
    b.move(card, todo, at(2))
    b.move(card, doing, at(3))
    b.move(card, done, at(4.5))
    t = timelines(b)[card]
    assert t.created == at(0) and not t.created_from_id
    assert t.started == at(1)  # the first entry into in progress, not the last
    assert t.done == at(4.5)
    assert t.role == "done" and t.list_id == done


@pytest.mark.parametrize("kind", ["createCard", "copyCard", "convertToCardFromCheckItem", "emailCard", "moveCardToBoard"])
def test_every_creation_type_sets_created_and_the_first_list(kind: str) -> None:
    b, todo, doing, done = board()
    card = b.add_card("A", doing, at(2), kind=kind)
    t = timelines(b)[card]
    assert t.created == at(2) and not t.created_from_id
    assert t.list_id == doing and t.started == at(2)


def test_done_is_the_start_of_the_final_unbroken_stretch_in_done_lists() -> None:
    b, todo, doing, done = board()
    shipped = b.add_list("Shipped")
    card = b.add_card("A", doing, at(0))
    b.move(card, done, at(1))
    b.move(card, doing, at(2))  # reopened
    b.move(card, done, at(3))
    b.move(card, shipped, at(4))  # done → done does not restart the stretch
    t = timelines(b)[card]
    assert t.done == at(3)
    assert t.reopened_at == (at(2),)
    assert [s.role for s in t.segments] == ["in_progress", "done", "in_progress", "done", "done"]


def test_as_of_cuts_the_history() -> None:
    b, todo, doing, done = board()
    card = b.add_card("A", todo, at(0))
    b.move(card, doing, at(1))
    b.move(card, done, at(2))
    before = timelines(b, as_of=at(1.5))[card]
    assert before.role == "in_progress" and before.done is None and before.started == at(1)
    assert timelines(b, as_of=at(0.5))[card].started is None
    assert card not in timelines(b, as_of=at(-0.5))  # not created yet
    exactly = timelines(b, as_of=at(2))[card]
    assert exactly.done == at(2)  # an action dated at the as-of moment counts


def test_archived_cards_are_done_in_a_done_list_and_dropped_elsewhere() -> None:
    b, todo, doing, done = board()
    finished, abandoned, parked = b.add_card("F", doing, at(0)), b.add_card("G", doing, at(0)), b.add_card("P", todo, at(0))
    b.move(finished, done, at(1))
    b.archive(finished, at(2))
    b.archive(abandoned, at(3))
    b.archive(parked, at(3))
    b.archive(parked, at(4), closed=False)  # unarchived: back in To Do
    t = timelines(b)
    assert t[finished].role == "done" and t[finished].closed and t[finished].done == at(1)
    assert t[abandoned].role == "dropped" and t[abandoned].dropped_at == at(3) and t[abandoned].dropped_from_progress == at(3)
    assert t[abandoned].list_role == "in_progress" and t[abandoned].started == at(0) and t[abandoned].done is None
    assert t[parked].role == "todo" and [s.role for s in t[parked].segments] == ["todo", "dropped", "todo"]
    before = timelines(b, as_of=at(2.5))[abandoned]
    assert not before.closed and before.role == "in_progress"


def test_archived_means_done_when_the_team_says_so() -> None:
    b, todo, doing, done = board()
    card = b.add_card("A", doing, at(0))
    b.archive(card, at(2))
    history = history_from_board_json(b.export())
    roles, _ = resolve_roles(history, as_of=FAR)
    [t] = replay(history, roles, as_of=FAR, archived="done")
    assert t.role == "done" and t.done == at(2) and t.started == at(0) and t.dropped_at is None
    with pytest.raises(ValueError, match="archived must be one of"):
        replay(history, roles, as_of=FAR, archived="gone")


def test_cards_in_an_archived_list_are_dropped_unless_the_list_is_done() -> None:
    b, todo, doing, done = board()
    later = b.add_list("Later")
    waiting, shipped = b.add_card("W", later, at(0)), b.add_card("S", done, at(0))
    b.archive_list(later, at(1))
    b.archive_list(done, at(1))  # teams archive Done every week
    t = timelines(b)
    assert t[waiting].role == "dropped" and t[waiting].dropped_at == at(1) and not t[waiting].closed
    assert t[shipped].role == "done" and t[shipped].done == at(0)
    b.archive_list(later, at(2), closed=False)
    assert timelines(b)[waiting].role == "todo"
    # A list archived before the history: its cards are dropped from the start, when they were dropped is unknown
    export = b.export()
    export["actions"] = [a for a in export["actions"] if a["type"] not in ("updateList", "createBoard", "createCard")]
    export["lists"] = [dict(item, closed=True) if item["id"] == later else item for item in export["lists"]]
    t = timelines(b, export=export)[waiting]
    assert t.role == "dropped" and t.dropped_at is None and t.before_history == "dropped"


def test_deleted_and_moved_away_cards_are_out_from_that_moment() -> None:
    b, todo, doing, done = board()
    deleted, moved = b.add_card("D", done, at(0)), b.add_card("M", doing, at(0))
    b.delete(deleted, at(1))
    b.move_to_other_board(moved, at(2))
    t = timelines(b)
    assert t[deleted].role == OUT and t[deleted].deleted_at == at(1) and t[deleted].done is None
    assert t[moved].role == OUT and t[moved].moved_away_at == at(2)
    earlier = timelines(b, as_of=at(0.5))
    assert earlier[deleted].role == "done" and earlier[moved].role == "in_progress"


def test_a_card_moved_away_and_back_is_on_the_board_again() -> None:
    b, todo, doing, done = board()
    card = b.add_card("A", doing, at(0))
    b.move_to_other_board(card, at(1))
    b._act("moveCardToBoard", at(2), {"card": b._card_ref(b.cards[card]), "list": b._list_ref(done),
                                       "boardSource": {"id": "f" * 24, "name": "Elsewhere"}})
    t = timelines(b)[card]
    assert t.created == at(0) and t.role == "done" and t.done == at(2) and t.moved_away_at is None


def test_created_from_the_card_id_when_no_creation_is_in_the_history() -> None:
    b, todo, doing, done = board()
    card = b.add_card("A", todo, at(0))
    b.move(card, doing, at(1))
    b.move(card, done, at(2))
    export = b.export()
    export["actions"] = [a for a in export["actions"] if a["type"] != "createCard"]
    t = timelines(b, export=export)[card]
    assert t.created_from_id and t.created == id_time(card) == at(0).replace(microsecond=0)
    assert t.segments[0].list_id == todo  # the list the first move left
    assert t.started == at(1) and t.done == at(2)


def test_a_card_with_no_actions_sits_in_its_current_list_with_unknown_times() -> None:
    b, todo, doing, done = board()
    card = b.add_card("A", done, at(0))
    export = b.export()
    export["actions"] = []
    t = timelines(b, export=export)[card]
    assert t.created_from_id and t.created == id_time(card) and t.role == "done"
    assert t.done is None and t.done_unknown and t.started is None and t.start_unknown


def test_what_the_history_does_not_show_stays_unknown() -> None:
    """A history cut after the cards' early life: their states then are known, their earlier times are not."""
    b, todo, doing, done = board()
    waiting, working, finished, again = (b.add_card(name, todo, at(0)) for name in "WXYZ")
    b.move(working, doing, at(1))
    b.move(finished, doing, at(1))
    b.move(finished, done, at(2))
    b.move(again, done, at(2))
    b.move(working, done, at(11))  # after the cut
    b.move(waiting, doing, at(12))
    b.move(again, todo, at(13))  # reopened, then done again
    b.move(again, done, at(14))
    export = b.export()
    export["actions"] = [a for a in export["actions"] if a["date"] >= "2027-01-14"]  # from at(11): 15 Jan 09:00
    t = timelines(b, export=export)
    assert t[waiting].segments[0].start == at(11)  # first seen when the history begins
    assert t[waiting].started == at(12) and t[waiting].before_history == "todo" and not t[waiting].start_unknown
    assert t[working].done == at(11) and t[working].started is None and t[working].start_unknown
    assert t[finished].role == "done" and t[finished].done is None and t[finished].done_unknown
    assert t[finished].before_history == "done" and t[finished].start_unknown
    assert t[again].done == at(14) and not t[again].done_unknown and t[again].started is None


def test_renamed_lists_are_matched_by_id() -> None:
    b, todo, doing, done = board()
    card = b.add_card("A", doing, at(0))
    b.move(card, done, at(1))
    b.rename_list(done, "Shipped 🎉", at(2))
    b.rename_list(doing, "Backlog", at(5))  # after the as-of moment: the old name decides
    t = timelines(b, as_of=at(3))[card]
    assert t.done == at(1) and t.started == at(0)


def test_a_list_moved_to_another_board_takes_its_cards_off_the_board() -> None:
    b, todo, doing, done = board()
    card = b.add_card("A", doing, at(0))
    b._act("moveListFromBoard", at(1), {"list": b._list_ref(doing), "boardTarget": {"id": "f" * 24, "name": "X"}})
    assert timelines(b)[card].role == OUT
    assert timelines(b, as_of=at(0.5))[card].role == "in_progress"
    b._act("moveListToBoard", at(2), {"list": b._list_ref(doing), "boardSource": {"id": "f" * 24, "name": "X"}})
    t = timelines(b)[card]
    assert t.role == "in_progress" and [s.role for s in t.segments] == ["in_progress", OUT, "in_progress"]


def test_labels_and_members_are_taken_as_of_the_moment() -> None:
    b, todo, doing, done = board()
    week1, week2 = b.add_label("Week 1"), b.add_label("Week 2")
    card = b.add_card("A", todo, at(0), labels=(week1,))
    b.label_card(card, week1, at(3), add=False)
    b.label_card(card, week2, at(3))
    b.assign(card, b.member, at(4))
    assert timelines(b, as_of=at(1))[card].label_ids == (week1,)
    assert timelines(b, as_of=at(1))[card].member_ids == ()
    assert timelines(b)[card].label_ids == (week2,) and timelines(b)[card].member_ids == (b.member,)


def test_the_due_update_trello_logs_just_before_a_creation_changes_nothing() -> None:
    b, todo, doing, done = board()
    card_id = object_id(at(0), 999)
    actions = [
        {"id": object_id(at(0), 1000), "type": "updateCard", "date": "2027-01-04T09:00:00.010Z",
         "data": {"card": {"id": card_id, "name": "A"}, "list": {"id": doing, "name": "In Progress"}, "old": {"due": None}}},
        {"id": object_id(at(0), 1002), "type": "createCard", "date": "2027-01-04T09:00:00.040Z",
         "data": {"card": {"id": card_id, "name": "A"}, "list": {"id": todo, "name": "To Do"}}},
    ]
    history = history_from_actions(actions)
    t = {t.id: t for t in replay(history, {todo: "todo", doing: "in_progress"}, as_of=FAR)}[card_id]
    assert t.role == "todo" and t.started is None and len(t.segments) == 1


# -- real data ---------------------------------------------------------------------------------------------------------


def _load(name: str) -> list:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["adlio/actions_card-actions-typical.json", "adlio/actions_card-actions-done.json"])
def test_self_check_replaying_a_real_card_ends_in_its_last_list(name: str) -> None:
    actions = _load(name)
    history = history_from_actions(actions)
    newest = actions[0]["data"]
    final_list = newest.get("listAfter", newest.get("list"))["id"]
    roles, _ = resolve_roles(history, as_of=FAR)  # archived in Done: still done, no segment of its own
    [timeline] = replay(history, roles, as_of=FAR)
    assert timeline.list_id == final_list
    assert timeline.created == history.actions[0].date and not timeline.created_from_id
    moves = [a for a in actions if "listAfter" in a["data"]]
    assert len(timeline.segments) == len(moves) + 1


def test_the_typical_card_ends_archived_in_done() -> None:
    history = history_from_actions(_load("adlio/actions_card-actions-typical.json"))
    roles, names = resolve_roles(history, as_of=FAR)
    [timeline] = replay(history, roles, as_of=FAR)
    assert names[timeline.list_id] == "Done"
    assert timeline.closed and timeline.role == "done" and timeline.done == timeline.segments[-1].start


@pytest.mark.parametrize("name", ["board-exports/kanban-template.json", "board-exports/web-development.json"])
def test_self_check_on_board_exports_every_replay_ends_where_the_card_is(name: str) -> None:
    export = _load(name)
    history = history_from_board_json(export)
    by_id = {t.id: t for t in replay(history, {}, as_of=FAR)}
    created_in_history = {a["data"]["card"]["id"] for a in export["actions"]
                          if a["type"] in ("createCard", "copyCard") and "card" in a["data"]}
    checked = 0
    for card in export["cards"]:
        if card["id"] in created_in_history:
            assert by_id[card["id"]].list_id == card["idList"], card["name"]
            assert by_id[card["id"]].closed == card["closed"]
            checked += 1
    assert checked == len(export["cards"])  # these small boards have their full history
    deleted = {a["data"]["card"]["id"] for a in export["actions"] if a["type"] == "deleteCard"}
    assert all(by_id[card_id].role == OUT for card_id in deleted)


def test_the_trellodotnet_page_replays_without_losing_cards() -> None:
    actions = _load("trellodotnet/BoardActions.json")
    history = history_from_actions(actions)
    found = {t.id: t for t in replay(history, {}, as_of=FAR)}
    mentioned = {a["data"]["card"]["id"] for a in actions if "card" in a["data"] and a["type"] in RELEVANT_TYPES}
    assert set(found) == mentioned
    for action in actions:
        if "listAfter" in action["data"]:
            card = found[action["data"]["card"]["id"]]
            assert any(s.list_id == action["data"]["listAfter"]["id"] for s in card.segments)


def _cassette_actions(name: str) -> list[dict]:
    """The action pages recorded in a tacokit cassette (JSON, bodies in base64)."""
    import base64

    data = json.loads((SAMPLES / "tacokit" / name).read_text(encoding="utf-8"))
    pages = [json.loads(base64.b64decode(i["response"]["body"]["base64_string"])) for i in data["http_interactions"]]
    return [action for page in pages for action in page]


def test_recorded_deletions_and_moves_to_other_boards_take_cards_off() -> None:
    actions = _cassette_actions("Boards__board_actions_returns_board_actions.json")
    history = history_from_actions(actions)
    found = {t.id: t for t in replay(history, {}, as_of=FAR)}
    deleted = {a["data"]["card"]["id"]: a["date"] for a in actions if a["type"] == "deleteCard"}
    moved = {a["data"]["card"]["id"]: a["date"] for a in actions if a["type"] == "moveCardFromBoard"}
    assert len(deleted) >= 20 and len(moved) >= 5
    for card_id, date in deleted.items():
        assert found[card_id].role == OUT and found[card_id].deleted_at.isoformat().startswith(date[:19])
    for card_id in moved:
        assert found[card_id].role == OUT and found[card_id].moved_away_at is not None
    created = {a["data"]["card"]["id"] for a in actions if a["type"] == "createCard"}
    assert all(not found[c].created_from_id for c in created)
    assert all(found[c].created_from_id for c in set(found) - created)
