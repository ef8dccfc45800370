"""What people see of the kiosk loop: the snapshot the touch page polls.

:func:`build_snapshot` draws it from the loop's
:class:`~kiosk.dispenser.state.DispenserState`, on the loop thread; the button
LEDs show the same snapshot (:class:`kiosk.dispenser.devices.PanelLights`).
"""

from __future__ import annotations

from typing import Any

from config.hub import DEFAULT_PRIORITIES
from config.wire import ErrorCode
from hardware.ports import PrinterStatus
from kiosk.dispenser.site import SiteDefaults
from kiosk.dispenser.state import PRINTER_BLOCKING, DispenserState
from kiosk.ticket import text_vi

__all__ = ["HUB_DOWN", "PRINTER_MESSAGES", "build_snapshot", "kiosk_mode"]

#: (Vietnamese, English) shown while the hub cannot be reached.
HUB_DOWN = ("Tạm ngưng cấp số", "Ticket issuing suspended")
#: (Vietnamese, English) shown for a printer state that stops the kiosk.
PRINTER_MESSAGES = {
    PrinterStatus.PAPER_OUT: ("Máy in hết giấy", "Printer out of paper"),
    PrinterStatus.OFFLINE: ("Máy in mất kết nối", "Printer offline"),
}


def kiosk_mode(state: DispenserState) -> str:
    """``"hub_unreachable"``, ``"printer_error"``, ``"ready"`` or ``"starting"``."""
    if state.hub_ok is False:
        return ErrorCode.HUB_UNREACHABLE
    if state.printer in PRINTER_BLOCKING or state.printer_fault:
        return ErrorCode.PRINTER_ERROR
    return "ready" if state.hub_ok else "starting"


def build_snapshot(state: DispenserState, defaults: SiteDefaults, day: str) -> dict[str, Any]:
    """The state the touch page shows (a fresh dict, never changed afterwards).

    Args:
        state: The loop's state.
        defaults: The site as the config file names it, until the hub says otherwise.
        day: The site's date (ISO); a field whose daily limit was reached on that
            day is shown unavailable.
    """
    mode = kiosk_mode(state)
    services = [{**s, "available": state.exhausted.get(s["id"]) != day} for s in state.services]
    message = {
        ErrorCode.HUB_UNREACHABLE: HUB_DOWN,
        ErrorCode.PRINTER_ERROR: PRINTER_MESSAGES.get(
            state.printer, ("Không in được phiếu", "Cannot print tickets")
        ),
    }.get(mode)
    site = state.site
    return {
        "state": mode,
        "message": {"vi": message[0], "en": message[1]} if message else None,
        "printer": state.printer.value,
        "site": {
            "name": site.name if site else defaults.name,
            "timezone": site.timezone if site else defaults.timezone,
        },
        "services": services,
        "priority_categories": [
            {
                "id": c,
                "vi": text_vi.priority_label(c, "vi"),
                "en": text_vi.priority_label(c, "en"),
            }
            for c in (site.priority_categories if site else DEFAULT_PRIORITIES)
        ],
        "armed_priority": state.armed,
        "current": dict(state.current) if state.current else None,
    }
