"""Record ``cassettes/``: trelloplan's own HTTP conversations for its main flows.

::

    python -m trelloplan.devtools.record_cassettes                     # a fresh local sandbox
    TRELLO_API_KEY=… TRELLO_TOKEN=… python -m trelloplan.devtools.record_cassettes --trello [--board ID]

The flows (each one cassette, recorded through :func:`~.cassettes.make_vcr`):
apply of ``tests/plans/cassette-plan.yaml`` to a new board; a second, no-op
apply; a full history pull in several pages; an incremental pull; a read
refused with 429 and retried; a request with a bad token (401). Between the
pulls the recorder moves cards on its own board (unrecorded), so the pulls
have a history to page through and the incremental pull has new actions.

With ``--trello`` it talks to ``TRELLO_API_URL`` (default Trello itself): it
creates a private board named after the plan's project and archives it at the
end (``--delete-board`` deletes it instead); ``--board ID`` makes the pulls
read that existing board instead (nothing is written to it). See docs/cassettes.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import requests
import vcr as vcrpy

from .._version import __version__
from ..board.apply import apply_plan
from ..board.remote import read_board
from ..board.state import PlanState
from ..client import Credentials, RetryPolicy, Trello, api_url_from_env
from ..errors import AuthError, TrelloplanError
from ..history.fetch import ACTION_TYPES, pull_history
from ..plan.model import Plan
from ..plan.planfile import load_plan
from ..sandbox import Sandbox
from ..store import HistoryStore
from .cassettes import CASSETTE_DIR, FLOWS, INSTANCE, META_NAME, PLAN_PATH, RecordingMeta, cassette_path, make_vcr, plan_digest

__all__ = ["BAD_TOKEN", "Target", "exhaust_token_window", "main", "record"]

#: The token of the 401 flow: well-formed, and no member's.
BAD_TOKEN = "0" * 64
#: A board with more actions than this is too big to record (the cassettes would be megabytes).
MAX_PULL_ACTIONS = 400
PAGES = 4
Say = Callable[[str], None]


class RecordingFailed(Exception):
    """A flow did not behave as a recording of it must (the cassettes are left as they were)."""


@dataclass
class Target:
    """Where to record: credentials, URL, and the two things only a sandbox can do directly."""

    name: str
    credentials: Credentials
    api_url: str
    retry: RetryPolicy
    advance: Callable[[timedelta], object]
    refuse_next: Callable[[], None]

    def client(self, credentials: Credentials | None = None) -> Trello:
        return Trello(credentials or self.credentials, api_url=self.api_url, retry=self.retry)


def exhaust_token_window(api_url: str, credentials: Credentials, *, limit: int = 400, workers: int = 12) -> bool:
    """Send cheap reads with the token until the server refuses one (429); True if it did.

    This is how a recording against Trello gets its 429: Trello allows 100
    requests per 10 s per token, so the next request inside that window is
    refused. It stops at the first refusal (a dozen more may be in flight),
    far below the 200 refusals in 10 s that would lock the key out.
    """
    refused = threading.Event()
    auth = f'OAuth oauth_consumer_key="{credentials.key}", oauth_token="{credentials.token}"'
    with requests.Session() as http:

        def one(_: int) -> None:
            if refused.is_set():
                return
            answer = http.get(f"{api_url}/members/me", params={"fields": "id"}, headers={"Authorization": auth}, timeout=30)
            if answer.status_code == 429:
                refused.set()

        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, range(limit)))
    return refused.is_set()


def _statuses(path: Path) -> list[int]:
    return [item["response"]["status"]["code"] for item in json.loads(path.read_text())["interactions"]]


def _work_on_board(trello: Trello, state: PlanState, plan: Plan, target: Target, moves: list[tuple[int, str]]) -> None:
    """Move the cards of the plan's tasks (by index) to lists (by role), as a team would; unrecorded."""
    keys = [task.key for task in plan.tasks()]
    for index, role in moves:
        target.advance(timedelta(hours=2))
        trello.put(f"/cards/{state.cards[keys[index]]['id']}", {"idList": state.lists[role]["id"]})


def _count_actions(trello: Trello, board_id: str) -> int:
    found = trello.get(f"/boards/{board_id}/actions", {"filter": ",".join(ACTION_TYPES), "fields": "id", "limit": 1000})
    if len(found) > MAX_PULL_ACTIONS:
        raise RecordingFailed(f"board {board_id} has more than {MAX_PULL_ACTIONS} actions; the cassettes would be too big "
                              "(choose a smaller board, or drop --board to use the board the recorder creates)")
    return len(found)


def record(out: Path, target: Target, *, plan_path: Path = PLAN_PATH, board: str | None = None,
           page_size: int | None = None, delete_board: bool = False, say: Say = print) -> RecordingMeta:
    """Record every flow into ``out`` (replacing the cassettes and meta.json there only when all succeed)."""
    plan = load_plan(plan_path)
    recorder = make_vcr(record_mode="all", secrets=(target.credentials.key, target.credentials.token))
    with tempfile.TemporaryDirectory(prefix="trelloplan-cassettes-") as tmp:
        work = Path(tmp)
        folder = work / "cassettes"
        folder.mkdir()

        def cassette(flow: str) -> AbstractContextManager[object]:
            say(f"recording {flow}")
            cm: AbstractContextManager[object] = recorder.use_cassette(str(cassette_path(folder, flow)))
            return cm

        state = PlanState(path=work / "plan.state.json", instance=INSTANCE)
        with target.client() as trello, ExitStack() as cleanup:
            if target.name != "sandbox":
                cleanup.callback(_clean_up, trello, state, delete_board, say)
            with cassette("apply_create"):
                created = apply_plan(trello, plan, state, workers=1)
            if not created.writes:
                raise RecordingFailed("the first apply wrote nothing")
            with cassette("apply_noop"):
                again = apply_plan(trello, plan, state, workers=1)
            if again.writes:
                raise RecordingFailed(f"the second apply wrote {again.writes} times; it must write nothing")
            own = board is None or board == created.board_id
            pull_board = created.board_id if own else str(board)
            if own:
                target.advance(timedelta(days=3))
                _work_on_board(trello, state, plan, target, [(0, "in_progress"), (1, "in_progress"), (0, "done"),
                                                             (2, "in_progress"), (1, "done")])
            size = page_size or max(2, math.ceil(_count_actions(trello, pull_board) / PAGES))
            with HistoryStore(work / "history.sqlite", board_id=pull_board) as store:
                with cassette("pull_full"):
                    full = pull_history(trello.get, store, pull_board, page_size=size)
                if full.requests < 3:
                    raise RecordingFailed(f"the full pull took {full.requests} requests; pass a smaller --page-size")
                if own:
                    target.advance(timedelta(days=1))
                    _work_on_board(trello, state, plan, target, [(2, "done"), (3, "in_progress")])
                with cassette("pull_incremental"):
                    pull_history(trello.get, store, pull_board, page_size=size)
            _record_refusal(folder, recorder, trello, target, created.board_id, say)
            with cassette("unauthorized"), target.client(Credentials(target.credentials.key, BAD_TOKEN)) as stranger:
                try:
                    stranger.me()
                except AuthError:
                    pass
                else:
                    raise RecordingFailed("the server accepted a made-up token")
        meta = RecordingMeta(
            target=target.name, api_url=target.api_url, plan=plan_path.name,
            plan_digest=plan_digest(plan_path), instance=INSTANCE, workers=1,
            pull_board=pull_board, pull_page_size=size, pull_board_is_own=own,
            recorded_with=f"trelloplan {__version__}, vcrpy {vcrpy.__version__}",
        )
        meta.save(folder)
        out.mkdir(parents=True, exist_ok=True)
        for flow in FLOWS:
            shutil.copyfile(cassette_path(folder, flow), cassette_path(out, flow))
        shutil.copyfile(folder / META_NAME, out / META_NAME)
    for flow in FLOWS:
        path = cassette_path(out, flow)
        say(f"  {path} ({len(_statuses(path))} requests, {path.stat().st_size / 1024:.1f} KB)")
    return meta


def _record_refusal(folder: Path, recorder: vcrpy.VCR, trello: Trello, target: Target, board_id: str, say: Say) -> None:
    """``rate_limited``: a board read refused with 429, retried until it succeeds (three tries to provoke it)."""
    path = cassette_path(folder, "rate_limited")
    for _ in range(3):
        path.unlink(missing_ok=True)
        say("recording rate_limited")
        target.refuse_next()
        with recorder.use_cassette(str(path)):
            read_board(trello, board_id)
        statuses = _statuses(path)
        if 429 in statuses and statuses[-1] == 200:
            return
        say(f"  the server did not refuse the read ({statuses}); trying again")
    raise RecordingFailed("could not provoke a 429 in three tries")


def _clean_up(trello: Trello, state: PlanState, delete: bool, say: Say) -> None:
    """Archive (or delete) the board the recorder created on a real server."""
    if not state.board_id:
        return
    try:
        if delete:
            trello.delete(f"/boards/{state.board_id}")
            say(f"deleted the recording board {state.board_id}")
        else:
            trello.put(f"/boards/{state.board_id}", {"closed": True})
            say(f"archived the recording board {state.board_id} ({state.board_url}); delete it in Trello when you like")
    except TrelloplanError as error:
        say(f"could not clean up board {state.board_id}: {error.one_line()}")


def sandbox_target(sandbox: Sandbox) -> Target:
    def refuse_next() -> None:
        sandbox.faults.fail_next(429)

    return Target("sandbox", Credentials(sandbox.key, sandbox.token), sandbox.api_url,
                  RetryPolicy(attempts=4, base=0.01, cap=0.05), lambda delta: sandbox.clock.advance(delta), refuse_next)


def server_target(credentials: Credentials, api_url: str) -> Target:
    def refuse_next() -> None:
        if not exhaust_token_window(api_url, credentials):
            raise RecordingFailed("the server never answered 429 to a burst of reads")

    return Target("server", credentials, api_url, RetryPolicy(), lambda delta: None, refuse_next)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trelloplan.devtools.record_cassettes",
                                     description="Record cassettes/ against a fresh sandbox (default) or, with --trello, "
                                                 "against TRELLO_API_URL (default Trello) with TRELLO_API_KEY and TRELLO_TOKEN.")
    parser.add_argument("--trello", action="store_true",
                        help="record against TRELLO_API_URL (default https://api.trello.com/1): creates a board, archives it at the end")
    parser.add_argument("--board", metavar="ID", help="with --trello: pull this existing board's history (read only) "
                                                      "instead of the recorder's own board (env TRELLOPLAN_RECORD_BOARD)")
    parser.add_argument("--delete-board", action="store_true", help="with --trello: delete the recorder's board instead of archiving it")
    parser.add_argument("--page-size", type=int, metavar="N", help=f"actions per page in the pulls (default: about {PAGES} pages)")
    parser.add_argument("--out", type=Path, default=CASSETTE_DIR, help=f"where to write (default {CASSETTE_DIR})")
    parser.add_argument("--plan", type=Path, default=PLAN_PATH, help=f"the plan to apply (default {PLAN_PATH})")
    args = parser.parse_args(argv)
    say: Say = lambda message: print(message, file=sys.stderr)  # noqa: E731
    try:
        if args.trello:
            credentials = Credentials.from_env()
            api_url = api_url_from_env()
            say(f"recording against {api_url}")
            board = args.board or os.environ.get("TRELLOPLAN_RECORD_BOARD", "").strip() or None
            record(args.out, server_target(credentials, api_url), plan_path=args.plan, board=board,
                   page_size=args.page_size, delete_board=args.delete_board, say=say)
        else:
            if args.board or args.delete_board:
                parser.error("--board and --delete-board need --trello")
            with Sandbox(start="2027-01-01T10:00:00Z", frozen=True) as sandbox:
                say(f"recording against a fresh sandbox at {sandbox.api_url}")
                record(args.out, sandbox_target(sandbox), plan_path=args.plan, page_size=args.page_size, say=say)
    except TrelloplanError as error:
        say(f"error: {error.one_line()}")
        return 1
    except RecordingFailed as error:
        say(f"error: {error}; the cassettes were left as they were")
        return 1
    say(f"wrote {len(FLOWS)} cassettes and {META_NAME} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
