"""Rollups kept with every rating: daily and monthly rows and the per-dimension cube,
so a province's years of ratings fold in milliseconds; and re-flagging a rating,
which moves it to the rollups' ``flagged`` side."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from config.schema import Config
from hub.ratings import flags as fl
from hub.satisfaction.listeners import RatingListener
from hub.store.tables import rating_cube, rating_rollups, rating_rollups_monthly, ratings


def reflag(
    conn: Connection,
    rows: Sequence[Any],
    flag: str,
    config: Config,
    listeners: Sequence[RatingListener] = (),
) -> int:
    """Add ``flag`` to ratings, moving newly flagged ones to the rollups' flagged side.

    Returns how many ratings changed.
    """
    changed = 0
    for row in rows:
        new = fl.merge_flags(row.flags, [flag])
        if new == list(row.flags or []):
            continue
        conn.execute(update(ratings).where(ratings.c.id == row.id).values(flags=new, flagged=True))
        if not row.flagged:
            dims = {
                "site_id": row.site_id,
                "day": row.day,
                "counter_id": row.counter_id,
                "staff_id": row.staff_id,
                "service_id": row.service_id,
                "level": row.level,
                "score": row.score,
            }
            rollup_add(conn, **dims, flagged=False, n=-1)
            rollup_add(conn, **dims, flagged=True, n=1)
        for listener in listeners:
            listener.rating_flagged(conn, config, row, new)
        changed += 1
    return changed


def month_of(day: date) -> date:
    """The first day of ``day``'s month (the monthly rollup's key)."""
    return day.replace(day=1)


def rollup_add(
    conn: Connection,
    *,
    site_id: str,
    day: Any,
    counter_id: str | None,
    staff_id: int | None,
    service_id: str | None,
    level: str,
    score: float,
    flagged: bool,
    n: int = 1,
) -> None:
    """Add ``n`` ratings (negative to remove) to the daily and monthly rollup rows."""
    rollup_add_many(
        conn, [(site_id, day, counter_id, staff_id, service_id, level, flagged, n, score * n)]
    )


RollupDelta = tuple[str, date, str | None, int | None, str | None, str, bool, int, float]


def rollup_add_many(conn: Connection, deltas: Sequence[RollupDelta]) -> None:
    """Add many ``(site, day, counter, staff, service, level, flagged, n, score_sum)``.

    Deltas with the same key are summed first, so a batch costs one upsert per
    distinct key and table.
    """
    daily: dict[tuple[Any, ...], list[float]] = {}
    monthly: dict[tuple[Any, ...], list[float]] = {}
    cube: dict[tuple[Any, ...], list[float]] = {}
    for site_id, day, counter_id, staff_id, service_id, level, flagged, n, s in deltas:
        rest = (counter_id or "", staff_id or 0, service_id or "", level, bool(flagged))
        month = month_of(day)
        keys = [(daily, (site_id, day, *rest)), (monthly, (site_id, month, *rest))]
        for dim, key in (
            ("counter", counter_id or ""),
            ("staff", str(staff_id) if staff_id else ""),
            ("service", service_id or ""),
            ("site", site_id),
        ):
            keys.append((cube, (dim, month, site_id, key, level, bool(flagged))))
        for table, key in keys:
            acc = table.setdefault(key, [0, 0.0])
            acc[0] += n
            acc[1] += s
    _upsert(conn, rating_rollups, DAILY_KEY, daily)
    _upsert(conn, rating_rollups_monthly, MONTHLY_KEY, monthly)
    _upsert(conn, rating_cube, CUBE_KEY, cube)


DAILY_KEY = ("site_id", "day", "counter_id", "staff_id", "service_id", "level", "flagged")
MONTHLY_KEY = ("site_id", "month", "counter_id", "staff_id", "service_id", "level", "flagged")
CUBE_KEY = ("dim", "month", "site_id", "key", "level", "flagged")


def _upsert(
    conn: Connection, table: Any, names: tuple[str, ...], sums: dict[tuple[Any, ...], list[float]]
) -> None:
    if not sums:
        return
    upsert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    rows = [
        {**dict(zip(names, key, strict=True)), "n": int(n), "score_sum": s}
        for key, (n, s) in sums.items()
    ]
    stmt = upsert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(names),
        set_={
            "n": table.c.n + stmt.excluded.n,
            "score_sum": table.c.score_sum + stmt.excluded.score_sum,
        },
    )
    conn.execute(stmt, rows)
