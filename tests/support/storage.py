"""A database that refuses writes, as its own driver says it, for the storage-fault tests.

Each helper makes the *server* answer with its real error, through the real driver:

- :func:`read_only`: SQLite's ``PRAGMA query_only`` (``SQLITE_READONLY``, "attempt to
  write a readonly database"); PostgreSQL's ``default_transaction_read_only``
  (SQLSTATE 25006, as on a hot standby);
- :func:`full`: SQLite's ``PRAGMA max_page_count`` at the database's current size
  (``SQLITE_FULL``, "database or disk is full", once the free room inside the file
  is used up); on PostgreSQL, whose disk a test cannot fill (the server is shared),
  statement triggers that raise SQLSTATE 53100 (disk_full) from the server on every
  insert and update.

Both apply to the connections the engine opens from now on (the pool is emptied on
the way in and out).

:func:`read_only_folder` makes a folder read-only for real: a read-only bind mount
when the tests run as root (root writes through file modes), file modes otherwise.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

PG_FULL_FUNCTION = """
CREATE FUNCTION motcua_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100';
END $$
"""


@contextmanager
def _on_connect(engine: Engine, setup: Any) -> Iterator[None]:
    event.listen(engine, "connect", setup)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", setup)
        engine.dispose()


def _run(dbapi_conn: Any, *statements: str) -> list[Any]:
    cursor = dbapi_conn.cursor()
    rows = []
    for statement in statements:
        cursor.execute(statement)
        rows.append(cursor.fetchone() if cursor.description else None)
    cursor.close()
    return rows


@contextmanager
def read_only(engine: Engine) -> Iterator[None]:
    """Every write the engine tries meets its driver's read-only error."""

    def setup(dbapi_conn: Any, _record: Any) -> None:
        if engine.dialect.name == "sqlite":
            _run(dbapi_conn, "PRAGMA query_only = ON")
        else:
            _run(dbapi_conn, "SET SESSION default_transaction_read_only = on")
            dbapi_conn.commit()

    with _on_connect(engine, setup):
        yield


@contextmanager
def full(engine: Engine) -> Iterator[None]:
    """The engine's database cannot grow: SQLITE_FULL, or PostgreSQL's 53100."""
    if engine.dialect.name == "sqlite":

        def setup(dbapi_conn: Any, _record: Any) -> None:
            (pages,) = _run(dbapi_conn, "PRAGMA page_count")[0]
            _run(dbapi_conn, f"PRAGMA max_page_count = {int(pages)}")

        with _on_connect(engine, setup):
            yield
        return
    with engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                    "AND table_name <> 'alembic_version'"
                )
            )
        ]
        conn.execute(text(PG_FULL_FUNCTION))
        for table in tables:
            conn.execute(
                text(
                    f'CREATE TRIGGER motcua_test_disk_full BEFORE INSERT OR UPDATE ON "{table}" '
                    "FOR EACH STATEMENT EXECUTE FUNCTION motcua_test_disk_full()"
                )
            )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP FUNCTION motcua_test_disk_full() CASCADE"))


def is_root() -> bool:
    return os.geteuid() == 0


@contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """``folder`` (which must exist) refuses every write, even root's, until the end."""
    if not is_root():
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    with read_only_mount(folder):
        yield


@contextmanager
def read_only_mount(path: Path) -> Iterator[None]:
    """A read-only bind mount of ``path`` (a folder or a file) over itself (root only)."""
    try:
        _mount("--bind", str(path), str(path))
    except RuntimeError as err:
        pytest.skip(f"cannot bind-mount {path} read-only here: {err}")
    try:
        _mount("-o", "remount,bind,ro", str(path))
        yield
    finally:
        unmount(path)


@contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (e.g. ``"24m"``) mounted at ``path`` (root only)."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "motcua-test-disk", str(path))
    except RuntimeError as err:
        pytest.skip(f"cannot mount a tmpfs here: {err}")
    try:
        yield path
    finally:
        unmount(path)


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip() or f"mount exited with {done.returncode}")


def unmount(path: Path) -> None:
    """Unmount ``path``; lazily when a process still holds a file of it (the mount
    goes as soon as it lets go)."""
    done = subprocess.run(
        ["umount", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    if done.returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30, check=False)


def fill(folder: Path, name: str = "filler") -> Path:
    """Write a file into ``folder`` until its filesystem has no byte left."""
    filler = folder / name
    chunk = 1 << 20
    with open(filler, "wb", buffering=0) as out:
        while chunk:
            try:
                out.write(b"\0" * chunk)
            except OSError:
                chunk //= 2
    return filler
