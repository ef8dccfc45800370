"""The queue as the hub runs it: tickets and counters, one transaction per action.

Every method decides inside one database write transaction (numbers and
calls are never decided in process memory), appends the ticket's event row,
commits, and only then publishes Socket.IO events.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from config import Config
from hub import errors
from hub.events import (
    EV_CALL,
    EV_COUNTER,
    EV_QUEUE,
    EV_RATING_OPEN,
    NS_COUNTER,
    NS_DEVICES,
    NS_DISPLAY,
    Event,
    EventSink,
    counter_room,
)
from hub.queue import (
    Candidate,
    DailyLimitReached,
    InvalidTransition,
    TicketStatus,
    check_transition,
    estimate_wait_s,
    format_number,
    mean_service_s,
    next_sequence,
    pick_next,
    site_day,
)
from hub.store import queries
from hub.store.db import read, write
from hub.store.tables import calls, counter_state, service_days, ticket_events, tickets

logger = logging.getLogger(__name__)

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

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}" if self.name else self.kind


PUBLIC = Actor("public")


class QueueService:
    """Tickets and counters of one site."""

    def __init__(self, engine: Engine, config: Config, sink: EventSink, clock: Clock = utcnow):
        self.engine = engine
        self.config = config
        self.sink = sink
        self.clock = clock
        self._lock = engine.dialect.name == "postgresql"

    # ----------------------------------------------------------------- helpers
    def reconfigure(self, config: Config) -> None:
        self.config = config

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
            insert(ticket_events).values(
                ticket_id=ticket_id,
                at=self.clock(),
                kind=kind,
                from_status=before,
                to_status=after,
                actor=actor.label,
                counter_id=counter_id,
                detail=detail,
            )
        )

    def _queue_event(self, conn: Connection, service_ids: set[str]) -> Event:
        counts = queries.waiting_counts(conn, service_ids)
        return Event(EV_QUEUE, {"waiting": counts}, NS_DISPLAY)

    def _estimate(self, conn: Connection, service_id: str, ahead: int) -> int:
        sample = queries.recent_service_times(conn, service_id, self.config.queue.estimate_sample)
        mean = mean_service_s(sample, default_s=self.config.queue.default_service_s)
        open_ids = queries.open_counter_ids(conn)
        serving = [c for c in self.config.counters if service_id in c.services]
        k = sum(1 for c in serving if c.id in open_ids)
        return estimate_wait_s(ahead, mean_s=mean, open_counters=k)

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

    # ----------------------------------------------------------------- tickets
    def issue(
        self,
        service_id: str,
        *,
        priority: str | None,
        actor: Actor,
        channel: str = "kiosk",
    ) -> dict[str, Any]:
        """Issue the next number of a field (201 answer of ``POST /tickets``)."""
        service = self._service(service_id)
        if priority is not None and priority not in self.config.queue.priority_categories:
            allowed = ", ".join(self.config.queue.priority_categories)
            raise errors.BadRequest(
                f"Loại ưu tiên '{priority}' không hợp lệ (chọn: {allowed})",
                code="unknown_priority",
            )
        now = self.clock()
        day = site_day(now, self.config.site.timezone)
        site_id = self.config.site.id
        with write(self.engine) as conn:
            key = {"site_id": site_id, "service_id": service.id, "day": day}
            row = conn.execute(
                select(service_days.c.last_seq)
                .where(*(service_days.c[k] == v for k, v in key.items()))
                .with_for_update()
            ).first()
            try:
                seq = next_sequence(
                    row[0] if row else None, start=service.start, daily_limit=service.daily_limit
                )
            except DailyLimitReached:
                raise errors.Conflict(
                    f"Đã hết số tiếp nhận trong ngày của lĩnh vực {service.name}",
                    code="daily_limit_reached",
                ) from None
            if row is None:
                conn.execute(insert(service_days).values(**key, last_seq=seq, issued=1))
            else:
                conn.execute(
                    update(service_days)
                    .where(*(service_days.c[k] == v for k, v in key.items()))
                    .values(last_seq=seq, issued=service_days.c.issued + 1)
                )
            ticket_id = secrets.token_urlsafe(16)
            conn.execute(
                insert(tickets).values(
                    id=ticket_id,
                    site_id=site_id,
                    service_id=service.id,
                    origin_service_id=service.id,
                    day=day,
                    seq=seq,
                    number=format_number(seq, prefix=service.prefix, digits=service.digits),
                    priority=priority,
                    is_priority=priority is not None,
                    status=TicketStatus.WAITING.value,
                    issued_at=now,
                    device_id=actor.id if actor.kind == "device" else None,
                    channel=channel,
                    call_count=0,
                )
            )
            self._event(
                conn,
                ticket_id,
                "issued",
                actor,
                before=None,
                after="waiting",
                detail={"service": service.id, "priority": priority},
            )
            view = self._ticket_view(conn, self._load_ticket(conn, ticket_id))
            events = [self._queue_event(conn, {service.id})]
        self.sink.publish(events)
        return view

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
            return self._ticket_view(conn, self._load_ticket(conn, ticket_id))

    def cancel(self, ticket_id: str, *, actor: Actor) -> dict[str, Any]:
        """Cancel a waiting ticket (a kiosk whose print failed, or its holder)."""
        with write(self.engine) as conn:
            row = self._load_ticket(conn, ticket_id)
            self._transition(row.status, TicketStatus.CANCELLED, "cancel_not_waiting")
            conn.execute(
                update(tickets)
                .where(tickets.c.id == ticket_id, tickets.c.status == row.status)
                .values(status=TicketStatus.CANCELLED.value, completed_at=self.clock())
            )
            self._event(conn, ticket_id, "cancelled", actor, before=row.status, after="cancelled")
            view = self._ticket_view(conn, self._load_ticket(conn, ticket_id))
            events = [self._queue_event(conn, {row.service_id})]
        self.sink.publish(events)
        return view

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

    # ---------------------------------------------------------------- counters
    def _state(self, conn: Connection, counter_id: str) -> Any:
        query = select(counter_state).where(counter_state.c.counter_id == counter_id)
        row = conn.execute(query.with_for_update()).first()
        if row is None:
            conn.execute(
                insert(counter_state).values(
                    counter_id=counter_id,
                    status="closed",
                    paused=False,
                    regular_streak=0,
                    version=0,
                )
            )
            row = conn.execute(query).first()
        return row

    def _acting_state(self, conn: Connection, counter_id: str, actor: Actor) -> Any:
        """The counter's state, checking that ``actor`` opened it."""
        self._counter(counter_id)
        state = self._state(conn, counter_id)
        if state.status != "open":
            raise errors.Conflict("Quầy chưa được mở", code="counter_closed")
        if actor.kind == "device" and actor.counter_id == counter_id:
            return state  # a counter keypad acts for the user who opened the counter
        if actor.kind != "user" or state.user_id != actor.id:
            raise errors.Forbidden(
                "Chỉ cán bộ đã mở quầy mới thao tác được trên quầy này", code="not_your_counter"
            )
        return state

    def _set_state(self, conn: Connection, counter_id: str, **values: Any) -> None:
        conn.execute(
            update(counter_state)
            .where(counter_state.c.counter_id == counter_id)
            .values(version=counter_state.c.version + 1, **values)
        )

    def _finish_current(
        self, conn: Connection, state: Any, actor: Actor, wanted: TicketStatus
    ) -> tuple[Any, list[Event]]:
        """Move the counter's current ticket to done/no_show; returns it and events."""
        events: list[Event] = []
        if not state.current_ticket_id:
            return None, events
        row = self._load_ticket(conn, state.current_ticket_id)
        if row.status != TicketStatus.CALLED.value:
            return None, events
        now = self.clock()
        service_s = (now - row.called_at).total_seconds() if row.called_at else None
        conn.execute(
            update(tickets)
            .where(tickets.c.id == row.id, tickets.c.status == TicketStatus.CALLED.value)
            .values(
                status=wanted.value,
                completed_at=now,
                completed_day=site_day(now, self.config.site.timezone),
                service_s=service_s if wanted is TicketStatus.DONE else None,
            )
        )
        kind = "done" if wanted is TicketStatus.DONE else "no_show"
        self._event(
            conn,
            row.id,
            kind,
            actor,
            before=row.status,
            after=wanted.value,
            counter_id=state.counter_id,
        )
        updates: dict[str, Any] = {"current_ticket_id": None}
        if wanted is TicketStatus.DONE:
            until = now + timedelta(seconds=self.config.ratings.invite_s)
            updates["rating_until"] = until
            events.append(
                Event(
                    EV_RATING_OPEN,
                    {"counter": state.counter_id, "until": iso(until)},
                    NS_DEVICES,
                    counter_room(state.counter_id),
                )
            )
        self._set_state(conn, state.counter_id, **updates)
        return row, events

    def _call_event(self, conn: Connection, row: Any, counter_id: str, recall: bool) -> Event:
        now = self.clock()
        result = conn.execute(
            insert(calls).values(
                site_id=self.config.site.id,
                ticket_id=row.id,
                number=row.number,
                service_id=row.service_id,
                counter_id=counter_id,
                at=now,
                recall=recall,
                unseen_logged=False,
            )
        )
        seq = int(result.inserted_primary_key[0])
        return Event(
            EV_CALL,
            self.call_payload(seq, row.number, row.service_id, counter_id, now, recall),
            NS_DISPLAY,
        )

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

    def _counter_event(self, conn: Connection, counter_id: str) -> Event:
        return Event(
            EV_COUNTER, self._counter_view(conn, counter_id), NS_COUNTER, counter_room(counter_id)
        )

    def open(self, counter_id: str, *, actor: Actor) -> dict[str, Any]:
        """Bind ``actor`` to the counter until it is closed."""
        self._counter(counter_id)
        with write(self.engine) as conn:
            state = self._state(conn, counter_id)
            if state.status == "open" and state.user_id == actor.id:
                return self._counter_view(conn, counter_id)
            if state.status == "open":
                raise errors.Conflict("Quầy đang do cán bộ khác phụ trách", code="counter_taken")
            other = conn.execute(
                select(counter_state.c.counter_id).where(
                    counter_state.c.user_id == actor.id, counter_state.c.status == "open"
                )
            ).first()
            if other is not None:
                raise errors.Conflict(
                    f"Bạn đang mở quầy {other[0]}; hãy đóng quầy đó trước",
                    code="already_at_counter",
                )
            self._set_state(
                conn,
                counter_id,
                status="open",
                user_id=actor.id,
                opened_at=self.clock(),
                paused=False,
                current_ticket_id=None,
                regular_streak=0,
            )
            events = [self._counter_event(conn, counter_id)]
            view = self._counter_view(conn, counter_id)
        self.sink.publish(events)
        return view

    def close(self, counter_id: str, *, actor: Actor) -> dict[str, Any]:
        """Close a counter; a ticket still being served there is completed."""
        self._counter(counter_id)
        with write(self.engine) as conn:
            state = self._state(conn, counter_id)
            if state.status != "open":
                raise errors.Conflict("Quầy chưa được mở", code="counter_closed")
            if actor.role != "admin" and state.user_id != actor.id:
                raise errors.Forbidden(
                    "Chỉ cán bộ đã mở quầy hoặc quản trị viên mới đóng được quầy",
                    code="not_your_counter",
                )
            _, events = self._finish_current(conn, state, actor, TicketStatus.DONE)
            self._set_state(
                conn,
                counter_id,
                status="closed",
                user_id=None,
                opened_at=None,
                paused=False,
                current_ticket_id=None,
            )
            events.append(self._counter_event(conn, counter_id))
            view = self._counter_view(conn, counter_id)
        self.sink.publish(events)
        return view

    def call_next(self, counter_id: str, *, actor: Actor) -> dict[str, Any] | None:
        """Complete the current ticket, then call the next one (``None``: nobody waits)."""
        counter = self._counter(counter_id)
        with write(self.engine) as conn:
            state = self._acting_state(conn, counter_id, actor)
            if state.paused:
                raise errors.Conflict("Quầy đang tạm dừng", code="counter_paused")
            done, events = self._finish_current(conn, state, actor, TicketStatus.DONE)
            touched = {done.service_id} if done is not None else set()
            candidates = [
                Candidate(r.issued_at, r.id, r.is_priority)
                for flag in (True, False)
                if (
                    r := queries.first_waiting(
                        conn, counter.services, is_priority=flag, lock=self._lock
                    )
                )
            ]
            pick = pick_next(
                candidates,
                policy=self.config.queue.priority,
                priority_every=self.config.queue.priority_every,
                regular_streak=state.regular_streak,
            )
            if pick is None:
                events.append(self._counter_event(conn, counter_id))
                result = None
            else:
                row = self._load_ticket(conn, pick.ticket.id)
                changed = conn.execute(
                    update(tickets)
                    .where(tickets.c.id == row.id, tickets.c.status == TicketStatus.WAITING.value)
                    .values(
                        status=TicketStatus.CALLED.value,
                        called_at=self.clock(),
                        wait_s=(self.clock() - row.issued_at).total_seconds(),
                        counter_id=counter_id,
                        staff_id=state.user_id,
                        call_count=tickets.c.call_count + 1,
                        completed_at=None,
                    )
                ).rowcount
                if changed != 1:  # cannot happen under the locks; refuse rather than double-call
                    raise errors.Conflict("Phiếu vừa được quầy khác gọi", code="race_lost")
                self._event(
                    conn,
                    row.id,
                    "called",
                    actor,
                    before="waiting",
                    after="called",
                    counter_id=counter_id,
                )
                self._set_state(
                    conn, counter_id, current_ticket_id=row.id, regular_streak=pick.regular_streak
                )
                touched.add(row.service_id)
                row = self._load_ticket(conn, row.id)
                events.append(self._call_event(conn, row, counter_id, recall=False))
                events.append(self._counter_event(conn, counter_id))
                result = self._ticket_view(conn, row)
            events.append(self._queue_event(conn, touched | set(counter.services)))
        self.sink.publish(events)
        return result

    def _current(self, conn: Connection, state: Any) -> Any:
        if not state.current_ticket_id:
            raise errors.Conflict("Quầy chưa gọi phiếu nào", code="no_current_ticket")
        row = self._load_ticket(conn, state.current_ticket_id)
        if row.status != TicketStatus.CALLED.value:
            raise errors.Conflict("Quầy chưa gọi phiếu nào", code="no_current_ticket")
        return row

    def recall(self, counter_id: str, *, actor: Actor) -> dict[str, Any]:
        """Call the current ticket again (screens announce it once more)."""
        with write(self.engine) as conn:
            state = self._acting_state(conn, counter_id, actor)
            row = self._current(conn, state)
            conn.execute(
                update(tickets)
                .where(tickets.c.id == row.id)
                .values(call_count=tickets.c.call_count + 1)
            )
            self._event(
                conn,
                row.id,
                "recalled",
                actor,
                before="called",
                after="called",
                counter_id=counter_id,
            )
            events = [self._call_event(conn, row, counter_id, recall=True)]
            view = self._ticket_view(conn, self._load_ticket(conn, row.id))
        self.sink.publish(events)
        return view

    def finish(self, counter_id: str, wanted: TicketStatus, *, actor: Actor) -> dict[str, Any]:
        """Complete (``done``) or mark ``no_show`` the counter's current ticket."""
        with write(self.engine) as conn:
            state = self._acting_state(conn, counter_id, actor)
            row = self._current(conn, state)
            _, events = self._finish_current(conn, state, actor, wanted)
            events.append(self._counter_event(conn, counter_id))
            view = self._ticket_view(conn, self._load_ticket(conn, row.id))
        self.sink.publish(events)
        return view

    def transfer(self, counter_id: str, service_id: str, *, actor: Actor) -> dict[str, Any]:
        """Send the current ticket to another field, keeping number and issue time."""
        target = self._service(service_id)
        with write(self.engine) as conn:
            state = self._acting_state(conn, counter_id, actor)
            row = self._current(conn, state)
            if row.service_id == target.id:
                raise errors.Conflict("Phiếu đã thuộc lĩnh vực này", code="same_service")
            self._transition(row.status, TicketStatus.WAITING, "cannot_transfer")
            conn.execute(
                update(tickets)
                .where(tickets.c.id == row.id, tickets.c.status == TicketStatus.CALLED.value)
                .values(
                    status=TicketStatus.WAITING.value,
                    service_id=target.id,
                    counter_id=None,
                    staff_id=None,
                    called_at=None,
                )
            )
            self._event(
                conn,
                row.id,
                "transferred",
                actor,
                before="called",
                after="waiting",
                counter_id=counter_id,
                detail={"from": row.service_id, "to": target.id},
            )
            self._set_state(conn, counter_id, current_ticket_id=None)
            events = [
                self._queue_event(conn, {row.service_id, target.id}),
                self._counter_event(conn, counter_id),
            ]
            view = self._ticket_view(conn, self._load_ticket(conn, row.id))
        self.sink.publish(events)
        return view

    def set_paused(self, counter_id: str, paused: bool, *, actor: Actor) -> dict[str, Any]:
        """Pause or resume: a paused counter calls nobody and is out of the estimates."""
        with write(self.engine) as conn:
            self._acting_state(conn, counter_id, actor)
            self._set_state(conn, counter_id, paused=paused)
            events = [self._counter_event(conn, counter_id)]
            view = self._counter_view(conn, counter_id)
        self.sink.publish(events)
        return view

    # ------------------------------------------------------------------- views
    def _counter_view(self, conn: Connection, counter_id: str) -> dict[str, Any]:
        views = self._counter_views(conn, [counter_id])
        return views[0]

    def _counter_views(
        self, conn: Connection, ids: list[str] | None = None
    ) -> list[dict[str, Any]]:
        from hub.store.tables import users

        wanted = [c for c in self.config.counters if ids is None or c.id in ids]
        states = {
            r.counter_id: r
            for r in conn.execute(
                select(counter_state, users.c.username, users.c.display_name)
                .select_from(counter_state.outerjoin(users, users.c.id == counter_state.c.user_id))
                .where(counter_state.c.counter_id.in_([c.id for c in wanted]))
            )
        }
        current_ids = [s.current_ticket_id for s in states.values() if s.current_ticket_id]
        current = (
            {
                r.id: r
                for r in conn.execute(
                    select(
                        tickets.c.id, tickets.c.number, tickets.c.service_id, tickets.c.called_at
                    ).where(tickets.c.id.in_(current_ids))
                )
            }
            if current_ids
            else {}
        )
        out = []
        for counter in wanted:
            state = states.get(counter.id)
            view: dict[str, Any] = {
                "id": counter.id,
                "name": counter.name,
                "services": list(counter.services),
                "status": state.status if state else "closed",
                "paused": bool(state.paused) if state else False,
            }
            if state is not None and state.status == "open" and state.username:
                view["staff"] = state.display_name or state.username
            cur = (
                current.get(state.current_ticket_id) if state and state.current_ticket_id else None
            )
            if cur is not None:
                view["current"] = {
                    "number": cur.number,
                    "service": cur.service_id,
                    "called_at": iso(cur.called_at),
                }
            out.append(view)
        return out

    def counters(self) -> list[dict[str, Any]]:
        """``GET /counters``."""
        with read(self.engine) as conn:
            return self._counter_views(conn)

    def services(self) -> list[dict[str, Any]]:
        """``GET /services``: each field with its waiting count and estimated wait."""
        with read(self.engine) as conn:
            counts = queries.waiting_counts(conn, [s.id for s in self.config.services])
            return [
                {
                    "id": s.id,
                    "name": s.name,
                    "waiting": counts[s.id],
                    "estimated_wait_s": self._estimate(conn, s.id, counts[s.id]),
                }
                for s in self.config.services
            ]

    def calls_after(self, seq: int, *, limit: int = 200) -> list[dict[str, Any]]:
        """Calls with a ``seq`` greater than ``seq``, oldest first (screen catch-up)."""
        with read(self.engine) as conn:
            rows = conn.execute(
                select(calls).where(calls.c.seq > seq).order_by(calls.c.seq).limit(limit)
            )
            return [
                self.call_payload(r.seq, r.number, r.service_id, r.counter_id, r.at, r.recall)
                for r in rows
            ]

    def snapshot(self, *, recent: int = 10) -> dict[str, Any]:
        """The ``/display`` snapshot sent to a screen on (re)connect."""
        with read(self.engine) as conn:
            counters = [
                {k: v for k, v in c.items() if k in ("id", "name", "current")}
                for c in self._counter_views(conn)
            ]
            rows = list(conn.execute(select(calls).order_by(calls.c.seq.desc()).limit(recent)))
            waiting = queries.waiting_counts(conn, [s.id for s in self.config.services])
        recent_calls = [
            self.call_payload(r.seq, r.number, r.service_id, r.counter_id, r.at, r.recall)
            for r in reversed(rows)
        ]
        return {
            "site": {"id": self.config.site.id, "name": self.config.site.name},
            "counters": counters,
            "recent": recent_calls,
            "waiting": waiting,
            "last_seq": recent_calls[-1]["seq"] if recent_calls else 0,
        }


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, or ``None``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
