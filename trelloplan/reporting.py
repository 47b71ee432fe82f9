"""From a history source to a delivered weekly report: the library calls behind `trelloplan pull` and `report`.

Sources are board exports, a local store, or the board itself (pulled into
its store first). Delivery is a file, or an email that is built completely
(numbers, charts, both parts) before any connection is opened.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from .board.resolve import board_not_found, is_board_id, parse_board_ref, resolve_board_id
from .board.state import PlanState, default_state_path
from .client import Trello
from .errors import BoardNotFound, NotAStore, NotFound, StoreError, UsageError
from .history.fetch import PullResult, pull_history
from .history.model import BoardHistory
from .history.roles import RoleRules
from .history.schema import Report
from .mail import SmtpSettings, send_email, write_eml
from .render.charts import render_charts
from .render.email import build_email
from .store import HistoryStore, default_store_path

__all__ = ["applied_lists", "deliver_email", "load_history", "plan_list_roles", "plan_week_labels", "pull_board",
           "resolve_board"]


def applied_lists(plan_path: str | Path) -> tuple[str | None, dict[str, str]]:
    """The board and ``{list_id: role}`` apply recorded in the plan's state file, if there is one."""
    state = _state_of(plan_path)
    return (state.board_id, state.list_roles()) if state else (None, {})


def _state_of(plan_path: str | Path) -> PlanState | None:
    path = default_state_path(plan_path)
    return PlanState.load(path) if path.is_file() else None


def resolve_board(board: str, *, trello: Trello | None = None) -> str:
    """The canonical id of ``board`` (an id, short link or URL): the name of its store and of its lock.

    No request for an id, one for a short link or URL (see :mod:`trelloplan.board.resolve`).

    :raises BoardNotFound: when there is no such board.
    """
    ref = parse_board_ref(board)
    if is_board_id(ref):
        return ref
    client = trello or Trello.from_env()
    try:
        return resolve_board_id(client, board)
    finally:
        if trello is None:
            client.close()


def pull_board(board_id: str, *, store_path: str | Path | None = None, trello: Trello | None = None) -> PullResult:
    """Bring the board's local store up to date (one request when nothing changed).

    ``board_id`` may be a short link or URL too: the store is the canonical id's.
    """
    client = trello or Trello.from_env()
    try:
        with _store(resolve_board(board_id, trello=client), store_path, client) as (store, pulled):
            return pulled
    finally:
        if trello is None:
            client.close()


@contextmanager
def _store(board_id: str, store_path: str | Path | None, trello: Trello) -> Iterator[tuple[HistoryStore, PullResult]]:
    """The board's store, pulled up to date. A store this call created is removed again when the board
    turns out not to exist, so a wrong id leaves nothing behind."""
    path = Path(store_path) if store_path is not None else default_store_path(board_id)
    created = not path.exists()
    try:
        opened = HistoryStore.for_board(board_id, path)
    except NotAStore as error:
        if store_path is not None:
            raise
        # not a path the user gave: the board's own local copy was damaged or replaced
        raise StoreError(error.message, hint=f"move {path} away; the next pull fetches the board's history again") from None
    with opened as store:
        try:
            pulled = pull_history(trello.get, store, board_id)
        except NotFound as error:
            if created and store.action_count() == 0:
                store.close()
                for leftover in (path, path.with_name(path.name + "-journal")):
                    leftover.unlink(missing_ok=True)
            if isinstance(error, BoardNotFound) or (error.path or "").startswith(f"/boards/{board_id}"):
                raise board_not_found(board_id) from None
            raise
        yield store, pulled


def load_history(*, exports: Sequence[str | Path] = (), store_path: str | Path | None = None,
                 board_id: str | None = None, trello: Trello | None = None) -> BoardHistory:
    """The history from export files, from a store, or from the board (pulled into its store first)."""
    if exports:
        if store_path or board_id is not None:
            raise UsageError("export files cannot be combined with a store or a board",
                             hint="report from export files, or from a store, or from a board")
        from .history.export import load_exports

        return load_exports(exports)
    if board_id is not None:
        client = trello or Trello.from_env()
        try:
            with _store(resolve_board(board_id, trello=client), store_path, client) as (store, _):
                return store.load_history()
        finally:
            if trello is None:
                client.close()
    if store_path:
        if not Path(store_path).is_file():
            raise UsageError(f"{store_path}: no such history store",
                             hint="check the store's path, or give the board too, to pull it into the store")
        with HistoryStore(store_path, create=False) as store:
            return store.load_history()
    raise UsageError("say where the history comes from", hint="give board export files, a history store or a board")


def plan_list_roles(plan_path: str | Path | None, history: BoardHistory,
                    list_roles: RoleRules | Mapping[str, str] | None = None) -> RoleRules:
    """``list_roles`` plus the lists apply made for ``plan_path`` (its state file), when that file is for this board.

    Pass the result to :func:`~trelloplan.history.report.build_report` as
    ``list_roles``, so renaming the plan's lists changes no report.
    """
    rules = list_roles if isinstance(list_roles, RoleRules) else RoleRules(by_id=dict(list_roles or {}))
    if plan_path:
        board, applied = applied_lists(plan_path)
        if applied and history.board is not None and history.board.id == board:
            rules = RoleRules(by_id=rules.by_id, by_name=rules.by_name, applied=applied)
    return rules


def plan_week_labels(plan_path: str | Path | None, history: BoardHistory) -> dict[str, int]:
    """``{label_id: week}`` of the week labels apply made for ``plan_path``, when its state file is for this board.

    Pass it to :func:`~trelloplan.history.report.build_report` as ``week_labels``, so a
    week label people renamed ("Week 3" → "Sprint 3") still plans its cards for week 3.
    """
    state = _state_of(plan_path) if plan_path else None
    if state is None or history.board is None or history.board.id != state.board_id:
        return {}
    return state.week_labels()


def deliver_email(report: Report, *, recipients: Sequence[str], sender: str, sent_at: datetime,
                  settings: SmtpSettings | None = None, eml_path: str | Path | None = None) -> EmailMessage:
    """Build the whole email, then write it to ``eml_path`` or send it with ``settings``.

    Callers that send hold :func:`~trelloplan.lock.board_lock` for the whole
    run (pull, report, send), so that a second run at the same time fails
    instead of sending the report twice.
    """
    message = build_email(report, sender=sender, recipients=recipients, charts=render_charts(report), date=sent_at)
    if eml_path is not None:
        write_eml(message, eml_path)
        return message
    if settings is None:
        raise ValueError("deliver_email needs SMTP settings or an .eml path")
    send_email(message, settings)
    return message
