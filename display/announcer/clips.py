"""Clip sets: a folder of recorded words and phrases described by ``manifest.json``.

See ``clips/default/README.md`` for the manifest format and how a centre records its
own announcer. Loading checks the whole manifest and reports every problem at once.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import string
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from display.announcer.errors import ClipSetError
from display.announcer.pcm import Audio, AudioFormat, convert, read_wav

__all__ = [
    "DEFAULT_CLIP_DIR",
    "MANIFEST",
    "ClipSet",
    "Piece",
    "normalise_words",
]

logger = logging.getLogger(__name__)

MANIFEST: Final[str] = "manifest.json"
DEFAULT_CLIP_DIR: Final[Path] = Path(__file__).resolve().parent / "clips" / "default"

_KEYS: Final[tuple[str, ...]] = (
    "name",
    "version",
    "description",
    "format",
    "gap_ms",
    "chime_gap_ms",
    "chime",
    "words",
    "phrases",
    "fallback",
)
# Punctuation is spoken as nothing; the hyphen inside letter names ("e-lờ") is kept.
_STRIP: Final[str] = string.punctuation.replace("-", "") + "“”‘’…–—«»"


def normalise_words(text_or_words: str | Iterable[str]) -> list[str]:
    """Split text into lookup words: NFC, lower case, no surrounding punctuation.

    Args:
        text_or_words: a line of text, or words (each may itself hold spaces).

    Returns:
        The words, e.g. ``"Xin mời, số 3."`` -> ``["xin", "mời", "số", "3"]``.
    """
    raw = [text_or_words] if isinstance(text_or_words, str) else list(text_or_words)
    words: list[str] = []
    for chunk in raw:
        for token in unicodedata.normalize("NFC", chunk).lower().split():
            token = token.strip(_STRIP).strip("-")
            if token:
                words.append(token)
    return words


@dataclass(frozen=True)
class Piece:
    """One step of an announcement: a clip, or words espeak-ng must synthesise.

    Attributes:
        text: the words, space-separated, as looked up.
        path: the clip file, or None when no clip covers these words.
    """

    text: str
    path: Path | None


@dataclass(frozen=True)
class ClipSet:
    """A loaded, validated clip set. Build one with :meth:`ClipSet.load`.

    Attributes:
        directory: the folder holding ``manifest.json`` and the clips.
        name: the manifest's ``name``.
        format: the set's audio format; every clip is converted to it.
        clips: normalised word or phrase -> clip file.
        chime: the chime file, or None for no chime.
        gap_ms: silence between words.
        chime_gap_ms: silence after the chime.
        fallback_voice: espeak-ng voice for words without a clip.
        fallback_speed: espeak-ng speed (words per minute) for those words.
        version: a digest of the manifest and every clip's bytes; changes whenever a
            clip is re-recorded, so cached announcements are not reused.
    """

    directory: Path
    name: str
    format: AudioFormat
    clips: Mapping[str, Path]
    chime: Path | None
    gap_ms: int
    chime_gap_ms: int
    fallback_voice: str
    fallback_speed: int
    version: str
    longest: int = field(init=False)

    def __post_init__(self) -> None:
        longest = max((len(key.split()) for key in self.clips), default=1)
        object.__setattr__(self, "longest", longest)

    @classmethod
    def load(cls, directory: Path) -> ClipSet:
        """Read and validate ``directory/manifest.json``.

        Raises:
            ClipSetError: listing every problem found, each naming the key or file.
        """
        return _load(Path(directory))

    def plan(self, text_or_words: str | Iterable[str]) -> list[Piece]:
        """Cover the words with clips, longest phrase first.

        Consecutive words without a clip become one :class:`Piece` with ``path=None``,
        so espeak-ng says them as one utterance with natural intonation.
        """
        words = normalise_words(text_or_words)
        pieces: list[Piece] = []
        missing: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                key = " ".join(words[i : i + size])
                path = self.clips.get(key)
                if path is not None:
                    if missing:
                        pieces.append(Piece(" ".join(missing), None))
                        missing = []
                    pieces.append(Piece(key, path))
                    i += size
                    break
            else:
                missing.append(words[i])
                i += 1
        if missing:
            pieces.append(Piece(" ".join(missing), None))
        return pieces

    def read_clip(self, path: Path) -> Audio:
        """Read one clip and convert it to the set's format.

        Raises:
            ClipSetError: the file is missing or not a readable WAV.
        """
        try:
            audio = read_wav(path.read_bytes())
        except (OSError, ValueError) as err:
            message = f"clip set {self.directory}: cannot read {path.name}: {err}"
            raise ClipSetError(message) from err
        if audio.format != self.format:
            logger.debug("converting %s from %s to %s", path, audio.format, self.format)
            audio = convert(audio, self.format)
        return audio


def _file(directory: Path, where: str, value: object, errors: list[str]) -> Path | None:
    """Resolve a clip file name, recording an error when it is unusable."""
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where}: expected a file name, got {value!r}")
        return None
    path = (directory / value).resolve()
    if not path.is_relative_to(directory.resolve()):
        errors.append(f"{where}: {value!r} points outside the clip folder")
        return None
    if not path.is_file():
        errors.append(f"{where}: file {value!r} not found")
        return None
    return path


def _int(data: Mapping[str, object], key: str, default: int, top: int, errors: list[str]) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        errors.append(f"{key}: expected a whole number 0..{top}, got {value!r}")
        return default
    return value


def _format(value: object, errors: list[str]) -> AudioFormat | None:
    if not isinstance(value, dict):
        errors.append('format: expected {"rate": 16000, "channels": 1, "width": 2}')
        return None
    try:
        return AudioFormat(
            rate=int(value["rate"]), channels=int(value["channels"]), width=int(value["width"])
        )
    except (KeyError, TypeError, ValueError) as err:
        errors.append(f"format: {err}")
        return None


def _entries(
    directory: Path, data: Mapping[str, object], section: str, errors: list[str]
) -> dict[str, Path]:
    """Validate the ``words`` or ``phrases`` table."""
    table = data.get(section, {})
    if not isinstance(table, dict):
        errors.append(f"{section}: expected an object of text -> file name")
        return {}
    clips: dict[str, Path] = {}
    for text, value in table.items():
        key = " ".join(normalise_words(str(text)))
        where = f"{section}[{text!r}]"
        if not key:
            errors.append(f"{where}: empty text")
            continue
        if section == "words" and " " in key:
            errors.append(f"{where}: a word has no spaces; put it under 'phrases'")
        path = _file(directory, where, value, errors)
        if path is not None:
            clips[key] = path
    return clips


def _load(directory: Path) -> ClipSet:
    manifest = directory / MANIFEST
    try:
        raw = manifest.read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ClipSetError(f"{manifest}: cannot read the manifest: {err}") from err
    if not isinstance(data, dict):
        raise ClipSetError(f"{manifest}: expected a JSON object")
    errors: list[str] = []
    for key in data:
        if key not in _KEYS:
            hint = difflib.get_close_matches(str(key), _KEYS, n=1)
            errors.append(f"{key}: unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    audio_format = _format(data.get("format"), errors)
    words = _entries(directory, data, "words", errors)
    phrases = _entries(directory, data, "phrases", errors)
    for text in words.keys() & phrases.keys():
        errors.append(f"{text!r} is listed under both 'words' and 'phrases'")
    chime_name = data.get("chime")
    chime = None if chime_name is None else _file(directory, "chime", chime_name, errors)
    gap_ms = _int(data, "gap_ms", 80, 2000, errors)
    chime_gap_ms = _int(data, "chime_gap_ms", 300, 5000, errors)
    fallback = data.get("fallback", {})
    if not isinstance(fallback, dict):
        errors.append('fallback: expected {"voice": "vi", "speed": 140}')
        fallback = {}
    voice = fallback.get("voice", "vi")
    if not isinstance(voice, str) or not voice or voice.startswith("-"):
        errors.append(f"fallback.voice: expected an espeak-ng voice name, got {voice!r}")
        voice = "vi"
    speed = _int(fallback, "speed", 140, 500, errors)
    if errors or audio_format is None:
        raise ClipSetError(f"{manifest}: " + "; ".join(errors))
    clips = {**words, **phrases}
    digest = hashlib.sha256(raw)
    for key in sorted(clips):
        digest.update(key.encode() + b"\0" + clips[key].read_bytes())
    if chime is not None:
        digest.update(b"chime\0" + chime.read_bytes())
    name = data.get("name")
    return ClipSet(
        directory=directory,
        name=name if isinstance(name, str) else directory.name,
        format=audio_format,
        clips=clips,
        chime=chime,
        gap_ms=gap_ms,
        chime_gap_ms=chime_gap_ms,
        fallback_voice=voice,
        fallback_speed=speed,
        version=digest.hexdigest()[:16],
    )
