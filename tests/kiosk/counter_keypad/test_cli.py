"""``motcua counter-keypad``: ``--check`` through the agents' runner."""

from __future__ import annotations

from hub.cli import main

GOOD = """
[counter_keypad]
hub_url = "http://10.0.0.2:8080"
token = "t"
keypad = { name = "Numeric Keypad" }
"""


def write(tmp_path, text: str):
    path = tmp_path / "keypad.toml"
    path.write_text(text, encoding="utf-8")
    return path


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
