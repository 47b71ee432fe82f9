"""The ``trelloplan`` command: parse arguments, call the library, format the result.

Errors are turned into messages and exit codes here and nowhere else:

====  ==========================================================
code  meaning
====  ==========================================================
0     success
1     runtime failure (Trello, network, SMTP, store, lock)
2     bad input or usage (plan file, options, credentials, ids)
3     ``trelloplan plan --check``: the board differs from the plan
130   interrupted (Ctrl-C)
====  ==========================================================
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from typing import Any

import click

from .._version import __version__
from ..errors import (
    BadAddress,
    BadRequest,
    BoardError,
    NotAStore,
    PlanError,
    SandboxError,
    StoreError,
    TrelloplanError,
    UsageError,
    WorkspaceError,
)
from ..render.safe import terminal_text

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_DRIFT = 3
EXIT_INTERRUPTED = 130

# Each module lists its click commands in COMMANDS; adding a command is one line here.
COMMAND_MODULES = [
    "plan_cmds",
    "sandbox_cmd",
    "apply_cmds",
    "report_cmds",
    "demo_cmd",
    "doctor_cmd",
    "cohort_cmds",
]


#: The CLI's words for the library's default hints (those speak of inputs, these of options).
CLI_HINTS: dict[type[TrelloplanError], str] = {
    TrelloplanError: "run with --debug for details",
    UsageError: "see --help for the expected input",
    PlanError: "fix the problems listed above, then run `trelloplan validate` again",
    BadRequest: "a value was refused by Trello; run with --debug to see the request",
    BoardError: "pass the right board with --board, or remove the plan's state file to start a new board",
    StoreError: "check the --store path, or delete the store file to pull the history again",
    NotAStore: "check the --store path; a path that does not exist yet makes a new store",
    BadAddress: "give one address per --email-to, like team@example.com",
    SandboxError: "choose another --port, or check the --db path",
    WorkspaceError: "add `workspace: NAME` to the plan, or pass --workspace NAME (or its id)",
}


def cli_hint(error: TrelloplanError) -> str:
    """The error's hint, in the CLI's words when it is its class's default."""
    for cls in type(error).__mro__:
        if cls in CLI_HINTS and error.hint == getattr(cls, "default_hint", None):
            return CLI_HINTS[cls]
    return error.hint


def report_error(error: TrelloplanError) -> None:
    """Print an expected failure as one line per problem on stderr, never a traceback."""
    if isinstance(error, PlanError):
        problems = error.problems + error.warnings
        files = {problem.file: n for n, problem in reversed(list(enumerate(problems)))}
        for problem in sorted(problems, key=lambda p: (files[p.file], p.line, p.column)):  # in file order, as an editor lists them
            click.echo(terminal_text(str(problem)), err=True)
        if len(error.problems) > 1:
            click.echo(f"error: {terminal_text(error.message)}; nothing was written or sent", err=True)
        return
    message = " ".join(error.message.split())
    click.echo(f"error: {terminal_text(message)} (hint: {terminal_text(cli_hint(error))})", err=True)


def report_unexpected(error: Exception) -> None:
    """A failure trelloplan did not foresee: still one line, never a traceback (``--debug`` shows it)."""
    text = " ".join(terminal_text(str(error)).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    click.echo(f"error: unexpected {type(error).__name__}{': ' + text if text else ''} "
               "(hint: this is a bug in trelloplan; run the same command with --debug to see where, and report it)",
               err=True)


def report_usage(error: click.ClickException, command_path: str) -> None:
    """A command line click refused (a missing value, an unknown option), as one line like every other error.

    ``command_path`` is where to send the user for help when the error does not know its command.
    """
    message = " ".join(error.format_message().split()).rstrip(".")
    ctx = getattr(error, "ctx", None)
    where = ctx.command_path if ctx is not None else command_path
    click.echo(f"error: {terminal_text(message)} (hint: see `{where} --help` for the options and examples)", err=True)


class TrelloplanGroup(click.Group):
    """A click group that maps :class:`TrelloplanError` and click's usage errors to exit codes in one place."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        words = list(sys.argv[1:] if args is None else args)
        prog = prog_name or "trelloplan"
        try:
            code = super().main(words, prog, complete_var, False, **extra)
        except click.ClickException as error:
            named = next((word for word in words if not word.startswith("-")), None)
            report_usage(error, f"{prog} {named}" if named in self.commands else prog)
            code = error.exit_code
        except click.exceptions.Abort:
            click.echo("error: aborted", err=True)
            code = EXIT_FAILURE
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrelloplanError as error:
            if ctx.params.get("debug"):  # read now: --debug may come after the command
                raise
            report_error(error)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            if ctx.params.get("debug"):
                raise
            click.echo("error: interrupted; re-run the same command to continue", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # the reader went away (`trelloplan report | head`): stop quietly, and keep Python from
            # complaining about the unflushed stdout on the way out
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(EXIT_FAILURE)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except OSError as error:  # the output itself failed (a full disk under `> file`, a closed stdout)
            if ctx.params.get("debug"):
                raise
            what = str(error.filename) if error.filename else "could not write the output"
            click.echo(f"error: {terminal_text(what)}: {error.strerror or error} "
                       "(hint: check the disk space, the path and its permissions, then run the same command again)", err=True)
            ctx.exit(EXIT_FAILURE)
        except Exception as error:
            if ctx.params.get("debug"):
                raise
            report_unexpected(error)
            ctx.exit(EXIT_FAILURE)


@click.group(cls=TrelloplanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="trelloplan")
@click.option("-v", "--verbose", count=True, help="Log what is happening on stderr (-vv for more).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def main(verbose: int, debug: bool) -> None:
    """Plan a project as weekly milestones on a Trello board, and report its progress.

    \b
    Example:
      trelloplan init plan.yaml --template mlops-gcp-10-weeks
      trelloplan validate plan.yaml
      trelloplan show plan.yaml
    """
    configure_logging(verbose, debug)


def configure_logging(verbose: int, debug: bool) -> None:
    """Log to stderr: warnings only; -v adds what happens, -vv and --debug every detail."""
    level = logging.DEBUG if verbose > 1 or debug else logging.INFO if verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("trelloplan")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    # matplotlib warns on stderr when it must put its font cache in a temporary folder (no writable
    # HOME under cron): not the user's concern, and a cron job mails every stderr line
    logging.getLogger("matplotlib").setLevel(logging.DEBUG if verbose > 1 or debug else logging.ERROR)


def _after_the_command(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """``-v`` and ``--debug`` given after the command (``trelloplan report … -v``) count as given before it."""
    if value:
        root = ctx.find_root()
        if param.name == "verbose":
            root.params["verbose"] = (root.params.get("verbose") or 0) + value
        else:
            root.params["debug"] = True
        configure_logging(root.params.get("verbose") or 0, bool(root.params.get("debug")))
    return value


def _take_logging_options(command: click.Command) -> None:
    """Give ``command``, and each command of a group (``cohort report``), ``-v`` and ``--debug``."""
    command.params.append(click.Option(["-v", "--verbose"], count=True, expose_value=False,
                                       callback=_after_the_command, help="Same as trelloplan -v (-vv for more)."))
    command.params.append(click.Option(["--debug"], is_flag=True, expose_value=False,
                                       callback=_after_the_command, help="Same as trelloplan --debug."))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _take_logging_options(sub)


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(f".{_name}", __name__).COMMANDS:
        _take_logging_options(_command)
        main.add_command(_command)
