"""``[server] trusted_proxies``: behind a reverse proxy each client keeps its own address
(the login limits count clients apart), and without the setting, or from anyone but a
trusted proxy, X-Forwarded-For is ignored (a client cannot choose its address)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from config.errors import ConfigError
from config.hub import Server
from config.paths import EXAMPLES
from config.schema import load_config
from hub.proxies import TrustedProxies
from hub.store.db import read
from hub.store.tables import login_failures
from tests.conftest import PASSWORD, build_app, close_app

TIMEOUT_S = 30


@pytest.fixture
def database(sqlite_database):
    """The client's address is not about storage: SQLite only."""
    return sqlite_database


def proxied_app(demo_config, database, tmp_path: Path, clock, *trusted: str) -> Any:
    config = dataclasses.replace(demo_config, server=Server(trusted_proxies=trusted))
    return build_app(config, database, tmp_path / "data", clock)


@pytest.fixture
def behind_nginx(demo_config, database, tmp_path, clock, live_server) -> Iterator[Any]:
    """The hub trusting a proxy on 127.0.0.1 (where the tests' requests come from)."""
    app = proxied_app(demo_config, database, tmp_path, clock, "127.0.0.1")
    yield live_server(app)
    close_app(app)


def login(url: str, username: str, password: str, client: str | None = None) -> Any:
    headers = {"X-Forwarded-For": f"203.0.113.66, {client}"} if client else {}
    return requests.post(f"{url}/api/v1/auth/login", headers=headers, timeout=TIMEOUT_S,
                         json={"username": username, "password": password})  # fmt: skip


def test_clients_behind_a_trusted_proxy_are_counted_apart(behind_nginx, clock) -> None:
    """GIVEN the hub behind a proxy on 127.0.0.1 WHEN one client (as the proxy forwards
    it) fails enough logins to hit the address limit THEN that client gets 429
    ``too_many_attempts``, another client behind the same proxy logs in, and the
    failures are recorded with the client's address (not the proxy's, not what the
    client itself put in the header)."""
    hub = behind_nginx.app.extensions["motcua"]
    hub.users.add_user("canbo1", PASSWORD, "staff")
    limit = hub.config.security.login_max_attempts * 4
    for i in range(limit):
        assert login(behind_nginx.url, f"ghost{i}", "x" * 12, "198.51.100.7").status_code == 401

    assert login(behind_nginx.url, "canbo1", PASSWORD, "198.51.100.7").status_code == 429
    assert login(behind_nginx.url, "canbo1", PASSWORD, "198.51.100.8").status_code == 200
    with read(hub.engine) as conn:
        addresses = set(conn.execute(select(login_failures.c.address)).scalars())
    assert addresses == {"198.51.100.7"}


@pytest.mark.parametrize("trusted", [(), ("10.9.8.7",)], ids=["no-setting", "other-proxy"])
def test_a_forwarded_header_from_anyone_else_is_ignored(
    demo_config, database, tmp_path, clock, live_server, trusted
) -> None:
    """GIVEN no trusted proxy, or one at another address WHEN a client on 127.0.0.1 sends
    each failed login with a different X-Forwarded-For THEN all are counted against
    127.0.0.1, which hits the limit."""
    app = proxied_app(demo_config, database, tmp_path, clock, *trusted)
    live = live_server(app)
    hub = app.extensions["motcua"]
    hub.users.add_user("canbo1", PASSWORD, "staff")
    limit = hub.config.security.login_max_attempts * 4
    for i in range(limit):
        login(live.url, f"ghost{i}", "x" * 12, f"198.51.100.{i + 1}")

    assert login(live.url, "canbo1", PASSWORD, "198.51.100.200").status_code == 429
    with read(hub.engine) as conn:
        addresses = set(conn.execute(select(login_failures.c.address)).scalars())
    assert addresses == {"127.0.0.1"}
    close_app(app)


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['REMOTE_ADDR']} {environ['wsgi.url_scheme']}".encode()]


def seen(trusted: tuple[str, ...], peer: str, forwarded: str | None, proto: str = "") -> str:
    """What the app behind :class:`TrustedProxies` sees of a request from ``peer``."""
    networks = Server(trusted_proxies=trusted).trusted_proxies
    environ = {"REMOTE_ADDR": peer, "wsgi.url_scheme": "http", "REQUEST_METHOD": "GET"}
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_FOR"] = forwarded
    if proto:
        environ["HTTP_X_FORWARDED_PROTO"] = proto
    body = TrustedProxies(echo, lambda: networks)(environ, lambda *_: None)
    return b"".join(body).decode()


def test_the_client_is_the_first_address_no_trusted_proxy_added() -> None:
    """A chain of trusted proxies is walked from the right; the client's own header
    entries (left of what the proxies added) never count; X-Forwarded-Proto is taken
    from a trusted proxy only."""
    chain = ("127.0.0.1", "10.0.0.0/8")
    assert seen(chain, "127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3") == "203.0.113.9 http"
    assert seen(chain, "127.0.0.1", "10.1.2.3, 10.4.5.6") == "10.1.2.3 http"
    assert seen(chain, "127.0.0.1", None) == "127.0.0.1 http"
    assert seen(chain, "127.0.0.1", "203.0.113.9", "https") == "203.0.113.9 https"
    assert seen(chain, "192.0.2.1", "203.0.113.9", "https") == "192.0.2.1 http"
    assert seen((), "127.0.0.1", "203.0.113.9", "https") == "127.0.0.1 http"
    assert seen(("::1",), "::1", "2001:db8::7") == "2001:db8::7 http"


def test_trusted_proxies_are_addresses_or_networks(tmp_path: Path) -> None:
    """GIVEN a [server] trusted_proxies entry that is not an address or network WHEN the
    file is loaded THEN one clear error names the key."""
    demo = EXAMPLES / "demo.toml"
    path = tmp_path / "hub.toml"
    path.write_text(demo.read_text() + '\n[server]\ntrusted_proxies = ["nginx.lan"]\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "trusted_proxies" in str(err.value)
