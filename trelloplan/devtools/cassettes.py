"""The one vcrpy configuration for trelloplan's recorded HTTP conversations (``cassettes/``).

The recorder (:mod:`trelloplan.devtools.record_cassettes`) writes cassettes with
:func:`make_vcr`, and the tests replay them with the same function, so recording
and replay always agree on matching and scrubbing. See ``docs/cassettes.md``.

Matching is on method, path, query and body: never on scheme, host or port
(the sandbox listens on a random port, Trello on api.trello.com), and the
replaying client is pointed at the recorded ``api_url`` from ``meta.json``.

Scrubbing happens before anything is written:

- requests lose ``Authorization``, ``Cookie`` and ``Proxy-Authorization`` and the
  ``key``/``token`` query parameters;
- responses keep only the headers trelloplan reads (``Content-Type``,
  ``Retry-After``, ``X-Rate-Limit-*``, ``X-Server-Time``): no ``Set-Cookie``;
- every body, request and response, has the known key and token replaced, and
  anything that looks like a key, a token, an e-mail address or a cookie too;
  JSON fields named like ``email`` (``email``, ``aaEmail``) are set to null.

:func:`find_secrets` is the scanner a test runs over every file in ``cassettes/``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import vcr
from vcr.request import Request

__all__ = [
    "CASSETTE_DIR",
    "FLOWS",
    "INSTANCE",
    "MATCH_ON",
    "PLAN_PATH",
    "Finding",
    "RecordingMeta",
    "Scrubber",
    "cassette_path",
    "find_secrets",
    "make_vcr",
    "plan_digest",
    "scan_folder",
    "scrub_text",
]

ROOT = Path(__file__).resolve().parents[2]
CASSETTE_DIR = ROOT / "cassettes"
PLAN_PATH = ROOT / "tests" / "plans" / "cassette-plan.yaml"
META_NAME = "meta.json"
META_FORMAT = 1

#: The flows recorded, in recording order; each is ``cassettes/<flow>.json``.
FLOWS = ("apply_create", "apply_noop", "pull_full", "pull_incremental", "rate_limited", "unauthorized")
def plan_digest(path: Path) -> str:
    """The first 16 hex digits of the plan file's SHA-256 (a whole one would look like a token)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


#: Never scheme, host or port: they differ between the sandbox and Trello.
MATCH_ON = ("method", "path", "query", "body")
#: The plan instance written into the recorded board's description. Fixed, so the
#: ``POST /boards`` body is the same on every replay; not hex, so no scanner mistakes it for a key.
INSTANCE = "recorded-cassettes"

REDACTED = "[redacted]"
REDACTED_EMAIL = "[redacted e-mail]"
REDACTED_COOKIE = "[redacted cookie]"

_DROPPED_REQUEST_HEADERS = ("Authorization", "Cookie", "Proxy-Authorization")
_KEPT_RESPONSE_HEADERS = ("content-type", "retry-after", "x-server-time")
_KEPT_RESPONSE_PREFIXES = ("x-rate-limit-",)

# -- what a secret looks like --------------------------------------------------------------------------

#: ``kind → pattern``. Keys are 32 hex digits and tokens 64 (or ``ATTA…``), each a whole word:
#: Trello's 24-hex ObjectIds never match.
PATTERNS: dict[str, re.Pattern[str]] = {
    "key": re.compile(r"\b[0-9a-fA-F]{32}\b", re.ASCII),
    "token": re.compile(r"\b[0-9a-fA-F]{64}\b|\bATTA[0-9A-Za-z_-]{16,}", re.ASCII),
    "e-mail": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    "cookie": re.compile(
        r"(?i)\b(?:set-)?cookie\b[\"']?\s*[:=]"
        r"|\b[\w.-]+=[^;\s\"']*;\s*(?:path|domain|expires|max-age|secure|httponly|samesite)\b"
    ),
}
_REPLACEMENTS = {"key": REDACTED, "token": REDACTED, "e-mail": REDACTED_EMAIL, "cookie": REDACTED_COOKIE}


@dataclass(frozen=True)
class Finding:
    """Something that looks like a secret: its kind, the text matched and the line it is on."""

    kind: str
    text: str
    line: int


def find_secrets(text: str) -> list[Finding]:
    """Everything in ``text`` that looks like a Trello key or token, an e-mail address or a cookie."""
    found = []
    for kind, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            found.append(Finding(kind, match.group(0), text.count("\n", 0, match.start()) + 1))
    return sorted(found, key=lambda f: (f.line, f.kind))


def scan_folder(folder: Path) -> list[tuple[Path, Finding]]:
    """:func:`find_secrets` over every file under ``folder`` (binary files are read as latin-1)."""
    results: list[tuple[Path, Finding]] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        results.extend((path, finding) for finding in find_secrets(text))
    return results


def scrub_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the given secrets, and anything that looks like one, replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for kind, pattern in PATTERNS.items():
        text = pattern.sub(_REPLACEMENTS[kind], text)
    return text


def _scrub_json(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        return {k: (None if "email" in k.lower() and isinstance(v, str) else _scrub_json(v, secrets)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(item, secrets) for item in value]
    if isinstance(value, str):
        return scrub_text(value, secrets)
    return value


class Scrubber:
    """vcrpy's ``before_record_request``/``before_record_response`` hooks for one recording.

    ``secrets`` are the key and token in use (replaced wherever they appear);
    the patterns catch what nobody listed. vcrpy runs the request hook on
    replayed requests too, so both sides of a match are scrubbed alike.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = tuple(s for s in secrets if s and len(s) >= 8)

    def body(self, raw: bytes | str | None) -> bytes | str | None:
        if raw is None or isinstance(raw, (bytes, str)) and not raw:
            return raw
        if not isinstance(raw, (bytes, str)):
            return raw
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            return raw
        try:
            parsed = json.loads(text)
        except ValueError:
            cleaned = scrub_text(text, self.secrets)
        else:
            scrubbed = _scrub_json(parsed, self.secrets)
            cleaned = text if scrubbed == parsed else json.dumps(scrubbed, ensure_ascii=False, separators=(",", ":"))
        if cleaned == text:
            return raw
        return cleaned.encode("utf-8") if isinstance(raw, bytes) else cleaned

    def request(self, request: Request) -> Request:
        for name in _DROPPED_REQUEST_HEADERS:
            request.headers.pop(name, None)
        request.uri = scrub_text(request.uri, self.secrets)
        request.body = self.body(request.body)
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers") or {}
        response["headers"] = {
            name: values for name, values in headers.items()
            if name.lower() in _KEPT_RESPONSE_HEADERS or name.lower().startswith(_KEPT_RESPONSE_PREFIXES)
        }
        body = response.get("body") or {}
        if "string" in body:
            body["string"] = self.body(body["string"])
        return response


def make_vcr(*, record_mode: str = "none", secrets: Iterable[str] = ()) -> vcr.VCR:
    """The VCR every recording and replay uses (``record_mode="none"``: replay only, no network)."""
    scrubber = Scrubber(secrets)
    return vcr.VCR(
        serializer="json",
        record_mode=record_mode,
        match_on=MATCH_ON,
        filter_headers=[name for name in _DROPPED_REQUEST_HEADERS],
        filter_query_parameters=["key", "token"],
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
        decode_compressed_response=True,
    )


def cassette_path(folder: Path, flow: str) -> Path:
    if flow not in FLOWS:
        raise ValueError(f"unknown flow {flow!r}; the flows are {', '.join(FLOWS)}")
    return folder / f"{flow}.json"


@dataclass
class RecordingMeta:
    """``cassettes/meta.json``: what a replay needs to send exactly the recorded requests."""

    target: str
    api_url: str
    plan: str
    plan_digest: str
    instance: str
    workers: int
    pull_board: str
    pull_page_size: int
    pull_board_is_own: bool
    recorded_with: str
    flows: list[str] = field(default_factory=lambda: list(FLOWS))
    format: int = META_FORMAT

    def save(self, folder: Path) -> Path:
        path = folder / META_NAME
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path) -> RecordingMeta:
        data = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
        if data.get("format") != META_FORMAT:
            raise ValueError(f"{folder / META_NAME} has format {data.get('format')}, not {META_FORMAT}: re-record")
        return cls(**data)
