"""Run the sandbox: a threaded werkzeug server on a loopback port, started and stopped cleanly.

::

    with Sandbox() as sandbox:                     # a free port on 127.0.0.1, state in memory
        sandbox.clock.freeze("2026-01-05T09:00:00Z")
        requests.get(f"{sandbox.api_url}/members/me", params={"key": sandbox.key, "token": sandbox.token})
        bob = sandbox.add_member("bob")            # another person, with its own token
        requests.get(sandbox.control_url + "/clock", headers=sandbox.control_headers)  # the control routes
        sandbox.faults.configure(error_rate=0.1, seed=7)
        sandbox.counters.snapshot()
"""

from __future__ import annotations

import contextlib
import errno
import logging
import re
import socket
import socketserver
import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from ..errors import SandboxError
from .app import Runtime, create_app
from .clock import SandboxClock
from .control import add_to_board
from .counters import Counters
from .faults import Faults
from .ratelimit import RateLimiter
from .state import Member, State

__all__ = ["Sandbox", "serve_until_interrupted"]

log = logging.getLogger("trelloplan.sandbox")
_TOKEN_IN_PATH = re.compile(r"(/tokens/)[^/?]+")


class _Handler(WSGIRequestHandler):
    """Logs requests without their query strings (they carry the key and token)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = _TOKEN_IN_PATH.sub(r"\1***", self.path.split("?", 1)[0])  # GET /1/tokens/{token}
        log.debug("%s %s -> %s", self.command, path, code)

    def log_error(self, format: str, *args: Any) -> None:
        log.debug("server: " + format, *args)


class _Server(ThreadedWSGIServer):
    """werkzeug's threaded server, with its connections tracked so :meth:`stop` can end them."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        socketserver.BaseServer.serve_forever(self, poll_interval)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def end_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("error while serving %s", client_address, exc_info=True)

    def log(self, type: str, message: str, *args: Any) -> None:
        """werkzeug's own messages (tracebacks of failed requests) go to our logger, not stderr."""
        (log.error if type == "error" else log.debug)(message, *args)


class Sandbox:
    """A local Trello-compatible server for tests and demos (a context manager).

    Args:
        host, port: where to listen (port 0 picks a free one); loopback by default.
        db: a SQLite file to keep the state in (created if missing), or ``":memory:"``.
        start, frozen: start the clock at ``start`` (aware datetime or ISO string) and/or frozen.
        rate_limit, token_limit, key_limit, window_s: Trello's limits (100, 300, 10 s); switchable.
        latency_ms, fault_rate, drop_rate, seed: injected faults (see :class:`Faults`).
        key: the API key to accept (a fresh 32-hex one by default; a db file keeps its own).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | Path = ":memory:",
        start: datetime | str | None = None,
        frozen: bool = False,
        rate_limit: bool = True,
        token_limit: int = 100,
        key_limit: int = 300,
        window_s: float = 10.0,
        latency_ms: float = 0.0,
        fault_rate: float = 0.0,
        drop_rate: float = 0.0,
        seed: int | None = None,
        key: str | None = None,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.db_path = str(db)
        self._start, self._frozen, self._key = start, frozen, key
        self.faults = Faults(seed=seed, latency_ms=latency_ms, error_rate=fault_rate, drop_rate=drop_rate)
        self.rate_limits = RateLimiter(
            token_limit=token_limit, key_limit=key_limit, window_s=window_s, enabled=rate_limit
        )
        self.counters = Counters()
        self._state: State | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Open the state and serve in a background thread; raises :class:`SandboxError`."""
        if self._server is not None:
            return self
        self._state = self._open_state()
        listener = self._listen()
        try:
            app = create_app(Runtime(self._state, self.faults, self.rate_limits, self.counters))
            self._server = _Server(self.host, 0, app, handler=_Handler, fd=listener.fileno())
        except BaseException:
            self._state.close()
            self._state = None
            raise
        finally:
            listener.close()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"trelloplan-sandbox:{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.info("sandbox serving %s", self.api_url)
        return self

    def _open_state(self) -> State:
        path = self.db_path
        if path != ":memory:":
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                raise SandboxError(
                    f"cannot use {path} as the sandbox database: {parent} is not a directory",
                    hint="create the directory first, or choose another --db path",
                )
            path = str(Path(path).expanduser())
        clock = None
        if self._start is not None or self._frozen:
            clock = SandboxClock(self._start, frozen=self._frozen)
        try:
            return State(path, clock, key=self._key)
        except (OSError, ValueError, sqlite3.Error) as error:
            raise SandboxError(
                f"cannot open the sandbox database {self.db_path}: {error}",
                hint="check the --db path, or delete the file to start afresh",
            ) from error

    def _listen(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self._requested_port))
            listener.listen(128)
        except OSError as error:
            listener.close()
            assert self._state is not None
            self._state.close()
            self._state = None
            if error.errno == errno.EADDRINUSE:
                raise SandboxError(
                    f"port {self._requested_port} on {self.host} is already in use",
                    hint="choose another --port, or stop the program using it",
                ) from error
            raise SandboxError(
                f"cannot listen on {self.host}:{self._requested_port}: {error.strerror or error}",
                hint="check --host and --port",
            ) from error
        return listener

    def stop(self) -> None:
        """Stop serving, end open connections, wait for handler threads, save and close the state."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.end_connections()
            server.server_close()
        if thread is not None:
            thread.join()
        if self._state is not None:
            self._state.close()
            self._state = None
        log.info("sandbox stopped")

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what clients need ------------------------------------------------------------------------------

    @property
    def state(self) -> State:
        if self._state is None:
            raise SandboxError("the sandbox is not running", hint="use it inside `with Sandbox() as sandbox:`")
        return self._state

    @property
    def app(self) -> Any:
        """The Flask app (e.g. ``sandbox.app.test_client()`` for fast in-process requests that
        skip the network; they still pass auth, rate limits and faults)."""
        if self._server is None:
            raise SandboxError("the sandbox is not running", hint="use it inside `with Sandbox() as sandbox:`")
        return self._server.app

    @property
    def port(self) -> int:
        if self._server is None:
            raise SandboxError("the sandbox is not running", hint="use it inside `with Sandbox() as sandbox:`")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The Trello base URL to point clients at, e.g. ``http://127.0.0.1:PORT/1``."""
        return self.base_url + "/1"

    @property
    def key(self) -> str:
        return self.state.key

    @property
    def control_secret(self) -> str:
        """The secret the ``/_sandbox`` control routes require (kept in a ``db`` file, like the key)."""
        return self.state.control_secret

    @property
    def control_url(self) -> str:
        """``http://127.0.0.1:PORT/_sandbox``: the control routes (clock, faults, counters, members)."""
        return self.base_url + "/_sandbox"

    @property
    def control_headers(self) -> dict[str, str]:
        """The header that opens the control routes: ``{"X-Sandbox-Secret": …}``."""
        from .control import SECRET_HEADER

        return {SECRET_HEADER: self.control_secret}

    @property
    def member(self) -> Member:
        """The default member (the one :attr:`token` belongs to)."""
        return self.state.default_member()

    @property
    def token(self) -> str:
        return self.member.token

    @property
    def clock(self) -> SandboxClock:
        return self.state.clock

    @property
    def members(self) -> list[Member]:
        return self.state.members()

    def add_member(
        self,
        username: str,
        full_name: str | None = None,
        *,
        boards: tuple[str, ...] | list[str] = (),
        member_type: str = "normal",
        workspace: bool = True,
    ) -> Member:
        """Another person with its own token, optionally added to ``boards`` (ids or shortLinks).

        The member gets a workspace of its own, as a new Trello account does, unless ``workspace`` is false.
        """
        member = self.state.add_member(username, full_name, workspace=workspace)
        for board_id in boards:
            self.add_to_board(board_id, member, member_type)
        return member

    def add_to_board(self, board_id: str, member: Member | str, member_type: str = "normal") -> None:
        """Make ``member`` (a Member or its id) a member of a board, as the board's admin would."""
        found = member if isinstance(member, Member) else self.state.member(member)
        if found is None:
            raise ValueError(f"no member {member!r}")
        add_to_board(self.state, board_id, found, member_type)

    def add_token(self, member: Member | None = None, scope: str = "read") -> str:
        """Another token for ``member`` (default: the default one); ``scope`` is ``read`` or ``read,write``."""
        return self.state.add_token(member or self.member, scope)

    def add_workspace(
        self, display_name: str, *, member: Member | None = None, name: str | None = None, premium: bool = False,
        members: tuple[Member, ...] | list[Member] = (),
    ) -> dict[str, Any]:
        """A workspace created by ``member`` (default: the default one), shared with ``members``.

        A free workspace (the default) holds at most 10 open boards; ``premium`` lifts the limit.
        """
        from .workspaces import add_workspace_member, create_workspace, organization_json

        state = self.state
        row = create_workspace(state, member or self.member, display_name, name, premium=premium)
        for other in members:
            add_workspace_member(state, row["id"], other)
        return organization_json(state, row)

    def auth(self, member: Member | None = None) -> dict[str, str]:
        """``{"key": …, "token": …}`` query parameters for ``member`` (default: the default one)."""
        return {"key": self.key, "token": (member or self.member).token}

    def env(self, member: Member | None = None) -> dict[str, str]:
        """The environment variables that point trelloplan at this sandbox."""
        return {
            "TRELLO_API_URL": self.api_url,
            "TRELLO_API_KEY": self.key,
            "TRELLO_TOKEN": (member or self.member).token,
        }

    def __repr__(self) -> str:
        where = self.api_url if self._server is not None else "stopped"
        return f"<Sandbox {where} db={self.db_path}>"


def serve_until_interrupted(sandbox: Sandbox, ready: Any = None) -> None:
    """Start ``sandbox``, call ``ready(sandbox)``, serve until Ctrl-C or SIGTERM, then stop cleanly.

    The state is committed after every request, so stopping loses nothing; with a ``db`` file the
    next start resumes from it (same key, tokens, boards and clock).
    """
    import signal

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    in_main = threading.current_thread() is threading.main_thread()
    # SIGINT too: a shell starting us in the background leaves it ignored, which would make
    # Ctrl-C / `kill -INT` do nothing.
    previous = {sig: signal.signal(sig, terminate) for sig in (signal.SIGINT, signal.SIGTERM)} if in_main else {}
    sandbox.start()
    try:
        if ready is not None:
            ready(sandbox)
        thread = sandbox._thread
        while thread is not None and thread.is_alive():
            thread.join(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
