"""Cohorts on the sandbox with three teams: boards, members, idempotence, a crash mid-run, a board deleted by hand,
the overview's numbers against each team's own report, and the emails through a real SMTP server."""

from __future__ import annotations

import email
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from trelloplan.board.state import PlanState
from trelloplan.cli import main
from trelloplan.client import Credentials, Trello
from trelloplan.client.ratelimit import Pacer, Window
from trelloplan.cohort.apply import apply_cohort, plan_cohort
from trelloplan.cohort.cohortfile import load_cohort
from trelloplan.cohort.model import team_plan

pytestmark = pytest.mark.sandbox(rate_limit=False, start="2026-05-29T09:00:00Z", frozen=True)

PLAN = """\
project: Class Project
start: 2026-06-01
timezone: UTC
weeks:
  - week: 1
    milestone: Set up
    demo: Show the repository
    tasks: [Create the repository, Write the README]
  - week: 2
    milestone: Build
    demo: Show the build
    tasks: [Write the code, Test the code]
  - week: 3
    milestone: Ship
    demo: Show the release
    tasks: [Package it, Release it]
"""
COHORT = """\
name: CS 512
plan: plan.yaml
teams:
  - name: Team Ada
    members: [ada, grace, sandbox]
    email: [ada@example.edu]
  - name: Team Linus
    members: [linus]
    email: [linus@example.edu, bounce@example.edu]
  - name: Team Guido
    start: 2026-06-08
report_to: [lead@example.edu]
"""
WRITES_PER_BOARD = 1 + 3 + 3 + 1 + 9  # board, lists, week labels, demo label, cards
UNPACED = dict(pacer=Pacer(Window(100_000, 1.0), Window(100_000, 1.0)))  # this sandbox has no rate limit to respect


@pytest.fixture
def cohort_file(sandbox, tmp_path):
    for user in ("ada", "grace", "linus"):
        sandbox.add_member(user)
    (tmp_path / "plan.yaml").write_text(PLAN)
    path = tmp_path / "cohort.yaml"
    path.write_text(COHORT)
    return path


def env(sandbox, tmp_path, **extra):
    return {**sandbox.env(), "XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "80", "TRELLOPLAN_SMTP_HOST": "",
            "TRELLOPLAN_SMTP_FROM": "", "TRELLOPLAN_SMTP_USER": "", "TRELLOPLAN_SMTP_PASSWORD": "", **extra}


def run(sandbox, tmp_path, *args, **extra):
    sandbox.rate_limits.reset()  # each command's pacer reads the X-Rate-Limit headers: give it a fresh window
    result = CliRunner().invoke(main, [str(a) for a in args], env=env(sandbox, tmp_path, **extra))
    return result.exit_code, result.stdout, result.stderr


def client(sandbox):
    return Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url, **UNPACED)


def boards(sandbox):
    """Open boards by name, with their card and member counts, straight from the sandbox's database."""
    db = sandbox.state.db
    found = {}
    rows = db.all("SELECT id, name FROM boards WHERE closed = 0")
    assert len({row["name"] for row in rows}) == len(rows), "two boards of one team"
    for row in rows:
        cards = db.all("SELECT id FROM cards WHERE board_id = ? AND closed = 0", row["id"])
        members = db.all("SELECT m.username, s.member_type FROM memberships s JOIN members m ON m.id = s.member_id "
                         "WHERE s.board_id = ?", row["id"])
        found[row["name"]] = (len(cards), {m["username"]: m["member_type"] for m in members})
    return found


def test_apply_makes_a_board_per_team_with_its_members_and_a_second_run_writes_nothing(sandbox, cohort_file, tmp_path):
    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")
    assert (code, err) == (0, ""), err
    assert f"new board 'Class Project — Team Ada': {WRITES_PER_BOARD + 2} writes, adds ada, grace" in out
    assert "Team Guido: created " in out and "3 boards" in out
    found = boards(sandbox)
    assert set(found) == {"Class Project — Team Ada", "Class Project — Team Linus", "Class Project — Team Guido"}
    assert found["Class Project — Team Ada"] == (9, {"sandbox": "admin", "ada": "normal", "grace": "normal"})
    assert found["Class Project — Team Linus"] == (9, {"sandbox": "admin", "linus": "normal"})
    assert found["Class Project — Team Guido"][1] == {"sandbox": "admin"}

    cohort = load_cohort(cohort_file)
    states = [PlanState.load(cohort.state_path(team)) for team in cohort.teams]
    assert [s.path.name for s in states] == ["team-ada.state.json", "team-linus.state.json", "team-guido.state.json"]
    guido = next(s for s in states if s.path.name.startswith("team-guido"))
    dues = sorted(card["due"] for card in guido.cards.values())
    assert dues[0].startswith("2026-06-12") and dues[-1].startswith("2026-06-26")  # a week later than the others

    sandbox.counters.reset()
    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file)  # no --yes needed: nothing to confirm
    assert (code, err) == (0, "")
    assert " ".join(out.split()).count("): nothing to do") == 3 and "Every board matches the plan: nothing to do." in out
    counts = sandbox.counters.snapshot()
    assert counts["byMethod"] == {"GET": 3}  # a board read each (it holds the board's members too)

    cohort_file.write_text(COHORT.replace("name: Team Guido", "name: Team Rossum"))  # renamed without a key
    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file)
    assert code == 2 and "new board 'Class Project — Team Rossum'" in out
    assert (f"note: {cohort.state_path(cohort.team('Team Guido'))} belongs to no team of the cohort; if a team was renamed, "
            "give it `key: team-guido` to keep its board") in " ".join(out.split())
    cohort_file.write_text(COHORT.replace("name: Team Guido", "name: Team Rossum\n    key: team-guido"))
    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")
    assert (code, err) == (0, "") and "Team Rossum: updated" in out  # the same board, renamed
    assert "Class Project — Team Rossum" in boards(sandbox) and len(boards(sandbox)) == 3


def test_a_teams_own_tasks_are_added_to_its_board_only_and_edits_to_them_apply(sandbox, cohort_file, tmp_path):
    (tmp_path / "ada-tasks.yaml").write_text("weeks:\n  - week: 2\n    tasks: [Write the code, Benchmark the code]\n")
    cohort_file.write_text(COHORT.replace("    email: [ada@example.edu]\n", "    email: [ada@example.edu]\n    plan: ada-tasks.yaml\n"))
    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")
    assert (code, err) == (0, ""), err
    found = boards(sandbox)
    assert found["Class Project — Team Ada"][0] == 11 and found["Class Project — Team Linus"][0] == 9
    cohort = load_cohort(cohort_file)
    ada = PlanState.load(cohort.state_path(cohort.team("Team Ada")))
    linus = PlanState.load(cohort.state_path(cohort.team("Team Linus")))
    assert set(ada.cards) - set(linus.cards) == {"w2-write-the-code", "benchmark-the-code"}  # the shared card keeps its key
    assert run(sandbox, tmp_path, "cohort", "apply", cohort_file)[0] == 0
    code, out, err = run(sandbox, tmp_path, "cohort", "report", cohort_file, "--as-of", "2026-06-03", "--format", "json")
    assert code == 0, err
    rows = {row["team"]: row for row in json.loads(out)["teams"]}
    assert rows["Team Ada"]["planned"] == rows["Team Linus"]["planned"] + 2

    (tmp_path / "ada-tasks.yaml").write_text("weeks:\n  - week: 3\n    tasks: [Write the code, Benchmark the code twice]\n")
    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")
    assert (code, err) == (0, ""), err
    assert "Team Ada: updated" in out and " ".join(out.split()).count("): nothing to do") == 2, out
    ada = PlanState.load(cohort.state_path(cohort.team("Team Ada")))
    cards = [tuple(row) for row in sandbox.state.db.all(
        "SELECT name, due, closed, desc FROM cards WHERE board_id = ?", ada.board_id) if "code" in row["name"]]
    assert ("Write the code", "2026-06-19T17:00:00.000Z", 0) in [row[:3] for row in cards]  # the team's card moved to week 3
    assert ("Write the code", "2026-06-12T17:00:00.000Z", 0) in [row[:3] for row in cards]  # the shared one stays in week 2
    assert [row[0] for row in cards].count("Benchmark the code twice") == 1
    assert ("Benchmark the code", "2026-06-12T17:00:00.000Z", 0) in [row[:3] for row in cards]  # taken out: kept, not archived


def test_a_crash_mid_run_then_a_rerun_finishes_without_duplicates(sandbox, cohort_file, tmp_path):
    sandbox.faults.configure(latency_ms=60)  # slow enough to be killed half-way
    process = subprocess.Popen([sys.executable, "-m", "trelloplan", "cohort", "apply", str(cohort_file), "--yes"],
                               env={**os.environ, **env(sandbox, tmp_path)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while sandbox.counters.snapshot()["requests"] < WRITES_PER_BOARD + 12 and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    sandbox.faults.configure(latency_ms=0)
    time.sleep(0.3)  # a request the dead process had sent lands after the latency
    half = boards(sandbox)
    assert sum(cards for cards, _ in half.values()) < 27  # it really died half-way

    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")
    assert (code, err) == (0, ""), err
    found = boards(sandbox)
    assert sorted(found) == ["Class Project — Team Ada", "Class Project — Team Guido", "Class Project — Team Linus"]
    assert all(cards == 9 for cards, _ in found.values())
    assert found["Class Project — Team Ada"][1] == {"sandbox": "admin", "ada": "normal", "grace": "normal"}
    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file)
    assert code == 0 and " ".join(out.split()).count("): nothing to do") == 3


def test_a_board_deleted_by_hand_fails_that_team_only(sandbox, sandbox_api, cohort_file, tmp_path):
    assert run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")[0] == 0
    cohort = load_cohort(cohort_file)
    linus = PlanState.load(cohort.state_path(cohort.team("Team Linus")))
    assert sandbox_api.delete(f"/boards/{linus.board_id}").status_code == 200
    (tmp_path / "plan.yaml").write_text(PLAN.replace("Release it", "Release it to PyPI"))

    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")
    assert code == 1
    assert "Team Ada: updated" in out and "Team Guido: updated" in out
    lines = err.splitlines()
    state_file = cohort.state_path(cohort.team("Team Linus"))
    assert lines[0] == (f"error: Team Linus: board {linus.board_id} (recorded in {state_file}) does not exist, or this token "
                        f"cannot see it (hint: if the team's board was deleted, move its state file {state_file} away and "
                        "apply the cohort again to make a new board)")
    assert lines[-1].startswith("error: 1 of 3 teams failed to apply: Team Linus (hint: ")
    assert "Traceback" not in err

    code, out, err = run(sandbox, tmp_path, "cohort", "report", cohort_file, "--format", "json")
    assert code == 1
    overview = json.loads(out)
    assert [row["team"] for row in overview["teams"]][0] == "Team Linus"  # most in need first
    assert overview["teams"][0]["status"] == "error" and "does not exist" in overview["teams"][0]["error"]
    assert all(row["status"] != "error" for row in overview["teams"][1:])
    assert err.splitlines()[-1].startswith("error: the cohort report had 1 failure: Team Linus")


def test_an_unknown_username_stops_that_team_before_any_write(sandbox, cohort_file, tmp_path):
    cohort_file.write_text(COHORT.replace("members: [linus]", "members: [linus, nobody_here]"))
    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")
    assert code == 1
    assert "Team Linus cannot apply: " in " ".join(out.split()) and "`nobody_here` in members is not a Trello username" in " ".join(out.split())
    assert sorted(boards(sandbox)) == ["Class Project — Team Ada", "Class Project — Team Guido"]
    # located where the cohort file names the member, not in the shared plan, which does not
    assert f"error: Team Linus: {cohort_file}:8:22: `nobody_here` in members is not a Trello username (hint: check the spelling" in err


def test_a_member_of_several_workspaces_is_told_to_name_one_in_the_cohort_file(sandbox, cohort_file, tmp_path):
    sandbox.app.test_client().post("/1/organizations", query_string=sandbox.auth(), json={"displayName": "Second"})
    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")
    assert code == 1 and not boards(sandbox)
    assert "\nNo team can apply: see the lines above.\n" in out and "nothing to do" not in out
    failures = [line for line in err.splitlines() if line.startswith("error: Team ")]
    assert len(failures) == 3 and all(f"add `workspace: NAME` (or its id) to the cohort file {cohort_file}" in line
                                      for line in failures)
    assert "--workspace" not in err + out


def test_library_apply_counts_its_requests(sandbox, cohort_file):
    cohort = load_cohort(cohort_file)
    with client(sandbox) as trello:
        planned = plan_cohort(trello, cohort)
        assert [p.writes for p in planned] == [WRITES_PER_BOARD + 2, WRITES_PER_BOARD + 1, WRITES_PER_BOARD]
        sandbox.counters.reset()
        result = apply_cohort(trello, cohort, planned=planned)
    assert result.failures == [] and result.writes == 3 * WRITES_PER_BOARD + 3
    counts = sandbox.counters.snapshot()
    # per board: may the token write (the workspace was chosen when the cohort was planned); then the writes
    assert counts["byMethod"]["GET"] == 3 and counts["requests"] == 3 * (WRITES_PER_BOARD + 1) + 3


def test_a_full_free_workspace_fails_the_teams_it_cannot_hold_before_any_write(sandbox, cohort_file, tmp_path):
    api = sandbox.app.test_client()
    (workspace,) = api.get("/1/members/me/organizations", query_string=sandbox.auth()).get_json()
    for i in range(8):
        api.post("/1/boards", query_string=sandbox.auth(), json={"name": f"B{i}", "idOrganization": workspace["id"]})
    cohort = load_cohort(cohort_file)
    with client(sandbox) as trello:
        planned = plan_cohort(trello, cohort)
        assert [p.error is None for p in planned] == [True, True, False]
        assert "no room for this team's board in workspace \"Sandbox User's workspace\": it holds 8 open boards" in (
            planned[2].error.message) and planned[2].error.exit_code == 2
    code, out, err = run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")
    assert code != 0 and "Team Guido cannot apply: no room" in " ".join(out.split())
    names = [b["name"] for b in api.get(f"/1/organizations/{workspace['id']}/boards", query_string=sandbox.auth()).get_json()]
    assert len(names) == 10 and not any("Guido" in name for name in names)  # the two that fit, and no refused POST
    assert not cohort.state_path(cohort.team("Team Guido")).exists()


def test_a_paid_workspace_costs_no_request_to_count_its_boards(sandbox, cohort_file):
    paid = sandbox.add_workspace("Paid class", premium=True)
    cohort_file.write_text(cohort_file.read_text().replace("plan: plan.yaml", "plan: plan.yaml\nworkspace: Paid class"))
    with client(sandbox) as trello:
        sandbox.counters.reset()
        planned = plan_cohort(trello, load_cohort(cohort_file))
    assert all(p.error is None and p.diff.workspace.id == paid["id"] for p in planned)
    routes = sandbox.counters.snapshot()["byRoute"]
    assert not any("/organizations/" in route and route.endswith("/boards") for route in routes), routes


# -- the report --------------------------------------------------------------------------------


def work(sandbox, cohort_file):
    """Two weeks of work, a different amount for each team (Guido starts a week later)."""
    cohort = load_cohort(cohort_file)
    done_by_team = {"Team Ada": 6, "Team Linus": 2, "Team Guido": 1}
    with client(sandbox) as trello:
        for team in cohort.teams:
            plan, state = team_plan(cohort, team), cohort.state(team)
            tasks = [task for week in plan.weeks[:2] for task in week.cards]
            for i, task in enumerate(tasks[: done_by_team[team.name] + 1]):
                sandbox.clock.freeze(plan.week(1).start.isoformat() + f"T{9 + i:02d}:00:00Z")
                trello.put(f"/cards/{state.cards[task.key]['id']}", {"idList": state.lists["in_progress"]["id"]})
                if i < done_by_team[team.name]:
                    sandbox.clock.freeze(plan.week(task.week).due - timedelta(hours=6 - i % 5))
                    trello.put(f"/cards/{state.cards[task.key]['id']}", {"idList": state.lists["done"]["id"]})
    sandbox.clock.freeze("2026-06-19T18:00:00Z")  # after week 2's demo was due
    return cohort


def test_the_overview_equals_each_teams_own_report(sandbox, cohort_file, tmp_path):
    assert run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")[0] == 0
    cohort = work(sandbox, cohort_file)
    code, out, err = run(sandbox, tmp_path, "cohort", "report", cohort_file, "--week", "2", "--format", "json")
    assert (code, err) == (0, ""), err
    overview = json.loads(out)
    assert overview["schema_version"] == "1.0" and overview["kind"] == "trelloplan-cohort-overview"
    assert overview["week"] == 2 and overview["title"] == "CS 512"
    rows = {row["team"]: row for row in overview["teams"]}
    order = ("error", "behind", "at_risk", "on_track")
    assert overview["teams"][0]["team"] == "Team Linus"  # behind, by a card: most in need
    assert [order.index(row["status"]) for row in overview["teams"]] == sorted(order.index(r["status"]) for r in overview["teams"])
    for team in cohort.teams:
        row, state = rows[team.name], cohort.state(team)
        plan_path = tmp_path / f"{team.key}.yaml"  # the team's own plan, as its lead would have it
        plan_path.write_text(PLAN.replace("2026-06-01", (team.start or cohort.plan.start).isoformat()))
        moment = ("--as-of", "2026-06-14")  # the same moment: the end of the class's week 2 (a Sunday)
        assert overview["as_of"].startswith("2026-06-14T23:59:59")
        code, out, err = run(sandbox, tmp_path, "report", "--board", state.board_id, "--plan", plan_path, *moment, "--format", "json")
        assert (code, err) == (0, ""), err
        own = json.loads(out)
        assert own["week"]["number"] == row["week"] == (1 if team.start else 2)
        week = own["weeks"][row["week"] - 1]
        assert (row["done"], row["planned"]) == (own["totals"]["planned_done"], own["totals"]["planned"])
        assert row["pct_done"] == round(100 * own["totals"]["planned_done"] / own["totals"]["planned"], 1)
        assert row["completed_this_week"] == len(own["week"]["completed"])
        assert (row["in_progress"], row["aging"]) == (own["wip"]["count"], own["wip"]["aging"])
        assert row["forecast"]["date_85"] == own["forecast"]["date_85"]
        assert (row["milestone"]["done"], row["milestone"]["planned"]) == (week["done"], week["planned"])
        assert row["milestone"]["status"] == week["milestone_status"] and row["demo"]["card"] == week["demo"]["status"]
        assert (row["hours_done"], row["hours_total"]) == (own["totals"]["hours_done"], own["totals"]["hours_total"])
        eml = tmp_path / f"{team.key}.eml"
        run(sandbox, tmp_path, "report", "--board", state.board_id, "--plan", plan_path, *moment, "--email-to",
            "x@example.edu", "--eml", eml)
        subject = email.message_from_bytes(eml.read_bytes(), policy=policy.default)["Subject"]
        assert subject.endswith({"on_track": "on track", "at_risk": "at risk", "behind": "behind"}[row["status"]]), subject
    assert rows["Team Ada"]["demo"]["state"] == "done" and rows["Team Ada"]["milestone"]["status"] == "done"
    assert rows["Team Linus"]["demo"]["state"] == "not_done" and rows["Team Linus"]["behind_by"] == 1
    assert rows["Team Guido"]["week"] == 1 and rows["Team Guido"]["plan_start"] == "2026-06-08"  # a week behind the class

    code, out, err = run(sandbox, tmp_path, "cohort", "report", cohort_file, "--as-of", "2026-06-10", "--format", "json")
    midweek = {row["team"]: row for row in json.loads(out)["teams"]}
    assert {name: row["demo"]["state"] for name, row in midweek.items()} == {
        "Team Ada": "not_yet_due", "Team Linus": "not_yet_due", "Team Guido": "not_yet_due"}  # due on Friday the 12th


def test_the_weekly_report_pulls_one_request_per_board_when_nothing_is_new(sandbox, cohort_file, tmp_path):
    assert run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")[0] == 0
    work(sandbox, cohort_file)
    assert run(sandbox, tmp_path, "cohort", "report", cohort_file)[0] == 0
    sandbox.counters.reset()
    code, out, err = run(sandbox, tmp_path, "cohort", "report", cohort_file, "--out", tmp_path / "cohort.html")
    assert (code, out, err) == (0, "", "")  # the format from the extension
    assert sandbox.counters.snapshot()["requests"] == 3
    page = (tmp_path / "cohort.html").read_text()
    for key in ("team-ada", "team-linus", "team-guido"):
        assert f'href="cohort.teams/{key}.html"' in page and (tmp_path / "cohort.teams" / f"{key}.html").stat().st_size > 0
    assert "<script" not in page and "Team Linus" in page


class Inbox:
    """A real SMTP server that refuses one recipient."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's hook name)
        if address == "bounce@example.edu":
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((message, list(envelope.rcpt_tos)))
        return "250 OK"


@pytest.fixture
def inbox():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


def test_email_sends_every_team_its_report_and_the_overview_even_when_one_recipient_fails(sandbox, cohort_file, tmp_path, inbox):
    assert run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")[0] == 0
    work(sandbox, cohort_file)
    code, out, err = run(sandbox, tmp_path, "cohort", "report", cohort_file, "--week", "2", "--email", "--email-from",
                         "CS 512 <cs512@example.edu>", "--smtp-host", "127.0.0.1", "--smtp-port", inbox.port)
    assert code == 1 and out == ""
    sent = {tuple(to): message for message, to in inbox.messages}
    assert sorted(sent) == [("ada@example.edu",), ("lead@example.edu",)]
    assert sent[("ada@example.edu",)]["Subject"].startswith("Class Project — Team Ada: week 2 of 3, ")
    overview = sent[("lead@example.edu",)]
    assert overview["Subject"].startswith("CS 512: week 2 of 3, 3 teams (")
    html = overview.get_body(("html",)).get_content()
    assert "Team Linus" in html and "Team Guido" in html and "<script" not in html
    assert "Team Ada" in overview.get_body(("plain",)).get_content()
    lines = err.splitlines()
    assert lines[0].startswith("error: the email to Team Linus: ") and "bounce@example.edu" in lines[0]
    assert lines[-1].startswith("error: the cohort report had 1 failure: the email to Team Linus (hint: ")


def test_eml_writes_every_email_into_a_folder(sandbox, cohort_file, tmp_path, inbox):
    assert run(sandbox, tmp_path, "cohort", "apply", cohort_file, "--yes")[0] == 0
    code, out, err = run(sandbox, tmp_path, "cohort", "report", cohort_file, "--eml", tmp_path / "mail")
    assert (code, out, err) == (0, "", "")
    assert sorted(p.name for p in (tmp_path / "mail").iterdir()) == ["overview.eml", "team-ada.eml", "team-linus.eml"]
    assert inbox.messages == []


def test_email_settings_are_checked_before_anything_is_pulled(sandbox, cohort_file, tmp_path):
    sandbox.counters.reset()
    code, out, err = run(sandbox, tmp_path, "cohort", "report", cohort_file, "--email")
    assert code == 2 and err.startswith("error: no SMTP server: pass --smtp-host or set TRELLOPLAN_SMTP_HOST")
    assert sandbox.counters.snapshot()["requests"] == 0
    code, out, err = run(sandbox, tmp_path, "cohort", "report", cohort_file, "--format", "pdf")
    assert code == 2 and err.startswith("error: unknown overview format 'pdf'")
    for args, message in ((["--out", tmp_path / "c.md", "--format", "html"], "error: --format html contradicts --out"),
                          (["--out", tmp_path / "c.csv"], "error: the overview has no csv format"),
                          (["--out", tmp_path / "no" / "c.md"], f"error: cannot write {tmp_path / 'no' / 'c.md'}: the folder")):
        code, out, err = run(sandbox, tmp_path, "cohort", "report", cohort_file, *args)
        assert code == 2 and err.startswith(message) and not (tmp_path / "c.md").exists() and not (tmp_path / "no").exists()
    assert sandbox.counters.snapshot()["requests"] == 0


def test_a_team_without_a_board_yet_is_named(sandbox, cohort_file, tmp_path):
    code, out, err = run(sandbox, tmp_path, "cohort", "report", cohort_file)
    assert code == 1
    assert "error: Team Ada: team 'Team Ada' has no board yet" in err and "apply the cohort first" in err


def test_a_429_storm_stops_the_run_and_a_rerun_finishes_it(sandbox, cohort_file):
    from trelloplan.client import RetryPolicy
    from trelloplan.errors import RateLimited

    cohort = load_cohort(cohort_file)
    sandbox.faults.configure(error_rate=0.4, error_statuses=(429,), seed=3)  # Trello refusing request after request
    impatient = RetryPolicy(attempts=3, base=0.001, cap=0.001, max_refusals=2)
    with Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url, retry=impatient, **UNPACED) as trello:
        result = apply_cohort(trello, cohort)
    failed = [outcome for outcome in result.teams if outcome.error is not None]
    assert failed and all(isinstance(outcome.error, RateLimited) for outcome in failed)
    assert failed == result.teams[result.teams.index(failed[0]):]  # the run stopped at the first: the rest were not reached
    assert all(o.error.message.startswith("not reached: the run stopped at an earlier team") for o in failed[1:])
    with pytest.raises(Exception, match=r"teams failed to apply: "):
        result.raise_for_failures()

    sandbox.faults.configure(error_rate=0.0)
    with client(sandbox) as trello:
        assert apply_cohort(trello, cohort).failures == []
        assert apply_cohort(trello, cohort).writes == 0
    found = boards(sandbox)
    assert len(found) == 3 and all(cards == 9 for cards, _ in found.values())
