"""Plan → board on the sandbox: idempotent, respectful of people's work, and safe under faults."""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trelloplan.board.apply import apply_plan, plan_changes
from trelloplan.board.state import PlanState
from trelloplan.client import Credentials, RetryPolicy, Trello
from trelloplan.client.ratelimit import Pacer, Window
from trelloplan.dates import format_date
from trelloplan.plan.planfile import load_plan, load_plan_text

ROOT = Path(__file__).resolve().parent.parent
PLAN_PATH = ROOT / "plans" / "mlops-gcp-10-weeks.yaml"
PLAN = load_plan(PLAN_PATH)
FAST = RetryPolicy(attempts=8, base=0.001, cap=0.01)


def connect(sandbox, **options) -> Trello:
    options.setdefault("retry", FAST)
    return Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url, **options)


def board_json(sandbox_api, board_id):
    return sandbox_api.get(f"/boards/{board_id}", cards="all", lists="all", labels="all", checklists="all").json()


def assert_board_is_exactly_the_plan(sandbox_api, board_id, plan=PLAN):
    board = board_json(sandbox_api, board_id)
    boards = sandbox_api.get("/members/me/boards", fields="name").json()
    assert [b["name"] for b in boards] == [plan.project]
    assert sorted(l["name"] for l in board["lists"]) == sorted(plan.lists.ordered())
    assert sorted(l["name"] for l in board["labels"]) == sorted([w.label for w in plan.weeks] + [plan.demo_label])
    open_cards = [c for c in board["cards"] if not c["closed"]]
    names = collections.Counter(c["name"] for c in open_cards)
    assert names == collections.Counter(t.name for t in plan.tasks()), "missing or duplicated cards"
    labels = {l["id"]: l["name"] for l in board["labels"]}
    by_name = {c["name"]: c for c in open_cards}
    for task in plan.tasks():
        card = by_name[task.name]
        assert sorted(labels[i] for i in card["idLabels"]) == sorted([f"Week {task.week}"] + (["Demo"] if task.demo else []))
        assert card["due"] == format_date(plan.week(task.week).due)
    items = collections.Counter((c["idCard"], i["name"]) for c in board["checklists"] for i in c["checkItems"])
    assert sum(items.values()) == sum(len(t.checklist) for t in plan.tasks()) and max(items.values()) == 1
    return board


def test_apply_builds_the_board_in_the_fewest_requests_and_a_second_run_writes_nothing(sandbox, sandbox_api, tmp_path):
    state = PlanState(path=tmp_path / "plan.state.json")
    with connect(sandbox) as trello:
        result = apply_plan(trello, PLAN, state)
        # three reads before the first write (no state file: is there a board with this plan's marker? which
        # workspace gets the new board? may the token write?), then one write per object
        assert result.requests == {"requests": 84, "reads": 3, "writes": 81, "retries": 0, "refused_429": 0}
        routes = sandbox.counters.snapshot()["byRoute"]
        assert routes["GET /1/tokens/<token>"] == routes["GET /1/members/<member_id>/organizations"] == 1
        assert routes["POST /1/cards"] == 60 and not any(r.startswith("PUT") for r in routes)  # label and due in the create
        board = assert_board_is_exactly_the_plan(sandbox_api, result.board_id)
        todo = next(l for l in board["lists"] if l["name"] == "To Do")
        assert {c["idList"] for c in board["cards"]} == {todo["id"]}
        cards = sorted(board["cards"], key=lambda c: c["pos"])
        assert [c["name"] for c in cards] == [t.name for t in PLAN.tasks()]  # plan order despite concurrent writes
        assert board["cards"][0]["due"] == "2027-01-08T17:00:00.000Z"

        sandbox.counters.reset()
        again = apply_plan(trello, PLAN, PlanState.load(state.path))
    assert again.diff.empty and again.writes == 0
    assert sandbox.counters.snapshot()["byMethod"] == {"GET": 1}


def test_people_moving_and_editing_cards_are_never_undone(sandbox, sandbox_api, tmp_path):
    state = PlanState(path=tmp_path / "plan.state.json")
    with connect(sandbox) as trello:
        result = apply_plan(trello, PLAN, state)
        board = board_json(sandbox_api, result.board_id)
        lists = {l["name"]: l["id"] for l in board["lists"]}
        cards = {c["name"]: c for c in board["cards"]}
        charter = cards["Write the project charter and success metrics"]
        sandbox_api.put(f"/cards/{charter['id']}", idList=lists["Done"])
        renamed = cards["Create the GitHub repository with README and issue templates"]
        sandbox_api.put(f"/cards/{renamed['id']}", name="Create the GitLab repository", idList=lists["In Progress"])
        # the plan renames another task (keeping its key) and moves one to week 2 (no key needed)
        text = PLAN_PATH.read_text().replace(
            "      - Record the kickoff presentation\n",
            "      - name: Record the kickoff presentation (5 min)\n        key: record-the-kickoff-presentation\n")
        text = text.replace("      - Draft the 10-week plan with one milestone per week\n", "").replace(
            "      - Add a Makefile with install, lint and test targets\n",
            "      - Add a Makefile with install, lint and test targets\n      - Draft the 10-week plan with one milestone per week\n")
        plan = load_plan_text(text, str(tmp_path / "plan.yaml"))
        diff, _ = plan_changes(trello, plan, PlanState.load(state.path))
        assert [(c.action, c.ref, sorted(c.fields)) for c in diff.changes] == [
            ("update", "record-the-kickoff-presentation", ["name"]),
            ("update", "draft-the-10-week-plan-with-one-milestone-per-week", ["due", "keep_label_ids", "labels"]),
        ]
        assert [n.kind for n in diff.notes] == ["kept"]
        sandbox.counters.reset()
        apply_plan(trello, plan, PlanState.load(state.path))
        assert sandbox.counters.snapshot()["byMethod"] == {"GET": 2, "PUT": 2}  # the board, and may the token write
        after = {c["id"]: c for c in board_json(sandbox_api, result.board_id)["cards"]}
        assert after[charter["id"]]["idList"] == lists["Done"]
        assert (after[renamed["id"]]["name"], after[renamed["id"]]["idList"]) == ("Create the GitLab repository", lists["In Progress"])
        assert apply_plan(trello, plan, PlanState.load(state.path)).writes == 0


def test_removed_tasks_are_reported_and_archived_only_with_prune(sandbox, sandbox_api, tmp_path):
    state = PlanState(path=tmp_path / "plan.state.json")
    with connect(sandbox) as trello:
        result = apply_plan(trello, PLAN, state)
        plan = load_plan_text(PLAN_PATH.read_text().replace("      - Write the on-call runbook\n", ""))
        kept = apply_plan(trello, plan, PlanState.load(state.path))
        assert kept.writes == 0 and [n.kind for n in kept.diff.notes] == ["removed"]
        pruned = apply_plan(trello, plan, PlanState.load(state.path), prune=True)
        assert pruned.diff.counts() == {"create": 0, "update": 0, "archive": 1, "delete": 0}
    cards = board_json(sandbox_api, result.board_id)["cards"]
    runbook = [c for c in cards if c["name"] == "Write the on-call runbook"]
    assert len(runbook) == 1 and runbook[0]["closed"] is True  # archived, never deleted


def test_a_board_creation_that_went_unconfirmed_is_made_again_in_its_workspace(sandbox, sandbox_api, tmp_path):
    workspace = sandbox.add_workspace("Second team", premium=True)
    plan = load_plan_text(PLAN_PATH.read_text() + "\nworkspace: Second team\n")
    sandbox.faults.fail_next(500, 1, method="POST", path_prefix="/1/boards")  # before it runs: no board is made
    state = PlanState(path=tmp_path / "plan.state.json")
    with connect(sandbox) as trello:
        result = apply_plan(trello, plan, state)
    assert result.reconciled >= 1
    board = sandbox_api.get(f"/boards/{result.board_id}").json()
    assert board["idOrganization"] == workspace["id"]  # not outside any workspace, not in the member's other one


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
@pytest.mark.sandbox(token_limit=100, key_limit=300, window_s=1.0)
def test_apply_converges_under_faults(sandbox, sandbox_api, tmp_path, seed):
    sandbox.faults.configure(error_rate=0.1, drop_rate=0.05, seed=seed)
    state = PlanState(path=tmp_path / "plan.state.json")
    pacer = Pacer(Window(100, 1.0), Window(300, 1.0))
    with connect(sandbox, pacer=pacer) as trello:
        result = apply_plan(trello, PLAN, state)
        faults = sandbox.counters.snapshot()["faults"]
        assert faults.get("drop", 0) > 0 and sum(faults.values()) >= 5
        sandbox.faults.clear()
        assert_board_is_exactly_the_plan(sandbox_api, result.board_id)
        assert apply_plan(trello, PLAN, PlanState.load(state.path)).writes == 0


def run_cli(env, *args, **kwargs):
    return subprocess.run([sys.executable, "-m", "trelloplan", *args], env=env, capture_output=True, text=True, **kwargs)


def cli_env(sandbox) -> dict[str, str]:
    return {**os.environ, "TRELLO_API_URL": sandbox.api_url, "TRELLO_API_KEY": sandbox.key, "TRELLO_TOKEN": sandbox.token}


@pytest.mark.sandbox(latency_ms=30)
def test_a_killed_apply_converges_when_run_again(sandbox, sandbox_api, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN_PATH.read_text())
    state_file = tmp_path / "plan.state.json"
    env = cli_env(sandbox)
    rng = random.Random(5)
    partial = []
    for _ in range(4):
        process = subprocess.Popen([sys.executable, "-m", "trelloplan", "apply", str(plan), "--yes"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not state_file.exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.25))
        process.send_signal(signal.SIGKILL)
        process.wait()
        boards = sandbox_api.get("/members/me/boards", fields="name").json()
        cards = sum(len(sandbox_api.get(f"/boards/{b['id']}/cards", filter="all").json()) for b in boards)
        partial.append(cards)
        if cards == 60:
            break
    assert any(count < 60 for count in partial), partial  # at least one run died half-way
    done = run_cli(env, "apply", str(plan), "--yes")
    assert done.returncode == 0, done.stderr
    steps = [line for line in done.stderr.splitlines() if line.startswith("[")]
    numbers = [int(line[1:line.index("/")]) for line in steps]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers) and numbers[-1] <= 81  # in order, piped
    assert len({line.split("] ", 1)[1] for line in steps}) == len(steps)  # a checklist and its items: one line
    state = PlanState.load(state_file)
    assert_board_is_exactly_the_plan(sandbox_api, state.board_id)
    again = run_cli(env, "plan", str(plan), "--check")
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_piped_apply_prints_a_line_per_change_and_ends_at_its_total(sandbox, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN_PATH.read_text())
    applied = run_cli(cli_env(sandbox), "apply", str(plan), "--yes")
    assert applied.returncode == 0, applied.stderr
    steps = [line for line in applied.stderr.splitlines() if line.startswith("[")]
    # 81 writes in 77 changes: each checklist's line comes once its 2 items are in too
    assert len(steps) == 77 and steps[-1].startswith("[81/81] ")
    assert all(line.split("]")[0].endswith("/81") for line in steps)


def test_cli_plan_check_apply_and_json(sandbox, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN_PATH.read_text())
    env = cli_env(sandbox)
    check = run_cli(env, "plan", str(plan), "--check")
    assert check.returncode == 3
    assert check.stdout.splitlines()[:4] == [f"Plan for a new board 'MLOps on GCP' on {sandbox.api_url}:",
                                             "  81 writes: create 81, update 0, archive 0", "  board (1):",
                                             '    + board: MLOps on GCP (in workspace "Sandbox User\'s workspace")']
    refused = run_cli(env, "apply", str(plan), stdin=subprocess.DEVNULL)
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[-1] == ("error: apply needs confirmation "
                                               "(hint: pass --yes to apply without a terminal (scripts, cron))")
    applied = run_cli(env, "apply", str(plan), "--yes", "--json")
    assert applied.returncode == 0, applied.stderr
    import json
    summary = json.loads(applied.stdout)
    # `plan` read the board (and chose the workspace) already: apply checks the token, then writes
    assert summary["counts"] == {"create": 81, "update": 0, "archive": 0, "delete": 0} and summary["requests"]["requests"] == 82
    assert summary["state"] == str(tmp_path / "plan.state.json")
    assert run_cli(env, "plan", str(plan), "--check").returncode == 0
    assert sandbox.key not in applied.stdout + applied.stderr and sandbox.token not in applied.stdout + applied.stderr


def test_clear_errors_for_bad_credentials_unknown_boards_and_hand_made_changes(sandbox, sandbox_api, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN_PATH.read_text())
    env = cli_env(sandbox)
    wrong = run_cli({**env, "TRELLO_TOKEN": "0" * 64}, "plan", str(plan), "--board", "a" * 24)
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("error: Trello refused the credentials (401 invalid token) for GET /boards/")
    assert "0" * 64 not in wrong.stderr
    unknown = run_cli(env, "plan", str(plan), "--board", "a" * 24)
    assert unknown.returncode == 2
    assert unknown.stderr.startswith(f"error: board {'a' * 24} does not exist, or this token cannot see it (hint:")
    missing = run_cli({k: v for k, v in env.items() if k != "TRELLO_TOKEN"}, "plan", str(plan))
    assert (missing.returncode, missing.stderr.split(" (hint")[0]) == (2, "error: TRELLO_TOKEN is not set")

    assert run_cli(env, "apply", str(plan), "--yes").returncode == 0
    state = PlanState.load(tmp_path / "plan.state.json")
    done_list = state.lists["done"]["id"]
    sandbox_api.put(f"/lists/{done_list}", closed=True)
    reopened = run_cli(env, "plan", str(plan))
    assert "list 'Done' was archived on the board; apply reopens it" in reopened.stdout
    another = sandbox_api.post("/boards", name="Another board").json()["id"]
    other = run_cli(env, "plan", str(plan), "--board", another)
    assert other.returncode == 1 and f"records board {state.board_id}, not {another}" in other.stderr
    short_link = sandbox_api.get(f"/boards/{state.board_id}", fields="shortLink").json()["shortLink"]
    assert run_cli(env, "plan", str(plan), "--board", short_link).returncode == 0  # the same board, by its short link
    bad = run_cli(env, "plan", str(plan), "--board", "not/an id")
    assert bad.returncode == 2 and bad.stderr.startswith("error: `not/an id` is not a Trello board id")
    sandbox_api.put(f"/boards/{state.board_id}", closed=True)
    closed = run_cli(env, "apply", str(plan), "--yes")
    assert closed.returncode == 1
    assert closed.stderr.startswith("error: board 'MLOps on GCP' (") and "is archived on Trello" in closed.stderr
    elsewhere = run_cli({**env, "TRELLO_API_URL": "http://127.0.0.1:9/1"}, "plan", str(plan))
    assert elsewhere.returncode == 1 and f"belongs to a board on {sandbox.api_url}" in elsewhere.stderr
