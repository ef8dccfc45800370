"""A fake SMS gateway / Zalo OA webhook: an HTTP server on 127.0.0.1 that records what
it receives and answers what the test says (a pytest fixture, ``gateway``)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

HOST = "127.0.0.1"


@dataclass
class Received:
    """One request the gateway got."""

    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Gateway:
    """What the fake gateway received, and what it answers next.

    ``status`` and ``answer`` are the reply; ``hold`` makes it wait (a gateway that
    hangs) until the test ends or ``release`` is set.
    """

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200
    answer: Any = field(default_factory=lambda: {"ok": True})
    hold: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def codes(self) -> list[str]:
        """The six-digit codes in what was received, in order."""
        found = []
        with self.lock:
            bodies = [json.dumps(r.body, ensure_ascii=False) for r in self.received]
        for text in bodies:
            match = re.search(r"\b(\d{6})\b", text)
            if match:
                found.append(match.group(1))
        return found


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the http.server name)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            with gateway.lock:
                gateway.received.append(Received(self.path, dict(self.headers.items()), body))
            if gateway.hold:
                gateway.release.wait(30)
            payload = json.dumps(gateway.answer).encode()
            self.send_response(gateway.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    """A fake gateway listening on 127.0.0.1 for the test; its URL ends in ``/send``.
    At teardown it stops and joins every thread it started."""
    made = Gateway(url="")
    server = ThreadingHTTPServer((HOST, 0), _handler(made))
    server.daemon_threads = False  # server_close() joins the request threads
    made.url = f"http://{HOST}:{server.server_port}/send"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-gateway")
    thread.start()
    try:
        yield made
    finally:
        made.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
