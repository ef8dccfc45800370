"""Ratings: linking a press to the ticket it is about, once, idempotently.

Every press from a pad is kept in ``rating_presses`` with its outcome, so a
refused press (no ticket, already rated, a bad level or time) is still on
record. An accepted rating goes to ``ratings`` (one per ticket, enforced by a
unique index) and to the daily and monthly rollups in the same transaction.
Misuse rules (:mod:`hub.satisfaction.misuse`) mark suspicious ratings in that same
transaction, moving them to the rollups' ``flagged`` side.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from config.schema import Config
from config.wire import EV_RATING_CLOSE, NS_DEVICES
from hub import errors
from hub.accounts import Actor, Silence, note_contact
from hub.clock import Clock
from hub.events import Event, EventSink, counter_room, ticket_event
from hub.queue import TicketStatus, site_day
from hub.ratings import flags as fl
from hub.satisfaction.linking import last_completed
from hub.satisfaction.listeners import RatingListener
from hub.satisfaction.misuse import check_share, flag_burst, flag_rules, is_burst
from hub.satisfaction.rollups import rollup_add
from hub.store.db import read, write
from hub.store.tables import (
    counter_state,
    rating_presses,
    ratings,
    tickets,
)

logger = logging.getLogger(__name__)

MAX_FUTURE_S = 300
# Pads measure the offset from the HTTP ``Date`` header (whole seconds), so an
# offset this small is measurement noise, not a wrong clock: it is not applied.
CLOCK_RESOLUTION_S = 2.0
CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"
# Refusals that mean the press itself was malformed (400 on the single endpoint);
# the others are state conflicts (409).
INPUT_CODES = ("unknown_level", "unknown_reason", "invalid_time")


@dataclass(frozen=True)
class RatingInput:
    """One rating as a client sends it.

    ``clock_offset_s`` is the hub's clock minus the pad's, measured by the pad
    at its last successful request; the hub adds it to ``at``.
    """

    key: str
    level: str
    at: datetime | None = None
    reasons: tuple[str, ...] = ()
    clock_offset_s: float | None = None


@dataclass(frozen=True)
class RatingOutcome:
    """What became of one rating: created, duplicate (same key) or rejected."""

    status: str
    id: int | None = None
    ticket_id: str | None = None
    code: str | None = None
    message: str | None = None

    def answer(self) -> dict[str, Any]:
        return {"id": self.id, "ticket_id": self.ticket_id}

    def result(self, key: str) -> dict[str, Any]:
        """The item of a ``/ratings/batch`` answer."""
        out: dict[str, Any] = {"key": key, "status": self.status}
        if self.code:
            out["code"] = self.code
        if self.id is not None:
            out["id"] = self.id
            out["ticket_id"] = self.ticket_id
        return out


class RatingService:
    """Stores ratings from pads and from ticket holders."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        sink: EventSink,
        clock: Clock,
        listeners: Sequence[RatingListener] = (),
        on_commit: Callable[[], None] = lambda: None,
    ):
        self.engine = engine
        self.config = config
        self.sink = sink
        self.clock = clock
        self.listeners = tuple(listeners)
        self.on_commit = on_commit
        """Called after each commit that stored a rating (wakes the outbox sender)."""

    def reconfigure(self, config: Config) -> None:
        self.config = config

    def _rules(self) -> fl.FlagRules:
        return flag_rules(self.config.alerts)

    def _refusal(self, level: str, reasons: tuple[str, ...]) -> str | None:
        if self.config.level(level) is None:
            return "unknown_level"
        known_reasons = {r.id for r in self.config.ratings.reasons}
        if any(r not in known_reasons for r in reasons):
            return "unknown_reason"
        return None

    def _check(self, level: str, reasons: tuple[str, ...]) -> Any:
        code = self._refusal(level, reasons)
        if code is not None:
            raise errors.BadRequest(_reject_message(code, self.config), code=code)
        return self.config.level(level)

    # ------------------------------------------------------------ pad presses
    def rate_from_pad(self, actor: Actor, item: RatingInput) -> RatingOutcome:
        """Link a pad's press to the ticket last completed at its counter.

        The press is kept whatever its fate. A malformed one (unknown level or
        reason, a time in the future) is kept as refused and then raised.

        Raises:
            BadRequest: unknown level or reason, a time in the future.
            Forbidden: a pad with no counter.
        """
        outcome = self.rate_batch(actor, [item])[0]
        if outcome.status == REJECTED and outcome.code in INPUT_CODES:
            raise errors.BadRequest(outcome.message, code=outcome.code)
        return outcome

    def rate_batch(self, actor: Actor, items: Sequence[RatingInput]) -> list[RatingOutcome]:
        """Several presses of one pad in one transaction, each idempotent by key (the
        pad's own: the same key from another pad is another press)."""
        if not actor.counter_id:
            raise errors.Forbidden("Thiết bị đánh giá chưa gắn với quầy", code="no_counter")
        for attempt in range(3):
            try:
                return self._rate_batch(actor, items)
            except IntegrityError:
                # A concurrent writer took a key or a ticket first (PostgreSQL);
                # run again so those presses are answered "duplicate"/"already_rated".
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")  # pragma: no cover

    def _rate_batch(self, actor: Actor, items: Sequence[RatingInput]) -> list[RatingOutcome]:
        events: list[Event] = []
        outcomes: list[RatingOutcome] = []
        rules = self._rules()
        with write(self.engine) as conn:
            silence = note_contact(conn, actor.id, self.clock())
            for item in items:
                outcomes.append(self._rate_one(conn, actor, item, rules, events, silence))
        self.sink.publish(events)
        self.on_commit()
        return outcomes

    def _rate_one(
        self,
        conn: Connection,
        actor: Actor,
        item: RatingInput,
        rules: fl.FlagRules,
        events: list[Event],
        silence: Silence | None,
    ) -> RatingOutcome:
        """One press; ``silence`` is the pad's latest stretch unheard (a press placed
        long before it arrives must fall in it, else it is flagged ``clock``)."""
        seen = conn.execute(
            select(rating_presses).where(
                rating_presses.c.device_id == actor.id, rating_presses.c.key == item.key
            )
        ).first()
        if seen is not None:
            if seen.outcome == CREATED:
                return RatingOutcome(DUPLICATE, seen.rating_id, seen.ticket_id)
            return RatingOutcome(
                REJECTED, code=seen.code, message=_reject_message(seen.code, self.config)
            )
        now = self.clock()
        at = item.at or now
        offset = item.clock_offset_s
        if item.at is not None and offset is not None and abs(offset) >= CLOCK_RESOLUTION_S:
            # The pad's wall clock plus the offset it measured is the hub's time.
            at = item.at + timedelta(seconds=offset)
        code = self._refusal(item.level, item.reasons)
        if code is None and at > now + timedelta(seconds=MAX_FUTURE_S):
            code = "invalid_time"
        ticket = None
        rating_id: int | None = None
        window = timedelta(seconds=self.config.ratings.window_s)
        if code is None:
            ticket = last_completed(conn, actor.counter_id or "", at, window)
            if ticket is None:
                code = "no_ticket"
            elif conn.execute(select(ratings.c.id).where(ratings.c.ticket_id == ticket.id)).first():
                code = "already_rated"
        burst = is_burst(conn, actor.counter_id or "", at, rules)
        if code is None and ticket is not None:
            found = [fl.BURST] if burst else []
            if fl.clock_off(item.clock_offset_s, rules) or fl.backdated(
                at, now, window.total_seconds(), silence
            ):
                found.append(fl.CLOCK)
            rating_id = self._store(
                conn,
                ticket=ticket,
                level=self.config.level(item.level),
                at=at,
                reasons=item.reasons,
                key=item.key,
                channel="pad",
                device_id=actor.id,
                flags=found,
            )
            events.append(_rated(ticket.id))
            events.extend(self._close_window(conn, actor.counter_id or ""))
        if burst:
            counter = actor.counter_id or ""
            flag_burst(conn, counter, at, rules, self.config, self.listeners)
        conn.execute(
            insert(rating_presses).values(
                key=item.key,
                site_id=self.config.site.id,
                device_id=actor.id,
                counter_id=actor.counter_id,
                level=item.level[:64],
                reasons=list(item.reasons) or None,
                at=at,
                received_at=now,
                channel="pad",
                outcome=CREATED if code is None else REJECTED,
                code=code,
                rating_id=rating_id,
                ticket_id=ticket.id if ticket is not None else None,
                clock_offset_s=item.clock_offset_s,
            )
        )
        if code is not None:
            return RatingOutcome(REJECTED, code=code, message=_reject_message(code, self.config))
        return RatingOutcome(CREATED, rating_id, ticket.id if ticket is not None else None)

    # ------------------------------------------------------------------ store
    def _store(
        self,
        conn: Connection,
        *,
        ticket: Any,
        level: Any,
        at: datetime,
        reasons: tuple[str, ...],
        key: str | None,
        channel: str,
        device_id: int | None,
        flags: list[str] | None = None,
    ) -> int:
        site_id = self.config.site.id
        day = site_day(at, self.config.site.timezone)
        found = fl.merge_flags(None, flags or [])
        values = {
            "key": key,
            "site_id": site_id,
            "ticket_id": ticket.id,
            "counter_id": ticket.counter_id,
            "staff_id": ticket.staff_id,
            "service_id": ticket.service_id,
            "level": level.id,
            "score": level.score,
            "positive": level.positive,
            "reasons": list(reasons) or None,
            "at": at,
            "day": day,
            "received_at": self.clock(),
            "channel": channel,
            "device_id": device_id,
            "flags": found or None,
            "flagged": bool(found),
        }
        result = conn.execute(insert(ratings).values(**values))
        rating_id = int(result.inserted_primary_key[0])
        rollup_add(
            conn,
            site_id=site_id,
            day=day,
            counter_id=ticket.counter_id,
            staff_id=ticket.staff_id,
            service_id=ticket.service_id,
            level=level.id,
            score=level.score,
            flagged=bool(found),
        )
        row = conn.execute(select(ratings).where(ratings.c.id == rating_id)).one()
        check_share(conn, row, self._rules(), self.config, self.listeners)
        for listener in self.listeners:
            listener.rating_stored(conn, self.config, row, self.clock())
        return rating_id

    def _close_window(self, conn: Connection, counter_id: str) -> list[Event]:
        changed = conn.execute(
            update(counter_state)
            .where(
                counter_state.c.counter_id == counter_id, counter_state.c.rating_until.is_not(None)
            )
            .values(rating_until=None)
        ).rowcount
        if not changed:
            return []
        return [
            Event(EV_RATING_CLOSE, {"counter": counter_id}, NS_DEVICES, counter_room(counter_id))
        ]

    def rate_ticket(
        self, ticket_id: str, level_id: str, reasons: tuple[str, ...]
    ) -> dict[str, Any]:
        """The ticket holder's own rating (from the QR status page)."""
        level = self._check(level_id, reasons)
        events: list[Event] = []
        try:
            with write(self.engine) as conn:
                ticket = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
                if ticket is None:
                    raise errors.NotFound("Không tìm thấy phiếu số thứ tự", code="unknown_ticket")
                if ticket.status != TicketStatus.DONE.value:
                    raise errors.Conflict("Phiếu chưa được phục vụ xong", code="not_served")
                if conn.execute(
                    select(ratings.c.id).where(ratings.c.ticket_id == ticket_id)
                ).first():
                    raise errors.Conflict("Phiếu này đã được đánh giá", code="already_rated")
                rating_id = self._store(
                    conn,
                    ticket=ticket,
                    level=level,
                    at=self.clock(),
                    reasons=reasons,
                    key=None,
                    channel="qr",
                    device_id=None,
                )
                events.append(_rated(ticket_id))
                if ticket.counter_id:
                    events.extend(self._close_window(conn, ticket.counter_id))
        except IntegrityError:
            raise errors.Conflict("Phiếu này đã được đánh giá", code="already_rated") from None
        self.sink.publish(events)
        self.on_commit()
        return {"id": rating_id, "ticket_id": ticket_id}

    def is_rated(self, ticket_id: str) -> bool:
        """True when the ticket holds a rating (from whichever channel)."""
        with read(self.engine) as conn:
            found = conn.execute(select(ratings.c.id).where(ratings.c.ticket_id == ticket_id))
            return found.first() is not None

    def expire_windows(self) -> None:
        """Close rating windows whose ``until`` has passed (run every second)."""
        now = self.clock()
        events: list[Event] = []
        with write(self.engine) as conn:
            due = conn.execute(
                select(counter_state.c.counter_id).where(
                    counter_state.c.rating_until.is_not(None), counter_state.c.rating_until <= now
                )
            ).all()
            for (counter_id,) in due:
                events.extend(self._close_window(conn, counter_id))
        if events:
            self.sink.publish(events)


def _rated(ticket_id: str) -> Event:
    """The ``ticket`` event telling the ticket's holders that it is rated."""
    return ticket_event(ticket_id, "rated", TicketStatus.DONE.value)


def _reject_message(code: str | None, config: Config | None = None) -> str:
    if code == "unknown_level" and config is not None:
        known = ", ".join(x.id for x in config.ratings.levels)
        return f"Mức đánh giá không hợp lệ (chọn: {known})"
    return {
        "no_ticket": "Không có lượt phục vụ nào vừa hoàn thành tại quầy để đánh giá",
        "already_rated": "Lượt phục vụ này đã được đánh giá",
        "unknown_reason": "Lý do không hợp lệ",
        "invalid_time": "Thời điểm đánh giá ở tương lai",
    }.get(code or "", "Đánh giá bị từ chối")
