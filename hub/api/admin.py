"""``/admin``: users, devices, the audit log and the configuration (admin only).

The operations are plain functions (``create_user``, ``register_device``,
``reload_config``…) shared with the admin pages (:mod:`hub.pages.admin`), so
the JSON API and the pages change things the same way and audit them the same
way: actor, address, before and after.

``GET /devices/me`` lives here too: a device learns its own name and counter.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app
from pydantic import BaseModel, ConfigDict, Field

from config import Config, ConfigError, load_config
from config.wire import DEVICE_KINDS
from hub import errors
from hub.accounts import Actor
from hub.api.spec import Access, endpoint
from hub.audit import AuditFilter
from hub.clock import iso
from hub.context import Hub, current_hub, remote_address

bp = Blueprint("admin", __name__, url_prefix="/api/v1")
ADMIN = Access(roles=("admin",))
ANY_DEVICE = Access(devices=DEVICE_KINDS)
ID = "<string(maxlength=32):{name}>"
SECRET_KEY_RE = re.compile(r"token|password|secret|key$", re.IGNORECASE)
REDACTED = "•••"
ID_RE = re.compile(r"^[1-9][0-9]{0,17}$")  # below 2**63 on every backend
CONFIG_PARTS = ("site", "services", "counters", "queue", "ratings", "display", "security")
FEATURE_PARTS = ("alerts", "booking", "upstream")


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


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actor: Annotated[str, Field(max_length=80)] | None = None
    action: Annotated[str, Field(max_length=48)] | None = None
    target: Annotated[str, Field(max_length=120)] | None = None
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    before_id: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


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


# -------------------------------------------------------------- operations
def _wire(row: dict[str, Any]) -> dict[str, Any]:
    """A row for the JSON answer: times as ISO 8601 UTC (``…Z``), as the schema says
    (Flask would otherwise write an RFC 1123 date)."""
    return {k: iso(v) if isinstance(v, datetime) else v for k, v in row.items()}


def int_id(raw: str, what: str) -> int:
    """A user or device id from a URL; anything but a plain number in the range of a
    database integer is an unknown id (404), never a database error."""
    if not ID_RE.match(raw):
        label = "người dùng" if what == "user" else "thiết bị"
        raise errors.NotFound(f"Không có {label} này", code=f"unknown_{what}")
    return int(raw)


def create_user(
    hub: Hub,
    by: str,
    address: str,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None,
) -> dict[str, Any]:
    """Add a user (409 ``user_exists`` for a name in use) and audit it."""
    user_id = hub.users.create_user(username, password, role, display_name=display_name or None)
    hub.audit.record(
        "user_add",
        actor=by,
        target=f"user:{username}",
        address=address,
        after={"role": role, "display_name": display_name or None},
    )
    return hub.users.get_user(user_id)


def reset_password(hub: Hub, by: str, address: str, user_id: int) -> Any:
    """Returns a function taking the new password (so the page can validate the
    confirmation first); the change logs the user out everywhere."""

    def apply(password: str) -> None:
        user = hub.users.get_user(user_id)
        hub.users.reset_password(user_id, password)
        hub.audit.record(
            "user_password",
            actor=by,
            target=f"user:{user['username']}",
            address=address,
            before={"locked": user["locked"]},
            after={"locked": False, "sessions_revoked": True},
        )

    return apply


def set_user_active(hub: Hub, by: Actor, address: str, user_id: int, active: bool) -> None:
    """Disable (logging the user out) or enable an account; nobody disables themselves."""
    user = hub.users.get_user(user_id)
    if not active and by.kind == "user" and by.id == user_id:
        raise errors.Conflict("Không thể tự khoá tài khoản của mình", code="cannot_disable_self")
    hub.users.set_active(user_id, active)
    hub.audit.record(
        "user_enable" if active else "user_disable",
        actor=by.label,
        target=f"user:{user['username']}",
        address=address,
        before={"active": user["active"]},
        after={"active": active},
    )


def register_device(
    hub: Hub, by: str, address: str, *, name: str, kind: str, counter: str | None
) -> tuple[dict[str, Any], str]:
    """Register a device; returns it and its token (shown once)."""
    if kind not in DEVICE_KINDS:
        raise errors.BadRequest("Loại thiết bị không hợp lệ", code="invalid_kind")
    counter = counter or None
    if counter is not None and hub.config.counter(counter) is None:
        raise errors.BadRequest(f"Không có quầy '{counter}'", code="unknown_counter")
    if kind in ("kiosk", "display"):
        counter = None  # these serve the whole site
    device_id, token = hub.devices.register_device(name, kind, counter)
    hub.audit.record(
        "device_add",
        actor=by,
        target=f"device:{name}",
        address=address,
        after={"kind": kind, "counter": counter},
    )
    return hub.devices.get_device(device_id), token


def rekey_device(hub: Hub, by: str, address: str, device_id: int) -> tuple[dict[str, Any], str]:
    """A new token for a device; the old one stops working at once."""
    before = hub.devices.get_device(device_id)
    token = hub.devices.rekey_device(device_id)
    hub.audit.record(
        "device_rekey",
        actor=by,
        target=f"device:{before['name']}",
        address=address,
        before={"revoked": before["revoked"]},
        after={"revoked": False, "new_token": True},
    )
    return hub.devices.get_device(device_id), token


def revoke_device(hub: Hub, by: str, address: str, device_id: int) -> None:
    """Revoke a device's token (it gets 401 from now on)."""
    before = hub.devices.get_device(device_id)
    hub.devices.revoke_device(device_id)
    hub.audit.record(
        "device_revoke",
        actor=by,
        target=f"device:{before['name']}",
        address=address,
        before={"revoked": before["revoked"]},
        after={"revoked": True},
    )


def config_digest(config: Config) -> str:
    """A short fingerprint of a configuration's content (changes with any value)."""
    text = repr([getattr(config, part) for part in CONFIG_PARTS]) + repr(_sections(config))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _redact(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _redact(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v) for v in value]
    if key and SECRET_KEY_RE.search(key) and isinstance(value, str):
        return REDACTED
    return value


def _sections(config: Config) -> dict[str, Any]:
    """The feature and agent sections as plain data."""
    typed = {
        name: dataclasses.asdict(value)
        for name in FEATURE_PARTS
        if (value := getattr(config, name)) is not None
    }
    return {**typed, **config.sections}


def config_view(config: Config) -> dict[str, Any]:
    """The configuration in force as plain data, agent secrets (tokens…) hidden."""
    data = {
        part: dataclasses.asdict(getattr(config, part))
        for part in CONFIG_PARTS
        if part not in ("services", "counters")
    }
    data["services"] = [dataclasses.asdict(s) for s in config.services]
    data["counters"] = [dataclasses.asdict(c) for c in config.counters]
    data["sections"] = _redact(_sections(config))
    return data


class ConfigInvalid(errors.BadRequest):
    """The file on disk does not validate; the configuration in force is kept."""

    code = "config_invalid"

    def __init__(self, err: ConfigError) -> None:
        super().__init__(err.render(), code="config_invalid")
        self.problems = [p.render(err.path) for p in err.problems]


def reload_config(hub: Hub, by: str, address: str) -> dict[str, Any]:
    """Read the configuration file again and apply it without a restart.

    Raises:
        ConfigInvalid: the file has errors (audited; nothing changes).
    """
    old = hub.config
    try:
        new = load_config(old.path)
    except ConfigError as err:
        hub.audit.record(
            "config_reload",
            actor=by,
            target=f"config:{old.path}",
            address=address,
            before={"digest": config_digest(old)},
            after={"ok": False, "problems": len(err.problems)},
        )
        raise ConfigInvalid(err) from None
    changed = [p for p in (*CONFIG_PARTS, "sections") if getattr(old, p) != getattr(new, p)]
    hub.reconfigure(new)
    current_app.config["MAX_CONTENT_LENGTH"] = new.security.max_body_bytes
    current_app.config["SESSION_COOKIE_SECURE"] = new.security.secure_cookies
    hub.audit.record(
        "config_reload",
        actor=by,
        target=f"config:{old.path}",
        address=address,
        before={"digest": config_digest(old)},
        after={"ok": True, "digest": config_digest(new), "changed": changed},
    )
    return {"path": new.path, "digest": config_digest(new), "changed": changed}


def audit_filter(hub: Hub, query: AuditQuery) -> AuditFilter:
    """The audit filter of a query; dates are whole days in the site's timezone."""
    zone = ZoneInfo(hub.config.site.timezone)

    def start(day: date | None) -> datetime | None:
        return datetime.combine(day, time(0), zone) if day else None

    return AuditFilter(
        actor=query.actor or None,
        action=query.action or None,
        target=query.target or None,
        since=start(query.from_),
        until=start(query.to + timedelta(days=1)) if query.to else None,
        before_id=query.before_id,
    )


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
    rows = hub.audit.search(audit_filter(hub, query), limit=query.limit)
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
