"""``/t/<id>`` and ``GET /api/v1/site`` through the Flask test client."""

from __future__ import annotations

import json
import re


def _page_data(html: str) -> dict:
    match = re.search(r"data-page='([^']*)'", html)
    assert match, "the page carries its data in data-page"
    return json.loads(match.group(1))


def test_status_page_shows_the_ticket(api, client, kiosk) -> None:
    """GIVEN a waiting ticket with one ahead WHEN its QR URL is opened
    THEN the page shows number, field, status and people ahead, carries the levels and
    reasons for rating, loads no inline script and is never cached."""
    api.issue(kiosk, "dat-dai")
    ticket = api.issue(kiosk, "dat-dai", priority=None)
    r = client.get(f"/t/{ticket['id']}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert ticket["number"] in html and "Lĩnh vực: Đất đai" in html
    assert "Đang chờ" in html and "Trước quý vị còn 1 người" in html
    assert r.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    data = _page_data(html)
    assert data["ticket"]["id"] == ticket["id"] and data["rated"] is False
    assert [lv["id"] for lv in data["levels"]] == ["very_satisfied", "satisfied", "unsatisfied"]
    assert data["reasons"][0] == {"id": "attitude", "label": "Thái độ phục vụ"}
    assert data["api"] == f"/api/v1/tickets/{ticket['id']}"


def test_unknown_and_malformed_ids_get_a_vietnamese_404(client) -> None:
    """GIVEN ids that name no ticket WHEN opened THEN a 404 page in Vietnamese."""
    for ticket_id in ("khong-co-phieu-nay", "x" * 65, "a%20b"):
        r = client.get(f"/t/{ticket_id}")
        assert r.status_code == 404
        assert "Không tìm thấy phiếu" in r.get_data(as_text=True)


def test_rated_ticket_page_knows_it(api, client, kiosk) -> None:
    """GIVEN a served ticket rated from its page WHEN the page is opened again
    THEN it knows the ticket is rated (the form is not offered twice)."""
    staff = api.user("canbo1")
    ticket = api.issue(kiosk, "dat-dai")
    assert api.post("/counters/1/open", staff).status_code == 200
    assert api.post("/counters/1/call-next", staff).status_code == 200
    assert api.post("/counters/1/complete", staff).status_code == 200
    r = api.post(
        f"/tickets/{ticket['id']}/rating", json={"level": "unsatisfied", "reasons": ["long_wait"]}
    )
    assert r.status_code == 201
    data = _page_data(client.get(f"/t/{ticket['id']}").get_data(as_text=True))
    assert data["rated"] is True and data["ticket"]["status"] == "done"


def test_site_endpoint_tells_kiosks_what_to_print(api) -> None:
    """GIVEN the demo site WHEN GET /api/v1/site THEN name, timezone, public URL (none),
    priority categories, and booking off."""
    r = api.get("/site")
    assert r.status_code == 200
    body = r.json
    assert body["name"].startswith("Trung tâm Phục vụ hành chính công")
    assert body["timezone"] == "Asia/Ho_Chi_Minh" and body["public_url"] is None
    assert body["priority_categories"][:2] == ["elderly", "disabled"]
    assert body["booking"] is False and body["hours"] is None
    spec = api.get("/openapi.json").json
    assert "/api/v1/site" in spec["paths"] and "/api/v1/bookings" in spec["paths"]


def test_fonts_are_served_locally(client) -> None:
    """GIVEN the pages' font WHEN fetched THEN it comes from the hub; other names are 404."""
    r = client.get("/ticket-pages/fonts/BeVietnamPro-Bold.ttf")
    assert r.status_code == 200 and r.mimetype == "font/ttf"
    r.close()
    assert client.get("/ticket-pages/fonts/BeVietnamPro-Thin.ttf").status_code == 404
