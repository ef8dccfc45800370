"""Six weeks of the demo's history for the tests that read figures (dashboard, reports)."""

from __future__ import annotations

from typing import Any

from hub.demo.history import seed_history


def demo_history(hub: Any, api: Any) -> dict[str, str]:
    """Six weeks of demo history up to the fake clock's day (27 Nov 2026), then one live
    rating today at counter 1 and one citizen waiting; returns a manager's headers."""
    for name in ("canbo1", "canbo2", "canbo3"):
        api.user(name)
    assert seed_history(hub.engine, hub.config, hub.clock()) > 500
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    pad = api.device("pad-1", "rating-pad", "1")
    api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff)
    assert api.post("/ratings", pad, json={"key": "live-00001", "level": "satisfied"}
                    ).status_code == 201  # fmt: skip
    api.issue(kiosk)  # one citizen waiting
    return api.user("sep", "manager")
