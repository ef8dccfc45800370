"""Tickets: issuing the next number of a field, following and cancelling a ticket.

Every change is decided inside one database write transaction (numbers are
never decided in process memory), appended to the ticket's event log, and
announced only once committed.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from config.schema import Config
from config.wire import EV_QUEUE, NS_DISPLAY, ErrorCode
from hub import errors
from hub.accounts import Actor
from hub.clock import Clock
from hub.events import Event, EventSink
from hub.queue import DailyLimitReached, TicketStatus, format_number, next_sequence, site_day
from hub.store import hot, queries
from hub.store.db import read, write
from hub.store.tables import tickets
from hub.tickets.estimates import Estimates
from hub.tickets.places import places_of_newcomers
from hub.tickets.records import (
    check_change,
    load_ticket,
    record_event,
    service_of,
    waiting_event,
)
from hub.tickets.views import ticket_view

logger = logging.getLogger(__name__)


class TicketService:
    """Issuing, following and cancelling the tickets of one site.

    Args:
        engine: the hub's database.
        config: the configuration in force.
        sink: where committed events go.
        clock: UTC now.
        estimates: the shared wait estimates.
    """

    def __init__(
        self, engine: Engine, config: Config, sink: EventSink, clock: Clock, estimates: Estimates
    ) -> None:
        self.engine = engine
        self.config = config
        self.sink = sink
        self.clock = clock
        self.estimates = estimates

    def reconfigure(self, config: Config) -> None:
        self.config = config

    def issue(
        self,
        service_id: str,
        *,
        priority: str | None,
        actor: Actor,
        channel: str = "kiosk",
        request_key: str | None = None,
    ) -> dict[str, Any]:
        """Issue the next number of a field (201 answer of ``POST /tickets``).

        With ``request_key``, a request sent again (after a timeout) gets the
        ticket already issued for that key, marked ``"replayed": True``.
        """
        service = service_of(self.config, service_id)
        if request_key is not None:
            replay = self.ticket_by_request_key(request_key)
            if replay is not None:
                return replay
        if priority is not None and priority not in self.config.queue.priority_categories:
            allowed = ", ".join(self.config.queue.priority_categories)
            raise errors.BadRequest(
                f"Loại ưu tiên '{priority}' không hợp lệ (chọn: {allowed})",
                code="unknown_priority",
            )
        now = self.clock()
        day = site_day(now, self.config.site.timezone)
        site_id = self.config.site.id
        key = {"site_id": site_id, "service_id": service.id, "day": day}
        is_priority = priority is not None
        with write(self.engine) as conn:
            locked = hot.SERVICE_DAY_LOCKED[conn.dialect.name]
            row = conn.execute(locked, key).first()
            try:
                seq = next_sequence(
                    row[0] if row else None, start=service.start, daily_limit=service.daily_limit
                )
            except DailyLimitReached:
                raise errors.Conflict(
                    f"Đã hết số tiếp nhận trong ngày của lĩnh vực {service.name}",
                    code=ErrorCode.DAILY_LIMIT_REACHED,
                ) from None
            day_stmt = hot.SERVICE_DAY_INSERT if row is None else hot.SERVICE_DAY_UPDATE
            conn.execute(day_stmt, {**key, "seq": seq})
            ticket_id = secrets.token_urlsafe(16)
            number = format_number(seq, prefix=service.prefix, digits=service.digits)
            conn.execute(
                hot.TICKET_INSERT[conn.dialect.name],
                {**key, "id": ticket_id, "seq": seq, "number": number, "priority": priority,
                 "is_priority": is_priority, "issued_at": now, "channel": channel,
                 "device_id": actor.id if actor.kind == "device" else None,
                 "request_key": request_key},
            )  # fmt: skip
            conn.execute(
                hot.EVENT_INSERT,
                {"ticket_id": ticket_id, "at": now, "kind": "issued", "from_status": None,
                 "to_status": "waiting", "actor": actor.label, "counter_id": None,
                 "detail": {"service": service.id, "priority": priority}},
            )  # fmt: skip
            waiting = sum(int(n) for _, n in conn.execute(hot.WAITING_BY_CLASS, key))
        # Read once committed: the same view as GET /tickets/{id} (people ahead in the
        # real call order, see hub.queue.call_order).
        with read(self.engine) as conn:
            view = ticket_view(conn, load_ticket(conn, ticket_id), self.config, self.estimates)
        self.sink.publish([Event(EV_QUEUE, {"waiting": {service.id: waiting}}, NS_DISPLAY)])
        return view

    def ticket_by_request_key(self, request_key: str) -> dict[str, Any] | None:
        """The ticket issued for an idempotency key, or ``None``."""
        with read(self.engine) as conn:
            row = conn.execute(hot.TICKET_BY_REQUEST_KEY, {"request_key": request_key}).first()
            if row is None:
                return None
            view = ticket_view(conn, load_ticket(conn, row[0]), self.config, self.estimates)
        return {**view, "replayed": True}

    def issue_with_retry(self, service_id: str, **kwargs: Any) -> dict[str, Any]:
        """:meth:`issue`, retried when a concurrent first ticket of the day collides.

        On PostgreSQL two processes can both see "no row yet" for a new day and
        both insert it; the loser's unique violation is retried once it commits.
        """
        for attempt in range(5):
            try:
                return self.issue(service_id, **kwargs)
            except IntegrityError:
                if attempt == 4:
                    raise
                logger.info("numbering collision on a new day; retrying")
        raise AssertionError("unreachable")  # pragma: no cover

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        """The public view of a ticket (``GET /tickets/{id}``)."""
        with read(self.engine) as conn:
            return ticket_view(conn, load_ticket(conn, ticket_id), self.config, self.estimates)

    def cancel(self, ticket_id: str, *, actor: Actor) -> dict[str, Any]:
        """Cancel a waiting ticket (a kiosk whose print failed, or its holder)."""
        with write(self.engine) as conn:
            row = load_ticket(conn, ticket_id)
            check_change(row.status, TicketStatus.CANCELLED, ErrorCode.CANCEL_NOT_WAITING)
            conn.execute(
                update(tickets)
                .where(tickets.c.id == ticket_id, tickets.c.status == row.status)
                .values(status=TicketStatus.CANCELLED.value, completed_at=self.clock())
            )
            cancelled = record_event(
                conn, ticket_id, "cancelled", actor, at=self.clock(), before=row.status,
                after="cancelled",
            )  # fmt: skip
            view = ticket_view(conn, load_ticket(conn, ticket_id), self.config, self.estimates)
            events = [waiting_event(conn, {row.service_id}), cancelled]
        self.sink.publish(events)
        return view

    def expire_past_days(self) -> int:
        """Cancel tickets still waiting from an earlier site-day (run periodically).

        Numbers restart each day, so yesterday's waiting tickets can never be
        called; each is closed with an ``expired`` event instead of lingering.
        """
        today = site_day(self.clock(), self.config.site.timezone)
        system = Actor("system", name="day-end")
        events: list[Event] = []
        with write(self.engine) as conn:
            rows = conn.execute(
                select(tickets.c.id, tickets.c.service_id).where(
                    tickets.c.status == TicketStatus.WAITING.value, tickets.c.day < today
                )
            ).all()
            for row in rows:
                conn.execute(
                    update(tickets)
                    .where(tickets.c.id == row.id, tickets.c.status == TicketStatus.WAITING.value)
                    .values(status=TicketStatus.CANCELLED.value, completed_at=self.clock())
                )
                events.append(record_event(
                    conn, row.id, "expired", system, at=self.clock(), before="waiting",
                    after="cancelled",
                ))  # fmt: skip
            if rows:
                events.insert(0, waiting_event(conn, {r.service_id for r in rows}))
        self.sink.publish(events)
        return len(rows)

    def services(self) -> list[dict[str, Any]]:
        """``GET /services``: each field with its waiting count, and the estimated wait of
        a regular ticket taken now (``no_open_counter``: no open counter serves it)."""
        today = site_day(self.clock(), self.config.site.timezone)
        with read(self.engine) as conn:
            counts = queries.waiting_counts(conn, [s.id for s in self.config.services])
            places = places_of_newcomers(conn, self.config, today)
        return [
            {
                "id": s.id,
                "name": s.name,
                "waiting": counts[s.id],
                "estimated_wait_s": self.estimates.wait_s(s.id, places[s.id]),
                "no_open_counter": places[s.id].no_open_counter,
            }
            for s in self.config.services
        ]
