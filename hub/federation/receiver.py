"""Receiving what the centres' hubs forward: ratings (idempotent by key) and closed
days' queue figures, stored under each origin's ``site_id`` so statistics group by site."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from config.schema import Config
from hub.ratings import flags as fl
from hub.satisfaction import RatingListener, reflag, rollup_add_many
from hub.stats import store_queue_day
from hub.store.db import write
from hub.store.tables import ratings, sites


def receive(
    engine: Engine,
    config: Config,
    forwarded: list[Any],
    queue_days: list[Any],
    now: datetime,
    listeners: Sequence[RatingListener] = (),
) -> list[dict[str, Any]]:
    """Store what a downstream hub forwarded; one result per item, in order.

    Ratings are idempotent by key among forwarded ones (a resend with more flags adds
    the flags); a ticket holds one rating, so another key for a rated ticket is
    rejected ``already_rated``; a day's queue figures replace that site's earlier
    figures of the day.
    """
    levels = {lv.id for lv in config.ratings.levels}
    results: list[dict[str, Any]] = []
    with write(engine) as conn:
        keys = [item.key for item in forwarded]
        # Forwarded ratings have no device: a pad's rating of the same key is another.
        forwarded_with = select(ratings).where(
            ratings.c.device_id.is_(None), ratings.c.key.in_(keys)
        )
        existing = {row.key: row for row in conn.execute(forwarded_with)} if keys else {}
        rated = _rated_tickets(conn, {item.ticket for item in forwarded if item.ticket})
        # A rating and a later flag of it may travel in the same batch: merge them.
        batch_flags: dict[str, set[str]] = defaultdict(set)
        for item in forwarded:
            batch_flags[item.key].update(item.flags)
        new_rows: list[dict[str, Any]] = []
        created: set[str] = set()
        deltas = []
        for item in forwarded:
            if item.site == config.site.id:
                results.append({"key": item.key, "status": "rejected", "code": "own_site"})
                continue
            if item.level not in levels:
                results.append({"key": item.key, "status": "rejected", "code": "unknown_level"})
                continue
            if item.key in created:
                results.append({"key": item.key, "status": "duplicate"})
                continue
            old = existing.get(item.key)
            if old is not None:
                for flag in sorted(batch_flags[item.key] - set(old.flags or [])):
                    reflag(
                        conn,
                        [conn.execute(select(ratings).where(ratings.c.id == old.id)).one()],
                        flag,
                        config,
                        listeners,
                    )
                results.append({"key": item.key, "status": "duplicate"})
                continue
            if item.ticket in rated:
                results.append({"key": item.key, "status": "rejected", "code": "already_rated"})
                continue
            if item.ticket:
                rated.add(item.ticket)
            found = fl.merge_flags(None, batch_flags[item.key])
            new_rows.append(
                {
                    "key": item.key,
                    "site_id": item.site,
                    "ticket_id": item.ticket,
                    "counter_id": item.counter,
                    "staff_id": None,
                    "service_id": item.service,
                    "level": item.level,
                    "score": item.score,
                    "positive": item.positive,
                    "reasons": list(item.reasons) or None,
                    "at": item.at,
                    "day": item.day,
                    "received_at": now,
                    "channel": item.channel,
                    "device_id": None,
                    "flags": found or None,
                    "flagged": bool(found),
                }
            )
            created.add(item.key)
            deltas.append(
                (
                    item.site,
                    item.day,
                    item.counter,
                    None,
                    item.service,
                    item.level,
                    bool(found),
                    1,
                    item.score,
                )
            )
            results.append({"key": item.key, "status": "created"})
        if new_rows:
            _bulk_insert(conn, new_rows)
            rollup_add_many(conn, deltas)
        for day in queue_days:
            figures = {
                (r.counter, r.staff, r.service): r.model_dump(
                    exclude={"counter", "staff", "service"}
                )
                for r in day.rows
            }
            store_queue_day(conn, day.site, day.day, figures, now, source="upstream")
            results.append({"key": day.key, "status": "created"})
        _remember_sites(conn, forwarded, queue_days, now)
    return results


def _rated_tickets(conn: Connection, ticket_ids: set[str]) -> set[str]:
    """Those of ``ticket_ids`` that already hold a rating."""
    if not ticket_ids:
        return set()
    found = conn.execute(select(ratings.c.ticket_id).where(ratings.c.ticket_id.in_(ticket_ids)))
    return set(found.scalars())


def _bulk_insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert ratings in bulk: ``COPY`` on PostgreSQL (one round trip instead of one per
    row, in the same transaction), ``executemany`` on SQLite (in-process, already fast)."""
    if conn.dialect.name != "postgresql":
        conn.execute(insert(ratings), rows)
        return
    cols = list(rows[0])
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY ratings ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(v) if c in ("reasons", "flags") and v is not None else v
                    for c, v in row.items()
                ]  # fmt: skip
            )


def _remember_sites(
    conn: Connection, forwarded: list[Any], queue_days: list[Any], now: datetime
) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for item in forwarded:
        info = seen.setdefault(item.site, {"name": item.site_name, "counters": {}, "services": {}})
        if item.counter and item.counter_name:
            info["counters"][item.counter] = item.counter_name
        if item.service and item.service_name:
            info["services"][item.service] = item.service_name
    for day in queue_days:
        info = seen.setdefault(day.site, {"name": day.site_name, "counters": {}, "services": {}})
        info["counters"].update(day.counter_names)
        info["services"].update(day.service_names)
    for site_id, info in seen.items():
        row = conn.execute(select(sites).where(sites.c.id == site_id)).first()
        if row is None:
            labels = {"counters": info["counters"], "services": info["services"]}
            conn.execute(
                insert(sites).values(
                    id=site_id,
                    name=info["name"] or site_id,
                    labels=labels,
                    first_seen_at=now,
                    last_received_at=now,
                )
            )
            continue
        labels = dict(row.labels or {})
        for part in ("counters", "services"):
            labels[part] = {**(labels.get(part) or {}), **info[part]}
        conn.execute(
            update(sites)
            .where(sites.c.id == site_id)
            .values(name=info["name"] or row.name, labels=labels, last_received_at=now)
        )
