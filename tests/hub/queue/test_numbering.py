"""Numbering: per field, per site-day in the site's timezone."""

from datetime import UTC, datetime

import pytest

from hub.queue import DailyLimitReached, format_number, next_sequence, site_day


def test_site_day_uses_the_site_timezone() -> None:
    """GIVEN 23:30 UTC WHEN read in Asia/Ho_Chi_Minh THEN it is already the next day."""
    late = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert site_day(late, "Asia/Ho_Chi_Minh").isoformat() == "2026-11-28"
    assert site_day(late, "UTC").isoformat() == "2026-11-27"


def test_site_day_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="aware"):
        site_day(datetime(2026, 1, 1), "Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("last", "start", "expected"), [(None, 1, 1), (None, 1001, 1001), (1005, 1001, 1006)]
)
def test_next_sequence(last: int | None, start: int, expected: int) -> None:
    assert next_sequence(last, start=start, daily_limit=None) == expected


def test_daily_limit_counts_from_start() -> None:
    """GIVEN start 1001 and a limit of 3 THEN 1001..1003 are issued and the 4th is refused."""
    assert next_sequence(1002, start=1001, daily_limit=3) == 1003
    with pytest.raises(DailyLimitReached):
        next_sequence(1003, start=1001, daily_limit=3)


@pytest.mark.parametrize(
    ("seq", "prefix", "digits", "expected"),
    [(7, "", 3, "007"), (7, "B", 3, "B007"), (1023, "", 4, "1023"), (1000, "A", 3, "A1000")],
)
def test_format_number(seq: int, prefix: str, digits: int, expected: str) -> None:
    assert format_number(seq, prefix=prefix, digits=digits) == expected
