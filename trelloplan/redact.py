"""Keep secrets (API keys, tokens, passwords) out of what trelloplan prints, logs and raises.

One rule for every caller: a secret is replaced by ``***`` wherever it appears.
A short secret (a test token ``t``, a 4-letter password) would also match inside
ordinary words and turn ``text/html`` into ``***ex***/h***ml``; it is replaced
only where it stands alone (not inside a run of letters and digits), which is
where a request or a server's message carries it (``token=t&…``, ``"t"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MASK", "Redactor"]

MASK = "***"
#: A secret this long is masked even inside a longer word: no ordinary text holds it by chance.
_ALWAYS = 8


class Redactor:
    """Masks each of ``secrets`` (empty ones are ignored) in text and in bytes."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        unique = sorted({s for s in secrets if s}, key=len, reverse=True)
        self._pattern = _pattern(unique) if unique else None
        self._bytes = re.compile(self._pattern.pattern.encode("utf-8"), re.IGNORECASE) if self._pattern else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, text: str) -> str:
        return self._pattern.sub(MASK, text) if self._pattern else text

    def bytes(self, data: bytes) -> bytes:
        return self._bytes.sub(MASK.encode(), data) if self._bytes else data


def _pattern(secrets: list[str]) -> re.Pattern[str]:
    parts = [re.escape(s) if len(s) >= _ALWAYS else rf"(?<![A-Za-z0-9]){re.escape(s)}(?![A-Za-z0-9])"
             for s in secrets]
    # in any case: keys and tokens are hex, and a server may echo them in capitals
    return re.compile("|".join(parts), re.IGNORECASE)
