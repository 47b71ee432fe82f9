"""Benchmark the weekly report and the pull: prints one JSON object.

For generated boards of 10,000 and 100,000 actions (Trello's shapes, member objects included):

- ``loads_s``: ``json.loads`` of the actions' JSON text, with Python's defaults (the cost of just
  reading the data); ``loads_gc_paused_s``: the same with the garbage collector paused;
- ``report_s``: parsed JSON → history → :class:`Report` (``history_from_board_json`` +
  ``build_report``, forecast included; each part is also timed alone); ``ratio_vs_gc_paused_loads``
  = ``report_s / loads_gc_paused_s`` compares like with like (``build_report`` pauses the
  collector); ``ratio`` = ``report_s / loads_s`` is against a parse with the collector on;
- ``render_json_s``: the report as JSON text;
- ``peak_mib``: tracemalloc's peak while building the report (a separate, slower run);
  ``max_rss_mib``: the process's peak resident memory so far.

Each time is the best of ``--repeat`` runs. Then, on the sandbox, for a board of about 5,000
actions: the requests a full pull and an empty incremental pull send (from the sandbox's counters).

Run: ``python benchmarks/bench_report.py`` (``--quick`` for a smoke run, ``--no-sandbox`` to skip the pull).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from trelloplan.history import build_report, history_from_board_json
from trelloplan.history.fetch import pull_history
from trelloplan.history.synthetic import generate_board
from trelloplan.render.json import render_json

AS_OF = datetime(2026, 4, 30, tzinfo=timezone.utc)


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if _ + 1 < repeat:
            result = None
    return min(times), result


def measure(actions: int, repeat: int) -> dict[str, Any]:
    board = generate_board(actions, seed=1)
    board["actions"] = board["actions"][:actions]
    text = json.dumps(board["actions"])
    rest = {key: value for key, value in board.items() if key != "actions"}
    del board
    loads_s, parsed = best(lambda: json.loads(text), repeat)

    def paused() -> Any:
        gc.disable()
        try:
            return json.loads(text)
        finally:
            gc.enable()

    loads_paused_s, _ = best(paused, repeat)

    def report() -> Any:
        return build_report(history_from_board_json({**rest, "actions": parsed}), as_of=AS_OF, seed=1)

    report_s, built = best(report, repeat)
    history_s, history = best(lambda: history_from_board_json({**rest, "actions": parsed}), repeat)
    build_s, _ = best(lambda: build_report(history, as_of=AS_OF, seed=1), repeat)
    render_s, _ = best(lambda: render_json(built), repeat)
    tracemalloc.start()
    report()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "actions": actions,
        "cards": built.totals.cards,
        "json_mib": round(len(text) / 2**20, 1),
        "loads_s": round(loads_s, 3),
        "loads_gc_paused_s": round(loads_paused_s, 3),
        "report_s": round(report_s, 3),
        "of_which_history_s": round(history_s, 3),
        "of_which_build_report_s": round(build_s, 3),
        "ratio": round(report_s / loads_s, 2),
        "ratio_vs_gc_paused_loads": round(report_s / loads_paused_s, 2),
        "render_json_s": round(render_s, 3),
        "peak_mib": round(peak / 2**20, 1),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def sandbox_pull(target: int) -> dict[str, Any]:
    import requests

    from trelloplan.sandbox import Sandbox
    from trelloplan.store import HistoryStore

    with Sandbox(start="2027-01-04T09:00:00Z", frozen=True, rate_limit=False) as sandbox:
        session = requests.Session()
        auth = sandbox.auth()

        def call(method: str, path: str, **params: Any) -> Any:
            response = session.request(method, sandbox.api_url + path, params={**auth, **params}, timeout=60)
            response.raise_for_status()
            return response.json()

        board = call("POST", "/boards", name="Bench", defaultLists="false")
        lists = [call("POST", "/lists", name=name, idBoard=board["id"], pos="bottom")["id"]
                 for name in ("To Do", "In Progress", "Done")]
        written = 0
        while written < target:
            card = call("POST", "/cards", name=f"Task {written}", idList=lists[0])["id"]
            sandbox.clock.advance(timedelta(minutes=7))
            call("PUT", f"/cards/{card}", idList=lists[1])
            sandbox.clock.advance(timedelta(minutes=7))
            call("PUT", f"/cards/{card}", idList=lists[2])
            written += 3

        def get(path: str, params: Any) -> Any:
            return call("GET", path, **{key: str(value) for key, value in params.items()})

        with tempfile.TemporaryDirectory() as folder:
            with HistoryStore(Path(folder) / "bench.sqlite") as store:
                sandbox.counters.reset()
                started = time.perf_counter()
                full = pull_history(get, store, board["id"])
                full_s = time.perf_counter() - started
                full_counts = sandbox.counters.snapshot()
                sandbox.counters.reset()
                started = time.perf_counter()
                again = pull_history(get, store, board["id"])
                again_s = time.perf_counter() - started
                again_counts = sandbox.counters.snapshot()
        actions = full.total_actions
        return {
            "actions": actions,
            "full_pull_requests": full_counts["requests"],
            "full_pull_by_route": full_counts["byRoute"],
            "full_pull_budget": math.ceil(actions / 1000) + 2,
            "full_pull_s": round(full_s, 3),
            "empty_incremental_requests": again_counts["requests"],
            "empty_incremental_by_route": again_counts["byRoute"],
            "empty_incremental_s": round(again_s, 3),
            "client_counted": {"full": full.requests, "incremental": again.requests},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--no-sandbox", action="store_true", help="skip the pull on the sandbox")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = (1_000, 10_000) if args.quick else (10_000, 100_000)
    result: dict[str, Any] = {"python": sys.version.split()[0], "reports": [measure(n, args.repeat) for n in sizes]}
    if not args.no_sandbox:
        result["sandbox_pull"] = sandbox_pull(500 if args.quick else 5_000)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
