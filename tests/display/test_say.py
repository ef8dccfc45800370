"""``say``: the words of a call, and its WAV (:mod:`display.say`)."""

from __future__ import annotations

import io
import json
import shutil
import wave
from pathlib import Path

import pytest

from display.announcer.clips import DEFAULT_CLIP_DIR
from display.announcer.errors import SynthesisError
from display.say import DEFAULT_TEMPLATE, say

NO_ESPEAK = "/nonexistent/espeak-ng"


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
        (
            {"counter": "3A"},
            "Xin mời công dân có số một nghìn không trăm hai mươi ba đến quầy số ba a",
        ),
        (
            {"counter": "Một cửa"},
            "Xin mời công dân có số một nghìn không trăm hai mươi ba đến quầy Một cửa",
        ),
        (
            {"counter": "mot-cua", "counter_name": "Một cửa"},
            "Xin mời công dân có số một nghìn không trăm hai mươi ba đến quầy Một cửa",
        ),
    ],
)
def test_say_line(kwargs: dict[str, object], expected: str) -> None:
    """GIVEN 1023 and options WHEN said THEN the one line of words."""
    assert say("1023", **kwargs) == expected  # type: ignore[arg-type]


def test_say_four_as_bon() -> None:
    """GIVEN four="bon" WHEN 1024 is said in the south THEN "hai mươi bốn"; by default
    "hai mươi tư" in both regions."""
    assert say("1024", region="south", four="bon") == "một ngàn không trăm hai mươi bốn"
    assert say("1024", region="south") == "một ngàn không trăm hai mươi tư"


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
        ("24", {"four": "bốn"}, "cách đọc số 4 không hợp lệ: 'bốn' (chọn tu hoặc bon)"),
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
