"""Proof that a refused request changed nothing: every table read before and after it.

The fuzzing gate's databases are small (a few dozen tickets, a few hundred audit
rows), so the whole state is read around each request: on SQLite table by table
(in-process, cheap), on PostgreSQL in one statement (one round trip); the
append-only logs only by their last id. The state after a request is the state
before the next one, so each request costs one read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tests.e2e.support import Database

Row = dict[str, Any]
State = dict[str, Any]  # table -> its sorted rows, or an append-only table's last id

# Append-only tables (never updated, never deleted from), read by their last id; the
# rows past the last id are what a request added. A refused request may add only
# the records it is meant to leave: a failed login is counted (the lockout) and
# audited; a pad's press that links no ticket is kept with its reason (every press
# is linked or refused with a reason).
APPEND_ONLY: dict[str, Callable[[Row], bool]] = {
    "audit_log": lambda row: row["action"] in {"login_failed", "login_locked"},
    "login_failures": lambda row: True,
    "rating_presses": lambda row: row["outcome"] != "linked",
    "ticket_events": lambda row: False,
}
# Columns that change without any request (or on any request by design): the
# lockout's counters, a device's last contact and its latest silence (what the hub
# heard, kept at every contact to tell a late delivery from a back-dated press), a
# call the screens never showed, a rating window that closed.
VOLATILE_COLUMNS = {
    "users": {"failed_logins", "locked_until"},
    "devices": {"last_seen_at", "address", "silent_from", "silent_until"},
    "calls": {"unseen_logged"},
    "counter_state": {"rating_until"},
}
# Not read: the schema's version, and the alerts the periodic checks raise (a pad
# silent too long, a low rate), which no request writes but an accepted rating's.
SKIPPED_TABLES = {"alembic_version", "alerts"}
# A pad's press the hub refuses (409: no ticket to rate, already rated) still counts
# toward the burst rule, which flags the window's ratings (hub.satisfaction.misuse).
FLAGGED_BY_A_REFUSED_PRESS = frozenset(
    {"ratings", "rating_rollups", "rating_rollups_monthly", "rating_cube"}
)


def may_change(method: str, path: str, status: int) -> frozenset[str]:
    """The tables a refusal of ``method path`` with ``status`` may change by design."""
    if method == "POST" and path.partition("?")[0].endswith("/api/v1/ratings") and status == 409:
        return FLAGGED_BY_A_REFUSED_PRESS
    return frozenset()


class StateProbe:
    """Reads every table of the hub's database on one connection of its own."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._conn: Any = None
        self._tables: list[str] = []
        self._last: State | None = None

    def __enter__(self) -> StateProbe:
        if self.db.kind == "sqlite":
            self._conn = sqlite3.connect(self.db.target, timeout=10, isolation_level=None)
            names = self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            import psycopg

            self._conn = psycopg.connect(self.db.target, autocommit=True)
            names = self._conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        self._tables = sorted(n for (n,) in names if n not in SKIPPED_TABLES)
        if not {"tickets", *APPEND_ONLY} <= set(self._tables):
            raise AssertionError(f"the hub's tables are not where the probe looks: {self._tables}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()

    def snapshot(self) -> State:
        """Every table's rows (without volatile columns) in a stable order, and the last
        id of each append-only table."""
        state = self._sqlite() if self.db.kind == "sqlite" else self._postgres()
        self._last = state
        return state

    def forget(self) -> None:
        """Read afresh before the next request (something else changed the state)."""
        self._last = None

    @contextmanager
    def unchanged_if_refused(
        self, method: str, path: str, what: str, status: Callable[[], int]
    ) -> Iterator[None]:
        """Around one request: when it answers 4xx, fail if the state changed beyond
        the records a refusal may leave (:data:`APPEND_ONLY`, :func:`may_change`)."""
        before = self._last if self._last is not None else self.snapshot()
        self._last = None
        yield
        after = self.snapshot()
        code = status()
        if 400 <= code < 500:
            changes = self.changes(before, after, may_change(method, path, code))
            if changes:
                raise AssertionError(f"{what} answered {code} but changed: {changes}"[:3000])

    def changes(
        self, before: State, after: State, tolerated: frozenset[str] = frozenset()
    ) -> list[str]:
        """What changed from ``before`` to ``after``, less the records a refusal may leave
        and the ``tolerated`` tables."""
        found = []
        for table in self._tables:
            old, new = before[table], after[table]
            if old == new or table in tolerated:
                continue
            if table in APPEND_ONLY:
                added = self._rows_after(table, old, new)
                if not all(APPEND_ONLY[table](row) for row in added):
                    found.append(f"{table}: +{_short(added)}")
                continue
            gone = [row for row in old if row not in new]
            added = [row for row in new if row not in old]
            if gone or added:  # not only another order
                found.append(f"{table}: -{_short(gone)} +{_short(added)}")
        return found

    def _rows_after(self, table: str, first: int, last: int) -> list[Row]:
        mark = "?" if self.db.kind == "sqlite" else "%s"
        cursor = self._conn.execute(
            f'SELECT * FROM "{table}" WHERE id > {mark} AND id <= {mark} ORDER BY id',  # noqa: S608
            (first, last),
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _sqlite(self) -> State:
        state: State = {}
        for table in self._tables:
            if table in APPEND_ONLY:
                query = f'SELECT coalesce(max(id), 0) FROM "{table}"'  # noqa: S608 - our names
                state[table] = self._conn.execute(query).fetchone()[0]
                continue
            cursor = self._conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid')  # noqa: S608
            names = [d[0] for d in cursor.description]
            skip = VOLATILE_COLUMNS.get(table, set())
            keep = [i for i, n in enumerate(names) if n not in skip]
            state[table] = [{names[i]: row[i] for i in keep} for row in cursor.fetchall()]
        return state

    def _postgres(self) -> State:
        parts = []
        for table in self._tables:
            if table in APPEND_ONLY:
                parts.append(f'(SELECT coalesce(max(id), 0) FROM "{table}")')
                continue
            drop = "".join(f" - '{c}'" for c in sorted(VOLATILE_COLUMNS.get(table, ())))
            expr = f"(to_jsonb(t){drop})"
            parts.append(
                f"(SELECT coalesce(jsonb_agg({expr} ORDER BY {expr}::text COLLATE \"C\"), '[]') "
                f'FROM "{table}" t)'
            )
        row = self._conn.execute("SELECT " + ", ".join(parts)).fetchone()
        return dict(zip(self._tables, row, strict=True))


def _short(rows: list[Row]) -> str:
    return json.dumps(rows, default=str, ensure_ascii=False)[:600]
