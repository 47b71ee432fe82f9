"""The simulated team: seeded, in working hours, one card at a time per person, with the odd slip."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from trelloplan.demo import demo_moment
from trelloplan.plan.planfile import load_plan
from trelloplan.simulate import simulate_team

PLAN = load_plan(Path(__file__).resolve().parent.parent / "plans" / "mlops-gcp-10-weeks.yaml")
TEAM = ["ana", "ben", "chloe"]


def final_roles(moves):
    roles = {}
    for move in moves:
        roles[move.key] = move.role
    return roles


def test_the_same_seed_gives_the_same_moves_and_another_seed_others():
    until = demo_moment(PLAN, 5)
    assert simulate_team(PLAN, until=until, members=TEAM, seed=3) == simulate_team(PLAN, until=until, members=TEAM, seed=3)
    assert simulate_team(PLAN, until=until, members=TEAM, seed=3) != simulate_team(PLAN, until=until, members=TEAM, seed=4)


@pytest.mark.parametrize("seed", range(6))
def test_moves_are_believable(seed):
    until = demo_moment(PLAN, 5)
    moves = simulate_team(PLAN, until=until, members=TEAM, seed=seed)
    assert moves == sorted(moves, key=lambda m: (m.at, m.key, m.role)) and moves[-1].at <= until
    for move in moves:
        local = move.at.astimezone(PLAN.tzinfo)
        assert local.weekday() < 5 and 9 <= local.hour < 17 or (local.hour, local.minute) == (17, 0), move
    per_card = Counter(m.key for m in moves)
    assert Counter(per_card.values())[4] == 1  # one card is reopened: started, done, started, done
    started = {m.key for m in moves if m.role == "in_progress"}
    done = {m.key for m in moves if m.role == "done"}
    assert len(done - started) == 1  # one card skips In Progress
    roles = final_roles(moves)
    assert sum(1 for k, r in roles.items() if r == "done" and PLAN.task(k).week in (1, 2)) == 12  # early weeks finish
    assert not any(k.startswith(("w7-", "w8-", "w9-", "w10-")) for k in roles)  # nothing runs ahead of the calendar
    busy: dict[str, str] = {}
    for move in moves:  # a person works on one card at a time (the reopened card excepted)
        if move.role == "in_progress" and per_card[move.key] == 2 and not move.key.endswith("-demo"):
            assert busy.get(move.member) is None, (move, busy)
            busy[move.member] = move.key
        elif move.role == "done" and busy.get(move.member) == move.key:
            busy[move.member] = None


def test_a_team_is_needed():
    with pytest.raises(ValueError):
        simulate_team(PLAN, until=demo_moment(PLAN, 2), members=[])
