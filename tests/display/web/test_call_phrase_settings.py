"""The hub's announcement phrase: the counter's name and the voice settings of [display]."""

from __future__ import annotations

from pathlib import Path

from config.schema import load_config
from display.web import Announcements

CONFIG = """\
[site]
id = "que-son"
name = "Trung tâm Phục vụ hành chính công"

[[services]]
id = "dat-dai"
name = "Đất đai"
prefix = "A"

[[counters]]
id = "3A"
name = "Quầy 3A"
services = ["dat-dai"]

[[counters]]
id = "mot-cua"
name = "Một cửa"
services = ["dat-dai"]

[display]
region = "south"
four = "bon"
"""


def test_the_hub_says_codes_names_and_bon(tmp_path: Path) -> None:
    """GIVEN [display] south with four = "bon", a counter "3A" and a counter "mot-cua"
    named "Một cửa" WHEN the hub builds the phrase of A024 at each
    THEN "quầy số ba a", and "quầy Một cửa" (its name, no "số"), both with "bốn"."""
    path = tmp_path / "centre.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(path)
    announcements = Announcements(tmp_path / "audio")
    assert announcements.phrase(config, "A024", "3A") == (
        "Xin mời công dân có số a hai mươi bốn đến quầy số ba a"
    )
    assert announcements.phrase(config, "A024", "mot-cua") == (
        "Xin mời công dân có số a hai mươi bốn đến quầy Một cửa"
    )
