"""Reporting periods, month splitting and the heatmap's timezone folding."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hub.ratings.periods import days_between, fold_heatmap, preset_range, split_months


@pytest.mark.parametrize(
    ("kind", "today", "expected"),
    [
        ("day", date(2026, 11, 27), (date(2026, 11, 27), date(2026, 11, 27))),
        ("week", date(2026, 11, 27), (date(2026, 11, 23), date(2026, 11, 29))),
        ("month", date(2026, 2, 10), (date(2026, 2, 1), date(2026, 2, 28))),
        ("quarter", date(2026, 11, 27), (date(2026, 10, 1), date(2026, 12, 31))),
        ("half", date(2026, 5, 1), (date(2026, 1, 1), date(2026, 6, 30))),
        ("half", date(2026, 7, 1), (date(2026, 7, 1), date(2026, 12, 31))),
        ("nine_months", date(2026, 11, 27), (date(2026, 1, 1), date(2026, 9, 30))),
        ("year", date(2028, 2, 29), (date(2028, 1, 1), date(2028, 12, 31))),
    ],
)
def test_presets(kind, today, expected) -> None:
    assert preset_range(kind, today) == expected


def test_unknown_preset() -> None:
    with pytest.raises(ValueError, match="unknown period"):
        preset_range("fortnight", date(2026, 1, 1))


def test_split_months_whole_months_and_edges() -> None:
    months, edges = split_months(date(2026, 1, 15), date(2026, 4, 10))
    assert months == [date(2026, 2, 1), date(2026, 3, 1)]
    assert edges == [(date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 4, 1), date(2026, 4, 10))]
    assert split_months(date(2026, 2, 1), date(2026, 2, 28)) == ([date(2026, 2, 1)], [])
    assert split_months(date(2026, 3, 5), date(2026, 3, 5)) == ([], [(date(2026, 3, 5),) * 2])
    assert len(days_between(date(2028, 2, 27), date(2028, 3, 1))) == 4


def test_heatmap_folds_utc_hours_into_local_weekday_hours() -> None:
    """17:00 UTC on Sunday 29 Nov 2026 is 00:00 on Monday 30 Nov in Hồ Chí Minh City."""
    grid = fold_heatmap(
        [(datetime(2026, 11, 29, 17, 0, tzinfo=UTC), 3, 2),
         (datetime(2026, 11, 29, 16, 0), 1, 1)],  # naive = UTC
        "Asia/Ho_Chi_Minh",
    )  # fmt: skip
    assert grid[0][0] == {"total": 3, "positive": 2}  # Monday 00h
    assert grid[6][23] == {"total": 1, "positive": 1}  # Sunday 23h
    assert sum(c["total"] for row in grid for c in row) == 4
