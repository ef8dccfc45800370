"""Ratings: linking a press to the ticket it is about, once, idempotently.

Every press from a pad is kept in ``rating_presses`` with its outcome, so a
refused press (no ticket, already rated) is still on record. An accepted
rating goes to ``ratings`` (one per ticket, enforced by a unique index) and to
the daily rollup in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from config import Config
from hub import errors
from hub.events import EV_RATING_CLOSE, NS_DEVICES, Event, EventSink, counter_room
from hub.queue import TicketStatus, site_day
from hub.queue_service import Actor, Clock
from hub.store.db import write
from hub.store.tables import counter_state, rating_presses, rating_rollups, ratings, tickets

logger = logging.getLogger(__name__)

MAX_FUTURE_S = 300
CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"


@dataclass(frozen=True)
class RatingInput:
    """One rating as a client sends it."""

    key: str
    level: str
    at: datetime | None = None
    reasons: tuple[str, ...] = ()


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


class RatingService:
    """Stores ratings from pads and from ticket holders."""

    def __init__(self, engine: Engine, config: Config, sink: EventSink, clock: Clock):
        self.engine = engine
        self.config = config
        self.sink = sink
        self.clock = clock

    def reconfigure(self, config: Config) -> None:
        self.config = config

    def _check(self, level: str, reasons: tuple[str, ...]) -> Any:
        lv = self.config.level(level)
        if lv is None:
            known = ", ".join(x.id for x in self.config.ratings.levels)
            raise errors.BadRequest(
                f"Mức đánh giá '{level}' không hợp lệ (chọn: {known})", code="unknown_level"
            )
        known_reasons = {r.id for r in self.config.ratings.reasons}
        bad = [r for r in reasons if r not in known_reasons]
        if bad:
            raise errors.BadRequest(f"Lý do không hợp lệ: {', '.join(bad)}", code="unknown_reason")
        return lv

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
    ) -> int:
        site_id = self.config.site.id
        day = site_day(at, self.config.site.timezone)
        result = conn.execute(
            insert(ratings).values(
                key=key,
                site_id=site_id,
                ticket_id=ticket.id,
                counter_id=ticket.counter_id,
                staff_id=ticket.staff_id,
                service_id=ticket.service_id,
                level=level.id,
                score=level.score,
                positive=level.positive,
                reasons=list(reasons) or None,
                at=at,
                day=day,
                received_at=self.clock(),
                channel=channel,
                device_id=device_id,
                flags=None,
                flagged=False,
            )
        )
        rollup_add(
            conn,
            site_id=site_id,
            day=day,
            counter_id=ticket.counter_id,
            staff_id=ticket.staff_id,
            service_id=ticket.service_id,
            level=level.id,
            score=level.score,
            flagged=False,
        )
        return int(result.inserted_primary_key[0])

    def rate_from_pad(self, actor: Actor, item: RatingInput) -> RatingOutcome:
        """Link a pad's press to the ticket last completed at its counter.

        Raises:
            BadRequest: unknown level or reason, a time in the future, a pad with
                no counter.
        """
        for attempt in range(3):
            try:
                return self._rate_from_pad(actor, item)
            except IntegrityError:
                # A concurrent writer took the key or the ticket first (PostgreSQL);
                # run again so this press is answered "duplicate" or "already_rated".
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _rate_from_pad(self, actor: Actor, item: RatingInput) -> RatingOutcome:
        if not actor.counter_id:
            raise errors.Forbidden("Thiết bị đánh giá chưa gắn với quầy", code="no_counter")
        level = self._check(item.level, item.reasons)
        now = self.clock()
        at = item.at or now
        if at > now + timedelta(seconds=MAX_FUTURE_S):
            raise errors.BadRequest("Thời điểm đánh giá ở tương lai", code="invalid_time")
        events: list[Event] = []
        with write(self.engine) as conn:
            seen = conn.execute(
                select(rating_presses).where(rating_presses.c.key == item.key)
            ).first()
            if seen is not None:
                if seen.outcome == CREATED:
                    return RatingOutcome(DUPLICATE, seen.rating_id, seen.ticket_id)
                return RatingOutcome(REJECTED, code=seen.code, message=_reject_message(seen.code))
            window = timedelta(seconds=self.config.ratings.window_s)
            ticket = conn.execute(
                select(tickets)
                .where(
                    tickets.c.counter_id == actor.counter_id,
                    tickets.c.status == TicketStatus.DONE.value,
                    tickets.c.completed_at <= at,
                    tickets.c.completed_at >= at - window,
                )
                .order_by(tickets.c.completed_at.desc())
                .limit(1)
            ).first()
            code: str | None = None
            rating_id: int | None = None
            if ticket is None:
                code = "no_ticket"
            elif conn.execute(select(ratings.c.id).where(ratings.c.ticket_id == ticket.id)).first():
                code = "already_rated"
            else:
                rating_id = self._store(
                    conn,
                    ticket=ticket,
                    level=level,
                    at=at,
                    reasons=item.reasons,
                    key=item.key,
                    channel="pad",
                    device_id=actor.id,
                )
                events.extend(self._close_window(conn, actor.counter_id))
            conn.execute(
                insert(rating_presses).values(
                    key=item.key,
                    site_id=self.config.site.id,
                    device_id=actor.id,
                    counter_id=actor.counter_id,
                    level=item.level,
                    reasons=list(item.reasons) or None,
                    at=at,
                    received_at=now,
                    channel="pad",
                    outcome=CREATED if code is None else REJECTED,
                    code=code,
                    rating_id=rating_id,
                    ticket_id=ticket.id if ticket is not None else None,
                )
            )
        self.sink.publish(events)
        if code is not None:
            return RatingOutcome(REJECTED, code=code, message=_reject_message(code))
        return RatingOutcome(CREATED, rating_id, ticket.id if ticket is not None else None)

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
                if ticket.counter_id:
                    events.extend(self._close_window(conn, ticket.counter_id))
        except IntegrityError:
            raise errors.Conflict("Phiếu này đã được đánh giá", code="already_rated") from None
        self.sink.publish(events)
        return {"id": rating_id, "ticket_id": ticket_id}

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


def rollup_add(
    conn: Connection,
    *,
    site_id: str,
    day: Any,
    counter_id: str | None,
    staff_id: int | None,
    service_id: str | None,
    level: str,
    score: float,
    flagged: bool,
    n: int = 1,
) -> None:
    """Add ratings to the daily rollup row (created on first use)."""
    key = {
        "site_id": site_id,
        "day": day,
        "counter_id": counter_id or "",
        "staff_id": staff_id or 0,
        "service_id": service_id or "",
        "level": level,
        "flagged": flagged,
    }
    dialect = conn.dialect.name
    upsert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = upsert(rating_rollups).values(**key, n=n, score_sum=score * n)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=list(key),
            set_={
                "n": rating_rollups.c.n + stmt.excluded.n,
                "score_sum": rating_rollups.c.score_sum + stmt.excluded.score_sum,
            },
        )
    )


def _reject_message(code: str | None) -> str:
    return {
        "no_ticket": "Không có lượt phục vụ nào vừa hoàn thành tại quầy để đánh giá",
        "already_rated": "Lượt phục vụ này đã được đánh giá",
    }.get(code or "", "Đánh giá bị từ chối")
