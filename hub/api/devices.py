"""``/devices/heartbeat`` and ``/healthz``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from config.wire import DEVICE_KINDS
from hub.accounts import Actor
from hub.api.models import HealthOut, HeartbeatIn
from hub.api.spec import PUBLIC, Access, endpoint
from hub.context import current_hub, remote_address
from hub.health import degraded_reasons
from hub.store.db import ping
from hub.store.faults import DatabaseUnavailable, storage_health

bp = Blueprint("devices", __name__)
ANY_DEVICE = Access(devices=DEVICE_KINDS)


@endpoint(
    bp,
    "/api/v1/devices/heartbeat",
    "POST",
    summary="A device reports it is alive",
    access=ANY_DEVICE,
    body=HeartbeatIn,
    status=204,
    errors_=(400, 401, 403),
)
def heartbeat(*, actor: Actor, body: HeartbeatIn) -> None:
    status = body.status.model_dump(exclude_none=True)
    current_hub().devices.heartbeat(actor, body.version, status, remote_address())


@endpoint(
    bp,
    "/healthz",
    "GET",
    summary="200 when the database answers: ok, or degraded with the reasons",
    access=PUBLIC,
    response=HealthOut,
    errors_=(503,),
)
def healthz(*, actor: Actor | None) -> dict[str, Any]:
    hub = current_hub()
    if not ping(hub.engine):
        raise DatabaseUnavailable()
    fault = storage_health(hub.engine).fault
    reasons = ([fault.code] if fault is not None else []) + degraded_reasons(hub)
    if reasons:
        return {"status": "degraded", "reasons": reasons}
    return {"status": "ok"}
