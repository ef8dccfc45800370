"""The rating pad's settings: the devices ``[rating_pad]`` (:mod:`config.rating_pad`)
names, opened, with a hub client per counter and the outbox.

The section itself is read through the one loader (``load_section(path,
"rating_pad")``, as :mod:`kiosk.rating_pad.cli` does).
"""

from __future__ import annotations

from typing import Any

from config.rating_pad import PadCounter, RatingPadSettings
from config.tokens import read_token
from hardware.buttons import GpioButtons, GpioIndicator
from hardware.keypad import EvdevKeypad
from hardware.ports import ButtonPanel, Indicator
from kiosk.kit.hub_client import HubClient
from kiosk.kit.outbox import Outbox
from kiosk.rating_pad.devices import CounterPad, KeypadPanel
from kiosk.rating_pad.loop import RatingPad

__all__ = ["build_pad"]


def build_pad(
    settings: RatingPadSettings, *, pin_factory: Any = None, connect_sockets: bool = True
) -> RatingPad:
    """Open the configured hardware and the outbox; the agent is not started yet.

    Args:
        settings: The validated section.
        pin_factory: A gpiozero pin factory (tests pass ``MockFactory``), else the default.
        connect_sockets: Listen on ``/devices`` (see :class:`RatingPad`).

    Raises:
        HardwareError: a pin or keypad cannot be opened.
        ValueError: a token file cannot be read, or a bad pin/key name.
    """
    pads = [_counter_pad(settings, c, pin_factory) for c in settings.counters]
    outbox = Outbox(settings.outbox, settings.device_name, max_backoff_s=settings.retry_max_s)
    return RatingPad(settings, pads, outbox, connect_sockets=connect_sockets)


def _counter_pad(settings: RatingPadSettings, counter: PadCounter, pin_factory: Any) -> CounterPad:
    token = read_token(counter.token, counter.token_file)
    client = HubClient(settings.hub_url, token, ca_file=settings.ca_file)
    panel: ButtonPanel
    if counter.buttons:
        panel = GpioButtons(
            counter.buttons,
            pull_up=settings.pull_up,
            debounce_ms=settings.debounce_ms,
            pin_factory=pin_factory,
        )
    elif counter.keypad is not None:
        keypad = counter.keypad
        reader = EvdevKeypad(keypad.keymap, name=keypad.name, path=keypad.path)
        panel = KeypadPanel(reader, tuple(settings.levels))
    else:  # pragma: no cover - the section's validator requires one of the two
        raise ValueError(f"counter {counter.counter}: give `buttons` or a `keypad`")
    leds: dict[str, Indicator] = {
        name: GpioIndicator(pin, pin_factory=pin_factory) for name, pin in counter.leds.items()
    }
    return CounterPad(counter.counter, client, panel, leds)
