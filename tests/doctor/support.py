"""Helpers of the doctor's tests: run the command, fake devices on real boundaries.

A hub served on 127.0.0.1, an ESC/POS printer at the far end of a pty answering
``DLE EOT``, a keypad made of a pipe read by evdev's own reader, a serial line on
a pty: each is what the device is to the code under test.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import socket
import struct
import subprocess
import threading
import tty
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evdev import ecodes
from evdev.eventio import EventIO

from hub.cli import main
from tests.support.live import LiveServer

PAPER_OK = {1: b"\x12", 4: b"\x12"}
"""A printer's answers to DLE EOT 1 (online) and DLE EOT 4 (paper present)."""
PAPER_OUT = {1: b"\x1a", 4: b"\x72"}
"""Offline, paper end sensors on: a printer without paper."""


def doctor(capsys: Any, path: Path) -> tuple[int, list[str], str]:
    """Run ``motcua --config PATH doctor`` in this process: exit status, stdout's lines, stderr."""
    code = main(["--config", str(path), "doctor"])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def line(lines: list[str], *words: str) -> str:
    """The one line holding every one of ``words``."""
    found = [text for text in lines if all(word in text for word in words)]
    assert len(found) == 1, f"{words} in {len(found)} lines of:\n" + "\n".join(lines)
    return found[0]


def failures(lines: list[str]) -> list[str]:
    """The ✗ lines."""
    return [text for text in lines if text.startswith("✗")]


@contextlib.contextmanager
def serve(app: Any, ahead_s: float = 0.0, tls: tuple[Path, Path] | None = None) -> Iterator[str]:
    """The live server of ``tests.support.live`` as a block: its ``Date`` header ``ahead_s``
    ahead of this machine's clock, over HTTPS with ``tls`` (certificate, key); yields its URL."""
    server = LiveServer(app, tls=tls, ahead_s=ahead_s).start()
    try:
        yield server.url
    finally:
        server.close()


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A TCP server that accepts connections and never answers: a hung hub."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PtyDevice:
    """A serial device at the far end of a pty; answers ``DLE EOT n`` with ``replies[n]``
    (an ESC/POS printer), or nothing at all (an LED board line the doctor only opens)."""

    def __init__(self, replies: dict[int, bytes] | None = None) -> None:
        self.replies = replies or {}
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._answer, daemon=True)
        self._thread.start()

    def _answer(self) -> None:
        pending = b""
        while not self._stop.is_set():
            if not select.select([self._master], [], [], 0.02)[0]:
                continue
            try:
                pending += os.read(self._master, 4096)
            except OSError:
                continue  # nobody holds the other end open
            while (at := pending.find(b"\x10\x04")) >= 0 and len(pending) > at + 2:
                os.write(self._master, self.replies.get(pending[at + 2], b""))
                pending = pending[at + 3 :]

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self._master)
        os.close(self._slave)


class PipeKeypad(EventIO):
    """An input device made of a pipe, read by evdev's own ``EventIO.read``."""

    _EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit Linux

    def __init__(self) -> None:
        self.fd, self._writer = os.pipe()

    def press(self, key: str) -> None:
        down = (ecodes.EV_KEY, ecodes.ecodes[key], 1)
        os.write(self._writer, self._EVENT.pack(1_764_200_000, 0, *down))

    def grab(self) -> None:
        """Nobody else reads it."""

    def close(self) -> None:
        for fd in (self._writer, self.fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._writer = self.fd = -1


def self_signed(folder: Path, name: str = "hub") -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (the openssl command makes them)."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-subj", f"/CN={name}", "-days", "2", "-addext",
         "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key
