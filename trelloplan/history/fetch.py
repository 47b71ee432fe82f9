"""Pull a board's history through any ``get(path, params) -> parsed JSON`` callable.

The functions here know Trello's routes and paging, not HTTP: the client (or
a test) supplies ``get``. Requests for a board with A card-lifecycle actions:

* a full pull: ⌈A/1000⌉ pages of actions (one more when A is a multiple of
  1000, to see the end) and one board request with the cards (open and
  archived), lists (open and archived), labels and members nested in it;
  so at most ⌈A/1000⌉ + 2;
* an incremental pull (``since`` the newest stored action): one request when
  nothing changed; otherwise the new pages and one board request.

Pages are walked newest first with an action-id ``before`` cursor (the
smallest id of the page), so a page edge can neither repeat nor skip an
action; every action is also de-duplicated by id when stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import TrelloAPIError
from .model import BoardHistory
from .parse import history_from_board_json

if TYPE_CHECKING:
    from ..store import HistoryStore

__all__ = [
    "ACTION_TYPES",
    "BOARD_PARAMS",
    "PAGE_SIZE",
    "Getter",
    "PullResult",
    "fetch_action_pages",
    "fetch_board",
    "fetch_history",
    "pull_history",
]

log = logging.getLogger("trelloplan.history.fetch")

#: ``get(path, params)``: a GET of ``path`` (``/boards/{id}/actions``, no ``/1`` prefix) returning parsed JSON.
Getter = Callable[[str, Mapping[str, Any]], Any]

PAGE_SIZE = 1000
#: The action types a pull asks for: card lifecycle, list names and moves, labels and members on cards.
ACTION_TYPES = (
    "createCard",
    "copyCard",
    "convertToCardFromCheckItem",
    "emailCard",
    "moveCardToBoard",
    "moveCardFromBoard",
    "updateCard",
    "deleteCard",
    "createList",
    "updateList",
    "moveListToBoard",
    "moveListFromBoard",
    "addLabelToCard",
    "removeLabelFromCard",
    "addMemberToCard",
    "removeMemberFromCard",
    "createBoard",
)
_ACTION_PARAMS = {
    "filter": ",".join(ACTION_TYPES),
    "fields": "id,type,date,data,idMemberCreator",
    "memberCreator": "false",
    "member": "false",
}
#: One board request for everything but the actions.
BOARD_PARAMS: Mapping[str, Any] = {
    "fields": "name,url,shortUrl,closed",
    "cards": "all",
    "card_fields": "name,idList,closed,idLabels,idMembers,desc,shortUrl,idShort",
    "lists": "all",
    "list_fields": "name,closed,pos",
    "labels": "all",
    "label_fields": "name,color",
    "labels_limit": 1000,
    "members": "all",
    "member_fields": "fullName,username",
}


@dataclass(frozen=True)
class PullResult:
    """What one :func:`pull_history` did."""

    board_id: str
    requests: int
    new_actions: int
    total_actions: int
    snapshot_refreshed: bool


def _check_page(page: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(page, list) or not all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in page):
        raise TrelloAPIError(f"GET {path} did not return a list of actions", path=path, method="GET",
                             hint="check TRELLO_API_URL points at Trello (or the sandbox)")
    return page


def fetch_action_pages(
    get: Getter, board_id: str, *, since: str | None = None, before: str | None = None, page_size: int = PAGE_SIZE
) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
    """Pages of the board's actions with ``since < id < before``, newest first.

    Yields ``(page, cursor)``: ``cursor`` is the ``before`` of the next page, or
    None after the last page (one shorter than ``page_size``).
    """
    path = f"/boards/{board_id}/actions"
    while True:
        params: dict[str, Any] = {**_ACTION_PARAMS, "limit": page_size}
        if since is not None:
            params["since"] = since
        if before is not None:
            params["before"] = before
        page = _check_page(get(path, params), path)
        if len(page) < page_size:
            yield page, None
            return
        cursor = min(item["id"] for item in page)
        if before is not None and cursor >= before:
            raise TrelloAPIError(f"GET {path} ignored the before= cursor", path=path, method="GET",
                                 hint="the server does not page actions; check TRELLO_API_URL")
        before = cursor
        yield page, cursor


def fetch_board(get: Getter, board_id: str) -> dict[str, Any]:
    """The board with its cards (open and archived), lists (all), labels and members: one request."""
    path = f"/boards/{board_id}"
    board = get(path, dict(BOARD_PARAMS))
    if not isinstance(board, dict) or not isinstance(board.get("id"), str):
        raise TrelloAPIError(f"GET {path} did not return a board", path=path, method="GET")
    return board


def fetch_history(get: Getter, board_id: str, *, page_size: int = PAGE_SIZE) -> BoardHistory:
    """A board's whole history in memory (no store): every action page, then the board."""
    actions: list[dict[str, Any]] = []
    for page, _ in fetch_action_pages(get, board_id, page_size=page_size):
        actions.extend(page)
    return history_from_board_json(fetch_board(get, board_id), extra_actions=actions)


def pull_history(get: Getter, store: HistoryStore, board_id: str, *, page_size: int = PAGE_SIZE) -> PullResult:
    """Bring ``store`` up to date with the board: resume any unfinished range, then fetch what is new.

    Each page is stored in one transaction together with the range still to
    fetch, so an interrupted pull loses nothing and the next one carries on.
    A damaged store is a :class:`~trelloplan.errors.StoreError` before any request.
    The board (cards, lists, labels, members) is fetched again only when new
    actions arrived or the store has never seen it.
    """
    store.check()  # a damaged store would hide a gap in the history: fail now, not "0 new actions"
    requests = 0

    def counted(path: str, params: Mapping[str, Any]) -> Any:
        nonlocal requests
        requests += 1
        return get(path, params)

    new = 0
    gap = store.gap()
    if gap is not None:
        new += _fill(counted, store, board_id, gap, page_size)
    newest = store.newest_action_id()
    if gap is None or gap[1] is not None:
        new += _fill(counted, store, board_id, (newest, None), page_size)
    refreshed = False
    if new or not store.has_snapshot:
        board = fetch_board(counted, board_id)
        store.save_snapshot(
            board,
            cards=board.get("cards") or (),
            lists=board.get("lists") or (),
            labels=board.get("labels") or (),
            members=board.get("members") or (),
        )
        refreshed = True
    log.info("pulled board %s: %d new actions in %d requests", board_id, new, requests)
    return PullResult(board_id=board_id, requests=requests, new_actions=new, total_actions=store.action_count(),
                      snapshot_refreshed=refreshed)


def _fill(get: Getter, store: HistoryStore, board_id: str, gap: tuple[str | None, str | None], page_size: int) -> int:
    since, before = gap
    new = 0
    for page, cursor in fetch_action_pages(get, board_id, since=since, before=before, page_size=page_size):
        with store.transaction():
            new += store.add_actions(page)
            store.set_gap(None if cursor is None else (since, cursor))
    return new
