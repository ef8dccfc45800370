"""The default clip set builder and ``say``."""

from __future__ import annotations

import io
import json
import shutil
import struct
import wave
from pathlib import Path

import pytest

from display.announcer.build_clips import PHRASES, TEMPLATE_WORDS, build, main, make_chime, slug
from display.announcer.clips import DEFAULT_CLIP_DIR, ClipSet
from display.announcer.errors import SynthesisError
from display.announcer.letters import LETTER_VOCABULARY
from display.announcer.numbers import VOCABULARY
from display.announcer.pcm import AudioFormat
from display.say import DEFAULT_TEMPLATE, say

NO_ESPEAK = "/nonexistent/espeak-ng"
needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not on PATH (apt install espeak-ng)"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("một", "mootj"),
        ("mốt", "moots"),
        ("lăm", "lawm"),
        ("tư", "tuw"),
        ("e-lờ", "e-lowf"),
        ("đến quầy số", "ddeens_quaayf_soos"),
        ("tỷ", "tyr"),
        ("ngàn", "nganf"),
    ],
)
def test_slug_is_telex(text: str, expected: str) -> None:
    """GIVEN a Vietnamese word WHEN turned into a file name THEN its Telex spelling."""
    assert slug(text) == expected


def test_slugs_are_unique_and_ascii() -> None:
    """GIVEN every word and phrase of the default set WHEN slugged THEN all differ and are
    plain ASCII."""
    texts = VOCABULARY | LETTER_VOCABULARY | TEMPLATE_WORDS | set(PHRASES)
    slugs = {slug(text) for text in texts}
    assert len(slugs) == len(texts)
    assert all(s.isascii() and s for s in slugs)


def test_chime_is_two_tones_at_the_set_format() -> None:
    """GIVEN a format WHEN the chime is made THEN 1.25 s at that rate, peak at 60 %, and the
    first and second halves have different pitches (E5 then C5)."""
    audio = make_chime(AudioFormat(16000, 1, 2))
    assert audio.nframes == 20000
    samples = list(struct.unpack(f"<{audio.nframes}h", audio.frames))
    assert max(abs(x) for x in samples) == round(0.6 * 32768)

    def crossings(part: list[int]) -> int:
        return sum(1 for a, b in zip(part, part[1:], strict=False) if a < 0 <= b)

    first = crossings(samples[800:6400])  # 0.05-0.4 s: E5 alone, ~659 Hz
    second = crossings(samples[12000:19200])  # 0.75-1.2 s: C5 dominates, ~523 Hz
    assert 0.35 * 640 < first < 0.35 * 680
    assert second / 0.45 < first / 0.35


@needs_espeak
def test_build_writes_a_loadable_complete_set(tmp_path: Path) -> None:
    """GIVEN espeak-ng WHEN the default set is built into a new folder (at 22.05 kHz, so no
    resampling) THEN the manifest loads and covers every word, with an audible clip each."""
    out = tmp_path / "clips"
    (out).mkdir()
    (out / "manifest.json").write_text(json.dumps({"words": {"x": "stale.wav"}}), "utf-8")
    (out / "stale.wav").write_bytes(b"old")
    assert main(["--out", str(out), "--rate", "22050"]) == 0
    assert not (out / "stale.wav").exists()
    clip_set = ClipSet.load(out)
    assert clip_set.format == AudioFormat(22050, 1, 2)
    assert VOCABULARY | LETTER_VOCABULARY | set(PHRASES) <= set(clip_set.clips)
    for path in clip_set.clips.values():
        audio = clip_set.read_clip(path)
        assert audio.nframes > 22050 // 10


def test_build_without_espeak_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN no espeak-ng WHEN building THEN SynthesisError, and the command exits 2."""
    with pytest.raises(SynthesisError, match="not installed"):
        build(tmp_path / "a", espeak=NO_ESPEAK)
    assert main(["--out", str(tmp_path / "b"), "--espeak", NO_ESPEAK]) == 2
    assert "not installed" in capsys.readouterr().err


def test_committed_default_set_is_small() -> None:
    """GIVEN the committed default clip set WHEN measured THEN under 1.5 MB in all."""
    size = sum(p.stat().st_size for p in DEFAULT_CLIP_DIR.iterdir())
    assert size < 1_500_000


# --- say -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "một nghìn không trăm hai mươi ba"),
        ({"region": "south"}, "một ngàn không trăm hai mươi ba"),
        ({"digits": True}, "một không hai ba"),
        (
            {"counter": "3"},
            "Xin mời công dân có số một nghìn không trăm hai mươi ba đến quầy số ba",
        ),
        (
            {"counter": "3", "template": "Số {number}, quầy {counter}"},
            "Số một nghìn không trăm hai mươi ba, quầy ba",
        ),
    ],
)
def test_say_line(kwargs: dict[str, object], expected: str) -> None:
    """GIVEN 1023 and options WHEN said THEN the one line of words."""
    assert say("1023", **kwargs) == expected  # type: ignore[arg-type]


def test_say_prefix_and_default_template() -> None:
    """GIVEN a prefixed number WHEN said THEN the letter's name first; the default template
    is the one in the glossary."""
    assert say("B105", region="south") == "bê một trăm lẻ năm"
    assert DEFAULT_TEMPLATE == "Xin mời công dân có số {number} đến quầy số {counter}"


@pytest.mark.parametrize(
    ("number", "kwargs", "message"),
    [
        ("abc", {}, "số không hợp lệ: 'abc'"),
        ("", {}, "số không hợp lệ: ''"),
        ("12", {"region": "central"}, "vùng không hợp lệ: 'central' (chọn north hoặc south)"),
        ("12", {"counter": ""}, "quầy không hợp lệ: ''"),
    ],
)
def test_say_rejects_bad_input(number: str, kwargs: dict[str, object], message: str) -> None:
    """GIVEN a bad number, region or counter WHEN said THEN ValueError with one Vietnamese
    line."""
    with pytest.raises(ValueError) as info:
        say(number, **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_say_writes_the_wav(tmp_path: Path) -> None:
    """GIVEN --wav WHEN the call is said with the default clip set and no espeak-ng THEN a
    16 kHz mono WAV holding the chime and the whole phrase."""
    out = tmp_path / "call.wav"
    line = say("1023", counter="3", wav_path=out, espeak=NO_ESPEAK)
    assert line.startswith("Xin mời")
    with wave.open(io.BytesIO(out.read_bytes())) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        assert wav.getnframes() > 16000 * 3


def test_say_with_own_clip_dir_reports_missing_word(tmp_path: Path) -> None:
    """GIVEN a centre's clip set lacking a word and no espeak-ng WHEN the WAV is asked THEN
    an AnnouncerError naming the word, and no file."""
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(DEFAULT_CLIP_DIR / "chime.wav", folder)
    manifest = {"format": {"rate": 16000, "channels": 1, "width": 2}, "chime": "chime.wav"}
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    out = tmp_path / "x.wav"
    with pytest.raises(SynthesisError, match="'bảy'"):
        say("7", wav_path=out, clip_dir=folder, espeak=NO_ESPEAK)
    assert not out.exists()
