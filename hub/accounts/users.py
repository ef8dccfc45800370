"""User accounts: add, update, reset a password, disable; one user per login name."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, func, insert, select, update

from config.hub import Security
from config.wire import ROLES
from hub import errors
from hub.accounts.passwords import check_password_policy
from hub.clock import Clock
from hub.store.db import read, write
from hub.store.offload import blocking
from hub.store.tables import auth_tokens, users

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def revoke_user_tokens(conn: Connection, user_id: int, now: datetime) -> None:
    """End every login of a user (a new password, a disabled account)."""
    conn.execute(
        update(auth_tokens)
        .where(auth_tokens.c.user_id == user_id, auth_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


class UserService:
    """The user registry.

    Args:
        engine: the hub's database.
        security: the ``[security]`` limits (password policy).
        clock: UTC now.
        hasher: the Argon2 hasher (tests pass :func:`~hub.accounts.passwords.cheap_hasher`).
    """

    def __init__(
        self,
        engine: Engine,
        security: Security,
        clock: Clock,
        hasher: PasswordHasher,
        on_revoke: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.security = security
        self.clock = clock
        self.hasher = hasher
        self.on_revoke = on_revoke
        """Called after a change that ended someone's logins (clears token caches)."""

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
        hashed = blocking(self.hasher.hash, password)
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
            revoke_user_tokens(conn, row[0], now)
        self.on_revoke()
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
        hashed = blocking(self.hasher.hash, password)
        with write(self.engine) as conn:
            if conn.execute(select(users.c.id).where(users.c.username == username)).first():
                raise errors.Conflict("Tên đăng nhập đã có người dùng", code="user_exists")
            return self._insert_user(conn, username, hashed, role, display_name, self.clock())

    @staticmethod
    def _insert_user(
        conn: Connection,
        username: str,
        hashed: str,
        role: str,
        display_name: str | None,
        now: datetime,
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

    def reset_password(self, user_id: int, password: str) -> None:
        """Set a new password, lift a lockout and log the user out everywhere.

        Raises:
            NotFound: ``unknown_user``; WeakPassword.
        """
        user = self.get_user(user_id)
        check_password_policy(password, self.security, user["username"])
        now = self.clock()
        hashed = blocking(self.hasher.hash, password)
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
            revoke_user_tokens(conn, user_id, now)
        self.on_revoke()

    def user_count(self) -> int:
        """How many users exist (none: ``serve`` asks for a first admin)."""
        with read(self.engine) as conn:
            return int(conn.execute(select(func.count()).select_from(users)).scalar_one())

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
                revoke_user_tokens(conn, user_id, self.clock())
        if not active:
            self.on_revoke()
