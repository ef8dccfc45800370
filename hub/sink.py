"""Publishing committed events through Flask-SocketIO.

``queue`` counts change on every ticket and every call; a hall of 200 screens
would receive each change as its own message, competing with the ``call``
messages that must arrive at once. So counts are merged and sent at most every
``QUEUE_FLUSH_S`` seconds, while every other event goes out immediately.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask_socketio import SocketIO

from hub.events import EV_QUEUE, NS_COUNTER, NS_DISPLAY, Event

logger = logging.getLogger(__name__)

QUEUE_FLUSH_S = 0.25


class SocketSink:
    """An :class:`~hub.events.EventSink` over Flask-SocketIO (and Redis when scaled out)."""

    def __init__(self, socketio: SocketIO | None, flush_s: float = QUEUE_FLUSH_S) -> None:
        self.socketio = socketio
        self.flush_s = flush_s
        self._pending: dict[str, int] = {}
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def publish(self, events: list[Event]) -> None:
        if self.socketio is None:
            return
        for ev in events:
            if ev.name == EV_QUEUE and ev.namespace == NS_DISPLAY:
                self._merge(ev.payload.get("waiting", {}))
                continue
            self._emit(ev.name, ev.payload, ev.namespace, ev.room)

    def _emit(self, name: str, payload: dict[str, Any], namespace: str, room: str | None) -> None:
        if self.socketio is None:
            return
        try:
            self.socketio.emit(name, payload, namespace=namespace, to=room)
        except Exception:  # noqa: BLE001 - a broken socket must not fail a committed action
            logger.exception("could not emit %s", name)

    def _merge(self, waiting: dict[str, int]) -> None:
        with self._lock:
            self._pending.update(waiting)
            if self._timer is None:
                self._timer = threading.Timer(self.flush_s, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        """Send the merged counts now (to screens and to staff consoles)."""
        with self._lock:
            waiting, self._pending = self._pending, {}
            self._timer = None
        if waiting:
            payload = {"waiting": waiting}
            self._emit(EV_QUEUE, payload, NS_DISPLAY, None)
            self._emit(EV_QUEUE, payload, NS_COUNTER, "staff")
