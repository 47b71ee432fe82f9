"""Is this machine ready for a real Trello account? The checks behind ``trelloplan doctor``.

:func:`run_doctor` runs every check in order and returns a :class:`DoctorReport` of
:class:`Check` results (``ok``, ``warn``, ``fail`` or ``skip``), one per concern: the
settings, the API URL (reachable, and Trello or a sandbox), the key and token (accepted,
whose), what the token may do (read and write, or read only), the workspaces it sees,
the rate-limit headroom the answers report, the SMTP server when one is set (connect and
log in, send nothing), and the cache and store folders (writable). It reads only, never
writes to Trello, and no detail or hint ever holds the key, the token or the SMTP password.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs

from .board.workspace import FREE_OPEN_BOARDS, Workspace, list_workspaces, open_boards
from .client import Credentials, RetryPolicy, Trello, api_url_from_env
from .client.access import token_access
from .errors import (
    AuthError,
    ConfigError,
    EmailError,
    RateLimited,
    ReadOnlyToken,
    ServerError,
    TransportFailed,
    TrelloAPIError,
    TrelloplanError,
    UnexpectedResponse,
)
from .mail import ENV_HOST, check_smtp, smtp_settings
from .net import deadline_from_env

__all__ = ["Check", "DoctorReport", "Status", "run_doctor"]

Status = Literal["ok", "warn", "fail", "skip"]
#: Few attempts and short waits: a doctor answers within seconds, even when nothing listens.
DOCTOR_RETRY = RetryPolicy(attempts=2, base=0.2, cap=1.0, refused_attempts=1)
_MAX_COUNTED_WORKSPACES = 10


@dataclass(frozen=True)
class Check:
    """One check's result. ``exit_code`` of a failure: 2 for settings to fix, 1 otherwise."""

    name: str
    status: Status
    detail: str
    hint: str | None = None
    exit_code: int = 0

    def data(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DoctorReport:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """True when no check failed (warnings and skipped checks are fine)."""
        return not any(check.status == "fail" for check in self.checks)

    @property
    def exit_code(self) -> int:
        return max((check.exit_code or 1 for check in self.checks if check.status == "fail"), default=0)

    def check(self, name: str) -> Check:
        return next(check for check in self.checks if check.name == name)

    def counts(self) -> dict[str, int]:
        return {status: sum(1 for c in self.checks if c.status == status) for status in ("ok", "warn", "fail", "skip")}

    def data(self) -> dict[str, Any]:
        return {"ok": self.ok, "exit_code": self.exit_code, "checks": [check.data() for check in self.checks]}


def _failed(name: str, error: TrelloplanError) -> Check:
    return Check(name, "fail", " ".join(error.message.split()), error.hint, error.exit_code)


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _server_kind(headers: Mapping[str, str]) -> str | None:
    """Trello (production), a trelloplan sandbox, or None when the answer lacks Trello's headers."""
    environment = headers.get("X-Trello-Environment")
    version = headers.get("X-Trello-Version")
    if environment == "Sandbox":
        return f"a trelloplan sandbox (version {version})"
    if environment == "Production":
        return "Trello"
    return f"a Trello-compatible server (X-Trello-Environment {environment})" if environment or version else None


def _rate_limit(headers: Mapping[str, str]) -> Check:
    parts, lowest, window = [], 1.0, 10.0
    for who, prefix in (("the token", "X-Rate-Limit-Api-Token"), ("the key", "X-Rate-Limit-Api-Key")):
        try:
            left, most = int(headers[f"{prefix}-Remaining"]), int(headers[f"{prefix}-Max"])
            window = int(headers.get(f"{prefix}-Interval-Ms", "10000")) / 1000
        except (KeyError, ValueError):
            continue
        parts.append(f"{left} of {most} for {who}")
        lowest = min(lowest, left / most if most else 0.0)
    if not parts:
        return Check("rate limit", "warn", "the answers carry no X-Rate-Limit-* headers, so the headroom is unknown",
                     "trelloplan paces itself under Trello's limits (100 requests per 10 s per token) anyway")
    detail = f"requests left in this {window:g} s window: {', '.join(parts)}"
    if lowest < 0.1:
        return Check("rate limit", "warn", f"{detail}; another program is using most of it",
                     "wait 10 s, or find what else uses this key or token")
    return Check("rate limit", "ok", detail)


def _workspaces(trello: Trello) -> Check:
    workspaces = list_workspaces(trello)
    if not workspaces:
        return Check("workspaces", "warn", "the token's member belongs to no workspace; Trello may refuse new boards "
                     "outside one", "create a workspace in Trello (Create → Create Workspace), then run doctor again")
    described: list[str] = []
    full: list[Workspace] = []
    for index, workspace in enumerate(workspaces):
        described.append(_describe(trello, workspace, full) if index < _MAX_COUNTED_WORKSPACES else str(workspace))
    detail = f"{len(workspaces)}: {', '.join(described)}"
    if full and len(full) == len(workspaces):
        return Check("workspaces", "warn", detail, f"every workspace is full ({FREE_OPEN_BOARDS} open boards, the free "
                     "plan's limit): close a board or upgrade one before apply creates a board")
    if len(workspaces) > 1:
        return Check("workspaces", "ok", f"{detail}; a new board needs the plan's `workspace:` (or apply --workspace)")
    return Check("workspaces", "ok", detail)


def _describe(trello: Trello, workspace: Workspace, full: list[Workspace]) -> str:
    count = open_boards(trello, workspace)
    if workspace.paid:
        return f"{workspace} ({count} open boards)"
    if count >= FREE_OPEN_BOARDS:
        full.append(workspace)
        return f"{workspace} (full: {count} of {FREE_OPEN_BOARDS} open boards)"
    return f"{workspace} ({count} of {FREE_OPEN_BOARDS} open boards)"


def _access(trello: Trello) -> Check:
    access = token_access(trello)
    expiry = f"; expires {access.expires[:10]}" if access.expires else ""
    if not access.known:
        return Check("access", "warn", "the server does not say what this token may do; apply finds out when it writes")
    if access.can_write:
        return Check("access", "ok", f"read and write: apply, pull and report all work{expiry}")
    return Check("access", "warn", f"read only: pull and report work, apply will refuse to change boards{expiry}",
                 ReadOnlyToken.default_hint)


def _trello_checks(environ: Mapping[str, str], retry: RetryPolicy) -> list[Check]:
    try:
        api_url = api_url_from_env(environ)
        credentials = Credentials.from_env(environ)
        seconds = deadline_from_env(environ)
    except ConfigError as error:
        return [_failed("settings", error)] + [Check(name, "skip", "needs the settings above") for name in
                                               ("api", "token", "access", "workspaces", "rate limit")]
    source = "from TRELLO_API_URL" if environ.get("TRELLO_API_URL", "").strip() else "Trello's; TRELLO_API_URL is not set"
    checks = [Check("settings", "ok", f"TRELLO_API_KEY and TRELLO_TOKEN are set; the API is {api_url} ({source})")]
    skipped = ("token", "access", "workspaces", "rate limit")
    with Trello(credentials, api_url=api_url, retry=retry, timeout=(5.0, 15.0), deadline=seconds) as trello:
        try:
            response = trello.get_response("/members/me", {"fields": "id,username,fullName"})
        except TransportFailed as error:
            why = " ".join(error.message.split()).replace(f" ({api_url})", "")
            unreachable = Check("api", "fail", f"cannot reach {api_url}: {why}", error.hint)
            return checks + [unreachable] + [Check(n, "skip", "needs the API") for n in skipped]
        except AuthError as error:
            checks.append(Check("api", "ok", f"{api_url} answers as Trello's API does (it refused the credentials)"))
            return checks + [_failed("token", error)] + [Check(n, "skip", "needs an accepted token") for n in skipped[1:]]
        except RateLimited as error:
            checks.append(Check("api", "ok", f"{api_url} answers, but refuses every request now (429)"))
            return checks + [Check(n, "skip", "the rate limit refused the requests") for n in skipped[:-1]] + [
                _failed("rate limit", error)]
        except ServerError as error:
            return checks + [_failed("api", error)] + [Check(n, "skip", "needs the API") for n in skipped]
        except UnexpectedResponse as error:
            detail = (f"{api_url} is not Trello's API (GET /members/me answered {error.status} with a web page)"
                      if error.status and error.status >= 400 else f"{api_url} answers, but not as Trello does: {error.message}")
            checks.append(Check("api", "fail", detail, "TRELLO_API_URL is the API's base URL, e.g. https://api.trello.com/1", 2))
            return checks + [Check(n, "skip", "needs the API") for n in skipped]
        except TrelloAPIError as error:
            checks.append(Check("api", "fail", f"{api_url} is not Trello's API (GET /members/me answered {error.status})",
                                "TRELLO_API_URL is the API's base URL, e.g. https://api.trello.com/1", 2))
            return checks + [Check(n, "skip", "needs the API") for n in skipped]
        member = _json(response)
        kind = _server_kind(response.headers)
        if not isinstance(member, dict) or "id" not in member or kind is None:
            what = response.headers.get("Content-Type", "no content type").split(";")[0]
            checks.append(Check("api", "fail", f"{api_url} answers, but not as Trello does ({what})",
                                "TRELLO_API_URL is the API's base URL, e.g. https://api.trello.com/1", 2))
            return checks + [Check(n, "skip", "needs the API") for n in skipped]
        parts = urlsplit(api_url)
        if parts.scheme == "http" and not _loopback(parts.hostname or ""):
            checks.append(Check("api", "warn", f"{api_url} answers: {kind}, but over plain http, so the key and token "
                                "travel unencrypted", "use an https:// TRELLO_API_URL"))
        else:
            checks.append(Check("api", "ok", f"{api_url} answers: {kind}"))
        who = f"@{member.get('username')}" + (f" ({member['fullName']})" if member.get("fullName") else "")
        checks.append(Check("token", "ok", f"key and token accepted: the token of {who}"))
        for name, step in (("access", _access), ("workspaces", _workspaces)):
            try:
                checks.append(step(trello))
            except TrelloplanError as error:
                checks.append(_failed(name, error))
        checks.append(_rate_limit(response.headers))
    return checks


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _smtp_check(environ: Mapping[str, str], options: Mapping[str, Any]) -> Check:
    if not (options.get("host") or environ.get(ENV_HOST, "").strip()):
        return Check("smtp", "skip", f"no SMTP server set ({ENV_HOST}); needed only to email reports")
    try:
        settings = smtp_settings(env=environ, timeout=options.get("timeout") or 10.0,
                                 **{k: v for k, v in options.items() if k != "timeout"})
        proven = check_smtp(settings)
    except (ConfigError, EmailError) as error:
        return _failed("smtp", error)
    return Check("smtp", "ok", f"{settings.server} ({settings.security}): {proven}; nothing was sent")


def _writable(name: str, folder: Path) -> Check:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-", delete=True):
            pass
    except OSError as error:
        return Check(name, "fail", f"cannot write in {folder}: {error.strerror or error}",
                     "make the folder writable, or point XDG_CACHE_HOME at one that is")
    return Check(name, "ok", f"{folder} is writable")


def run_doctor(
    *,
    environ: Mapping[str, str] | None = None,
    smtp: Mapping[str, Any] | None = None,
    cache_dir: str | Path | None = None,
    store_dir: str | Path | None = None,
    retry: RetryPolicy = DOCTOR_RETRY,
    progress: Callable[[Check], None] | None = None,
) -> DoctorReport:
    """Run every check (read-only; at most about 15 requests) and return their results.

    ``environ`` defaults to ``os.environ``; ``smtp`` holds :func:`~trelloplan.mail.smtp_settings`
    arguments (``host``, ``port``, ``security``, ``user``, ``timeout``) over the environment's;
    ``cache_dir`` and ``store_dir`` default to the user's cache folder and its ``boards`` folder
    (where stores and locks go). ``progress`` is called with each result as it is known.
    """
    env = os.environ if environ is None else environ
    cache = Path(cache_dir) if cache_dir is not None else Path(platformdirs.user_cache_dir("trelloplan"))
    store = Path(store_dir) if store_dir is not None else cache / "boards"
    checks: list[Check] = []

    def add(found: list[Check] | Check) -> None:
        for check in found if isinstance(found, list) else [found]:
            checks.append(check)
            if progress:
                progress(check)

    add(_trello_checks(env, retry))
    add(_smtp_check(env, dict(smtp or {})))
    add(_writable("cache", cache))
    add(_writable("store", store))
    return DoctorReport(tuple(checks))
