"""Credentials as Trello reads them, and the member they belong to.

``key`` and ``token`` may come in the query string, a form body, a JSON body, or an
``Authorization: OAuth oauth_consumer_key="…", oauth_token="…"`` header (TrelloDotNet's form;
py-trello's OAuth1 mode sends the same two fields plus a signature, which the sandbox does not
verify). A missing or unknown key is ``401 invalid key``; then a missing or unknown token is
``401 invalid token``, both plain text as on Trello.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from .apierror import invalid_key, invalid_token
from .params import Params
from .state import Member, State

__all__ = ["authenticate", "credentials"]

_OAUTH_PAIR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


def credentials(params: Params, authorization: str | None) -> tuple[str | None, str | None]:
    """The (key, token) a request carries; the OAuth header wins over parameters."""
    key = params.text("key")
    token = params.text("token")
    if authorization and authorization.strip().lower().startswith("oauth "):
        pairs = {name: unquote(value) for name, value in _OAUTH_PAIR.findall(authorization)}
        key = pairs.get("oauth_consumer_key") or key
        token = pairs.get("oauth_token") or token
    return key, token


def authenticate(state: State, key: str | None, token: str | None) -> Member:
    """The member whose token this is, or Trello's 401."""
    if not key or key != state.key:
        raise invalid_key()
    member = state.member_by_token(token) if token else None
    if member is None:
        raise invalid_token()
    return member
