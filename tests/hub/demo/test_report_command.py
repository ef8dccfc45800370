"""``motcua demo`` prints the exact ``motcua report`` command that reads its data."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hub.demo import banner, prepare

pytestmark = pytest.mark.slow


def test_the_printed_report_command_reads_the_demo_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a data folder made as `motcua demo` makes it WHEN the report command its
    banner prints is run in a shell, from another folder, with another database named in
    the environment THEN it exits 0 and writes the XLSX from the demo's own database:
    nothing is read from the shell's database or created in the current folder."""
    monkeypatch.setenv("MOTCUA_DATA", "")  # prepare() sets it; restored after the test
    demo = tmp_path / "demo-data"
    settings, _ = prepare(demo)
    lines = banner(settings.config, "http://127.0.0.1:8080", demo)
    command = next(line.strip() for line in lines if " report " in line)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "MOTCUA_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/not-the-demo",
    }

    done = subprocess.run(
        command, shell=True, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stderr[-3000:]
    assert str(demo) in command and "--config" in command
    report = elsewhere / "bao-cao-demo.xlsx"
    assert report.read_bytes()[:2] == b"PK"  # an XLSX is a zip
    assert sorted(p.name for p in elsewhere.iterdir()) == ["bao-cao-demo.xlsx"]
    assert "wrote bao-cao-demo.xlsx" in done.stdout
