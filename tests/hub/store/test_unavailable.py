"""A database that does not answer is a 503 ``database_unavailable``, one log line, and
the hub uses it again by itself once it is back (issue 12, "Faults").

PostgreSQL is reached through a TCP proxy that the test cuts (every connection
reset, new ones refused) and restores, as a restart of the server does; the
shared server itself is never touched. The whole restart under load, against the
shipped server, is ``tests/e2e/test_database_outage.py``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from config.schema import Config
from hub.store.faults import DatabaseUnavailable, is_unavailable
from tests.conftest import Api, Database, FakeClock, build_app, close_app
from tests.support.tcp_proxy import TcpProxy, target_of


@pytest.fixture
def proxied(
    pg_database: Database, tcp_proxy: Callable[[tuple[str, int]], TcpProxy]
) -> tuple[Database, TcpProxy]:
    proxy = tcp_proxy(target_of(pg_database.url, 5432))
    return Database(proxy.url(pg_database.url), "postgresql"), proxy


@pytest.fixture
def proxied_api(
    proxied: tuple[Database, TcpProxy], demo_config: Config, tmp_path: Path, clock: FakeClock
) -> Iterator[Api]:
    app = build_app(demo_config, proxied[0], tmp_path, clock)
    yield Api(app)
    close_app(app)


def test_lost_database_is_a_503_then_the_hub_reconnects(
    proxied: tuple[Database, TcpProxy], proxied_api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN a hub whose PostgreSQL connections are pooled WHEN the server goes away
    (connections reset, new ones refused) THEN issuing a ticket, calling next and
    /healthz answer 503 `database_unavailable` with a message, each logged in one line
    without a traceback, and nothing is stored; WHEN it is back THEN the same requests
    succeed without restarting anything."""
    _, proxy = proxied
    api = proxied_api
    kiosk = api.device("kiosk1", "kiosk")
    staff = api.user("canbo1")
    assert api.post("/counters/1/open", staff).status_code == 200
    first = api.issue(kiosk)

    proxy.cut()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        answers = [
            api.post("/tickets", kiosk, json={"service": "dat-dai"}),
            api.post("/counters/1/call-next", staff),
            api.client.get("/healthz"),
        ]
    for answer in answers:
        assert answer.status_code == 503, answer.json
        assert answer.json["error"]["code"] == "database_unavailable"
        assert answer.json["error"]["message"]
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert any("database unavailable" in r.getMessage() for r in caplog.records)

    proxy.restore()
    assert api.client.get("/healthz").status_code == 200
    second = api.issue(kiosk)
    assert int(second["number"]) == int(first["number"]) + 1  # the refused one took none
    called = api.post("/counters/1/call-next", staff)
    assert called.status_code == 200 and called.json["number"] == first["number"]


def _wrapped(orig: BaseException, kind: type[Any] = OperationalError) -> Any:
    return kind("SELECT 1", {}, orig)


def test_what_counts_as_unavailable() -> None:
    """Lost or refused connections and a server shutting down or starting up are
    "unavailable"; a wrong statement, a broken constraint or SQLite's own errors are
    not (they stay what they are)."""
    assert is_unavailable(DatabaseUnavailable())
    assert is_unavailable(_wrapped(psycopg.OperationalError("connection failed: refused")))
    assert is_unavailable(_wrapped(psycopg.errors.AdminShutdown("terminating connection")))
    assert is_unavailable(_wrapped(psycopg.errors.CannotConnectNow("starting up")))
    assert is_unavailable(_wrapped(psycopg.errors.TooManyConnections("too many clients")))
    assert not is_unavailable(_wrapped(psycopg.errors.DiskFull("no space"), OperationalError))
    assert not is_unavailable(_wrapped(psycopg.errors.UniqueViolation("dup"), IntegrityError))
    assert not is_unavailable(_wrapped(psycopg.errors.SyntaxError("bad"), ProgrammingError))
    assert not is_unavailable(_wrapped(sqlite3.OperationalError("database is locked")))
    assert not is_unavailable(ValueError("not a database error"))
