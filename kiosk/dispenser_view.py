"""What people see of the kiosk loop: the touch page's snapshot and the panel's lights.

Both are drawn from the loop's :class:`~kiosk.dispenser_state.DispenserState`,
on the loop thread: :func:`build_snapshot` makes the dict the touch page polls,
and :class:`PanelLights` shows the same snapshot on the button LEDs.

Lights: field buttons lit steadily when a press works and dark when it does
not; the pressed one blinks while its ticket prints. The error LED is dark
when all is well, blinks the ``error`` pattern on a printer fault and is lit
steadily while the hub is unreachable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from hardware.ports import Indicator, PrinterStatus
from kiosk.dispenser_state import PRINTER_BLOCKING, PRIORITY_BUTTON, DispenserState
from kiosk.settings import SiteDefaults
from kiosk.ticket import text_vi

__all__ = [
    "HUB_DOWN",
    "PRINTER_MESSAGES",
    "PanelLights",
    "build_snapshot",
    "firewall",
    "kiosk_mode",
]

logger = logging.getLogger(__name__)

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
        return "hub_unreachable"
    if state.printer in PRINTER_BLOCKING or state.printer_fault:
        return "printer_error"
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
        "hub_unreachable": HUB_DOWN,
        "printer_error": PRINTER_MESSAGES.get(
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
            for c in (site.priority_categories if site else text_vi.PRIORITY_LABELS)
        ],
        "armed_priority": state.armed,
        "current": dict(state.current) if state.current else None,
    }


class PanelLights:
    """The LEDs in the kiosk's buttons and its error LED, driven from the loop thread.

    Args:
        leds: Button name (as in the button panel) → the LED inside it.
        error_led: The fault LED, if any.
    """

    def __init__(self, leds: Mapping[str, Indicator], error_led: Indicator | None) -> None:
        self.leds = leds
        self.error_led = error_led
        self._shown: dict[int, str] = {}

    def show(self, snapshot: dict[str, Any]) -> None:
        """Show on the panel what ``snapshot`` (from :func:`build_snapshot`) shows."""
        mode = snapshot["state"]
        exhausted = {s["id"] for s in snapshot["services"] if not s["available"]}
        busy = snapshot["current"] or {}
        for name, led in self.leds.items():
            if name == PRIORITY_BUTTON:
                self._led(led, "on" if snapshot["armed_priority"] and mode == "ready" else "off")
            elif mode != "ready" or name.partition(":")[0] in exhausted:
                self._led(led, "off")
            elif busy.get("phase") in ("issuing", "printing") and busy.get("button") == name:
                self._led(led, "busy")
            else:
                self._led(led, "ready")
        if self.error_led is not None:
            wanted = {"hub_unreachable": "on", "printer_error": "error"}.get(mode, "off")
            self._led(self.error_led, wanted)

    def button_name(self, service: str, priority: str | None) -> str:
        """The button whose LED shows a take of ``service`` (with ``priority``)."""
        name = f"{service}:{priority}"
        return name if name in self.leds else service

    def blink_error(self) -> None:
        """Blink the error LED at once (a printer fault), before the next snapshot."""
        if self.error_led is not None:
            self._led(self.error_led, "error")

    def _led(self, led: Indicator, wanted: str) -> None:
        # Re-sending the same pattern would restart its blink; only changes go out.
        if self._shown.get(id(led)) == wanted:
            return
        self._shown[id(led)] = wanted
        if wanted == "on":
            firewall("LED on", led.on)
        elif wanted == "off":
            firewall("LED off", led.off)
        else:
            firewall("LED blink", lambda: led.blink(wanted))


def firewall(what: str, action: Callable[[], Any]) -> None:
    """Run one device call; a device fault is logged, never allowed to stop the agent."""
    try:
        action()
    except Exception as err:  # e.g. termios.error from a vanished tty on close
        logger.warning("%s failed: %s", what, err)
