"""Devices: registration with a token shown once, re-keying, revocation, heartbeats."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, case, func, insert, literal, select, update

from config.wire import COUNTER_BOUND_KINDS, DEVICE_KINDS, DeviceKind
from hub import errors
from hub.accounts.actor import Actor
from hub.accounts.tokens import token_hash
from hub.clock import Clock
from hub.store.db import read, write
from hub.store.tables import UTCDateTime, devices

DEVICE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: A device whose last heartbeat is older than this is shown as offline.
ONLINE_WITHIN_S = 90

Silence = tuple[datetime, datetime]
"""A stretch of time in which the hub heard nothing from a device: (from, until)."""


def note_contact(conn: Connection, device_id: int, now: datetime) -> Silence | None:
    """The hub hears from a device now (a heartbeat, a pad's presses).

    Its last contact becomes ``now``; when the one before (or, never heard, its
    registration) is more than :data:`ONLINE_WITHIN_S` ago, that stretch becomes the
    device's latest silence. One atomic statement, so concurrent contacts agree.

    Returns:
        The device's latest silence, ``None`` if it never had one.
    """
    before = func.coalesce(devices.c.last_seen_at, devices.c.created_at)
    stamp = literal(now, UTCDateTime())
    gap = before < now - timedelta(seconds=ONLINE_WITHIN_S)
    row = conn.execute(
        update(devices)
        .where(devices.c.id == device_id)
        .values(
            silent_from=case((gap, before), else_=devices.c.silent_from),
            silent_until=case((gap, stamp), else_=devices.c.silent_until),
            last_seen_at=now,
        )
        .returning(devices.c.silent_from, devices.c.silent_until)
    ).first()
    if row is None or row.silent_from is None or row.silent_until is None:
        return None
    return row.silent_from, row.silent_until


class DeviceService:
    """The device registry."""

    def __init__(
        self, engine: Engine, clock: Clock, on_revoke: Callable[[], None] = lambda: None
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.on_revoke = on_revoke
        """Called after a device's old token stopped working (clears token caches)."""

    @staticmethod
    def _check_device_fields(name: str, kind: str, counter_id: str | None) -> None:
        if kind not in DEVICE_KINDS:
            raise errors.BadRequest(
                f"Loại thiết bị phải là một trong: {', '.join(DEVICE_KINDS)}", code="invalid_kind"
            )
        if not DEVICE_NAME_RE.match(name):
            raise errors.BadRequest(
                "Tên thiết bị chỉ gồm chữ không dấu, số, . _ -", code="invalid_name"
            )
        if kind in COUNTER_BOUND_KINDS and not counter_id:
            raise errors.BadRequest(
                "Thiết bị này cần gắn với một quầy (--counter)", code="counter_required"
            )

    def add_link(self, name: str) -> str:
        """Register (or re-key) a downstream hub's link on this upstream; returns its token."""
        return self._store(name, DeviceKind.HUB, None, replace=True)[1]

    def add_device(self, name: str, kind: str, counter_id: str | None) -> str:
        """Register (or re-key) a device; returns its new token, shown once."""
        return self.register_device(name, kind, counter_id, replace=True)[1]

    def register_device(
        self, name: str, kind: str, counter_id: str | None, *, replace: bool = False
    ) -> tuple[int, str]:
        """Register a device; returns ``(id, token)``, the token shown once.

        Args:
            replace: re-key (and un-revoke) a device of the same name; otherwise a
                name in use by an active device is a conflict (a revoked one's name
                may be reused).

        Raises:
            BadRequest: invalid name or kind, or a missing counter.
            Conflict: ``device_exists``.
        """
        self._check_device_fields(name, kind, counter_id)
        return self._store(name, kind, counter_id, replace=replace)

    def _store(
        self, name: str, kind: str, counter_id: str | None, *, replace: bool
    ) -> tuple[int, str]:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with write(self.engine) as conn:
            row = conn.execute(
                select(devices.c.id, devices.c.revoked_at).where(devices.c.name == name)
            ).first()
            values = {
                "kind": kind,
                "counter_id": counter_id,
                "token_hash": token_hash(token),
                "revoked_at": None,
            }
            if row is None:
                result = conn.execute(insert(devices).values(name=name, created_at=now, **values))
                return int(result.inserted_primary_key[0]), token
            if not replace and row.revoked_at is None:
                raise errors.Conflict("Tên thiết bị đã được dùng", code="device_exists")
            # A re-registered device starts afresh: no stale heartbeat from its old life.
            values.update(
                last_seen_at=None,
                version=None,
                status=None,
                address=None,
                silent_from=None,
                silent_until=None,
            )
            conn.execute(update(devices).where(devices.c.id == row.id).values(**values))
        self.on_revoke()
        return int(row.id), token

    def rekey_device(self, device_id: int) -> str:
        """A new token for a device (the old one stops working). Raises NotFound."""
        token = secrets.token_urlsafe(32)
        with write(self.engine) as conn:
            changed = conn.execute(
                update(devices)
                .where(devices.c.id == device_id)
                .values(token_hash=token_hash(token), revoked_at=None)
            ).rowcount
            if not changed:
                raise errors.NotFound("Không có thiết bị này", code="unknown_device")
        self.on_revoke()
        return token

    def revoke_device(self, device_id: int) -> None:
        with write(self.engine) as conn:
            changed = conn.execute(
                update(devices).where(devices.c.id == device_id).values(revoked_at=self.clock())
            ).rowcount
            if not changed:
                raise errors.NotFound("Không có thiết bị này", code="unknown_device")
        self.on_revoke()

    def heartbeat(self, actor: Actor, version: str, status: dict[str, Any], address: str) -> None:
        with write(self.engine) as conn:
            note_contact(conn, actor.id, self.clock())
            conn.execute(
                update(devices)
                .where(devices.c.id == actor.id)
                .values(version=version, status=status, address=address)
            )

    def _device_view(self, r: Any, now: datetime) -> dict[str, Any]:
        if r.revoked_at is not None:
            health = "revoked"
        elif r.last_seen_at is None:
            health = "never"
        elif (now - r.last_seen_at).total_seconds() <= ONLINE_WITHIN_S:
            health = "online"
        else:
            health = "offline"
        return {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "counter_id": r.counter_id,
            "revoked": r.revoked_at is not None,
            "created_at": r.created_at,
            "last_seen_at": r.last_seen_at,
            "version": r.version,
            "status": r.status or {},
            "address": r.address,
            "health": health,
        }

    def list_devices(self) -> list[dict[str, Any]]:
        """Every device with ``health``: online, offline, never (seen) or revoked."""
        now = self.clock()
        with read(self.engine) as conn:
            rows = conn.execute(select(devices).order_by(devices.c.name))
            return [self._device_view(r, now) for r in rows]

    def get_device(self, device_id: int) -> dict[str, Any]:
        """One device (as in :meth:`list_devices`). Raises NotFound."""
        with read(self.engine) as conn:
            row = conn.execute(select(devices).where(devices.c.id == device_id)).first()
        if row is None:
            raise errors.NotFound("Không có thiết bị này", code="unknown_device")
        return self._device_view(row, self.clock())
