"""Who else must know when a rating is stored or flagged, in the same transaction.

The hub composes its listeners (the upstream forwarder, the streak alert) when it
builds the rating service, so this package never imports them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from config.schema import Config


class RatingListener(Protocol):
    """Called inside the transaction that changes a rating."""

    def rating_stored(self, conn: Connection, config: Config, row: Any, now: datetime) -> None:
        """A new rating (``row`` is its ``ratings`` row)."""

    def rating_flagged(self, conn: Connection, config: Config, row: Any, flags: list[str]) -> None:
        """A rating now carries ``flags`` (its row as it was before)."""
