"""Which workspace a new board goes into: the pure rule, then apply on the sandbox (library and CLI)."""

from __future__ import annotations

import dataclasses

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from trelloplan.board.apply import apply_plan
from trelloplan.board.state import PlanState
from trelloplan.board.workspace import Workspace, choose_workspace
from trelloplan.cli import main
from trelloplan.client import Credentials, RetryPolicy, Trello
from trelloplan.errors import BoardError, WorkspaceError
from trelloplan.plan.planfile import load_plan, load_plan_text
from trelloplan.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
PLAN_FILE = ROOT / "tests" / "plans" / "cassette-plan.yaml"
PLAN = load_plan(PLAN_FILE)
FAST = RetryPolicy(attempts=3, base=0.001, cap=0.01)

ALPHA = Workspace("a" * 24, "Alpha Team", "alphateam")
BETA = Workspace("b" * 24, "Beta", "beta")
BETA2 = Workspace("c" * 24, "Beta", "beta2")


# -- the rule (pure) ---------------------------------------------------------------------------------------


def test_without_a_choice_the_only_workspace_or_none() -> None:
    assert choose_workspace([ALPHA], None) == ALPHA
    assert choose_workspace([], None) is None
    assert choose_workspace([], "  ") is None


def test_several_workspaces_and_no_choice_lists_them_by_name() -> None:
    with pytest.raises(WorkspaceError) as info:
        choose_workspace([ALPHA, BETA], None)
    assert info.value.exit_code == 2
    assert info.value.message == ('you belong to 2 workspaces ("Alpha Team", "Beta") and the plan does not say which one '
                                  "gets the new board")


def test_a_choice_by_display_name_any_case_short_name_or_id() -> None:
    workspaces = [ALPHA, BETA]
    assert choose_workspace(workspaces, "Alpha Team") == ALPHA
    assert choose_workspace(workspaces, "alpha team") == ALPHA
    assert choose_workspace(workspaces, "alphateam") == ALPHA
    assert choose_workspace(workspaces, "B" * 24) == BETA


def test_a_name_matching_none_or_several_lists_the_candidates() -> None:
    with pytest.raises(WorkspaceError) as none:
        choose_workspace([ALPHA, BETA], "Alpha Teem")
    assert none.value.message == 'none of your workspaces is "Alpha Teem" (yours: "Alpha Team", "Beta"); did you mean "Alpha Team"?'
    with pytest.raises(WorkspaceError) as several:
        choose_workspace([ALPHA, BETA, BETA2], "beta ")
    assert several.value.message == (f'2 of your workspaces are called "beta": "Beta" (id {BETA.id}), "Beta" (id {BETA2.id})')
    assert several.value.hint == "use the workspace's id (listed above) in place of its name"
    assert choose_workspace([ALPHA, BETA, BETA2], "beta2") == BETA2  # the short name tells them apart
    with pytest.raises(WorkspaceError, match=f"workspace {'d' * 24} is not one of yours \\(yours: \"Alpha Team\" \\(id a+\\)\\)"):
        choose_workspace([ALPHA], "d" * 24)
    with pytest.raises(WorkspaceError, match="belongs to no workspace"):
        choose_workspace([], "Alpha Team")


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6, unique_by=str.casefold), st.data())
def test_each_workspace_is_found_by_its_display_name_and_by_its_id(names: list[str], data: st.DataObject) -> None:
    workspaces = [Workspace(f"{i:024x}", name, f"w{i}") for i, name in enumerate(names)]
    chosen = data.draw(st.sampled_from(workspaces))
    if chosen.display_name.strip() == chosen.display_name:
        assert choose_workspace(workspaces, chosen.display_name) == chosen
    assert choose_workspace(workspaces, chosen.id) == chosen


# -- apply on the sandbox -------------------------------------------------------------------------------------


def connect(sandbox: Sandbox, token: str | None = None) -> Trello:
    return Trello(Credentials(sandbox.key, token or sandbox.token), api_url=sandbox.api_url, retry=FAST)


def board_of(sandbox: Sandbox, board_id: str) -> dict:
    return sandbox.app.test_client().get(f"/1/boards/{board_id}", query_string={**sandbox.auth(), "fields": "idOrganization"}).get_json()


@pytest.mark.sandbox(rate_limit=False)
def test_apply_puts_the_board_into_the_members_only_workspace(sandbox: Sandbox, tmp_path: Path) -> None:
    (workspace,) = sandbox.app.test_client().get("/1/members/me/organizations", query_string=sandbox.auth()).get_json()
    with connect(sandbox) as trello:
        result = apply_plan(trello, PLAN, PlanState(path=tmp_path / "plan.state.json"))
    assert board_of(sandbox, result.board_id)["idOrganization"] == workspace["id"]


@pytest.mark.sandbox(rate_limit=False)
def test_apply_uses_the_plans_workspace_or_the_one_it_is_given(sandbox: Sandbox, tmp_path: Path) -> None:
    team = sandbox.add_workspace("Data Team")
    other = sandbox.add_workspace("Other Team")
    plan = load_plan_text(PLAN_FILE.read_text() + "workspace: data team\n", "plan.yaml")
    with connect(sandbox) as trello:
        from_plan = apply_plan(trello, plan, PlanState(path=tmp_path / "a.state.json"))
        # another project (a plan of the same name without its state file would find the first board again)
        given = apply_plan(trello, dataclasses.replace(plan, project="Other project"), PlanState(path=tmp_path / "b.state.json"),
                           workspace=other["id"])
    assert board_of(sandbox, from_plan.board_id)["idOrganization"] == team["id"]
    assert board_of(sandbox, given.board_id)["idOrganization"] == other["id"]


@pytest.mark.sandbox(rate_limit=False)
def test_several_workspaces_and_no_choice_write_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.add_workspace("Data Team")
    state_path = tmp_path / "plan.state.json"
    with connect(sandbox) as trello, pytest.raises(WorkspaceError, match="2 workspaces"):
        apply_plan(trello, PLAN, PlanState(path=state_path))
    assert "POST" not in sandbox.counters.snapshot()["byMethod"] and not state_path.exists()


@pytest.mark.sandbox(rate_limit=False)
def test_a_member_without_a_workspace_gets_a_board_outside_any(sandbox: Sandbox, tmp_path: Path) -> None:
    loner = sandbox.add_member("loner", workspace=False)
    with connect(sandbox, loner.token) as trello:
        result = apply_plan(trello, PLAN, PlanState(path=tmp_path / "plan.state.json"))
    board = sandbox.state.board_by_id(result.board_id)
    assert board["id_organization"] is None and board["id_member_creator"] == loner.id


@pytest.mark.sandbox(rate_limit=False)
def test_a_full_free_workspace_is_one_line_with_a_hint(sandbox: Sandbox, tmp_path: Path) -> None:
    client = sandbox.app.test_client()
    (workspace,) = client.get("/1/members/me/organizations", query_string=sandbox.auth()).get_json()
    for i in range(10):
        client.post("/1/boards", query_string=sandbox.auth(), json={"name": f"B{i}", "idOrganization": workspace["id"]})
    with connect(sandbox) as trello, pytest.raises(BoardError) as info:
        apply_plan(trello, PLAN, PlanState(path=tmp_path / "plan.state.json"))
    assert info.value.message == (f"Trello refused to create the board {PLAN.project!r} in workspace "
                                  "\"Sandbox User's workspace\": Free Workspaces are limited to 10 open boards")
    assert "close (archive) a board" in info.value.hint and "\n" not in info.value.one_line()


# -- the CLI ----------------------------------------------------------------------------------------------------


def run_apply(sandbox: Sandbox, tmp_path: Path, *args: str, plan_text: str | None = None) -> tuple[int, str, str]:
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text or PLAN_FILE.read_text())
    env = {**sandbox.env(), "XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "80"}
    result = CliRunner().invoke(main, ["apply", str(plan), "--yes", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.sandbox(rate_limit=False)
def test_cli_several_workspaces_exit_2_with_the_names_and_how_to_choose(sandbox: Sandbox, tmp_path: Path) -> None:
    team = sandbox.add_workspace("Data Team")
    code, _, err = run_apply(sandbox, tmp_path)
    assert code == 2 and not (tmp_path / "plan.state.json").exists()
    assert err.splitlines()[-1] == (
        "error: you belong to 2 workspaces (\"Sandbox User's workspace\", \"Data Team\") and the plan does not say which "
        "one gets the new board (hint: add `workspace: NAME` to the plan, or pass --workspace NAME (or its id))")
    code, out, err = run_apply(sandbox, tmp_path, "--workspace", "Data Team", "--json")
    assert code == 0, err
    board = json.loads(out)["board"]["id"]
    assert sandbox.state.board_by_id(board)["id_organization"] == team["id"]


@pytest.mark.sandbox(rate_limit=False)
def test_cli_an_unknown_workspace_name_lists_the_candidates(sandbox: Sandbox, tmp_path: Path) -> None:
    code, _, err = run_apply(sandbox, tmp_path, "--workspace", "Sandbox Users workspace")
    assert code == 2
    assert err.splitlines()[-1].startswith(
        "error: none of your workspaces is \"Sandbox Users workspace\" (yours: \"Sandbox User's workspace\"); "
        "did you mean \"Sandbox User's workspace\"?")


# -- Trello's refusals of a new board, in one line (pure) ------------------------------------------------------


def test_refusals_of_a_new_board_become_one_line_with_a_hint() -> None:
    from trelloplan.board.workspace import refused_board
    from trelloplan.errors import AuthError, BadRequest, NotFound, ServerError

    limit = BadRequest('Trello refused POST /boards: 403 {"error":"BOARD_LIMIT_EXCEEDED","message":"Free Workspaces '
                       'are limited to 10 open boards"}', status=403, method="POST", path="/boards")
    made = refused_board(limit, ALPHA, "Proj")
    assert isinstance(made, BoardError) and made.exit_code == 1
    assert made.message == "Trello refused to create the board 'Proj' in workspace \"Alpha Team\": Free Workspaces are limited to 10 open boards"
    foreign = AuthError("Trello refused the credentials (401 unauthorized permission requested) for POST /boards", status=401)
    made = refused_board(foreign, ALPHA, "Proj")
    assert isinstance(made, WorkspaceError) and made.message.endswith('in workspace "Alpha Team": unauthorized permission requested')
    assert "ask one of its admins" in made.hint
    unknown = BadRequest("Trello refused POST /boards: 400 invalid value for idOrganization", status=400)
    assert "check the workspace's id" in refused_board(unknown, ALPHA, "Proj").hint
    outside = BadRequest("Trello refused POST /boards: 400 Board must be in a workspace", status=400)
    made = refused_board(outside, None, "Proj")
    assert isinstance(made, WorkspaceError) and made.message == (
        "Trello refused to create the board 'Proj' outside a workspace: Board must be in a workspace")
    assert "create a workspace in Trello" in made.hint
    for other in (BadRequest("Trello refused POST /boards: 400 invalid value for name", status=400),
                  ServerError("Trello failed POST /boards 6 times", status=500), NotFound("gone", status=404)):
        assert refused_board(other, ALPHA, "Proj") is other  # not about the workspace: as it was
