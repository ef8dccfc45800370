"""Misuse rules applied in a rating's own transaction: a burst of presses at a
counter, a level's share of a staff member's day far off its baseline. The maths
is pure (:mod:`hub.ratings.flags`); this module reads what it needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from config.alerts import AlertSettings
from config.schema import Config
from hub.ratings import flags as fl
from hub.satisfaction.listeners import RatingListener
from hub.satisfaction.rollups import reflag
from hub.store.tables import rating_presses, rating_rollups, ratings


def flag_rules(settings: AlertSettings) -> fl.FlagRules:
    """The misuse rules from ``[alerts.flags]``."""
    f = settings.flags
    return fl.FlagRules(
        burst_count=f.burst_count,
        burst_window_s=f.burst_window_s,
        share_min_ratings=f.share_min_ratings,
        share_z=f.share_z,
        share_min_excess=f.share_min_excess,
        share_baseline_days=f.share_baseline_days,
        share_baseline_min=f.share_baseline_min,
        clock_tolerance_s=f.clock_tolerance_s,
    )


def is_burst(conn: Connection, counter_id: str, at: datetime, rules: fl.FlagRules) -> bool:
    """True when this press makes ``burst_count`` presses within ``burst_window_s``."""
    start = at - timedelta(seconds=rules.burst_window_s)
    earlier = conn.execute(
        select(func.count())
        .select_from(rating_presses)
        .where(
            rating_presses.c.counter_id == counter_id,
            rating_presses.c.at >= start,
            rating_presses.c.at <= at,
        )
    ).scalar_one()
    return int(earlier) + 1 >= rules.burst_count


def flag_burst(
    conn: Connection,
    counter_id: str,
    at: datetime,
    rules: fl.FlagRules,
    config: Config,
    listeners: Sequence[RatingListener],
) -> None:
    """Flag every rating of the burst's window at the counter."""
    start = at - timedelta(seconds=rules.burst_window_s)
    rows = conn.execute(
        select(ratings).where(
            ratings.c.counter_id == counter_id, ratings.c.at >= start, ratings.c.at <= at
        )
    ).all()
    reflag(conn, rows, fl.BURST, config, listeners)


def check_share(
    conn: Connection,
    row: Any,
    rules: fl.FlagRules,
    config: Config,
    listeners: Sequence[RatingListener],
) -> None:
    """Flag the staff member's ratings of a level whose share today is far off."""
    if not row.staff_id:
        return
    r = rating_rollups
    key = (r.c.site_id == row.site_id, r.c.staff_id == row.staff_id)
    today = dict(
        conn.execute(
            select(r.c.level, func.sum(r.c.n)).where(*key, r.c.day == row.day).group_by(r.c.level)
        ).all()
    )
    start = row.day - timedelta(days=rules.share_baseline_days)
    base = dict(
        conn.execute(
            select(r.c.level, func.sum(r.c.n))
            .where(*key, r.c.day >= start, r.c.day < row.day)
            .group_by(r.c.level)
        ).all()
    )
    total, base_total = sum(map(int, today.values())), sum(map(int, base.values()))
    count, base_count = int(today.get(row.level, 0)), int(base.get(row.level, 0))
    if not fl.share_outlier(count, total, base_count, base_total, rules):
        return
    rows = conn.execute(
        select(ratings).where(
            ratings.c.staff_id == row.staff_id,
            ratings.c.day == row.day,
            ratings.c.site_id == row.site_id,
            ratings.c.level == row.level,
        )
    ).all()
    reflag(conn, rows, fl.LEVEL_SHARE, config, listeners)
