"""trelloplan: plan a project as weekly milestones on Trello, and report its progress.

The library is the product; the ``trelloplan`` command is a thin layer over it.
Plans: :func:`load_plan`, :func:`validate_plan`. Boards: :class:`Trello`,
:func:`plan_changes`, :func:`apply_plan`. History and reports:
:func:`pull_board`, :func:`load_history`, :func:`build_report` (the one call
that makes a report; :func:`plan_list_roles` and :func:`plan_week_labels` give it the lists and labels apply made),
:func:`render_report`, :func:`render_html`, :func:`build_email`. Cohorts (a board
per team, one overview): :func:`load_cohort`, :func:`apply_cohort`, :func:`report_cohort`.
The local Trello-compatible server: :class:`Sandbox`. Heavier parts load on first use.
"""

import importlib as _importlib

from ._version import __version__
from .errors import *  # noqa: F403
from .errors import __all__ as _errors_all
from .plan.model import ListNames, Plan, Task, Week
from .plan.planfile import ValidationResult, load_plan, load_plan_text, validate_plan
from .plan.templates import list_templates, render_template

_LAZY = {
    "ApplyResult": ".board.apply", "apply_plan": ".board.apply", "plan_changes": ".board.apply",
    "BoardState": ".board.remote", "read_board": ".board.remote",
    "Credentials": ".client", "RetryPolicy": ".client", "Trello": ".client",
    "Change": ".board.diff", "Diff": ".board.diff", "diff_plan": ".board.diff",
    "DemoResult": ".demo", "run_demo": ".demo",
    "BoardHistory": ".history", "Report": ".history", "RoleRules": ".history", "SCHEMA_VERSION": ".history",
    "as_of_for_week": ".history", "build_report": ".history", "load_export": ".history", "load_exports": ".history",
    "PullResult": ".history.fetch", "fetch_history": ".history.fetch", "pull_history": ".history.fetch",
    "board_lock": ".lock",
    "SmtpSettings": ".mail", "send_email": ".mail", "smtp_settings": ".mail", "write_eml": ".mail",
    "render_charts": ".render.charts", "build_email": ".render.email", "render_report": ".render.formats",
    "render_html": ".render.html", "report_status": ".render.status",
    "deliver_email": ".reporting", "load_history": ".reporting", "plan_list_roles": ".reporting",
    "plan_week_labels": ".reporting",
    "pull_board": ".reporting",
    "Sandbox": ".sandbox",
    "Move": ".simulate", "simulate_team": ".simulate",
    "PlanState": ".board.state",
    "HistoryStore": ".store",
    "Workspace": ".board.workspace", "choose_workspace": ".board.workspace", "resolve_workspace": ".board.workspace",
    "TokenAccess": ".client.access", "token_access": ".client.access", "DoctorReport": ".doctor", "run_doctor": ".doctor",
    "Cohort": ".cohort.model", "Team": ".cohort.model", "team_plan": ".cohort.model",
    "load_cohort": ".cohort.cohortfile", "validate_cohort": ".cohort.cohortfile",
    "apply_cohort": ".cohort.apply", "plan_cohort": ".cohort.apply", "report_cohort": ".cohort.report",
    "Overview": ".cohort.overview", "deliver_cohort": ".cohort.delivery", "write_cohort_report": ".cohort.delivery",
    "render_overview": ".render.cohort",
}

__all__ = sorted(
    [
        "ListNames", "Plan", "Task", "ValidationResult", "Week", "__version__",
        "list_templates", "load_plan", "load_plan_text", "render_template", "validate_plan",
        *_errors_all, *_LAZY,
    ],
    key=str.casefold,
)


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'trelloplan' has no attribute {name!r}")
    value = getattr(_importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
