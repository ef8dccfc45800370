"""The touch kiosk's field buttons in headless Chromium: "khoảng 15 phút", never
"~ 15 phút", under "số người đang chờ", and "quý vị" on the ticket card."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.kiosk.dispenser.test_touch_in_chromium import touch

__all__ = ["touch"]

pytestmark = pytest.mark.browser


def _with_wait(seconds: int) -> Any:
    """A route handler: the kiosk's own /status, every field's estimate set to ``seconds``
    and served by an open counter (a fresh hub has no service history to estimate from,
    and no counter open)."""

    def handle(route: Any) -> None:
        answer = route.fetch()
        data = answer.json()
        for service in data["services"]:
            service["estimated_wait_s"] = seconds
            service["no_open_counter"] = False
        route.fulfill(response=answer, body=json.dumps(data))

    return handle


def test_field_buttons_say_khoang_and_count_people_waiting(new_page, touch, hub) -> None:
    """GIVEN a kiosk whose hub estimates a 15-minute wait WHEN the touch page shows the
    fields THEN each button reads "khoảng 15 phút" (never "~") under "số người đang
    chờ"; and the card of a taken number says "Số thứ tự của quý vị"."""
    url, _agent = touch
    page = new_page(1080, 1920)
    page.route("**/status", _with_wait(15 * 60))
    page.goto(url)
    page.wait_for_selector(".field[data-service=dat-dai] .wait:text-is('khoảng 15 phút')")

    button = page.inner_text(".field[data-service=dat-dai]")
    assert "số người đang chờ" in button
    assert "~" not in page.inner_text("#fields")

    page.unroute("**/status")
    page.click(".field[data-service=dat-dai]")
    page.wait_for_selector(".card[data-phase=printed]")
    assert page.inner_text("#card-label") == "Số thứ tự của quý vị · Your number"
