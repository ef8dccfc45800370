"""What every ticket action shares: finding a field, a counter or a ticket, checking a
state change, appending to the ticket's event log, and the waiting counts to announce.

These run inside the caller's transaction (a connection is passed in).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from config.hub import Counter, Service
from config.schema import Config
from config.wire import EV_QUEUE, NS_DISPLAY, ErrorCode
from hub import errors
from hub.accounts import Actor
from hub.clock import iso
from hub.events import Event, ticket_event
from hub.queue import InvalidTransition, TicketStatus, check_transition
from hub.store import queries, statements
from hub.store.tables import tickets


def service_of(config: Config, service_id: str) -> Service:
    """The field ``service_id``; 404 ``unknown_service`` when there is none."""
    service = config.service(service_id)
    if service is None:
        raise errors.NotFound(f"Không có lĩnh vực '{service_id}'", code=ErrorCode.UNKNOWN_SERVICE)
    return service


def counter_of(config: Config, counter_id: str) -> Counter:
    """The counter ``counter_id``; 404 ``unknown_counter`` when there is none."""
    counter = config.counter(counter_id)
    if counter is None:
        raise errors.NotFound(f"Không có quầy '{counter_id}'", code="unknown_counter")
    return counter


def load_ticket(conn: Connection, ticket_id: str) -> Any:
    """The ticket's row; 404 ``unknown_ticket`` when there is none."""
    row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
    if row is None:
        raise errors.NotFound("Không tìm thấy phiếu số thứ tự", code=ErrorCode.UNKNOWN_TICKET)
    return row


def check_change(current: str, wanted: TicketStatus, code: str) -> None:
    """409 with ``code`` unless the state machine allows ``current`` → ``wanted``."""
    try:
        check_transition(current, wanted)
    except InvalidTransition as err:
        raise errors.Conflict(
            f"Phiếu đang ở trạng thái '{err.current.value}', không thể chuyển sang "
            f"'{err.wanted.value}'",
            code=code,
        ) from None


def record_event(
    conn: Connection,
    ticket_id: str,
    kind: str,
    actor: Actor,
    *,
    at: Any,
    before: str | None,
    after: str | None,
    counter_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Event:
    """Append one row to the ticket's event log (``ticket_events``); returns the
    ``ticket`` event that tells the ticket's holders, to publish once committed."""
    conn.execute(
        statements.EVENT_INSERT,
        {"ticket_id": ticket_id, "at": at, "kind": kind, "from_status": before,
         "to_status": after, "actor": actor.label, "counter_id": counter_id, "detail": detail},
    )  # fmt: skip
    return ticket_event(ticket_id, kind, after or before or "")


def waiting_event(conn: Connection, service_ids: set[str]) -> Event:
    """The ``queue`` event with the waiting counts of some fields, as committed."""
    return Event(EV_QUEUE, {"waiting": queries.waiting_counts(conn, service_ids)}, NS_DISPLAY)


def call_payload(
    config: Config,
    *,
    seq: int,
    number: str,
    service_id: str,
    counter_id: str,
    at: Any,
    recall: bool,
) -> dict[str, Any]:
    """The public ``call`` payload (never a ticket id)."""
    service = config.service(service_id)
    counter = config.counter(counter_id)
    return {
        "seq": seq,
        "number": number,
        "service": {"id": service_id, "name": service.name if service else service_id},
        "counter": {"id": counter_id, "name": counter.name if counter else counter_id},
        "at": iso(at),
        "recall": recall,
    }
