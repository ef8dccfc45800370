"""An agent's Socket.IO client, ended for good when the agent stops."""

from __future__ import annotations

import threading

import pytest
import socketio

from config.wire import NS_DISPLAY
from kiosk.kit.sockets import close_for_good


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


def _reconnect_threads() -> list[threading.Thread]:
    return [
        t
        for t in threading.enumerate()
        if getattr(getattr(t, "_target", None), "__name__", "") == "_handle_reconnect"
    ]


@pytest.mark.parametrize("pause_s", [0.0, 0.02, 0.1])
def test_a_client_whose_hub_just_hung_up_stops_for_good(app, live_server, pause_s) -> None:
    """GIVEN a client connected with endless reconnection, and its hub gone a moment ago
    (before, while or after python-socketio starts its reconnect loop)
    WHEN it is closed for good
    THEN it is not connected, no reconnect loop runs, and none starts later."""
    server = live_server(app)
    for _ in range(5):
        sio = socketio.Client(
            reconnection=True,
            reconnection_attempts=0,
            reconnection_delay=0.05,
            reconnection_delay_max=0.1,
        )
        sio.connect(server.url, namespaces=[NS_DISPLAY], transports=["websocket"])
        assert sio.connected
        server.crash()
        threading.Event().wait(pause_s)
        close_for_good(sio, timeout_s=3)
        assert not sio.connected
        assert _reconnect_threads() == []
        server.start()  # a hub back now would be reached by a loop left running
        threading.Event().wait(0.3)
        assert not sio.connected
        assert _reconnect_threads() == []
