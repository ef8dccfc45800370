"""The ``[kiosk]`` section: errors people can act on, paths, site defaults, the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError
from kiosk.settings import SiteDefaults, load_kiosk_settings, site_info


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, "utf-8")
    return path


GOOD = """
[site]
id = "tan-phu"
name = "Trung tâm Phục vụ hành chính công xã Tân Phú"
public_url = "http://192.168.1.10:8080/"

[kiosk]
hub_url = "http://192.168.1.10:8080/"
token_file = "kiosk.token"
listen = "127.0.0.1:8090"
error_led = 5
printer = { kind = "file", path = "var/printer.bin", paper_mm = 58 }

[[kiosk.buttons]]
pin = 17
service = "dat-dai"
led = 27

[[kiosk.buttons]]
pin = 22
service = "dat-dai"
priority = "elderly"

[kiosk.priority_button]
pin = 23
category = "disabled"

[kiosk.keypad]
name = "Numeric Keypad"
keymap = { KEY_KP1 = "dat-dai", KEY_KP0 = "priority" }
"""


def test_a_good_section_loads_with_paths_from_the_files_folder(tmp_path) -> None:
    """GIVEN a file with [site] and [kiosk] WHEN loaded THEN relative paths start at the
    file's folder, URLs lose their trailing slash, and [site] gives the ticket's defaults."""
    settings, site = load_kiosk_settings(_write(tmp_path, GOOD))
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
    path = _write(
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
    path = _write(tmp_path, "[kiosk]\n" + section + "\n")
    with pytest.raises(ConfigError) as caught:
        load_kiosk_settings(path)
    text = caught.value.render()
    assert str(path) in text and expected in text


def test_missing_section(tmp_path) -> None:
    """GIVEN a file without [kiosk] WHEN loaded THEN the error says so."""
    with pytest.raises(ConfigError, match=r"section \[kiosk\] is missing"):
        load_kiosk_settings(_write(tmp_path, '[site]\nid = "a"\nname = "A"\n'))


def test_motcua_kiosk_check(tmp_path, capsys) -> None:
    """GIVEN `motcua kiosk --check` WHEN the section is valid THEN exit 0; WHEN it is not,
    THEN exit 2 with one message naming the key, never a traceback."""
    import argparse

    from kiosk.dispenser import add_command, run_kiosk

    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    add_command(parser.add_subparsers(dest="command"))
    good = _write(tmp_path, GOOD)
    args = parser.parse_args(["--config", str(good), "kiosk", "--check"])
    assert args.func is run_kiosk and run_kiosk(args) == 0
    assert "[kiosk] is valid" in capsys.readouterr().out

    from hub.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text('[kiosk]\nhub_url = "http://h"\ntoken = "t"\nprinter = { kind = "laser" }\n')
    assert main(["--config", str(bad), "kiosk", "--check"]) == 2
    err = capsys.readouterr().err
    assert "kiosk.printer.kind" in err and "Traceback" not in err


def test_unreadable_token_file_is_a_config_error(tmp_path) -> None:
    """GIVEN token_file naming a missing file WHEN the agent is built THEN a ConfigError
    names kiosk.token_file."""
    from kiosk.settings import build_agent

    settings, site = load_kiosk_settings(_write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match="kiosk.token_file"):
        build_agent(settings, site, config_path="kiosk.toml")
