"""Copies of the hub's database a centre can keep, check and bring back.

SQLite: :func:`sqlite_backup` uses SQLite's online backup API (never a file copy
of a live WAL database), page by page while the hub goes on serving, then checks
the copy with ``PRAGMA integrity_check``. PostgreSQL: ``pg_dump`` in its custom
format, restored with ``pg_restore``. Files are named by their UTC time and the
oldest are rotated out past a number to keep.

A restore may only happen while no hub serves the data folder: ``motcua serve``
holds a shared lock on ``<data>/serving.lock`` for as long as it runs, and
:func:`no_hub_serving` takes it exclusively.
"""

from __future__ import annotations

import fcntl
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import make_url

from hub import errors

LOCK_FILE = "serving.lock"
PREFIX = "motcua-"
PAGES_PER_STEP = 256


class BackupError(errors.HubError):
    """A backup or a restore that cannot be done (the message says why)."""

    status = 409
    code = "backup_failed"


def stamp(now: datetime) -> str:
    """``20261204-1530Z``: sortable, and safe in a file name."""
    return now.strftime("%Y%m%d-%H%M%SZ")


@contextmanager
def serving(data_dir: Path) -> Iterator[IO[str]]:
    """Held by ``motcua serve`` for as long as it runs (shared: several may serve)."""
    with open(data_dir / LOCK_FILE, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        yield handle


@contextmanager
def no_hub_serving(data_dir: Path) -> Iterator[None]:
    """Exclusive: refuses while a hub serves this data folder.

    Raises:
        BackupError: a hub is serving.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_FILE, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(
                f"a hub is serving {data_dir}: stop it first "
                "(sudo systemctl stop motcua-hub), then restore"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL."""
    return Path(make_url(url).database or "")


def sqlite_backup(
    source: Path, target: Path, progress: Callable[[int, int], None] | None = None
) -> None:
    """A consistent copy of a live SQLite database (online backup API), checked.

    Raises:
        BackupError: the copy fails its integrity check.
    """
    partial = target.with_suffix(".partial")

    def step(status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    with closing(sqlite3.connect(source, timeout=30)) as src:
        with closing(sqlite3.connect(partial)) as dst:
            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
            # A backup file stands alone: no -wal/-shm beside it (the hub turns WAL on
            # again when it opens a restored copy).
            dst.execute("PRAGMA journal_mode=DELETE")
    problems = integrity_problems(partial)
    if problems:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {problems}")
    partial.replace(target)


def integrity_problems(path: Path) -> str:
    """``""`` when ``PRAGMA integrity_check`` says ok and the file is a motcua database."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as err:
        return f"not a SQLite database ({err})"
    if result != [("ok",)]:
        return "; ".join(str(r[0]) for r in result[:5])
    if not {"alembic_version", "tickets"} <= tables:
        return "not a motcua database (no tickets, no migration version)"
    return ""


def pg_dump(url: str, target: Path) -> None:
    """``pg_dump`` in custom format (``pg_restore`` reads it); only the hub's schema
    when its URL sets a ``search_path``.

    Raises:
        BackupError: ``pg_dump`` is missing or fails.
    """
    schema = _schema(url)
    only = [f"--schema={schema}"] if schema else []
    _run_pg("pg_dump", "--format=custom", f"--file={target}", "--no-owner", *only, _libpq(url))


def pg_restore(url: str, source: Path) -> None:
    """Replace the database's content with a ``pg_dump`` file."""
    _run_pg("pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={_libpq(url)}",
            str(source))  # fmt: skip


def _schema(url: str) -> str | None:
    """The schema a URL's ``options=-csearch_path=…`` names, if any."""
    options = make_url(url).query.get("options")
    text = options if isinstance(options, str) else " ".join(options or ())
    match = re.search(r"search_path=([A-Za-z0-9_]+)", text.replace("%3D", "="))
    return match.group(1) if match else None


def _libpq(url: str) -> str:
    """A libpq URL (without SQLAlchemy's driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run_pg(program: str, *args: str) -> None:
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (sudo apt install postgresql-client)")
    done = subprocess.run([program, *args], capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupError(f"{program}: {last}")


def rotate(folder: Path, keep: int, suffix: str) -> list[Path]:
    """Delete the oldest backups past ``keep``; returns the deleted files."""
    found = sorted(folder.glob(f"{PREFIX}*{suffix}"))
    old = found[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old
