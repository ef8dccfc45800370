"""The noon zone of real-time tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.zones import zone_at_noon


@pytest.mark.parametrize("minutes", range(0, 24 * 60, 13))
def test_now_is_about_noon_in_the_zone(minutes: int) -> None:
    """GIVEN any time of the day WHEN its zone is taken THEN the local time there is
    within half an hour of noon."""
    now = datetime(2026, 12, 4, tzinfo=UTC) + timedelta(minutes=minutes)
    local = now.astimezone(ZoneInfo(zone_at_noon(now)))
    assert abs(local.hour * 60 + local.minute - 12 * 60) <= 30
