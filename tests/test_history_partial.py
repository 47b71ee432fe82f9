"""Partial histories: a cut that keeps only the newest K actions (as Trello's 1,000-action export cap does)
reports nothing the complete history contradicts, and nothing earlier than its own first action.

For any complete history H and any such cut C, as of the same moment:

- every completion C reports (a card with a done time) is reported identically from H;
- every week wholly inside C's window has the same completions as from H;
- no start or done time in C is earlier than C's first action;
- every card on the board now has the same role (state) at the as-of moment in both. (For a card gone
  since, C cannot see an archiving older than its first action: it may say the list's role where H says
  ``dropped``. Nothing else may differ.)

Checked on hypothesis-generated boards (moves, archiving and restoring cards and lists, deletions, moves
to other boards, cards created in any list) and on every complete real history in ../shared/trello-samples.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trelloplan.history import build_report, history_from_actions, history_from_board_json
from trelloplan.history.parse import parse_date
from trelloplan.history.schema import Report
from trelloplan.history.synthetic import BoardBuilder

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "trello-samples"
START = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
LIST_NAMES = ("Backlog", "Doing", "Review", "Done", "Shipped")
TRIALS = 50  # the forecast is not under test here

step = st.one_of(
    st.tuples(st.just("move"), st.integers(0, len(LIST_NAMES) - 1)),
    st.tuples(st.just("archive"), st.just(0)),  # archives an open card, restores an archived one
    st.tuples(st.just("archive_list"), st.integers(0, len(LIST_NAMES) - 1)),  # the same for a list
)
card_script = st.tuples(
    st.integers(0, 30 * 24),  # hours after the start at which the card is created
    st.integers(0, len(LIST_NAMES) - 1),  # its first list
    st.lists(st.tuples(st.integers(1, 96), step), max_size=8),
    st.sampled_from([None, None, None, None, "delete", "away"]),
)
board_script = st.lists(card_script, min_size=1, max_size=10)
FAST = settings(max_examples=int(os.environ.get("TRELLOPLAN_HYPOTHESIS_EXAMPLES", "40")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def build(script: list[Any]) -> dict[str, Any]:
    """A complete board history: every action from the board's creation, each at its own millisecond.

    The changes are made in time order (lists are shared by the cards), so the board as the export shows it
    is where the actions leave it.
    """
    b = BoardBuilder("Cuts", created=START - timedelta(days=1))
    lists = [b.add_list(name) for name in LIST_NAMES]
    changes: list[tuple[datetime, int, str, int]] = []
    for number, (offset, first, steps, end) in enumerate(script):
        moment = START + timedelta(hours=offset, milliseconds=number)
        changes.append((moment, number, "create", first))
        for gap, (what, arg) in steps:
            moment += timedelta(hours=gap, milliseconds=len(script))
            changes.append((moment, number, what, arg))
        if end is not None:
            changes.append((moment + timedelta(hours=1), number, end, 0))
    cards: dict[int, str] = {}
    for moment, number, what, arg in sorted(changes):
        if what == "create":
            cards[number] = b.add_card(f"Card {number}", lists[arg], moment)
        elif what == "move":
            b.move(cards[number], lists[arg], moment)
        elif what == "archive":
            b.archive(cards[number], moment, closed=not b.cards[cards[number]].closed)
        elif what == "archive_list":
            b.archive_list(lists[arg], moment, closed=not b.lists[lists[arg]]["closed"])
        elif what == "delete":
            b.delete(cards[number], moment)
        else:
            b.move_to_other_board(cards[number], moment)
    return b.export()


def newest(export: dict[str, Any], keep: int) -> dict[str, Any]:
    """The export with only its newest ``keep`` actions (the board as it is now unchanged), like the export cap."""
    ordered = sorted(export["actions"], key=lambda a: (a["date"], a["id"]), reverse=True)
    return dict(export, actions=ordered[:keep])


def check_cut(whole: Report, cut: Report, cut_begins: datetime, on_board_now: set[str]) -> None:
    assert not cut.history.complete or cut.history.first == whole.history.first
    rows = {row.id: row for row in whole.cards}
    assert {row.id for row in cut.cards} == set(rows)
    for row in cut.cards:
        assert row.role == rows[row.id].role or (row.id not in on_board_now and rows[row.id].role == "dropped"), row.name
    for row in cut.cards:
        if row.done is not None:
            assert (row.done, row.completed_week) == (rows[row.id].done, rows[row.id].completed_week), row.name
            assert row.done >= cut_begins
        else:
            assert row.role != "done" or row.done_unknown
        assert row.started is None or row.started >= cut_begins
    for card in cut.wip.cards:
        assert card.started is None or card.started >= cut_begins
    for ref in (*cut.week.completed, *cut.week.carried_over, *cut.week.scope_added):
        assert ref.done is None or ref.done >= cut_begins
    weeks = {row.label: row for row in whole.throughput}
    for row in cut.throughput:
        if row.observed == "whole":
            assert row.completed == weeks[row.label].completed, row.label
        elif row.observed == "none":
            assert row.completed is None
    for point in cut.burn_up:
        assert (point.scope is None) == (point.at < cut_begins)
    assert all(day.done is None for day in cut.cumulative_flow if day.date < cut_begins.date())
    if all(rows[row.id].role == row.role for row in cut.cards):
        assert cut.totals == whole.totals


def compare(export: dict[str, Any], keep: int, as_of: datetime) -> tuple[Report, Report]:
    """The whole history's report and the cut's, as of the same moment (not before the cut begins), checked."""
    cut = newest(export, keep)
    begins = min(parse_date(a["date"]) for a in cut["actions"])
    options: dict[str, Any] = {"as_of": max(as_of, begins), "trials": TRIALS}
    whole, partial = (build_report(history_from_board_json(export), **options),
                      build_report(history_from_board_json(cut), **options))
    check_cut(whole, partial, begins, {card["id"] for card in export["cards"]})
    return whole, partial


@FAST
@given(board_script, st.data())
def test_a_cut_of_a_generated_history_agrees_with_the_whole(script: list[Any], data: st.DataObject) -> None:
    export = build(script)
    total = len(export["actions"])
    keep = data.draw(st.integers(1, total), label="keep")
    last = max(parse_date(a["date"]) for a in export["actions"])
    as_of = data.draw(st.sampled_from([last, last + timedelta(days=3), last - timedelta(days=2)]), label="as_of")
    whole, cut = compare(export, keep, as_of)
    if keep == total:
        assert cut.to_dict() == whole.to_dict()


def _complete_real_histories() -> list[Path]:
    found = []
    for path in sorted(SAMPLES.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        actions = data.get("actions") if isinstance(data, dict) else data if isinstance(data, list) else None
        if isinstance(actions, list) and any(isinstance(a, dict) and a.get("type") == "createBoard" for a in actions):
            found.append(path)
    return found


def test_the_real_complete_histories_are_found() -> None:
    names = {path.name for path in _complete_real_histories()}
    assert {"kanban-template.json", "web-development.json"} <= names


@pytest.mark.parametrize("path", _complete_real_histories(), ids=lambda path: path.name)
def test_every_cut_of_a_real_complete_history_agrees_with_the_whole(path: Path) -> None:
    export = json.loads(path.read_text(encoding="utf-8"))
    history = history_from_board_json(export) if isinstance(export, dict) else history_from_actions(export)
    assert history.actions[0].type == "createBoard"
    last = history.actions[-1].date
    for keep in range(1, len(export["actions"]) + 1):
        compare(export, keep, last)


def test_a_real_cut_reports_done_cards_without_inventing_their_done_times() -> None:
    """The kanban export cut to its newest 30 actions: cards done before the cut are done, with no done time."""
    export = json.loads((SAMPLES / "board-exports" / "kanban-template.json").read_text(encoding="utf-8"))
    cut = build_report(history_from_board_json(newest(export, 30)))
    before = [row for row in cut.cards if row.done_unknown]
    assert {row.name for row in before} == {"Done", "Ship Celebrations for Trello"}
    assert all(row.role == "done" and row.done is None and row.completed_week is None for row in before)
    assert cut.totals.done == 3 and sum(row.completed or 0 for row in cut.throughput) == 1
    counts = cut.data_quality.counts
    assert (counts["history_start"], counts["done_before_history"], counts["in_progress_at_history_start"]) == (1, 2, 7)
    assert all(card.started is None and card.min_age_days is not None for card in cut.wip.cards)
    assert cut.as_of == cut.history.last == parse_date(export["actions"][0]["date"])
