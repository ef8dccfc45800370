"""What the rating pad drives for one counter: its buttons (or keypad keys) and LEDs.

:class:`CounterPad` holds one counter's devices, its hub client and what the
loop (:class:`kiosk.rating_pad.loop.RatingPad`) knows of it; only the loop
thread changes it. :class:`KeypadPanel` lets keys of a USB keypad stand for
buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hardware.ports import ButtonPanel, Indicator, KeypadReader
from kiosk.kit.hub_client import HubClient

__all__ = ["CounterPad", "KeypadPanel"]


class KeypadPanel:
    """A :class:`~hardware.ports.ButtonPanel` over a keypad reader (commands = level ids).

    Args:
        reader: The keypad, whose commands are the rating levels.
        names: The levels, as the panel's button names.
    """

    def __init__(self, reader: KeypadReader, names: tuple[str, ...]) -> None:
        self.reader = reader
        self._names = names

    @property
    def names(self) -> tuple[str, ...]:
        """The button names: the rating levels."""
        return self._names

    def set_callback(
        self, on_press: Callable[[str], None], on_hold: Callable[[str], None] | None = None
    ) -> None:
        """Call ``on_press(level)`` for each key (a keypad has no hold)."""
        self.reader.start(on_press)

    def close(self) -> None:
        """Stop reading the keypad."""
        self.reader.close()


@dataclass
class CounterPad:
    """What the agent drives for one counter, and what it knows of it."""

    counter: str
    client: HubClient
    panel: ButtonPanel
    leds: dict[str, Indicator]
    window_until: float = 0.0
    reason_key: str | None = None
    reason_until: float = 0.0
    reason_map: dict[str, str] = field(default_factory=dict)
    """The reason step's current page: button → reason id."""
    reason_pages: list[dict[str, str]] = field(default_factory=list)
    reason_page: int = 0
    reason_turn: str = ""
    """The button that turns the page (the negative one just pressed)."""
    reason_deadline: float = 0.0
    """The reason step ends by then however many pages are turned."""
    thanks_until: float = 0.0
    shown: dict[str, str] = field(default_factory=dict)
