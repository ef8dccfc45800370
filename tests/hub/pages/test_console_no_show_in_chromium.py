""" "No-show" at the staff console, in headless Chromium against a real server.

Within the first 10 s after a call (by the hub's time of the call) the citizen is
most likely still walking to the counter, so the page asks before marking the
number a no-show; later it acts at once. The API's no-show is not changed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from hub.pages.console import NO_SHOW_CONFIRM_S
from hub.store.db import read
from hub.store.tables import tickets
from tests.conftest import PASSWORD
from tests.hub.pages.test_console_in_chromium import pages, serve_first_number  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser


def _status_of(hub: Any, number: str) -> str:
    with read(hub.engine) as conn:
        query = select(tickets.c.status).where(tickets.c.number == number)
        return str(conn.execute(query).scalar_one())


@pytest.fixture
def serving(app, hub, live, api, kiosk, pages) -> Any:  # noqa: F811
    """canbo1's console at counter 1 serving 1001 (1002 waits); the hub's clock frozen."""
    api.issue(kiosk)
    api.issue(kiosk)
    hub.users.add_user("canbo1", PASSWORD, "staff", display_name="Nguyễn Thị Lan")
    page = pages(1280, 720)
    serve_first_number(page, live.url)
    return page


def _ask(page: Any, opener: str) -> None:
    """Reload (the page takes the hub's frozen time again: the call was 0 s ago, and
    stays under 10 s for as long as the next steps take), then ask for a no-show."""
    page.reload()
    page.wait_for_selector("#conn[data-state='online']")
    if opener == "click":
        page.click(".act-noshow")
    else:
        page.keyboard.press(opener)
    page.wait_for_selector("#noshow-dialog[open]")


def test_no_show_right_after_the_call_asks_first(serving, hub) -> None:
    """GIVEN 1001 just called (hub time) WHEN the officer presses the No-show button
    THEN a Vietnamese dialog in the page asks, and nothing is sent; "Chờ thêm" (or Esc)
    keeps 1001; the keypad's − opens it again and − once more marks 1001 a no-show."""
    page = serving

    _ask(page, "click")
    assert re.fullmatch(r"Số 1001 vừa được mời \d giây trước\.", page.inner_text("#noshow-title"))
    assert "Công dân có thể đang trên đường đến quầy" in page.inner_text("#noshow-dialog")
    assert page.inner_text("#noshow-cancel").startswith("Chờ thêm")
    assert page.inner_text("#noshow-confirm").startswith("Xác nhận vắng mặt")
    page.click("#noshow-cancel")
    page.wait_for_selector("#noshow-dialog", state="hidden")
    assert page.get_attribute("#console", "data-current") == "1001"

    _ask(page, "NumpadSubtract")
    page.keyboard.press("Escape")
    page.wait_for_selector("#noshow-dialog", state="hidden")
    assert page.get_attribute("#console", "data-current") == "1001"
    assert _status_of(hub, "1001") == "called"

    _ask(page, "NumpadSubtract")
    page.keyboard.press("NumpadSubtract")
    page.wait_for_selector("#toast:has-text('Số 1001 vắng mặt.')")
    assert page.get_attribute("#console", "data-current") == ""
    assert _status_of(hub, "1001") == "no_show"
    assert page.js_errors == []


def test_no_show_after_ten_seconds_acts_at_once(serving, hub, clock) -> None:
    """GIVEN 1001 called 11 s ago (hub time; the page learns the hub's time from its
    state) WHEN the officer presses the No-show button THEN no dialog: 1001 is a no-show
    at once."""
    page = serving
    clock.advance(NO_SHOW_CONFIRM_S + 1)
    page.reload()
    page.wait_for_selector("#console[data-current='1001']")

    page.click(".act-noshow")

    page.wait_for_selector("#toast:has-text('Số 1001 vắng mặt.')")
    assert not page.is_visible("#noshow-dialog")
    assert _status_of(hub, "1001") == "no_show"
    assert page.js_errors == []
