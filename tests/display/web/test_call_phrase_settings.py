"""The hub's announcement phrase: the counter's name and the voice settings of [display]."""

from __future__ import annotations

from pathlib import Path

from config.schema import load_config
from display.web import Announcements
from tests.display.voice_centre import CENTRE_TOML as CONFIG


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
