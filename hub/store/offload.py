"""Blocking C calls off the event loop when the hub runs under gevent.

Under gunicorn's gevent worker every request and every screen's WebSocket is a
greenlet of one thread. Code in C that does not yield — sqlite3 running a
statement or waiting for its fsync, Argon2 hashing a password — would freeze
all of them meanwhile. :func:`blocking` runs such a call in gevent's pool of
real threads and lets the other greenlets run; outside gevent (tests, command
line tools, the threaded development server) it simply calls it.

:class:`OffloadedSqlite` wraps a sqlite3 connection so every statement,
fetch, commit and rollback goes through :func:`blocking`. PostgreSQL needs no
wrapper: psycopg 3 waits on its socket through gevent's patched ``select``.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def under_gevent() -> bool:
    """True in a process whose standard library gevent has patched."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("socket"))


def blocking(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a real thread under gevent (other greenlets go on), else inline.

    An exception of ``fn`` is raised in the caller, with its traceback, and only
    there: gevent's pool would also print it on stderr (the hub's log) as an
    unhandled error, though the caller handles it (a wrong password, a unique key).
    """
    if not under_gevent():
        return fn(*args)
    import gevent  # only in a gevent process, which has it loaded already

    outcome: _Outcome[T] = gevent.get_hub().threadpool.apply(_catching, (fn, args))
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[return-value]


class _Outcome(Generic[T]):
    """What a call in the pool returned, or the exception it raised."""

    __slots__ = ("error", "value")

    def __init__(self, value: T | None, error: Exception | None) -> None:
        self.value = value
        self.error = error


def _catching(fn: Callable[..., T], args: tuple[Any, ...]) -> _Outcome[T]:
    try:
        return _Outcome(fn(*args), None)
    except Exception as error:  # noqa: BLE001 - handed to the caller, raised there
        return _Outcome(None, error)


class OffloadedCursor:
    """A sqlite3 cursor whose every call that runs SQLite code is offloaded."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, *args: Any) -> OffloadedCursor:
        blocking(self._cursor.execute, *args)
        return self

    def executemany(self, *args: Any) -> OffloadedCursor:
        blocking(self._cursor.executemany, *args)
        return self

    def fetchone(self) -> Any:
        return blocking(self._cursor.fetchone)

    def fetchmany(self, *args: Any) -> list[Any]:
        return blocking(self._cursor.fetchmany, *args)

    def fetchall(self) -> list[Any]:
        return blocking(self._cursor.fetchall)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())

    def __getattr__(self, name: str) -> Any:
        # description, rowcount, lastrowid, close…: cheap, answered in place.
        return getattr(self._cursor, name)


class OffloadedSqlite:
    """A sqlite3 connection whose statements, commits and rollbacks are offloaded."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        object.__setattr__(self, "_connection", connection)

    def cursor(self, *args: Any) -> OffloadedCursor:
        return OffloadedCursor(self._connection.cursor(*args))

    def execute(self, *args: Any) -> OffloadedCursor:
        return self.cursor().execute(*args)

    def commit(self) -> None:
        blocking(self._connection.commit)

    def rollback(self) -> None:
        blocking(self._connection.rollback)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        # isolation_level and the like are the connection's own settings.
        setattr(self._connection, name, value)
