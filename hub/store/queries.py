"""Small reusable queries on a connection (no transactions opened here)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, and_, bindparam, func, or_, select

from hub.queue import TicketStatus
from hub.store.tables import counter_state, tickets

WAITING = TicketStatus.WAITING.value


_WAITING_COUNTS = (
    select(tickets.c.service_id, func.count())
    .where(
        tickets.c.status == WAITING, tickets.c.service_id.in_(bindparam("services", expanding=True))
    )
    .group_by(tickets.c.service_id)
)


def waiting_counts(conn: Connection, service_ids: Iterable[str]) -> dict[str, int]:
    """Waiting tickets per service (every given service appears, 0 if none)."""
    ids = list(service_ids)
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    for service_id, n in conn.execute(_WAITING_COUNTS, {"services": ids}):
        counts[service_id] = int(n)
    return counts


def people_ahead(
    conn: Connection, *, service_id: str, is_priority: bool, queue_pos: int, ticket_id: str
) -> int:
    """Waiting tickets of the same field that the call order puts first."""
    earlier = tickets.c.queue_pos < queue_pos
    same_class_earlier = and_(tickets.c.is_priority == is_priority, earlier)
    condition = same_class_earlier if is_priority else or_(tickets.c.is_priority, earlier)
    n = conn.execute(
        select(func.count()).where(
            tickets.c.status == WAITING,
            tickets.c.service_id == service_id,
            tickets.c.id != ticket_id,
            condition,
        )
    ).scalar_one()
    return int(n)


def recent_service_times(conn: Connection, service_id: str, sample: int) -> list[float]:
    """Service durations (s) of the field's last ``sample`` completed tickets."""
    rows = conn.execute(
        select(tickets.c.service_s)
        .where(
            tickets.c.service_id == service_id,
            tickets.c.status == TicketStatus.DONE.value,
            tickets.c.service_s.is_not(None),
        )
        .order_by(tickets.c.completed_at.desc())
        .limit(sample)
    )
    return [float(r[0]) for r in rows]


def open_counter_ids(conn: Connection) -> set[str]:
    """Counters that are open and not paused."""
    rows = conn.execute(
        select(counter_state.c.counter_id).where(
            counter_state.c.status == "open", counter_state.c.paused.is_(False)
        )
    )
    return {r[0] for r in rows}
