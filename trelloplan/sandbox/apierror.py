"""The errors the sandbox answers with, in Trello's statuses and (mostly plain-text) bodies."""

from __future__ import annotations

from typing import Any

__all__ = [
    "NOT_FOUND_TEXT",
    "ApiError",
    "bad_route",
    "invalid_id",
    "invalid_key",
    "invalid_token",
    "invalid_value",
    "not_found",
    "rate_limited",
    "unauthorized",
]

NOT_FOUND_TEXT = "The requested resource was not found."


class ApiError(Exception):
    """An HTTP error response: a text body is sent as text/plain, a dict or list as JSON."""

    def __init__(
        self, status: int, body: str | dict[str, Any] | list[Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def not_found() -> ApiError:
    return ApiError(404, NOT_FOUND_TEXT)


def invalid_id() -> ApiError:
    return ApiError(400, "invalid id")


def invalid_value(name: str) -> ApiError:
    """Trello's validation error: ``400 invalid value for <param>``."""
    return ApiError(400, f"invalid value for {name}")


def invalid_key() -> ApiError:
    return ApiError(401, "invalid key")


def invalid_token() -> ApiError:
    return ApiError(401, "invalid token")


def unauthorized() -> ApiError:
    """The token is valid but its member may not see or change this model."""
    return ApiError(401, "unauthorized permission requested")


def rate_limited(scope: str) -> ApiError:
    """429 with Trello's JSON body; ``scope`` is ``"TOKEN"`` or ``"KEY"``."""
    return ApiError(429, {"error": f"API_{scope}_LIMIT_EXCEEDED", "message": "Rate limit exceeded"})


def bad_route(method: str, path: str) -> ApiError:
    """An unknown path or method (Trello's Express-style text; unverified against recordings)."""
    return ApiError(404, f"Cannot {method} {path}")
