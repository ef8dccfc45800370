"""One truth per workbook: every sheet, the form and its PDF hold the same totals, with
the flagged ratings left out or taken in alike, and say how many were flagged."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from hub.reports import FORM_SHEET, build_csv, build_form, build_pdf, build_xlsx
from hub.reports.form import count_text
from tests.support.history import demo_history

MONTH = (date(2026, 11, 15), date(2026, 12, 14))
GROUPINGS = ["counter", "staff", "service", "day", "month", "quarter", "year", "site"]
LEVELS = ("Rất hài lòng", "Hài lòng", "Không hài lòng")


@pytest.fixture
def history(hub, api):
    return demo_history(hub, api)


def table_totals(ws) -> tuple[tuple[int, ...], int, int]:
    """``(counts per level, total, flagged)`` of a grouping sheet's total line; checks that
    its lines' flagged counts add up to it."""
    head = [c.value for c in ws[4]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    *lines, total = rows
    assert total[1] == "Tổng cộng"
    flagged_col = next(i for i, h in enumerate(head) if h.startswith("Bị gắn cờ nghi vấn"))
    assert sum(line[flagged_col] for line in lines) == total[flagged_col]
    counts = tuple(total[head.index(f"{name} (lượt)")] for name in LEVELS)
    return counts, total[head.index("Tổng lượt đánh giá")], total[flagged_col]


def form_totals(ws) -> tuple[tuple[int, ...], int, str]:
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    total = next(r for r in rows if r[1] == "Tổng cộng")
    note = next(r[0] for r in rows if str(r[0]).startswith("Ghi chú"))
    return tuple(total[4::2]), total[3], note


@pytest.mark.parametrize("include_flagged", [False, True])
def test_every_sheet_holds_the_same_totals(hub, history, include_flagged) -> None:
    """GIVEN six weeks of ratings, 12 of them flagged WHEN the month's workbook, CSV and PDF
    are built (with and without --include-flagged) THEN every grouping sheet, the form
    sheet, the CSV and the PDF hold the same counts and total, and each says how many
    ratings were flagged: left out, or taken in (then the totals are that much higher)."""
    data = build_xlsx(hub.stats, "satisfaction", *MONTH, GROUPINGS, site_name="x",
                      include_flagged=include_flagged)  # fmt: skip
    wb = load_workbook(io.BytesIO(data))
    found = {name: table_totals(wb[name]) for name in wb.sheetnames if name != FORM_SHEET}
    assert len(found) == len(GROUPINGS)
    assert len(set(found.values())) == 1, found
    counts, total, flagged = next(iter(found.values()))
    assert flagged == 12 and total > 100
    heads = {wb[name]["H4"].value for name in found}
    assert heads == {"Bị gắn cờ nghi vấn (đã tính)" if include_flagged
                     else "Bị gắn cờ nghi vấn (không tính)"}  # fmt: skip
    form_counts, form_total, note = form_totals(wb[FORM_SHEET])
    assert (form_counts, form_total) == (counts, total)
    assert ("đã tính cả 12 phiếu" if include_flagged else "12 phiếu đánh giá bị gắn cờ") in note
    rows = list(csv.reader(io.StringIO(build_csv(hub.stats, "satisfaction", *MONTH, "counter",
                include_flagged=include_flagged).decode("utf-8-sig"))))  # fmt: skip
    assert rows[-1][1] == "Tổng cộng" and int(rows[-1][5]) == total and int(rows[-1][7]) == 12
    form = build_form(hub.stats, *MONTH, made_on=MONTH[1], include_flagged=include_flagged)
    text = PdfReader(io.BytesIO(build_pdf(form))).pages[0].extract_text()
    assert f"Tổng cộng {count_text(total)} {count_text(counts[0])} " in text and note in text
    plain = build_xlsx(hub.stats, "satisfaction", *MONTH, ["site"], site_name="x")
    plain_total = table_totals(load_workbook(io.BytesIO(plain))["Theo đơn vị"])[1]
    assert total == plain_total + (12 if include_flagged else 0)
