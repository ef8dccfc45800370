"""Fakes of every port, for ``motcua demo`` and for the tests of the agents.

Each fake keeps what it was asked to do (images, frames, WAVs, LED states) and
can be told to fail with a :mod:`hardware.errors` exception, so an agent's
error handling can be tested without a device. Their behaviour is pinned to the
real adapters' by the contract tests in ``tests/hardware/test_ports.py``.
They import no device library.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from PIL import Image

from hardware.errors import DeviceTimeout, DeviceUnavailable, HardwareError, PaperOut
from hardware.ports import PAPER_DOTS, PATTERNS, DisplayHealth, LedPattern, PrinterStatus

__all__ = [
    "FakeAudioOutput",
    "FakeButtonPanel",
    "FakeCounterDisplay",
    "FakeIndicator",
    "FakeKeypad",
    "FakeTicketPrinter",
]

logger = logging.getLogger(__name__)


class FakeTicketPrinter:
    """A ticket printer that keeps the images (and writes PNGs to ``out_dir``).

    Set ``fail_with`` to an exception to make every print raise it (until set
    back to None), ``open_error`` to make ``open()`` and reconnecting raise, and
    ``status_value`` to what ``status()`` answers. As the real printer, it
    refuses to print while ``status_value`` is ``PAPER_OUT`` (raises PaperOut)
    or ``OFFLINE`` (DeviceUnavailable) and before ``open()``; a
    ``DeviceUnavailable``/``DeviceTimeout`` from ``fail_with`` closes it, and
    the next ``print_ticket``/``status`` tries to reconnect once.

    Args:
        paper_mm: 58 or 80.
        out_dir: Directory for ``ticket-0001.png``, … (created); None keeps memory only.
    """

    def __init__(self, paper_mm: int = 80, out_dir: str | os.PathLike[str] | None = None) -> None:
        if paper_mm not in PAPER_DOTS:
            raise ValueError(f"paper_mm must be one of {sorted(PAPER_DOTS)}, not {paper_mm!r}")
        self._dots = PAPER_DOTS[paper_mm]
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.images: list[Image.Image] = []
        self.files: list[Path] = []
        self.status_value = PrinterStatus.OK
        self.fail_with: HardwareError | None = None
        self.open_error: HardwareError | None = None
        self.is_open = False
        self._wanted_open = False
        self._lock = threading.Lock()

    @property
    def paper_dots(self) -> int:
        """384 for 58 mm paper, 576 for 80 mm."""
        return self._dots

    def open(self) -> None:
        """Open (creates ``out_dir``); raises ``open_error`` if set."""
        with self._lock:
            self._wanted_open = True
            self._open_locked()

    def _open_locked(self) -> None:
        if self.open_error is not None:
            raise self.open_error
        if self.out_dir is not None:
            try:
                self.out_dir.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise DeviceUnavailable(f"fake printer: {err}", device="printer") from err
        self.is_open = True

    def print_ticket(self, image: Image.Image) -> None:
        """Keep the image as the printer would print it (1-bit) and write its PNG."""
        if image.width > self._dots:
            raise ValueError(f"ticket image is {image.width} dots wide, paper takes {self._dots}")
        with self._lock:
            if not self.is_open:
                if not self._wanted_open:
                    raise DeviceUnavailable("fake printer is not open", device="printer")
                self._open_locked()
            if self.fail_with is not None:
                if isinstance(self.fail_with, DeviceUnavailable | DeviceTimeout):
                    self.is_open = False
                raise self.fail_with
            if self.status_value is PrinterStatus.PAPER_OUT:
                raise PaperOut("fake printer has no paper", device="printer")
            if self.status_value is PrinterStatus.OFFLINE:
                raise DeviceUnavailable("fake printer is offline", device="printer")
            printed = image.convert("1")
            self.images.append(printed)
            if self.out_dir is not None:
                path = self.out_dir / f"ticket-{len(self.images):04d}.png"
                try:
                    printed.save(path)
                except OSError as err:
                    raise DeviceUnavailable(f"fake printer: {err}", device="printer") from err
                self.files.append(path)
                logger.info("fake printer wrote %s", path)

    def status(self) -> PrinterStatus:
        """``status_value`` while open (reconnecting once if needed), else ``OFFLINE``."""
        with self._lock:
            if not self.is_open and self._wanted_open:
                try:
                    self._open_locked()
                except HardwareError:
                    return PrinterStatus.OFFLINE
            return self.status_value if self.is_open else PrinterStatus.OFFLINE

    def close(self) -> None:
        """Mark closed; no reconnecting until ``open()``. Idempotent."""
        with self._lock:
            self._wanted_open = False
            self.is_open = False


class FakeButtonPanel:
    """Named buttons pressed from code: ``press("dat-dai")``, ``hold("reprint")``."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = tuple(names)
        self._lock = threading.Lock()
        self._on_press: Callable[[str], None] | None = None
        self._on_hold: Callable[[str], None] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The button names."""
        return self._names

    def set_callback(
        self,
        on_press: Callable[[str], None],
        on_hold: Callable[[str], None] | None = None,
    ) -> None:
        """Register the callbacks (called with the button name)."""
        with self._lock:
            self._on_press, self._on_hold = on_press, on_hold

    def press(self, name: str) -> None:
        """Press and release ``name``. Raises ValueError for an unknown button."""
        self._fire(name, hold=False)

    def hold(self, name: str) -> None:
        """Hold ``name`` long enough to count as held."""
        self._fire(name, hold=True)

    def _fire(self, name: str, *, hold: bool) -> None:
        if name not in self._names:
            raise ValueError(f"unknown button {name!r}; buttons are {', '.join(self._names)}")
        with self._lock:
            callback = self._on_hold if hold else self._on_press
        if callback is not None:
            callback(name)

    def close(self) -> None:
        """Forget the callbacks."""
        with self._lock:
            self._on_press = self._on_hold = None


class FakeIndicator:
    """An LED that records its states: ``history == ["off", "ready", "busy", …]``."""

    def __init__(self) -> None:
        self.history: list[str] = ["off"]
        self._lock = threading.Lock()

    @property
    def current(self) -> str:
        """ "on", "off" or the pattern name."""
        with self._lock:
            return self.history[-1]

    def on(self) -> None:
        """Light steadily."""
        self._set("on")

    def off(self) -> None:
        """Turn off."""
        self._set("off")

    def blink(self, pattern: str | LedPattern) -> None:
        """Record the pattern's name ("custom" for an unnamed LedPattern)."""
        if isinstance(pattern, LedPattern):
            self._set("custom")
        elif pattern in PATTERNS:
            self._set(pattern)
        else:
            raise ValueError(f"unknown LED pattern {pattern!r}; known: {', '.join(PATTERNS)}")

    def _set(self, state: str) -> None:
        with self._lock:
            self.history.append(state)

    def close(self) -> None:
        """Turn off."""
        self._set("off")


class FakeCounterDisplay:
    """LED boards that record frames: ``frames == [("3", "1023"), ("3", None)]``
    (None = cleared); ``shown`` holds what each board shows now.

    Args:
        counters: The known counter ids; None accepts any.
    """

    def __init__(self, counters: Iterable[str] | None = None) -> None:
        self._counters = frozenset(counters) if counters is not None else None
        self.frames: list[tuple[str, str | None]] = []
        self.shown: dict[str, str] = {}
        self.fail_with: HardwareError | None = None
        self._consecutive = self._total = 0
        self._last_error: str | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        """Nothing to open."""

    def show(self, counter_id: str, number: str) -> None:
        """Record ``number`` on ``counter_id``'s board."""
        self._send(counter_id, number)

    def clear(self, counter_id: str) -> None:
        """Record a blank board."""
        self._send(counter_id, None)

    def _send(self, counter_id: str, number: str | None) -> None:
        if self._counters is not None and counter_id not in self._counters:
            raise ValueError(f"no LED board for counter {counter_id!r}")
        if number is not None and (not number.isascii() or not number.isprintable()):
            raise ValueError(f"an LED board shows printable ASCII only, not {number!r}")
        with self._lock:
            if self.fail_with is not None:
                self._last_error = str(self.fail_with)
                if isinstance(self.fail_with, DeviceTimeout):
                    self._consecutive += 1
                    self._total += 1
                raise self.fail_with
            self._consecutive = 0
            self.frames.append((counter_id, number))
            if number is None:
                self.shown.pop(counter_id, None)
            else:
                self.shown[counter_id] = number

    def health(self) -> DisplayHealth:
        """Timeouts injected with ``fail_with = DeviceTimeout(...)`` count here."""
        with self._lock:
            return DisplayHealth(self._consecutive, self._total, self._last_error)

    def close(self) -> None:
        """Nothing to close."""


class FakeAudioOutput:
    """A loudspeaker that keeps every WAV in ``played`` (and in ``out_dir``)."""

    def __init__(self, out_dir: str | Path | None = None) -> None:
        self.played: list[bytes] = []
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.fail_with: HardwareError | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        """Nothing to open."""

    def play(self, wav: bytes) -> None:
        """Record ``wav``; raises ``fail_with`` if set."""
        if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
            raise ValueError("not a WAV file (no RIFF/WAVE header)")
        with self._lock:
            if self.fail_with is not None:
                raise self.fail_with
            self.played.append(bytes(wav))
            if self.out_dir is not None:
                self.out_dir.mkdir(parents=True, exist_ok=True)
                (self.out_dir / f"announce-{len(self.played):04d}.wav").write_bytes(wav)


class FakeKeypad:
    """A keypad driven from code: ``press("confirm")`` or ``press_key("KEY_KPENTER")``.

    Args:
        keymap: Key name → command, as for :class:`hardware.keypad.KeypadDecoder`.
    """

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        self.keymap = dict(keymap or {})
        self.connected = False
        self._on_command: Callable[[str], None] | None = None
        self._lock = threading.Lock()

    def start(self, on_command: Callable[[str], None]) -> None:
        """Start "reading": presses now reach ``on_command``."""
        with self._lock:
            self._on_command = on_command
            self.connected = True

    def press(self, command: str) -> None:
        """Deliver ``command`` as if its key were pressed (dropped when not started)."""
        with self._lock:
            callback = self._on_command
        if callback is not None:
            callback(command)

    def press_key(self, key_name: str) -> None:
        """Press the key named ``key_name``; keys without a command are ignored."""
        command = self.keymap.get(key_name)
        if command is not None:
            self.press(command)

    def close(self) -> None:
        """Stop delivering."""
        with self._lock:
            self._on_command = None
            self.connected = False
