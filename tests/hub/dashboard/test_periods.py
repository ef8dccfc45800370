"""The dashboard's presets close on the cut-off day, and its PDF is the provincial form."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.conftest import PASSWORD


def test_the_month_preset_runs_from_the_15th_to_the_14th(api, history) -> None:
    """GIVEN the demo's default cut-off (15) and today 27 Nov 2026 WHEN the month, quarter and
    year presets are asked THEN they are 15/11–14/12, 15/9–14/12 and 15/12/2025–14/12/2026,
    and the month's figures are the API's for those days."""
    spans = {}
    for period in ("month", "quarter", "half", "nine_months", "year"):
        d = api.client.get(f"/dashboard/data?period={period}", headers=history).json
        spans[period] = (d["from"], d["to"])
    assert spans == {
        "month": ("2026-11-15", "2026-12-14"),
        "quarter": ("2026-09-15", "2026-12-14"),
        "half": ("2026-06-15", "2026-12-14"),
        "nine_months": ("2025-12-15", "2026-09-14"),
        "year": ("2025-12-15", "2026-12-14"),
    }
    month = api.client.get("/dashboard/data?period=month", headers=history).json
    api_total = api.get("/stats/satisfaction?from=2026-11-15&to=2026-12-14&by=site",
                        history).json["total"]  # fmt: skip
    assert month["total"] == api_total and month["total"]["total"] > 100


def test_the_page_says_when_periods_close_and_labels_the_mean(api, history) -> None:
    vi = api.client.get("/dashboard?period=month", headers=history).get_data(as_text=True)
    assert "Kỳ báo cáo chốt số liệu vào ngày 14 hằng tháng" in vi
    assert "Điểm trung bình (thang 0–2, quy ước của hệ thống)" in vi
    assert "Mẫu báo cáo của tỉnh (PDF)" in vi
    en = api.client.get("/dashboard?period=month&lang=en", headers=history).get_data(as_text=True)
    assert "Periods close on day 14 of the month" in en
    assert "Mean score (0–2 scale, our own convention)" in en


def test_the_pdf_download_is_the_form_of_the_period(api, history) -> None:
    """GIVEN the month preset WHEN the PDF is downloaded THEN it is the provincial form of
    15/11–14/12/2026, naming the period; a PDF of the queue report is refused."""
    r = api.client.get("/dashboard/report?kind=satisfaction&format=pdf&period=month",
                       headers=history)  # fmt: skip
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert 'filename="bao-cao-hai-long_2026-11-15_2026-12-14.pdf"' in r.headers[
        "Content-Disposition"]  # fmt: skip
    text = PdfReader(io.BytesIO(r.data)).pages[0].extract_text()
    assert "Kỳ báo cáo: Tháng 12/2026" in text
    assert "(Từ ngày 15/11/2026 đến ngày 14/12/2026)" in text
    bad = api.client.get("/dashboard/report?kind=queue&format=pdf&period=month", headers=history)
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_report"


@pytest.mark.browser
def test_the_page_in_chromium_offers_the_form_of_the_period(hub, history, live, new_page,
                                                            tmp_path) -> None:  # fmt: skip
    """GIVEN the dashboard in headless Chromium WHEN the month preset is shown THEN the toolbar
    says when periods close, the dates are 15/11–14/12 and the PDF link fetches the form."""
    from playwright.sync_api import expect

    token = hub.tokens.login("sep", PASSWORD, "127.0.0.1")["token"]
    page = new_page(1440, 900, locale="vi-VN")
    page.set_extra_http_headers({"Authorization": f"Bearer {token}"})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live.url}/dashboard?period=month")
    expect(page.locator("#kpi-rate")).to_have_text(re.compile(r"^\d+,\d\d %$"))
    assert page.text_content(".period-note") == "Kỳ báo cáo chốt số liệu vào ngày 14 hằng tháng"
    assert (page.input_value("#from"), page.input_value("#to")) == ("2026-11-15", "2026-12-14")
    href = page.get_attribute("#dl-pdf", "href") or ""
    assert "format=pdf" in href and "from=2026-11-15" in href and "to=2026-12-14" in href
    pdf = page.request.get(f"{live.url}{href}", headers={"Authorization": f"Bearer {token}"})
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    assert "Kỳ báo cáo: Tháng 12/2026" in PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    page.screenshot(path=str(tmp_path / "dashboard-periods.png"))
    assert errors == []
