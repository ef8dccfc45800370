"""The display agent's settings: the ``[display_agent]`` section
(:mod:`config.display_agent`), the checks that need the agent's code, and the
adapters the section names.

:func:`load_display_agent_settings` reads the section through the one loader
(file, key, "did you mean"; relative ``token_file`` and ``clip_dir`` from the
file's folder), then checks the call template and the boards' addresses.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from config import ConfigError, ConfigProblem, load_section
from config.display_agent import BoardSettings, DisplayAgentSettings
from display.announcer import InvalidNumberError, check_template
from hardware.led_board import Framing, ModbusRtuFraming, SerialLedBoard, StxEtxFraming
from hardware.ports import AudioOutput, CounterDisplay

__all__ = [
    "SECTION",
    "AnnouncementSource",
    "check",
    "fetch_call_audio",
    "framing_of",
    "load_display_agent_settings",
    "make_audio",
    "make_board",
]

logger = logging.getLogger(__name__)

SECTION = "display_agent"


def framing_of(board: BoardSettings) -> Framing:
    """The :mod:`hardware.led_board` framing of one ``boards`` entry."""
    if board.framing == "modbus":
        return ModbusRtuFraming(board.register or 0, board.digits, expect_reply=board.expect_ack)
    checksum = True if board.checksum is None else board.checksum
    return StxEtxFraming(board.digits, checksum=checksum, expect_ack=board.expect_ack)


def check(settings: DisplayAgentSettings, name: str) -> None:
    """What the schema cannot check without the agent's code: the call template (the
    announcer's rules) and each board address (its framing's rules).

    Raises:
        ConfigError: naming the file and the key, as the loader does.
    """
    problems: list[ConfigProblem] = []
    try:
        check_template(settings.template)
    except InvalidNumberError:
        problems.append(
            ConfigProblem(
                f"{SECTION}.template",
                'must contain "{number}" and may use "{counter}", nothing else in braces'
                f" (got {settings.template!r})",
            )
        )
    for index, board in enumerate(settings.boards):
        framing = framing_of(board)
        for counter, address in board.address_map.items():
            try:
                framing.check_address(address)
            except ValueError as err:
                problems.append(
                    ConfigProblem(f"{SECTION}.boards[{index}]", f'counter "{counter}": {err}')
                )
                break
    if problems:
        raise ConfigError(name, problems)


def make_board(board: BoardSettings) -> CounterDisplay:
    """The :class:`~hardware.led_board.SerialLedBoard` of one ``boards`` entry (not opened)."""
    return SerialLedBoard(
        board.key,
        board.baudrate,
        framing_of(board),
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
    settings: DisplayAgentSettings = load_section(path, SECTION)
    check(settings, str(path))
    return settings


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
