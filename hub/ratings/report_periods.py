"""Reporting periods (*kỳ báo cáo*) that close on a cut-off day, with no I/O.

State periodic reports do not close on calendar months. NĐ 09/2019/NĐ-CP
(Điều 12, *thời gian chốt số liệu*), as the provinces apply it (e.g. Khánh Hòa,
QĐ 01/2023, Điều 4), closes them on the 14th:

* month: from the 15th of the month before to the 14th of the month;
* quarter: from the 15th of the month before the quarter to the 14th of its
  last month;
* 6 months: 15/12 of the year before to 14/6; 9 months: 15/12 to 14/9;
* year: 15/12 of the year before to 14/12.

The cut-off day (``[reports] period_cutoff_day``) is the first day of a
reporting month: 15 by default; 1 gives calendar periods. A reporting month is
named after the month it closes in, so with the cut-off on the 15th, 30/11/2026
belongs to *Tháng 12/2026* (15/11/2026–14/12/2026) and 20/12/2026 to the year
2027.

``half`` is the first or the second half of the reporting year (the 6-month
report is the first); ``nine_months`` is the first nine months of the reporting
year, the 9-month report, whatever month it is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("month", "quarter", "half", "nine_months", "year")
"""The reporting periods, shortest first."""
DEFAULT_CUTOFF = 15
MAX_CUTOFF = 28
"""Every month has this day, so every reporting month has the same shape."""
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_MONTHS = {  # kind → (months in one period, how many periods a year)
    "month": (1, 12),
    "quarter": (3, 4),
    "half": (6, 2),
    "nine_months": (9, 1),
    "year": (12, 1),
}


@dataclass(frozen=True)
class Period:
    """One reporting period: its kind, reporting year, number in the year and days.

    ``number`` is the month (1–12), the quarter (1–4) or the half (1–2); 1 for the
    nine months and the year. ``start`` and ``end`` are inclusive.
    """

    kind: str
    year: int
    number: int
    start: date
    end: date

    @property
    def key(self) -> str:
        """``2026-12``, ``2026-Q4``, ``2026-H1``, ``2026-M9`` or ``2026``."""
        if self.kind == "month":
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.number}"
        if self.kind == "half":
            return f"{self.year:04d}-H{self.number}"
        if self.kind == "nine_months":
            return f"{self.year:04d}-M9"
        return f"{self.year:04d}"

    def label(self, lang: str = "vi") -> str:
        """``Tháng 12/2026``, ``Quý IV/2026``, ``6 tháng đầu năm 2026``, … (``en``: English)."""
        vi = lang != "en"
        if self.kind == "month":
            return f"Tháng {self.number}/{self.year}" if vi else f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"Quý {ROMAN[self.number]}/{self.year}" if vi else f"Q{self.number} {self.year}"
        if self.kind == "half":
            if vi:
                return f"6 tháng {'đầu' if self.number == 1 else 'cuối'} năm {self.year}"
            return f"H{self.number} {self.year}"
        if self.kind == "nine_months":
            return f"9 tháng năm {self.year}" if vi else f"9 months {self.year}"
        return f"Năm {self.year}" if vi else str(self.year)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def check_cutoff(cutoff: int) -> int:
    """``cutoff`` when it is a valid cut-off day (1–28).

    Raises:
        ValueError: out of range.
    """
    if not 1 <= cutoff <= MAX_CUTOFF:
        raise ValueError(f"the cut-off day must be 1–{MAX_CUTOFF}, not {cutoff}")
    return cutoff


def _month_end(year: int, month: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    """The month ``months`` after (or before) ``year-month``."""
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def reporting_month(day: date, cutoff: int = DEFAULT_CUTOFF) -> tuple[int, int]:
    """``(year, month)`` of the reporting month that holds ``day``."""
    check_cutoff(cutoff)
    if cutoff == 1 or day.day < cutoff:
        return day.year, day.month
    return _shift(day.year, day.month, 1)


def month_span(year: int, month: int, cutoff: int = DEFAULT_CUTOFF) -> tuple[date, date]:
    """The first and last day of reporting month ``year-month``."""
    check_cutoff(cutoff)
    if cutoff == 1:
        return date(year, month, 1), _month_end(year, month)
    before = _shift(year, month, -1)
    return date(*before, cutoff), date(year, month, cutoff - 1)


def period(kind: str, year: int, month: int, cutoff: int = DEFAULT_CUTOFF) -> Period:
    """The period of ``kind`` that holds reporting month ``year-month``.

    ``nine_months`` is the 9-month report of ``year`` for any month.

    Raises:
        ValueError: unknown kind, month out of 1–12 or bad cut-off.
    """
    if kind not in _MONTHS:
        raise ValueError(f"unknown period {kind!r}; known: {', '.join(KINDS)}")
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1–12, not {month}")
    length, _count = _MONTHS[kind]
    number = 1 if kind == "nine_months" else (month - 1) // length + 1
    first = (number - 1) * length + 1
    start = month_span(year, first, cutoff)[0]
    end = month_span(year, first + length - 1, cutoff)[1]
    return Period(kind, year, number, start, end)


def period_of(kind: str, day: date, cutoff: int = DEFAULT_CUTOFF) -> Period:
    """The period of ``kind`` that holds ``day`` (for ``nine_months``: the 9 months of
    ``day``'s reporting year, which may end before ``day``)."""
    return period(kind, *reporting_month(day, cutoff), cutoff)


def period_spanning(start: date, end: date, cutoff: int = DEFAULT_CUTOFF) -> Period | None:
    """The reporting period whose days are exactly ``[start, end]``, if there is one."""
    for kind in KINDS:
        found = period_of(kind, end, cutoff)
        if (found.start, found.end) == (start, end):
            return found
    return None


def periods_of_year(kind: str, year: int, cutoff: int = DEFAULT_CUTOFF) -> list[Period]:
    """Every period of ``kind`` in reporting year ``year``, in order."""
    length, count = _MONTHS[kind] if kind in _MONTHS else (0, 0)
    return [period(kind, year, n * length + 1, cutoff) for n in range(count)]


def period_from_key(kind: str, key: str, cutoff: int = DEFAULT_CUTOFF) -> Period:
    """The period of ``kind`` named by ``key`` (:attr:`Period.key`).

    Raises:
        ValueError: a key that is not of that kind.
    """
    try:
        if kind == "month":
            y, m = key.split("-")
            return period(kind, int(y), int(m), cutoff)
        if kind == "quarter":
            y, q = key.split("-Q")
            return period(kind, int(y), 3 * int(q), cutoff)
        if kind == "half":
            y, h = key.split("-H")
            return period(kind, int(y), 6 * int(h), cutoff)
        if kind == "nine_months":
            return period(kind, int(key.removesuffix("-M9")), 9, cutoff)
        return period(kind, int(key), 12, cutoff)
    except ValueError:
        raise ValueError(f"not a {kind} key: {key!r}") from None


def parse_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` (years 2000–2099) as ``(year, month)``.

    Raises:
        ValueError: not of that shape.
    """
    year, sep, month = text.partition("-")
    if not (sep and len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit()):
        raise ValueError(f"not a month YYYY-MM: {text!r}")
    if not 1 <= int(month) <= 12 or not 2000 <= int(year) <= 2099:
        raise ValueError(f"not a month YYYY-MM: {text!r}")
    return int(year), int(month)
