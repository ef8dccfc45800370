"""The kiosk's settings: the ``[kiosk]`` section read with errors people can act on,
paths and site defaults; and the agent ``motcua kiosk`` builds from it (GPIO buttons,
a priority button, LEDs, a USB keypad and a ``file`` printer) against a live hub."""

from __future__ import annotations

from typing import Any

import pytest

from config.errors import ConfigError
from config.kiosk import ButtonSettings, KeypadSettings, PrinterSettings, PriorityButtonSettings
from kiosk.dispenser.settings import build_agent, load_kiosk_settings
from kiosk.dispenser.site import SiteDefaults, site_info
from tests.kiosk.dispenser.support import (
    CUT,
    GOOD_FILE,
    PipeKeypad,
    hub_tickets,
    settings,
    wait_done,
    wait_until,
    write_config,
)
from tests.support.escpos_decode import decode_tickets


def test_a_good_section_loads_with_paths_from_the_files_folder(tmp_path) -> None:
    """GIVEN a file with [site] and [kiosk] WHEN loaded THEN relative paths start at the
    file's folder, URLs lose their trailing slash, and [site] gives the ticket's defaults."""
    settings, site = load_kiosk_settings(write_config(tmp_path, GOOD_FILE))
    assert settings.hub_url == "http://192.168.1.10:8080"
    assert settings.token_file == str(tmp_path / "kiosk.token")
    assert settings.printer.path == str(tmp_path / "var/printer.bin")
    assert settings.printer.params() == {"path": str(tmp_path / "var/printer.bin"), "paper_mm": 58}
    assert settings.listen_address == ("127.0.0.1", 8090)
    assert [b.name for b in settings.buttons] == ["dat-dai", "dat-dai:elderly"]
    assert site == SiteDefaults(
        name="Trung tâm Phục vụ hành chính công xã Tân Phú",
        timezone="Asia/Ho_Chi_Minh",
        public_url="http://192.168.1.10:8080",
    )


def test_the_section_alone_is_enough(tmp_path) -> None:
    """GIVEN a Pi's file holding [kiosk] alone WHEN loaded THEN the site defaults are empty
    and the hub's answer (or the kiosk's overrides) fill in the ticket."""
    path = write_config(
        tmp_path,
        '[kiosk]\nhub_url = "http://hub:8080"\ntoken = "t"\n'
        'centre_name = "Bộ phận Một cửa xã A"\nprinter = { kind = "fake" }\n',
    )
    settings, site = load_kiosk_settings(path)
    info = site_info(settings, site, {"name": "Hub name", "timezone": "Asia/Bangkok"})
    assert (info.name, info.timezone, info.public_url) == (
        "Bộ phận Một cửa xã A",
        "Asia/Bangkok",
        None,
    )
    assert info.priority_categories[0] == "elderly"


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ('hub_url = "http://h"\ntoken = "t"\nprintr = { kind = "fake" }', 'did you mean "printer"'),
        ('hub_url = "h:8080"\ntoken = "t"\nprinter = { kind = "fake" }', "kiosk.hub_url"),
        ('hub_url = "http://h"\nprinter = { kind = "fake" }', "token or token_file"),
        (
            'hub_url = "http://h"\ntoken = "t"\nprinter = { kind = "usb", vendor_id = 1 }',
            'kind "usb" needs product_id',
        ),
        (
            'hub_url = "http://h"\ntoken = "t"\nprinter = { kind = "serial", port = 9100 }',
            "device path",
        ),
        (
            'hub_url = "http://h"\ntoken = "t"\n'
            'printer = { kind = "file", path = "x", host = "y" }',
            'kind "file" does not take host',
        ),
        (
            'hub_url = "http://h"\ntoken = "t"\nprinter = { kind = "fake", paper_mm = 76 }',
            "kiosk.printer.paper_mm",
        ),
        (
            'hub_url = "http://h"\ntoken = "t"\nlisten = "8090"\nprinter = { kind = "fake" }',
            "HOST:PORT",
        ),
        (
            'hub_url = "http://h"\ntoken = "t"\nerror_led = 17\nprinter = { kind = "fake" }\n'
            '[[kiosk.buttons]]\npin = 17\nservice = "dat-dai"',
            "pin used twice: 17",
        ),
        (
            'hub_url = "http://h"\ntoken = "t"\nprinter = { kind = "fake" }\n'
            '[kiosk.keypad]\nkeymap = { KEY_KP1 = "dat-dai" }',
            "name or its path",
        ),
    ],
)
def test_mistakes_name_the_file_and_key(tmp_path, section, expected) -> None:
    """GIVEN a [kiosk] section with one mistake WHEN loaded THEN one ConfigError names the
    file, the key and what is wrong."""
    path = write_config(tmp_path, "[kiosk]\n" + section + "\n")
    with pytest.raises(ConfigError) as caught:
        load_kiosk_settings(path)
    text = caught.value.render()
    assert str(path) in text and expected in text


def test_missing_section(tmp_path) -> None:
    """GIVEN a file without [kiosk] WHEN loaded THEN the error says so."""
    with pytest.raises(ConfigError, match=r"section \[kiosk\] is missing"):
        load_kiosk_settings(write_config(tmp_path, '[site]\nid = "a"\nname = "A"\n'))


def test_unreadable_token_file_is_a_config_error(tmp_path) -> None:
    """GIVEN token_file naming a missing file WHEN the agent is built THEN a ConfigError
    names kiosk.token_file."""
    settings, site = load_kiosk_settings(write_config(tmp_path, GOOD_FILE))
    with pytest.raises(ConfigError, match="kiosk.token_file"):
        build_agent(settings, site, config_path="kiosk.toml")


def _press(pins: Any, pin: int) -> None:
    pins.pin(pin).drive_low()
    pins.pin(pin).drive_high()


def test_wired_kiosk_buttons_keypad_and_file_printer(live, hub, token, mock_pins, tmp_path) -> None:
    """GIVEN a kiosk built from its section: buttons for two fields (one a priority button),
    a priority button, LEDs, a keypad and a file printer
    WHEN the buttons are pressed and keys are typed as the kernel reports them
    (scan code, down, SYN, auto-repeats, up)
    THEN each press gives exactly one ticket on the hub, with the priority the press
    asked for, and the file holds one raster ticket per ticket, in order."""
    spool = tmp_path / "printer.bin"
    spool.touch()
    keypad = PipeKeypad()
    opened = [keypad]
    section = settings(
        live.url,
        token,
        printer=PrinterSettings(kind="file", path=str(spool)),
        buttons=(
            ButtonSettings(pin=17, service="dat-dai", led=27),
            ButtonSettings(pin=22, service="tu-phap", priority="disabled"),
        ),
        priority_button=PriorityButtonSettings(pin=23, led=24, category="pregnant"),
        error_led=5,
        keypad=KeypadSettings(
            name="Numeric Keypad",
            keymap={"KEY_KP1": "dat-dai", "KEY_KP2": "kinh-doanh", "KEY_KP0": "priority"},
        ),
    )
    agent = build_agent(
        section,
        pin_factory=mock_pins,
        keypad_opener=lambda: opened.pop() if opened else None,
    )
    agent.start()
    try:
        wait_until(lambda: agent.snapshot()["state"] == "ready", what="kiosk ready")

        def printed(n: int) -> None:
            wait_until(lambda: spool.read_bytes().count(CUT) == n, what=f"{n} tickets")
            wait_done(agent, n)

        _press(mock_pins, 17)  # dat-dai
        printed(1)
        _press(mock_pins, 22)  # tu-phap, priority button of that field
        printed(2)
        _press(mock_pins, 23)  # arm priority (pregnant) …
        wait_until(lambda: agent.snapshot()["armed_priority"] == "pregnant", what="armed")
        assert agent.leds["*priority"].current == "on"
        _press(mock_pins, 17)  # … for the next press
        printed(3)
        keypad.press("KEY_KP2", repeats=3)  # held down: one ticket, not four
        printed(4)
        keypad.press("KEY_KP0")
        keypad.press("KEY_KP1")
        printed(5)
    finally:
        agent.stop()
        keypad.close()

    issued = [(t.number, t.service_id, t.priority, t.status) for t in hub_tickets(hub)]
    assert issued == [
        ("1001", "dat-dai", None, "waiting"),
        ("B001", "tu-phap", "disabled", "waiting"),
        ("1002", "dat-dai", "pregnant", "waiting"),
        ("C001", "kinh-doanh", None, "waiting"),
        ("1003", "dat-dai", "pregnant", "waiting"),
    ]
    tickets = decode_tickets(spool.read_bytes())
    assert len(tickets) == 5 and {t.width for t in tickets} == {576}
