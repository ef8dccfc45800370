"""What ``motcua doctor`` checks of an agent's devices, claimed as the agent claims them.

- :func:`gpio_checks`: each pin is claimed with the adapters the agents use
  (:class:`~hardware.buttons.GpioButtons`, :class:`~hardware.buttons.GpioIndicator`,
  gpiozero's configured or default pin factory), then released;
- :func:`keypad_check`: the keypad is found and read by the agents' reader
  (:class:`~hardware.keypad.EvdevKeypad`);
- :func:`serial_check`: an LED board's serial line opens
  (:class:`~hardware.led_board.SerialLedBoard`), and nothing is sent to it.

Each runs through :func:`config.doctor.within`, so a dead device makes one ✗ line
after its timeout.
"""

from __future__ import annotations

import errno
import glob
import os
from collections.abc import Callable, Mapping
from typing import Any

from config.base import PinId
from config.doctor import Check, failed, passed, within
from config.errors import ConfigError
from hardware.buttons import GpioButtons, GpioIndicator
from hardware.errors import HardwareError
from hardware.keypad import EvdevKeypad
from hardware.ports import CounterDisplay
from kiosk.kit.doctor import stop_advice

__all__ = ["gpio_checks", "keypad_check", "serial_check"]

KEYPAD_WAIT_S = 3.0
DEVICE_TIMEOUT_S = 10.0


def gpio_checks(
    buttons: Mapping[str, PinId],
    leds: Mapping[str, PinId],
    *,
    pull_up: bool = True,
    debounce_ms: float = 250,
    agent: str,
    pin_factory: Any = None,
) -> list[Check]:
    """Each pin is claimed as the agent claims it, then all are released.

    Args:
        buttons: what each button is (``"button dat-dai"``) → its pin.
        leds: what each LED is (``"error LED"``) → its pin.
        pull_up: the section's ``pull_up``.
        debounce_ms: the section's ``debounce_ms``.
        agent: the agent's command, for the advice (``"kiosk"``).
        pin_factory: a gpiozero pin factory; None for gpiozero's configured or default one.
    """
    if not buttons and not leds:
        return []
    return within(
        DEVICE_TIMEOUT_S,
        "GPIO",
        lambda: _claim(buttons, leds, pull_up, debounce_ms, agent, pin_factory),
    )


def _claim(
    buttons: Mapping[str, PinId],
    leds: Mapping[str, PinId],
    pull_up: bool,
    debounce_ms: float,
    agent: str,
    pin_factory: Any,
) -> list[Check]:
    def button(what: str, pin: PinId) -> GpioButtons:
        options = {"pull_up": pull_up, "debounce_ms": debounce_ms, "pin_factory": pin_factory}
        return GpioButtons({what: pin}, **options)

    def led(what: str, pin: PinId) -> GpioIndicator:
        return GpioIndicator(pin, pin_factory=pin_factory)

    wanted = [(w, p, button) for w, p in buttons.items()] + [(w, p, led) for w, p in leds.items()]
    claimed: list[GpioButtons | GpioIndicator] = []
    free: list[str] = []
    lines: list[Check] = []
    try:
        for what, pin, claim in wanted:
            try:
                claimed.append(claim(what, pin))
                free.append(str(pin))
            except (HardwareError, ValueError) as err:
                lines.append(
                    failed(f"GPIO {pin} ({what}) {_gpio_trouble(err)}", _gpio_advice(err, agent))
                )
    finally:
        for device in claimed:
            device.close()
    if free:
        lines.insert(0, passed(f"GPIO {', '.join(free)} can be claimed ({_factory_name()})"))
    return lines


def _gpio_trouble(err: Exception) -> str:
    """What is wrong with a pin, without the adapter's words about which button it is."""
    if _in_use(err):
        return "is in use"
    return f"cannot be claimed: {err.__cause__ or err}"


def _in_use(err: Exception) -> bool:
    """The pin is held: by a device of this process (gpiozero's GPIOPinInUse) or of another
    one (lgpio's "GPIO busy")."""
    return type(err.__cause__).__name__ == "GPIOPinInUse" or "busy" in str(err).lower()


def _gpio_advice(err: Exception, agent: str) -> str:
    cause = type(err.__cause__).__name__ if err.__cause__ is not None else ""
    if _in_use(err):
        return (
            f"another program holds the pin: stop the agent ({stop_advice(agent)}) or what "
            "else uses it (a HAT, an overlay in /boot/firmware/config.txt), then check again"
        )
    if cause in ("BadPinFactory", "PinFactoryFallback"):
        return (
            "no GPIO library works: install the Pi's extras in motcua's venv "
            "(pip install 'motcua[pi]') and set GPIOZERO_PIN_FACTORY=lgpio"
        )
    if isinstance(err, ValueError):
        return 'write the pin as a BCM number (17) or a gpiozero name ("GPIO17", "BOARD11")'
    return "the agent's user needs the gpio group: sudo usermod -aG gpio motcua"


def _factory_name() -> str:
    # why: gpiozero loads only where GPIO pins are configured
    from gpiozero import Device

    factory = Device.pin_factory
    return type(factory).__name__ if factory is not None else "no pin factory"


def keypad_check(
    label: str,
    make: Callable[[], EvdevKeypad],
    *,
    name: str | None,
    path: str | None,
    agent: str,
) -> list[Check]:
    """The keypad is found and read by the reader ``make`` builds as the agent builds it.

    Args:
        label: how the lines name it (``"keypad"``).
        make: builds the agent's reader, not started (a bad key name: ValueError or
            ConfigError).
        name: the section's ``name`` of the keypad, or
        path: its ``path``.
        agent: the agent's command, for the advice.
    """
    shown = f'"{name}"' if name else str(path)
    return within(
        DEVICE_TIMEOUT_S, label, lambda: _read_keypad(f"{label} {shown}", make, path, agent)
    )


def _read_keypad(
    label: str, make: Callable[[], EvdevKeypad], path: str | None, agent: str
) -> Check:
    try:
        reader = make()
    except (ValueError, ConfigError) as err:
        return failed(
            f"{label}: {err}",
            "write each key as `python -m evdev.evtest` shows it when pressed (e.g. KEY_KP1)",
        )
    try:
        reader.start(lambda command: None)
        if reader.wait_connected(KEYPAD_WAIT_S):
            return passed(f"{label} is there and readable")
    finally:
        reader.close()
    return failed(f"{label}: {_keypad_trouble(path)}", _keypad_advice(agent))


def _keypad_trouble(path: str | None) -> str:
    if path is not None and not os.path.exists(path):
        return "no such device"
    events = [path] if path is not None else glob.glob("/dev/input/event*")
    if any(not os.access(event, os.R_OK) for event in events):
        return "not found among the input devices this user may read"
    return "not found, or held by another program"


def _keypad_advice(agent: str) -> str:
    return (
        "plug it in and see it in `python -m evdev.evtest`; the agent's user needs the input "
        f"group (sudo usermod -aG input motcua); a running agent holds it: {stop_advice(agent)}"
    )


def serial_check(label: str, where: str, board: CounterDisplay) -> list[Check]:
    """The serial line ``where`` of ``board`` opens (and is closed again; nothing is sent)."""
    return within(DEVICE_TIMEOUT_S, label, lambda: _open_line(f"{label} {where}", where, board))


def _open_line(label: str, where: str, board: CounterDisplay) -> Check:
    try:
        board.open()
    except HardwareError as err:
        cause = err.__cause__
        if isinstance(cause, OSError) and cause.errno == errno.EBUSY:
            advice = "another program holds the port: stop it (a running agent too), then check"
        elif "://" in where:
            advice = "is the Ethernet-to-RS-485 converter on, at that address and port?"
        else:
            advice = (
                "plug in the USB-to-RS-485 adapter (ls -l /dev/serial/by-id/); the agent's user "
                "needs the dialout group (sudo usermod -aG dialout motcua)"
            )
        reason = str(err).removeprefix(f"LED boards on {where}: ")
        return failed(f"{label} does not open: {reason}", advice)
    finally:
        board.close()
    return passed(f"{label} opens")
