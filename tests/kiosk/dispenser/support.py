"""Helpers for the kiosk agent tests: fake printers on real boundaries, keypads.

Everything here is a real boundary this machine has: a hub served on 127.0.0.1 (``live``),
python-escpos ``Dummy`` output, a pty speaking ESC/POS status bytes, and evdev's
own reader on a pipe of ``struct input_event`` records.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import struct
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path
from typing import Any

from escpos.printer import Dummy
from evdev import ecodes
from evdev.eventio import EventIO
from sqlalchemy import select as sql_select

from config.kiosk import KioskSettings, PrinterSettings
from hub.store.db import read
from hub.store.tables import tickets

CUT = b"\x1dV"

GOOD_FILE = """
[site]
id = "tan-phu"
name = "Trung tâm Phục vụ hành chính công xã Tân Phú"
public_url = "http://192.168.1.10:8080/"

[kiosk]
hub_url = "http://192.168.1.10:8080/"
token_file = "kiosk.token"
listen = "127.0.0.1:8090"
error_led = 5
printer = { kind = "file", path = "var/printer.bin", paper_mm = 58 }

[[kiosk.buttons]]
pin = 17
service = "dat-dai"
led = 27

[[kiosk.buttons]]
pin = 22
service = "dat-dai"
priority = "elderly"

[kiosk.priority_button]
pin = 23
category = "disabled"

[kiosk.keypad]
name = "Numeric Keypad"
keymap = { KEY_KP1 = "dat-dai", KEY_KP0 = "priority" }
"""
"""A file with [site] and a [kiosk] using every kind of input."""


def wait_until(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def settings(hub_url: str, token: str, **overrides: Any) -> KioskSettings:
    """A ``[kiosk]`` section for tests: quick retries, no touch page, no debounce."""
    values: dict[str, Any] = {
        "hub_url": hub_url,
        "token": token,
        "listen": "",
        "printer": PrinterSettings(kind="fake"),
        "retry_s": 0.5,
        "refresh_s": 60,
        "heartbeat_s": 60,
        "hub_timeout_s": 3,
        "debounce_ms": 0,
    }
    values.update(overrides)
    return KioskSettings(**values)


def wait_done(agent: Any, seq: int) -> None:
    """Wait until the agent has finished its ``seq``-th ticket (presses after it count)."""
    wait_until(
        lambda: (
            (agent.snapshot()["current"] or {}).get("seq") == seq
            and agent.snapshot()["current"]["phase"] == "printed"
        ),
        what=f"ticket {seq} finished",
    )


def write_config(tmp_path: Path, text: str) -> Path:
    """Write ``text`` as ``kiosk.toml`` in ``tmp_path``; returns its path."""
    path = tmp_path / "kiosk.toml"
    path.write_text(text, "utf-8")
    return path


def hub_tickets(hub: Any) -> list[Any]:
    """Every ticket row on the hub, oldest first."""
    with read(hub.engine) as conn:
        return list(conn.execute(sql_select(tickets).order_by(tickets.c.issued_at)))


def device_status(hub: Any, name: str) -> dict[str, Any]:
    """The status the hub keeps from a device's last heartbeat."""
    return next(d["status"] for d in hub.devices.list_devices() if d["name"] == name)


class RaisingDummy(Dummy):
    """A python-escpos printer whose every write fails, as an unplugged USB cable does."""

    def _raw(self, msg: bytes) -> None:
        raise OSError(5, "Input/output error (printer unplugged)")


class PtyPrinter:
    """An ESC/POS printer at the far end of a pty: records bytes, answers ``DLE EOT n``.

    ``replies[n]`` is the status byte answered to ``DLE EOT n``; a missing ``n``
    gets no answer (a silent printer). ``path`` is the tty to open.
    """

    def __init__(self, replies: dict[int, bytes]) -> None:
        self.replies = dict(replies)
        self.received = bytearray()
        self._lock = threading.Lock()
        self._pending = bytearray()
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.02)
            if not ready:
                continue
            try:
                data = os.read(self._master, 65536)
            except OSError:
                continue  # EIO while nobody holds the slave open
            reply = self._consume(data)
            if reply:
                os.write(self._master, reply)

    def _consume(self, data: bytes) -> bytes:
        with self._lock:
            self.received += data
            self._pending += data
            out = b""
            while True:
                at = self._pending.find(b"\x10\x04")
                if at < 0 or at + 2 >= len(self._pending):
                    keep = 1 if self._pending.endswith(b"\x10") else 0
                    del self._pending[: len(self._pending) - keep]
                    return out
                out += self.replies.get(self._pending[at + 2], b"")
                del self._pending[: at + 3]

    def jobs(self) -> int:
        """How many cut commands arrived (one per printed ticket)."""
        with self._lock:
            return bytes(self.received).count(CUT)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self._master)
        os.close(self._slave)


_EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit Linux


def keystroke(key: str, repeats: int = 0) -> list[tuple[int, int, int]]:
    """What the kernel sends for one key: MSC_SCAN, down, SYN, repeats, MSC_SCAN, up, SYN."""
    code = ecodes.ecodes[key]
    scan = (ecodes.EV_MSC, ecodes.MSC_SCAN, 0x70059)
    syn = (ecodes.EV_SYN, ecodes.SYN_REPORT, 0)
    events = [scan, (ecodes.EV_KEY, code, 1), syn]
    events += [(ecodes.EV_KEY, code, 2), syn] * repeats
    return events + [scan, (ecodes.EV_KEY, code, 0), syn]


class PipeKeypad(EventIO):
    """An input device made of a pipe, read by evdev's own ``EventIO.read``."""

    def __init__(self) -> None:
        self.fd, self._writer = os.pipe()

    def press(self, key: str, repeats: int = 0) -> None:
        records = [
            _EVENT.pack(1_700_000_000, 1000 * i, *event)
            for i, event in enumerate(keystroke(key, repeats))
        ]
        os.write(self._writer, b"".join(records))

    def grab(self) -> None:
        """Nothing to grab: no other reader exists."""

    def close(self) -> None:
        for fd in (self._writer, self.fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._writer = self.fd = -1
