"""Shared fixtures: configurations, databases (SQLite and PostgreSQL), the app."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")

# The live server, the Chromium fixtures and the check that no thread outlives its test.
pytest_plugins = [
    "tests.support.live",
    "tests.support.browser",
    "tests.support.threads",
    "tests.support.tcp_proxy",
]


def _drop_escpos_root_handler() -> None:
    """python-escpos calls logging.basicConfig() on import; its stderr handler would
    outlive pytest's captured stream and print "Logging error" noise."""
    import logging

    import escpos.printer  # noqa: F401

    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler:
            root.removeHandler(handler)


_drop_escpos_root_handler()

from config.paths import EXAMPLES  # noqa: E402
from config.schema import Config, load_config  # noqa: E402

POSTGRES_URL = os.environ.get("MOTCUA_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS_URL")
NO_PG = "MOTCUA_TEST_POSTGRES_URL is not set (CI sets it; export it to run PostgreSQL tests)"
NO_REDIS = "MOTCUA_TEST_REDIS_URL is not set (CI sets it; export it to run Redis tests)"
PASSWORD = "mat-khau-thu-nghiem-2026"


class FakeClock:
    """A controllable UTC clock for services (thread-safe)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self._now += timedelta(microseconds=1)  # strictly increasing, like real time
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when


@pytest.fixture(autouse=True)
def _root_logging() -> Iterator[None]:
    """Every test leaves the root logger as it found it. ``motcua``'s main and the
    agents' runner configure it (level INFO, a handler on stderr); left so, later
    tests' ``caplog`` would see INFO lines they do not expect."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def demo_config() -> Config:
    return load_config(EXAMPLES / "demo.toml")


@dataclass
class Database:
    url: str
    backend: str


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_database() -> Iterator[Database]:
    if not POSTGRES_URL:
        pytest.skip(NO_PG)
    from sqlalchemy import text

    from hub.store.db import make_test_engine

    schema = f"t_{secrets.token_hex(6)}"
    admin = make_test_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield Database(_pg_schema_url(POSTGRES_URL, schema), "postgresql")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield Database(f"sqlite:///{tmp_path / 'motcua.db'}", "sqlite")
    else:
        yield request.getfixturevalue("pg_database")


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'motcua.db'}", "sqlite")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def build_app(config: Config, db: Database, data_dir: Path, clock: Any = None) -> Any:
    from hub.app import create_app
    from hub.settings import Settings

    settings = Settings(
        config=config,
        database_url=db.url,
        data_dir=data_dir,
        testing=True,
        background=False,
        cheap_password_hashing=True,
    )
    if clock is not None:
        settings.clock = clock
    return create_app(settings)


def close_app(app: Any) -> None:
    """What the end of the hub's process does for an app a test is done with: the queue
    counts it still holds are sent now, their flush timer cancelled (so no thread of it
    outlives the test), and its database connections are closed."""
    hub = app.extensions["motcua"]
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and thread.function == hub.sink.flush:
            thread.cancel()
    hub.sink.flush()
    hub.engine.dispose()


@pytest.fixture
def app(demo_config: Config, database: Database, tmp_path: Path, clock: FakeClock) -> Iterator[Any]:
    """The hub on the demo config, on SQLite and on PostgreSQL, with a fake clock."""
    application = build_app(demo_config, database, tmp_path, clock)
    yield application
    close_app(application)


@pytest.fixture
def hub(app: Any) -> Any:
    return app.extensions["motcua"]


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


class Api:
    """Test-client helpers: bearer tokens for users and devices."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.hub = app.extensions["motcua"]
        self.client = app.test_client()

    def user(self, name: str, role: str = "staff") -> dict[str, str]:
        self.hub.users.add_user(name, PASSWORD, role, display_name=name.title())
        r = self.client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
        if r.status_code != 200:
            raise RuntimeError(f"login failed: {r.status_code} {r.json}")
        return {"Authorization": f"Bearer {r.json['token']}"}

    def device(self, name: str, kind: str, counter: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.hub.devices.add_device(name, kind, counter)}"}

    def post(self, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.post(f"/api/v1{path}", headers=headers or {}, **kwargs)

    def get(self, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=headers or {}, **kwargs)

    def issue(self, kiosk: dict[str, str], service: str = "dat-dai", **extra: Any) -> Any:
        r = self.post("/tickets", kiosk, json={"service": service, **extra})
        if r.status_code != 201:
            raise RuntimeError(f"issue failed: {r.status_code} {r.json}")
        return r.json


@pytest.fixture
def api(app: Any) -> Api:
    return Api(app)
