"""A full disk or a read-only database, recognised in one place.

Each driver says it its own way: SQLite's result codes ``SQLITE_FULL``
("database or disk is full") and ``SQLITE_READONLY`` ("attempt to write a
readonly database", with its extended codes), PostgreSQL's SQLSTATEs ``53100``
(disk_full) and ``25006`` (read_only_sql_transaction: ``default_transaction_read_only``,
a hot standby), and the operating system's ``ENOSPC``/``EDQUOT`` and ``EROFS``.
:func:`storage_fault` turns each into the hub's :class:`~hub.errors.StorageFull` or
:class:`~hub.errors.StorageReadOnly` (a 503 with its code), so a client learns what is
wrong instead of a 500, and nothing was saved. A database that does not answer (a restart, the
network) is :class:`DatabaseUnavailable`; :func:`database_fault` tells the three apart
from every other error in one place.

:class:`StorageHealth` remembers the last such fault of this process until a write
succeeds again; ``/healthz`` reports it as ``degraded``. It logs one line when the
fault appears, changes or goes away, never one per failed request.
"""

from __future__ import annotations

import errno
import logging
import threading
import weakref

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from hub.errors import HubError, StorageFull, StorageReadOnly, Unavailable

logger = logging.getLogger(__name__)

# SQLite's primary result codes (the low byte of an extended code).
SQLITE_READONLY = 8
SQLITE_FULL = 13
# PostgreSQL's SQLSTATEs.
PG_DISK_FULL = "53100"
PG_READ_ONLY_TRANSACTION = "25006"

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY_ERRNOS = {errno.EROFS}


def storage_fault(err: BaseException) -> HubError | None:
    """The hub's error for a full disk or a read-only database, else None.

    ``err`` is a driver's error, SQLAlchemy's wrapper of one (its ``orig``), or an
    :class:`OSError`.
    """
    orig = getattr(err, "orig", None) or err
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        primary = sqlite_code & 0xFF
        if primary == SQLITE_FULL:
            return StorageFull()
        if primary == SQLITE_READONLY:
            return StorageReadOnly()
        return None
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate == PG_DISK_FULL:
        return StorageFull()
    if sqlstate == PG_READ_ONLY_TRANSACTION:
        return StorageReadOnly()
    if isinstance(orig, OSError):
        if orig.errno in _FULL_ERRNOS:
            return StorageFull()
        if orig.errno in _READ_ONLY_ERRNOS:
            return StorageReadOnly()
    return None


class DatabaseUnavailable(Unavailable):
    """The database does not answer (a restart, the network): try again shortly."""

    code = "database_unavailable"
    message = "Cơ sở dữ liệu tạm thời không trả lời, vui lòng thử lại sau giây lát"


# SQLSTATE classes of PostgreSQL that mean "not now" rather than "wrong": connection
# exceptions (08) and operator intervention (57: shutting down, starting up).
_UNAVAILABLE_CLASSES = ("08", "57")
_TOO_MANY_CONNECTIONS = "53300"


def database_fault(err: BaseException) -> HubError | None:
    """The hub's error for a database that cannot do the work now, else None: a full
    disk or a read-only database (:func:`storage_fault`), or a database that could not
    be reached or whose connection was lost (:class:`DatabaseUnavailable`). None means
    something is wrong with the statement or the data, which is a bug to show."""
    fault = storage_fault(err)
    if fault is None and _unreachable(err):
        return DatabaseUnavailable()
    return fault


def is_unavailable(err: BaseException) -> bool:
    """True when the database could not be reached or the connection was lost."""
    return isinstance(database_fault(err), DatabaseUnavailable)


def _unreachable(err: BaseException) -> bool:
    if isinstance(err, DatabaseUnavailable):
        return True
    if not isinstance(err, DBAPIError):
        return False
    if err.connection_invalidated:
        return True
    if not isinstance(err, OperationalError) or not _is_postgres_error(err.orig):
        return False
    state = getattr(err.orig, "sqlstate", None)
    return state is None or state[:2] in _UNAVAILABLE_CLASSES or state == _TOO_MANY_CONNECTIONS


def _is_postgres_error(orig: BaseException | None) -> bool:
    return type(orig).__module__.startswith("psycopg")


def driver_message(err: BaseException) -> str:
    """The driver's own words for an error, on one line."""
    orig = getattr(err, "orig", None) or err
    return " ".join(str(orig).split()) or type(orig).__name__


WHAT_TO_DO = {
    StorageFull.code: "free space on the database's disk",
    StorageReadOnly.code: (
        "make the database writable by the hub's user (the file, its folder and its "
        "-wal/-shm files; on PostgreSQL a primary, not a read-only transaction or standby)"
    ),
}


class StorageHealth:
    """The storage fault this process last met, until a write succeeds again."""

    def __init__(self) -> None:
        self._fault: HubError | None = None
        self._lock = threading.Lock()

    @property
    def fault(self) -> HubError | None:
        return self._fault

    def record(self, fault: HubError, cause: BaseException | None = None) -> None:
        """A write failed with ``fault``: log it once (not again while it lasts)."""
        with self._lock:
            if self._fault is not None and self._fault.code == fault.code:
                return
            self._fault = fault
        logger.warning(
            "the database cannot be written (%s%s): requests that write answer 503 %s until you %s",
            fault.code,
            f": {driver_message(cause)}" if cause is not None else "",
            fault.code,
            WHAT_TO_DO.get(fault.code, "fix the storage"),
        )

    def clear(self) -> None:
        """A write succeeded: the fault, if any, is over."""
        with self._lock:
            fault, self._fault = self._fault, None
        if fault is not None:
            logger.warning("the database accepts writes again (%s is over)", fault.code)


_HEALTH: weakref.WeakKeyDictionary[Engine, StorageHealth] = weakref.WeakKeyDictionary()
_HEALTH_GUARD = threading.Lock()


def storage_health(engine: Engine) -> StorageHealth:
    """The :class:`StorageHealth` of one engine (one per database per process)."""
    with _HEALTH_GUARD:
        health = _HEALTH.get(engine)
        if health is None:
            health = _HEALTH[engine] = StorageHealth()
        return health


class WriteWatch:
    """Tells whether a write transaction changed anything: only such a transaction,
    once committed, proves that the database accepts writes again (a transaction
    that changed nothing commits even on a full disk)."""

    def __init__(self, conn: Connection) -> None:
        self._sqlite_changes = _sqlite_changes(conn)

    def changed(self, conn: Connection) -> bool:
        """Call inside the transaction, before its commit."""
        if self._sqlite_changes is not None:
            now = _sqlite_changes(conn)
            return now is not None and now > self._sqlite_changes
        if conn.dialect.name == "postgresql":
            # A transaction gets an id with its first write.
            return conn.execute(text("SELECT txid_current_if_assigned()")).scalar() is not None
        return False


def _sqlite_changes(conn: Connection) -> int | None:
    if conn.dialect.name != "sqlite":
        return None
    changes = getattr(conn.connection.dbapi_connection, "total_changes", None)
    return changes if isinstance(changes, int) else None


PROBE = text("UPDATE alembic_version SET version_num = version_num")


def probe_writes(conn: Connection) -> None:
    """Change a row and undo it: raises the driver's error when the database refuses
    writes (read-only file or transaction). A full disk shows only at a commit."""
    with conn.begin() as transaction:
        conn.execute(PROBE)
        transaction.rollback()
