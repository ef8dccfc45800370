"""Statements of the counter actions, built once with bound parameters.

Constructing a SQLAlchemy expression costs more than running it on SQLite;
a counter calls hundreds of times a day and a province's hub thousands of
times, so the statements of the call path are built here once and executed
with a parameter dict. ``update(table).where(...)`` without ``.values()``
takes its SET columns from the parameter names.
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update

from hub.store.tables import audit_log, calls, counter_state, ticket_events, tickets, users

B = bindparam

STATE = select(counter_state).where(counter_state.c.counter_id == B("cid"))
STATE_LOCKED = STATE.with_for_update()
STATE_INSERT = insert(counter_state)
STATE_SET = update(counter_state).where(counter_state.c.counter_id == B("cid"))
STATE_OF_USER = select(counter_state.c.counter_id).where(
    counter_state.c.user_id == B("uid"), counter_state.c.status == "open"
)

TICKET = select(tickets).where(tickets.c.id == B("tid"))
TICKET_FINISH = update(tickets).where(tickets.c.id == B("tid"), tickets.c.status == "called")
TICKET_CALL = (
    update(tickets)
    .where(tickets.c.id == B("tid"), tickets.c.status == "waiting")
    .values(call_count=tickets.c.call_count + 1)
)
TICKET_RECALL = (
    update(tickets).where(tickets.c.id == B("tid")).values(call_count=tickets.c.call_count + 1)
)

FIRST_WAITING = (
    select(tickets.c.id, tickets.c.queue_pos, tickets.c.is_priority)
    .where(
        tickets.c.status == "waiting",
        tickets.c.service_id.in_(B("services", expanding=True)),
        tickets.c.is_priority == B("prio"),
        tickets.c.day == B("today"),
    )
    .order_by(tickets.c.queue_pos)
    .limit(1)
)
FIRST_WAITING_LOCKED = FIRST_WAITING.with_for_update(skip_locked=True)
# One field at a time: the queue index (status, service, class, queue_pos) yields it
# in order, so the first row ends the read.
FIRST_WAITING_OF_FIELD = (
    select(tickets.c.id, tickets.c.queue_pos, tickets.c.is_priority)
    .where(
        tickets.c.status == "waiting",
        tickets.c.service_id == B("service"),
        tickets.c.is_priority == B("prio"),
        tickets.c.day == B("today"),
    )
    .order_by(tickets.c.queue_pos)
    .limit(1)
)

EVENT_INSERT = insert(ticket_events)
CALL_INSERT = insert(calls)
AUDIT_INSERT = insert(audit_log)
USER_NAME = select(users.c.username, users.c.display_name).where(users.c.id == B("uid"))
