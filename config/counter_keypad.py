"""The ``[counter_keypad]`` section: a counter without a PC, worked from a keypad.

A USB numeric keypad (evdev) or a few GPIO buttons at the counter call next,
recall, mark a no-show, complete, and pause/resume; the counter's LED board
shows the result. Example::

    [counter_keypad]
    hub_url = "http://10.0.0.2:8080"     # or "https://…" with ca_file = "/etc/motcua/ca.pem"
    token_file = "/etc/motcua/keypad-3.token"
    keypad = { name = "Numeric Keypad" }      # or path = "/dev/input/by-id/…"
    # keymap defaults: KEY_KPENTER call_next, KEY_KPPLUS recall, KEY_KPMINUS no_show,
    #                  KEY_KPASTERISK complete, KEY_KP0 pause (toggles pause/resume)
    led_board = { port = "/dev/ttyUSB0", address = 3 }
    # or GPIO buttons instead of a keypad, with an optional status LED:
    # buttons = { pins = { call_next = 17, recall = 27, no_show = 22, complete = 23, pause = 24 }, led = 5 }
"""  # noqa: E501

from __future__ import annotations

import typing
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from config.base import STRICT, CounterId, PinId

__all__ = [
    "COMMANDS",
    "DEFAULT_KEYMAP",
    "PATHS",
    "ButtonsSection",
    "Command",
    "CounterKeypadSettings",
    "KeypadSection",
    "LedBoardSection",
]

PATHS: tuple[str, ...] = ("token_file", "ca_file")
"""Keys holding a path, taken from the configuration file's folder when relative."""

Command = Literal["call_next", "recall", "no_show", "complete", "pause"]
COMMANDS: tuple[str, ...] = typing.get_args(Command)
DEFAULT_KEYMAP: dict[str, Command] = {
    "KEY_KPENTER": "call_next",
    "KEY_KPPLUS": "recall",
    "KEY_KPMINUS": "no_show",
    "KEY_KPASTERISK": "complete",
    "KEY_KP0": "pause",
}


def _default_keymap() -> dict[str, Command]:
    return dict(DEFAULT_KEYMAP)


BoardText = Annotated[str, Field(max_length=8, pattern=r"^[ -~]*$")]


@dataclass(frozen=True, config=STRICT)
class KeypadSection:
    """A USB keypad: found by name substring or by path; evdev key name → command."""

    name: str | None = None
    path: str | None = None
    grab: bool = True
    keymap: dict[str, Command] = Field(default_factory=lambda: _default_keymap())

    @model_validator(mode="after")
    def _one_way_to_find_it(self) -> KeypadSection:
        if (self.name is None) == (self.path is None):
            raise ValueError("give the keypad's `name` or its `path` (one of the two)")
        return self


@dataclass(frozen=True, config=STRICT)
class ButtonsSection:
    """GPIO push buttons, one per command, and an optional status LED."""

    pins: dict[Command, PinId]
    pull_up: bool = True
    debounce_ms: Annotated[int, Field(ge=0, le=2000)] = 250
    led: PinId | None = None


@dataclass(frozen=True, config=STRICT)
class LedBoardSection:
    """The counter's LED number board on a serial line."""

    port: str
    address: Annotated[int, Field(ge=0, le=247)] = 1
    baudrate: Annotated[int, Field(ge=1200, le=115200)] = 9600
    protocol: Literal["stx-etx", "modbus"] = "stx-etx"
    digits: Annotated[int, Field(ge=1, le=8)] = 4
    register: Annotated[int, Field(ge=0, le=65535)] = 0
    timeout_s: Annotated[float, Field(gt=0, le=10)] = 0.5


@dataclass(frozen=True, config=STRICT)
class CounterKeypadSettings:
    """The ``[counter_keypad]`` section."""

    hub_url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    ca_file: str | None = None
    token: str | None = None
    token_file: str | None = None
    counter: CounterId | None = None
    keypad: KeypadSection | None = None
    buttons: ButtonsSection | None = None
    led_board: LedBoardSection | None = None
    heartbeat_s: Annotated[float, Field(ge=5, le=3600)] = 30.0
    min_call_gap_s: Annotated[float, Field(ge=0, le=60)] = 3.0
    error_show_s: Annotated[float, Field(gt=0, le=60)] = 3.0
    timeout_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    nobody_text: BoardText = "---"
    paused_text: BoardText = "P"
    error_text: BoardText = "E"

    @model_validator(mode="after")
    def _complete(self) -> CounterKeypadSettings:
        if (self.keypad is None) == (self.buttons is None):
            raise ValueError("give a `keypad` or GPIO `buttons` (one of the two)")
        if not (self.token or self.token_file):
            raise ValueError("give `token` or `token_file`")
        return self
