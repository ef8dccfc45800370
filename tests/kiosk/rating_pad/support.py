"""Helpers for the rating pad tests: its pins, waiting, a served ticket to rate."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

LEVEL_PINS = {"very_satisfied": 17, "satisfied": 27, "unsatisfied": 22}
LED_PINS = {"very_satisfied": 5, "satisfied": 6, "unsatisfied": 13}


def wait_for(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def serve_ticket(api: Any, kiosk: dict[str, str], staff: dict[str, str], counter: str = "1") -> str:
    """Issue a ticket, call it and complete it at ``counter``; returns its id."""
    ticket = api.issue(kiosk)
    api.post(f"/counters/{counter}/open", staff)
    r = api.post(f"/counters/{counter}/call-next", staff)
    if r.status_code != 200:
        raise RuntimeError(f"call-next: {r.status_code} {r.json}")
    api.post(f"/counters/{counter}/complete", staff)
    return str(ticket["id"])
