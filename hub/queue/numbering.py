"""Ticket numbers: one sequence per field per site-day, in the site's timezone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


class DailyLimitReached(Exception):
    """The field has issued its ``daily_limit`` tickets today."""


def site_day(now_utc: datetime, timezone: str) -> date:
    """The calendar day at the site for an aware UTC instant.

    Raises:
        ValueError: if ``now_utc`` is naive (we never guess a timezone).
    """
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    return now_utc.astimezone(ZoneInfo(timezone)).date()


def next_sequence(last: int | None, *, start: int, daily_limit: int | None) -> int:
    """The next sequence value of a field's day.

    Args:
        last: the last sequence issued today, or ``None`` for the first ticket.
        start: the first number of each day (config ``start``).
        daily_limit: tickets allowed a day, or ``None`` for no limit.

    Raises:
        DailyLimitReached: when the day's tickets are all taken.
    """
    seq = start if last is None else last + 1
    if daily_limit is not None and seq - start + 1 > daily_limit:
        raise DailyLimitReached()
    return seq


def format_number(seq: int, *, prefix: str = "", digits: int = 3) -> str:
    """``prefix`` + ``seq`` zero-padded to at least ``digits`` (``"B"``, 7, 3 → ``"B007"``)."""
    return f"{prefix}{seq:0{digits}d}"
