"""The public API: what `import trelloplan` offers is exactly what __all__ lists."""

import subprocess
import sys

import trelloplan


def test_all_is_sorted_and_every_name_resolves():
    assert trelloplan.__all__ == sorted(set(trelloplan.__all__), key=str.casefold)
    for name in trelloplan.__all__:
        assert getattr(trelloplan, name) is not None, name


def test_no_public_name_is_left_out_of_all():
    for name in trelloplan.__all__:
        getattr(trelloplan, name)
    public = {name for name, value in vars(trelloplan).items()
              if (not name.startswith("_") or name == "__version__") and type(value).__name__ != "module"}
    assert public == set(trelloplan.__all__)
    assert sorted(dir(trelloplan)) == sorted(trelloplan.__all__)


def test_core_names_are_exported():
    for name in ("load_plan", "validate_plan", "Plan", "TrelloplanError", "PlanError", "Trello", "apply_plan",
                 "plan_changes", "build_report", "Report", "pull_board", "render_html", "build_email", "Sandbox",
                 "run_demo", "HistoryStore", "__version__"):
        assert name in trelloplan.__all__, name


def test_importing_the_package_stays_light():
    code = "import sys, trelloplan; print(sorted(m for m in ('matplotlib', 'flask', 'trello', 'jinja2') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_unknown_attribute():
    try:
        trelloplan.nope  # noqa: B018
    except AttributeError as error:
        assert "nope" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_library_errors_speak_of_arguments_not_of_command_line_options(tmp_path):
    import pytest

    from trelloplan.errors import TrelloplanError
    from trelloplan.history import build_report, history_from_board_json
    from trelloplan.history.synthetic import generate_board
    from trelloplan.reporting import load_history

    history = history_from_board_json(generate_board(20, seed=1))
    calls = [lambda: build_report(history, week=3), lambda: build_report(history, week="2026-W99"),
             lambda: load_history(store_path=tmp_path / "nope.sqlite"),
             lambda: load_history(exports=["x.json"], store_path="s.sqlite"), lambda: load_history()]
    for call in calls:
        with pytest.raises(TrelloplanError) as caught:
            call()
        assert "--" not in caught.value.message + caught.value.hint, (caught.value.message, caught.value.hint)
