"""The ``[display_agent]`` section: one Pi driving LED boards and a loudspeaker.

A Pi's file may hold this section alone; the agent learns the counters and the
calls from the hub's ``/display`` namespace. Example::

    [display_agent]
    hub_url = "http://192.168.1.10:8080"
    token_file = "/etc/motcua/display.token"   # `motcua device add sanh-pi --kind display`
    screen = "sanh-pi"                          # the name its acknowledgements carry
    audio = "aplay"             # "aplay" (ALSA default), "none" (the TV's browser speaks),
                                # or an ALSA device such as "plughw:1,0"
    repeat = 2                  # say each call twice
    recent_s = 60               # after a reconnect, say missed calls at most this old

    [[display_agent.boards]]    # one serial line (USB-RS485 adapter) with its boards
    port = "/dev/ttyUSB0"       # or url = "socket://192.168.1.20:4001" (Ethernet-RS485)
    baudrate = 9600
    framing = "stx-etx"         # or "modbus"
    address_map = { "1" = 1, "2" = 2 }          # counter id -> board address on the bus
    timeout_s = 0.5
    expect_ack = true

Relative ``token_file`` and ``clip_dir`` are taken from the file's folder.
:func:`load_display_agent_settings` reads the file and validates the section with
the same error rules as the hub's configuration (file, key, "did you mean").
"""

# No ``from __future__ import annotations``: the config loader reads the field types
# of nested dataclasses to suggest "did you mean" for a misspelt key in a board.

import logging
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic.dataclasses import dataclass

from config import ConfigError, ConfigProblem, validate_section
from config.base import STRICT, CounterId
from config.hub import DEFAULT_TEMPLATE
from config.loader import read_toml
from hardware.ports import AudioOutput, CounterDisplay

__all__ = [
    "SECTION",
    "AnnouncementSource",
    "BoardSettings",
    "DisplayAgentSettings",
    "fetch_call_audio",
    "load_display_agent_settings",
    "make_audio",
    "make_board",
]

logger = logging.getLogger(__name__)

SECTION = "display_agent"
_URL = re.compile(r"^https?://[^\s/]+")
# An ALSA PCM name: "default", "plughw:1,0", "hdmi:CARD=vc4hdmi0,DEV=0", "null".
_ALSA = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_:,.=-]{0,127}$")
ScreenName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@dataclass(frozen=True, config=STRICT)
class BoardSettings:
    """The LED boards on one serial line (see :mod:`hardware.led_board` for wiring).

    ``checksum`` applies to ``stx-etx`` only, ``register`` to ``modbus`` only.
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
        framing = self.framing_object()
        for counter, address in self.address_map.items():
            try:
                framing.check_address(address)
            except ValueError as err:
                raise ValueError(f'counter "{counter}": {err}') from None
        return self

    @property
    def key(self) -> str:
        """The line's name in logs and in the heartbeat: its port or URL."""
        return self.port if self.port is not None else str(self.url)

    def framing_object(self) -> Any:
        """The :mod:`hardware.led_board` framing these settings describe."""
        from hardware.led_board import ModbusRtuFraming, StxEtxFraming

        if self.framing == "modbus":
            return ModbusRtuFraming(self.register or 0, self.digits, expect_reply=self.expect_ack)
        checksum = True if self.checksum is None else self.checksum
        return StxEtxFraming(self.digits, checksum=checksum, expect_ack=self.expect_ack)


@dataclass(frozen=True, config=STRICT)
class DisplayAgentSettings:
    """The whole ``[display_agent]`` section."""

    hub_url: str
    token: str | None = None
    token_file: str | None = None
    screen: ScreenName = "display-agent"
    audio: str = "aplay"
    audio_source: Literal["hub", "local"] = "hub"
    audio_timeout_s: Annotated[float, Field(ge=1, le=300)] = 30.0
    repeat: Annotated[int, Field(ge=1, le=3)] = 1
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

    @field_validator("template")
    @classmethod
    def _template(cls, value: str) -> str:
        from display.announcer import InvalidNumberError, check_template

        try:
            return check_template(value)
        except InvalidNumberError as err:
            raise ValueError(
                'must contain "{number}" and may use "{counter}", nothing else in braces'
            ) from err

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


def make_board(board: BoardSettings) -> CounterDisplay:
    """The :class:`~hardware.led_board.SerialLedBoard` of one ``boards`` entry (not opened)."""
    from hardware.led_board import SerialLedBoard

    return SerialLedBoard(
        board.key,
        board.baudrate,
        board.framing_object(),
        dict(board.address_map),
        timeout=board.timeout_s,
    )


def make_audio(settings: DisplayAgentSettings) -> AudioOutput | None:
    """The loudspeaker ``audio`` names: aplay on ALSA's default or a named device, or None."""
    if not settings.speaks:
        return None
    from hardware.audio import AplayAudioOutput

    device = None if settings.audio == "aplay" else settings.audio
    return AplayAudioOutput(device, timeout_s=settings.audio_timeout_s)


def load_display_agent_settings(path: str | Path) -> DisplayAgentSettings:
    """Read and validate ``[display_agent]`` from one TOML file.

    Raises:
        ConfigError: The file is unreadable, the section is missing or invalid.
    """
    name = str(path)
    raw = read_toml(path)
    if SECTION not in raw:
        raise ConfigError(name, [ConfigProblem(SECTION, f"section [{SECTION}] is missing")])
    return validate_section(name, SECTION, DisplayAgentSettings, _relative_to(raw[SECTION], path))


def _relative_to(section: Any, path: str | Path) -> Any:
    if not isinstance(section, dict):
        return section
    base = Path(path).resolve().parent
    out = dict(section)
    for key in ("token_file", "clip_dir"):
        value = out.get(key)
        if isinstance(value, str) and value:
            folder = Path(value).expanduser()
            out[key] = str(folder if folder.is_absolute() else base / folder)
    return out


def fetch_call_audio(base_url: str, seq: int, timeout_s: float) -> bytes | None:
    """The hub's WAV of call ``seq`` (``GET /display/audio/<seq>.wav``), or None."""
    import requests

    try:
        response = requests.get(f"{base_url}/display/audio/{seq}.wav", timeout=timeout_s)
    except requests.RequestException as err:
        logger.info("no audio from the hub for call %s: %s", seq, type(err).__name__)
        return None
    if response.status_code == 200 and response.content[:4] == b"RIFF":
        return response.content
    logger.info("no audio from the hub for call %s: HTTP %s", seq, response.status_code)
    return None


class AnnouncementSource:
    """The WAV of a call as the settings ask: the hub's (``audio_source = "hub"``,
    so the centre's clips and template are used), else rendered here with
    :mod:`display.announcer` from this section's template, region and clips.

    Args:
        settings: The ``[display_agent]`` section.
    """

    def __init__(self, settings: DisplayAgentSettings) -> None:
        self.settings = settings
        self._clips: Any = None

    def wav(self, call: dict[str, Any]) -> bytes | None:
        """The announcement of ``call`` (a ``/display`` ``call`` payload), or None (logged)."""
        settings = self.settings
        if settings.audio_source == "hub":
            timeout = min(settings.hub_timeout_s, 3.0)
            data = fetch_call_audio(settings.hub_url, call["seq"], timeout)
            if data is not None:
                return data
        from display.announcer import (
            DEFAULT_CLIP_DIR,
            AnnouncerError,
            ClipSet,
            call_phrase,
            render_announcement,
        )

        try:
            if self._clips is None:
                folder = Path(settings.clip_dir) if settings.clip_dir else DEFAULT_CLIP_DIR
                self._clips = ClipSet.load(folder)
            number, counter_id = str(call["number"]), str(call["counter"]["id"])
            words = call_phrase(
                number, counter_id, settings.template, settings.region, settings.number_mode
            )
            return render_announcement(words, self._clips, chime=settings.chime)
        except (AnnouncerError, ValueError, OSError, KeyError, TypeError) as err:
            logger.error("cannot render the announcement of call %s: %s", call.get("seq"), err)
            return None
