"""Events the hub announces after a transaction commits.

Services collect :class:`Event` objects while they work and hand them to an
:class:`EventSink` only once the database has committed, so a screen never
shows a call that a crash could still undo.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from config.wire import (
    EV_CALL,
    EV_COUNTER,
    EV_QUEUE,
    EV_RATING_CLOSE,
    EV_RATING_OPEN,
    EV_SNAPSHOT,
    NS_COUNTER,
    NS_DEVICES,
    NS_DISPLAY,
)

logger = logging.getLogger(__name__)

__all__ = [
    "EV_CALL",
    "EV_COUNTER",
    "EV_QUEUE",
    "EV_RATING_CLOSE",
    "EV_RATING_OPEN",
    "EV_SNAPSHOT",
    "NS_COUNTER",
    "NS_DEVICES",
    "NS_DISPLAY",
    "Event",
    "EventSink",
    "MemorySink",
    "counter_room",
]


@dataclass(frozen=True)
class Event:
    """One Socket.IO message to send: name, payload, namespace and optional room."""

    name: str
    payload: dict[str, Any]
    namespace: str
    room: str | None = None


class EventSink(Protocol):
    """Where committed events go (Flask-SocketIO in the server, a list in tests)."""

    def publish(self, events: list[Event]) -> None: ...


@dataclass
class MemorySink:
    """Keeps published events in memory (tests and command-line tools)."""

    events: list[Event] = field(default_factory=list)

    def publish(self, events: list[Event]) -> None:
        self.events.extend(events)


def counter_room(counter_id: str) -> str:
    """The ``/devices`` and ``/counter`` room of one counter."""
    return f"counter:{counter_id}"
