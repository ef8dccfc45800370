"""The dashboard in the site's time: its "Cập nhật" time, the heatmap over the opening
hours, one day's trend hour by hour; and a staff member's 403 as the styled page."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

import pytest

from config.hub import Hours
from tests.conftest import PASSWORD
from tests.hub.dashboard.conftest import page_login

OPEN_HOURS = list(range(7, 17))  # 07:30–17:00, the default of [site] hours
WEEKDAYS = [0, 1, 2, 3, 4]  # Monday–Friday
WAIT_MS = 30_000  # generous: the machine may be loaded


def test_the_heatmap_covers_the_default_opening_hours(api, history) -> None:
    """GIVEN a site without ``[site] hours`` (07:30–17:00, Monday–Friday) and its history
    WHEN the month's data is asked THEN the heatmap's columns are the hours 7–16 and its
    rows Monday–Friday, and its cells there add up to every rating of the month."""
    d = api.client.get("/dashboard/data?period=month", headers=history).json
    assert d["heatmap_hours"] == OPEN_HOURS and d["heatmap_weekdays"] == WEEKDAYS
    shown = sum(d["heatmap"][wd][h]["total"] for wd in d["heatmap_weekdays"]
                for h in d["heatmap_hours"])  # fmt: skip
    assert shown == d["total"]["total"] > 300


def test_the_heatmap_follows_the_configured_hours_and_shows_ratings_outside(
    hub, api, history, clock
) -> None:
    """GIVEN ``[site] hours`` 08:00–11:30 on Monday–Saturday WHEN the data is asked THEN
    the columns are 8–11 widened to every hour that has ratings (a rating at 19:xx on
    Sunday is shown, never hidden: the columns run to 19 and Sunday is a row)."""
    site = dataclasses.replace(hub.config.site, hours=Hours("08:00", "11:30", (1, 2, 3, 4, 5, 6)))
    hub.reconfigure(dataclasses.replace(hub.config, site=site))
    quiet = api.client.get("/dashboard/data?from=2026-11-27&to=2026-11-27", headers=history).json
    assert quiet["heatmap_hours"] == [8, 9, 10, 11]
    assert quiet["heatmap_weekdays"] == [0, 1, 2, 3, 4, 5]
    clock.set(datetime(2026, 11, 29, 12, 10, tzinfo=UTC))  # Sunday 19:10 in Hà Nội
    kiosk, pad = api.device("k9", "kiosk"), api.device("pad-9", "rating-pad", "1")
    staff = {"Authorization": f"Bearer {hub.tokens.login('canbo1', PASSWORD, '::1')['token']}"}
    api.issue(kiosk)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff)
    assert api.post("/ratings", pad, json={"key": "late-00001", "level": "satisfied"}
                    ).status_code == 201  # fmt: skip
    late = api.client.get("/dashboard/data?from=2026-11-29&to=2026-11-29", headers=history).json
    assert late["heatmap_hours"] == list(range(8, 20))
    assert late["heatmap_weekdays"] == [0, 1, 2, 3, 4, 5, 6]
    assert late["heatmap"][6][19]["total"] == 1


def test_one_day_trend_is_hour_by_hour(api, history) -> None:
    """GIVEN one day WHEN its data is asked THEN the trend is per hour of the opening hours
    (not one bar for the day), with the day's ratings; two days stay per day."""
    d = api.client.get("/dashboard/data?from=2026-11-25&to=2026-11-25", headers=history).json
    assert d["trend"]["by"] == "hour"
    assert [r["label"] for r in d["trend"]["rows"]] == [f"{h:02d}:00" for h in OPEN_HOURS]
    assert sum(r["total"] for r in d["trend"]["rows"]) == d["total"]["total"] > 0
    two = api.client.get("/dashboard/data?from=2026-11-24&to=2026-11-25", headers=history).json
    assert two["trend"]["by"] == "day" and len(two["trend"]["rows"]) == 2


def test_a_staff_member_opening_the_page_gets_the_styled_403_page(app, api) -> None:
    """GIVEN an officer logged in through the login page WHEN the browser opens /dashboard
    THEN it gets 403 as the pages' styled error page in its language (the layout, the
    stylesheet, who may see the page), not JSON; a fetch asking for JSON, the data and
    a bearer client get the JSON error as before."""
    api.user("canbo1")
    client = app.test_client()
    page_login(client, "canbo1")
    html = client.get("/dashboard", headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.status_code == 403 and html.mimetype == "text/html"
    body = html.get_data(as_text=True)
    assert "Chỉ lãnh đạo và quản trị viên xem được trang này" in body
    assert 'class="topbar"' in body and "/static/css/app.css" in body and "Canbo1" in body
    en = client.get("/dashboard?lang=en", headers={"Accept": "text/html"})
    assert "Only managers and administrators can see this page" in en.get_data(as_text=True)
    wanted = client.get("/dashboard", headers={"Accept": "application/json"})
    assert wanted.status_code == 403 and wanted.json["error"]["code"] == "forbidden"
    data = client.get("/dashboard/data", headers={"Accept": "text/html"})
    assert data.status_code == 403 and data.json["error"]["code"] == "forbidden"


def _log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


@pytest.mark.browser
def test_in_chromium_updated_time_heatmap_trend_and_403(hub, api, history, live,
                                                        new_page) -> None:  # fmt: skip
    """GIVEN Chromium in New York's timezone WHEN a manager opens one day's dashboard THEN
    "Cập nhật" gives the site's time (09:00 in Hà Nội, not 21:00), the heatmap has the
    hours 7–16 and Monday–Friday, the trend has a narrow bar per hour, not one bar across
    the chart; WHEN an officer opens /dashboard THEN the styled 403 page is shown."""
    from playwright.sync_api import expect

    token = hub.tokens.login("sep", PASSWORD, "127.0.0.1")["token"]
    page = new_page(1440, 900, locale="vi-VN", timezone_id="America/New_York")
    page.set_default_timeout(WAIT_MS)
    page.set_extra_http_headers({"Authorization": f"Bearer {token}"})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live.url}/dashboard?from=2026-11-27&to=2026-11-27")
    expect(page.locator("#updated")).to_have_text("Cập nhật: 27/11/2026 09:00:00", timeout=WAIT_MS)
    assert page.evaluate("new Date().getTimezoneOffset()") == 300  # the browser is elsewhere
    head = page.locator("#heatmap tr").first.locator("th")
    expect(head).to_have_count(1 + len(OPEN_HOURS), timeout=WAIT_MS)
    assert head.all_text_contents()[1:] == [str(h) for h in OPEN_HOURS]
    expect(page.locator("#heatmap tr")).to_have_count(1 + len(WEEKDAYS), timeout=WAIT_MS)
    chart = "Chart.getChart(document.getElementById('trend-chart'))"
    page.wait_for_function(f"() => typeof Chart !== 'undefined' && {chart}")
    bars = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.getElementById('trend-chart'));
            const bars = chart.getDatasetMeta(1).data.map((b) => b.width);
            return {labels: chart.data.labels, bars: bars, width: chart.chartArea.width};
        }"""
    )
    assert bars["labels"] == [f"{h:02d}:00" for h in OPEN_HOURS]
    assert max(bars["bars"]) <= 48 and bars["width"] > 400
    assert "sep=%3B" in (page.get_attribute("#dl-csv-semicolon", "href") or "")
    expect(page.locator("#csv-help")).to_contain_text("dấu chấm phẩy", timeout=WAIT_MS)
    assert errors == []

    api.user("canbo1")
    staff = new_page(1280, 800, locale="vi-VN")
    staff.set_default_timeout(WAIT_MS)
    _log_in(staff, live.url, "canbo1")
    answer = staff.goto(f"{live.url}/dashboard")
    assert answer is not None and answer.status == 403
    expect(staff.locator("h1")).to_have_text(
        "Chỉ lãnh đạo và quản trị viên xem được trang này", timeout=WAIT_MS
    )
    card = staff.locator(".error-card")
    assert card.evaluate("e => getComputedStyle(e).textAlign") == "center"  # app.css applies
    assert "{" not in (staff.text_content("body") or "")
