"""Fixtures for the counter keypad: a pipe-backed evdev device (the live hub is ``live``)."""

from __future__ import annotations

import errno
import os
import struct
import threading
from collections.abc import Callable, Iterator

import pytest
from evdev import ecodes
from evdev.eventio import EventIO

_INPUT_EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit Linux


@pytest.fixture
def database(sqlite_database):
    """The keypad is not about storage: SQLite only."""
    return sqlite_database


class PipeKeypad(EventIO):
    """A keypad made of a pipe carrying raw ``struct input_event`` records, read by
    evdev's own reader (``EventIO.read``), as ``/dev/input/event*`` would be."""

    def __init__(self) -> None:
        self.fd, self._writer = os.pipe()
        self.grabbed = False
        self._lock = threading.Lock()

    def press(self, key: str, repeats: int = 0) -> None:
        """The kernel's sequence for one key press: scan code, down, SYN, the
        auto-repeats, scan code, up, SYN."""
        code = ecodes.ecodes[key]
        scan = (ecodes.EV_MSC, ecodes.MSC_SCAN, 0x70058)
        syn = (ecodes.EV_SYN, ecodes.SYN_REPORT, 0)
        events = [scan, (ecodes.EV_KEY, code, 1), syn]
        events += [(ecodes.EV_KEY, code, 2), syn] * repeats
        events += [scan, (ecodes.EV_KEY, code, 0), syn]
        data = b"".join(_INPUT_EVENT.pack(1764200000, 1000 * i, *e) for i, e in enumerate(events))
        os.write(self._writer, data)

    def grab(self) -> None:
        self.grabbed = True

    def read(self):
        if self._writer < 0:
            raise OSError(errno.ENODEV, "No such device")
        return super().read()

    def close(self) -> None:
        with self._lock:
            for name in ("_writer", "fd"):
                fd = getattr(self, name)
                if fd >= 0:
                    os.close(fd)
                    setattr(self, name, -1)


@pytest.fixture
def pipe_keypad() -> Iterator[Callable[[], PipeKeypad]]:
    made: list[PipeKeypad] = []

    def make() -> PipeKeypad:
        made.append(PipeKeypad())
        return made[-1]

    yield make
    for keypad in made:
        keypad.close()
