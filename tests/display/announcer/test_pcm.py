"""The PCM toolkit: WAV parsing, format conversion, silence trimming."""

from __future__ import annotations

import io
import math
import struct
import wave

import pytest

from display.announcer.pcm import (
    Audio,
    AudioFormat,
    convert,
    normalise_peak,
    read_wav,
    silence,
    trim_silence,
    write_wav,
)

MONO16 = AudioFormat(rate=16000, channels=1, width=2)


def _sine(rate: int, freq: float, seconds: float, amplitude: float = 0.5) -> list[int]:
    return [
        round(amplitude * 32767 * math.sin(2 * math.pi * freq * i / rate))
        for i in range(round(rate * seconds))
    ]


def _wav16(samples: list[int], rate: int, channels: int = 1) -> bytes:
    """A WAV made by the stdlib, independent of the code under test."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


def _ints(audio: Audio) -> list[int]:
    assert audio.format.width == 2
    return list(struct.unpack(f"<{len(audio.frames) // 2}h", audio.frames))


def _crossings(samples: list[int]) -> int:
    return sum(1 for a, b in zip(samples, samples[1:], strict=False) if a < 0 <= b)


def test_read_write_round_trip() -> None:
    """GIVEN a stdlib-written WAV WHEN read and written back THEN format and frames agree."""
    data = _wav16(_sine(16000, 440, 0.1), 16000)
    audio = read_wav(data)
    assert audio.format == MONO16
    assert audio.nframes == 1600
    with wave.open(io.BytesIO(write_wav(audio))) as back:
        assert (back.getframerate(), back.getnchannels(), back.getsampwidth()) == (16000, 1, 2)
        assert back.readframes(back.getnframes()) == audio.frames


def test_streamed_wav_with_bogus_length() -> None:
    """GIVEN a WAV whose RIFF and data sizes say 2 GB, as espeak-ng --stdout writes WHEN
    read THEN the frames actually present, cut to whole frames."""
    pcm = struct.pack("<5h", 1, 2, 3, 4, 5) + b"\x07"  # a stray odd byte at the end
    fmt = struct.pack("<HHIIHH", 1, 1, 22050, 44100, 2, 16)
    data = b"RIFF" + struct.pack("<I", 0x7FFFF024) + b"WAVE"
    data += b"fmt " + struct.pack("<I", 16) + fmt
    data += b"data" + struct.pack("<I", 0x7FFFF000) + pcm
    audio = read_wav(data)
    assert audio.format == AudioFormat(22050, 1, 2)
    assert _ints(audio) == [1, 2, 3, 4, 5]


def test_float_extensible_wav_becomes_16_bit() -> None:
    """GIVEN a WAVE_FORMAT_EXTENSIBLE 32-bit float stereo WAV with a LIST chunk first WHEN
    read THEN 16-bit integer PCM with the same values."""
    floats = [0.5, -0.5, 0.25, 1.5]  # 1.5 is over full scale and must clip
    guid_float = struct.pack("<H", 3) + bytes.fromhex("000000001000800000aa00389b71")
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 2, 8000, 64000, 8, 32, 22, 32, 3) + guid_float
    body = struct.pack("<4f", *floats)
    chunks = b"LIST" + struct.pack("<I", 3) + b"abc\x00"  # odd size: padded
    chunks += b"fmt " + struct.pack("<I", len(fmt)) + fmt
    chunks += b"data" + struct.pack("<I", len(body)) + body
    data = b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks
    audio = read_wav(data)
    assert audio.format == AudioFormat(8000, 2, 2)
    assert _ints(audio) == [16384, -16384, 8192, 32767]


@pytest.mark.parametrize(
    "data", [b"", b"not a wav at all", b"RIFF\x04\x00\x00\x00WAVE", b"RIFF\x00\x00\x00\x00AVI "]
)
def test_not_a_wav(data: bytes) -> None:
    """GIVEN bytes that are not a usable WAV WHEN read THEN ValueError."""
    with pytest.raises(ValueError):
        read_wav(data)


def test_unsupported_encoding() -> None:
    """GIVEN an A-law WAV (format tag 6) WHEN read THEN ValueError naming the tag."""
    fmt = struct.pack("<HHIIHH", 6, 1, 8000, 8000, 1, 8)
    chunks = b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", 2) + b"\x01\x02"
    data = b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks
    with pytest.raises(ValueError, match="0x6"):
        read_wav(data)


def test_resample_keeps_pitch_and_level() -> None:
    """GIVEN 0.5 s of a 440 Hz sine at 22050 Hz WHEN converted to 16 kHz THEN the frame
    count scales by the rates, the pitch stays 440 Hz and the level stays about the same."""
    source = read_wav(_wav16(_sine(22050, 440, 0.5), 22050))
    result = convert(source, MONO16)
    assert result.format == MONO16
    assert result.nframes == round(source.nframes * 16000 / 22050)
    samples = _ints(result)
    assert 218 <= _crossings(samples) <= 221  # 440 Hz x 0.5 s
    assert 0.45 * 32767 < max(samples[200:-200]) < 0.55 * 32767


def test_downsampling_filters_out_tones_above_the_new_limit() -> None:
    """GIVEN a 10 kHz tone at 22050 Hz WHEN converted to 16 kHz (limit 8 kHz) THEN it is
    strongly attenuated rather than aliased to 6 kHz."""
    source = read_wav(_wav16(_sine(22050, 10_000, 0.2), 22050))
    samples = _ints(convert(source, MONO16))
    assert max(abs(x) for x in samples[100:-100]) < 0.2 * 0.5 * 32767


def test_upsampling_and_stereo_to_mono() -> None:
    """GIVEN an 8 kHz stereo clip with opposite channels WHEN converted to 16 kHz mono THEN
    twice the frames and the channels averaged."""
    left = [8000] * 100
    right = [-4000] * 100
    interleaved = [x for pair in zip(left, right, strict=True) for x in pair]
    source = read_wav(_wav16(interleaved, 8000, channels=2))
    result = convert(source, MONO16)
    assert result.nframes == 200
    assert set(_ints(result)) == {2000}


def test_mono_to_stereo_duplicates() -> None:
    """GIVEN mono frames WHEN converted to stereo at the same rate THEN each sample twice."""
    source = Audio(MONO16, struct.pack("<3h", 100, -200, 300))
    result = convert(source, AudioFormat(16000, 2, 2))
    assert _ints(result) == [100, 100, -200, -200, 300, 300]


@pytest.mark.parametrize("width", [1, 3, 4])
def test_width_round_trip(width: int) -> None:
    """GIVEN 16-bit samples WHEN converted to another width and back THEN values survive
    within that width's precision."""
    values = [0, 12000, -12000, 32767, -32768]
    source = Audio(MONO16, struct.pack("<5h", *values))
    other = convert(source, AudioFormat(16000, 1, width))
    assert len(other.frames) == 5 * width
    back = _ints(convert(other, MONO16))
    tolerance = 256 if width == 1 else 1
    assert all(abs(a - b) <= tolerance for a, b in zip(back, values, strict=True))


def test_trim_silence_keeps_a_margin() -> None:
    """GIVEN 0.1 s silence, 0.1 s tone, 0.1 s silence WHEN trimmed with a 10 ms margin THEN
    0.1 s + 2 x 10 ms remain."""
    samples = [0] * 1600 + _sine(16000, 500, 0.1) + [0] * 1600
    audio = read_wav(_wav16(samples, 16000))
    trimmed = trim_silence(audio, margin_ms=10)
    assert abs(trimmed.nframes - (1600 + 320)) <= 20
    assert trim_silence(Audio(MONO16, bytes(3200))).nframes == 0


def test_silence_and_normalise() -> None:
    """GIVEN formats WHEN silence is made THEN the right number of zero frames; GIVEN a
    quiet clip WHEN normalised THEN its peak reaches the target."""
    assert silence(MONO16, 80) == bytes(2 * 1280)
    assert silence(AudioFormat(8000, 1, 1), 10) == b"\x80" * 80
    quiet = Audio(MONO16, struct.pack("<3h", 100, -1000, 500))
    assert max(abs(x) for x in _ints(normalise_peak(quiet, 0.5))) == 16384


@pytest.mark.parametrize(("rate", "channels", "width"), [(100, 1, 2), (16000, 3, 2), (16000, 1, 5)])
def test_bad_format(rate: int, channels: int, width: int) -> None:
    """GIVEN an impossible format WHEN made THEN ValueError."""
    with pytest.raises(ValueError):
        AudioFormat(rate, channels, width)
