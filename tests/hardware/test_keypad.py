"""KeypadDecoder and EvdevKeypad, fed kernel-shaped events through evdev's own reader.

There is no /dev/uinput here, so the device is a pipe carrying raw
``struct input_event`` records, read by ``evdev.eventio.EventIO.read`` — the
same C reader an ``InputDevice`` uses (see ``pipe_input`` in conftest).
"""

from __future__ import annotations

import queue

import pytest
from evdev import InputEvent

from hardware.keypad import EvdevKeypad, KeypadDecoder, pump

KEYMAP = {"KEY_KP1": "dat-dai", "KEY_KP2": "ho-tich", "KEY_KPENTER": "confirm"}


def test_decoder_takes_key_down_only(keystroke) -> None:
    """GIVEN the kernel's sequence for KP1 held long enough to repeat 3 times, then KP9
    WHEN each event is fed to the decoder
    THEN exactly one command comes out: KP1's; scan codes, SYN, repeat, release
    and the unmapped KP9 give nothing."""
    decoder = KeypadDecoder(KEYMAP)
    raw = keystroke("KEY_KP1", repeats=3) + keystroke("KEY_KP9")

    commands = [decoder.feed(InputEvent(0, 0, *e)) for e in raw]

    assert [c for c in commands if c is not None] == ["dat-dai"]
    assert commands.index("dat-dai") == 1  # on the key-down, right after MSC_SCAN


def test_unknown_key_name_suggests_the_right_one() -> None:
    """GIVEN a keymap with "KEY_KP_1" WHEN the decoder is built THEN ValueError suggests KEY_KP1."""
    with pytest.raises(ValueError, match="did you mean KEY_KP1"):
        KeypadDecoder({"KEY_KP_1": "x"})


def test_pump_reads_raw_input_events_from_a_pipe(pipe_input) -> None:
    """GIVEN raw input_event records for KP2, ENTER, KP1 (with repeats) in a pipe
    WHEN pump reads them through evdev's reader until the writer closes
    THEN the commands arrive in order, once each."""
    device = pipe_input()
    got: list[str] = []
    device.press("KEY_KP2")
    device.press("KEY_KPENTER")
    device.press("KEY_KP1", repeats=5)
    device.end()

    pump(device, KeypadDecoder(KEYMAP), got.append)

    assert got == ["ho-tich", "confirm", "dat-dai"]


def test_reader_grabs_reads_and_finds_the_device_again_after_unplug(pipe_input) -> None:
    """GIVEN an EvdevKeypad whose device search finds one pipe device, then another
    WHEN a key is pressed, the first device is unplugged (ENODEV), and a key is
    pressed on the second
    THEN both commands arrive, both devices were grabbed, the first was closed,
    and close() stops the reader."""
    devices = [pipe_input(), pipe_input()]
    found = iter(devices)
    commands: queue.Queue[str] = queue.Queue()
    keypad = EvdevKeypad(KEYMAP, open_device=lambda: next(found, None), poll_s=0.01)

    keypad.start(commands.put)
    assert keypad.wait_connected(5)
    devices[0].press("KEY_KP1")
    first = commands.get(timeout=5)
    devices[0].unplug()
    assert devices[0].closed.wait(5) and keypad.wait_connected(5)
    devices[1].press("KEY_KP2", repeats=2)
    second = commands.get(timeout=5)
    keypad.close()

    assert (first, second) == ("dat-dai", "ho-tich")
    assert all(d.grabbed for d in devices) and devices[1].closed.is_set()
    assert not keypad.connected and commands.empty()


def test_absent_keypad_keeps_polling_and_closes_promptly() -> None:
    """GIVEN a keypad name no input device has (this machine has none)
    WHEN the reader starts and is closed
    THEN it never connects and close() returns (the poll wait is interrupted)."""
    keypad = EvdevKeypad(KEYMAP, name="No Such Keypad", poll_s=60)
    keypad.start(lambda command: None)

    assert not keypad.wait_connected(0.05)
    keypad.close()
    assert not keypad.connected


def test_name_or_path_is_required() -> None:
    """GIVEN neither a name nor a path WHEN built THEN ValueError."""
    with pytest.raises(ValueError, match="name or its path"):
        EvdevKeypad(KEYMAP)
