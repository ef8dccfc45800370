"""Which ticket a pad's press is about (docs/contract.md, "Linking a rating to a ticket")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select

from hub.queue import TicketStatus
from hub.store.tables import UTCDateTime, ticket_events, tickets

_DONE = ticket_events.alias("done")
_LAST_COMPLETED = (
    select(tickets)
    .join(_DONE, and_(_DONE.c.ticket_id == tickets.c.id, _DONE.c.kind == "done"))
    .where(
        tickets.c.counter_id == bindparam("counter"),
        tickets.c.status == TicketStatus.DONE.value,
        tickets.c.completed_at <= bindparam("at", type_=UTCDateTime()),
        tickets.c.completed_at >= bindparam("since", type_=UTCDateTime()),
    )
    .order_by(_DONE.c.id.desc())
    .limit(1)
)


def last_completed(conn: Connection, counter_id: str, at: datetime, window: timedelta) -> Any:
    """Of the tickets ``counter_id`` completed within ``window`` before ``at``, the one it
    completed last, or ``None``.

    "Last" is the order of the completions (the ids of their ``done`` events), not of
    their times: a clock stepped back (a Pi's NTP) makes an earlier completion read
    later, and the press would go to the citizen served before.
    """
    params = {"counter": counter_id, "at": at, "since": at - window}
    return conn.execute(_LAST_COMPLETED, params).first()
