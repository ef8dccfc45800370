"""Socket.IO namespaces: ``/display`` (screens), ``/devices`` (agents), ``/counter`` (staff),
``/ticket`` (ticket status pages).

Handlers are thin: they check the input, call a service and answer. Bad
input gets an ``{"error": {"code", "message"}}`` answer, never an exception.

Limits: the whole engine.io packet is bounded by ``max_http_buffer_size``
(``hub.app``); each event's arguments are further bounded by
:data:`MAX_EVENT_BYTES` (:class:`display.namespace.BoundedNamespace`) of JSON,
answered with ``message_too_large``.

Who may do what (``tests/hub/pages/test_socket_matrix.py`` proves it):

- ``/display``: anyone may watch (``since``, ``snapshot``); ``ack`` only from a
  client that connected with a ``display`` device's token (checked on every ack).
- ``/devices``: a device token only; no client events.
- ``/counter``: a user token (``auth={"token": …}``) or the page session; the
  token is checked again on every event, so a revoked or expired token stops
  working at once. ``watch`` {counter}: managers and admins any counter; staff
  their own open counter, or a closed one (while picking).
- ``/ticket``: anyone may connect; ``follow`` {ticket} with a ticket's secret id
  (the one in ``/t/<id>``) joins that ticket's room, one ticket per connection, and
  the hub pushes ``ticket`` {change, status} there after each committed change of
  it. The id is the permission, as for ``GET /tickets/{id}``; it never goes out on
  any channel, and the room is named by its digest (:func:`hub.events.ticket_room`).
  Follows are limited per client address (:data:`FOLLOW_LIMIT`).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import request, session
from flask_socketio import SocketIO, disconnect, emit, join_room, leave_room, rooms

from config.wire import NS_TICKET, Role, error_body
from display.namespace import BoundedNamespace, DisplayNamespace
from hub import errors
from hub.booking.ratelimit import RateLimiter
from hub.clock import iso
from hub.context import remote_address
from hub.events import (
    EV_QUEUE,
    EV_RATING_OPEN,
    NS_COUNTER,
    NS_DEVICES,
    counter_room,
    ticket_room,
)
from hub.screens.feed import HubScreenFeed
from hub.ticket_pages import TICKET_ID

logger = logging.getLogger(__name__)

FOLLOW_LIMIT = 30
"""``follow`` events one client address may send in :data:`FOLLOW_WINDOW_S` (a page
sends one per connect; ids are unguessable, this only bounds the lookups)."""
FOLLOW_WINDOW_S = 60.0


class DevicesNamespace(BoundedNamespace):
    """Agents with a device token; pads join their counter's room."""

    def __init__(self, hub: Any) -> None:
        super().__init__(NS_DEVICES)
        self.hub = hub

    def on_connect(self, auth: Any = None) -> bool:
        actor = self.hub.tokens.resolve(_token(auth))
        if actor is None or actor.kind != "device":
            raise ConnectionRefusedError("unauthorized")
        if actor.counter_id:
            join_room(counter_room(actor.counter_id))
            until = self.hub.views.rating_until(actor.counter_id)
            if until is not None and until > self.hub.clock():
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
            # The console page connects with its session cookie; a cookie rides
            # along on any site's request, so insist the page is ours.
            token = (session.get("token") if session else None) or ""
            if token and not _same_origin():
                raise ConnectionRefusedError("cross-site")
        actor = self.hub.tokens.resolve(token)
        if actor is None or actor.kind != "user":
            raise ConnectionRefusedError("unauthorized")
        self._tokens[request.sid] = token  # type: ignore[attr-defined]
        join_room("staff")
        services = [s.id for s in self.hub.config.services]
        emit(EV_QUEUE, {"waiting": self.hub.views.waiting(services)})
        return True

    def on_disconnect(self, reason: Any = None) -> None:
        self._tokens.pop(request.sid, None)  # type: ignore[attr-defined]

    def _actor(self) -> Any:
        """The connected user, re-checked now; disconnects a revoked or expired one."""
        actor = self.hub.tokens.resolve(self._tokens.get(request.sid, ""))  # type: ignore[attr-defined]
        if actor is None or actor.kind != "user":
            disconnect()
            return None
        return actor

    def on_watch(self, data: Any = None) -> Any:
        """Follow one counter's state (its operator, or a manager/admin)."""
        actor = self._actor()
        if actor is None:
            return error_body("unauthorized", "Phiên đăng nhập đã hết hạn")
        counter_id = data.get("counter") if isinstance(data, dict) else None
        if not isinstance(counter_id, str) or self.hub.config.counter(counter_id) is None:
            return error_body("unknown_counter", "Không có quầy này")
        if actor.role == Role.STAFF:
            operator = self.hub.views.operator_of(counter_id)
            if operator is not None and operator != actor.id:
                return error_body("not_your_counter", "Quầy này do cán bộ khác phụ trách")
            # A console follows one counter at a time.
            for room in rooms():
                if room.startswith("counter:") and room != counter_room(counter_id):
                    leave_room(room)
        join_room(counter_room(counter_id))
        return {"ok": True}


class TicketNamespace(BoundedNamespace):
    """Ticket status pages: the changes of the one ticket a connection follows."""

    def __init__(self, hub: Any) -> None:
        super().__init__(NS_TICKET)
        self.hub = hub
        self._follows = RateLimiter()

    def on_follow(self, data: Any = None) -> Any:
        """Follow ``{"ticket": id}`` (instead of any ticket followed before)."""
        ticket_id = data.get("ticket") if isinstance(data, dict) else None
        if not isinstance(ticket_id, str) or not TICKET_ID.match(ticket_id):
            return error_body("invalid_ticket", "Mã phiếu không hợp lệ")
        now = self.hub.clock().timestamp()
        if not self._follows.allow(remote_address(), now, FOLLOW_LIMIT, FOLLOW_WINDOW_S):
            return error_body(errors.TooManyAttempts.code, errors.TooManyAttempts.message)
        try:
            status = self.hub.tickets.ticket(ticket_id)["status"]
        except errors.HubError as err:  # unknown_ticket, or the database away (503's code)
            return error_body(err.code, err.message)
        for room in rooms():
            if room.startswith("ticket:"):
                leave_room(room)
        join_room(ticket_room(ticket_id))
        return {"ok": True, "status": status}


def _token(auth: Any) -> str:
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return auth["token"]
    return ""


def register(socketio: SocketIO, hub: Any) -> None:
    socketio.on_namespace(DisplayNamespace(HubScreenFeed(hub)))
    socketio.on_namespace(DevicesNamespace(hub))
    socketio.on_namespace(CounterNamespace(hub))
    socketio.on_namespace(TicketNamespace(hub))
