"""Satisfaction figures from counts, with no I/O.

* ``satisfaction_rate`` = ratings at a positive level ÷ all ratings;
* ``mean_score`` = mean of the levels' scores (0–2 with the default levels: our own
  convention, not a figure of the government's forms, which count and share only);
* ``coverage`` = rated tickets ÷ served tickets.

Rates are ``None`` when there is nothing to divide by: an empty counter has no
rate, which is not the same as a rate of 0 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hub.ratings.periods import month_end
from hub.ratings.report_periods import DEFAULT_CUTOFF, period_from_key, period_of

GROUPINGS = ("counter", "staff", "service", "day", "month", "quarter", "year", "site")
PERIODS = ("day", "month", "quarter", "year")


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def period_key(day: date, by: str, cutoff: int = 1) -> str:
    """The grouping key of a site-local day for a period grouping: the day, or the
    reporting month, quarter or year (closing on the ``cutoff`` day; 1: calendar)."""
    if by == "day":
        return day.isoformat()
    if by in PERIODS:
        return period_of(by, day, cutoff).key
    raise ValueError(f"not a period grouping: {by}")


def month_in_one_group(first: date, by: str, cutoff: int = 1) -> bool:
    """Whether the calendar month starting on ``first`` lies in one group of ``by`` (so
    its monthly rollup can stand for it): always, but for the reporting periods that
    close inside it (with the cut-off on the 15th: every month for ``month``)."""
    if by not in PERIODS or by == "day":
        return True
    return period_key(first, by, cutoff) == period_key(month_end(first), by, cutoff)


def period_label(key: str, by: str, lang: str = "vi") -> str:
    """A human label for a period key (``2026-11`` → ``Tháng 11/2026``)."""
    if by == "day":
        y, m, d = key.split("-")
        return f"{d}/{m}/{y}"
    if by in PERIODS:
        return period_from_key(by, key, DEFAULT_CUTOFF).label(lang)
    raise ValueError(f"not a period grouping: {by}")


def coverage(rated: int, served: int) -> float | None:
    """Rated ÷ served, ``None`` when nothing was served."""
    return None if served <= 0 else rated / served


@dataclass
class Tally:
    """Counts per level and the sums needed for the figures of one group."""

    counts: dict[str, int] = field(default_factory=dict)
    score_sum: float = 0.0
    positive: int = 0
    served: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, level: str, n: int, score_sum: float, positive: bool) -> None:
        self.counts[level] = self.counts.get(level, 0) + n
        self.score_sum += score_sum
        if positive:
            self.positive += n

    def merge(self, other: Tally) -> None:
        for level, n in other.counts.items():
            self.counts[level] = self.counts.get(level, 0) + n
        self.score_sum += other.score_sum
        self.positive += other.positive
        self.served += other.served

    @property
    def satisfaction_rate(self) -> float | None:
        return None if self.total == 0 else self.positive / self.total

    @property
    def mean_score(self) -> float | None:
        return None if self.total == 0 else self.score_sum / self.total

    def figures(self, levels: list[str]) -> dict[str, object]:
        """The wire figures: total, counts for every level, rates, served, coverage."""
        return {
            "total": self.total,
            "counts": {level: self.counts.get(level, 0) for level in levels},
            "satisfaction_rate": _round(self.satisfaction_rate),
            "mean_score": _round(self.mean_score),
            "served": self.served,
            "coverage": _round(coverage(self.total, self.served)),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
