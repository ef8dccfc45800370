"""Test rig of the display agent: the hub's people and devices, fake RS-485 lines on ptys."""

from __future__ import annotations

import os
import pty
import select
import threading
import time
import tty
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from config.display_agent import DisplayAgentSettings
from hardware.fakes import FakeAudioOutput
from tests.conftest import Api

ACK = b"\x06"


class OffsetClock:
    """The hub's clock: real time plus ``offset_s`` (to make a call in the past)."""

    def __init__(self) -> None:
        self.offset_s = 0.0

    def __call__(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset_s)


def crc16(data: bytes) -> bytes:
    """CRC-16/MODBUS written out again here, so the fake device checks the agent."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return bytes([crc & 0xFF, crc >> 8])


class PtyLine:
    """A fake RS-485 line of LED boards on a pty pair: the agent opens :attr:`path`.

    Args:
        framing: "stx-etx" (answers ACK) or "modbus" (answers the write's echo).
        answer: False for boards that never answer.
    """

    def __init__(self, framing: str, *, answer: bool = True) -> None:
        self.framing = framing
        self.answer = answer
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.frames: list[bytes] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                buffer += os.read(self.master, 256)
            except OSError:
                return
            while True:
                frame, buffer = self._cut(buffer)
                if frame is None:
                    break
                with self._lock:
                    self.frames.append(frame)
                if self.answer:
                    os.write(self.master, self._reply(frame))

    def _cut(self, buffer: bytes) -> tuple[bytes | None, bytes]:
        if self.framing == "modbus":
            if len(buffer) < 7 or len(buffer) < 9 + buffer[6]:
                return None, buffer
            size = 9 + buffer[6]
            return buffer[:size], buffer[size:]
        end = buffer.find(b"\x03")
        if end < 0 or len(buffer) < end + 2:
            return None, buffer
        return buffer[: end + 2], buffer[end + 2 :]

    def _reply(self, frame: bytes) -> bytes:
        if self.framing == "modbus":
            head = frame[:6]
            return head + crc16(head)
        return ACK

    def received(self) -> list[bytes]:
        with self._lock:
            return list(self.frames)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self.master)
        os.close(self.slave)


class TimedAudio(FakeAudioOutput):
    """A loudspeaker that takes ``play_s`` per sound and notes when each began and ended."""

    def __init__(self, play_s: float = 0.2) -> None:
        super().__init__()
        self.play_s = play_s
        self.spans: list[tuple[float, float]] = []

    def play(self, wav: bytes) -> None:
        started = time.monotonic()
        time.sleep(self.play_s)
        super().play(wav)
        self.spans.append((started, time.monotonic()))


def wait_for(check: Callable[[], Any], what: str, timeout: float = 8.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].split()[1]


class Rig:
    """The hub's people and devices, driven over HTTP like the real ones."""

    def __init__(self, app: Any, url: str) -> None:
        self.api = Api(app)
        self.hub = self.api.hub
        self.url = url
        self.kiosk = self.api.device("kiosk-1", "kiosk")
        self.staff = {c: self.api.user(f"canbo{c}") for c in ("1", "2", "3")}
        self.screen_token = token_of(self.api.device("sanh-pi", "display"))
        self.http = requests.Session()

    def issue(self, service: str) -> str:
        return str(self.api.issue(self.kiosk, service)["number"])

    def open(self, *counters: str) -> None:
        for c in counters:
            assert self.api.post(f"/counters/{c}/open", self.staff[c]).status_code == 200

    def call_next(self, counter: str, *, via_http: bool = True) -> dict[str, Any]:
        """Call-next at ``counter``: over the network, or through the app while it is down."""
        path = f"/counters/{counter}/call-next"
        if via_http:
            r = self.http.post(f"{self.url}/api/v1{path}", headers=self.staff[counter], timeout=5)
            assert r.status_code == 200, r.text
            return dict(r.json())
        response = self.api.post(path, self.staff[counter])
        assert response.status_code == 200, response.json
        return dict(response.json)

    def recall(self, counter: str) -> None:
        """Recall (*gọi lại*) the number being served at ``counter``, over the network."""
        path = f"{self.url}/api/v1/counters/{counter}/recall"
        r = self.http.post(path, headers=self.staff[counter], timeout=5)
        assert r.status_code == 200, r.text

    def last_seq(self) -> int:
        return int(self.hub.views.snapshot()["last_seq"])

    def audio_of(self, seq: int) -> bytes:
        r = self.http.get(f"{self.url}/display/audio/{seq}.wav", timeout=5)
        assert r.status_code == 200
        return r.content

    def acks(self, screen: str = "sanh-pi") -> set[tuple[int, str]]:
        from sqlalchemy import select

        from hub.store.db import read
        from hub.store.tables import call_acks

        with read(self.hub.engine) as conn:
            rows = conn.execute(
                select(call_acks.c.seq, call_acks.c.kind).where(call_acks.c.screen == screen)
            )
            return {(r.seq, r.kind) for r in rows}

    def device_status(self, name: str = "sanh-pi") -> dict[str, Any]:
        device = next(d for d in self.hub.devices.list_devices() if d["name"] == name)
        return dict(device.get("status") or {})


def agent_settings(url: str, token: str, **overrides: Any) -> DisplayAgentSettings:
    values: dict[str, Any] = {
        "hub_url": url,
        "token": token,
        "screen": "sanh-pi",
        "retry_s": 0.3,
        "heartbeat_s": 1.0,
        "reconnect_delay_s": 0.2,
        "reconnect_max_s": 1.0,
        "repeat_gap_s": 0.05,
        "repeat": 1,  # the tests count plays; a test of the default repeat passes its own
    }
    values.update(overrides)
    return DisplayAgentSettings(**values)
