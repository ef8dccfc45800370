"""``motcua demo``'s display agent: fake LED boards and a loudspeaker that writes WAVs.

It runs the real :class:`display.agent.loop.DisplayAgent` against the demo hub, with a
:class:`~hardware.fakes.FakeCounterDisplay` for every counter and a
:class:`~hardware.fakes.FakeAudioOutput` that keeps each announcement it says in
``<data_dir>/audio-out/announce-0001.wav``, … (listen to them with ``aplay``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from config.display_agent import DisplayAgentSettings
from config.schema import Config
from display.agent.devices import BoardLine
from display.agent.loop import DisplayAgent
from hardware.fakes import FakeAudioOutput, FakeCounterDisplay
from kiosk.kit.hub_client import HubClient
from kiosk.kit.runner import stop_when

__all__ = ["DEVICE_NAME", "start"]

#: The demo agent's device (its heartbeat shows under this name in the admin pages).
DEVICE_NAME = "display-agent-demo"


def start(
    *,
    config: Config,
    hub_url: str,
    tokens: dict[str, str],
    data_dir: Path,
    stop: threading.Event,
    **_: Any,
) -> list[str]:
    """Start the demo display agent; it stops when ``stop`` is set.

    Args:
        config: The demo centre's configuration (for its counters).
        hub_url: Where the demo hub will listen (the agent retries until it does).
        tokens: The demo's device tokens; the agent uses ``DEVICE_NAME``'s.
        data_dir: The demo's data folder; announcements go to ``audio-out/`` in it.
        stop: Set when the demo ends.

    Returns:
        Lines for the demo's banner.
    """
    token = tokens[DEVICE_NAME]
    counters = tuple(c.id for c in config.counters)
    out_dir = Path(data_dir) / "audio-out"
    settings = DisplayAgentSettings(
        hub_url=hub_url.replace("://0.0.0.0:", "://127.0.0.1:"),
        token=token,
        screen="demo-agent",
        audio="fake",
        retry_s=3.0,
        heartbeat_s=15.0,
    )
    boards = BoardLine("fake", FakeCounterDisplay(counters), counters, settings.retry_s)
    agent = DisplayAgent(
        settings, [boards], FakeAudioOutput(out_dir), HubClient(settings.hub_url, token)
    )
    agent.start()
    stop_when(stop, "display-agent-demo-stop", agent.stop)
    return [f"  Loa giả của display agent (WAV)  {out_dir}"]
