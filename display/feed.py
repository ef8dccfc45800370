"""What the screen service needs from whoever serves it (the hub), as an interface.

The display package never imports the hub: the hub hands :func:`display.web.register`
and :class:`display.namespace.DisplayNamespace` an object of this shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from config.schema import Config

MAX_SEQ = 2**53
"""Every call's ``seq`` is below this (JavaScript's safe integers): a larger one a
client sends names no call, and is never put to the database (whose integers end)."""


class ScreenFeed(Protocol):
    """The calls and counters a hall screen shows, and where its acknowledgements go."""

    @property
    def config(self) -> Config:
        """The configuration in force (site, counters, screens, voice)."""

    def now(self) -> datetime:
        """The server's time (aware UTC)."""

    def snapshot(self, *, recent: int = 10) -> dict[str, Any]:
        """The ``snapshot`` event: counters, recent calls, waiting counts, ``last_seq``."""

    def calls_after(self, seq: int, *, limit: int = 200) -> list[dict[str, Any]]:
        """Calls with a greater ``seq``, oldest first (a screen catching up)."""

    def screen_device(self, token: str) -> str | None:
        """The name of the registered ``display`` device ``token`` belongs to, or None
        (no token, an unknown, revoked or re-keyed one, or another kind's)."""

    def record_ack(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record ``{seq, kind, screen}`` once; ``{"ok": true}`` or an error body."""
