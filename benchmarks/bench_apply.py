"""Apply plans/mlops-gcp-10-weeks.yaml to a fresh sandbox with Trello's rate limits and 50 ms latency.

Prints JSON: the requests sent (counted by the sandbox), the minimum possible (three reads: look for
the plan's board, as there is no state file yet; choose the new board's workspace; check that the
token may write; then one write per object created), wall time, the floor the rate limit allows for
that many requests, a second apply (a no-op), a re-plan (one task slipped to the next week, one task
renamed with the `key:` plan suggests) next to its minimum (read the board, check the token, one
write per card), and the same for a straightforward py-trello script. The reference plan needs fewer
requests than one rate-limit window holds, so a second run applies a plan four times its size,
where the rate limit is what bounds the wall time.

Floors: ``window_floor_s`` is when the last request may leave at the earliest under Trello's
sliding window (100 per 10 s per token: requests 101-200 wait for the second window, and so on);
``sustained_floor_s`` is the time at Trello's sustained rate (10 per second).

    .venv/bin/python benchmarks/bench_apply.py [--latency-ms 50] [--scale 4]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import requests
import trello

from trelloplan.board.apply import apply_plan
from trelloplan.board.state import PlanState
from trelloplan.client import Credentials, Trello
from trelloplan.plan.model import Plan
from trelloplan.plan.planfile import load_plan
from trelloplan.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "plans" / "mlops-gcp-10-weeks.yaml"
TOKEN_LIMIT, WINDOW_S = 100, 10.0


def window_floor(requests_sent: int) -> float:
    return ((requests_sent - 1) // TOKEN_LIMIT) * WINDOW_S


def sustained_floor(requests_sent: int) -> float:
    return requests_sent * WINDOW_S / TOKEN_LIMIT


def scaled(plan: Plan, factor: int) -> Plan:
    """The plan with every week's tasks repeated ``factor`` times (under new keys and names)."""
    weeks = []
    for week in plan.weeks:
        tasks = tuple(dataclasses.replace(t, key=f"{t.key}-{i}", name=f"{t.name} ({i})") for i in range(1, factor + 1) for t in week.tasks)
        weeks.append(dataclasses.replace(week, tasks=tasks))
    return dataclasses.replace(plan, weeks=tuple(weeks))


def minimum_writes(plan) -> int:
    tasks = list(plan.tasks())
    checklists = [t for t in tasks if t.checklist]
    return 1 + 3 + len(plan.weeks) + 1 + len(tasks) + len(checklists) + sum(len(t.checklist) for t in checklists)


def replanned(plan: Plan) -> Plan:
    """The most common edit of a plan: week 1's first task slips to week 2, and week 2's first task is
    renamed, keeping its key (what `trelloplan plan` says to write for a rename)."""
    week1, week2 = plan.weeks[0], plan.weeks[1]
    slipped = dataclasses.replace(week1.tasks[0], week=2)
    renamed = dataclasses.replace(week2.tasks[0], name=week2.tasks[0].name + " (revised)")
    weeks = (dataclasses.replace(week1, tasks=week1.tasks[1:]),
             dataclasses.replace(week2, tasks=(renamed,) + week2.tasks[1:] + (slipped,))) + plan.weeks[2:]
    return dataclasses.replace(plan, weeks=weeks)


def writes(counters: dict) -> int:
    return sum(n for method, n in counters["byMethod"].items() if method != "GET")


class Rebased(requests.Session):
    """Points py-trello's hard-coded https://api.trello.com/1 at the sandbox; nothing else changes."""

    def __init__(self, api_url: str) -> None:
        super().__init__()
        self.api_url = api_url

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
        return super().request(method, url.replace("https://api.trello.com/1", self.api_url), *args, **kwargs)


def naive_pytrello(sandbox: Sandbox, plan) -> dict:
    """What most scripts do: add_board, add_list, add_card, then add_label and set_due per card."""
    client = trello.TrelloClient(api_key=sandbox.key, api_secret=sandbox.token, http_service=Rebased(sandbox.api_url))
    started = time.monotonic()
    error = None
    try:
        board = client.add_board(plan.project, default_lists=False)
        todo = board.add_list("To Do")
        board.add_list("In Progress")
        board.add_list("Done")
        labels = {week.number: board.add_label(week.label, week.label_color) for week in plan.weeks}
        for week in plan.weeks:
            for task in week.cards:
                card = todo.add_card(task.name, desc=task.desc)
                card.add_label(labels[week.number])
                card.set_due(week.due)
    except Exception as exc:  # the point is to show how it fails
        error = f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}"
    return {"seconds": round(time.monotonic() - started, 2), "error": error}


def run_trelloplan(plan: Plan, latency_ms: float) -> dict:
    with Sandbox(latency_ms=latency_ms) as sandbox, tempfile.TemporaryDirectory() as folder:
        state = PlanState(path=Path(folder) / "plan.state.json")
        with Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url) as client:
            sandbox.counters.reset()
            started = time.monotonic()
            apply_plan(client, plan, state)
            seconds = time.monotonic() - started
            first = sandbox.counters.snapshot()
            sandbox.counters.reset()
            started = time.monotonic()
            second = apply_plan(client, plan, PlanState.load(state.path))
            again = sandbox.counters.snapshot()
            second_seconds = time.monotonic() - started
            sandbox.counters.reset()
            started = time.monotonic()
            apply_plan(client, replanned(plan), PlanState.load(state.path))
            replan = sandbox.counters.snapshot()
            replan_seconds = time.monotonic() - started
    sent = first["requests"]
    return {
        "minimum_requests": 3 + minimum_writes(plan), "requests": sent, "writes": writes(first), "reads": sent - writes(first),
        "refused_429": first["responses429"], "seconds": round(seconds, 2),
        "window_floor_s": window_floor(sent), "sustained_floor_s": sustained_floor(sent),
        "ratio_to_window_floor": round(seconds / window_floor(sent), 3) if window_floor(sent) else None,
        "second_apply": {"requests": again["requests"], "writes": writes(again), "seconds": round(second_seconds, 2),
                         "planned_writes": second.writes},
        "replan_slip_and_rename": {"minimum_requests": 2 + 2, "requests": replan["requests"], "writes": writes(replan),
                                   "seconds": round(replan_seconds, 2)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--scale", type=int, default=4, help="size factor of the large plan")
    args = parser.parse_args()
    plan = load_plan(PLAN)
    result: dict = {"plan": str(PLAN.relative_to(ROOT)), "latency_ms": args.latency_ms}
    result["trelloplan"] = run_trelloplan(plan, args.latency_ms)
    result[f"trelloplan_plan_x{args.scale}"] = run_trelloplan(scaled(plan, args.scale), args.latency_ms)
    with Sandbox(latency_ms=args.latency_ms) as sandbox:
        naive = naive_pytrello(sandbox, plan)
        counts = sandbox.counters.snapshot()
        naive.update({"requests": counts["requests"], "refused_429": counts["responses429"],
                      "requests_needed": 1 + 3 + len(plan.weeks) + 3 * sum(1 for _ in plan.tasks()),
                      "window_floor_s": window_floor(counts["requests"])})
        result["naive_pytrello"] = naive
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
