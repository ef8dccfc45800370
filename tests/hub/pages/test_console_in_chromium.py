"""The staff console in headless Chromium against a real server on 127.0.0.1.

A staff member logs in, opens a counter and calls next with the keyboard; the
call screen (``/display``) shows the number. A second officer cannot take the
same counter; a manager cannot call. A screenshot is saved on failure.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def pages(new_page) -> Any:
    """``pages()`` opens a page in a fresh context (its own cookies), with a short
    default timeout; its script errors are collected in ``page.js_errors``."""

    def make(width: int = 1280, height: int = 800) -> Any:
        page = new_page(width, height)
        page.set_default_timeout(8000)
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.js_errors = errors  # type: ignore[attr-defined]
        return page

    return make


def log_in(page: Any, live: str, username: str) -> None:
    page.goto(f"{live}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def serve_first_number(page: Any, live: str, username: str = "canbo1") -> None:
    """Log ``username`` in, open counter 1 and call next with the keyboard: 1001."""
    log_in(page, live, username)
    page.wait_for_url(f"{live}/counter")
    page.click("li[data-counter='1'] button[type=submit]")
    page.wait_for_url(f"{live}/counter/1")
    page.wait_for_selector("#conn[data-state='online']")
    page.keyboard.press("NumpadEnter")
    page.wait_for_selector("#console[data-current='1001']")
    page.wait_for_selector("#toast:has-text('Đang mời số 1001.')")


def test_staff_call_next_with_the_keyboard_reaches_the_screen(app, hub, live, api, kiosk, pages):
    """GIVEN two waiting tickets and the call screen open WHEN an officer logs in, opens
    counter 1 and presses Enter on the numeric keypad THEN the console shows 1001 being
    served and the screen shows 1001; / then 1 transfers it, P pauses and Enter is then
    refused, 0 resumes."""
    api.issue(kiosk)
    api.issue(kiosk)
    hub.users.add_user("canbo1", PASSWORD, "staff", display_name="Nguyễn Thị Lan")
    screen = pages(1280, 720)
    screen.goto(f"{live.url}/display")
    screen.wait_for_selector("body[data-connected='1']")
    console = pages()

    log_in(console, live.url, "canbo1")
    console.wait_for_url(f"{live.url}/counter")
    console.click("li[data-counter='1'] button[type=submit]")
    console.wait_for_url(f"{live.url}/counter/1")
    console.wait_for_selector("#conn[data-state='online']")
    console.keyboard.press("NumpadEnter")

    console.wait_for_selector("#console[data-current='1001']")
    assert console.inner_text("#now-number") == "1001"
    # The screen's push can set data-current before the action's own answer arrives.
    console.wait_for_selector("#toast:has-text('Đang mời số 1001.')")
    assert console.inner_text("#toast") == "Đang mời số 1001."
    screen.wait_for_selector("body[data-last-number='1001']")

    console.keyboard.press("NumpadDivide")
    console.wait_for_selector("#transfer-dialog[open]")
    console.keyboard.press("Digit1")
    # The socket's push and the action's answer race; the message comes with the answer.
    console.wait_for_selector("#toast:has-text('Tư pháp – Hộ tịch')")
    assert console.get_attribute("#console", "data-current") == ""
    console.keyboard.press("KeyP")
    console.wait_for_selector("#console[data-paused='1']")
    assert console.is_disabled(".act-next")
    console.keyboard.press("Enter")
    console.keyboard.press("Numpad0")
    console.wait_for_selector("#toast:has-text('Quầy tiếp tục làm việc.')")
    assert console.get_attribute("#console", "data-paused") == "0"
    calls = [r for r in hub.views.calls_after(0)]
    assert [c["number"] for c in calls] == ["1001"]
    assert console.js_errors == [] and screen.js_errors == []


def test_a_second_officer_cannot_take_the_same_counter(app, hub, live, api, pages) -> None:
    """GIVEN counter 1 opened by canbo1 WHEN canbo2 logs in THEN counter 1 is shown as in
    use with no button, its console sends canbo2 back to the picker, and a forged action
    from canbo2's page is refused by the hub (403)."""
    staff = api.user("canbo1")
    api.post("/counters/1/open", staff)
    hub.users.add_user("canbo2", PASSWORD, "staff")
    page = pages(1440, 900)

    log_in(page, live.url, "canbo2")
    page.wait_for_url(f"{live.url}/counter")
    taken = page.locator("li[data-counter='1']")
    free = page.locator("li[data-counter='2']")
    page.goto(f"{live.url}/counter/1")
    forged = page.evaluate(
        """async () => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const r = await fetch('/counter/1/action/call-next', {method: 'POST',
                headers: {'X-CSRF-Token': csrf, 'Accept': 'application/json'}});
            return [r.status, (await r.json()).error.code];
        }"""
    )

    assert page.url == f"{live.url}/counter"
    assert "is-taken" in (taken.get_attribute("class") or "")
    assert taken.locator("button").count() == 0 and free.locator("button").count() == 1
    assert forged == [403, "not_your_counter"]


def test_a_manager_cannot_call(app, hub, live, pages) -> None:
    """GIVEN a manager logged in WHEN they open the console THEN they get the 403 page,
    and a call attempt from their page is refused."""
    hub.users.add_user("sep", PASSWORD, "manager")
    page = pages()

    log_in(page, live.url, "sep")
    page.wait_for_load_state()
    answer = page.goto(f"{live.url}/counter")
    tried = page.evaluate(
        """async () => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const r = await fetch('/counter/1/action/call-next', {method: 'POST',
                headers: {'X-CSRF-Token': csrf, 'Accept': 'application/json'}});
            return r.status;
        }"""
    )

    assert answer.status == 403
    assert "Không có quyền thực hiện thao tác này." in page.inner_text("h1")
    assert tried == 403
