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

# Built once (statement building costs more than these reads). "May go first" before a
# ticket of class :prio at :pos: every ticket of the other class, the earlier of its own.
_MAY_GO_FIRST = or_(
    tickets.c.is_priority != bindparam("prio"), tickets.c.queue_pos < bindparam("pos")
)
_IN_FIELDS = tickets.c.service_id.in_(bindparam("services", expanding=True))
_LINE = (tickets.c.service_id, tickets.c.is_priority)
# Counted on the queue index alone (no day: a ticket of an earlier day still waiting is
# cancelled by the day-end sweep; until then it only lengthens a count).
_LINE_COUNTS = (
    select(*_LINE, func.count())
    .where(tickets.c.status == WAITING, _MAY_GO_FIRST, _IN_FIELDS)
    .group_by(*_LINE)
)
_ALL_LINES = select(*_WAITING_TICKET).where(
    tickets.c.status == WAITING, tickets.c.day == bindparam("day"), _MAY_GO_FIRST, _IN_FIELDS
)
_ONE_LINE = (
    select(*_WAITING_TICKET)
    .where(
        tickets.c.status == WAITING,
        tickets.c.day == bindparam("day"),
        tickets.c.service_id == bindparam("service"),
        tickets.c.is_priority == bindparam("line_prio"),
        or_(tickets.c.is_priority != bindparam("prio"), tickets.c.queue_pos < bindparam("pos")),
    )
    .order_by(tickets.c.queue_pos)
    .limit(bindparam("first"))
)


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
    earlier ones of its own): the ``first`` of each field and class in issue order, and
    how many more each ``(service_id, is_priority)`` has.

    One count, then one read when no line is longer than ``first`` (a centre's usual
    queue), else one short read of the queue index per field and class.
    """
    fields = list(services)
    params = {"prio": is_priority, "pos": queue_pos, "day": day, "first": first}
    counts = conn.execute(_LINE_COUNTS, {**params, "services": fields})
    more = {(r[0], bool(r[1])): int(r[2]) - first for r in counts if int(r[2]) > first}
    if not more:
        rows = conn.execute(_ALL_LINES, {**params, "services": fields})
        return [(int(r[0]), r[1], bool(r[2]), r[3]) for r in rows], more
    found: list[WaitingRow] = []
    for service_id in fields:
        for priority in (True, False):
            line = {**params, "service": service_id, "line_prio": priority}
            found += [(int(r[0]), r[1], bool(r[2]), r[3]) for r in conn.execute(_ONE_LINE, line)]
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
