"""The default clip set builder (:mod:`display.announcer.build_clips`)."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest

from display.announcer.build_clips import PHRASES, TEMPLATE_WORDS, build, main, make_chime, slug
from display.announcer.clips import DEFAULT_CLIP_DIR, ClipSet
from display.announcer.errors import SynthesisError
from display.announcer.letters import LETTER_VOCABULARY
from display.announcer.numbers import VOCABULARY
from display.announcer.pcm import AudioFormat

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
