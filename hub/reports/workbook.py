"""Satisfaction and queue reports as XLSX (openpyxl) or CSV, with Vietnamese headers.

An XLSX report has one sheet per grouping (counter, staff, field, month, …)
and, for satisfaction, a sheet shaped like the province's evaluation form:
for each unit (site) and period, the count and share of each level. A CSV
report holds the first grouping only (one table per file). The rows are those
of ``GET /stats/satisfaction`` and ``/stats/queue``.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from hub.ratings.periods import month_end
from hub.reports.cells import text_cell

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


def vn_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def satisfaction_headers(levels: Sequence[dict[str, Any]], by: str) -> list[str]:
    """The header row of a satisfaction table."""
    return [
        "STT",
        GROUP_TITLES[by],
        *[f"{lv['label']} (lượt)" for lv in levels],
        "Tổng lượt đánh giá",
        "Tỷ lệ hài lòng tại quầy",
        "Điểm trung bình (thang 0–2)",
        "Lượt phục vụ",
        "Tỷ lệ được đánh giá",
    ]


def satisfaction_row(
    i: int | str, row: dict[str, Any], levels: Sequence[dict[str, Any]]
) -> list[Any]:
    return [
        i,
        text_cell(row["label"]),
        *[row["counts"].get(lv["id"], 0) for lv in levels],
        row["total"],
        row["satisfaction_rate"],
        row["mean_score"],
        row["served"],
        row["coverage"],
    ]


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


def table(kind: str, result: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows (the total last) of one stats answer."""
    by = result["by"]
    if kind == "satisfaction":
        levels = result["levels"]
        rows = [satisfaction_row(i, r, levels) for i, r in enumerate(result["rows"], 1)]
        rows.append(satisfaction_row("", result["total"], levels))
        return satisfaction_headers(levels, by), rows
    rows = [queue_row(i, r) for i, r in enumerate(result["rows"], 1)]
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
        if kind == "satisfaction":
            n = len(headers)
            for col in (n - 3, n):
                ws.cell(row=r, column=col).number_format = PERCENT
            ws.cell(row=r, column=n - 2).number_format = "0.00"
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


def _form_sheet(
    wb: Workbook, stats: Any, start: date, end: date, site_name: str, tick: Callable[[str], None]
) -> None:
    """The provincial evaluation form: each unit × period, count and % per level."""
    ws = wb.create_sheet(FORM_SHEET)
    ws.append(["KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG TẠI QUẦY"])
    ws.append([text_cell(f"{site_name} — Kỳ báo cáo: {vn_date(start)} – {vn_date(end)}")])
    ws.append([])
    ws["A1"].font = Font(bold=True, size=14)
    periods: list[tuple[str, date, date]] = []
    cursor = start
    while cursor <= end:
        last = min(month_end(cursor), end)
        periods.append((f"Tháng {cursor.month}/{cursor.year}", cursor, last))
        cursor = last + timedelta(days=1)
    periods.append(("Cả kỳ", start, end))
    first = stats.satisfaction(start, end, "site")
    levels = first["levels"]
    head1 = ["STT", "Đơn vị", "Kỳ"]
    head2 = ["", "", ""]
    for lv in levels:
        head1 += [lv["label"], ""]
        head2 += ["Số lượng", "Tỷ lệ (%)"]
    head1 += ["Tổng số lượt đánh giá"]
    head2 += [""]
    ws.append(head1)
    ws.append(head2)
    top = ws.max_row - 1
    for col in range(1, len(head1) + 1):
        for r in (top, top + 1):
            cell = ws.cell(row=r, column=col)
            cell.fill, cell.font, cell.border = HEAD_FILL, HEAD_FONT, BOX
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for i in range(len(levels)):
        ws.merge_cells(start_row=top, start_column=4 + 2 * i, end_row=top, end_column=5 + 2 * i)
    for col in (1, 2, 3, len(head1)):
        ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
    n = 0
    for label, lo, hi in periods:
        tick(label)
        result = stats.satisfaction(lo, hi, "site")
        for row in result["rows"] or [result["total"] | {"label": site_name}]:
            n += 1
            values: list[Any] = [n, text_cell(row["label"]), label]
            for lv in levels:
                count = row["counts"].get(lv["id"], 0)
                values += [count, count / row["total"] if row["total"] else None]
            values.append(row["total"])
            ws.append(values)
            r = ws.max_row
            for col in range(1, len(values) + 1):
                ws.cell(row=r, column=col).border = BOX
            for i in range(len(levels)):
                ws.cell(row=r, column=5 + 2 * i).number_format = PERCENT
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 16
    for col in range(4, len(head1) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 13


def run_queries(
    stats: Any, kind: str, start: date, end: date, groupings: Sequence[str], include_flagged: bool
) -> list[dict[str, Any]]:
    if kind == "satisfaction":
        return [
            stats.satisfaction(start, end, by, include_flagged=include_flagged) for by in groupings
        ]
    return [stats.queue(start, end, by) for by in groupings]


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
) -> bytes:
    """The XLSX report as bytes.

    Args:
        stats: a :class:`hub.stats.StatsService`.
        kind: ``satisfaction`` or ``queue``.
        start, end: the period, inclusive, in the site's timezone.
        groupings: one sheet per grouping key.
        site_name: printed in each sheet's title.
        include_flagged: count flagged ratings too.
        progress: called with (step, steps, what) as the report is built.
    """
    steps = len(groupings) + (_form_steps(start, end) if kind == "satisfaction" else 0) + 1
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
    subtitle = text_cell(f"{site_name} — Kỳ báo cáo: {vn_date(start)} – {vn_date(end)}")
    if kind == "satisfaction" and include_flagged:
        subtitle += " (gồm cả đánh giá bị gắn cờ)"
    for by in groupings:
        tick(SHEET_TITLES[by])
        result = run_queries(stats, kind, start, end, [by], include_flagged)[0]
        headers, rows = table(kind, result)
        _write_table(wb.create_sheet(SHEET_TITLES[by]), title, subtitle, headers, rows, kind)
    if kind == "satisfaction":
        _form_sheet(wb, stats, start, end, site_name, tick)
    buffer = io.BytesIO()
    wb.save(buffer)
    tick("xlsx")
    return buffer.getvalue()


def _form_steps(start: date, end: date) -> int:
    steps, cursor = 1, start
    while cursor <= end:
        steps += 1
        cursor = min(month_end(cursor), end) + timedelta(days=1)
    return steps


def build_csv(
    stats: Any, kind: str, start: date, end: date, by: str, *, include_flagged: bool = False
) -> bytes:
    """One grouping as CSV (UTF-8 with a BOM, so spreadsheet programs read the diacritics)."""
    result = run_queries(stats, kind, start, end, [by], include_flagged)[0]
    headers, rows = table(kind, result)
    rows[-1][1] = "Tổng cộng"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def filename(kind: str, start: date, end: date, fmt: str) -> str:
    name = "bao-cao-hai-long" if kind == "satisfaction" else "bao-cao-xep-hang"
    return f"{name}_{start.isoformat()}_{end.isoformat()}.{fmt}"
