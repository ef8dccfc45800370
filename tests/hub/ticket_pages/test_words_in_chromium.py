"""The citizen's phone pages in headless Chromium speak the glossary's words: "quý vị",
"Số người đang chờ", the no-show sentence, and no internal "Màn hình gọi số"."""

from __future__ import annotations

import pytest

from tests.hub.booking.gateway import gateway
from tests.hub.ticket_pages.test_phone_in_chromium import phone, site

__all__ = ["gateway", "phone", "site"]

pytestmark = pytest.mark.browser


def test_a_no_show_is_told_to_the_citizen_in_the_glossarys_words(site, phone) -> None:
    """GIVEN my ticket open on a phone, waiting WHEN the counter calls me and marks me
    absent THEN the page says "Quý vị đã được gọi nhưng không có mặt", and while I waited
    it pointed me to the hall's screen without its internal name."""
    url, hub, api = site
    kiosk = api.device("kiosk-1", "kiosk")
    staff = api.user("canbo1")
    mine = api.issue(kiosk, "dat-dai")
    phone.goto(f"{url}/t/{mine['id']}")
    phone.wait_for_selector("#waiting-panel:not([hidden])")
    waiting = phone.inner_text("body")
    assert "Vui lòng theo dõi màn hình ở sảnh." in waiting
    assert "màn hình gọi số" not in waiting.lower()
    assert phone.inner_text("#ahead") == "Quý vị là người tiếp theo"

    assert api.post("/counters/1/open", staff).status_code == 200
    assert api.post("/counters/1/call-next", staff).json["number"] == mine["number"]
    assert api.post("/counters/1/no-show", staff).status_code == 200
    phone.reload()

    phone.wait_for_selector("body[data-status=no_show] #final-panel:not([hidden])")
    assert phone.inner_text("#final-text") == (
        "Quý vị đã được gọi nhưng không có mặt. Vui lòng lấy số mới tại máy lấy số."
    )
    assert phone.inner_text("#badge") == "Vắng mặt"


def test_the_booking_page_gives_each_fields_count_of_people_waiting(site, phone) -> None:
    """GIVEN two numbers waiting for "Đất đai" WHEN the booking page is opened on a phone
    THEN that field reads "Số người đang chờ: 2" and the page names the kiosk
    "máy lấy số"."""
    url, hub, api = site
    kiosk = api.device("kiosk-1", "kiosk")
    api.issue(kiosk, "dat-dai")
    api.issue(kiosk, "dat-dai")
    phone.goto(f"{url}/book")
    phone.wait_for_selector("#choices")

    field = phone.locator("label.choice", has=phone.locator("input[value=dat-dai]"))
    assert field.locator(".choice-meta").inner_text() == "Số người đang chờ: 2"
    assert "máy lấy số" in phone.inner_text(".intro")
