"""Users, login tokens and device tokens.

Passwords are hashed with Argon2id (argon2-cffi). Tokens are random strings
shown once; only their SHA-256 is stored, so a stolen database does not hand
out working tokens. Login tokens expire and survive restarts.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, func, insert, select, update

from config.schema import Security
from hub import errors
from hub.queue_service import Actor
from hub.store.db import read, write
from hub.store.tables import auth_tokens, devices, login_failures, users

logger = logging.getLogger(__name__)

ROLES = ("staff", "manager", "admin")
DEVICE_KINDS = ("kiosk", "rating-pad", "display", "counter-keypad")
USERNAME_RE = r"^[a-z0-9][a-z0-9._-]{1,63}$"


def cheap_hasher() -> PasswordHasher:
    """A fast Argon2 profile for tests only (never for real accounts)."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password_policy(password: str, security: Security, username: str = "") -> None:
    """Refuse weak passwords with a message a person can act on."""
    if len(password) < security.password_min_length:
        raise errors.BadRequest(
            f"Mật khẩu phải có ít nhất {security.password_min_length} ký tự",
            code="weak_password",
        )
    if username and username.lower() in password.lower():
        raise errors.BadRequest("Mật khẩu không được chứa tên đăng nhập", code="weak_password")
    if len(set(password)) < 4:
        raise errors.BadRequest("Mật khẩu quá đơn giản", code="weak_password")


class AuthService:
    """Authentication and the user and device registries."""

    def __init__(
        self,
        engine: Engine,
        security: Security,
        clock: Callable[[], datetime],
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.engine = engine
        self.security = security
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        # A real hash to verify against when the user does not exist, so a login
        # for an unknown name costs the same time as one with a wrong password.
        self._dummy_hash = self.hasher.hash(secrets.token_hex(16))

    # ------------------------------------------------------------------ users
    def add_user(
        self,
        username: str,
        password: str,
        role: str,
        *,
        display_name: str | None = None,
        enforce_policy: bool = True,
    ) -> tuple[int, bool]:
        """Add a user or update its password and role. Returns (id, created)."""
        import re

        if not re.match(USERNAME_RE, username):
            raise errors.BadRequest(
                "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch ngang, "
                "gạch dưới (2–64 ký tự)",
                code="invalid_username",
            )
        if role not in ROLES:
            raise errors.BadRequest(
                f"Vai trò phải là một trong: {', '.join(ROLES)}", code="invalid_role"
            )
        if enforce_policy:
            check_password_policy(password, self.security, username)
        now = self.clock()
        hashed = self.hasher.hash(password)
        with write(self.engine) as conn:
            row = conn.execute(select(users.c.id).where(users.c.username == username)).first()
            if row is None:
                result = conn.execute(
                    insert(users).values(
                        username=username,
                        display_name=display_name,
                        password_hash=hashed,
                        role=role,
                        active=True,
                        created_at=now,
                        password_changed_at=now,
                        failed_logins=0,
                    )
                )
                return int(result.inserted_primary_key[0]), True
            values: dict[str, Any] = {
                "password_hash": hashed,
                "role": role,
                "password_changed_at": now,
                "failed_logins": 0,
                "locked_until": None,
                "active": True,
            }
            if display_name is not None:
                values["display_name"] = display_name
            conn.execute(update(users).where(users.c.id == row[0]).values(**values))
            conn.execute(
                update(auth_tokens)
                .where(auth_tokens.c.user_id == row[0], auth_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            return int(row[0]), False

    def user_count(self) -> int:
        with read(self.engine) as conn:
            return int(conn.execute(select(func.count()).select_from(users)).scalar_one())

    def login(self, username: str, password: str, address: str) -> dict[str, Any]:
        """Check a password and issue a login token.

        Failed attempts are counted per user (lockout after
        ``login_max_attempts``) and per address (429), both for
        ``lockout_s`` seconds.
        """
        now = self.clock()
        window_start = now - timedelta(seconds=self.security.lockout_s)
        with read(self.engine) as conn:
            recent = conn.execute(
                select(func.count()).where(
                    login_failures.c.address == address, login_failures.c.at >= window_start
                )
            ).scalar_one()
            user = conn.execute(select(users).where(users.c.username == username)).first()
        if recent >= self.security.login_max_attempts * 4:
            raise errors.TooManyAttempts()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            raise errors.TooManyAttempts(
                "Tài khoản tạm khoá do nhập sai mật khẩu nhiều lần; vui lòng thử lại sau",
                code="account_locked",
            )
        ok = False
        try:
            ok = self.hasher.verify(user.password_hash if user else self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok or user is None or not user.active:
            self._record_failure(username, address, user)
            raise errors.Unauthorized("Sai tên đăng nhập hoặc mật khẩu", code="bad_credentials")
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(seconds=self.security.token_ttl_s)
        with write(self.engine) as conn:
            conn.execute(
                insert(auth_tokens).values(
                    token_hash=token_hash(token),
                    user_id=user.id,
                    created_at=now,
                    expires_at=expires,
                    kind="api",
                )
            )
            conn.execute(
                update(users)
                .where(users.c.id == user.id)
                .values(failed_logins=0, locked_until=None)
            )
        return {"token": token, "role": user.role, "expires_at": expires, "user_id": user.id}

    def _record_failure(self, username: str, address: str, user: Any) -> None:
        now = self.clock()
        with write(self.engine) as conn:
            conn.execute(
                insert(login_failures).values(username=username[:64], address=address, at=now)
            )
            if user is not None:
                failed = user.failed_logins + 1
                values: dict[str, Any] = {"failed_logins": failed}
                if failed >= self.security.login_max_attempts:
                    values["locked_until"] = now + timedelta(seconds=self.security.lockout_s)
                    values["failed_logins"] = 0
                    logger.warning("user %s locked after %d failed logins", username, failed)
                conn.execute(update(users).where(users.c.id == user.id).values(**values))
            conn.execute(
                delete(login_failures).where(login_failures.c.at < now - timedelta(days=1))
            )

    def logout(self, token: str) -> None:
        with write(self.engine) as conn:
            conn.execute(
                update(auth_tokens)
                .where(auth_tokens.c.token_hash == token_hash(token))
                .values(revoked_at=self.clock())
            )

    def resolve(self, token: str) -> Actor | None:
        """The user or device a bearer token belongs to, or ``None``."""
        if not token or len(token) > 200:
            return None
        digest = token_hash(token)
        now = self.clock()
        with read(self.engine) as conn:
            row = conn.execute(
                select(
                    users.c.id,
                    users.c.username,
                    users.c.role,
                    users.c.active,
                    auth_tokens.c.expires_at,
                    auth_tokens.c.revoked_at,
                )
                .select_from(auth_tokens.join(users, users.c.id == auth_tokens.c.user_id))
                .where(auth_tokens.c.token_hash == digest)
            ).first()
            if row is not None:
                if row.revoked_at is not None or row.expires_at <= now or not row.active:
                    return None
                return Actor("user", row.id, row.username, row.role)
            dev = conn.execute(
                select(devices.c.id, devices.c.name, devices.c.kind, devices.c.counter_id).where(
                    devices.c.token_hash == digest, devices.c.revoked_at.is_(None)
                )
            ).first()
        if dev is None:
            return None
        return Actor("device", dev.id, dev.name, dev.kind, dev.counter_id)

    def list_users(self) -> list[dict[str, Any]]:
        with read(self.engine) as conn:
            rows = conn.execute(select(users).order_by(users.c.username))
            return [
                {
                    "id": r.id,
                    "username": r.username,
                    "display_name": r.display_name,
                    "role": r.role,
                    "active": r.active,
                }
                for r in rows
            ]

    def set_active(self, user_id: int, active: bool) -> None:
        with write(self.engine) as conn:
            changed = conn.execute(
                update(users).where(users.c.id == user_id).values(active=active)
            ).rowcount
            if not changed:
                raise errors.NotFound("Không có người dùng này", code="unknown_user")
            if not active:
                conn.execute(
                    update(auth_tokens)
                    .where(auth_tokens.c.user_id == user_id, auth_tokens.c.revoked_at.is_(None))
                    .values(revoked_at=self.clock())
                )

    # ---------------------------------------------------------------- devices
    def add_device(self, name: str, kind: str, counter_id: str | None) -> str:
        """Register (or re-key) a device; returns its new token, shown once."""
        import re

        if kind not in DEVICE_KINDS:
            raise errors.BadRequest(
                f"Loại thiết bị phải là một trong: {', '.join(DEVICE_KINDS)}", code="invalid_kind"
            )
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", name):
            raise errors.BadRequest(
                "Tên thiết bị chỉ gồm chữ không dấu, số, . _ -", code="invalid_name"
            )
        if kind in ("rating-pad", "counter-keypad") and not counter_id:
            raise errors.BadRequest(
                "Thiết bị này cần gắn với một quầy (--counter)", code="counter_required"
            )
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with write(self.engine) as conn:
            row = conn.execute(select(devices.c.id).where(devices.c.name == name)).first()
            values = {
                "kind": kind,
                "counter_id": counter_id,
                "token_hash": token_hash(token),
                "revoked_at": None,
            }
            if row is None:
                conn.execute(insert(devices).values(name=name, created_at=now, **values))
            else:
                conn.execute(update(devices).where(devices.c.id == row[0]).values(**values))
        return token

    def revoke_device(self, device_id: int) -> None:
        with write(self.engine) as conn:
            changed = conn.execute(
                update(devices).where(devices.c.id == device_id).values(revoked_at=self.clock())
            ).rowcount
            if not changed:
                raise errors.NotFound("Không có thiết bị này", code="unknown_device")

    def heartbeat(self, actor: Actor, version: str, status: dict[str, Any], address: str) -> None:
        with write(self.engine) as conn:
            conn.execute(
                update(devices)
                .where(devices.c.id == actor.id)
                .values(last_seen_at=self.clock(), version=version, status=status, address=address)
            )

    def list_devices(self) -> list[dict[str, Any]]:
        with read(self.engine) as conn:
            rows = conn.execute(select(devices).order_by(devices.c.name))
            return [
                {
                    "id": r.id,
                    "name": r.name,
                    "kind": r.kind,
                    "counter_id": r.counter_id,
                    "revoked": r.revoked_at is not None,
                    "last_seen_at": r.last_seen_at,
                    "version": r.version,
                    "status": r.status or {},
                    "address": r.address,
                }
                for r in rows
            ]
