"""Display screens for the latency benchmark: many ``/display`` clients in one process.

Two kinds of client, with the same line protocol on the standard streams:

- ``light`` (the primary one): a WebSocket-only Engine.IO v4 / Socket.IO v5
  client written on asyncio with raw frames. One process holds all its
  connections: each connects ``/socket.io/?EIO=4&transport=websocket``, joins
  ``/display``, answers the server's pings and notes the instant a ``call`` event
  arrives (``CLOCK_MONOTONIC``, taken first thing when its socket is readable). On
  the 2-core development machine it cost 18-29 µs of CPU per message, about a
  quarter of what the shipped server spends sending it.
- ``socketio``: python-socketio's own client (one ``socketio.Client`` per screen,
  with its threads), as the earlier benchmark used: some 400 µs per message, more
  than the server's own cost.

Protocol: the process prints ``ready N`` once its N screens joined; ``all NUMBER``
each time every one of them has the call of NUMBER; ``count M`` when asked
``count`` (M: the Socket.IO events its screens received so far); on ``dump`` (or the end of its
standard input) it prints one JSON line ``{"receipts": [[number, t_ns], …],
"messages": M}`` and ends.

Run by :mod:`bench.bench_display_latency`: ``python -m bench.screens --kind light
--port P --screens 200``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

HOST = "127.0.0.1"
NAMESPACE = "/display"
CALL_PREFIX = f'42{NAMESPACE},["call",'
CONNECTED_PREFIX = f"40{NAMESPACE},"
REFUSED_PREFIX = f"44{NAMESPACE},"
CONNECT_BATCH = 25


class Tally:
    """Receipts of one process's screens, and the ``all NUMBER`` line once all have one."""

    def __init__(self, screens: int) -> None:
        self.screens = screens
        self.receipts: list[tuple[str, int]] = []
        self.messages = 0
        """Every Socket.IO event the screens received (snapshots, calls, counts…)."""
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def received(self, number: str, t_ns: int) -> None:
        with self._lock:
            self.receipts.append((number, t_ns))
            count = self._counts.get(number, 0) + 1
            self._counts[number] = count
        if count == self.screens:
            say(f"all {number}")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# ------------------------------------------------------------------ light client
def ws_frame(text: str, opcode: int = 0x1) -> bytes:
    """One masked client frame (RFC 6455) carrying ``text``."""
    payload = text.encode()
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 1 << 16:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    mask = os.urandom(4)
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
    masked = (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big") if n else b""
    return head + mask + masked


CALL, EVENT = CALL_PREFIX.encode(), f"42{NAMESPACE},".encode()
NUMBER = b'"number":"'
PING, PONG = b"2", ws_frame("3")  # Engine.IO ping and its answer
JOIN = ws_frame(f"40{NAMESPACE},")
CONNECTED, REFUSED = CONNECTED_PREFIX.encode(), REFUSED_PREFIX.encode()


class LightScreen:
    """One screen: the WebSocket handshake, then Engine.IO / Socket.IO text packets.

    Cheap on purpose: its non-blocking socket is read by a plain callback of the
    event loop (``add_reader``, no transport or protocol layers); a message that
    fits one read is handled without copying; packets are told apart by their first
    bytes, and only a ``call`` is looked into (for its number, without a JSON parser).
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop, port: int, tally: Tally, joined: asyncio.Future[None]
    ) -> None:
        self.loop, self.tally, self.joined = loop, tally, joined
        self.sock = socket.create_connection((HOST, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {HOST}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        self.sock.setblocking(False)
        self.buffer = b""
        self.upgraded = False
        self.fragments: list[bytes] = []
        loop.add_reader(self.sock.fileno(), self.readable)

    def readable(self) -> None:
        t_ns = time.monotonic_ns()  # first: the instant the bytes reached this screen
        try:
            data = self.sock.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError as err:
            self._fail(f"connection lost: {err}")
            return
        if not data:
            self._fail("closed by the server")
            return
        if not self.buffer and self.upgraded:
            n = data[1] if len(data) > 1 else 0xFF
            if data[0] == 0x81 and n < 126 and len(data) == n + 2:  # one whole small message
                self._packet(data[2:], t_ns)
                return
        self.buffer += data
        if not self.upgraded:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if not sep:
                return
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                self._fail(f"handshake refused: {head[:200]!r}")
                return
            self.upgraded, self.buffer = True, rest
        self._frames(t_ns)

    def _frames(self, t_ns: int) -> None:
        buf = self.buffer
        while len(buf) >= 2:
            opcode, n, start = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    break
                n, start = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n, start = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < start + n:
                break
            payload, fin = buf[start : start + n], buf[0] & 0x80
            buf = buf[start + n :]
            if opcode in (0x0, 0x1, 0x2):
                self.fragments.append(payload)
                if fin:
                    message, self.fragments = b"".join(self.fragments), []
                    self._packet(message, t_ns)
            elif opcode == 0x9:  # WebSocket ping
                self._send(ws_frame(payload.decode(errors="replace"), 0xA))
            elif opcode == 0x8:
                self._fail("closed by the server")
                return
        self.buffer = buf

    # The namespace a screen joins, and how its packets start; a subclass may join
    # another namespace (``/devices``, with a token).
    join, events, connected, refused = JOIN, EVENT, CONNECTED, REFUSED

    def _packet(self, packet: bytes, t_ns: int) -> None:
        """One Engine.IO packet: open, ping, or a Socket.IO message of the namespace."""
        if packet.startswith(self.events):
            self.event(packet, t_ns)
        elif packet == PING:
            self._send(PONG)
        elif packet.startswith(b"0"):  # Engine.IO open: join the namespace
            self._send(self.join)
        elif packet.startswith(self.connected) and not self.joined.done():
            self.joined.set_result(None)
        elif packet.startswith(self.refused):
            self._fail(f"namespace refused: {packet[:200]!r}")
        else:
            self.other(packet, t_ns)

    def event(self, packet: bytes, t_ns: int) -> None:
        """A Socket.IO event of the namespace: counted; a ``call``'s number noted."""
        self.tally.messages += 1
        if packet.startswith(CALL):
            start = packet.index(NUMBER) + len(NUMBER)
            self.tally.received(packet[start : packet.index(b'"', start)].decode(), t_ns)

    def other(self, packet: bytes, t_ns: int) -> None:
        """Any other packet (an acknowledgement's answer…): ignored here."""

    def _send(self, frame: bytes) -> None:
        try:
            self.sock.send(frame)  # a few bytes: the socket's buffer always takes them
        except OSError as err:
            self._fail(f"send failed: {err}")

    def _fail(self, why: str) -> None:
        if not self.joined.done():
            self.joined.set_exception(ConnectionError(why))
        else:
            say(f"error {why}")
        self.close()

    def close(self) -> None:
        if self.sock.fileno() >= 0:
            self.loop.remove_reader(self.sock.fileno())
            self.sock.close()


async def run_light(port: int, screens: int) -> Tally:
    loop = asyncio.get_running_loop()
    tally = Tally(screens)
    connected = []

    async def connect() -> None:
        joined: asyncio.Future[None] = loop.create_future()
        connected.append(LightScreen(loop, port, tally, joined))
        await asyncio.wait_for(joined, 30)

    for first in range(0, screens, CONNECT_BATCH):
        await asyncio.gather(
            *(connect() for _ in range(first, min(screens, first + CONNECT_BATCH)))
        )
    say(f"ready {screens}")
    await until_dump(loop, lambda: f"count {tally.messages}")
    for screen in connected:
        screen.close()
    return tally


async def until_dump(loop: asyncio.AbstractEventLoop, count: Callable[[], str]) -> None:
    """Serve the screens until ``dump`` or the end of standard input; answer ``count``
    with the line ``count()`` makes."""
    done = loop.create_future()
    stdin = sys.stdin.fileno()

    def heard() -> None:
        data = os.read(stdin, 4096)
        if b"count" in data:
            say(count())
        if (not data or b"dump" in data) and not done.done():
            loop.remove_reader(stdin)
            done.set_result(None)

    loop.add_reader(stdin, heard)
    await done


# ------------------------------------------------------------------ python-socketio
def run_socketio(port: int, screens: int) -> Tally:
    import socketio

    tally = Tally(screens)
    clients = []
    for _ in range(screens):
        client = socketio.Client(reconnection=False)

        def on_call(data: dict[str, Any]) -> None:
            tally.received(data["number"], time.monotonic_ns())
            tally.messages += 1

        def on_any(event: str, *args: Any) -> None:
            tally.messages += 1

        client.on("call", on_call, namespace=NAMESPACE)
        client.on("*", on_any, namespace=NAMESPACE)
        client.connect(
            f"http://{HOST}:{port}",
            namespaces=[NAMESPACE],
            transports=["websocket"],
            wait_timeout=30,
        )
        clients.append(client)
    say(f"ready {screens}")
    while (line := sys.stdin.readline()) and "dump" not in line:
        if "count" in line:
            say(f"count {tally.messages}")
    # No disconnect: a hundred clients' close handshakes can take minutes; the
    # process ends at once after its dump and the server sees the sockets close.
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["light", "socketio"], default="light")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--screens", type=int, default=200)
    args = parser.parse_args(argv)
    if args.kind == "light":
        tally = asyncio.run(run_light(args.port, args.screens))
    else:
        tally = run_socketio(args.port, args.screens)
    say(json.dumps({"receipts": tally.receipts, "messages": tally.messages}))
    os._exit(0)  # python-socketio's threads would keep the process alive


if __name__ == "__main__":
    sys.exit(main())
