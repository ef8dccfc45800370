"""The staff console's layout in headless Chromium: it fits a 1280×720 office PC.

Every control (the six action buttons, the dossier field, the top bar's buttons and
links) must be on screen and usable without scrolling the page, on the smallest
screen a centre's PC has and on a Full HD one.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.hub.pages.test_console_in_chromium import pages, serve_first_number  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser

#: Every control a person can use, with its box and whether the element at its
#: centre is the control itself (nothing covers it).
CONTROLS = """() => {
    const out = [];
    const all = 'button, input:not([type=hidden]), select, textarea, a[href]';
    for (const el of document.querySelectorAll(all)) {
        if (el.closest('dialog:not([open])')) continue;
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        const name = el.id || el.dataset.action || el.textContent || el.name || el.tagName;
        out.push({name: name.trim(),
                  left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                  width: r.width, height: r.height,
                  reachable: !!hit && (hit === el || el.contains(hit))});
    }
    return {controls: out,
            scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
            view: [window.innerWidth, window.innerHeight]};
}"""


def _serving_with_dossiers(page: Any, live: str) -> None:
    """Log canbo1 in, open counter 1, call 1001 and list three dossier codes."""
    serve_first_number(page, live)
    for n in range(1, 4):
        page.fill("#dossier-input", f"000.00.12.H56-261127-000{n}")
        page.press("#dossier-input", "Enter")
        page.wait_for_selector(f"#dossier-list li[data-code='000.00.12.H56-261127-000{n}']")
    page.wait_for_selector("#toast.is-shown")


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_every_console_control_is_on_screen_without_scrolling(
    app,
    hub,
    live,
    api,
    kiosk,
    pages,  # noqa: F811
    width: int,
    height: int,
) -> None:
    """GIVEN an officer serving 1001 with three dossier codes listed and a message shown
    WHEN the console is seen in a {width}×{height} window THEN the page does not scroll,
    and every button, link and field (the bottom buttons and the dossier field included)
    lies inside the window, big enough to press, with nothing covering it."""
    api.issue(kiosk)
    api.issue(kiosk)
    hub.users.add_user("canbo1", PASSWORD, "staff", display_name="Nguyễn Thị Lan")
    page = pages(width, height)
    _serving_with_dossiers(page, live.url)

    seen = page.evaluate(CONTROLS)

    assert seen["view"] == [width, height]
    assert seen["scroll"][0] <= width and seen["scroll"][1] <= height, seen["scroll"]
    names = {c["name"] for c in seen["controls"]}
    assert {"call-next", "complete", "recall", "no-show", "transfer", "pause-btn"} <= names
    assert "dossier-input" in names
    outside = [
        c for c in seen["controls"]
        if c["left"] < 0 or c["top"] < 0 or c["right"] > width or c["bottom"] > height
    ]  # fmt: skip
    assert outside == [], outside
    small = [c["name"] for c in seen["controls"] if c["width"] < 20 or c["height"] < 20]
    assert small == [], small
    covered = [c["name"] for c in seen["controls"] if not c["reachable"]]
    assert covered == [], covered
    assert page.js_errors == []
