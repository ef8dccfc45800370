"""The hub's durable outbox: what must leave the hub (ratings for an upstream hub,
alert webhooks, rated dossiers for the ``[export]`` webhook) is written in the
transaction that made it, and deleted only once its receiver has answered for it,
so a crash or a dead link loses nothing.

Rows carry a ``topic`` (who sends them) and a unique ``key`` (a resend is harmless);
a failed row waits with an exponential back-off.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hub.clock import Clock
from hub.store.db import read, write
from hub.store.tables import outbox

UPSTREAM = "upstream"
WEBHOOK = "webhook"
EXPORT = "export"
MAX_BACKOFF_S = 300.0


def enqueue(conn: Connection, topic: str, key: str, payload: dict[str, Any], now: datetime) -> None:
    """Queue ``payload`` under ``key`` in the caller's transaction (a known key is kept)."""
    upsert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(
        upsert(outbox)
        .values(topic=topic, key=key, payload=payload, created_at=now, attempts=0, next_try_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )


class Outbox:
    """Reading and settling the outbox's rows.

    Attributes:
        wake: set after a commit that queued something, so the sender goes at once.
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self.wake = threading.Event()

    def pending(self, topic: str = UPSTREAM) -> int:
        """How many rows of ``topic`` wait."""
        with read(self.engine) as conn:
            query = select(func.count()).where(outbox.c.topic == topic)
            return int(conn.execute(query).scalar_one())

    def due(self, topic: str, limit: int) -> list[Any]:
        """Rows of ``topic`` whose back-off has passed, oldest first."""
        now = self.clock()
        with read(self.engine) as conn:
            return list(
                conn.execute(
                    select(outbox)
                    .where(
                        outbox.c.topic == topic,
                        (outbox.c.next_try_at <= now) | outbox.c.next_try_at.is_(None),
                    )
                    .order_by(outbox.c.id)
                    .limit(limit)
                )
            )

    def failed(self, rows: list[Any], error: str) -> None:
        """Put ``rows`` back with a longer wait and the error seen."""
        now = self.clock()
        with write(self.engine) as conn:
            for row in rows:
                wait = min(MAX_BACKOFF_S, 2.0 ** min(row.attempts, 10))
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id == row.id)
                    .values(
                        attempts=row.attempts + 1,
                        next_try_at=now + timedelta(seconds=wait),
                        last_error=error[:500],
                    )
                )

    def done(self, ids: list[int]) -> None:
        """Delete delivered rows."""
        if ids:
            with write(self.engine) as conn:
                conn.execute(delete(outbox).where(outbox.c.id.in_(ids)))
