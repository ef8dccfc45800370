"""The kiosk agent's settings: the ``[kiosk]`` section (:mod:`config.kiosk`) with the
site it prints, and the adapters the section names.

:func:`load_kiosk_settings` reads the file once: ``[kiosk]`` through the one
loader (file, key, "did you mean"; relative paths from the file's folder) and
``[site]``, if the file has it, for what tickets say until the hub answers.
:func:`build_agent` opens the devices and returns the agent.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config import ConfigError, ConfigProblem
from config.hub import DEFAULT_PRIORITIES
from config.kiosk import KeypadSettings, KioskSettings, TicketSettings
from config.loader import parse_section, read_toml
from kiosk.ticket.layout import TicketLayout

__all__ = [
    "SiteDefaults",
    "SiteInfo",
    "build_agent",
    "load_kiosk_settings",
    "site_info",
    "ticket_layout",
]

logger = logging.getLogger(__name__)

_COMMAND = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}(:[a-z0-9][a-z0-9_-]{0,63})?$")


@dataclass(frozen=True)
class SiteDefaults:
    """What the ticket says about the site until the hub tells (from ``[site]``)."""

    name: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    public_url: str | None = None


@dataclass(frozen=True)
class SiteInfo:
    """What tickets say about the site, as this kiosk will print it."""

    name: str
    timezone: str
    public_url: str | None
    priority_categories: tuple[str, ...] = DEFAULT_PRIORITIES


def site_info(settings: KioskSettings, defaults: SiteDefaults, hub: dict[str, Any]) -> SiteInfo:
    """Merge the kiosk's own overrides, the hub's ``GET /site`` answer and ``[site]``.

    The kiosk's ``centre_name``/``timezone``/``public_url`` win; then the hub's
    values; then the file's ``[site]``. The QR code's base is ``public_url``,
    else (in :mod:`kiosk.dispenser`) the kiosk's ``hub_url``.
    """
    categories = hub.get("priority_categories")
    return SiteInfo(
        name=settings.centre_name or str(hub.get("name") or "") or defaults.name,
        timezone=settings.timezone or str(hub.get("timezone") or "") or defaults.timezone,
        public_url=settings.public_url or hub.get("public_url") or defaults.public_url,
        priority_categories=tuple(categories) if categories else DEFAULT_PRIORITIES,
    )


def load_kiosk_settings(path: str | Path) -> tuple[KioskSettings, SiteDefaults]:
    """Read ``[kiosk]`` (and ``[site]`` if the file has it) from one TOML file.

    Relative ``token_file``, ``printer.path``, ``printer.out_dir`` and
    ``ticket.logo`` are taken from the file's folder.

    Raises:
        ConfigError: The file is unreadable, the section is missing or invalid.
    """
    name = str(path)
    raw = read_toml(path)
    settings = parse_section(raw, "kiosk", name)
    site = raw.get("site") if isinstance(raw.get("site"), dict) else {}
    defaults = SiteDefaults(
        name=str(site.get("name", "")),
        timezone=str(site.get("timezone", "Asia/Ho_Chi_Minh")),
        public_url=str(site["public_url"]).rstrip("/") if site.get("public_url") else None,
    )
    return settings, defaults


def ticket_layout(ticket: TicketSettings, paper_dots: int) -> TicketLayout:
    """The layout of ``[kiosk.ticket]`` for a printer ``paper_dots`` wide."""
    return TicketLayout.for_paper(
        paper_dots,
        header_lines=ticket.header_lines,
        footer=ticket.footer,
        lang=ticket.lang,
        show_qr=ticket.show_qr,
        uppercase_centre_name=ticket.uppercase_centre_name,
        logo_path=Path(ticket.logo) if ticket.logo else None,
    )


def build_agent(
    settings: KioskSettings,
    site: SiteDefaults | None = None,
    *,
    config_path: str = "<kiosk>",
    pin_factory: Any = None,
    keypad_opener: Any = None,
) -> Any:
    """Build the :class:`~kiosk.dispenser.Dispenser` and the adapters the section names.

    The printer is opened here once (:func:`hardware.printer.open_printer`); if
    it cannot be, the agent starts anyway, says so, and keeps trying.

    Args:
        settings: The validated section.
        site: Site defaults from the same file.
        config_path: For error messages.
        pin_factory: A gpiozero pin factory (tests pass ``MockFactory``), else the default.
        keypad_opener: Returns an open evdev device (tests pass a pipe-backed one).

    Raises:
        ConfigError: The token file, a pin name or a keymap is unusable.
        DeviceUnavailable: GPIO pins cannot be claimed.
    """
    from config.tokens import read_token
    from hardware.errors import DeviceUnavailable
    from hardware.printer import build_printer, open_printer
    from kiosk.dispenser import PRIORITY_BUTTON, Dispenser
    from kiosk.kit.hub_client import HubClient

    def problem(key: str, err: Exception) -> ConfigError:
        return ConfigError(config_path, [ConfigProblem(f"kiosk.{key}", str(err))])

    try:
        token = read_token(settings.token, settings.token_file)
    except ValueError as err:
        raise problem("token_file", err) from None
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
    buttons = leds = error_led = keypad = None
    try:
        if pins:
            from hardware.buttons import GpioButtons

            buttons = GpioButtons(
                pins,
                pull_up=settings.pull_up,
                debounce_ms=settings.debounce_ms,
                pin_factory=pin_factory,
            )
        if led_pins or settings.error_led is not None:
            from hardware.buttons import GpioIndicator

            leds = {n: GpioIndicator(p, pin_factory=pin_factory) for n, p in led_pins.items()}
            if settings.error_led is not None:
                error_led = GpioIndicator(settings.error_led, pin_factory=pin_factory)
    except ValueError as err:
        raise problem("buttons", err) from None
    if settings.keypad is not None:
        keypad = _build_keypad(settings.keypad, keypad_opener, problem)
    return Dispenser(
        settings,
        client=HubClient(settings.hub_url, token, timeout_s=settings.hub_timeout_s),
        printer=printer,
        buttons=buttons,
        leds=leds,
        error_led=error_led,
        keypad=keypad,
        site=site,
    )


def _build_keypad(keypad: KeypadSettings, opener: Any, problem: Any) -> Any:
    from hardware.keypad import EvdevKeypad

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
