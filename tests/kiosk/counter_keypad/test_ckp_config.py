"""The ``[counter_keypad]`` section, the command line, and GPIO buttons on mock pins."""

from __future__ import annotations

import time

import pytest

from config import ConfigError, load_section
from config.counter_keypad import DEFAULT_KEYMAP, CounterKeypadSettings
from hub.cli import main
from kiosk.counter_keypad import ButtonSource, CounterKeypadAgent
from kiosk.kit.hub_client import HubClient

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


def test_command_line_check(tmp_path, capsys) -> None:
    """GIVEN the example file WHEN ``motcua --config F counter-keypad --check`` runs THEN
    it says the section is valid (exit 0); a broken file exits 2 with one message."""
    good = write(tmp_path, GOOD)

    ok = main(["--config", str(good), "counter-keypad", "--check"])
    out = capsys.readouterr().out
    bad = main(
        [
            "--config",
            str(write(tmp_path, GOOD.replace("keypad =", "keypadd ="))),
            "counter-keypad",
            "--check",
        ]
    )

    assert ok == 0 and "[counter_keypad] is valid" in out
    assert bad == 2 and "keypadd" in capsys.readouterr().err


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


def test_gpio_buttons_and_status_led_work_the_counter(app, hub, api, live) -> None:
    """GIVEN GPIO buttons and a status LED on mock pins WHEN the call-next button's pin
    is pulled low THEN the hub calls 1001 and the LED is steady again; stopping turns it off."""
    from gpiozero.pins.mock import MockFactory

    from hardware.buttons import GpioButtons, GpioIndicator

    factory = MockFactory()
    kiosk = api.device("k", "kiosk")
    api.issue(kiosk)
    api.post("/counters/1/open", api.user("canbo1"))
    token = hub.auth.add_device("kp-gpio", "counter-keypad", "1")
    buttons = GpioButtons({"call_next": 17, "recall": 27}, pin_factory=factory)
    led = GpioIndicator(5, pin_factory=factory)
    agent = CounterKeypadAgent(HubClient(live, token), "1", ButtonSource(buttons), indicator=led)
    agent.start()
    try:
        factory.pin(17).drive_low()
        factory.pin(17).drive_high()
        result = agent.results.get(timeout=10)
        deadline = time.monotonic() + 5
        while led.current != "on" and time.monotonic() < deadline:
            time.sleep(0.02)
        steady = led.current
    finally:
        agent.stop()
        factory.reset()

    assert (result.ok, result.number) == (True, "1001")
    assert hub.queue.calls_after(0)[0]["counter"]["id"] == "1"
    assert steady == "on" and led.current == "off"  # steady after the call, off once stopped
