"""The observed window: the stretch of time a board's history shows, and how much of each week it covers.

A board export holds only the newest 1,000 actions and a store may start
mid-project, so a history often begins long after the board did. What it does
not show is unknown: a week that ended before its first action has no data
(not zero), and a week it begins in is only partly observed. The rules are in
docs/metrics.md ("The observed window").
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, time, timedelta, timezone
from operator import attrgetter

from ..errors import UsageError
from ..plan.model import Plan
from .model import BoardHistory
from .schema import HistoryWindow
from .weeks import WeekCalendar

__all__ = ["MAX_SPAN_YEARS", "NONE", "PART", "WHOLE", "check_as_of", "check_span", "history_window", "newest_action", "observed"]

#: How much of a week the history shows.
NONE, PART, WHOLE = "none", "part", "whole"
_date = attrgetter("date")


def newest_action(history: BoardHistory) -> datetime | None:
    """The date of the history's newest action: what a report from exports is as of by default."""
    return history.actions[-1].date if history.actions else None


def history_window(history: BoardHistory, as_of: datetime) -> HistoryWindow:
    """The window as of ``as_of``: the first action, the newest one at or before ``as_of``, and how many."""
    actions = history.actions
    count = bisect_right(actions, as_of, key=_date)
    return HistoryWindow(
        first=actions[0].date if actions else None,
        last=actions[count - 1].date if count else None,
        complete=any(action.type == "createBoard" for action in actions[:count]),
        actions=count,
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def check_as_of(history: BoardHistory, as_of: datetime) -> None:
    """Refuse a report as of a moment before the history begins: nothing is known then."""
    first = history.actions[0].date if history.actions else None
    if first is not None and as_of < first:
        raise UsageError(
            f"the report would be as of {_utc(as_of)}, before the history begins ({_utc(first)}): "
            "nothing is known then",
            hint="report as of a later moment or week, or from a store or export that reaches back further",
        )


def observed(calendar: WeekCalendar, index: int, first: datetime | None) -> str:
    """``none`` when week ``index`` ended before ``first`` (or there is no history), ``part`` when it holds ``first``."""
    if first is None or calendar.end_instant(index) <= first:
        return NONE
    if calendar.start_instant(index) < first:
        return PART
    return WHOLE


#: A report has a row per week (and per day of cumulative flow) between the history's first moment and its as-of.
MAX_SPAN_YEARS = 100


def check_span(history: BoardHistory, as_of: datetime, plan: Plan | None = None) -> None:
    """Refuse a report whose weeks would run over more than :data:`MAX_SPAN_YEARS` (``--as-of 9000-12-31``).

    Such a report is not wrong, only gigabytes of empty weeks; the moments are
    the as-of, the plan's start, the first action and the times in the cards' ids.
    """
    moments = [as_of]
    if history.actions:
        moments += [history.actions[0].date, history.actions[-1].date]
    cards = [*history.cards, *history.former_cards]
    if cards:
        stamps = [int(card.id[:8], 16) for card in cards]
        moments += [datetime.fromtimestamp(min(stamps), timezone.utc), datetime.fromtimestamp(max(stamps), timezone.utc)]
    if plan is not None:
        moments.append(datetime.combine(plan.start, time(0), tzinfo=timezone.utc))
    first, last = min(moments), max(moments)
    if last - first > timedelta(days=365.25 * MAX_SPAN_YEARS):
        raise UsageError(f"a report as of {as_of.date().isoformat()} would span {(last - first).days // 365} years of weeks "
                         f"({first.date().isoformat()} to {last.date().isoformat()}); a report spans at most "
                         f"{MAX_SPAN_YEARS} years",
                         hint=f"report as of a moment (or a week) within {MAX_SPAN_YEARS} years of the board's history and plan")
