"""The demo's rating-pad page in headless Chromium, against a real hub on 127.0.0.1.

Its «Phục vụ xong» completes the number really being served at the counter, as the
officer's «Hoàn thành» would, or says that there is none: it never issues or calls a
number, so it can neither invent a ticket nor close one behind the console's back.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from hub.store.db import read
from hub.store.tables import tickets
from kiosk.rating_pad.demo import start
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def database(sqlite_database):  # noqa: ANN001, ANN201
    """The page is not about storage: SQLite only."""
    return sqlite_database


@pytest.fixture
def pad_page(app, live, api, demo_config, tmp_path) -> Iterator[str]:
    """The demo pad agent and its page for counter 1, on the live hub; its URL."""
    stop = threading.Event()
    token = api.hub.devices.add_device("pad-demo-1", "rating-pad", "1")
    lines = start(
        config=demo_config,
        hub_url=live.url,
        tokens={"pad-demo-1": token},
        data_dir=tmp_path,
        stop=stop,
        accounts=[("canbo1", PASSWORD, "staff", "Canbo1")],
    )
    url = re.search(r"http://127\.0\.0\.1:\d+/", lines[0])
    assert url is not None, lines
    try:
        yield url.group(0)
    finally:
        stop.set()


def _tickets(hub: Any) -> list[tuple[str, str]]:
    with read(hub.engine) as conn:
        rows = conn.execute(select(tickets.c.number, tickets.c.status).order_by(tickets.c.number))
        return [(r.number, r.status) for r in rows]


def test_served_completes_the_number_at_the_counter_or_says_there_is_none(
    app, hub, api, pad_page, new_page
) -> None:
    """GIVEN counter 1 serving nothing WHEN «Phục vụ xong» is pressed THEN the page says
    "Quầy chưa phục vụ số nào" and no ticket exists; GIVEN canbo1 serving 1001 with 1002
    waiting WHEN it is pressed THEN 1001 is done, 1002 still waits (nothing called),
    the counter serves nobody, and the page names 1001."""
    page = new_page(1280, 720)
    page.set_default_timeout(8000)
    page.goto(pad_page)
    serve = page.locator(".pad", has_text="Quầy 1").locator("button.serve")

    serve.click()
    page.wait_for_selector("#msg-1.no")
    assert page.inner_text("#msg-1") == "Quầy chưa phục vụ số nào"
    assert _tickets(hub) == []

    kiosk = api.device("kiosk-demo", "kiosk")
    api.issue(kiosk)
    api.issue(kiosk)
    officer = api.user("canbo1")
    assert api.post("/counters/1/open", officer).status_code == 200
    assert api.post("/counters/1/call-next", officer).json["number"] == "1001"

    serve.click()
    page.wait_for_selector("#msg-1.ok")
    assert page.inner_text("#msg-1") == "Số 1001 đã hoàn thành."
    assert _tickets(hub) == [("1001", "done"), ("1002", "waiting")]
    counter = next(c for c in api.get("/counters").json if c["id"] == "1")
    assert counter.get("current") is None

    serve.click()
    page.wait_for_selector("#msg-1.no")
    assert page.inner_text("#msg-1") == "Quầy chưa phục vụ số nào"
    assert _tickets(hub) == [("1001", "done"), ("1002", "waiting")]
