"""What a centre's hub forwards to its district or province hub: each rating (and each
re-flagging of it) and each closed day's queue figures, queued in the hub's outbox
(:mod:`hub.outbox`) in the transaction that made them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from config.schema import Config
from hub.outbox import UPSTREAM, enqueue
from hub.stats.daily import DayFigures
from hub.store.tables import ratings, users


class Forwarder:
    """The rating listener that queues ratings for the upstream (no-op without one)."""

    def rating_stored(self, conn: Connection, config: Config, row: Any, now: datetime) -> None:
        enqueue_rating(conn, config, row.id)

    def rating_flagged(self, conn: Connection, config: Config, row: Any, flags: list[str]) -> None:
        enqueue_rating(conn, config, row.id, version=",".join(flags))


def enqueue_rating(
    conn: Connection, config: Config, rating_id: int, version: str | None = None
) -> None:
    """Queue one rating for the upstream (no-op without ``[upstream]``)."""
    if config.upstream is None:
        return
    row = conn.execute(select(ratings).where(ratings.c.id == rating_id)).one()
    counter = config.counter(row.counter_id or "")
    service = config.service(row.service_id or "")
    staff = None
    if row.staff_id:
        person = conn.execute(
            select(users.c.username, users.c.display_name).where(users.c.id == row.staff_id)
        ).first()
        staff = (person.display_name or person.username) if person else None
    payload = {
        "kind": "rating",
        "key": (
            row.key
            if row.site_id != config.site.id and row.key
            else f"{row.site_id}:rating:{row.id:010d}"
        ),
        "site": row.site_id,
        "site_name": config.site.name,
        "level": row.level,
        "score": row.score,
        "positive": row.positive,
        "at": row.at.isoformat(),
        "day": row.day.isoformat(),
        "counter": row.counter_id,
        "counter_name": counter.name if counter else None,
        "staff_name": staff,
        "service": row.service_id,
        "service_name": service.name if service else None,
        "ticket": row.ticket_id,
        "reasons": list(row.reasons or []),
        "flags": list(row.flags or []),
        "channel": row.channel,
    }
    suffix = f":{version}" if version else ""
    enqueue(conn, UPSTREAM, f"{UPSTREAM}:rating:{rating_id}{suffix}", payload, row.received_at)


def enqueue_queue_day(
    conn: Connection,
    config: Config,
    day: date,
    figures: DayFigures,
    now: datetime,
) -> None:
    """Queue one closed day's queue figures for the upstream."""
    settings = config.upstream
    if settings is None or not settings.forward_queue:
        return
    payload = {
        "kind": "queue_day",
        "key": f"{config.site.id}:q:{day.isoformat()}:{int(now.timestamp())}",
        "site": config.site.id,
        "site_name": config.site.name,
        "day": day.isoformat(),
        "counter_names": {c.id: c.name for c in config.counters},
        "service_names": {s.id: s.name for s in config.services},
        "rows": [
            {
                "counter": counter_id,
                "staff": staff_id,
                "service": service_id,
                **{k: (float(v) if k.endswith("_sum") else int(v)) for k, v in a.items()},
            }
            for (counter_id, staff_id, service_id), a in figures.items()
        ],
    }
    key = f"{UPSTREAM}:queue:{day.isoformat()}:{int(now.timestamp())}"
    enqueue(conn, UPSTREAM, key, payload, now)
