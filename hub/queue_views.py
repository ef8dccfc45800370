"""The queue as the hub runs it: tickets and counters, one transaction per action.

Every method decides inside one database write transaction (numbers and
calls are never decided in process memory), appends the ticket's event row,
commits, and only then publishes Socket.IO events.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, bindparam, select

from hub.queue_base import QueueBase, iso
from hub.store import queries
from hub.store.db import read
from hub.store.tables import calls, counter_state, tickets, users

logger = logging.getLogger(__name__)


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


class QueueViews(QueueBase):
    """Read-only views: counters, fields, calls and the screens' snapshot."""

    def _counter_view(self, conn: Connection, counter_id: str) -> dict[str, Any]:
        views = self._counter_views(conn, [counter_id])
        return views[0]

    def _counter_views(
        self, conn: Connection, ids: list[str] | None = None
    ) -> list[dict[str, Any]]:
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
