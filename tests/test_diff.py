"""The three-way diff: plan × board × last-applied state, with no I/O."""

from __future__ import annotations

import dataclasses
from pathlib import Path


from trelloplan.board.diff import CHECKLIST_NAME, UNKNOWN, desired_card, diff_plan, label_refs, three_way
from trelloplan.board.markers import compose_desc
from trelloplan.board.remote import board_marker
from trelloplan.board.remote import BoardState, RemoteCard, RemoteCheckItem, RemoteChecklist, RemoteLabel, RemoteList, parse_due
from trelloplan.board.state import PlanState
from trelloplan.plan.model import Plan
from trelloplan.plan.planfile import load_plan, load_plan_text

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_plan(ROOT / "plans" / "mlops-gcp-10-weeks.yaml")


def applied_board(plan: Plan) -> tuple[BoardState, PlanState]:
    """The board and state a perfect apply of ``plan`` leaves behind."""
    state = PlanState(board_id="b" * 24, board={"name": plan.project})
    lists = []
    for i, (role, name) in enumerate(zip(("todo", "in_progress", "done"), plan.lists.ordered())):
        lists.append(RemoteList(f"l{i:03d}".ljust(24, "0"), name, False, 16384.0 * (i + 1)))
        state.lists[role] = {"id": lists[-1].id, "name": name}
    labels = []
    for i, (ref, (name, color)) in enumerate(label_refs(plan).items()):
        labels.append(RemoteLabel(f"a{i:03d}".ljust(24, "0"), name, color))
        state.labels[ref] = {"id": labels[-1].id, "name": name, "color": color}
    label_id = {ref: state.labels[ref]["id"] for ref in state.labels}
    cards = []
    for i, task in enumerate(plan.tasks()):
        want = desired_card(plan, task)
        card_id = f"c{i:03d}".ljust(24, "0")
        checklists = ()
        if want["checklist"]:
            items = tuple(RemoteCheckItem(f"i{i:03d}{j:03d}".ljust(24, "0"), name, "incomplete", 16384.0 * (j + 1)) for j, name in enumerate(want["checklist"]))
            checklists = (RemoteChecklist(f"k{i:03d}".ljust(24, "0"), CHECKLIST_NAME, card_id, 16384.0, items),)
        cards.append(RemoteCard(card_id, want["name"], want["desc"], parse_due(want["due"]), lists[0].id,
                                tuple(label_id[ref] for ref in want["labels"]), False, 16384.0 * (i + 1), checklists))
        state.cards[task.key] = {"id": card_id, **{k: want[k] for k in ("name", "desc", "hours", "due", "labels", "checklist", "members")}}
        if checklists:
            state.cards[task.key]["checklist_id"] = checklists[0].id
    board = BoardState("b" * 24, plan.project, board_marker(state.instance), False, "https://trello.com/b/x", tuple(lists), tuple(labels), tuple(cards))
    return board, state


def replace_card(board: BoardState, key: str, **changes) -> BoardState:
    cards = tuple(dataclasses.replace(c, **changes) if c.key == key else c for c in board.cards)
    return dataclasses.replace(board, cards=cards)


def summary(diff):
    return [(c.action, c.kind, c.ref, sorted(c.fields)) for c in diff.changes]


def test_a_new_board_needs_one_write_per_object():
    diff = diff_plan(PLAN, None, PlanState())
    assert diff.counts() == {"create": 1 + 3 + 11 + 60 + 2 + 4, "update": 0, "archive": 0, "delete": 0}
    assert diff.writes == sum(diff.counts().values()) == 1 + 3 + 11 + 60 + 2 + 4  # the counts add up
    assert [c.kind for c in diff.changes][:4] == ["board", "list", "list", "list"]
    cards = [c for c in diff.changes if c.kind == "card"]
    first = cards[0]
    assert first.fields["name"] == "Write the project charter and success metrics"
    assert first.fields["labels"] == ["week:1"] and first.fields["due"] == "2027-01-08T17:00:00.000Z"
    assert first.fields["desc"] == "Estimate: 4 h\ntrelloplan-key: write-the-project-charter-and-success-metrics"
    assert [c.fields["pos"] for c in cards[:3]] == [16384.0, 32768.0, 49152.0]
    demo = next(c for c in cards if c.ref == "w3-demo")
    assert demo.fields["labels"] == ["week:3", "demo"] and demo.fields["name"] == "Demo: GCP Skeleton Project"
    assert "Milestone: Setup GCP" in demo.fields["desc"]
    checklists = [c for c in diff.changes if c.kind == "checklist"]
    assert [(c.ref, c.fields["add"]) for c in checklists] == [
        ("set-up-the-trello-board-and-team-working-agreement", ["Agree on the definition of done", "Agree on the weekly demo slot"]),
        ("schedule-a-weekly-retraining-query", ["Create the scheduled query", "Alert on failure"]),
    ]
    assert str(diff.changes[0]) == "+ board: MLOps on GCP"


def test_an_applied_board_needs_nothing():
    board, state = applied_board(PLAN)
    diff = diff_plan(PLAN, board, state)
    assert diff.empty and diff.notes == [] and diff.writes == 0
    assert len([k for k in diff.ids if k.startswith("card:")]) == 60


def test_without_state_cards_are_found_by_their_key():
    board, _ = applied_board(PLAN)
    diff = diff_plan(PLAN, board, PlanState())
    assert diff.empty and len(diff.ids) == 3 + 11 + 60


def test_a_person_moving_and_archiving_cards_is_never_undone():
    board, state = applied_board(PLAN)
    done = board.lists[2].id
    board = replace_card(board, "w1-demo", list_id=done)
    board = replace_card(board, "w2-demo", closed=True, name="Gone")
    diff = diff_plan(PLAN, board, state)
    assert diff.empty
    assert [(n.kind, n.ref) for n in diff.notes] == [("archived", "w2-demo")]


def test_a_person_renaming_a_card_is_kept():
    board, state = applied_board(PLAN)
    board = replace_card(board, "w1-demo", name="Kickoff demo (recorded!)")
    diff = diff_plan(PLAN, board, state)
    assert diff.empty
    assert [str(n) for n in diff.notes] == ["· card w1-demo: name was changed on the board; keeping it"]


def test_a_plan_change_updates_only_that_field():
    board, state = applied_board(PLAN)
    key = "write-the-project-charter-and-success-metrics"
    text = (ROOT / "plans" / "mlops-gcp-10-weeks.yaml").read_text().replace(
        "      - Write the project charter and success metrics\n",
        f"      - name: Write the project charter\n        key: {key}\n        hours: 3\n")
    plan = load_plan_text(text)
    diff = diff_plan(plan, board, state)
    assert summary(diff) == [("update", "card", key, ["desc", "name"])]
    assert str(diff.changes[0]) == ("~ card: Write the project charter and success metrics "
                                    "(name: 'Write the project charter and success metrics' → 'Write the project charter'; hours: 4 → 3)")
    assert diff.changes[0].fields["desc"] == f"Estimate: 3 h\ntrelloplan-key: {key}"


def test_moving_a_task_to_another_week_keeps_its_card_and_changes_only_due_and_week_label():
    board, state = applied_board(PLAN)
    key = "record-the-kickoff-presentation"
    card = next(c for c in board.cards if c.key == key)
    board = replace_card(board, key, label_ids=card.label_ids + ("personal-label-id-0000000",), list_id=board.lists[1].id)
    text = (ROOT / "plans" / "mlops-gcp-10-weeks.yaml").read_text().replace("      - Record the kickoff presentation\n", "")
    text = text.replace("      - Record the final MVP presentation\n",
                        "      - Record the final MVP presentation\n      - Record the kickoff presentation\n")
    plan = load_plan_text(text)
    assert plan.task(key).week == 10  # no `key:` needed: the default key is the name's
    diff = diff_plan(plan, board, state)
    [change] = diff.changes
    assert (change.action, change.ref, change.id, sorted(change.fields)) == ("update", key, card.id, ["due", "keep_label_ids", "labels"])
    assert change.fields["labels"] == ["week:10"] and change.fields["due"] == "2027-03-12T17:00:00.000Z"
    assert change.fields["keep_label_ids"] == ["personal-label-id-0000000"]
    assert change.details == ("due: Fri 2027-01-08 17:00 → Fri 2027-03-12 17:00", "labels: Week 1 → Week 10")
    assert "keep_label_ids" not in str(change) and diff.notes == [] and diff.drift


def test_both_changed_is_a_conflict_unless_forced():
    board, state = applied_board(PLAN)
    board = replace_card(board, "w1-demo", name="Renamed on the board")
    plan = load_plan_text((ROOT / "plans" / "mlops-gcp-10-weeks.yaml").read_text().replace(
        "demo: Kickoff (present plan)", "demo: Kickoff (present the plan)"))
    diff = diff_plan(plan, board, state)
    assert summary(diff) == [("update", "card", "w1-demo", ["desc"])]  # the description changed in the plan only
    assert [n.kind for n in diff.notes] == ["conflict"] and diff.drift
    assert "use --force" in str(diff.notes[0])
    assert diff.changes[0].details == (
        "description", "      - Demo: record a 30-second video that shows: Kickoff (present plan)",
        "      + Demo: record a 30-second video that shows: Kickoff (present the plan)")  # line by line, not cut
    forced = diff_plan(plan, board, state, force=True)
    assert summary(forced) == [("update", "card", "w1-demo", ["desc", "name"])]


def test_without_state_a_difference_is_a_conflict_never_overwritten_without_force():
    board, _ = applied_board(PLAN)
    board = replace_card(board, "w1-demo", name="Renamed", due=parse_due("2027-01-01T00:00:00.000Z"),
                         desc=compose_desc("Our own notes", 1.0, "w1-demo"))
    diff = diff_plan(PLAN, board, PlanState())
    assert diff.empty and diff.drift
    assert sorted(n.message.split(":")[1].split(" on the board")[0].strip() for n in diff.notes if n.kind == "conflict") == [
        "description", "due date", "name"]
    assert "the state file does not say what apply wrote" in diff.notes[0].message
    forced = diff_plan(PLAN, board, PlanState(), force=True)
    assert summary(forced) == [("update", "card", "w1-demo", ["desc", "due", "name"])]


def test_removed_tasks_are_reported_and_pruned_only_on_request():
    board, state = applied_board(PLAN)
    text = (ROOT / "plans" / "mlops-gcp-10-weeks.yaml").read_text().replace("      - Write the on-call runbook\n", "")
    plan = load_plan_text(text)
    diff = diff_plan(plan, board, state)
    assert diff.empty and diff.drift  # a removed task's open card is drift
    assert [str(n) for n in diff.notes] == [
        "! card write-the-on-call-runbook ('Write the on-call runbook', in 'To Do') is no longer in the plan\n"
        "      archive or delete it on Trello, or run apply with --prune"]
    pruned = diff_plan(plan, board, state, prune=True)
    assert summary(pruned) == [("archive", "card", "write-the-on-call-runbook", ["closed"])]
    assert not pruned.guarded  # it is still in To Do: nobody worked on it


def test_a_copied_card_with_the_same_key_is_left_to_the_person():
    board, state = applied_board(PLAN)
    original = next(c for c in board.cards if c.key == "w1-demo")
    copy = dataclasses.replace(original, id="f" * 24, name="Copy of demo", list_id=board.lists[1].id)
    board = dataclasses.replace(board, cards=board.cards + (copy,))
    diff = diff_plan(PLAN, board, PlanState())  # even without state, the oldest card is the original
    assert diff.empty and diff.ids["card:w1-demo"] == original.id
    assert [n.kind for n in diff.notes] == ["duplicate"]


def test_a_deleted_card_is_created_again():
    board, state = applied_board(PLAN)
    board = dataclasses.replace(board, cards=tuple(c for c in board.cards if c.key != "w4-demo"))
    diff = diff_plan(PLAN, board, state)
    assert summary(diff) == [("create", "card", "w4-demo", ["desc", "due", "idMembers", "labels", "name", "pos"])]
    assert diff.changes[0].fields["pos"] == max(c.pos for c in board.cards) + 16384
    assert [n.kind for n in diff.notes] == ["recreated"]


def test_checklists_add_new_items_and_respect_removed_ones():
    board, state = applied_board(PLAN)
    key = "set-up-the-trello-board-and-team-working-agreement"
    card = next(c for c in board.cards if c.key == key)
    checklist = card.checklists[0]
    board = replace_card(board, key, checklists=(dataclasses.replace(checklist, items=checklist.items[1:]),))
    text = (ROOT / "plans" / "mlops-gcp-10-weeks.yaml").read_text().replace(
        "          - Agree on the weekly demo slot\n", "          - Agree on the weekly demo slot\n          - Invite the team\n")
    diff = diff_plan(load_plan_text(text), board, state)
    [change] = diff.changes
    assert (change.action, change.kind, change.fields["add"], change.fields["remove"]) == ("update", "checklist", ["Invite the team"], [])
    assert change.writes == 1
    assert [n.message for n in diff.notes] == [f"card {key}: checklist item 'Agree on the definition of done' was removed on the board; keeping it removed"]


def test_a_checklist_item_removed_from_the_plan_is_removed_from_the_card():
    board, state = applied_board(PLAN)
    key = "schedule-a-weekly-retraining-query"
    text = (ROOT / "plans" / "mlops-gcp-10-weeks.yaml").read_text().replace("          - Alert on failure\n", "")
    diff = diff_plan(load_plan_text(text), board, state)
    [change] = diff.changes
    card = next(c for c in board.cards if c.key == key)
    assert change.fields["remove"] == [card.checklists[0].items[1].id] and change.fields["add"] == []


def test_renamed_list_and_label_are_kept_and_archived_list_reopened():
    board, state = applied_board(PLAN)
    lists = (dataclasses.replace(board.lists[0], name="Backlog"), board.lists[1], dataclasses.replace(board.lists[2], closed=True))
    labels = (dataclasses.replace(board.labels[0], color="sky"),) + board.labels[1:]
    diff = diff_plan(PLAN, dataclasses.replace(board, lists=lists, labels=labels), state)
    assert summary(diff) == [("update", "list", "done", ["closed"])]
    assert sorted(n.kind for n in diff.notes) == ["kept", "kept", "reopened"]


def test_three_way_rules():
    assert three_way("a", "a", "x") == "same"
    assert three_way("a", "b", "b") == "update"
    assert three_way("a", "b", UNKNOWN) == "unknown"  # a conflict: apply cannot tell a person's edit from the plan's
    assert three_way("a", "b", "a") == "kept"
    assert three_way("a", "b", "c") == "conflict"
    assert three_way(None, "red", None) == "kept"  # None is a real value (no colour)
