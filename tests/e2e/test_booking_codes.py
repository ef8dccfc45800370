"""A booking code sent through a gateway that hangs, on the shipped server (``motcua
serve``: gunicorn with a gevent worker): the wait costs that request alone.

The code is sent with the sender's timeouts, outside any database transaction, so
while the gateway keeps the request open the same worker still answers the health
check, the public API and a kiosk's new ticket (which on SQLite needs the write lock).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.support import DEMO_CONFIG, Site, SiteConfig, StartHub
from tests.hub.booking.gateway import Gateway, gateway

__all__ = ["gateway"]

pytestmark = [pytest.mark.slow]


def _with_sender(site: Site, folder: Path, url: str) -> Site:
    config = folder / "booking.toml"
    config.write_text(
        DEMO_CONFIG.read_text(encoding="utf-8")
        + f'\n[booking]\nenabled = true\n\n[booking.sender]\nkind = "sms"\nurl = "{url}"\n'
        + "timeout_s = 10\n",
        encoding="utf-8",
    )
    return replace(site, config=SiteConfig.read(config))


def _wait_for(check: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("not within the deadline")
        time.sleep(0.05)


def test_a_hanging_gateway_does_not_stall_the_served_hub(
    any_site: Site, start_hub: StartHub, gateway: Gateway, tmp_path: Path
) -> None:
    """GIVEN the shipped server with one gevent worker and an SMS gateway that takes the
    request and does not answer (timeout_s = 10)
    WHEN a citizen asks for a code
    THEN while that request waits, /healthz, GET /services and a kiosk's POST /tickets
    are answered at once (each within 5 s); once the gateway answers, the code request
    gets its 202 and the gateway received the code."""
    [hub] = start_hub(_with_sender(any_site, tmp_path, gateway.url), "a")
    http = requests.Session()
    page = http.get(f"{hub.url}/book", timeout=10).text.replace("&#34;", '"')
    token = re.search(r'"token": ?"([^"]+)"', page).group(1)  # type: ignore[union-attr]
    gateway.hold = True
    answers: list[requests.Response] = []

    def ask() -> None:
        answers.append(requests.post(f"{hub.url}/api/v1/bookings/code", timeout=30,
                                     json={"service": "dat-dai", "phone": "0912345678"},
                                     headers={"X-Booking-Token": token}))  # fmt: skip

    asking = threading.Thread(target=ask)
    asking.start()
    try:
        _wait_for(lambda: len(gateway.received) == 1)
        assert http.get(f"{hub.url}/healthz", timeout=5).status_code == 200
        assert http.get(f"{hub.url}/api/v1/services", timeout=5).status_code == 200
        kiosk = {"Authorization": f"Bearer {any_site.kiosk_token}"}
        issued = http.post(f"{hub.url}/api/v1/tickets", json={"service": "dat-dai"},
                           headers=kiosk, timeout=5)  # fmt: skip
        assert issued.status_code == 201, issued.text
        assert asking.is_alive() and not answers, "the code request was still waiting"
    finally:
        gateway.release.set()
        asking.join(30)
    assert answers[0].status_code == 202, answers[0].text
    assert len(gateway.codes()) == 1
