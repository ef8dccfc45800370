"""The ports: one small interface per kind of device, named by its role.

Agents (kiosk, rating pad, display agent) depend only on these Protocols. Each
has one real adapter (``printer``, ``buttons``, ``keypad``, ``led_board``,
``audio``) and one fake (``fakes``); the configuration picks which one is passed
in. Every method may raise only :mod:`hardware.errors` exceptions (plus
``ValueError`` for a caller's mistake, such as an unknown button name).

Threading: device libraries call back on their own threads. A callback given to
a port must only enqueue (``queue.Queue.put``) and return; one loop in the agent
owns the state.

This module imports no device library, so the core installs and tests without
the ``pi`` extra.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "PAPER_DOTS",
    "PATTERNS",
    "AudioOutput",
    "ButtonPanel",
    "CounterDisplay",
    "DisplayHealth",
    "Indicator",
    "KeypadReader",
    "LedPattern",
    "PrinterStatus",
    "TicketPrinter",
]

#: Printable dots across the paper at 203 dpi, by paper width in millimetres.
PAPER_DOTS: Mapping[int, int] = MappingProxyType({58: 384, 80: 576})


class PrinterStatus(enum.StrEnum):
    """What a ticket printer says about itself. The values go on the wire as-is
    (``POST /devices/heartbeat``)."""

    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    #: The printer cannot tell (write-only transport) or did not answer. Never
    #: reported as "ok": a silent printer may well be out of paper.
    UNKNOWN = "unknown"


@runtime_checkable
class TicketPrinter(Protocol):
    """A thermal ticket printer that prints raster images.

    Must provide: ``paper_dots``, ``open``, ``print_ticket``, ``status``, ``close``.
    """

    @property
    def paper_dots(self) -> int:
        """Image width the printer takes, in dots: 384 for 58 mm paper, 576 for 80 mm."""
        ...

    def open(self) -> None:
        """Open the transport and check the device; called at start-up and to retry.

        Raises:
            DeviceUnavailable: The device cannot be opened.
        """
        ...

    def print_ticket(self, image: Image.Image) -> None:
        """Print ``image`` as one ``GS v 0`` raster, then cut the paper (a printer
        without a cutter feeds it out to be torn off).

        Args:
            image: At most ``paper_dots`` wide; any mode (converted to 1-bit, black prints).

        Raises:
            ValueError: The image is wider than ``paper_dots``.
            PaperOut: The printer reported no paper; nothing was sent.
            DeviceUnavailable: Not open, offline, or the transport failed.
            DeviceTimeout: The transport timed out while sending.
        """
        ...

    def status(self) -> PrinterStatus:
        """Ask the printer for its state. Never raises for a device condition:
        an unreachable printer is ``OFFLINE``, a silent one ``UNKNOWN``."""
        ...

    def close(self) -> None:
        """Release the transport. Idempotent."""
        ...


@runtime_checkable
class ButtonPanel(Protocol):
    """A set of named push buttons (one per service, or one per rating level)."""

    @property
    def names(self) -> tuple[str, ...]:
        """The button names, in configuration order."""
        ...

    def set_callback(
        self,
        on_press: Callable[[str], None],
        on_hold: Callable[[str], None] | None = None,
    ) -> None:
        """Register the callbacks, called with the button's name.

        They run on a device thread and must only enqueue. Thread-safe: may be
        called while presses arrive. Presses before the first call are dropped.
        """
        ...

    def close(self) -> None:
        """Release the buttons. Idempotent."""
        ...


@dataclass(frozen=True)
class LedPattern:
    """A blink pattern: ``steps`` of (lit, seconds), played ``repeat`` times
    (``None`` = until changed), then the LED is left ``then`` (lit or not)."""

    steps: tuple[tuple[bool, float], ...]
    repeat: int | None = None
    then: bool = False

    def __post_init__(self) -> None:
        if not self.steps or any(seconds <= 0 for _, seconds in self.steps):
            raise ValueError("an LED pattern needs at least one step, each longer than 0 s")
        if self.repeat is not None and self.repeat < 1:
            raise ValueError("repeat must be None (forever) or at least 1")

    @property
    def steady(self) -> bool:
        """True when the pattern is one lit step forever (a steady light)."""
        return len(self.steps) == 1 and self.repeat is None


#: The named patterns every :class:`Indicator` knows.
PATTERNS: Mapping[str, LedPattern] = MappingProxyType(
    {
        # Steady light: the button works, press it.
        "ready": LedPattern(((True, 1.0),)),
        # Even blink while the request is in flight (ticket printing, rating sending).
        "busy": LedPattern(((True, 0.25), (False, 0.25))),
        # Two quick flashes then a pause, repeated: printer or hub fault.
        "error": LedPattern(((True, 0.1), (False, 0.1), (True, 0.1), (False, 0.7))),
        # Three quick flashes after a rating, then back to steady "ready".
        "thank_you": LedPattern(((True, 0.15), (False, 0.15)), repeat=3, then=True),
        # Slow breathing-like blink inviting a rating after a ticket is served; on a
        # rating pad's reason step, the buttons showing the first page of reasons.
        "invite": LedPattern(((True, 1.0), (False, 1.0))),
        # A rating pad's reason step, pages 2 to 4: that many quick flashes, then a pause.
        **{
            f"page_{n}": LedPattern(
                ((True, 0.15), (False, 0.25)) * (n - 1) + ((True, 0.15), (False, 1.2))
            )
            for n in (2, 3, 4)
        },
    }
)


@runtime_checkable
class Indicator(Protocol):
    """One LED (e.g. inside a button) that shows a state."""

    @property
    def current(self) -> str:
        """``"on"``, ``"off"`` or the name of the pattern being shown."""
        ...

    def on(self) -> None:
        """Light steadily."""
        ...

    def off(self) -> None:
        """Turn off."""
        ...

    def blink(self, pattern: str | LedPattern) -> None:
        """Show a pattern: a name from :data:`PATTERNS` or a :class:`LedPattern`.

        Raises:
            ValueError: Unknown pattern name.
        """
        ...

    def close(self) -> None:
        """Turn off and release the pin. Idempotent."""
        ...


@runtime_checkable
class KeypadReader(Protocol):
    """A USB keypad or button box whose key presses become command strings."""

    @property
    def connected(self) -> bool:
        """True while a device is open and being read."""
        ...

    def start(self, on_command: Callable[[str], None]) -> None:
        """Start reading in the background; each key press that maps to a command
        calls ``on_command(command)`` on the reader thread (must only enqueue)."""
        ...

    def close(self) -> None:
        """Stop reading and release the device. Idempotent."""
        ...


@dataclass(frozen=True)
class DisplayHealth:
    """How an LED board has been answering."""

    consecutive_timeouts: int
    total_timeouts: int
    last_error: str | None


@runtime_checkable
class CounterDisplay(Protocol):
    """The LED number boards above the counters (one bus, one address per counter)."""

    def open(self) -> None:
        """Open the port. Raises DeviceUnavailable."""
        ...

    def show(self, counter_id: str, number: str) -> None:
        """Show ticket ``number`` (ASCII, e.g. ``"1023"``, ``"A012"``) on the
        board of ``counter_id``.

        Raises:
            ValueError: Unknown counter or a number the board cannot show.
            DeviceTimeout: The board did not acknowledge (caller retries).
            DeviceUnavailable: The port failed or the board rejected the frame.
        """
        ...

    def clear(self, counter_id: str) -> None:
        """Blank the board of ``counter_id``; raises as :meth:`show`."""
        ...

    def health(self) -> DisplayHealth:
        """Timeout counters since start; ``consecutive_timeouts`` resets on success."""
        ...

    def close(self) -> None:
        """Release the port. Idempotent."""
        ...


@runtime_checkable
class AudioOutput(Protocol):
    """A loudspeaker for the number announcements."""

    def open(self) -> None:
        """Check the player is there. Raises DeviceUnavailable."""
        ...

    def play(self, wav: bytes) -> None:
        """Play a complete WAV file; returns when it has been played.

        Raises:
            DeviceUnavailable: No player or no sound device.
            DeviceTimeout: Playing took longer than the adapter's timeout.
        """
        ...
