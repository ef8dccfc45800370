"""The admin's device page in headless Chromium: what devices report, in words.

A display agent reports ``{"audio": "ok", "socket": "connected", "boards": {…}}`` and a
kiosk ``{"printer": …, "last_error": …}`` (the JSON API keeps those values); the page
shows them in Vietnamese (English with ``?lang=en``), never as ``audio: ok``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

RAW_KEY = re.compile(r"\b(audio|socket|boards?|printer|keypad|led_board|last_error)\s*:")


def _beat(api: Any, token: str, status: dict[str, Any]) -> None:
    answer = api.post(
        "/devices/heartbeat",
        {"Authorization": f"Bearer {token}"},
        json={"version": "0.1", "status": status},
    )
    assert answer.status_code == 204


def _chips(page: Any, device: str) -> list[str]:
    row = f"#devices-table tr:has(td.strong-cell:text-is('{device}')) .js-health .chip"
    return [c.inner_text().strip() for c in page.query_selector_all(row)]


@pytest.fixture
def reporting(hub, api) -> dict[str, str]:
    """A display agent and a kiosk that have each sent one heartbeat."""
    agent = hub.devices.add_device("sanh-pi", "display", None)
    kiosk = hub.devices.add_device("kiosk-sanh", "kiosk", None)
    _beat(
        api,
        agent,
        {
            "boards": {"/dev/ttyUSB0": "ok", "/dev/ttyUSB1": "timeout"},
            "board_timeouts": {"/dev/ttyUSB0": 0, "/dev/ttyUSB1": 3},
            "audio": "ok",
            "socket": "connected",
        },
    )
    _beat(
        api,
        kiosk,
        {
            "printer": "paper_out",
            "printed": 3,
            "cancelled": 1,
            "pending_cancels": 0,
            "last_error": "USB unplugged",
        },
    )
    return {"agent": agent, "kiosk": kiosk}


def _admin_page(hub, live, new_page, lang: str = "") -> Any:
    hub.users.add_user("quantri", PASSWORD, "admin")
    page = new_page(1400, 900)
    page.set_default_timeout(8000)
    page.goto(f"{live.url}/login")
    page.fill("#username", "quantri")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live.url}/admin/devices{lang}")
    page.wait_for_selector("#devices-table tr[data-device]")
    return page


def test_device_statuses_read_in_vietnamese(hub, live, api, new_page, reporting) -> None:
    """GIVEN a display agent reporting its loudspeaker, its link and two LED boards, and a
    kiosk out of paper WHEN an admin opens the device page THEN each state is a
    Vietnamese chip, no raw ``key: value``; and after the agent reports a broken
    loudspeaker and a lost link, the page's own refresh shows that in Vietnamese too."""
    page = _admin_page(hub, live, new_page)

    assert _chips(page, "sanh-pi") == [
        "Đang hoạt động",
        "Loa hoạt động",
        "Bảng LED hoạt động (/dev/ttyUSB0)",
        "Bảng LED không phản hồi (/dev/ttyUSB1)",
        "Đã kết nối máy chủ",
    ]
    assert _chips(page, "kiosk-sanh") == [
        "Đang hoạt động",
        "Lỗi máy in gần nhất: USB unplugged",
        "Máy in hết giấy",
    ]
    table = page.inner_text("#devices-table")
    assert "Màn hình gọi số" in table and "Máy lấy số" in table
    assert RAW_KEY.search(table) is None

    _beat(api, reporting["agent"], {"audio": "error", "socket": "disconnected"})
    page.wait_for_selector(
        "#devices-table .chip:text-is('Loa bị lỗi')", timeout=30000
    )  # admin.js refreshes every 5 s
    assert "Mất kết nối máy chủ" in _chips(page, "sanh-pi")
    assert RAW_KEY.search(page.inner_text("#devices-table")) is None


def test_device_statuses_read_in_english_with_lang_en(hub, live, new_page, reporting) -> None:
    """GIVEN the same reports WHEN the page is asked in English THEN the chips are the
    English catalogue's words."""
    page = _admin_page(hub, live, new_page, "?lang=en")

    assert _chips(page, "sanh-pi") == [
        "Online",
        "Loudspeaker OK",
        "LED board OK (/dev/ttyUSB0)",
        "LED board not answering (/dev/ttyUSB1)",
        "Connected to the hub",
    ]
    assert RAW_KEY.search(page.inner_text("#devices-table")) is None


def test_the_live_json_keeps_the_reported_values(hub, live, new_page, reporting) -> None:
    """GIVEN the reports WHEN the admin pages' JSON (/admin/live) is read THEN ``status``
    holds the values the devices sent, unchanged; only ``status_labels`` are words."""
    page = _admin_page(hub, live, new_page)
    data = page.request.get(f"{live.url}/admin/live", headers={"Accept": "application/json"})
    devices = {d["name"]: d for d in data.json()["devices"]}

    assert devices["sanh-pi"]["status"]["audio"] == "ok"
    assert devices["sanh-pi"]["status"]["socket"] == "connected"
    assert devices["kiosk-sanh"]["status"]["printer"] == "paper_out"
    assert ["Loa hoạt động", False] in devices["sanh-pi"]["status_labels"]
    assert ["Máy in hết giấy", True] in devices["kiosk-sanh"]["status_labels"]
