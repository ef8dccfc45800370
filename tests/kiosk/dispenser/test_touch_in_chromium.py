"""The touch page in headless Chromium, touched as a citizen would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hardware.fakes import FakeTicketPrinter
from kiosk.dispenser.loop import Dispenser
from kiosk.dispenser.touch import TouchServer
from kiosk.kit.hub_client import HubClient
from tests.kiosk.dispenser.support import hub_tickets, settings, wait_until
from tests.support.live import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def touch(hub, live) -> Iterator[tuple[str, Dispenser]]:
    token = hub.devices.add_device("kiosk-test", "kiosk", None)
    printer = FakeTicketPrinter()
    agent = Dispenser(settings(live.url, token), client=HubClient(live.url, token), printer=printer)
    agent.start()
    server = TouchServer(agent, "127.0.0.1", 0)
    server.start()
    try:
        yield server.url, agent
    finally:
        server.stop()
        agent.stop()


def test_touching_a_field_shows_the_number_and_prints_it(new_page, touch, hub) -> None:
    """GIVEN the touch page on a portrait kiosk screen
    WHEN a citizen chooses "Người cao tuổi" then touches "Tư pháp – Hộ tịch"
    THEN the page shows the number the hub issued, with the field and the priority,
    the printer printed exactly that ticket, and the priority choice is cleared."""
    url, agent = touch
    page = new_page(1080, 1920)
    page.goto(url)
    page.wait_for_selector("body[data-state=ready] .field[data-service=tu-phap]")
    assert page.text_content("#site-name").startswith("Trung tâm Phục vụ hành chính công")
    assert "Tư pháp – Hộ tịch" in page.inner_text("#fields")
    page.click("[data-priority=elderly]")
    assert page.get_attribute("[data-priority=elderly]", "aria-checked") == "true"
    page.click(".field[data-service=tu-phap]")
    page.wait_for_selector(".card[data-phase=printed]")

    (ticket,) = hub_tickets(hub)
    assert (ticket.number, ticket.priority) == ("B001", "elderly")
    assert page.inner_text("#card-number") == "B001"
    assert "Tư pháp – Hộ tịch" in page.inner_text("#card-field")
    assert "Người cao tuổi" in page.inner_text("#card-prio")
    assert "Mời nhận phiếu" in page.inner_text("#card-take")
    assert len(agent.printer.images) == 1
    assert page.get_attribute("[data-priority=elderly]", "aria-checked") == "false"


def test_hub_down_page_says_issuing_is_suspended(new_page) -> None:
    """GIVEN a kiosk whose hub does not answer WHEN the touch page is shown
    THEN it says "Tạm ngưng cấp số" and its field buttons cannot be touched."""
    url = f"http://127.0.0.1:{free_port()}"
    agent = Dispenser(settings(url, "t"), client=HubClient(url, "t"), printer=FakeTicketPrinter())
    agent.start()
    server = TouchServer(agent, "127.0.0.1", 0)
    server.start()
    page = new_page(1920, 1080)
    try:
        wait_until(lambda: agent.snapshot()["state"] == "hub_unreachable", what="hub down")
        page.goto(server.url)
        page.wait_for_selector("body[data-state=hub_unreachable] #banner:not([hidden])")
        assert page.inner_text("#banner-vi") == "Tạm ngưng cấp số"
        assert page.query_selector_all(".field:not([disabled])") == []
    finally:
        server.stop()
        agent.stop()
