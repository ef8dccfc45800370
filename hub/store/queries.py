"""Small reusable queries on a connection (no transactions opened here)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, bindparam, func, or_, select

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


_WAITING_TICKET = (tickets.c.queue_pos, tickets.c.id, tickets.c.is_priority, tickets.c.service_id)
WaitingRow = tuple[int, str, bool, str]
"""``(queue_pos, id, is_priority, service_id)`` of a waiting ticket."""


def waiting_lines(
    conn: Connection,
    *,
    services: Iterable[str],
    day: date,
    is_priority: bool,
    queue_pos: int,
    first: int,
) -> tuple[list[WaitingRow], dict[tuple[str, bool], int]]:
    """The day's waiting tickets in ``services`` that may be called before a ticket of
    the class ``is_priority`` at ``queue_pos`` (every one of the other class, the
    earlier ones of its own): the ``first`` of each field and class in issue order (one
    short read of the queue index each), and how many more each
    ``(service_id, is_priority)`` has."""
    fields = list(services)
    waiting_of_day = (tickets.c.status == WAITING, tickets.c.day == day)
    found: list[WaitingRow] = []
    for service_id in fields:
        for priority in (True, False):
            line = [*waiting_of_day, tickets.c.service_id == service_id]
            line.append(tickets.c.is_priority == priority)
            if priority == is_priority:  # its own class: only the earlier ones
                line.append(tickets.c.queue_pos < queue_pos)
            rows = conn.execute(
                select(*_WAITING_TICKET).where(*line).order_by(tickets.c.queue_pos).limit(first)
            )
            found += [(int(r[0]), r[1], bool(r[2]), r[3]) for r in rows]
    may_go_first = or_(tickets.c.is_priority != is_priority, tickets.c.queue_pos < queue_pos)
    by_line = (tickets.c.service_id, tickets.c.is_priority)
    counts = conn.execute(
        select(*by_line, func.count())
        .where(*waiting_of_day, may_go_first, tickets.c.service_id.in_(fields))
        .group_by(*by_line)
    )
    more = {(r[0], bool(r[1])): int(r[2]) - first for r in counts if int(r[2]) > first}
    return found, more


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


def counter_states(conn: Connection) -> dict[str, tuple[str, bool, int]]:
    """Each counter's ``(status, paused, regular_streak)`` (counters never opened have no row)."""
    rows = conn.execute(
        select(
            counter_state.c.counter_id,
            counter_state.c.status,
            counter_state.c.paused,
            counter_state.c.regular_streak,
        )
    )
    return {r[0]: (r[1], bool(r[2]), int(r[3] or 0)) for r in rows}
