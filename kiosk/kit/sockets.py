"""Ending a python-socketio client for good, when an agent stops."""

from __future__ import annotations

import time

import socketio


def close_for_good(sio: socketio.Client, timeout_s: float = 5.0) -> None:
    """Disconnect and end the client's reconnection, also one it is only about to start.

    ``Client.shutdown()`` alone can miss a reconnect loop: when the hub has just hung up,
    python-socketio starts that loop from its reader thread a moment later, and a loop
    that starts after the shutdown retries a gone hub for ever. So no new loop may start,
    a running one ends after its current attempt, and the shutdown is repeated until the
    client is not connected, its Engine.IO reader (which starts that loop) has ended and
    no loop runs (or ``timeout_s`` has passed).
    """
    sio.reconnection = False
    sio.reconnection_attempts = 1
    deadline = time.monotonic() + timeout_s
    while True:
        sio.shutdown()
        busy = sio.connected or _reading(sio) or _reconnecting(sio)
        if not busy or time.monotonic() >= deadline:
            return
        time.sleep(0.05)


def _reading(sio: socketio.Client) -> bool:
    task = sio.eio.read_loop_task
    return task is not None and task.is_alive()


def _reconnecting(sio: socketio.Client) -> bool:
    # python-socketio keeps its reconnect thread here while it runs (5.x).
    task = getattr(sio, "_reconnect_task", None)
    return task is not None and task.is_alive()
