"""The queue as the hub runs it: tickets and counters, one transaction per action.

Every method decides inside one database write transaction (numbers and
calls are never decided in process memory), appends the ticket's event row,
commits, and only then publishes Socket.IO events.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hub import errors
from hub.events import (
    EV_CALL,
    EV_COUNTER,
    EV_RATING_OPEN,
    NS_COUNTER,
    NS_DEVICES,
    NS_DISPLAY,
    Event,
    counter_room,
)
from hub.queue import (
    Candidate,
    TicketStatus,
    pick_next,
    site_day,
)
from hub.queue_base import Actor, iso
from hub.queue_views import QueueViews
from hub.store import queries
from hub.store.db import write
from hub.store.tables import calls, counter_state, tickets

logger = logging.getLogger(__name__)


class CounterOps(QueueViews):
    """Counter actions: open, close, call next, recall, finish, transfer, pause."""

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
        self._estimates.clear()  # open, paused and closed counters change the estimates
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
            today = site_day(self.clock(), self.config.site.timezone)
            candidates = [
                Candidate(r.issued_at, r.id, r.is_priority)
                for flag in (True, False)
                if (
                    r := queries.first_waiting(
                        conn, counter.services, is_priority=flag, lock=self._lock, day=today
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
