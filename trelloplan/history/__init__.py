"""Card history and weekly reports: pure functions from a board's actions to a :class:`Report`.

Modules, in the order data flows through them: :mod:`.parse` (Trello JSON →
:mod:`.model`), :mod:`.roles` (lists → roles), :mod:`.replay` (one timeline per
card), :mod:`.metrics` and :mod:`.forecast`, :mod:`.quality`, :mod:`.report`
(:func:`build_report`). :mod:`.export` reads board export files and
:mod:`.fetch` pulls a board through any ``get(path, params)`` callable.
"""

from .export import load_export, load_exports
from .fetch import PullResult, fetch_history, pull_history
from .model import Action, BoardHistory, BoardInfo, CardSnapshot, LabelInfo, ListInfo, MemberInfo
from .parse import history_from_actions, history_from_board_json, make_history, merge_histories
from .report import as_of_for_week, build_report
from .roles import RoleRules, default_role
from .schema import SCHEMA_VERSION, Report

__all__ = [
    "SCHEMA_VERSION",
    "Action",
    "BoardHistory",
    "BoardInfo",
    "CardSnapshot",
    "LabelInfo",
    "ListInfo",
    "MemberInfo",
    "PullResult",
    "Report",
    "RoleRules",
    "as_of_for_week",
    "build_report",
    "default_role",
    "fetch_history",
    "history_from_actions",
    "history_from_board_json",
    "load_export",
    "load_exports",
    "make_history",
    "merge_histories",
    "pull_history",
]
