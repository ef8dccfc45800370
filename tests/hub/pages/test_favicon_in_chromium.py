"""The favicon in headless Chromium: each kind of page links one the browser draws."""

from __future__ import annotations

import pytest

from tests.hub.pages.test_console_in_chromium import pages  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser

#: The page's icon, decoded by the browser as an image: ``[href, width, height]``.
DRAWN_ICON = """async () => {
    const link = document.querySelector('link[rel~="icon"]');
    const img = new Image();
    img.src = link.href;
    await img.decode();
    return [new URL(link.href).pathname, img.naturalWidth, img.naturalHeight];
}"""


def test_each_kind_of_page_has_an_icon_the_browser_draws(app, live, api, pages) -> None:  # noqa: F811
    """GIVEN a ticket issued WHEN the login page, the call screen, the ticket page, the
    tablet page, the booking page and a 404 page are opened in Chromium THEN each links
    the SVG icon, and Chromium decodes it as a non-empty image."""
    ticket = api.issue(api.device("kiosk-test", "kiosk"))
    page = pages(1280, 720)

    drawn = {}
    for path in ("/login", "/display", f"/t/{ticket['id']}", "/rate/1", "/book", "/nowhere"):
        page.goto(f"{live.url}{path}")
        drawn[path] = page.evaluate(DRAWN_ICON)

    for path, (href, width, height) in drawn.items():
        assert href == "/static/favicon.svg", path
        assert width > 0 and height > 0, path
    assert page.js_errors == []
