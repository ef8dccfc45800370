"""The dashboard's periods and date arithmetic for the statistics, with no I/O.

The dashboard's presets are today, this week and the reporting periods
(*kỳ báo cáo*) of :mod:`hub.ratings.report_periods`: the month, the quarter,
the 6 and 9 months and the year, closing on the cut-off day. A range is folded
from the monthly rollups for the whole calendar months it covers and from the
daily rollups for the other days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.ratings.report_periods import period_of

PRESETS = ("day", "week", "month", "quarter", "half", "nine_months", "year")


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def preset_range(kind: str, today: date, cutoff: int = 1) -> tuple[date, date]:
    """The period ``kind`` that holds ``today`` (dates inclusive).

    ``day`` and ``week`` are today and this week (Monday–Sunday); the others are
    reporting periods closing on the ``cutoff`` day (1: calendar periods, so
    ``half`` is January–June or July–December and ``nine_months``
    January–September).

    Raises:
        ValueError: unknown kind or bad cut-off.
    """
    if kind == "day":
        return today, today
    if kind == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if kind not in PRESETS:
        raise ValueError(f"unknown period {kind!r}; known: {', '.join(PRESETS)}")
    found = period_of(kind, today, cutoff)
    return found.start, found.end


def split_months(
    start: date, end: date, whole: Callable[[date], bool] | None = None
) -> tuple[list[date], list[tuple[date, date]]]:
    """Whole calendar months inside ``[start, end]`` (as first days) and the other days,
    as ranges (adjacent ones joined).

    ``whole``, given a month's first day, may refuse to take it whole (e.g. a month
    that two reporting periods share); its days are then among the ranges.
    """
    months: list[date] = []
    edges: list[tuple[date, date]] = []
    day = start
    while day <= end:
        last = month_end(day)
        if day.day == 1 and last <= end and (whole is None or whole(day)):
            months.append(day)
        elif edges and edges[-1][1] + timedelta(days=1) == day:
            edges[-1] = (edges[-1][0], min(last, end))
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


def heatmap_axes(
    grid: list[list[dict[str, int]]], opens: time, closes: time, weekdays: Iterable[int]
) -> tuple[list[int], list[int]]:
    """The hours (columns) and weekdays (rows, 0 = Monday) the heatmap shows.

    The hours are those of the site's opening hours (``opens`` to ``closes``, the hour
    a half-hour close falls in included); the weekdays, the open ones (ISO: 1 =
    Monday). Ratings outside them are not hidden: the hours widen to take every hour
    that has some (so the columns stay one run of hours), and a closed weekday that
    has some is shown too, so the cells always add up to the period's total.
    """
    last = closes.hour if closes.minute == 0 else closes.hour + 1
    hours = set(range(opens.hour, last))
    days = {d - 1 for d in weekdays if 1 <= d <= 7}
    for day, row in enumerate(grid):
        for hour, cell in enumerate(row):
            if cell["total"]:
                hours.add(hour)
                days.add(day)
    columns = list(range(min(hours), max(hours) + 1)) if hours else []
    return columns, sorted(days)


def hourly_rows(
    grid: list[list[dict[str, int]]], day: date, hours: list[int]
) -> list[dict[str, object]]:
    """One day's ratings per local hour, as the trend's rows (``key`` ``08``, ``label``
    ``08:00``), from a heatmap ``grid`` of that day alone."""
    rows: list[dict[str, object]] = []
    for hour in hours:
        cell = grid[day.weekday()][hour]
        total, positive = cell["total"], cell["positive"]
        rate = round(positive / total, 4) if total else None
        rows.append(
            {
                "key": f"{hour:02d}",
                "label": f"{hour:02d}:00",
                "total": total,
                "positive": positive,
                "satisfaction_rate": rate,
            }
        )
    return rows
