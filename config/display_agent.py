"""The ``[display_agent]`` section: one Pi driving LED boards and a loudspeaker.

A Pi's file may hold this section alone; the agent learns the counters and the
calls from the hub's ``/display`` namespace. Example::

    [display_agent]
    hub_url = "http://192.168.1.10:8080"      # or "https://…" with the centre's CA:
    # ca_file = "/etc/motcua/ca.pem"           # (`motcua tls init`; else the system's store)
    token_file = "/etc/motcua/display.token"   # `motcua device add sanh-pi --kind display`
    screen = "sanh-pi"                          # the name its acknowledgements carry
    audio = "aplay"             # "aplay" (ALSA default), "none" (the TV's browser speaks),
                                # or an ALSA device such as "plughw:1,0"
    repeat = 2                  # say each call twice (the default; 1-3)
    recent_s = 60               # after a reconnect, say missed calls at most this old

    [[display_agent.boards]]    # one serial line (USB-RS485 adapter) with its boards
    port = "/dev/ttyUSB0"       # or url = "socket://192.168.1.20:4001" (Ethernet-RS485)
    baudrate = 9600
    framing = "stx-etx"         # or "modbus"
    address_map = { "1" = 1, "2" = 2 }          # counter id -> board address on the bus
    timeout_s = 0.5
    expect_ack = true

The call template and the boards' addresses are checked by the agent, which
knows the announcer and the board framings (:mod:`display.agent.settings`).
"""

# No ``from __future__ import annotations``: the config loader reads the field types
# of nested dataclasses to suggest "did you mean" for a misspelt key in a board.

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic.dataclasses import dataclass

from config.base import STRICT, CounterId
from config.hub import DEFAULT_TEMPLATE

__all__ = ["PATHS", "BoardSettings", "DisplayAgentSettings"]

PATHS = ("token_file", "ca_file", "clip_dir")
"""Keys holding a path, taken from the configuration file's folder when relative."""

_URL = re.compile(r"^https?://[^\s/]+")
# An ALSA PCM name: "default", "plughw:1,0", "hdmi:CARD=vc4hdmi0,DEV=0", "null".
_ALSA = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_:,.=-]{0,127}$")
ScreenName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@dataclass(frozen=True, config=STRICT)
class BoardSettings:
    """The LED boards on one serial line (see :mod:`hardware.led_board` for wiring).

    ``checksum`` applies to ``stx-etx`` only, ``register`` to ``modbus`` only. Whether
    each address suits the framing is checked by the agent, which knows the framings
    (:mod:`display.agent.settings`).
    """

    address_map: dict[CounterId, Annotated[int, Field(ge=0, le=247)]]
    port: str | None = None
    url: str | None = None
    baudrate: Annotated[int, Field(ge=1200, le=921_600)] = 9600
    framing: Literal["stx-etx", "modbus"] = "stx-etx"
    digits: Annotated[int, Field(ge=1, le=16)] = 4
    timeout_s: Annotated[float, Field(gt=0, le=10)] = 0.5
    expect_ack: bool = True
    checksum: bool | None = None
    register: Annotated[int, Field(ge=0, le=65535)] | None = None

    @model_validator(mode="after")
    def _whole(self) -> "BoardSettings":
        if (self.port is None) == (self.url is None):
            raise ValueError('give the line\'s port (e.g. "/dev/ttyUSB0") or its url, one of two')
        if not self.address_map:
            raise ValueError('address_map needs at least one counter, e.g. { "1" = 1 }')
        if self.framing == "stx-etx" and self.register is not None:
            raise ValueError('register is for framing = "modbus" only')
        if self.framing == "modbus" and self.checksum is not None:
            raise ValueError('checksum is for framing = "stx-etx" only (Modbus always has a CRC)')
        return self

    @property
    def key(self) -> str:
        """The line's name in logs and in the heartbeat: its port or URL."""
        return self.port if self.port is not None else str(self.url)


@dataclass(frozen=True, config=STRICT)
class DisplayAgentSettings:
    """The whole ``[display_agent]`` section."""

    hub_url: str
    ca_file: str | None = None
    token: str | None = None
    token_file: str | None = None
    screen: ScreenName = "display-agent"
    audio: str = "aplay"
    audio_source: Literal["hub", "local"] = "hub"
    audio_timeout_s: Annotated[float, Field(ge=1, le=300)] = 30.0
    repeat: Annotated[int, Field(ge=1, le=3)] = 2
    repeat_gap_s: Annotated[float, Field(ge=0, le=10)] = 1.0
    recent_s: Annotated[int, Field(ge=0, le=3600)] = 60
    counters: tuple[CounterId, ...] = ()
    boards: tuple[BoardSettings, ...] = ()
    heartbeat_s: Annotated[float, Field(ge=1, le=3600)] = 30.0
    retry_s: Annotated[float, Field(ge=0.1, le=300)] = 3.0
    reconnect_delay_s: Annotated[float, Field(ge=0.1, le=60)] = 1.0
    reconnect_max_s: Annotated[float, Field(ge=0.5, le=600)] = 10.0
    hub_timeout_s: Annotated[float, Field(ge=0.5, le=60)] = 5.0
    template: Annotated[str, Field(min_length=1, max_length=300)] = DEFAULT_TEMPLATE
    region: Literal["north", "south"] = "north"
    four: Literal["tu", "bon"] = "tu"
    number_mode: Literal["whole", "digits"] = "whole"
    clip_dir: str | None = None
    chime: bool = True

    @field_validator("hub_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not _URL.match(value):
            raise ValueError('must start with http:// or https://, e.g. "http://10.0.0.2:8080"')
        return value.rstrip("/")

    @field_validator("audio")
    @classmethod
    def _audio(cls, value: str) -> str:
        if not _ALSA.match(value):
            raise ValueError(
                '"aplay", "none", or an ALSA device name such as "plughw:1,0" (see aplay -L)'
            )
        return value

    @model_validator(mode="after")
    def _whole(self) -> "DisplayAgentSettings":
        if not self.token and not self.token_file:
            raise ValueError(
                "needs token or token_file (the device token of "
                "`motcua device add NAME --kind display`)"
            )
        if self.token and self.token_file:
            raise ValueError("give token or token_file, not both")
        if self.reconnect_max_s < self.reconnect_delay_s:
            raise ValueError("reconnect_max_s must be at least reconnect_delay_s")
        keys = [b.key for b in self.boards]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"two boards entries use the same line: {', '.join(twice)}")
        mapped = [c for b in self.boards for c in b.address_map]
        twice = sorted({c for c in mapped if mapped.count(c) > 1})
        if twice:
            raise ValueError(f"counter on two boards lines: {', '.join(twice)}")
        if self.counters:
            outside = sorted(set(mapped) - set(self.counters))
            if outside:
                raise ValueError(
                    f"boards show counters this agent does not follow: {', '.join(outside)} "
                    "(add them to counters, or leave counters empty for all)"
                )
        return self

    @property
    def speaks(self) -> bool:
        """False when ``audio = "none"``: the TV's browser speaks, not this Pi."""
        return self.audio != "none"
