"""Socket.IO namespaces: ``/display`` (screens), ``/devices`` (agents), ``/counter`` (staff).

Handlers are thin: they check the input, call a service and answer. Bad
input gets an ``{"error": {"code", "message"}}`` answer, never an exception.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_socketio import Namespace, SocketIO, emit, join_room
from sqlalchemy import select

from hub.events import (
    EV_QUEUE,
    EV_RATING_OPEN,
    EV_SNAPSHOT,
    NS_COUNTER,
    NS_DEVICES,
    NS_DISPLAY,
    counter_room,
)
from hub.queue_service import iso
from hub.store.db import read
from hub.store.tables import counter_state

logger = logging.getLogger(__name__)

MAX_INT = 2**53


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _token(auth: Any) -> str:
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return auth["token"]
    return ""


class DisplayNamespace(Namespace):
    """Read-only screens: snapshot on connect, then ``call`` and ``queue`` pushes."""

    def __init__(self, hub: Any) -> None:
        super().__init__(NS_DISPLAY)
        self.hub = hub

    def on_connect(self, auth: Any = None) -> None:
        emit(EV_SNAPSHOT, self.hub.queue.snapshot())

    def on_since(self, data: Any = None) -> Any:
        """Calls after ``{"seq": n}``, oldest first (a screen catching up)."""
        seq = data.get("seq") if isinstance(data, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < MAX_INT:
            return _error("invalid_seq", "seq phải là số nguyên không âm")
        return {"calls": self.hub.queue.calls_after(seq)}

    def on_snapshot(self, data: Any = None) -> Any:
        return self.hub.queue.snapshot()

    def on_ack(self, data: Any = None) -> Any:
        """A screen reports a call as ``shown`` or ``spoken``."""
        from hub.screens import record_ack

        if not isinstance(data, dict):
            return _error("invalid_ack", "ack cần {seq, kind, screen}")
        return record_ack(self.hub, data)


class DevicesNamespace(Namespace):
    """Agents with a device token; pads join their counter's room."""

    def __init__(self, hub: Any) -> None:
        super().__init__(NS_DEVICES)
        self.hub = hub

    def on_connect(self, auth: Any = None) -> bool:
        actor = self.hub.auth.resolve(_token(auth))
        if actor is None or actor.kind != "device":
            raise ConnectionRefusedError("unauthorized")
        if actor.counter_id:
            join_room(counter_room(actor.counter_id))
            with read(self.hub.engine) as conn:
                until = conn.execute(
                    select(counter_state.c.rating_until).where(
                        counter_state.c.counter_id == actor.counter_id
                    )
                ).scalar()
            if until is not None and until > self.hub.queue.clock():
                emit(EV_RATING_OPEN, {"counter": actor.counter_id, "until": iso(until)})
        logger.info("device %s connected from %s", actor.name, request.remote_addr)
        return True


class CounterNamespace(Namespace):
    """Staff consoles: queue counts for everyone, counter state for its operator."""

    def __init__(self, hub: Any) -> None:
        super().__init__(NS_COUNTER)
        self.hub = hub

    def on_connect(self, auth: Any = None) -> bool:
        actor = self.hub.auth.resolve(_token(auth))
        if actor is None:
            from flask import session

            user_token = session.get("token") if session else None
            actor = self.hub.auth.resolve(user_token or "")
        if actor is None or actor.kind != "user":
            raise ConnectionRefusedError("unauthorized")
        join_room("staff")
        services = [s.id for s in self.hub.config.services]
        with read(self.hub.engine) as conn:
            from hub.store import queries

            emit(EV_QUEUE, {"waiting": queries.waiting_counts(conn, services)})
        return True

    def on_watch(self, data: Any = None) -> Any:
        """Follow one counter's state (its operator, or a manager/admin)."""
        counter_id = data.get("counter") if isinstance(data, dict) else None
        if not isinstance(counter_id, str) or self.hub.config.counter(counter_id) is None:
            return _error("unknown_counter", "Không có quầy này")
        join_room(counter_room(counter_id))
        return {"ok": True}


def register(socketio: SocketIO, hub: Any) -> None:
    socketio.on_namespace(DisplayNamespace(hub))
    socketio.on_namespace(DevicesNamespace(hub))
    socketio.on_namespace(CounterNamespace(hub))
