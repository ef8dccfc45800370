"""What the booking caps count: a phone's remote tickets of the day, a field's of the
last hour, and the remote tickets of a period as the dashboard lists them.

A remote ticket is a ``tickets`` row with ``channel = "remote"``; its ``booked``
event holds the phone's HMAC (``detail.phone``) and whether the phone was
verified with a one-time code (``detail.verified``; absent before codes existed,
which means not verified).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, func, select

from hub.store.db import read
from hub.store.tables import ticket_events, tickets

__all__ = [
    "CHANNEL",
    "EVENT_KIND",
    "RemoteTicket",
    "field_hour_count",
    "phone_day_count",
    "remote_tickets",
]

CHANNEL = "remote"
EVENT_KIND = "booked"

_BOOKED = ticket_events.join(tickets, tickets.c.id == ticket_events.c.ticket_id)


def phone_day_count(engine: Engine, phone: str, day: date) -> int:
    """Remote tickets the phone (its HMAC) took on ``day``."""
    with read(engine) as conn:
        rows = conn.execute(
            select(ticket_events.c.detail)
            .select_from(_BOOKED)
            .where(ticket_events.c.kind == EVENT_KIND, tickets.c.day == day)
        )
        return sum(1 for (detail,) in rows if (detail or {}).get("phone") == phone)


def field_hour_count(engine: Engine, service_id: str, day: date, since: datetime) -> int:
    """Remote tickets booked for ``service_id`` on ``day`` since ``since``."""
    with read(engine) as conn:
        query = select(func.count()).where(
            tickets.c.day == day,
            tickets.c.channel == CHANNEL,
            tickets.c.origin_service_id == service_id,
            tickets.c.issued_at >= since,
        )
        return int(conn.execute(query).scalar_one())


@dataclass(frozen=True)
class RemoteTicket:
    """A remote ticket as the dashboard lists it."""

    number: str
    service_id: str
    issued_at: datetime
    status: str
    verified: bool


def remote_tickets(engine: Engine, start: date, end: date) -> list[RemoteTicket]:
    """The remote tickets of the days ``start``–``end``, oldest first."""
    with read(engine) as conn:
        rows = conn.execute(
            select(
                tickets.c.number,
                tickets.c.origin_service_id,
                tickets.c.issued_at,
                tickets.c.status,
                ticket_events.c.detail,
            )
            .select_from(_BOOKED)
            .where(ticket_events.c.kind == EVENT_KIND, tickets.c.day.between(start, end))
            .order_by(tickets.c.issued_at)
        ).all()
    return [
        RemoteTicket(
            r.number,
            r.origin_service_id,
            r.issued_at,
            r.status,
            (r.detail or {}).get("verified") is True,
        )  # fmt: skip
        for r in rows
    ]
