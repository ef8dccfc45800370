"""``motcua serve`` on a data folder it cannot write says so in one line and exits 2
(issue 12.4: it died with a ``PermissionError … secret_key`` traceback, or retried a
migration that could never work)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.hub.cli.test_commands import run
from tests.support.live import free_port
from tests.support.storage import read_only_folder

WHAT_TO_DO = "make the data folder writable by the hub's user, or point MOTCUA_DATA"


def serve(data: Path):  # noqa: ANN201 - subprocess.CompletedProcess[str]
    return run(["serve", "--host", "127.0.0.1", "--port", str(free_port())], data)


def assert_one_line(result, *words: str) -> None:  # noqa: ANN001
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("motcua: ")
    for word in words:
        assert word in lines[0], lines[0]


def test_an_empty_read_only_folder(tmp_path: Path) -> None:
    """GIVEN an empty data folder nobody may write WHEN serve starts THEN one line naming
    the secret key, why, and what to do."""
    data = tmp_path / "data"
    data.mkdir()
    with read_only_folder(data):
        result = serve(data)
    assert_one_line(result, f"cannot create the hub's secret key {data / 'secret_key'}",
                    WHAT_TO_DO)  # fmt: skip


def test_a_data_folder_that_cannot_be_made(tmp_path: Path) -> None:
    """GIVEN a data folder to create inside a read-only one WHEN serve starts THEN one line."""
    parent = tmp_path / "parent"
    parent.mkdir()
    with read_only_folder(parent):
        result = serve(parent / "data")
    assert_one_line(result, f"cannot create the data folder {parent / 'data'}", WHAT_TO_DO)


def test_a_database_that_cannot_be_opened(tmp_path: Path) -> None:
    """GIVEN a read-only data folder holding its key and a WAL database (SQLite cannot make
    the database's -shm file beside it) WHEN serve starts THEN one line at once, not a
    migration retried in a loop."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret_key").write_text("0" * 64)
    conn = sqlite3.connect(data / "motcua.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with read_only_folder(data):
        result = serve(data)
    assert_one_line(result, f"cannot use the database {data / 'motcua.db'}", "read and write")
