"""What ``/healthz`` says beyond "the database answers": what degrades the hub without
stopping it, each as ``{code, message}``."""

from __future__ import annotations

from hub.context import Hub
from hub.fanout import REDIS_UNREACHABLE, REDIS_UNREACHABLE_MESSAGE

MESSAGES = {REDIS_UNREACHABLE: REDIS_UNREACHABLE_MESSAGE}


def degraded_reasons(hub: Hub) -> list[dict[str, str]]:
    """Why this process serves in a degraded way (empty when all is well)."""
    found = [hub.fanout.problem()] if hub.fanout is not None else []
    return [{"code": code, "message": MESSAGES[code]} for code in found if code is not None]
