"""The ``[counter_keypad]`` section (:mod:`config.counter_keypad`): sound defaults, and
mistakes named with the file and the key."""

from __future__ import annotations

import pytest

from config.counter_keypad import DEFAULT_KEYMAP, CounterKeypadSettings
from config.errors import ConfigError
from config.loader import load_section

GOOD = """
[counter_keypad]
hub_url = "http://10.0.0.2:8080"
token_file = "/etc/motcua/keypad-3.token"
keypad = { name = "Numeric Keypad" }
led_board = { port = "/dev/ttyUSB0", address = 3 }
"""


def write(tmp_path, text: str):
    path = tmp_path / "keypad.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_short_section_gets_sound_defaults(tmp_path) -> None:
    """GIVEN the documented example WHEN loaded THEN the keypad keys map to the five
    commands and the board texts are ---, P and E."""
    settings = load_section(write(tmp_path, GOOD), "counter_keypad", CounterKeypadSettings)

    assert settings.keypad.keymap == DEFAULT_KEYMAP
    assert set(DEFAULT_KEYMAP.values()) == {"call_next", "recall", "no_show", "complete", "pause"}
    assert (settings.nobody_text, settings.paused_text, settings.error_text) == ("---", "P", "E")
    assert settings.led_board.protocol == "stx-etx" and settings.min_call_gap_s == 3.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("keypad = ", "keypadd = "), 'unknown key (did you mean "keypad"?)'),
        (('token_file = "/etc/motcua/keypad-3.token"', ""), "give `token` or `token_file`"),
        (("led_board", "buttons = { pins = { call_next = 17 } }\nled_board"), "one of the two"),
        (
            ('{ name = "Numeric Keypad" }', '{ name = "x", keymap = { KEY_KP1 = "call" } }'),
            "counter_keypad.keypad.keymap.KEY_KP1",
        ),
        (('{ name = "Numeric Keypad" }', "{ }"), "`name` or its `path`"),
        (("address = 3", 'address = 3, protocol = "rs232"'), "counter_keypad.led_board.protocol"),
        (('hub_url = "http://10.0.0.2:8080"', 'hub_url = "10.0.0.2"'), "counter_keypad.hub_url"),
    ],
)
def test_mistakes_are_named_with_file_and_key(tmp_path, change, message) -> None:
    """GIVEN a section with one mistake WHEN loaded THEN ConfigError names the file, the
    key and what is wrong."""
    path = write(tmp_path, GOOD.replace(*change))

    with pytest.raises(ConfigError) as caught:
        load_section(path, "counter_keypad", CounterKeypadSettings)

    assert str(path) in caught.value.render() and message in caught.value.render()
