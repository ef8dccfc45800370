"""The agents' hub client over HTTPS: it verifies the hub's certificate, or fails loudly.

A small HTTPS server on 127.0.0.1 with a certificate from ``motcua tls init``'s code
stands for the hub; the client must trust it through ``ca_file`` only, and say in
one log line why it does not when the CA, the name or the store is wrong.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from config.loader import load_section
from config.schema import SECTIONS
from hub.cli.tls import init_tls, parse_names
from hub.tls import CA_CERT, SERVER_CERT, SERVER_KEY
from kiosk.kit.hub_client import HubClient, HubUnreachable, maybe_delivered
from kiosk.kit.tls import socketio_options


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = json.dumps({"path": self.path, "auth": self.headers.get("Authorization")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0

    def get_request(self):  # type: ignore[no-untyped-def]
        request = super().get_request()
        self.connections += 1
        return request


def serve(context: ssl.SSLContext | None) -> tuple[Server, str]:
    server = Server(("127.0.0.1", 0), Handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scheme = "https" if context else "http"
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}"


def make_ca(folder: Path, names: str = "localhost,127.0.0.1") -> Path:
    init_tls(folder, "Trung tâm thử", parse_names(names))
    return folder


@pytest.fixture
def hub_tls(tmp_path: Path) -> Path:
    return make_ca(tmp_path / "hub-ca")


@pytest.fixture
def https_hub(hub_tls: Path) -> Iterator[tuple[Server, str]]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(hub_tls / SERVER_CERT, hub_tls / SERVER_KEY)
    server, url = serve(context)
    yield server, url
    server.shutdown()
    server.server_close()


def test_https_with_the_centres_ca_works_and_keeps_the_connection(https_hub, hub_tls) -> None:
    """GIVEN a hub whose certificate the centre's CA signed WHEN the client trusts that
    CA (ca_file) THEN requests go through with the token, on one kept-alive connection."""
    server, url = https_hub
    client = HubClient(url, "tok", ca_file=str(hub_tls / CA_CERT))
    first = client.get("/site")
    second = client.get("/services")
    assert first == {"path": "/api/v1/site", "auth": "Bearer tok"}
    assert second["path"] == "/api/v1/services"
    assert server.connections == 1
    client.close()


def test_another_ca_fails_cleanly_with_one_log_line(https_hub, tmp_path, caplog) -> None:
    """GIVEN a ca_file of another CA WHEN the client calls the hub THEN HubUnreachable
    says the certificate does not verify (surely not delivered), and the log has one
    error line, not one per retry."""
    _server, url = https_hub
    other = make_ca(tmp_path / "other-ca")
    client = HubClient(url, "tok", ca_file=str(other / CA_CERT))
    with caplog.at_level(logging.ERROR, logger="kiosk.kit.hub_client"):
        for _ in range(3):
            with pytest.raises(HubUnreachable) as caught:
                client.get("/site")
    assert "does not verify against the CA in" in str(caught.value)
    assert "unable to get local issuer certificate" in str(caught.value)
    assert not maybe_delivered(caught.value)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "\n" not in errors[0].getMessage()


def test_without_ca_file_the_system_store_decides(https_hub) -> None:
    """The centre's CA is in no system store: without ca_file the hub is refused."""
    _server, url = https_hub
    with pytest.raises(HubUnreachable, match="system's CA store"):
        HubClient(url, "tok").get("/site")


def test_a_certificate_for_another_name_is_refused(tmp_path) -> None:
    """GIVEN a certificate for hub.local only WHEN the client reaches 127.0.0.1 THEN the
    name check fails, even though the CA is trusted."""
    folder = make_ca(tmp_path / "named", "hub.local")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / SERVER_CERT, folder / SERVER_KEY)
    server, url = serve(context)
    try:
        with pytest.raises(HubUnreachable, match="mismatch"):
            HubClient(url, "tok", ca_file=str(folder / CA_CERT)).get("/site")
    finally:
        server.shutdown()
        server.server_close()


def test_plain_http_keeps_working() -> None:
    server, url = serve(None)
    client = HubClient(url, "tok")
    try:
        assert client.get("/site")["auth"] == "Bearer tok"
    finally:
        client.close()
        server.shutdown()
        server.server_close()


def test_a_refused_connection_was_surely_not_delivered() -> None:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(HubUnreachable) as caught:
        HubClient(f"http://127.0.0.1:{port}", "tok", timeout_s=1).post("/tickets", {})
    assert not maybe_delivered(caught.value)


def test_an_unusable_ca_file_is_refused_at_start(tmp_path) -> None:
    with pytest.raises(ValueError, match="ca_file .*missing.pem"):
        HubClient("https://hub.local", "tok", ca_file=str(tmp_path / "missing.pem"))
    (tmp_path / "junk.pem").write_text("not a certificate\n")
    with pytest.raises(ValueError, match="ca_file"):
        HubClient("https://hub.local", "tok", ca_file=str(tmp_path / "junk.pem"))


def test_socketio_clients_get_the_same_check(hub_tls) -> None:
    """The Socket.IO client's WebSocket verifies with the HTTP client's context; plain
    http needs nothing."""
    client = HubClient("https://hub.local", "tok", ca_file=str(hub_tls / CA_CERT))
    assert socketio_options("https://hub.local", client.tls) == {
        "websocket_extra_options": {"sslopt": {"context": client.tls}}
    }
    assert socketio_options("http://hub.local", None) == {}


@pytest.mark.parametrize(
    ("section", "body"),
    [
        ("kiosk", 'printer = { kind = "fake" }\ntoken = "t"\n'),
        ("rating_pad", '[[rating_pad.counters]]\ncounter = "1"\ntoken = "t"\nbuttons = { a = 1 }'),
        ("counter_keypad", 'token = "t"\nkeypad = { name = "K" }\n'),
        ("display_agent", 'token = "t"\n'),
    ],
)
def test_every_agent_section_takes_a_ca_file_beside_its_config(tmp_path, section, body) -> None:
    """GIVEN ca_file relative to the agent's file WHEN the section loads THEN it is taken
    from the file's folder, as every path of an agent."""
    path = tmp_path / "pi.toml"
    head = f'[{section}]\nhub_url = "https://10.0.0.2:8443"\nca_file = "tls/ca.pem"\n'
    path.write_text(head + body, encoding="utf-8")
    settings = load_section(path, section, SECTIONS[section].kind, SECTIONS[section].paths)
    assert settings.ca_file == str(tmp_path.resolve() / "tls" / "ca.pem")
