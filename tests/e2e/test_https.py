"""HTTPS end to end: a real ``motcua serve`` with the certificate of ``motcua tls init``.

The hub serves HTTPS only ([server] tls_cert/tls_key). An agent's hub client and a
python-socketio client (WebSocket only) that trust the centre's CA through
``ca_file`` work; the same clients with another CA fail cleanly, saying why.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
import socketio

from kiosk.kit.hub_client import HubClient, HubUnreachable
from kiosk.kit.tls import certificate_error, client_context, socketio_options
from tests.e2e.support import DEMO_CONFIG, HubProcess, MotcuaCli, Site

pytestmark = pytest.mark.slow


class HttpsHub(HubProcess):
    """``motcua serve`` with TLS: its URL is https, and health is checked against the CA."""

    ca_file = ""

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout_s: float = 40.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"hub exited during start-up:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2, verify=self.ca_file).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):  # the worker still boots
                pass
            time.sleep(0.1)
        raise RuntimeError(f"hub not healthy after {timeout_s} s:\n{self.log_tail()}")


def tls_init(cli: MotcuaCli, out: Path) -> str:
    """Run the real `motcua tls init`; returns its output."""
    return cli.run("tls", "init", "--names", "localhost,127.0.0.1", "--out", str(out))


@pytest.fixture
def https_hub(sqlite_site: Site, tmp_path: Path):
    cli = MotcuaCli(DEMO_CONFIG, sqlite_site.env, sqlite_site.workdir)
    out = tmp_path / "tls"
    printed = tls_init(cli, out)
    config = tmp_path / "hub.toml"
    server_lines = printed.split("[server]", 1)[1].split("\n\n", 1)[0]
    config.write_text(
        DEMO_CONFIG.read_text(encoding="utf-8") + "\n[server]" + server_lines + "\n",
        encoding="utf-8",
    )
    hub = HttpsHub("https", config, sqlite_site.env, tmp_path, sqlite_site.workdir)
    hub.ca_file = str(out / "ca.pem")
    try:
        yield hub.start(), out / "ca.pem"
    finally:
        hub.kill()


def test_agents_trusting_the_centres_ca_reach_the_hub(https_hub, sqlite_site) -> None:
    """GIVEN `motcua serve` with the certificate of `motcua tls init` WHEN a kiosk's hub
    client and a WebSocket-only Socket.IO client trust the CA (ca_file) THEN the ticket
    is issued and the screen namespace connects; the session cookie is Secure."""
    hub, ca = https_hub
    client = HubClient(hub.url, sqlite_site.kiosk_token, ca_file=str(ca))
    try:
        services = client.services()
        ticket = client.post("/tickets", {"service": services[0]["id"]}).data
    finally:
        client.close()
    assert ticket["number"]

    sio = socketio.Client(reconnection=False, **socketio_options(hub.url, client.tls))
    try:
        sio.connect(hub.url, namespaces=["/display"], transports=["websocket"], wait_timeout=10)
        assert sio.connected and sio.transport() == "websocket"
    finally:
        sio.disconnect()

    login = requests.get(f"{hub.url}/login", timeout=10, verify=str(ca))
    assert "Secure" in login.headers["Set-Cookie"]
    assert login.headers["Strict-Transport-Security"].startswith("max-age=")
    page = requests.get(f"{hub.url}/tls/ca.pem", timeout=10, verify=str(ca))
    assert page.content == ca.read_bytes()


def test_agents_with_another_ca_fail_cleanly(https_hub, sqlite_site, tmp_path) -> None:
    """GIVEN clients that trust another CA WHEN they reach the hub THEN the HTTP client
    raises HubUnreachable naming the failed certificate check, and the Socket.IO client
    does not connect, the check named by the same helper the agents log with."""
    hub, _ca = https_hub
    cli = MotcuaCli(DEMO_CONFIG, sqlite_site.env, sqlite_site.workdir)
    tls_init(cli, tmp_path / "other")
    other = str(tmp_path / "other" / "ca.pem")

    client = HubClient(hub.url, sqlite_site.kiosk_token, ca_file=other)
    with pytest.raises(HubUnreachable, match="does not verify against the CA in"):
        client.services()

    sio = socketio.Client(reconnection=False, **socketio_options(hub.url, client_context(other)))
    with pytest.raises(socketio.exceptions.ConnectionError) as caught:
        sio.connect(hub.url, namespaces=["/display"], transports=["websocket"], wait_timeout=5)
    problem = certificate_error(caught.value, other)
    assert problem is not None and "unable to get local issuer certificate" in problem
    assert not sio.connected


def test_plain_http_is_not_served(https_hub) -> None:
    hub, _ca = https_hub
    with pytest.raises(requests.ConnectionError):
        requests.get(hub.url.replace("https://", "http://") + "/healthz", timeout=5)
