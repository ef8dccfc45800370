"""The command line: users, devices, migrations on start, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.paths import EXAMPLES

DEMO = str(EXAMPLES / "demo.toml")


def run(args: list[str], data: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "MOTCUA_DATA": str(data), **env}
    environ.pop("MOTCUA_DATABASE_URL", None)
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", "--config", DEMO, *args],
        input=stdin, capture_output=True, text=True, timeout=120, env=environ,
    )  # fmt: skip


def test_user_and_device_commands(tmp_path: Path) -> None:
    """GIVEN a new data folder WHEN users and devices are added THEN the database is
    created and migrated, and the device token is alone on the last line."""
    r = run(["user", "add", "quantri", "--role", "admin", "--password-stdin"], tmp_path,
            "mot-mat-khau-dai-2026\n")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "motcua.db").exists()
    r = run(["device", "add", "pad-1", "--kind", "rating-pad", "--counter", "1"], tmp_path)
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    from argon2 import PasswordHasher

    from hub.accounts import TokenService
    from hub.store.db import make_test_engine
    from tests.conftest import FakeClock

    engine = make_test_engine(f"sqlite:///{tmp_path / 'motcua.db'}")
    from config.schema import load_config

    tokens = TokenService(engine, load_config(DEMO).security, FakeClock(), PasswordHasher())
    actor = tokens.resolve(token)
    assert actor is not None and actor.kind == "device" and actor.counter_id == "1"
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["user", "add", "quantri", "--role", "admin", "--password-stdin"], "short\n", "ít nhất"),
        (["user", "add", "Bad Name", "--role", "staff", "--password-stdin"],
         "mot-mat-khau-dai-2026\n", "Tên đăng nhập"),
        (["device", "add", "pad", "--kind", "rating-pad", "--counter", "9"], "",
         'unknown counter "9"'),
        (["device", "add", "pad", "--kind", "rating-pad"], "", "quầy"),
        (["say", "12a"], "", "không hợp lệ"),
    ],
)  # fmt: skip
def test_errors_are_one_line_with_status_2(tmp_path: Path, args, stdin, message) -> None:
    r = run(args, tmp_path, stdin)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr and "Traceback" not in r.stderr


def test_say_prints_the_words(tmp_path: Path) -> None:
    r = run(["say", "1023"], tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == "một nghìn không trăm hai mươi ba"


def test_serve_checks_the_hub_feature_sections_at_start(tmp_path: Path) -> None:
    """GIVEN mistakes in [alerts], [upstream] and [booking] WHEN the hub starts THEN it
    stops at once, naming each key (not later, in a background thread)."""
    path = tmp_path / "c.toml"
    path.write_text(
        '[site]\nid = "x"\nname = "X"\n[[services]]\nid = "s"\nname = "S"\n'
        '[[counters]]\nid = "1"\nname = "Quầy 1"\nservices = ["s"]\n'
        '[alerts]\nnegativ_streak = 3\n[upstream]\nurl = "ftp://x"\n[booking]\nenabld = true\n',
        encoding="utf-8",
    )
    environ = {**os.environ, "MOTCUA_DATA": str(tmp_path)}
    environ.pop("MOTCUA_DATABASE_URL", None)
    r = subprocess.run(
        [sys.executable, "-m", "hub.cli", "--config", str(path), "serve"],
        capture_output=True, text=True, timeout=120, env=environ,
    )  # fmt: skip
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert 'alerts.negativ_streak: unknown key (did you mean "negative_streak"?)' in r.stderr
    assert "upstream.url: must be a URL starting with http:// or https://" in r.stderr
    assert 'booking.enabld: unknown key (did you mean "enabled"?)' in r.stderr
