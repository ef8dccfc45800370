"""Admin operations on users and devices, shared by the admin API and pages, so both
change things the same way and audit them the same way: actor, address, before
and after."""

from __future__ import annotations

import re
from typing import Any

from config.wire import DEVICE_KINDS, DeviceKind
from hub import errors
from hub.accounts import Actor
from hub.context import Hub

ID_RE = re.compile(r"^[1-9][0-9]{0,17}$")  # below 2**63 on every backend


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
        raise errors.Conflict("Không thể tự khóa tài khoản của mình", code="cannot_disable_self")
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
    if kind in (DeviceKind.KIOSK, DeviceKind.DISPLAY):
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
