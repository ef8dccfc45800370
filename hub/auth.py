"""Users, login tokens and device tokens.

Passwords are hashed with Argon2id (argon2-cffi). Tokens are random strings
shown once; only their SHA-256 is stored, so a stolen database does not hand
out working tokens. Login tokens expire and survive restarts.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, bindparam, delete, func, insert, select, update

from config.hub import Security
from hub import errors
from hub.queue_service import Actor
from hub.store.db import read, write
from hub.store.tables import auth_tokens, devices, login_failures, users

logger = logging.getLogger(__name__)

ROLES = ("staff", "manager", "admin")
DEVICE_KINDS = ("kiosk", "rating-pad", "display", "counter-keypad")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
DEVICE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
TOKEN_KINDS = ("api", "session")
#: A device whose last heartbeat is older than this is shown as offline.
ONLINE_WITHIN_S = 90


def cheap_hasher() -> PasswordHasher:
    """A fast Argon2 profile for tests only (never for real accounts)."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


# Every request resolves its bearer token: built once, run with a parameter.
_USER_BY_TOKEN = (
    select(
        users.c.id, users.c.username, users.c.role, users.c.active, auth_tokens.c.expires_at,
        auth_tokens.c.revoked_at,
    )
    .select_from(auth_tokens.join(users, users.c.id == auth_tokens.c.user_id))
    .where(auth_tokens.c.token_hash == bindparam("digest"))
)  # fmt: skip
_DEVICE_BY_TOKEN = select(devices.c.id, devices.c.name, devices.c.kind, devices.c.counter_id).where(
    devices.c.token_hash == bindparam("digest"), devices.c.revoked_at.is_(None)
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class WeakPassword(errors.BadRequest):
    """A password the policy refuses; ``reason`` and ``params`` let pages translate it."""

    code = "weak_password"

    def __init__(self, message: str, reason: str, **params: Any) -> None:
        super().__init__(message, code="weak_password")
        self.reason = reason
        self.params = params


# Passwords long enough for the length rule that guessers still try first.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "123456789a",
        "0123456789",
        "1111111111",
        "abc1234567",
        "abcd123456",
        "qwertyuiop",
        "password123",
        "password1234",
        "matkhau123",
        "matkhau1234",
        "matkhau@123",
        "admin@1234",
        "admin12345",
        "admin123456",
        "vietnam123",
        "hanoi12345",
        "iloveyou123",
        "motcua2026",
        "motcua12345",
    }
)


def check_password_policy(password: str, security: Security, username: str = "") -> None:
    """Refuse weak passwords with a message a person can act on.

    The rules follow current guidance (length and a list of common choices, no
    composition rules): at least ``password_min_length`` characters, not
    containing the user name, at least 4 different characters, not a common
    password, at most 256 characters (hashing cost).

    Raises:
        WeakPassword: with a Vietnamese message and a ``reason`` code.
    """
    minimum = security.password_min_length
    if len(password) < minimum:
        raise WeakPassword(f"Mật khẩu phải có ít nhất {minimum} ký tự", "too_short", min=minimum)
    if len(password) > 256:
        raise WeakPassword("Mật khẩu dài quá 256 ký tự", "too_long", max=256)
    if username and username.lower() in password.lower():
        raise WeakPassword("Mật khẩu không được chứa tên đăng nhập", "contains_username")
    if len(set(password)) < 4:
        raise WeakPassword("Mật khẩu quá đơn giản", "too_simple")
    if password.lower() in COMMON_PASSWORDS:
        raise WeakPassword("Mật khẩu này quá phổ biến, dễ bị đoán", "common")


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

    def reconfigure(self, security: Security) -> None:
        """Apply reloaded security limits (lockout, policy, token lifetime)."""
        self.security = security

    # ------------------------------------------------------------------ users
    @staticmethod
    def _check_user_fields(username: str, role: str) -> None:
        if not USERNAME_RE.match(username):
            raise errors.BadRequest(
                "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch ngang, "
                "gạch dưới (2–64 ký tự)",
                code="invalid_username",
            )
        if role not in ROLES:
            raise errors.BadRequest(
                f"Vai trò phải là một trong: {', '.join(ROLES)}", code="invalid_role"
            )

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
        self._check_user_fields(username, role)
        if enforce_policy:
            check_password_policy(password, self.security, username)
        now = self.clock()
        hashed = self.hasher.hash(password)
        with write(self.engine) as conn:
            row = conn.execute(select(users.c.id).where(users.c.username == username)).first()
            if row is None:
                return self._insert_user(conn, username, hashed, role, display_name, now), True
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
            self._revoke_user_tokens(conn, row[0], now)
            return int(row[0]), False

    def create_user(
        self, username: str, password: str, role: str, *, display_name: str | None = None
    ) -> int:
        """Add a new user (the admin page); an existing name is a conflict, not an update.

        Raises:
            BadRequest: invalid name or role; WeakPassword.
            Conflict: ``user_exists``.
        """
        self._check_user_fields(username, role)
        check_password_policy(password, self.security, username)
        hashed = self.hasher.hash(password)
        with write(self.engine) as conn:
            if conn.execute(select(users.c.id).where(users.c.username == username)).first():
                raise errors.Conflict("Tên đăng nhập đã có người dùng", code="user_exists")
            return self._insert_user(conn, username, hashed, role, display_name, self.clock())

    @staticmethod
    def _insert_user(
        conn: Any, username: str, hashed: str, role: str, display_name: str | None, now: datetime
    ) -> int:
        result = conn.execute(
            insert(users).values(
                username=username,
                display_name=display_name or None,
                password_hash=hashed,
                role=role,
                active=True,
                created_at=now,
                password_changed_at=now,
                failed_logins=0,
            )
        )
        return int(result.inserted_primary_key[0])

    def _revoke_user_tokens(self, conn: Any, user_id: int, now: datetime) -> None:
        conn.execute(
            update(auth_tokens)
            .where(auth_tokens.c.user_id == user_id, auth_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def reset_password(self, user_id: int, password: str) -> None:
        """Set a new password, lift a lockout and log the user out everywhere.

        Raises:
            NotFound: ``unknown_user``; WeakPassword.
        """
        user = self.get_user(user_id)
        check_password_policy(password, self.security, user["username"])
        now = self.clock()
        hashed = self.hasher.hash(password)
        with write(self.engine) as conn:
            conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(
                    password_hash=hashed,
                    password_changed_at=now,
                    failed_logins=0,
                    locked_until=None,
                )
            )
            self._revoke_user_tokens(conn, user_id, now)

    def user_count(self) -> int:
        with read(self.engine) as conn:
            return int(conn.execute(select(func.count()).select_from(users)).scalar_one())

    def login(
        self, username: str, password: str, address: str, *, kind: str = "api"
    ) -> dict[str, Any]:
        """Check a password and issue a login token (``kind``: api or session).

        Failed attempts are counted per user (lockout after
        ``login_max_attempts``) and per address (429), both for
        ``lockout_s`` seconds.
        """
        if kind not in TOKEN_KINDS:
            raise ValueError(f"token kind must be one of {TOKEN_KINDS}")
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
                    kind=kind,
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
            row = conn.execute(_USER_BY_TOKEN, {"digest": digest}).first()
            if row is not None:
                if row.revoked_at is not None or row.expires_at <= now or not row.active:
                    return None
                return Actor("user", row.id, row.username, row.role)
            dev = conn.execute(_DEVICE_BY_TOKEN, {"digest": digest}).first()
        if dev is None:
            return None
        return Actor("device", dev.id, dev.name, dev.kind, dev.counter_id)

    @staticmethod
    def _user_view(r: Any, now: datetime) -> dict[str, Any]:
        return {
            "id": r.id,
            "username": r.username,
            "display_name": r.display_name,
            "role": r.role,
            "active": r.active,
            "locked": r.locked_until is not None and r.locked_until > now,
            "created_at": r.created_at,
            "password_changed_at": r.password_changed_at,
        }

    def list_users(self) -> list[dict[str, Any]]:
        now = self.clock()
        with read(self.engine) as conn:
            rows = conn.execute(select(users).order_by(users.c.username))
            return [self._user_view(r, now) for r in rows]

    def get_user(self, user_id: int) -> dict[str, Any]:
        """One user's public fields. Raises NotFound (``unknown_user``)."""
        with read(self.engine) as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise errors.NotFound("Không có người dùng này", code="unknown_user")
        return self._user_view(row, self.clock())

    def set_active(self, user_id: int, active: bool) -> None:
        with write(self.engine) as conn:
            changed = conn.execute(
                update(users).where(users.c.id == user_id).values(active=active)
            ).rowcount
            if not changed:
                raise errors.NotFound("Không có người dùng này", code="unknown_user")
            if not active:
                self._revoke_user_tokens(conn, user_id, self.clock())

    # ---------------------------------------------------------------- devices
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
        if kind in ("rating-pad", "counter-keypad") and not counter_id:
            raise errors.BadRequest(
                "Thiết bị này cần gắn với một quầy (--counter)", code="counter_required"
            )

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
            values.update(last_seen_at=None, version=None, status=None, address=None)
            conn.execute(update(devices).where(devices.c.id == row.id).values(**values))
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
