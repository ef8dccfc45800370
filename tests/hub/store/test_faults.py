"""A full disk or a read-only database is the hub's 503 ``storage_full`` /
``storage_read_only``, from the drivers' own errors (hub.store.faults)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.exc import OperationalError

from hub.errors import StorageFull, StorageReadOnly
from hub.store.db import make_test_engine, read, upgrade, writable, write
from hub.store.faults import storage_fault, storage_health
from hub.store.tables import audit_log
from tests.conftest import Database
from tests.support.storage import full, read_only

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


@pytest.fixture
def engine(database: Database) -> Iterator[Engine]:
    engine = make_test_engine(database.url)
    upgrade(engine)
    yield engine
    engine.dispose()


def add_row(conn, n: int = 0) -> None:
    conn.execute(
        insert(audit_log).values(
            at=NOW, actor="test", action="probe", target=f"row:{n}", address=None
        )
    )


def row_count(engine: Engine) -> int:
    with read(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def test_a_read_only_database_is_storage_read_only_and_recovers(engine: Engine) -> None:
    """GIVEN a database its server keeps read-only (SQLite's SQLITE_READONLY, PostgreSQL's
    25006) WHEN the hub writes THEN StorageReadOnly (503), nothing saved, the fault
    remembered; once writes work again, the first write that changes a row clears it."""
    health = storage_health(engine)
    with read_only(engine):
        assert isinstance(writable(engine), StorageReadOnly)
        with pytest.raises(StorageReadOnly) as caught:
            with write(engine) as conn:
                add_row(conn)
        assert caught.value.status == 503 and caught.value.code == "storage_read_only"
        assert health.fault is not None and health.fault.code == "storage_read_only"
    assert row_count(engine) == 0
    with write(engine) as conn:
        conn.execute(text("SELECT 1"))  # changes nothing: proves nothing
    assert health.fault is not None
    with write(engine) as conn:
        add_row(conn)
    assert health.fault is None
    assert writable(engine) is None
    assert row_count(engine) == 1


def test_a_full_database_is_storage_full(engine: Engine) -> None:
    """GIVEN a database that cannot grow (SQLITE_FULL; PostgreSQL's 53100 from the server)
    WHEN the hub keeps writing THEN StorageFull (503) once its room is used up, and what
    was refused is not saved."""
    with full(engine):
        saved = 0
        with pytest.raises(StorageFull) as caught:
            for n in range(5000):
                with write(engine) as conn:
                    add_row(conn, n)
                saved += 1
        assert caught.value.status == 503
        assert storage_health(engine).fault is not None
    assert row_count(engine) == saved
    with write(engine) as conn:
        add_row(conn)
    assert storage_health(engine).fault is None


def test_the_fault_is_logged_once_while_it_lasts(engine: Engine, caplog) -> None:
    """GIVEN a read-only database WHEN twenty writes fail THEN one warning line, and one
    more when writes work again."""
    caplog.set_level(logging.INFO, logger="hub.store")
    with read_only(engine):
        for n in range(20):
            with pytest.raises(StorageReadOnly):
                with write(engine) as conn:
                    add_row(conn, n)
    with write(engine) as conn:
        add_row(conn)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("hub.store")]
    assert len(lines) == 2, lines
    assert "storage_read_only" in lines[0] and "writable" in lines[0]
    assert "accepts writes again" in lines[1]


def test_a_read_only_sqlite_file_is_storage_read_only(tmp_path: Path) -> None:
    """GIVEN a SQLite file opened read-only (as SQLite does when the file is not
    writable) WHEN written THEN StorageReadOnly."""
    path = tmp_path / "motcua.db"
    writable_engine = make_test_engine(f"sqlite:///{path}")
    upgrade(writable_engine)
    writable_engine.dispose()
    engine = make_test_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with pytest.raises(StorageReadOnly):
            with write(engine) as conn:
                add_row(conn)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (sqlite3.OperationalError("database or disk is full"), None),  # no code: not ours
        (OSError(28, "No space left on device"), StorageFull),
        (OSError(30, "Read-only file system"), StorageReadOnly),
        (OSError(13, "Permission denied"), None),
        (ValueError("nothing to do with storage"), None),
    ],
)
def test_the_mapping_of_other_errors(error: BaseException, expected: type | None) -> None:
    fault = storage_fault(error)
    assert (type(fault) if fault is not None else None) is expected


def test_sqlite_result_codes_are_read_from_the_driver(tmp_path: Path) -> None:
    """The real sqlite3 errors carry their result codes, extended ones too."""
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA query_only = ON")
    with pytest.raises(sqlite3.OperationalError) as caught:
        conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
    assert isinstance(storage_fault(caught.value), StorageReadOnly)
    wrapped = OperationalError("INSERT", {}, caught.value)
    assert isinstance(storage_fault(wrapped), StorageReadOnly)


@pytest.mark.postgres
def test_postgres_disk_full_sqlstate_from_the_server(pg_database: Database) -> None:
    """GIVEN PostgreSQL answering SQLSTATE 53100 (disk_full) WHEN the hub writes THEN
    StorageFull: the server's own error, through psycopg and SQLAlchemy."""
    engine = make_test_engine(pg_database.url)
    try:
        with pytest.raises(StorageFull):
            with write(engine) as conn:
                conn.execute(
                    text(
                        "DO $$ BEGIN RAISE EXCEPTION 'could not extend file' "
                        "USING ERRCODE = '53100'; END $$"
                    )
                )
    finally:
        engine.dispose()
