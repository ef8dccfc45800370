"""Clip sets, announcement rendering, the espeak-ng fallback and the cache."""

from __future__ import annotations

import io
import json
import shutil
import struct
import wave
from pathlib import Path

import pytest

from display.announcer.audio import AnnouncementCache, render_announcement, synthesise
from display.announcer.clips import DEFAULT_CLIP_DIR, ClipSet, Piece, normalise_words
from display.announcer.errors import AnnouncerError, ClipSetError, SynthesisError
from display.announcer.letters import LETTER_VOCABULARY
from display.announcer.numbers import VOCABULARY
from display.announcer.phrases import call_phrase

RATE = 8000
NO_ESPEAK = "/nonexistent/espeak-ng"
needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not on PATH (apt install espeak-ng)"
)

# word -> (frames, sample value): distinct lengths and values so order is checkable.
CLIPS = {
    "xin mời": (600, 1000),
    "xin": (150, 1100),
    "mời": (160, 1200),
    "một": (400, 2000),
    "hai": (500, 3000),
    "ba": (300, 4000),
    "e-lờ": (350, 5000),
}
CHIME = (800, 9000)
GAP_MS, CHIME_GAP_MS = 50, 100  # 400 and 800 frames at 8 kHz


def _write_wav(path: Path, frames: int, value: int, rate: int = RATE, channels: int = 1) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack("<h", value) * frames * channels)


def _make_set(folder: Path, **overrides: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    words: dict[str, str] = {}
    phrases: dict[str, str] = {}
    for i, (text, (frames, value)) in enumerate(CLIPS.items()):
        name = f"clip{i}.wav"
        _write_wav(folder / name, frames, value)
        (phrases if " " in text else words)[text] = name
    _write_wav(folder / "chime.wav", *CHIME)
    manifest: dict[str, object] = {
        "name": "test",
        "format": {"rate": RATE, "channels": 1, "width": 2},
        "gap_ms": GAP_MS,
        "chime_gap_ms": CHIME_GAP_MS,
        "chime": "chime.wav",
        "words": words,
        "phrases": phrases,
    }
    manifest.update(overrides)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture
def clip_set(tmp_path: Path) -> ClipSet:
    return ClipSet.load(_make_set(tmp_path / "set"))


def _frames(data: bytes) -> tuple[tuple[int, int, int], list[int]]:
    with wave.open(io.BytesIO(data)) as wav:
        params = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth())
        raw = wav.readframes(wav.getnframes())
    return params, list(struct.unpack(f"<{len(raw) // 2}h", raw))


def _runs(samples: list[int]) -> list[tuple[int, int]]:
    """Collapse samples into (value, count) runs."""
    runs: list[tuple[int, int]] = []
    for x in samples:
        if runs and runs[-1][0] == x:
            runs[-1] = (x, runs[-1][1] + 1)
        else:
            runs.append((x, 1))
    return runs


def test_render_is_chime_then_clips_with_gaps(clip_set: ClipSet) -> None:
    """GIVEN a clip set WHEN "Xin mời một, hai. E-lờ" is rendered THEN the WAV is the chime,
    the chime gap, then each clip (longest phrase first) separated by gaps, in order, and
    its frame count is exactly their sum."""
    data = render_announcement("Xin mời một, hai. E-lờ", clip_set, espeak=NO_ESPEAK)
    params, samples = _frames(data)
    assert params == (RATE, 1, 2)
    gap, chime_gap = 400, 800
    expected = [CHIME, (chime_gap, 0)]
    for i, text in enumerate(["xin mời", "một", "hai", "e-lờ"]):
        if i:
            expected.append((gap, 0))
        expected.append(CLIPS[text])
    assert _runs(samples) == [(value, frames) for frames, value in expected]
    # chime, chime gap, "xin mời", gap, "một", gap, "hai", gap, "e-lờ"
    assert len(samples) == 800 + 800 + 600 + 400 + 400 + 400 + 500 + 400 + 350


def test_words_list_and_no_chime(clip_set: ClipSet) -> None:
    """GIVEN a list of words WHEN rendered without chime THEN only clips and gaps."""
    data = render_announcement(["Một", "ba"], clip_set, chime=False, espeak=NO_ESPEAK)
    _, samples = _frames(data)
    assert _runs(samples) == [(2000, 400), (0, 400), (4000, 300)]


def test_chime_alone(clip_set: ClipSet) -> None:
    """GIVEN no words WHEN rendered THEN just the chime, with no trailing gap."""
    _, samples = _frames(render_announcement("", clip_set, espeak=NO_ESPEAK))
    assert _runs(samples) == [(9000, 800)]


def test_plan_prefers_longest_phrase_and_groups_missing_words(clip_set: ClipSet) -> None:
    """GIVEN clips for "xin", "mời" and "xin mời" WHEN planning THEN the phrase wins, and
    consecutive words without clips form one piece for espeak-ng."""
    pieces = clip_set.plan("xin mời công dân một xin")
    assert pieces == [
        Piece("xin mời", clip_set.clips["xin mời"]),
        Piece("công dân", None),
        Piece("một", clip_set.clips["một"]),
        Piece("xin", clip_set.clips["xin"]),
    ]


def test_normalise_words() -> None:
    """GIVEN text with case, punctuation, NFD diacritics and hyphens WHEN normalised THEN
    lower-case NFC words, hyphen kept inside a word only."""
    assert normalise_words("Xin MỜI, “số” 3. e-lờ -") == ["xin", "mời", "số", "3", "e-lờ"]
    assert normalise_words(["Mo\u0302\u0323t hai", "ba"]) == ["một", "hai", "ba"]


def test_clip_in_another_format_is_converted(tmp_path: Path) -> None:
    """GIVEN a clip recorded at 16 kHz stereo in an 8 kHz mono set WHEN rendered THEN it
    is converted: half the frames, mono, same level."""
    folder = _make_set(tmp_path / "set")
    _write_wav(folder / "clip3.wav", 800, 2000, rate=16000, channels=2)  # "một"
    clip_set = ClipSet.load(folder)
    _, samples = _frames(render_announcement("một", clip_set, chime=False, espeak=NO_ESPEAK))
    assert len(samples) == 400
    assert all(abs(x - 2000) <= 3 for x in samples[20:-20])


def test_missing_word_without_espeak_names_the_word(clip_set: ClipSet) -> None:
    """GIVEN a word with no clip and no espeak-ng WHEN rendered THEN AnnouncerError naming
    the word."""
    with pytest.raises(SynthesisError, match="'quầy'") as info:
        render_announcement("một quầy", clip_set, espeak=NO_ESPEAK)
    assert isinstance(info.value, AnnouncerError)


@needs_espeak
def test_espeak_fallback_fills_missing_words(clip_set: ClipSet) -> None:
    """GIVEN words with no clip WHEN rendered with espeak-ng THEN they are synthesised in the
    set's format and placed between the clips with the usual gaps."""
    data = render_announcement("một đến quầy hai", clip_set, chime=False)
    params, samples = _frames(data)
    assert params == (RATE, 1, 2)
    spoken = synthesise("đến quầy", clip_set.format)
    assert spoken.nframes > RATE // 10  # at least 0.1 s of speech
    assert len(samples) == 400 + 400 + spoken.nframes + 400 + 500
    middle = samples[800 : 800 + spoken.nframes]
    assert max(abs(x) for x in middle) > 1000  # audible, not silence
    assert samples[:400] == [2000] * 400 and samples[-500:] == [3000] * 500


@needs_espeak
def test_espeak_error_is_reported(clip_set: ClipSet) -> None:
    """GIVEN an espeak-ng voice that does not exist WHEN a missing word is synthesised THEN
    SynthesisError naming the word."""
    with pytest.raises(SynthesisError, match="'quầy'"):
        synthesise("quầy", clip_set.format, voice="xx-no-such-voice")


# --- malformed clip sets -------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"format": "16k"}, "format: expected"),
        ({"format": {"rate": 8000, "channels": 1}}, "format: 'width'"),
        ({"format": {"rate": 8000, "channels": 5, "width": 2}}, "channels must be 1 or 2"),
        ({"words": {"một": "missing.wav"}}, "words['một']: file 'missing.wav' not found"),
        ({"words": {"một": "../outside.wav"}}, "points outside the clip folder"),
        ({"words": {"một hai": "clip3.wav"}}, "put it under 'phrases'"),
        ({"words": ["một"]}, "words: expected an object"),
        ({"phrases": {"": "clip0.wav"}}, "empty text"),
        ({"chime": "nope.wav"}, "chime: file 'nope.wav' not found"),
        ({"gap_ms": -5}, "gap_ms: expected a whole number"),
        ({"fallback": {"voice": "-x"}}, "fallback.voice"),
        ({"word": {}}, "word: unknown key (did you mean 'words'?)"),
    ],
)
def test_malformed_manifest(tmp_path: Path, overrides: dict[str, object], message: str) -> None:
    """GIVEN a manifest with one mistake WHEN loaded THEN ClipSetError naming the key."""
    folder = _make_set(tmp_path / "set", **overrides)
    with pytest.raises(ClipSetError) as info:
        ClipSet.load(folder)
    assert message in str(info.value)
    assert str(folder / "manifest.json") in str(info.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """GIVEN a manifest with three mistakes WHEN loaded THEN one error lists all three."""
    folder = _make_set(tmp_path / "set", gap_ms="long", chime="nope.wav", colour="red")
    with pytest.raises(ClipSetError) as info:
        ClipSet.load(folder)
    for part in ("gap_ms", "chime", "colour: unknown key"):
        assert part in str(info.value)


@pytest.mark.parametrize("content", [None, "{not json", "[1, 2]", "\xff"])
def test_unreadable_manifest(tmp_path: Path, content: str | None) -> None:
    """GIVEN a missing, invalid or non-object manifest WHEN loaded THEN ClipSetError."""
    folder = tmp_path / "set"
    folder.mkdir()
    if content is not None:
        (folder / "manifest.json").write_bytes(content.encode("latin-1"))
    with pytest.raises(ClipSetError, match="manifest.json"):
        ClipSet.load(folder)


def test_corrupt_clip_fails_when_played(tmp_path: Path) -> None:
    """GIVEN a clip file that is not a WAV WHEN it is rendered THEN ClipSetError naming it."""
    folder = _make_set(tmp_path / "set")
    (folder / "clip4.wav").write_bytes(b"not audio")  # "hai"
    clip_set = ClipSet.load(folder)
    with pytest.raises(ClipSetError, match="clip4.wav"):
        render_announcement("hai", clip_set, espeak=NO_ESPEAK)


# --- cache ---------------------------------------------------------------------------


def test_cache_renders_once(tmp_path: Path) -> None:
    """GIVEN a cached announcement WHEN asked again after the clips were deleted THEN the
    same file is served (a hit), while a new text can no longer be rendered."""
    folder = _make_set(tmp_path / "set")
    clip_set = ClipSet.load(folder)
    cache = AnnouncementCache(tmp_path / "cache")
    first = cache.get("một hai", clip_set, espeak=NO_ESPEAK)
    content = first.read_bytes()
    assert (cache.hits, cache.misses) == (0, 1)
    for wav in folder.glob("clip*.wav"):
        wav.unlink()
    again = AnnouncementCache(tmp_path / "cache")  # also survives a restart
    second = again.get("Một  hai.", clip_set, espeak=NO_ESPEAK)
    assert second == first
    assert second.read_bytes() == content
    assert (again.hits, again.misses) == (1, 0)
    with pytest.raises(ClipSetError):
        again.get("ba", clip_set, espeak=NO_ESPEAK)


def test_cache_key_depends_on_region_chime_and_recordings(tmp_path: Path) -> None:
    """GIVEN one text WHEN the region, the chime flag or a recording changes THEN the key
    changes; the same inputs give the same key."""
    folder = _make_set(tmp_path / "set")
    clip_set = ClipSet.load(folder)
    cache = AnnouncementCache(tmp_path / "cache")
    key = cache.key("một", clip_set)
    assert cache.key("Một.", clip_set, region="north") == key
    assert cache.key("một", clip_set, region="south") != key
    assert cache.key("một", clip_set, chime=False) != key
    _write_wav(folder / "clip3.wav", 401, 2000)  # "một" re-recorded
    assert cache.key("một", ClipSet.load(folder)) != key


def test_cache_keeps_at_most_max_files(tmp_path: Path) -> None:
    """GIVEN a cache of two files WHEN three announcements are rendered THEN two remain,
    the newest kept."""
    clip_set = ClipSet.load(_make_set(tmp_path / "set"))
    cache = AnnouncementCache(tmp_path / "cache", max_files=2)
    paths = [cache.get(text, clip_set, espeak=NO_ESPEAK) for text in ("một", "hai", "ba")]
    remaining = sorted((tmp_path / "cache").iterdir())
    assert len(remaining) == 2
    assert paths[2] in remaining


# --- the shipped default clip set ------------------------------------------------------


def test_default_clip_set_covers_every_word() -> None:
    """GIVEN the default clip set WHEN loaded THEN it is 16 kHz mono 16-bit, has a chime,
    and has a clip for every number word, letter name and default-template phrase."""
    clip_set = ClipSet.load(DEFAULT_CLIP_DIR)
    assert (clip_set.format.rate, clip_set.format.channels, clip_set.format.width) == (
        16000,
        1,
        2,
    )
    assert clip_set.chime is not None
    needed = VOCABULARY | LETTER_VOCABULARY | {"xin mời công dân có số", "đến quầy số"}
    assert needed <= set(clip_set.clips)


def test_default_clip_set_renders_the_call_without_espeak() -> None:
    """GIVEN the default clip set WHEN the call for 1023 at counter 3 is rendered with no
    espeak-ng THEN a WAV of a few seconds in the set's format."""
    clip_set = ClipSet.load(DEFAULT_CLIP_DIR)
    line = call_phrase("B1024", "21", region="south")
    params, samples = _frames(render_announcement(line, clip_set, espeak=NO_ESPEAK))
    assert params == (16000, 1, 2)
    assert 3 * 16000 < len(samples) < 15 * 16000
