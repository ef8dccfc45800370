"""Build the default clip set with espeak-ng's ``vi`` voice.

Run ``python -m display.announcer.build_clips [--out DIR]``. It records every word the
number reader and the letter names can produce, the words and fixed phrases of the
default template, and a two-tone chime made with plain maths, then writes
``manifest.json``. A centre replaces these clips with its own recordings (see the
clip folder's README.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from display.announcer.audio import ESPEAK, synthesise
from display.announcer.clips import DEFAULT_CLIP_DIR, MANIFEST
from display.announcer.errors import AnnouncerError
from display.announcer.letters import LETTER_VOCABULARY
from display.announcer.numbers import VOCABULARY
from display.announcer.pcm import Audio, AudioFormat, normalise_peak, write_wav
from display.announcer.phrases import DEFAULT_TEMPLATE

__all__ = ["PHRASES", "TEMPLATE_WORDS", "build", "main", "make_chime", "slug"]

logger = logging.getLogger(__name__)

PHRASES: Final[tuple[str, ...]] = ("xin mời công dân có số", "đến quầy số")
"""The fixed parts of the default template, recorded whole for natural intonation."""

TEMPLATE_WORDS: Final[frozenset[str]] = frozenset(
    word for phrase in PHRASES for word in phrase.split()
)
"""Single words of those phrases, so a centre's own template can reuse them."""

# espeak-ng 1.51 reads a lone "gi" as a bare consonant; "di" gives the same /zi/ in full.
_SPOKEN_AS: Final[dict[str, str]] = {"gi": "di"}

_TONES: Final[dict[str, str]] = {
    "\u0301": "s",  # sắc
    "\u0300": "f",  # huyền
    "\u0309": "r",  # hỏi
    "\u0303": "x",  # ngã
    "\u0323": "j",  # nặng
}
_MARKS: Final[dict[str, str]] = {"\u0306": "w", "\u031b": "w", "\u0302": ""}


def slug(text: str) -> str:
    """ASCII file stem for a word or phrase, in Telex so "một" and "mốt" differ.

    ``slug("một") == "mootj"``, ``slug("e-lờ") == "e-lowf"``,
    ``slug("đến quầy số") == "ddeens_quaafy_soos"``.
    """
    syllables: list[str] = []
    for word in text.lower().split():
        parts: list[str] = []
        for syllable in word.split("-"):
            out: list[str] = []
            tone = ""
            for ch in unicodedata.normalize("NFD", syllable):
                if ch in _TONES:
                    tone = _TONES[ch]
                elif ch in _MARKS:
                    # The circumflex doubles the vowel (â -> aa); breve and horn add w.
                    out.append(_MARKS[ch] or (out[-1] if out else ""))
                elif ch == "đ":
                    out.append("dd")
                elif ch.isascii() and ch.isalnum():
                    out.append(ch)
            parts.append("".join(out) + tone)
        syllables.append("-".join(parts))
    return "_".join(syllables)


def make_chime(audio_format: AudioFormat) -> Audio:
    """A soft two-tone "ding-dong" (E5 then C5) with a few harmonics and decay."""
    rate = audio_format.rate
    notes = ((0.0, 659.25), (0.42, 523.25))
    length = round(rate * 1.25)
    samples = [0.0] * length
    for start_s, freq in notes:
        start = round(start_s * rate)
        for i in range(length - start):
            t = i / rate
            envelope = min(1.0, t / 0.008) * math.exp(-t / 0.32)
            tone = (
                math.sin(2 * math.pi * freq * t)
                + 0.25 * math.sin(4 * math.pi * freq * t)
                + 0.08 * math.sin(6 * math.pi * freq * t)
            )
            samples[start + i] += envelope * tone
    top = (1 << (8 * audio_format.width - 1)) - 1
    frames = bytearray()
    for x in samples:
        value = round(max(-1.0, min(1.0, x / 1.6)) * top)
        frame = (value + 128 if audio_format.width == 1 else value).to_bytes(
            audio_format.width, "little", signed=audio_format.width != 1
        )
        frames += frame * audio_format.channels
    return normalise_peak(Audio(audio_format, bytes(frames)), 0.6)


def build(
    out: Path,
    *,
    rate: int = 16000,
    voice: str = "vi",
    speed: int = 140,
    espeak: str = ESPEAK,
) -> dict[str, object]:
    """Write a complete clip set into ``out`` and return its manifest.

    Raises:
        SynthesisError: espeak-ng is missing or fails.
    """
    audio_format = AudioFormat(rate=rate, channels=1, width=2)
    out.mkdir(parents=True, exist_ok=True)
    old = out / MANIFEST
    stale: set[str] = set()
    if old.is_file():
        try:
            previous = json.loads(old.read_text(encoding="utf-8"))
            for section in ("words", "phrases"):
                stale.update(previous.get(section, {}).values())
        except (ValueError, AttributeError):
            logger.warning("ignoring unreadable old manifest %s", old)

    def record(text: str) -> str:
        name = f"{slug(text)}.wav"
        spoken = _SPOKEN_AS.get(text, text)
        audio = synthesise(spoken, audio_format, espeak=espeak, voice=voice, speed=speed)
        (out / name).write_bytes(write_wav(normalise_peak(audio)))
        stale.discard(name)
        return name

    words = sorted(VOCABULARY | LETTER_VOCABULARY | TEMPLATE_WORDS)
    manifest: dict[str, object] = {
        "name": "default",
        "version": "1",
        "description": (
            f"espeak-ng voice {voice!r} at {speed} words/min, built by "
            "python -m display.announcer.build_clips; default template: " + DEFAULT_TEMPLATE
        ),
        "format": {"rate": rate, "channels": 1, "width": 2},
        "gap_ms": 80,
        "chime_gap_ms": 300,
        "chime": "chime.wav",
        "fallback": {"voice": voice, "speed": speed},
        "words": {word: record(word) for word in words},
        "phrases": {phrase: record(phrase) for phrase in PHRASES},
    }
    (out / "chime.wav").write_bytes(write_wav(make_chime(audio_format)))
    for name in sorted(stale):
        (out / name).unlink(missing_ok=True)
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (out / MANIFEST).write_text(text, encoding="utf-8")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_CLIP_DIR, help="clip set folder")
    parser.add_argument("--rate", type=int, default=16000, help="sample rate (Hz)")
    parser.add_argument("--voice", default="vi", help="espeak-ng voice")
    parser.add_argument("--speed", type=int, default=140, help="words per minute")
    parser.add_argument("--espeak", default=ESPEAK, help="espeak-ng program")
    args = parser.parse_args(argv)
    try:
        manifest = build(
            args.out, rate=args.rate, voice=args.voice, speed=args.speed, espeak=args.espeak
        )
    except (AnnouncerError, ValueError) as err:
        print(f"build_clips: {err}", file=sys.stderr)
        return 2
    files = [p for p in args.out.iterdir() if p.suffix in (".wav", ".json")]
    size = sum(p.stat().st_size for p in files)
    sections = (manifest["words"], manifest["phrases"])
    clips = sum(len(section) for section in sections if isinstance(section, dict))
    print(f"{args.out}: {clips} clips + chime, {len(files)} files, {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
