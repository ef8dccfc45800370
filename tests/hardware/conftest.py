"""Fixtures for the hardware tests: mock GPIO pins and fake devices on real
ptys and sockets (the lowest boundary this machine has)."""

from __future__ import annotations

import errno
import io
import os
import pty
import select
import socket
import struct
import threading
import tty
import wave
from collections.abc import Callable, Iterator

import pytest
from evdev import ecodes
from evdev.eventio import EventIO

# Any gpiozero device built without an explicit factory must get mock pins,
# never a real factory (and never lgpio's PinUnknownPi on a PC).
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")

#: Takes the bytes received so far (removing what it consumed), returns the reply.
Responder = Callable[[bytearray], bytes]


@pytest.fixture
def mock_factory() -> Iterator[object]:
    """A fresh gpiozero MockFactory, also installed as the default; reset afterwards."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    previous = Device.pin_factory
    factory = MockFactory()
    Device.pin_factory = factory
    yield factory
    factory.reset()  # frees every pin so the next test cannot hit GPIOPinInUse
    Device.pin_factory = previous


class _Device:
    """The far end of a link: a thread that records what arrives and answers it."""

    def __init__(self, respond: Responder) -> None:
        self.respond = respond
        self.received = bytearray()  # every byte, for assertions
        self._pending = bytearray()  # what the responder has not consumed yet
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self.silent = False  # when True, nothing is answered

    def snapshot(self) -> bytes:
        with self._lock:
            return bytes(self.received)

    def wait_until(self, done: Callable[[bytes], bool], timeout: float = 5.0) -> bytes:
        """Wait until the bytes received so far satisfy ``done``; return them."""
        with self._lock:
            if not self._lock.wait_for(lambda: done(bytes(self.received)), timeout):
                raise AssertionError(f"device never got what was expected: {self.received[-40:]!r}")
            return bytes(self.received)

    def _handle(self, data: bytes) -> bytes:
        with self._lock:
            self.received += data
            self._pending += data
            reply = self.respond(self._pending)
            self._lock.notify_all()
        return b"" if self.silent else reply


class PtyDevice(_Device):
    """A device on the master side of a pty; ``path`` is the slave tty to open."""

    def __init__(self, respond: Responder) -> None:
        super().__init__(respond)
        self.master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select([self.master], [], [], 0.02)
            if not readable:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                continue  # EIO while no process has the slave open
            reply = self._handle(data)
            if reply:
                os.write(self.master, reply)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self.master)
        os.close(self._slave)


class TcpDevice(_Device):
    """A device listening on 127.0.0.1 (e.g. a LAN printer on its raw port)."""

    def __init__(self, respond: Responder) -> None:
        super().__init__(respond)
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.05)
        self.port = self._server.getsockname()[1]
        self.connections = 0
        self._drop = threading.Event()
        self._dropped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(0.05)
                self._serve(conn)
            if self._drop.is_set():
                self._drop.clear()
                self._dropped.set()

    def _serve(self, conn: socket.socket) -> None:
        while not self._stop.is_set() and not self._drop.is_set():
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            if not data:
                return
            reply = self._handle(data)
            if reply:
                conn.sendall(reply)

    def drop_connection(self) -> None:
        """Close the current connection from the device's side; keep listening."""
        self._dropped.clear()
        self._drop.set()
        if not self._dropped.wait(5):
            raise AssertionError("the device did not drop its connection")

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._server.close()


def _escpos_responder(replies: dict[int, bytes]) -> Responder:
    """Answer ``DLE EOT n`` with ``replies[n]`` (nothing for a missing n), as an
    Epson printer does; everything else is consumed silently."""

    def respond(pending: bytearray) -> bytes:
        out = b""
        while True:
            at = pending.find(b"\x10\x04")
            if at < 0 or at + 2 >= len(pending):
                # Keep a trailing DLE that may start a query split across reads.
                keep = 1 if pending.endswith(b"\x10") else 0
                del pending[: len(pending) - keep]
                return out
            out += replies.get(pending[at + 2], b"")
            del pending[: at + 3]

    return respond


@pytest.fixture
def escpos_responder() -> Callable[[dict[int, bytes]], Responder]:
    """``escpos_responder({1: b"\\x12", 4: b"\\x7e"})``: a fake printer's answers."""
    return _escpos_responder


@pytest.fixture
def pty_device() -> Iterator[Callable[[Responder], PtyDevice]]:
    """Factory of pty devices, all closed after the test."""
    made: list[PtyDevice] = []

    def make(respond: Responder) -> PtyDevice:
        made.append(PtyDevice(respond))
        return made[-1]

    yield make
    for device in made:
        device.close()


@pytest.fixture
def tcp_device() -> Iterator[Callable[[Responder], TcpDevice]]:
    """Factory of TCP devices on 127.0.0.1, all closed after the test."""
    made: list[TcpDevice] = []

    def make(respond: Responder) -> TcpDevice:
        made.append(TcpDevice(respond))
        return made[-1]

    yield make
    for device in made:
        device.close()


def make_wav(frames: int = 800, rate: int = 8000) -> bytes:
    """A short mono 16-bit silent WAV."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * frames)
    return buf.getvalue()


@pytest.fixture
def wav() -> bytes:
    """A 0.1 s silent WAV."""
    return make_wav()


KeyEvent = tuple[int, int, int]  # (type, code, value)
_INPUT_EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit Linux: 24 bytes


def _keystroke(key: str, repeats: int = 0) -> list[KeyEvent]:
    """What the kernel sends for one key press: scan code, down, SYN, repeats, up, SYN."""
    code = ecodes.ecodes[key]
    down = [(ecodes.EV_MSC, ecodes.MSC_SCAN, 0x70059), (ecodes.EV_KEY, code, 1)]
    syn = [(ecodes.EV_SYN, ecodes.SYN_REPORT, 0)]
    repeat = [(ecodes.EV_KEY, code, 2), *syn] * repeats
    up = [(ecodes.EV_MSC, ecodes.MSC_SCAN, 0x70059), (ecodes.EV_KEY, code, 0)]
    return down + syn + repeat + up + syn


@pytest.fixture
def keystroke() -> Callable[..., list[KeyEvent]]:
    """``keystroke("KEY_KP1", repeats=3)``: the kernel's events for one key press."""
    return _keystroke


class PipeInputDevice(EventIO):
    """An input device made of a pipe, read by evdev's own ``EventIO.read``.

    ``send``/``press`` write raw ``struct input_event`` records; ``end()`` closes
    the writer (end of file); ``unplug()`` makes the next read fail with ENODEV,
    as the kernel does for a removed device.
    """

    def __init__(self) -> None:
        self.fd, self._write_fd = os.pipe()
        self._fd_lock = threading.Lock()  # the test thread and the reader both close
        self.grabbed = False
        self.closed = threading.Event()
        self._gone = False

    def send(self, events: list[KeyEvent]) -> None:
        records = (_INPUT_EVENT.pack(1700000000, 1000 * i, *e) for i, e in enumerate(events))
        os.write(self._write_fd, b"".join(records))

    def press(self, key: str, repeats: int = 0) -> None:
        self.send(_keystroke(key, repeats))

    def grab(self) -> None:
        self.grabbed = True

    def end(self) -> None:
        with self._fd_lock:
            if self._write_fd >= 0:
                os.close(self._write_fd)
                self._write_fd = -1

    def unplug(self) -> None:
        self._gone = True
        self.end()  # wakes the reader's select

    def read(self):
        if self._gone:
            raise OSError(errno.ENODEV, "No such device")
        return super().read()

    def close(self) -> None:
        self.end()
        with self._fd_lock:
            if self.fd >= 0:
                os.close(self.fd)
                self.fd = -1
        self.closed.set()


@pytest.fixture
def pipe_input() -> Iterator[Callable[[], PipeInputDevice]]:
    """Factory of pipe-backed input devices, all closed after the test."""
    made: list[PipeInputDevice] = []

    def make() -> PipeInputDevice:
        made.append(PipeInputDevice())
        return made[-1]

    yield make
    for device in made:
        device.close()
