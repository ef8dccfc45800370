"""The kiosk's lights: the LEDs in its buttons and its error LED.

:class:`PanelLights` shows the loop's snapshot (:func:`kiosk.dispenser.view.build_snapshot`)
on them, from the loop thread. Field buttons are lit steadily when a press works
and dark when it does not; the pressed one blinks while its ticket prints. The
error LED is dark when all is well, blinks the ``error`` pattern on a printer
fault and is lit steadily while the hub is unreachable. Every LED call goes
through the agent's firewall: a faulty LED is logged, never stops the kiosk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.wire import ErrorCode
from hardware.ports import Indicator
from kiosk.dispenser.state import PRIORITY_BUTTON
from kiosk.kit.runner import Firewall

__all__ = ["PanelLights"]


class PanelLights:
    """The LEDs in the kiosk's buttons and its error LED, driven from the loop thread.

    Args:
        leds: Button name (as in the button panel) → the LED inside it.
        error_led: The fault LED, if any.
        firewall: The agent's firewall, through which every LED call goes.
    """

    def __init__(
        self, leds: Mapping[str, Indicator], error_led: Indicator | None, firewall: Firewall
    ) -> None:
        self.leds = leds
        self.error_led = error_led
        self.firewall = firewall
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
            wanted = {ErrorCode.HUB_UNREACHABLE: "on", ErrorCode.PRINTER_ERROR: "error"}.get(
                mode, "off"
            )
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
            self.firewall.call("LED on", led.on)
        elif wanted == "off":
            self.firewall.call("LED off", led.off)
        else:
            self.firewall.call("LED blink", lambda: led.blink(wanted))
