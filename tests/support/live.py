"""A WSGI app served on 127.0.0.1 for the length of a test (a pytest plugin).

One server for every test that needs a real socket: a hub app from
``create_app``, the kiosk's touch app, a middleware in front of a hub, a fake
upstream. Fixtures:

- ``live``: the test's ``app`` fixture served; a :class:`LiveServer` (``.url``,
  ``.app``, ``.server``).
- ``live_server``: a factory, ``live_server(app, port=None, start=True, **options)``,
  for a test that needs several servers, a port known before the server listens (an
  agent started while its hub is down), a server it stops and starts again, one
  over HTTPS (``tls=(certificate, key)``) or one whose clock is off (``ahead_s``:
  its ``Date`` header is that far ahead of this machine's clock).

Every server is stopped at teardown: it stops listening, cuts the connections
still open (keep-alive HTTP, websockets) and joins the threads that served them,
and a Flask-SocketIO app's background tasks end, so no thread outlives the test.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

HOST = "127.0.0.1"
POLL_S = 0.05
"""How often ``serve_forever`` looks for a shutdown: stopping waits up to this."""
JOIN_S = 5.0
"""How long stopping waits for the serving threads to end."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listened on a moment ago (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class _TrackedHandler(WSGIRequestHandler):
    """Werkzeug's handler, noting its connection and thread so that stopping can end them."""

    def setup(self) -> None:
        super().setup()
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.connections[self.connection] = threading.current_thread()  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.lock:  # type: ignore[attr-defined]
                self.server.connections.pop(self.connection, None)  # type: ignore[attr-defined]

    def date_time_string(self, timestamp: float | None = None) -> str:
        ahead_s: float = self.server.ahead_s  # type: ignore[attr-defined]
        return formatdate((timestamp or time.time()) + ahead_s, usegmt=True)


class LiveServer:
    """``app`` served by a threaded Werkzeug server on 127.0.0.1.

    ``port`` 0 lets the OS pick one at the first :meth:`start`; later starts reuse
    it, so a client's URL stays right across a restart.
    """

    def __init__(
        self,
        app: Any,
        port: int = 0,
        *,
        tls: tuple[Path, Path] | None = None,
        ahead_s: float = 0.0,
    ) -> None:
        self.app = app
        self.port = port
        self.tls = tls
        self.ahead_s = ahead_s
        self.server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, https with ``tls`` (no trailing slash)."""
        return f"{'https' if self.tls else 'http'}://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self.server is not None

    def start(self) -> LiveServer:
        """Listen and serve in a thread (a no-op while running)."""
        if self.server is not None:
            return self
        context = None if self.tls is None else (str(self.tls[0]), str(self.tls[1]))
        server = make_server(HOST, self.port, self.app, threaded=True,
                             request_handler=_TrackedHandler, ssl_context=context)  # fmt: skip
        server.connections = {}  # type: ignore[attr-defined]
        server.ahead_s = self.ahead_s  # type: ignore[attr-defined]
        server.lock = threading.Lock()  # type: ignore[attr-defined]
        self.server, self.port = server, server.server_port
        self._thread = threading.Thread(
            target=server.serve_forever, args=(POLL_S,), name=f"live-server-{self.port}"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut every open connection at once, as a dying process
        would; then wait for the threads that served them."""
        server, self.server = self.server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with server.lock:  # type: ignore[attr-defined]
            open_now = dict(server.connections)  # type: ignore[attr-defined]
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in (self._thread, *open_now.values()):
            if thread is not None and thread is not threading.current_thread():
                thread.join(JOIN_S)

    crash = stop
    """What a test means when the hub dies under its clients: :meth:`stop`."""

    def close(self) -> None:
        """:meth:`stop` for good: also end the app's Socket.IO background tasks (the
        engine's client monitor), as Engine.IO asks before a web server shuts down."""
        self.stop()
        socketio = _socketio_of(self.app)
        if socketio is not None:
            socketio.server.shutdown()


def _socketio_of(app: Any) -> Any:
    """The Flask-SocketIO extension of a Flask app, also behind WSGI middleware (``.app``)."""
    for _ in range(5):
        extensions = getattr(app, "extensions", None)
        if isinstance(extensions, dict) and "socketio" in extensions:
            return extensions["socketio"]
        app = getattr(app, "app", None)
        if app is None:
            return None
    return None


@pytest.fixture
def live_server() -> Iterator[Callable[..., LiveServer]]:
    """``live_server(app, port=None, start=True, **options)`` → a :class:`LiveServer`
    (options: ``tls``, ``ahead_s``).

    With ``start=False`` it is not listening yet, but its port is chosen already
    (so a client can be pointed at a hub that is down). All are stopped at teardown.
    """
    made: list[LiveServer] = []

    def serve(app: Any, port: int | None = None, start: bool = True, **options: Any) -> LiveServer:
        if port is None:
            port = 0 if start else free_port()
        server = LiveServer(app, port, **options)
        made.append(server)
        return server.start() if start else server

    yield serve
    for server in reversed(made):
        server.close()


@pytest.fixture
def live(app: Any, live_server: Callable[..., LiveServer]) -> LiveServer:
    """The test's ``app`` on a real threaded server on 127.0.0.1."""
    return live_server(app)
