"""``motcua doctor`` on the rating pad's, the counter keypad's and the display agent's
files: a live hub, gpiozero's mock pins, pipe keypads, serial lines on ptys and
``loop://``, and aplay on ALSA's ``null`` output."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from gpiozero import LED

from tests.doctor.support import PtyDevice, doctor, failures, line

needs_aplay = pytest.mark.skipif(shutil.which("aplay") is None, reason="alsa-utils not installed")


@pytest.fixture
def serial_line() -> Iterator[PtyDevice]:
    device = PtyDevice()
    yield device
    device.close()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pi.toml"
    path.write_text(text, "utf-8")
    return path


def pad_file(tmp_path: Path, url: str, one: str, two: str) -> Path:
    """A pad serving counter 1 with buttons and LEDs, counter 2 with a keypad."""
    return write(
        tmp_path,
        f'[rating_pad]\nhub_url = "{url}"\noutbox = "var/pad.sqlite"\n'
        f'[[rating_pad.counters]]\ncounter = "1"\ntoken = "{one}"\n'
        "buttons = { very_satisfied = 17, satisfied = 27, unsatisfied = 22 }\n"
        "leds = { very_satisfied = 5, satisfied = 6, unsatisfied = 13 }\n"
        f'[[rating_pad.counters]]\ncounter = "2"\ntoken = "{two}"\n'
        'keypad = { name = "Pad Keypad", keymap = { KEY_KP1 = "very_satisfied" } }\n',
    )


def test_a_healthy_rating_pad(capsys, hub, live, tmp_path, keypads) -> None:
    """GIVEN a pad whose counters' tokens are theirs, pins free and keypad plugged in WHEN
    the doctor runs THEN every line is ✓ and it exits 0."""
    keypads.add("Pad Keypad")
    one = hub.devices.add_device("pad-1", "rating-pad", "1")
    two = hub.devices.add_device("pad-2", "rating-pad", "2")
    code, lines, _ = doctor(capsys, pad_file(tmp_path, live, one, two))
    assert code == 0, "\n".join(lines)
    assert not failures(lines)
    line(lines, "✓ rating pad: counter 1's token accepted: rating-pad 'pad-1', counter 1")
    line(lines, "✓ rating pad: counter 2's token accepted: rating-pad 'pad-2', counter 2")
    line(lines, "✓ rating pad: clock within 5 s of the hub's")
    line(lines, f"✓ rating pad: outbox {tmp_path / 'var' / 'pad.sqlite'} can be written")
    line(lines, "✓ rating pad: GPIO 17, 27, 22, 5, 6, 13 can be claimed (MockFactory)")
    line(lines, """✓ rating pad: counter 2's keypad "Pad Keypad" is there and readable""")


def test_a_pad_token_of_another_counter_and_a_claimed_led(capsys, hub, live, tmp_path, keypads):
    """GIVEN counter 2's token written for counter 1, and LED pin 6 held WHEN the doctor
    runs THEN both lines are ✗ with what to do, and it exits 1."""
    keypads.add("Pad Keypad")
    two = hub.devices.add_device("pad-2", "rating-pad", "2")
    held = LED(6)
    try:
        code, lines, _ = doctor(capsys, pad_file(tmp_path, live, two, two))
    finally:
        held.close()
    assert code == 1
    token, pin = failures(lines)
    assert token.startswith("✗ rating pad: counter 1's token belongs to counter 2, not 1 — ")
    assert "motcua device add NAME --kind rating-pad --counter 1" in token
    assert pin.startswith("✗ rating pad: GPIO 6 (counter 1's satisfied LED) is in use — ")
    assert "motcua-rating-pad" in pin


def keypad_file(tmp_path: Path, url: str, token: str, board: str, inputs: str) -> Path:
    return write(
        tmp_path,
        f'[counter_keypad]\nhub_url = "{url}"\ntoken = "{token}"\ncounter = "3"\n{inputs}'
        f'led_board = {{ port = "{board}", address = 3 }}\n',
    )


def test_a_healthy_counter_keypad_then_its_board_unplugged(
    capsys, hub, live, tmp_path, keypads, serial_line
) -> None:
    """GIVEN a counter keypad with its keypad plugged in and its LED board's line on a pty
    WHEN the doctor runs THEN all ✓, exit 0; GIVEN the board's port gone THEN that line is
    ✗ with what to do, exit 1."""
    keypads.add("Numeric Keypad")
    token = hub.devices.add_device("ckp-3", "counter-keypad", "3")
    inputs = 'keypad = { name = "Numeric Keypad" }\n'
    code, lines, _ = doctor(capsys, keypad_file(tmp_path, live, token, serial_line.path, inputs))
    assert code == 0, "\n".join(lines)
    line(lines, "✓ counter keypad: device token accepted: counter-keypad 'ckp-3', counter 3")
    line(lines, '✓ counter keypad: keypad "Numeric Keypad" is there and readable')
    line(lines, f"✓ counter keypad: LED board on {serial_line.path} opens")

    code, lines, _ = doctor(capsys, keypad_file(tmp_path, live, token, "/dev/ttyUSB97", inputs))
    assert code == 1
    (bad,) = failures(lines)
    assert bad.startswith("✗ counter keypad: LED board on /dev/ttyUSB97 does not open: ")
    assert "dialout" in bad


def test_a_counter_keypad_with_buttons_one_held_and_a_token_of_no_counter(
    capsys, hub, live, tmp_path, serial_line
) -> None:
    """GIVEN GPIO buttons, one pin held, and a token of another kind WHEN the doctor runs
    THEN both are ✗ lines, exit 1."""
    kiosk = hub.devices.add_device("kiosk-1", "kiosk", None)
    inputs = "buttons = { pins = { call_next = 17, recall = 27 }, led = 5 }\n"
    held = LED(27)
    try:
        path = keypad_file(tmp_path, live, kiosk, serial_line.path, inputs)
        code, lines, _ = doctor(capsys, path)
    finally:
        held.close()
    assert code == 1
    token, pin = failures(lines)
    assert token.startswith(
        "✗ counter keypad: device token belongs to 'kiosk-1', a kiosk, not a counter-keypad"
    )
    assert pin.startswith("✗ counter keypad: GPIO 27 (recall button) is in use — ")
    line(lines, "✓ counter keypad: GPIO 17, 5 can be claimed")


def display_file(tmp_path: Path, url: str, token: str, audio: str, port: str) -> Path:
    return write(
        tmp_path,
        f'[display_agent]\nhub_url = "{url}"\ntoken = "{token}"\naudio = "{audio}"\n'
        f'[[display_agent.boards]]\nport = "{port}"\naddress_map = {{ "1" = 1 }}\n'
        '[[display_agent.boards]]\nurl = "loop://"\nframing = "modbus"\n'
        'address_map = { "2" = 2 }\n',
    )


@needs_aplay
def test_a_healthy_display_agent(capsys, hub, live, tmp_path, serial_line) -> None:
    """GIVEN a display agent with a line on a pty, one on loop:// and ALSA's null output
    WHEN the doctor runs THEN every line is ✓ (silence played), exit 0."""
    token = hub.devices.add_device("sanh", "display", None)
    code, lines, _ = doctor(capsys, display_file(tmp_path, live, token, "null", serial_line.path))
    assert code == 0, "\n".join(lines)
    line(lines, "✓ display agent: device token accepted: display 'sanh'")
    line(lines, f"✓ display agent: LED boards on {serial_line.path} opens")
    line(lines, "✓ display agent: LED boards on loop:// opens")
    line(lines, '✓ display agent: loudspeaker "null" plays')


@needs_aplay
def test_a_display_agent_whose_output_and_line_fail(capsys, hub, live, tmp_path) -> None:
    """GIVEN an ALSA output that does not exist and a serial port that does not open WHEN
    the doctor runs THEN both are ✗ lines with what to do, exit 1."""
    token = hub.devices.add_device("sanh", "display", None)
    path = display_file(tmp_path, live, token, "plughw:97,0", "/dev/ttyUSB98")
    code, lines, _ = doctor(capsys, path)
    assert code == 1
    board, audio = failures(lines)
    assert board.startswith("✗ display agent: LED boards on /dev/ttyUSB98 does not open: ")
    assert audio.startswith('✗ display agent: loudspeaker "plughw:97,0" does not play: aplay ')
    assert "aplay -L" in audio and "audio group" in audio


def test_a_display_agent_that_does_not_speak(capsys, hub, live, tmp_path, serial_line) -> None:
    """GIVEN audio = "none" WHEN the doctor runs THEN it says the TVs speak, and plays nothing."""
    token = hub.devices.add_device("sanh", "display", None)
    code, lines, _ = doctor(capsys, display_file(tmp_path, live, token, "none", serial_line.path))
    assert code == 0, "\n".join(lines)
    line(lines, '✓ display agent: no loudspeaker on this Pi (audio = "none": the TVs speak)')
