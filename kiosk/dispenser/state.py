"""What the kiosk loop (:class:`kiosk.dispenser.loop.Dispenser`) works with.

The events that device callbacks and the touch page put on its queue, the state
that only the loop thread touches, and the answer of one take. Kept apart from
the loop so that the modules which read the state (:mod:`kiosk.dispenser.view`,
:mod:`kiosk.dispenser.hub_link`) need not import the loop.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass, field
from typing import Any

from hardware.ports import PrinterStatus
from kiosk.dispenser.site import SiteInfo

__all__ = [
    "PRINTER_BLOCKING",
    "PRIORITY_BUTTON",
    "STOP",
    "ArmPriority",
    "DispenserState",
    "TakeRequest",
    "TakeResult",
    "take_error",
]

#: Name of the priority button inside the button panel (field ids never start with "*").
PRIORITY_BUTTON = "*priority"
#: Printer states in which no number is asked for: it could not be printed.
PRINTER_BLOCKING = (PrinterStatus.PAPER_OUT, PrinterStatus.OFFLINE)
#: Put on the loop's queue to end the loop.
STOP = object()


@dataclass(frozen=True)
class TakeResult:
    """The answer of one take: HTTP status and JSON body (as the local API sends it)."""

    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when a ticket was printed."""
        return self.status == 201


def take_error(status: int, code: str, message: str, **extra: Any) -> TakeResult:
    """A failed take: ``{"error": {"code", "message", **extra}}`` with ``status``."""
    return TakeResult(status, {"error": {"code": code, "message": message, **extra}})


@dataclass
class TakeRequest:
    """A press or touch asking for a ticket; ``reply`` is set when someone waits for it."""

    service: str
    priority: str | None
    source: str  # "button", "keypad" or "touch"
    at: float
    reply: queue.Queue[TakeResult] | None = None


@dataclass
class ArmPriority:
    """A press of the priority button: the next field press takes a priority ticket."""

    category: str | None


@dataclass
class DispenserState:
    """Everything the loop owns (only the loop thread touches it)."""

    hub_ok: bool | None = None  # None: not yet asked
    hub_error: str = ""
    site: SiteInfo | None = None
    services: list[dict[str, Any]] = field(default_factory=list)
    exhausted: dict[str, str] = field(default_factory=dict)  # field → site day
    printer: PrinterStatus = PrinterStatus.UNKNOWN
    printer_fault: str = ""
    armed: str | None = None
    armed_until: float = 0.0
    busy_until: float = 0.0
    current: dict[str, Any] | None = None
    seq: int = 0
    printed: int = 0
    cancelled: int = 0
    pending_cancels: list[str] = field(default_factory=list)
    unsure: list[tuple[str, str]] = field(default_factory=list)
    """(field, request key) of POST /tickets that got no answer: the hub may have
    issued a number we never printed; it is looked up by key and cancelled."""
    due: dict[str, float] = field(default_factory=dict)
