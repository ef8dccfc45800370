"""A ticket as its holder and the counters see it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from config.schema import Config
from hub.clock import iso
from hub.queue import TicketStatus
from hub.tickets.estimates import Estimates
from hub.tickets.places import place_of


def ticket_view(conn: Connection, row: Any, config: Config, estimates: Estimates) -> dict[str, Any]:
    """The public view of a ticket row (``GET /tickets/{id}``): a waiting ticket's people
    ahead follow the real call order (:mod:`hub.queue.call_order`)."""
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
        "no_open_counter": False,
    }
    if row.status == TicketStatus.WAITING.value:
        place = place_of(conn, config, row)
        view["waiting_ahead"] = place.ahead
        view["estimated_wait_s"] = estimates.wait_s(row.service_id, place)
        view["no_open_counter"] = place.no_open_counter
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
