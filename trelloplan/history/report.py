"""Build the weekly report from a board history, as of one moment.

:func:`build_report` is the library's one entry point for a report, and the
call behind ``trelloplan report``: plain data in (a :class:`BoardHistory`, an
optional :class:`Plan`, the as-of moment), a :class:`Report` out. It never
reads a clock: the caller says what "now" is, or the report is as of the
newest action in the history. The definitions it follows are in docs/metrics.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ..plan.model import Plan, Task
from .forecast import DEFAULT_TRIALS, forecast_completion
from .gcpause import gc_paused
from .metrics import days_between, percentiles, role_at, role_counts_at
from .model import LABEL_TYPES, Action, BoardHistory
from .quality import find_problems
from .replay import ARCHIVED_MEANINGS, DROPPED, CardTimeline, replay
from .roles import RoleRules, resolve_roles
from .schema import (
    BurnUpPoint,
    CardRef,
    CardRow,
    DemoStatus,
    FlowDay,
    ListRow,
    MemberRow,
    Report,
    ThisWeek,
    ThroughputWeek,
    Totals,
    WeekRow,
    Wip,
    WipCard,
    new_frozen,
)
from .weeks import WeekCalendar, load_zone
from .window import NONE, WHOLE, check_as_of, check_span, history_window, newest_action, observed

__all__ = ["DEFAULT_WINDOW", "as_of_for_week", "build_report"]

#: How many of the latest complete weeks the forecast samples.
DEFAULT_WINDOW = 12
_TICK = timedelta(microseconds=1)
#: Where a card's role is counted in a member's [assigned, todo, in_progress, done, completed] row.
_MEMBER_COLUMN = {"todo": 1, "in_progress": 2, "done": 3}


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _calendar(plan: Plan | None, tz: str | ZoneInfo | None) -> WeekCalendar:
    zone = load_zone(tz) if tz is not None else (plan.tzinfo if plan is not None else load_zone("UTC"))
    return WeekCalendar.for_plan(plan, zone) if plan is not None else WeekCalendar.iso(zone)


def as_of_for_week(week: int | str, *, plan: Plan | None = None, tz: str | ZoneInfo | None = None) -> datetime:
    """The last instant of a week (a plan week number, or ``2026-W03``): what ``--week`` reports as of."""
    calendar = _calendar(plan, tz)
    return calendar.last_instant(calendar.parse_week(week))


class _Card:
    """A timeline with the plan facts and durations the sections need, computed once.

    The timeline fields every section reads (``id``, ``role``, ``created``,
    ``started``, ``done``) are copied here too: each section loops over every
    card, and one object per card is quicker to read than two. ``role`` is the
    card's state (``dropped`` included); ``done`` is None when the done time is
    unknown, so durations and weeks use only the times the history shows.
    """

    __slots__ = ("age", "created", "cycle", "done", "hours", "id", "in_scope", "is_demo", "lead", "role", "started", "task",
                 "timeline", "week")

    def __init__(
        self, timeline: CardTimeline, week: int | None, task: Task | None, hours: float | None, is_demo: bool, as_of: datetime
    ) -> None:
        self.timeline = timeline
        self.week = week
        self.task = task
        self.hours = hours
        self.is_demo = is_demo
        self.id = timeline.id
        self.role = role = timeline.role
        self.created = created = timeline.created
        self.started = started = timeline.started
        self.done = done = timeline.done
        self.in_scope = role != "out" and role != "ignore" and role != DROPPED
        self.lead = days_between(created, done) if done is not None else None
        self.cycle = days_between(started, done) if done is not None and started is not None else None
        self.age = days_between(started, as_of) if role == "in_progress" and started is not None else None


def build_report(
    history: BoardHistory,
    *,
    as_of: datetime | None = None,
    plan: Plan | None = None,
    week: int | str | None = None,
    tz: str | ZoneInfo | None = None,
    list_roles: RoleRules | Mapping[str, str] | None = None,
    archived: str = "dropped",
    week_labels: Mapping[str, int] | None = None,
    seed: int = 0,
    trials: int = DEFAULT_TRIALS,
    window: int = DEFAULT_WINDOW,
) -> Report:
    """The report for the week ``week`` (default: the week holding ``as_of``), as of ``as_of``.

    ``as_of`` must be timezone-aware; only actions dated at or before it
    count. Without it the report is as of the newest action in the history
    (an export's moment; with ``week``, the week's end if that is earlier):
    pass ``datetime.now(timezone.utc)`` for a board being worked on. A moment
    before the history begins is a :class:`~trelloplan.errors.UsageError`.
    Before a plan starts, the chosen week is its week 1, not begun.
    ``week`` with ``as_of``: that week's sections as known at ``as_of``.

    With a ``plan``, weeks are the plan's and a card is planned for week N by
    its "Week N" label, or by a label that ``week_labels`` (``{label_id: N}``,
    the week labels apply made, whatever people renamed them to) gives week N;
    without one, weeks are ISO weeks. Both use ``tz``
    (default: the plan's zone, else UTC). ``list_roles`` is a
    :class:`RoleRules`, or a plain ``{list_id: role}`` mapping. ``archived``
    says what a card archived while not in a done list is: ``dropped`` (out
    of scope) or ``done``. ``seed`` makes the forecast reproducible.
    """
    if archived not in ARCHIVED_MEANINGS:
        raise ValueError(f"archived must be one of {', '.join(ARCHIVED_MEANINGS)}, not {archived!r}")
    calendar = _calendar(plan, tz)
    rules = list_roles if isinstance(list_roles, RoleRules) else RoleRules(by_id=dict(list_roles or {}))
    chosen = calendar.parse_week(week) if week is not None else None
    if as_of is None:
        newest = newest_action(history)
        end = calendar.last_instant(chosen) if chosen is not None else None
        if newest is None and end is None:
            raise ValueError("as_of is needed: the history has no action to date the report by")
        as_of = min(moment for moment in (newest, end) if moment is not None)
    elif as_of.tzinfo is None or as_of.utcoffset() is None:
        raise ValueError("as_of must be timezone-aware")
    as_of = as_of.astimezone(timezone.utc)
    check_as_of(history, as_of)
    check_span(history, as_of, plan)
    if chosen is None:
        chosen = calendar.index_of(as_of)
        if plan is not None and chosen < 1:
            chosen = 1  # the plan has not started: report on its first week, not begun
    with gc_paused():
        return _build(history, as_of, plan, calendar, rules, chosen, archived, dict(week_labels or {}), seed, trials, window)


def _build(
    history: BoardHistory,
    as_of: datetime,
    plan: Plan | None,
    calendar: WeekCalendar,
    rules: RoleRules,
    chosen: int,
    archived: str,
    week_labels: Mapping[str, int],
    seed: int,
    trials: int,
    window: int,
) -> Report:
    roles, names = resolve_roles(history, as_of=as_of, rules=rules, plan_roles=plan.lists.roles() if plan else None)
    timelines = replay(history, roles, as_of=as_of, archived=archived)
    seen = history_window(history, as_of)
    first_action = seen.first
    label_names = _label_names(history)
    labels_week = _week_of_labels(plan, label_names, week_labels) if plan is not None else None
    cards = _plan_facts(timelines, plan, labels_week, as_of)
    scope = [card for card in cards if card.in_scope]
    finished = [card for card in scope if card.done is not None]  # done at a moment the history shows
    cycle = percentiles(c.cycle for c in finished if c.cycle is not None)
    lead = percentiles(c.lead for c in finished if c.lead is not None)

    def list_name(list_id: str | None) -> str:
        return names.get(list_id, "") if list_id else ""

    as_of_index = calendar.index_of(as_of)
    first = as_of_index
    if plan is not None:
        first = 1
    elif timelines:
        first = calendar.index_of(min(card.timeline.segments[0].start for card in cards))
    done_week = {card.id: calendar.index_of(card.done) for card in finished if card.done is not None}
    done_weeks = list(done_week.values())
    first = min([first, *done_weeks])
    span = range(min(first, as_of_index), as_of_index + 1)
    completed_by_week: dict[int, int] = {}
    for index in done_weeks:
        completed_by_week[index] = completed_by_week.get(index, 0) + 1
    throughput = []
    for index in span:
        coverage = observed(calendar, index, first_action)
        throughput.append(ThroughputWeek(
            label=calendar.label(index),
            start=calendar.start(index),
            end=calendar.end(index),
            completed=completed_by_week.get(index, 0) if coverage != NONE else None,
            partial=as_of < calendar.last_instant(index),
            observed=coverage,
        ))
    burn_up, flow = _flows(timelines, calendar, span, as_of, first_action)
    in_plan = [card for card in scope if card.week is not None and plan is not None and 1 <= card.week <= len(plan.weeks)]
    remaining = len([c for c in (in_plan if plan is not None else scope) if c.role != "done"])
    samples = [row.completed for row in throughput
               if not row.partial and row.observed == WHOLE and row.completed is not None][-window:] if window > 0 else []
    wip = _wip(scope, cycle.p85, list_name, as_of, first_action)
    week_row_list = (
        _plan_weeks(plan, calendar, cards, completed_by_week, as_of, first_action)
        if plan is not None
        else tuple(_plain_week(calendar, index, completed_by_week, first_action) for index in span)
    )
    week_by_id = {card.id: card.week for card in cards} if plan is not None else {}
    week_of = (lambda timeline: week_by_id[timeline.id]) if plan is not None else None
    this_week = _this_week(calendar, chosen, cards, scope, plan, as_of, first_action,
                           lambda moment, ids: _weeks_then(history, moment, ids, timelines, labels_week))
    return Report(
        board_id=history.board.id if history.board else None,
        board_name=history.board.name if history.board else None,
        as_of=as_of,
        timezone=calendar.tz.key,
        calendar=calendar.kind,
        project=plan.project if plan is not None else None,
        week=this_week,
        totals=_totals(cards, scope, in_plan, plan),
        weeks=week_row_list,
        cards=_card_rows(cards, done_week, calendar, list_name, label_names),
        cycle_time_days=cycle,
        lead_time_days=lead,
        throughput=tuple(throughput),
        wip=wip,
        burn_up=burn_up,
        cumulative_flow=flow,
        forecast=forecast_completion(samples, remaining, start=as_of, tz=calendar.tz, seed=seed, trials=trials),
        members=_members(history, scope, calendar, chosen),
        data_quality=find_problems(history, timelines, as_of=as_of, week_of=week_of, list_name=list_name),
        lists=_lists(history, roles, names),
        history=seen,
        archived=archived,
    )


def _label_names(history: BoardHistory) -> dict[str, str]:
    """Label names by id: the board's labels, then names recorded by label actions (deleted labels)."""
    names = {label.id: label.name for label in history.labels}
    for action in history.actions:
        if action.label_id and action.label_name is not None:
            names.setdefault(action.label_id, action.label_name)
    return names


def _week_of_labels(plan: Plan, label_names: Mapping[str, str], week_labels: Mapping[str, int]
                    ) -> Callable[[tuple[str, ...]], int | None]:
    """The plan week a set of labels gives a card: its lowest week label, by id in ``week_labels``, else named "Week N"."""
    week_by_name = {_fold(week.label): week.number for week in plan.weeks}
    numbers = set(week_by_name.values())
    week_by_id = {label: week for label, week in week_labels.items() if week in numbers}
    known: dict[tuple[str, ...], int | None] = {}  # most cards share a few label sets

    def week_of(label_ids: tuple[str, ...]) -> int | None:
        if label_ids not in known:
            found = (week_by_id.get(i) or week_by_name.get(_fold(label_names.get(i, ""))) for i in label_ids)
            weeks = [week for week in found if week is not None]
            known[label_ids] = min(weeks) if weeks else None
        return known[label_ids]

    return week_of


def _plan_facts(
    timelines: list[CardTimeline], plan: Plan | None, week_of: Callable[[tuple[str, ...]], int | None] | None,
    as_of: datetime,
) -> list[_Card]:
    """Each timeline with its plan week (``week_of`` its labels), task, hours and demo flag."""
    if plan is None or week_of is None:
        return [_Card(t, None, None, None, False, as_of) for t in timelines]
    demos = {(_fold(week.demo.name), week.number) for week in plan.weeks}
    result = []
    for timeline in timelines:
        week = week_of(timeline.label_ids)
        task = plan.find_task(timeline.key, week) if timeline.key else None  # also a pre-0.2 key (w3-…)
        hours = task.hours if task is not None else plan.hours_per_task
        is_demo = task.demo if task is not None else (_fold(timeline.name), week) in demos
        result.append(_Card(timeline, week, task, hours, is_demo, as_of))
    return result


def _flows(
    timelines: list[CardTimeline], calendar: WeekCalendar, span: range, as_of: datetime, first_action: datetime | None
) -> tuple[tuple[BurnUpPoint, ...], tuple[FlowDay, ...]]:
    """Burn-up at each week's end and cumulative flow at each day's end, from one sweep.

    A day or week that ended before the history begins has no data (None), not zero.
    """
    first_day = calendar.start(span.start)
    last_day = calendar.local_date(as_of)
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    limit = as_of + _TICK
    ends = [min(calendar.day_start(day + timedelta(days=1)), limit) for day in days]
    counts = role_counts_at(timelines, ends)
    flow = tuple(
        FlowDay(date=day, **count) if first_action is not None and end > first_action
        else FlowDay(date=day, todo=None, in_progress=None, done=None)
        for day, end, count in zip(days, ends, counts)
    )
    position = {day.date: day for day in flow}
    burn_up = []
    for index in span:
        day = position[min(calendar.end(index), last_day)]
        known = day.todo is not None and day.in_progress is not None and day.done is not None
        burn_up.append(
            BurnUpPoint(
                label=calendar.label(index),
                at=min(calendar.last_instant(index), as_of),
                scope=(day.todo or 0) + (day.in_progress or 0) + (day.done or 0) if known else None,
                done=day.done,
            )
        )
    return tuple(burn_up), flow


def _status(cards: list[_Card]) -> tuple[int, int, int]:
    done = sum(1 for c in cards if c.role == "done")
    doing = sum(1 for c in cards if c.role == "in_progress")
    return done, doing, len(cards) - done - doing


def _plan_weeks(
    plan: Plan, calendar: WeekCalendar, cards: list[_Card], completed: Mapping[int, int], as_of: datetime,
    first_action: datetime | None,
) -> tuple[WeekRow, ...]:
    rows = []
    scope = [card for card in cards if card.in_scope]
    for week in plan.weeks:
        planned = [card for card in scope if card.week == week.number]
        dropped = sum(1 for card in cards if card.role == DROPPED and card.week == week.number)
        done, doing, todo = _status(planned)
        if not planned:
            milestone_status = "empty"
        elif done == len(planned):
            milestone_status = "done"
        elif done or doing:
            milestone_status = "in_progress"
        else:
            milestone_status = "not_started"
        demo = next((c for c in cards if c.role != "out" and c.task is not None and c.task.key == week.demo.key), None)
        if demo is None:
            demo = next((c for c in cards if c.role != "out" and c.is_demo and c.week == week.number), None)
        due = week.due.astimezone(timezone.utc)
        coverage = observed(calendar, week.number, first_action)
        rows.append(
            WeekRow(
                label=week.label,
                number=week.number,
                start=calendar.start(week.number),
                end=calendar.end(week.number),
                in_plan=True,
                completed=completed.get(week.number, 0) if coverage != NONE else None,
                planned=len(planned),
                done=done,
                in_progress=doing,
                todo=todo,
                pct_done=_pct(done, len(planned)),
                hours_done=sum((c.hours or 0.0 for c in planned if c.role == "done"), 0.0),
                hours_total=sum((c.hours or 0.0 for c in planned), 0.0),
                milestone=week.milestone,
                milestone_status=milestone_status,
                demo=DemoStatus(name=week.demo.name, card_id=demo.id if demo else None,
                                status=_demo_status(demo, as_of < due), due=due),
                observed=coverage,
                dropped=dropped,
            )
        )
    return tuple(rows)


def _demo_status(demo: _Card | None, before_due: bool) -> str:
    """The demo card's role; ``missing`` without one; ``not_yet_due`` before it is due unless it is already done or under way."""
    role = demo.role if demo is not None else "missing"
    if before_due and role in ("missing", "todo"):
        return "not_yet_due"
    return role


def _plain_week(calendar: WeekCalendar, index: int, completed: Mapping[int, int], first_action: datetime | None) -> WeekRow:
    coverage = observed(calendar, index, first_action)
    return WeekRow(
        label=calendar.label(index), number=None, start=calendar.start(index), end=calendar.end(index), in_plan=False,
        completed=completed.get(index, 0) if coverage != NONE else None, planned=None, done=None, in_progress=None,
        todo=None, pct_done=None, hours_done=None, hours_total=None, milestone=None, milestone_status=None, demo=None,
        observed=coverage,
    )


def _ref(card: _Card, carried: bool = False) -> CardRef:
    return new_frozen(CardRef, card.id, card.timeline.name, card.week, card.role, card.done, carried)


def _role_when_week_began(card: _Card, start: datetime) -> str:
    """The card's role when the week began; for a card first seen later (made later, or when the history began), its first."""
    timeline = card.timeline
    if timeline.segments[0].start >= start:
        return timeline.segments[0].role
    return role_at(timeline, start)


def _weeks_then(history: BoardHistory, moment: datetime, card_ids: set[str], timelines: list[CardTimeline],
                week_of: Callable[[tuple[str, ...]], int | None] | None) -> dict[str, int | None]:
    """The plan week each of ``card_ids`` had at ``moment``: its labels then (the label actions after it undone)."""
    if week_of is None or not card_ids:
        return {}
    later: dict[str, list[Action]] = {}
    for action in history.actions:
        if action.type in LABEL_TYPES and action.card_id in card_ids and action.date > moment:
            later.setdefault(action.card_id, []).append(action)
    weeks: dict[str, int | None] = {}
    for timeline in timelines:
        events = later.get(timeline.id)
        if timeline.id not in card_ids or not events:
            continue
        labels = list(timeline.label_ids)
        for action in reversed(events):  # undo, newest first
            if action.type == "addLabelToCard" and action.label_id in labels:
                labels.remove(action.label_id)
            elif action.type == "removeLabelFromCard" and action.label_id and action.label_id not in labels:
                labels.append(action.label_id)
        weeks[timeline.id] = week_of(tuple(labels))
    return weeks


def _this_week(
    calendar: WeekCalendar, index: int, cards: list[_Card], scope: list[_Card], plan: Plan | None, as_of: datetime,
    first_action: datetime | None,
    weeks_then: Callable[[datetime, set[str]], dict[str, int | None]] = lambda moment, ids: {},
) -> ThisWeek:
    """Completed in the week; carried over into it; added and dropped during it (see docs/metrics.md)."""
    start, end = calendar.start_instant(index), calendar.end_instant(index)
    phase = "not_begun" if as_of < start else "ended" if as_of >= calendar.last_instant(index) else "running"
    coverage = observed(calendar, index, first_action)
    number = index if plan is not None and calendar.in_plan(index) else None
    completed: list[_Card] = []
    carried: list[_Card] = []
    added: list[_Card] = []
    dropped: list[_Card] = []
    if phase != "not_begun" and coverage != NONE:
        completed = [c for c in scope if c.done is not None and start <= c.done < end]
        # For a week the history begins during (a board made mid-project), "when the week began" is when
        # the history begins, and every card of an earlier week counts: the history cannot date it earlier.
        partial = coverage != WHOLE and first_action is not None and first_action > start
        began = first_action if partial and first_action is not None else start
        # A card done before the week began was done when it began: no need to look up its role then.
        if plan is not None:
            open_then = [c for c in scope if (partial or c.created < start) and (c.done is None or c.done >= began)
                         and _role_when_week_began(c, began) != "done"]
            # a task slipped to a later week after this one began was still an earlier week's when it began
            then = weeks_then(began, {c.id for c in open_then if c.week is None or c.week >= index})
            carried = [c for c in open_then
                       if (c.week is not None and c.week < index) or (then.get(c.id) or index) < index]
            added = [c for c in scope if start <= c.created < end
                     and (not c.timeline.key or plan.find_task(c.timeline.key) is None)]
        else:
            carried = [c for c in scope if (c.timeline.start_unknown or c.started is not None and c.started < began)
                       and (c.done is None or c.done >= began) and _role_when_week_began(c, began) == "in_progress"]
            added = [c for c in scope if start <= c.created < end]
        dropped = [c for c in cards if c.role == DROPPED and c.timeline.dropped_at is not None
                   and start <= c.timeline.dropped_at < end]
    carried_ids = {c.id for c in carried}
    by_done = sorted(completed, key=lambda c: (c.done, c.id))
    return ThisWeek(
        label=calendar.label(index),
        number=number,
        start=calendar.start(index),
        end=calendar.end(index),
        completed=tuple(_ref(c, c.id in carried_ids) for c in by_done),
        carried_over=tuple(_ref(c, True) for c in sorted(carried, key=lambda c: (c.week or 0, c.created, c.id))),
        scope_added=tuple(_ref(c) for c in added),
        dropped=tuple(_ref(c) for c in sorted(dropped, key=lambda c: (c.timeline.dropped_at, c.id))),
        phase=phase,
        starts_in_days=(calendar.start(index) - calendar.local_date(as_of)).days if phase == "not_begun" else None,
        observed=coverage,
    )


def _totals(cards: list[_Card], scope: list[_Card], in_plan: list[_Card], plan: Plan | None) -> Totals:
    done, doing, todo = _status(scope)
    ignored = sum(1 for c in cards if c.role == "ignore")  # a card in an ignore list is on the board
    dropped = sum(1 for c in cards if c.role == DROPPED)
    planned_done = sum(1 for c in in_plan if c.role == "done")
    return Totals(
        cards=len(scope),
        todo=todo,
        in_progress=doing,
        done=done,
        ignored=ignored,
        pct_done=_pct(done, len(scope)),
        planned=len(in_plan) if plan is not None else None,
        planned_done=planned_done if plan is not None else None,
        hours_done=sum((c.hours or 0.0 for c in in_plan if c.role == "done"), 0.0) if plan is not None else None,
        hours_total=sum((c.hours or 0.0 for c in in_plan), 0.0) if plan is not None else None,
        dropped=dropped,
    )


def _card_rows(
    cards: list[_Card], done_week: Mapping[str, int], calendar: WeekCalendar, list_name: Callable[[str | None], str],
    label_names: Mapping[str, str],
) -> tuple[CardRow, ...]:
    """A row for each card on the board at the as-of moment."""
    week_labels: dict[int, str] = {}
    label_lists: dict[tuple[str, ...], tuple[str, ...]] = {}  # most cards share a few label sets
    rows = []
    for card in cards:
        if card.role == "out":  # not on the board
            continue
        t = card.timeline
        index = done_week.get(card.id)
        completed_week = None
        if index is not None:
            completed_week = week_labels.get(index)
            if completed_week is None:
                completed_week = week_labels[index] = calendar.label(index)
        labels = label_lists.get(t.label_ids)
        if labels is None:
            labels = label_lists[t.label_ids] = tuple(label_names.get(label, label) for label in t.label_ids)
        rows.append(new_frozen(  # one row per card: see new_frozen
            CardRow,
            card.id,  # id
            t.name,  # name
            card.role,  # role
            list_name(t.list_id),  # list
            t.list_id,  # list_id
            card.week,  # week
            t.key,  # key
            labels,  # labels
            t.member_ids,  # members
            t.closed,  # closed
            card.created,  # created
            t.created_from_id,  # created_from_id
            card.started,  # started
            card.done,  # done
            completed_week,  # completed_week
            card.cycle,  # cycle_time_days
            card.lead,  # lead_time_days
            card.age,  # age_days
            card.hours,  # hours
            card.is_demo,  # demo
            t.url,  # url
            t.start_unknown,  # start_unknown
            t.done_unknown,  # done_unknown
            t.dropped_at,  # dropped_at
        ))
    return tuple(rows)


def _wip(
    scope: list[_Card], sle: float | None, list_name: Callable[[str | None], str], as_of: datetime,
    first_action: datetime | None,
) -> Wip:
    """Cards in progress; one whose start is before the history is at least as old as the history."""
    rows = []
    for card in scope:
        if card.role != "in_progress":
            continue
        t = card.timeline
        age = card.age  # set for the cards in progress whose start the history shows
        least = days_between(first_action, as_of) if age is None and first_action is not None else None
        known = age if age is not None else least
        aging = sle is not None and known is not None and known > sle
        rows.append(new_frozen(WipCard, card.id, t.name, list_name(t.list_id), card.started, age, aging, least))
    rows.sort(key=lambda row: (-(row.age_days if row.age_days is not None else row.min_age_days or 0.0), row.id))
    return Wip(count=len(rows), sle_days=sle, aging=sum(1 for row in rows if row.aging), cards=tuple(rows))


def _members(history: BoardHistory, scope: list[_Card], calendar: WeekCalendar, index: int) -> tuple[MemberRow, ...]:
    names = {member.id: member.full_name for member in history.members}
    start, end = calendar.start_instant(index), calendar.end_instant(index)
    stats: dict[str, list[int]] = {}
    for card in scope:
        for member in card.timeline.member_ids:
            row = stats.setdefault(member, [0, 0, 0, 0, 0])
            row[0] += 1
            row[_MEMBER_COLUMN[card.role]] += 1
            if card.done is not None and start <= card.done < end:
                row[4] += 1
    rows = [
        MemberRow(id=member, name=names.get(member, member), assigned=a, todo=b, in_progress=c, done=d, completed_this_week=e)
        for member, (a, b, c, d, e) in stats.items()
    ]
    return tuple(sorted(rows, key=lambda row: (row.name.casefold(), row.id)))


def _lists(history: BoardHistory, roles: Mapping[str, str], names: Mapping[str, str]) -> tuple[ListRow, ...]:
    known = {item.id: item for item in history.lists}
    rows = [
        ListRow(id=list_id, name=name, role=roles.get(list_id, "todo"), closed=known[list_id].closed if list_id in known else False)
        for list_id, name in names.items()
    ]
    order = {list_id: (0, item.pos) for list_id, item in known.items()}
    return tuple(sorted(rows, key=lambda row: (*order.get(row.id, (1, 0.0)), row.id)))

