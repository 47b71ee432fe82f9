"""A local HTTP server on loopback that answers whatever a test tells it to: the misbehaving servers of real life.

A proxy's login page, JSON of the wrong shape, a body cut off mid-way, a
server that sends one byte every few seconds, a redirect, garbage that is not
HTTP at all. Each request is answered by ``server.reply(method, path)``, a
:class:`Reply` (set it, or pass a function of the method and path)::

    with MisbehavingServer() as server:
        server.reply = lambda method, path: Reply(200, b"<html>Sign in</html>", "text/html")
        ... point TRELLO_API_URL at server.api_url ...
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One answer. ``drip`` sends the body one byte per ``drip`` seconds; ``cut`` stops after that many body bytes
    (the Content-Length still promises the whole); ``raw`` is sent as it is, instead of an HTTP response."""

    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    drip: float = 0.0
    cut: int | None = None
    raw: bytes | None = None
    close: bool = False  # close without answering at all


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class MisbehavingServer:
    """A threaded TCP server speaking just enough HTTP/1.1 to misbehave precisely."""

    def __init__(self, reply: Reply | Callable[[str, str], Reply] = Reply()) -> None:
        self.reply: Reply | Callable[[str, str], Reply] = reply
        self.seen: list[Seen] = []
        self._stop = threading.Event()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/1"

    def __enter__(self) -> MisbehavingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    # -- serving -------------------------------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(5)
        reader = sock.makefile("rb")
        try:
            while not self._stop.is_set():
                request = self._read_request(reader)
                if request is None:
                    return
                method, path, headers = request
                self.seen.append(Seen(method, path, headers))
                reply = self.reply(method, path) if callable(self.reply) else self.reply
                if not self._answer(sock, reply):
                    return
        except OSError:
            return
        finally:
            reader.close()

    @staticmethod
    def _read_request(reader: Any) -> tuple[str, str, dict[str, str]] | None:
        line = reader.readline(65536)
        if not line:
            return None
        parts = line.decode("latin-1").split()
        if len(parts) < 2:
            return None
        headers: dict[str, str] = {}
        while True:
            header = reader.readline(65536)
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        if length:
            reader.read(length)
        return parts[0], parts[1].split("?", 1)[0], headers

    def _answer(self, sock: socket.socket, reply: Reply) -> bool:
        """Send ``reply``; False when the connection is to be closed afterwards."""
        if reply.close:
            return False
        if reply.raw is not None:
            sock.sendall(reply.raw)
            return False
        head = [f"HTTP/1.1 {reply.status} Whatever", f"Content-Type: {reply.content_type}",
                f"Content-Length: {len(reply.body)}", *(f"{name}: {value}" for name, value in reply.headers)]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        body = reply.body if reply.cut is None else reply.body[: reply.cut]
        if reply.drip:
            for index in range(len(body)):
                if self._stop.wait(reply.drip):
                    return False
                sock.sendall(body[index:index + 1])
        else:
            sock.sendall(body)
        if reply.cut is not None:
            time.sleep(0.01)
            return False
        return True
