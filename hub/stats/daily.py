"""Closing a day: its queue figures summed into ``queue_daily`` (and the served cube),
once none of its tickets can change any more. Forwarded figures of other sites are
stored the same way (:func:`store_queue_day`)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from config.schema import Config
from hub.queue import TicketStatus, site_day
from hub.stats.columns import FIGURES, STATUS_FIGURE
from hub.store.db import read, write
from hub.store.tables import queue_daily, queue_days, served_cube, tickets

logger = logging.getLogger(__name__)

OPEN_STATUSES = (TicketStatus.WAITING.value, TicketStatus.CALLED.value)
DayFigures = dict[tuple[str, int, str], dict[str, float]]
"""A day's figures by ``(counter, staff, service)``."""
OnRolled = Callable[[Connection, Config, date, DayFigures, datetime], None]
"""Called in the transaction that closes a day (e.g. to forward it upstream)."""


def roll_queue_days(
    engine: Engine,
    config: Config,
    now: datetime,
    *,
    limit: int = 60,
    on_rolled: OnRolled | None = None,
) -> int:
    """Store the queue figures of closed days in ``queue_daily``; returns days rolled.

    A day is closed when it is at least two days old and none of the tickets
    issued on it still waits or is being served, so its figures cannot change.
    """
    site_id = config.site.id
    cutoff = site_day(now, config.site.timezone) - timedelta(days=1)
    with read(engine, scan=True) as conn:
        done = select(queue_days.c.day).where(queue_days.c.site_id == site_id)
        candidates = sorted(
            {
                r[0]
                for col in (tickets.c.day, tickets.c.completed_day)
                for r in conn.execute(
                    select(col).distinct().where(col < cutoff, col.is_not(None), col.not_in(done))
                )
            }
        )
        still_open = {
            r[0]
            for r in conn.execute(
                select(tickets.c.day).distinct().where(tickets.c.status.in_(OPEN_STATUSES))
            )
        }
    rolled = 0
    for day in candidates:
        if day in still_open or rolled >= limit:
            continue
        with write(engine) as conn:
            figures = _roll_day(conn, config, day, now)
            if on_rolled is not None:
                on_rolled(conn, config, day, figures, now)
        rolled += 1
    if rolled:
        logger.info("rolled the queue figures of %d closed day(s)", rolled)
    return rolled


def _roll_day(conn: Connection, config: Config, day: date, now: datetime) -> DayFigures:
    site_id = config.site.id
    t = tickets
    dims = (t.c.counter_id, t.c.staff_id, t.c.service_id)
    acc: dict[tuple[str, int, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in conn.execute(
        select(
            *dims,
            t.c.status,
            func.count().label("n"),
            func.sum(t.c.wait_s).label("wait_sum"),
            func.count(t.c.wait_s).label("wait_n"),
            func.sum(t.c.service_s).label("service_sum"),
            func.count(t.c.service_s).label("service_n"),
        )
        .where(t.c.day == day, t.c.site_id == site_id)
        .group_by(*dims, t.c.status)
    ):
        a = acc[(row.counter_id or "", row.staff_id or 0, row.service_id or "")]
        a["issued"] += row.n
        a[STATUS_FIGURE.get(row.status, row.status)] += row.n
        for c in ("wait_sum", "wait_n", "service_sum", "service_n"):
            a[c] += float(getattr(row, c) or 0)
    for row in conn.execute(
        select(*dims, func.count().label("n"))
        .where(
            t.c.completed_day == day,
            t.c.status == TicketStatus.DONE.value,
            t.c.site_id == site_id,
        )
        .group_by(*dims)
    ):
        acc[(row.counter_id or "", row.staff_id or 0, row.service_id or "")]["served"] += row.n
    store_queue_day(conn, site_id, day, acc, now, source="local")
    return acc


def store_queue_day(
    conn: Connection,
    site_id: str,
    day: date,
    figures: DayFigures,
    now: datetime,
    *,
    source: str,
) -> None:
    """Replace one site's figures of one day (idempotent) and mark the day rolled."""
    q = queue_daily
    old = _served_by_dim(
        conn.execute(
            select(q.c.counter_id, q.c.staff_id, q.c.service_id, q.c.served).where(
                q.c.site_id == site_id, q.c.day == day
            )
        ),
        site_id,
    )
    new = _served_by_dim(
        ((c, st, sv, a.get("served", 0)) for (c, st, sv), a in figures.items()), site_id
    )
    _add_served(conn, site_id, day, {k: new.get(k, 0) - old.get(k, 0) for k in {*old, *new}})
    conn.execute(delete(q).where(q.c.site_id == site_id, q.c.day == day))
    conn.execute(delete(queue_days).where(queue_days.c.site_id == site_id, queue_days.c.day == day))
    rows = [
        {
            "site_id": site_id,
            "day": day,
            "counter_id": counter_id,
            "staff_id": staff_id,
            "service_id": service_id,
            **{c: _figure(a, c) for c in FIGURES},
        }
        for (counter_id, staff_id, service_id), a in figures.items()
    ]
    if rows:
        conn.execute(insert(queue_daily), rows)
    conn.execute(insert(queue_days).values(site_id=site_id, day=day, rolled_at=now, source=source))


def _add_served(
    conn: Connection, site_id: str, day: date, deltas: dict[tuple[str, str], int]
) -> None:
    rows = [
        {"dim": dim, "month": day.replace(day=1), "site_id": site_id, "key": key, "served": n}
        for (dim, key), n in deltas.items()
        if n
    ]
    if not rows:
        return
    upsert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = upsert(served_cube)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["dim", "month", "site_id", "key"],
            set_={"served": served_cube.c.served + stmt.excluded.served},
        ),
        rows,
    )


def _served_by_dim(rows: Any, site_id: str) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = defaultdict(int)
    for counter_id, staff_id, service_id, served in rows:
        for dim, key in (
            ("counter", counter_id or ""),
            ("staff", str(staff_id) if staff_id else ""),
            ("service", service_id or ""),
            ("site", site_id),
        ):
            out[(dim, key)] += int(served or 0)
    return out


def _figure(a: dict[str, float], name: str) -> float | int:
    value = a.get(name, 0)
    return float(value) if name.endswith("_sum") else int(value)
