"""What ``/healthz`` says beyond "the database answers": what degrades the hub without
stopping it, each by its code."""

from __future__ import annotations

from hub.context import Hub


def degraded_reasons(hub: Hub) -> list[str]:
    """Why this process serves in a degraded way (empty when all is well)."""
    found = [hub.fanout.problem()] if hub.fanout is not None else []
    return [code for code in found if code is not None]
