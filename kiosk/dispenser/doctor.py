"""``motcua doctor``'s checks of a ticket kiosk (the entry ``kiosk`` of ``motcua.doctor``).

``[kiosk]`` is read as the agent reads it (:func:`~kiosk.dispenser.settings.load_kiosk_settings`);
then the hub and the token (:func:`kiosk.kit.doctor.hub_checks`), the printer opened
as the agent opens it (:func:`hardware.printer.open_printer` with the section's
values) and its paper, every GPIO pin, and the keypad built by the agent's own
:func:`~kiosk.dispenser.settings.build_keypad`.
"""

from __future__ import annotations

from pathlib import Path

from config.base import PinId
from config.doctor import Check, failed, hint, passed, within
from config.errors import ConfigError, ConfigProblem
from config.kiosk import KioskSettings, PrinterSettings
from config.wire import DeviceKind
from hardware.errors import HardwareError
from hardware.ports import PrinterStatus
from hardware.printer import open_printer
from kiosk.dispenser.settings import build_keypad, load_kiosk_settings
from kiosk.kit.device_doctor import gpio_checks, keypad_check
from kiosk.kit.doctor import DeviceToken, agent_checks

__all__ = ["checks", "printer_checks"]

AGENT = "kiosk"
PRINTER_TIMEOUT_S = 20.0


def checks(path: Path) -> list[Check]:
    """The kiosk's lines for the configuration file ``path``.

    Raises:
        ConfigError: ``[kiosk]`` is missing or invalid.
    """
    settings, _ = load_kiosk_settings(path)
    token = DeviceToken(settings.token, settings.token_file, DeviceKind.KIOSK)
    lines = agent_checks(AGENT, settings, [token], timeout_s=settings.hub_timeout_s)
    lines += within(
        PRINTER_TIMEOUT_S,
        "printer",
        lambda: printer_checks(settings.printer),
        on_timeout="the printer does not answer: switch it off and on, check its cable",
    )
    buttons, leds = _pins(settings)
    lines += gpio_checks(
        buttons, leds, pull_up=settings.pull_up, debounce_ms=settings.debounce_ms, agent=AGENT
    )
    keypad = settings.keypad
    if keypad is not None:

        def problem(key: str, err: Exception) -> ConfigError:
            return ConfigError(str(path), [ConfigProblem(f"kiosk.{key}", str(err))])

        lines += keypad_check(
            "keypad",
            lambda: build_keypad(keypad, None, problem),
            name=keypad.name,
            path=keypad.path,
            agent=AGENT,
        )
    return lines


def _pins(settings: KioskSettings) -> tuple[dict[str, PinId], dict[str, PinId]]:
    """What each configured pin is: the buttons', then the LEDs'."""
    buttons: dict[str, PinId] = {f"button {b.name}": b.pin for b in settings.buttons}
    leds: dict[str, PinId] = {f"LED of {b.name}": b.led for b in settings.buttons if b.led}
    priority = settings.priority_button
    if priority is not None:
        buttons["priority button"] = priority.pin
        if priority.led is not None:
            leds["LED of the priority button"] = priority.led
    if settings.error_led is not None:
        leds["error LED"] = settings.error_led
    return buttons, leds


def printer_checks(printer: PrinterSettings) -> list[Check]:
    """The printer opens as the agent opens it, and says it has paper."""
    try:
        device = open_printer(printer.kind, **printer.params())
    except ValueError as err:
        return [failed(f"printer: {err}", "correct [kiosk] printer (docs/hardware.md)")]
    except HardwareError as err:
        return [failed(f"printer: {err.message}", _advice(printer))]
    try:
        status = device.status()
    finally:
        device.close()
    name = getattr(device, "name", printer.kind)
    if printer.kind == "fake":
        return [
            hint(
                "printer: a fake one, tickets become PNG images and nothing prints",
                "set [kiosk] printer to the real printer (kind usb, serial, network or file)",
            )
        ]
    return [passed(f"printer {name} opens"), _paper(name, status, printer)]


def _paper(name: str, status: PrinterStatus, printer: PrinterSettings) -> Check:
    if status is PrinterStatus.OK:
        return passed(f"printer {name}: online, paper ok")
    if status is PrinterStatus.PAPER_LOW:
        return hint(f"printer {name}: paper is low", "put a new roll in soon")
    if status is PrinterStatus.PAPER_OUT:
        return failed(
            f"printer {name}: out of paper",
            f"put in a new roll of {printer.paper_mm} mm thermal paper and close the cover",
        )
    if status is PrinterStatus.OFFLINE:
        return failed(
            f"printer {name}: offline",
            "close its cover, clear any paper jam, switch it off and on, check the cable",
        )
    if printer.kind == "file":
        advice = (
            'kind = "file" cannot ask; prefer kind = "usb" with the udev rule (docs/hardware.md)'
        )
    else:
        advice = "it does not answer status queries: look at the roll and print a ticket"
    return hint(f"printer {name}: cannot tell whether it has paper", advice)


def _advice(printer: PrinterSettings) -> str:
    busy = "; a running kiosk holds it: sudo systemctl stop motcua-kiosk"
    if printer.kind == "usb":
        ids = f"{_hex(printer.vendor_id)}:{_hex(printer.product_id)}"
        return (
            f"is it plugged in and on? lsusb must list {ids}; the agent's user needs the udev "
            f"rule that gives it to group lp (docs/hardware.md){busy}"
        )
    if printer.kind == "serial":
        return (
            f"is its cable in (ls -l {printer.port})? the agent's user needs the dialout group "
            f"(sudo usermod -aG dialout motcua){busy}"
        )
    if printer.kind == "network":
        return f"is it on and at {printer.host} (ping it)? it must take raw TCP (port 9100)"
    return (
        f"is {printer.path} there (/dev/usb/lp0 appears when a USB printer is plugged in)? "
        f"the agent's user needs the lp group{busy}"
    )


def _hex(value: int | str | None) -> str:
    """A USB id as lsusb writes it (``0416``)."""
    return f"{value:04x}" if isinstance(value, int) else str(value).lower().removeprefix("0x")
