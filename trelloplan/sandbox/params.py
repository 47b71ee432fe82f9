"""Request parameters as Trello reads them: query string, form body and JSON body, merged.

Real clients send all three (ruby-trello: form bodies; py-trello: JSON bodies; most others: the
query string), so every route reads its parameters through :class:`Params`. Later sources win:
query, then form, then JSON. A JSON ``null`` is kept as ``None`` (it clears nullable fields such
as ``due``); elsewhere it counts as "not given".
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from .apierror import ApiError, invalid_value
from .clock import format_date, parse_date

__all__ = ["MISSING", "Params"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class Params:
    """Merged request parameters with Trello's parsing rules."""

    def __init__(self, *sources: Mapping[str, Any]) -> None:
        self._values: dict[str, Any] = {}
        for source in sources:
            for name, value in source.items():
                self._values[name] = value

    @classmethod
    def from_request(cls, query: Mapping[str, str], form: Mapping[str, str], body: bytes, content_type: str) -> Params:
        json_values: dict[str, Any] = {}
        if body and "json" in content_type.lower():
            try:
                decoded = json.loads(body)
            except ValueError as error:
                raise ApiError(400, "invalid JSON") from error
            if isinstance(decoded, dict):
                json_values = decoded
        return cls(dict(query), dict(form), json_values)

    def with_values(self, **values: Any) -> Params:
        merged = Params(self._values)
        merged._values.update(values)
        return merged

    def __contains__(self, name: str) -> bool:
        return self._values.get(name, MISSING) is not MISSING and self._values.get(name) is not None

    def names(self) -> list[str]:
        return list(self._values)

    def raw(self, name: str) -> Any:
        """The value as sent (``MISSING`` if absent, ``None`` for a JSON null)."""
        return self._values.get(name, MISSING)

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.raw(name)
        if value is MISSING or value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return _number_text(value)
        if isinstance(value, str):
            return value
        raise invalid_value(name)

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is MISSING or value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise invalid_value(name)

    def id_list(self, name: str) -> list[str] | None:
        """A comma-separated list (or JSON list) of ids; ``None`` if not given."""
        value = self.raw(name)
        if value is MISSING or value is None:
            return None
        items: Iterable[Any] = value if isinstance(value, list) else str(value).split(",")
        return [str(item).strip() for item in items if str(item).strip()]

    def words(self, name: str, default: str) -> list[str]:
        """A comma-separated list of words (``fields``, ``filter``)."""
        text = self.text(name, default)
        return [part.strip() for part in (text or "").split(",") if part.strip()]

    def integer(self, name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.raw(name)
        if value is MISSING or value is None or value == "":
            return default
        try:
            number = int(str(value).strip()) if not isinstance(value, (int, float)) else int(value)
        except ValueError as error:
            raise invalid_value(name) from error
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            raise invalid_value(name)
        return number

    def date_or_null(self, name: str) -> Any:
        """A date parameter: ``MISSING`` if absent, ``None`` to clear it, else a Trello date string."""
        value = self.raw(name)
        if value is MISSING:
            return MISSING
        if value is None or (isinstance(value, str) and value.strip().lower() in {"", "null"}):
            return None
        try:
            return format_date(parse_date(str(value)))
        except ValueError as error:
            raise invalid_value(name) from error


def _number_text(value: float) -> str:
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value)
