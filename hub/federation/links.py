"""Links between hubs: a centre's hub forwards with a device token of kind ``hub``
made on the upstream with ``motcua upstream link NAME``."""

from __future__ import annotations

from typing import Any

from config.wire import DeviceKind
from hub import errors


def check_link(actor: Any) -> None:
    """Only a ``hub`` link may forward (403 otherwise)."""
    if actor is None or actor.kind != "device" or actor.role != DeviceKind.HUB:
        raise errors.Forbidden("Chỉ liên kết giữa các hub được chuyển tiếp", code="not_a_link")
