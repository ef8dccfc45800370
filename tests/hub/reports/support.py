"""Helpers of the report tests."""

from __future__ import annotations

import dataclasses
from typing import Any

from tests.conftest import PASSWORD

EVIL = '=HYPERLINK("http://evil.example/","x")'
"""A counter's name that a spreadsheet would run as a formula."""


def formula_like_names(api: Any, hub: Any) -> dict[str, str]:
    """Counter 1 named :data:`EVIL`, and canbo1, whose display name starts with '+',
    logged in; returns canbo1's headers."""
    counters = tuple(
        dataclasses.replace(c, name=EVIL) if c.id == "1" else c for c in hub.config.counters
    )
    hub.reconfigure(dataclasses.replace(hub.config, counters=counters))
    hub.users.add_user("canbo1", PASSWORD, "staff", display_name="+cmd|' /C calc")
    login = api.client.post("/api/v1/auth/login", json={"username": "canbo1", "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json['token']}"}
