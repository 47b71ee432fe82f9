"""The plan: a YAML file of weeks, milestones, demos and tasks, validated into frozen values.

:mod:`.model` holds the values (:class:`Plan`, :class:`Week`, :class:`Task`),
:mod:`.planfile` reads and validates a plan file with every problem located,
and :mod:`.templates` ships the starting plans. Nothing here talks to Trello.
"""

from .model import ListNames, Plan, Task, Week
from .planfile import ValidationResult, load_plan, load_plan_text, validate_plan
from .templates import list_templates, render_template

__all__ = [
    "ListNames",
    "Plan",
    "Task",
    "ValidationResult",
    "Week",
    "list_templates",
    "load_plan",
    "load_plan_text",
    "render_template",
    "validate_plan",
]
