"""A timezone in which it is now about noon, for tests that run on real time.

A test that makes a call "five minutes ago" by the hub's clock and then one now sees
two business days when it runs in the five minutes after the site's midnight (17:00
UTC in Hà Nội). On a site whose zone puts now at noon the two are always one day.
"""

from __future__ import annotations

from datetime import UTC, datetime


def zone_at_noon(now: datetime | None = None) -> str:
    """``Etc/GMT±N`` in which ``now`` (default: the real time) is between 11:30 and
    12:30; the POSIX sign is inverted: ``Etc/GMT-7`` is UTC+7."""
    now = now or datetime.now(UTC)
    hours = round(12 - (now.hour + now.minute / 60))  # -12 .. +12
    if hours == 0:
        return "Etc/GMT"
    return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
