"""The configuration loader: examples load, every error is named at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.hub import DEFAULT_TEMPLATE
from config.loader import load_section
from config.paths import EXAMPLES
from config.schema import load_config


@pytest.mark.parametrize("name", ["demo", "commune", "centre"])
def test_examples_load(name: str) -> None:
    config = load_config(EXAMPLES / f"{name}.toml")
    assert config.site.timezone == "Asia/Ho_Chi_Minh"
    assert config.services and config.counters
    assert config.display.template == DEFAULT_TEMPLATE


def test_centre_example_is_a_large_branch() -> None:
    config = load_config(EXAMPLES / "centre.toml")
    names = {s.name for s in config.services}
    assert len(config.counters) >= 25
    assert {"Đất đai", "Tư pháp – Hộ tịch", "Kinh doanh", "Xây dựng",
            "Lao động – Thương binh và Xã hội", "Tài nguyên – Môi trường"} <= names  # fmt: skip


def test_defaults_match_the_contract(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[site]\nid = "x"\nname = "X"\n[[services]]\nid = "s"\nname = "S"\n'
        '[[counters]]\nid = "1"\nname = "Quầy 1"\nservices = ["s"]\n',
        encoding="utf-8",
    )
    config = load_config(path)
    service = config.services[0]
    assert (service.start, service.prefix, service.digits, service.daily_limit) == (1, "", 3, None)
    assert config.queue.priority == "strict" and config.queue.priority_every == 2
    assert [lv.id for lv in config.ratings.levels] == ["very_satisfied", "satisfied",
                                                       "unsatisfied"]  # fmt: skip
    assert [lv.score for lv in config.ratings.levels] == [2, 1, 0]
    assert config.ratings.window_s == 600


BAD = """
[site]
id = "Bad Id"
name = "x"
timezone = "Asia/Hanoi2"
colour = 3
[[services]]
id = "dat-dai"
name = "Đất đai"
digits = "four"
[[services]]
id = "tu-phap"
name = "Tư pháp"
[[counters]]
id = "1"
name = "Quầy 1"
services = ["dat-dia"]
[queue]
priorty = "strict"
[kisok]
"""


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """GIVEN a file with many mistakes WHEN loaded THEN one error lists them all,
    each naming the file and the key, with suggestions."""
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = info.value.render()
    lines = text.splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert 'kisok: unknown section (did you mean "kiosk"?)' in text
    assert "site.id:" in text
    assert 'site.timezone: unknown timezone "Asia/Hanoi2"' in text
    assert "site.colour: unknown key" in text
    assert "services[0].digits:" in text
    assert 'queue.priorty: unknown key (did you mean "priority"?)' in text
    assert len(lines) == 6


def test_unknown_service_of_a_counter_gets_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[site]\nid = "x"\nname = "X"\n[[services]]\nid = "dat-dai"\nname = "S"\n'
        '[[counters]]\nid = "1"\nname = "Quầy 1"\nservices = ["dat-dia"]\n'
        '[[counters]]\nid = "1"\nname = "Quầy 1b"\nservices = ["dat-dai"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = info.value.render()
    assert 'counters[0].services[0]: unknown service "dat-dia" (did you mean "dat-dai"?)' in text
    assert 'counters[1].id: "1" is used twice' in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "file not found"), ("[site\n", "not valid TOML"), (b"\xff\xfe", "not UTF-8")],
)
def test_unreadable_files(tmp_path: Path, content: str | bytes | None, expected: str) -> None:
    path = tmp_path / "c.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=expected):
        load_config(path)


def test_an_agent_file_may_hold_its_section_alone(tmp_path: Path) -> None:
    from dataclasses import dataclass

    @dataclass
    class Section:
        hub_url: str

    path = tmp_path / "pi.toml"
    path.write_text('[kiosk]\nhub_url = "http://127.0.0.1:8080"\n')
    assert load_section(path, "kiosk", Section).hub_url == "http://127.0.0.1:8080"
    with pytest.raises(ConfigError, match=r"section \[rating_pad\] is missing"):
        load_section(path, "rating_pad", Section)


def test_cli_exits_2_with_one_message_and_no_traceback(tmp_path: Path) -> None:
    """GIVEN a broken config WHEN a command starts THEN exit status 2, no traceback."""
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "hub.cli", "--config", str(path), "serve"],
        capture_output=True, text=True, timeout=60, env={"MOTCUA_DATA": str(tmp_path),
                                                         "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert 'did you mean "priority"' in result.stderr
