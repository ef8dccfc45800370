"""Reporting periods closing on a cut-off day (NĐ 09/2019 as the provinces apply it)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.ratings.maths import month_in_one_group, period_key, period_label
from hub.ratings.periods import preset_range, split_months
from hub.ratings.report_periods import (
    KINDS,
    check_cutoff,
    month_span,
    parse_month,
    period,
    period_from_key,
    period_of,
    periods_of_year,
    reporting_month,
)

PARTITIONS = ("month", "quarter", "half", "year")
"""The kinds that split a reporting year; ``nine_months`` covers its first nine months."""
cutoffs = st.integers(min_value=1, max_value=28)
days = st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31))


def _calendar_year_days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", [2026, 2028])  # 2028: a leap year
@pytest.mark.parametrize("cutoff", [1, 15, 28])
def test_every_day_of_a_year_is_in_exactly_one_period_of_each_kind(year, cutoff) -> None:
    """GIVEN every day of a calendar year WHEN the periods of each kind of the reporting
    years around it are listed THEN exactly one holds the day, and it is period_of's."""
    for kind in PARTITIONS:
        around = [p for y in (year - 1, year, year + 1) for p in periods_of_year(kind, y, cutoff)]
        for day in _calendar_year_days(year):
            holding = [p for p in around if p.contains(day)]
            assert holding == [period_of(kind, day, cutoff)], (kind, day)
    for day in _calendar_year_days(year):  # nine months: at most one, its year's
        nine = [y for y in (year - 1, year, year + 1)
                if period("nine_months", y, 9, cutoff).contains(day)]  # fmt: skip
        in_first_nine = reporting_month(day, cutoff)[1] <= 9
        assert nine == ([reporting_month(day, cutoff)[0]] if in_first_nine else [])


@given(kind=st.sampled_from(PARTITIONS), year=st.integers(2001, 2098), cutoff=cutoffs)
def test_the_periods_of_a_year_follow_each_other_without_gap(kind, year, cutoff) -> None:
    found = periods_of_year(kind, year, cutoff)
    whole = period("year", year, 1, cutoff)
    assert found[0].start == whole.start and found[-1].end == whole.end
    for before, after in zip(found, found[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
    assert [p.number for p in found] == list(range(1, len(found) + 1))


@given(day=days, cutoff=cutoffs, kind=st.sampled_from(KINDS))
def test_period_of_holds_the_day_and_its_key_names_it(day, cutoff, kind) -> None:
    found = period_of(kind, day, cutoff)
    assert found.contains(day) or kind == "nine_months"
    assert period_from_key(kind, found.key, cutoff) == found
    if kind == "month":
        assert found.start.day == cutoff and (found.end + timedelta(days=1)).day == cutoff


@given(day=days, kind=st.sampled_from(KINDS))
def test_cutoff_1_gives_calendar_periods(day, kind) -> None:
    """GIVEN the cut-off on the 1st WHEN any day's period is asked THEN it is the calendar
    month, quarter, half-year, January–September or year holding it."""
    found = period_of(kind, day, 1)
    first_month, months = {
        "month": (day.month, 1),
        "quarter": (3 * ((day.month - 1) // 3) + 1, 3),
        "half": (1 if day.month <= 6 else 7, 6),
        "nine_months": (1, 9),
        "year": (1, 12),
    }[kind]
    last = first_month + months - 1
    end = date(day.year + last // 12, last % 12 + 1, 1) - timedelta(days=1)
    assert (found.start, found.end) == (date(day.year, first_month, 1), end)
    assert found.year == day.year


@pytest.mark.parametrize(
    ("kind", "of", "expected"),
    [
        ("month", (2026, 12), (date(2026, 11, 15), date(2026, 12, 14))),
        ("month", (2026, 1), (date(2025, 12, 15), date(2026, 1, 14))),
        ("month", (2028, 3), (date(2028, 2, 15), date(2028, 3, 14))),
        ("quarter", (2026, 12), (date(2026, 9, 15), date(2026, 12, 14))),
        ("quarter", (2026, 1), (date(2025, 12, 15), date(2026, 3, 14))),
        ("half", (2026, 6), (date(2025, 12, 15), date(2026, 6, 14))),
        ("half", (2026, 12), (date(2026, 6, 15), date(2026, 12, 14))),
        ("nine_months", (2026, 12), (date(2025, 12, 15), date(2026, 9, 14))),
        ("year", (2026, 12), (date(2025, 12, 15), date(2026, 12, 14))),
    ],
)
def test_the_cutoff_of_nd_09_2019(kind, of, expected) -> None:
    """The examples of the decree: month 15th–14th, quarter, 6 months 15/12–14/6, 9 months
    15/12–14/9, year 15/12–14/12."""
    found = period(kind, *of, 15)
    assert (found.start, found.end) == expected


def test_a_day_after_the_14th_belongs_to_the_next_month_and_year() -> None:
    assert reporting_month(date(2026, 11, 30)) == (2026, 12)
    assert reporting_month(date(2026, 12, 14)) == (2026, 12)
    assert reporting_month(date(2026, 12, 15)) == (2027, 1)
    assert period_of("year", date(2026, 12, 15)).year == 2027
    assert period_key(date(2026, 11, 30), "month", 15) == "2026-12"
    assert period_key(date(2026, 11, 30), "month") == "2026-11"
    assert period_key(date(2026, 12, 20), "quarter", 15) == "2027-Q1"
    assert period_key(date(2026, 12, 20), "year", 15) == "2027"
    assert month_span(2026, 3, 1) == (date(2026, 3, 1), date(2026, 3, 31))


def test_labels() -> None:
    assert period(kind="half", year=2026, month=3).label() == "6 tháng đầu năm 2026"
    assert period("half", 2026, 9).label() == "6 tháng cuối năm 2026"
    assert period("nine_months", 2026, 9).label() == "9 tháng năm 2026"
    assert period("quarter", 2026, 9).label("en") == "Q3 2026"
    assert period_label("2026-12", "month") == "Tháng 12/2026"
    assert period_label("2026-Q4", "quarter") == "Quý IV/2026"


def test_presets_follow_the_cutoff() -> None:
    today = date(2026, 11, 27)
    assert preset_range("month", today, 15) == (date(2026, 11, 15), date(2026, 12, 14))
    assert preset_range("quarter", today, 15) == (date(2026, 9, 15), date(2026, 12, 14))
    assert preset_range("half", today, 15) == (date(2026, 6, 15), date(2026, 12, 14))
    assert preset_range("nine_months", today, 15) == (date(2025, 12, 15), date(2026, 9, 14))
    assert preset_range("year", today, 15) == (date(2025, 12, 15), date(2026, 12, 14))
    assert preset_range("week", today, 15) == (date(2026, 11, 23), date(2026, 11, 29))


def test_split_months_keeps_whole_only_the_months_a_period_holds() -> None:
    """GIVEN the year 2026 closing on the 15th WHEN split for monthly periods THEN no calendar
    month is whole (each straddles two periods) and the days come as one joined range; for
    quarters, the months that lie inside one quarter are taken whole."""
    start, end = date(2025, 12, 15), date(2026, 12, 14)

    def inside(by):
        return lambda first: month_in_one_group(first, by, 15)

    assert split_months(start, end, inside("month")) == ([], [(start, end)])
    months, edges = split_months(start, end, inside("quarter"))
    assert months == [date(2026, m, 1) for m in (1, 2, 4, 5, 7, 8, 10, 11)]
    assert edges[0] == (date(2025, 12, 15), date(2025, 12, 31))
    assert edges[1] == (date(2026, 3, 1), date(2026, 3, 31))
    assert edges[-1] == (date(2026, 12, 1), date(2026, 12, 14))
    assert split_months(start, end, inside("counter"))[0][0] == date(2026, 1, 1)
    assert month_in_one_group(date(2026, 3, 1), "quarter", 1)


@pytest.mark.parametrize("bad", [0, 29, -1])
def test_bad_cutoff(bad) -> None:
    with pytest.raises(ValueError, match="cut-off"):
        check_cutoff(bad)


def test_parse_month() -> None:
    assert parse_month("2026-12") == (2026, 12)
    for bad in ("2026-13", "2026-1", "26-12", "2026/12", "", "1999-12", "2026-00"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            parse_month(bad)
    with pytest.raises(ValueError, match="unknown period"):
        period("fortnight", 2026, 1)
    with pytest.raises(ValueError, match="not a month key"):
        period_from_key("month", "2026-Q4")
