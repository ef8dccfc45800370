"""The counter tablet (/rate/<counter>) in headless Chromium (a 1280×800 tablet): a
completion opens the window over Socket.IO, "Không hài lòng" then a reason records the
rating with its reason on the right ticket; a press outside a window is refused."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from config.paths import EXAMPLES
from config.schema import parse_config
from hub.store.db import read
from hub.store.tables import rating_presses, ratings
from tests.conftest import Api, build_app, close_app
from tests.kiosk.rating_pad.support import wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def site(sqlite_database, tmp_path, clock, live_server) -> Iterator[tuple[str, Any, Api]]:
    """A live hub on the demo site: (base URL, hub, API helper)."""
    raw = tomllib.loads((EXAMPLES / "demo.toml").read_text("utf-8"))
    app = build_app(parse_config(raw, "demo.toml"), sqlite_database, tmp_path, clock)
    try:
        url = live_server(app).url
        if requests.get(f"{url}/display/static/socket.io.min.js", timeout=5).status_code != 200:
            pytest.skip("the display package (Socket.IO client) is not installed")
        yield url, app.extensions["motcua"], Api(app)
    finally:
        close_app(app)


@pytest.fixture
def tablet(new_page) -> Any:
    return new_page(1280, 800)


def _version(hub: Any, name: str) -> str:
    (device,) = [d for d in hub.devices.list_devices() if d["name"] == name]
    return str(device.get("version") or "")


def _serve(api: Api, kiosk: dict[str, str], staff: dict[str, str]) -> str:
    ticket = api.issue(kiosk)
    assert api.post("/counters/1/call-next", staff).status_code == 200
    assert api.post("/counters/1/complete", staff).status_code == 200
    return str(ticket["id"])


def test_the_tablet_rates_the_ticket_just_completed_with_a_reason(site, tablet) -> None:
    """GIVEN the tablet of counter 1 set up with its rating-pad token, officer "Canbo1" at
    the counter WHEN a ticket is completed THEN the page, told over /devices, invites a
    rating; WHEN "Không hài lòng" then "Nhũng nhiễu, gây phiền hà" are pressed THEN the hub
    holds that rating with that reason, on that ticket, sent by the tablet's device, and
    the page thanks the citizen."""
    url, hub, api = site
    token = hub.devices.add_device("tablet-1", "rating-pad", "1")
    kiosk, staff = api.device("kiosk-1", "kiosk"), api.user("canbo1")
    api.post("/counters/1/open", staff)
    tablet.goto(f"{url}/rate/1#token={token}")
    tablet.wait_for_selector("#officer:text-is('Canbo1')")
    assert tablet.inner_text("#counter") == "Quầy 1"
    assert "#token" not in tablet.url  # the token left the address bar
    # Its heartbeat: administrators see it online like any device.
    wait_for(lambda: _version(hub, "tablet-1").startswith("motcua-tablet/"), what="heartbeat")
    labels = [b.inner_text() for b in tablet.query_selector_all("#levels button")]
    assert labels == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    assert tablet.inner_text("#prompt") == "Quý vị hài lòng thế nào với việc phục vụ tại quầy này?"

    ticket = _serve(api, kiosk, staff)
    tablet.wait_for_selector("#prompt:text-is('Mời quý vị đánh giá chất lượng phục vụ')")
    tablet.click("[data-level=unsatisfied]")
    tablet.wait_for_selector("#reasons:not([hidden])")
    reasons = [b.inner_text() for b in tablet.query_selector_all("#reason-list button")]
    assert "Nhũng nhiễu, gây phiền hà" in reasons and "Phải đi lại nhiều lần" in reasons
    tablet.click("#reason-list button:text-is('Nhũng nhiễu, gây phiền hà')")
    tablet.wait_for_selector("#thanks:text-is('Cảm ơn quý vị đã đánh giá')")

    with read(hub.engine) as conn:
        row = conn.execute(select(ratings)).one()
    assert (row.ticket_id, row.level, row.reasons) == (ticket, "unsatisfied", ["harassment"])
    assert row.counter_id == "1" and row.channel == "pad"
    assert row.device_id == hub.tokens.resolve(token).id


def test_a_press_outside_a_window_is_refused_with_a_clear_message(site, tablet) -> None:
    """GIVEN the tablet set up and no service completed at its counter WHEN "Rất hài lòng"
    is pressed THEN the page says there is nothing to rate and the hub keeps the press as
    refused (no_ticket), no rating stored."""
    url, hub, api = site
    token = hub.devices.add_device("tablet-1", "rating-pad", "1")
    tablet.goto(f"{url}/rate/1#token={token}")
    tablet.wait_for_selector("#officer:text-is('Hiện chưa có cán bộ tại quầy')")
    tablet.click("[data-level=very_satisfied]")
    tablet.wait_for_selector(
        "#notice:text-is('Chưa có lượt phục vụ nào vừa hoàn thành tại quầy này để đánh giá.')"
    )
    with read(hub.engine) as conn:
        assert conn.execute(select(ratings)).all() == []
        (press,) = conn.execute(select(rating_presses)).all()
    assert (press.outcome, press.code) == ("rejected", "no_ticket")


def test_the_page_speaks_english_second_and_refuses_other_tokens(site, tablet) -> None:
    """GIVEN ?lang=en THEN the buttons read in English; GIVEN a kiosk's token or the pad of
    another counter THEN the page says the tablet is not set up right and shows no name."""
    url, hub, api = site
    staff = api.user("canbo1")
    api.post("/counters/1/open", staff)
    kiosk = hub.devices.add_device("kiosk-9", "kiosk", None)
    tablet.goto(f"{url}/rate/1?lang=en#token={kiosk}")
    labels = [b.inner_text() for b in tablet.query_selector_all("#levels button")]
    assert labels == ["Very satisfied", "Satisfied", "Not satisfied"]
    tablet.wait_for_selector("#notice:not([hidden])")
    assert tablet.inner_text("#officer") == ""
    other = hub.devices.add_device("pad-3", "rating-pad", "3")
    tablet.goto(f"{url}/rate/1?lang=en#token={other}")
    tablet.wait_for_selector('#notice:text-is("This tablet\'s token belongs to another counter.")')
