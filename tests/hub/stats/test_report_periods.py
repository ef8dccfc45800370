"""Statistics grouped by reporting periods that close on the 14th (the default cut-off)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.hub.stats.test_figures import serve_and_rate, stats


@pytest.fixture
def spread(api, clock):
    """Ratings on 20 Feb, 10 Mar, 20 Mar, 30 Nov and 20 Dec 2026 (10:00 local), one each."""
    kiosk = api.device("k1", "kiosk")
    pad = api.device("pad1", "rating-pad", "1")
    for month, day, level in [(2, 20, "very_satisfied"), (3, 10, "satisfied"),
                              (3, 20, "unsatisfied"), (11, 30, "satisfied"),
                              (12, 20, "very_satisfied")]:  # fmt: skip
        when = datetime(2026, month, day, 3, 0, tzinfo=UTC)
        serve_and_rate(api, clock, "lan", kiosk, pad, "1", level, when)
    return api.user("sep", "manager")


def totals(api, manager, by, start="2026-01-01", end="2026-12-31"):
    return {r["key"]: (r["label"], r["total"], r["served"])
            for r in stats(api, manager, by, start, end)["rows"]}  # fmt: skip


def test_months_quarters_and_years_close_on_the_14th(api, spread) -> None:
    """GIVEN the demo's cut-off on the 15th WHEN grouped by month, quarter and year THEN 30 Nov
    is in December's report, 20 Mar in the second quarter and 20 Dec in 2027; whole calendar
    months (February) read from the monthly rollup land in the same periods as the days."""
    assert totals(api, spread, "month") == {
        "2026-03": ("Tháng 3/2026", 2, 2),  # 20 Feb and 10 Mar: 15/2–14/3
        "2026-04": ("Tháng 4/2026", 1, 1),
        "2026-12": ("Tháng 12/2026", 1, 1),
        "2027-01": ("Tháng 1/2027", 1, 1),
    }
    assert totals(api, spread, "quarter") == {
        "2026-Q1": ("Quý I/2026", 2, 2),
        "2026-Q2": ("Quý II/2026", 1, 1),
        "2026-Q4": ("Quý IV/2026", 1, 1),
        "2027-Q1": ("Quý I/2027", 1, 1),
    }
    assert totals(api, spread, "year") == {"2026": ("Năm 2026", 4, 4), "2027": ("Năm 2027", 1, 1)}
    queue = stats(api, spread, "month", "2026-01-01", "2026-12-31", "queue")["rows"]
    assert [(r["key"], r["issued"]) for r in queue] == [
        ("2026-03", 2), ("2026-04", 1), ("2026-12", 1), ("2027-01", 1)]  # fmt: skip


def test_the_groups_add_up_to_the_range(api, spread) -> None:
    """GIVEN any range WHEN grouped by day, month, quarter and year THEN every grouping holds
    the same total (the monthly rollups and the daily ones never count a rating twice)."""
    for start, end in [("2026-01-01", "2026-12-31"), ("2026-02-15", "2026-03-14"),
                       ("2026-02-01", "2026-11-30"), ("2025-12-15", "2026-12-14")]:  # fmt: skip
        sums = {by: sum(t for _, t, _ in totals(api, spread, by, start, end).values())
                for by in ("day", "month", "quarter", "year", "counter")}  # fmt: skip
        assert len(set(sums.values())) == 1, (start, end, sums)
