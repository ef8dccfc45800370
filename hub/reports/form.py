"""The provincial satisfaction form (*BÁO CÁO KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG*) as data.

The provinces' forms (Thanh Hóa's family) count the answers per unit and per
officer: ``Đơn vị | Công chức tiếp nhận | Tổng số phiếu`` then, for each level,
``Số phiếu`` and ``Tỷ lệ`` (to one decimal of a percent). Around the table: the
national header, the title, the question, ``(Từ ngày … đến ngày …)``, the
place-and-date line and the ``Người báo cáo`` signature block.

:func:`build_form` reads the figures once (from :class:`hub.stats.StatsService`,
the same rows as the API and every other sheet, with or without the flagged
ratings) into a :class:`Form`; :mod:`hub.reports.form_sheet` writes it as a
sheet and :mod:`hub.reports.form_pdf` as a PDF, so both say the same. The 0–2
mean score is our own convention, not the form's, and is left off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.ratings.report_periods import period_spanning

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập – Tự do – Hạnh phúc"
TITLE = "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG"
SIGNER = "Người báo cáo"
SIGNER_HINT = "(Ký, ghi rõ họ tên)"
HEADERS = ("STT", "Đơn vị", "Công chức tiếp nhận", "Tổng số phiếu")
PER_LEVEL = ("Số phiếu", "Tỷ lệ")
UNIT_TOTAL = "Cộng"
GRAND_TOTAL = "Tổng cộng"
UNKNOWN = "Không xác định"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
NO_PLACE = "……………"


@dataclass(frozen=True)
class FormRow:
    """One line of the table: a unit's total, one of its officers, or the grand total."""

    kind: str  # "unit", "officer" or "total"
    number: str
    unit: str
    officer: str
    total: int
    counts: tuple[int, ...]

    @property
    def shares(self) -> tuple[float | None, ...]:
        """Each level's share, rounded to one decimal of a percent (0.873 = 87,3 %)."""
        return tuple(share(n, self.total) for n in self.counts)


@dataclass(frozen=True)
class Form:
    """Everything the form shows, in its order."""

    authority: str
    unit_name: str
    place_date: str
    title: str
    period_name: str
    period_line: str
    question: str
    levels: tuple[str, ...]
    rows: tuple[FormRow, ...]
    note: str
    flagged: int
    include_flagged: bool
    start: date
    end: date

    @property
    def total(self) -> FormRow:
        return self.rows[-1]


def share(n: int, total: int) -> float | None:
    """``n / total`` rounded to one decimal of a percent; ``None`` when total is 0."""
    return None if total <= 0 else round(n / total, 3)


def percent_text(value: float | None) -> str:
    """``87,3%`` (a decimal comma, as Vietnamese writes it); ``–`` for no value."""
    return "–" if value is None else f"{100 * value:.1f}".replace(".", ",") + "%"


def count_text(n: int) -> str:
    """``1.100``: a dot between thousands, as Vietnamese writes numbers."""
    return f"{n:,}".replace(",", ".")


def vn_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def days_text(start: date, end: date) -> str:
    """``Ngày 04/12/2026`` for one day, ``Từ 01/12/2026 đến 07/12/2026`` for more."""
    if start == end:
        return f"Ngày {vn_day(start)}"
    return f"Từ {vn_day(start)} đến {vn_day(end)}"


def period_line(start: date, end: date) -> str:
    """The form's line of days: ``(Ngày 04/12/2026)`` or ``(Từ ngày … đến ngày …)``."""
    if start == end:
        return f"(Ngày {vn_day(start)})"
    return f"(Từ ngày {vn_day(start)} đến ngày {vn_day(end)})"


def place_date(place: str, day: date) -> str:
    """``Quảng Nam, ngày 05 tháng 01 năm 2027``: a day under 10 and the months 1 and 2
    take a leading zero, as administrative documents write them (NĐ 30/2020/NĐ-CP)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place or NO_PLACE}, ngày {day.day:02d} tháng {month} năm {day.year}"


def flagged_note(flagged: int, include_flagged: bool) -> str:
    """What the form says of the ratings flagged as suspicious."""
    if flagged == 0:
        return "Ghi chú: trong kỳ không có phiếu đánh giá nào bị gắn cờ nghi vấn."
    if include_flagged:
        return f"Ghi chú: bảng trên đã tính cả {flagged} phiếu đánh giá bị gắn cờ nghi vấn."
    return f"Ghi chú: {flagged} phiếu đánh giá bị gắn cờ nghi vấn không được tính vào bảng trên."


def _counts(row: dict[str, Any], level_ids: list[str]) -> tuple[int, ...]:
    return tuple(int(row["counts"].get(level, 0)) for level in level_ids)


def _officers(
    staff: dict[str, Any], own_site: str, site_names: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """The rows of ``by=staff``, per unit (a forwarded site's keys are ``site/…``)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in staff["rows"]:
        site, sep, _rest = row["key"].partition("/")
        unit = site if sep else own_site
        name = row["label"]
        prefix = f"{site_names.get(unit, unit)} – "
        if sep and name.startswith(prefix):
            name = name[len(prefix) :]
        out.setdefault(unit, []).append({**row, "label": name or UNKNOWN})
    return out


def build_form(
    stats: Any,
    start: date,
    end: date,
    *,
    made_on: date,
    include_flagged: bool = False,
) -> Form:
    """The form of ``[start, end]``, per unit and per officer.

    Args:
        stats: a :class:`hub.stats.StatsService` (its configuration gives the site's
            name and the ``[reports]`` words).
        made_on: the date of the place-and-date line.
        include_flagged: count the flagged ratings too (the note says which).

    When the range is a reporting period (closing on ``[reports] period_cutoff_day``),
    the form names it (``Kỳ báo cáo: Tháng 12/2026``).
    """
    config = stats.config
    units = stats.satisfaction(start, end, "site", include_flagged=include_flagged)
    staff = stats.satisfaction(start, end, "staff", include_flagged=include_flagged)
    level_ids = [lv["id"] for lv in units["levels"]]
    names = {row["key"]: row["label"] for row in units["rows"]}
    per_unit = _officers(staff, config.site.id, names)
    rows: list[FormRow] = []
    found = units["rows"] or [{**units["total"], "key": config.site.id, "label": config.site.name}]
    for i, unit in enumerate(found):
        number = ROMAN[i] if i < len(ROMAN) else str(i + 1)
        total, label = unit["total"], unit["label"]
        rows.append(FormRow("unit", number, label, UNIT_TOTAL, total, _counts(unit, level_ids)))
        officers = sorted(per_unit.get(unit["key"], []), key=lambda r: str(r["label"]).casefold())
        for j, person in enumerate(officers, 1):
            counts = _counts(person, level_ids)
            rows.append(FormRow("officer", str(j), label, person["label"], person["total"], counts))
    grand = units["total"]
    rows.append(FormRow("total", "", GRAND_TOTAL, "", grand["total"], _counts(grand, level_ids)))
    flagged = int(units["flagged"]["total"])
    settings = config.reports
    found = period_spanning(start, end, settings.period_cutoff_day)
    return Form(
        authority=settings.authority,
        unit_name=config.site.name,
        place_date=place_date(settings.place, made_on),
        title=TITLE,
        period_name=found.label() if found else "",
        period_line=period_line(start, end),
        question=f"Câu hỏi: “{settings.question}”",
        levels=tuple(str(lv["label"]) for lv in units["levels"]),
        rows=tuple(rows),
        note=flagged_note(flagged, include_flagged),
        flagged=flagged,
        include_flagged=include_flagged,
        start=start,
        end=end,
    )
