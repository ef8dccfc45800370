"""Satisfaction and queue reports as XLSX (openpyxl) or CSV, with Vietnamese headers.

An XLSX report has one sheet per grouping (counter, staff, field, month, …)
and, for satisfaction, the province's form (:mod:`hub.reports.form`): by unit
and by officer, the count and share of each level. A CSV report holds the first
grouping only (one table per file). The rows are those of
``GET /stats/satisfaction`` and ``/stats/queue``, all read with the same
``include_flagged``, so every sheet of one file holds the same totals; each
satisfaction sheet says, beside the rate, how many flagged ratings it left out
(or took in). Month, quarter and year rows are reporting periods closing on
``[reports] period_cutoff_day``; with a cut-off other than the 1st their label
gives their days.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from hub.ratings.report_periods import period_from_key, period_spanning
from hub.reports.cells import text_cell
from hub.reports.form import build_form, days_text, vn_day
from hub.reports.form_sheet import write_form_sheet

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
KINDS = ("satisfaction", "queue")
DEFAULT_BY = {
    "satisfaction": ("counter", "staff", "service", "month"),
    "queue": ("counter", "service", "day"),
}
GROUP_TITLES = {
    "counter": "Quầy",
    "staff": "Cán bộ",
    "service": "Lĩnh vực",
    "day": "Ngày",
    "month": "Tháng",
    "quarter": "Quý",
    "year": "Năm",
    "site": "Đơn vị",
}
SHEET_TITLES = {
    "counter": "Theo quầy",
    "staff": "Theo cán bộ",
    "service": "Theo lĩnh vực",
    "day": "Theo ngày",
    "month": "Theo tháng",
    "quarter": "Theo quý",
    "year": "Theo năm",
    "site": "Theo đơn vị",
}
FORM_SHEET = "Mẫu đánh giá"
RATE = "Tỷ lệ hài lòng tại quầy"
MEAN = "Điểm trung bình (thang 0–2, quy ước của hệ thống)"
FLAGGED_OUT = "Bị gắn cờ nghi vấn (không tính)"
FLAGGED_IN = "Bị gắn cờ nghi vấn (đã tính)"
PERCENT_HEADERS = (RATE, "Tỷ lệ được đánh giá")
PERIOD_GROUPS = ("month", "quarter", "year")
QUEUE_HEADERS = (
    ("issued", "Số phiếu đã cấp"),
    ("served", "Đã phục vụ"),
    ("no_show", "Vắng mặt"),
    ("cancelled", "Đã hủy"),
    ("waiting", "Đang chờ"),
    ("avg_wait_s", "Thời gian chờ TB (phút)"),
    ("avg_service_s", "Thời gian phục vụ TB (phút)"),
)
HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
HEAD_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
PERCENT = "0.00%"
CSV_SEPARATORS = (",", ";")
"""The CSV separators: the comma of RFC 4180 (the default) or the semicolon."""


def satisfaction_headers(
    levels: Sequence[dict[str, Any]], by: str, include_flagged: bool = False
) -> list[str]:
    """The header row of a satisfaction table."""
    return [
        "STT",
        GROUP_TITLES[by],
        *[f"{lv['label']} (lượt)" for lv in levels],
        "Tổng lượt đánh giá",
        RATE,
        FLAGGED_IN if include_flagged else FLAGGED_OUT,
        MEAN,
        "Lượt phục vụ",
        "Tỷ lệ được đánh giá",
    ]


def satisfaction_row(
    i: int | str, row: dict[str, Any], levels: Sequence[dict[str, Any]], flagged: int
) -> list[Any]:
    return [
        i,
        text_cell(row["label"]),
        *[row["counts"].get(lv["id"], 0) for lv in levels],
        row["total"],
        row["satisfaction_rate"],
        flagged,
        row["mean_score"],
        row["served"],
        row["coverage"],
    ]


def period_row_label(by: str, key: str, label: str, cutoff: int, start: date, end: date) -> str:
    """A reporting period's label with its days when they are not a calendar period's;
    a period the report's range ``[start, end]`` cuts is named by the days it holds
    (``Ngày 04/12/2026``), never by the whole period's name."""
    if by not in PERIOD_GROUPS:
        return label
    found = period_from_key(by, key, cutoff)
    first, last = max(found.start, start), min(found.end, end)
    if (first, last) != (found.start, found.end):
        return days_text(first, last)
    if cutoff == 1:
        return label
    return f"{label} ({vn_day(found.start)} – {vn_day(found.end)})"


def report_period(start: date, end: date, cutoff: int) -> str:
    """The period a report's subtitle names: a reporting period with its days
    (``Tháng 12/2026 (15/11/2026 – 14/12/2026)``), else the days (``Ngày 04/12/2026``)."""
    found = period_spanning(start, end, cutoff)
    if found is None:
        return days_text(start, end)
    return f"{found.label()} ({vn_day(start)} – {vn_day(end)})"


def queue_headers(by: str) -> list[str]:
    return ["STT", GROUP_TITLES[by], *[h for _, h in QUEUE_HEADERS]]


def queue_row(i: int | str, row: dict[str, Any]) -> list[Any]:
    out: list[Any] = [i, text_cell(row["label"])]
    for key, _ in QUEUE_HEADERS:
        value = row.get(key)
        if key.startswith("avg_") and value is not None:
            value = round(value / 60, 1)
        out.append(value)
    return out


def table(
    kind: str, result: dict[str, Any], flagged: dict[str, int] | None = None, cutoff: int = 1
) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows (the total last) of one stats answer.

    Args:
        flagged: the flagged ratings of each group (:meth:`StatsService.flagged_by`).
        cutoff: the reporting periods' cut-off day (for the labels of periods).
    """
    by = result["by"]
    start, end = date.fromisoformat(result["from"]), date.fromisoformat(result["to"])
    found = [
        r | {"label": period_row_label(by, r["key"], r["label"], cutoff, start, end)}
        for r in result["rows"]
    ]
    if kind == "satisfaction":
        levels, per_group = result["levels"], flagged or {}
        rows = [
            satisfaction_row(i, r, levels, per_group.get(r["key"], 0))
            for i, r in enumerate(found, 1)
        ]
        rows.append(satisfaction_row("", result["total"], levels, result["flagged"]["total"]))
        return satisfaction_headers(levels, by, result["include_flagged"]), rows
    rows = [queue_row(i, r) for i, r in enumerate(found, 1)]
    rows.append(queue_row("", result["total"]))
    return queue_headers(by), rows


def _write_table(
    ws: Any, title: str, subtitle: str, headers: list[str], rows: list[list[Any]], kind: str
) -> None:
    ws.append([title])
    ws.append([subtitle])
    ws.append([])
    ws.append(headers)
    ws["A1"].font = Font(bold=True, size=14)
    head = ws.max_row
    for col in range(1, len(headers) + 1):
        cell = ws.cell(row=head, column=col)
        cell.fill, cell.font, cell.border = HEAD_FILL, HEAD_FONT, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for values in rows:
        ws.append(values)
        r = ws.max_row
        for col in range(1, len(headers) + 1):
            ws.cell(row=r, column=col).border = BOX
        for col, name in enumerate(headers, 1):
            if name in PERCENT_HEADERS:
                ws.cell(row=r, column=col).number_format = PERCENT
            elif name == MEAN:
                ws.cell(row=r, column=col).number_format = "0.00"
    last = ws.max_row
    for col in range(1, len(headers) + 1):
        ws.cell(row=last, column=col).font = Font(bold=True)
    ws.cell(row=last, column=2).value = "Tổng cộng"
    ws.row_dimensions[head].height = 45
    ws.freeze_panes = ws.cell(row=head + 1, column=3)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 34
    for col in range(3, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 16


def run_query(
    stats: Any, kind: str, start: date, end: date, by: str, include_flagged: bool
) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of one grouping (:func:`table`)."""
    if kind == "satisfaction":
        result = stats.satisfaction(start, end, by, include_flagged=include_flagged)
        return table(kind, result, stats.flagged_by(start, end, by), stats.cutoff)
    return table(kind, stats.queue(start, end, by), cutoff=stats.cutoff)


def build_xlsx(
    stats: Any,
    kind: str,
    start: date,
    end: date,
    groupings: Sequence[str],
    *,
    site_name: str,
    include_flagged: bool = False,
    progress: Progress | None = None,
    made_on: date | None = None,
) -> bytes:
    """The XLSX report as bytes.

    Args:
        stats: a :class:`hub.stats.StatsService`.
        kind: ``satisfaction`` or ``queue``.
        start, end: the period, inclusive, in the site's timezone.
        groupings: one sheet per grouping key.
        site_name: printed in each sheet's title.
        include_flagged: count flagged ratings too, in every sheet.
        progress: called with (step, steps, what) as the report is built.
        made_on: the date of the form's place-and-date line (default: ``end``).
    """
    steps = len(groupings) + (1 if kind == "satisfaction" else 0) + 1
    done = 0

    def tick(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, steps, what)

    wb = Workbook()
    wb.remove(wb.active)
    title = (
        "BÁO CÁO MỨC ĐỘ HÀI LÒNG TẠI QUẦY"
        if kind == "satisfaction"
        else "BÁO CÁO HOẠT ĐỘNG XẾP HÀNG"
    )
    subtitle = text_cell(f"{site_name} — Kỳ báo cáo: {report_period(start, end, stats.cutoff)}")
    if kind == "satisfaction" and include_flagged:
        subtitle += " (gồm cả đánh giá bị gắn cờ)"
    for by in groupings:
        tick(SHEET_TITLES[by])
        headers, rows = run_query(stats, kind, start, end, by, include_flagged)
        _write_table(wb.create_sheet(SHEET_TITLES[by]), title, subtitle, headers, rows, kind)
    if kind == "satisfaction":
        tick(FORM_SHEET)
        form = build_form(
            stats, start, end, made_on=made_on or end, include_flagged=include_flagged
        )
        write_form_sheet(wb.create_sheet(FORM_SHEET), form)
    buffer = io.BytesIO()
    wb.save(buffer)
    tick("xlsx")
    return buffer.getvalue()


def build_csv(
    stats: Any,
    kind: str,
    start: date,
    end: date,
    by: str,
    *,
    include_flagged: bool = False,
    sep: str = ",",
) -> bytes:
    """One grouping as CSV, in UTF-8 with a BOM (so Excel reads the diacritics).

    Args:
        sep: ``,`` (the default, RFC 4180: numbers with a decimal point, as programs
            read them) or ``;`` (for an Excel whose Windows list separator is ``;``, set to
            a decimal comma: numbers with a decimal comma, so it reads them as numbers).
            docs/reports.md says which to choose.

    Raises:
        ValueError: another separator.
    """
    if sep not in CSV_SEPARATORS:
        raise ValueError(f"CSV separator must be one of {' '.join(CSV_SEPARATORS)}, not {sep!r}")
    headers, rows = run_query(stats, kind, start, end, by, include_flagged)
    rows[-1][1] = "Tổng cộng"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep)
    writer.writerow(headers)
    writer.writerows([_csv_number(cell, sep) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_number(cell: Any, sep: str) -> Any:
    """A float with the decimal comma of a ``;`` file; anything else as it is."""
    if sep == ";" and isinstance(cell, float):
        return repr(cell).replace(".", ",")
    return cell


def filename(kind: str, start: date, end: date, fmt: str) -> str:
    name = "bao-cao-hai-long" if kind == "satisfaction" else "bao-cao-xep-hang"
    return f"{name}_{start.isoformat()}_{end.isoformat()}.{fmt}"
