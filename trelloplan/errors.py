"""Every error trelloplan raises on purpose, rooted at :class:`TrelloplanError`.

Each error carries a one-line ``message`` (what went wrong, and where) and a
``hint`` (how to fix it). The CLI prints both on one line and exits with the
error's ``exit_code``; the library never prints.

::

    TrelloplanError                 exit 1 unless noted
    ├── UsageError                  exit 2: bad input the user can fix
    │   ├── PlanError               a plan file with problems (.problems)
    │   │   └── CohortFileError     a cohort file (or a plan it names) with problems
    │   ├── ConfigError             missing or malformed settings
    │   ├── ExportError             an unreadable board export
    │   └── WorkspaceError          which workspace a new board goes into is unclear
    ├── TrelloAPIError              Trello (or the sandbox) said no
    │   ├── AuthError               401: key or token rejected
    │   │   └── ReadOnlyToken       exit 2: the token may only read
    │   ├── NotFound                404: board, card or list does not exist
    │   │   └── BoardNotFound       exit 2: the board named by --board or the state file
    │   ├── BadRequest              400: Trello refused a value
    │   ├── RateLimited             429 after every retry (.retry_after)
    │   ├── ServerError             5xx after every retry
    │   ├── UnexpectedResponse      an answer that is not Trello's JSON (HTML, wrong shape, cut off)
    │   └── TransportFailed         timeouts, refused or dropped connections
    │       └── DeadlineExceeded    an exchange outlived its overall deadline (TRELLOPLAN_TIMEOUT)
    ├── BoardError                  the board is not the one the plan expects
    ├── StoreError                  the local history store is unusable
    │   └── NotAStore               exit 2: --store names a file that is not a store
    ├── ReportError                 a report cannot be built from the data
    ├── EmailError                  SMTP refused or unreachable
    │   └── BadAddress              exit 2: a malformed email address
    ├── LockError                   the lock file cannot be made (the cache folder)
    │   └── LockedError             another run holds the lock
    ├── TeamsFailed                 some teams of a cohort failed, the others were done (.failures)
    └── SandboxError                the local Trello-compatible server failed

Hints speak of the library's inputs, not of command-line options: the CLI
words its own hints for errors that carry their class's default one
(``trelloplan.cli.CLI_HINTS``).

Programming mistakes stay ``TypeError``/``ValueError``; they are bugs, not
user errors. The CLI still prints them as one line (a traceback only with
``--debug``), exit code 1.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AuthError",
    "BadAddress",
    "BadRequest",
    "BoardError",
    "BoardNotFound",
    "CohortFileError",
    "ConfigError",
    "DeadlineExceeded",
    "EmailError",
    "ExportError",
    "LockError",
    "LockedError",
    "NotAStore",
    "NotFound",
    "PlanError",
    "PlanProblem",
    "RateLimited",
    "ReadOnlyToken",
    "ReportError",
    "SandboxError",
    "ServerError",
    "StoreError",
    "TeamsFailed",
    "TransportFailed",
    "TrelloAPIError",
    "TrelloplanError",
    "UnexpectedResponse",
    "UsageError",
    "WorkspaceError",
]


class TrelloplanError(Exception):
    """Root of every error trelloplan raises on purpose."""

    exit_code: int = 1
    default_hint: str = "turn on debug logging (the `trelloplan` logger) for details"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint or self.default_hint

    def __str__(self) -> str:
        return self.message

    def one_line(self) -> str:
        """The message and hint as one line, for stderr and logs."""
        text = " ".join(self.message.split())
        return f"{text} (hint: {self.hint})" if self.hint else text


class UsageError(TrelloplanError):
    """Bad input: a file, option or value the user can fix."""

    exit_code = 2
    default_hint = "check the input against the documentation"


@dataclass(frozen=True)
class PlanProblem:
    """One problem in a plan file, located as precisely as the YAML allows."""

    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        inside = f" {self.path}:" if self.path else ""
        return f"{where}: {self.severity}:{inside} {self.message} (hint: {self.hint})"


class PlanError(UsageError):
    """A plan file has one or more errors; ``problems`` lists all of them."""

    default_hint = "fix the problems in .problems (each has its file, line and column), then load the plan again"

    def __init__(self, problems: list[PlanProblem], *, warnings: list[PlanProblem] | None = None) -> None:
        self.problems = list(problems)
        self.warnings = list(warnings or [])
        files = sorted({p.file for p in self.problems}) or ["plan"]
        count = len(self.problems)
        noun = "error" if count == 1 else "errors"
        message = f"{', '.join(files)}: {count} {noun} in the plan"
        if count == 1:
            message = str(self.problems[0])
        super().__init__(message)


class CohortFileError(PlanError):
    """A cohort file, or a plan it names, has one or more errors; ``problems`` lists all of them."""

    default_hint = "fix the problems in .problems (each has its file, line and column), then load the cohort again"

    def __init__(self, problems: list[PlanProblem], *, warnings: list[PlanProblem] | None = None) -> None:
        super().__init__(problems, warnings=warnings)
        if len(self.problems) != 1:
            files = sorted({p.file for p in self.problems}) or ["cohort"]
            self.message = f"{', '.join(files)}: {len(self.problems)} errors in the cohort"


class ConfigError(UsageError):
    """A setting (environment variable, option, state file) is missing or malformed."""


class ExportError(UsageError):
    """A board export file cannot be read."""

    default_hint = "export the board again from Trello: Menu → Print, export and share → Export as JSON"


class WorkspaceError(UsageError):
    """The workspace a new board should go into is not clear: none, several, or an unknown name."""

    default_hint = "name the workspace (its name or id) in the plan's `workspace:` or in the apply call"


class TrelloAPIError(TrelloplanError):
    """Trello (or the sandbox) answered with an error."""

    default_hint = "check TRELLO_API_URL and try again"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.method = method
        self.path = path


class AuthError(TrelloAPIError):
    exit_code = 2
    default_hint = (
        "check TRELLO_API_KEY and TRELLO_TOKEN (get them at https://trello.com/power-ups/admin); "
        "the token must have read and write access to the board"
    )


class ReadOnlyToken(AuthError):
    """The token's scope is ``read``: reports and pulls work, writes do not."""

    default_hint = (
        "make a token with read and write access (https://trello.com/1/authorize?expiration=never"
        "&scope=read,write&response_type=token&key=YOUR_KEY) and set TRELLO_TOKEN to it"
    )


class NotFound(TrelloAPIError):
    exit_code = 2
    default_hint = "check the board id (the part after /b/ in the board's URL) and that your token can see it"


class BoardNotFound(NotFound):
    """The board a command was pointed at does not exist, or this token cannot see it (every command: exit 2)."""


class BadRequest(TrelloAPIError):
    default_hint = "a value was refused by Trello; the debug log shows the request"


class RateLimited(TrelloAPIError):
    def __init__(self, message: str, *, retry_after: float = 10.0, **kwargs: object) -> None:
        self.retry_after = retry_after
        kwargs.setdefault("hint", f"Trello's rate limit is exhausted; wait {retry_after:.0f} s and run again")
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class ServerError(TrelloAPIError):
    default_hint = "Trello is having trouble; try again in a few minutes"


class TransportFailed(TrelloAPIError):
    default_hint = "check the network and TRELLO_API_URL, then run again; nothing is lost by re-running"


class DeadlineExceeded(TransportFailed):
    """A network exchange did not finish within its overall deadline (see :mod:`trelloplan.net`)."""

    default_hint = ("the server or a proxy is too slow; check the network and TRELLO_API_URL, or allow more time "
                    "with TRELLOPLAN_TIMEOUT=SECONDS (default 60)")


class UnexpectedResponse(TrelloAPIError):
    """An answer that is not the JSON Trello sends: a login page, a proxy's error, another server, a cut-off body."""

    default_hint = ("is TRELLO_API_URL right? A proxy or a login page may be answering instead of Trello "
                    "(run with -vv to see the requests)")


class BoardError(TrelloplanError):
    """The board does not match what the plan or the state file expects."""

    default_hint = "give the right board id, or remove the plan's state file to start a new board"


class StoreError(TrelloplanError):
    """The local history store cannot be read or written."""

    default_hint = "check the store's path, or delete the store file to pull the history again"


class NotAStore(StoreError):
    """A file given as the store is empty or belongs to something else; it is left untouched."""

    exit_code = 2
    default_hint = "check the store's path; a path that does not exist yet makes a new store"


class ReportError(TrelloplanError):
    """A report cannot be built from the data given."""


class EmailError(TrelloplanError):
    """The report email could not be sent."""

    default_hint = "check TRELLOPLAN_SMTP_HOST, TRELLOPLAN_SMTP_PORT, TRELLOPLAN_SMTP_USER and TRELLOPLAN_SMTP_PASSWORD"


class BadAddress(EmailError):
    """An email address that cannot be used: bad input, found before anything connects."""

    exit_code = 2
    default_hint = "give one address at a time, like team@example.com"


class LockError(TrelloplanError):
    """The lock that keeps runs of one board single cannot be made."""

    default_hint = "check that the cache folder is writable (XDG_CACHE_HOME)"


class LockedError(LockError):
    """Another trelloplan run holds the lock for this board."""

    default_hint = "another run is in progress; wait for it to finish"


class TeamsFailed(TrelloplanError):
    """Some teams of a cohort failed while the others were done; ``failures`` maps each team to its error."""

    default_hint = "fix what each team's line says, then run the same command again; the teams that are done stay done"

    def __init__(self, message: str, *, failures: dict[str, TrelloplanError] | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.failures = dict(failures or {})


class SandboxError(TrelloplanError):
    """The local Trello-compatible server could not start or serve."""

    default_hint = "choose another port, or check the database path"
