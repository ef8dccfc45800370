"""``motcua rating-pad``: ``--check`` through the agents' runner."""

from __future__ import annotations

from pathlib import Path

from hub.cli import main

GOOD = """
[rating_pad]
hub_url = "http://10.0.0.2:8080"
device = "pad-sanh-a"

[[rating_pad.counters]]
counter = "1"
token = "t1"
buttons = { very_satisfied = 17, satisfied = 27, unsatisfied = 22 }

[[rating_pad.counters]]
counter = "2"
token = "t2"
keypad = { name = "USB Keypad", keymap = { KEY_KP1 = "satisfied" } }
"""


def write(folder: Path, body: str) -> Path:
    path = folder / "pad.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_check_counts_the_counters(tmp_path, capsys) -> None:
    """GIVEN a pad serving two counters WHEN `rating-pad --check` THEN it says the
    section is valid with its two counters, and exits 0."""
    path = write(tmp_path, GOOD)
    assert main(["--config", str(path), "rating-pad", "--check"]) == 0
    assert capsys.readouterr().out == f"{path}: [rating_pad] is valid (2 counter(s))\n"


def test_a_misspelt_key_exits_2_with_one_line(tmp_path, capsys) -> None:
    """GIVEN `invite` for `invite_s` WHEN `rating-pad --check` THEN status 2 and one line
    naming the file, the key and the right spelling."""
    path = write(tmp_path, GOOD.replace('device = "pad-sanh-a"', "invite = 5"))
    assert main(["--config", str(path), "rating-pad", "--check"]) == 2
    err = capsys.readouterr().err
    assert err == f'{path}: rating_pad.invite: unknown key (did you mean "invite_s"?)\n'
