"""The ``/display`` Socket.IO namespace: read-only, open to the screens of the LAN.

On connect a screen gets the ``snapshot``; then ``call`` and ``queue`` pushes (sent
by the hub after each commit). A screen may ask ``since {seq}`` (catching up after
a reconnect), ``snapshot``, and send ``ack {seq, kind, screen}``.

Anyone may watch; only a registered screen may write. An ``ack`` counts when the
client connected with the token of a ``display`` device (``auth={"token": …}``;
the call screen page takes it from its URL, ``/display/<screen>?token=…``), and
the token is checked again on each ack, so a revoked or re-keyed device stops
counting at once. Any other client's ack is answered ``unauthorized`` (no token)
or ``bad_token`` and changes nothing: otherwise anybody on the LAN could hide the
managers' "call not shown on any screen" warning. A bad token does not refuse the
connection: the hall screen keeps showing the calls to the citizens.

Limits: each event's arguments are bounded by :data:`MAX_EVENT_BYTES` of JSON,
answered with ``message_too_large``; bad input gets an error answer, never an
exception.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import request
from flask_socketio import Namespace, emit

from config.wire import EV_SNAPSHOT, NS_DISPLAY, error_body
from display.feed import MAX_SEQ, ScreenFeed

logger = logging.getLogger(__name__)

#: Upper bound of one event's arguments, as JSON (the events are tiny).
MAX_EVENT_BYTES = 4096
LIFECYCLE_EVENTS = ("connect", "disconnect")
UNREADABLE_EVENT = "\x00unreadable"
"""What the server's packet reader names an event it cannot read (its JSON, or a
name that is no short string or a reserved one); its argument is the reason."""


def _too_large(args: tuple[Any, ...]) -> bool:
    try:
        size = len(json.dumps(args, default=str))
    except (TypeError, ValueError, RecursionError):  # nested too deeply to write back
        return True
    return size > MAX_EVENT_BYTES


class BoundedNamespace(Namespace):
    """A namespace that refuses oversized event arguments, more than one argument (no
    event of ours takes more) and unreadable events, before any handler runs."""

    def trigger_event(self, event: str, *args: Any) -> Any:
        # args[0] is the client's sid; the rest is what the client sent.
        if event in LIFECYCLE_EVENTS:
            return super().trigger_event(event, *args)
        if _too_large(args[1:]):
            logger.warning(
                "refused a %s event over %d bytes on %s",
                event[:64],
                MAX_EVENT_BYTES,
                self.namespace,
            )
            return error_body("message_too_large", "Thông điệp quá lớn")
        if event == UNREADABLE_EVENT:
            logger.warning("refused an unreadable event on %s: %s", self.namespace, args[1:2])
            return error_body("invalid_event", "Sự kiện không đọc được")
        if len(args) > 2:
            return error_body("invalid_event", "Sự kiện chỉ nhận một tham số")
        return super().trigger_event(event, *args)


class DisplayNamespace(BoundedNamespace):
    """Read-only screens: snapshot on connect, then ``call`` and ``queue`` pushes."""

    def __init__(self, feed: ScreenFeed) -> None:
        super().__init__(NS_DISPLAY)
        self.feed = feed
        # sid -> the token a client connected with (checked again on each ack).
        self._tokens: dict[str, str] = {}

    def on_connect(self, auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if isinstance(token, str) and token:
            self._tokens[request.sid] = token  # type: ignore[attr-defined]
            if self.feed.screen_device(token) is None:
                logger.warning(
                    "a screen at %s connected to %s with a token of no display device; "
                    "its acknowledgements will not count",
                    request.remote_addr,
                    NS_DISPLAY,
                )
        emit(EV_SNAPSHOT, self.feed.snapshot())

    def on_disconnect(self, reason: Any = None) -> None:
        self._tokens.pop(request.sid, None)  # type: ignore[attr-defined]

    def on_since(self, data: Any = None) -> Any:
        """Calls after ``{"seq": n}``, oldest first (a screen catching up)."""
        seq = data.get("seq") if isinstance(data, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < MAX_SEQ:
            return error_body("invalid_seq", "seq phải là số nguyên không âm")
        return {"calls": self.feed.calls_after(seq)}

    def on_snapshot(self, data: Any = None) -> Any:
        return self.feed.snapshot()

    def on_ack(self, data: Any = None) -> Any:
        """A registered screen reports a call as ``shown`` or ``spoken``."""
        token = self._tokens.get(request.sid)  # type: ignore[attr-defined]
        if token is None:
            return error_body(
                "unauthorized", "Chỉ màn hình đã đăng ký (thiết bị display) mới được xác nhận"
            )
        if self.feed.screen_device(token) is None:
            return error_body(
                "bad_token", "Mã thiết bị của màn hình không hợp lệ hoặc đã bị thu hồi"
            )
        if not isinstance(data, dict):
            return error_body("invalid_ack", "ack cần {seq, kind, screen}")
        return self.feed.record_ack(data)
