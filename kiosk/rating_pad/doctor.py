"""``motcua doctor``'s checks of a rating pad (the entry ``rating_pad`` of ``motcua.doctor``).

``[rating_pad]`` through the one loader, as :mod:`kiosk.rating_pad.cli` reads it;
then the hub and each counter's token (bound to that counter), the outbox's place,
and each counter's buttons and LEDs (claimed with the section's ``pull_up`` and
``debounce_ms``, as :func:`~kiosk.rating_pad.settings.build_pad` does) or keypad.
"""

from __future__ import annotations

import os
from pathlib import Path

from config import rating_pad
from config.base import PinId
from config.doctor import Check, failed, passed
from config.loader import load_section
from config.rating_pad import PadCounter, PadKeypad, RatingPadSettings
from config.wire import DeviceKind
from hardware.keypad import EvdevKeypad
from kiosk.kit.device_doctor import gpio_checks, keypad_check
from kiosk.kit.doctor import DeviceToken, agent_checks

__all__ = ["checks", "outbox_check"]

AGENT = "rating-pad"


def checks(path: Path) -> list[Check]:
    """The rating pad's lines for the configuration file ``path``.

    Raises:
        ConfigError: ``[rating_pad]`` is missing or invalid.
    """
    settings: RatingPadSettings = load_section(
        path, "rating_pad", RatingPadSettings, rating_pad.PATHS
    )
    tokens = [
        DeviceToken(
            c.token,
            c.token_file,
            DeviceKind.RATING_PAD,
            counter=c.counter,
            bound=True,
            label=f"counter {c.counter}'s token",
        )
        for c in settings.counters
    ]
    lines = agent_checks(AGENT, settings, tokens)
    lines.append(outbox_check(Path(settings.outbox)))
    for counter in settings.counters:
        lines += _counter_devices(settings, counter)
    return lines


def _counter_devices(settings: RatingPadSettings, counter: PadCounter) -> list[Check]:
    if counter.buttons:
        buttons: dict[str, PinId] = {
            f"counter {counter.counter}'s {level} button": pin
            for level, pin in counter.buttons.items()
        }
        leds: dict[str, PinId] = {
            f"counter {counter.counter}'s {level} LED": pin for level, pin in counter.leds.items()
        }
        return gpio_checks(
            buttons, leds, pull_up=settings.pull_up, debounce_ms=settings.debounce_ms, agent=AGENT
        )
    keypad = counter.keypad
    if keypad is None:  # pragma: no cover - the section's validator requires one of the two
        return []
    return keypad_check(
        f"counter {counter.counter}'s keypad",
        lambda: _reader(keypad),
        name=keypad.name,
        path=keypad.path,
        agent=AGENT,
    )


def _reader(keypad: PadKeypad) -> EvdevKeypad:
    """The reader the pad builds for a counter's keypad."""
    return EvdevKeypad(keypad.keymap, name=keypad.name, path=keypad.path)


def outbox_check(outbox: Path) -> Check:
    """✓ when the pad can write its outbox (the file, or the folder it would be made in)."""
    where = outbox if outbox.exists() else outbox.parent
    while not where.exists() and where != where.parent:
        where = where.parent  # the pad makes the missing folders
    if os.access(where, os.W_OK):
        return passed(f"outbox {outbox} can be written")
    return failed(
        f"outbox {outbox} cannot be written ({where} is not writable)",
        f"give it to the pad's user: sudo chown -R motcua:motcua {where} "
        "(every press waits there until the hub has it)",
    )
