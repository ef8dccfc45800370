"""A TCP relay on 127.0.0.1 that a test can cut, as a server's restart or a cable would.

:class:`TcpProxy` sits between a process under test and a server it uses
(PostgreSQL, Redis): the process is given the proxy's address instead of the
server's. :meth:`TcpProxy.cut` then does to the process what the server's going
down does: every open connection is reset (RST, as a killed server's kernel
answers) and new ones are refused (nothing listens on the port). :meth:`TcpProxy.stall`
does what a server whose machine lost power or network does: nothing more gets
through either way, yet nothing is reset, and new connections are accepted but
never answered. :meth:`TcpProxy.restore` relays again on the same port, as the
restarted server would (connections from before a stall are reset then: their
clients have long given up on them).

One thread relays every connection (``selectors``); :meth:`TcpProxy.close` ends it
and every connection, so no thread outlives the test (``tests.support.threads``).
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import pytest

HOST = "127.0.0.1"
CHUNK = 65536
HIGH_WATER = 1 << 20
"""Bytes waiting for a slow side beyond which the other side is not read meanwhile."""
CONNECT_TIMEOUT_S = 5.0
COMMAND_TIMEOUT_S = 10.0

T = TypeVar("T")


class TcpProxy:
    """Relays every connection made to ``port`` to ``target`` until cut or closed.

    Args:
        target: the real server, ``(host, port)``.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._selector = selectors.DefaultSelector()
        self._peers: dict[socket.socket, socket.socket] = {}
        self._pending: dict[socket.socket, bytearray] = {}
        self._masks: dict[socket.socket, int] = {}
        self._ended: set[socket.socket] = set()
        """Sockets whose side sent its last byte (EOF read)."""
        self._shut: set[socket.socket] = set()
        """Sockets we half-closed (their peer had ended)."""
        self._stalled = False
        self._held: list[socket.socket] = []
        """Connections accepted while stalled, never relayed."""
        self._listener: socket.socket | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._commands: list[tuple[Callable[[], None], threading.Event]] = []
        self._lock = threading.Lock()
        self._closing = False
        self.accepted = 0
        """Connections accepted so far (a reconnecting client shows up here)."""
        self._listen(0)
        self.port: int = self._listener.getsockname()[1]  # type: ignore[union-attr]
        self._thread = threading.Thread(target=self._run, name="tcp-proxy", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ public
    def url(self, url: str) -> str:
        """``url`` (``postgresql://…``, ``redis://…``) with its host and port made the proxy's."""
        parts = urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{HOST}:{self.port}" if userinfo else f"{HOST}:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    @property
    def connections(self) -> int:
        """Connections relayed right now."""
        return self._call(lambda: len(self._peers) // 2)

    @property
    def listening(self) -> bool:
        return self._call(lambda: self._listener is not None)

    def cut(self) -> None:
        """Reset every connection and refuse new ones (until :meth:`restore`)."""
        self._call(self._cut)

    def stall(self) -> None:
        """Relay nothing more, reset nothing: every connection hangs (until :meth:`restore`)."""
        self._call(self._stall)

    def restore(self) -> None:
        """Relay again, on the same port."""
        self._call(self._restore)

    def close(self) -> None:
        """Stop relaying: every connection reset, the port closed, the thread ended."""
        if not self._thread.is_alive():
            return
        with self._lock:
            self._closing = True
        self._wake()
        self._thread.join(COMMAND_TIMEOUT_S)
        if self._thread.is_alive():
            raise RuntimeError("the TCP proxy's thread did not end")

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------- in the thread
    def _call(self, action: Callable[[], T]) -> T:
        """Run ``action`` in the relay's thread (which owns every socket); its result."""
        result: list[T] = []
        done = threading.Event()
        with self._lock:
            if self._closing:
                raise RuntimeError("the TCP proxy is closed")
            self._commands.append((lambda: result.append(action()), done))
        self._wake()
        if not done.wait(COMMAND_TIMEOUT_S):
            raise RuntimeError("the TCP proxy's thread did not answer")
        return result[0]

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def _listen(self, port: int) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, port))
        listener.listen(128)
        listener.setblocking(False)
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ, "listen")

    def _stall(self) -> None:
        self._stalled = True
        for sock in list(self._peers):
            self._interests(sock)

    def _restore(self) -> None:
        if self._stalled:
            self._stalled = False
            self._cut()
        if self._listener is None:
            self._listen(self.port)

    def _cut(self) -> None:
        if self._listener is not None:
            self._selector.unregister(self._listener)
            self._listener.close()
            self._listener = None
        for sock in list(self._peers):
            self._drop(sock, reset=True)
        for sock in self._held:
            _reset(sock)
        self._held.clear()

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    if self._closing:
                        return
                for key, mask in self._selector.select(timeout=1.0):
                    if key.data == "wake":
                        self._run_commands()
                    elif key.data == "listen":
                        self._accept()
                    else:
                        self._relay(key.fileobj, mask)  # type: ignore[arg-type]
        finally:
            self._cut()
            self._run_commands()  # answer whoever still waits
            self._selector.close()
            self._wake_r.close()
            self._wake_w.close()

    def _run_commands(self) -> None:
        with contextlib.suppress(BlockingIOError):
            self._wake_r.recv(4096)
        with self._lock:
            commands, self._commands = self._commands, []
        for action, done in commands:
            try:
                action()
            finally:
                done.set()

    def _accept(self) -> None:
        if self._listener is None:
            return
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        self.accepted += 1
        if self._stalled:  # the connection is made, and then nothing ever answers
            self._held.append(client)
            return
        try:
            server = socket.create_connection(self.target, timeout=CONNECT_TIMEOUT_S)
        except OSError:
            _reset(client)
            return
        for sock in (client, server):
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._pending[sock] = bytearray()
            self._masks[sock] = selectors.EVENT_READ
            self._selector.register(sock, selectors.EVENT_READ, "conn")
        self._peers[client] = server
        self._peers[server] = client

    def _relay(self, sock: socket.socket, mask: int) -> None:
        if sock not in self._peers:
            return
        peer = self._peers[sock]
        if mask & selectors.EVENT_WRITE and not self._flush(sock):
            return
        if mask & selectors.EVENT_READ:
            try:
                data = sock.recv(CHUNK)
            except BlockingIOError:
                return
            except OSError:
                self._drop(sock, reset=True)
                return
            if data:
                self._pending[peer] += data
            else:  # this side will send no more: pass the half-close on once written
                self._ended.add(sock)
            if not self._flush(peer):
                return
        if self._ended >= {sock, peer} and not self._pending[sock] and not self._pending[peer]:
            self._drop(sock, reset=False)
            return
        self._interests(sock)
        self._interests(peer)

    def _flush(self, sock: socket.socket) -> bool:
        """Write what waits for ``sock`` (then its half-close, if due); False when the
        pair was dropped."""
        pending = self._pending[sock]
        try:
            while pending:
                sent = sock.send(pending)
                del pending[:sent]
            if self._peers[sock] in self._ended and sock not in self._shut:
                sock.shutdown(socket.SHUT_WR)
                self._shut.add(sock)
        except BlockingIOError:
            pass
        except OSError:
            self._drop(sock, reset=True)
            return False
        return True

    def _interests(self, sock: socket.socket) -> None:
        """Read unless ended or the peer is backed up; write while something waits;
        neither while stalled."""
        peer = self._peers[sock]
        events = 0
        if not self._stalled:
            if sock not in self._ended and len(self._pending[peer]) < HIGH_WATER:
                events |= selectors.EVENT_READ
            if self._pending[sock]:
                events |= selectors.EVENT_WRITE
        before = self._masks[sock]
        if events == before:
            return
        if not before:
            self._selector.register(sock, events, "conn")
        elif not events:  # neither: wait until the peer drains (a selector needs a mask)
            self._selector.unregister(sock)
        else:
            self._selector.modify(sock, events, "conn")
        self._masks[sock] = events

    def _drop(self, sock: socket.socket, *, reset: bool) -> None:
        """Close both ends of a pair (with RST when ``reset``)."""
        peer = self._peers.pop(sock, None)
        for end in (sock, peer):
            if end is None:
                continue
            self._peers.pop(end, None)
            self._pending.pop(end, None)
            self._ended.discard(end)
            self._shut.discard(end)
            if self._masks.pop(end, 0):
                self._selector.unregister(end)
            if reset:
                _reset(end)
            else:
                end.close()


def _reset(sock: socket.socket) -> None:
    """Close with RST rather than FIN, as a dead server's kernel answers."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def target_of(url: str, default_port: int) -> tuple[str, int]:
    """``(host, port)`` of a ``postgresql://`` or ``redis://`` URL."""
    parts = urlsplit(url)
    return parts.hostname or HOST, parts.port or default_port


@pytest.fixture
def tcp_proxy() -> Iterator[Callable[[tuple[str, int]], TcpProxy]]:
    """``tcp_proxy((host, port))`` → a running :class:`TcpProxy`, closed at teardown."""
    started: list[TcpProxy] = []

    def start(target: tuple[str, int]) -> TcpProxy:
        proxy = TcpProxy(target)
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.close()
