"""Logging in and out, and resolving a bearer token to the user or device it belongs to.

Tokens are random strings shown once; only their SHA-256 is stored, so a stolen
database does not hand out working tokens. Login tokens expire and survive
restarts. Failed logins lock the account after ``login_max_attempts`` and
slow down an address that guesses at many accounts.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, bindparam, case, delete, func, insert, or_, select, update

from config.hub import Security
from hub import errors
from hub.accounts.actor import Actor
from hub.accounts.cache import TokenCache
from hub.clock import Clock
from hub.store.db import read, write
from hub.store.offload import blocking
from hub.store.tables import auth_tokens, devices, login_failures, users

logger = logging.getLogger(__name__)

TOKEN_KINDS = ("api", "session")

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


class TokenService:
    """Login tokens of users, and the resolution of any bearer token.

    Args:
        engine: the hub's database.
        security: the ``[security]`` limits (lockout, token lifetime).
        clock: UTC now.
        hasher: the Argon2 hasher the users' passwords are hashed with.
    """

    def __init__(
        self,
        engine: Engine,
        security: Security,
        clock: Clock,
        hasher: PasswordHasher,
        cache: TokenCache | None = None,
    ) -> None:
        self.engine = engine
        self.security = security
        self.clock = clock
        self.hasher = hasher
        self.cache = cache or TokenCache()
        # A real hash to verify against when the user does not exist, so a login
        # for an unknown name costs the same time as one with a wrong password.
        self._dummy_hash = self.hasher.hash(secrets.token_hex(16))

    def login(
        self,
        username: str,
        password: str,
        address: str,
        *,
        kind: str = "api",
        known: str | None = None,
    ) -> dict[str, Any]:
        """Check a password and issue a login token (``kind``: api or session).

        Failed attempts are counted per user (lockout after
        ``login_max_attempts``) and per address (429), both for
        ``lockout_s`` seconds. A browser the user logged in from before (``known``:
        its key, :mod:`hub.accounts.known_browsers`) is exempt from both: its failures
        lock that browser alone (after ``login_max_attempts``), never the user for
        others; they still count towards its address's limit.

        Every attempt is counted *before* its password is checked, atomically (a row
        per address, ``failed_logins + 1 … RETURNING`` for the user), and uncounted
        only when it succeeds or is refused: guesses sent in parallel are limited
        exactly as guesses sent one after the other.
        """
        if kind not in TOKEN_KINDS:
            raise ValueError(f"token kind must be one of {TOKEN_KINDS}")
        now = self.clock()
        known_as = f"known:{known}"[:64] if known else None
        sources = (address, known_as) if known_as else (address,)
        held = self._hold_attempt(username, sources, now)
        with read(self.engine) as conn:
            user = conn.execute(select(users).where(users.c.username == username)).first()
        last_try = False
        try:
            if known_as is None and user is not None:
                last_try = self._count_user_attempt(user.id, now)
        except errors.TooManyAttempts:
            self._release(held)
            raise
        ok = False
        try:
            ok = blocking(
                self.hasher.verify, user.password_hash if user else self._dummy_hash, password
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok or user is None or not user.active:
            if last_try:
                logger.warning("user %s locked after failed logins", username)
            self._forget_old_failures(now)
            raise errors.Unauthorized("Sai tên đăng nhập hoặc mật khẩu", code="bad_credentials")
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(seconds=self.security.token_ttl_s)
        with write(self.engine) as conn:
            conn.execute(delete(login_failures).where(login_failures.c.id.in_(held)))
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

    def _hold_attempt(self, username: str, sources: tuple[str, ...], now: datetime) -> list[int]:
        """Count one attempt from each source (the address; a known browser's key) and
        return the rows that count it; refuse it (and uncount it) past a source's limit.

        The rows are committed before they are counted, so of attempts made at the same
        moment the last to commit sees all of them: no more than the limit get through.

        Raises:
            TooManyAttempts: ``too_many_attempts`` for an address, ``account_locked``
                for a known browser.
        """
        with write(self.engine) as conn:
            held = [
                int(
                    conn.execute(
                        insert(login_failures).values(
                            username=username[:64], address=source, at=now
                        )
                    ).inserted_primary_key[0]
                )
                for source in sources
            ]
        since = now - timedelta(seconds=self.security.lockout_s)
        with read(self.engine) as conn:
            counts = [
                conn.execute(
                    select(func.count()).where(
                        login_failures.c.address == source, login_failures.c.at >= since
                    )
                ).scalar_one()
                for source in sources
            ]
        limit = self.security.login_max_attempts
        refusal: errors.TooManyAttempts | None = None
        if len(sources) > 1 and counts[1] > limit:
            refusal = _locked()
        elif len(sources) == 1 and counts[0] > limit * 4:
            refusal = errors.TooManyAttempts()
        if refusal is not None:
            self._release(held)
            raise refusal
        return held

    def _count_user_attempt(self, user_id: int, now: datetime) -> bool:
        """One more attempt at a user's password, in one atomic statement: the attempt
        that reaches ``login_max_attempts`` locks the account at once (a success lifts
        it), so attempts made meanwhile are refused. True for that last attempt.

        Raises:
            TooManyAttempts: ``account_locked`` while the user is locked.
        """
        limit = self.security.login_max_attempts
        until = now + timedelta(seconds=self.security.lockout_s)
        reaches = users.c.failed_logins + 1 >= limit
        with write(self.engine) as conn:
            row = conn.execute(
                update(users)
                .where(
                    users.c.id == user_id,
                    or_(users.c.locked_until.is_(None), users.c.locked_until <= now),
                )
                .values(
                    failed_logins=case((reaches, 0), else_=users.c.failed_logins + 1),
                    locked_until=case((reaches, until), else_=users.c.locked_until),
                )
                .returning(users.c.locked_until)
            ).first()
        if row is None:
            raise _locked()
        return bool(row.locked_until == until)

    def _release(self, held: list[int]) -> None:
        """Uncount attempts that were refused before their password was checked."""
        with write(self.engine) as conn:
            conn.execute(delete(login_failures).where(login_failures.c.id.in_(held)))

    def _forget_old_failures(self, now: datetime) -> None:
        with write(self.engine) as conn:
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
        self.cache.clear()

    def resolve(self, token: str) -> Actor | None:
        """The user or device a bearer token belongs to, or ``None``.

        A resolved token is cached for a second (:class:`~hub.accounts.cache.TokenCache`);
        every change of credentials clears the cache at once.
        """
        if not token or len(token) > 200 or not token.isascii():
            return None  # tokens are URL-safe base64: anything else names nobody
        digest = token_hash(token)
        cached = self.cache.get(digest)
        if cached is not None:
            return cached
        actor = self._lookup(digest)
        if actor is not None:
            self.cache.put(digest, actor)
        return actor

    def _lookup(self, digest: str) -> Actor | None:
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


def _locked() -> errors.TooManyAttempts:
    return errors.TooManyAttempts(
        "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần; vui lòng thử lại sau",
        code="account_locked",
    )
