"""The edge to Trello: one HTTP session with pacing, retries and errors with hints.

:mod:`.session` is the client (py-trello's ``fetch_json`` over our own
``requests.Session``); :mod:`.ratelimit` paces requests under Trello's
sliding windows.
"""

from .session import (
    DEFAULT_API_URL,
    Credentials,
    OutcomeUnknown,
    RequestStats,
    RetryPolicy,
    Trello,
    TrelloSession,
    WriteDeadlineExceeded,
    api_url_from_env,
    check_api_url,
)

__all__ = [
    "DEFAULT_API_URL",
    "Credentials",
    "OutcomeUnknown",
    "RequestStats",
    "RetryPolicy",
    "Trello",
    "TrelloSession",
    "WriteDeadlineExceeded",
    "api_url_from_env",
    "check_api_url",
]
