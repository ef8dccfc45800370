"""Shared plumbing of the queue service: tickets and counters, one transaction per action.

Every method decides inside one database write transaction (numbers and
calls are never decided in process memory), appends the ticket's event row,
commits, and only then publishes Socket.IO events.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from config import Config
from hub import errors
from hub.events import (
    EV_QUEUE,
    NS_DISPLAY,
    Event,
    EventSink,
)
from hub.queue import (
    InvalidTransition,
    TicketStatus,
    check_transition,
    estimate_wait_s,
    mean_service_s,
)
from hub.store import queries, statements
from hub.store.db import read
from hub.store.tables import tickets

logger = logging.getLogger(__name__)

ESTIMATE_TTL_S = 5.0

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Actor:
    """Who acts: a user (staff, manager, admin), a device, or the public."""

    kind: str  # "user" | "device" | "public"
    id: int | None = None
    name: str = ""
    role: str = ""
    counter_id: str | None = None
    address: str | None = None
    """Where the request came from (for the audit log)."""

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}" if self.name else self.kind


PUBLIC = Actor("public")


class QueueBase:
    """Configuration, clock, event sink and the helpers every queue action uses."""

    def __init__(self, engine: Engine, config: Config, sink: EventSink, clock: Clock = utcnow):
        self.engine = engine
        self.config = config
        self.sink = sink
        self.clock = clock
        self._lock = engine.dialect.name == "postgresql"
        self._estimates: dict[str, tuple[float, float, int]] = {}

    # ----------------------------------------------------------------- helpers
    def reconfigure(self, config: Config) -> None:
        self.config = config
        self._estimates.clear()

    def _service(self, service_id: str) -> Any:
        service = self.config.service(service_id)
        if service is None:
            raise errors.NotFound(f"Không có lĩnh vực '{service_id}'", code="unknown_service")
        return service

    def _counter(self, counter_id: str) -> Any:
        counter = self.config.counter(counter_id)
        if counter is None:
            raise errors.NotFound(f"Không có quầy '{counter_id}'", code="unknown_counter")
        return counter

    def _event(
        self,
        conn: Connection,
        ticket_id: str,
        kind: str,
        actor: Actor,
        *,
        before: str | None,
        after: str | None,
        counter_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        conn.execute(
            statements.EVENT_INSERT,
            {"ticket_id": ticket_id, "at": self.clock(), "kind": kind, "from_status": before,
             "to_status": after, "actor": actor.label, "counter_id": counter_id,
             "detail": detail},
        )  # fmt: skip

    def _queue_event(self, conn: Connection, service_ids: set[str]) -> Event:
        counts = queries.waiting_counts(conn, service_ids)
        return Event(EV_QUEUE, {"waiting": counts}, NS_DISPLAY)

    def _estimate(self, conn: Connection, service_id: str, ahead: int) -> int:
        return self.cached_estimate(service_id, ahead)

    def cached_estimate(self, service_id: str, ahead: int) -> int:
        """The estimate from a mean service time and open-counter count at most
        ``ESTIMATE_TTL_S`` old: an estimate need not cost two queries per ticket."""
        now = time.monotonic()
        cached = self._estimates.get(service_id)
        if cached is None or now - cached[0] > ESTIMATE_TTL_S:
            with read(self.engine) as conn:
                cached = (now, *self._estimate_inputs(conn, service_id))
            self._estimates[service_id] = cached
        _, mean, k = cached
        return estimate_wait_s(ahead, mean_s=mean, open_counters=k)

    def _estimate_inputs(self, conn: Connection, service_id: str) -> tuple[float, int]:
        sample = queries.recent_service_times(conn, service_id, self.config.queue.estimate_sample)
        mean = mean_service_s(sample, default_s=self.config.queue.default_service_s)
        open_ids = queries.open_counter_ids(conn)
        serving = [c for c in self.config.counters if service_id in c.services]
        return mean, sum(1 for c in serving if c.id in open_ids)

    def _ticket_view(self, conn: Connection, row: Any) -> dict[str, Any]:
        service = self.config.service(row.service_id)
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
                issued_at=row.issued_at,
                ticket_id=row.id,
            )
            view["waiting_ahead"] = ahead
            view["estimated_wait_s"] = self._estimate(conn, row.service_id, ahead)
        if row.counter_id:
            counter = self.config.counter(row.counter_id)
            view["counter"] = {
                "id": row.counter_id,
                "name": counter.name if counter else row.counter_id,
            }
        if row.called_at:
            view["called_at"] = iso(row.called_at)
        if row.completed_at:
            view["completed_at"] = iso(row.completed_at)
        return view

    def _load_ticket(self, conn: Connection, ticket_id: str) -> Any:
        row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
        if row is None:
            raise errors.NotFound("Không tìm thấy phiếu số thứ tự", code="unknown_ticket")
        return row

    @staticmethod
    def _transition(current: str, wanted: TicketStatus, code: str) -> None:
        try:
            check_transition(current, wanted)
        except InvalidTransition as err:
            raise errors.Conflict(
                f"Phiếu đang ở trạng thái '{err.current.value}', không thể chuyển sang "
                f"'{err.wanted.value}'",
                code=code,
            ) from None

    def call_payload(
        self, seq: int, number: str, service_id: str, counter_id: str, at: datetime, recall: bool
    ) -> dict[str, Any]:
        """The public ``call`` payload (never a ticket id)."""
        service = self.config.service(service_id)
        counter = self.config.counter(counter_id)
        return {
            "seq": seq,
            "number": number,
            "service": {"id": service_id, "name": service.name if service else service_id},
            "counter": {"id": counter_id, "name": counter.name if counter else counter_id},
            "at": iso(at),
            "recall": recall,
        }


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, or ``None``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
