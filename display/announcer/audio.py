"""Render announcements to WAV: chime, then clips, with espeak-ng for missing words.

An announcement is ``chime + chime_gap + piece + gap + piece + ... + piece``, every part
in the clip set's format, so its length in frames is exactly the sum of its parts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from display.announcer.clips import ClipSet, normalise_words
from display.announcer.errors import SynthesisError
from display.announcer.numbers import check_region
from display.announcer.pcm import Audio, AudioFormat, convert, read_wav, silence, trim_silence
from display.announcer.pcm import write_wav as encode_wav

__all__ = ["ESPEAK", "AnnouncementCache", "render_announcement", "synthesise"]

logger = logging.getLogger(__name__)

ESPEAK: Final[str] = "espeak-ng"
_ESPEAK_TIMEOUT_S: Final[float] = 20.0


def synthesise(
    text: str,
    audio_format: AudioFormat,
    *,
    espeak: str = ESPEAK,
    voice: str = "vi",
    speed: int = 140,
    trim: bool = True,
) -> Audio:
    """Say ``text`` with espeak-ng and convert it to ``audio_format``.

    Args:
        text: the words to say.
        audio_format: the format to return.
        espeak: the espeak-ng program, a name on PATH or a path.
        voice: espeak-ng voice, ``vi`` (northern) by default.
        speed: words per minute.
        trim: cut espeak's leading and trailing silence, since we add our own gaps.

    Raises:
        SynthesisError: espeak-ng is missing, fails or returns no usable audio; the
            message names the words.
    """
    program = shutil.which(espeak)
    if program is None:
        raise SynthesisError(
            f"no clip for {text!r} and {espeak!r} is not installed: "
            "install espeak-ng or record the word in the clip set"
        )
    # The text goes through stdin so a word starting with "-" is never an option.
    command = [program, "-v", voice, "-s", str(speed), "--stdout"]
    try:
        done = subprocess.run(
            command,
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=_ESPEAK_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SynthesisError(f"espeak-ng failed on {text!r}: {err}") from err
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise SynthesisError(f"espeak-ng failed on {text!r} (exit {done.returncode}): {detail}")
    try:
        audio = read_wav(done.stdout)
    except ValueError as err:
        raise SynthesisError(f"espeak-ng gave no usable audio for {text!r}: {err}") from err
    if trim:
        audio = trim_silence(audio)
    return convert(audio, audio_format)


def render_announcement(
    text_or_words: str | Iterable[str],
    clip_set: ClipSet,
    *,
    chime: bool = True,
    espeak: str = ESPEAK,
) -> bytes:
    """Render an announcement as a complete WAV file.

    Words are covered by the clip set's clips, longest phrase first; runs of words
    without a clip are said by espeak-ng with the set's fallback voice and speed.

    Args:
        text_or_words: the line to say, or its words.
        clip_set: the recorded clips.
        chime: start with the set's chime (if it has one).
        espeak: the espeak-ng program for missing words.

    Returns:
        WAV bytes in the clip set's format.

    Raises:
        SynthesisError: a word has no clip and espeak-ng cannot say it.
        ClipSetError: a clip file is missing or unreadable.
    """
    audio_format = clip_set.format
    pieces = clip_set.plan(text_or_words)
    parts: list[bytes] = []
    if chime and clip_set.chime is not None:
        parts.append(clip_set.read_clip(clip_set.chime).frames)
        if pieces:
            parts.append(silence(audio_format, clip_set.chime_gap_ms))
    gap = silence(audio_format, clip_set.gap_ms)
    for index, piece in enumerate(pieces):
        if index:
            parts.append(gap)
        if piece.path is not None:
            audio = clip_set.read_clip(piece.path)
        else:
            logger.info("no clip for %r in %s; using espeak-ng", piece.text, clip_set.name)
            audio = synthesise(
                piece.text,
                audio_format,
                espeak=espeak,
                voice=clip_set.fallback_voice,
                speed=clip_set.fallback_speed,
            )
        parts.append(audio.frames)
    return encode_wav(Audio(audio_format, b"".join(parts)))


class AnnouncementCache:
    """Rendered announcements kept as WAV files, so each phrase is rendered once.

    The key is a hash of the normalised words, the region, the clip set's version
    (its content digest) and the chime flag. The least recently used files are
    deleted beyond ``max_files``.

    Attributes:
        folder: where the WAV files live.
        hits: lookups answered from the folder since this object was made.
        misses: lookups that rendered.
    """

    def __init__(self, folder: Path, *, max_files: int = 500) -> None:
        """Create the cache.

        Args:
            folder: created if missing.
            max_files: how many announcements to keep, at least 1.
        """
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_files = max(1, max_files)
        self.hits = 0
        self.misses = 0

    def key(
        self,
        text_or_words: str | Iterable[str],
        clip_set: ClipSet,
        *,
        region: str = "north",
        chime: bool = True,
    ) -> str:
        """Return the cache key (hex) of an announcement."""
        words = normalise_words(text_or_words)
        ident = json.dumps([words, check_region(region), clip_set.version, chime])
        return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:32]

    def get(
        self,
        text_or_words: str | Iterable[str],
        clip_set: ClipSet,
        *,
        region: str = "north",
        chime: bool = True,
        espeak: str = ESPEAK,
    ) -> Path:
        """Return the WAV file of an announcement, rendering it on the first request.

        Raises:
            SynthesisError, ClipSetError: as :func:`render_announcement`.
        """
        path = self.folder / f"{self.key(text_or_words, clip_set, region=region, chime=chime)}.wav"
        if path.is_file():
            self.hits += 1
            with contextlib.suppress(OSError):
                os.utime(path)  # mark as recently used for pruning
            return path
        self.misses += 1
        data = render_announcement(text_or_words, clip_set, chime=chime, espeak=espeak)
        # Write then rename, so a player never sees a half-written file.
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._prune(keep=path)
        return path

    def _prune(self, keep: Path) -> None:
        files = sorted(self.folder.glob("*.wav"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[: max(0, len(files) - self.max_files)]:
            if old != keep:
                with contextlib.suppress(OSError):
                    old.unlink()
