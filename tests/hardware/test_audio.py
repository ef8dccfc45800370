"""AplayAudioOutput with the real aplay (ALSA's "null" PCM: no sound card here)."""

from __future__ import annotations

import shutil

import pytest

from hardware.audio import AplayAudioOutput, NullAudioOutput
from hardware.errors import DeviceTimeout, DeviceUnavailable

needs_aplay = pytest.mark.skipif(shutil.which("aplay") is None, reason="alsa-utils not installed")


@needs_aplay
def test_aplay_plays_to_the_null_device(wav: bytes) -> None:
    """GIVEN aplay and ALSA's null PCM WHEN a WAV is played THEN it returns without error."""
    out = AplayAudioOutput(device="null")
    out.open()
    out.play(wav)


@needs_aplay
def test_aplay_failure_is_device_unavailable_with_its_reason(wav: bytes) -> None:
    """GIVEN a PCM that does not exist WHEN a WAV is played
    THEN DeviceUnavailable carrying aplay's own last error line."""
    with pytest.raises(DeviceUnavailable, match="aplay failed: .*audio open error"):
        AplayAudioOutput(device="no_such_pcm").play(wav)


def test_player_that_hangs_is_killed_and_times_out(wav: bytes) -> None:
    """GIVEN a "player" that never finishes WHEN a WAV is played with a 0.2 s timeout
    THEN DeviceTimeout (the child is killed, the agent keeps going)."""
    out = AplayAudioOutput(command=("sh", "-c", "sleep 30", "player"), timeout_s=0.2)
    with pytest.raises(DeviceTimeout, match="still playing after 0.2 s"):
        out.play(wav)


def test_missing_player_is_device_unavailable(wav: bytes) -> None:
    """GIVEN a player that is not installed WHEN opened or played THEN DeviceUnavailable."""
    out = AplayAudioOutput(command=("no-such-player-xyz",))
    with pytest.raises(DeviceUnavailable, match="not found"):
        out.open()
    with pytest.raises(DeviceUnavailable, match="not found"):
        out.play(wav)


@pytest.mark.parametrize("out", [AplayAudioOutput(device="null"), NullAudioOutput()])
def test_not_a_wav_is_a_value_error(out) -> None:
    """GIVEN bytes that are not a WAV WHEN played THEN ValueError before any player runs."""
    with pytest.raises(ValueError, match="not a WAV"):
        out.play(b"ID3\x04mp3 data")
