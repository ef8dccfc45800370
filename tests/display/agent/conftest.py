"""Fixtures of the display agent tests (helpers in ``rig``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from config.display_agent import DisplayAgentSettings
from config.paths import EXAMPLES
from config.schema import Config, load_config
from display.agent.devices import BoardLine
from display.agent.loop import DisplayAgent
from display.agent.settings import make_board
from kiosk.kit.hub_client import HubClient
from tests.display.agent.rig import OffsetClock, PtyLine
from tests.support.zones import zone_at_noon


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


@pytest.fixture
def clock() -> OffsetClock:
    """Real time: the agent judges a missed call's age by the hub's Date header."""
    return OffsetClock()


@pytest.fixture
def demo_config() -> Config:
    """The demo site in a zone where it is now noon: a call made five minutes ago by the
    offset clock is on the same business day as one made now, whenever the test runs."""
    config = load_config(EXAMPLES / "demo.toml")
    return replace(config, site=replace(config.site, timezone=zone_at_noon()))


@pytest.fixture
def pty_lines() -> Iterator[Callable[..., PtyLine]]:
    made: list[PtyLine] = []

    def make(framing: str, *, answer: bool = True) -> PtyLine:
        line = PtyLine(framing, answer=answer)
        made.append(line)
        return line

    yield make
    for line in made:
        line.close()


@pytest.fixture
def agents() -> Iterator[Callable[..., DisplayAgent]]:
    """Start agents (serial lines from ``boards`` settings, or given lines); stop them after."""
    started: list[DisplayAgent] = []

    def start(
        settings: DisplayAgentSettings, audio: Any, lines: list[BoardLine] | None = None
    ) -> DisplayAgent:
        if lines is None:
            lines = [
                BoardLine(b.key, make_board(b), tuple(b.address_map), settings.retry_s)
                for b in settings.boards
            ]
        hub = HubClient(settings.hub_url, str(settings.token), timeout_s=2.0)
        agent = DisplayAgent(settings, lines, audio, hub)
        agent.start()
        started.append(agent)
        return agent

    yield start
    for agent in started:
        agent.stop()
