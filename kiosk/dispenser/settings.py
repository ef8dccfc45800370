"""The kiosk agent's settings: the ``[kiosk]`` section (:mod:`config.kiosk`) read from
its file, and the devices it names built into a :class:`~kiosk.dispenser.loop.Dispenser`.

:func:`load_kiosk_settings` reads the file once: ``[kiosk]`` through the one
loader (file, key, "did you mean"; relative paths from the file's folder) and
``[site]``, if the file has it, for what tickets say until the hub answers.
:func:`build_agent` opens the devices and returns the agent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from config import kiosk
from config.errors import ConfigError, ConfigProblem
from config.kiosk import KeypadSettings, KioskSettings
from config.loader import parse_section, read_toml
from config.tokens import read_token
from hardware.buttons import GpioButtons, GpioIndicator
from hardware.errors import DeviceUnavailable
from hardware.keypad import EvdevKeypad
from hardware.ports import Indicator
from hardware.printer import build_printer, open_printer
from kiosk.dispenser.loop import Dispenser
from kiosk.dispenser.site import SiteDefaults
from kiosk.dispenser.state import PRIORITY_BUTTON
from kiosk.kit.hub_client import HubClient

__all__ = ["build_agent", "build_keypad", "load_kiosk_settings"]

logger = logging.getLogger(__name__)

_COMMAND = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}(:[a-z0-9][a-z0-9_-]{0,63})?$")
Problem = Callable[[str, Exception], ConfigError]


def load_kiosk_settings(path: str | Path) -> tuple[KioskSettings, SiteDefaults]:
    """Read ``[kiosk]`` (and ``[site]`` if the file has it) from one TOML file.

    Relative ``token_file``, ``printer.path``, ``printer.out_dir`` and
    ``ticket.logo`` are taken from the file's folder.

    Raises:
        ConfigError: The file is unreadable, the section is missing or invalid.
    """
    name = str(path)
    raw = read_toml(path)
    settings = parse_section(raw, "kiosk", name, KioskSettings, kiosk.PATHS)
    site = raw.get("site") if isinstance(raw.get("site"), dict) else {}
    defaults = SiteDefaults(
        name=str(site.get("name", "")),
        timezone=str(site.get("timezone", "Asia/Ho_Chi_Minh")),
        public_url=str(site["public_url"]).rstrip("/") if site.get("public_url") else None,
    )
    return settings, defaults


def build_agent(
    settings: KioskSettings,
    site: SiteDefaults | None = None,
    *,
    config_path: str = "<kiosk>",
    pin_factory: Any = None,
    keypad_opener: Any = None,
) -> Dispenser:
    """Build the :class:`~kiosk.dispenser.loop.Dispenser` and the adapters the section names.

    The printer is opened here once (:func:`hardware.printer.open_printer`); if
    it cannot be, the agent starts anyway, says so, and keeps trying.

    Args:
        settings: The validated section.
        site: Site defaults from the same file.
        config_path: For error messages.
        pin_factory: A gpiozero pin factory (tests pass ``MockFactory``), else the default.
        keypad_opener: Returns an open evdev device (tests pass a pipe-backed one).

    Raises:
        ConfigError: The token file, the CA file, a pin name or a keymap is unusable.
        DeviceUnavailable: GPIO pins cannot be claimed.
    """

    def problem(key: str, err: Exception) -> ConfigError:
        return ConfigError(config_path, [ConfigProblem(f"kiosk.{key}", str(err))])

    try:
        token = read_token(settings.token, settings.token_file)
    except ValueError as err:
        raise problem("token_file", err) from None
    try:
        client = HubClient(
            settings.hub_url, token, timeout_s=settings.hub_timeout_s, ca_file=settings.ca_file
        )
    except ValueError as err:
        raise problem("ca_file", err) from None
    params = settings.printer.params()
    try:
        printer = open_printer(settings.printer.kind, **params)
    except DeviceUnavailable as err:
        printer = build_printer(settings.printer.kind, **params)
        logger.warning("printer not ready at start: %s", err.message)
    except ValueError as err:
        raise problem("printer", err) from None
    pins = {b.name: b.pin for b in settings.buttons}
    led_pins = {b.name: b.led for b in settings.buttons if b.led is not None}
    if settings.priority_button is not None:
        pins[PRIORITY_BUTTON] = settings.priority_button.pin
        if settings.priority_button.led is not None:
            led_pins[PRIORITY_BUTTON] = settings.priority_button.led
    buttons = error_led = keypad = None
    leds: dict[str, Indicator] | None = None
    try:
        if pins:
            buttons = GpioButtons(
                pins,
                pull_up=settings.pull_up,
                debounce_ms=settings.debounce_ms,
                pin_factory=pin_factory,
            )
        if led_pins or settings.error_led is not None:
            leds = {n: GpioIndicator(p, pin_factory=pin_factory) for n, p in led_pins.items()}
            if settings.error_led is not None:
                error_led = GpioIndicator(settings.error_led, pin_factory=pin_factory)
    except ValueError as err:
        raise problem("buttons", err) from None
    if settings.keypad is not None:
        keypad = build_keypad(settings.keypad, keypad_opener, problem)
    return Dispenser(
        settings,
        client=client,
        printer=printer,
        buttons=buttons,
        leds=leds,
        error_led=error_led,
        keypad=keypad,
        site=site,
    )


def build_keypad(keypad: KeypadSettings, opener: Any, problem: Problem) -> EvdevKeypad:
    """The kiosk's keypad reader (not started), its keymap's commands checked.

    Raises:
        ConfigError: through ``problem``, a command or a key name that is unusable.
    """
    for key, command in keypad.keymap.items():
        if not _COMMAND.match(command):
            raise problem(
                f"keypad.keymap.{key}",
                f'"{command}" is not a field id, "field:category" or "priority[:category]"',
            )
    try:
        if opener is not None:
            return EvdevKeypad(keypad.keymap, grab=keypad.grab, open_device=opener)
        return EvdevKeypad(keypad.keymap, name=keypad.name, path=keypad.path, grab=keypad.grab)
    except ValueError as err:
        raise problem("keypad.keymap", err) from None
