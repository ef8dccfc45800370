"""Time as the hub keeps it: aware UTC, passed in so tests can move it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], datetime]

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
"""The first instant a client may send or ask about (the hub's calendar is 2000–2099)."""
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""The first instant past the hub's calendar."""


def in_calendar(day: date) -> bool:
    """True for a day in 2000–2099: one whose site-local midnight, month and year
    arithmetic stay inside what Python's dates can hold, whatever the timezone."""
    return EARLIEST.date() <= day < LATEST.date()


def calendar_day(day: date) -> date:
    """``day`` when :func:`in_calendar`, else ``ValueError`` (a validator for inputs)."""
    if not in_calendar(day):
        raise ValueError("must be a day between 2000 and 2099")
    return day


def calendar_time(value: datetime) -> datetime:
    """``value`` when it falls in 2000–2099, else ``ValueError`` (a validator for inputs)."""
    if not EARLIEST <= value < LATEST:
        raise ValueError("must be a time between 2000 and 2099")
    return value


def utcnow() -> datetime:
    """Now, aware, in UTC (the hub's default clock)."""
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, or ``None``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
