"""What the dashboard shows, as JSON-ready dicts.

Codes get their words from :mod:`hub.dashboard.labels` in the request's language
(Flask-Babel); the rating levels' words come from the configuration (``label``,
``label_en``).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, cast, func, select

from config.hub import Hours, Level, Site
from hub.alerts import recent_alerts
from hub.booking.limits import remote_tickets
from hub.dashboard.labels import (
    DEVICE_KIND_LABELS,
    FLAG_LABELS,
    REFUSAL_LABELS,
    RULE_LABELS,
    TICKET_STATUS_LABELS,
)
from hub.pages.labels import label
from hub.queue import site_day
from hub.ratings.periods import fold_heatmap, heatmap_axes, hourly_rows
from hub.screens import unseen_calls
from hub.store import queries
from hub.store.db import read
from hub.store.tables import counter_state, devices, rating_presses, ratings, tickets, users

logger = logging.getLogger(__name__)

ONLINE_S = 180


def local_bounds(start: date, end: date, timezone: str) -> tuple[datetime, datetime]:
    """UTC instants of the site-local start of ``start`` and end of ``end``."""
    zone = ZoneInfo(timezone)
    lo = datetime.combine(start, time.min, zone).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    return lo, hi


def level_label(level: Level, lang: str) -> str:
    """A rating level's words from the configuration: English when there are some."""
    return (level.label_en or level.label) if lang == "en" else level.label


def overview(hub: Any, start: date, end: date, include_flagged: bool, lang: str) -> dict[str, Any]:
    """Everything the dashboard page shows for a period."""
    stats = hub.stats
    groups = {
        by: stats.satisfaction(start, end, by, include_flagged=include_flagged)
        for by in ("counter", "staff", "service", "site")
    }
    grid = heatmap(hub, start, end, include_flagged)
    hours, weekdays = heatmap_axes(grid, *opening_hours(hub.config.site))
    now = hub.clock()
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "include_flagged": include_flagged,
        "levels": [
            {
                "id": lv.id,
                "label": level_label(lv, lang),
                "positive": lv.positive,
                "score": lv.score,
            }
            for lv in hub.config.ratings.levels
        ],
        "total": groups["site"]["total"],
        "flagged_total": groups["site"]["flagged"],
        "groups": {by: result["rows"] for by, result in groups.items()},
        "trend": trend(hub, start, end, include_flagged, grid, hours),
        "heatmap": grid,
        "heatmap_hours": hours,
        "heatmap_weekdays": weekdays,
        "flagged": flagged_ratings(hub, start, end, lang),
        "refused": refused_presses(hub, start, end),
        "live": live_queue(hub, now),
        "unseen": unseen(hub, start, end),
        "bookings": bookings(hub, start, end),
        "devices": device_health(hub, now),
        "alerts": [
            {
                **a,
                "rule_label": label(RULE_LABELS, a["rule"]),
                "at_local": _local(hub, datetime.fromisoformat(a["at"])),
            }
            for a in recent_alerts(hub.engine, local_bounds(start, end, _tz(hub))[0], 20)
        ],
        "generated_at": now.isoformat(),
        "generated_at_local": _local(hub, now),
    }


def _tz(hub: Any) -> str:
    return hub.config.site.timezone


def opening_hours(site: Site) -> tuple[time, time, tuple[int, ...]]:
    """The site's opening time, closing time and open ISO weekdays (``[site] hours``;
    without them, the defaults of :class:`config.hub.Hours`, as the alerts take)."""
    hours = site.hours or Hours()
    return time.fromisoformat(hours.open), time.fromisoformat(hours.close), hours.weekdays


def trend(
    hub: Any,
    start: date,
    end: date,
    include_flagged: bool,
    grid: list[list[dict[str, int]]],
    hours: list[int],
) -> dict[str, Any]:
    """The trend chart's rows: per hour for one day (one bar would fill the chart), per
    day up to 100 days, else per month."""
    if start == end:
        return {"by": "hour", "rows": hourly_rows(grid, start, hours)}
    by = "day" if (end - start).days <= 100 else "month"
    found = hub.stats.satisfaction(start, end, by, include_flagged=include_flagged)
    return {"by": by, "rows": found["rows"]}


def heatmap(hub: Any, start: date, end: date, include_flagged: bool) -> list[list[dict[str, int]]]:
    """Ratings per weekday × local hour over the period."""
    r = ratings
    engine = hub.engine
    if engine.dialect.name == "postgresql":
        bucket = func.date_trunc("hour", r.c.at)
    else:
        bucket = func.strftime("%Y-%m-%d %H:00:00", r.c.at)
    query = (
        select(
            bucket.label("h"),
            func.count().label("n"),
            func.sum(cast(r.c.positive, Integer)).label("p"),
        )
        .where(r.c.day.between(start, end))
        .group_by(bucket)
    )
    if not include_flagged:
        query = query.where(r.c.flagged.is_(False))
    buckets = []
    with read(engine, scan=True) as conn:
        for h, n, p in conn.execute(query):
            when = h if isinstance(h, datetime) else datetime.fromisoformat(str(h))
            buckets.append((when, int(n), int(p or 0)))
    return fold_heatmap(buckets, _tz(hub))


def _names(hub: Any, conn: Any) -> tuple[dict[str, str], dict[str, str], dict[int, str]]:
    counters = {c.id: c.name for c in hub.config.counters}
    services = {s.id: s.name for s in hub.config.services}
    people = {
        int(u.id): u.display_name or u.username
        for u in conn.execute(select(users.c.id, users.c.username, users.c.display_name))
    }
    return counters, services, people


def _local(hub: Any, at: datetime) -> str:
    return at.astimezone(ZoneInfo(_tz(hub))).strftime("%d/%m/%Y %H:%M:%S")


def flagged_ratings(hub: Any, start: date, end: date, lang: str, limit: int = 50) -> dict[str, Any]:
    """Flagged ratings of the period: counts per flag and the latest ones."""
    levels = {lv.id: lv for lv in hub.config.ratings.levels}
    by_flag: dict[str, int] = {}
    items = []
    with read(hub.engine, scan=True) as conn:
        counters, _services, people = _names(hub, conn)
        rows = conn.execute(
            select(ratings)
            .where(ratings.c.day.between(start, end), ratings.c.flagged.is_(True))
            .order_by(ratings.c.at.desc())
        ).all()
    for row in rows:
        for flag in row.flags or []:
            by_flag[flag] = by_flag.get(flag, 0) + 1
    for row in rows[:limit]:
        level = levels.get(row.level)
        items.append(
            {
                "at": _local(hub, row.at),
                "counter": counters.get(row.counter_id or "", row.counter_id or ""),
                "staff": people.get(row.staff_id or 0, ""),
                "level": level_label(level, lang) if level else row.level,
                "flags": [label(FLAG_LABELS, f) for f in row.flags or []],
            }
        )
    return {
        "total": len(rows),
        "by_flag": [
            {"flag": f, "label": label(FLAG_LABELS, f), "n": n}
            for f, n in sorted(by_flag.items(), key=lambda kv: -kv[1])
        ],
        "items": items,
    }


def refused_presses(hub: Any, start: date, end: date) -> dict[str, Any]:
    """Raw presses the hub refused in the period, per reason and per counter."""
    lo, hi = local_bounds(start, end, _tz(hub))
    p = rating_presses
    counters = {c.id: c.name for c in hub.config.counters}
    with read(hub.engine, scan=True) as conn:
        rows = conn.execute(
            select(p.c.counter_id, p.c.code, func.count())
            .where(p.c.at >= lo, p.c.at < hi, p.c.outcome == "rejected")
            .group_by(p.c.counter_id, p.c.code)
        ).all()
        accepted = conn.execute(
            select(func.count()).where(p.c.at >= lo, p.c.at < hi, p.c.outcome == "created")
        ).scalar_one()
    total = sum(int(n) for *_, n in rows)
    return {
        "total": total,
        "accepted": int(accepted),
        "rows": [
            {
                "counter": counters.get(c or "", c or ""),
                "code": code,
                "label": label(REFUSAL_LABELS, code or ""),
                "n": int(n),
            }
            for c, code, n in sorted(rows, key=lambda r: (-int(r[2]), r[0] or ""))
        ],
    }


def live_queue(hub: Any, now: datetime) -> dict[str, Any]:
    """Waiting per field, open counters and today's waits, right now."""
    config = hub.config
    today = site_day(now, config.site.timezone)
    with read(hub.engine, scan=True) as conn:
        waiting = queries.waiting_counts(conn, [s.id for s in config.services])
        states = {r.counter_id: r for r in conn.execute(select(counter_state))}
        waits = dict(
            conn.execute(
                select(tickets.c.service_id, func.avg(tickets.c.wait_s))
                .where(tickets.c.day == today, tickets.c.wait_s.is_not(None))
                .group_by(tickets.c.service_id)
            ).all()
        )
        oldest = dict(
            conn.execute(
                select(tickets.c.service_id, func.min(tickets.c.issued_at))
                .where(tickets.c.status == "waiting")
                .group_by(tickets.c.service_id)
            ).all()
        )
    services = []
    for s in config.services:
        first = oldest.get(s.id)
        services.append(
            {
                "id": s.id,
                "name": s.name,
                "waiting": waiting.get(s.id, 0),
                "avg_wait_s": round(float(waits[s.id]), 1) if waits.get(s.id) is not None else None,
                "longest_wait_s": round((now - first).total_seconds()) if first else None,
            }
        )
    counters = []
    for c in config.counters:
        st = states.get(c.id)
        status = (
            "closed" if st is None or st.status != "open" else ("paused" if st.paused else "open")
        )
        counters.append({"id": c.id, "name": c.name, "status": status})
    return {
        "services": services,
        "counters": counters,
        "open": sum(1 for c in counters if c["status"] == "open"),
        "waiting": sum(waiting.values()),
    }


def unseen(hub: Any, start: date, end: date, limit: int = 50) -> dict[str, Any]:
    """Calls no screen showed in time."""
    lo, hi = local_bounds(start, end, _tz(hub))
    counters = {c.id: c.name for c in hub.config.counters}
    found = unseen_calls(
        hub.engine, lo, until=hi, timeout_s=hub.config.display.ack_timeout_s, limit=1000
    )
    items = [
        {"number": c.number, "counter": c.counter_id, "at": c.at, "delay_s": c.delay_s}
        for c in found
    ]
    latest = items[-limit:][::-1]
    return {
        "total": len(items),
        "items": [
            {
                **i,
                "counter": counters.get(i["counter"], i["counter"]),
                "at": _local(hub, i["at"]),
            }
            for i in latest
        ],
    }


def bookings(hub: Any, start: date, end: date, limit: int = 50) -> dict[str, Any]:
    """Remote tickets of the period; those whose phone was not verified listed, newest
    first, and whether numbers are verified at all now (``[booking.sender]``)."""
    found = remote_tickets(hub.engine, start, end)
    services = {s.id: s.name for s in hub.config.services}
    unverified = [t for t in found if not t.verified]
    return {
        "enabled": hub.booking.enabled(),
        "verifying": hub.booking.verifying(),
        "total": len(found),
        "unverified": len(unverified),
        "items": [
            {
                "number": t.number,
                "service": services.get(t.service_id, t.service_id),
                "at": _local(hub, t.issued_at),
                "status": label(TICKET_STATUS_LABELS, t.status),
            }
            for t in unverified[-limit:][::-1]
        ],
    }


def device_health(hub: Any, now: datetime) -> list[dict[str, Any]]:
    """Every device with its last heartbeat and reported status."""
    out = []
    with read(hub.engine, scan=True) as conn:
        rows = conn.execute(
            select(devices).where(devices.c.revoked_at.is_(None)).order_by(devices.c.name)
        ).all()
    for r in rows:
        seen = r.last_seen_at
        online = seen is not None and (now - seen).total_seconds() <= ONLINE_S
        out.append(
            {
                "name": r.name,
                "kind": label(DEVICE_KIND_LABELS, r.kind),
                "counter": r.counter_id,
                "last_seen": _local(hub, seen) if seen else None,
                "online": online,
                "status": r.status or {},
            }
        )
    return out
