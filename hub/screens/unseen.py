"""Calls that no screen showed in time: logged once, listed for managers.

Every screen acknowledges each call it renders (``ack`` with ``kind="shown"``), and
the hub stores the first acknowledgement in ``calls.shown_at``. A call still without
one ``ack_timeout_s`` after it was made means a citizen may have missed their turn,
so the watcher logs it as a warning and marks it ``unseen_logged``. The mark is set
by a single ``UPDATE … RETURNING`` (or a guarded per-row update where the database
has no ``RETURNING``), so when several hub processes watch the same database each
call is logged by exactly one of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update

from hub.store.db import read, write
from hub.store.tables import calls

__all__ = ["UnseenCall", "check_unseen", "flag_unseen", "unseen_calls"]

logger = logging.getLogger(__name__)

# Beyond this many warnings in one tick (e.g. the first tick after a night with no
# screen connected) the rest are summarised in one line instead of flooding the log.
LOG_EACH_LIMIT = 20

_COLUMNS = (
    calls.c.seq,
    calls.c.number,
    calls.c.service_id,
    calls.c.counter_id,
    calls.c.at,
    calls.c.shown_at,
)


@dataclass(frozen=True)
class UnseenCall:
    """A call that no screen showed within the timeout.

    Attributes:
        seq: the call's sequence number.
        number: the ticket number called.
        service_id: the field of the ticket.
        counter_id: the counter that called.
        at: when the call was made (aware UTC).
        shown_at: when a screen first showed it, or None if none ever did.
    """

    seq: int
    number: str
    service_id: str
    counter_id: str
    at: datetime
    shown_at: datetime | None

    @property
    def delay_s(self) -> float | None:
        """Seconds from the call to the first screen showing it, or None."""
        if self.shown_at is None:
            return None
        return (self.shown_at - self.at).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (ISO 8601 UTC times) for the dashboard."""
        return {
            "seq": self.seq,
            "number": self.number,
            "service": self.service_id,
            "counter": self.counter_id,
            "at": _iso(self.at),
            "shown_at": _iso(self.shown_at),
            "delay_s": None if self.delay_s is None else round(self.delay_s, 3),
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _row(row: Any) -> UnseenCall:
    return UnseenCall(
        seq=int(row.seq),
        number=row.number,
        service_id=row.service_id,
        counter_id=row.counter_id,
        at=row.at,
        shown_at=row.shown_at,
    )


def flag_unseen(engine: Engine, *, timeout_s: float, now: datetime) -> list[UnseenCall]:
    """Mark calls older than ``timeout_s`` that no screen showed, and return them.

    A call is returned by exactly one caller, however many processes call this at
    once on the same database.

    Args:
        engine: the hub's database.
        timeout_s: how long a screen has to acknowledge a call.
        now: the current time (aware).

    Returns:
        The newly marked calls, oldest first.
    """
    cutoff = now - timedelta(seconds=timeout_s)
    pending = and_(
        calls.c.shown_at.is_(None),
        calls.c.unseen_logged.is_(False),
        calls.c.at <= cutoff,
    )
    with write(engine) as conn:
        if conn.dialect.update_returning:
            rows = conn.execute(
                update(calls).where(pending).values(unseen_logged=True).returning(*_COLUMNS)
            ).all()
        else:
            # No RETURNING: re-check the flag in each row's UPDATE so that only the
            # process whose update changed the row reports it.
            rows = [
                row
                for row in conn.execute(select(*_COLUMNS).where(pending)).all()
                if conn.execute(
                    update(calls)
                    .where(calls.c.seq == row.seq, calls.c.unseen_logged.is_(False))
                    .values(unseen_logged=True)
                ).rowcount
                == 1
            ]
    return sorted((_row(r) for r in rows), key=lambda c: c.seq)


def check_unseen(engine: Engine, *, timeout_s: float, now: datetime) -> list[UnseenCall]:
    """:func:`flag_unseen`, then log one warning per newly found call.

    Returns:
        The calls found, oldest first.
    """
    found = flag_unseen(engine, timeout_s=timeout_s, now=now)
    for call in found[:LOG_EACH_LIMIT]:
        logger.warning(
            "call %s (number %s at counter %s, %s) was not shown by any screen within %.1f s",
            call.seq,
            call.number,
            call.counter_id,
            _iso(call.at),
            timeout_s,
        )
    if len(found) > LOG_EACH_LIMIT:
        logger.warning(
            "%d more calls (up to seq %d) were not shown by any screen within %.1f s",
            len(found) - LOG_EACH_LIMIT,
            found[-1].seq,
            timeout_s,
        )
    return found


def unseen_calls(
    engine: Engine,
    since: datetime,
    *,
    until: datetime | None = None,
    timeout_s: float = 3.0,
    limit: int = 1000,
) -> list[UnseenCall]:
    """Calls from ``since`` that no screen showed within ``timeout_s``.

    A call counts when no screen ever showed it, or when the first screen showed it
    later than ``timeout_s`` after the call (e.g. after a network outage).

    Args:
        engine: the hub's database.
        since: the first call time to include (aware).
        until: the call time to stop before (aware); None for no end.
        timeout_s: the allowed delay, normally the config's ``display.ack_timeout_s``.
        limit: the most calls to return.

    Returns:
        The calls, oldest first.
    """
    where = [calls.c.at >= since]
    if until is not None:
        where.append(calls.c.at < until)
    # The delay test is done here rather than in SQL because interval arithmetic is
    # not portable between SQLite and PostgreSQL; a day holds a few thousand calls.
    where.append(or_(calls.c.shown_at.is_(None), calls.c.shown_at > calls.c.at))
    allowed = timedelta(seconds=timeout_s)
    found: list[UnseenCall] = []
    with read(engine) as conn:
        for row in conn.execute(select(*_COLUMNS).where(*where).order_by(calls.c.seq)):
            if row.shown_at is None or row.shown_at - row.at > allowed:
                found.append(_row(row))
                if len(found) >= limit:
                    break
    return found
