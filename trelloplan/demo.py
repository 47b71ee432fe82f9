"""The whole product on the embedded sandbox, with no Trello account: ``trelloplan demo``.

Starts the sandbox in this process, applies the reference plan, lets a team
of three work through several weeks on the sandbox clock (seeded: cards
started and finished at a believable pace, some late, one reopened), pulls
the board's history into a store, and writes the weekly report in every
format, with its charts and the email, into one folder. Then a small class
does the same as a cohort: three teams of different pace on the same plan, a
board each (with its members), and the cohort overview beside the report.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from .board.apply import apply_plan
from .board.state import PlanState
from .client import Credentials, Trello
from .client.ratelimit import Pacer, Window
from .cohort.apply import apply_cohort
from .cohort.delivery import write_cohort_report
from .cohort.model import Cohort, Team, team_key
from .cohort.overview import Overview
from .cohort.report import report_cohort
from .errors import UsageError
from .fsutil import atomic_write
from .history import Report, build_report
from .history.fetch import pull_history
from .mail import write_eml
from .plan.model import Plan
from .plan.planfile import load_plan
from .plan.templates import template_path
from .render.charts import render_charts
from .render.email import build_email
from .render.formats import render_report
from .render.html import render_html
from .sandbox import Sandbox
from .simulate import simulate_team
from .store import HistoryStore

__all__ = ["DemoResult", "run_demo"]

TEAM = (("ana", "Ana Lima"), ("ben", "Ben Okafor"), ("chloe", "Chloé Martin"))
#: The demo's class: (team, pace, its people); pace 1 is the single board's team, higher is quicker.
CLASS = (
    ("Team Ada", 3, (("ada", "Ada Lovelace"), ("alan", "Alan Turing"), ("edsger", "Edsger Dijkstra"))),
    ("Team Linus", 1.6, (("linus", "Linus Torvalds"), ("ken", "Ken Thompson"))),
    ("Team Grace", 0.8, (("grace", "Grace Hopper"), ("barbara", "Barbara Liskov"))),
)
Step = Callable[[str], None]


@dataclass
class DemoResult:
    folder: Path
    report: Report
    files: dict[str, Path] = field(default_factory=dict)
    moves: int = 0
    requests: int = 0
    seconds: float = 0.0
    overview: Overview | None = None


def demo_moment(plan: Plan, week: int) -> datetime:
    """Friday 16:00 of ``week`` (the moment the weekly report goes out), in the plan's zone."""
    return plan.week(week).due - timedelta(hours=1)


def run_demo(folder: str | Path = "trelloplan-demo", *, week: int = 5, seed: int = 8, plan_path: str | Path | None = None,
             step: Step | None = None) -> DemoResult:
    """Run the demo and write its files into ``folder``; ``step`` is told what happens next."""
    started = time.monotonic()
    say = step or (lambda message: None)
    plan = load_plan(plan_path or template_path("mlops-gcp-10-weeks"))
    if not 1 <= week <= len(plan.weeks):
        raise UsageError(f"--week {week} is outside the plan", hint=f"choose a week from 1 to {len(plan.weeks)}")
    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the demo folder {out}: {exc.strerror}", hint="choose another folder") from exc
    as_of = demo_moment(plan, week)
    say("Starting the sandbox (a local Trello-compatible server)")
    with Sandbox(start=_sandbox_start(plan), frozen=True) as sandbox:
        lead = Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url)
        say(f"Applying {plan.project!r}: {len(plan.weeks)} weeks, {sum(1 for _ in plan.tasks())} cards")
        state = PlanState()
        result = apply_plan(lead, plan, state)
        team = {name: sandbox.add_member(name, full, boards=(result.board_id,)) for name, full in TEAM}
        clients = {name: Trello(Credentials(sandbox.key, member.token), api_url=sandbox.api_url) for name, member in team.items()}
        moves = simulate_team(plan, until=as_of, members=list(team), seed=seed)
        say(f"Simulating weeks 1–{week}: {len(moves)} card moves by {len(team)} people")
        lists = {role: entry["id"] for role, entry in state.lists.items()}
        for move in moves:
            sandbox.clock.freeze(move.at)
            body = {"idList": lists[move.role]}
            if move.role == "in_progress":
                body["idMembers"] = team[move.member].id
            clients[move.member].put(f"/cards/{state.cards[move.key]['id']}", body)
        sandbox.clock.freeze(as_of)
        say("Pulling the board's history into the local store")
        store_path = out / "history.sqlite"
        store_path.unlink(missing_ok=True)
        with HistoryStore(store_path, board_id=result.board_id) as store:
            pull_history(lead.get, store, result.board_id)
            history = store.load_history()
        requests = lead.stats.requests + sum(c.stats.requests for c in clients.values())
        for client in [lead, *clients.values()]:
            client.close()
    say(f"Building the report for week {week} as of {as_of:%a %d %b %Y %H:%M} ({plan.timezone})")
    report = build_report(history, as_of=as_of, plan=plan, seed=seed)
    demo = DemoResult(folder=out, report=report, moves=len(moves), requests=requests, files={"history store": store_path})
    say("Writing the report, the charts and the email")
    write_outputs(demo, as_of)
    say(f"Running a class of {len(CLASS)} teams as a cohort: a board each, then the overview")
    demo.overview = run_cohort(demo, plan, as_of, seed)
    demo.seconds = time.monotonic() - started
    return demo


def _sandbox_start(plan: Plan) -> datetime:
    """The Friday before week 1, 10:00 in the plan's zone: when the boards are made."""
    return datetime.combine(plan.start - timedelta(days=3), datetime.min.time(), plan.tzinfo) + timedelta(hours=10)


def run_cohort(demo: DemoResult, plan: Plan, as_of: datetime, seed: int) -> Overview:
    """The class on a sandbox of its own: cohort apply, each team's weeks simulated, cohort report into ``cohort.html``.

    This sandbox runs without Trello's rate limits and its client does not pace, so the demo stays quick.
    """
    unpaced = Pacer(Window(1_000_000, 1.0), Window(1_000_000, 1.0))
    with Sandbox(start=_sandbox_start(plan), frozen=True, rate_limit=False) as sandbox, \
            tempfile.TemporaryDirectory(prefix="trelloplan-demo-") as scratch:
        people = {user: sandbox.add_member(user, full) for _, _, team in CLASS for user, full in team}
        teams = tuple(Team(name, team_key(name), members=tuple(user for user, _ in team)) for name, _, team in CLASS)
        cohort = Cohort(source=None, plan=plan, teams=teams, state_dir=Path(scratch) / "state", name="The demo class")
        with Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url, pacer=unpaced) as lead:
            applied = apply_cohort(lead, cohort)
            applied.raise_for_failures()
            moves = []
            for index, (team, (_, pace, members)) in enumerate(zip(teams, CLASS)):
                lists, cards = cohort.state(team).lists, cohort.state(team).cards
                paced = replace(plan, hours_per_task=plan.hours_per_task * pace)  # simulated effort scales with 1 / pace
                for move in simulate_team(paced, until=as_of, members=[user for user, _ in members], seed=seed + index):
                    moves.append((move, lists[move.role]["id"], cards[move.key]["id"]))
            clients = {user: Trello(Credentials(sandbox.key, member.token), api_url=sandbox.api_url, pacer=unpaced)
                       for user, member in people.items()}
            for move, list_id, card_id in sorted(moves, key=lambda item: item[0].at):
                sandbox.clock.freeze(move.at)
                body = {"idList": list_id, **({"idMembers": people[move.member].id} if move.role == "in_progress" else {})}
                clients[move.member].put(f"/cards/{card_id}", body)
            sandbox.clock.freeze(as_of)
            result = report_cohort(lead, cohort, as_of=as_of, store_dir=Path(scratch) / "stores", seed=seed)
            for client in clients.values():
                client.close()
    linked = write_cohort_report(result, demo.folder / "cohort.html", "html")
    demo.files["cohort"] = demo.folder / "cohort.html"
    return linked.overview


def write_outputs(demo: DemoResult, sent_at: datetime) -> None:
    report, out = demo.report, demo.folder
    charts = render_charts(report)
    (out / "charts").mkdir(exist_ok=True)
    for name, png in charts.items():
        demo.files[f"chart {name}"] = atomic_write(out / "charts" / f"{name}.png", png)
    demo.files["html"] = atomic_write(out / "report.html", render_html(report, mode="file", charts=charts))
    demo.files["markdown"] = atomic_write(out / "report.md", render_report(report, "markdown"))
    demo.files["json"] = atomic_write(out / "report.json", json.dumps(report.to_dict(), indent=2) + "\n")
    demo.files["csv"] = atomic_write(out / "report.csv", render_report(report, "csv"))
    message = build_email(report, sender="trelloplan demo <trelloplan@example.com>", recipients=["team@example.com"],
                          charts=charts, date=sent_at)
    demo.files["email"] = write_eml(message, out / "weekly-email.eml")
