"""Counters as staff, screens and managers see them: state, operator, current number,
the calls made, and the screens' snapshot."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, select

from config.schema import Config
from hub.clock import iso
from hub.store import queries
from hub.store.db import read
from hub.store.tables import calls, counter_state, tickets, users
from hub.tickets.records import call_payload

# One query for the state of some counters, their operator and current ticket.
COUNTER_STATES = (
    select(
        counter_state, users.c.username, users.c.display_name, tickets.c.number,
        tickets.c.service_id, tickets.c.called_at,
    )
    .select_from(
        counter_state.outerjoin(users, users.c.id == counter_state.c.user_id).outerjoin(
            tickets, tickets.c.id == counter_state.c.current_ticket_id
        )
    )
    .where(counter_state.c.counter_id.in_(bindparam("cids", expanding=True)))
)  # fmt: skip


OPERATOR_NAMES = (
    select(counter_state.c.counter_id, users.c.display_name)
    .select_from(counter_state.join(users, users.c.id == counter_state.c.user_id))
    .where(counter_state.c.status == "open")
)


#: What a hall screen may know of a counter (never its operator): the tile shows the
#: number it serves and marks a closed or paused counter.
SCREEN_COUNTER_KEYS = ("id", "name", "status", "paused", "current")


class CounterViews:
    """Read-only views of the counters and the calls."""

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.config = config

    def reconfigure(self, config: Config) -> None:
        self.config = config

    def counter_view(self, conn: Connection, counter_id: str) -> dict[str, Any]:
        """One counter's view, inside the caller's transaction."""
        return self.counter_views(conn, [counter_id])[0]

    def counter_views(self, conn: Connection, ids: list[str] | None = None) -> list[dict[str, Any]]:
        """The views of some counters (all when ``ids`` is None), in configuration order."""
        wanted = [c for c in self.config.counters if ids is None or c.id in ids]
        rows = conn.execute(COUNTER_STATES, {"cids": [c.id for c in wanted]})
        states = {r.counter_id: r for r in rows}
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
            if state is not None and state.number is not None:
                view["current"] = {
                    "number": state.number,
                    "service": state.service_id,
                    "called_at": iso(state.called_at),
                }
            out.append(view)
        return out

    def public_counters(self) -> list[dict[str, Any]]:
        """``GET /counters``: as :meth:`counters`, the officer by display name or not at all
        (a login name is half of what a password guesser needs)."""
        with read(self.engine) as conn:
            views = self.counter_views(conn)
            names = {r.counter_id: r.display_name for r in conn.execute(OPERATOR_NAMES)}
        for view in views:
            view.pop("staff", None)
            if names.get(view["id"]):
                view["staff"] = names[view["id"]]
        return views

    def counters(self) -> list[dict[str, Any]]:
        """``GET /counters``."""
        with read(self.engine) as conn:
            return self.counter_views(conn)

    def calls_after(self, seq: int, *, limit: int = 200) -> list[dict[str, Any]]:
        """Calls with a ``seq`` greater than ``seq``, oldest first (screen catch-up)."""
        with read(self.engine) as conn:
            rows = conn.execute(
                select(calls).where(calls.c.seq > seq).order_by(calls.c.seq).limit(limit)
            )
            return [self._call(r) for r in rows]

    def snapshot(self, *, recent: int = 10) -> dict[str, Any]:
        """The ``/display`` snapshot sent to a screen on (re)connect."""
        with read(self.engine) as conn:
            counters = [
                {k: v for k, v in c.items() if k in SCREEN_COUNTER_KEYS}
                for c in self.counter_views(conn)
            ]
            rows = list(conn.execute(select(calls).order_by(calls.c.seq.desc()).limit(recent)))
            waiting = queries.waiting_counts(conn, [s.id for s in self.config.services])
        recent_calls = [self._call(r) for r in reversed(rows)]
        return {
            "site": {"id": self.config.site.id, "name": self.config.site.name},
            "counters": counters,
            "recent": recent_calls,
            "waiting": waiting,
            "last_seq": recent_calls[-1]["seq"] if recent_calls else 0,
        }

    def _call(self, row: Any) -> dict[str, Any]:
        return call_payload(
            self.config, seq=row.seq, number=row.number, service_id=row.service_id,
            counter_id=row.counter_id, at=row.at, recall=row.recall,
        )  # fmt: skip

    def open_counter_of(self, user_id: int | None) -> str | None:
        """The counter a user has open, if any (one counter per user)."""
        with read(self.engine) as conn:
            found: str | None = conn.execute(
                select(counter_state.c.counter_id).where(
                    counter_state.c.user_id == user_id, counter_state.c.status == "open"
                )
            ).scalar()
        return found

    def operator_of(self, counter_id: str) -> int | None:
        """The user who has ``counter_id`` open, or None when it is closed."""
        with read(self.engine) as conn:
            row = conn.execute(
                select(counter_state.c.status, counter_state.c.user_id).where(
                    counter_state.c.counter_id == counter_id
                )
            ).first()
        return row.user_id if row is not None and row.status == "open" else None

    def rating_until(self, counter_id: str) -> datetime | None:
        """When the counter's open rating window closes (None: no window open)."""
        with read(self.engine) as conn:
            until: datetime | None = conn.execute(
                select(counter_state.c.rating_until).where(counter_state.c.counter_id == counter_id)
            ).scalar()
        return until

    def waiting(self, service_ids: list[str]) -> dict[str, int]:
        """Waiting tickets per field (every given field appears)."""
        with read(self.engine) as conn:
            return queries.waiting_counts(conn, service_ids)

    def finished_today(self, counter_id: str, day: date) -> dict[str, int]:
        """How many tickets the counter finished on ``day``, by final status."""
        with read(self.engine) as conn:
            rows = conn.execute(
                select(tickets.c.status, func.count())
                .where(tickets.c.counter_id == counter_id, tickets.c.completed_day == day)
                .group_by(tickets.c.status)
            )
            return {status: int(n) for status, n in rows}
