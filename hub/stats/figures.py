"""Satisfaction and queue statistics, grouped in the site's timezone.

Satisfaction reads the rollups kept in the same transaction as each rating:
the monthly rollup for the whole months of a range and the daily rollup for
its edge days, so years of ratings fold in milliseconds. Queue figures (and
the ``served`` count behind coverage) come from ``queue_daily`` for closed
days and from ``tickets`` for the days not rolled yet (today, yesterday, and
any day that still has a ticket waiting). On a district or province hub the
same tables also hold the figures its centres forwarded, one ``site_id`` each.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from config.schema import Config
from hub import errors
from hub.clock import in_calendar
from hub.queue import TicketStatus, site_day
from hub.ratings import GROUPINGS, Tally, period_key, period_label
from hub.ratings.maths import PERIODS, month_in_one_group
from hub.ratings.periods import split_months
from hub.stats.columns import DIMENSIONS, FIGURES, STATUS_FIGURE, cube_dim
from hub.store.db import read
from hub.store.tables import (
    queue_daily,
    queue_days,
    rating_cube,
    rating_rollups,
    served_cube,
    sites,
    tickets,
    users,
)

logger = logging.getLogger(__name__)

MAX_RANGE_DAYS = 3 * 366 + 1
UNKNOWN = "Không xác định"


def check_range(start: date, end: date, by: str) -> None:
    if by not in GROUPINGS:
        raise errors.BadRequest(
            f"Tham số by phải là một trong: {', '.join(GROUPINGS)}", code="invalid_grouping"
        )
    if not (in_calendar(start) and in_calendar(end)):
        raise errors.BadRequest("Ngày phải nằm trong các năm 2000–2099", code="invalid_range")
    if end < start:
        raise errors.BadRequest("Ngày kết thúc trước ngày bắt đầu", code="invalid_range")
    if (end - start).days > MAX_RANGE_DAYS:
        raise errors.BadRequest("Khoảng thời gian tối đa là 3 năm", code="invalid_range")


class StatsService:
    """Aggregations for the dashboard, the API and the reports."""

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.config = config

    def reconfigure(self, config: Config) -> None:
        self.config = config

    @property
    def cutoff(self) -> int:
        """The first day of a reporting month (``[reports] period_cutoff_day``)."""
        return self.config.reports.period_cutoff_day

    def _split(self, start: date, end: date, by: str) -> tuple[list[date], list[tuple[date, date]]]:
        """The whole calendar months of the range whose monthly rollup stands for one group
        of ``by``, and the other days (read from the daily rollups)."""
        if by == "day":
            return [], [(start, end)]
        return split_months(start, end, lambda first: month_in_one_group(first, by, self.cutoff))

    # ----------------------------------------------------------------- labels
    def _site_labels(self, conn: Connection) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for row in conn.execute(select(sites.c.id, sites.c.name, sites.c.labels)):
            out[row.id] = {"name": row.name, **(row.labels or {})}
        return out

    def _labeller(self, conn: Connection, by: str) -> Callable[[str], str]:
        if by in PERIODS:
            return lambda key: period_label(key, by)
        foreign = self._site_labels(conn)
        own = self.config.site.id
        if by == "site":
            names = {k: v["name"] for k, v in foreign.items()}
            names[own] = self.config.site.name
            return lambda key: names.get(key, key)
        if by == "staff":
            people = {
                str(r.id): r.display_name or r.username
                for r in conn.execute(select(users.c.id, users.c.username, users.c.display_name))
            }
        else:
            items = self.config.counters if by == "counter" else self.config.services
            people = {x.id: x.name for x in items}
        plural = "counters" if by == "counter" else "services"

        def label(key: str) -> str:
            site, sep, value = key.partition("/")
            if not sep:
                return people.get(key, key or UNKNOWN) if key else UNKNOWN
            info = foreign.get(site, {})
            inner = (info.get(plural) or {}).get(value, value) if by != "staff" else UNKNOWN
            return f"{info.get('name', site)} – {inner or UNKNOWN}"

        return label

    def _key(self, by: str, site_id: str, value: Any) -> str:
        if by in PERIODS:
            return period_key(value, by, self.cutoff)
        if by == "site":
            return site_id
        text = "" if value in (None, 0, "") else str(value)
        if by == "service" or site_id == self.config.site.id:
            return text
        return f"{site_id}/{text}"

    # ----------------------------------------------------------- satisfaction
    def _rating_sums(
        self, conn: Connection, start: date, end: date, by: str, flagged: bool | None
    ) -> Iterator[tuple[str, Any, str, int, float]]:
        """``(site_id, group value, level, n, score_sum)``: the cube for whole months,
        the daily rollups for the edge days."""
        months, edges = self._split(start, end, by)
        if months:
            c = rating_cube
            group = c.c.month if by in PERIODS else c.c.key
            query = (
                select(c.c.site_id, group, c.c.level, func.sum(c.c.n), func.sum(c.c.score_sum))
                .where(c.c.dim == cube_dim(by), c.c.month.in_(months))
                .group_by(c.c.site_id, group, c.c.level)
            )
            if flagged is not None:
                query = query.where(c.c.flagged.is_(flagged))
            for site_id, g, level, n, s in conn.execute(query):
                yield site_id, g, level, int(n or 0), float(s or 0)
        for lo, hi in edges:
            d = rating_rollups
            group = d.c.day if by in PERIODS else d.c[DIMENSIONS.get(by, "site_id")]
            query = (
                select(d.c.site_id, group, d.c.level, func.sum(d.c.n), func.sum(d.c.score_sum))
                .where(d.c.day.between(lo, hi))
                .group_by(d.c.site_id, group, d.c.level)
            )
            if flagged is not None:
                query = query.where(d.c.flagged.is_(flagged))
            for site_id, g, level, n, s in conn.execute(query):
                yield site_id, g, level, int(n or 0), float(s or 0)

    def satisfaction(
        self, start: date, end: date, by: str, *, include_flagged: bool = False
    ) -> dict[str, Any]:
        """Rows per group plus the total, as ``GET /stats/satisfaction`` answers.

        Flagged ratings are left out unless ``include_flagged``; their counts
        are always reported apart under ``flagged``.
        """
        check_range(start, end, by)
        levels = {lv.id: lv for lv in self.config.ratings.levels}
        groups: dict[str, Tally] = defaultdict(Tally)
        flagged = Tally()
        with read(self.engine, scan=True) as conn:
            only = None if include_flagged else False
            for site_id, g, level, n, s in self._rating_sums(conn, start, end, by, only):
                positive = bool(levels[level].positive) if level in levels else False
                groups[self._key(by, site_id, g)].add(level, n, s, positive)
            for _site, _g, level, n, s in self._rating_sums(conn, start, end, "site", True):
                positive = bool(levels[level].positive) if level in levels else False
                flagged.add(level, n, s, positive)
            for site_id, g, n in self._served(conn, start, end, by):
                groups[self._key(by, site_id, g)].served += n
            label = self._labeller(conn, by)
        order = list(levels)
        rows = []
        total = Tally()
        for key in sorted(groups, key=_sort_key):
            tally = groups[key]
            total.merge(tally)
            rows.append({"key": key, "label": label(key), **tally.figures(order)})
        flagged_counts = flagged.figures(order)
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "by": by,
            "include_flagged": include_flagged,
            "levels": [
                {"id": lv.id, "label": lv.label, "score": lv.score, "positive": lv.positive}
                for lv in levels.values()
            ],
            "rows": rows,
            "total": {"key": "total", "label": "Tổng cộng", **total.figures(order)},
            "flagged": {"total": flagged_counts["total"], "counts": flagged_counts["counts"]},
        }

    def flagged_by(self, start: date, end: date, by: str) -> dict[str, int]:
        """How many flagged ratings each group of ``by`` holds (keys as the rows'), so a
        report can say, beside each rate, how many it left out (or took in)."""
        check_range(start, end, by)
        out: dict[str, int] = defaultdict(int)
        with read(self.engine, scan=True) as conn:
            for site_id, g, _level, n, _s in self._rating_sums(conn, start, end, by, True):
                out[self._key(by, site_id, g)] += n
        return dict(out)

    # ------------------------------------------------------------------ queue
    def _rolled_days(self, conn: Connection, start: date, end: date) -> list[date]:
        return [
            r[0]
            for r in conn.execute(
                select(queue_days.c.day).where(
                    queue_days.c.site_id == self.config.site.id,
                    queue_days.c.day.between(start, end),
                )
            )
        ]

    def _served(
        self, conn: Connection, start: date, end: date, by: str
    ) -> Iterator[tuple[str, Any, int]]:
        """``(site_id, group value, served)``: rolled days (the served cube for whole
        months, ``queue_daily`` for edge days), then live tickets for the other days."""
        months, edges = self._split(start, end, by)
        if months:
            c = served_cube
            group = c.c.month if by in PERIODS else c.c.key
            for site_id, g, n in conn.execute(
                select(c.c.site_id, group, func.sum(c.c.served))
                .where(c.c.dim == cube_dim(by), c.c.month.in_(months))
                .group_by(c.c.site_id, group)
            ):
                yield site_id, g, int(n or 0)
        q = queue_daily
        group = q.c.day if by in PERIODS else q.c[DIMENSIONS.get(by, "site_id")]
        for lo, hi in edges:
            for site_id, g, n in conn.execute(
                select(q.c.site_id, group, func.sum(q.c.served))
                .where(q.c.day.between(lo, hi))
                .group_by(q.c.site_id, group)
            ):
                yield site_id, g, int(n or 0)
        t = tickets
        group = t.c.completed_day if by in PERIODS else t.c[DIMENSIONS.get(by, "site_id")]
        query = (
            select(t.c.site_id, group, func.count())
            .where(
                t.c.status == TicketStatus.DONE.value,
                t.c.completed_day.between(start, end),
            )
            .group_by(t.c.site_id, group)
        )
        rolled = self._rolled_days(conn, start, end)
        if rolled:
            query = query.where(t.c.completed_day.not_in(rolled))
        for site_id, g, n in conn.execute(query):
            yield site_id, g, int(n)

    def queue(self, start: date, end: date, by: str) -> dict[str, Any]:
        """Issued, served, no-show, cancelled and mean times per group (by issue day)."""
        check_range(start, end, by)
        acc: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        with read(self.engine, scan=True) as conn:
            q = queue_daily
            group = q.c.day if by in PERIODS else q.c[DIMENSIONS.get(by, "site_id")]
            sums = [func.sum(q.c[c]).label(c) for c in FIGURES]
            for row in conn.execute(
                select(q.c.site_id, group.label("g"), *sums)
                .where(q.c.day.between(start, end))
                .group_by(q.c.site_id, group)
            ):
                a = acc[self._key(by, row.site_id, row.g)]
                for c in FIGURES:
                    a[c] += float(getattr(row, c) or 0)
            rolled = self._rolled_days(conn, start, end)
            for row in _live_queue(conn, start, end, by, rolled):
                a = acc[self._key(by, row.site_id, row.g)]
                a["issued"] += row.n
                a[STATUS_FIGURE.get(row.status, row.status)] += row.n
                a["wait_sum"] += float(row.wait_sum or 0)
                a["wait_n"] += int(row.wait_n or 0)
                a["service_sum"] += float(row.service_sum or 0)
                a["service_n"] += int(row.service_n or 0)
            label = self._labeller(conn, by)
        rows = [_queue_row(key, label(key), acc[key]) for key in sorted(acc, key=_sort_key)]
        total: dict[str, float] = defaultdict(float)
        for a in acc.values():
            for k, v in a.items():
                total[k] += v
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "by": by,
            "rows": rows,
            "total": _queue_row("total", "Tổng cộng", total),
        }

    # ------------------------------------------------------------- staff view
    def staff_today(self, staff_id: int, now: datetime) -> dict[str, Any]:
        """One staff member's own aggregate for today (never single ratings)."""
        today = site_day(now, self.config.site.timezone)
        levels = {lv.id: lv for lv in self.config.ratings.levels}
        tally = Tally()
        r = rating_rollups
        with read(self.engine, scan=True) as conn:
            for level, n, s in conn.execute(
                select(r.c.level, func.sum(r.c.n), func.sum(r.c.score_sum))
                .where(
                    r.c.site_id == self.config.site.id,
                    r.c.day == today,
                    r.c.staff_id == staff_id,
                    r.c.flagged.is_(False),
                )
                .group_by(r.c.level)
            ):
                positive = bool(levels[level].positive) if level in levels else False
                tally.add(level, int(n or 0), float(s or 0), positive)
            tally.served = int(
                conn.execute(
                    select(func.count()).where(
                        tickets.c.staff_id == staff_id,
                        tickets.c.status == TicketStatus.DONE.value,
                        tickets.c.completed_day == today,
                    )
                ).scalar_one()
            )
        return {"day": today.isoformat(), **tally.figures(list(levels))}


def _live_queue(conn: Connection, start: date, end: date, by: str, rolled: list[date]) -> Any:
    t = tickets
    group = t.c.day if by in PERIODS else t.c[DIMENSIONS.get(by, "site_id")]
    query = (
        select(
            t.c.site_id,
            group.label("g"),
            t.c.status,
            func.count().label("n"),
            func.sum(t.c.wait_s).label("wait_sum"),
            func.count(t.c.wait_s).label("wait_n"),
            func.sum(t.c.service_s).label("service_sum"),
            func.count(t.c.service_s).label("service_n"),
        )
        .where(t.c.day.between(start, end))
        .group_by(t.c.site_id, group, t.c.status)
    )
    if rolled:
        query = query.where(t.c.day.not_in(rolled))
    return conn.execute(query)


def _sort_key(key: str) -> tuple[int, int | str]:
    return (0, int(key)) if key.isdigit() else (1, key)


def _queue_row(key: str, label: str, a: dict[str, float]) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "issued": int(a.get("issued", 0)),
        "served": int(a.get("done", 0)),
        "no_show": int(a.get(TicketStatus.NO_SHOW.value, 0)),
        "cancelled": int(a.get(TicketStatus.CANCELLED.value, 0)),
        "waiting": int(a.get(TicketStatus.WAITING.value, 0)),
        "avg_wait_s": round(a["wait_sum"] / a["wait_n"], 1) if a.get("wait_n") else None,
        "avg_service_s": (
            round(a["service_sum"] / a["service_n"], 1) if a.get("service_n") else None
        ),
    }
