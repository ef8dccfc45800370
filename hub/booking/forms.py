"""The ``booking_forms`` rows: each ``/book`` form's single use and its one-time code.

A form token carries a random nonce, the row's primary key, so two processes
cannot both use one token: the second ``INSERT`` (or the second ``UPDATE … WHERE
used_at IS NULL``) finds it taken. Each function is one short transaction; the
booking service sends codes between them, never inside one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from hub.store.db import read, write
from hub.store.tables import booking_forms

__all__ = [
    "CodeCheck",
    "attach_ticket",
    "check_code",
    "claim_unverified",
    "claim_verified",
    "codes_sent_since",
    "drop_form",
    "open_code",
    "purge_forms",
    "release",
]

F = booking_forms.c


def _new_form(engine: Engine, nonce: str, **values: object) -> bool:
    """Insert form ``nonce``'s row; False when the form has one already."""
    try:
        with write(engine) as conn:
            conn.execute(insert(booking_forms).values(nonce=nonce, attempts=0, **values))
    except IntegrityError:
        return False
    return True


def open_code(
    engine: Engine,
    nonce: str,
    *,
    now: datetime,
    service_id: str,
    phone: str,
    code_hash: str,
    expires_at: datetime,
) -> bool:
    """Keep the code sent for form ``nonce``; False when that form already has a row."""
    return _new_form(engine, nonce, created_at=now, service_id=service_id, phone=phone,
                     code_hash=code_hash, code_expires_at=expires_at)  # fmt: skip


def drop_form(engine: Engine, nonce: str) -> None:
    """Forget a form whose code could not be sent (it may ask again)."""
    with write(engine) as conn:
        conn.execute(delete(booking_forms).where(F.nonce == nonce, F.used_at.is_(None)))


def codes_sent_since(engine: Engine, phone: str, since: datetime) -> int:
    """How many codes went to ``phone`` (its HMAC) since ``since``."""
    with read(engine) as conn:
        query = select(func.count()).where(
            F.phone == phone, F.created_at >= since, F.code_hash.is_not(None)
        )
        return int(conn.execute(query).scalar_one())


@dataclass(frozen=True)
class CodeCheck:
    """A form's row as a code guess found it.

    Attributes:
        counted: this guess was counted (False: no guesses left, or used).
        service_id, phone, code_hash, expires_at: what the code was sent for.
        attempts: guesses made, this one included.
        used: the form has booked already.
    """

    counted: bool
    service_id: str
    phone: str
    code_hash: str | None
    expires_at: datetime | None
    attempts: int
    used: bool


def check_code(engine: Engine, nonce: str, *, max_attempts: int) -> CodeCheck | None:
    """Count one guess of form ``nonce``'s code (atomically); None for no such form."""
    with write(engine) as conn:
        counted = conn.execute(
            update(booking_forms)
            .where(
                F.nonce == nonce,
                F.used_at.is_(None),
                F.code_hash.is_not(None),
                F.attempts < max_attempts,
            )
            .values(attempts=F.attempts + 1)
        ).rowcount
        row = conn.execute(select(booking_forms).where(F.nonce == nonce)).first()
    if row is None:
        return None
    return CodeCheck(
        counted=counted == 1,
        service_id=row.service_id,
        phone=row.phone,
        code_hash=row.code_hash,
        expires_at=row.code_expires_at,
        attempts=int(row.attempts),
        used=row.used_at is not None,
    )


def claim_verified(engine: Engine, nonce: str, now: datetime) -> bool:
    """Use form ``nonce`` (its code was right); False when it was used already."""
    with write(engine) as conn:
        changed = conn.execute(
            update(booking_forms).where(F.nonce == nonce, F.used_at.is_(None)).values(used_at=now)
        ).rowcount
    return changed == 1


def claim_unverified(
    engine: Engine, nonce: str, *, now: datetime, service_id: str, phone: str
) -> bool:
    """Use form ``nonce`` without a code; False when it was used (or has a code)."""
    return _new_form(engine, nonce, created_at=now, service_id=service_id, phone=phone,
                     used_at=now)  # fmt: skip


def release(engine: Engine, nonce: str, *, verified: bool) -> None:
    """Give a claimed form back: no ticket came of it (e.g. the day's numbers ran out)."""
    with write(engine) as conn:
        if verified:
            conn.execute(update(booking_forms).where(F.nonce == nonce).values(used_at=None))
        else:
            conn.execute(delete(booking_forms).where(F.nonce == nonce))


def attach_ticket(conn: Connection, nonce: str, ticket_id: str) -> None:
    """Note the ticket form ``nonce`` booked (in the caller's transaction)."""
    conn.execute(update(booking_forms).where(F.nonce == nonce).values(ticket_id=ticket_id))


def purge_forms(engine: Engine, before: datetime) -> int:
    """Delete forms created before ``before`` (their tokens expired long ago)."""
    with write(engine) as conn:
        return int(conn.execute(delete(booking_forms).where(F.created_at < before)).rowcount)
