"""``motcua clips check DIR``: which recordings a centre's own clip set lacks."""

from __future__ import annotations

import json
import shutil
import wave
from pathlib import Path

import pytest

from display.announcer.clips import DEFAULT_CLIP_DIR
from hub.cli import build_parser
from tests.display.voice_centre import CENTRE_TOML as CONFIG


def check(folder: Path, *options: str, config: Path | None = None) -> int:
    """Run ``motcua [--config C] clips check FOLDER OPTIONS`` as the CLI parses it."""
    argv = [*(["--config", str(config)] if config else []), "clips", "check", str(folder), *options]
    args = build_parser(argv).parse_args(argv)
    return int(args.func(args))


def write_wav(path: Path, frames: bytes, *, rate: int = 16000, channels: int = 1) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


def loud(frames: int, channels: int = 1) -> bytes:
    """A square wave at half scale, 16-bit."""
    high, low = (
        (16000).to_bytes(2, "little", signed=True),
        (-16000).to_bytes(2, "little", signed=True),
    )
    return b"".join((high if (i // 20) % 2 else low) * channels for i in range(frames))


@pytest.fixture(autouse=True)
def _no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_CONFIG", raising=False)


@pytest.fixture()
def own_set(tmp_path: Path) -> Path:
    """A copy of the built-in set, as a centre starts its own."""
    folder = tmp_path / "que-son"
    shutil.copytree(DEFAULT_CLIP_DIR, folder)
    return folder


def test_the_built_in_set_is_complete(capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN the built-in set and no configuration WHEN checked THEN exit 0, "Đủ", and
    a word on what was checked without a configuration."""
    assert check(DEFAULT_CLIP_DIR) == 0
    out = capsys.readouterr().out
    assert "✓ Đủ" in out and "✗" not in out
    assert "không có tệp cấu hình: mẫu câu mặc định" in out


def test_each_kind_of_lack_is_named_with_its_file(
    own_set: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a centre's set where one recording is missing, one is silent, one is stereo
    at 44.1 kHz, one is not a WAV, and the chime is empty
    WHEN checked THEN exit 1, each named with the word and the file, and nothing else."""
    (own_set / "tuw.wav").unlink()  # "tư"
    write_wav(own_set / "hai.wav", b"\0\0" * 8000)  # half a second of silence
    write_wav(own_set / "ba.wav", loud(44100, 2), rate=44100, channels=2)
    (own_set / "bayr.wav").write_bytes(b"not a wav at all")  # "bảy"
    write_wav(own_set / "chime.wav", b"")
    assert check(own_set, "--four", "tu") == 1
    out = capsys.readouterr().out
    assert '"tư" → ghi vào tuw.wav' in out
    assert "hai.wav: im lặng hoặc rỗng" in out
    assert "ba.wav: sai định dạng 44100 Hz, 2 kênh, 16 bit, cần 16000 Hz, đơn kênh" in out
    assert "bayr.wav: không đọc được" in out
    assert "tiếng chuông — chime.wav: im lặng hoặc rỗng" in out
    assert "5 tệp không dùng được" not in out  # the missing file is not "unusable"
    assert "4 tệp không dùng được" in out
    assert "✓" not in out


def test_the_configuration_decides_what_is_needed(
    own_set: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a configuration with a named counter "Một cửa", a counter "3A", prefix A and
    four = "bon" WHEN the built-in set is checked THEN only "cửa" lacks (every other word
    of "đến quầy Một cửa", "quầy số ba a", "a ... hai mươi bốn" has a clip), with the
    file name to record it under; recording it completes the set."""
    config = tmp_path / "centre.toml"
    config.write_text(CONFIG, encoding="utf-8")
    assert check(own_set, config=config) == 1
    out = capsys.readouterr().out
    assert "miền Nam" in out and '24 là "hai mươi bốn"' in out and "số đến 999" in out
    assert "1 từ chưa có bản ghi" in out
    assert '"cửa" → ghi vào cuwar.wav (cần cho quầy mot-cua' in out
    write_wav(own_set / "cuwar.wav", loud(4000))
    manifest = json.loads((own_set / "manifest.json").read_text("utf-8"))
    manifest["words"]["cửa"] = "cuwar.wav"
    (own_set / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    assert check(own_set, config=config) == 0
    assert "✓ Đủ" in capsys.readouterr().out


def test_four_bon_needs_bon_not_tu(own_set: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN a set whose manifest lists "tư" but lacks its file WHEN checked for a centre
    that says "bốn" THEN the file is named (the announcer would refuse the set); once the
    line is gone THEN complete for "bốn", and for "tư" THEN "tư" lacks."""
    (own_set / "tuw.wav").unlink()
    assert check(own_set, "--four", "bon") == 1
    assert '"tư" — tuw.wav: không có tệp' in capsys.readouterr().out
    manifest = json.loads((own_set / "manifest.json").read_text("utf-8"))
    del manifest["words"]["tư"]
    (own_set / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    assert check(own_set, "--four", "bon") == 0
    assert check(own_set) == 1
    assert '"tư" → ghi vào tuw.wav' in capsys.readouterr().out


def test_recordings_without_a_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN a folder of recordings named like the built-in set but no manifest.json
    WHEN checked THEN exit 1, saying to copy the built-in manifest, and listing by
    their file names only the recordings the folder does not hold."""
    folder = tmp_path / "recordings"
    shutil.copytree(DEFAULT_CLIP_DIR, folder)
    (folder / "manifest.json").unlink()
    (folder / "nawm.wav").unlink()  # "năm"
    assert check(folder) == 1
    out = capsys.readouterr().out
    assert "thiếu manifest.json: chép tệp" in out
    assert '"năm" → ghi vào nawm.wav' in out
    assert "1 từ chưa có bản ghi" in out


def test_a_broken_manifest_lacks(own_set: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN a manifest that is not JSON WHEN checked THEN exit 1 naming it, no traceback."""
    (own_set / "manifest.json").write_text("{not json", encoding="utf-8")
    assert check(own_set) == 1
    assert "manifest.json không đọc được" in capsys.readouterr().out


def test_an_unknown_manifest_key_is_reported(
    own_set: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN every clip usable but a misspelt manifest key WHEN checked THEN exit 1 with
    the loader's message, since the announcer would refuse the set."""
    manifest = json.loads((own_set / "manifest.json").read_text("utf-8"))
    manifest["gap"] = 80
    (own_set / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    assert check(own_set) == 1
    assert "gap: unknown key" in capsys.readouterr().out


def test_bad_usage_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN no such folder, or no folder at all, or a bad --four WHEN run THEN exit 2 with
    one line, never a traceback."""
    assert check(tmp_path / "none") == 2
    assert "không có thư mục" in capsys.readouterr().err
    for argv in (["clips", "check"], ["clips", "check", str(tmp_path), "--four", "bốn"]):
        with pytest.raises(SystemExit) as info:
            build_parser(argv).parse_args(argv)
        assert info.value.code == 2
