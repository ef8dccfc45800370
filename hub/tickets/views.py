"""A ticket as its holder and the counters see it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from config.schema import Config
from hub.clock import iso
from hub.queue import TicketStatus
from hub.store import queries
from hub.tickets.estimates import Estimates


def ticket_view(conn: Connection, row: Any, config: Config, estimates: Estimates) -> dict[str, Any]:
    """The public view of a ticket row (``GET /tickets/{id}``)."""
    service = config.service(row.service_id)
    view: dict[str, Any] = {
        "id": row.id,
        "number": row.number,
        "service": {"id": row.service_id, "name": service.name if service else row.service_id},
        "status": row.status,
        "priority": row.priority,
        "issued_at": iso(row.issued_at),
        "waiting_ahead": 0,
        "estimated_wait_s": 0,
    }
    if row.status == TicketStatus.WAITING.value:
        ahead = queries.people_ahead(
            conn,
            service_id=row.service_id,
            is_priority=row.is_priority,
            queue_pos=row.queue_pos,
            ticket_id=row.id,
        )
        view["waiting_ahead"] = ahead
        view["estimated_wait_s"] = estimates.wait_s(row.service_id, ahead)
    if row.counter_id:
        counter = config.counter(row.counter_id)
        view["counter"] = {
            "id": row.counter_id,
            "name": counter.name if counter else row.counter_id,
        }
    if row.called_at:
        view["called_at"] = iso(row.called_at)
    if row.completed_at:
        view["completed_at"] = iso(row.completed_at)
    return view
