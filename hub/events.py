"""Events the hub announces after a transaction commits.

Services collect :class:`Event` objects while they work and hand them to an
:class:`EventSink` only once the database has committed, so a screen never
shows a call that a crash could still undo.
"""

from __future__ import annotations

import hashlib
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
    EV_TICKET,
    NS_COUNTER,
    NS_DEVICES,
    NS_DISPLAY,
    NS_TICKET,
)

logger = logging.getLogger(__name__)

__all__ = [
    "EV_CALL",
    "EV_COUNTER",
    "EV_QUEUE",
    "EV_RATING_CLOSE",
    "EV_RATING_OPEN",
    "EV_SNAPSHOT",
    "EV_TICKET",
    "NS_COUNTER",
    "NS_DEVICES",
    "NS_DISPLAY",
    "NS_TICKET",
    "Event",
    "EventSink",
    "MemorySink",
    "counter_room",
    "ticket_event",
    "ticket_room",
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


def ticket_room(ticket_id: str) -> str:
    """The ``/ticket`` room of one ticket's holders.

    Named by a digest of the id, not the id: room names travel between the hub's
    processes (Redis) and may be logged, and the id is the holder's secret.
    """
    return "ticket:" + hashlib.sha256(ticket_id.encode()).hexdigest()[:32]


def ticket_event(ticket_id: str, change: str, status: str) -> Event:
    """The ``ticket`` event to the holders of ``ticket_id``: what changed (``called``,
    ``done``, ``rated``…, see :data:`config.wire.TICKET_CHANGES`) and its status now."""
    return Event(EV_TICKET, {"change": change, "status": status}, NS_TICKET, ticket_room(ticket_id))
