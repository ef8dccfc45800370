"""Satisfaction and queue statistics, grouped in the site's timezone.

Satisfaction reads the daily rollups (kept in the same transaction as each
rating), so a year of a province's ratings is a few thousand rows to fold.
Served counts come from tickets by their site-local completion day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from config import Config
from hub import errors
from hub.queue import TicketStatus
from hub.ratings import GROUPINGS, Tally, period_key, period_label
from hub.ratings.maths import PERIODS
from hub.store.db import read
from hub.store.tables import rating_rollups, tickets, users

MAX_RANGE_DAYS = 3 * 366 + 1


def check_range(start: date, end: date, by: str) -> None:
    if by not in GROUPINGS:
        raise errors.BadRequest(
            f"Tham số by phải là một trong: {', '.join(GROUPINGS)}", code="invalid_grouping"
        )
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

    # ----------------------------------------------------------------- labels
    def _labeller(self, by: str) -> Callable[[str], str]:
        if by in PERIODS:
            return lambda key: period_label(key, by)
        if by == "counter":
            names = {c.id: c.name for c in self.config.counters}
            return lambda key: names.get(key, key or "Không xác định")
        if by == "service":
            names = {s.id: s.name for s in self.config.services}
            return lambda key: names.get(key, key or "Không xác định")
        if by == "site":
            return lambda key: self.config.site.name if key == self.config.site.id else key
        with read(self.engine) as conn:
            people = {
                str(r.id): r.display_name or r.username
                for r in conn.execute(select(users.c.id, users.c.username, users.c.display_name))
            }
        return lambda key: people.get(key, "Không xác định")

    @staticmethod
    def _key(by: str, row: Any) -> str:
        if by in PERIODS:
            return period_key(row.day, by)
        value = getattr(
            row,
            {
                "counter": "counter_id",
                "staff": "staff_id",
                "service": "service_id",
                "site": "site_id",
            }[by],
        )
        return "" if value in (None, 0) else str(value)

    # ----------------------------------------------------------- satisfaction
    def satisfaction(
        self, start: date, end: date, by: str, *, include_flagged: bool = False
    ) -> dict[str, Any]:
        """Rows per group plus the total, as ``GET /stats/satisfaction`` answers."""
        check_range(start, end, by)
        levels = {lv.id: lv for lv in self.config.ratings.levels}
        groups: dict[str, Tally] = defaultdict(Tally)
        dim = _dimension(by)
        r = rating_rollups
        with read(self.engine) as conn:
            cols = [r.c.level, func.sum(r.c.n).label("n"), func.sum(r.c.score_sum).label("s")]
            group_cols = [r.c.day] if by in PERIODS else [r.c[dim]]
            query = (
                select(*group_cols, *cols)
                .where(r.c.day >= start, r.c.day <= end)
                .group_by(*group_cols, r.c.level)
            )
            if not include_flagged:
                query = query.where(r.c.flagged.is_(False))
            for row in conn.execute(query):
                level = levels.get(row.level)
                positive = bool(level.positive) if level else False
                groups[self._key(by, row)].add(row.level, int(row.n), float(row.s), positive)
            t = tickets
            served_cols = [t.c.completed_day.label("day")] if by in PERIODS else [t.c[dim]]
            served = conn.execute(
                select(*served_cols, func.count().label("n"))
                .where(
                    t.c.status == TicketStatus.DONE.value,
                    t.c.completed_day >= start,
                    t.c.completed_day <= end,
                )
                .group_by(*served_cols)
            )
            for row in served:
                groups[self._key(by, row)].served += int(row.n)
        label = self._labeller(by)
        order = list(levels)
        rows = []
        total = Tally()
        for key in sorted(groups, key=_sort_key):
            tally = groups[key]
            total.merge(tally)
            rows.append({"key": key, "label": label(key), **tally.figures(order)})
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "by": by,
            "levels": [
                {"id": lv.id, "label": lv.label, "score": lv.score, "positive": lv.positive}
                for lv in levels.values()
            ],
            "rows": rows,
            "total": {"key": "total", "label": "Tổng cộng", **total.figures(order)},
        }

    # ------------------------------------------------------------------ queue
    def queue(self, start: date, end: date, by: str) -> dict[str, Any]:
        """Issued, served, no-show, cancelled and mean times per group."""
        check_range(start, end, by)
        t = tickets
        dim = _dimension(by)
        group_cols = [t.c.day] if by in PERIODS else [t.c[dim]]
        status = t.c.status
        with read(self.engine) as conn:
            result = conn.execute(
                select(
                    *group_cols,
                    status,
                    func.count().label("n"),
                    func.sum(t.c.wait_s).label("wait_sum"),
                    func.count(t.c.wait_s).label("wait_n"),
                    func.sum(t.c.service_s).label("service_sum"),
                    func.count(t.c.service_s).label("service_n"),
                )
                .where(t.c.day >= start, t.c.day <= end)
                .group_by(*group_cols, status)
            )
            acc: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
            for row in result:
                a = acc[self._key(by, row)]
                a["issued"] += row.n
                a[row.status] += row.n
                a["wait_sum"] += float(row.wait_sum or 0)
                a["wait_n"] += int(row.wait_n or 0)
                a["service_sum"] += float(row.service_sum or 0)
                a["service_n"] += int(row.service_n or 0)
        label = self._labeller(by)
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


def _dimension(by: str) -> str:
    return {
        "counter": "counter_id",
        "staff": "staff_id",
        "service": "service_id",
        "site": "site_id",
    }.get(by, "day")


def _sort_key(key: str) -> tuple[int, int | str]:
    return (0, int(key)) if key.isdigit() else (1, key)


def _queue_row(key: str, label: str, a: dict[str, float]) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "issued": int(a.get("issued", 0)),
        "served": int(a.get(TicketStatus.DONE.value, 0)),
        "no_show": int(a.get(TicketStatus.NO_SHOW.value, 0)),
        "cancelled": int(a.get(TicketStatus.CANCELLED.value, 0)),
        "waiting": int(a.get(TicketStatus.WAITING.value, 0)),
        "avg_wait_s": round(a["wait_sum"] / a["wait_n"], 1) if a.get("wait_n") else None,
        "avg_service_s": (
            round(a["service_sum"] / a["service_n"], 1) if a.get("service_n") else None
        ),
    }
