"""Lists to roles: the default name rules, NAME=ROLE rules, ids first, and names as of the report's moment."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from trelloplan.errors import UsageError
from trelloplan.history.parse import history_from_board_json
from trelloplan.history.roles import RoleRules, default_role, list_names_as_of, normalize_role, parse_role_rule, resolve_roles
from trelloplan.history.synthetic import BoardBuilder

T0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("Done", "done"), ("DONE", "done"), ("Done 🎉", "done"), ("Done and Deployed", "done"), ("Complete", "done"),
        ("Completed", "done"), ("Finished", "done"), ("Shipped!", "done"), ("Released", "done"), ("Testing done", "done"),
        ("Doing", "in_progress"), ("In Progress", "in_progress"), ("in-progress", "in_progress"),
        ("Code Review", "in_progress"), ("Phase 1 Testing", "in_progress"), ("QA", "in_progress"), ("WIP", "in_progress"),
        ("To Do", "todo"), ("Backlog", "todo"), ("Ideas", "todo"), ("", "todo"), ("Doneness criteria?", "todo"),
        ("Undone", "todo"), ("Quality", "todo"),
    ],
)
def test_default_roles_by_name(name: str, role: str) -> None:
    assert default_role(name) == role


def test_role_rules_from_options() -> None:
    assert parse_role_rule("Code Review=done") == ("Code Review", "done")
    assert parse_role_rule("a=b=in progress") == ("a=b", "in_progress")
    assert normalize_role(" In-Progress ") == "in_progress" and normalize_role("IGNORE") == "ignore"
    rules = RoleRules.parse(["running = in_progress", "Running=done"])
    assert rules.by_name == {"running": "done"}
    for bad in ("Done", "=done", "Done="):
        with pytest.raises(UsageError):
            parse_role_rule(bad)
    with pytest.raises(UsageError, match="unknown list role 'finished'"):
        parse_role_rule("Done=finished")
    with pytest.raises(UsageError):
        RoleRules(by_id={"x": "finished"})


def board() -> tuple[BoardBuilder, dict[str, str]]:
    b = BoardBuilder("Roles", created=T0 - timedelta(days=1))
    lists = {name: b.add_list(name) for name in ("Backlog", "Doing", "Done", "Done")}
    lists["done2"] = b.add_list("Done")
    return b, lists


def test_names_are_taken_as_of_the_moment_and_lists_are_matched_by_id() -> None:
    b, lists = board()
    doing = lists["Doing"]
    b.rename_list(doing, "Review", T0 + timedelta(days=1))
    b.rename_list(doing, "Shipped", T0 + timedelta(days=3))
    history = history_from_board_json(b.export())
    assert list_names_as_of(history, T0)[doing] == "Doing"
    assert list_names_as_of(history, T0 + timedelta(days=2))[doing] == "Review"
    assert list_names_as_of(history, T0 + timedelta(days=4))[doing] == "Shipped"
    roles, _ = resolve_roles(history, as_of=T0 + timedelta(days=2))
    assert roles[doing] == "in_progress"
    assert resolve_roles(history, as_of=T0 + timedelta(days=4))[0][doing] == "done"


def test_a_list_known_only_from_actions_keeps_the_name_they_recorded() -> None:
    b, lists = board()
    card = b.add_card("A", lists["Backlog"], T0)
    gone = b.add_list("Verify", T0)
    b.move(card, gone, T0 + timedelta(hours=1))
    export = b.export()
    export["lists"] = [item for item in export["lists"] if item["id"] != gone]
    roles, names = resolve_roles(history_from_board_json(export), as_of=T0 + timedelta(days=1))
    assert names[gone] == "Verify" and roles[gone] == "in_progress"


def test_rules_by_id_win_then_by_name_then_the_plan_then_the_defaults() -> None:
    b, lists = board()
    b.archive_list(lists["done2"], T0)
    history = history_from_board_json(b.export())
    as_of = T0 + timedelta(days=1)
    rules = RoleRules(by_id={lists["Backlog"]: "ignore"}, by_name={"done": "in_progress"})
    roles, _ = resolve_roles(history, as_of=as_of, rules=rules, plan_roles={"Doing": "done", "Backlog": "done"})
    assert roles[lists["Backlog"]] == "ignore"
    assert roles[lists["Doing"]] == "done"  # the plan's own list name
    assert roles[lists["done2"]] == "in_progress"  # every list of that name, archived ones too
    assert sum(1 for role in roles.values() if role == "in_progress") == 3  # the three lists named Done


def test_an_id_rule_for_a_list_no_action_names_still_applies() -> None:
    history = history_from_board_json({"id": "b", "actions": []})
    roles, names = resolve_roles(history, as_of=T0, rules=RoleRules(by_id={"l" * 24: "done"}))
    assert roles == {"l" * 24: "done"} and names == {}


def test_lists_apply_made_are_known_by_id_below_the_name_rules() -> None:
    b, lists = board()
    b.rename_list(lists["Doing"], "Parked", T0)
    history = history_from_board_json(b.export())
    as_of = T0 + timedelta(days=1)
    applied = {lists["Doing"]: "in_progress", lists["Backlog"]: "todo"}
    roles, _ = resolve_roles(history, as_of=as_of, rules=RoleRules(applied=applied), plan_roles={"Parked": "done"})
    assert roles[lists["Doing"]] == "in_progress"  # by id, whatever the name says
    roles, _ = resolve_roles(history, as_of=as_of, rules=RoleRules.parse(["parked=ignore"], applied=applied))
    assert roles[lists["Doing"]] == "ignore"
