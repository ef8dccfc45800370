"""Alerts on ratings: rules from ``[alerts]``, stored, logged and sent to a webhook.

Rules:

* ``negative_streak``: that many negative ratings in a row at one counter
  (checked in the rating's own transaction);
* ``low_rate``: a counter's satisfaction rate over the last ``low_rate_days``
  days under ``low_rate_below`` (with at least ``low_rate_min_ratings``);
* ``silent_pad``: a rating pad not heard from for ``silent_pad_min`` minutes
  during opening hours.

An alert is a row of ``alerts`` (the dashboard lists them), a warning in the
log and, when ``webhook_url`` is set, a JSON POST delivered through the hub's
outbox (:mod:`hub.outbox`, retried until the webhook answers 2xx). The same rule and subject
raise at most one alert per ``cooldown_min``.

The rules' settings are ``[alerts]`` (:mod:`config.alerts`).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, insert, select

from config.alerts import AlertSettings
from config.schema import Config
from config.wire import DeviceKind
from hub.outbox import WEBHOOK, enqueue
from hub.queue import site_day
from hub.store.db import read, write
from hub.store.tables import alerts, devices, rating_rollups, ratings

logger = logging.getLogger(__name__)

NEGATIVE_STREAK, LOW_RATE, SILENT_PAD = "negative_streak", "low_rate", "silent_pad"
DEFAULT_OPEN, DEFAULT_CLOSE, DEFAULT_WEEKDAYS = time(7, 30), time(17, 0), (1, 2, 3, 4, 5)


def raise_alert(
    conn: Connection,
    config: Config,
    *,
    rule: str,
    subject: str,
    message: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> bool:
    """Store an alert unless the same rule and subject fired within the cooldown.

    Returns True when a new alert was stored.
    """
    settings = config.alerts
    since = now - timedelta(minutes=settings.cooldown_min)
    recent = conn.execute(
        select(alerts.c.id).where(
            alerts.c.rule == rule, alerts.c.subject == subject, alerts.c.at > since
        )
    ).first()
    if recent is not None:
        return False
    result = conn.execute(
        insert(alerts).values(
            at=now, rule=rule, subject=subject, message=message, detail=detail or None
        )
    )
    alert_id = int(result.inserted_primary_key[0])
    logger.warning("alert %s [%s]: %s", rule, subject, message)
    if settings.webhook_url:
        payload = {
            "site": {"id": config.site.id, "name": config.site.name},
            "rule": rule,
            "subject": subject,
            "message": message,
            "at": now.isoformat(),
            "detail": detail or {},
        }
        enqueue(conn, WEBHOOK, f"alert:{alert_id}", payload, now)
    return True


class StreakRule:
    """The ``negative_streak`` rule, a rating listener (see :mod:`hub.satisfaction`)."""

    def rating_stored(self, conn: Connection, config: Config, row: Any, now: datetime) -> None:
        """In the transaction that stored ``row`` (a ``ratings`` row)."""
        streak_alert(conn, config, row, now)

    def rating_flagged(self, conn: Connection, config: Config, row: Any, flags: list[str]) -> None:
        """Flags do not change the streak."""


def streak_alert(conn: Connection, config: Config, row: Any, now: datetime) -> None:
    """Raise ``negative_streak`` when the counter's last ratings are all negative."""
    n = config.alerts.negative_streak
    if n <= 0 or row.positive or not row.counter_id:
        return
    last = conn.execute(
        select(ratings.c.positive, ratings.c.flagged)
        .where(ratings.c.counter_id == row.counter_id, ratings.c.site_id == row.site_id)
        .order_by(ratings.c.at.desc(), ratings.c.id.desc())
        .limit(n)
    ).all()
    if len(last) < n or any(r.positive for r in last):
        return
    counter = config.counter(row.counter_id)
    name = counter.name if counter else row.counter_id
    raise_alert(
        conn,
        config,
        rule=NEGATIVE_STREAK,
        subject=f"counter:{row.counter_id}",
        message=f"{name}: {n} đánh giá không hài lòng liên tiếp",
        now=now,
        detail={"counter": row.counter_id, "streak": n},
    )


def _open_now(config: Config, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(config.site.timezone))
    hours = config.site.hours
    start = time.fromisoformat(hours.open) if hours else DEFAULT_OPEN
    end = time.fromisoformat(hours.close) if hours else DEFAULT_CLOSE
    weekdays = hours.weekdays if hours else DEFAULT_WEEKDAYS
    return local.isoweekday() in weekdays and start <= local.time() < end


def check_periodic(engine: Engine, config: Config, now: datetime) -> int:
    """The low-rate and silent-pad rules; returns how many alerts were raised."""
    settings = config.alerts
    raised = 0
    with write(engine) as conn:
        if settings.low_rate_below > 0:
            raised += _check_low_rate(conn, config, settings, now)
        if settings.silent_pad_min > 0 and _open_now(config, now):
            raised += _check_silent_pads(conn, config, settings, now)
    return raised


def _check_low_rate(conn: Connection, config: Config, s: AlertSettings, now: datetime) -> int:
    today = site_day(now, config.site.timezone)
    start = today - timedelta(days=s.low_rate_days - 1)
    r = rating_rollups
    positive = {lv.id for lv in config.ratings.levels if lv.positive}
    totals: dict[str, list[int]] = {}
    for counter_id, level, n in conn.execute(
        select(r.c.counter_id, r.c.level, func.sum(r.c.n))
        .where(
            r.c.site_id == config.site.id,
            r.c.day >= start,
            r.c.day <= today,
            r.c.flagged.is_(False),
        )
        .group_by(r.c.counter_id, r.c.level)
    ):
        acc = totals.setdefault(counter_id, [0, 0])
        acc[0] += int(n)
        acc[1] += int(n) if level in positive else 0
    raised = 0
    for counter_id, (total, good) in sorted(totals.items()):
        if total < s.low_rate_min_ratings or good / total >= s.low_rate_below:
            continue
        counter = config.counter(counter_id)
        name = counter.name if counter else counter_id
        rate = f"{100 * good / total:.1f}".replace(".", ",")
        raised += raise_alert(
            conn,
            config,
            rule=LOW_RATE,
            subject=f"counter:{counter_id}",
            message=f"{name}: tỷ lệ hài lòng {rate} % trong {s.low_rate_days} ngày qua",
            now=now,
            detail={"counter": counter_id, "total": total, "positive": good},
        )
    return raised


def _check_silent_pads(conn: Connection, config: Config, s: AlertSettings, now: datetime) -> int:
    limit = now - timedelta(minutes=s.silent_pad_min)
    raised = 0
    for dev in conn.execute(
        select(devices).where(
            devices.c.kind == DeviceKind.RATING_PAD, devices.c.revoked_at.is_(None)
        )
    ):
        if dev.last_seen_at is not None and dev.last_seen_at >= limit:
            continue
        raised += raise_alert(
            conn,
            config,
            rule=SILENT_PAD,
            subject=f"device:{dev.name}",
            message=f"Thiết bị đánh giá {dev.name} (quầy {dev.counter_id}) không hoạt động "
            f"quá {s.silent_pad_min} phút trong giờ làm việc",
            now=now,
            detail={"device": dev.name, "counter": dev.counter_id},
        )
    return raised


def recent_alerts(engine: Engine, since: datetime, limit: int = 50) -> list[dict[str, Any]]:
    """Alerts raised after ``since``, newest first."""
    with read(engine) as conn:
        rows = conn.execute(
            select(alerts).where(alerts.c.at >= since).order_by(alerts.c.at.desc()).limit(limit)
        ).all()
    return [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "rule": r.rule,
            "subject": r.subject,
            "message": r.message,
            "detail": r.detail or {},
        }
        for r in rows
    ]
