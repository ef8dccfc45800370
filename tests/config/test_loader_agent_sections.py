"""The agents' sections have their schemas in ``config``: the hub's whole-file load
checks them, and an agent's file may hold its section alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import counter_keypad, rating_pad
from config.counter_keypad import CounterKeypadSettings
from config.display_agent import DisplayAgentSettings
from config.errors import ConfigError
from config.kiosk import KioskSettings
from config.loader import load_section
from config.paths import EXAMPLES
from config.rating_pad import RatingPadSettings
from config.schema import SECTIONS, load_config

HUB = (
    '[site]\nid = "x"\nname = "X"\n[[services]]\nid = "s"\nname = "S"\n'
    '[[counters]]\nid = "1"\nname = "Quầy 1"\nservices = ["s"]\n'
)
AGENTS = {
    "kiosk": KioskSettings,
    "rating_pad": RatingPadSettings,
    "counter_keypad": CounterKeypadSettings,
    "display_agent": DisplayAgentSettings,
}


def test_every_agent_section_is_registered_with_its_schema() -> None:
    """GIVEN the registry WHEN read THEN each agent section has its schema and no
    default (absent stays None)."""
    for name, kind in AGENTS.items():
        assert SECTIONS[name].kind is kind and SECTIONS[name].default is None


def test_the_commune_example_types_every_agent_section() -> None:
    """GIVEN the commune example (a hub file with every agent's section) WHEN loaded
    THEN each section is a typed field and nothing is left as raw TOML."""
    config = load_config(EXAMPLES / "commune.toml")
    for name, kind in AGENTS.items():
        assert isinstance(getattr(config, name), kind)
    assert not hasattr(config, "sections")


def test_absent_agent_sections_are_none(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    path.write_text(HUB, encoding="utf-8")
    config = load_config(path)
    assert all(getattr(config, name) is None for name in AGENTS)


def test_the_hubs_load_checks_an_agent_section(tmp_path: Path) -> None:
    """GIVEN a hub file whose [kiosk] names an unknown printer kind and whose
    [rating_pad] misspells a key WHEN the hub loads it THEN both are reported."""
    path = tmp_path / "hub.toml"
    path.write_text(
        HUB + '[kiosk]\nhub_url = "http://h"\ntoken = "t"\nprinter = { kind = "laser" }\n'
        '[rating_pad]\nhub_url = "http://h"\ninvite = 5\n'
        '[[rating_pad.counters]]\ncounter = "1"\ntoken = "t"\nbuttons = { satisfied = 17 }\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = caught.value.render()
    assert f"{path}: kiosk.printer.kind" in text
    assert 'rating_pad.invite: unknown key (did you mean "invite_s"?)' in text


def test_load_section_takes_the_registered_schema_and_paths(tmp_path: Path) -> None:
    """GIVEN a Pi's file with [kiosk] alone and relative paths WHEN its section is
    loaded with the registered schema and paths THEN it is the kiosk's schema, paths
    taken from the file's folder."""
    path = tmp_path / "pi.toml"
    path.write_text(
        '[kiosk]\nhub_url = "http://h"\ntoken_file = "k.token"\n'
        'printer = { kind = "file", path = "out.bin" }\nticket = { logo = "logo.png" }\n',
        encoding="utf-8",
    )
    settings = load_section(path, "kiosk", SECTIONS["kiosk"].kind, SECTIONS["kiosk"].paths)
    assert isinstance(settings, KioskSettings)
    assert settings.token_file == str(tmp_path / "k.token")
    assert settings.printer.path == str(tmp_path / "out.bin")
    assert settings.ticket.logo == str(tmp_path / "logo.png")


def test_paths_of_the_pad_and_the_keypad_are_taken_from_the_files_folder(
    tmp_path: Path,
) -> None:
    """GIVEN relative paths in [rating_pad] and [counter_keypad] WHEN loaded THEN they
    are taken from the configuration file's folder, as every agent's paths are."""
    path = tmp_path / "pi.toml"
    path.write_text(
        '[rating_pad]\nhub_url = "http://h"\noutbox = "var/pad.sqlite"\n'
        '[[rating_pad.counters]]\ncounter = "1"\ntoken_file = "pad.token"\n'
        "buttons = { satisfied = 17 }\n"
        '[counter_keypad]\nhub_url = "http://h"\ntoken_file = "kp.token"\n'
        'keypad = { name = "K" }\n',
        encoding="utf-8",
    )
    pad = load_section(path, "rating_pad", RatingPadSettings, rating_pad.PATHS)
    keypad = load_section(path, "counter_keypad", CounterKeypadSettings, counter_keypad.PATHS)
    here = tmp_path.resolve()
    assert (pad.outbox, pad.counters[0].token_file) == (
        str(here / "var/pad.sqlite"),
        str(here / "pad.token"),
    )
    assert keypad.token_file == str(here / "kp.token")


def test_a_section_without_a_schema_is_refused_by_the_whole_file_load(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    path.write_text(
        (EXAMPLES / "demo.toml").read_text(encoding="utf-8") + '\n[printer]\nkind = "fake"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"printer: unknown section"):
        load_config(path)
