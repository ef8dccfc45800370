"""The ``[display_agent]`` section: examples, paths, errors that name file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.errors import ConfigError
from config.paths import EXAMPLES
from display.agent.settings import (
    load_display_agent_settings,
    make_audio,
    make_board,
)

HEAD = '[display_agent]\nhub_url = "http://10.0.0.2:8080"\ntoken = "t"\n'


def write(folder: Path, body: str) -> Path:
    path = folder / "pi.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_commune_example_is_valid() -> None:
    """GIVEN the commune example WHEN its section is loaded THEN one RS-485 line with the
    four counters' boards, aplay on ALSA's default device, each call said twice."""
    settings = load_display_agent_settings(EXAMPLES / "commune.toml")
    (line,) = settings.boards
    assert line.key == "/dev/ttyUSB0" and line.address_map == {"1": 1, "2": 2, "3": 3, "4": 4}
    assert settings.repeat == 2 and settings.speaks
    audio = make_audio(settings)
    assert audio is not None and audio.argv == ["aplay", "-q", "-"]  # type: ignore[attr-defined]


def test_relative_paths_start_at_the_file(tmp_path) -> None:
    """GIVEN token_file and clip_dir written relative WHEN loaded
    THEN both are taken from the configuration file's folder."""
    path = write(
        tmp_path,
        '[display_agent]\nhub_url = "http://10.0.0.2:8080/"\ntoken_file = "display.token"\n'
        'clip_dir = "clips/giong-nam"\naudio = "plughw:1,0"\n',
    )
    settings = load_display_agent_settings(path)
    assert settings.token_file == str(tmp_path / "display.token")
    assert settings.clip_dir == str(tmp_path / "clips" / "giong-nam")
    assert settings.hub_url == "http://10.0.0.2:8080"
    audio = make_audio(settings)
    assert audio is not None and audio.argv[-3:] == ["-D", "plughw:1,0", "-"]  # type: ignore[attr-defined]


def test_no_loudspeaker_when_the_tv_speaks(tmp_path) -> None:
    """GIVEN audio = "none" WHEN the adapters are made THEN there is no loudspeaker."""
    settings = load_display_agent_settings(write(tmp_path, HEAD + 'audio = "none"\n'))
    assert not settings.speaks and make_audio(settings) is None


def test_a_modbus_line_is_built_with_its_register_and_digits(tmp_path) -> None:
    """GIVEN a Modbus line on an Ethernet-RS485 converter WHEN its board is made
    THEN it talks to that URL with the configured register, digits and timeout."""
    path = write(
        tmp_path,
        HEAD + '[[display_agent.boards]]\nurl = "socket://10.0.0.9:4001"\nframing = "modbus"\n'
        'register = 16\ndigits = 6\ntimeout_s = 0.3\naddress_map = { "A1" = 7 }\n',
    )
    (line,) = load_display_agent_settings(path).boards
    board = make_board(line)
    assert line.key == "socket://10.0.0.9:4001"
    assert board.url == line.key and board.timeout == 0.3  # type: ignore[attr-defined]
    framing = board.framing  # type: ignore[attr-defined]
    assert (framing.register, framing.digits, framing.registers) == (16, 6, 3)


BAD = [
    ('token_file = "x"\n', "display_agent: give token or token_file, not both"),
    ('audoi = "aplay"\n', 'display_agent.audoi: unknown key (did you mean "audio"?)'),
    ('audio = "plug hw"\n', "display_agent.audio: "),
    ('template = "Mời số"\n', 'display_agent.template: must contain "{number}"'),
    ("repeat = 5\n", "display_agent.repeat: "),
    ('four = "bốn"\n', "display_agent.four: "),
    ('screen = "sảnh"\n', "display_agent.screen: "),
    (
        '[[display_agent.boards]]\nport = "/dev/ttyUSB0"\nframing = "modbus"\n'
        'address_map = { "1" = 0 }\n',
        'display_agent.boards[0]: counter "1": Modbus slave address must be 1..247, not 0',
    ),
    (
        '[[display_agent.boards]]\nport = "/dev/ttyUSB0"\nframing = "modbus"\n'
        'checksum = false\naddress_map = { "1" = 1 }\n',
        'display_agent.boards[0]: checksum is for framing = "stx-etx" only',
    ),
    (
        '[[display_agent.boards]]\naddress_map = { "1" = 1 }\n',
        "display_agent.boards[0]: give the line's port",
    ),
    (
        '[[display_agent.boards]]\nport = "/dev/ttyUSB0"\nframing = "rs232"\n'
        'address_map = { "1" = 1 }\n',
        "display_agent.boards[0].framing: ",
    ),
    (
        '[[display_agent.boards]]\nport = "/dev/ttyUSB0"\naddress_map = { "1" = 1 }\n'
        '[[display_agent.boards]]\nport = "/dev/ttyUSB1"\naddress_map = { "1" = 2 }\n',
        "display_agent: counter on two boards lines: 1",
    ),
    (
        '[[display_agent.boards]]\nport = "/dev/ttyUSB0"\naddress_map = { "1" = 1 }\n'
        '[[display_agent.boards]]\nport = "/dev/ttyUSB0"\naddress_map = { "2" = 2 }\n',
        "display_agent: two boards entries use the same line: /dev/ttyUSB0",
    ),
    (
        'counters = ["2"]\n[[display_agent.boards]]\nport = "/dev/ttyUSB0"\n'
        'address_map = { "1" = 1 }\n',
        "display_agent: boards show counters this agent does not follow: 1",
    ),
]


@pytest.mark.parametrize(("body", "message"), BAD)
def test_errors_name_the_file_and_the_key(tmp_path, body, message) -> None:
    """GIVEN a section with one mistake WHEN it is loaded
    THEN the error names the file and the key, and says what is wrong."""
    path = write(tmp_path, HEAD + body)
    with pytest.raises(ConfigError) as caught:
        load_display_agent_settings(path)
    assert f"{path}: {message}" in str(caught.value)


def test_the_device_token_is_required(tmp_path) -> None:
    """GIVEN no token and no token_file WHEN loaded THEN the error says how to get one."""
    path = write(tmp_path, '[display_agent]\nhub_url = "http://10.0.0.2:8080"\n')
    with pytest.raises(ConfigError, match="needs token or token_file .*--kind display"):
        load_display_agent_settings(path)


def test_a_file_without_the_section(tmp_path) -> None:
    """GIVEN a file without [display_agent] WHEN loaded THEN the error says so."""
    path = write(tmp_path, '[kiosk]\nhub_url = "http://10.0.0.2:8080"\n')
    with pytest.raises(ConfigError, match=r"section \[display_agent\] is missing"):
        load_display_agent_settings(path)


def test_a_call_is_said_twice_and_four_is_tu_unless_set(tmp_path) -> None:
    """GIVEN a section that sets neither repeat nor four, then one that sets four = "bon"
    WHEN loaded THEN each call is said twice, 24 is "hai mươi tư" unless "bon" is chosen."""
    plain = load_display_agent_settings(write(tmp_path, HEAD))
    assert (plain.repeat, plain.four) == (2, "tu")
    assert load_display_agent_settings(write(tmp_path, HEAD + 'four = "bon"\n')).four == "bon"
