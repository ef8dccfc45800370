"""Blocking C calls off the event loop when the hub runs under gevent.

Under gunicorn's gevent worker every request and every screen's WebSocket is a
greenlet of one thread. Code in C that does not yield — sqlite3 running a
statement or waiting for its fsync, Argon2 hashing a password — would freeze
all of them meanwhile. :func:`blocking` runs such a call in gevent's pool of
real threads and lets the other greenlets run; outside gevent (tests, command
line tools, the threaded development server) it simply calls it.

:class:`OffloadedSqlite` wraps a sqlite3 connection so that what can wait runs
there: ``BEGIN IMMEDIATE`` when another process holds the write lock (tried in
place first), ``COMMIT`` and ``ROLLBACK`` (the fsync). The statements between them
run in place: on a hub's database they take microseconds, and each trip to the pool
costs more than that while the transaction holds this process's write lock. A read
that may scan much (a report, the dashboard, the audit log) marks its connection with
:func:`scanning`, and then every call is offloaded.

PostgreSQL needs no wrapper: psycopg 3 waits on its socket through gevent's patched
``select.poll`` — provided it chose that wait. It chooses once, when imported, and
``motcua serve``'s master imports it (to migrate) before gevent patches the forked
workers, which would keep its C ``poll()`` and block every greenlet while a query
waits on a lock. :func:`cooperative_psycopg` puts that right in the worker.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

T = TypeVar("T")

WAITING_STATEMENTS = ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK", "VACUUM", "PRAGMA wal_checkpoint")
"""Statements that can wait for another process's lock or for the disk."""


def under_gevent() -> bool:
    """True in a process whose standard library gevent has patched."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("socket"))


def blocking(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a real thread under gevent (other greenlets go on), else inline.

    An exception is raised here, in the caller, as an inline call would; it does not
    reach gevent's pool, which would print its traceback (every "database is full"
    or "locked" a request meets) before the caller could handle it.
    """
    if not under_gevent():
        return fn(*args)
    import gevent  # only in a gevent process, which has it loaded already

    outcome: _Outcome[T] = gevent.get_hub().threadpool.apply(_capture, (fn, args))
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[return-value]


class _Outcome(Generic[T]):
    __slots__ = ("value", "error")

    def __init__(self, value: T | None, error: Exception | None) -> None:
        self.value = value
        self.error = error


def _capture(fn: Callable[..., T], args: tuple[Any, ...]) -> _Outcome[T]:
    try:
        return _Outcome(fn(*args), None)
    except Exception as err:  # noqa: BLE001 - raised again in the calling greenlet
        return _Outcome(None, err)


def cooperative_psycopg() -> None:
    """Under gevent, make psycopg wait through the patched ``select.poll`` if it chose
    its C wait before the patching (a no-op elsewhere, or where it chose right)."""
    waiting = sys.modules.get("psycopg.waiting")
    if waiting is None or not under_gevent():
        return  # imported after the patching, psycopg will see it and choose right
    if waiting.wait is getattr(waiting, "wait_c", None):
        waiting.wait = waiting.wait_poll


class OffloadedCursor:
    """A sqlite3 cursor that offloads what can wait (see the module's doc)."""

    def __init__(self, cursor: sqlite3.Cursor, owner: OffloadedSqlite) -> None:
        self._cursor = cursor
        self._owner = owner

    def execute(self, sql: str, *args: Any) -> OffloadedCursor:
        if self._owner.scanning:
            blocking(self._cursor.execute, sql, *args)
        elif sql.startswith("BEGIN IMMEDIATE"):
            self._begin_immediate(sql, *args)
        elif sql.startswith(WAITING_STATEMENTS):
            blocking(self._cursor.execute, sql, *args)
        else:
            self._cursor.execute(sql, *args)
        return self

    def _begin_immediate(self, sql: str, *args: Any) -> None:
        """Take the write lock in place when it is free (it nearly always is: this
        process's writers already queue in turn), and wait for it off the loop only
        when another process holds it. One trip to the pool saved per write."""
        raw = self._owner.raw
        patience = self._owner.busy_timeout_ms()
        raw.execute("PRAGMA busy_timeout=0")
        try:
            self._cursor.execute(sql, *args)
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err):
                raise
        finally:
            raw.execute(f"PRAGMA busy_timeout={patience}")
        blocking(self._cursor.execute, sql, *args)

    def executemany(self, *args: Any) -> OffloadedCursor:
        self._run(self._cursor.executemany, *args)
        return self

    def fetchone(self) -> Any:
        return self._run(self._cursor.fetchone)

    def fetchmany(self, *args: Any) -> list[Any]:
        return self._run(self._cursor.fetchmany, *args)

    def fetchall(self) -> list[Any]:
        return self._run(self._cursor.fetchall)

    def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return blocking(fn, *args) if self._owner.scanning else fn(*args)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())

    def __getattr__(self, name: str) -> Any:
        # description, rowcount, lastrowid, close…: cheap, answered in place.
        return getattr(self._cursor, name)


class OffloadedSqlite:
    """A sqlite3 connection that offloads its waits, and every call while ``scanning``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        object.__setattr__(self, "_connection", connection)
        object.__setattr__(self, "scanning", False)
        object.__setattr__(self, "_busy_timeout_ms", None)

    @property
    def raw(self) -> sqlite3.Connection:
        """The wrapped connection."""
        return self._connection

    def busy_timeout_ms(self) -> int:
        """The connection's ``busy_timeout``, read once: it is set when the connection
        opens and never changed after, so each write need not ask SQLite again."""
        if self._busy_timeout_ms is None:
            (patience,) = self._connection.execute("PRAGMA busy_timeout").fetchone()
            object.__setattr__(self, "_busy_timeout_ms", int(patience))
        return self._busy_timeout_ms

    def cursor(self, *args: Any) -> OffloadedCursor:
        return OffloadedCursor(self._connection.cursor(*args), self)

    def execute(self, sql: str, *args: Any) -> OffloadedCursor:
        return self.cursor().execute(sql, *args)

    def commit(self) -> None:
        blocking(self._connection.commit)

    def rollback(self) -> None:
        blocking(self._connection.rollback)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "scanning":
            object.__setattr__(self, name, value)
        else:  # isolation_level and the like are the connection's own settings.
            setattr(self._connection, name, value)


@contextmanager
def scanning(dbapi_connection: Any) -> Iterator[None]:
    """Offload every call of this connection for the block (a read that may scan
    much); a no-op on any other connection."""
    if not isinstance(dbapi_connection, OffloadedSqlite):
        yield
        return
    dbapi_connection.scanning = True
    try:
        yield
    finally:
        dbapi_connection.scanning = False
