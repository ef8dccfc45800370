"""The kiosk's local API (``/take``, ``/status``, ``/services``) against a live hub."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

from config.paths import EXAMPLES
from config.schema import parse_config
from hardware.fakes import FakeTicketPrinter
from hardware.printer import EscposTicketPrinter
from kiosk.dispenser.loop import Dispenser
from kiosk.dispenser.touch import create_touch_app
from kiosk.kit.hub_client import HubClient
from tests.conftest import build_app, close_app
from tests.kiosk.dispenser.support import RaisingDummy, hub_tickets, settings, wait_until


@pytest.fixture
def limited_config():
    """The demo site, with "Kinh doanh" limited to one ticket a day."""
    raw = tomllib.loads((EXAMPLES / "demo.toml").read_text("utf-8"))
    next(s for s in raw["services"] if s["id"] == "kinh-doanh")["daily_limit"] = 1
    return parse_config(raw, "limited.toml")


@pytest.fixture
def hub_app(limited_config, sqlite_database, tmp_path, clock) -> Iterator[Any]:
    app = build_app(limited_config, sqlite_database, tmp_path, clock)
    yield app
    close_app(app)


@pytest.fixture
def kiosk(hub_app, live_server) -> Iterator[tuple[Any, Any, Any]]:
    """(touch client, agent, hub) with a fake printer, agent ready."""
    hub = hub_app.extensions["motcua"]
    token = hub.devices.add_device("kiosk-test", "kiosk", None)
    url = live_server(hub_app).url
    printer = FakeTicketPrinter()
    printer.open()
    agent = Dispenser(settings(url, token), client=HubClient(url, token), printer=printer)
    agent.start()
    try:
        wait_until(lambda: agent.snapshot()["state"] == "ready", what="kiosk ready")
        yield create_touch_app(agent).test_client(), agent, hub
    finally:
        agent.stop()


def test_take_answers_the_hubs_ticket_once_printed(kiosk) -> None:
    """GIVEN a ready kiosk WHEN the touch page posts /take with a priority
    THEN 201 with the hub's ticket answer, which was printed."""
    client, agent, hub = kiosk
    r = client.post("/take", json={"service": "tu-phap", "priority": "elderly"})
    assert r.status_code == 201
    body = r.get_json()
    (row,) = hub_tickets(hub)
    assert body["id"] == row.id and body["number"] == "B001" and body["priority"] == "elderly"
    assert body["service"] == {"id": "tu-phap", "name": "Tư pháp – Hộ tịch"}
    assert len(agent.printer.images) == 1
    assert r.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data": "service=dat-dai"}, "application/json"),
        ({"json": ["dat-dai"]}, "service"),
        ({"json": {"service": "Đất đai"}}, "service"),
        ({"json": {"service": "dat-dai", "priority": 3}}, "priority"),
        ({"json": {"service": "dat-dai", "extra": 1}}, "service"),
    ],
)
def test_take_refuses_bad_bodies(kiosk, kwargs, message) -> None:
    """GIVEN malformed requests WHEN posted to /take THEN 400, and the hub issued nothing."""
    client, _, hub = kiosk
    r = client.post("/take", **kwargs)
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_body"
    assert message in r.get_json()["error"]["message"]
    assert hub_tickets(hub) == []


def test_hub_refusals_pass_through_and_mark_the_field(kiosk) -> None:
    """GIVEN a field with a daily limit of one WHEN two tickets are taken
    THEN the second is the hub's 409 daily_limit_reached, and /services marks the field
    unavailable; an unknown field is the hub's 404."""
    client, _, hub = kiosk
    assert client.post("/take", json={"service": "kinh-doanh"}).status_code == 201
    r = client.post("/take", json={"service": "kinh-doanh"})
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] == "daily_limit_reached"
    assert "Đã hết số tiếp nhận trong ngày" in r.get_json()["error"]["message"]
    services = {s["id"]: s for s in client.get("/services").get_json()}
    assert services["kinh-doanh"]["available"] is False
    assert services["dat-dai"]["available"] is True
    r = client.post("/take", json={"service": "ho-chieu"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (404, "unknown_service")
    assert len(hub_tickets(hub)) == 1


def test_status_lists_fields_with_counts_and_priorities(kiosk) -> None:
    """GIVEN two tickets waiting in "Đất đai" WHEN /status is read
    THEN it is ready, names the site, lists every field with its waiting count and
    estimated wait, and offers the priority categories in Vietnamese and English."""
    client, agent, _ = kiosk
    for _ in range(2):
        assert client.post("/take", json={"service": "dat-dai"}).status_code == 201
    wait_until(
        lambda: client.get("/status").get_json()["services"][0]["waiting"] == 2,
        what="fresh counts",
    )
    status = client.get("/status").get_json()
    assert status["state"] == "ready" and status["message"] is None
    assert status["site"]["name"].startswith("Trung tâm Phục vụ hành chính công")
    assert status["site"]["timezone"] == "Asia/Ho_Chi_Minh"
    assert [s["id"] for s in status["services"]] == ["dat-dai", "tu-phap", "kinh-doanh"]
    assert status["services"][0]["estimated_wait_s"] > 0
    assert {"id": "elderly", "vi": "Người cao tuổi", "en": "Elderly"} in status[
        "priority_categories"
    ]
    assert status["current"]["phase"] == "printed" and status["current"]["number"] == "1002"


def test_printer_error_is_a_503_with_the_ticket_cancelled(hub_app, live_server) -> None:
    """GIVEN a kiosk whose printer write fails WHEN /take is posted
    THEN 503 printer_error and the hub's ticket is already cancelled."""
    hub = hub_app.extensions["motcua"]
    token = hub.devices.add_device("kiosk-test", "kiosk", None)
    url = live_server(hub_app).url
    printer = EscposTicketPrinter(RaisingDummy())
    printer.open()
    agent = Dispenser(settings(url, token), client=HubClient(url, token), printer=printer)
    agent.start()
    try:
        wait_until(lambda: agent.snapshot()["state"] == "ready", what="kiosk ready")
        r = create_touch_app(agent).test_client().post("/take", json={"service": "dat-dai"})
    finally:
        agent.stop()
    assert r.status_code == 503
    assert r.get_json()["error"]["code"] == "printer_error"
    assert [t.status for t in hub_tickets(hub)] == ["cancelled"]


def test_page_is_served_without_inline_script(kiosk) -> None:
    """GIVEN the touch page WHEN fetched THEN it loads its script and style from files
    under a CSP that forbids inline script, and its font is served locally."""
    client, _, _ = kiosk
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Lấy số thứ tự" in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in html and 'src="/static/touch.js"' in html
    script = client.get("/static/touch.js")
    assert script.status_code == 200
    script.close()
    font = client.get("/fonts/BeVietnamPro-Bold.ttf")
    assert font.status_code == 200 and font.mimetype == "font/ttf"
    font.close()
    assert client.get("/fonts/..%2Fsecret.ttf").status_code == 404


def test_a_taken_port_is_an_oserror_not_an_exit(capfd) -> None:
    """GIVEN a port another program listens on WHEN the touch server is built on it
    THEN OSError (which the demo and `motcua kiosk` handle), not Werkzeug's sys.exit."""
    import socket

    from kiosk.dispenser.touch import TouchServer

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError, match="cannot listen"):
            TouchServer(object(), "127.0.0.1", taken.getsockname()[1])
    assert "in use" in capfd.readouterr().err
