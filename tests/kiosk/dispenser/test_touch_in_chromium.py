"""The touch page in headless Chromium, touched as a citizen would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hardware.fakes import FakeTicketPrinter
from hub.accounts import Actor
from kiosk.dispenser.loop import Dispenser
from kiosk.dispenser.touch import TouchServer
from kiosk.kit.hub_client import HubClient
from tests.conftest import PASSWORD
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


@pytest.fixture
def counter_one_open(hub) -> None:
    """Counter 1 (Đất đai only) open before the kiosk first asks for the fields."""
    user_id, _ = hub.users.add_user("canbo1", PASSWORD, "staff")
    hub.counters.open("1", actor=Actor("user", id=user_id, name="canbo1", role="staff"))


def test_a_field_no_open_counter_serves_says_so_and_shows_no_wait(
    new_page, counter_one_open, touch
) -> None:
    """GIVEN no counter open for "Tư pháp – Hộ tịch" but counter 1 open for "Đất đai"
    WHEN a citizen looks at the fields, then takes a Tư pháp number and a Đất đai one
    THEN Tư pháp's button and card say no counter is open, with no estimated wait (never
    "dưới 1 phút"); Đất đai's card gives its estimated wait."""
    url, _ = touch
    page = new_page(1080, 1920)
    page.goto(url)
    page.wait_for_selector(".field[data-service=tu-phap] .wait:text-is('Chưa mở quầy')")
    assert page.inner_text(".field[data-service=dat-dai] .wait") != "Chưa mở quầy"
    page.click(".field[data-service=tu-phap]")
    page.wait_for_selector(".card[data-phase=printed]")
    assert page.inner_text("#card-wait") == "Chưa có quầy nào đang mở phục vụ lĩnh vực này"
    assert "phút" not in page.inner_text("#card-facts")
    page.click("#overlay")
    page.wait_for_selector("#overlay", state="hidden")
    page.wait_for_selector("body[data-state=ready] .field[data-service=dat-dai]:not([disabled])")
    page.click(".field[data-service=dat-dai]")
    page.wait_for_selector(".card[data-phase=printed] #card-number:text-is('1001')")
    assert page.inner_text("#card-wait").startswith("Thời gian chờ dự kiến: ")
