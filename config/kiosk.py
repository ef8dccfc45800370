"""The ``[kiosk]`` section: what one ticket kiosk is wired to, as frozen dataclasses.

A Pi's file may hold this section alone: the kiosk learns the fields, their
names and the site (name, timezone, public URL) from the hub. Example::

    [kiosk]
    hub_url = "http://10.0.0.2:8080"         # or "https://…" with the centre's CA:
    # ca_file = "/etc/motcua/ca.pem"          # (`motcua tls init`; else the system's store)
    token_file = "/etc/motcua/kiosk.token"
    listen = "127.0.0.1:8090"                 # the touch page; "" turns it off
    error_led = 5
    printer = { kind = "usb", vendor_id = "0x0416", product_id = "0x5011", paper_mm = 80 }

    [[kiosk.buttons]]                         # one per field, optional LED inside
    pin = 17
    service = "dat-dai"
    led = 27

    [[kiosk.buttons]]                         # a button that issues priority tickets
    pin = 22
    service = "dat-dai"
    priority = "elderly"

    [kiosk.priority_button]                   # arms priority for the next press
    pin = 23
    led = 24
    category = "elderly"

    [kiosk.keypad]                            # a USB keypad instead of (or with) buttons
    name = "Numeric Keypad"
    keymap = { KEY_KP1 = "dat-dai", KEY_KP2 = "tu-phap", KEY_KP0 = "priority" }

Keypad commands are a field id, ``field:category`` (a priority ticket) or
``priority`` / ``priority:category`` (arm priority for the next press); the
agent checks them when it builds the keypad (:mod:`kiosk.dispenser.settings`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic.dataclasses import dataclass

from config.base import STRICT, PinId, Slug

__all__ = [
    "PATHS",
    "ButtonSettings",
    "KeypadSettings",
    "KioskSettings",
    "PrinterSettings",
    "PriorityButtonSettings",
    "TicketSettings",
]

PATHS = ("token_file", "ca_file", "printer.path", "printer.out_dir", "ticket.logo")
"""Keys holding a path, taken from the configuration file's folder when relative."""

_URL = re.compile(r"^https?://[^\s/]+")
_LISTEN = re.compile(r"^(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):(?P<port>\d{1,5})$")

# Keys each printer kind takes (besides kind, paper_mm, profile), and the ones it needs.
_PRINTER_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "usb": (("vendor_id", "product_id", "in_ep", "out_ep"), ("vendor_id", "product_id")),
    "serial": (("port", "baudrate"), ("port",)),
    "network": (("host", "port", "tcp_port"), ("host",)),
    "file": (("path",), ("path",)),
    "fake": (("out_dir",), ()),
}


@dataclass(frozen=True, config=STRICT)
class PrinterSettings:
    """The ticket printer (see :mod:`hardware.printer` for each kind's wiring)."""

    kind: Literal["usb", "serial", "network", "file", "fake"]
    path: str | None = None
    vendor_id: int | str | None = None
    product_id: int | str | None = None
    in_ep: int | str | None = None
    out_ep: int | str | None = None
    port: str | int | None = None
    baudrate: Annotated[int, Field(ge=1200, le=921_600)] | None = None
    host: str | None = None
    tcp_port: Annotated[int, Field(ge=1, le=65535)] | None = None
    out_dir: str | None = None
    paper_mm: Literal[58, 80] = 80
    profile: str | None = None
    check_status: bool | None = None

    @model_validator(mode="after")
    def _keys_of_kind(self) -> PrinterSettings:
        allowed, required = _PRINTER_KEYS[self.kind]
        given = [k for k in _ALL_PRINTER_KEYS if getattr(self, k) is not None]
        extra = [k for k in given if k not in allowed]
        if extra:
            raise ValueError(
                f'kind "{self.kind}" does not take {", ".join(extra)}; '
                f"it takes {', '.join(allowed) or 'no other key'}"
            )
        missing = [k for k in required if getattr(self, k) in (None, "")]
        if missing:
            raise ValueError(f'kind "{self.kind}" needs {", ".join(missing)}')
        if self.kind == "serial" and not isinstance(self.port, str):
            raise ValueError('a serial printer\'s port is a device path, e.g. "/dev/ttyUSB0"')
        if self.kind == "network" and self.port is not None and not isinstance(self.port, int):
            raise ValueError("a network printer's port is a TCP port number, e.g. 9100")
        return self

    def params(self) -> dict[str, Any]:
        """Keyword arguments for :func:`hardware.printer.build_printer`."""
        params = {k: getattr(self, k) for k in _ALL_PRINTER_KEYS if getattr(self, k) is not None}
        if self.kind == "network" and "port" in params:
            params["tcp_port"] = params.pop("port")
        params["paper_mm"] = self.paper_mm
        if self.profile is not None:
            params["profile"] = self.profile
        if self.check_status is not None and self.kind != "fake":
            params["check_status"] = self.check_status
        return params


_ALL_PRINTER_KEYS = (
    "path",
    "vendor_id",
    "product_id",
    "in_ep",
    "out_ep",
    "port",
    "baudrate",
    "host",
    "tcp_port",
    "out_dir",
)


@dataclass(frozen=True, config=STRICT)
class ButtonSettings:
    """A push button of one field, with an optional LED inside it.

    ``priority`` makes it a priority button of that field (a category such as
    ``"elderly"``); otherwise it issues ordinary tickets.
    """

    pin: PinId
    service: Slug
    led: PinId | None = None
    priority: Slug | None = None

    @property
    def name(self) -> str:
        """The button's name: ``"dat-dai"`` or ``"dat-dai:elderly"``."""
        return f"{self.service}:{self.priority}" if self.priority else self.service


@dataclass(frozen=True, config=STRICT)
class PriorityButtonSettings:
    """A button that makes the next press (within ``timeout_s``) a priority ticket."""

    pin: PinId
    led: PinId | None = None
    category: Slug = "elderly"
    timeout_s: Annotated[float, Field(ge=2, le=120)] = 15.0


@dataclass(frozen=True, config=STRICT)
class KeypadSettings:
    """A USB keypad or button box read through evdev; give ``name`` or ``path``."""

    keymap: dict[str, str]
    name: str | None = None
    path: str | None = None
    grab: bool = True

    @model_validator(mode="after")
    def _one_device(self) -> KeypadSettings:
        if (self.name is None) == (self.path is None):
            raise ValueError("give the keypad's name or its path (one of the two)")
        if not self.keymap:
            raise ValueError("keymap needs at least one key")
        return self


@dataclass(frozen=True, config=STRICT)
class TicketSettings:
    """How this kiosk's tickets look (see :class:`kiosk.ticket.layout.TicketLayout`)."""

    header_lines: tuple[Annotated[str, Field(max_length=80)], ...] = ()
    logo: str | None = None
    footer: str | None = None
    lang: Literal["vi", "en"] = "vi"
    show_qr: bool = True
    uppercase_centre_name: bool = True


@dataclass(frozen=True, config=STRICT)
class KioskSettings:
    """The whole ``[kiosk]`` section."""

    hub_url: str
    printer: PrinterSettings
    ca_file: str | None = None
    token: str | None = None
    token_file: str | None = None
    listen: str = "127.0.0.1:8090"
    buttons: tuple[ButtonSettings, ...] = ()
    priority_button: PriorityButtonSettings | None = None
    error_led: PinId | None = None
    keypad: KeypadSettings | None = None
    pull_up: bool = True
    debounce_ms: Annotated[int, Field(ge=0, le=5000)] = 250
    heartbeat_s: Annotated[float, Field(ge=2, le=3600)] = 30.0
    refresh_s: Annotated[float, Field(ge=1, le=600)] = 10.0
    retry_s: Annotated[float, Field(ge=0.5, le=300)] = 3.0
    hub_timeout_s: Annotated[float, Field(ge=0.5, le=60)] = 5.0
    centre_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    timezone: str | None = None
    public_url: str | None = None
    ticket: TicketSettings = TicketSettings()

    @field_validator("hub_url", "public_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not _URL.match(value):
            raise ValueError('must start with http:// or https://, e.g. "http://10.0.0.2:8080"')
        return value.rstrip("/") if value else value

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        if value and not _listen_parts(value):
            raise ValueError('must be HOST:PORT, e.g. "127.0.0.1:8090" (or "" for no touch page)')
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as err:
                raise ValueError(f'unknown timezone "{value}"') from err
        return value

    @model_validator(mode="after")
    def _whole(self) -> KioskSettings:
        if not self.token and not self.token_file:
            raise ValueError("needs token or token_file (the device token of `motcua device add`)")
        if self.token and self.token_file:
            raise ValueError("give token or token_file, not both")
        names = [b.name for b in self.buttons]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"two buttons issue the same ticket: {', '.join(twice)}")
        pins = [str(b.pin) for b in self.buttons] + [str(b.led) for b in self.buttons if b.led]
        if self.priority_button is not None:
            pins.append(str(self.priority_button.pin))
            if self.priority_button.led is not None:
                pins.append(str(self.priority_button.led))
        if self.error_led is not None:
            pins.append(str(self.error_led))
        used = sorted({p for p in pins if pins.count(p) > 1})
        if used:
            raise ValueError(f"pin used twice: {', '.join(used)}")
        return self

    @property
    def listen_address(self) -> tuple[str, int] | None:
        """``(host, port)`` of the touch page, or None when it is turned off."""
        return _listen_parts(self.listen) if self.listen else None


def _listen_parts(value: str) -> tuple[str, int] | None:
    match = _LISTEN.match(value)
    if match is None or not 0 < int(match["port"]) < 65536:
        return None
    return match["host"].strip("[]"), int(match["port"])
