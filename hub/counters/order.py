"""Which waiting tickets a counter may call next: the candidates the router picks from."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from hub.queue import Candidate
from hub.store import statements as st


def first_waiting(
    conn: Connection, services: list[str], today: date, *, lock: bool
) -> list[Candidate]:
    """The earliest waiting ticket of each class (priority, regular) over ``services``.

    On PostgreSQL one locked query per class (``FOR UPDATE SKIP LOCKED``: two
    counters never pick the same ticket, and only the rows picked are locked).
    On SQLite, whose write transaction already excludes every other writer, one
    query per field and class, each read in index order and stopped at its first
    row, instead of sorting every waiting ticket of the fields.
    """
    if lock:
        params = {"services": services, "today": today}
        rows = [
            conn.execute(st.FIRST_WAITING_LOCKED, {**params, "prio": flag}).first()
            for flag in (True, False)
        ]
    else:
        rows = [
            conn.execute(
                st.FIRST_WAITING_OF_FIELD, {"service": s, "prio": flag, "today": today}
            ).first()
            for flag in (True, False)
            for s in services
        ]
    best: dict[bool, Candidate] = {}
    for r in rows:
        if r is None:
            continue
        found = Candidate(r.queue_pos, r.id, r.is_priority)
        held = best.get(found.priority)
        if held is None or found < held:
            best[found.priority] = found
    return list(best.values())
