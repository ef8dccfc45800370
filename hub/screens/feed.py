"""The hub as the screen service sees it (:class:`display.feed.ScreenFeed`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from config.schema import Config
from config.wire import DeviceKind
from hub.context import Hub
from hub.screens.acks import record_ack


class HubScreenFeed:
    """Calls and counters from the hub's views; acknowledgements into its database."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    @property
    def config(self) -> Config:
        return self.hub.config

    def now(self) -> datetime:
        return self.hub.clock()

    def snapshot(self, *, recent: int = 10) -> dict[str, Any]:
        return self.hub.views.snapshot(recent=recent)

    def calls_after(self, seq: int, *, limit: int = 200) -> list[dict[str, Any]]:
        return self.hub.views.calls_after(seq, limit=limit)

    def screen_device(self, token: str) -> str | None:
        actor = self.hub.tokens.resolve(token)
        if actor is None or actor.kind != "device" or actor.role != DeviceKind.DISPLAY:
            return None
        return actor.name

    def record_ack(self, data: dict[str, Any]) -> dict[str, Any]:
        return record_ack(self.hub.engine, self.hub.clock(), data)
