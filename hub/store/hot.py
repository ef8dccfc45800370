"""Prepared SQL for the hot path (issuing a ticket), written once.

Building SQLAlchemy expressions costs more than running them on SQLite, so
the statements a kiosk triggers on every press are plain ``text()`` with
typed bind parameters: compiled once, cached by their string, and the same on
SQLite and PostgreSQL. Their columns are those of :mod:`hub.store.tables`;
the tests of the queue run through them on both backends.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Date, TextClause, bindparam, text

from hub.store.tables import UTCDateTime

_DAY_KEY = "site_id = :site_id AND service_id = :service_id AND day = :day"


def _day(stmt: str) -> TextClause:
    return text(stmt).bindparams(bindparam("day", type_=Date()))


SERVICE_DAY_LOCKED = {
    "postgresql": _day(f"SELECT last_seq FROM service_days WHERE {_DAY_KEY} FOR UPDATE"),
    "sqlite": _day(f"SELECT last_seq FROM service_days WHERE {_DAY_KEY}"),
}

SERVICE_DAY_INSERT = _day(
    "INSERT INTO service_days (site_id, service_id, day, last_seq, issued) "
    "VALUES (:site_id, :service_id, :day, :seq, 1)"
)

SERVICE_DAY_UPDATE = _day(
    f"UPDATE service_days SET last_seq = :seq, issued = issued + 1 WHERE {_DAY_KEY}"
)


def _ticket_insert(queue_pos: str) -> TextClause:
    return text(
        "INSERT INTO tickets (id, site_id, service_id, origin_service_id, day, seq, number, "
        "priority, is_priority, status, issued_at, device_id, channel, call_count, "
        f"request_key, queue_pos) VALUES (:id, :site_id, :service_id, :service_id, :day, "
        ":seq, :number, :priority, :is_priority, 'waiting', :issued_at, :device_id, "
        f":channel, 0, :request_key, {queue_pos})"
    ).bindparams(
        bindparam("day", type_=Date()),
        bindparam("is_priority", type_=Boolean()),
        bindparam("issued_at", type_=UTCDateTime()),
    )


# The ticket's place in the order of issue (``tickets.queue_pos``): PostgreSQL's
# sequence needs no lock; SQLite's write transaction already excludes every other.
TICKET_INSERT = {
    "postgresql": _ticket_insert("nextval('tickets_queue_pos_seq')"),
    "sqlite": _ticket_insert("(SELECT COALESCE(MAX(queue_pos), 0) + 1 FROM tickets)"),
}

EVENT_INSERT = text(
    "INSERT INTO ticket_events (ticket_id, at, kind, from_status, to_status, actor, "
    "counter_id, detail) VALUES (:ticket_id, :at, :kind, :from_status, :to_status, :actor, "
    ":counter_id, :detail)"
).bindparams(bindparam("at", type_=UTCDateTime()), bindparam("detail", type_=JSON()))

WAITING_BY_CLASS = text(
    "SELECT is_priority, COUNT(*) FROM tickets WHERE status = 'waiting' "
    "AND service_id = :service_id GROUP BY is_priority"
).columns()

TICKET_BY_REQUEST_KEY = text("SELECT id FROM tickets WHERE request_key = :request_key")
