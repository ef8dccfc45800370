"""``/t/<id>`` of a ticket whose field no open counter serves: it says so, with no wait
(the page as served, and in Chromium as its script renders it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Api, build_app, close_app

NO_COUNTER = "Chưa có quầy nào đang mở phục vụ lĩnh vực này"


@pytest.fixture
def database(sqlite_database):
    """Pages are not about storage: SQLite only."""
    return sqlite_database


def test_the_page_says_no_open_counter_serves_the_field(api, client) -> None:
    """GIVEN a Tư pháp ticket and no counter open WHEN its page is opened THEN it says no
    counter is open; once counter 2 (Tư pháp) is open, it no longer does."""
    kiosk, staff = api.device("kiosk-1", "kiosk"), api.user("canbo2")
    ticket = api.issue(kiosk, "tu-phap")
    assert NO_COUNTER in client.get(f"/t/{ticket['id']}").get_data(as_text=True)
    assert api.post("/counters/2/open", staff).status_code == 200
    assert NO_COUNTER not in client.get(f"/t/{ticket['id']}").get_data(as_text=True)


@pytest.fixture
def live_site(sqlite_database, tmp_path, clock, live_server, demo_config) -> Iterator[Any]:
    """A live hub on the demo config: (base URL, API helper)."""
    app = build_app(demo_config, sqlite_database, tmp_path, clock)
    try:
        yield live_server(app).url, Api(app)
    finally:
        close_app(app)


@pytest.mark.browser
def test_the_phone_shows_no_wait_while_no_counter_is_open(live_site, new_page) -> None:
    """GIVEN a Tư pháp ticket open on a phone, no counter open WHEN the page's script
    renders it THEN it says no counter is open and shows no wait (never "dưới 1 phút");
    reopened once counter 2 is open, it gives the estimated wait."""
    url, api = live_site
    kiosk, staff = api.device("kiosk-1", "kiosk"), api.user("canbo2")
    ticket = api.issue(kiosk, "tu-phap")
    phone = new_page(390, 844, device_scale_factor=2)
    phone.goto(f"{url}/t/{ticket['id']}")
    phone.wait_for_selector(f"#eta:text-is('{NO_COUNTER}')")
    assert "phút" not in phone.inner_text("#waiting-panel")
    assert api.post("/counters/2/open", staff).status_code == 200
    phone.reload()
    phone.wait_for_selector("#eta:text-matches('^Thời gian chờ dự kiến: ')")
