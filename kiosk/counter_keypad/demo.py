"""The counter keypad of ``motcua demo``: the real agent on a fake keypad and LED board.

With the ``keypad-demo-<last counter>`` device the demo hub registered, it
runs :class:`CounterKeypadAgent` with a :class:`~hardware.fakes.FakeKeypad` and a
:class:`~hardware.fakes.FakeCounterDisplay`, so the device heartbeats and
appears "online" on ``/admin/devices`` from the first minute. What its LED
board shows is logged.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from config.counter_keypad import DEFAULT_KEYMAP
from config.schema import Config
from hardware.fakes import FakeCounterDisplay, FakeKeypad
from kiosk.counter_keypad.loop import CounterKeypadAgent
from kiosk.kit.hub_client import HubClient
from kiosk.kit.runner import stop_when

__all__ = ["start"]

logger = logging.getLogger(__name__)


class _LoggedDisplay(FakeCounterDisplay):
    """A fake LED board that also logs what it shows (the demo has no board)."""

    def show(self, counter_id: str, number: str) -> None:
        super().show(counter_id, number)
        logger.info("demo LED board of counter %s shows %s", counter_id, number)

    def clear(self, counter_id: str) -> None:
        super().clear(counter_id)
        logger.info("demo LED board of counter %s is blank", counter_id)


def start(
    *,
    config: Config,
    hub_url: str,
    tokens: dict[str, str],
    data_dir: Path,
    stop: threading.Event,
    **_: Any,
) -> list[str]:
    """Start the demo keypad on the last counter; returns the lines ``motcua demo`` prints."""
    counter = config.counters[-1]
    name = f"keypad-demo-{counter.id}"
    agent = CounterKeypadAgent(
        HubClient(hub_url, tokens[name]),
        counter.id,
        FakeKeypad(DEFAULT_KEYMAP),
        _LoggedDisplay([counter.id]),
        heartbeat_s=30,
    )
    agent.start()
    stop_when(stop, "keypad-demo-stop", agent.stop)
    return [f"  Bàn phím quầy (giả lập)        {name} → {counter.name}"]
