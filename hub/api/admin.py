"""``/admin``: users, devices, the audit log and the configuration (admin only).

The operations are those of :mod:`hub.admin`, shared with the admin pages
(:mod:`hub.pages.admin`), so the JSON API and the pages change things the same
way and audit them the same way: actor, address, before and after.

``GET /devices/me`` lives here too: a device learns its own name and counter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field

from config.wire import DEVICE_KINDS, Role
from hub.accounts import Actor
from hub.admin import (
    config_digest,
    config_view,
    create_user,
    int_id,
    register_device,
    rekey_device,
    reload_config,
    reset_password,
    revoke_device,
    set_user_active,
)
from hub.api.spec import Access, endpoint
from hub.audit import AuditQuery, audit_filter
from hub.clock import iso
from hub.context import current_hub, remote_address

bp = Blueprint("admin", __name__, url_prefix="/api/v1")
ADMIN = Access(roles=(Role.ADMIN,))
ANY_DEVICE = Access(devices=DEVICE_KINDS)
ID = "<string(maxlength=32):{name}>"


# ------------------------------------------------------------------ models
class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AdminUserIn(_In):
    username: Annotated[str, Field(min_length=2, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]
    role: Literal["staff", "manager", "admin"]
    display_name: Annotated[str, Field(max_length=200)] | None = None


class PasswordIn(_In):
    password: Annotated[str, Field(min_length=1, max_length=256)]


class AdminDeviceIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    kind: Literal["kiosk", "rating-pad", "display", "counter-keypad"]
    counter: Annotated[str, Field(min_length=1, max_length=32)] | None = None


class AdminUserOut(BaseModel):
    id: int
    username: str
    display_name: str | None
    role: str
    active: bool
    locked: bool


class AdminDeviceOut(BaseModel):
    id: int
    name: str
    kind: str
    counter_id: str | None
    health: Literal["online", "offline", "never", "revoked"]
    last_seen_at: datetime | None
    version: str | None
    status: dict[str, Any]
    address: str | None


class DeviceTokenOut(BaseModel):
    device: AdminDeviceOut
    token: str


class DeviceMeOut(BaseModel):
    name: str
    kind: str
    counter: str | None


class AuditRowOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    address: str | None
    before: Any = None
    after: Any = None


class AuditPageOut(BaseModel):
    rows: list[AuditRowOut]
    next_before_id: int | None


class ConfigOut(BaseModel):
    path: str
    digest: str
    config: dict[str, Any]


class ReloadOut(BaseModel):
    path: str
    digest: str
    changed: list[str]


def _wire(row: dict[str, Any]) -> dict[str, Any]:
    """A row for the JSON answer: times as ISO 8601 UTC (``…Z``), as the schema says
    (Flask would otherwise write an RFC 1123 date)."""
    return {k: iso(v) if isinstance(v, datetime) else v for k, v in row.items()}


# --------------------------------------------------------------- endpoints
@endpoint(
    bp, "/admin/users", "GET", summary="Every user", access=ADMIN, response=list[AdminUserOut]
)
def list_users(*, actor: Actor) -> list[dict[str, Any]]:
    return [_wire(u) for u in current_hub().users.list_users()]


@endpoint(
    bp,
    "/admin/users",
    "POST",
    summary="Add a user",
    access=ADMIN,
    body=AdminUserIn,
    response=AdminUserOut,
    status=201,
    errors_=(400, 409),
)
def add_user(*, actor: Actor, body: AdminUserIn) -> dict[str, Any]:
    user = create_user(
        current_hub(),
        actor.label,
        remote_address(),
        username=body.username,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
    )
    return _wire(user)


@endpoint(
    bp,
    f"/admin/users/{ID.format(name='user_id')}/password",
    "POST",
    summary="Set a user's password (logs them out, lifts a lockout)",
    access=ADMIN,
    body=PasswordIn,
    status=204,
    errors_=(400, 404),
)
def set_password(*, actor: Actor, user_id: str, body: PasswordIn) -> None:
    hub = current_hub()
    reset_password(hub, actor.label, remote_address(), int_id(user_id, "user"))(body.password)


@endpoint(
    bp,
    f"/admin/users/{ID.format(name='user_id')}/disable",
    "POST",
    summary="Disable a user (logs them out)",
    access=ADMIN,
    status=204,
    errors_=(404, 409),
)
def disable_user(*, actor: Actor, user_id: str) -> None:
    set_user_active(current_hub(), actor, remote_address(), int_id(user_id, "user"), False)


@endpoint(
    bp,
    f"/admin/users/{ID.format(name='user_id')}/enable",
    "POST",
    summary="Enable a user again",
    access=ADMIN,
    status=204,
    errors_=(404,),
)
def enable_user(*, actor: Actor, user_id: str) -> None:
    set_user_active(current_hub(), actor, remote_address(), int_id(user_id, "user"), True)


@endpoint(
    bp,
    "/admin/devices",
    "GET",
    summary="Every device with its last heartbeat",
    access=ADMIN,
    response=list[AdminDeviceOut],
)
def list_devices(*, actor: Actor) -> list[dict[str, Any]]:
    return [_wire(d) for d in current_hub().devices.list_devices()]


@endpoint(
    bp,
    "/admin/devices",
    "POST",
    summary="Register a device; its token is shown once",
    access=ADMIN,
    body=AdminDeviceIn,
    response=DeviceTokenOut,
    status=201,
    errors_=(400, 409),
)
def add_device(*, actor: Actor, body: AdminDeviceIn) -> dict[str, Any]:
    device, token = register_device(
        current_hub(),
        actor.label,
        remote_address(),
        name=body.name,
        kind=body.kind,
        counter=body.counter,
    )
    return {"device": _wire(device), "token": token}


@endpoint(
    bp,
    f"/admin/devices/{ID.format(name='device_id')}/token",
    "POST",
    summary="Issue a new token for a device (the old one stops working)",
    access=ADMIN,
    response=DeviceTokenOut,
    errors_=(404,),
)
def new_device_token(*, actor: Actor, device_id: str) -> dict[str, Any]:
    device, token = rekey_device(
        current_hub(), actor.label, remote_address(), int_id(device_id, "device")
    )
    return {"device": _wire(device), "token": token}


@endpoint(
    bp,
    f"/admin/devices/{ID.format(name='device_id')}/revoke",
    "POST",
    summary="Revoke a device's token",
    access=ADMIN,
    status=204,
    errors_=(404,),
)
def revoke(*, actor: Actor, device_id: str) -> None:
    revoke_device(current_hub(), actor.label, remote_address(), int_id(device_id, "device"))


@endpoint(
    bp,
    "/admin/audit",
    "GET",
    summary="The audit log, newest first, filtered",
    access=ADMIN,
    query=AuditQuery,
    response=AuditPageOut,
)
def audit(*, actor: Actor, query: AuditQuery) -> dict[str, Any]:
    hub = current_hub()
    rows = hub.audit.search(audit_filter(query, hub.config.site.timezone), limit=query.limit)
    more = rows[-1]["id"] if len(rows) == query.limit else None
    return {"rows": [_wire(r) for r in rows], "next_before_id": more}


@endpoint(
    bp,
    "/admin/config",
    "GET",
    summary="The configuration in force (secrets hidden)",
    access=ADMIN,
    response=ConfigOut,
)
def show_config(*, actor: Actor) -> dict[str, Any]:
    config = current_hub().config
    return {"path": config.path, "digest": config_digest(config), "config": config_view(config)}


@endpoint(
    bp,
    "/admin/config/reload",
    "POST",
    summary="Re-read the configuration file and apply it without a restart",
    access=ADMIN,
    response=ReloadOut,
    errors_=(400,),
)
def reload(*, actor: Actor) -> dict[str, Any]:
    return reload_config(current_hub(), actor.label, remote_address())


@endpoint(
    bp,
    "/devices/me",
    "GET",
    summary="The calling device's name, kind and counter",
    access=ANY_DEVICE,
    response=DeviceMeOut,
)
def device_me(*, actor: Actor) -> dict[str, Any]:
    return {"name": actor.name, "kind": actor.role, "counter": actor.counter_id}
