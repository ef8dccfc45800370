"""The display agent's settings: the ``[display_agent]`` section
(:mod:`config.display_agent`), the checks that need the agent's code, and the
adapters the section names, built into a :class:`~display.agent.loop.DisplayAgent`.

:func:`load_display_agent_settings` reads the section through the one loader
(file, key, "did you mean"; relative ``token_file`` and ``clip_dir`` from the
file's folder), then checks the call template and the boards' addresses.
"""

from __future__ import annotations

from pathlib import Path

from config import display_agent
from config.display_agent import BoardSettings, DisplayAgentSettings
from config.errors import ConfigError, ConfigProblem
from config.loader import load_section
from config.tokens import read_token
from display.agent.devices import BoardLine
from display.agent.loop import DisplayAgent
from display.announcer import InvalidNumberError, check_template
from hardware.audio import AplayAudioOutput
from hardware.led_board import Framing, ModbusRtuFraming, SerialLedBoard, StxEtxFraming
from hardware.ports import AudioOutput, CounterDisplay
from kiosk.kit.hub_client import HubClient

__all__ = [
    "SECTION",
    "build_agent",
    "check",
    "framing_of",
    "load_display_agent_settings",
    "make_audio",
    "make_board",
]

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
    device = None if settings.audio == "aplay" else settings.audio
    return AplayAudioOutput(device, timeout_s=settings.audio_timeout_s)


def load_display_agent_settings(path: str | Path) -> DisplayAgentSettings:
    """Read and validate ``[display_agent]`` from one TOML file.

    Raises:
        ConfigError: The file is unreadable, the section is missing or invalid.
    """
    settings = load_section(path, SECTION, DisplayAgentSettings, display_agent.PATHS)
    check(settings, str(path))
    return settings


def build_agent(settings: DisplayAgentSettings) -> DisplayAgent:
    """The agent with the boards and loudspeaker its settings name (nothing opened yet).

    Raises:
        ValueError: the token file cannot be read.
    """
    token = read_token(settings.token, settings.token_file)
    lines = [
        BoardLine(b.key, make_board(b), tuple(b.address_map), settings.retry_s)
        for b in settings.boards
    ]
    hub = HubClient(
        settings.hub_url, token, timeout_s=settings.hub_timeout_s, ca_file=settings.ca_file
    )
    return DisplayAgent(settings, lines, make_audio(settings), hub)
