"""Socket.IO namespaces: ``/display`` (screens), ``/devices`` (agents), ``/counter`` (staff).

Handlers are thin: they check the input, call a service and answer. Bad
input gets an ``{"error": {"code", "message"}}`` answer, never an exception.

Limits: the whole engine.io packet is bounded by ``max_http_buffer_size``
(``hub.app``); each event's arguments are further bounded by
:data:`MAX_EVENT_BYTES` of JSON, answered with ``message_too_large``.

Who may do what (``tests/hub/pages/test_socket_matrix.py`` proves it):

- ``/display``: anyone (read-only screens); events ``since``, ``snapshot``, ``ack``.
- ``/devices``: a device token only; no client events.
- ``/counter``: a user token (``auth={"token": …}``) or the page session; the
  token is checked again on every event, so a revoked or expired token stops
  working at once. ``watch`` {counter}: managers and admins any counter; staff
  their own open counter, or a closed one (while picking).
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from flask import request
from flask_socketio import Namespace, SocketIO, disconnect, emit, join_room, leave_room, rooms
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
#: Upper bound of one event's arguments, as JSON (the hub's events are tiny).
MAX_EVENT_BYTES = 4096
LIFECYCLE_EVENTS = ("connect", "disconnect")


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _token(auth: Any) -> str:
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return auth["token"]
    return ""


def _too_large(args: tuple[Any, ...]) -> bool:
    try:
        size = len(json.dumps(args, default=str))
    except (TypeError, ValueError):
        return True
    return size > MAX_EVENT_BYTES


class BoundedNamespace(Namespace):
    """A namespace that refuses oversized event arguments before any handler runs."""

    def trigger_event(self, event: str, *args: Any) -> Any:
        # args[0] is the client's sid; the rest is what the client sent.
        if event not in LIFECYCLE_EVENTS and _too_large(args[1:]):
            logger.warning(
                "refused a %s event over %d bytes on %s", event, MAX_EVENT_BYTES, self.namespace
            )
            return _error("message_too_large", "Thông điệp quá lớn")
        return super().trigger_event(event, *args)


class DisplayNamespace(BoundedNamespace):
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


class DevicesNamespace(BoundedNamespace):
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


def _same_origin() -> bool:
    """False when a browser says the handshake comes from another site."""
    origin = request.headers.get("Origin")
    if not origin:
        return True  # not a browser (agents, tests): nothing to forge with
    return urlsplit(origin).netloc == request.host


class CounterNamespace(BoundedNamespace):
    """Staff consoles: queue counts for everyone, counter state for its operator."""

    def __init__(self, hub: Any) -> None:
        super().__init__(NS_COUNTER)
        self.hub = hub
        # sid -> the token the client connected with, checked again on each event.
        self._tokens: dict[str, str] = {}

    def on_connect(self, auth: Any = None) -> bool:
        token = _token(auth)
        if not token:
            from flask import session

            # The console page connects with its session cookie; a cookie rides
            # along on any site's request, so insist the page is ours.
            token = (session.get("token") if session else None) or ""
            if token and not _same_origin():
                raise ConnectionRefusedError("cross-site")
        actor = self.hub.auth.resolve(token)
        if actor is None or actor.kind != "user":
            raise ConnectionRefusedError("unauthorized")
        self._tokens[request.sid] = token  # type: ignore[attr-defined]
        join_room("staff")
        services = [s.id for s in self.hub.config.services]
        with read(self.hub.engine) as conn:
            from hub.store import queries

            emit(EV_QUEUE, {"waiting": queries.waiting_counts(conn, services)})
        return True

    def on_disconnect(self, reason: Any = None) -> None:
        self._tokens.pop(request.sid, None)  # type: ignore[attr-defined]

    def _actor(self) -> Any:
        """The connected user, re-checked now; disconnects a revoked or expired one."""
        actor = self.hub.auth.resolve(self._tokens.get(request.sid, ""))  # type: ignore[attr-defined]
        if actor is None or actor.kind != "user":
            disconnect()
            return None
        return actor

    def on_watch(self, data: Any = None) -> Any:
        """Follow one counter's state (its operator, or a manager/admin)."""
        actor = self._actor()
        if actor is None:
            return _error("unauthorized", "Phiên đăng nhập đã hết hạn")
        counter_id = data.get("counter") if isinstance(data, dict) else None
        if not isinstance(counter_id, str) or self.hub.config.counter(counter_id) is None:
            return _error("unknown_counter", "Không có quầy này")
        if actor.role == "staff":
            with read(self.hub.engine) as conn:
                state = conn.execute(
                    select(counter_state.c.status, counter_state.c.user_id).where(
                        counter_state.c.counter_id == counter_id
                    )
                ).first()
            if state is not None and state.status == "open" and state.user_id != actor.id:
                return _error("not_your_counter", "Quầy này do cán bộ khác phụ trách")
            # A console follows one counter at a time.
            for room in rooms():
                if room.startswith("counter:") and room != counter_room(counter_id):
                    leave_room(room)
        join_room(counter_room(counter_id))
        return {"ok": True}


def register(socketio: SocketIO, hub: Any) -> None:
    socketio.on_namespace(DisplayNamespace(hub))
    socketio.on_namespace(DevicesNamespace(hub))
    socketio.on_namespace(CounterNamespace(hub))
