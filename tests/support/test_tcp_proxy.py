"""The test's TCP proxy relays both ways, cuts like a dead server and comes back."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest

from tests.support.tcp_proxy import HOST, TcpProxy


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.request.sendall(data)


@pytest.fixture
def echo() -> Iterator[tuple[str, int]]:
    server = socketserver.ThreadingTCPServer((HOST, 0), _Echo)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[0], server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _exchange(port: int, payload: bytes) -> bytes:
    """Send ``payload`` while reading the echo (as a real client would), then half-close."""
    with socket.create_connection((HOST, port), timeout=10) as sock:
        chunks: list[bytes] = []

        def read() -> None:
            while chunk := sock.recv(65536):
                chunks.append(chunk)

        reader = threading.Thread(target=read)
        reader.start()
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        reader.join(10)
        assert not reader.is_alive()
        return b"".join(chunks)


def test_relays_cuts_and_restores(echo: tuple[str, int]) -> None:
    """GIVEN a proxy in front of an echo server WHEN data goes through, the proxy is cut,
    then restored THEN bytes come back whole, a cut resets the open connection and
    refuses new ones, and after the restore the same port relays again."""
    with TcpProxy(echo) as proxy:
        big = bytes(range(256)) * 20_000  # 5 MB: past the high-water mark both ways
        assert _exchange(proxy.port, big) == big

        held = socket.create_connection((HOST, proxy.port), timeout=5)
        held.sendall(b"ping")
        assert held.recv(4) == b"ping"
        assert proxy.connections >= 1
        proxy.cut()
        with pytest.raises(OSError):  # reset by peer (or refused at once on reuse)
            held.sendall(b"x")
            if not held.recv(1):
                raise ConnectionResetError("closed")
        held.close()
        assert proxy.connections == 0
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((HOST, proxy.port), timeout=5)

        proxy.restore()
        assert _exchange(proxy.port, b"again") == b"again"


def test_stall_hangs_everything_until_restored(echo: tuple[str, int]) -> None:
    """GIVEN a connection through the proxy WHEN the proxy stalls THEN what is sent gets
    no answer, yet the connection is not reset, and a new connection is made but never
    answered; WHEN restored THEN the stalled connections are reset and new ones relay."""
    with TcpProxy(echo) as proxy:
        held = socket.create_connection((HOST, proxy.port), timeout=5)
        proxy.stall()
        held.settimeout(0.5)
        held.sendall(b"ping")
        with pytest.raises(TimeoutError):
            held.recv(4)
        late = socket.create_connection((HOST, proxy.port), timeout=5)
        late.settimeout(0.5)
        late.sendall(b"hello")
        with pytest.raises(TimeoutError):
            late.recv(5)

        proxy.restore()
        for sock in (held, late):
            sock.settimeout(5)
            with pytest.raises(OSError):
                if not sock.recv(1):
                    raise ConnectionResetError("closed")
            sock.close()
        assert _exchange(proxy.port, b"again") == b"again"


def test_url_points_at_the_proxy(echo: tuple[str, int]) -> None:
    with TcpProxy(echo) as proxy:
        url = proxy.url("postgresql://postgres:pw@db.example:5432/x?options=-csearch_path%3Ds")
        assert url == f"postgresql://postgres:pw@{HOST}:{proxy.port}/x?options=-csearch_path%3Ds"
        assert proxy.url("redis://127.0.0.1:6379/0") == f"redis://{HOST}:{proxy.port}/0"
