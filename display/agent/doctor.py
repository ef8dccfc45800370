"""``motcua doctor``'s checks of a display agent (the entry ``display_agent``).

``[display_agent]`` as the agent reads it (with its template and boards' addresses
checked: :func:`~display.agent.settings.load_display_agent_settings`); then the hub
and the token, each line of LED boards opened as the agent builds it
(:func:`~display.agent.settings.make_board`; nothing is sent to the boards), and
the loudspeaker the agent would use (:func:`~display.agent.settings.make_audio`)
playing a fifth of a second of silence.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from config.display_agent import DisplayAgentSettings
from config.doctor import Check, failed, hint, passed, within
from config.wire import DeviceKind
from display.agent.settings import load_display_agent_settings, make_audio, make_board
from display.announcer.pcm import Audio, AudioFormat, silence, write_wav
from hardware.errors import HardwareError
from kiosk.kit.device_doctor import serial_check
from kiosk.kit.doctor import DeviceToken, agent_checks

__all__ = ["SILENCE", "checks", "loudspeaker"]

AGENT = "display-agent"
_FORMAT = AudioFormat(rate=16000, channels=1, width=2)
SILENCE = write_wav(Audio(_FORMAT, silence(_FORMAT, 200)))
"""What the loudspeaker check plays: 200 ms of silence, a WAV as the hub's."""


def checks(path: Path) -> list[Check]:
    """The display agent's lines for the configuration file ``path``.

    Raises:
        ConfigError: ``[display_agent]`` is missing or invalid.
    """
    settings = load_display_agent_settings(path)
    token = DeviceToken(settings.token, settings.token_file, DeviceKind.DISPLAY)
    lines = agent_checks(AGENT, settings, [token], timeout_s=settings.hub_timeout_s)
    for board in settings.boards:
        lines += serial_check("LED boards on", board.key, make_board(board))
    lines += within(
        min(settings.audio_timeout_s, 15.0) + 2,
        "loudspeaker",
        lambda: loudspeaker(settings),
        on_timeout="aplay hangs: is another program holding the sound card?",
    )
    return lines


def loudspeaker(settings: DisplayAgentSettings) -> list[Check]:
    """The output ``audio`` names plays :data:`SILENCE`; espeak-ng is there if needed."""
    audio = make_audio(settings)
    if audio is None:
        return [passed('no loudspeaker on this Pi (audio = "none": the TVs speak)')]
    lines: list[Check] = []
    try:
        audio.open()
        audio.play(SILENCE)
        lines.append(passed(f'loudspeaker "{settings.audio}" plays'))
    except HardwareError as err:
        lines.append(
            failed(
                f'loudspeaker "{settings.audio}" does not play: {err.message}',
                "`aplay -L` lists the outputs: set [display_agent] audio to one (e.g. "
                '"plughw:1,0"); the agent\'s user needs the audio group '
                "(sudo usermod -aG audio motcua); apt install alsa-utils if aplay is missing",
            )
        )
    if settings.audio_source == "local" and shutil.which("espeak-ng") is None:
        lines.append(
            hint(
                'espeak-ng is not installed: with audio_source = "local" a word the clip set '
                "lacks cannot be said",
                "sudo apt install espeak-ng",
            )
        )
    return lines
