"""A call screen for the end-to-end tests: a python-socketio client on ``/display``."""

from __future__ import annotations

import threading
import time
from typing import Any

import socketio


class CallListener:
    """A python-socketio screen on ``/display`` (websocket only) recording ``call`` events."""

    def __init__(self, url: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.calls: list[dict[str, Any]] = []
        self.snapshot = threading.Event()
        self.lock = threading.Lock()
        self.client.on("call", self._on_call, namespace="/display")
        self.client.on("snapshot", lambda _data: self.snapshot.set(), namespace="/display")
        self.url = url

    def _on_call(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(data)

    def __enter__(self) -> CallListener:
        self.client.connect(
            self.url, namespaces=["/display"], transports=["websocket"], wait_timeout=10
        )
        if not self.snapshot.wait(10):
            raise AssertionError("no snapshot on connect to /display")
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.disconnect()

    def seen(self) -> set[tuple[str, str]]:
        with self.lock:
            return {(c["number"], c["counter"]["id"]) for c in self.calls}

    def wait_for(self, wanted: set[tuple[str, str]], timeout_s: float) -> set[tuple[str, str]]:
        """Wait (bounded) until every wanted (number, counter) call arrived; returns missing."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            missing = wanted - self.seen()
            if not missing:
                return missing
            time.sleep(0.05)
        return wanted - self.seen()
