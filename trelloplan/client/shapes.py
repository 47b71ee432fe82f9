"""What Trello's answers look like, checked once at the edge so nothing past the client meets a surprise.

A proxy's login page, a server that is not Trello, or a broken one can answer
``200`` with HTML, with JSON of another shape, or with values of the wrong
type (``idLabels`` holding objects, a ``date`` that is no date). The client
parses every answer here and raises one :class:`~trelloplan.errors.UnexpectedResponse`
that says which request, what came back and where, instead of letting a
``KeyError`` surface three modules later.

The rules are deliberately the ones every consumer relies on and every real
recording in ``../shared/trello-samples`` satisfies: the top level is a list
for a ``GET`` of a collection and an object otherwise; that object (but for a
``DELETE``'s) and collection items are objects with a string ``id``; and wherever these keys appear, at any depth,
their values have Trello's types (:data:`FIELD_TYPES`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..dates import in_range, parse_date

__all__ = ["COLLECTIONS", "FIELD_TYPES", "ShapeMismatch", "check_shape", "parse_json", "preview"]

#: Last path segments whose ``GET`` answers a list of objects, each with an ``id``.
COLLECTIONS = frozenset({
    "actions", "boards", "cards", "checkItems", "checklists", "labels", "lists", "members", "memberships",
    "organizations", "customFields", "webhooks",
})
_FREE = frozenset({"data", "limits", "badges", "prefs"})  # what Trello wrote at the time; counts named like collections
_ITEM_LISTS = frozenset({"actions", "boards", "cards", "checkItems", "checklists", "labels", "lists", "members",
                         "memberships", "organizations"})


class ShapeMismatch(ValueError):
    """An answer that is not shaped like Trello's: ``where`` is the place inside it (``cards[3].idLabels``)."""

    def __init__(self, where: str, found: str, *, shape: bool = True) -> None:
        super().__init__(f"{where}: {found}" if where else found)
        self.where = where
        self.found = found
        self.shape = shape  # False: not JSON at all (HTML, cut off, too deep)


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _text_or_null(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _ids(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _date_or_null(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    try:
        parse_date(value)
    except ValueError:
        return False
    return True


def _date(value: Any) -> bool:
    """An action's date: a date, and one in the range reports handle (it becomes week arithmetic)."""
    if not isinstance(value, str):
        return False
    try:
        return in_range(parse_date(value))
    except ValueError:
        return False


def _object(value: Any) -> bool:
    return isinstance(value, dict)


#: Keys whose values have one type wherever they appear: ``(check, what Trello sends)``.
FIELD_TYPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "id": (_text, "a text id"),
    "name": (_text_or_null, "a text"),
    "desc": (_text_or_null, "a text"),
    "closed": (_flag, "true or false"),
    "pos": (_number, "a number"),
    "date": (_date, "a date such as 2026-01-05T09:00:00.000Z (1970 to 9000)"),
    "due": (_date_or_null, "a date or null"),
    "dateLastActivity": (_date_or_null, "a date or null"),
    "dueComplete": (_flag, "true or false"),
    "idShort": (_number, "a number"),
    "idBoard": (_text_or_null, "an id"),
    "idList": (_text_or_null, "an id"),
    "idCard": (_text_or_null, "an id"),
    "idChecklist": (_text_or_null, "an id"),
    "idMember": (_text_or_null, "an id"),
    "idMemberCreator": (_text_or_null, "an id"),
    "idOrganization": (_text_or_null, "an id"),
    "idLabels": (_ids, "a list of ids"),
    "idMembers": (_ids, "a list of ids"),
    "idChecklists": (_ids, "a list of ids"),
    "url": (_text_or_null, "a text"),
    "shortUrl": (_text_or_null, "a text"),
    "shortLink": (_text_or_null, "a text"),
    "color": (_text_or_null, "a colour name or null"),
    "state": (_text_or_null, "a text"),
    "type": (_text_or_null, "a text"),
    "username": (_text_or_null, "a text"),
    "fullName": (_text_or_null, "a text"),
    "data": (_object, "an object"),
}


def describe(value: Any) -> str:
    """A JSON value in a few words: ``an object with keys error, message``, ``a list of 3``, ``the number 5``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {preview(value, 40)!r}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        keys = ", ".join(str(key) for key in list(value)[:4]) + (", …" if len(value) > 4 else "")
        return f"an object with keys {keys}" if value else "an empty object"
    return type(value).__name__


def preview(text: str, limit: int = 80) -> str:
    """The start of ``text`` on one line, cut at ``limit`` characters (for saying what came back)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def parse_json(body: bytes) -> Any:
    """The JSON of an answer; :class:`ShapeMismatch` saying what it is instead (HTML, cut off, too deep)."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ShapeMismatch("", "JSON nested too deeply to be Trello's", shape=False) from None
    except UnicodeDecodeError:
        raise ShapeMismatch("", "bytes that are not text", shape=False) from None
    except json.JSONDecodeError as exc:
        text = body.decode("utf-8", "replace")
        if not text.strip():
            raise ShapeMismatch("", "an empty body", shape=False) from None
        if exc.pos >= len(text.rstrip()) and text.lstrip()[:1] in "[{":
            raise ShapeMismatch("", f"JSON cut off after {len(body)} bytes", shape=False) from None
        raise ShapeMismatch("", f"not JSON: {preview(text)!r}", shape=False) from None
    except ValueError as exc:  # a number too long to read
        raise ShapeMismatch("", f"JSON Python cannot read ({exc})", shape=False) from None


def _expects_list(method: str, path: str) -> bool:
    segments = [part for part in path.split("/") if part]
    if method != "GET" or not segments:
        return False
    return segments[-1] in COLLECTIONS or segments == ["batch"]


_KINDS = COLLECTIONS | {"checkItem", "tokens", "member"}
#: The keys py-trello reads (``json_obj[key]``) from the object a create answers, by what is created.
CREATED_KEYS = {
    "lists": ("id", "name", "closed", "pos"),
    "labels": ("id", "name", "color"),
    "cards": ("id", "name", "dueComplete", "closed", "url", "pos", "shortUrl", "idMembers", "idLabels", "idBoard",
              "idList", "idShort", "badges", "idChecklists", "labels", "dateLastActivity"),
}


def _names_an_object(method: str, path: str) -> bool:
    """True when the answer is one object with an id: ``GET /boards/ID``, ``PUT /cards/ID``, ``POST /cards``.

    Not for a field or an action of an object (``/boards/ID/labelnames``, ``/lists/ID/archiveAllCards``), nor a DELETE.
    """
    segments = [part for part in path.split("/") if part]
    if method == "DELETE" or not segments:
        return False
    if method == "POST" and segments[-1] in COLLECTIONS:
        return True
    return len(segments) >= 2 and segments[-2] in _KINDS


def check_shape(method: str, path: str, data: Any) -> None:
    """Raise :class:`ShapeMismatch` unless ``data`` (the answer to ``method path``) is shaped like Trello's."""
    wants_list = _expects_list(method, path)
    if wants_list and not isinstance(data, list):
        raise ShapeMismatch("", f"{describe(data)} where Trello sends a list")
    if method == "GET" and not wants_list and not isinstance(data, dict):
        raise ShapeMismatch("", f"{describe(data)} where Trello sends an object")
    if not isinstance(data, (dict, list)):  # a write answers the object written (a few, a list of them)
        raise ShapeMismatch("", f"{describe(data)} where Trello sends an object")
    if _names_an_object(method, path) and not (isinstance(data, dict) and isinstance(data.get("id"), str)):
        raise ShapeMismatch("", f"{describe(data)} where Trello sends an object with an id")
    segments = [part for part in path.split("/") if part]
    if method == "POST" and isinstance(data, dict) and segments and segments[-1] in CREATED_KEYS:
        missing = [key for key in CREATED_KEYS[segments[-1]] if key not in data]
        if missing:
            raise ShapeMismatch("", f"{describe(data)} without {', '.join(missing[:4])} (read from every new "
                                    f"{segments[-1][:-1]}: Trello has sent them since 2017)")
        badges = data.get("badges")
        if segments[-1] == "cards" and not (isinstance(badges, dict) and _number(badges.get("checkItems"))):
            raise ShapeMismatch("badges.checkItems", f"{describe(badges)} where Trello sends a count")
    batch = path.strip("/") == "batch"
    if wants_list and not batch:
        for index, item in enumerate(data):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise ShapeMismatch(f"[{index}]", f"{describe(item)} where Trello sends an object with an id")
    _walk(data, "")


def _walk(root: Any, where: str) -> None:
    """Check every object inside ``root``; quick when all is well, precise (a path) when not.

    Lists of objects (``cards``, ``labels``, …) must be lists of objects with an
    id, except inside an action's ``data``, which keeps what Trello wrote at the
    time (old actions list label colours as text), and a board's ``limits``
    (``{"lists": {"openPerBoard": …}}``).
    """
    if _fits(root):
        return
    stack: list[tuple[Any, str, bool]] = [(root, where, False)]
    while stack:
        value, place, in_data = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                here = f"{place}.{key}".lstrip(".")
                rule = FIELD_TYPES.get(key)
                if rule is not None and not rule[0](item):
                    raise ShapeMismatch(here, f"{describe(item)} where Trello sends {rule[1]}")
                if key in _ITEM_LISTS and not in_data and not isinstance(item, list):
                    raise ShapeMismatch(here, f"{describe(item)} where Trello sends a list")
                if key in _ITEM_LISTS and isinstance(item, list) and not in_data:
                    for index, element in enumerate(item):
                        if not isinstance(element, dict) or not isinstance(element.get("id"), str):
                            raise ShapeMismatch(f"{here}[{index}]", f"{describe(element)} where Trello sends an object with an id")
                if isinstance(item, (dict, list)):
                    stack.append((item, here, in_data or key in _FREE))
        elif isinstance(value, list):
            stack.extend((item, f"{place}[{index}]", in_data) for index, item in enumerate(value)
                         if isinstance(item, (dict, list)))


def _fits(root: Any) -> bool:
    """True when every object inside ``root`` follows the rules of :func:`_walk` (no paths kept: the fast path)."""
    rules = FIELD_TYPES
    item_lists = _ITEM_LISTS
    stack = [(root, False)]
    pop, push = stack.pop, stack.append
    while stack:
        value, in_data = pop()
        if type(value) is dict:
            for key, item in value.items():
                rule = rules.get(key)
                if rule is not None and not rule[0](item):
                    return False
                kind = type(item)
                if key in item_lists and not in_data:
                    if kind is not list:
                        return False
                    for element in item:
                        if type(element) is not dict or type(element.get("id")) is not str:
                            return False
                if kind is list:
                    push((item, in_data))
                elif kind is dict:
                    push((item, in_data or key in _FREE))
        else:
            for item in value:
                kind = type(item)
                if kind is dict or kind is list:
                    push((item, in_data))
    return True
