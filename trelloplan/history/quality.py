"""Data-quality findings: what in the history makes the numbers less certain.

Each rule is documented in docs/metrics.md. Findings are about the as-of
moment: cards on the board then (``ignore`` lists left out), plus the cards
that had left it by then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from .model import BoardHistory, CardSnapshot
from .replay import DROPPED, CardTimeline
from .schema import DataQuality, Finding

__all__ = ["RULES", "find_problems"]

#: Every rule, in the order findings are listed.
RULES = (
    "history_start",
    "created_from_id",
    "done_before_history",
    "in_progress_at_history_start",
    "skipped_in_progress",
    "reopened",
    "dropped_in_progress",
    "no_week_label",
    "deleted",
    "moved_to_other_board",
    "history_mismatch",
)
_ORDER = {rule: index for index, rule in enumerate(RULES)}


def find_problems(
    history: BoardHistory,
    timelines: Iterable[CardTimeline],
    *,
    as_of: datetime,
    week_of: Callable[[CardTimeline], int | None] | None,
    list_name: Callable[[str | None], str],
) -> DataQuality:
    """All findings as of ``as_of``. ``week_of`` is None without a plan (no week-label rule)."""
    findings: list[Finding] = []
    add = findings.append
    if history.actions and not any(action.type == "createBoard" for action in history.actions):
        first = history.actions[0]
        add(Finding("history_start", None, None, first.date,
                    "the history starts after the board was created: what happened before it is unknown, "
                    "and weeks that ended before it have no data"))
    check_snapshot = history.snapshot and (not history.actions or as_of >= history.actions[-1].date)
    snapshots: Mapping[str, CardSnapshot] = {card.id: card for card in history.cards} if check_snapshot else {}
    for timeline in timelines:
        name = timeline.name
        if not timeline.on_board:
            if timeline.deleted_at is not None and timeline.role == "out" and timeline.moved_away_at is None:
                add(Finding("deleted", timeline.id, name, timeline.deleted_at, "deleted; left out of every count"))
            elif timeline.moved_away_at is not None:
                add(Finding("moved_to_other_board", timeline.id, name, timeline.moved_away_at,
                            "moved to another board; left out of every count"))
            if check_snapshot and timeline.id in snapshots:
                add(Finding("history_mismatch", timeline.id, name, None,
                            "the card is on the board now, but its history says it left"))
            continue
        if check_snapshot:
            _compare(timeline, snapshots.get(timeline.id), list_name, add)
        if timeline.role == "ignore":
            continue
        if timeline.created_from_id:
            add(Finding("created_from_id", timeline.id, name, timeline.created,
                        "its creation is not in the history; created is the time in the card id"))
        if timeline.before_history == "done":
            add(Finding("done_before_history", timeline.id, name, timeline.segments[0].start,
                        "already done when the history starts: done, but its done time, cycle and lead time are unknown"
                        if timeline.done_unknown else "already done when the history starts: its start is unknown"))
        elif timeline.before_history == "in_progress":
            add(Finding("in_progress_at_history_start", timeline.id, name, timeline.segments[0].start,
                        "already in progress when the history starts: its start and cycle time are unknown"))
        if timeline.done is not None and timeline.started is None and not timeline.start_unknown:
            add(Finding("skipped_in_progress", timeline.id, name, timeline.done,
                        "done without ever being in an in-progress list; no cycle time"))
        for moment in timeline.reopened_at:
            add(Finding("reopened", timeline.id, name, moment,
                        "no longer done: moved out of a done list, or unarchived where archived counts as done"))
        if timeline.dropped_from_progress is not None:
            add(Finding("dropped_in_progress", timeline.id, name, timeline.dropped_from_progress,
                        "archived while in progress: work abandoned without being finished (dropped)"))
        if week_of is not None and timeline.role != DROPPED and week_of(timeline) is None:
            add(Finding("no_week_label", timeline.id, name, None, "has no label of a plan week"))
    findings.sort(key=lambda f: (_ORDER[f.rule], f.at is None, f.at or as_of, f.card_id or ""))
    counts = dict.fromkeys(RULES, 0)
    for finding in findings:
        counts[finding.rule] += 1
    return DataQuality(counts=counts, findings=tuple(findings))


def _compare(
    timeline: CardTimeline,
    snapshot: CardSnapshot | None,
    list_name: Callable[[str | None], str],
    add: Callable[[Finding], None],
) -> None:
    """The self-check: the replay must end where the board shows the card now."""
    if snapshot is None:
        add(Finding("history_mismatch", timeline.id, timeline.name, None,
                    "the history has the card on the board, but the board does not show it"))
    elif snapshot.list_id != timeline.list_id:
        add(Finding("history_mismatch", timeline.id, timeline.name, None,
                    f"the history ends in list {list_name(timeline.list_id)!r} but the card is in "
                    f"{list_name(snapshot.list_id)!r}"))

