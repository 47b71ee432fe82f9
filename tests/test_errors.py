"""The error tree: one root, a hint on every error, exit codes by kind."""

import inspect

import trelloplan.errors as errors
from trelloplan.errors import PlanError, PlanProblem, RateLimited, TrelloplanError


def test_every_error_derives_from_the_root_and_has_a_hint():
    classes = [obj for _, obj in inspect.getmembers(errors, inspect.isclass) if issubclass(obj, Exception)]
    assert len(classes) >= 15
    for cls in classes:
        assert issubclass(cls, TrelloplanError), cls
        if issubclass(cls, PlanError) or cls is RateLimited:
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
    assert PlanError([p, p]).message == "a.yaml: 2 errors in the plan"


def test_library_errors_do_not_speak_of_the_command_line():
    """Default hints name inputs, not options; the CLI words its own (trelloplan.cli.CLI_HINTS)."""
    from trelloplan.cli import CLI_HINTS, cli_hint

    classes = [obj for _, obj in inspect.getmembers(errors, inspect.isclass) if issubclass(obj, TrelloplanError)]
    for cls in classes:
        for words in ("--", "trelloplan validate", "listed above", "nothing was sent"):
            assert words not in cls.default_hint, (cls, cls.default_hint)
    p = PlanProblem("a.yaml", 3, 5, "weeks", "bad", "fix it")
    assert "listed above" not in PlanError([p, p]).hint and "nothing was sent" not in PlanError([p, p]).message
    assert cli_hint(PlanError([p, p])) == CLI_HINTS[PlanError] and "trelloplan validate" in CLI_HINTS[PlanError]
    assert cli_hint(errors.ConfigError("x")) == CLI_HINTS[errors.UsageError]  # inherited default: the parent's words
    assert cli_hint(errors.BoardError("x", hint="a hint of its own")) == "a hint of its own"
    assert all(cls.default_hint != CLI_HINTS[cls] for cls in CLI_HINTS)
