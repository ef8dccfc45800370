"""HTTP/1.1 on a raw keep-alive socket: the cheapest client a benchmark can have.

The benchmarks measure the hub, so their clients must cost the machine (two cores)
as little as possible: a request is encoded once, written in one ``send`` on a
socket with ``TCP_NODELAY``, and its answer parsed by hand (status line,
``Content-Length`` or chunked body). :class:`HttpConnection` is the blocking
client of a benchmark's own steps (log in, open a counter, the timed call-next);
:func:`read_response` is the asyncio one of :mod:`bench.loadgen`.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

Answer = tuple[int, bytes]


def encode_request(
    method: str, path: str, host: str, *, token: str | None = None, body: Any = None
) -> bytes:
    """One request, headers and JSON body, as the bytes to send."""
    data = b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(data)}"]
    if body is not None:
        lines.append("Content-Type: application/json")
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def parse_head(head: bytes) -> tuple[int, int | None, bool, bool]:
    """(status, Content-Length or None, chunked, the server closes) of a response head."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, chunked, close = None, False, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    return status, length, chunked, close


class HttpConnection:
    """A blocking keep-alive connection; reconnects when the server closed it."""

    def __init__(self, host: str, port: int, timeout_s: float = 30.0) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self.authority = f"{host}:{port}"
        self._sock: socket.socket | None = None
        self._file: Any = None

    def _connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock, self._file = sock, sock.makefile("rb")

    def send(self, request: bytes) -> Answer:
        """Send encoded request bytes; returns (status, body)."""
        if self._sock is None:
            self._connect()
        assert self._sock is not None
        self._sock.sendall(request)
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            line = self._file.readline()
            if not line:
                self.close()
                raise ConnectionError("the server closed the connection")
            head += line
        status, length, chunked, close = parse_head(head[:-4])
        if chunked:
            body = b""
            while size := int(self._file.readline().split(b";")[0], 16):
                body += self._file.read(size + 2)[:-2]
            self._file.readline()
        else:
            body = self._file.read(length or 0)
        if close:
            self.close()
        return status, body

    def request(
        self, method: str, path: str, *, token: str | None = None, body: Any = None
    ) -> Answer:
        return self.send(encode_request(method, path, self.authority, token=token, body=body))

    def json(self, method: str, path: str, *, token: str | None = None, body: Any = None) -> Any:
        """The JSON answer of a request that must succeed (2xx)."""
        status, data = self.request(method, path, token=token, body=body)
        if not 200 <= status < 300:
            raise RuntimeError(f"{method} {path}: {status} {data[:300]!r}")
        return json.loads(data) if data else None

    def close(self) -> None:
        if self._sock is not None:
            self._file.close()
            self._sock.close()
        self._sock = self._file = None

    def __enter__(self) -> HttpConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, the server closes) of the next response on ``reader``."""
    head = await reader.readuntil(b"\r\n\r\n")
    status, length, chunked, close = parse_head(head[:-4])
    if not chunked:
        return status, await reader.readexactly(length or 0), close
    body = b""
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        body += (await reader.readexactly(size + 2))[:-2]
    await reader.readuntil(b"\r\n")
    return status, body, close


def login(conn: HttpConnection, username: str, password: str) -> str:
    """A staff member's bearer token."""
    answer = conn.json(
        "POST", "/api/v1/auth/login", body={"username": username, "password": password}
    )
    return str(answer["token"])
