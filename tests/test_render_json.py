"""The JSON report: schema version, the fields the issue requires, their types, and a faithful round trip."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from trelloplan.history import SCHEMA_VERSION, build_report, history_from_board_json
from trelloplan.history.synthetic import generate_board
from trelloplan.plan.planfile import load_plan_text
from trelloplan.render.json import render_json

PLAN = "\n".join(
    ["project: Json", "start: 2026-01-05", "timezone: America/New_York", "weeks:"]
    + [f"  - {{week: {n}, milestone: M{n}, demo: D{n}, tasks: [T{n}a, T{n}b]}}" for n in range(1, 11)]
)
AS_OF = datetime(2026, 2, 20, 17, tzinfo=timezone.utc)


def report():
    plan = load_plan_text(PLAN)
    history = history_from_board_json(generate_board(800, seed=9, start=datetime(2026, 1, 5, 14, tzinfo=timezone.utc), weeks=10))
    return build_report(history, as_of=AS_OF, plan=plan, seed=1, trials=500)


def test_the_json_has_the_documented_shape() -> None:
    data = json.loads(render_json(report()))
    assert list(data)[0] == "schema_version" and data["schema_version"] == SCHEMA_VERSION == "2.0"
    for key in ("weeks", "cards", "cycle_time_days", "lead_time_days", "throughput", "forecast", "data_quality",
                "totals", "week", "wip", "burn_up", "cumulative_flow", "members", "lists", "as_of", "timezone", "history", "archived"):
        assert key in data, key
    assert len(data["weeks"]) == 10
    for week in data["weeks"]:
        assert {"label", "start", "end", "completed", "planned", "done"} <= set(week)
        assert isinstance(week["completed"], int) and isinstance(week["planned"], int)
        assert all(isinstance(week[k], float) for k in ("hours_done", "hours_total"))  # 0.0, never 0 beside 21.0
    assert list(data)[:6] == ["schema_version", "board_id", "board_name", "as_of", "history", "archived"]
    assert set(data["history"]) == {"first", "last", "complete", "actions"} and data["history"]["complete"] is True
    assert {week["observed"] for week in data["weeks"]} == {"whole"} and data["archived"] == "dropped"
    assert data["cards"]
    for card in data["cards"]:
        assert {"id", "name", "role", "list", "week", "created", "started", "done", "cycle_time_days",
                "lead_time_days"} <= set(card)
        assert card["created"].endswith("Z") and len(card["created"]) == 24
        assert card["role"] in ("todo", "in_progress", "done", "ignore", "dropped")
        assert {"start_unknown", "done_unknown", "dropped_at"} <= set(card)
    for key in ("cycle_time_days", "lead_time_days"):
        assert set(data[key]) == {"count", "p50", "p85", "p95"} and data[key]["count"] > 0
        assert data[key]["p50"] <= data[key]["p85"] <= data[key]["p95"]
    assert all({"label", "start", "end", "completed", "partial", "observed"} == set(w) for w in data["throughput"])
    assert {"status", "remaining", "date_50", "date_85", "seed", "trials", "sample_weeks", "weeks_sampled",
            "min_weeks"} <= set(data["forecast"])
    assert {"phase", "starts_in_days", "observed", "dropped"} <= set(data["week"])
    assert set(data["data_quality"]) == {"counts", "findings"}
    assert data["timezone"] == "America/New_York" and data["week"]["label"] == "Week 7"


def test_json_round_trips_to_dict_and_is_deterministic() -> None:
    first = report()
    text = render_json(first)
    assert json.loads(text) == first.to_dict()
    assert render_json(report()) == text
    assert text.endswith("\n") and json.loads(render_json(first, indent=None)) == first.to_dict()
