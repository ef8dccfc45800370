"""Names the hub and the agents share on the wire, each defined once.

The hub emits these Socket.IO events and answers these error codes; the agents
(which never import the hub) listen for and test the same names from here.
"""

from __future__ import annotations

from enum import StrEnum

# --------------------------------------------------------------- Socket.IO
NS_DISPLAY = "/display"
"""Read-only namespace of the hall screens (and the display agent)."""
NS_DEVICES = "/devices"
"""Namespace of the agents; a device token is required."""
NS_COUNTER = "/counter"
"""Namespace of the staff consoles; a user token or the page session is required."""
NS_TICKET = "/ticket"
"""Namespace of the ticket status pages: a client follows one ticket by its secret id."""

EV_SNAPSHOT = "snapshot"
EV_CALL = "call"
EV_QUEUE = "queue"
EV_COUNTER = "counter"
EV_COUNTER_STATUS = "counter_status"
"""``/display``: a counter opened, closed, paused or resumed (``{id, name, status, paused}``)."""
EV_RATING_OPEN = "rating_open"
EV_RATING_CLOSE = "rating_close"
EV_TICKET = "ticket"
"""On ``/ticket``: the followed ticket changed (``{change, status}``)."""
# Events a client sends.
EV_SINCE = "since"
EV_ACK = "ack"
EV_WATCH = "watch"
EV_FOLLOW = "follow"
"""On ``/ticket``: follow the ticket ``{ticket: id}`` (its secret id, as in ``/t/<id>``)."""
TICKET_CHANGES = (
    "called", "recalled", "done", "no_show", "transferred", "cancelled", "expired", "rated",
)  # fmt: skip
"""The ``change`` of a ``ticket`` event: the kind of the ticket's event-log row, or
``rated`` once a rating of the ticket is stored (from either channel)."""

ACK_SHOWN = "shown"
"""A screen (or a board) showed the call."""
ACK_SPOKEN = "spoken"
"""A loudspeaker said the call."""
ACK_KINDS = (ACK_SHOWN, ACK_SPOKEN)
"""What a screen acknowledges of a call."""


# ------------------------------------------------------------ who is who
class Role(StrEnum):
    """A user's role."""

    STAFF = "staff"
    MANAGER = "manager"
    ADMIN = "admin"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)


class DeviceKind(StrEnum):
    """The kind of a registered device (its token's scope)."""

    KIOSK = "kiosk"
    RATING_PAD = "rating-pad"
    DISPLAY = "display"
    COUNTER_KEYPAD = "counter-keypad"
    HUB = "hub"
    """A downstream hub forwarding its ratings (``motcua upstream link``)."""


DEVICE_KINDS: tuple[str, ...] = tuple(k.value for k in DeviceKind if k is not DeviceKind.HUB)
"""The kinds an administrator registers with ``motcua device add``."""
COUNTER_BOUND_KINDS: tuple[str, ...] = (DeviceKind.RATING_PAD, DeviceKind.COUNTER_KEYPAD)
"""Device kinds that belong to one counter."""


# ------------------------------------------------------------- error codes
class ErrorCode(StrEnum):
    """Error codes of ``{"error": {"code", …}}`` that agents act upon."""

    HUB_UNREACHABLE = "hub_unreachable"
    PRINTER_ERROR = "printer_error"
    DAILY_LIMIT_REACHED = "daily_limit_reached"
    UNKNOWN_SERVICE = "unknown_service"
    UNKNOWN_TICKET = "unknown_ticket"
    CANCEL_NOT_WAITING = "cancel_not_waiting"
    NO_TICKET = "no_ticket"
    ALREADY_RATED = "already_rated"
    NOT_SERVED = "not_served"
    COUNTER_CLOSED = "counter_closed"
    COUNTER_PAUSED = "counter_paused"
    NO_CURRENT_TICKET = "no_current_ticket"
    NOT_YOUR_COUNTER = "not_your_counter"


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    """The one shape of an error, on HTTP and Socket.IO alike:
    ``{"error": {"code": "snake_case_code", "message": "…"}}``."""
    return {"error": {"code": code, "message": message}}
