"""Six weeks of made-up history for ``motcua demo``, so the dashboard has
something to show from the first minute (demo only, never a real database).
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, insert, select

from config.schema import Config
from config.wire import Role
from hub.satisfaction import rollup_add_many
from hub.stats import store_queue_day
from hub.store.db import read, write
from hub.store.tables import rating_presses, ratings, users

logger = logging.getLogger(__name__)


def seed_history(
    engine: Engine, config: Config, now: datetime, days: int = 42, seed: int = 7
) -> int:
    """Made-up ratings and queue figures for the last ``days`` closed days (demo only)."""
    with read(engine) as conn:
        if conn.execute(select(func.count()).select_from(ratings)).scalar_one():
            return 0
        staff = [r.id for r in conn.execute(select(users.c.id).where(users.c.role == Role.STAFF))]
    if not staff:
        return 0
    rng = random.Random(seed)
    zone = ZoneInfo(config.site.timezone)
    today = now.astimezone(zone).date()
    levels = {lv.id: lv for lv in config.ratings.levels}
    made = 0
    with write(engine) as conn:
        for back in range(days, 1, -1):
            day = today - timedelta(days=back)
            if day.isoweekday() > 5:
                continue
            rows, deltas, figures = [], [], {}
            for i, counter in enumerate(config.counters):
                person = staff[i % len(staff)]
                good = 0.93 - 0.06 * i + rng.uniform(-0.04, 0.04)
                served = rng.randint(25, 45)
                service = counter.services[0]
                figures[(counter.id, person, service)] = {
                    "issued": served + 2, "done": served, "no_show": 1, "cancelled": 1,
                    "served": served, "wait_sum": served * rng.uniform(300, 900), "wait_n": served,
                    "service_sum": served * rng.uniform(240, 600), "service_n": served,
                }  # fmt: skip
                for _ in range(int(served * rng.uniform(0.6, 0.85))):
                    x = rng.random()
                    level = (
                        "very_satisfied"
                        if x < good * 0.62
                        else ("satisfied" if x < good else "unsatisfied")
                    )
                    local = datetime.combine(day, time(7, 30), zone) + timedelta(
                        minutes=rng.uniform(0, 570)
                    )
                    at = local.astimezone(UTC)
                    lv = levels[level]
                    rows.append({
                        "key": f"demo-seed-{day.isoformat()}-{made}", "site_id": config.site.id,
                        "ticket_id": None, "counter_id": counter.id, "staff_id": person,
                        "service_id": service, "level": level, "score": lv.score,
                        "positive": lv.positive, "reasons": None, "at": at, "day": day,
                        "received_at": at, "channel": "pad", "device_id": None,
                        "flags": None, "flagged": False,
                    })  # fmt: skip
                    deltas.append(
                        (
                            config.site.id,
                            day,
                            counter.id,
                            person,
                            service,
                            level,
                            False,
                            1,
                            lv.score,
                        )
                    )
                    made += 1
            if back in (3, 9):
                made += _seed_misuse(conn, config, day, zone, staff, rows, deltas)
            if rows:
                conn.execute(insert(ratings), rows)
                rollup_add_many(conn, deltas)
            store_queue_day(conn, config.site.id, day, figures, now, source="demo")
    logger.info("demo: seeded %d made-up ratings over %d days", made, days)
    return made


def _seed_misuse(
    conn: Any,
    config: Any,
    day: Any,
    zone: Any,
    staff: list[int],
    rows: list[dict[str, Any]],
    deltas: list[Any],
) -> int:
    """A drummed pad (a burst of "Rất hài lòng") and presses with no ticket, on one day."""
    counter = config.counters[-1]
    start = datetime.combine(day, time(10, 12), zone).astimezone(UTC)
    for i in range(6):
        at = start + timedelta(seconds=3 * i)
        rows.append({
            "key": f"demo-seed-burst-{day.isoformat()}-{i}", "site_id": config.site.id,
            "ticket_id": None, "counter_id": counter.id, "staff_id": staff[-1],
            "service_id": counter.services[0], "level": "very_satisfied", "score": 2.0,
            "positive": True, "reasons": None, "at": at, "day": day, "received_at": at,
            "channel": "pad", "device_id": None, "flags": ["burst"], "flagged": True,
        })  # fmt: skip
        deltas.append((config.site.id, day, counter.id, staff[-1], counter.services[0],
                       "very_satisfied", True, 1, 2.0))  # fmt: skip
    conn.execute(insert(rating_presses), [{
        "key": f"demo-seed-press-{day.isoformat()}-{i}", "site_id": config.site.id,
        "device_id": None, "counter_id": counter.id, "level": "very_satisfied", "reasons": None,
        "at": start + timedelta(minutes=40 + i), "received_at": start + timedelta(minutes=40 + i),
        "channel": "pad", "outcome": "rejected", "code": "no_ticket", "rating_id": None,
        "ticket_id": None, "clock_offset_s": None,
    } for i in range(4)])  # fmt: skip
    return 6
