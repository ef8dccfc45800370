"""Every page has a favicon, served from the package, and ``/favicon.ico`` answers.

The hub's pages are found from its URL map: every GET route outside ``/api/`` is
visited, anonymously and as a logged-in admin with a counter open, with the path's
parameters filled in (a route with a parameter not known here fails the test, so a
new page cannot be forgotten). Each HTML answer (the 403/404 pages too) must link an
icon that answers 200 with an image. The kiosk's touch page and the demo's pad page
are checked the same way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import url_for
from werkzeug.test import Client

import hub
from kiosk.dispenser.touch import create_touch_app
from kiosk.kit import favicon
from kiosk.rating_pad.demo_page import PadPage

ICON_LINK = re.compile(r"<link\s+rel=\"?icon\"?\s+href=\"([^\"]+)\"")
#: Routes that answer files or data, not pages.
NOT_PAGES = {
    "static", "dashboard.static", "display.static", "tablet.static", "ticket_pages.static",
    "dashboard.font", "ticket_pages.font", "display.call_audio", "pages_tls.download",
    "favicon.favicon",
}  # fmt: skip


def _icon_of(client: Any, url: str, html: str) -> tuple[str, int, str]:
    found = ICON_LINK.search(html)
    assert found is not None, f"{url}: no <link rel=icon>"
    answer = client.get(found.group(1))
    answer.close()  # a file the server opened
    return found.group(1), answer.status_code, answer.mimetype


def _page_urls(app: Any, values: dict[str, str]) -> list[str]:
    urls = ["/no-such-page", "/t/no-such-ticket", "/display/no-such-screen", "/rate/99"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        if rule.endpoint in NOT_PAGES:
            continue
        missing = rule.arguments - set(values)
        assert not missing, f"{rule.rule}: no test value for {missing}"
        with app.test_request_context():
            urls.append(url_for(rule.endpoint, **{k: values[k] for k in rule.arguments}))
    return sorted(set(urls))


def test_every_hub_page_links_an_icon_that_answers(app, api, browser) -> None:
    """GIVEN a ticket issued, and an admin with counter 1 open WHEN every page of the hub
    is fetched anonymously and as the admin THEN each HTML answer links an icon that
    answers 200 with an image, and /favicon.ico answers 200 with a PNG."""
    ticket = api.issue(api.device("kiosk-test", "kiosk"))
    admin = browser("quantri", "admin")
    assert admin.post("/counter/1/open").status_code == 302
    urls = _page_urls(app, {"counter_id": "1", "ticket_id": ticket["id"], "screen_id": "sanh"})
    anonymous = app.test_client()

    checked = []
    for client in (anonymous, admin.client):
        for url in urls:
            answer = client.get(url, follow_redirects=True)
            if answer.mimetype != "text/html":
                continue
            icon, status, kind = _icon_of(client, url, answer.get_data(as_text=True))
            assert (status, kind.split("/")[0]) == (200, "image"), (url, icon, status, kind)
            checked.append(url)

    assert {"/login", "/counter/1", "/admin", "/dashboard", "/display", "/book", "/tls",
            f"/t/{ticket['id']}", "/rate/1", "/no-such-page"} <= set(checked)  # fmt: skip
    with anonymous.get("/favicon.ico") as ico:
        assert (ico.status_code, ico.mimetype) == (200, "image/png")
        assert ico.get_data()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_kiosk_pages_link_an_icon_that_answers(demo_config) -> None:
    """GIVEN the kiosk's touch page and the demo's pad page WHEN each is fetched THEN it
    links an icon that answers 200 with an image, and /favicon.ico answers a PNG."""
    touch = create_touch_app(None).test_client()  # the page and its icon need no agent
    pad = Client(PadPage(demo_config, None, "http://127.0.0.1:9", []))
    for client in (touch, pad):
        html = client.get("/").get_data(as_text=True)
        icon, status, kind = _icon_of(client, "/", html)
        assert (status, kind) == (200, "image/svg+xml"), icon
        with client.get("/favicon.ico") as ico:
            assert (ico.status_code, ico.mimetype) == (200, "image/png")


def test_the_kiosk_icon_is_the_hubs() -> None:
    """GIVEN the icon files of the hub and of the kiosk (the agents never import the
    hub, so each package ships its own) THEN they are the same files."""
    hub_static = Path(hub.__file__).parent / "static"
    for name in (favicon.SVG, favicon.PNG):
        assert (favicon.ICON_DIR / name).read_bytes() == (hub_static / name).read_bytes()
