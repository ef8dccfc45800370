"""``motcua doctor`` on a hub's file: its data folder, its database (read, never
migrated), ``[site] public_url`` and the TLS files of ``[server]``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from config.paths import EXAMPLES
from hub.store.db import current_revision, make_test_engine, upgrade
from tests.doctor.support import doctor, failures, line, self_signed
from tests.support.paths import REPO

HEAD = max(p.name[:4] for p in (REPO / "hub/migrations/versions").glob("0*.py"))


def hub_file(tmp_path: Path, public_url: str | None = "http://192.168.1.10:8080", extra="") -> Path:
    """The demo centre's file with ``public_url`` (or without)."""
    demo = (EXAMPLES / "demo.toml").read_text("utf-8")
    if public_url is not None:
        demo = demo.replace('timezone = "Asia/Ho_Chi_Minh"\n', f'public_url = "{public_url}"\n', 1)
    path = tmp_path / "hub.toml"
    path.write_text(demo + extra, "utf-8")
    return path


def migrated(data: Path, revision: str = "head") -> Path:
    """The data folder's SQLite database, migrated to ``revision``."""
    file = data / "motcua.db"
    engine = make_test_engine(f"sqlite:///{file}")
    upgrade(engine, revision)
    engine.dispose()
    return file


def test_a_healthy_hub(capsys, tmp_path, environment) -> None:
    """GIVEN a hub's file with public_url and a migrated database WHEN the doctor runs THEN
    the hub's lines are ✓, it exits 0, and the database was not changed."""
    file = migrated(environment)
    before = file.stat().st_mtime_ns
    code, lines, err = doctor(capsys, hub_file(tmp_path))
    assert code == 0, "\n".join(lines)
    assert err == "" and not failures(lines)
    line(lines, "✓ configuration:", "roles: hub")
    line(lines, f"✓ hub: data folder {environment} is writable")
    line(lines, f"✓ hub: database sqlite:///{file} opens, at the newest migration ({HEAD})")
    line(lines, "✓ hub: [site] public_url is http://192.168.1.10:8080 (the tickets' QR codes)")
    assert file.stat().st_mtime_ns == before
    assert sorted(p.name for p in environment.iterdir()) == ["motcua.db"]


@pytest.mark.parametrize("url", [None, "http://localhost:8080", "http://127.0.0.1:8080"])
def test_a_public_url_phones_cannot_open(capsys, tmp_path, environment, url) -> None:
    """GIVEN no public_url, or this machine's own address WHEN the doctor runs THEN that line
    is ✗: printed QR codes will not open on citizens' phones; it says what to set."""
    migrated(environment)
    code, lines, _ = doctor(capsys, hub_file(tmp_path, url))
    assert code == 1
    (bad,) = failures(lines)
    assert bad.startswith("✗ hub: [site] public_url ")
    assert "printed QR codes will not open on citizens' phones — set public_url in [site]" in bad


def test_databases_missing_empty_behind_and_too_new(capsys, tmp_path, environment) -> None:
    """GIVEN no database, an empty one, one at an older migration, one from a newer motcua
    WHEN the doctor runs THEN the database's line is ✗ saying what to do, each time, and the
    doctor migrated nothing."""
    path = hub_file(tmp_path)
    file = environment / "motcua.db"
    code, lines, _ = doctor(capsys, path)
    assert code == 1 and failures(lines) == [
        f"✗ hub: no database at {file} — start the hub once (sudo systemctl start motcua-hub): "
        "it makes the database; or put a backup in place: motcua restore FILE"
    ]
    assert not file.exists()

    file.touch()
    code, lines, _ = doctor(capsys, path)
    line(lines, f"✗ hub: database sqlite:///{file} is empty — start the hub once")

    file.unlink()
    migrated(environment, "0002")
    code, lines, _ = doctor(capsys, path)
    assert code == 1
    line(lines, f"✗ hub: database sqlite:///{file} is at migration 0002, not the newest ({HEAD})")
    assert current_revision(make_test_engine(f"sqlite:///{file}")) == "0002"

    engine = make_test_engine(f"sqlite:///{file}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    code, lines, _ = doctor(capsys, path)
    assert code == 1
    line(lines, "✗ hub: database", "is at migration 9999, newer than this motcua knows")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_files_that_load_and_a_key_of_another_certificate(capsys, tmp_path, environment):
    """GIVEN [server] tls_cert and tls_key WHEN they are a pair THEN ✓; WHEN the key is
    another certificate's THEN ✗ naming both files."""
    migrated(environment)
    self_signed(tmp_path, "hub")
    self_signed(tmp_path, "other")
    good = '\n[server]\ntls_cert = "hub.pem"\ntls_key = "hub.key"\n'
    code, lines, _ = doctor(capsys, hub_file(tmp_path, extra=good))
    assert code == 0, "\n".join(lines)
    line(lines, f"✓ hub: TLS certificate {tmp_path / 'hub.pem'} and key", "load and match")
    code, lines, _ = doctor(capsys, hub_file(tmp_path, extra=good.replace("hub.key", "other.key")))
    assert code == 1
    (bad,) = failures(lines)
    assert bad.startswith(f"✗ hub: TLS certificate {tmp_path / 'hub.pem'} and key ")
    assert "other.key do not load" in bad and "motcua tls init" in bad
