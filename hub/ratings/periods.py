"""Reporting periods and date arithmetic for the statistics, with no I/O.

The province's reporting periods (kỳ báo cáo) are the month, the quarter, the
first 6 and 9 months of the year, and the year. A range is folded from the
monthly rollups for the whole months it covers and from the daily rollups for
the days at its edges.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PRESETS = ("day", "week", "month", "quarter", "half", "nine_months", "year")


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def preset_range(kind: str, today: date) -> tuple[date, date]:
    """The reporting period ``kind`` that contains ``today`` (dates inclusive).

    ``half`` is the half-year (January–June or July–December); ``nine_months``
    is January–September, as in the provinces' 9-month reports.

    Raises:
        ValueError: unknown kind.
    """
    if kind == "day":
        return today, today
    if kind == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        return today.replace(day=1), month_end(today)
    if kind == "quarter":
        first = 3 * ((today.month - 1) // 3) + 1
        start = date(today.year, first, 1)
        return start, month_end(date(today.year, first + 2, 1))
    if kind == "half":
        if today.month <= 6:
            return date(today.year, 1, 1), date(today.year, 6, 30)
        return date(today.year, 7, 1), date(today.year, 12, 31)
    if kind == "nine_months":
        return date(today.year, 1, 1), date(today.year, 9, 30)
    if kind == "year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    raise ValueError(f"unknown period {kind!r}; known: {', '.join(PRESETS)}")


def split_months(start: date, end: date) -> tuple[list[date], list[tuple[date, date]]]:
    """Whole months inside ``[start, end]`` (as first days) and the leftover day ranges."""
    months: list[date] = []
    edges: list[tuple[date, date]] = []
    day = start
    while day <= end:
        last = month_end(day)
        if day.day == 1 and last <= end:
            months.append(day)
        else:
            edges.append((day, min(last, end)))
        day = last + timedelta(days=1)
    return months, edges


def days_between(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end`` inclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def fold_heatmap(
    buckets: Iterable[tuple[datetime, int, int]], timezone: str
) -> list[list[dict[str, int]]]:
    """Fold UTC hour buckets into a weekday × hour grid in the site's timezone.

    Args:
        buckets: ``(utc_hour_start, ratings, positive)`` per UTC hour.
        timezone: the site's IANA zone.

    Returns:
        ``grid[weekday][hour]`` with weekday 0 = Monday, each
        ``{"total": n, "positive": p}``.
    """
    zone = ZoneInfo(timezone)
    grid = [[{"total": 0, "positive": 0} for _ in range(24)] for _ in range(7)]
    for start, total, positive in buckets:
        aware = start if start.tzinfo else start.replace(tzinfo=UTC)
        local = aware.astimezone(zone)
        cell = grid[local.weekday()][local.hour]
        cell["total"] += int(total)
        cell["positive"] += int(positive)
    return grid
