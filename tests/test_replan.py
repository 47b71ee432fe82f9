"""Re-planning on the sandbox: boards of the old key scheme, a lost state file, members, prune's guard,
the drift rule, heavy faults and boards with more than 1,000 labels."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from trelloplan.board.apply import apply_plan, plan_changes
from trelloplan.board.markers import card_key, split_desc, with_marker
from trelloplan.board.state import PlanState, default_state_path
from trelloplan.cli import apply_cmds, main
from trelloplan.client import Credentials, RetryPolicy, Trello
from trelloplan.client.ratelimit import Pacer, Window
from trelloplan.errors import BoardError, UsageError
from trelloplan.plan.model import Plan, week_key
from trelloplan.plan.planfile import load_plan, load_plan_text

ROOT = Path(__file__).resolve().parent.parent
MLOPS = (ROOT / "plans" / "mlops-gcp-10-weeks.yaml").read_text()
SMALL = (ROOT / "tests" / "plans" / "cassette-plan.yaml").read_text()
FAST = RetryPolicy(attempts=8, base=0.001, cap=0.01)
pytestmark = pytest.mark.sandbox(rate_limit=False)


def connect(sandbox, **options) -> Trello:
    options.setdefault("retry", FAST)
    options.setdefault("pacer", Pacer(Window(10_000, 1.0), Window(10_000, 1.0)))  # this sandbox has no rate limit
    return Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url, **options)


def cards_of(sandbox_api, board_id) -> dict[str, dict]:
    return {c["id"]: c for c in sandbox_api.get(f"/boards/{board_id}/cards", filter="all").json()}


def writes(sandbox) -> int:
    return sum(n for method, n in sandbox.counters.snapshot()["byMethod"].items() if method != "GET")


def make_old_release_board(trello, sandbox_api, plan, path: Path) -> PlanState:
    """What trelloplan 0.1 left behind: week-prefixed keys in markers and state, no estimate lines,
    a red Demo label, a version 1 state file."""
    state = PlanState(path=path)
    apply_plan(trello, plan, state)
    old_cards = {}
    for task in plan.tasks():
        record = state.cards[task.key]
        legacy = task.key if task.demo else week_key(task.week, task.name)
        desc = with_marker(task.desc, legacy)
        sandbox_api.put(f"/cards/{record['id']}", desc=desc)
        old_cards[legacy] = {k: v for k, v in record.items() if k not in ("hours", "members")} | {"desc": desc}
    sandbox_api.put(f"/labels/{state.labels['demo']['id']}", color="red")
    data = json.loads(path.read_text())
    data.update(version=1, cards=old_cards)
    data["labels"]["demo"]["color"] = "red"
    path.write_text(json.dumps(data))
    return PlanState.load(path)


def test_a_board_of_the_old_key_scheme_keeps_every_card_even_moved_ones(sandbox, sandbox_api, tmp_path):
    plan = load_plan_text(MLOPS, str(tmp_path / "plan.yaml"))
    path = tmp_path / "plan.state.json"
    with connect(sandbox) as trello:
        old = make_old_release_board(trello, sandbox_api, plan, path)
        lists = old.lists
        moved = {"w3-document-the-gcp-setup-in-the-readme": "in_progress", "w1-write-the-project-charter-and-success-metrics": "done"}
        for key, role in moved.items():
            sandbox_api.put(f"/cards/{old.cards[key]['id']}", idList=lists[role]["id"])
        before = cards_of(sandbox_api, old.board_id)
        # the new release, with the plan unchanged but for one slipped task: week 3 → week 4
        text = MLOPS.replace("      - Document the GCP setup in the README\n", "").replace(
            "      - Add an endpoint that returns summary statistics from BigQuery\n",
            "      - Add an endpoint that returns summary statistics from BigQuery\n      - Document the GCP setup in the README\n")
        replanned = load_plan_text(text, str(tmp_path / "plan.yaml"))
        diff, _ = plan_changes(trello, replanned, old)
        assert diff.counts()["create"] == 0 and diff.counts()["archive"] == 0 and not [n for n in diff.notes if n.kind != "kept"]
        updates = {c.ref: sorted(c.fields) for c in diff.changes}
        assert updates.pop("document-the-gcp-setup-in-the-readme") == ["desc", "due", "keep_label_ids", "labels"]
        assert updates.pop("demo") == ["color"]  # the new default: the Demo label no longer shares red with week 4
        assert set(map(tuple, updates.values())) == {("desc",)} and len(updates) == 59  # the estimate line, on every card
        sandbox.counters.reset()
        apply_plan(trello, replanned, PlanState.load(path))
        assert writes(sandbox) == 61
        after = cards_of(sandbox_api, old.board_id)
        assert set(after) == set(before) and not any(c["closed"] for c in after.values())  # no card made, none archived
        for key, role in moved.items():
            card = after[old.cards[key]["id"]]
            assert card["idList"] == lists[role]["id"] and card_key(card["desc"]) == key  # kept its list and its marker
        slipped = after[old.cards["w3-document-the-gcp-setup-in-the-readme"]["id"]]
        assert slipped["due"] == "2027-01-29T17:00:00.000Z" and split_desc(slipped["desc"]).hours == 4.0
        saved = json.loads(path.read_text())
        assert saved["version"] == 2 and set(saved["cards"]) == {t.key for t in replanned.tasks()}
        sandbox.counters.reset()
        assert apply_plan(trello, replanned, PlanState.load(path)).writes == 0
        assert sandbox.counters.snapshot()["byMethod"] == {"GET": 1}


def test_a_lost_state_file_loses_nothing(sandbox, sandbox_api, tmp_path):
    plan = load_plan_text(MLOPS, str(tmp_path / "plan.yaml"))
    path = tmp_path / "plan.state.json"
    with connect(sandbox) as trello:
        first = apply_plan(trello, plan, PlanState(path=path))
        recorded = json.loads(path.read_text())
        path.unlink()
        sandbox.counters.reset()
        diff, board = plan_changes(trello, plan, PlanState.load(path))
        assert board is not None and board.id == first.board_id and diff.empty and not diff.drift
        assert sandbox.counters.snapshot()["byRoute"] == {"GET /1/members/<member_id>/boards": 1, "GET /1/boards/<board_id>": 1}
        assert [n.kind for n in diff.notes] == ["adopted"]
        assert apply_plan(trello, plan, PlanState.load(path)).writes == 0
        rebuilt = json.loads(path.read_text())
        assert rebuilt["board_id"] == recorded["board_id"] and rebuilt["instance"] == recorded["instance"]
        assert {k: r["id"] for k, r in rebuilt["cards"].items()} == {k: r["id"] for k, r in recorded["cards"].items()}
        assert {r: v["id"] for r, v in rebuilt["lists"].items()} == {r: v["id"] for r, v in recorded["lists"].items()}


def test_a_lost_state_file_finds_the_board_people_renamed_and_never_another_teams(sandbox, sandbox_api, tmp_path):
    from dataclasses import replace

    plan = load_plan_text(SMALL, str(tmp_path / "plan.yaml"))
    other_team = replace(plan, project=f"{plan.project} — Team B")  # a cohort's other board: same plan file
    path = tmp_path / "plan.state.json"
    with connect(sandbox) as trello:
        first = apply_plan(trello, plan, PlanState(path=path))
        apply_plan(trello, other_team, PlanState(path=tmp_path / "b.state.json"))
        trello.put(f"/boards/{first.board_id}", {"name": "Our board (renamed by Ana)"})
        path.unlink()
        diff, board = plan_changes(trello, plan, PlanState.load(path))
        assert board is not None and board.id == first.board_id  # not a second board
        assert not [c for c in diff.changes if c.kind == "board" and c.action == "create"]
        fresh = replace(plan, project=f"{plan.project} — Team C")  # a team with no board yet gets a new one
        diff, board = plan_changes(trello, fresh, PlanState(path=tmp_path / "c.state.json"))
        assert board is None and [c.action for c in diff.changes if c.kind == "board"] == ["create"]


def test_a_lost_state_file_after_people_renamed_a_list_and_a_label_creates_neither_again(sandbox, sandbox_api, tmp_path):
    plan = load_plan_text(MLOPS, str(tmp_path / "plan.yaml"))
    path = tmp_path / "plan.state.json"
    with connect(sandbox) as trello:
        first = apply_plan(trello, plan, PlanState(path=path))
        recorded = json.loads(path.read_text())
        trello.put(f"/lists/{recorded['lists']['in_progress']['id']}", {"name": "Doing"})
        trello.put(f"/labels/{recorded['labels']['week:2']['id']}", {"name": "Sprint 2"})
        trello.post("/lists", {"idBoard": first.board_id, "name": "Blocked", "pos": "bottom"})  # after Done: not taken
        path.unlink()
        diff, board = plan_changes(trello, plan, PlanState.load(path))
        assert not [c for c in diff.changes if c.action == "create"], [str(c) for c in diff.changes]
        assert diff.ids["list:in_progress"] == recorded["lists"]["in_progress"]["id"]
        assert diff.ids["label:week:2"] == recorded["labels"]["week:2"]["id"]
        apply_plan(trello, plan, PlanState.load(path), force=False)
        lists = [l["name"] for l in trello.get(f"/boards/{first.board_id}/lists", {})]
        assert lists.count("In Progress") + lists.count("Doing") == 1
        labels = [l["name"] for l in trello.get(f"/boards/{first.board_id}/labels", {})]
        assert labels.count("Week 2") + labels.count("Sprint 2") == 1


def test_a_lost_state_file_never_reverts_what_people_did(sandbox, sandbox_api, tmp_path):
    plan = load_plan_text(MLOPS, str(tmp_path / "plan.yaml"))
    path = tmp_path / "plan.state.json"
    with connect(sandbox) as trello:
        state = PlanState(path=path)
        apply_plan(trello, plan, state)
        card = state.cards["write-the-project-charter-and-success-metrics"]["id"]
        sandbox_api.put(f"/cards/{card}", desc="Our notes\n\nEstimate: 4 h\ntrelloplan-key: write-the-project-charter-and-success-metrics",
                        due="2027-01-07T12:00:00.000Z", idList=state.lists["in_progress"]["id"])
        for fresh in (lambda: PlanState.load(tmp_path / "gone.state.json"),  # the state file lost
                      lambda: PlanState(path=tmp_path / "adopted.state.json")):  # or the board adopted with --board
            diff, _ = plan_changes(trello, plan, fresh(), board_id=state.board_id)
            assert diff.empty and diff.drift
            assert sorted(n.message.split(": ")[1].split(" on the board")[0] for n in diff.notes if n.kind == "conflict") == [
                "description", "due date"]
            sandbox.counters.reset()
            assert apply_plan(trello, plan, fresh(), board_id=state.board_id).writes == 0 and writes(sandbox) == 0
        got = sandbox_api.get(f"/cards/{card}").json()
        assert split_desc(got["desc"]).body == "Our notes" and got["due"] == "2027-01-07T12:00:00.000Z"
        forced = apply_plan(trello, plan, PlanState.load(tmp_path / "gone.state.json"), force=True)
        assert forced.writes == 1 and split_desc(sandbox_api.get(f"/cards/{card}").json()["desc"]).body == ""


def test_a_lost_state_file_after_people_wiped_a_cards_description_finds_the_card_by_its_name(sandbox, sandbox_api, tmp_path):
    plan = load_plan_text(MLOPS, str(tmp_path / "plan.yaml"))
    path = tmp_path / "plan.state.json"
    key = "write-the-project-charter-and-success-metrics"
    with connect(sandbox) as trello:
        state = PlanState(path=path)
        apply_plan(trello, plan, state)
        card = state.cards[key]["id"]
        sandbox_api.put(f"/cards/{card}", desc="Owner: Ada", idList=state.lists["in_progress"]["id"])  # marker and estimate gone
        path.unlink()
        diff, _ = plan_changes(trello, plan, PlanState.load(path))
        assert [c.action for c in diff.changes if c.kind == "card"] == ["update"]  # no second card
        assert diff.ids[f"card:{key}"] == card and any(n.kind == "adopted" and n.ref == key for n in diff.notes)
        apply_plan(trello, plan, PlanState.load(path))
        got = sandbox_api.get(f"/cards/{card}").json()
        assert card_key(got["desc"]) == key and split_desc(got["desc"]).body == "Owner: Ada"  # the marker back, their text kept
        assert got["idList"] == state.lists["in_progress"]["id"]
        assert PlanState.load(path).cards[key]["id"] == card
        sandbox.counters.reset()
        assert apply_plan(trello, plan, PlanState.load(path)).writes == 0 and writes(sandbox) == 0


def renumbered(text: str, at: int, by: int) -> str:
    """``text`` with every week from ``at`` on renumbered by ``by`` (a week inserted before it, or removed)."""
    return re.sub(r"^  - week: (\d+)$", lambda m: f"  - week: {int(m.group(1)) + (by if int(m.group(1)) >= at else 0)}",
                  text, flags=re.M)


BUFFER = "  - week: 3\n    milestone: Buffer\n    demo: Show what was caught up\n    tasks: [Catch up]\n"


@pytest.mark.parametrize("lost_state", [False, True])
def test_a_week_inserted_or_removed_mid_project_moves_each_demo_with_its_card(sandbox, sandbox_api, tmp_path, lost_state):
    plan = load_plan_text(MLOPS, str(tmp_path / "plan.yaml"))
    path = tmp_path / "plan.state.json"
    with connect(sandbox) as trello:
        first = apply_plan(trello, plan, PlanState(path=path))
        done = next(l["id"] for l in sandbox_api.get(f"/boards/{first.board_id}/lists").json() if l["name"] == "Done")
        demo3 = PlanState.load(path).cards["w3-demo"]["id"]
        sandbox_api.put(f"/cards/{demo3}", idList=done)  # the team showed week 3's demo
        names = {t.key: t.name for t in plan.tasks()}

        inserted = renumbered(MLOPS, 3, 1).replace("  - week: 4\n", BUFFER + "  - week: 4\n", 1)
        plan2 = load_plan_text(inserted, str(tmp_path / "plan.yaml"))
        if lost_state:
            path.unlink()
        diff, _ = plan_changes(trello, plan2, PlanState.load(path), force=lost_state)
        assert [c.title for c in diff.changes if c.action == "create"] == ["Week 11", "Catch up", "Demo: Show what was caught up"]
        assert not [n for n in diff.notes if n.kind in ("recreated", "conflict")], [str(n) for n in diff.notes]
        apply_plan(trello, plan2, PlanState.load(path), force=lost_state)
        state = PlanState.load(path)
        assert state.cards["w4-demo"]["id"] == demo3  # week 3's demo is week 4's now, still in Done
        cards = {c["id"]: c for c in sandbox_api.get(f"/boards/{first.board_id}/cards").json()}
        assert cards[demo3]["idList"] == done and cards[demo3]["name"] == names["w3-demo"]
        assert card_key(cards[demo3]["desc"]) == "w4-demo" and cards[demo3]["due"].startswith("2027-01-29")
        new3 = cards[state.cards["w3-demo"]["id"]]
        assert new3["name"] == "Demo: Show what was caught up" and new3["idList"] != done
        for week in plan2.weeks:  # every demo card is its own demo's, once
            assert [c["name"] for c in cards.values() if card_key(c["desc"]) == week.demo.key] == [week.demo.name]
        second, _ = plan_changes(trello, plan2, PlanState.load(path))
        assert second.changes == [] and not second.notes

        removed = load_plan_text(renumbered(MLOPS, 4, -1).replace(re.search(r"  - week: 3\n(?:    .*\n)+", MLOPS).group(0), ""),
                                 str(tmp_path / "plan.yaml"))  # week 3 dropped instead: weeks 4.. become 3..
        diff, _ = plan_changes(trello, removed, PlanState.load(path), prune=True)
        assert not [n for n in diff.notes if n.kind == "conflict"], [str(n) for n in diff.notes]  # old week labels are apply's
        moved = next(c for c in diff.changes if c.title == "Choose a public dataset and define the prediction target")
        assert "labels: Week 5 → Week 3" in " ".join(moved.details)  # week 3's label back on what was week 4's card
        archived = sorted(c.title for c in diff.changes if c.action == "archive")
        assert "Demo: Show what was caught up" in archived and names["w3-demo"] in archived
        assert not [c for c in diff.changes if c.action == "create" and c.kind == "card"]


def test_without_a_state_file_each_plan_file_finds_its_own_board(sandbox, tmp_path):
    """An instructor applies one plan for two teams, from two folders: two boards of one name."""
    plans = {}
    with connect(sandbox) as trello:
        for team in ("a", "b"):
            (tmp_path / team).mkdir()
            (tmp_path / team / "plan.yaml").write_text(SMALL)
            plans[team] = load_plan(tmp_path / team / "plan.yaml")
            apply_plan(trello, plans[team], PlanState.load(tmp_path / team / "plan.state.json"))
        boards = {team: PlanState.load(tmp_path / team / "plan.state.json").board_id for team in plans}
        assert boards["a"] != boards["b"]
        (tmp_path / "a" / "plan.state.json").unlink()  # team a's state file is lost
        diff, board = plan_changes(trello, plans["a"], PlanState.load(tmp_path / "a" / "plan.state.json"))
        assert board.id == boards["a"] and diff.empty
        assert [n.kind for n in diff.notes] == ["other", "adopted"] and boards["b"] in diff.notes[0].message
        (tmp_path / "c").mkdir()  # a third team: a board of its own, and a word about the others
        (tmp_path / "c" / "plan.yaml").write_text(SMALL)
        diff, board = plan_changes(trello, load_plan(tmp_path / "c" / "plan.yaml"), PlanState.load(tmp_path / "c" / "plan.state.json"))
        assert board is None and [n.kind for n in diff.notes] == ["other", "other"]


def test_without_a_state_file_two_old_boards_of_one_name_are_a_clear_error(sandbox, tmp_path):
    plan = load_plan_text(SMALL)  # boards made before 0.2 carry no plan file in their marker
    with connect(sandbox) as trello:
        for team in ("a", "b"):
            apply_plan(trello, plan, PlanState(path=tmp_path / f"{team}.state.json", instance=f"team-{team}"))
        with pytest.raises(BoardError, match="2 boards made by trelloplan are named 'trelloplan cassette recording'") as caught:
            plan_changes(trello, plan, PlanState.load(tmp_path / "c.state.json"))
    assert "pass --board" in caught.value.hint


def test_members_are_added_to_the_board_and_to_their_cards(sandbox, sandbox_api, tmp_path):
    alice = sandbox.add_member("alice", "Alice")
    carol = sandbox.add_member("carol", "Carol")
    text = SMALL.replace("weeks:", "members: [alice]\nweeks:").replace(
        "      - Write the project charter\n", "      - name: Write the project charter\n        members: [alice]\n")
    plan_file = tmp_path / "plan.yaml"

    def plan_of(text: str) -> Plan:
        plan_file.write_text(text)
        return load_plan(plan_file)

    plan = plan_of(text)
    path = tmp_path / "plan.state.json"
    with connect(sandbox) as trello:
        sandbox.counters.reset()
        for bad, message in ((text.replace("members: [alice]\nweeks", "members: [alice, nobody_here]\nweeks"),
                              f"{plan_file}:10:18: `nobody_here` in members is not a Trello username"),
                             (text.replace("        members: [alice]\n", "        members: [carol]\n"),
                              f"{plan_file}:16: task 'Write the project charter' assigns @carol, who is not a member of the board")):
            with pytest.raises(UsageError) as caught:
                apply_plan(trello, plan_of(bad), PlanState(path=path))
            assert caught.value.message == message
        plan = plan_of(text)
        assert writes(sandbox) == 0 and not path.exists()  # errors before any write
        result = apply_plan(trello, plan, PlanState(path=path))
        board = sandbox_api.get(f"/boards/{result.board_id}", members="all", cards="all", card_fields="name,idMembers,desc").json()
        assert {m["username"] for m in board["members"]} == {"sandbox", "alice"}
        charter = next(c for c in board["cards"] if c["name"] == "Write the project charter")
        assert charter["idMembers"] == [alice.id] and "Estimate: 4 h" in charter["desc"]  # who, and how long, on the card
        sandbox.add_to_board(result.board_id, carol)
        sandbox_api.put(f"/cards/{charter['id']}", idMembers=carol.id)  # a person: carol instead of alice
        diff, _ = plan_changes(trello, plan, PlanState.load(path))
        assert diff.empty and [n.kind for n in diff.notes] == ["kept"] and "@alice was taken off" in diff.notes[0].message
        busy = text.replace("      - Build the first feature\n", "      - name: Build the first feature\n        members: [alice, carol]\n")
        diff, _ = plan_changes(trello, plan_of(busy), PlanState.load(path))
        assert [c.details for c in diff.changes] == [("members: +@alice +@carol",)]
        apply_plan(trello, plan_of(busy), PlanState.load(path))
        assert apply_plan(trello, plan_of(busy), PlanState.load(path)).writes == 0

        path.unlink()  # the state file lost, after a person took alice off the charter: she stays off, run after run
        for _ in range(2):
            diff, _ = plan_changes(trello, plan_of(busy), PlanState.load(path))
            assert [n.kind for n in diff.notes if n.ref == "write-the-project-charter"] == ["conflict"]
            assert not [c for c in diff.changes if "idMembers" in c.fields], [str(c) for c in diff.changes]
            apply_plan(trello, plan_of(busy), PlanState.load(path))
        charter = sandbox_api.get(f"/cards/{charter['id']}").json()
        assert charter["idMembers"] == [carol.id]


def test_a_new_estimate_rewrites_only_its_line_of_a_description_people_edited(sandbox, sandbox_api, tmp_path):
    plan = load_plan_text(SMALL, str(tmp_path / "plan.yaml"))
    path = tmp_path / "plan.state.json"
    with connect(sandbox) as trello:
        apply_plan(trello, plan, PlanState(path=path))
        card_id = PlanState.load(path).cards["write-the-project-charter"]["id"]
        desc = sandbox_api.get(f"/cards/{card_id}").json()["desc"]
        edited = f"Agreed with the client:\n- scope\n\n{desc}\nSee the wiki.\n\n  -- Ada"
        sandbox_api.put(f"/cards/{card_id}", desc=edited)
        slipped = load_plan_text(SMALL.replace("      - Write the project charter\n",
                                               "      - name: Write the project charter\n        hours: 3\n"), str(tmp_path / "plan.yaml"))
        apply_plan(trello, slipped, PlanState.load(path))
        assert sandbox_api.get(f"/cards/{card_id}").json()["desc"] == edited.replace("Estimate: 4 h", "Estimate: 3 h")
        assert plan_changes(trello, slipped, PlanState.load(path))[0].empty


def test_heavy_faults_converge_without_a_false_failure(sandbox, sandbox_api, tmp_path):
    for seed in range(4):
        plan = load_plan_text(SMALL.replace("project: ", f"project: {seed} "))
        sandbox.faults.configure(error_rate=0.5, drop_rate=0.2, seed=seed)
        state = PlanState(path=tmp_path / f"{seed}.state.json")
        with connect(sandbox) as trello:
            result = apply_plan(trello, plan, state)
            sandbox.faults.clear()
            assert result.reconciled > 0
            assert apply_plan(trello, plan, PlanState.load(state.path)).writes == 0
        cards = [c for c in cards_of(sandbox_api, result.board_id).values() if not c["closed"]]
        assert sorted(c["name"] for c in cards) == sorted(t.name for t in plan.tasks())


def test_a_board_with_more_than_1000_labels_is_read_whole(sandbox, sandbox_api, tmp_path):
    board_id = sandbox_api.post("/boards", name="Crowded", defaultLabels=False, defaultLists=False).json()["id"]
    with sandbox.state.transaction():  # 1,005 labels made on the board beforehand (straight into the sandbox: quicker)
        for i in range(1005):
            sandbox.state.db.insert("labels", {"id": sandbox.state.new_id(), "board_id": board_id, "name": f"tag {i}", "color": "sky"})
    plan = load_plan_text(SMALL)
    path = tmp_path / "plan.state.json"
    with connect(sandbox) as trello:
        first = apply_plan(trello, plan, PlanState(path=path), board_id=board_id)
        assert first.diff.counts()["create"] == 3 + 3 + 5 + 2 + 1  # lists, labels, cards, items, checklist
        week2 = PlanState.load(path).labels["week:2"]["id"]
        for card in cards_of(sandbox_api, board_id).values():  # a person takes "Week 2" off every card that has it
            if week2 in card["idLabels"]:
                sandbox_api.put(f"/cards/{card['id']}", idLabels=",".join(i for i in card["idLabels"] if i != week2))
        sandbox.counters.reset()
        again = apply_plan(trello, plan, PlanState.load(path))
    assert again.writes == 0 and writes(sandbox) == 0  # no label made again
    assert sandbox.counters.snapshot()["byRoute"] == {"GET /1/boards/<board_id>": 1, "GET /1/labels/<label_id>": 1}
    names = [l["name"] for l in sandbox_api.get(f"/boards/{board_id}/labels", limit=1000).json()]
    assert len(names) == 1000  # the API's own cap; the board has 1,008


def run_cli(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_prune_never_archives_a_card_people_moved_without_a_confirmation(sandbox, sandbox_api, tmp_path, monkeypatch):
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text(SMALL)
    assert run_cli("apply", str(plan_path), "--yes")[0] == 0
    state = PlanState.load(default_state_path(plan_path))
    moved = state.cards["write-the-project-charter"]["id"]
    sandbox_api.put(f"/cards/{moved}", idList=state.lists["in_progress"]["id"])
    plan_path.write_text(SMALL.replace("      - Write the project charter\n", "").replace("      - Build the first feature\n", ""))
    code, out, _ = run_cli("plan", str(plan_path), "--prune")
    assert code == 0
    assert "- card: Write the project charter (in 'In Progress')  [waits for confirmation: a person moved it to 'In Progress']" in out
    assert "- card: Build the first feature (in 'To Do')\n" in out
    code, out, err = run_cli("apply", str(plan_path), "--prune", "--yes")
    assert code == 0 and "keeping 1 card open that people moved out of To Do" in err
    assert not sandbox_api.get(f"/cards/{moved}").json()["closed"]
    assert run_cli("plan", str(plan_path), "--check")[0] == 3  # its card is still open: drift
    monkeypatch.setattr(apply_cmds, "interactive_terminal", lambda yes: True)
    code, out, _ = run_cli("apply", str(plan_path), "--prune", input="n\n")
    assert code == 0 and not sandbox_api.get(f"/cards/{moved}").json()["closed"]  # declined: nothing else to do
    code, out, _ = run_cli("apply", str(plan_path), "--prune", input="y\ny\n")
    assert code == 0 and "Archive these 1 cards too?" not in out and "Archive this card too?" in out
    assert sandbox_api.get(f"/cards/{moved}").json()["closed"]  # archived, never deleted
    assert run_cli("plan", str(plan_path), "--check")[0] == 0


def test_plan_check_exits_3_exactly_when_the_board_differs(sandbox, sandbox_api, tmp_path, monkeypatch):
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text(SMALL)
    assert run_cli("plan", str(plan_path), "--check")[0] == 3  # no board yet
    run_cli("apply", str(plan_path), "--yes")
    state = PlanState.load(default_state_path(plan_path))
    charter = state.cards["write-the-project-charter"]["id"]
    sandbox_api.put(f"/cards/{charter}", name="Charter (v2)")
    assert run_cli("plan", str(plan_path), "--check")[0] == 0  # a person's edit the plan did not touch: kept, no drift
    plan_path.write_text(SMALL.replace("Write the project charter", "Write the charter"))
    code, out, _ = run_cli("plan", str(plan_path), "--check")
    assert code == 3 and "looks like a rename of card write-the-project-charter" in " ".join(out.split())  # and a create
    plan_path.write_text(SMALL.replace("      - Write the project charter\n",
                                       "      - name: Write the charter\n        key: write-the-project-charter\n"))
    code, out, _ = run_cli("plan", str(plan_path), "--check")
    assert code == 3 and "changed both in the plan" in out and "0 writes" in out  # a conflict waits
    plan_path.write_text(SMALL.replace("      - Write the project charter\n", ""))
    assert run_cli("plan", str(plan_path), "--check")[0] == 3  # a removed task's card is still open
    sandbox_api.put(f"/cards/{charter}", closed="true")
    assert run_cli("plan", str(plan_path), "--check")[0] == 0
