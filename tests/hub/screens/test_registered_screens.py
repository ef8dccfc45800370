"""Only registered screens acknowledge calls: the "not shown on any screen" warning
cannot be hidden by an anonymous client of the public ``/display`` namespace.

The hub is served on 127.0.0.1 and the screens are python-socketio clients over a
real websocket, as a hall TV or an attacker on the centre's LAN would connect.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import select

from hub.store.db import read
from hub.store.tables import call_acks, calls
from tests.conftest import Api
from tests.display.web.livehub import Caller

NS = "/display"


def _screen(url: str, token: str | None = None) -> Any:
    client = socketio.Client(reconnection=False)
    client.connect(url, namespaces=[NS], transports=["websocket"],
                   auth={"token": token} if token else None, wait_timeout=5)  # fmt: skip
    return client


def _ack(client: Any, seq: int) -> Any:
    return client.call("ack", {"seq": seq, "kind": "shown", "screen": "sanh-tv1"},
                       namespace=NS, timeout=5)  # fmt: skip


def _unseen(url: str, manager: dict[str, str]) -> int:
    answer = requests.get(f"{url}/dashboard/data", headers=manager, timeout=5)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["unseen"]["total"])


@pytest.fixture
def served(app: Any, live_server: Any) -> str:
    return str(live_server(app).url)


def test_an_anonymous_ack_does_not_hide_the_warning(
    app: Any, hub: Any, caller: Caller, served: str
) -> None:
    """GIVEN a call on the served hub, and clients of /display with no token and with a
    kiosk's token (not a screen)
    WHEN they answer the call with ack {seq, kind: "shown"}
    THEN they are refused (unauthorized, bad_token), nothing is recorded, and the
    managers' dashboard still lists the call as not shown on any screen."""
    manager = Api(app).user("quanly", "manager")
    call = caller.call("1", "dat-dai")
    kiosk_token = caller.accounts.kiosk_token
    anonymous, kiosk = _screen(served), _screen(served, kiosk_token)
    try:
        assert _ack(anonymous, call["seq"])["error"]["code"] == "unauthorized"
        assert _ack(kiosk, call["seq"])["error"]["code"] == "bad_token"
        # Still read-only, not refused: the public events keep working.
        assert "calls" in anonymous.call("since", {"seq": 0}, namespace=NS, timeout=5)
    finally:
        anonymous.disconnect()
        kiosk.disconnect()
    assert _unseen(served, manager) == 1
    with read(hub.engine) as conn:
        assert conn.execute(select(call_acks)).all() == []
        assert conn.execute(select(calls.c.shown_at)).scalar_one() is None


def test_a_registered_display_hides_it_until_re_keyed(
    app: Any, hub: Any, caller: Caller, served: str
) -> None:
    """GIVEN a screen connected with its display device's token
    WHEN it acknowledges a call THEN the dashboard no longer lists it;
    WHEN the device is re-keyed THEN the same open socket's next ack is refused
    (bad_token) and the next call stays listed."""
    manager = Api(app).user("quanly", "manager")
    device_id, token = hub.devices.register_device("tv-sanh", "display", None)
    first = caller.call("1", "dat-dai")
    screen = _screen(served, token)
    try:
        assert _unseen(served, manager) == 1
        assert _ack(screen, first["seq"]) == {"ok": True}
        assert _unseen(served, manager) == 0

        hub.devices.rekey_device(device_id)
        second = caller.call("1", "dat-dai")
        assert _ack(screen, second["seq"])["error"]["code"] == "bad_token"
    finally:
        screen.disconnect()
    assert _unseen(served, manager) == 1
