"""The phone pages in headless Chromium (390×844): live status, rating, cancel, booking
(with and without a code sent to the phone, through the fake gateway)."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

from config.paths import EXAMPLES
from config.schema import parse_config
from tests.conftest import Api, build_app, close_app
from tests.hub.booking.gateway import gateway

__all__ = ["gateway"]

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(sqlite_database, tmp_path, clock, live_server) -> Iterator[tuple[str, Any, Api]]:
    """A live hub with booking on: (base URL, hub, API helper)."""
    raw = tomllib.loads((EXAMPLES / "demo.toml").read_text("utf-8"))
    raw["booking"] = {"enabled": True}
    app = build_app(parse_config(raw, "demo.toml"), sqlite_database, tmp_path, clock)
    try:
        yield live_server(app).url, app.extensions["motcua"], Api(app)
    finally:
        close_app(app)


@pytest.fixture
def phone(new_page) -> Any:
    """A phone's screen: 390×844 CSS pixels at twice the density."""
    return new_page(PHONE["width"], PHONE["height"], device_scale_factor=2)


def test_status_page_follows_the_queue_live_then_rates(site, phone) -> None:
    """GIVEN my ticket with one ahead, open on a phone
    WHEN the counter calls the one ahead, then me (no reload: Socket.IO events)
    THEN the page says I am next, then sends me to "Quầy 1"; once served (page reopened)
    a negative level shows the reasons, and the rating is stored with them."""
    url, hub, api = site
    if not _has_display(url):
        pytest.skip("the display package (Socket.IO client) is not installed")
    kiosk = api.device("kiosk-1", "kiosk")
    staff = api.user("canbo1")
    api.issue(kiosk, "dat-dai")
    mine = api.issue(kiosk, "dat-dai")
    phone.goto(f"{url}/t/{mine['id']}")
    phone.wait_for_selector("#live-dot.live")
    assert phone.inner_text("#number") == mine["number"]
    assert phone.inner_text("#ahead") == "Trước quý vị còn 1 người"

    assert api.post("/counters/1/open", staff).status_code == 200
    assert api.post("/counters/1/call-next", staff).status_code == 200
    # The page's CSP forbids eval, so waits use selectors, not JS predicates.
    phone.wait_for_selector("#ahead:text-is('Quý vị là người tiếp theo')")
    assert api.post("/counters/1/call-next", staff).json["number"] == mine["number"]
    phone.wait_for_selector("body[data-status=called] #called-panel:not([hidden])")
    assert phone.inner_text("#counter-name") == "Quầy 1"
    assert phone.is_hidden("#cancel-panel")

    assert api.post("/counters/1/complete", staff).status_code == 200
    phone.reload()
    phone.wait_for_selector("#rating-panel:not([hidden])")
    assert phone.is_hidden("#reasons")
    phone.click("[data-level=unsatisfied]")
    phone.wait_for_selector("#reasons:not([hidden])")
    phone.check("#reason-list input[value=long_wait]")
    phone.click("#send-rating")
    phone.wait_for_selector("#thanks-panel:not([hidden])")
    assert "Cảm ơn quý vị đã đánh giá" in phone.inner_text("#thanks-panel")
    from sqlalchemy import select

    from hub.store.db import read
    from hub.store.tables import ratings

    with read(hub.engine) as conn:
        row = conn.execute(select(ratings).where(ratings.c.ticket_id == mine["id"])).one()
    assert (row.level, row.reasons, row.channel) == ("unsatisfied", ["long_wait"], "qr")


def test_a_short_comment_after_rating(site, phone) -> None:
    """GIVEN my served ticket, open on a phone WHEN I rate "Không hài lòng" with the reason
    "Phải đi lại nhiều lần" THEN the thanks panel offers an optional comment, limited to
    [ratings] comment_chars; WHEN I send one THEN it says so and the rating holds it."""
    url, hub, api = site
    kiosk, staff = api.device("kiosk-1", "kiosk"), api.user("canbo1")
    mine = api.issue(kiosk, "dat-dai")
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff)
    phone.goto(f"{url}/t/{mine['id']}")
    phone.click("[data-level=unsatisfied]")
    phone.check("#reason-list label:has-text('Phải đi lại nhiều lần') input")
    phone.click("#send-rating")
    phone.wait_for_selector("#comment-form:not([hidden])")
    assert phone.get_attribute("#comment", "maxlength") == "200"
    phone.fill("#comment", "Thiếu hướng dẫn mẫu tờ khai")
    phone.click("#send-comment")
    phone.wait_for_selector("#comment-done:not([hidden])")
    assert phone.is_hidden("#comment-form")
    from sqlalchemy import select

    from hub.store.db import read
    from hub.store.tables import ratings

    with read(hub.engine) as conn:
        row = conn.execute(select(ratings).where(ratings.c.ticket_id == mine["id"])).one()
    assert (row.reasons, row.comment) == (["repeat_visits"], "Thiếu hướng dẫn mẫu tờ khai")


def _has_display(url: str) -> bool:
    import requests

    return requests.get(f"{url}/display/static/socket.io.min.js", timeout=5).status_code == 200


PROMPT_TIMEOUT_MS = 10_000
"""Generous for a loaded machine, yet shorter than any poll the page could make (none
while its channel is up; 60 s while it is down; the 15 s it used to poll at)."""


def test_the_rating_prompt_is_pushed_on_completion(site, phone) -> None:
    """GIVEN my ticket being served, its page open on a phone and following it on /ticket
    WHEN the officer completes it (no reload)
    THEN the rating prompt appears within seconds, brought by the ``ticket`` push the
    page received on its websocket (not by a poll)."""
    url, hub, api = site
    if not _has_display(url):
        pytest.skip("the display package (Socket.IO client) is not installed")
    kiosk, staff = api.device("kiosk-1", "kiosk"), api.user("canbo1")
    mine = api.issue(kiosk, "dat-dai")
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    frames: list[str] = []
    phone.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    phone.goto(f"{url}/t/{mine['id']}")
    phone.wait_for_selector("body[data-status=called] #live-dot.live")
    assert phone.is_hidden("#rating-panel")

    started = time.monotonic()
    assert api.post("/counters/1/complete", staff).status_code == 200
    phone.wait_for_selector("#rating-panel:not([hidden])", timeout=PROMPT_TIMEOUT_MS)
    took = time.monotonic() - started
    assert any('"ticket"' in f and '"done"' in f for f in frames), frames
    assert phone.inner_text("#badge") == "Đã phục vụ xong"
    print(f"rating prompt {took:.3f} s after the completion")


def test_cancel_from_the_phone(site, phone) -> None:
    """GIVEN a waiting ticket open on a phone WHEN the citizen cancels and confirms
    THEN the page shows "Đã hủy" and the hub holds the ticket as cancelled."""
    url, hub, api = site
    ticket = api.issue(api.device("kiosk-1", "kiosk"), "tu-phap")
    phone.goto(f"{url}/t/{ticket['id']}")
    phone.click("#cancel")
    phone.wait_for_selector("#cancel-confirm:not([hidden])")
    phone.click("#cancel-yes")
    phone.wait_for_selector("body[data-status=cancelled]")
    assert phone.inner_text("#badge") == "Đã hủy"
    assert hub.tickets.ticket(ticket["id"])["status"] == "cancelled"


def test_book_from_a_phone(site, phone) -> None:
    """GIVEN booking on WHEN a citizen picks "Kinh doanh", types a mobile number and
    submits THEN the phone lands on the new ticket's status page."""
    url, hub, _ = site
    phone.goto(f"{url}/book")
    phone.check("input[value=kinh-doanh]")
    phone.fill("#phone", "0912 345 678")
    phone.click("#book-submit")
    phone.wait_for_url("**/t/*")
    phone.wait_for_selector("#number")
    assert phone.inner_text("#number") == "C001"
    assert "Kinh doanh" in phone.inner_text("#field")
    assert hub.tickets.services()[2]["waiting"] == 1


@pytest.fixture
def coded_site(sqlite_database, tmp_path, clock, live_server, gateway) -> Iterator[tuple[str, Any]]:
    """A live hub whose booking codes go to the fake SMS gateway: (base URL, hub)."""
    raw = tomllib.loads((EXAMPLES / "demo.toml").read_text("utf-8"))
    raw["booking"] = {"enabled": True, "sender": {"kind": "sms", "url": gateway.url}}
    app = build_app(parse_config(raw, "demo.toml"), sqlite_database, tmp_path, clock)
    try:
        yield live_server(app).url, app.extensions["motcua"]
    finally:
        close_app(app)


def test_book_with_a_code_sent_to_the_phone(coded_site, phone, gateway) -> None:
    """GIVEN booking with phone verification WHEN a citizen picks "Tư pháp – Hộ tịch",
    types a number and asks for the code THEN the page says where it went and asks for
    it (field and number fixed); a wrong code is refused with the guesses left; the code
    the gateway received lands the phone on the new ticket's page."""
    url, hub = coded_site
    phone.goto(f"{url}/book")
    assert phone.is_hidden("#book-submit")
    phone.check("input[value=tu-phap]")
    phone.fill("#phone", "0912 345 678")
    phone.click("#send-code")
    phone.wait_for_selector("body[data-step=code] #code-step:not([hidden])")
    assert "0912 *** 678" in phone.inner_text("#code-sent")
    assert phone.is_disabled("input[value=dat-dai]")
    [code] = gateway.codes()
    phone.fill("#code", "000000" if code != "000000" else "111111")
    phone.click("#book-submit")
    phone.wait_for_selector("#book-error:not([hidden])")
    assert "Mã xác minh không đúng" in phone.inner_text("#book-error")
    phone.fill("#code", code)
    phone.click("#book-submit")
    phone.wait_for_url("**/t/*")
    phone.wait_for_selector("#number")
    assert phone.inner_text("#number") == "B001"
    assert hub.tickets.services()[1]["waiting"] == 1
