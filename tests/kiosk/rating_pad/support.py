"""Helpers for the rating pad tests: a hub on 127.0.0.1 that can be stopped and restarted."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from werkzeug.serving import make_server

LEVEL_PINS = {"very_satisfied": 17, "satisfied": 27, "unsatisfied": 22}
LED_PINS = {"very_satisfied": 5, "satisfied": 6, "unsatisfied": 13}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveHub:
    """The app served on a fixed port, stoppable and restartable (same database)."""

    def __init__(self, app: Any, port: int) -> None:
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None


def wait_for(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def serve_ticket(api: Any, kiosk: dict[str, str], staff: dict[str, str], counter: str = "1") -> str:
    """Issue a ticket, call it and complete it at ``counter``; returns its id."""
    ticket = api.issue(kiosk)
    api.post(f"/counters/{counter}/open", staff)
    r = api.post(f"/counters/{counter}/call-next", staff)
    if r.status_code != 200:
        raise RuntimeError(f"call-next: {r.status_code} {r.json}")
    api.post(f"/counters/{counter}/complete", staff)
    return str(ticket["id"])
