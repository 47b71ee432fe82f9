"""The error tree: one root, a hint on every error, exit codes by kind."""

import inspect

import trelloplan.errors as errors
from trelloplan.errors import PlanError, PlanProblem, RateLimited, TrelloplanError


def test_every_error_derives_from_the_root_and_has_a_hint():
    classes = [obj for _, obj in inspect.getmembers(errors, inspect.isclass) if issubclass(obj, Exception)]
    assert len(classes) >= 15
    for cls in classes:
        assert issubclass(cls, TrelloplanError), cls
        if cls in (PlanError, RateLimited):
            continue
        error = cls("something broke")
        assert error.hint and error.exit_code in (1, 2), cls


def test_one_line_joins_message_and_hint():
    error = errors.NotFound("board 5e93 not found\non Trello", hint="check the id")
    assert error.one_line() == "board 5e93 not found on Trello (hint: check the id)"


def test_rate_limited_says_how_long_to_wait():
    error = RateLimited("429 from Trello", retry_after=12.4)
    assert error.hint == "Trello's rate limit is exhausted; wait 12 s and run again"


def test_plan_error_lists_problems():
    p = PlanProblem("a.yaml", 3, 5, "weeks[0].tasks", "tasks must be a list", "write - items")
    assert str(p) == "a.yaml:3:5: error: weeks[0].tasks: tasks must be a list (hint: write - items)"
    assert PlanError([p]).message == str(p)
    assert PlanError([p, p]).message == "a.yaml: 2 errors in the plan; nothing was sent to Trello"
