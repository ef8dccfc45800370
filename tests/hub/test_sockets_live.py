"""Socket.IO over real websockets against a live server on 127.0.0.1."""

from __future__ import annotations

import queue
import time
from typing import Any

import pytest
import requests
import socketio

from tests.conftest import Api


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


class Recorder:
    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def wait(self, name: str, timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got, payload = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if got == name:
                return payload
        raise AssertionError(f"no {name!r} event within {timeout} s")


def connect(url: str, namespace: str, events: list[str], auth: Any = None) -> tuple[Any, Recorder]:
    rec = Recorder()
    client = socketio.Client(reconnection=False)
    for name in events:
        client.on(name, (lambda n: lambda data: rec.events.put((n, data)))(name),
                  namespace=namespace)  # fmt: skip
    client.connect(url, namespaces=[namespace], transports=["websocket"], auth=auth,
                   wait_timeout=5)  # fmt: skip
    return client, rec


def test_display_gets_snapshot_call_and_queue(app, live) -> None:
    """GIVEN a screen connected over websocket WHEN a kiosk issues and a counter calls
    THEN the screen receives snapshot, queue and call, with no ticket id."""
    api = Api(app)
    kiosk = api.device("k1", "kiosk")
    staff = api.user("canbo1")
    screen_token = api.device("tv-sanh", "display")["Authorization"].split()[1]
    screen, rec = connect(live.url, "/display", ["snapshot", "call", "queue", "counter"],
                          auth={"token": screen_token})  # fmt: skip
    try:
        assert screen.transport() == "websocket"
        snap = rec.wait("snapshot")
        assert snap["site"]["id"] == "demo" and snap["waiting"]["dat-dai"] == 0
        http = requests.Session()
        r = http.post(f"{live.url}/api/v1/tickets", json={"service": "dat-dai"}, headers=kiosk,
                      timeout=5)  # fmt: skip
        assert r.status_code == 201
        assert rec.wait("queue")["waiting"]["dat-dai"] == 1
        http.post(f"{live.url}/api/v1/counters/1/open", headers=staff, timeout=5)
        http.post(f"{live.url}/api/v1/counters/1/call-next", headers=staff, timeout=5)
        call = rec.wait("call")
        assert call["number"] == "1001" and call["counter"]["name"] == "Quầy 1"
        assert call["recall"] is False and "id" not in call and call["seq"] >= 1
        http.post(f"{live.url}/api/v1/counters/1/recall", headers=staff, timeout=5)
        recall = rec.wait("call")
        assert recall["recall"] is True and recall["seq"] > call["seq"]
        missed = screen.call("since", {"seq": call["seq"] - 1}, namespace="/display", timeout=5)
        assert [c["seq"] for c in missed["calls"]] == [call["seq"], recall["seq"]]
        bad = screen.call("since", {"seq": "x"}, namespace="/display", timeout=5)
        assert bad["error"]["code"] == "invalid_seq"
        ack = screen.call("ack", {"seq": call["seq"], "kind": "shown", "screen": "sanh"},
                          namespace="/display", timeout=5)  # fmt: skip
        assert ack == {"ok": True}
        http.post(f"{live.url}/api/v1/counters/1/complete", headers=staff, timeout=5)
        freed = rec.wait("counter")
        assert freed == {"id": "1", "name": "Quầy 1"}  # nobody served there any more
        assert screen.call("ack", {"seq": 10**9, "kind": "shown"}, namespace="/display",
                           timeout=5)["error"]["code"] == "unknown_seq"  # fmt: skip
    finally:
        screen.disconnect()


def test_devices_namespace_needs_a_token(app, live) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(live.url, "/devices", [], auth={"token": "wrong"})
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(live.url, "/devices", [])


def test_rating_pad_gets_open_and_close(app, live) -> None:
    """GIVEN a pad of counter 1 on /devices WHEN the ticket is completed THEN
    rating_open; WHEN the pad rates THEN rating_close."""
    api = Api(app)
    kiosk = api.device("k1", "kiosk")
    staff = api.user("canbo1")
    pad_headers = api.device("pad1", "rating-pad", "1")
    other, other_rec = connect(live.url, "/devices", ["rating_open"],
                               auth={"token": api.device("pad2", "rating-pad", "2")[
                                   "Authorization"].split()[1]})  # fmt: skip
    pad, rec = connect(live.url, "/devices", ["rating_open", "rating_close"],
                       auth={"token": pad_headers["Authorization"].split()[1]})  # fmt: skip
    try:
        http = requests.Session()
        http.post(
            f"{live.url}/api/v1/tickets", json={"service": "dat-dai"}, headers=kiosk, timeout=5
        )
        http.post(f"{live.url}/api/v1/counters/1/open", headers=staff, timeout=5)
        http.post(f"{live.url}/api/v1/counters/1/call-next", headers=staff, timeout=5)
        http.post(f"{live.url}/api/v1/counters/1/complete", headers=staff, timeout=5)
        opened = rec.wait("rating_open")
        assert opened["counter"] == "1" and opened["until"].endswith("Z")
        r = http.post(f"{live.url}/api/v1/ratings", headers=pad_headers, timeout=5,
                      json={"key": "pad1-live-1", "level": "satisfied"})  # fmt: skip
        assert r.status_code == 201
        assert rec.wait("rating_close") == {"counter": "1"}
        assert other_rec.events.empty()
    finally:
        pad.disconnect()
        other.disconnect()


def test_counter_namespace_for_staff_only(app, live) -> None:
    api = Api(app)
    staff = api.user("canbo1")
    token = staff["Authorization"].split()[1]
    console, rec = connect(live.url, "/counter", ["queue", "counter"], auth={"token": token})
    try:
        assert "waiting" in rec.wait("queue")
        assert console.call("watch", {"counter": "1"}, namespace="/counter", timeout=5) == {
            "ok": True}  # fmt: skip
        requests.post(f"{live.url}/api/v1/counters/1/open", headers=staff, timeout=5)
        assert rec.wait("counter")["status"] == "open"
    finally:
        console.disconnect()
    kiosk_token = api.device("k1", "kiosk")["Authorization"].split()[1]
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(live.url, "/counter", [], auth={"token": kiosk_token})
