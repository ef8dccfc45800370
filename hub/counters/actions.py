"""Counter actions: open, close, call next, recall, complete, no-show, transfer, pause.

Every action decides inside one database write transaction (call-next picks
its ticket under row locks, never in process memory), appends the ticket's
event row and the audit row in that same transaction, commits, and only then
publishes Socket.IO events. The statements are built once in
:mod:`hub.store.statements`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from config.schema import Config
from config.wire import (
    EV_CALL,
    EV_COUNTER,
    EV_COUNTER_STATUS,
    EV_RATING_OPEN,
    NS_COUNTER,
    NS_DEVICES,
    NS_DISPLAY,
    ErrorCode,
    Role,
)
from hub import errors
from hub.accounts import Actor
from hub.clock import Clock, iso
from hub.counters.order import first_waiting
from hub.counters.state import acting_state, audit_action, set_state, state_row
from hub.counters.views import CounterViews
from hub.dossiers import attach_dossiers, clean_codes
from hub.events import Event, EventSink, counter_room
from hub.queue import TicketStatus, pick_next, site_day
from hub.store import statements as st
from hub.store.db import write
from hub.tickets.estimates import Estimates
from hub.tickets.records import (
    call_payload,
    check_change,
    counter_of,
    record_event,
    service_of,
    waiting_event,
)
from hub.tickets.views import ticket_view

logger = logging.getLogger(__name__)
Codes = Sequence[str]

CALLED = TicketStatus.CALLED.value
WAITING = TicketStatus.WAITING.value


class CounterService:
    """Counter actions of one site, each one transaction.

    Args:
        engine: the hub's database.
        config: the configuration in force.
        sink: where committed events go.
        clock: UTC now.
        estimates: the shared wait estimates (open and paused counters change them).
        views: the counters' read-only views.
    """

    def __init__(
        self,
        engine: Engine,
        config: Config,
        sink: EventSink,
        clock: Clock,
        estimates: Estimates,
        views: CounterViews,
    ) -> None:
        self.engine = engine
        self.config = config
        self.sink = sink
        self.clock = clock
        self.estimates = estimates
        self.views = views
        self._lock = engine.dialect.name == "postgresql"

    def reconfigure(self, config: Config) -> None:
        self.config = config

    # ------------------------------------------------------------ state rows
    def _state(self, conn: Connection, counter_id: str) -> Any:
        return state_row(conn, counter_id, lock=self._lock)

    def _acting_state(self, conn: Connection, counter_id: str, actor: Actor) -> Any:
        counter_of(self.config, counter_id)
        return acting_state(conn, counter_id, actor, lock=self._lock)

    def _set_state(self, conn: Connection, counter_id: str, **values: Any) -> None:
        self.estimates.clear()  # open, paused and closed counters change the estimates
        set_state(conn, counter_id, **values)

    def _audit(
        self,
        conn: Connection,
        action: str,
        actor: Actor,
        state: Any,
        after: Any = None,
        current: str | None = None,
    ) -> None:
        audit_action(conn, self.clock(), action, actor, state, after, current)

    # --------------------------------------------------------------- tickets
    def _finish_current(
        self, conn: Connection, state: Any, actor: Actor, wanted: TicketStatus, dossiers: Codes = ()
    ) -> tuple[Any, list[Event]]:
        """Move the counter's current ticket to done/no_show (a done one with its checked
        ``dossiers``); returns it and events."""
        events: list[Event] = []
        if not state.current_ticket_id:
            return None, events
        row = conn.execute(st.TICKET, {"tid": state.current_ticket_id}).first()
        if row is None or row.status != CALLED:
            return None, events
        now = self.clock()
        done = wanted is TicketStatus.DONE
        # Never negative, even when the clock was stepped back while it was served.
        service_s = _elapsed_s(row.called_at, now) if row.called_at and done else None
        conn.execute(
            st.TICKET_FINISH,
            {"tid": row.id, "status": wanted.value, "completed_at": now,
             "completed_day": site_day(now, self.config.site.timezone), "service_s": service_s},
        )  # fmt: skip
        events.append(record_event(
            conn, row.id, "done" if done else "no_show", actor, at=now, before=CALLED,
            after=wanted.value, counter_id=state.counter_id,
        ))  # fmt: skip
        updates: dict[str, Any] = {"current_ticket_id": None}
        if done:
            attach_dossiers(conn, row.id, dossiers, now)
            until = now + timedelta(seconds=self.config.ratings.invite_s)
            updates["rating_until"] = until
            room = counter_room(state.counter_id)
            payload = {"counter": state.counter_id, "until": iso(until)}
            events.append(Event(EV_RATING_OPEN, payload, NS_DEVICES, room))
        self._set_state(conn, state.counter_id, **updates)
        return row, events

    def _call_event(self, conn: Connection, row: Any, counter_id: str, recall: bool) -> Event:
        now = self.clock()
        result = conn.execute(
            st.CALL_INSERT,
            {"site_id": self.config.site.id, "ticket_id": row.id, "number": row.number,
             "service_id": row.service_id, "counter_id": counter_id, "at": now,
             "recall": recall, "unseen_logged": False},
        )  # fmt: skip
        seq = int(result.inserted_primary_key[0])
        payload = call_payload(
            self.config, seq=seq, number=row.number, service_id=row.service_id,
            counter_id=counter_id, at=now, recall=recall,
        )  # fmt: skip
        return Event(EV_CALL, payload, NS_DISPLAY)

    def _counter_event(self, conn: Connection, counter_id: str) -> Event:
        view = self.views.counter_view(conn, counter_id)
        return Event(EV_COUNTER, view, NS_COUNTER, counter_room(counter_id))

    @staticmethod
    def _screen_event(counter_event: Event) -> Event:
        """The public ``counter`` event of ``/display``: a counter's name and current
        number, sent when it changes other than by a call (done, no-show, transfer,
        open, close) so screens stop showing a number nobody serves."""
        view = counter_event.payload
        public = {k: view[k] for k in ("id", "name") if k in view}
        if "current" in view:
            public["current"] = {k: view["current"][k] for k in ("number", "service")}
        return Event(EV_COUNTER, public, NS_DISPLAY)

    @staticmethod
    def _status_event(counter_event: Event) -> Event:
        """The public ``counter_status`` event of ``/display``, sent on open, close, pause
        and resume: whether the counter is open and paused, so a hall screen marks a
        closed or paused counter (``counter`` keeps its v1 shape)."""
        view = counter_event.payload
        status = {k: view[k] for k in ("id", "name", "status", "paused") if k in view}
        return Event(EV_COUNTER_STATUS, status, NS_DISPLAY)

    def _current(self, conn: Connection, state: Any) -> Any:
        row = None
        if state.current_ticket_id:
            row = conn.execute(st.TICKET, {"tid": state.current_ticket_id}).first()
        if row is None or row.status != CALLED:
            raise errors.Conflict("Quầy chưa gọi phiếu nào", code=ErrorCode.NO_CURRENT_TICKET)
        return row

    def _called_view(self, row: Any, counter_id: str, called_at: Any) -> dict[str, Any]:
        service = self.config.service(row.service_id)
        counter = self.config.counter(counter_id)
        return {
            "number": row.number,
            "service": {"id": row.service_id, "name": service.name if service else row.service_id},
            "status": CALLED,
            "priority": row.priority,
            "issued_at": iso(row.issued_at),
            "waiting_ahead": 0,
            "estimated_wait_s": 0,
            "counter": {"id": counter_id, "name": counter.name if counter else counter_id},
            "called_at": iso(called_at),
        }

    def _counter_ticket_view(self, conn: Connection, ticket_id: str) -> dict[str, Any]:
        """A ticket as counter actions answer it: never its id, which is the holder's
        right to rate (staff must not be able to rate their own service)."""
        view = ticket_view(
            conn, conn.execute(st.TICKET, {"tid": ticket_id}).first(), self.config, self.estimates
        )
        view.pop("id", None)
        return view

    # --------------------------------------------------------------- actions
    def open(self, counter_id: str, *, actor: Actor) -> dict[str, Any]:
        """Bind ``actor`` to the counter until it is closed (one counter per user)."""
        counter_of(self.config, counter_id)
        with write(self.engine) as conn:
            state = self._state(conn, counter_id)
            if state.status == "open" and state.user_id == actor.id:
                return self.views.counter_view(conn, counter_id)
            if state.status == "open":
                raise errors.Conflict("Quầy đang do cán bộ khác phụ trách", code="counter_taken")
            other = conn.execute(st.STATE_OF_USER, {"uid": actor.id}).first()
            if other is not None:
                raise errors.Conflict(
                    f"Anh/chị đang mở quầy {other[0]}; hãy đóng quầy đó trước",
                    code="already_at_counter",
                )
            self._set_state(
                conn, counter_id, status="open", user_id=actor.id, opened_at=self.clock(),
                paused=False, current_ticket_id=None, regular_streak=0,
            )  # fmt: skip
            self._audit(conn, "counter_open", actor, state, {"status": "open"})
            events = [self._counter_event(conn, counter_id)]
            view = events[0].payload
            events += [self._screen_event(events[0]), self._status_event(events[0])]
        self.sink.publish(events)
        return view

    def close(self, counter_id: str, *, actor: Actor) -> dict[str, Any]:
        """Close a counter; a ticket still being served there is completed."""
        counter_of(self.config, counter_id)
        with write(self.engine) as conn:
            state = self._state(conn, counter_id)
            if state.status != "open":
                raise errors.Conflict("Quầy chưa được mở", code=ErrorCode.COUNTER_CLOSED)
            if actor.role != Role.ADMIN and state.user_id != actor.id:
                raise errors.Forbidden(
                    "Chỉ cán bộ đã mở quầy hoặc quản trị viên mới đóng được quầy",
                    code=ErrorCode.NOT_YOUR_COUNTER,
                )
            served, events = self._finish_current(conn, state, actor, TicketStatus.DONE)
            self._set_state(
                conn, counter_id, status="closed", user_id=None, opened_at=None, paused=False,
                current_ticket_id=None,
            )  # fmt: skip
            self._audit(
                conn, "counter_close", actor, state, {"status": "closed"},
                served.number if served is not None else None,
            )  # fmt: skip
            events.append(self._counter_event(conn, counter_id))
            view = events[-1].payload
            events += [self._screen_event(events[-1]), self._status_event(events[-1])]
        self.sink.publish(events)
        return view

    def call_next(
        self, counter_id: str, *, actor: Actor, dossiers: Codes = ()
    ) -> dict[str, Any] | None:
        """Complete the current ticket (with its ``dossiers``), then call the next one
        (``None``: nobody waits)."""
        counter = counter_of(self.config, counter_id)
        codes = clean_codes(dossiers, self.config.dossiers)
        with write(self.engine) as conn:
            state = self._acting_state(conn, counter_id, actor)
            if state.paused:
                raise errors.Conflict("Quầy đang tạm dừng", code=ErrorCode.COUNTER_PAUSED)
            done, events = self._finish_current(conn, state, actor, TicketStatus.DONE, codes)
            served = done.number if done is not None else None
            now = self.clock()
            today = site_day(now, self.config.site.timezone)
            candidates = first_waiting(conn, list(counter.services), today, lock=self._lock)
            pick = pick_next(
                candidates,
                policy=self.config.queue.priority,
                priority_every=self.config.queue.priority_every,
                regular_streak=state.regular_streak,
            )
            result: dict[str, Any] | None = None
            if pick is None:
                self._audit(conn, "call_next", actor, state, {"number": None}, served)
            else:
                row = conn.execute(st.TICKET, {"tid": pick.ticket.id}).first()
                changed = conn.execute(
                    st.TICKET_CALL,
                    {"tid": row.id, "status": CALLED, "called_at": now,
                     "wait_s": _elapsed_s(row.issued_at, now), "counter_id": counter_id,
                     "staff_id": state.user_id, "completed_at": None},
                ).rowcount  # fmt: skip
                if changed != 1:  # cannot happen under the locks; refuse rather than double-call
                    raise errors.Conflict("Phiếu vừa được quầy khác gọi", code="race_lost")
                events.append(record_event(
                    conn, row.id, "called", actor, at=now, before=WAITING, after=CALLED,
                    counter_id=counter_id,
                ))  # fmt: skip
                self._set_state(
                    conn, counter_id, current_ticket_id=row.id, regular_streak=pick.regular_streak
                )
                self._audit(conn, "call_next", actor, state, {"number": row.number}, served)
                events.append(self._call_event(conn, row, counter_id, recall=False))
                result = self._called_view(row, counter_id, now)
            events.append(self._counter_event(conn, counter_id))
            touched = set(counter.services) | ({done.service_id} if done is not None else set())
            events.append(waiting_event(conn, touched))
        self.sink.publish(events)
        return result

    def recall(self, counter_id: str, *, actor: Actor) -> dict[str, Any]:
        """Call the current ticket again (screens announce it once more)."""
        with write(self.engine) as conn:
            state = self._acting_state(conn, counter_id, actor)
            row = self._current(conn, state)
            conn.execute(st.TICKET_RECALL, {"tid": row.id})
            recalled = record_event(
                conn, row.id, "recalled", actor, at=self.clock(), before=CALLED, after=CALLED,
                counter_id=counter_id,
            )  # fmt: skip
            self._audit(conn, "recall", actor, state, {"number": row.number}, row.number)
            events = [self._call_event(conn, row, counter_id, recall=True), recalled]
            view = self._called_view(row, counter_id, row.called_at)
        self.sink.publish(events)
        return view

    def finish(
        self, counter_id: str, wanted: TicketStatus, *, actor: Actor, dossiers: Codes = ()
    ) -> dict[str, Any]:
        """Complete (``done``, with its ``dossiers``: a bad one is 400 ``invalid_dossier``,
        nothing changed) or mark ``no_show`` the counter's current ticket."""
        codes = clean_codes(dossiers, self.config.dossiers) if wanted is TicketStatus.DONE else []
        with write(self.engine) as conn:
            state = self._acting_state(conn, counter_id, actor)
            row = self._current(conn, state)
            _, events = self._finish_current(conn, state, actor, wanted, codes)
            action = "complete" if wanted is TicketStatus.DONE else "no_show"
            after = {"number": row.number, **({"dossiers": len(codes)} if codes else {})}
            self._audit(conn, action, actor, state, after, row.number)
            events.append(self._counter_event(conn, counter_id))
            events.append(self._screen_event(events[-1]))
            view = self._counter_ticket_view(conn, row.id)
        self.sink.publish(events)
        return view

    def transfer(self, counter_id: str, service_id: str, *, actor: Actor) -> dict[str, Any]:
        """Send the current ticket to another field, keeping number and issue time."""
        target = service_of(self.config, service_id)
        with write(self.engine) as conn:
            state = self._acting_state(conn, counter_id, actor)
            row = self._current(conn, state)
            if row.service_id == target.id:
                raise errors.Conflict("Phiếu đã thuộc lĩnh vực này", code="same_service")
            check_change(row.status, TicketStatus.WAITING, "cannot_transfer")
            conn.execute(
                st.TICKET_FINISH,
                {"tid": row.id, "status": WAITING, "service_id": target.id, "counter_id": None,
                 "staff_id": None, "called_at": None},
            )  # fmt: skip
            transferred = record_event(
                conn, row.id, "transferred", actor, at=self.clock(), before=CALLED, after=WAITING,
                counter_id=counter_id, detail={"from": row.service_id, "to": target.id},
            )  # fmt: skip
            self._set_state(conn, counter_id, current_ticket_id=None)
            self._audit(conn, "transfer", actor, state,
                        {"number": row.number, "service": target.id}, row.number)  # fmt: skip
            counter_event = self._counter_event(conn, counter_id)
            events = [
                waiting_event(conn, {row.service_id, target.id}),
                counter_event,
                self._screen_event(counter_event),
                transferred,
            ]
            view = self._counter_ticket_view(conn, row.id)
        self.sink.publish(events)
        return view

    def set_paused(self, counter_id: str, paused: bool, *, actor: Actor) -> dict[str, Any]:
        """Pause or resume: a paused counter calls nobody and is out of the estimates."""
        with write(self.engine) as conn:
            state = self._acting_state(conn, counter_id, actor)
            self._set_state(conn, counter_id, paused=paused)
            self._audit(conn, "pause" if paused else "resume", actor, state, {"paused": paused})
            events = [self._counter_event(conn, counter_id)]
            view = events[0].payload
            events.append(self._status_event(events[0]))
        self.sink.publish(events)
        return view


def _elapsed_s(since: Any, now: Any) -> float:
    """Seconds from ``since`` to ``now``; 0 when the clock was stepped back between."""
    return max(0.0, (now - since).total_seconds())
