"""A Socket.IO client that sends frames as written: the fuzzing gate's garbage sender.

python-socketio's client only sends what it can encode; this one speaks Engine.IO 4 /
Socket.IO 5 over a WebSocket (``websocket-client``, which python-socketio's client
uses) and lets a test send any text or binary frame: an event nested thousands of
levels deep, NaN, a reserved event name, a packet cut in half, an attachment that
never comes. Every wait is bounded; pings are answered while waiting.
"""

from __future__ import annotations

import json
import time
from itertools import count
from typing import Any

import websocket

WAIT_S = 10.0


class Closed(Exception):
    """The hub closed the connection."""


class RawSocket:
    """One Engine.IO connection over a WebSocket to a hub on 127.0.0.1."""

    def __init__(self, base_url: str) -> None:
        url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, timeout=WAIT_S)
        opening = self.ws.recv()
        if not isinstance(opening, str) or not opening.startswith("0"):
            raise AssertionError(f"no Engine.IO open packet: {opening!r}"[:300])
        self.ids = count(1)
        self.closed = False

    def __enter__(self) -> RawSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """The closing handshake, or only the socket's end when the hub closed first."""
        if self.closed:
            self.ws.shutdown()
        else:
            self.closed = True
            self.ws.close()

    def send(self, frame: str | bytes) -> None:
        """One WebSocket frame: text for a packet, bytes for an attachment."""
        try:
            if isinstance(frame, bytes):
                self.ws.send_binary(frame)
            else:
                self.ws.send(frame)
        except (websocket.WebSocketException, OSError) as exc:
            self.closed = True
            raise Closed(str(exc)) from None

    def join(self, namespace: str, auth: str | None = None) -> str:
        """Socket.IO CONNECT to ``namespace`` with ``auth`` as JSON text; the answer's
        frame (``40…`` connected, ``44…`` refused)."""
        self.send(f"40{_prefix(namespace)}{auth or ''}")
        return self.wait(lambda f: f.startswith(("40", "44")) and _in(f[2:], namespace))

    def emit(self, namespace: str, args_json: str) -> tuple[int, str]:
        """An EVENT packet with an ack id; ``args_json`` is the JSON array as written
        (``["ack", {...}]``). Returns the ack id to :meth:`answer` with."""
        ack = next(self.ids)
        self.send(f"42{_prefix(namespace)}{ack}{args_json}")
        return ack, namespace

    def answer(self, ack: tuple[int, str], timeout: float = WAIT_S) -> Any:
        """The arguments of the hub's ACK of ``ack`` (decoded), waiting at most ``timeout``."""
        number, namespace = ack
        head = f"43{_prefix(namespace)}{number}["
        frame = self.wait(lambda f: f.startswith(head), timeout)
        return json.loads(frame[len(head) - 1 :])

    def wait(self, wanted: Any, timeout: float = WAIT_S) -> str:
        """The next text frame ``wanted(frame)`` accepts; answers pings meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no wanted frame within {timeout} s")
            self.ws.settimeout(left)
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                raise TimeoutError(f"no wanted frame within {timeout} s") from None
            except (websocket.WebSocketException, OSError) as exc:
                self.closed = True
                raise Closed(str(exc)) from None
            if frame == "2":
                self.send("3")
            elif frame == "1" or frame == "":
                self.closed = True
                raise Closed("the hub closed the Engine.IO session")
            elif isinstance(frame, str) and wanted(frame):
                return frame


def _prefix(namespace: str) -> str:
    return "" if namespace == "/" else f"{namespace},"


def _in(rest: str, namespace: str) -> bool:
    """True when a packet's rest names ``namespace`` (the default one is not written)."""
    return rest.startswith(_prefix(namespace)) if namespace != "/" else not rest.startswith("/")
