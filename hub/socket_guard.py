"""Socket.IO input the libraries cannot read ends its connection with one log line.

python-engineio decodes each WebSocket frame into an Engine.IO packet, and
python-socketio each message into a Socket.IO packet it then dispatches. What they
cannot decode or dispatch raises, and each such frame logged a traceback (or
several): an empty text frame, JSON nested thousands of levels deep, a packet cut
short or of no known type, an event named by a number or by a reserved name
(``connect``, ``disconnect``: a client sending them ran the hub's connect handler
again), a binary attachment that no packet announced or that its placeholders do
not fit, a client's CONNECT_ERROR. An event is still answered, with an error body,
as any bad event; a packet that is no Socket.IO at all comes from a broken or
hostile client, and its connection is closed with one warning line (as a
malformed HTTP request gets a 400); the hub goes on serving everyone else.

- :class:`HubPacket` is the packet class (python-socketio's ``serializer``): it
  reads strict JSON (:mod:`hub.jsonio`); an event it cannot read, or whose name is
  no string, too long or reserved, reaches its namespace as
  :data:`~display.namespace.UNREADABLE_EVENT` and is answered with an error body,
  as any bad event; any other packet it cannot read raises
  :class:`UnreadablePacket`;
- :func:`guard_messages` wraps python-socketio's Engine.IO message handler: a
  ``ValueError`` (:class:`UnreadablePacket` or python-socketio's own) closes the
  connection;
- :func:`guard_frames` ends a WebSocket whose frame python-engineio itself cannot
  decode, as if the client had closed it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from engineio import packet as eio_packet
from socketio import packet as sio_packet

from display.namespace import UNREADABLE_EVENT
from hub import jsonio

logger = logging.getLogger(__name__)

RESERVED_EVENTS = frozenset({"connect", "connect_error", "disconnect", "__disconnect_final"})
"""Event names Socket.IO keeps for itself: a client may not send them."""
MAX_EVENT_NAME = 64
_DECODING_ERRORS = (ValueError, TypeError, IndexError, KeyError, RecursionError)
_PACKET_TYPES = range(len(sio_packet.packet_names))


class UnreadablePacket(ValueError):
    """A Socket.IO packet the hub cannot read or dispatch."""


class _Unreadable:
    """What :class:`_LenientJson` reads from JSON it cannot read: the reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _LenientJson:
    """The JSON a packet is read with: strict (:mod:`hub.jsonio`), and what it cannot
    read becomes an :class:`_Unreadable` for :meth:`HubPacket.decode` to judge."""

    @staticmethod
    def loads(text: str | bytes, **_: Any) -> Any:
        try:
            return jsonio.loads(text)
        except ValueError as err:
            return _Unreadable(_summary(err))

    @staticmethod
    def dumps(value: Any, **options: Any) -> str:
        return json.dumps(value, **options)


class HubPacket(sio_packet.Packet):  # type: ignore[misc]  # python-socketio is untyped
    """python-socketio's packet, for what the hub cannot read: an event becomes
    :data:`~display.namespace.UNREADABLE_EVENT` (answered with an error body, as any bad
    event); any other packet raises :class:`UnreadablePacket` (its connection closes)."""

    json = _LenientJson

    def decode(self, encoded_packet: str | bytes) -> int:
        try:
            count = int(super().decode(encoded_packet) or 0)
        except _DECODING_ERRORS as err:
            raise UnreadablePacket(_summary(err)) from None
        if self.packet_type not in _PACKET_TYPES:
            raise UnreadablePacket(f"no packet type {self.packet_type!r}")
        if self.packet_type in (sio_packet.EVENT, sio_packet.BINARY_EVENT):
            problem = _event_problem(self.data)
            if problem is not None:
                self.data = [UNREADABLE_EVENT, problem]
        elif isinstance(self.data, _Unreadable):
            raise UnreadablePacket(self.data.reason)
        elif self.packet_type in (sio_packet.ACK, sio_packet.BINARY_ACK):
            if not isinstance(self.data, list):
                raise UnreadablePacket("an acknowledgement without a list of arguments")
        return count

    @classmethod
    def reconstruct_binary(cls, data: Any, attachments: list[bytes]) -> Any:
        try:
            return super().reconstruct_binary(data, attachments)
        except _DECODING_ERRORS as err:
            raise UnreadablePacket(f"attachments that do not fit: {_summary(err)}") from None


def _event_problem(data: Any) -> str | None:
    """Why an event packet's data cannot be dispatched, or None."""
    if isinstance(data, _Unreadable):
        return data.reason
    if not isinstance(data, list) or not data:
        return "an event without a name"
    name = data[0]
    if not isinstance(name, str) or len(name) > MAX_EVENT_NAME:
        return "an event whose name is no short string"
    if name in RESERVED_EVENTS:
        return f"the reserved event name {name!r}"
    return None


def _summary(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"[:200]


def guard_messages(server: Any) -> None:
    """Make ``server`` (a python-socketio server) close the connection of a client whose
    message it cannot read or dispatch, with one warning line."""
    handle = server._handle_eio_message  # the handler python-socketio registered

    def guarded(eio_sid: str, data: str | bytes) -> None:
        try:
            if not data:  # python-socketio would dispatch it as an event of no data
                raise UnreadablePacket("an empty message")
            handle(eio_sid, data)
        except ValueError as err:
            server._binary_packet.pop(eio_sid, None)  # an attachment it waited for
            logger.warning(
                "closed a Socket.IO connection that sent an unreadable packet (%s)",
                str(err)[:200],
            )
            server.eio.disconnect(eio_sid)

    server.eio.on("message", guarded)


def guard_frames(server: Any) -> None:
    """Make ``server`` (a python-socketio server) end a WebSocket whose frame
    python-engineio cannot decode (an empty text frame, bad base64, a type that is no
    digit, JSON nested thousands of levels deep) as if the client had closed it, with
    one line: engine.io's WebSocket loop decodes outside its error handling, so the
    error escaped it, skipped its cleanup and was logged as a traceback."""
    eio = server.eio
    plain = eio._async["websocket"]  # the WebSocket class of the async mode's driver

    class GuardedWebSocket(plain):  # type: ignore[misc, valid-type]
        def wait(self) -> Any:
            frame = super().wait()
            if frame is None:
                return None
            try:
                eio_packet.Packet(encoded_packet=frame)  # what engine.io's loop does next
            except _DECODING_ERRORS as err:
                logger.warning(
                    "closed a Socket.IO WebSocket that sent an unreadable frame (%s)",
                    _summary(err),
                )
                return None  # engine.io ends the connection as if the client closed it
            return frame

    eio._async = {**eio._async, "websocket": GuardedWebSocket}  # this server's only
