"""An agent on a Pi installed without some of the Pi's extras: what it needs is named
in one line with ``pip install 'motcua[pi]'``, and what it does not need is not
loaded (a file printer needs python-escpos, not pyserial)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.paths import REPO

DEVICE_LIBRARIES = "serial,usb,gpiozero,lgpio,evdev"
"""Everything of the Pi's extras but python-escpos."""


def start(tmp_path: Path, blocked: str, command: str, section: str) -> subprocess.Popen[str]:
    (tmp_path / "device.token").write_text("not-checked-before-the-hub-answers\n")
    path = tmp_path / "motcua.toml"
    path.write_text(section, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.without", blocked, "--"]
        + ["--config", str(path), command],
        cwd=REPO,
        env={**os.environ, "MOTCUA_CONFIG": "", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str], *, after_s: float | None = None) -> str:
    """Its output, once it has ended by itself or, ``after_s`` later, by SIGTERM."""
    if after_s is not None:
        time.sleep(after_s)
        process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=30)
    return out


KIOSK = """[kiosk]
hub_url = "http://127.0.0.1:9"
token_file = "device.token"
listen = ""
printer = {{ kind = "file", path = "{spool}" }}
"""


def test_a_file_printer_needs_no_pyserial(tmp_path) -> None:
    """GIVEN a kiosk with a file printer on a Pi without pyserial, pyusb, gpiozero and
    evdev WHEN it runs THEN it opens its printer and runs until stopped, no traceback."""
    kiosk = KIOSK.format(spool=tmp_path / "printer.bin")
    process = start(tmp_path, DEVICE_LIBRARIES, "kiosk", kiosk)
    out = finish(process, after_s=3)
    assert process.returncode == 0, out
    assert "opened, status ok" in out
    assert "Traceback" not in out


def test_a_printer_without_python_escpos_is_one_line(tmp_path) -> None:
    """GIVEN a kiosk on a Pi without python-escpos WHEN it starts THEN it exits 1 with one
    line naming the package and the command that installs it."""
    kiosk = KIOSK.format(spool=tmp_path / "printer.bin")
    process = start(tmp_path, f"{DEVICE_LIBRARIES},escpos", "kiosk", kiosk)
    out = finish(process)
    assert process.returncode == 1, out
    assert out.strip().splitlines()[-1] == (
        "motcua kiosk: the Python package python-escpos is not installed: pip install 'motcua[pi]'"
    )
    assert "Traceback" not in out


def test_rating_pad_buttons_without_gpiozero_is_one_line(tmp_path) -> None:
    """GIVEN a rating pad on GPIO buttons without gpiozero WHEN it starts THEN one line
    names gpiozero, exit 1."""
    pad = """[rating_pad]
hub_url = "http://127.0.0.1:9"
outbox = "outbox.sqlite"
[[rating_pad.counters]]
counter = "1"
token_file = "device.token"
buttons = { very_satisfied = 5, satisfied = 6, unsatisfied = 13 }
"""
    process = start(tmp_path, DEVICE_LIBRARIES, "rating-pad", pad)
    out = finish(process)
    assert process.returncode == 1, out
    assert out.strip().splitlines()[-1] == (
        "motcua rating-pad: the Python package gpiozero is not installed: pip install 'motcua[pi]'"
    )


def test_led_boards_without_pyserial_are_reported_not_raised(tmp_path) -> None:
    """GIVEN a display agent with an LED board line on a Pi without pyserial WHEN it runs
    THEN the line is logged offline naming pyserial, the agent keeps running, and no
    thread dies with a traceback."""
    agent = """[display_agent]
hub_url = "http://127.0.0.1:9"
token_file = "device.token"
audio = "none"
[[display_agent.boards]]
port = "/dev/ttyUSB9"
address_map = { "1" = 1 }
"""
    process = start(tmp_path, DEVICE_LIBRARIES, "display-agent", agent)
    out = finish(process, after_s=3)
    assert process.returncode == 0, out
    assert (
        "LED boards on /dev/ttyUSB9: the Python package pyserial is not installed: "
        "pip install 'motcua[pi]'" in out
    )
    assert "Traceback" not in out
