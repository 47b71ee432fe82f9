"""The recorded HTTP conversations in ``cassettes/``, replayed with no server running.

Each flow is replayed through the real client (TrelloSession, py-trello's
``fetch_json``, pacing, retries, error translation) and the real library
(apply and its diff, pull and the store, report building), with vcrpy in
``record_mode="none"``: a request the recording lacks fails, it never reaches
a network. Every assertion is derived from the plan and from the recording
itself (counts, cursors, statuses, bodies), never from ids or dates of one
recording, so the same tests hold for a recording of the sandbox or of Trello.

They run on four recordings: the committed ``cassettes/``; one made now by
the recorder against a fresh sandbox (so re-recording works); and two made
now the way ``--trello`` records (credentials from the environment, a 429
provoked by a burst of reads, the board archived at the end), against a
sandbox with a tight rate limit standing in for Trello: one pulling the
recorder's own board, one pulling another, existing board (``--board``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from trelloplan.board.apply import apply_plan
from trelloplan.board.remote import read_board
from trelloplan.board.state import PlanState
from trelloplan.client import Credentials, RetryPolicy, Trello
from trelloplan.client.ratelimit import Pacer
from trelloplan.devtools.cassettes import (
    CASSETTE_DIR,
    FLOWS,
    META_NAME,
    PLAN_PATH,
    RecordingMeta,
    cassette_path,
    make_vcr,
    plan_digest,
)
from trelloplan.devtools.record_cassettes import main as record_main
from trelloplan.errors import AuthError
from trelloplan.history import build_report
from trelloplan.history.parse import parse_date
from trelloplan.plan.planfile import load_plan
from trelloplan.sandbox import Sandbox
from trelloplan.store import HistoryStore

# Credentials of the replaying client: the recordings hold none, and need none.
FAKE_KEY = "5ca1ab1e" * 4
FAKE_TOKEN = "7e57c0de" * 8
FAST = RetryPolicy(attempts=6, base=0.001, cap=0.01)
PLAN = load_plan(PLAN_PATH)
_HEX_ID = re.compile(r"^[0-9a-f]{24}$")
MAX_TOTAL_BYTES = 300 * 1024


class FakeTime:
    """A clock the pacer and the retries sleep on without waiting (a recorded 429 may say the window is full)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        self.slept += max(0.0, seconds)


@dataclass(frozen=True)
class Interaction:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    text: str

    @property
    def route(self) -> str:
        """The path with ids as ``{id}``: ``POST /1/cards/{id}/checklists``."""
        return f"{self.method} " + "/".join("{id}" if _HEX_ID.match(part) else part for part in self.path.split("/"))

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class Recording:
    name: str
    folder: Path
    meta: RecordingMeta

    def interactions(self, flow: str) -> list[Interaction]:
        data = json.loads(cassette_path(self.folder, flow).read_text(encoding="utf-8"))
        found = []
        for item in data["interactions"]:
            request, response = item["request"], item["response"]
            parts = urlsplit(request["uri"])
            body = request["body"]
            found.append(Interaction(request["method"], parts.path, dict(parse_qsl(parts.query)),
                                     json.loads(body) if body else None, response["status"]["code"],
                                     response["body"]["string"] or ""))
        return found

    @contextmanager
    def replay(self, flow: str) -> Iterator[Any]:
        with make_vcr(record_mode="none").use_cassette(str(cassette_path(self.folder, flow))) as cassette:
            yield cassette

    def client(self, time: FakeTime | None = None, credentials: Credentials | None = None) -> Trello:
        time = time or FakeTime()
        return Trello(credentials or Credentials(FAKE_KEY, FAKE_TOKEN), api_url=self.meta.api_url, retry=FAST,
                      pacer=Pacer(clock=time.clock, sleep=time.sleep), sleep=time.sleep)


# -- the recordings -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sandbox_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documented command, ``python -m trelloplan.devtools.record_cassettes``, into a temporary folder."""
    out = tmp_path_factory.mktemp("sandbox-recording")
    assert record_main(["--out", str(out)]) == 0
    assert RecordingMeta.load(out).target == "sandbox"
    return out


def record_like_trello(out: Path, *, own_board: bool) -> None:
    """``--trello`` as a user runs it (credentials from the environment, a 429 provoked by a burst of
    reads, the board archived at the end), against a sandbox with a tight rate limit standing in for
    Trello; with ``own_board=False``, ``--board`` names an existing board with its own history."""
    with Sandbox(token_limit=60, window_s=1.0) as sandbox, pytest.MonkeyPatch.context() as patch:
        for name, value in sandbox.env().items():
            patch.setenv(name, value)
        patch.delenv("TRELLOPLAN_RECORD_BOARD", raising=False)
        extra: list[str] = []
        if not own_board:
            with Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url) as trello:
                other = PlanState(instance="someone-elses-board")
                board_id = apply_plan(trello, PLAN, other).board_id
                for task in list(PLAN.tasks())[:3]:
                    trello.put(f"/cards/{other.cards[task.key]['id']}", {"idList": other.lists["done"]["id"]})
            extra = ["--board", board_id]
        assert record_main(["--trello", "--out", str(out), *extra]) == 0
        closed = {row["id"]: row["closed"] for row in sandbox.state.db.all("SELECT id, closed FROM boards")}
        meta = RecordingMeta.load(out)
        assert meta.pull_board_is_own == own_board and meta.target == "server"
        assert [board for board, is_closed in closed.items() if is_closed] == [
            board for board in closed if board != (None if own_board else meta.pull_board)], "only the recorder's board is archived"


@pytest.fixture(scope="session")
def server_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("server-recording")
    record_like_trello(out, own_board=True)
    return out


@pytest.fixture(scope="session")
def server_board_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("server-board-recording")
    record_like_trello(out, own_board=False)
    return out


@pytest.fixture(params=["committed", "sandbox", "server", "server_board"])
def recording(request: pytest.FixtureRequest) -> Recording:
    folder = CASSETTE_DIR if request.param == "committed" else request.getfixturevalue(f"{request.param}_recording")
    return Recording(request.param, folder, RecordingMeta.load(folder))


def replay_apply(recording: Recording, tmp_path: Path) -> tuple[PlanState, Any]:
    state = PlanState(path=tmp_path / "plan.state.json", instance=recording.meta.instance)
    with recording.replay("apply_create") as cassette, recording.client() as trello:
        result = apply_plan(trello, PLAN, state, workers=recording.meta.workers)
    assert cassette.all_played
    return state, result


def action_pages(interactions: list[Interaction]) -> list[tuple[dict[str, str], list[dict[str, Any]]]]:
    return [(i.query, i.json()) for i in interactions if i.path.endswith("/actions") and i.status == 200]


# -- the files ----------------------------------------------------------------------------------------


def test_the_committed_cassettes_are_complete_small_and_match_the_plan() -> None:
    meta = RecordingMeta.load(CASSETTE_DIR)
    assert meta.flows == list(FLOWS)
    assert sorted(p.name for p in CASSETTE_DIR.iterdir()) == sorted([META_NAME] + [f"{flow}.json" for flow in FLOWS])
    assert sum(p.stat().st_size for p in CASSETTE_DIR.iterdir()) < MAX_TOTAL_BYTES
    assert meta.plan == PLAN_PATH.name
    assert meta.plan_digest == plan_digest(PLAN_PATH), (
        "tests/plans/cassette-plan.yaml changed: re-record with python -m trelloplan.devtools.record_cassettes")


def test_every_recorded_request_carries_no_credentials(recording: Recording) -> None:
    for flow in FLOWS:
        data = json.loads(cassette_path(recording.folder, flow).read_text(encoding="utf-8"))
        for item in data["interactions"]:
            headers = {name.lower() for name in item["request"]["headers"]}
            assert not headers & {"authorization", "cookie"}, flow
            assert not {"key", "token"} & {k for k, _ in parse_qsl(urlsplit(item["request"]["uri"]).query)}, flow
            assert "set-cookie" not in {name.lower() for name in item["response"]["headers"]}, flow


# -- apply --------------------------------------------------------------------------------------------


def test_apply_replays_the_plan_onto_a_new_board(recording: Recording, tmp_path: Path) -> None:
    state, result = replay_apply(recording, tmp_path)
    recorded = recording.interactions("apply_create")
    writes = [i for i in recorded if i.method != "GET" and i.status < 300]
    refused = [i for i in recorded if i.status == 429]
    tasks = list(PLAN.tasks())
    with_checklist = [t for t in tasks if t.checklist]
    routes = Counter(i.route for i in writes)
    assert routes == Counter({
        "POST /1/boards": 1, "POST /1/lists": 3, "POST /1/labels": len(PLAN.weeks) + 1, "POST /1/cards": len(tasks),
        "POST /1/cards/{id}/checklists": len(with_checklist),
        "POST /1/checklists/{id}/checkItems": sum(len(t.checklist) for t in with_checklist),
    })
    assert result.writes == len(writes) == sum(routes.values())
    assert result.requests["refused_429"] == len(refused) and result.requests["requests"] == len(recorded)
    board = next(i for i in writes if i.route == "POST /1/boards")
    assert board.body["name"] == PLAN.project and result.board_id == state.board_id == board.json()["id"]
    cards = {i.body["name"]: i.json()["id"] for i in writes if i.route == "POST /1/cards"}
    assert {t.key: state.cards[t.key]["id"] for t in tasks} == {t.key: cards[t.name] for t in tasks}
    assert {role for role in state.lists} == {"todo", "in_progress", "done"}
    assert json.loads(state.path.read_text())["board_id"] == state.board_id


def test_a_second_apply_replays_with_zero_writes(recording: Recording, tmp_path: Path) -> None:
    state, _ = replay_apply(recording, tmp_path)
    with recording.replay("apply_noop") as cassette, recording.client() as trello:
        again = apply_plan(trello, PLAN, state, workers=recording.meta.workers)
    assert cassette.all_played
    recorded = recording.interactions("apply_noop")
    assert {i.method for i in recorded} == {"GET"} and recorded[-1].path == f"/1/boards/{state.board_id}"
    assert again.writes == 0 and again.diff.empty and again.requests["writes"] == 0
    assert again.requests["reads"] == len(recorded)


def test_a_replay_that_asks_for_something_else_fails_instead_of_reaching_a_server(recording: Recording, tmp_path: Path) -> None:
    state = PlanState(path=tmp_path / "plan.state.json")  # another instance: another POST /boards body
    with recording.replay("apply_create"), recording.client() as trello:
        with pytest.raises(CannotOverwriteExistingCassetteException):
            apply_plan(trello, PLAN, state, workers=1)


# -- pulls --------------------------------------------------------------------------------------------


def replay_full_pull(recording: Recording, store: HistoryStore) -> Any:
    from trelloplan.history.fetch import pull_history

    meta = recording.meta
    with recording.replay("pull_full") as cassette, recording.client() as trello:
        result = pull_history(trello.get, store, meta.pull_board, page_size=meta.pull_page_size)
    assert cassette.all_played
    return result


def test_a_full_pull_replays_page_by_page_without_gaps_or_repeats(recording: Recording, tmp_path: Path) -> None:
    meta = recording.meta
    with HistoryStore(tmp_path / "history.sqlite", board_id=meta.pull_board) as store:
        result = replay_full_pull(recording, store)
        recorded = recording.interactions("pull_full")
        pages = action_pages(recorded)
        assert len(pages) >= 2, "the flow is meant to page"
        ids = [action["id"] for _, page in pages for action in page]
        assert len(ids) == len(set(ids)), "an action came twice"
        assert all(len(page) == meta.pull_page_size for _, page in pages[:-1]) and len(pages[-1][1]) < meta.pull_page_size
        assert "before" not in pages[0][0] and "since" not in pages[0][0]
        for (_, page), (query, following) in zip(pages, pages[1:]):
            assert query["before"] == min(a["id"] for a in page)  # the cursor is the page's oldest id: no gap
            assert not following or max(a["id"] for a in following) < query["before"]
        assert result.requests == len(recorded) == len(pages) + 1
        assert result.new_actions == result.total_actions == store.action_count() == len(ids)
        assert store.gap() is None and result.snapshot_refreshed
        history = store.load_history()
    snapshot = recorded[-1].json()
    assert recorded[-1].path == f"/1/boards/{meta.pull_board}" and history.board is not None and history.board.id == snapshot["id"]
    assert {a.id for a in history.actions} <= set(ids) and history.actions
    assert {c.id for c in history.cards} == {c["id"] for c in snapshot["cards"]}
    last = max(parse_date(a["date"]) for _, page in pages for a in page)
    report = build_report(history, as_of=last + timedelta(minutes=1), plan=PLAN if meta.pull_board_is_own else None)
    totals = report.totals
    assert report.board_id == meta.pull_board
    assert totals.todo + totals.in_progress + totals.done + totals.ignored == totals.cards
    assert totals.cards == sum(1 for c in snapshot["cards"] if not c["closed"])
    if meta.pull_board_is_own:  # the recorder moved cards on its board: the report sees them in their lists
        lists = {l["id"]: l["name"] for l in snapshot["lists"]}
        in_list = Counter(lists[c["idList"]] for c in snapshot["cards"] if not c["closed"])
        assert (totals.todo, totals.in_progress, totals.done) == (in_list[PLAN.lists.todo], in_list[PLAN.lists.in_progress],
                                                                   in_list[PLAN.lists.done])
        assert totals.done > 0 and totals.planned == len(list(PLAN.tasks()))


def test_an_incremental_pull_replays_only_what_is_new(recording: Recording, tmp_path: Path) -> None:
    from trelloplan.history.fetch import pull_history

    meta = recording.meta
    with HistoryStore(tmp_path / "history.sqlite", board_id=meta.pull_board) as store:
        replay_full_pull(recording, store)
        before, newest = store.action_count(), store.newest_action_id()
        old_ids = {a["id"] for a in store.raw_actions()}
        with recording.replay("pull_incremental") as cassette, recording.client() as trello:
            result = pull_history(trello.get, store, meta.pull_board, page_size=meta.pull_page_size)
        assert cassette.all_played
        recorded = recording.interactions("pull_incremental")
        pages = action_pages(recorded)
        assert pages and all(query["since"] == newest for query, _ in pages)
        new_ids = [a["id"] for _, page in pages for a in page]
        assert len(new_ids) == len(set(new_ids)) and not set(new_ids) & old_ids
        assert result.new_actions == len(new_ids) and store.action_count() == before + len(new_ids) == result.total_actions
        assert result.requests == len(recorded) and result.snapshot_refreshed == bool(new_ids)
        assert len(recorded) == (1 if not new_ids else len(pages) + 1)
        if meta.pull_board_is_own:
            assert new_ids, "the recorder moved cards between the pulls"
            moved = {a["data"]["card"]["id"] for _, page in pages for a in page if a["type"] == "updateCard"}
            history = store.load_history()
            done_list = next(l.id for l in history.lists if l.name == PLAN.lists.done)
            assert moved and any(c.list_id == done_list for c in history.cards if c.id in moved)
        assert store.gap() is None


# -- errors -------------------------------------------------------------------------------------------


def test_a_429_is_retried_until_the_read_succeeds(recording: Recording) -> None:
    recorded = recording.interactions("rate_limited")
    statuses = [i.status for i in recorded]
    refused = statuses.count(429)
    assert refused >= 1 and statuses[-1] == 200 and set(statuses) == {429, 200}
    board_id = recorded[-1].path.rsplit("/", 1)[-1]
    time = FakeTime()
    with recording.replay("rate_limited") as cassette, recording.client(time) as trello:
        board = read_board(trello, board_id)
        stats = trello.stats
    assert cassette.all_played
    assert (stats.requests, stats.refused, stats.retries) == (len(recorded), refused, refused)
    assert time.slept > 0  # it backed off before each retry
    snapshot = recorded[-1].json()
    assert board.id == snapshot["id"] and len(board.cards) == len(snapshot["cards"]) and len(board.lists) == len(snapshot["lists"])
    assert {c.key for c in board.cards if not c.closed} == {t.key for t in PLAN.tasks()}


def test_a_401_becomes_an_auth_error_with_trellos_words(recording: Recording) -> None:
    (recorded,) = recording.interactions("unauthorized")
    assert recorded.status == 401
    words = " ".join(recorded.text.split())
    with recording.replay("unauthorized") as cassette, recording.client() as trello:
        with pytest.raises(AuthError) as caught:
            trello.me()
    assert cassette.all_played
    error = caught.value
    assert error.status == 401 and error.method == "GET" and error.path == recorded.path.removeprefix("/1")
    assert words and words in error.message and "GET /members/me" in error.message
    assert FAKE_KEY not in error.one_line() and FAKE_TOKEN not in error.one_line()
