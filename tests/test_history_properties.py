"""Properties that hold for any history (hypothesis): counts, as-of agreement with a naive replay, order independence."""

from __future__ import annotations

import os
import random
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trelloplan.history import build_report, history_from_board_json
from trelloplan.history.parse import parse_date
from trelloplan.history.roles import default_role
from trelloplan.history.synthetic import BoardBuilder

START = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
CREATIONS = ("createCard", "copyCard", "emailCard", "moveCardToBoard", "convertToCardFromCheckItem")
TRIALS = 200  # the forecast is not under test here
LIST_NAMES = ("To Do", "Doing", "Code Review", "Done", "Shipped")

op = st.one_of(
    st.tuples(st.just("move"), st.integers(0, len(LIST_NAMES) - 1)),
    st.tuples(st.just("archive"), st.just(0)),      # archives an open card, restores an archived one
    st.tuples(st.just("rename"), st.just(0)),
)
card_script = st.tuples(
    st.integers(0, 20 * 24),                       # hours after the start at which the card is created
    st.integers(0, len(LIST_NAMES) - 1),           # its first list
    st.sampled_from(["createCard", "copyCard", "emailCard", "moveCardToBoard", "convertToCardFromCheckItem"]),
    st.lists(st.tuples(st.integers(1, 72), op), max_size=8),
    st.sampled_from([None, None, None, "delete", "away"]),
)
board_script = st.lists(card_script, min_size=0, max_size=12)


def build(script: list) -> dict:
    b = BoardBuilder("Prop", created=START - timedelta(days=1))
    lists = [b.add_list(name) for name in LIST_NAMES]
    for number, (offset, first, kind, steps, end) in enumerate(script):
        moment = START + timedelta(hours=offset, milliseconds=number)
        card = b.add_card(f"Card {number}", lists[first], moment, kind=kind)
        for gap, (what, arg) in steps:
            moment += timedelta(hours=gap)
            if what == "move":
                b.move(card, lists[arg], moment)
            elif what == "archive":
                b.archive(card, moment, closed=not b.cards[card].closed)
            else:
                b.rename_card(card, f"Card {number} renamed", moment)
        if end == "delete":
            b.delete(card, moment + timedelta(hours=1))
        elif end == "away":
            b.move_to_other_board(card, moment + timedelta(hours=1))
    return b.export()


def naive_state(export: dict, as_of: datetime) -> dict[str, tuple[str, datetime | None]]:
    """The obvious replay: walk every action in time order, remember each card's list and when it last became done.

    A card archived outside a done list is dropped (until it is restored).
    """
    names = {item["id"]: item["name"] for item in export["lists"]}
    where: dict[str, str] = {}
    closed: dict[str, bool] = {}
    done_since: dict[str, datetime | None] = {}
    for action in sorted(export["actions"], key=lambda a: (a["date"], a["id"])):
        moment = parse_date(action["date"])
        if moment > as_of:
            break
        data, kind = action["data"], action["type"]
        card = data.get("card", {}).get("id")
        target = None
        if kind in CREATIONS:
            target = data["list"]["id"]
        elif kind == "updateCard" and "listAfter" in data:
            target = data["listAfter"]["id"]
        elif kind in ("deleteCard", "moveCardFromBoard"):
            where.pop(card, None)
            done_since.pop(card, None)
        elif kind == "updateCard" and "closed" in data.get("old", {}):
            closed[card] = data["card"]["closed"]
        if target is not None:
            was_done = card in where and default_role(names[where[card]]) == "done"
            where[card] = target
            if default_role(names[target]) == "done":
                if not was_done:
                    done_since[card] = moment
            else:
                done_since[card] = None
    result = {}
    for card, list_id in where.items():
        role = default_role(names[list_id])
        result[card] = ("dropped" if closed.get(card) and role != "done" else role, done_since.get(card))
    return result


# TRELLOPLAN_HYPOTHESIS_EXAMPLES=2000 for a deeper search than the suite's default.
FAST = settings(max_examples=int(os.environ.get("TRELLOPLAN_HYPOTHESIS_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
END = START + timedelta(days=60)


@FAST
@given(board_script)
def test_every_card_is_counted_once_and_done_counts_match_the_done_lists(script: list) -> None:
    export = build(script)
    report = build_report(history_from_board_json(export), as_of=END, trials=TRIALS)
    ids = [row.id for row in report.cards]
    assert len(ids) == len(set(ids)) == len(export["cards"])
    t = report.totals
    assert t.todo + t.in_progress + t.done == t.cards == len(ids) - t.dropped
    assert t.dropped == sum(1 for row in report.cards if row.role == "dropped")
    list_names = {item["id"]: item["name"] for item in export["lists"]}
    in_done_lists = [c for c in export["cards"] if default_role(list_names[c["idList"]]) == "done"]
    assert t.done == len(in_done_lists)
    assert sum(week.completed for week in report.throughput) == t.done
    last = report.cumulative_flow[-1] if report.cumulative_flow else None
    assert last is None or (last.todo, last.in_progress, last.done) == (t.todo, t.in_progress, t.done)
    assert report.data_quality.counts["history_mismatch"] == 0


@FAST
@given(board_script, st.integers(0, 40 * 24))
def test_as_of_reports_agree_with_a_naive_replay(script: list, hours: int) -> None:
    export = build(script)
    as_of = START + timedelta(hours=hours)
    report = build_report(history_from_board_json(export), as_of=as_of, trials=TRIALS)
    expected = naive_state(export, as_of)
    got = {row.id: (row.role, row.done) for row in report.cards}
    assert got == expected
    assert report.totals.done == sum(1 for role, _ in expected.values() if role == "done")


@FAST
@given(board_script, st.integers(0, 40 * 24), st.randoms(use_true_random=False))
def test_the_order_of_the_actions_changes_nothing(script: list, hours: int, rng: random.Random) -> None:
    export = build(script)
    as_of = START + timedelta(hours=hours)
    expected = build_report(history_from_board_json(export), as_of=as_of, seed=3, trials=TRIALS).to_dict()
    rng.shuffle(export["actions"])
    assert build_report(history_from_board_json(export), as_of=as_of, seed=3, trials=TRIALS).to_dict() == expected


@FAST
@given(board_script, st.integers(0, 40 * 24))
def test_a_report_as_of_a_moment_ignores_every_later_action(script: list, hours: int) -> None:
    export = build(script)
    as_of = START + timedelta(hours=hours)
    full = build_report(history_from_board_json(export), as_of=as_of, seed=5, trials=TRIALS).to_dict()
    kept = [a for a in export["actions"] if parse_date(a["date"]) <= as_of]
    existing = {a["data"]["card"]["id"] for a in kept if a["type"] in CREATIONS}
    cut = dict(export, actions=kept, cards=[c for c in export["cards"] if c["id"] in existing])
    truncated = build_report(history_from_board_json(cut), as_of=as_of, seed=5, trials=TRIALS).to_dict()
    for key in ("totals", "cards", "throughput", "cycle_time_days", "lead_time_days", "cumulative_flow", "burn_up", "wip"):
        assert truncated[key] == full[key], key
