"""A cohort of 30 teams on plans/mlops-gcp-10-weeks.yaml against the sandbox with Trello's rate limits and 50 ms latency.

Prints JSON:

- ``apply``: the requests a cohort apply sends (counted by the sandbox) against exactly 30 × the
  single-board minimum (bench_apply.py's: one write per board, list, label, card, checklist and
  check item, plus its 2 reads: may the token write, which workspace), the 429s, and the wall time
  against the rate-limit floor for that many requests (100 per 10 s per token:
  ``window_floor_s`` is when the last request may leave at the earliest), target ≤ 1.10×;
- ``second_apply``: a second cohort apply (nothing to do);
- ``report_first``, ``report_nothing_new``, ``report_after_a_week``: the weekly ``cohort report``
  of the 30 boards: the first (full pulls), then with nothing new (target: 30 requests, one per
  board), then after a week of activity on every board.

All 30 teams share one token, as a class's instructor does; the boards go into one premium
workspace (a free one holds 10 open boards).

    .venv/bin/python benchmarks/bench_cohort.py [--teams 30] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from trelloplan.client import Credentials, Trello
from trelloplan.client.ratelimit import Pacer, Window
from trelloplan.cohort.apply import apply_cohort
from trelloplan.cohort.model import Cohort, Team, team_plan
from trelloplan.cohort.report import report_cohort
from trelloplan.plan.planfile import load_plan
from trelloplan.sandbox import Sandbox
from trelloplan.simulate import simulate_team

from bench_apply import minimum_requests as minimum_writes, window_floor, writes  # the same minimum and floor

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "plans" / "mlops-gcp-10-weeks.yaml"
SINGLE_BOARD_READS = 2  # may the token write; which workspace gets the board


def measured(sandbox: Sandbox, run) -> tuple[dict, object]:
    sandbox.counters.reset()
    started = time.monotonic()
    result = run()
    seconds = time.monotonic() - started
    counts = sandbox.counters.snapshot()
    return {"requests": counts["requests"], "writes": writes(counts), "reads": counts["requests"] - writes(counts),
            "refused_429": counts["responses429"], "seconds": round(seconds, 2)}, result


def a_week_of_work(sandbox: Sandbox, cohort: Cohort, week: int) -> int:
    """Every team's card moves of plan week ``week`` (seeded), made without the rate limit (setup, not measured)."""
    sandbox.rate_limits.configure(enabled=False)
    unpaced = Pacer(Window(1_000_000, 1.0), Window(1_000_000, 1.0))
    plan = cohort.plan
    moves = 0
    with Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url, pacer=unpaced) as trello:
        timeline = []
        for index, team in enumerate(cohort.teams):
            state = cohort.state(team)
            for move in simulate_team(team_plan(cohort, team), until=plan.week(week).due, members=["ana", "ben", "chloe"], seed=index):
                if plan.week(week).start <= move.at.date():
                    timeline.append((move.at, state.cards[move.key]["id"], state.lists[move.role]["id"]))
        for at, card, list_id in sorted(timeline):
            sandbox.clock.freeze(at)
            trello.put(f"/cards/{card}", {"idList": list_id})
            moves += 1
    sandbox.clock.freeze(plan.week(week).due)
    sandbox.rate_limits.configure(enabled=True)
    sandbox.rate_limits.reset()
    return moves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=30)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    plan = load_plan(PLAN)
    single = minimum_writes(plan) + SINGLE_BOARD_READS
    result: dict = {"plan": str(PLAN.relative_to(ROOT)), "teams": args.teams, "latency_ms": args.latency_ms,
                    "single_board_minimum": {"requests": single, "writes": minimum_writes(plan), "reads": SINGLE_BOARD_READS}}
    start = plan.start - timedelta(days=3)
    with Sandbox(latency_ms=args.latency_ms, start=f"{start.isoformat()}T10:00:00Z", frozen=True) as sandbox, \
            tempfile.TemporaryDirectory() as folder:
        sandbox.add_workspace("Class of 2027", premium=True)
        teams = tuple(Team(f"Team {n:02d}", f"team-{n:02d}") for n in range(1, args.teams + 1))
        cohort = Cohort(source=None, plan=plan, teams=teams, state_dir=Path(folder) / "state", workspace="Class of 2027")
        stores = Path(folder) / "stores"
        with Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url) as trello:
            figures, applied = measured(sandbox, lambda: apply_cohort(trello, cohort))
            floor = window_floor(figures["requests"])
            figures.update({"target_requests": args.teams * single, "failed_teams": len(applied.failures),
                            "window_floor_s": floor, "ratio_to_window_floor": round(figures["seconds"] / floor, 3) if floor else None})
            result["apply"] = figures
            result["second_apply"], _ = measured(sandbox, lambda: apply_cohort(trello, cohort))

            def report():
                return report_cohort(trello, cohort, as_of=sandbox.clock.now(), store_dir=stores)

            sandbox.clock.freeze(plan.week(1).start.isoformat() + "T08:00:00Z")
            result["report_first"], _ = measured(sandbox, report)
            result["report_nothing_new"], _ = measured(sandbox, report)
            result["report_nothing_new"]["target_requests"] = args.teams
            moves = a_week_of_work(sandbox, cohort, 1)
            result["report_after_a_week"], after = measured(sandbox, report)
            result["report_after_a_week"].update({"card_moves": moves, "failed_teams": len(after.failures),
                                                  "completed_in_week_1": sum(r.completed_this_week or 0 for r in after.overview.teams)})
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
