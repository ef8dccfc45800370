"""Database connection: SQLite in WAL mode by default, PostgreSQL by URL.

Write transactions that decide numbers or calls must be serialised by the
database, not by this process: on SQLite they start with ``BEGIN IMMEDIATE``
(one writer at a time, across processes); on PostgreSQL they use row locks
(``FOR UPDATE`` / ``SKIP LOCKED``) in the repositories.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from hub.errors import HubError, StorageReadOnly
from hub.store.faults import (
    WHAT_TO_DO,
    DatabaseUnavailable,
    StorageHealth,
    WriteWatch,
    database_fault,
    driver_message,
    is_unavailable,
    probe_writes,
    storage_fault,
    storage_health,
)
from hub.store.offload import OffloadedSqlite, cooperative_psycopg, scanning, under_gevent

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def default_data_dir() -> Path:
    """The data folder: ``MOTCUA_DATA`` or ``var/``."""
    return Path(os.environ.get("MOTCUA_DATA") or "var")


def database_url(data_dir: Path | None = None) -> str:
    """``MOTCUA_DATABASE_URL``, else a SQLite file in the data folder."""
    url = os.environ.get("MOTCUA_DATABASE_URL")
    if url:
        return normalise_url(url)
    folder = data_dir or default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(folder / 'motcua.db').resolve()}"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, synchronous: str = "FULL") -> Engine:
    """Create the engine with motcua's durability and locking settings.

    Args:
        url: SQLAlchemy URL.
        synchronous: SQLite ``PRAGMA synchronous`` (``FULL``: a committed
            ticket survives a power cut; ``NORMAL``: may lose the last
            transactions on power loss, never on a process crash).
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        options: dict[str, Any] = {}
        if under_gevent():
            # The write lock's wait and the commit's fsync in a real thread: one slow
            # disk never freezes the screens' greenlets (see hub.store.offload).
            options["creator"] = partial(_offloaded_sqlite, make_url(url).database or "")
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=16,
            max_overflow=32,
            **options,
        )
        _configure_sqlite(engine, synchronous)
        return engine
    try:
        engine = create_engine(url, pool_size=16, max_overflow=32, pool_pre_ping=True)
    except ModuleNotFoundError as err:
        raise MissingDriver(
            f"{url.split('://', 1)[0]} needs its driver ({err.name}): "
            "pip install 'motcua[postgres]'"
        ) from None
    cooperative_psycopg()
    return engine


def _offloaded_sqlite(path: str) -> OffloadedSqlite:
    connection = sqlite3.connect(
        path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    return OffloadedSqlite(connection)


def make_test_engine(url: str) -> Engine:
    """An engine without pooling, for short-lived helpers and tests."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 10})
        _configure_sqlite(engine, "FULL")
        return engine
    return create_engine(url, poolclass=NullPool)


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit
        # BEGIN would be DEFERRED and could not be made IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("motcua_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def _writer_lock(engine: Engine) -> threading.Lock | None:
    """One lock per SQLite engine: threads of this process queue for the write lock
    here, in turn, instead of sleeping in SQLite's busy handler (whose growing
    back-off made the slowest requests wait seconds under load). Other processes
    are still serialised by ``BEGIN IMMEDIATE``."""
    if engine.dialect.name != "sqlite":
        return None
    with _LOCKS_GUARD:
        lock = _WRITE_LOCKS.get(engine)
        if lock is None:
            lock = _WRITE_LOCKS[engine] = threading.Lock()
        return lock


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A write transaction: ``BEGIN IMMEDIATE`` on SQLite, plain on PostgreSQL.

    Commits on success, rolls back on any exception. A full disk or a read-only
    database raises :class:`~hub.errors.StorageFull` or
    :class:`~hub.errors.StorageReadOnly` (see :mod:`hub.store.faults`).

    Raises:
        DatabaseUnavailable: the database could not be reached, or the connection
            was lost (nothing of the transaction is kept, unless it was lost while
            committing; a client sends such a request again, see the contract).
    """
    health = storage_health(engine)
    if isinstance(health.fault, StorageReadOnly) and engine.dialect.name == "sqlite":
        # SQLite opens a file it may not write read-only, and such a connection stays
        # read-only once the file is writable again: while the database is read-only,
        # each write opens it anew, and the first one after the fix works.
        engine.dispose()
    with unavailable_as_error(), _writer_lock(engine) or nullcontext(), engine.connect() as raw:
        conn = raw.execution_options(motcua_write=True)
        try:
            watch = WriteWatch(conn) if health.fault is not None else None
            with conn.begin():
                yield conn
                changed = watch is not None and watch.changed(conn)
        except DBAPIError as err:
            fault = _fault_of(health, raw, err)
            if fault is None:
                raise
            raise fault from err
        if changed:
            health.clear()


@contextmanager
def read(engine: Engine, *, scan: bool = False) -> Iterator[Connection]:
    """A read transaction (a consistent snapshot).

    Args:
        scan: it may read much (a report, the dashboard, the audit log): on SQLite
            under gevent its statements run in a real thread too
            (:func:`hub.store.offload.scanning`).

    Raises:
        DatabaseUnavailable: as :func:`write`.
    """
    with unavailable_as_error(), engine.connect() as conn:
        try:
            with scanning(conn.connection.dbapi_connection) if scan else nullcontext():
                with conn.begin():
                    yield conn
        except DBAPIError as err:
            fault = _fault_of(storage_health(engine), conn, err)
            if fault is None:
                raise
            raise fault from err


def _fault_of(health: StorageHealth, conn: Connection, err: DBAPIError) -> HubError | None:
    """The hub's error for a full disk or a read-only database (recorded in
    ``health``), else None. A connection that met a read-only database is dropped:
    the next one may be writable (see :func:`write`)."""
    fault = storage_fault(err)
    if fault is None:
        return None
    health.record(fault, err)
    if isinstance(fault, StorageReadOnly):
        conn.invalidate()
    return fault


def writable(engine: Engine) -> HubError | None:
    """None when the database accepts a write, else why not (a read-only file, a
    read-only transaction). Records the fault in the engine's :class:`StorageHealth`."""
    with engine.connect() as conn:
        try:
            probe_writes(conn.execution_options(motcua_write=True))
        except DBAPIError as err:
            fault = _fault_of(storage_health(engine), conn, err)
            if fault is None:
                raise
            return fault
    return None


@contextmanager
def unavailable_as_error() -> Iterator[None]:
    """Turn a lost or refused database connection into :class:`DatabaseUnavailable`
    (a 503 with its code, and one line in the log instead of a traceback)."""
    try:
        yield
    except DBAPIError as err:
        if not isinstance(database_fault(err), DatabaseUnavailable):
            raise
        logger.warning("database unavailable: %s", _first_line(err.orig))
        raise DatabaseUnavailable() from err


def _first_line(err: BaseException | None) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def alembic_config(conn: Connection) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest by default).

    Several processes may start at once: on PostgreSQL an advisory lock lets
    one migrate while the others wait; on SQLite the write lock does that.
    """
    for attempt in range(MIGRATE_ATTEMPTS):
        try:
            with engine.connect() as raw:
                conn = raw.execution_options(motcua_write=True)
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_lock(74656)"))
                    conn.commit()
                try:
                    with conn.begin():
                        config = alembic_config(conn)
                        refuse_newer(conn, config)
                        command.upgrade(config, revision)
                finally:
                    if conn.dialect.name == "postgresql":
                        conn.execute(text("SELECT pg_advisory_unlock(74656)"))
                        conn.commit()
            return
        except DBAPIError as err:
            if not _busy(err) or attempt == MIGRATE_ATTEMPTS - 1:
                raise DatabaseUnusable(cannot_use(engine, err)) from err
            logger.info("database busy while migrating (%s); retrying", driver_message(err))
            time.sleep(0.25)


MIGRATE_ATTEMPTS = 20
SQLITE_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED


def _busy(err: DBAPIError) -> bool:
    """True for a database another process holds for now (worth a retry): SQLite's
    lock, or PostgreSQL not answering yet; never a full disk or a read-only file."""
    if not isinstance(err, OperationalError) or storage_fault(err) is not None:
        return False
    code = getattr(err.orig, "sqlite_errorcode", None)
    return code is None or code & 0xFF in SQLITE_BUSY_CODES


def cannot_use(engine: Engine, err: BaseException) -> str:
    """One line: why the hub cannot use its database, and what to do."""
    where = engine.url.database if engine.dialect.name == "sqlite" else None
    where = where or engine.url.render_as_string(hide_password=True)
    fault = storage_fault(err)
    if fault is not None:
        return (
            f"cannot write the database {where} ({fault.code}: {driver_message(err)}): "
            f"{WHAT_TO_DO[fault.code]}"
        )
    return (
        f"cannot use the database {where} ({driver_message(err)}): check that it "
        "exists and answers, and that the hub's user may read and write it (and, "
        "for SQLite, its folder)"
    )


class DatabaseUnusable(HubError):
    """The database cannot be opened or migrated (the message says why)."""

    status = 503
    code = "database_unavailable"


class MissingDriver(HubError):
    """The database URL names a database whose driver is not installed."""

    status = 503
    code = "missing_driver"


class DatabaseTooNew(HubError):
    """The database was migrated by a newer motcua than this one."""

    status = 503
    code = "database_too_new"


def refuse_newer(conn: Connection, config: AlembicConfig) -> None:
    """Refuse a database at a migration this code does not know.

    Raises:
        DatabaseTooNew: naming both versions.
    """
    current = MigrationContext.configure(conn).get_current_revision()
    scripts = ScriptDirectory.from_config(config)
    if current is None:
        return
    try:
        scripts.get_revision(current)
        return
    except CommandError:
        pass
    raise DatabaseTooNew(
        f"the database is at migration {current}, newer than this motcua knows "
        f"(its newest is {scripts.get_current_head()}): install the newer motcua, "
        "or restore a backup made with this one"
    )


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` when empty."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as err:  # noqa: BLE001 - any failure means "not healthy"
        if is_unavailable(err):
            logger.warning("database ping failed: %s", _first_line(getattr(err, "orig", err)))
        else:
            logger.exception("database ping failed")
        return False
