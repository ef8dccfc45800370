"""The provincial form: its sheet and its PDF say the same, laid out as the province's."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pypdfium2
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from config.reports import ReportSettings
from config.schema import Config
from hub.reports import FORM_SHEET, build_form, build_pdf, build_xlsx
from hub.reports.form import count_text, flagged_note, percent_text, place_date
from tests.support.history import demo_history

MONTH = (date(2026, 11, 15), date(2026, 12, 14))  # Tháng 12/2026, closing on the 14th
MADE_ON = date(2026, 12, 15)


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


@pytest.fixture
def demo_config(demo_config: Config) -> Config:
    """The demo with the form's words of a province (the default cut-off, the 15th)."""
    words = ReportSettings(authority="UBND TỈNH THANH HÓA", place="Thanh Hóa")
    return replace(demo_config, reports=words)


@pytest.fixture
def history(hub, api):
    return demo_history(hub, api)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def sheet_text(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_form_sheet_is_laid_out_as_the_provincial_form(hub, history) -> None:
    """GIVEN six weeks of ratings WHEN the month's workbook is built THEN its form sheet has
    the national header, the place and date, the title, the period, the question, the table
    by unit and officer with one-decimal shares, the note and the signature block; and no
    0–2 mean score (our convention, not the form's)."""
    data = build_xlsx(hub.stats, "satisfaction", *MONTH, ["counter"],
                      site_name=hub.config.site.name, made_on=MADE_ON)  # fmt: skip
    ws = load_workbook(io.BytesIO(data))[FORM_SHEET]
    cells = sheet_text(ws)
    flat = [v for row in cells for v in row if v is not None]
    assert (
        cells[0][0] == "UBND TỈNH THANH HÓA" and cells[0][4] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    )
    assert cells[1][0] == hub.config.site.name.upper()
    assert cells[1][4] == "Độc lập – Tự do – Hạnh phúc"
    assert cells[3][4] == "Thanh Hóa, ngày 15 tháng 12 năm 2026"
    assert cells[5][0] == "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG"
    assert cells[6][0] == "Kỳ báo cáo: Tháng 12/2026"
    assert cells[7][0] == "(Từ ngày 15/11/2026 đến ngày 14/12/2026)"
    assert cells[8][0].startswith("Câu hỏi: “Ông/Bà đánh giá thế nào")
    head = cells[10]
    assert head == ["STT", "Đơn vị", "Công chức tiếp nhận", "Tổng số phiếu", "Rất hài lòng",
                    None, "Hài lòng", None, "Không hài lòng", None]  # fmt: skip
    assert cells[11][4:] == ["Số phiếu", "Tỷ lệ"] * 3
    unit, *officers, total = [r for r in cells[12:] if r[3] is not None]
    assert unit[:3] == ["I", hub.config.site.name, "Cộng"] and total[1] == "Tổng cộng"
    assert [o[2] for o in officers] == ["Canbo1", "Canbo2", "Canbo3"]
    assert sum(o[3] for o in officers) == unit[3] == total[3] > 100
    for row in (unit, *officers, total):
        counts, shares = row[4::2], row[5::2]
        assert sum(counts) == row[3]
        assert shares == [round(n / row[3], 3) for n in counts]  # one decimal of a percent
    assert ws.cell(row=13, column=6).number_format == "0.0%"
    assert any(str(v).startswith("Ghi chú: 12 phiếu đánh giá bị gắn cờ nghi vấn") for v in flat)
    assert "Người báo cáo" in flat and "(Ký, ghi rõ họ tên)" in flat
    assert not any("Điểm trung bình" in str(v) or "0–2" in str(v) for v in flat)
    assert ws.page_setup.orientation == "landscape"


def test_the_pdf_says_what_the_sheet_says_and_is_drawn(hub, history, tmp_path) -> None:
    """GIVEN the month's form WHEN written as a PDF THEN its extracted text holds the header,
    the period, every officer with the same counts and shares (decimal comma), the note and
    the signature block; its first page, rendered, is a drawn page, not a blank one."""
    form = build_form(hub.stats, *MONTH, made_on=MADE_ON)
    data = build_pdf(form)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for words in ("UBND TỈNH THANH HÓA", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "Độc lập – Tự do – Hạnh phúc", "Thanh Hóa, ngày 15 tháng 12 năm 2026",
                  "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG", "Kỳ báo cáo: Tháng 12/2026",
                  "(Từ ngày 15/11/2026 đến ngày 14/12/2026)", "Công chức tiếp nhận",
                  "Tổng số phiếu", "Số phiếu", "Tỷ lệ", form.note, "Người báo cáo",
                  "(Ký, ghi rõ họ tên)", "Tổng cộng"):  # fmt: skip
        assert words in text, words
    lines = text.splitlines()
    for row in form.rows[1:-1]:  # each officer's line: name, total, then count and share
        numbers = [count_text(row.total)] + [x for n, s in zip(row.counts, row.shares, strict=True)
                                             for x in (count_text(n), percent_text(s))]  # fmt: skip
        assert any(row.officer in line and " ".join(numbers) in line for line in lines), row
    assert "Điểm trung bình" not in text
    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=1).to_pil().convert("L")
    image.save(tmp_path / "form.png")
    assert image.width > image.height  # A4 landscape
    dark = sum(image.histogram()[:128])
    assert 0.01 < dark / (image.width * image.height) < 0.5


def test_form_words() -> None:
    assert place_date("Thanh Hóa", date(2027, 1, 5)) == "Thanh Hóa, ngày 05 tháng 01 năm 2027"
    assert place_date("", date(2026, 11, 27)) == "……………, ngày 27 tháng 11 năm 2026"
    assert percent_text(0.873) == "87,3%" and percent_text(None) == "–"
    assert percent_text(round(2 / 3, 3)) == "66,7%" and count_text(1100) == "1.100"
    assert "không được tính" in flagged_note(3, False) and "đã tính cả 3" in flagged_note(3, True)
    assert "không có phiếu" in flagged_note(0, False)


def _row(key: str, label: str, counts: tuple[int, int, int]) -> dict:
    ids = ("very_satisfied", "satisfied", "unsatisfied")
    per_level = dict(zip(ids, counts, strict=True))
    return {"key": key, "label": label, "total": sum(counts), "counts": per_level}


class TwoUnits:
    """The statistics of a province's hub: its own centre and one that forwards to it."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def satisfaction(self, start, end, by, *, include_flagged=False):
        levels = [{"id": i, "label": n} for i, n in (("very_satisfied", "Rất hài lòng"),
                  ("satisfied", "Hài lòng"), ("unsatisfied", "Không hài lòng"))]  # fmt: skip
        if by == "site":
            rows = [_row("demo", "Phường Hải Châu", (5, 3, 2)), _row("xa-a", "Xã A", (1, 1, 0))]
        else:
            rows = [_row("7", "Trần Văn Minh", (2, 1, 1)), _row("3", "Lê Thu Hà", (3, 2, 1)),
                    _row("xa-a/", "Xã A – Không xác định", (1, 1, 0))]  # fmt: skip
        total = _row("total", "Tổng cộng", (6, 4, 2))
        return {"levels": levels, "rows": rows, "total": total, "flagged": {"total": 0}}


def test_each_unit_has_its_officers(demo_config) -> None:
    """GIVEN a hub with two units WHEN the form is built THEN each unit's line is followed by
    its officers (by name), a forwarded centre's officer is "Không xác định", and the grand
    total closes the table; the PDF draws it."""
    form = build_form(TwoUnits(demo_config), *MONTH, made_on=MADE_ON)
    assert [(r.kind, r.number, r.unit, r.officer, r.total) for r in form.rows] == [
        ("unit", "I", "Phường Hải Châu", "Cộng", 10),
        ("officer", "1", "Phường Hải Châu", "Lê Thu Hà", 6),
        ("officer", "2", "Phường Hải Châu", "Trần Văn Minh", 4),
        ("unit", "II", "Xã A", "Cộng", 2),
        ("officer", "1", "Xã A", "Không xác định", 2),
        ("total", "", "Tổng cộng", "", 12),
    ]
    assert form.total.shares == (0.5, 0.333, 0.167)
    text = pdf_text(build_pdf(form))
    assert "Xã A" in text and "Không xác định 2 1 50,0% 1 50,0% 0 0,0%" in text


def test_period_sheets_give_their_days(hub, history) -> None:
    """GIVEN the cut-off on the 15th WHEN a workbook groups by month THEN each month's label
    gives its days, 15th to 14th, and the months add up to the whole."""
    data = build_xlsx(hub.stats, "satisfaction", date(2026, 10, 15), date(2026, 12, 14),
                      ["month", "counter"], site_name="x")  # fmt: skip
    wb = load_workbook(io.BytesIO(data))
    months = [[c.value for c in r] for r in wb["Theo tháng"].iter_rows(min_row=5)]
    assert [m[1] for m in months] == [
        "Tháng 11/2026 (15/10/2026 – 14/11/2026)",
        "Tháng 12/2026 (15/11/2026 – 14/12/2026)",
        "Tổng cộng",
    ]
    counters = wb["Theo quầy"]
    assert months[0][5] + months[1][5] == months[2][5] == counters.cell(counters.max_row, 6).value


def test_a_one_day_form_names_its_day(hub, history) -> None:
    """GIVEN one day's form WHEN written as a sheet and as a PDF THEN both say
    ``(Ngày 27/11/2026)``, neither names a reporting period (``Tháng 12/2026``: the month
    closing on the 14th that holds the day)."""
    day = date(2026, 11, 27)
    form = build_form(hub.stats, day, day, made_on=MADE_ON)
    assert (form.period_name, form.period_line) == ("", "(Ngày 27/11/2026)")
    text = pdf_text(build_pdf(form))
    assert "(Ngày 27/11/2026)" in text and "Tháng" not in text and "Kỳ báo cáo" not in text
