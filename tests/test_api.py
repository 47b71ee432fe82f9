"""The public API: what `import trelloplan` offers is exactly what __all__ lists."""

import trelloplan


def test_exported_members_are_sorted_and_complete():
    public = [name for name in vars(trelloplan) if not name.startswith("_") or name == "__version__"]
    modules = {name for name in public if type(getattr(trelloplan, name)).__name__ == "module"}
    assert trelloplan.__all__ == sorted(set(public) - modules, key=str.casefold)


def test_core_names_are_exported():
    for name in ("load_plan", "validate_plan", "Plan", "Week", "Task", "TrelloplanError", "PlanError", "__version__"):
        assert name in trelloplan.__all__, name
