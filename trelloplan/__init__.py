"""trelloplan: plan a project as weekly milestones on Trello, and report its progress."""

from ._version import __version__
from .errors import *  # noqa: F403
from .errors import __all__ as _errors_all
from .plan import ListNames, Plan, Task, Week
from .planfile import ValidationResult, load_plan, load_plan_text, validate_plan
from .templates import list_templates, render_template

__all__ = sorted(
    [
        "ListNames", "Plan", "Task", "ValidationResult", "Week", "__version__",
        "list_templates", "load_plan", "load_plan_text", "render_template", "validate_plan",
        *_errors_all,
    ],
    key=str.casefold,
)
