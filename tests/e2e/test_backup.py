"""``motcua backup`` while a hub serves under load, and ``motcua restore``: nothing that
was acknowledged before the backup started is missing after the restore."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.support import (
    STAFF,
    ApiClient,
    LoadThreads,
    MotcuaCli,
    Site,
    StartHub,
    login_token,
    motcua_command,
)

pytestmark = pytest.mark.slow


class Kiosks(LoadThreads):
    """Kiosks issuing tickets as fast as they can, each 201 recorded with its time."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.acked: list[tuple[float, str]] = []
        super().__init__([self._run] * 3, join_s=30.0)

    def _run(self) -> None:
        with ApiClient(self.url, self.token) as kiosk:
            while not self.stop.is_set():
                ticket = kiosk.issue("dat-dai")
                self.acked.append((time.monotonic(), ticket["id"]))


def test_backup_under_load_then_restore_keeps_every_acknowledged_row(
    any_site: Site, start_hub: StartHub, tmp_path: Path
) -> None:
    """GIVEN a hub issuing tickets under load, with a staff login and a counter opened
    (audit rows) WHEN `motcua backup` runs mid-load, `motcua restore` is tried while the
    hub serves (refused), then run with the hub stopped THEN every ticket and audit row
    acknowledged before the backup started is in the restored database, which serves."""
    site = any_site
    (hub,) = start_hub(site, "backup")
    cli = MotcuaCli(site.config.path, site.env, site.workdir)
    staff = login_token(hub.url, STAFF[0], site.passwords[STAFF[0]])
    with ApiClient(hub.url, staff) as api:
        api.open_counter("1")
    with Kiosks(hub.url, site.kiosk_token) as load:
        time.sleep(1.0)
        started = time.monotonic()
        out = cli.run("backup", "--out", str(tmp_path / "backups"), "--keep", "3")
        time.sleep(0.5)
    before = {ticket for at, ticket in load.acked if at < started}
    assert len(before) > 20, "the load did not run"
    file = Path(out.strip().splitlines()[-1])
    assert file.is_file() and file.parent == tmp_path / "backups"

    refused = subprocess.run(
        [*motcua_command(), "--config", str(site.config.path), "restore", str(file)],
        env=site.env, cwd=site.workdir, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "stop" in refused.stderr

    hub.stop()
    cli.run("restore", str(file))
    hub.start()
    stored = {row[0] for row in site.db.rows("SELECT id FROM tickets")}
    assert before <= stored, f"{len(before - stored)} acknowledged tickets lost"
    actions = {row[0] for row in site.db.rows("SELECT action FROM audit_log")}
    assert {"login", "counter_open"} <= actions
    with ApiClient(hub.url, site.kiosk_token) as kiosk:
        assert kiosk.issue("dat-dai")["status"] == "waiting"


def test_backups_rotate_past_keep(sqlite_site: Site, tmp_path: Path) -> None:
    """GIVEN four backups in a row with --keep 2 THEN two files remain, the newest, each
    passing SQLite's integrity check."""
    import sqlite3

    cli = MotcuaCli(sqlite_site.config.path, sqlite_site.env, sqlite_site.workdir)
    made = []
    for _ in range(4):
        made.append(cli.run("backup", "--out", str(tmp_path), "--keep", "2").splitlines()[-1])
        time.sleep(1.1)  # names are per second
    left = sorted(str(p) for p in tmp_path.glob("motcua-*.db"))
    assert left == sorted(made[-2:])
    for name in left:
        with sqlite3.connect(name) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
