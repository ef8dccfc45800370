"""Small PCM toolkit: read and write WAV bytes, convert format, trim silence.

Pure Python on bytes (no file I/O), because the stdlib ``audioop`` is deprecated and
sox is not always installed. Good enough for speech clips of a few seconds: linear
interpolation with a windowed-sinc low-pass before downsampling.
"""

# pyright: strict

from __future__ import annotations

import io
import math
import sys
import wave
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Audio",
    "AudioFormat",
    "concat",
    "convert",
    "normalise_peak",
    "read_wav",
    "silence",
    "trim_silence",
    "write_wav",
]

_PCM = 0x0001
_FLOAT = 0x0003
_EXTENSIBLE = 0xFFFE
_BIG_ENDIAN = sys.byteorder == "big"


@dataclass(frozen=True)
class AudioFormat:
    """Integer PCM format.

    Attributes:
        rate: frames per second, e.g. 16000.
        channels: 1 (mono) or 2.
        width: bytes per sample: 1 (unsigned 8-bit), 2, 3 or 4 (signed).
    """

    rate: int
    channels: int
    width: int

    def __post_init__(self) -> None:
        if not 4000 <= self.rate <= 192_000:
            raise ValueError(f"rate must be 4000..192000 Hz, not {self.rate}")
        if self.channels not in (1, 2):
            raise ValueError(f"channels must be 1 or 2, not {self.channels}")
        if self.width not in (1, 2, 3, 4):
            raise ValueError(f"width must be 1, 2, 3 or 4 bytes, not {self.width}")

    @property
    def frame_bytes(self) -> int:
        """Bytes per frame (all channels)."""
        return self.channels * self.width


@dataclass(frozen=True)
class Audio:
    """PCM frames (little-endian, interleaved) in a known format."""

    format: AudioFormat
    frames: bytes

    @property
    def nframes(self) -> int:
        """Number of frames."""
        return len(self.frames) // self.format.frame_bytes


def _chunks(data: bytes) -> dict[bytes, bytes]:
    """Split a RIFF/WAVE file into its chunks (first of each id wins)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    chunks: dict[bytes, bytes] = {}
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        # Streamed WAVs (espeak-ng --stdout) carry a bogus huge size: cap to what is there.
        chunks.setdefault(chunk_id, data[pos + 8 : pos + 8 + size])
        pos += 8 + size + (size & 1)
    return chunks


def _decode(pcm: bytes, width: int, is_float: bool) -> list[float]:
    """Samples as floats in [-1, 1)."""
    if is_float:
        floats = array("f" if width == 4 else "d", pcm)
        if _BIG_ENDIAN:
            floats.byteswap()
        return [max(-1.0, min(1.0, x)) for x in floats]
    if width == 1:
        return [(b - 128) / 128.0 for b in pcm]
    if width == 3:
        return [
            int.from_bytes(pcm[i : i + 3], "little", signed=True) / 8_388_608.0
            for i in range(0, len(pcm) - 2, 3)
        ]
    ints = array("h" if width == 2 else "i", pcm)
    if _BIG_ENDIAN:
        ints.byteswap()
    scale = float(1 << (8 * width - 1))
    return [x / scale for x in ints]


def _encode(samples: Sequence[float], width: int) -> bytes:
    """Floats in [-1, 1] to little-endian integer PCM, clipping."""
    top = (1 << (8 * width - 1)) - 1
    ints = [max(-top - 1, min(top, round(x * (top + 1)))) for x in samples]
    if width == 1:
        return bytes(x + 128 for x in ints)
    if width == 3:
        return b"".join(x.to_bytes(3, "little", signed=True) for x in ints)
    packed = array("h" if width == 2 else "i", ints)
    if _BIG_ENDIAN:
        packed.byteswap()
    return packed.tobytes()


def read_wav(data: bytes) -> Audio:
    """Parse a WAV file held in memory.

    Accepts integer PCM of 8-32 bits and IEEE float (converted to 16-bit), plain or
    WAVE_FORMAT_EXTENSIBLE, mono or stereo, and streamed files with a bogus length.

    Raises:
        ValueError: not a WAV file, or an encoding it cannot read.
    """
    chunks = _chunks(data)
    fmt = chunks.get(b"fmt ")
    body = chunks.get(b"data")
    if fmt is None or len(fmt) < 16 or body is None:
        raise ValueError("WAV file without a 'fmt ' or 'data' chunk")
    tag = int.from_bytes(fmt[0:2], "little")
    channels = int.from_bytes(fmt[2:4], "little")
    rate = int.from_bytes(fmt[4:8], "little")
    bits = int.from_bytes(fmt[14:16], "little")
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        tag = int.from_bytes(fmt[24:26], "little")
    width = (bits + 7) // 8
    if tag == _FLOAT and width in (4, 8):
        out_width = 2
    elif tag == _PCM and width in (1, 2, 3, 4):
        out_width = width
    else:
        raise ValueError(f"unsupported WAV encoding (format tag {tag:#x}, {bits} bits)")
    if channels not in (1, 2):
        raise ValueError(f"unsupported channel count {channels}")
    audio_format = AudioFormat(rate=rate, channels=channels, width=out_width)
    body = body[: len(body) - len(body) % (channels * width)]
    if tag == _FLOAT:
        return Audio(audio_format, _encode(_decode(body, width, True), out_width))
    return Audio(audio_format, body)


def write_wav(audio: Audio) -> bytes:
    """Encode ``audio`` as a complete WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(audio.format.channels)
        out.setsampwidth(audio.format.width)
        out.setframerate(audio.format.rate)
        out.writeframes(audio.frames)
    return buffer.getvalue()


def silence(audio_format: AudioFormat, milliseconds: int) -> bytes:
    """Frames of silence lasting ``milliseconds`` (rounded to whole frames)."""
    nframes = round(audio_format.rate * milliseconds / 1000)
    zero = b"\x80" if audio_format.width == 1 else b"\x00" * audio_format.width
    return zero * (nframes * audio_format.channels)


def _lowpass(samples: list[float], cutoff: float, taps: int = 21) -> list[float]:
    """Windowed-sinc FIR low-pass; ``cutoff`` is a fraction of the sample rate."""
    half = taps // 2
    kernel = [
        (2 * cutoff if k == 0 else math.sin(2 * math.pi * cutoff * k) / (math.pi * k))
        * (0.54 + 0.46 * math.cos(math.pi * k / half))
        for k in range(-half, half + 1)
    ]
    total = sum(kernel)
    kernel = [k / total for k in kernel]
    padded = [0.0] * half + samples + [0.0] * half
    return [
        sum(c * x for c, x in zip(kernel, padded[i : i + taps], strict=True))
        for i in range(len(samples))
    ]


def _resample(samples: list[float], src_rate: int, dst_rate: int) -> list[float]:
    """Resample one channel by linear interpolation."""
    if src_rate == dst_rate or not samples:
        return samples
    if dst_rate < src_rate:
        samples = _lowpass(samples, 0.45 * dst_rate / src_rate)
    count = max(1, round(len(samples) * dst_rate / src_rate))
    step = src_rate / dst_rate
    last = len(samples) - 1
    out: list[float] = []
    for j in range(count):
        pos = j * step
        i = min(int(pos), last)
        frac = pos - i
        nxt = samples[min(i + 1, last)]
        out.append(samples[i] + (nxt - samples[i]) * frac)
    return out


def _channels(audio: Audio) -> list[list[float]]:
    """Decode into one list of samples per channel."""
    samples = _decode(audio.frames, audio.format.width, False)
    return [samples[c :: audio.format.channels] for c in range(audio.format.channels)]


def _from_channels(channels: list[list[float]], audio_format: AudioFormat) -> Audio:
    interleaved = [x for frame in zip(*channels, strict=True) for x in frame]
    return Audio(audio_format, _encode(interleaved, audio_format.width))


def convert(audio: Audio, target: AudioFormat) -> Audio:
    """Convert ``audio`` to ``target`` (rate, channel count, sample width)."""
    if audio.format == target:
        return audio
    chans = _channels(audio)
    if len(chans) != target.channels:
        # Mix to mono first; a mono source is simply copied to every target channel.
        mono = [sum(frame) / len(frame) for frame in zip(*chans, strict=True)]
        chans = [mono] * target.channels
    chans = [_resample(c, audio.format.rate, target.rate) for c in chans]
    return _from_channels(chans, target)


def trim_silence(audio: Audio, threshold: float = 0.02, margin_ms: int = 15) -> Audio:
    """Cut leading and trailing frames quieter than ``threshold`` (fraction of full scale).

    Keeps ``margin_ms`` of the quiet part on each side so consonants are not clipped.
    All-quiet audio comes back empty.
    """
    chans = _channels(audio)
    frames = zip(*chans, strict=True)
    loud = [i for i, frame in enumerate(frames) if max(abs(x) for x in frame) > threshold]
    if not loud:
        return Audio(audio.format, b"")
    margin = round(audio.format.rate * margin_ms / 1000)
    start = max(0, loud[0] - margin)
    end = min(audio.nframes, loud[-1] + 1 + margin)
    size = audio.format.frame_bytes
    return Audio(audio.format, audio.frames[start * size : end * size])


def normalise_peak(audio: Audio, peak: float = 0.7) -> Audio:
    """Scale ``audio`` so its loudest sample reaches ``peak`` of full scale."""
    samples = _decode(audio.frames, audio.format.width, False)
    loudest = max((abs(x) for x in samples), default=0.0)
    if loudest == 0.0:
        return audio
    gain = peak / loudest
    return Audio(audio.format, _encode([x * gain for x in samples], audio.format.width))


def concat(parts: Sequence[bytes], audio_format: AudioFormat) -> Audio:
    """Join frame buffers already in ``audio_format``."""
    return Audio(audio_format, b"".join(parts))
