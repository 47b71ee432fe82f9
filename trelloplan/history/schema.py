"""The report: frozen dataclasses whose ``to_dict()`` is the documented JSON (docs/report-json.md).

Field names here are the JSON keys. Instants are UTC and serialise as
``2026-01-05T09:00:00.000Z``; calendar days (week bounds, forecast dates,
cumulative-flow days) are local to the report's zone and serialise as
``2026-01-05``. Adding a field is a minor version bump of
:data:`SCHEMA_VERSION`; renaming or removing one is a major bump.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from ..dates import format_date as format_instant

__all__ = [
    "SCHEMA_VERSION",
    "BurnUpPoint",
    "CardRef",
    "CardRow",
    "DataQuality",
    "DemoStatus",
    "Finding",
    "FlowDay",
    "Forecast",
    "HistoryWindow",
    "ListRow",
    "MemberRow",
    "Percentiles",
    "Report",
    "ThisWeek",
    "ThroughputWeek",
    "Totals",
    "WeekRow",
    "Wip",
    "WipCard",
    "format_instant",
    "new_frozen",
    "to_plain",
]

SCHEMA_VERSION = "2.0"

_SCALARS = (str, int, float, bool, type(None))
_FIELDS: dict[type, tuple[str, ...]] = {}
_FROZEN_FIELDS: dict[type, tuple[str, ...]] = {}
_T = TypeVar("_T")
_new_object = object.__new__


def new_frozen(cls: type[_T], *values: Any) -> _T:
    """``cls(*values)`` for one of the frozen dataclasses here, about twice as fast.

    A frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``; a report has a row per card (tens of thousands),
    so its rows are built by filling the instance's ``__dict__`` directly.
    ``values`` are every field's, in field order (defaults are not filled
    in). The result equals ``cls(*values)`` and is just as frozen. Only for
    classes with no ``__slots__`` and no ``__post_init__``.
    """
    names = _FROZEN_FIELDS.get(cls)
    if names is None:
        params = getattr(cls, "__dataclass_params__", None)
        if params is None or not params.frozen or hasattr(cls, "__slots__") or hasattr(cls, "__post_init__"):
            raise TypeError(f"{cls.__name__} is not a frozen dataclass with a __dict__ and no __post_init__")
        names = _FROZEN_FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    if len(values) != len(names):
        raise TypeError(f"{cls.__name__} has {len(names)} fields, {len(values)} values were given")
    instance = _new_object(cls)
    instance.__dict__.update(zip(names, values))
    return instance


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples, mappings, instants and days → JSON-ready values."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is datetime:
        return format_instant(value)
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: to_plain(getattr(value, name)) for name in names}
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): to_plain(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Percentiles:
    """Nearest-rank percentiles of a set of durations in days (None when ``count`` is 0)."""

    count: int
    p50: float | None
    p85: float | None
    p95: float | None


@dataclass(frozen=True)
class HistoryWindow:
    """The stretch of time the history shows: its first action, and its newest one at or before the as-of moment.

    ``complete`` when the board's creation is in it (nothing before ``first``
    is missing). What happened before ``first`` is unknown: weeks wholly
    before it have no data.
    """

    first: datetime | None
    last: datetime | None
    complete: bool
    actions: int


@dataclass(frozen=True)
class CardRow:
    """One card on the board at the as-of moment, with its stage dates.

    ``role`` is the card's state: its list's role, or ``dropped`` (archived
    while not done). ``start_unknown``: in progress or done when the history
    begins, so ``started`` is null; ``done_unknown``: done since before the
    history, so ``done`` is null.
    """

    id: str
    name: str
    role: str
    list: str
    list_id: str | None
    week: int | None
    key: str | None
    labels: tuple[str, ...]
    members: tuple[str, ...]
    closed: bool
    created: datetime
    created_from_id: bool
    started: datetime | None
    done: datetime | None
    completed_week: str | None
    cycle_time_days: float | None
    lead_time_days: float | None
    age_days: float | None
    hours: float | None
    demo: bool
    url: str | None
    start_unknown: bool = False
    done_unknown: bool = False
    dropped_at: datetime | None = None


@dataclass(frozen=True)
class CardRef:
    """A card mentioned in a section: enough to list it. ``carried_over``: it was carried over into the week too."""

    id: str
    name: str
    week: int | None
    role: str
    done: datetime | None
    carried_over: bool = False


@dataclass(frozen=True)
class DemoStatus:
    """A week's demo: its card, and its status (the card's role, ``missing`` or ``not_yet_due``); ``due`` when it is due."""

    name: str
    card_id: str | None
    status: str
    due: datetime | None = None


@dataclass(frozen=True)
class WeekRow:
    """One week of the report's calendar; the plan fields are None without a plan.

    ``observed`` says how much of the week the history shows: ``none`` (it
    ended before the history begins: ``completed`` is None, "no data"),
    ``part`` (the history begins during it) or ``whole``.
    """

    label: str
    number: int | None
    start: date
    end: date
    in_plan: bool
    completed: int | None
    planned: int | None
    done: int | None
    in_progress: int | None
    todo: int | None
    pct_done: float | None
    hours_done: float | None
    hours_total: float | None
    milestone: str | None
    milestone_status: str | None
    demo: DemoStatus | None
    observed: str = "whole"
    dropped: int | None = None


@dataclass(frozen=True)
class ThisWeek:
    """The chosen week: what was completed, carried over into it, added to it and dropped during it.

    ``phase`` is ``not_begun`` (then ``starts_in_days`` says when, and the
    lists are empty), ``running`` or ``ended`` at the as-of moment;
    ``observed`` is as in :class:`WeekRow`.
    """

    label: str
    number: int | None
    start: date
    end: date
    completed: tuple[CardRef, ...]
    carried_over: tuple[CardRef, ...]
    scope_added: tuple[CardRef, ...]
    dropped: tuple[CardRef, ...] = ()
    phase: str = "running"
    starts_in_days: int | None = None
    observed: str = "whole"


@dataclass(frozen=True)
class Totals:
    cards: int
    todo: int
    in_progress: int
    done: int
    ignored: int
    pct_done: float | None
    planned: int | None
    planned_done: int | None
    hours_done: float | None
    hours_total: float | None
    dropped: int = 0


@dataclass(frozen=True)
class ThroughputWeek:
    """Cards completed in a week; None when the week ended before the history begins (``observed`` ``none``)."""

    label: str
    start: date
    end: date
    completed: int | None
    partial: bool
    observed: str = "whole"


@dataclass(frozen=True)
class WipCard:
    """A card in progress. With an unknown start (in progress when the history begins) ``started`` and
    ``age_days`` are None and ``min_age_days`` is the least it can be: since the history began."""

    id: str
    name: str
    list: str
    started: datetime | None
    age_days: float | None
    aging: bool
    min_age_days: float | None = None


@dataclass(frozen=True)
class Wip:
    """Work in progress at the as-of moment; ``aging`` cards have been in progress longer than ``sle_days`` (p85 cycle time)."""

    count: int
    sle_days: float | None
    aging: int
    cards: tuple[WipCard, ...]


@dataclass(frozen=True)
class BurnUpPoint:
    """Scope and done at a week's end; None for a week that ended before the history begins."""

    label: str
    at: datetime
    scope: int | None
    done: int | None


@dataclass(frozen=True)
class FlowDay:
    """Cards per role at a day's end; None for a day that ended before the history begins."""

    date: date
    todo: int | None
    in_progress: int | None
    done: int | None


@dataclass(frozen=True)
class Forecast:
    """When the remaining cards will be done: Monte Carlo over weekly throughput.

    ``status`` is ``ok``, ``done`` (nothing remains), ``no_history`` (no full
    week of history to sample yet), ``too_few_weeks`` (fewer than
    ``min_weeks``), ``no_throughput`` (no card completed in the sampled weeks)
    or ``beyond_horizon`` (50% of the trials need more than the horizon).
    ``weeks_sampled`` is how many complete weeks it drew from.
    """

    status: str
    remaining: int
    trials: int
    seed: int
    sample_weeks: tuple[int, ...]
    weeks_50: int | None
    weeks_85: int | None
    date_50: date | None
    date_85: date | None
    method: str = "monte-carlo-weekly-throughput"
    weeks_sampled: int = 0
    min_weeks: int = 2


@dataclass(frozen=True)
class MemberRow:
    id: str
    name: str
    assigned: int
    todo: int
    in_progress: int
    done: int
    completed_this_week: int


@dataclass(frozen=True)
class Finding:
    """One data-quality finding: a rule, the card it is about (None for the board), when, and why."""

    rule: str
    card_id: str | None
    card_name: str | None
    at: datetime | None
    detail: str


@dataclass(frozen=True)
class DataQuality:
    counts: Mapping[str, int]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class ListRow:
    """A list of the board, its name as of the report, and the role it was given."""

    id: str
    name: str
    role: str
    closed: bool


@dataclass(frozen=True)
class Report:
    """Everything a weekly report shows, as of one moment. ``to_dict()`` is the JSON."""

    board_id: str | None
    board_name: str | None
    as_of: datetime
    timezone: str
    calendar: str
    project: str | None
    week: ThisWeek
    totals: Totals
    weeks: tuple[WeekRow, ...]
    cards: tuple[CardRow, ...]
    cycle_time_days: Percentiles
    lead_time_days: Percentiles
    throughput: tuple[ThroughputWeek, ...]
    wip: Wip
    burn_up: tuple[BurnUpPoint, ...]
    cumulative_flow: tuple[FlowDay, ...]
    forecast: Forecast
    members: tuple[MemberRow, ...]
    data_quality: DataQuality
    lists: tuple[ListRow, ...] = ()
    history: HistoryWindow = HistoryWindow(None, None, False, 0)
    archived: str = "dropped"
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values: ``schema_version`` first, then the board, the moment and the history."""
        plain = to_plain(self)
        head = {key: plain.pop(key) for key in ("schema_version", "board_id", "board_name", "as_of", "history", "archived")}
        return {**head, **plain}
