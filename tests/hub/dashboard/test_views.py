"""The dashboard: who may see it, what its data says, downloads, and the page in Chromium."""

from __future__ import annotations

import dataclasses
import io
import re
from html import unescape
from pathlib import Path

import pytest
from openpyxl import load_workbook

from config.reports import ReportSettings
from tests.hub.dashboard.conftest import page_login


@pytest.fixture
def demo_config(demo_config):
    """Calendar months (the cut-off on the 1st); the presets closing on the 14th, the
    default, are tested in test_periods.py."""
    return dataclasses.replace(demo_config, reports=ReportSettings(period_cutoff_day=1))


@pytest.fixture
def manager_session(app, api):
    """A client holding the login pages' session (``session["token"]``) of a manager."""
    hub = app.extensions["motcua"]
    api.user("sep", "manager")
    token = hub.tokens.login("sep", "mat-khau-thu-nghiem-2026", "127.0.0.1")["token"]
    client = app.test_client()
    with client.session_transaction() as session:
        session["token"] = token
    return client


def test_without_login_the_page_redirects_and_data_is_401(client) -> None:
    r = client.get("/dashboard?period=year")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/dashboard")
    assert client.get("/dashboard/data").status_code == 401


def test_staff_are_refused(api) -> None:
    """Staff never see individual ratings nor the centre's figures."""
    staff = api.user("canbo1")
    assert api.client.get("/dashboard", headers=staff).status_code == 403
    assert api.client.get("/dashboard/data", headers=staff).status_code == 403


def test_every_route_declares_its_roles_with_the_pages_security(app) -> None:
    """GIVEN the URL map WHEN the dashboard's routes are inspected THEN the page, its data
    and its reports are declared with ``hub.pages.security.requires`` for managers and
    admins (the font alone is public)."""
    declared = {
        rule.endpoint: getattr(app.view_functions[rule.endpoint], "page_roles", None)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("dashboard.")
    }
    assert declared == {
        "dashboard.page": ("manager", "admin"),
        "dashboard.overview": ("manager", "admin"),
        "dashboard.report": ("manager", "admin"),
        "dashboard.font": None,
        "dashboard.static": None,
    }


def test_refusals(client, api) -> None:
    """Without a login the JSON routes answer 401 (never the login page); a wrong role,
    by bearer token or by session, gets 403 saying who may see the page; a device's
    token is no login."""
    assert client.get("/dashboard/report?kind=queue&format=csv").status_code == 401
    staff = api.user("canbo1")
    refused = api.client.get("/dashboard/data", headers=staff)
    assert refused.status_code == 403
    assert refused.json["error"] == {
        "code": "forbidden",
        "message": "Chỉ lãnh đạo và quản trị viên xem được trang này",
    }
    pad = api.device("pad-1", "rating-pad", "1")
    assert api.client.get("/dashboard/data", headers=pad).status_code == 401
    r = api.client.get("/dashboard?period=month", headers=pad)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/dashboard")


def test_headers_of_the_page_and_its_data(api) -> None:
    """The page and its data carry the dashboard's CSP (no inline script, no framing),
    nosniff, a same-origin referrer policy and no caching; downloads may be cached."""
    manager = api.user("sep", "manager")
    for path in ("/dashboard", "/dashboard/data"):
        headers = api.client.get(path, headers=manager).headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'; script-src")
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"
    report = api.client.get("/dashboard/report?kind=queue&format=csv", headers=manager)
    assert report.status_code == 200 and "Cache-Control" not in report.headers


def test_bearer_token_comes_before_the_session(manager_session, api) -> None:
    """GIVEN a manager's session WHEN a request also carries a staff bearer token THEN the
    token decides (as before); a manager's session alone opens the data."""
    client = manager_session
    assert client.get("/dashboard/data").status_code == 200
    assert client.get("/dashboard/data", headers=api.user("canbo1")).status_code == 403


def test_session_cookie_of_the_login_pages_is_accepted(manager_session) -> None:
    """GIVEN the login pages' session (``session["token"]``) THEN the page is served."""
    client = manager_session
    r = client.get("/dashboard")
    assert r.status_code == 200 and "Tỷ lệ hài lòng tại quầy" in r.get_data(as_text=True)
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert "<script>" not in r.get_data(as_text=True)


def test_logout_from_the_dashboard(app, api) -> None:
    """GIVEN a manager logged in through the page WHEN the dashboard's log-out button is
    used (a form post with the session's CSRF token) THEN the session ends."""
    api.user("sep", "manager")
    client = app.test_client()
    page_login(client, "sep")
    page = client.get("/dashboard").get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+)">\s*<input[^>]*value="([^"]+)"', page)
    assert form and form.group(1) == "/logout"
    assert client.post("/logout", data={"csrf_token": unescape(form.group(2))}).status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_data_for_the_month(api, history) -> None:
    """GIVEN history and a live rating WHEN the month's data is asked THEN its figures agree
    with the satisfaction API, the live queue shows the waiting citizen and the pad's device."""
    r = api.client.get("/dashboard/data?period=month", headers=history)
    assert r.status_code == 200
    d = r.json
    assert (d["from"], d["to"]) == ("2026-11-01", "2026-11-30")
    api_total = api.get("/stats/satisfaction?from=2026-11-01&to=2026-11-30&by=site",
                        history).json["total"]  # fmt: skip
    assert d["total"] == api_total and d["total"]["total"] > 300
    assert {r["key"] for r in d["groups"]["counter"]} == {"1", "2", "3"}
    assert d["trend"]["by"] == "day" and d["trend"]["rows"][-1]["key"] == "2026-11-27"
    assert sum(c["total"] for row in d["heatmap"] for c in row) == d["total"]["total"]
    assert d["live"]["waiting"] == 1 and d["live"]["open"] == 1
    assert any(dev["name"] == "pad-1" for dev in d["devices"])
    # The demo history holds two drummed pads (6 flagged ratings each) and 8 refused presses.
    assert d["flagged"]["total"] == 12 == d["flagged_total"]["total"]
    assert [(f["flag"], f["n"]) for f in d["flagged"]["by_flag"]] == [("burst", 12)]
    assert d["refused"]["total"] == 8 and d["refused"]["rows"][0]["code"] == "no_ticket"
    flagged_in = api.client.get("/dashboard/data?period=month&flagged=1", headers=history).json
    assert flagged_in["total"]["total"] == d["total"]["total"] + 12
    en = api.client.get("/dashboard/data?period=month&lang=en", headers=history).json
    assert en["levels"][0]["label"] == "Very satisfied"


def test_bad_range_is_400(api, history) -> None:
    r = api.client.get("/dashboard/data?from=2026-12-01&to=2026-01-01", headers=history)
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_range"
    assert api.client.get("/dashboard/data?period=decade", headers=history).status_code == 400


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/data", "/dashboard/report"])
def test_days_at_the_ends_of_the_calendar_are_400(api, history, path, day) -> None:
    """GIVEN a manager WHEN the dashboard is asked for year 1 or year 9999
    THEN 400 invalid_range (the site's midnight overflowed: a 500)."""
    r = api.client.get(f"{path}?from={day}&to={day}", headers=history)
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_range"


def test_report_downloads(api, history) -> None:
    r = api.client.get("/dashboard/report?kind=satisfaction&format=xlsx&period=quarter",
                       headers=history)  # fmt: skip
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames[0] == "Theo quầy" and wb["Theo quầy"]["B5"].value == "Quầy 1"
    csv = api.client.get("/dashboard/report?kind=queue&format=csv&by=service&period=month",
                         headers=history)  # fmt: skip
    assert csv.status_code == 200 and "Lĩnh vực" in csv.data.decode("utf-8-sig").splitlines()[0]


def test_csv_download_with_a_chosen_separator(api, history) -> None:
    """GIVEN a manager WHEN the CSV is downloaded with ``sep=;`` THEN it is UTF-8 with a BOM,
    split at ``;``, with decimal commas; ``sep=,`` is the default file; another is 400."""
    base = "/dashboard/report?kind=satisfaction&format=csv&by=counter&period=month"
    comma = api.client.get(base, headers=history)
    semi = api.client.get(base + "&sep=%3B", headers=history)
    assert semi.status_code == 200 and semi.data.startswith(b"\xef\xbb\xbf")
    assert api.client.get(base + "&sep=%2C", headers=history).data == comma.data
    head, *_rows, total = semi.data.decode("utf-8-sig").splitlines()
    assert head.startswith("STT;Quầy;Rất hài lòng (lượt);") and ";Tổng cộng;" in total
    rate = total.split(";")[6]
    assert re.fullmatch(r"0,\d+", rate), rate
    assert rate.replace(",", ".") == comma.data.decode("utf-8-sig").splitlines()[-1].split(",")[6]
    bad = api.client.get(base + "&sep=%7C", headers=history)
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_report"


@pytest.mark.browser
def test_dashboard_in_chromium(hub, history, live, new_page, tmp_path) -> None:
    """GIVEN the dashboard in headless Chromium at 1440×900 WHEN it has loaded THEN the rate,
    the tables and the chart are drawn with no script error; WHEN the flagged toggle and the
    English switch are used THEN the page follows. A screenshot is saved."""
    from playwright.sync_api import expect

    token = hub.tokens.login("sep", "mat-khau-thu-nghiem-2026", "127.0.0.1")["token"]
    url = f"{live.url}/dashboard?period=month"
    errors: list[str] = []
    shot = Path(tmp_path) / "dashboard.png"
    page = new_page(1440, 900, locale="vi-VN")
    page.set_extra_http_headers({"Authorization": f"Bearer {token}"})
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    expect(page.locator("#kpi-rate")).to_have_text(re.compile(r"^\d+,\d\d %$"))
    rate = page.text_content("#kpi-rate")
    assert rate and rate.endswith(" %") and "," in rate
    assert page.locator("#group-table tbody tr").count() == 4  # 3 counters + total
    # Chart.js sized the canvas: the trend chart was drawn (no eval under the CSP).
    assert int(page.locator("#trend-chart").get_attribute("width") or 0) > 300
    page.screenshot(path=str(shot))
    page.click("text=Theo cán bộ")
    assert "Canbo1" in page.text_content("#group-table")
    page.goto(url + "&lang=en")
    expect(page.locator("#kpi-rate")).to_have_text(re.compile(r"^\d+\.\d\d %$"))
    assert "Counter satisfaction rate" in page.text_content(".kpi.accent")
    assert errors == []
    assert shot.stat().st_size > 20_000
