"""Loudspeaker output: ``aplay`` (alsa-utils) reading WAV bytes on stdin.

Wiring: the Pi's 3.5 mm jack, HDMI audio or a USB sound card; pick it with
``device`` (an ALSA PCM name such as ``"plughw:1,0"``, ``"default"``, or
``"null"`` to discard, which is how the tests play without a sound card). List
them with ``aplay -L``. The user needs the ``audio`` group.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Sequence

from hardware.errors import DeviceTimeout, DeviceUnavailable

__all__ = ["AplayAudioOutput", "NullAudioOutput"]

logger = logging.getLogger(__name__)


def _check_wav(wav: bytes) -> None:
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise ValueError("not a WAV file (no RIFF/WAVE header)")


class AplayAudioOutput:
    """An :class:`~hardware.ports.AudioOutput` that runs ``aplay -q [-D device] -``.

    ``play`` blocks until aplay exits, so announcements queue up naturally in
    the one loop that plays them.

    Args:
        device: ALSA PCM name; None uses ALSA's default.
        timeout_s: Longest a single play may take before aplay is killed.
        command: The player and its fixed arguments.
    """

    def __init__(
        self,
        device: str | None = None,
        *,
        timeout_s: float = 30.0,
        command: Sequence[str] = ("aplay", "-q"),
    ) -> None:
        self.device = device
        self.timeout_s = timeout_s
        self.argv = [*command, *(["-D", device] if device else []), "-"]

    def open(self) -> None:
        """Check that the player exists.

        Raises:
            DeviceUnavailable: It is not installed.
        """
        if shutil.which(self.argv[0]) is None:
            message = f"{self.argv[0]} not found (install alsa-utils)"
            raise DeviceUnavailable(message, device="audio")

    def play(self, wav: bytes) -> None:
        """Play ``wav`` and wait for the end.

        Raises:
            ValueError: ``wav`` is not a WAV file.
            DeviceUnavailable: The player is missing or failed (e.g. no sound card).
            DeviceTimeout: It ran longer than ``timeout_s`` and was killed.
        """
        _check_wav(wav)
        try:
            done = subprocess.run(
                self.argv, input=wav, capture_output=True, timeout=self.timeout_s, check=False
            )
        except FileNotFoundError as err:
            raise DeviceUnavailable(f"{self.argv[0]} not found: {err}", device="audio") from err
        except subprocess.TimeoutExpired as err:
            raise DeviceTimeout(
                f"{self.argv[0]} still playing after {self.timeout_s} s", device="audio"
            ) from err
        if done.returncode != 0:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = lines[-1] if lines else f"exit status {done.returncode}"
            raise DeviceUnavailable(f"{self.argv[0]} failed: {reason}", device="audio")


class NullAudioOutput:
    """An :class:`~hardware.ports.AudioOutput` for sites without a speaker: drops the sound."""

    def open(self) -> None:
        """Nothing to open."""

    def play(self, wav: bytes) -> None:
        """Check ``wav`` is a WAV file and discard it."""
        _check_wav(wav)
        logger.debug("no speaker: dropped %d bytes of audio", len(wav))
